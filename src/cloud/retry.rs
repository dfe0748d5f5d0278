//! Retries with exponential backoff, jitter and an overall deadline, honouring the
//! server's retry-after hint. Which errors are worth retrying is decided by
//! [`Error::is_retryable`](super::Error::is_retryable). Through a [`Gate`], every
//! attempt waits for its turn and reports its answer to the action's adaptive limit.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::limiter::Answer;
use super::{ApiError, Error, Gate};

/// How hard to retry one API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first; 1 disables retries.
    pub max_attempts: u32,
    /// Backoff cap before the first retry; doubles per retry up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// No retry is started that would end after this much time since the first attempt.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            // Enough that the deadline, not the count, ends a long throttling spell.
            max_attempts: 30,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            deadline: Duration::from_mins(2),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The pause after the `failures`-th failed attempt (1-based). `jitter` is a uniform
    /// sample in `[0, 1)`. Without a hint this is "equal jitter": half the exponential
    /// cap plus a random half, so retries never bunch up and never spin. A server hint
    /// is honoured, plus up to 10 % so that throttled clients do not return in lockstep.
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let jitter = jitter.clamp(0.0, 1.0);
        if let Some(hint) = retry_after {
            return hint + hint.mul_f64(0.1 * jitter);
        }
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20));
        let cap = exp.min(self.max_backoff);
        cap / 2 + (cap / 2).mul_f64(jitter)
    }
}

/// What an attempt's result tells the adaptive limit: a throttling answer, another
/// answer (success or not), or none at all.
pub(crate) fn answer_of<T>(result: &Result<T, Error>) -> Answer {
    match result {
        Err(Error::Api(e)) if e.is_throttling() => Answer::Throttled {
            retry_after: e.retry_after,
        },
        Ok(_) | Err(Error::Api(_) | Error::Decode { .. } | Error::Redirected { .. }) => {
            Answer::Served
        }
        Err(_) => Answer::Lost,
    }
}

