//! The object list of a write: `DbList`, checked as the service checks it, and the
//! tables a misbehaving service may drop from it.

use serde_json::{Map, Value};

use super::reply::Failure;
use crate::cloud::alibaba::limits::{MAX_DB_LIST_BYTES, check_db_list_size};

/// Parses and checks a `DbList`: at most 1 MB, a JSON object of objects.
pub fn parse_db_list(text: &str) -> Result<Map<String, Value>, Failure> {
    if let Err(e) = check_db_list_size(text.len()) {
        return Err(Failure::invalid(
            "DbList",
            format!(
                "it is {} bytes; the maximum is 1 MB ({MAX_DB_LIST_BYTES} bytes)",
                e.bytes
            ),
        ));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Failure::invalid("DbList", format!("it is not valid JSON ({e})")))?;
    let Value::Object(map) = value else {
        return Err(Failure::invalid(
            "DbList",
            "it must be a JSON object keyed by database name",
        ));
    };
    if let Some((db, _)) = map.iter().find(|(_, v)| !v.is_object()) {
        return Err(Failure::invalid(
            "DbList",
            format!("the entry for database {db:?} must be a JSON object"),
        ));
    }
    Ok(map)
}

/// Removes tables named in `names` from every database of `db_list`.
pub fn drop_tables(db_list: &mut Map<String, Value>, names: &[String]) {
    if names.is_empty() {
        return;
    }
    for db in db_list.values_mut() {
        let Some(db) = db.as_object_mut() else {
            continue;
        };
        for (key, tables) in db.iter_mut() {
            if let (true, Some(tables)) =
                (key.eq_ignore_ascii_case("table"), tables.as_object_mut())
            {
                tables.retain(|name, _| !names.contains(name));
            }
        }
    }
}
