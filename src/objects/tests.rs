use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::diff::{Change, diff, merge_unmentioned};
use super::*;

fn tree(v: &Value) -> ObjectTree {
    ObjectTree::from_value(v).unwrap()
}

#[test]
fn the_reference_examples_convert_losslessly() {
    for example in [
        json!({"dtstestdata": {"name": "dtstestdata", "all": true}}),
        json!({"dtstestdata": {"name": "dtstestdata", "all": false,
            "Table": {"customer": {"name": "customer", "all": true},
                      "order": {"name": "order_new", "all": true, "dml_op": "insert,update,delete", "ddl_op": "CreateTable,AlterTable"}}}}),
        json!({"dtstestdata": {"name": "dtstestdata", "all": false,
            "Table": {"customer": {"name": "customer", "all": false, "filter": "id>10",
                "column": {"id": {"name": "id"}, "gmt_create": {"name": "create_time", "key": "PRI", "state": "normal"}}}}}}),
        // Unknown attributes, object-valued ones included, and odd spellings survive.
        json!({"db": {"name": "db", "all": false, "state": "normal", "index_mapping": {"a": {"b": 1}},
            "table": {"t": {"all": "True", "attach_column": {"c": {"name": "c", "type": "int", "value": "1"}}}},
            "View": {"v": {}}, "Schema": null, "weird": [1, {"x": null}]}}),
    ] {
        let t = tree(&example);
        assert_eq!(t.to_value(), example, "the same JSON, up to key order");
        assert_eq!(tree(&t.to_value()), t);
    }
}

#[test]
fn container_keys_are_recognised_case_insensitively_and_kept_as_written() {
    let t = tree(&json!({"db": {"TABLE": {"a": {}}, "Column": {"c": {}}}}));
    let db = &t.databases["db"];
    assert_eq!(db.containers["TABLE"].kind, Kind::Table);
    assert_eq!(db.containers["Column"].kind, Kind::Column);
    assert!(db.child(Kind::Table, "a").is_some());
    assert_eq!(t.to_value()["db"]["TABLE"], json!({"a": {}}));
}

#[test]
fn a_container_holding_anything_but_objects_is_refused_not_read_as_an_attribute() {
    for odd in [
        json!({"db": {"Table": {"a": 1}}}),
        json!({"db": {"Table": {"a": {}, "b": null}}}),
        json!({"db": {"Table": ["a"]}}),
        json!({"db": {"table": "a"}}),
        json!({"db": {"Table": {"t": {"COLUMN": {"c": [1]}}}}}),
    ] {
        assert!(
            matches!(
                ObjectTree::from_value(&odd),
                Err(ObjectsError::BadContainer { .. } | ObjectsError::BadMember { .. })
            ),
            "{odd}"
        );
    }
}

