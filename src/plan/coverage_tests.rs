//! The lost-object promise as a property: for random live lists and random
//! configurations, every object that would stop replicating is declared, or the plan is
//! refused.
//!
//! What "stops replicating" means is computed here from scratch, not by the diff or the
//! guard: a list covers an object path if the path exists in it, or if the deepest
//! object of the path that it does hold is taken whole. `all` is read as DTS reads it —
//! `true`/`"true"`/`"True"` or `false`/`"false"` — and an unset or unusual `all` as the
//! parser's default, which is unknown, so every case is checked under both defaults,
//! the same default for the live list and the payload (one parser reads both). An
//! object is lost if, under either default, the live list covers it and the payload
//! does not. Probes are every object of both lists and an unknown object inside each.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::plan_objects;
use crate::config::{Inputs, load};
use crate::guard::Flags;
use crate::objects::{Address, Kind, Node, ObjectTree, Removal};

/// `all` as DTS reads it under a parser whose default is `default`.
fn whole(node: &Node, default: bool) -> bool {
    match node.attrs.get("all") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        _ => default,
    }
}

/// The child of `node` named `name`, of any kind.
fn child<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    node.containers.values().find_map(|c| c.nodes.get(name))
}

fn covers(tree: &ObjectTree, path: &[String], default: bool) -> bool {
    let Some(mut node) = tree.databases.get(&path[0]) else {
        return false;
    };
    for name in &path[1..] {
        match child(node, name) {
            Some(next) => node = next,
            None => return whole(node, default),
        }
    }
    true
}

/// Every object path of a tree, and an unknown one inside each object that can hold
/// objects (a column holds none).
fn probes(tree: &ObjectTree, out: &mut Vec<Vec<String>>) {
    fn walk(path: &mut Vec<String>, holds: bool, node: &Node, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        if holds {
            let mut unknown = path.clone();
            unknown.push("zz-unknown".into());
            out.push(unknown);
        }
        for container in node.containers.values() {
            let holds = !matches!(container.kind, Kind::Column | Kind::AttachColumn);
            for (name, child) in &container.nodes {
                path.push(name.clone());
                walk(path, holds, child, out);
                path.pop();
            }
        }
    }
    for (name, db) in &tree.databases {
        walk(&mut vec![name.clone()], true, db, out);
    }
}

/// Whether a declaration covers the lost path: the object or one around it removed,
/// or the rest of one around it.
fn declared(removals: &[Removal], path: &[String]) -> bool {
    let path = Address::new(path.iter().map(String::as_str));
    removals.iter().any(|r| match r {
        Removal::Object(a) => a.covers(&path),
        Removal::Rest(a) => a.covers(&path) && *a != path,
    })
}

fn all_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => Just(Some(json!(true))),
        4 => Just(Some(json!(false))),
        2 => Just(None),
        1 => Just(Some(json!("True"))),
        1 => Just(Some(json!("yes"))),
    ]
}

fn object(all: Option<Value>, name: &str, rename: bool) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "name".into(),
        json!(if rename {
            format!("{name}_v2")
        } else {
            name.into()
        }),
    );
    if let Some(all) = all {
        m.insert("all".into(), all);
    }
    m
}

