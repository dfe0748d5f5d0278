//! Collection functions: lists, maps and sets (`length`, `concat`, `merge`, `keys`,
//! `lookup`, `contains`, `element`, `slice`, `range`, `setunion`, `sum`, ...).

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::args::{ARG, Args, FnError, Want, arg_name};
use super::type_conversion::{to_set, unify};
use super::value::{Num, canonical, describe, quote, values_equal};
use crate::config::limits;

/// Most elements `range` may produce (Terraform's limit).
const RANGE_LIMIT: usize = 1024;

/// `length(value)`: the characters of a string, the elements of a list, the entries of a map.
pub(super) fn length(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.get(0) {
        Value::String(s) => Ok(Value::from(s.chars().count())),
        Value::Array(l) => Ok(Value::from(l.len())),
        Value::Object(o) => Ok(Value::from(o.len())),
        other => Err(a.type_err(0, ARG, Want::StringListOrMap, other)),
    }
}

/// `concat(list, ...)`: the lists joined into one.
pub(super) fn concat(a: &mut Args<'_>) -> Result<Value, FnError> {
    let mut out = Vec::new();
    for i in 0..a.len() {
        let list = a.list(i, &arg_name(i))?;
        limits::check_collection(out.len().saturating_add(list.len()))
            .map_err(|l| a.limit(None, l))?;
        out.extend(list);
    }
    Ok(Value::Array(out))
}

/// `merge(map, ...)`: the maps merged, later keys winning; nulls are skipped.
pub(super) fn merge(a: &mut Args<'_>) -> Result<Value, FnError> {
    let mut out = Map::new();
    for i in 0..a.len() {
        if a.get(i).is_null() {
            continue;
        }
        out.extend(a.object(i, &arg_name(i))?);
    }
    Ok(Value::Object(out))
}

/// `keys(map)`: the keys, sorted.
pub(super) fn keys(a: &mut Args<'_>) -> Result<Value, FnError> {
    let o = a.object(0, ARG)?;
    let mut keys: Vec<String> = o.into_iter().map(|(k, _)| k).collect();
    keys.sort();
    Ok(Value::Array(keys.into_iter().map(Value::String).collect()))
}

/// `values(map)`: the values, in the order of their sorted keys.
pub(super) fn values(a: &mut Args<'_>) -> Result<Value, FnError> {
    let o = a.object(0, ARG)?;
    let mut entries: Vec<(String, Value)> = o.into_iter().collect();
    entries.sort_by(|x, y| x.0.cmp(&y.0));
    Ok(Value::Array(entries.into_iter().map(|(_, v)| v).collect()))
}

/// `lookup(map, key[, default])`: the value at `key`, or the default.
pub(super) fn lookup(a: &mut Args<'_>) -> Result<Value, FnError> {
    let key = a.string(1, "key")?;
    let default = if a.len() == 3 { Some(a.take(2)) } else { None };
    let mut map = a.object(0, "map")?;
    map.remove(&key).or(default).ok_or_else(|| {
        a.err_with(
            Some(1),
            "the key is not in the map",
            format!("key {} not found", quote(&key)),
        )
    })
}

/// `contains(list, value)`: whether an element equals the value.
pub(super) fn contains(a: &mut Args<'_>) -> Result<Value, FnError> {
    let needle = a.take(1);
    let list = a.list(0, "list")?;
    Ok(Value::Bool(list.iter().any(|v| values_equal(v, &needle))))
}

/// `index(list, value)`: the position of the first element equal to the value.
pub(super) fn index(a: &mut Args<'_>) -> Result<Value, FnError> {
    let needle = a.take(1);
    let list = a.list(0, "list")?;
    match list.iter().position(|v| values_equal(v, &needle)) {
        Some(i) => Ok(Value::from(i)),
        None => Err(a.err_with(
            Some(1),
            "no element equals the value",
            format!("no element equals {}", describe(&needle)),
        )),
    }
}

