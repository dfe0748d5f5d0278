//! Client-side pacing: a [`Limiter`] per client (one provider block: a provider and a
//! region) holds one adaptive limit per API action ([`super::limiter`]) and makes every
//! request of that action wait for its turn. Clones share the limits, so reads, writes
//! and their retries all count against the same ones.
//!
//! Waiting requests queue in order on the action's [`Gate`]; only the first waits for
//! the pace or for an answer, so a cut takes effect on the very next request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use tokio::time::Instant;

use super::limiter::{ActionLimiter, ActionStats, Answer, Grant, LimiterConfig, Wait};

/// The adaptive limits of one client, per action. Cloning shares them.
#[derive(Debug, Clone)]
pub struct Limiter {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: LimiterConfig,
    gates: Mutex<BTreeMap<String, Arc<Gate>>>,
}

/// The queue of one action's requests, and its limit.
#[derive(Debug)]
pub struct Gate {
    /// Held by the request at the head of the queue while it waits.
    turn: tokio::sync::Mutex<()>,
    state: Mutex<ActionLimiter>,
    /// Signalled when a request is answered (the window or the rate may have changed).
    answered: Notify,
}

/// A request on its way: report what became of it with [`Permit::finish`]. Dropped
/// unfinished, it counts as unanswered.
#[derive(Debug)]
pub struct Permit {
    gate: Arc<Gate>,
    grant: Option<Grant>,
}

impl Limiter {
    pub fn new(config: LimiterConfig) -> Limiter {
        Limiter {
            shared: Arc::new(Shared {
                config,
                gates: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// The gate of `action`, made on first use.
    pub fn gate(&self, action: &str) -> Arc<Gate> {
        let mut gates = lock(&self.shared.gates);
        if let Some(gate) = gates.get(action) {
            return Arc::clone(gate);
        }
        let gate = Arc::new(Gate {
            turn: tokio::sync::Mutex::new(()),
            state: Mutex::new(ActionLimiter::new(
                self.shared.config,
                Instant::now().into_std(),
            )),
            answered: Notify::new(),
        });
        gates.insert(action.to_owned(), Arc::clone(&gate));
        gate
    }

    /// What each action called so far has seen and learned, by action name.
    pub fn traffic(&self) -> Vec<(String, ActionStats)> {
        lock(&self.shared.gates)
            .iter()
            .map(|(action, gate)| (action.clone(), lock(&gate.state).stats()))
            .collect()
    }
}

impl Gate {
    /// Waits for this request's turn: its place in the queue, room in the window, the
    /// pace and any retry-after.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        let _turn = self.turn.lock().await;
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            let decision = lock(&self.state).try_acquire(Instant::now().into_std());
            match decision {
                Ok(grant) => {
                    return Permit {
                        gate: Arc::clone(self),
                        grant: Some(grant),
                    };
                }
                Err(Wait::Until(until)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(Instant::from_std(until)) => {}
                        () = &mut answered => {}
                    }
                }
                Err(Wait::Answer) => answered.await,
            }
        }
    }

    /// The limit's view of this action now.
    pub fn stats(&self) -> ActionStats {
        lock(&self.state).stats()
    }

    fn finish(&self, grant: Grant, answer: Answer) {
        lock(&self.state).finish(grant, answer, Instant::now().into_std());
        self.answered.notify_waiters();
    }
}

impl Permit {
    /// Reports what became of the request.
    pub fn finish(mut self, answer: Answer) {
        if let Some(grant) = self.grant.take() {
            self.gate.finish(grant, answer);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(grant) = self.grant.take() {
            self.gate.finish(grant, Answer::Lost);
        }
    }
}

/// The state survives a panic elsewhere: every change to it is a plain assignment.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_paced_by_the_configured_cap() {
        let limiter = Limiter::new(LimiterConfig::capped(Some(10.0)));
        let gate = limiter.gate("DescribeDtsJobDetail");
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let gate = Arc::clone(&gate);
            tasks.spawn(async move {
                let permit = gate.acquire().await;
                let at = Instant::now();
                permit.finish(Answer::Served);
                at
            });
        }
        let mut times: Vec<u128> = Vec::new();
        while let Some(t) = tasks.join_next().await {
            times.push((t.unwrap() - start).as_millis());
        }
        times.sort_unstable();
        assert_eq!(times, [0, 100, 200, 300, 400]);
    }

    #[tokio::test(start_paused = true)]
    #[allow(clippy::float_cmp)] // rates that are set, not computed
    async fn each_action_has_its_own_limit_and_clones_share_them() {
        let limiter = Limiter::new(LimiterConfig::capped(Some(100.0)));
        let reads = limiter.gate("DescribeDtsJobDetail");
        let writes = limiter.clone().gate("ModifyDtsJob");
        let permit = reads.acquire().await;
        tokio::time::advance(Duration::from_millis(10)).await;
        permit.finish(Answer::Throttled {
            retry_after: Some(Duration::from_secs(5)),
        });
        assert_eq!(reads.stats().rate, 50.0, "the throttled action is cut");
        assert_eq!(writes.stats().rate, 100.0, "another action is not");
        // The other action is not held by the first one's retry-after either.
        let start = Instant::now();
        writes.acquire().await.finish(Answer::Served);
        assert_eq!(Instant::now(), start);
        reads.acquire().await.finish(Answer::Served);
        assert!(Instant::now() - start >= Duration::from_millis(4990));
        let traffic = limiter.traffic();
        let names: Vec<&str> = traffic.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(names, ["DescribeDtsJobDetail", "ModifyDtsJob"]);
        assert_eq!((traffic[0].1.requests, traffic[0].1.throttled), (2, 1));
        assert!(Arc::ptr_eq(&limiter.gate("ModifyDtsJob"), &writes));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_waits_for_an_answer_and_a_dropped_permit_frees_its_place() {
        let config = LimiterConfig {
            max_in_flight: 1,
            ..LimiterConfig::default()
        };
        let gate = Limiter::new(config).gate("X");
        let first = gate.acquire().await;
        let waiting = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move { gate.acquire().await })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "the window holds one");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("freed by the drop")
            .unwrap();
        second.finish(Answer::Served);
        assert_eq!(gate.stats().requests, 2);
    }
}
