//! Polling a job until a condition holds, always with a deadline.
//!
//! The delay between polls grows with the time already waited (a fixed share of it,
//! between a floor and a ceiling): a short `Modifying` phase is noticed soon after it
//! ends, and a long one costs few calls. With the default share of 15 %, a wait ends at
//! most about 15 % (plus one call) after the condition starts to hold.

use std::time::Duration;

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
}
