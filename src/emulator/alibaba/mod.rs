//! Alibaba Cloud DTS (OpenAPI 2020-01-01), as the emulator serves it:
//!
//! * [`protocol`] — how an Alibaba request takes the shared pipeline;
//! * [`auth`] — V3 and V1 signatures, known key, fresh timestamp, nonce;
//! * [`params`] — the call's query and form parameters, read by name;
//! * [`objects`] — the `DbList` a write sends, checked;
//! * [`actions`] — the actions and their semantics (full-overwrite object lists,
//!   idempotent ClientTokens);
//! * [`status`] — the job status machine;
//! * [`world`] — Alibaba's jobs in the world file;
//! * [`reply`] — answers in the real shapes.

pub mod actions;
pub mod auth;
pub mod objects;
pub mod params;
pub mod protocol;
pub mod reply;
pub mod status;
pub mod world;