#[test]
fn bad_lists_are_refused() {
    assert_eq!(ObjectTree::from_json("[]"), Err(ObjectsError::NotAnObject));
    assert_eq!(
        ObjectTree::from_json(r#"{"db": true}"#),
        Err(ObjectsError::DatabaseNotAnObject("db".into()))
    );
    assert!(matches!(
        ObjectTree::from_json("{"),
        Err(ObjectsError::Json(_))
    ));
}

#[test]
fn walk_addresses_and_counts() {
    let t =
        tree(&json!({"shop": {"Table": {"orders": {"column": {"id": {}}}, "a.b": {}}}, "crm": {}}));
    let addresses: Vec<String> = t
        .walk()
        .iter()
        .map(|(a, k, _)| format!("{k} {a}"))
        .collect();
    assert_eq!(
        addresses,
        [
            "database crm",
            "database shop",
            "table shop.\"a.b\"",
            "table shop.orders",
            "column shop.orders.id"
        ]
    );
    assert_eq!(t.count(), 4, "the column counts as part of its table");
    let (kind, _) = t.get(&Address::parse("shop.orders.id").unwrap()).unwrap();
    assert_eq!(kind, Kind::Column);
    assert!(t.get(&Address::parse("shop.nope").unwrap()).is_none());
}

/// A diff, one line a change.
fn shown(d: &super::diff::ObjectDiff) -> Vec<String> {
    d.changes
        .iter()
        .map(|c| match &c.change {
            Change::Added { objects } => format!("+ {} {} ({objects})", c.kind, c.address),
            Change::Removed { objects } => format!("- {} {} ({objects})", c.kind, c.address),
            Change::Narrowed { listed } => {
                format!("- rest of {} {} ({listed} listed)", c.kind, c.address)
            }
            Change::Unlisted { objects, settings } => {
                format!(
                    "~ unlisted {} {} ({objects}) {settings:?}",
                    c.kind, c.address
                )
            }
            Change::Changed { attrs } => format!(
                "~ {} {} {:?}",
                c.kind,
                c.address,
                attrs.iter().map(|a| a.name.as_str()).collect::<Vec<_>>()
            ),
        })
        .collect()
}

/// Narrowing a live object taken whole to a list removes what is not listed; widening
/// a list to the whole object removes nothing.
#[test]
fn narrowing_is_a_removal_and_widening_is_not() {
    let whole_db = tree(&json!({"shop": {"name": "shop", "all": true}}));
    let listed_db = tree(&json!({"shop": {"name": "shop", "all": false, "Table": {
        "orders": {"name": "orders", "all": true}}}}));
    let d = diff(&listed_db, &whole_db);
    assert_eq!(
        shown(&d),
        [
            "- rest of database shop (1 listed)",
            "~ database shop [\"all\"]",
            "+ table shop.orders (1)"
        ]
    );
    assert_eq!(d.counts(), (1, 1, 1));
    assert_eq!(d.removals().count(), 1);
    // all = false with nothing listed narrows to nothing.
    let nothing = tree(&json!({"shop": {"name": "shop", "all": false}}));
    assert_eq!(
        shown(&diff(&nothing, &whole_db))[0],
        "- rest of database shop (0 listed)"
    );
    // An unset `all` may be read as true: narrowing it to false is a removal.
    let unset = tree(&json!({"shop": {"name": "shop"}}));
    assert_eq!(diff(&listed_db, &unset).removals().count(), 1);
    // ... but the same spelling on both sides is read the same way.
    let unset_listed = tree(&json!({"shop": {"Table": {"orders": {"all": true}}}}));
    assert_eq!(diff(&unset_listed, &unset).removals().count(), 0);

    // A whole table narrowed to columns.
    let whole_table = tree(&json!({"shop": {"all": false, "Table": {"orders": {"all": true}}}}));
    let columns = tree(
        &json!({"shop": {"all": false, "Table": {"orders": {"all": false,
        "column": {"id": {"name": "id"}}}}}}),
    );
    assert_eq!(
        shown(&diff(&columns, &whole_table))[0],
        "- rest of table shop.orders (1 listed)"
    );

    // Widening: the listed tables are no longer listed, but replicated all the same.
    let widened = tree(&json!({"shop": {"name": "shop", "all": true}}));
    let live = tree(&json!({"shop": {"name": "shop", "all": false, "Table": {
        "orders": {"name": "orders_v2", "all": true, "filter": "id > 1"},
        "customers": {"name": "customers", "all": false, "column": {"id": {}}}}}}));
    let d = diff(&widened, &live);
    assert_eq!(
        shown(&d),
        [
            "~ database shop [\"all\"]",
            "~ unlisted table shop.customers (1) []",
            "~ unlisted table shop.orders (1) [\"filter = \\\"id > 1\\\"\", \"name = \\\"orders_v2\\\"\"]"
        ]
    );
    assert_eq!(d.removals().count(), 0);
    assert_eq!(d.counts(), (0, 3, 0));
    // Columns hold nothing: dropping a column list is widening, and never narrows.
    assert_eq!(diff(&whole_table, &columns).removals().count(), 0);

    // A table given a column list inside a database taken whole replicated whole
    // before, as part of it: adding it this way narrows it.
    let added = tree(&json!({"shop": {"name": "shop", "all": true, "Table": {
        "orders": {"name": "orders", "all": false, "column": {"id": {}}}}}}));
    assert_eq!(
        shown(&diff(&added, &whole_db)),
        [
            "+ table shop.orders (1)",
            "- rest of table shop.orders (1 listed)"
        ]
    );
    // A list nested in a whole object narrows again: what it drops is removed.
    let live = tree(
        &json!({"shop": {"all": true, "Schema": {"s": {"all": false, "Table": {
        "t": {"all": true}}}}}}),
    );
    let sent = tree(&json!({"shop": {"all": true, "Schema": {"s": {"all": false, "Table": {}}}}}));
    assert_eq!(shown(&diff(&sent, &live)), ["- table shop.s.t (1)"]);
}

#[test]
fn diff_is_keyed_not_positional() {
    let live = tree(
        &json!({"shop": {"name": "shop", "all": false, "state": "normal", "Table": {
        "a": {"name": "a", "all": true, "state": "normal"},
        "b": {"name": "b", "all": true, "filter": "x > 1"},
        "legacy": {"name": "legacy", "all": false, "column": {"id": {}, "v": {}}}}}}),
    );
    // Same objects in another order, one changed, one added, one gone.
    let payload = tree(&json!({"shop": {"all": false, "name": "shop", "Table": {
        "new": {"name": "new", "all": true},
        "b": {"all": "true", "filter": "x > 2", "name": "b"},
        "a": {"all": true, "name": "a"}}}}));
    let d = diff(&payload, &live);
    assert_eq!(
        shown(&d),
        [
            "~ table shop.b [\"filter\"]",
            "- table shop.legacy (1)",
            "+ table shop.new (1)"
        ]
    );
    assert_eq!(d.counts(), (1, 1, 1));
    assert_eq!(d.suppressed.state_markers, 2);
    assert_eq!(d.suppressed.boolean_spellings, 1);
    assert!(diff(&live, &live).is_empty());
}

#[test]
fn merge_keeps_unmentioned_live_objects_except_declared_removals() {
    let live = tree(&json!({"shop": {"name": "shop", "all": false, "Table": {
        "a": {"name": "a", "all": true}, "b": {"name": "b", "all": true}, "gone": {"name": "gone", "all": true}}},
        "crm": {"name": "crm", "all": true}}));
    let desired = tree(
        &json!({"shop": {"name": "shop", "all": false, "Table": {"a": {"name": "a", "all": true, "filter": "x"}}}}),
    );
    let gone = Address::parse("shop.gone").unwrap();
    let merged = merge_unmentioned(&desired, &live, &|a| a == &gone);
    assert_eq!(
        merged.to_value(),
        json!({"crm": {"name": "crm", "all": true}, "shop": {"all": false, "name": "shop", "Table": {
            "a": {"all": true, "filter": "x", "name": "a"}, "b": {"all": true, "name": "b"}}}})
    );
    let d = diff(&merged, &live);
    assert_eq!(d.counts(), (0, 1, 1));
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[ -~]{0,12}".prop_map(Value::String),
        "\\PC{0,6}".prop_map(Value::String),
    ]
}

