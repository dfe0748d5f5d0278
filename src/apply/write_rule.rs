//! The one rule for sending a write, for both clouds.
//!
//! A write is only ever sent against the live state it was checked against. So the
//! client sends each write **once**; when the answer is an error a later attempt may get
//! past — throttling, "the job is being modified", a server failure, a lost answer —
//! the executor does not resend it: it goes back to settle → re-check → write, and a
//! full object list goes out again only if the job still is as the plan saw it (or the
//! first attempt turns out to have landed). "Job is modifying" is a reason to wait and
//! re-check, never to retry the same list: someone else's write may be what is
//! modifying it.
//!
//! After a write, [`others_changes`] tells a service that did not take the change from
//! another writer whose list replaced ours, so apply can say which it was.

use std::time::Duration;

use crate::cloud::{ApiError, Error, RetryPolicy};
use crate::objects::ObjectTree;
use crate::objects::diff::{Change, diff};

/// What to do after a write attempt failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum AfterError {
    /// Wait `delay`, settle, re-check and perhaps write again. `maybe_landed`: the
    /// service may have applied the write although no answer said so. `throttled`: the
    /// write was rate-limited, so the wait comes between the re-check and the write
    /// (the re-check's own read would otherwise take the place the write waits for, and
    /// a strict limit would refuse every write that follows a read).
    Recheck {
        delay: Duration,
        maybe_landed: bool,
        throttled: bool,
    },
    /// A terminal error: the operation fails with it.
    Fail,
}

/// The rule for the `attempt`-th failed attempt (1-based); `jitter` is uniform in
/// `[0, 1)`.
pub(super) fn after_error(error: &Error, attempt: u32, jitter: f64) -> AfterError {
    if !error.is_retryable() {
        return AfterError::Fail;
    }
    // A transport failure or a server error may come after the service acted; a
    // throttled or refused request was not acted on.
    let maybe_landed = match error {
        Error::Transport { .. } => true,
        Error::Api(e) => e.http_status.is_some_and(|s| s >= 500),
        _ => false,
    };
    let delay = RetryPolicy::default().delay(attempt, error.retry_after(), jitter);
    AfterError::Recheck {
        delay,
        maybe_landed,
        throttled: error.api().is_some_and(ApiError::is_throttling),
    }
}

/// What in `after` (the job as read back after writing `sent` over `before`) shows that
/// someone else wrote too: objects that neither this write sent nor the job had, and
/// objects the job had that this write kept but that are gone. A service that simply
/// did not take (part of) a write shows neither.
pub(super) fn others_changes(
    sent: &ObjectTree,
    before: &ObjectTree,
    after: &ObjectTree,
) -> Vec<String> {
    diff(sent, after)
        .changes
        .iter()
        .filter_map(|c| match c.change {
            Change::Removed { .. } | Change::Unlisted { .. }
                if before.get(&c.address).is_none() =>
            {
                Some(format!(
                    "{} {} appeared, which this apply did not send and the job did not have",
                    c.kind, c.address
                ))
            }
            Change::Added { .. } if before.get(&c.address).is_some() => Some(format!(
                "{} {} is gone, which the job had and this apply kept",
                c.kind, c.address
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cloud::Provider;

    fn api(code: &str, status: u16) -> Error {
        Error::Api(ApiError {
            provider: Provider::Alibaba,
            action: "ModifyDtsJob".into(),
            http_status: Some(status),
            code: code.into(),
            message: "m".into(),
            request_id: None,
            retry_after: None,
        })
    }

    #[test]
    fn a_busy_or_throttled_write_is_rechecked_and_a_lost_one_may_have_landed() {
        let modifying = api("DTS.Msg.OperationDenied.JobStatusModifying", 403);
        assert!(matches!(
            after_error(&modifying, 1, 0.5),
            AfterError::Recheck {
                maybe_landed: false,
                ..
            }
        ));
        assert!(matches!(
            after_error(&api("Throttling.User", 400), 1, 0.5),
            AfterError::Recheck {
                maybe_landed: false,
                throttled: true,
                ..
            }
        ));
        assert!(matches!(
            after_error(&api("InternalError", 500), 1, 0.5),
            AfterError::Recheck {
                maybe_landed: true,
                ..
            }
        ));
        let lost = Error::Transport {
            action: "ModifyDtsJob".into(),
            endpoint: "dts".into(),
            reason: "connection reset".into(),
        };
        assert!(matches!(
            after_error(&lost, 2, 0.5),
            AfterError::Recheck {
                maybe_landed: true,
                ..
            }
        ));
        assert_eq!(
            after_error(&api("InvalidParameter", 400), 1, 0.5),
            AfterError::Fail
        );
    }

    #[test]
    fn another_writer_shows_in_what_appeared_or_vanished() {
        let tree = |v: serde_json::Value| ObjectTree::from_value(&v).unwrap();
        let before = tree(json!({"db": {"all": false, "Table": {"x": {"all": true}}}}));
        let mine =
            tree(json!({"db": {"all": false, "Table": {"x": {"all": true}, "a": {"all": true}}}}));
        let theirs =
            tree(json!({"db": {"all": false, "Table": {"x": {"all": true}, "b": {"all": true}}}}));
        assert_eq!(
            others_changes(&mine, &before, &theirs),
            ["table db.b appeared, which this apply did not send and the job did not have"]
        );
        // They removed x, which we kept.
        let gone = tree(json!({"db": {"all": false, "Table": {"a": {"all": true}}}}));
        assert_eq!(
            others_changes(&mine, &before, &gone),
            ["table db.x is gone, which the job had and this apply kept"]
        );
        // A service that dropped the new table: not another writer.
        assert!(others_changes(&mine, &before, &before).is_empty());
    }
}