/// A random DbList: databases holding tables (sometimes under a schema), tables
/// holding columns, `all` in every spelling or unset.
pub(crate) fn db_list() -> impl Strategy<Value = Value> {
    let column = any::<bool>().prop_map(|rename| Value::Object(object(None, "c", rename)));
    let table = (
        all_value(),
        proptest::collection::btree_map("c[1-3]", column, 0..3),
        proptest::option::of("id > [0-9]"),
    )
        .prop_map(|(all, columns, filter)| {
            let mut t = object(all, "t", false);
            if let Some(f) = filter {
                t.insert("filter".into(), json!(f));
            }
            if !columns.is_empty() {
                t.insert("column".into(), json!(columns));
            }
            Value::Object(t)
        });
    let table = table.boxed();
    let tables = move || proptest::collection::btree_map("t[1-3]", table.clone(), 0..3);
    let database = (all_value(), tables(), proptest::option::of(tables())).prop_map(
        |(all, tables, schema)| {
            let mut db = object(all, "d", false);
            if !tables.is_empty() {
                db.insert("Table".into(), json!(tables));
            }
            if let Some(tables) = schema {
                let mut s = object(Some(json!(false)), "s", false);
                s.insert("Table".into(), json!(tables));
                db.insert("Schema".into(), json!({"s1": s}));
            }
            Value::Object(db)
        },
    );
    proptest::collection::btree_map("d[1-3]", database, 1..3)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Every removal a configuration could declare about `live`.
fn candidates(live: &ObjectTree) -> Vec<Removal> {
    let mut out = Vec::new();
    for (address, _, _) in live.walk() {
        out.push(Removal::Object(address.clone()));
        out.push(Removal::Rest(address));
    }
    out
}

fn hcl_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// One case: plans `desired` (with `removed` declaring `declared`) against `live` and
/// checks every probe.
fn check_case(
    live: &ObjectTree,
    desired: &Value,
    declared: &[Removal],
    merge: bool,
    breaker_off: bool,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("desired.json"), desired.to_string()).unwrap();
    let removed = if declared.is_empty() {
        String::new()
    } else {
        format!(
            "  removed {{\n    objects = [{}]\n  }}\n",
            declared
                .iter()
                .map(|r| hcl_string(&r.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let lifecycle = if breaker_off {
        "  lifecycle {\n    max_removed_objects = 100000\n    max_removed_percent = 100\n  }\n"
    } else {
        ""
    };
    std::fs::write(
        dir.path().join("main.hcl"),
        format!(
            "provider \"alicloud\" {{\n  region = \"cn-hangzhou\"\n}}\nresource \"alicloud_dts_job\" \"j\" {{\n  dts_job_id = \"j\"\n  db_list = file(\"desired.json\")\n  merge_live_objects = {merge}\n{removed}{lifecycle}}}\n"
        ),
    )
    .unwrap();
    let Ok(config) = load(dir.path(), &Inputs::default()) else {
        return Ok(()); // refused at load (e.g. a removed object still declared)
    };
    let spec = &config.jobs[0];
    let desired_tree = spec.objects.as_ref().unwrap().tree().unwrap();
    let mut notes = Vec::new();
    let Ok((_, payload_json)) = plan_objects(
        &config,
        spec,
        desired_tree,
        live,
        &Flags::default(),
        &mut notes,
    ) else {
        return Ok(()); // refused: nothing is sent
    };
    let payload = payload_json;
    let payload_json = payload.to_json();
    let mut paths = Vec::new();
    probes(live, &mut paths);
    probes(&payload, &mut paths);
    for path in paths {
        let lost = [true, false]
            .into_iter()
            .any(|default| covers(live, &path, default) && !covers(&payload, &path, default));
        prop_assert!(
            !lost || self::declared(declared, &path),
            "{} stops replicating without a declaration\nlive: {}\nsent: {}\ndeclared: {:?}",
            path.join("."),
            live.to_json(),
            payload_json,
            declared.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// A change to the `index`-th object of a tree (in walk order): `all` set, spelled
/// otherwise or unset, the object dropped, or a child added inside it (taken whole, or
/// given a list).
pub(crate) fn mutate(tree: &mut ObjectTree, op: u8, index: usize) {
    /// Returns whether the visited node is to be dropped.
    fn visit(node: &mut Node, kind: Kind, left: &mut usize, op: u8) -> bool {
        if *left == 0 {
            *left = usize::MAX;
            let set = |node: &mut Node, v: Value| {
                node.attrs.insert("all".into(), v);
            };
            match op {
                0 => set(node, json!(false)),
                1 => set(node, json!(true)),
                2 => {
                    node.attrs.remove("all");
                }
                3 => return true,
                4 | 5 => {
                    let child_kind = match kind {
                        Kind::Database | Kind::Schema => Kind::Table,
                        Kind::Table => Kind::Column,
                        _ => return false,
                    };
                    let mut child = Node::default();
                    child.attrs.insert("name".into(), json!("n9"));
                    if child_kind != Kind::Column {
                        child.attrs.insert("all".into(), json!(op == 4));
                        if op == 5 {
                            child
                                .container_mut(Kind::Column)
                                .nodes
                                .insert("c1".into(), Node::default());
                        }
                    }
                    node.container_mut(child_kind)
                        .nodes
                        .insert("n9".into(), child);
                }
                _ => set(node, json!("True")),
            }
            return false;
        }
        if *left == usize::MAX {
            return false;
        }
        *left -= 1;
        for container in node.containers.values_mut() {
            let child_kind = container.kind;
            let mut dropped = Vec::new();
            for (name, child) in &mut container.nodes {
                if visit(child, child_kind, left, op) {
                    dropped.push(name.clone());
                }
            }
            for name in dropped {
                container.nodes.remove(&name);
            }
        }
        false
    }
    let total = tree.walk().len();
    if total == 0 {
        return;
    }
    let mut left = index % total;
    let mut dropped = Vec::new();
    for (name, db) in &mut tree.databases {
        if visit(db, Kind::Database, &mut left, op) {
            dropped.push(name.clone());
        }
    }
    for name in dropped {
        tree.databases.remove(&name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Independent lists: large differences, mostly refused, sometimes by design.
    #[test]
    fn every_object_that_stops_replicating_is_declared_or_the_plan_is_refused(
        live in db_list(),
        desired in db_list(),
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..4),
        merge in any::<bool>(),
        breaker_off in any::<bool>(),
    ) {
        let live = ObjectTree::from_value(&live).unwrap();
        let candidates = candidates(&live);
        let declared: Vec<Removal> = picks.iter().map(|i| i.get(&candidates).clone()).collect();
        check_case(&live, &desired, &declared, merge, breaker_off)?;
    }

    /// Small changes to the live list, with every removal the plan reports declared (or
    /// some of them): whatever the guard lets through must account for everything the
    /// payload no longer covers.
    #[test]
    fn small_changes_lose_nothing_undeclared(
        live in db_list(),
        ops in proptest::collection::vec((0u8..7, any::<usize>()), 1..5),
        keep in proptest::collection::vec(any::<bool>(), 8),
        declare_all in any::<bool>(),
        merge in any::<bool>(),
    ) {
        let live = ObjectTree::from_value(&live).unwrap();
        let mut desired = live.clone();
        for (op, index) in &ops {
            mutate(&mut desired, *op, *index);
        }
        let reported: Vec<Removal> = crate::objects::diff::diff(&desired, &live)
            .removals()
            .filter_map(crate::objects::diff::ObjectChange::removal)
            .collect();
        let declared: Vec<Removal> = reported
            .into_iter()
            .enumerate()
            .filter(|(i, _)| declare_all || keep[i % keep.len()])
            .map(|(_, r)| r)
            .collect();
        check_case(&live, &desired.to_value(), &declared, merge, true)?;
    }
}
