//! Waiting for a condition, always with a deadline: [`until`], in the spirit of
//! kube-runtime's `await_condition`, is the one polling loop apply uses — for a job to
//! settle, for a write to show, for a check to finish, on both clouds.
//!
//! The delay between polls grows with the time already waited (a fixed share of it,
//! between a floor and a ceiling): a short `Modifying` phase is noticed soon after it
//! ends, and a long one costs few calls. With the default share of 15 %, a wait ends at
//! most about 15 % (plus one call) after the condition starts to hold.

use std::time::{Duration, Instant};

/// When to poll again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPolicy {
    /// The shortest delay between two polls.
    pub min: Duration,
    /// The longest delay between two polls.
    pub max: Duration,
    /// The delay as a share of the time waited so far.
    pub share: f64,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            min: Duration::from_millis(50),
            max: Duration::from_secs(10),
            share: 0.15,
        }
    }
}

impl PollPolicy {
    /// The delay before the next poll, `waited` after the wait began.
    pub fn delay(&self, waited: Duration) -> Duration {
        waited.mul_f64(self.share).clamp(self.min, self.max)
    }
}

/// What a decision makes of one reading.
#[derive(Debug, PartialEq)]
pub enum Decision<T> {
    /// Not yet: read again.
    Wait,
    Done(T),
}

/// Why a wait ended without its condition.
#[derive(Debug)]
pub enum Ended<L, E> {
    /// No read got an answer before the deadline.
    NoAnswer,
    /// The deadline passed with the condition unmet as last read: during a pause, or
    /// during a read after answered ones (the deadline, not the API, cut that one short).
    TimedOut(L),
    /// Reading or deciding failed.
    Failed(E),
}

/// Reads with `read` until `decide` is done, and returns what it decided with the last
/// reading; `waiting` sees each reading that is not done yet (for progress). Neither a
/// read nor a pause outlasts `deadline`. A wait that got answers ends at its deadline
/// as [`Ended::TimedOut`] with the last of them, even when a read was under way then.
pub async fn until<L, T, E>(
    deadline: Instant,
    policy: &PollPolicy,
    mut read: impl AsyncFnMut() -> Result<L, E>,
    mut decide: impl FnMut(&L) -> Result<Decision<T>, E>,
    mut waiting: impl FnMut(&L),
) -> Result<(T, L), Ended<L, E>> {
    let since = Instant::now();
    let mut last = None;
    loop {
        let reading = match tokio::time::timeout_at(deadline.into(), read()).await {
            Err(_) => return Err(last.map_or(Ended::NoAnswer, Ended::TimedOut)),
            Ok(Err(e)) => return Err(Ended::Failed(e)),
            Ok(Ok(reading)) => reading,
        };
        match decide(&reading) {
            Err(e) => return Err(Ended::Failed(e)),
            Ok(Decision::Done(value)) => return Ok((value, reading)),
            Ok(Decision::Wait) => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Ended::TimedOut(reading));
        }
        waiting(&reading);
        tokio::time::sleep(policy.delay(now - since).min(deadline - now)).await;
        if Instant::now() >= deadline {
            return Err(Ended::TimedOut(reading));
        }
        last = Some(reading);
    }
}

/// `1m30s`, `90s`, `500ms`, `2h`, or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text:?}: {e}"));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err("an empty duration".into());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a duration like 90s, 10m or 1h30m"))?;
        let scale = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => {
                return Err(format!(
                    "{text:?}: unknown unit {unit:?} (use ms, s, m or h)"
                ));
            }
        };
        total +=
            Duration::try_from_secs_f64(value * scale).map_err(|e| format!("{text:?}: {e}"))?;
        rest = tail;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn the_delay_grows_with_the_wait_within_bounds() {
        let p = PollPolicy::default();
        assert_eq!(p.delay(Duration::ZERO), Duration::from_millis(50));
        assert_eq!(p.delay(Duration::from_secs(2)), Duration::from_millis(300));
        assert_eq!(p.delay(Duration::from_hours(1)), Duration::from_secs(10));
    }

    #[test]
    fn durations_parse_as_terraform_writes_them() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_hours(2)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10 minutes").is_err());
        assert!(parse_duration("-3").is_err());
        assert!(parse_duration("1e400").is_err());
    }

    fn fast() -> PollPolicy {
        PollPolicy {
            min: Duration::from_millis(1),
            max: Duration::from_millis(2),
            share: 0.1,
        }
    }

    #[tokio::test]
    async fn until_returns_what_was_decided_with_the_last_reading() {
        let n = Cell::new(0);
        let waited = Cell::new(0);
        let result: Result<(&str, u32), Ended<u32, ()>> = until(
            Instant::now() + Duration::from_secs(5),
            &fast(),
            async || {
                n.set(n.get() + 1);
                Ok(n.get())
            },
            |&reading| {
                Ok(if reading < 3 {
                    Decision::Wait
                } else {
                    Decision::Done("three")
                })
            },
            |_| waited.set(waited.get() + 1),
        )
        .await;
        assert_eq!(result.unwrap(), ("three", 3));
        assert_eq!(waited.get(), 2);
    }

    /// Regression: the deadline passing during a read that followed answered ones (a read
    /// started just before the deadline, slow on a loaded machine) was reported as the
    /// API giving no answer, not as the condition still unmet.
    #[tokio::test]
    async fn a_read_cut_off_by_the_deadline_after_answered_ones_is_a_timeout_with_the_last_reading()
    {
        let n = Cell::new(0);
        let result: Result<((), u32), Ended<u32, ()>> = until(
            Instant::now() + Duration::from_millis(50),
            &fast(),
            async || {
                n.set(n.get() + 1);
                if n.get() > 2 {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                Ok(n.get())
            },
            |_| Ok(Decision::Wait),
            |_| {},
        )
        .await;
        assert!(matches!(result, Err(Ended::TimedOut(2))), "{result:?}");
        assert_eq!(n.get(), 3);
    }

    #[tokio::test]
    async fn until_ends_at_its_deadline_with_the_last_reading_or_no_answer() {
        let timed_out: Result<((), u32), Ended<u32, ()>> = until(
            Instant::now() + Duration::from_millis(20),
            &fast(),
            async || Ok(7),
            |_| Ok(Decision::Wait),
            |_| {},
        )
        .await;
        assert!(matches!(timed_out, Err(Ended::TimedOut(7))));
        let silent: Result<((), u32), Ended<u32, ()>> = until(
            Instant::now() + Duration::from_millis(20),
            &fast(),
            async || {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(1)
            },
            |_| Ok(Decision::Done(())),
            |_| {},
        )
        .await;
        assert!(matches!(silent, Err(Ended::NoAnswer)));
        let failed: Result<((), u32), Ended<u32, &str>> = until(
            Instant::now() + Duration::from_secs(5),
            &fast(),
            async || Ok(1),
            |_| Err("deleted"),
            |_| {},
        )
        .await;
        assert!(matches!(failed, Err(Ended::Failed("deleted"))));
    }
}
