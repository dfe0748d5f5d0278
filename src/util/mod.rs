//! Small helpers every layer may use, and that belong to none: digests, time, and a
//! dependency graph. Nothing here knows about DTS.

pub mod graph;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Equality of two secrets (signatures, keys) in time that does not depend on where
/// they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `t` as a calendar time, or `None` if it is outside the years the calendar types
/// support. Unlike `From`, never panics.
pub fn to_datetime(t: SystemTime) -> Option<OffsetDateTime> {
    let nanos = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok()?,
        Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// A calendar time as a `SystemTime`, or `None` if the platform cannot represent it.
/// Unlike `From`, never panics.
pub fn from_datetime(t: OffsetDateTime) -> Option<SystemTime> {
    let nanos = t.unix_timestamp_nanos();
    let abs = nanos.unsigned_abs();
    let magnitude = Duration::new(
        u64::try_from(abs / 1_000_000_000).ok()?,
        u32::try_from(abs % 1_000_000_000).ok()?,
    );
    if nanos >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    }
}

/// `2026-12-07T10:53:26.123Z`: RFC 3339 in UTC, to the millisecond.
pub fn rfc3339(t: SystemTime) -> String {
    let t = to_datetime(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let t = t
        .replace_nanosecond(u32::from(t.millisecond()) * 1_000_000)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Reads an RFC 3339 time; `None` if it is not one.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .and_then(from_datetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_compare_and_times_round_trip() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd") && !constant_time_eq("abc", "ab"));
        let t = UNIX_EPOCH + Duration::from_millis(1_765_104_806_123);
        assert_eq!(rfc3339(t), "2025-12-07T10:53:26.123Z");
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
