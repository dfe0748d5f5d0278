//! dtsform: plan and apply cloud DTS jobs — above all their object lists — from HCL, the
//! way Terraform does for infrastructure. ARCHITECTURE.md (at the repository's root)
//! draws the pipeline and the module map.
//!
//! A tour of the crate, in pipeline order:
//!
//! * [`config`] — HCL files → evaluated, checked job specs; every error a located
//!   diagnostic with help.
//! * [`objects`] — the canonical object tree shared by every cloud, its addresses,
//!   normalization and keyed diff.
//! * [`guard`] — the lost-object guard: no removal unless declared.
//! * [`plan`] — live state fetched concurrently, each job planned, the operation graph,
//!   the saved plan file.
//! * [`render`] — the plan as text.
//! * [`report`] — the plan as a versioned JSON document and as a pull-request comment
//!   in Markdown (removals first, never cut, within GitHub's size limit).
//! * [`apply`] — executes a plan: dependency order, re-checks, idempotent writes,
//!   read-back.
//! * [`cloud`] — API clients: request building and signing as pure functions, a thin
//!   HTTP layer, errors that carry the cloud's code and RequestId, retries.
//! * [`emulator`] — a local HTTP server that speaks the DTS wire protocols, verifies real
//!   signatures and models the real semantics (full-overwrite object lists, the job
//!   status machine, error codes, idempotency, limits and injectable faults).
//! * [`cli`] — the command-line front end: settings resolved once, one workspace opener,
//!   each command a short function over the library.
//! * [`clients`] — one API client per provider block of a configuration.
//! * [`printer`] — the one printer of user-facing output.
//! * [`util`] — digests, time, and the one dependency-order algorithm.
//! * [`secret`], [`env`], [`text`] — redacted strings, the environment as a value, and
//!   outside text made safe to print.

pub mod apply;
pub mod cli;
pub mod clients;
pub mod cloud;
pub mod config;
pub mod emulator;
pub mod env;
pub mod fsutil;
pub mod guard;
pub mod objects;
pub mod plan;
pub mod printer;
pub mod render;
pub mod report;
pub mod secret;
pub mod text;
pub mod util;
