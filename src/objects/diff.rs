//! Keyed comparison of two object trees: what sending `payload` would do to `live`.
//!
//! Objects are matched by kind and source name, never by position. The result lists
//! objects added, removed (each with how many objects it takes along, itself included)
//! and changed at attribute level, in tree order — and two things that only coverage
//! shows:
//!
//! * **Narrowed**: a live object taken whole (`all` true, or unset, which one of DTS's
//!   parsers reads as true) that the payload narrows to what it lists (`all` false or
//!   unset): everything inside it that the payload does not list stops replicating.
//!   dtsform cannot know what a whole database or table holds, so this is a removal of
//!   "everything in X except what is listed", guarded like any other. The same goes for
//!   an object the payload adds inside a live object taken whole without taking it
//!   whole itself (a table given a column list inside a whole database): it replicated
//!   whole before, as part of its parent.
//! * **Unlisted**: a live object the payload no longer lists, inside an object the
//!   payload takes whole (`all = true`): it goes on replicating, only without its own
//!   settings (a widening). Not a removal.
//!
//! An `all` spelled the same on both sides is read the same way by DTS, whichever
//! default its parser has, so it never narrows.

use std::collections::BTreeMap;

use serde_json::Value;

use super::normalize::{Suppressed, as_bool, same_attr};
use super::{Address, Kind, Node, ObjectTree};

/// One attribute's change; `None` means absent.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The attribute changes from `live` to `desired` for an object whose source name is
/// `source_name`, as [`normalize`](super::normalize) compares them, counting what
/// normalization hides into `suppressed`.
pub fn compare_attrs(
    source_name: &str,
    desired: &BTreeMap<String, Value>,
    live: &BTreeMap<String, Value>,
    suppressed: &mut Suppressed,
) -> Vec<AttrChange> {
    let mut changes = Vec::new();
    // Both maps are sorted: walk their keys together.
    let (mut dk, mut lk) = (desired.keys().peekable(), live.keys().peekable());
    loop {
        let key = match (dk.peek(), lk.peek()) {
            (Some(a), Some(b)) => (*a).min(*b),
            (Some(a), None) => *a,
            (None, Some(b)) => *b,
            (None, None) => break,
        };
        dk.next_if(|k| *k == key);
        lk.next_if(|k| *k == key);
        let (before, after) = (live.get(key), desired.get(key));
        if !same_attr(source_name, key, after, before, suppressed) {
            changes.push(AttrChange {
                name: key.clone(),
                before: before.cloned(),
                after: after.cloned(),
            });
        }
    }
    changes
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
    /// A live object taken whole that the payload narrows to the `listed` objects it
    /// names directly inside it: everything else inside stops replicating.
    Narrowed {
        listed: usize,
    },
    /// A live object the payload no longer lists although an object around it is taken
    /// whole: it keeps replicating; `settings` are its own attributes that no longer
    /// apply (a rename, a filter, ...).
    Unlisted {
        objects: usize,
        settings: Vec<String>,
    },
    Changed {
        attrs: Vec<AttrChange>,
    },
}

