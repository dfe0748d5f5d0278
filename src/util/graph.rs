//! The one dependency-order algorithm: a topological order over petgraph, with every
//! dependency cycle named whole (from its strongly connected components). Used wherever an
//! order is computed — locals, `depends_on`, the plan's operations, apply's queue — so a
//! cycle is reported the same way everywhere.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// A cycle: the items on it, in an order that follows the edges, starting at the
/// smallest index.
pub type Cycle = Vec<usize>;

/// An order of `0..n` in which every `(before, after)` edge has `before` first; among
/// items free to go, lower indices come first. On failure, every cycle (each strongly
/// connected component of more than one item, or an item that depends on itself).
pub fn order(
    n: usize,
    edges: impl IntoIterator<Item = (usize, usize)>,
) -> Result<Vec<usize>, Vec<Cycle>> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, 0);
    let nodes: Vec<NodeIndex> = (0..n).map(|_| graph.add_node(())).collect();
    for (before, after) in edges {
        if before < n && after < n {
            graph.update_edge(nodes[before], nodes[after], ());
        }
    }
    match toposort(&graph, None) {
        Ok(_) => Ok(stable_order(&graph, n)),
        Err(_) => Err(cycles(&graph)),
    }
}

/// Kahn's algorithm with the smallest free index first, for an order that does not
/// depend on how the graph was built (toposort's own order is an implementation detail).
fn stable_order(graph: &DiGraph<(), ()>, n: usize) -> Vec<usize> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut waiting: Vec<usize> = (0..n)
        .map(|i| {
            graph
                .neighbors_directed(NodeIndex::new(i), petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut free: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|i| waiting[*i] == 0).map(Reverse).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(Reverse(i)) = free.pop() {
        out.push(i);
        for next in graph.neighbors_directed(NodeIndex::new(i), petgraph::Direction::Outgoing) {
            let j = next.index();
            waiting[j] -= 1;
            if waiting[j] == 0 {
                free.push(Reverse(j));
            }
        }
    }
    out
}

/// Every cycle of the graph, one per strongly connected component, each starting at its
/// smallest item, sorted.
fn cycles(graph: &DiGraph<(), ()>) -> Vec<Cycle> {
    // Kosaraju rather than Tarjan: petgraph's `tarjan_scc` recurses once per item on a
    // path, and overflows the stack on a cycle of 50,000 locals; `kosaraju_scc` does not.
    let mut out: Vec<Cycle> = kosaraju_scc(graph)
        .into_iter()
        .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
        .map(|scc| shortest_cycle(graph, &scc))
        .collect();
    out.sort();
    out
}

/// A shortest cycle through the smallest item of a strongly connected component: a
/// breadth-first search along edges inside it, lower items first, back to where it
/// started. Every step is an edge, and the search visits each item once.
fn shortest_cycle(graph: &DiGraph<(), ()>, scc: &[NodeIndex]) -> Cycle {
    let members: HashSet<usize> = scc.iter().map(|n| n.index()).collect();
    let start = members.iter().copied().min().unwrap_or(0);
    // Each item reached, with the item it was reached from.
    let mut from: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        let mut next: Vec<usize> = graph
            .neighbors_directed(NodeIndex::new(at), petgraph::Direction::Outgoing)
            .map(NodeIndex::index)
            .filter(|j| members.contains(j))
            .collect();
        next.sort_unstable();
        for j in next {
            if j == start {
                let mut path = vec![at];
                while let Some(&prev) = path.last().and_then(|p| from.get(p)) {
                    path.push(prev);
                }
                path.reverse();
                return path;
            }
            if let Entry::Vacant(slot) = from.entry(j) {
                slot.insert(at);
                queue.push_back(j);
            }
        }
    }
    // A component of more than one item, or with a loop, always leads back to its start.
    vec![start]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_respect_every_edge_and_prefer_lower_indices() {
        assert_eq!(order(4, [(2, 0), (3, 1)]), Ok(vec![2, 0, 3, 1]));
        assert_eq!(order(3, []), Ok(vec![0, 1, 2]));
    }

    #[test]
    fn every_cycle_is_named_whole() {
        // 0 → 1 → 2 → 0, and 3 ↔ 4, and 5 on its own depending on itself.
        let e = order(6, [(0, 1), (1, 2), (2, 0), (3, 4), (4, 3), (5, 5)]).unwrap_err();
        assert_eq!(e, vec![vec![0, 1, 2], vec![3, 4], vec![5]]);
    }

    /// Walking to the smallest next item alone would name 0 → 1 → 2 → 0 here, and 2 does
    /// not lead to 0: every step of a named cycle must be an edge.
    #[test]
    fn a_named_cycle_follows_real_edges() {
        let edges = [(0, 1), (1, 2), (2, 1), (1, 3), (3, 0)];
        let e = order(4, edges).unwrap_err();
        assert_eq!(e, vec![vec![0, 1, 3]]);
    }

    /// A cycle as long as the graph is named without recursion, in linear time.
    #[test]
    fn a_long_cycle_is_named_whole() {
        const N: usize = 50_000;
        let e = order(N, (0..N).map(|i| (i, (i + 1) % N))).unwrap_err();
        assert_eq!(e, vec![(0..N).collect::<Vec<_>>()]);
    }
}
