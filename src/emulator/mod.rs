//! A local Alibaba Cloud DTS (OpenAPI 2020-01-01) and Tencent Cloud DTS (API 2018-03-30)
//! that speak the real wire protocols, on one address, so dtsform can be tried and tested
//! with no cloud account. It binds loopback addresses only. Tests start it in-process on
//! port 0 with [`Emulator::start`]; `dtsform emulator` serves it from the command line.
//!
//! The generic part:
//!
//! * [`server`] — the listener, and which cloud a request speaks (a request with an
//!   `X-TC-Action` header or a `TC3-HMAC-SHA256` signature is Tencent's, any other is
//!   Alibaba's);
//! * `pipeline` — one request's way through, the same for both clouds: bounded body →
//!   route → authentication → admission (nonce, rate limit) → injected faults → the
//!   action against the world → atomic persistence (or roll-back) → perhaps a lost
//!   answer; each cloud supplies its steps through one trait, `Protocol`;
//! * [`world`] — the jobs served and the records kept, loaded from and saved to a JSON
//!   file; [`schedule`] — status changes that take time;
//! * [`config`] — keys, durations and faults.
//!
//! Then one folder per cloud, with the same files in the same roles: `protocol`,
//! `auth`, `params`, `objects`, `actions`, `status`, `world`, `reply` ([`alibaba`],
//! [`tencent`]).

pub mod alibaba;
pub mod config;
mod pipeline;
pub mod schedule;
pub mod server;
pub mod tencent;
pub mod world;

pub use config::{
    Behaviour, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_LISTEN,
    DEFAULT_TENCENT_RATE_LIMIT, DEFAULT_TENCENT_SECRET_ID, DEFAULT_TENCENT_SECRET_KEY,
    EmulatorConfig, Faults, MAX_BODY_BYTES,
};
pub use pipeline::Outcome;
pub use server::{Emulator, EmulatorError, RunningEmulator};
pub use world::{World, WorldError, load_or_create};
