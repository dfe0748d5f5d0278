//! DbList / DbObject JSON text straight into the tree.
//!
//! Going through `serde_json::Value` first would build an insertion-ordered map (with
//! its hash table) for every object and then take it apart again; a live list of a
//! megabyte has thousands of them. Here objects are read as plain lists of entries and
//! only attribute values become `Value`s. The result is exactly what
//! [`ObjectTree::from_value`] gives for the same text, duplicate keys included (the last
//! one wins, as in `serde_json`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{Address, Container, Kind, Node, ObjectTree, ObjectsError};

/// A JSON value with its objects kept as entry lists.
enum Raw {
    Object(Vec<(String, Raw)>),
    Other(Value),
}

impl Raw {
    fn into_value(self) -> Value {
        match self {
            Raw::Other(v) => v,
            Raw::Object(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k, v.into_value());
                }
                Value::Object(map)
            }
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Raw::Object(_))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Other(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Other(Value::Number(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Other(Value::Number(v.into())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Other(
            Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Other(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Other(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Other(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Other(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Raw::Other(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((key, value)) = map.next_entry::<String, Raw>()? {
            entries.push((key, value));
        }
        Ok(Raw::Object(entries))
    }
}

impl Raw {
    /// A `serde_json::Value` as a `Raw`, moving its strings (for trees built from values).
    fn from_value(value: Value) -> Raw {
        match value {
            Value::Object(map) => Raw::Object(
                map.into_iter()
                    .map(|(k, v)| (k, Raw::from_value(v)))
                    .collect(),
            ),
            other => Raw::Other(other),
        }
    }

    /// What it is, for messages.
    fn noun(&self) -> &'static str {
        match self {
            Raw::Object(_) | Raw::Other(Value::Object(_)) => "an object",
            Raw::Other(Value::Array(_)) => "an array",
            Raw::Other(Value::String(_)) => "a string",
            Raw::Other(Value::Number(_)) => "a number",
            Raw::Other(Value::Bool(_)) => "a boolean",
            Raw::Other(Value::Null) => "null",
        }
    }
}

/// Keys named like a container kind that DTS also uses as plain attributes with a scalar
/// value (reference §9: a column's or an AnalyticDB table's `type`).
const SCALAR_ATTRIBUTES: &[&str] = &["type"];

/// Whether `key: value` in an object reads as an attribute of it (and not as a container
/// of child objects), by the rules of [`classify`]: a key that names no container kind,
/// or one that does holding `null` or, for a key DTS documents as an attribute (`type`),
/// a scalar. The configuration's `attributes` may set exactly these.
pub fn is_attribute(key: &str, value: &Value) -> bool {
    Kind::from_container_key(key).is_none()
        || value.is_null()
        || (SCALAR_ATTRIBUTES.contains(&key)
            && matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)))
}

/// What one entry of an object is.
enum Entry {
    Attribute,
    /// A container of this kind, and which of its members a later one supersedes.
    Container(Kind, Superseded),
}

/// Where an object is, as the chain of its ancestors' names: built into an [`Address`]
/// only for a message, so reading a list allocates nothing per object for it.
#[derive(Clone, Copy)]
struct Trail<'a> {
    parent: Option<&'a Trail<'a>>,
    name: &'a str,
}

impl<'a> Trail<'a> {
    fn child(&'a self, name: &'a str) -> Trail<'a> {
        Trail {
            parent: Some(self),
            name,
        }
    }

    fn address(&self) -> Address {
        let mut names = vec![self.name];
        let mut at = self.parent;
        while let Some(t) = at {
            names.push(t.name);
            at = t.parent;
        }
        names.reverse();
        Address::new(names)
    }
}

/// Which entries of an object a later entry with the same key supersedes (only the last
/// one counts, as in `serde_json`); `None` when no key repeats, the common case.
type Superseded = Option<Vec<bool>>;

fn superseded(s: &Superseded, i: usize) -> bool {
    s.as_ref().is_some_and(|s| s[i])
}

/// Classifies `key: value` under the object at `at`. A key that names a container kind
/// (in any case) must hold an object whose every member is an object: anything else
/// there could be objects DTS replicates that the tree would not see, so the list is
/// refused rather than read with them turned into an attribute a write would drop.
/// The only exceptions are `null` (nothing inside) and a scalar under a key DTS
/// documents as an attribute (`type`).
fn classify(at: &Trail<'_>, key: &str, value: &Raw) -> Result<Entry, ObjectsError> {
    let Some(kind) = Kind::from_container_key(key) else {
        return Ok(Entry::Attribute);
    };
    let bad = |found: &'static str| ObjectsError::BadContainer {
        at: at.address().to_string(),
        key: key.to_owned(),
        found,
    };
    match value {
        Raw::Object(members) => {
            let later = repeated_later(members);
            for (i, (name, member)) in members.iter().enumerate() {
                if !superseded(&later, i) && !member.is_object() {
                    return Err(ObjectsError::BadMember {
                        at: at.address().to_string(),
                        key: key.to_owned(),
                        member: name.clone(),
                        found: member.noun(),
                    });
                }
            }
            Ok(Entry::Container(kind, later))
        }
        Raw::Other(Value::Null) => Ok(Entry::Attribute),
        Raw::Other(Value::String(_) | Value::Number(_) | Value::Bool(_))
            if SCALAR_ATTRIBUTES.contains(&key) =>
        {
            Ok(Entry::Attribute)
        }
        other @ Raw::Other(_) => Err(bad(other.noun())),
    }
}

/// For each entry, whether a later entry repeats its key (see [`Superseded`]).
fn repeated_later(entries: &[(String, Raw)]) -> Superseded {
    // Most objects are small and repeat nothing: look without allocating first.
    let repeats = if entries.len() <= 8 {
        entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries[i + 1..].iter().any(|(k, _)| k == key))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        !entries.iter().all(|(key, _)| seen.insert(key.as_str()))
    };
    if !repeats {
        return None;
    }
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    let mut out = vec![false; entries.len()];
    for (i, (key, _)) in entries.iter().enumerate().rev() {
        out[i] = !seen.insert(key.as_str());
    }
    Some(out)
}

/// The node an object's entries describe (see the module docs of `objects`); `at` is
/// its address, for messages.
fn node(at: &Trail<'_>, entries: Vec<(String, Raw)>) -> Result<Node, ObjectsError> {
    let mut node = Node::default();
    let later = repeated_later(&entries);
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if superseded(&later, i) {
            continue;
        }
        match (classify(at, &key, &value)?, value) {
            (Entry::Container(kind, members_later), Raw::Object(children)) => {
                let mut nodes = BTreeMap::new();
                for (j, (name, child)) in children.into_iter().enumerate() {
                    // `classify` refused a member that counts and is not an object.
                    if let (false, Raw::Object(entries)) = (superseded(&members_later, j), child) {
                        let child = self::node(&at.child(&name), entries)?;
                        nodes.insert(name, child);
                    }
                }
                node.containers.insert(key, Container { kind, nodes });
            }
            (_, value) => {
                node.attrs.insert(key, value.into_value());
            }
        }
    }
    Ok(node)
}

