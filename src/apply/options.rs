//! How apply runs: parallelism, timeouts, polling, read-back windows.

use std::time::Duration;

use super::wait::PollPolicy;

/// Default number of operations run at once.
pub const DEFAULT_PARALLELISM: usize = 10;
/// Default longest time one operation may take, waits included (Terraform's update
/// timeout for DTS jobs).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_mins(10);

/// How apply runs.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// Per operation: from its first read to its verified read-back.
    pub operation_timeout: Duration,
    pub poll: PollPolicy,
    /// After a write, how long a settled job may keep showing something other than what
    /// was sent before that counts as a mismatch (a service may apply a change a little
    /// after it answers).
    pub read_back_grace: Duration,
    /// After a full object list shows, on a job that showed no `Modifying` phase since
    /// the write, how long it must keep showing before the write counts as applied: a
    /// second writer whose write lands just after ours is seen, not missed.
    pub stability_window: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            parallelism: DEFAULT_PARALLELISM,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            poll: PollPolicy::default(),
            read_back_grace: Duration::from_secs(30),
            stability_window: Duration::from_secs(2),
        }
    }
}
