//! Tencent Cloud DTS, API 2018-03-30 (the "reference §N" notes cite the sections of the
//! wire-protocol reference the client was written from: Tencent's API pages, the official
//! SDK's source and its test vectors).
//!
//! * [`sign`] — `TC3-HMAC-SHA256`, pure, pinned to the reference vectors;
//! * [`request`] — request bodies and action → signed request, pure;
//! * [`model`] — migration jobs, statuses and check results as the API returns them;
//! * [`credentials`], [`endpoint`] — where keys and hosts come from;
//! * [`client`] — sends, classifies answers, retries.

pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod model;
pub mod request;
pub mod sign;

pub use client::{ClientConfig, TencentClient, is_not_found};
pub use credentials::{Credentials, CredentialsError};
pub use model::{CheckJob, DstInfo, MigrateJob, MigrateOption, MigrateStatus, SrcInfo};
pub use request::ModifyMigrateJob;
