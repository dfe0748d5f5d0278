//! How an apply ended: one report per operation, and the counts.

use std::time::Duration;

use super::ApplyError;

/// How one operation ended.
#[derive(Debug)]
pub enum Outcome {
    /// Written and verified; the text says what was verified.
    Applied(String),
    /// Already live (an earlier apply got this far); nothing was sent.
    AlreadyApplied(String),
    Failed(ApplyError),
    /// Not run: the operation with this id, which it depends on, failed.
    Skipped {
        because: String,
    },
    /// Not run: apply was interrupted first.
    Interrupted,
}

/// One operation's report.
#[derive(Debug)]
pub struct OpReport {
    pub id: String,
    pub action: String,
    pub outcome: Outcome,
    /// From its start to its end, for operations that ran.
    pub elapsed: Option<Duration>,
    /// Reads of the job it made (the first read, waits and read-backs).
    pub polls: usize,
}

/// Everything an apply did.
#[derive(Debug)]
pub struct Summary {
    pub ops: Vec<OpReport>,
    pub wall: Duration,
}

impl Summary {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.ops.iter().filter(|o| f(&o.outcome)).count()
    }

    pub fn applied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Applied(_)))
    }

    pub fn already_applied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::AlreadyApplied(_)))
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }

    pub fn interrupted(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Interrupted))
    }

    pub fn polls(&self) -> usize {
        self.ops.iter().map(|o| o.polls).sum()
    }

    /// Every operation is live.
    pub fn is_complete(&self) -> bool {
        self.applied() + self.already_applied() == self.ops.len()
    }
}
