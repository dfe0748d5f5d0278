//! Type conversion functions: `tostring`, `tonumber`, `tobool`, `tolist`, `tomap`,
//! `toset`, `sensitive`, `nonsensitive`; and the conversions of collections they share with
//! the set functions.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::Value;

use super::args::{ARG, Args, Fault, FnError, Want};
use super::value::{Num, canonical, conv_bool, conv_num, conv_string, describe, type_name};

/// `tostring(value)`: a string, number or bool as a string; null stays null.
pub(super) fn tostring(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.get(0) {
        Value::Null => Ok(Value::Null),
        v => a.want_string(0, ARG, v).map(Value::String).map_err(|_| {
            a.err_with(
                Some(0),
                "the value cannot be converted to a string",
                format!("cannot convert {} to string", type_name(v)),
            )
        }),
    }
}

/// `tonumber(value)`: a number or numeric string as a number; null stays null.
pub(super) fn tonumber(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.get(0) {
        Value::Null => Ok(Value::Null),
        v => {
            let n = conv_num(v).ok_or_else(|| {
                a.err_with(
                    Some(0),
                    "the value cannot be converted to a number",
                    format!("cannot convert {} to number", describe(v)),
                )
            })?;
            a.number(n)
        }
    }
}

/// `tobool(value)`: a bool or `"true"`/`"false"` as a bool; null stays null.
pub(super) fn tobool(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.get(0) {
        Value::Null => Ok(Value::Null),
        v => conv_bool(v).map(Value::Bool).ok_or_else(|| {
            a.err_with(
                Some(0),
                "the value cannot be converted to a bool",
                format!("cannot convert {} to bool", describe(v)),
            )
        }),
    }
}

/// `tolist(value)`: a list of one element type; null stays null.
pub(super) fn tolist(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.take(0) {
        Value::Null => Ok(Value::Null),
        Value::Array(l) => unify(l).map(Value::Array).map_err(|f| a.fault(Some(0), f)),
        other => Err(a.type_err(0, ARG, Want::ListOrSet, &other)),
    }
}

/// `tomap(value)`: a map of one value type; null stays null.
pub(super) fn tomap(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.take(0) {
        Value::Null => Ok(Value::Null),
        Value::Object(o) => {
            let (keys, vals): (Vec<String>, Vec<Value>) = o.into_iter().unzip();
            let vals = unify(vals).map_err(|f| a.fault(Some(0), f))?;
            Ok(Value::Object(keys.into_iter().zip(vals).collect()))
        }
        other => Err(a.type_err(0, ARG, Want::Map, &other)),
    }
}

/// `toset(value)`: a set (one type, no duplicates, ordered); null stays null.
pub(super) fn toset(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.take(0) {
        Value::Null => Ok(Value::Null),
        Value::Array(l) => to_set(l).map(Value::Array).map_err(|f| a.fault(Some(0), f)),
        other => Err(a.type_err(0, ARG, Want::List, &other)),
    }
}

/// `sensitive(value)`: the value, unchanged; the evaluator marks the result sensitive.
#[allow(clippy::unnecessary_wraps)] // Every function of the registry returns a Result.
pub(super) fn sensitive(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(a.take(0))
}

/// `nonsensitive(value)`: the value, unchanged; the evaluator clears the mark.
#[allow(clippy::unnecessary_wraps)] // Every function of the registry returns a Result.
pub(super) fn nonsensitive(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(a.take(0))
}

/// Converts the elements of a list or the values of a map to one type as Terraform does
/// when a tuple becomes a list/set or an object becomes a map: mixed strings, numbers and
/// bools all become strings; other mixtures are an error. Nulls stay.
pub(super) fn unify(elems: Vec<Value>) -> Result<Vec<Value>, Fault> {
    let mut first: Option<&'static str> = None;
    let mut mixed: Option<(&'static str, &'static str)> = None;
    let (mut has_string, mut has_collection) = (false, false);
    for v in elems.iter().filter(|v| !v.is_null()) {
        let t = type_name(v);
        has_string |= t == "string";
        has_collection |= matches!(v, Value::Array(_) | Value::Object(_));
        match first {
            None => first = Some(t),
            Some(f) if f != t && mixed.is_none() => mixed = Some((f, t)),
            Some(_) => {}
        }
    }
    let Some((a, b)) = mixed else {
        return Ok(elems);
    };
    if has_collection || !has_string {
        return Err(Fault::new(
            "elements must all have one type",
            format!("elements must all have one type, found {a} and {b}"),
        ));
    }
    Ok(elems
        .into_iter()
        .map(|v| conv_string(&v).map_or(v, Value::String))
        .collect())
}

/// A Terraform set from list elements: one type, no duplicates, no nulls, and ordered like
/// Terraform orders sets (strings lexicographically, numbers by value, false before true;
/// other elements keep their first-seen order).
pub(super) fn to_set(elems: Vec<Value>) -> Result<Vec<Value>, Fault> {
    if let Some(i) = elems.iter().position(Value::is_null) {
        return Err(Fault::new(
            "sets cannot contain null",
            format!("element {i} is null; sets cannot contain null"),
        ));
    }
    let elems = unify(elems)?;
    let mut seen = HashSet::new();
    let mut out: Vec<Value> = elems
        .into_iter()
        .filter(|v| seen.insert(canonical(v)))
        .collect();
    if out.iter().all(Value::is_string) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(Value::is_number) {
        out.sort_by(|a, b| match (a, b) {
            (Value::Number(x), Value::Number(y)) => Num::of(x).cmp(Num::of(y)),
            _ => Ordering::Equal,
        });
    } else if out.iter().all(Value::is_boolean) {
        out.sort_by_key(Value::as_bool);
    }
    Ok(out)
}