fn attr_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn attr_key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "name",
            "all",
            "filter",
            "dml_op",
            "ddl_op",
            "state",
            "srcSchema",
            "key"
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}".prop_filter("not a container key", |k| Kind::from_container_key(k)
            .is_none()),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let attrs = proptest::collection::btree_map(attr_key(), attr_value(), 0..4);
    attrs
        .prop_map(|attrs| Node {
            attrs,
            containers: BTreeMap::default(),
        })
        .prop_recursive(3, 24, 3, |inner| {
            let spelling = proptest::sample::select(vec![
                "Table",
                "table",
                "column",
                "View",
                "Schema",
                "attach_column",
            ]);
            let containers = proptest::collection::btree_map(
                spelling,
                proptest::collection::btree_map("\\PC{1,6}", inner, 0..3),
                0..3,
            );
            (
                proptest::collection::btree_map(attr_key(), attr_value(), 0..3),
                containers,
            )
                .prop_map(|(attrs, containers)| Node {
                    attrs,
                    containers: containers
                        .into_iter()
                        .map(|(key, nodes)| {
                            let kind = Kind::from_container_key(key).expect("a container key");
                            (key.to_owned(), Container { kind, nodes })
                        })
                        .collect(),
                })
        })
}

fn object_tree() -> impl Strategy<Value = ObjectTree> {
    proptest::collection::btree_map("\\PC{1,8}", node(), 0..4)
        .prop_map(|databases| ObjectTree { databases })
}

/// Any JSON object, with keys that are often container keys.
fn any_object() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        proptest::sample::select(vec!["Table", "table", "column", "View", "name", "all"])
            .prop_map(str::to_owned),
        "\\PC{1,4}",
    ];
    leaf()
        .prop_recursive(4, 40, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::vec((key.clone(), inner), 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .prop_map(|v| serde_json::json!({ "db": v, "other": {} }))
}

proptest! {
    #[test]
    fn parsing_text_agrees_with_parsing_a_value(v in any_object()) {
        let text = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(ObjectTree::from_json(&text), ObjectTree::from_value(&v));
    }

    #[test]
    fn tree_to_json_to_tree_is_the_identity(t in object_tree()) {
        let json = t.to_json();
        prop_assert_eq!(ObjectTree::from_json(&json).unwrap(), t.clone());
        prop_assert_eq!(ObjectTree::from_json(&t.to_pretty_json()).unwrap(), t);
    }

    #[test]
    fn a_tree_never_differs_from_itself_and_diffs_are_symmetric(a in object_tree(), b in object_tree()) {
        prop_assert!(diff(&a, &a).is_empty());
        // What one direction adds, the other removes or no longer lists, and the other
        // way round.
        let gone = |d: &super::diff::ObjectDiff| -> Vec<(Address, usize)> {
            d.changes.iter().filter_map(|c| match c.change {
                Change::Removed { objects } | Change::Unlisted { objects, .. } => Some((c.address.clone(), objects)),
                _ => None,
            }).collect()
        };
        let added = |d: &super::diff::ObjectDiff| -> Vec<(Address, usize)> {
            d.changes.iter().filter_map(|c| match c.change {
                Change::Added { objects } => Some((c.address.clone(), objects)),
                _ => None,
            }).collect()
        };
        let (there, back) = (diff(&a, &b), diff(&b, &a));
        prop_assert_eq!(added(&there), gone(&back));
        prop_assert_eq!(gone(&there), added(&back));
    }
}
