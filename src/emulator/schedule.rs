//! Status changes that take time, for both clouds: stored as `pending` steps with
//! absolute times and applied lazily when a job is next looked at, so a world file stays
//! right across restarts of the emulator.

use std::time::SystemTime;

use crate::util::{parse_rfc3339, rfc3339};

/// A status a job takes at a time (RFC 3339): one entry of a job's `pending` list.
pub trait Step {
    type Status;
    fn new(status: Self::Status, at: String) -> Self;
    fn at(&self) -> &str;
    fn into_status(self) -> Self::Status;
}

/// Applies to `status` every step of `pending` due by `now`, in order, and drops them.
/// An unreadable time (a hand-edited file) counts as due, so a job never sticks.
pub fn settle<S: Step>(status: &mut S::Status, pending: &mut Vec<S>, now: SystemTime) {
    let due = pending
        .iter()
        .take_while(|step| parse_rfc3339(step.at()).is_none_or(|at| at <= now))
        .count();
    if let Some(last) = pending.drain(..due).last() {
        *status = last.into_status();
    }
}

/// The pending steps for `(status, time)` pairs.
pub fn steps<S: Step>(steps: impl IntoIterator<Item = (S::Status, SystemTime)>) -> Vec<S> {
    steps
        .into_iter()
        .map(|(status, at)| S::new(status, rfc3339(at)))
        .collect()
}
