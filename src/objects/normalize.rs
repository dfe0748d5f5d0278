//! What counts as "the same" when a desired object is compared with a live one.
//!
//! * `state` is owned by the server (it adds `"state":"normal"` to what it returns) and
//!   is never compared.
//! * An absent `name` means the source name.
//! * Boolean attributes (`all`, `case_sen`, `primaryKey`, `sharedKey`, `is_partition`,
//!   `is_join`) compare by truth: `true`, `"true"` and `"True"` are equal.
//! * `dml_op` and `ddl_op` are comma-separated sets: order, spacing and case do not
//!   matter (`"insert,update"` equals `"Update, insert"`).
//! * Numbers compare by value (`1` equals `1.0`), also inside lists and objects.
//! * Everything else, known or unknown, compares as JSON.
//!
//! Each difference a rule hides is counted in [`Suppressed`], so the plan can say how
//! many it did not show.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

/// Attributes the server owns (defined with the tree, which leaves them out when asked).
pub use super::SERVER_ATTRS;
const BOOLEAN_ATTRS: &[&str] = &[
    "all",
    "case_sen",
    "primaryKey",
    "sharedKey",
    "is_partition",
    "is_join",
];
const OP_LIST_ATTRS: &[&str] = &["dml_op", "ddl_op"];

/// The tree as it is compared: without the attributes the server owns (`state`).
pub fn without_server_attrs(tree: &super::ObjectTree) -> super::ObjectTree {
    fn strip(node: &mut super::Node) {
        node.attrs
            .retain(|k, _| !SERVER_ATTRS.contains(&k.as_str()));
        for container in node.containers.values_mut() {
            container.nodes.values_mut().for_each(strip);
        }
    }
    let mut tree = tree.clone();
    tree.databases.values_mut().for_each(strip);
    tree
}

/// Differences hidden by normalization, by rule.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    /// Server-added `state` markers.
    pub state_markers: usize,
    /// `"true"` vs `true` and the like.
    pub boolean_spellings: usize,
    /// `dml_op`/`ddl_op` lists equal as sets.
    pub op_lists: usize,
    /// An absent `name` vs the source name written out.
    pub implicit_names: usize,
    /// Live JSON whose key order or whitespace differs from the canonical form.
    pub key_order: usize,
}

impl Suppressed {
    pub fn total(&self) -> usize {
        self.state_markers
            + self.boolean_spellings
            + self.op_lists
            + self.implicit_names
            + self.key_order
    }

    pub fn add(&mut self, other: &Suppressed) {
        self.state_markers += other.state_markers;
        self.boolean_spellings += other.boolean_spellings;
        self.op_lists += other.op_lists;
        self.implicit_names += other.implicit_names;
        self.key_order += other.key_order;
    }

    /// `2 "state" markers, 1 key order` — the non-zero rules, for the plan's summary.
    pub fn breakdown(&self) -> String {
        [
            (
                self.state_markers,
                "server \"state\" marker",
                "server \"state\" markers",
            ),
            (
                self.boolean_spellings,
                "boolean spelling",
                "boolean spellings",
            ),
            (
                self.op_lists,
                "operation list spelling",
                "operation list spellings",
            ),
            (self.implicit_names, "implicit name", "implicit names"),
            (
                self.key_order,
                "key order/whitespace",
                "key order/whitespace",
            ),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// A boolean attribute's truth: `true`, `"true"`, `"True"`; `None` for anything else.
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn op_set(v: &Value) -> Option<BTreeSet<String>> {
    let text = v.as_str()?;
    Some(
        text.split(',')
            .map(|op| op.trim().to_ascii_lowercase())
            .filter(|op| !op.is_empty())
            .collect(),
    )
}

/// Equal after normalization, and the counter of the rule that made them equal, if one
/// did.
fn same(name: &str, desired: &Value, live: &Value) -> (bool, Option<fn(&mut Suppressed)>) {
    if desired == live {
        return (true, None);
    }
    if BOOLEAN_ATTRS.contains(&name)
        && let (Some(a), Some(b)) = (as_bool(desired), as_bool(live))
    {
        return (a == b, Some(|s: &mut Suppressed| s.boolean_spellings += 1));
    }
    if OP_LIST_ATTRS.contains(&name)
        && let (Some(a), Some(b)) = (op_set(desired), op_set(live))
    {
        return (a == b, Some(|s: &mut Suppressed| s.op_lists += 1));
    }
    (equal_numbers_by_value(desired, live), None)
}

/// JSON equality with every number, however deep, compared by value (`1` equals `1.0`).
fn equal_numbers_by_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal_numbers_by_value(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equal_numbers_by_value(v, w)))
        }
        _ => a == b,
    }
}

