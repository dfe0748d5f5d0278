//! Apply: carry out a reviewed plan, and nothing else.
//!
//! The plan (a [`PlanFile`](crate::plan::file::PlanFile)'s jobs, or a plan made just now)
//! is data; this module runs it. [`apply`] ([`run`]) first checks the whole plan against
//! the configuration ([`FromConfig`]: every job and operation, every password) and writes
//! nothing if anything is off. [`queue`] runs the operations in dependency order with
//! bounded parallelism, never two on one DTS instance at once. Each operation goes
//! through the [`executor`]: settle and re-check the job, write once (re-checking before
//! any resend, [`write_rule`]), read back — with each cloud's steps in [`alibaba`] and
//! [`tencent`]. An operation whose effect is already live (a re-run after a crash) is
//! recognised and not sent again. [`wait`] holds the one polling primitive and
//! [`progress`] the lines and bar a user watches.

mod alibaba;
mod error;
mod executor;
mod from_config;
mod options;
pub mod progress;
pub mod queue;
mod run;
mod summary;
mod tencent;
pub mod wait;
mod write_rule;

pub use error::ApplyError;
use error::named;
pub use from_config::FromConfig;
pub use options::{ApplyOptions, DEFAULT_OPERATION_TIMEOUT, DEFAULT_PARALLELISM};
pub use progress::Progress;
pub use queue::Cancel;
pub use run::{apply, apply_reported, client_token};
pub use summary::{OpReport, Outcome, Summary};
pub use wait::{PollPolicy, parse_duration};
