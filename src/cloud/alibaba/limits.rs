//! What the API accepts, checked the same way by every layer that builds or serves a
//! request: configuration, plan and the emulator.

use std::fmt;

/// The most bytes a `DbList` may have (reference §9: 1 MB).
pub const MAX_DB_LIST_BYTES: usize = 1024 * 1024;

/// A `DbList` over [`MAX_DB_LIST_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbListTooLarge {
    pub bytes: usize,
}

impl fmt::Display for DbListTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes; DTS accepts at most 1 MB ({MAX_DB_LIST_BYTES} bytes)",
            self.bytes
        )
    }
}

/// Whether a `DbList` of `bytes` bytes is accepted.
pub fn check_db_list_size(bytes: usize) -> Result<(), DbListTooLarge> {
    if bytes > MAX_DB_LIST_BYTES {
        Err(DbListTooLarge { bytes })
    } else {
        Ok(())
    }
}