/// Whether attribute `key` counts as unchanged from `live` to `desired` (`None`:
/// absent) on an object whose source name is `source_name`; a difference a rule hides
/// is counted into `suppressed`.
pub fn same_attr(
    source_name: &str,
    key: &str,
    desired: Option<&Value>,
    live: Option<&Value>,
    suppressed: &mut Suppressed,
) -> bool {
    if SERVER_ATTRS.contains(&key) {
        if live.is_some() && desired != live {
            suppressed.state_markers += 1;
        }
        return true;
    }
    let (mut d, mut l) = (desired, live);
    let implicit_name;
    if key == "name" && d.is_none() != l.is_none() {
        implicit_name = Value::String(source_name.to_owned());
        if d.is_none() {
            d = Some(&implicit_name);
        } else {
            l = Some(&implicit_name);
        }
        if d == l {
            suppressed.implicit_names += 1;
            return true;
        }
    }
    match (d, l) {
        (Some(a), Some(b)) => {
            let (equal, rule) = same(key, a, b);
            if let (true, Some(count)) = (equal, rule) {
                count(suppressed);
            }
            equal
        }
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::objects::diff::compare_attrs;

    fn attrs(v: &Value) -> BTreeMap<String, Value> {
        v.as_object().unwrap().clone().into_iter().collect()
    }

    #[test]
    fn each_rule_hides_its_difference_and_counts_it() {
        let mut s = Suppressed::default();
        let desired = attrs(&json!({"all": true, "dml_op": "insert,update", "size": 1}));
        let live = attrs(
            &json!({"name": "orders", "all": "True", "dml_op": "Update, insert", "state": "normal", "size": 1.0}),
        );
        assert_eq!(compare_attrs("orders", &desired, &live, &mut s), vec![]);
        assert_eq!(
            s,
            Suppressed {
                state_markers: 1,
                boolean_spellings: 1,
                op_lists: 1,
                implicit_names: 1,
                ..Suppressed::default()
            }
        );
        assert_eq!(
            s.breakdown(),
            "1 server \"state\" marker, 1 boolean spelling, 1 operation list spelling, 1 implicit name"
        );
    }

    #[test]
    fn real_differences_are_reported_with_before_and_after() {
        let mut s = Suppressed::default();
        let desired = attrs(
            &json!({"name": "orders_v2", "all": false, "filter": "id > 1", "custom": {"x": 1}}),
        );
        let live =
            attrs(&json!({"name": "orders", "all": "true", "filter": "id > 0", "extra": "kept?"}));
        let changes = compare_attrs("orders", &desired, &live, &mut s);
        let names: Vec<_> = changes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["all", "custom", "extra", "filter", "name"]);
        let filter = &changes[3];
        assert_eq!(filter.before, Some(json!("id > 0")));
        assert_eq!(filter.after, Some(json!("id > 1")));
        assert_eq!(s.total(), 0);
    }

    /// A number in a value an HCL configuration writes (`attributes = { x = [1] }`)
    /// comes back as an integer; the live list may spell it `1.0`.
    #[test]
    fn numbers_compare_by_value_inside_values_too() {
        let mut s = Suppressed::default();
        let desired = attrs(&json!({"filter": {"$gt": [1, {"a": 2}]}, "x": 3}));
        let live = attrs(&json!({"filter": {"$gt": [1.0, {"a": 2.0}]}, "x": 3.0}));
        assert_eq!(compare_attrs("t", &desired, &live, &mut s), vec![]);
        let other = attrs(&json!({"filter": {"$gt": [1.5, {"a": 2.0}]}, "x": 3.0}));
        assert_eq!(compare_attrs("t", &desired, &other, &mut s).len(), 1);
    }

    #[test]
    fn an_explicit_name_that_differs_from_the_source_is_a_rename() {
        let mut s = Suppressed::default();
        let changes = compare_attrs(
            "orders",
            &attrs(&json!({"name": "o2"})),
            &attrs(&json!({})),
            &mut s,
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].before, None);
    }
}