impl Change {
    /// Whether objects stop replicating: a removal or a narrowing.
    pub fn is_removal(&self) -> bool {
        matches!(self, Change::Removed { .. } | Change::Narrowed { .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectChange {
    pub address: Address,
    pub kind: Kind,
    pub change: Change,
}

impl ObjectChange {
    /// The removal this change is, as a `removed` entry names it.
    pub fn removal(&self) -> Option<super::Removal> {
        match self.change {
            Change::Removed { .. } => Some(super::Removal::Object(self.address.clone())),
            Change::Narrowed { .. } => Some(super::Removal::Rest(self.address.clone())),
            _ => None,
        }
    }

    /// How the live tree differs from a payload that was sent, for read-back messages
    /// (`diff(sent, live)`).
    pub fn mismatch(&self) -> String {
        let (kind, address) = (self.kind, &self.address);
        match &self.change {
            Change::Added { .. } => format!("{kind} {address} is missing"),
            Change::Removed { .. } | Change::Unlisted { .. } => {
                format!("{kind} {address} was not sent but is there")
            }
            Change::Narrowed { .. } => {
                format!("{kind} {address} is taken whole, not only the objects sent")
            }
            Change::Changed { attrs } => format!(
                "{kind} {address} has other {}",
                attrs
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
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

    /// What stops replicating: each removed subtree's top, and each narrowed object.
    pub fn removals(&self) -> impl Iterator<Item = &ObjectChange> {
        self.changes.iter().filter(|c| c.change.is_removal())
    }

    /// Objects added, changed and removed, descendants of added/removed ones included;
    /// a narrowing counts as one removal (what it takes is unknown), an unlisted object
    /// as one change.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.changes
            .iter()
            .fold((0, 0, 0), |(a, c, r), change| match change.change {
                Change::Added { objects } => (a + objects, c, r),
                Change::Changed { .. } | Change::Unlisted { .. } => (a, c + 1, r),
                Change::Removed { objects } => (a, c, r + objects),
                Change::Narrowed { .. } => (a, c, r + 1),
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
            Above {
                sent_whole: false,
                live_whole: false,
            },
            &mut out,
        );
    }
    out
}

/// Whether the payload surely takes `node` whole: `all` is true. (Unset is read as
/// true by one of DTS's parsers and as false by the other.)
pub fn takes_whole(node: &Node) -> bool {
    node.attrs.get("all").and_then(as_bool) == Some(true)
}

/// Whether the live object may be taken whole: `all` is not false (unset is read as
/// true by one of DTS's parsers).
pub fn may_be_whole(node: &Node) -> bool {
    node.attrs.get("all").and_then(as_bool) != Some(false)
}

/// What the objects around a compared pair take whole.
#[derive(Debug, Clone, Copy)]
struct Above {
    /// The payload surely takes the nearest object around it whole.
    sent_whole: bool,
    /// The nearest live object around it may be taken whole (so everything inside it,
    /// listed or not, may replicate).
    live_whole: bool,
}

/// Whether sending `desired` in place of `live` narrows it: the live object may be taken
/// whole and the payload may not be. Columns hold nothing, so they never narrow.
pub fn narrows(kind: Kind, desired: &Node, live: &Node) -> bool {
    if kind.is_part_of_parent() {
        return false;
    }
    let (sent, had) = (desired.attrs.get("all"), live.attrs.get("all"));
    let (sent_bool, had_bool) = (sent.and_then(as_bool), had.and_then(as_bool));
    let same_spelling = match (sent_bool, had_bool) {
        (Some(a), Some(b)) => a == b,
        _ => sent == had,
    };
    !same_spelling && may_be_whole(live) && sent_bool != Some(true)
}

/// The live attributes that no longer apply to an object that stops being listed.
fn own_settings(name: &str, live: &Node) -> Vec<String> {
    live.attrs
        .iter()
        .filter(|(k, v)| match k.as_str() {
            "all" | "state" => false,
            "name" => v.as_str() != Some(name),
            _ => true,
        })
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k} = {s:?}"),
            other => format!("{k} = {other}"),
        })
        .collect()
}

/// Objects a payload adds inside a live object that may be taken whole, and that it
/// does not take whole itself: each narrows what replicated before as part of its
/// parent.
fn added_narrowings(address: &Address, kind: Kind, added: &Node, out: &mut ObjectDiff) {
    if !kind.is_part_of_parent() && !takes_whole(added) {
        out.changes.push(ObjectChange {
            address: address.clone(),
            kind,
            change: Change::Narrowed {
                listed: added.containers.values().map(|c| c.nodes.len()).sum(),
            },
        });
    }
    for (child_kind, name, child) in added.children() {
        added_narrowings(&address.child(name), child_kind, child, out);
    }
}

fn compare(
    address: &Address,
    kind: Kind,
    name: &str,
    desired: Option<&Node>,
    live: Option<&Node>,
    above: Above,
    out: &mut ObjectDiff,
) {
    let (desired, live) = match (desired, live) {
        (Some(d), None) => {
            out.changes.push(ObjectChange {
                address: address.clone(),
                kind,
                change: Change::Added { objects: d.count() },
            });
            if above.live_whole {
                added_narrowings(address, kind, d, out);
            }
            return;
        }
        (None, Some(l)) => {
            let change = if above.sent_whole {
                Change::Unlisted {
                    objects: l.count(),
                    settings: own_settings(name, l),
                }
            } else {
                Change::Removed { objects: l.count() }
            };
            out.changes.push(ObjectChange {
                address: address.clone(),
                kind,
                change,
            });
            return;
        }
        (None, None) => return,
        (Some(d), Some(l)) => (d, l),
    };
    if narrows(kind, desired, live) {
        out.changes.push(ObjectChange {
            address: address.clone(),
            kind,
            change: Change::Narrowed {
                listed: desired.containers.values().map(|c| c.nodes.len()).sum(),
            },
        });
    }
    let attrs = compare_attrs(name, &desired.attrs, &live.attrs, &mut out.suppressed);
    if !attrs.is_empty() {
        out.changes.push(ObjectChange {
            address: address.clone(),
            kind,
            change: Change::Changed { attrs },
        });
    }
    // Inside, the nearest object around counts: a list nested in a whole object
    // narrows again.
    let above = Above {
        sent_whole: takes_whole(desired),
        live_whole: may_be_whole(live),
    };
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
        compare(
            &address.child(key.1),
            key.0,
            key.1,
            d_child,
            l_child,
            above,
            out,
        );
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
