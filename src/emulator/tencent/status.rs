//! Tencent's job status machine (reference §4.1): which status allows which write, and
//! where each write leads. Pure functions of statuses and times;
//! [`actions`](super::actions) applies them.
//!
//! * `ModifyMigrateJob` in 1, 4, 5 or 10 sets the job back to 1 (Creating).
//! * `CreateMigrateCheckJob` in 1, 4, 5 or 10 holds the job in 3 (Checking) until the
//!   check is done, then 4 (CheckPass) or 5 (CheckNotPass).
//! * `StartMigrateJob` only in 4: 6 (ReadyRun) until it runs, then 7 (Running), where
//!   the job stays.

use std::time::SystemTime;

use crate::cloud::tencent::MigrateStatus;

/// Where a write leaves a job: the status it takes now, and the changes still to come
/// (replacing any scheduled before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub status: MigrateStatus,
    pub then: Vec<(MigrateStatus, SystemTime)>,
}

/// The status refuses the write (`FailedOperation.StatusInConflict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict;

/// ModifyMigrateJob: back to Creating, nothing scheduled.
pub fn modify(status: MigrateStatus) -> Result<Transition, Conflict> {
    if !status.is_modifiable() {
        return Err(Conflict);
    }
    Ok(Transition {
        status: MigrateStatus::Creating,
        then: Vec::new(),
    })
}

/// CreateMigrateCheckJob: Checking until `finishes`, then CheckPass or CheckNotPass.
pub fn check(
    status: MigrateStatus,
    passes: bool,
    finishes: SystemTime,
) -> Result<Transition, Conflict> {
    if !status.is_modifiable() {
        return Err(Conflict);
    }
    let outcome = if passes {
        MigrateStatus::CheckPass
    } else {
        MigrateStatus::CheckNotPass
    };
    Ok(Transition {
        status: MigrateStatus::Checking,
        then: vec![(outcome, finishes)],
    })
}

/// StartMigrateJob: ReadyRun until `runs_at`, then Running.
pub fn start(status: MigrateStatus, runs_at: SystemTime) -> Result<Transition, Conflict> {
    if !status.can_start() {
        return Err(Conflict);
    }
    Ok(Transition {
        status: MigrateStatus::ReadyRun,
        then: vec![(MigrateStatus::Running, runs_at)],
    })
}
