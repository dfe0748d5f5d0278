//! The object list of a resource, as either cloud's resource writes it: as blocks —
//! `database "shop" { table "orders" { ... } }`, nested as deep as DTS nests objects, with
//! `dynamic` blocks for repeated objects — or as `db_list` (a DbList JSON string, e.g.
//! `jsonencode({...})`, or an object), for users coming from the Terraform alicloud
//! provider. Both become the same canonical [`ObjectTree`], its names checked: non-empty
//! and distinct under their parent without regard to case, as are rename targets.
//!
//! In an object block the label is the **source** name; `target` renames. `name` is
//! reserved for `dynamic` blocks' `content`, where it gives the label.

use std::collections::HashMap;
use std::sync::LazyLock;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use serde_json::{Map, Value};

use super::eval::{Evaluated, Scope, iterate, to_text};
use super::model::{DesiredObjects, MAX_NESTING, TooDeep, json_text_nesting, value_nesting};
use super::reader::{Diag, Reader};
use super::source::{ConfigError, Span};
use crate::cloud::alibaba::limits::check_db_list_size;
use crate::objects::{Address, Kind, Node, ObjectTree, is_attribute};

/// Attributes an object block may set, ordered so that each block's set is one run:
/// `name` only in a `dynamic` block's content without `labels`, `columns` only where
/// columns can be.
const OBJECT_ATTRIBUTES: &[&str] = &[
    "name",
    "target",
    "all",
    "filter",
    "dml_op",
    "ddl_op",
    "attributes",
    "columns",
];
/// Object attributes that have a dedicated HCL attribute (so `attributes` may not set them).
const MANAGED_KEYS: &[&str] = &["name", "all", "filter", "dml_op", "ddl_op"];

/// The kinds of object blocks that may appear in a block of `kind`.
pub fn child_kinds(kind: Kind) -> &'static [Kind] {
    &CHILDREN[kind as usize].0
}

/// The block types an object block of `kind` may contain: its child kinds' nouns and
/// `dynamic`.
fn child_blocks(kind: Kind) -> &'static [&'static str] {
    &CHILDREN[kind as usize].1
}

/// For each kind (by discriminant), its child kinds and the block types they allow:
/// built once, as every object block of a configuration is checked against them.
static CHILDREN: LazyLock<Vec<(Vec<Kind>, Vec<&'static str>)>> = LazyLock::new(|| {
    let mut table = vec![(Vec::new(), vec!["dynamic"]); Kind::all().count()];
    for kind in Kind::all() {
        let children: Vec<Kind> = match kind {
            Kind::Database => Kind::all()
                .filter(|k| !matches!(k, Kind::Database | Kind::Column | Kind::AttachColumn))
                .collect(),
            Kind::Schema => Kind::all()
                .filter(|k| {
                    !matches!(
                        k,
                        Kind::Database | Kind::Schema | Kind::Column | Kind::AttachColumn
                    )
                })
                .collect(),
            Kind::Table | Kind::View => vec![Kind::Column, Kind::AttachColumn],
            _ => Vec::new(),
        };
        let blocks = children
            .iter()
            .map(|k| k.noun())
            .chain(["dynamic"])
            .collect();
        table[kind as usize] = (children, blocks);
    }
    table
});

/// The attributes an object block of `kind` may set; `name` too in a `dynamic` block's
/// content that has no `labels`.
fn object_attributes(kind: Kind, name_is_label: bool) -> &'static [&'static str] {
    let first = usize::from(!name_is_label);
    let end = OBJECT_ATTRIBUTES.len() - usize::from(!matches!(kind, Kind::Table | Kind::View));
    &OBJECT_ATTRIBUTES[first..end]
}

/// The desired object list from `database` blocks or `db_list`; `None` if neither.
pub(super) fn decode_objects(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    name: &str,
) -> (Option<DesiredObjects>, Span) {
    let (tree, span) = decode_object_tree(d, r, name);
    (tree.and_then(|tree| check_size(d, &tree, span)), span)
}