/// `distinct(list)`: the list without repeated elements, first ones kept.
pub(super) fn distinct(a: &mut Args<'_>) -> Result<Value, FnError> {
    let list = a.list(0, ARG)?;
    let mut seen = HashSet::new();
    Ok(Value::Array(
        list.into_iter()
            .filter(|v| seen.insert(canonical(v)))
            .collect(),
    ))
}

/// `flatten(list)`: nested lists spliced into one flat list.
pub(super) fn flatten(a: &mut Args<'_>) -> Result<Value, FnError> {
    fn flat(list: Vec<Value>, out: &mut Vec<Value>) {
        for v in list {
            match v {
                Value::Array(inner) => flat(inner, out),
                other => out.push(other),
            }
        }
    }
    let list = a.list(0, ARG)?;
    let mut out = Vec::new();
    flat(list, &mut out);
    Ok(Value::Array(out))
}

/// `element(list, index)`: the element at `index`, wrapping around.
pub(super) fn element(a: &mut Args<'_>) -> Result<Value, FnError> {
    let index = a.int(1, "index")?;
    let mut list = a.list(0, "list")?;
    if list.is_empty() {
        return Err(a.err(Some(0), "cannot use element function with an empty list"));
    }
    let Ok(index) = usize::try_from(index) else {
        return Err(a.err_with(
            Some(1),
            "the index must not be negative",
            format!("index must not be negative, got {index}"),
        ));
    };
    let i = index % list.len();
    Ok(list.swap_remove(i))
}

/// `slice(list, start, end)`: the elements from `start` up to, not including, `end`.
pub(super) fn slice(a: &mut Args<'_>) -> Result<Value, FnError> {
    let from = a.int(1, "start index")?;
    let to = a.int(2, "end index")?;
    let list = a.list(0, "list")?;
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    if from < 0 {
        return Err(a.err_with(
            Some(1),
            "the start index must not be negative",
            format!("start index must not be negative, got {from}"),
        ));
    }
    if to > len {
        return Err(a.err_with(
            Some(2),
            "the end index must not exceed the list length",
            format!("end index must not exceed the list length {len}, got {to}"),
        ));
    }
    if from > to {
        return Err(a.err_with(
            Some(1),
            "the start index must not exceed the end index",
            format!("start index {from} must not exceed end index {to}"),
        ));
    }
    let (from, to) = (
        usize::try_from(from).unwrap_or(0),
        usize::try_from(to).unwrap_or(0),
    );
    Ok(Value::Array(
        list.into_iter().skip(from).take(to - from).collect(),
    ))
}

/// `reverse(list)`: the list backwards.
pub(super) fn reverse(a: &mut Args<'_>) -> Result<Value, FnError> {
    let mut list = a.list(0, ARG)?;
    list.reverse();
    Ok(Value::Array(list))
}

