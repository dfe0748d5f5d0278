//! A call's parameters: the JSON object of a POST body, or the flattened parameters of
//! a GET query or form body (`MigrateOption.RunMode=1`) made into the same object; and
//! typed readers for its fields, refusing what the service refuses.

use std::time::SystemTime;

use axum::http::Method;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;
use time::macros::{format_description, offset};

use super::reply::Failure;
use crate::emulator::pipeline::{Incoming, decode_pairs, is_form};

/// A Tencent request's parameters: the JSON object of a POST body, or the flattened
/// parameters of a GET query or a form-encoded POST body.
pub(crate) fn from_request(incoming: &Incoming<'_>) -> Result<Map<String, Value>, Failure> {
    if incoming.method == Method::GET {
        return unflatten(&decode_pairs(incoming.query.as_bytes()));
    }
    if is_form(incoming.headers) {
        return unflatten(&decode_pairs(incoming.body));
    }
    match serde_json::from_slice::<Value>(incoming.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::new(
            "InvalidParameter",
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(Failure::new(
            "InvalidParameter",
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

/// The largest list in flattened parameters (a bound on what one name can allocate).
const MAX_FLAT_INDEX: usize = 1000;

/// Parameters sent flattened (`GET` query or form body: `MigrateOption.RunMode=1`,
/// `TagFilters.0.TagKey=k`) as the JSON object a POST would carry. Values stay strings;
/// integer parameters accept numeric strings.
pub fn unflatten(pairs: &[(String, String)]) -> Result<Map<String, Value>, Failure> {
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let path: Vec<&str> = key.split('.').collect();
        if path.iter().any(|p| p.is_empty()) {
            return Err(Failure::invalid(key, "the parameter name is malformed"));
        }
        insert_path(&mut root, &path, value, key)?;
    }
    match root {
        Value::Object(map) => Ok(map),
        _ => Err(Failure::invalid("", "the parameters are malformed")),
    }
}

fn insert_path(node: &mut Value, path: &[&str], value: &str, key: &str) -> Result<(), Failure> {
    let conflict = || {
        Failure::invalid(
            key,
            "it is given more than once or conflicts with another parameter",
        )
    };
    let Some((first, rest)) = path.split_first() else {
        return Err(conflict());
    };
    let child = match (node, first.parse::<usize>()) {
        (Value::Object(map), _) => map
            .entry((*first).to_owned())
            .or_insert_with(|| new_node(rest)),
        (Value::Array(_), Ok(index)) if index >= MAX_FLAT_INDEX => {
            return Err(Failure::invalid(
                key,
                format!("list indexes go up to {}", MAX_FLAT_INDEX - 1),
            ));
        }
        (Value::Array(items), Ok(index)) => {
            if items.len() <= index {
                items.resize(index + 1, Value::Null);
            }
            let slot = &mut items[index];
            if slot.is_null() {
                *slot = new_node(rest);
            }
            slot
        }
        _ => return Err(conflict()),
    };
    if rest.is_empty() {
        return if child.is_null() {
            *child = Value::String(value.to_owned());
            Ok(())
        } else {
            Err(conflict())
        };
    }
    if !(child.is_object() || child.is_array()) {
        return Err(conflict());
    }
    insert_path(child, rest, value, key)
}

/// The container for the next path element: an array for an index, else an object; a
/// leaf starts empty (`Null`).
fn new_node(rest: &[&str]) -> Value {
    match rest.first() {
        None => Value::Null,
        Some(next) if next.parse::<usize>().is_ok() => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
    }
}

/// Refuses keys not in `known`; `prefix` names the enclosing parameter in messages.
pub fn check_known(map: &Map<String, Value>, known: &[&str], prefix: &str) -> Result<(), Failure> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(Failure::unknown_parameter(&format!("{prefix}{k}"))),
        None => Ok(()),
    }
}

/// A present, non-null value.
pub fn get<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name).filter(|v| !v.is_null())
}

pub fn string<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'m str>, Failure> {
    match get(map, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Failure::invalid(path, "it must be a String")),
    }
}

/// An integer: a JSON integer, or a string of one (GET and form parameters).
pub fn integer(map: &Map<String, Value>, name: &str, path: &str) -> Result<Option<i64>, Failure> {
    let not_integer = || Failure::invalid(path, "it must be an Integer");
    match get(map, name) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(not_integer),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| not_integer()),
        Some(_) => Err(not_integer()),
    }
}

/// An integer that must be one of `allowed`.
pub fn integer_in(
    map: &Map<String, Value>,
    name: &str,
    path: &str,
    allowed: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Failure> {
    match integer(map, name, path)? {
        Some(n) if !allowed.contains(&n) => Err(Failure::invalid_value(
            path,
            format!("{n} is not from {} to {}", allowed.start(), allowed.end()),
        )),
        n => Ok(n),
    }
}

pub fn object<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'m Map<String, Value>>, Failure> {
    match get(map, name) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Failure::invalid(path, "it must be an object")),
    }
}

pub fn array<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'m Vec<Value>>, Failure> {
    match get(map, name) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(Failure::invalid(path, "it must be an array")),
    }
}

/// `JobId`, required and non-empty.
pub fn job_id(params: &Map<String, Value>) -> Result<&str, Failure> {
    string(params, "JobId", "JobId")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failure::missing("JobId"))
}

/// `yyyy-mm-dd hh:mm:ss`, China Standard Time, as a point in time.
pub fn parse_tencent_time(text: &str) -> Option<SystemTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let local = PrimitiveDateTime::parse(text, format).ok()?;
    crate::util::from_datetime(local.assume_offset(offset!(+8)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flattened_parameters_become_objects_and_arrays() {
        let pairs: Vec<(String, String)> = [
            ("JobId", "dts-1"),
            ("MigrateOption.RunMode", "1"),
            ("TagFilters.0.TagKey", "k"),
            ("TagFilters.0.TagValue.1", "b"),
            ("TagFilters.0.TagValue.0", "a"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let map = unflatten(&pairs).unwrap();
        assert_eq!(
            Value::Object(map),
            json!({"JobId": "dts-1", "MigrateOption": {"RunMode": "1"},
                   "TagFilters": [{"TagKey": "k", "TagValue": ["a", "b"]}]})
        );
        for bad in [
            &[("L.1000", "1")][..],
            &[("A", "1"), ("A", "2")][..],
            &[("A", "1"), ("A.B", "2")][..],
            &[("A.B", "1"), ("A", "2")][..],
            &[("A..B", "1")][..],
        ] {
            let pairs: Vec<(String, String)> = bad
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(
                unflatten(&pairs).unwrap_err().code,
                "InvalidParameter",
                "{bad:?}"
            );
        }
    }
}