/// The desired object tree from `database` blocks or `db_list`, its names checked;
/// `None` if neither is written or the list cannot be read.
pub(super) fn decode_object_tree(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    name: &str,
) -> (Option<ObjectTree>, Span) {
    let has_blocks = r.body.blocks().any(|b| {
        b.ident.as_str() == "database"
            || (b.ident.as_str() == "dynamic"
                && b.labels.first().is_some_and(|l| l.as_str() == "database"))
    });
    let db_list = r.attr("db_list");
    match (db_list, has_blocks) {
        (Some(attr), true) => {
            d.push(
                d.at(
                    r.span_of(&attr.key),
                    "conflicting_objects",
                    format!("{name} has both db_list and database blocks"),
                    "db_list here",
                )
                .help("write the object list one way: database blocks, or db_list"),
            );
            (None, r.span)
        }
        (Some(attr), false) => {
            let span = r.span_of(&attr.value);
            let Some((v, _)) = r.value("db_list") else {
                return (None, span);
            };
            if v.sensitive {
                d.push(
                    d.at(
                        span,
                        "sensitive_value",
                        "db_list cannot use a sensitive value",
                        "sensitive",
                    )
                    .help("object lists are shown in plans"),
                );
                return (None, span);
            }
            let parsed = match &v.value {
                Value::String(text) => {
                    // Measured before parsing: serde_json would only say "recursion limit".
                    let depth = json_text_nesting(text);
                    if depth > MAX_NESTING {
                        d.push(too_deep(d, span, depth));
                        return (None, span);
                    }
                    ObjectTree::from_json(text)
                }
                other => ObjectTree::from_value(other),
            };
            match parsed {
                Ok(tree) => (check_tree_names(d, &tree, span).then_some(tree), span),
                Err(e) => {
                    d.push(
                        d.at(span, "invalid_db_list", format!("db_list is not a DbList: {e}"), "invalid DbList")
                            .help("db_list takes DbList JSON, e.g. jsonencode({ shop = { name = \"shop\", all = true } })"),
                    );
                    (None, span)
                }
            }
        }
        (None, true) => {
            let mut root = Node::default();
            let mut seen = Seen::default();
            decode_children(d, r, Kind::Database, None, &mut root, &mut seen);
            let tree = ObjectTree {
                databases: root
                    .containers
                    .into_values()
                    .flat_map(|c| c.nodes)
                    .collect(),
            };
            (Some(tree), r.span)
        }
        (None, false) => (None, r.span),
    }
}

/// The tree as the JSON that would be sent, if it is within the 1 MB DbList limit and
/// [`MAX_NESTING`].
pub(super) fn check_size(d: &Diag<'_>, tree: &ObjectTree, span: Span) -> Option<DesiredObjects> {
    let desired = desired_objects(d, tree, span)?;
    if let Err(e) = check_db_list_size(desired.json().len()) {
        d.push(
            d.at(span, "db_list_too_large", format!("the object list is {e}"), "too large")
                .help("list whole databases with all = true instead of every table, or split the objects over several jobs"),
        );
        return None;
    }
    Some(desired)
}

/// The tree as [`DesiredObjects`], or an error at `span` if it nests too deep to be read
/// back.
pub(super) fn desired_objects(
    d: &Diag<'_>,
    tree: &ObjectTree,
    span: Span,
) -> Option<DesiredObjects> {
    match DesiredObjects::new(tree) {
        Ok(desired) => Some(desired),
        Err(TooDeep(depth)) => {
            d.push(too_deep(d, span, depth));
            None
        }
    }
}

/// The object list would nest `depth` levels, past [`MAX_NESTING`], because of the value
/// at `span`.
pub(super) fn too_deep(d: &Diag<'_>, span: Span, depth: usize) -> ConfigError {
    d.at(
        span,
        "too_deep",
        format!("the object list would nest {depth} levels deep; dtsform reads at most {MAX_NESTING}"),
        "nests too deep",
    )
    .help("flatten the deepest values: every object and list counts one level, and so do the object list's own levels (database, Table, table, ...)")
}

/// Checks the names of a tree written as JSON (`db_list`, `database_info`), where the
/// only place to point at is the attribute: as for blocks, no empty names, no two names
/// under one parent that differ only in case, no two objects renamed to one destination.
pub(super) fn check_tree_names(d: &Diag<'_>, tree: &ObjectTree, span: Span) -> bool {
    let mut seen = Seen::default();
    let mut ok = true;
    for (name, node) in &tree.databases {
        ok &= check_node_names(d, &mut seen, Kind::Database, None, name, node, span);
    }
    ok
}

