//! The canonical object tree: one model of "what a job replicates" for every cloud.
//!
//! A job's objects form a tree. The top level holds databases (for database→schema
//! engines DTS keys the top level by schema; the tree does not care). Every node is
//! keyed by its **kind and source name** and carries **attributes verbatim**: the rename
//! target `name`, `all`, `filter`, `dml_op`, `ddl_op`, and every other attribute,
//! including ones dtsform does not understand. Nothing is ever dropped.
//!
//! Alibaba's `DbList`/`DbObject` JSON converts to and from the tree losslessly
//! ([`ObjectTree::from_json`], [`ObjectTree::to_value`]): an object key that names a
//! container kind (`Table`, `column`, `View`, ... matched case-insensitively, as DTS's
//! own parser does) introduces a container of child nodes, remembered under the exact
//! key spelling it was written with; every other key is an attribute. Such a key must
//! hold an object whose every member is an object: a list holding anything else there
//! (`"Table": ["a"]`, `"Table": {"a": null}`) is refused, because the objects it may
//! stand for would otherwise be invisible to the diff and the guard, and a write would
//! drop them. Only `null` and a scalar under a key DTS documents as an attribute
//! (`"type": "varchar"`) are read as attributes. Serialising puts attributes first,
//! then containers, each in key order; tree → JSON → tree is the identity.
//!
//! Comparison never looks at raw JSON. [`normalize`] defines what counts as the same:
//! key order and whitespace, the server-added `"state":"normal"`, boolean spellings
//! (`"true"`/`"True"`/`true`), comma-list spellings of `dml_op`/`ddl_op`, and an absent
//! `name` meaning "same as the source name". The differences those rules hide are
//! counted, so a plan can say how many it suppressed.

pub mod address;
pub mod diff;
pub mod normalize;
mod parse;
pub mod tencent;
mod wire;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

pub use address::{Address, AddressError, Pattern, Removal};
pub use parse::is_attribute;

/// Attributes the server owns: it adds `"state":"normal"` to what it returns. They are
/// never compared ([`normalize`]) and never sent.
pub const SERVER_ATTRS: &[&str] = &["state"];

/// The kinds of objects a DbList can hold, by the container key that introduces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Database,
    Schema,
    Table,
    View,
    Column,
    AttachColumn,
    Synonym,
    Procedure,
    Function,
    Type,
    Rule,
    Plan,
    Package,
    Sequence,
    Domain,
    Aggregate,
    Operator,
    Extension,
    Default,
    Job,
    Scripts,
}

/// (kind, canonical container key, noun). The keys are what DTS's parser matches
/// case-insensitively (reference §9); `column` is written lower-case as in the docs.
const KINDS: &[(Kind, &str, &str)] = &[
    (Kind::Database, "Database", "database"),
    (Kind::Schema, "Schema", "schema"),
    (Kind::Table, "Table", "table"),
    (Kind::View, "View", "view"),
    (Kind::Column, "column", "column"),
    (Kind::AttachColumn, "attach_column", "attach_column"),
    (Kind::Synonym, "Synonym", "synonym"),
    (Kind::Procedure, "Procedure", "procedure"),
    (Kind::Function, "Function", "function"),
    (Kind::Type, "Type", "type"),
    (Kind::Rule, "Rule", "rule"),
    (Kind::Plan, "Plan", "plan"),
    (Kind::Package, "Package", "package"),
    (Kind::Sequence, "Sequence", "sequence"),
    (Kind::Domain, "Domain", "domain"),
    (Kind::Aggregate, "Aggregate", "aggregate"),
    (Kind::Operator, "Operator", "operator"),
    (Kind::Extension, "Extension", "extension"),
    (Kind::Default, "Default", "default"),
    (Kind::Job, "Job", "job"),
    (Kind::Scripts, "Scripts", "scripts"),
];

