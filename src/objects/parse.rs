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

use super::{Container, Kind, Node, ObjectTree, ObjectsError};

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

/// Whether every entry, counting only the last of a repeated key, is an object.
fn holds_only_objects(entries: &[(String, Raw)]) -> bool {
    entries.iter().enumerate().all(|(i, (name, value))| {
        value.is_object() || entries[i + 1..].iter().any(|(later, _)| later == name)
    })
}

/// The node an object's entries describe (see the module docs of `objects`).
fn node(entries: Vec<(String, Raw)>) -> Node {
    let mut node = Node::default();
    for (key, value) in entries {
        // A repeated key replaces what the earlier one made, attribute or container.
        node.attrs.remove(&key);
        node.containers.remove(&key);
        let kind = Kind::from_container_key(&key).filter(|_| match &value {
            Raw::Object(children) => holds_only_objects(children),
            Raw::Other(_) => false,
        });
        match (kind, value) {
            (Some(kind), Raw::Object(children)) => {
                let mut nodes = BTreeMap::new();
                for (name, child) in children {
                    let child = match child {
                        Raw::Object(entries) => self::node(entries),
                        Raw::Other(_) => Node::default(),
                    };
                    nodes.insert(name, child);
                }
                node.containers.insert(key, Container { kind, nodes });
            }
            (_, value) => {
                node.attrs.insert(key, value.into_value());
            }
        }
    }
    node
}

/// Parses a DbList / DbObject JSON string.
pub(super) fn from_json(text: &str) -> Result<ObjectTree, ObjectsError> {
    let raw: Raw = serde_json::from_str(text).map_err(|e| ObjectsError::Json(e.to_string()))?;
    let Raw::Object(entries) = raw else {
        return Err(ObjectsError::NotAnObject);
    };
    let mut databases = BTreeMap::new();
    for (name, db) in entries {
        let Raw::Object(db) = db else {
            return Err(ObjectsError::DatabaseNotAnObject(name));
        };
        databases.insert(name, node(db));
    }
    Ok(ObjectTree { databases })
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
            "{}",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                from_json(text).unwrap(),
                ObjectTree::from_value(&value).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_the_value_path_rejects() {
        assert!(matches!(from_json("[1]"), Err(ObjectsError::NotAnObject)));
        assert!(matches!(
            from_json(r#"{"shop":1}"#),
            Err(ObjectsError::DatabaseNotAnObject(n)) if n == "shop"
        ));
        assert!(matches!(
            from_json(r#"{"shop":"#),
            Err(ObjectsError::Json(_))
        ));
    }
}