fn check_node_names(
    d: &Diag<'_>,
    seen: &mut Seen,
    kind: Kind,
    parent: Option<&Address>,
    name: &str,
    node: &Node,
    span: Span,
) -> bool {
    if !seen.source(d, kind, parent, name, span) {
        return false;
    }
    let target = match node.attrs.get("name") {
        None | Some(Value::Null) => name.to_owned(),
        Some(v) => to_text(v).unwrap_or_else(|| v.to_string()),
    };
    if !seen.target(d, kind, parent, name, &target, span) {
        return false;
    }
    let address = child_address(parent, name);
    let mut children = Seen::default();
    let mut ok = true;
    for (child_kind, child_name, child) in node.children() {
        ok &= check_node_names(
            d,
            &mut children,
            child_kind,
            Some(&address),
            child_name,
            child,
            span,
        );
    }
    ok
}

/// The objects already declared under one parent, for the checks between siblings.
/// Names are compared case-folded: one that differs from another only in case is
/// refused like a repeated one.
///
/// Most objects keep their source name, and those need no record of their target:
/// source names are already unique, so a kept name can only collide with a renamed
/// object's target. Only renames are recorded as targets, which keeps the common case
/// free of a second case-folded copy of every name.
#[derive(Default)]
struct Seen {
    /// (kind, folded source name) → the first declaration.
    sources: HashMap<(Kind, String), Declared>,
    /// (kind, folded destination name) → (the source name, where its target is given),
    /// for renamed objects only.
    renames: HashMap<(Kind, String), (String, Span)>,
}

struct Declared {
    span: Span,
    /// The name as written, when folding changed it.
    written: Option<String>,
    /// Whether its target differs from its source name (set by `Seen::target`).
    renamed: bool,
}

impl Seen {
    /// Records a source name; reports it and returns false if it is empty, or if it or a
    /// spelling of it differing only in case is already declared.
    fn source(
        &mut self,
        d: &Diag<'_>,
        kind: Kind,
        parent: Option<&Address>,
        name: &str,
        span: Span,
    ) -> bool {
        if name.is_empty() {
            let within = parent.map_or_else(String::new, |p| format!(" in {p}"));
            d.push(
                d.at(
                    span,
                    "empty_name",
                    format!("the name of a {kind}{within} is empty"),
                    "empty name",
                )
                .help(format!(
                    "write the {kind}'s name as the source database spells it"
                )),
            );
            return false;
        }
        let key = (kind, name.to_lowercase());
        let Some(first) = self.sources.get(&key) else {
            let written = (key.1 != name).then(|| name.to_owned());
            self.sources.insert(
                key,
                Declared {
                    span,
                    written,
                    renamed: false,
                },
            );
            return true;
        };
        let first_name = first.written.as_deref().unwrap_or(&key.1);
        // Only a problem needs the address: most names are not one.
        let address = child_address(parent, name);
        let e = if first_name == name {
            d.at(
                span,
                "duplicate_object",
                format!("{kind} {address} is declared twice"),
                "declared again here",
            )
            .also(d.sources, first.span, "first declared here")
            .help("remove one of the two declarations")
        } else {
            let first_address = child_address(parent, first_name);
            d.at(
                span,
                "case_conflict",
                format!("{kind} {first_address} and {address} differ only in case"),
                "differs only in case",
            )
            .also(d.sources, first.span, format!("{first_name} declared here"))
            .help("DTS and MySQL (lower_case_table_names) may take both for one object, and a DbList cannot tell them apart: keep one spelling")
        };
        d.push(e);
        false
    }