/// Runs `op` until it succeeds, fails terminally, or the policy runs out. `op` gets the
/// 1-based attempt number and the time left before the deadline, which the attempt must
/// not outlast (the client caps its request timeout with it). Retries are logged at
/// debug level without parameters.
///
/// With a `gate`, each attempt first waits for its turn there (time that does not count
/// against the deadline) and reports its answer to it; a throttled attempt then goes
/// straight back to the gate, which has slowed down and holds any retry-after, instead
/// of backing off on its own.
pub async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    action: &str,
    gate: Option<&Arc<Gate>>,
    mut op: F,
) -> Result<T, Error>
where
    F: FnMut(u32, Duration) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let start = Instant::now();
    // Time spent queued at the gate: the pace of all calls, not this call's own.
    let mut queued = Duration::ZERO;
    let mut attempt = 1;
    loop {
        let permit = match gate {
            Some(gate) => {
                let asked = Instant::now();
                let permit = gate.acquire().await;
                queued += asked.elapsed();
                Some(permit)
            }
            None => None,
        };
        let remaining = policy
            .deadline
            .saturating_sub(start.elapsed().saturating_sub(queued));
        let result = op(attempt, remaining).await;
        if let Some(permit) = permit {
            permit.finish(answer_of(&result));
        }
        let err = match result {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        if !err.is_retryable() {
            return Err(err);
        }
        let delay = if gate.is_some() && err.api().is_some_and(ApiError::is_throttling) {
            Duration::ZERO
        } else {
            policy.delay(attempt, err.retry_after(), rand::random::<f64>())
        };
        let elapsed = start.elapsed().saturating_sub(queued);
        if attempt >= policy.max_attempts || elapsed + delay >= policy.deadline {
            if attempt == 1 {
                return Err(err);
            }
            return Err(Error::GaveUp {
                action: action.to_owned(),
                attempts: attempt,
                elapsed,
                last: Box::new(err),
            });
        }
        tracing::debug!(action, attempt, ?delay, error = %err, "retrying");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::{ApiError, Provider};

    fn api(code: &str, status: u16) -> Error {
        Error::Api(ApiError {
            provider: Provider::Alibaba,
            action: "ModifyDtsJob".into(),
            http_status: Some(status),
            code: code.into(),
            message: "m".into(),
            request_id: Some("RID".into()),
            retry_after: None,
        })
    }

    #[test]
    fn backoff_grows_exponentially_within_jitter_bounds_and_caps() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for (failures, cap_ms) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            let cap = Duration::from_millis(cap_ms);
            assert_eq!(p.delay(failures, None, 0.0), cap / 2, "failures={failures}");
            let hi = p.delay(failures, None, 0.999_999);
            assert!(
                hi <= cap && hi > cap.mul_f64(0.99),
                "failures={failures}: {hi:?}"
            );
        }
    }

    #[test]
    fn server_hint_wins_with_a_little_jitter() {
        let p = RetryPolicy::default();
        let hint = Duration::from_millis(1500);
        assert_eq!(p.delay(1, Some(hint), 0.0), hint);
        assert!(p.delay(1, Some(hint), 0.999) <= hint.mul_f64(1.1));
    }

    #[test]
    fn classification() {
        for code in [
            "Throttling.User",
            "Throttling.Api",
            "Rejected.Throttling",
            "DTS.Msg.Throttling.User",
            "ServiceUnavailable",
            "InternalError",
            "SignatureNonceUsed",
            "DTS.Msg.OperationDenied.JobStatusModifying",
        ] {
            assert!(api(code, 400).is_retryable(), "{code}");
        }
        assert!(api("Whatever", 502).is_retryable());
        for code in [
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId.NotFound",
            "Forbidden.InstanceNotFound",
            "InvalidParameter",
            "DTS.Msg.ModifyDenied.JobStatusNotRunning",
        ] {
            assert!(!api(code, 400).is_retryable(), "{code}");
        }
        let transport = Error::Transport {
            action: "X".into(),
            endpoint: "e".into(),
            reason: "r".into(),
        };
        assert!(transport.is_retryable());
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_success_and_stops_on_terminal_errors() {
        let p = RetryPolicy::default();
        let mut calls = 0;
        let out = retry(&p, "X", None, |attempt, _| {
            calls += 1;
            async move {
                if attempt < 3 {
                    Err(api("Throttling.User", 400))
                } else {
                    Ok(attempt)
                }
            }
        })
        .await
        .unwrap();
        assert_eq!((out, calls), (3, 3));

        let mut calls = 0;
        let err = retry(&p, "X", None, |_, _| {
            calls += 1;
            async { Err::<(), _>(api("InvalidParameter", 400)) }
        })
        .await
        .unwrap_err();
        assert_eq!(calls, 1);
        assert_eq!(err.api().unwrap().code, "InvalidParameter");
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_max_attempts_and_at_the_deadline() {
        let p = RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        };
        let mut calls = 0;
        let err = retry(&p, "X", None, |_, _| {
            calls += 1;
            async { Err::<(), _>(api("ServiceUnavailable", 503)) }
        })
        .await
        .unwrap_err();
        assert_eq!(calls, 4);
        assert!(matches!(err, Error::GaveUp { attempts: 4, .. }));
        assert_eq!(err.api().unwrap().code, "ServiceUnavailable");

        let p = RetryPolicy {
            max_attempts: 1000,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(1),
            deadline: Duration::from_secs(5),
        };
        let start = tokio::time::Instant::now();
        let err = retry(&p, "X", None, |_, _| async {
            Err::<(), _>(api("ServiceUnavailable", 503))
        })
        .await
        .unwrap_err();
        assert!(matches!(err, Error::GaveUp { .. }));
        assert!(start.elapsed() <= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn through_a_gate_a_throttled_attempt_waits_for_the_gate_not_a_backoff() {
        let limiter =
            crate::cloud::Limiter::new(crate::cloud::limiter::LimiterConfig::capped(Some(100.0)));
        let gate = limiter.gate("ModifyDtsJob");
        let p = RetryPolicy::default();
        let start = Instant::now();
        let mut calls = 0;
        let out = retry(&p, "ModifyDtsJob", Some(&gate), |attempt, _| {
            calls += 1;
            async move {
                if attempt < 3 {
                    Err(api("Throttling.User", 400))
                } else {
                    Ok(attempt)
                }
            }
        })
        .await
        .unwrap();
        assert_eq!((out, calls), (3, 3));
        // The gate's pace after two cuts and its pause for two throttling answers in a
        // row: about 100 ms, where the policy's own backoff would have taken 300 ms or more.
        assert!(
            start.elapsed() < Duration::from_millis(250),
            "{:?}",
            start.elapsed()
        );
        let stats = gate.stats();
        assert_eq!((stats.requests, stats.throttled), (3, 2));
        assert!(stats.rate < 100.0);
    }

    #[test]
    fn what_an_attempt_tells_the_limit() {
        let throttled = Error::Api(ApiError {
            retry_after: Some(Duration::from_millis(5)),
            ..api("Throttling.User", 400).api().cloned().unwrap()
        });
        assert_eq!(
            answer_of::<()>(&Err(throttled)),
            Answer::Throttled {
                retry_after: Some(Duration::from_millis(5))
            }
        );
        let tencent = Error::Api(ApiError {
            provider: Provider::Tencent,
            ..api("RequestLimitExceeded.UinLimitExceeded", 200)
                .api()
                .cloned()
                .unwrap()
        });
        assert_eq!(
            answer_of::<()>(&Err(tencent)),
            Answer::Throttled { retry_after: None }
        );
        assert_eq!(answer_of(&Ok(())), Answer::Served);
        assert_eq!(
            answer_of::<()>(&Err(api("InvalidParameter", 400))),
            Answer::Served
        );
        let lost = Error::Transport {
            action: "X".into(),
            endpoint: "e".into(),
            reason: "r".into(),
        };
        assert_eq!(answer_of::<()>(&Err(lost)), Answer::Lost);
    }
}