/// The tree a DbList object describes.
fn tree(raw: Raw) -> Result<ObjectTree, ObjectsError> {
    let Raw::Object(entries) = raw else {
        return Err(ObjectsError::NotAnObject);
    };
    let mut databases = BTreeMap::new();
    let later = repeated_later(&entries);
    for (i, (name, db)) in entries.into_iter().enumerate() {
        if superseded(&later, i) {
            continue;
        }
        let Raw::Object(db) = db else {
            return Err(ObjectsError::DatabaseNotAnObject(name));
        };
        let db = node(
            &Trail {
                parent: None,
                name: &name,
            },
            db,
        )?;
        databases.insert(name, db);
    }
    Ok(ObjectTree { databases })
}

/// The tree's readers live with the parser, so the tree's module does not call into
/// this one while this one builds the tree's types.
impl ObjectTree {
    /// Parses a DbList / DbObject JSON string.
    pub fn from_json(text: &str) -> Result<ObjectTree, ObjectsError> {
        let raw: Raw = serde_json::from_str(text).map_err(|e| ObjectsError::Json(e.to_string()))?;
        tree(raw)
    }

    /// Reads a DbList given as a JSON value, by the same rules as [`ObjectTree::from_json`].
    pub fn from_value(value: &Value) -> Result<ObjectTree, ObjectsError> {
        from_owned_value(value.clone())
    }
}

