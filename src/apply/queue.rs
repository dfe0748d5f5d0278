//! A ready queue that runs a dependency graph of operations: each starts once everything
//! it depends on has succeeded, at most `parallelism` run at once, and never two that
//! share a lock key (one DTS instance). A failure skips everything that depends on it,
//! directly or not, while independent branches go on. A cancellation stops new starts
//! and lets the operations in flight finish.
//!
//! The queue knows nothing of clouds: it is handed a function that starts operation `i`.

use std::collections::{HashSet, VecDeque};
use std::future::Future;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use tokio::sync::watch;

/// One operation's place in the graph.
#[derive(Debug, Clone)]
pub struct Node {
    /// Indexes of the operations that must succeed first.
    pub deps: Vec<usize>,
    /// Operations with the same key never run at the same time.
    pub lock: String,
}

/// How an operation ended.
#[derive(Debug)]
pub enum Settled<T, E> {
    Done(T),
    Failed(E),
    /// Not run, because the operation at this index (which it depends on, directly or
    /// through others) failed.
    Skipped {
        because: usize,
    },
    /// Not run: apply was interrupted before it could start.
    Interrupted,
}

/// A request to stop starting operations, shared with whoever listens for Ctrl-C.
#[derive(Debug)]
pub struct Cancel {
    tx: watch::Sender<bool>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self {
            tx: watch::channel(false).0,
        }
    }
}

impl Cancel {
    pub fn request(&self) {
        self.tx.send_replace(true);
    }

    pub fn is_requested(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once a cancellation has been requested.
    pub async fn requested(&self) {
        let mut rx = self.tx.subscribe();
        let _ = rx.wait_for(|requested| *requested).await;
    }
}

fn dependents(nodes: &[Node]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        for &d in &node.deps {
            out[d].push(i);
        }
    }
    out
}

/// Runs the graph (acyclic, every dependency in range: `plan::order_ops` checks the plan
/// first) and returns how each operation ended, by index. Ready operations start in
/// index order.
pub async fn run<T, E, F, Fut>(
    nodes: &[Node],
    parallelism: usize,
    cancel: &Cancel,
    mut start: F,
) -> Vec<Settled<T, E>>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let n = nodes.len();
    let dependents = dependents(nodes);
    let mut waiting: Vec<usize> = nodes.iter().map(|node| node.deps.len()).collect();
    let mut results: Vec<Option<Settled<T, E>>> = (0..n).map(|_| None).collect();
    let mut ready: VecDeque<usize> = (0..n).filter(|i| waiting[*i] == 0).collect();
    let mut held: HashSet<&str> = HashSet::new();
    let mut running = FuturesUnordered::new();
    loop {
        if !cancel.is_requested() {
            let mut at = 0;
            while running.len() < parallelism.max(1) && at < ready.len() {
                let i = ready[at];
                if held.contains(nodes[i].lock.as_str()) {
                    at += 1;
                    continue;
                }
                ready.remove(at);
                held.insert(nodes[i].lock.as_str());
                let operation = start(i);
                running.push(async move { (i, operation.await) });
            }
        }
        if running.is_empty() {
            break;
        }
        let next = tokio::select! {
            next = running.next() => next,
            () = cancel.requested(), if !cancel.is_requested() => continue,
        };
        let Some((i, outcome)) = next else { break };
        held.remove(nodes[i].lock.as_str());
        match outcome {
            Ok(value) => {
                results[i] = Some(Settled::Done(value));
                for &d in &dependents[i] {
                    waiting[d] -= 1;
                    if waiting[d] == 0 {
                        ready.push_back(d);
                    }
                }
            }
            Err(error) => {
                results[i] = Some(Settled::Failed(error));
                let mut stack = dependents[i].clone();
                while let Some(d) = stack.pop() {
                    if results[d].is_none() {
                        results[d] = Some(Settled::Skipped { because: i });
                        stack.extend(&dependents[d]);
                    }
                }
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or(Settled::Interrupted))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    fn node(deps: &[usize], lock: &str) -> Node {
        Node {
            deps: deps.to_vec(),
            lock: lock.to_owned(),
        }
    }

    fn kind<T, E>(s: &Settled<T, E>) -> String {
        match s {
            Settled::Done(_) => "done".into(),
            Settled::Failed(_) => "failed".into(),
            Settled::Skipped { because } => format!("skipped({because})"),
            Settled::Interrupted => "interrupted".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_skips_its_dependents_and_spares_the_rest() {
        // 0 → 1 → 2, 3 independent, 4 depends on 3.
        let nodes = [
            node(&[], "a"),
            node(&[0], "a"),
            node(&[1], "a"),
            node(&[], "b"),
            node(&[3], "b"),
        ];
        let results = run(&nodes, 4, &Cancel::default(), |i| async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if i == 0 { Err("boom") } else { Ok(i) }
        })
        .await;
        let kinds: Vec<String> = results.iter().map(kind).collect();
        assert_eq!(
            kinds,
            ["failed", "skipped(0)", "skipped(0)", "done", "done"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_parallelism_and_never_two_on_one_lock() {
        let nodes: Vec<Node> = (0..12).map(|i| node(&[], &format!("i{}", i % 4))).collect();
        let live = Mutex::new((0usize, 0usize, HashSet::new()));
        let results = run(&nodes, 3, &Cancel::default(), |i| {
            let live = &live;
            let lock = nodes[i].lock.clone();
            async move {
                {
                    let mut l = live.lock().unwrap();
                    l.0 += 1;
                    l.1 = l.1.max(l.0);
                    assert!(l.2.insert(lock.clone()), "two operations on {lock}");
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                let mut l = live.lock().unwrap();
                l.0 -= 1;
                l.2.remove(&lock);
                Ok::<_, ()>(())
            }
        })
        .await;
        assert!(results.iter().all(|r| matches!(r, Settled::Done(()))));
        assert_eq!(live.lock().unwrap().1, 3, "runs three at a time");
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancellation_lets_running_operations_finish_and_starts_no_more() {
        let nodes: Vec<Node> = (0..6).map(|i| node(&[], &format!("i{i}"))).collect();
        let cancel = Cancel::default();
        let results = run(&nodes, 2, &cancel, |i| {
            let cancel = &cancel;
            async move {
                if i == 0 {
                    cancel.request();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok::<_, ()>(i)
            }
        })
        .await;
        let kinds: Vec<String> = results.iter().map(kind).collect();
        assert_eq!(
            kinds,
            [
                "done",
                "done",
                "interrupted",
                "interrupted",
                "interrupted",
                "interrupted"
            ]
        );
    }
}