impl Kind {
    /// Every kind, in a fixed order.
    pub fn all() -> impl Iterator<Item = Kind> {
        KINDS.iter().map(|(k, _, _)| *k)
    }

    /// The kind a DbList container key introduces, matched case-insensitively.
    pub fn from_container_key(key: &str) -> Option<Kind> {
        KINDS
            .iter()
            .find(|(_, k, _)| k.eq_ignore_ascii_case(key))
            .map(|(kind, _, _)| *kind)
    }

    /// The kind named by an HCL block type or a noun (`table`, `column`, ...).
    pub fn from_noun(noun: &str) -> Option<Kind> {
        KINDS
            .iter()
            .find(|(_, _, n)| *n == noun)
            .map(|(kind, _, _)| *kind)
    }

    /// The key dtsform writes for this kind's container.
    pub fn container_key(self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |(_, key, _)| key)
    }

    /// Columns belong to their table: they are not counted as objects of their own
    /// unless one is itself what is added or removed.
    pub fn is_part_of_parent(self) -> bool {
        matches!(self, Kind::Column | Kind::AttachColumn)
    }

    /// `table`, `column`, ...: for messages and HCL block types.
    pub fn noun(self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |(_, _, noun)| noun)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// One object: its attributes and its child containers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    /// Attributes verbatim, known or not (`name`, `all`, `filter`, `state`, ...).
    pub attrs: BTreeMap<String, Value>,
    /// Child containers, keyed by the container key exactly as written (`Table`, `column`).
    pub containers: BTreeMap<String, Container>,
}

/// The children of one kind under a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub kind: Kind,
    /// Children by source name.
    pub nodes: BTreeMap<String, Node>,
}

/// A job's whole object list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectTree {
    /// Top-level objects (databases, or schemas for schema-keyed engines) by source name.
    pub databases: BTreeMap<String, Node>,
}

/// A DbList that is not a tree of objects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectsError {
    #[error("the object list is not valid JSON: {0}")]
    Json(String),
    #[error("the object list must be a JSON object keyed by database name")]
    NotAnObject,
    #[error("the entry for database {0:?} must be a JSON object")]
    DatabaseNotAnObject(String),
    /// A key naming a container kind holds something other than an object of objects.
    #[error("at {at}: {key:?} must be an object of objects (name → object), not {found}")]
    BadContainer {
        at: String,
        key: String,
        found: &'static str,
    },
    /// A container holds a member that is not an object.
    #[error("at {at}: {key:?} holds {member:?}, which is {found}, not an object")]
    BadMember {
        at: String,
        key: String,
        member: String,
        found: &'static str,
    },
}

impl Node {
    /// Children of every kind as (kind, source name, node), kinds in `Kind` order and
    /// merged across key spellings, names in order.
    pub fn children(&self) -> Vec<(Kind, &str, &Node)> {
        let mut out: Vec<(Kind, &str, &Node)> = self
            .containers
            .values()
            .flat_map(|c| {
                c.nodes
                    .iter()
                    .map(move |(n, node)| (c.kind, n.as_str(), node))
            })
            .collect();
        out.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out
    }

    /// The child named `name` of any kind (the first kind in `Kind` order if several).
    pub fn child_named(&self, name: &str) -> Option<(Kind, &Node)> {
        self.containers
            .values()
            .filter_map(|c| c.nodes.get(name).map(|n| (c.kind, n)))
            .min_by_key(|(kind, _)| *kind)
    }

    /// This node and everything below it, with addresses, depth first, in order.
    pub fn walk<'a>(
        &'a self,
        address: &Address,
        kind: Kind,
        out: &mut Vec<(Address, Kind, &'a Node)>,
    ) {
        out.push((address.clone(), kind, self));
        for (child_kind, name, child) in self.children() {
            child.walk(&address.child(name), child_kind, out);
        }
    }

    /// The child of `kind` named `name`, under any key spelling.
    pub fn child(&self, kind: Kind, name: &str) -> Option<&Node> {
        self.containers
            .values()
            .filter(|c| c.kind == kind)
            .find_map(|c| c.nodes.get(name))
    }