    /// Records the destination name of `source` (already recorded by `Seen::source`);
    /// reports it and returns false if it is empty, or if another source under the same
    /// parent is already written to it (compared case-folded, as source names are).
    fn target(
        &mut self,
        d: &Diag<'_>,
        kind: Kind,
        parent: Option<&Address>,
        source: &str,
        target: &str,
        span: Span,
    ) -> bool {
        if target.is_empty() {
            let address = child_address(parent, source);
            d.push(
                d.at(
                    span,
                    "empty_name",
                    format!("the target of {kind} {address} is empty"),
                    "empty name",
                )
                .help("write the destination name, or leave target out to keep the source name"),
            );
            return false;
        }
        if target == source {
            // Kept name: unique among sources, so only a rename can already hold it.
            if self.renames.is_empty() {
                return true;
            }
            let Some((first, first_span)) = self.renames.get(&(kind, target.to_lowercase())) else {
                return true;
            };
            return Self::conflict(d, kind, parent, (first, *first_span), source, target, span);
        }
        let folded_source = source.to_lowercase();
        let key = (kind, target.to_lowercase());
        if let Some((first, first_span)) = self.renames.get(&key) {
            return Self::conflict(d, kind, parent, (first, *first_span), source, target, span);
        }
        if key.1 != folded_source {
            // A source declared before under the target's name, and keeping it.
            if let Some(first) = self.sources.get(&key).filter(|f| !f.renamed) {
                let first_name = first.written.as_deref().unwrap_or(&key.1);
                return Self::conflict(
                    d,
                    kind,
                    parent,
                    (first_name, first.span),
                    source,
                    target,
                    span,
                );
            }
        }
        if let Some(declared) = self.sources.get_mut(&(kind, folded_source)) {
            declared.renamed = true;
        }
        self.renames.insert(key, (source.to_owned(), span));
        true
    }

    /// Reports two sources written to one destination; returns false.
    #[allow(clippy::too_many_arguments)]
    fn conflict(
        d: &Diag<'_>,
        kind: Kind,
        parent: Option<&Address>,
        (first, first_span): (&str, Span),
        source: &str,
        target: &str,
        span: Span,
    ) -> bool {
        let (address, first_address) =
            (child_address(parent, source), child_address(parent, first));
        d.push(
            d.at(
                span,
                "target_conflict",
                format!("{kind} {first_address} and {address} would both be written to {target:?}"),
                format!("{source} written to {target:?}"),
            )
            .also(d.sources, first_span, format!("{first} written to it here"))
            .help(format!("two sources cannot share one destination {kind}: give each its own target (names differing only in case count as one)")),
        );
        false
    }
}

/// Decodes the object blocks in `r.body` that are children of an object of
/// `parent_kind` (or the resource itself, for `top`), into `parent`.
fn decode_children(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    parent_kind: Kind,
    address: Option<&Address>,
    parent: &mut Node,
    seen: &mut Seen,
) {
    let allowed: &[Kind] = match address {
        None => &[Kind::Database],
        Some(_) => child_kinds(parent_kind),
    };
    for block in r.body.blocks() {
        let ident = block.ident.as_str();
        if ident == "dynamic" {
            expand_dynamic(d, r, block, allowed, address, parent, seen);
            continue;
        }
        let Some(kind) = Kind::from_noun(ident).filter(|k| allowed.contains(k)) else {
            continue; // not an object block here (checked by the body's schema)
        };
        let Some(label) = single_label(d, r, block, ident) else {
            continue;
        };
        let span = r.span_of(&block.labels[0]);
        let object = child_address(address, &label);
        let child = Reader {
            d,
            file: r.file,
            body: &block.body,
            scope: r.scope.clone(),
            span,
            what: format!("{kind} {object}"),
        };
        let at = Place {
            parent: address,
            address: object,
            label,
            span,
        };
        decode_object(d, &child, kind, at, parent, seen, false);
    }
}

fn single_label(d: &Diag<'_>, r: &Reader<'_, '_>, block: &Block, ident: &str) -> Option<String> {
    if let [label] = block.labels.as_slice() {
        return Some(label.as_str().to_owned());
    }
    d.push(
        d.at(
            r.span_of(&block.ident),
            "invalid_labels",
            format!("a {ident} block takes exactly one label, the source name"),
            "label missing or extra",
        )
        .help(format!("write {ident} \"NAME\" {{ ... }}")),
    );
    None
}

/// Where an object block sits: its parent's address, its own, its label and the
/// label's span.
struct Place<'p> {
    parent: Option<&'p Address>,
    address: Address,
    label: String,
    span: Span,
}