/// `sort(list)`: the strings, sorted.
pub(super) fn sort(a: &mut Args<'_>) -> Result<Value, FnError> {
    let list = a.list(0, ARG)?;
    let mut strings = a.strings_of(0, &list)?;
    strings.sort();
    Ok(Value::Array(
        strings.into_iter().map(Value::String).collect(),
    ))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`: at most
/// [`RANGE_LIMIT`] numbers.
pub(super) fn range(a: &mut Args<'_>) -> Result<Value, FnError> {
    let (start, limit, step) = match a.len() {
        1 => {
            let limit = a.num(0, "limit")?;
            (
                Num::Int(0),
                limit,
                Num::Int(if limit.signum() < 0 { -1 } else { 1 }),
            )
        }
        2 => {
            let start = a.num(0, "start")?;
            let limit = a.num(1, "limit")?;
            let step = if limit.cmp(start) == Ordering::Less {
                -1
            } else {
                1
            };
            (start, limit, Num::Int(step))
        }
        _ => (a.num(0, "start")?, a.num(1, "limit")?, a.num(2, "step")?),
    };
    let down = match step.signum() {
        0 => return Err(a.err(Some(2), "step must not be zero")),
        s => s < 0,
    };
    if down && limit.cmp(start) == Ordering::Greater {
        return Err(a.err(
            Some(1),
            "limit must not be greater than start when step is negative",
        ));
    }
    if !down && limit.cmp(start) == Ordering::Less {
        return Err(a.err(
            Some(1),
            "limit must not be less than start when step is positive",
        ));
    }
    let mut out = Vec::new();
    let mut k: i32 = 0;
    loop {
        // start + k*step rather than repeated addition; floats are tidied to 15 significant
        // digits so range(0, 1, 0.1) gives 0.3, not 0.30000000000000004.
        let cur = match (start, step) {
            (Num::Int(s), Num::Int(st)) => {
                s.checked_add(st.saturating_mul(i128::from(k))).map_or_else(
                    || Num::float(start.f64() + step.f64() * f64::from(k)),
                    Num::Int,
                )
            }
            _ => Num::float(tidy(start.f64() + step.f64() * f64::from(k))),
        };
        let past = if down {
            cur.cmp(limit) != Ordering::Greater
        } else {
            cur.cmp(limit) != Ordering::Less
        };
        if past {
            break;
        }
        if out.len() >= RANGE_LIMIT {
            return Err(a.err_with(
                None,
                "more than 1024 values were generated",
                format!(
                    "more than {RANGE_LIMIT} values were generated; decrease the difference between start and limit or use a larger step"
                ),
            ));
        }
        out.push(a.number(cur)?);
        k += 1;
    }
    Ok(Value::Array(out))
}

/// Rounds to 15 significant digits, hiding binary noise such as 0.30000000000000004.
fn tidy(f: f64) -> f64 {
    format!("{f:.14e}").parse().unwrap_or(f)
}

/// `zipmap(keys, values)`: a map of each key to the value at the same position.
pub(super) fn zipmap(a: &mut Args<'_>) -> Result<Value, FnError> {
    let values = a.list(1, "values")?;
    let keys = a.list(0, "keys")?;
    if keys.len() != values.len() {
        return Err(a.err_with(
            Some(1),
            "the numbers of keys and values differ",
            format!(
                "number of keys ({}) does not match number of values ({})",
                keys.len(),
                values.len()
            ),
        ));
    }
    let keys = a.strings_of(0, &keys)?;
    Ok(Value::Object(keys.into_iter().zip(values).collect()))
}

/// `coalesce(value, ...)`: the first argument that is neither null nor `""`.
pub(super) fn coalesce(a: &mut Args<'_>) -> Result<Value, FnError> {
    let found = a
        .all()
        .iter()
        .position(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| a.err(None, "no non-null, non-empty-string arguments"))?;
    Ok(a.take(found))
}

/// `coalescelist(list, ...)`: the first list that is not empty.
pub(super) fn coalescelist(a: &mut Args<'_>) -> Result<Value, FnError> {
    let mut found = None;
    for i in 0..a.len() {
        match a.get(i) {
            Value::Null => {}
            Value::Array(l) if l.is_empty() => {}
            Value::Array(_) => {
                found = Some(i);
                break;
            }
            other => return Err(a.type_err(i, &arg_name(i), Want::List, other)),
        }
    }
    let i = found.ok_or_else(|| a.err(None, "all arguments are empty or null"))?;
    Ok(a.take(i))
}

/// `compact(list)`: the strings that are neither null nor empty.
pub(super) fn compact(a: &mut Args<'_>) -> Result<Value, FnError> {
    let list = a.list(0, ARG)?;
    let mut out = Vec::new();
    for (j, v) in list.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        let s = a.want_string(0, &format!("element {j}"), v)?;
        if !s.is_empty() {
            out.push(Value::String(s));
        }
    }
    Ok(Value::Array(out))
}

/// `chunklist(list, size)`: the list cut into lists of `size` elements.
pub(super) fn chunklist(a: &mut Args<'_>) -> Result<Value, FnError> {
    let size = a.int(1, "size")?;
    let list = a.list(0, "list")?;
    let Ok(size) = usize::try_from(size) else {
        return Err(a.err_with(
            Some(1),
            "the size must not be negative",
            format!("size must not be negative, got {size}"),
        ));
    };
    Ok(if list.is_empty() {
        Value::Array(Vec::new())
    } else if size == 0 {
        Value::Array(vec![Value::Array(list)])
    } else {
        Value::Array(
            list.chunks(size)
                .map(|c| Value::Array(c.to_vec()))
                .collect(),
        )
    })
}

/// `setunion(set, ...)`: the elements of any of the sets.
pub(super) fn setunion(a: &mut Args<'_>) -> Result<Value, FnError> {
    let mut all = Vec::new();
    for i in 0..a.len() {
        all.extend(a.list(i, &arg_name(i))?);
    }
    Ok(Value::Array(to_set(all).map_err(|f| a.fault(None, f))?))
}

/// `setintersection(set, ...)`: the elements of all of the sets.
pub(super) fn setintersection(a: &mut Args<'_>) -> Result<Value, FnError> {
    // Unify across all sets first, so ["1"] and [1] meet as strings.
    let mut all = Vec::new();
    let mut lens = Vec::new();
    for i in 0..a.len() {
        let l = a.list(i, &arg_name(i))?;
        lens.push(l.len());
        all.extend(l);
    }
    let mut all = unify(all).map_err(|f| a.fault(None, f))?.into_iter();
    let mut sets = Vec::new();
    for (i, n) in lens.into_iter().enumerate() {
        let set = to_set(all.by_ref().take(n).collect()).map_err(|f| a.fault(Some(i), f))?;
        sets.push(set);
    }
    let mut sets = sets.into_iter();
    let first = sets.next().unwrap_or_default();
    let others: Vec<HashSet<String>> = sets.map(|s| s.iter().map(canonical).collect()).collect();
    Ok(Value::Array(
        first
            .into_iter()
            .filter(|v| {
                let key = canonical(v);
                others.iter().all(|s| s.contains(&key))
            })
            .collect(),
    ))
}

/// `one(list)`: the only element, or null for an empty list.
pub(super) fn one(a: &mut Args<'_>) -> Result<Value, FnError> {
    match a.take(0) {
        Value::Array(mut l) if l.len() <= 1 => Ok(l.pop().unwrap_or_default()),
        Value::Array(l) => Err(a.err_with(
            Some(0),
            "the list must have zero or one elements",
            format!("list must have zero or one elements, got {}", l.len()),
        )),
        other => Err(a.type_err(0, ARG, Want::List, &other)),
    }
}

/// `alltrue(list)`: whether every element is true.
pub(super) fn alltrue(a: &mut Args<'_>) -> Result<Value, FnError> {
    let list = a.list(0, ARG)?;
    let mut all = true;
    for (j, v) in list.iter().enumerate() {
        // Terraform: a null element makes the result false.
        if v.is_null() || !a.want_bool(0, &format!("element {j}"), v)? {
            all = false;
            break;
        }
    }
    Ok(Value::Bool(all))
}

/// `anytrue(list)`: whether any element is true.
pub(super) fn anytrue(a: &mut Args<'_>) -> Result<Value, FnError> {
    let list = a.list(0, ARG)?;
    let mut any = false;
    for (j, v) in list.iter().enumerate() {
        if !v.is_null() && a.want_bool(0, &format!("element {j}"), v)? {
            any = true;
            break;
        }
    }
    Ok(Value::Bool(any))
}

/// `sum(list)`: the numbers added up.
pub(super) fn sum(a: &mut Args<'_>) -> Result<Value, FnError> {
    let list = a.list(0, ARG)?;
    if list.is_empty() {
        return Err(a.err(Some(0), "cannot sum an empty list"));
    }
    let mut total = Num::Int(0);
    for (j, v) in list.iter().enumerate() {
        let Value::Number(n) = v else {
            return Err(a.type_err(0, &format!("element {j}"), Want::Number, v));
        };
        total = total.add(Num::of(n));
    }
    a.number(total)
}
