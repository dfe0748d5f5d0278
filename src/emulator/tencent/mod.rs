//! Tencent Cloud DTS (API 2018-03-30), as the emulator serves it:
//!
//! * [`protocol`] — how a Tencent request takes the shared pipeline;
//! * [`auth`] — `TC3-HMAC-SHA256`, known SecretId, fresh timestamp;
//! * [`params`] — the call's JSON or flattened parameters, read by type;
//! * [`objects`] — the `DatabaseInfo` a write sends, checked;
//! * [`actions`] — the actions and their semantics (full-replacement object lists,
//!   check jobs);
//! * [`status`] — the job status machine (reference §4.1);
//! * [`world`] — Tencent's jobs in the world file;
//! * [`reply`] — answers in the real shapes.

pub mod actions;
pub mod auth;
pub mod objects;
pub mod params;
pub mod protocol;
pub mod reply;
pub mod status;
pub mod world;

/// Requests per second per action before `RequestLimitExceeded` (the documented limit).
pub use super::config::DEFAULT_TENCENT_RATE_LIMIT as DEFAULT_RATE_LIMIT;