    /// The container for `kind`, created with the canonical key if there is none.
    pub fn container_mut(&mut self, kind: Kind) -> &mut Container {
        let key = self
            .containers
            .iter()
            .find(|(_, c)| c.kind == kind)
            .map_or_else(|| kind.container_key().to_owned(), |(k, _)| k.clone());
        self.containers.entry(key).or_insert_with(|| Container {
            kind,
            nodes: BTreeMap::new(),
        })
    }

    /// How many objects this node stands for: itself and the objects inside it, where
    /// columns count as part of their table, not as objects of their own.
    pub fn count(&self) -> usize {
        1 + self
            .containers
            .values()
            .filter(|c| !c.kind.is_part_of_parent())
            .flat_map(|c| c.nodes.values())
            .map(Node::count)
            .sum::<usize>()
    }
}

impl ObjectTree {
    // `from_json` and `from_value` are in `parse`.

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self.json(true)).unwrap_or_default()
    }

    /// Compact JSON, as sent in `DbList`, written straight from the tree.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.json(true)).unwrap_or_default()
    }

    /// Two-space indented JSON, for diffs a reviewer reads.
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(&self.json(true)).unwrap_or_default()
    }

    /// Like [`ObjectTree::to_pretty_json`], without the attributes the server owns
    /// (`state`): the tree as it is compared.
    pub fn to_pretty_json_normalized(&self) -> String {
        serde_json::to_string_pretty(&self.json(false)).unwrap_or_default()
    }

    fn json(&self, server_attrs: bool) -> TreeJson<'_> {
        TreeJson {
            tree: self,
            server_attrs,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.databases.is_empty()
    }

    /// Number of objects (see [`Node::count`]).
    pub fn count(&self) -> usize {
        self.databases.values().map(Node::count).sum()
    }

    /// Every object with its address and kind, depth first, in order.
    pub fn walk(&self) -> Vec<(Address, Kind, &Node)> {
        let mut out = Vec::new();
        for (name, node) in &self.databases {
            node.walk(&Address::new([name.as_str()]), Kind::Database, &mut out);
        }
        out
    }

    /// The node at `address`, if there is one (any kind at each level).
    pub fn get(&self, address: &Address) -> Option<(Kind, &Node)> {
        let mut segments = address.segments().iter();
        let mut node = self.databases.get(segments.next()?)?;
        let mut kind = Kind::Database;
        for segment in segments {
            (kind, node) = node.child_named(segment)?;
        }
        Some((kind, node))
    }
}

/// Serialises a tree in canonical order (attributes, then containers, each sorted)
/// without copying it into a `Value` first.
struct TreeJson<'a> {
    tree: &'a ObjectTree,
    /// Include the attributes the server owns (`state`)?
    server_attrs: bool,
}

struct NodeJson<'a> {
    node: &'a Node,
    server_attrs: bool,
}

struct ContainerJson<'a> {
    container: &'a Container,
    server_attrs: bool,
}

impl serde::Serialize for TreeJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.tree.databases.iter().map(|(name, node)| {
            let server_attrs = self.server_attrs;
            (name, NodeJson { node, server_attrs })
        }))
    }
}

impl serde::Serialize for NodeJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = s.serialize_map(None)?;
        for (key, value) in &self.node.attrs {
            if self.server_attrs || !SERVER_ATTRS.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        for (key, container) in &self.node.containers {
            let server_attrs = self.server_attrs;
            map.serialize_entry(
                key,
                &ContainerJson {
                    container,
                    server_attrs,
                },
            )?;
        }
        map.end()
    }
}

impl serde::Serialize for ContainerJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.container.nodes.iter().map(|(name, node)| {
            let server_attrs = self.server_attrs;
            (name, NodeJson { node, server_attrs })
        }))
    }
}

#[cfg(test)]
mod tests;
