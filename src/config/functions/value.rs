//! Values as the functions see them: numbers (exact integers when integral), Terraform's
//! conversions between strings, numbers and bools, equality, and descriptions for messages.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Number, Value};

/// A number: an exact integer when integral (and within `i128`), else an `f64`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    Int(i128),
    Float(f64),
}

/// Bounds (exclusive) within which an integral `f64` converts to `i128` exactly.
const I128_BOUND: f64 = 1.7e38;

impl Num {
    pub(super) fn of(n: &Number) -> Num {
        if let Some(i) = n.as_i64() {
            Num::Int(i128::from(i))
        } else if let Some(u) = n.as_u64() {
            Num::Int(i128::from(u))
        } else {
            Num::float(n.as_f64().unwrap_or(f64::NAN))
        }
    }

    /// A float, as an integer when it is integral.
    // No std conversion from f64 to i128 exists; the range check makes the cast exact.
    #[allow(clippy::cast_possible_truncation)]
    pub(super) fn float(f: f64) -> Num {
        if f.is_finite() && f.fract() == 0.0 && f.abs() < I128_BOUND {
            Num::Int(f as i128)
        } else {
            Num::Float(f)
        }
    }

    // No std conversion from i128 to f64 exists; rounding to the nearest f64 is intended.
    #[allow(clippy::cast_precision_loss)]
    pub(super) fn f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    pub(super) fn signum(self) -> i32 {
        match self {
            Num::Int(i) => match i.cmp(&0) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            },
            Num::Float(f) if f > 0.0 => 1,
            Num::Float(f) if f < 0.0 => -1,
            Num::Float(_) => 0,
        }
    }

    pub(super) fn cmp(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            (a, b) => a.f64().total_cmp(&b.f64()),
        }
    }

    pub(super) fn add(self, other: Num) -> Num {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => match a.checked_add(b) {
                Some(s) => Num::Int(s),
                None => Num::float(self.f64() + other.f64()),
            },
            (a, b) => Num::float(a.f64() + b.f64()),
        }
    }

    /// The JSON number; integers as `i64`/`u64` when they fit.
    pub(super) fn to_value(self) -> Result<Value, &'static str> {
        match self {
            Num::Int(i) => {
                if let Ok(v) = i64::try_from(i) {
                    Ok(Value::from(v))
                } else if let Ok(v) = u64::try_from(i) {
                    Ok(Value::from(v))
                } else {
                    Num::Float(self.f64()).to_value()
                }
            }
            Num::Float(f) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or("result is not a finite number"),
        }
    }
}

impl fmt::Display for Num {
    /// Terraform's number-to-string: all digits, never an exponent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(0.0) => f.write_str("0"),
            Num::Float(x) => write!(f, "{x}"),
        }
    }
}

/// Parses a number the way Terraform converts a string to a number.
fn parse_number(s: &str) -> Option<Num> {
    if let Ok(i) = s.parse::<i128>() {
        return Some(Num::Int(i));
    }
    // Rust also accepts "inf", "NaN" and "infinity"; Terraform does not.
    let plain = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !plain || !s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Num::float)
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// JSON-quotes a string.
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A short description of a value for messages: `string "x"`, `number 5`, `list`.
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("bool {b}"),
        Value::Number(n) => format!("number {}", Num::of(n)),
        Value::String(s) => {
            const MAX: usize = 40;
            if s.chars().count() > MAX {
                let head: String = s.chars().take(MAX).collect();
                format!("string {}…", quote(&head))
            } else {
                format!("string {}", quote(s))
            }
        }
        Value::Array(a) => format!("list of {} element{}", a.len(), plural(a.len())),
        Value::Object(_) => "object".to_owned(),
    }
}

/// Terraform's conversion to string: strings, numbers and bools convert.
pub(super) fn conv_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(Num::of(n).to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Terraform's conversion to number: numbers and numeric strings convert.
pub(super) fn conv_num(v: &Value) -> Option<Num> {
    match v {
        Value::Number(n) => Some(Num::of(n)),
        Value::String(s) => parse_number(s),
        _ => None,
    }
}

/// Terraform's conversion to bool: bools and "true"/"false" convert.
pub(super) fn conv_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A copy with integral numbers as integers and, if `sort_keys`, object keys sorted.
pub(super) fn normalize(v: &Value, sort_keys: bool) -> Value {
    match v {
        Value::Number(n) => Num::of(n)
            .to_value()
            .unwrap_or_else(|_| Value::Number(n.clone())),
        Value::Array(a) => Value::Array(a.iter().map(|x| normalize(x, sort_keys)).collect()),
        Value::Object(o) => {
            let mut entries: Vec<(&String, &Value)> = o.iter().collect();
            if sort_keys {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, x)| (k.clone(), normalize(x, sort_keys)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// A key equal for equal values (numbers compared by value, object keys unordered).
pub(super) fn canonical(v: &Value) -> String {
    serde_json::to_string(&normalize(v, true)).unwrap_or_default()
}

pub(super) fn values_equal(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
