//! A live object list as the blocks a configuration declares it with: `database`,
//! `schema`, `table`, `view`, `column` (or `columns = [...]`), ... nested as DTS nests
//! them, each with what makes it read back as the live object — `target` for a rename,
//! `all` where the live value is not what the block's contents imply (`null` where the
//! live list leaves it out), `filter`, `dml_op` / `ddl_op`, and every other attribute
//! through `attributes`. Never a `db_list`.
//!
//! What blocks cannot say is returned as [`Unwritable`], naming the object: import then
//! leaves the job out rather than write a resource whose first plan would change it.

use hcl::{Block, Expression};
use serde_json::Value;

use super::literal;
use crate::config::child_kinds;
use crate::objects::normalize::{SERVER_ATTRS, as_bool};
use crate::objects::{Address, Kind, Node, ObjectTree};

/// Attributes an object block writes with an attribute of its own.
const OWN: &[&str] = &["name", "all", "filter", "dml_op", "ddl_op"];

/// Something in a live job that a configuration cannot say: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritable {
    pub what: String,
    pub reason: String,
}

impl Unwritable {
    fn object(kind: Kind, address: &Address, reason: impl Into<String>) -> Unwritable {
        Unwritable {
            what: format!("{kind} {address}"),
            reason: reason.into(),
        }
    }
}

