//! Keyed comparison of two object trees: what sending `payload` would do to `live`.
//!
//! Objects are matched by kind and source name, never by position. The result lists
//! objects added, removed (each with how many objects it takes along, itself included)
//! and changed at attribute level, in tree order.

use serde_json::Value;

use super::normalize::{Suppressed, compare_attrs};
use super::{Address, Kind, Node, ObjectTree};

/// One attribute's change; `None` means absent.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new object; `objects` counts it and its descendants.
    Added {
        objects: usize,
    },
    /// A live object the payload leaves out; `objects` counts it and its descendants.
    Removed {
        objects: usize,
    },
    Changed {
        attrs: Vec<AttrChange>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectChange {
    pub address: Address,
    pub kind: Kind,
    pub change: Change,
}

/// Everything that differs between a payload and the live tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectDiff {
    pub changes: Vec<ObjectChange>,
    pub suppressed: Suppressed,
}

impl ObjectDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The removed objects (each the top of a removed subtree).
    pub fn removals(&self) -> impl Iterator<Item = &ObjectChange> {
        self.changes
            .iter()
            .filter(|c| matches!(c.change, Change::Removed { .. }))
    }

    /// Objects added, changed and removed, descendants of added/removed ones included.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.changes
            .iter()
            .fold((0, 0, 0), |(a, c, r), change| match change.change {
                Change::Added { objects } => (a + objects, c, r),
                Change::Changed { .. } => (a, c + 1, r),
                Change::Removed { objects } => (a, c, r + objects),
            })
    }
}

/// What sending `payload` as the whole object list would change in `live`.
pub fn diff(payload: &ObjectTree, live: &ObjectTree) -> ObjectDiff {
    let mut out = ObjectDiff::default();
    let names: std::collections::BTreeSet<&String> = payload
        .databases
        .keys()
        .chain(live.databases.keys())
        .collect();
    for name in names {
        compare(
            &Address::new([name.as_str()]),
            Kind::Database,
            name,
            payload.databases.get(name),
            live.databases.get(name),
            &mut out,
        );
    }
    out
}

fn compare(
    address: &Address,
    kind: Kind,
    name: &str,
    desired: Option<&Node>,
    live: Option<&Node>,
    out: &mut ObjectDiff,
) {
    let (desired, live) = match (desired, live) {
        (Some(d), None) => {
            out.changes.push(ObjectChange {
                address: address.clone(),
                kind,
                change: Change::Added { objects: d.count() },
            });
            return;
        }
        (None, Some(l)) => {
            out.changes.push(ObjectChange {
                address: address.clone(),
                kind,
                change: Change::Removed { objects: l.count() },
            });
            return;
        }
        (None, None) => return,
        (Some(d), Some(l)) => (d, l),
    };
    let attrs = compare_attrs(name, &desired.attrs, &live.attrs, &mut out.suppressed);
    if !attrs.is_empty() {
        out.changes.push(ObjectChange {
            address: address.clone(),
            kind,
            change: Change::Changed { attrs },
        });
    }
    let (desired_children, live_children) = (desired.children(), live.children());
    let (mut d, mut l) = (
        desired_children.iter().peekable(),
        live_children.iter().peekable(),
    );
    // Both lists are sorted by (kind, name); a name under two spellings of one kind
    // counts once, as its first occurrence (what `Node::child` finds).
    let mut previous: Option<(Kind, &str)> = None;
    loop {
        let key = match (d.peek(), l.peek()) {
            (Some(a), Some(b)) => (a.0, a.1).min((b.0, b.1)),
            (Some(a), None) => (a.0, a.1),
            (None, Some(b)) => (b.0, b.1),
            (None, None) => break,
        };
        let d_child = d.next_if(|c| (c.0, c.1) == key).map(|c| c.2);
        let l_child = l.next_if(|c| (c.0, c.1) == key).map(|c| c.2);
        if previous == Some(key) {
            continue;
        }
        previous = Some(key);
        compare(&address.child(key.1), key.0, key.1, d_child, l_child, out);
    }
}

/// Merge mode: `desired` plus every live object it does not mention, at any depth,
/// except the objects `drop` says to leave out (declared removals).
pub fn merge_unmentioned(
    desired: &ObjectTree,
    live: &ObjectTree,
    drop: &dyn Fn(&Address) -> bool,
) -> ObjectTree {
    fn merge_node(
        address: &Address,
        desired: &mut Node,
        live: &Node,
        drop: &dyn Fn(&Address) -> bool,
    ) {
        for (kind, name, live_child) in live.children() {
            let child_address = address.child(name);
            if drop(&child_address) {
                continue;
            }
            let container = desired.container_mut(kind);
            match container.nodes.get_mut(name) {
                Some(existing) => merge_node(&child_address, existing, live_child, drop),
                None => {
                    container.nodes.insert(name.to_owned(), live_child.clone());
                }
            }
        }
        // A container created only to receive nothing would add an empty key.
        desired.containers.retain(|_, c| {
            !c.nodes.is_empty() || live.containers.values().any(|l| l.kind == c.kind)
        });
    }
    let mut merged = desired.clone();
    for (name, live_db) in &live.databases {
        let address = Address::new([name.as_str()]);
        if drop(&address) {
            continue;
        }
        match merged.databases.get_mut(name) {
            Some(existing) => merge_node(&address, existing, live_db, drop),
            None => {
                merged.databases.insert(name.clone(), live_db.clone());
            }
        }
    }
    merged
}
