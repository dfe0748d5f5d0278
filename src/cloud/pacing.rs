//! Client-side request pacing: at most `rate` requests per second across every task
//! sharing the pacer, so concurrent calls stay under an API's rate limit instead of
//! being throttled and retried.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Hands out send slots `1/rate` seconds apart. Cloning shares the schedule.
#[derive(Debug, Clone)]
pub struct Pacer {
    interval: Duration,
    next: Arc<Mutex<Option<Instant>>>,
}

impl Pacer {
    /// A pacer for `rate` requests per second; `None` if `rate` is not positive.
    pub fn new(rate: f64) -> Option<Pacer> {
        let interval = Duration::try_from_secs_f64(1.0 / rate)
            .ok()
            .filter(|_| rate > 0.0)?;
        Some(Pacer {
            interval,
            next: Arc::new(Mutex::new(None)),
        })
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_rate() {
        let pacer = Pacer::new(10.0).unwrap();
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let p = pacer.clone();
            tasks.spawn(async move {
                p.wait().await;
                Instant::now()
            });
        }
        let mut times: Vec<Duration> = Vec::new();
        while let Some(t) = tasks.join_next().await {
            times.push(t.unwrap() - start);
        }
        times.sort();
        let ms: Vec<u128> = times.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 100, 200, 300, 400]);
        assert!(Pacer::new(0.0).is_none());
        assert!(Pacer::new(f64::NAN).is_none());
    }
}