/// Decodes one object block into `parent`, checking for duplicates.
fn decode_object(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    kind: Kind,
    at: Place<'_>,
    parent: &mut Node,
    seen: &mut Seen,
    name_is_label: bool,
) {
    let Place {
        parent: parent_address,
        address,
        label,
        span: label_span,
    } = at;
    if !seen.source(d, kind, parent_address, &label, label_span) {
        return;
    }

    r.check(object_attributes(kind, name_is_label), child_blocks(kind));

    let mut node = Node::default();
    // Where this node's JSON object sits in the object list (see `MAX_NESTING`).
    let level = 2 * address.segments().len();
    let nests_within = |value: &Value, span: Span| {
        let depth = level + value_nesting(value);
        if depth > MAX_NESTING {
            d.push(too_deep(d, span, depth));
        }
        depth <= MAX_NESTING
    };
    if let Some((extra, span)) = r.object("attributes") {
        for (key, value) in extra {
            // A key named like a container kind is an attribute only where a DbList reader
            // would read it as one (`type = "varchar"`, `View = null`).
            if MANAGED_KEYS.contains(&key.as_str()) || !is_attribute(&key, &value) {
                d.push(
                    d.at(
                        span,
                        "conflicting_attribute",
                        format!("attributes cannot set {key:?}"),
                        format!("{key} set here"),
                    )
                    .help(if key == "name" {
                        "use target for the destination name".to_owned()
                    } else if MANAGED_KEYS.contains(&key.as_str()) {
                        format!("use the {key} attribute")
                    } else {
                        format!("use {} blocks", key.to_ascii_lowercase())
                    }),
                );
                continue;
            }
            if nests_within(&value, r.entry_span("attributes", &key).unwrap_or(span)) {
                node.attrs.insert(key, value);
            }
        }
    }
    let target_span = r.attr("target").map_or(label_span, |a| r.span_of(&a.value));
    let target = r.string("target").unwrap_or_else(|| label.clone());
    if !seen.target(d, kind, parent_address, &label, &target, target_span) {
        return;
    }
    node.attrs.insert("name".into(), Value::String(target));
    if let Some(filter) = r.attr("filter") {
        // A SQL condition, or an object for MongoDB: kept as given.
        if let Some(v) = r.eval(&filter.value) {
            if v.sensitive {
                d.push(d.at(
                    r.span_of(&filter.value),
                    "sensitive_value",
                    "filter cannot use a sensitive value",
                    "sensitive",
                ).help("filters are shown in plans and sent in clear; only passwords may be sensitive"));
            } else if nests_within(&v.value, r.span_of(&filter.value)) {
                node.attrs.insert("filter".into(), v.value);
            }
        }
    }
    for op in ["dml_op", "ddl_op"] {
        if let Some(list) = op_list(r, op) {
            node.attrs.insert(op.into(), Value::String(list));
        }
    }
    let mut child_seen = Seen::default();
    if let Some(columns) = r.strings("columns") {
        for (column, span) in columns {
            if !child_seen.source(d, Kind::Column, Some(&address), &column, span)
                || !child_seen.target(d, Kind::Column, Some(&address), &column, &column, span)
            {
                continue;
            }
            let mut col = Node::default();
            col.attrs
                .insert("name".into(), Value::String(column.clone()));
            node.container_mut(Kind::Column).nodes.insert(column, col);
        }
    }
    decode_children(d, r, kind, Some(&address), &mut node, &mut child_seen);
    let has_children = node.containers.values().any(|c| !c.nodes.is_empty());
    // Unwritten, `all` says what the block lists: everything unless it lists children.
    // Written `null`, it stays out of the list, as a live list may have it (what DTS then
    // does is up to its parser). A column has none unless one is written.
    let all = match r.attr("all") {
        Some(_) => r.bool_or_null("all"),
        None if matches!(kind, Kind::Column | Kind::AttachColumn) => None,
        None => Some(!has_children),
    };
    if let Some(all) = all {
        node.attrs.insert("all".into(), Value::Bool(all));
    }
    parent.container_mut(kind).nodes.insert(label, node);
}

/// `dml_op` / `ddl_op` as the comma-separated string DTS takes.
fn op_list(r: &Reader<'_, '_>, name: &str) -> Option<String> {
    let attr = r.attr(name)?;
    if matches!(attr.value, Expression::Array(_)) {
        return r.strings(name).map(|ops| {
            ops.into_iter()
                .map(|(s, _)| s)
                .collect::<Vec<_>>()
                .join(",")
        });
    }
    r.string(name)
}