/// The blocks of a live object list, databases in name order.
pub fn blocks(tree: &ObjectTree) -> Result<Vec<Block>, Vec<Unwritable>> {
    let mut errors = Vec::new();
    let blocks = tree
        .databases
        .iter()
        .map(|(name, node)| {
            block(
                Kind::Database,
                name,
                node,
                &Address::new([name.as_str()]),
                &mut errors,
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(blocks)
    } else {
        Err(errors)
    }
}

/// The block of one live object (of `kind`, named `name`, at `address`), and what is
/// inside it.
pub fn object_block(
    kind: Kind,
    name: &str,
    node: &Node,
    address: &Address,
) -> Result<Block, Vec<Unwritable>> {
    let mut errors = Vec::new();
    let block = block(kind, name, node, address, &mut errors);
    if errors.is_empty() {
        Ok(block)
    } else {
        Err(errors)
    }
}

fn block(
    kind: Kind,
    name: &str,
    node: &Node,
    address: &Address,
    errors: &mut Vec<Unwritable>,
) -> Block {
    let mut b = Block::builder(kind.noun()).add_label(literal::label(name));
    if name.is_empty() {
        errors.push(Unwritable::object(
            kind,
            address,
            "its name is empty, which a configuration cannot declare",
        ));
    }
    match node.attrs.get("name") {
        None => {}
        Some(Value::String(target)) if target == name => {}
        Some(Value::String(target)) => {
            b = b.add_attribute(("target", literal::string(target)));
        }
        Some(other) => errors.push(Unwritable::object(
            kind,
            address,
            format!("its destination name is {other}, not a string"),
        )),
    }
    if let Some(all) = all_attribute(kind, node, address, errors) {
        b = b.add_attribute(("all", all));
    }
    if let Some(filter) = node.attrs.get("filter") {
        b = b.add_attribute(("filter", literal::value(filter)));
    }
    for op in ["dml_op", "ddl_op"] {
        match node.attrs.get(op) {
            None => {}
            Some(Value::String(ops)) => b = b.add_attribute((op, op_list(ops))),
            Some(other) => errors.push(Unwritable::object(
                kind,
                address,
                format!("its {op} is {other}, not a comma-separated string"),
            )),
        }
    }
    let mut others = hcl::Object::new();
    for (key, value) in &node.attrs {
        if !OWN.contains(&key.as_str()) && !SERVER_ATTRS.contains(&key.as_str()) {
            others.insert(literal::key(key), literal::value(value));
        }
    }
    if !others.is_empty() {
        b = b.add_attribute(("attributes", Expression::Object(others)));
    }
    let children = unique_children(node);
    let shorthand = columns_shorthand(kind, &children);
    if let Some(columns) = &shorthand {
        b = b.add_attribute((
            "columns",
            Expression::Array(columns.iter().map(|c| literal::string(c)).collect()),
        ));
    }
    for (child_kind, child_name, child) in children {
        if shorthand.is_some() && child_kind == Kind::Column {
            continue;
        }
        let child_address = address.child(child_name);
        if !child_kinds(kind).contains(&child_kind) {
            errors.push(Unwritable::object(
                child_kind,
                &child_address,
                format!("a {child_kind} inside a {kind} cannot be declared with blocks"),
            ));
            continue;
        }
        b = b.add_block(block(child_kind, child_name, child, &child_address, errors));
    }
    b.build()
}

/// `all = ...` when the live value differs from what the block implies (true when it
/// lists nothing, false when it does; nothing for a column), `all = null` when the live
/// object has none.
fn all_attribute(
    kind: Kind,
    node: &Node,
    address: &Address,
    errors: &mut Vec<Unwritable>,
) -> Option<Expression> {
    let column = kind.is_part_of_parent();
    let implied = (!column).then(|| !node.containers.values().any(|c| !c.nodes.is_empty()));
    match node.attrs.get("all") {
        None => (!column).then_some(Expression::Null),
        Some(v) => match as_bool(v) {
            Some(all) if Some(all) == implied => None,
            Some(all) => Some(Expression::Bool(all)),
            None => {
                errors.push(Unwritable::object(
                    kind,
                    address,
                    format!("its all is {v}, neither true nor false"),
                ));
                None
            }
        },
    }
}

/// `["insert", "update"]` for `"insert,update"`; the string itself when a list would
/// not join back to exactly it (spaces, empty entries).
fn op_list(ops: &str) -> Expression {
    let parts: Vec<&str> = ops.split(',').collect();
    if parts.iter().all(|p| !p.is_empty() && p.trim() == *p) {
        Expression::Array(parts.into_iter().map(literal::string).collect())
    } else {
        literal::string(ops)
    }
}

/// The children as the diff sees them: one per kind and name (a name under two spellings
/// of one container counts as its first).
fn unique_children(node: &Node) -> Vec<(Kind, &str, &Node)> {
    let mut children = node.children();
    children.dedup_by(|b, a| (a.0, a.1) == (b.0, b.1));
    children
}

/// The column names of a table or view whose columns are only names, in the same
/// spelling as the source: those are written `columns = [...]`.
fn columns_shorthand(kind: Kind, children: &[(Kind, &str, &Node)]) -> Option<Vec<String>> {
    if !matches!(kind, Kind::Table | Kind::View) {
        return None;
    }
    let columns: Vec<&(Kind, &str, &Node)> = children
        .iter()
        .filter(|(k, _, _)| *k == Kind::Column)
        .collect();
    let plain = |(_, name, node): &&(Kind, &str, &Node)| {
        !name.is_empty()
            && node.containers.values().all(|c| c.nodes.is_empty())
            && node.attrs.iter().all(|(k, v)| {
                SERVER_ATTRS.contains(&k.as_str()) || (k == "name" && v.as_str() == Some(*name))
            })
    };
    (!columns.is_empty() && columns.iter().all(plain))
        .then(|| columns.iter().map(|(_, n, _)| (*n).to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tree: &str) -> String {
        let tree = ObjectTree::from_json(tree).unwrap();
        let body = hcl::Body::builder()
            .add_blocks(blocks(&tree).unwrap())
            .build();
        literal::text(&body)
    }

    #[test]
    fn a_list_reads_as_blocks() {
        let out = text(
            r#"{"shop":{"name":"shop_copy","all":false,"state":"normal","Table":{
                "orders":{"name":"orders","all":true,"filter":"status = 'paid' and note = \"x\"","dml_op":"insert,update","state":"normal"},
                "pay":{"all":false,"column":{"id":{"name":"id"},"amount":{"name":"amount"}}},
                "users":{"name":"users","all":false,"column":{"id":{"name":"uid","type":"int"}}}},
                "View":{"v":{"name":"v","all":true}}},
              "crm":{"all":true,"srcSchema":"dbo"},"odd":{"name":"odd"}}"#,
        );
        assert_eq!(
            out,
            r#"database "crm" {
  attributes = {
    srcSchema = "dbo"
  }
}

database "odd" {
  all = null
}

database "shop" {
  target = "shop_copy"

  table "orders" {
    filter = "status = 'paid' and note = \"x\""
    dml_op = ["insert", "update"]
  }

  table "pay" {
    columns = ["amount", "id"]
  }

  table "users" {
    column "id" {
      target     = "uid"
      attributes = {
        type = "int"
      }
    }
  }

  view "v" {}
}
"#
        );
    }

    #[test]
    fn what_blocks_cannot_say_is_named() {
        let tree = ObjectTree::from_json(
            r#"{"d":{"all":"maybe","Table":{"t":{"name":5,"dml_op":["insert"],"Table":{"inner":{}}}}}}"#,
        )
        .unwrap();
        let errors = blocks(&tree).unwrap_err();
        let shown: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.what, e.reason))
            .collect();
        assert_eq!(
            shown,
            [
                "database d: its all is \"maybe\", neither true nor false",
                "table d.t: its destination name is 5, not a string",
                "table d.t: its dml_op is [\"insert\"], not a comma-separated string",
                "table d.t.inner: a table inside a table cannot be declared with blocks",
            ]
        );
    }
}
