//! Numeric functions: `abs`, `ceil`, `floor`, `max`, `min`, `pow`, `signum`, `parseint`.

use std::cmp::Ordering;

use serde_json::Value;

use super::args::{ARG, Args, FnError, Want, arg_name};
use super::value::{Num, quote};

/// `abs(number)`: the number without its sign.
pub(super) fn abs(a: &mut Args<'_>) -> Result<Value, FnError> {
    a.number(match a.num(0, ARG)? {
        Num::Int(i) => Num::Int(i.saturating_abs()),
        Num::Float(f) => Num::float(f.abs()),
    })
}

/// `ceil(number)`: the smallest whole number not below it.
pub(super) fn ceil(a: &mut Args<'_>) -> Result<Value, FnError> {
    a.number(match a.num(0, ARG)? {
        Num::Float(f) => Num::float(f.ceil()),
        n @ Num::Int(_) => n,
    })
}

/// `floor(number)`: the largest whole number not above it.
pub(super) fn floor(a: &mut Args<'_>) -> Result<Value, FnError> {
    a.number(match a.num(0, ARG)? {
        Num::Float(f) => Num::float(f.floor()),
        n @ Num::Int(_) => n,
    })
}

/// `max(number, ...)`: the largest.
pub(super) fn max(a: &mut Args<'_>) -> Result<Value, FnError> {
    extreme(a, Ordering::Greater)
}

/// `min(number, ...)`: the smallest.
pub(super) fn min(a: &mut Args<'_>) -> Result<Value, FnError> {
    extreme(a, Ordering::Less)
}

/// The argument that compares `want` against every other (the first of equals).
fn extreme(a: &Args<'_>, want: Ordering) -> Result<Value, FnError> {
    let mut best = a.num(0, &arg_name(0))?;
    for i in 1..a.len() {
        let n = a.num(i, &arg_name(i))?;
        if n.cmp(best) == want {
            best = n;
        }
    }
    a.number(best)
}

/// `pow(base, exponent)`: exact for whole numbers that fit.
pub(super) fn pow(a: &mut Args<'_>) -> Result<Value, FnError> {
    let base = a.num(0, "base")?;
    let exp = a.num(1, "exponent")?;
    let exact = match (base, exp) {
        (Num::Int(b), Num::Int(e)) => u32::try_from(e).ok().and_then(|e| b.checked_pow(e)),
        _ => None,
    };
    a.number(exact.map_or_else(|| Num::float(base.f64().powf(exp.f64())), Num::Int))
}

/// `signum(number)`: -1, 0 or 1.
pub(super) fn signum(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::from(a.num(0, ARG)?.signum()))
}

/// `parseint(string, base)`: the integer a string spells in a base from 2 to 62.
pub(super) fn parseint(a: &mut Args<'_>) -> Result<Value, FnError> {
    let Value::String(s) = a.get(0) else {
        return Err(a.type_err(0, "number", Want::String, a.get(0)));
    };
    let base = a.int(1, "base")?;
    let radix = u32::try_from(base)
        .ok()
        .filter(|b| (2..=62).contains(b))
        .ok_or_else(|| {
            a.err_with(
                Some(1),
                "the base must be between 2 and 62",
                format!("base must be between 2 and 62, got {base}"),
            )
        })?;
    let n = parse_int(s, radix).ok_or_else(|| {
        a.err_with(
            Some(0),
            "the text is not an integer in this base",
            format!("cannot parse {} as a base {radix} integer", quote(s)),
        )
    })?;
    a.number(n)
}

/// Go's `big.Int.SetString(s, base)` for bases 2–62 (no prefixes, no underscores).
fn parse_int(s: &str, radix: u32) -> Option<Num> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut acc: i128 = 0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'a'..='z' => u32::from(c) - u32::from('a') + 10,
            'A'..='Z' if radix <= 36 => u32::from(c) - u32::from('A') + 10,
            'A'..='Z' => u32::from(c) - u32::from('A') + 36,
            _ => return None,
        };
        if d >= radix {
            return None;
        }
        acc = acc
            .checked_mul(i128::from(radix))?
            .checked_add(i128::from(d))?;
    }
    Some(Num::Int(if neg { -acc } else { acc }))
}
