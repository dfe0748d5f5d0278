//! Alibaba's job status machine: which status allows which write, and where each write
//! leads. Pure functions of statuses and times; [`actions`](super::actions) applies them.
//!
//! * A new object list (`ModifyDtsJob`) only while the job runs in its kind's status
//!   (`Synchronizing`, `Migrating`) or has failed; then `Modifying` until it is done.
//! * No write while `Modifying`.
//! * `StartDtsJob` walks a new job through `Prechecking` (→ `Initializing`) → running,
//!   resumes a paused one, restarts a failed one through `Initializing`, and changes
//!   nothing on one that is running or on its way there.
//! * `SuspendDtsJob` pauses a job that runs, initializes, retries or has failed.

use std::time::SystemTime;

use super::world::Kind;
use crate::cloud::alibaba::JobStatus;

/// Where a write leaves a job: the status it takes now, and the changes still to come
/// (replacing any scheduled before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub status: JobStatus,
    pub then: Vec<(JobStatus, SystemTime)>,
}

/// Why a job's status refuses a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A modification is still being applied.
    Modifying,
    /// Objects change only while the job runs, or after it failed.
    NotRunning,
    /// The write is not allowed in this status.
    NotAllowed,
}

/// The status a running job of this kind shows.
pub fn running(kind: Kind) -> JobStatus {
    match kind {
        Kind::Sync => JobStatus::Synchronizing,
        Kind::Migration => JobStatus::Migrating,
    }
}

/// Any write but a start or a suspend: refused while a modification is applied.
pub fn check_write(status: &JobStatus) -> Result<(), Refusal> {
    if *status == JobStatus::Modifying {
        Err(Refusal::Modifying)
    } else {
        Ok(())
    }
}

/// A new object list: only while the job runs in its kind's status, or has failed.
pub fn check_modify_objects(kind: Kind, status: &JobStatus) -> Result<(), Refusal> {
    check_write(status)?;
    if *status == running(kind) || matches!(status, JobStatus::Failed | JobStatus::MigrationFailed)
    {
        Ok(())
    } else {
        Err(Refusal::NotRunning)
    }
}

/// An accepted object list: `Modifying` until `back_at`, then running again.
pub fn modifying(kind: Kind, back_at: SystemTime) -> Transition {
    Transition {
        status: JobStatus::Modifying,
        then: vec![(running(kind), back_at)],
    }
}

/// StartDtsJob, with the ends of its first and second steps; `None` when it changes
/// nothing (the job is running or on its way).
pub fn start(
    kind: Kind,
    status: &JobStatus,
    one_step: SystemTime,
    two_steps: SystemTime,
) -> Result<Option<Transition>, Refusal> {
    let running = running(kind);
    let transition = match status {
        JobStatus::NotStarted
        | JobStatus::NotConfigured
        | JobStatus::PreCheckPass
        | JobStatus::PrecheckFailed => Transition {
            status: JobStatus::Prechecking,
            then: match kind {
                Kind::Sync => vec![(JobStatus::Initializing, one_step), (running, two_steps)],
                Kind::Migration => vec![(running, one_step)],
            },
        },
        JobStatus::Suspending => Transition {
            status: running,
            then: Vec::new(),
        },
        JobStatus::Failed
        | JobStatus::InitializeFailed
        | JobStatus::MigrationFailed
        | JobStatus::ModifyFailed => Transition {
            status: JobStatus::Initializing,
            then: vec![(running, one_step)],
        },
        // Already on its way or there: starting again changes nothing.
        JobStatus::Synchronizing
        | JobStatus::Migrating
        | JobStatus::Prechecking
        | JobStatus::Initializing
        | JobStatus::Modifying
        | JobStatus::Retrying => return Ok(None),
        _ => return Err(Refusal::NotAllowed),
    };
    Ok(Some(transition))
}

/// SuspendDtsJob; `None` when the job is paused already.
pub fn suspend(status: &JobStatus) -> Result<Option<Transition>, Refusal> {
    match status {
        JobStatus::Synchronizing
        | JobStatus::Migrating
        | JobStatus::Initializing
        | JobStatus::Retrying
        | JobStatus::Failed
        | JobStatus::MigrationFailed => Ok(Some(Transition {
            status: JobStatus::Suspending,
            then: Vec::new(),
        })),
        JobStatus::Suspending => Ok(None),
        JobStatus::Modifying => Err(Refusal::Modifying),
        _ => Err(Refusal::NotAllowed),
    }
}
