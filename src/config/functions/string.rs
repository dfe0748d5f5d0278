//! String functions: `lower`, `upper`, `title`, the trims, `replace`, `split`, `join`,
//! `format`, `formatlist`, `substr`, `strrev`, `startswith`, `endswith`, `indent`, `chomp`.

use serde_json::Value;

use super::args::{ARG, Args, FnError, arg_name};
use super::format::{MAX_PAD, format_values};
use crate::config::limits::{self, Limit, MAX_EXPRESSION_BYTES};

/// `lower(string)`
pub(super) fn lower(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(a.string(0, ARG)?.to_lowercase()))
}

/// `upper(string)`
pub(super) fn upper(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(a.string(0, ARG)?.to_uppercase()))
}

/// `title(string)`: each word's first letter upper-cased.
pub(super) fn title(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, ARG)?;
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_title_separator(prev) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    Ok(Value::String(out))
}

/// `trimspace(string)`: without leading and trailing whitespace.
pub(super) fn trimspace(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(a.string(0, ARG)?.trim().to_owned()))
}

/// `trim(string, characters)`: without leading and trailing characters of the set.
pub(super) fn trim(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let cutset = a.string(1, "characters to trim")?;
    Ok(Value::String(
        s.trim_matches(|c| cutset.contains(c)).to_owned(),
    ))
}

/// `trimprefix(string, prefix)`: without the prefix, if it has it.
pub(super) fn trimprefix(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let prefix = a.string(1, "prefix")?;
    Ok(Value::String(
        s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_owned(),
    ))
}

/// `trimsuffix(string, suffix)`: without the suffix, if it has it.
pub(super) fn trimsuffix(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let suffix = a.string(1, "suffix")?;
    Ok(Value::String(
        s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_owned(),
    ))
}

/// `replace(string, substring, replacement)`: every occurrence replaced (no regular
/// expressions).
pub(super) fn replace(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let search = a.string(1, "substring")?;
    let with = a.string(2, "replacement")?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        return Err(a.err(
            Some(1),
            "regular expression replacement (\"/.../\") is not supported; give a plain substring",
        ));
    }
    let hits = if search.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(search.as_str()).count()
    };
    limits::check_string(s.len().saturating_add(hits.saturating_mul(with.len())))
        .map_err(|l| a.limit(None, l))?;
    Ok(Value::String(s.replace(search.as_str(), &with)))
}

/// `split(separator, string)`: the pieces between separators.
pub(super) fn split(a: &mut Args<'_>) -> Result<Value, FnError> {
    let sep = a.string(0, "separator")?;
    let s = a.string(1, "string")?;
    let count = if sep.is_empty() {
        s.chars().count()
    } else {
        s.matches(sep.as_str()).count() + 1
    };
    limits::check_collection(count).map_err(|l| a.limit(None, l))?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Value::String(p.to_owned()))
            .collect()
    };
    Ok(Value::Array(parts))
}

/// `join(separator, list, ...)`: the strings of the lists, separated.
pub(super) fn join(a: &mut Args<'_>) -> Result<Value, FnError> {
    let sep = a.string(0, "separator")?;
    let mut parts = Vec::new();
    let mut total = 0usize;
    for i in 1..a.len() {
        let list = a.list(i, &arg_name(i))?;
        for (j, v) in list.iter().enumerate() {
            let part = a.want_string(i, &format!("element {j} of {}", arg_name(i)), v)?;
            total = total.saturating_add(part.len()).saturating_add(sep.len());
            limits::check_string(total).map_err(|l| a.limit(None, l))?;
            parts.push(part);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

/// `format(spec, value, ...)`: the values formatted by `%` verbs ([`format_values`]).
pub(super) fn format(a: &mut Args<'_>) -> Result<Value, FnError> {
    let spec = a.string(0, "format")?;
    Ok(Value::String(format_values(a, &spec, &a.all()[1..])?))
}

/// `formatlist(spec, value, ...)`: `format` for each element of the list arguments,
/// other arguments repeated.
pub(super) fn formatlist(a: &mut Args<'_>) -> Result<Value, FnError> {
    let spec = a.string(0, "format")?;
    let rest = &a.all()[1..];
    let mut len: Option<(usize, usize)> = None;
    for (i, v) in rest.iter().enumerate() {
        if let Value::Array(l) = v {
            match len {
                None => len = Some((l.len(), i)),
                Some((n, first)) if n != l.len() => {
                    return Err(a.err_with(
                        Some(i + 1),
                        "list arguments must all have the same length",
                        format!(
                            "{} has length {}, which is inconsistent with {} of length {n}",
                            arg_name(i + 1),
                            l.len(),
                            arg_name(first + 1)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let n = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(n);
    let mut total = 0u64;
    for k in 0..n {
        let row: Vec<Value> = rest
            .iter()
            .map(|v| match v {
                Value::Array(l) => l.get(k).cloned().unwrap_or_default(),
                other => other.clone(),
            })
            .collect();
        let line = format_values(a, &spec, &row)?;
        // Each line is within the string limit; all of them must be too, together.
        total = total.saturating_add(limits::VALUE_COST + line.len() as u64);
        if total > MAX_EXPRESSION_BYTES {
            return Err(a.limit(None, Limit::Expression));
        }
        out.push(Value::String(line));
    }
    Ok(Value::Array(out))
}

/// `substr(string, offset, length)`: characters, a negative offset counting from the
/// end, a negative length to the end.
pub(super) fn substr(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let offset = a.int(1, "offset")?;
    let length = a.int(2, "length")?;
    let chars: Vec<char> = s.chars().collect();
    let total = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let offset = if offset < 0 {
        offset.saturating_add(total)
    } else {
        offset
    };
    let start = usize::try_from(offset.clamp(0, total)).unwrap_or(0);
    let end = if length < 0 {
        chars.len()
    } else {
        usize::try_from(length).map_or(chars.len(), |l| start.saturating_add(l).min(chars.len()))
    };
    Ok(Value::String(
        chars.get(start..end).unwrap_or_default().iter().collect(),
    ))
}

/// `strrev(string)`: the characters backwards.
pub(super) fn strrev(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(a.string(0, ARG)?.chars().rev().collect()))
}

/// `startswith(string, prefix)`
pub(super) fn startswith(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let prefix = a.string(1, "prefix")?;
    Ok(Value::Bool(s.starts_with(prefix.as_str())))
}

/// `endswith(string, suffix)`
pub(super) fn endswith(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, "string")?;
    let suffix = a.string(1, "suffix")?;
    Ok(Value::Bool(s.ends_with(suffix.as_str())))
}

/// `indent(spaces, string)`: every line but the first indented.
pub(super) fn indent(a: &mut Args<'_>) -> Result<Value, FnError> {
    let n = a.int(0, "spaces")?;
    let s = a.string(1, "string")?;
    let n = usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_PAD)
        .ok_or_else(|| {
            a.err_with(
                Some(0),
                "the number of spaces is out of range",
                format!("spaces must be between 0 and {MAX_PAD}, got {n}"),
            )
        })?;
    let lines = s.matches('\n').count();
    limits::check_string(s.len().saturating_add(lines.saturating_mul(n)))
        .map_err(|l| a.limit(None, l))?;
    Ok(Value::String(
        s.replace('\n', &format!("\n{}", " ".repeat(n))),
    ))
}

/// `chomp(string)`: without trailing newlines.
pub(super) fn chomp(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(
        a.string(0, ARG)?.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}

/// Go's `strings.Title` word boundary.
fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}