/// Expands `dynamic "KIND" { for_each, iterator, labels, content { ... } }`.
fn expand_dynamic(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    block: &Block,
    allowed: &[Kind],
    address: Option<&Address>,
    parent: &mut Node,
    seen: &mut Seen,
) {
    let Some(ident) = single_label(d, r, block, "dynamic") else {
        return;
    };
    let label_span = r.span_of(&block.labels[0]);
    let Some(kind) = Kind::from_noun(&ident).filter(|k| allowed.contains(k)) else {
        let names: Vec<&str> = allowed.iter().map(|k| k.noun()).collect();
        d.push(
            d.at(
                label_span,
                "unknown_block",
                format!("a dynamic block cannot make {ident:?} blocks here"),
                "not an object kind here",
            )
            .help(format!("here it can make: {}", names.join(", "))),
        );
        return;
    };
    let dynamic = Reader {
        d,
        file: r.file,
        body: &block.body,
        scope: r.scope.clone(),
        span: r.span_of(&block.ident),
        what: format!("dynamic \"{ident}\""),
    };
    dynamic.check(&["for_each", "iterator", "labels"], &["content"]);
    let contents: Vec<&Block> = block.body.get_blocks("content").collect();
    let [content] = contents.as_slice() else {
        d.push(
            d.at(
                dynamic.span,
                "missing_block",
                "a dynamic block needs exactly one content block",
                "content missing or repeated",
            )
            .help("write content { ... } with the generated block's attributes"),
        );
        return;
    };
    let iterator = match dynamic.attr("iterator") {
        None => ident.clone(),
        Some(attr) => match &attr.value {
            Expression::Variable(v) => v.as_str().to_owned(),
            other => {
                d.push(
                    d.at(
                        dynamic.span_of(other),
                        "invalid_reference",
                        "iterator must be a bare name",
                        "not a name",
                    )
                    .help("write iterator = t, then use t.key and t.value in content"),
                );
                return;
            }
        },
    };
    let Some(for_each) = dynamic.attr("for_each") else {
        d.push(
            d.at(
                dynamic.span,
                "missing_attribute",
                "a dynamic block needs for_each",
                "for_each missing",
            )
            .help("write for_each = [\"a\", \"b\"] (or a map); each element makes one block"),
        );
        return;
    };
    let Some(collection) = dynamic.eval(&for_each.value) else {
        return;
    };
    let items = match iterate(
        &collection,
        hcl_edit::Span::span(&for_each.value).unwrap_or(0..0),
    ) {
        Ok(items) => items,
        Err(e) => {
            d.push(
                d.at(
                    dynamic.span_of(&for_each.value),
                    "wrong_type",
                    e.message,
                    "not a collection",
                )
                .help("for_each takes a list, a set or a map"),
            );
            return;
        }
    };
    let content_body: &Body = &content.body;
    for (key, value) in items {
        let mut object = Map::new();
        object.insert("key".into(), key);
        object.insert("value".into(), value);
        let scope: Scope<'_> = r.scope.bind(
            &iterator,
            Evaluated {
                value: Value::Object(object),
                sensitive: collection.sensitive,
            },
        );
        let inner = Reader {
            d,
            file: r.file,
            body: content_body,
            scope: scope.clone(),
            span: label_span,
            what: format!("dynamic \"{ident}\" content"),
        };
        let label = match dynamic.attr("labels") {
            Some(_) => {
                let labels = Reader {
                    d,
                    file: r.file,
                    body: &block.body,
                    scope,
                    span: dynamic.span,
                    what: dynamic.what.clone(),
                };
                let Some((v, span)) = labels.value("labels") else {
                    return;
                };
                match v.value.as_array().map(Vec::as_slice) {
                    Some([one]) if to_text(one).is_some() => to_text(one),
                    _ => {
                        d.push(
                            d.at(
                                span,
                                "invalid_labels",
                                "labels must be a list of one string, the source name",
                                "not one label",
                            )
                            .help("write labels = [table.value]"),
                        );
                        return;
                    }
                }
            }
            None => inner.string("name"),
        };
        let Some(label) = label else {
            d.push(
                d.at(label_span, "invalid_labels", format!("a dynamic {ident} block needs its name"), "no label")
                    .help(format!("add labels = [{iterator}.value] to the dynamic block, or name = {iterator}.value to its content")),
            );
            return;
        };
        let name_is_label = dynamic.attr("labels").is_none();
        let at = Place {
            parent: address,
            address: child_address(address, &label),
            label,
            span: label_span,
        };
        decode_object(d, &inner, kind, at, parent, seen, name_is_label);
    }
}

/// The address of `name` under `parent` (a top-level address when there is none).
fn child_address(parent: Option<&Address>, name: &str) -> Address {
    parent.map_or_else(|| Address::new([name]), |p| p.child(name))
}
