//! Tencent Cloud DTS, API 2018-03-30 (reference: `../shared/reference/tencent-dts-api.md`).
//!
//! * [`sign`] — `TC3-HMAC-SHA256`, pure, pinned to the reference vectors;
//! * [`model`] — migration jobs, statuses and check results as the API returns them;
//! * [`credentials`], [`endpoint`] — where keys and hosts come from.

pub mod credentials;
pub mod endpoint;
pub mod model;
pub mod sign;

pub use credentials::{Credentials, CredentialsError};
pub use model::{CheckJob, DstInfo, MigrateJob, MigrateOption, MigrateStatus, SrcInfo};
