//! The one dependency-order algorithm: a topological order over petgraph, with every
//! dependency cycle named whole (`tarjan_scc`). Used wherever an order is computed —
//! locals, `depends_on`, the plan's operations, apply's queue — so a cycle is reported
//! the same way everywhere.

use petgraph::algo::{tarjan_scc, toposort};
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

/// Every cycle of the graph, each rotated to start at its smallest item, sorted.
fn cycles(graph: &DiGraph<(), ()>) -> Vec<Cycle> {
    let mut out: Vec<Cycle> = tarjan_scc(graph)
        .into_iter()
        .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
        .map(|scc| {
            // Walk the cycle along edges inside the component, from its smallest item.
            let members: Vec<usize> = scc.iter().map(|n| n.index()).collect();
            let start = *members.iter().min().unwrap_or(&0);
            let mut path = vec![start];
            let mut at = start;
            loop {
                let next = graph
                    .neighbors_directed(NodeIndex::new(at), petgraph::Direction::Outgoing)
                    .map(NodeIndex::index)
                    .filter(|j| members.contains(j))
                    .min();
                match next {
                    Some(j) if j == start || path.contains(&j) => break,
                    Some(j) => {
                        path.push(j);
                        at = j;
                    }
                    None => break,
                }
            }
            path
        })
        .collect();
    out.sort();
    out
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
}
