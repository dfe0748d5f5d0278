//! Tencent Cloud DTS, API 2018-03-30 (reference: `../shared/reference/tencent-dts-api.md`).
//!
//! * [`sign`] — `TC3-HMAC-SHA256`, pure, pinned to the reference vectors;
//! * [`credentials`], [`endpoint`] — where keys and hosts come from.

pub mod credentials;
pub mod endpoint;
pub mod sign;

pub use credentials::{Credentials, CredentialsError};