/// [`ObjectTree::from_value`] for a value that is given away (no copy).
pub(super) fn from_owned_value(value: Value) -> Result<ObjectTree, ObjectsError> {
    tree(Raw::from_value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same tree as going through `serde_json::Value`, for awkward inputs.
    #[test]
    fn agrees_with_the_value_path() {
        for text in [
            r#"{"shop":{"all":false,"Table":{"orders":{"all":true,"filter":"id > 1"}}}}"#,
            r#"{"shop":{"Table":{"a":{}},"Table":{"b":{"x":[1,2.5,null,{"k":"v"}]}}}}"#,
            r#"{"shop":{"Table":{"a":{}},"Table":"not a container"}}"#,
            r#"{"shop":{"Table":"x","Table":{"a":{"column":{"c":{"name":"C"}}}}}}"#,
            r#"{"shop":{"Table":{"a":{},"b":1},"state":"normal","n":-3,"big":18446744073709551615}}"#,
            r#"{"shop":{"name":"s","name":"t"},"shop":{"all":true}}"#,
            r#"{"a.b":{"TABLE":{"x.y":{"all":"True"}},"table":{"x.y":{"all":true}}}}"#,
            r#"{"shop":{"Table":{"a":1,"a":{"all":true}}}}"#,
            r#"{"shop":{"Table":{"a":{},"a":1}}}"#,
            r#"{"shop":{"Table":{"a":{"column":{"c":1}},"a":{}}}}"#,
            "{}",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                ObjectTree::from_json(text),
                ObjectTree::from_value(&value),
                "{text}"
            );
        }
    }

    /// A container key holding anything but an object of objects could hide objects DTS
    /// replicates: such a list is refused, never read with them turned into attributes.
    #[test]
    fn containers_hold_only_objects_or_the_list_is_refused() {
        for (text, message) in [
            (
                r#"{"shop":{"Table":{"orders":{},"legacy":"x"}}}"#,
                r#"shop: "Table" holds "legacy", which is a string, not an object"#,
            ),
            (
                r#"{"shop":{"TABLE":{"orders":null}}}"#,
                r#"shop: "TABLE" holds "orders", which is null, not an object"#,
            ),
            (
                r#"{"shop":{"Table":{"orders":{"column":{"id":7}}}}}"#,
                r#"shop.orders: "column" holds "id", which is a number, not an object"#,
            ),
            (
                r#"{"shop":{"Table":["orders","customers"]}}"#,
                r#"shop: "Table" must be an object of objects (name → object), not an array"#,
            ),
            (
                r#"{"shop":{"view":"v1"}}"#,
                r#"shop: "view" must be an object of objects (name → object), not a string"#,
            ),
            (
                r#"{"shop":{"Table":{"a":{}},"Table":"not a container"}}"#,
                r#"shop: "Table" must be an object of objects (name → object), not a string"#,
            ),
        ] {
            let err = ObjectTree::from_json(text).unwrap_err();
            assert!(err.to_string().contains(message), "{text}: {err}");
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ObjectTree::from_value(&value), Err(err), "{text}");
        }
        // What is not a container of objects but says so plainly stays an attribute.
        let tree = ObjectTree::from_json(
            r#"{"shop":{"Table":{"t":{"type":"partition","column":{"c":{"type":"varchar"}}}},"View":null}}"#,
        )
        .unwrap();
        assert_eq!(tree.databases["shop"].attrs["View"], Value::Null);
        assert_eq!(tree.count(), 2);
    }

    #[test]
    fn rejects_what_the_value_path_rejects() {
        assert!(matches!(
            ObjectTree::from_json("[1]"),
            Err(ObjectsError::NotAnObject)
        ));
        assert!(matches!(
            ObjectTree::from_json(r#"{"shop":1}"#),
            Err(ObjectsError::DatabaseNotAnObject(n)) if n == "shop"
        ));
        assert!(matches!(
            ObjectTree::from_json(r#"{"shop":"#),
            Err(ObjectsError::Json(_))
        ));
    }
}
