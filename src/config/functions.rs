//! The built-in functions of the configuration language: Terraform's function library, as
//! far as dtsform needs it, over [`serde_json::Value`]s.
//!
//! Values are null, bool, number, string, array (an HCL list, tuple or set) and object (an
//! HCL map or object; insertion-ordered). A numeric result stays an integer when it is
//! integral, otherwise it is an `f64`.
//!
//! Arguments are converted the way Terraform converts them: a string parameter also takes a
//! number or a bool, a number parameter also takes a numeric string, and a bool parameter
//! also takes `"true"` / `"false"`. Null is refused unless a function says otherwise.
//!
//! `try` and `can` are not here: they need unevaluated arguments, so the evaluator handles
//! them itself. `sensitive` and `nonsensitive` return their argument unchanged; the caller
//! tracks sensitivity.
//!
//! **Errors never leak a sensitive argument.** Functions see plain values and do not know
//! which are sensitive, so every [`FnError`] carries two messages: the detailed one, which
//! may quote arguments, and a *reason*, a `&'static str` that by its type cannot hold
//! anything computed from an argument. The evaluator shows the reason alone whenever any
//! argument of the call is sensitive (see `eval::EvalError::about`). An `FnError` can only be
//! built through [`Args::err`] and its siblings, which all demand the reason, so a new
//! function cannot forget it.
//!
//! **Results are bounded** by [`super::limits`]: functions that can build much more than
//! they are given (`format`, `formatlist`, `indent`, `join`, `replace`, `split`, `concat`,
//! `file`) check the limits before building; the evaluator checks every result.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Number, Value};

use super::limits::{self, Limit, MAX_EXPRESSION_BYTES};

/// What a function may need besides its arguments.
pub struct FnContext<'a> {
    /// Directory of the configuration; `file()` paths are relative to it.
    pub base_dir: &'a Path,
}

/// Why a call failed: a message that may quote the arguments, and a reason that quotes
/// nothing. `arg` is the 0-based index of the argument at fault, when one is.
#[derive(Debug, Clone, PartialEq)]
pub struct FnError {
    /// The function, as in [`names`] (None for an unknown name).
    function: Option<&'static str>,
    /// What went wrong without any value: safe to show for sensitive arguments.
    reason: &'static str,
    /// `NAME: what went wrong`, quoting arguments where that helps.
    message: String,
    arg: Option<usize>,
    /// The limit that was hit, if that is what went wrong.
    limit: Option<Limit>,
}

impl FnError {
    /// The detailed message; it may quote argument values.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The function's name and the value-free reason.
    pub fn reason(&self) -> (Option<&'static str>, &'static str) {
        (self.function, self.reason)
    }

    /// The 0-based index of the argument at fault, when one is.
    pub fn arg(&self) -> Option<usize> {
        self.arg
    }

    /// The limit of [`super::limits`] that was hit, if that is what went wrong.
    pub fn limit(&self) -> Option<Limit> {
        self.limit
    }
}

impl fmt::Display for FnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FnError {}

/// A failure inside a helper, before it is tied to a function and an argument.
#[derive(Debug)]
struct Fault {
    reason: &'static str,
    detail: String,
}

impl Fault {
    fn new(reason: &'static str, detail: impl Into<String>) -> Fault {
        Fault {
            reason,
            detail: detail.into(),
        }
    }
}

/// Every function, sorted. Keep in step with [`arity`] (a test checks).
const NAMES: &[&str] = &[
    "abs",
    "alltrue",
    "anytrue",
    "base64decode",
    "base64encode",
    "ceil",
    "chomp",
    "chunklist",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "file",
    "fileexists",
    "flatten",
    "floor",
    "format",
    "formatlist",
    "indent",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "nonsensitive",
    "one",
    "parseint",
    "pow",
    "range",
    "replace",
    "reverse",
    "sensitive",
    "setintersection",
    "setunion",
    "signum",
    "slice",
    "sort",
    "split",
    "startswith",
    "strrev",
    "substr",
    "sum",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "upper",
    "values",
    "zipmap",
];

/// Names of every function, sorted (used for "did you mean" suggestions).
#[must_use]
pub fn names() -> &'static [&'static str] {
    NAMES
}

/// Most elements `range` may produce (Terraform's limit).
const RANGE_LIMIT: usize = 1024;
/// Largest `indent` and format width/precision we accept: bigger ones are mistakes and
/// would only allocate.
const MAX_PAD: usize = 10_000;

/// Least and (if bounded) most argument count of each function.
fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    let one = (1, Some(1));
    let two = (2, Some(2));
    let three = (3, Some(3));
    let at_least_one = (1, None);
    Some(match name {
        "abs" | "alltrue" | "anytrue" | "base64decode" | "base64encode" | "ceil" | "chomp"
        | "compact" | "distinct" | "file" | "fileexists" | "flatten" | "floor" | "jsondecode"
        | "jsonencode" | "keys" | "length" | "lower" | "nonsensitive" | "one" | "reverse"
        | "sensitive" | "signum" | "sort" | "strrev" | "sum" | "title" | "tobool" | "tolist"
        | "tomap" | "tonumber" | "toset" | "tostring" | "trimspace" | "upper" | "values" => one,
        "chunklist" | "contains" | "element" | "endswith" | "indent" | "index" | "parseint"
        | "pow" | "split" | "startswith" | "trim" | "trimprefix" | "trimsuffix" | "zipmap" => two,
        "replace" | "slice" | "substr" => three,
        "coalesce" | "coalescelist" | "concat" | "format" | "formatlist" | "max" | "min"
        | "setintersection" | "setunion" => at_least_one,
        "join" => (2, None),
        "lookup" => (2, Some(3)),
        "merge" => (0, None),
        "range" => (1, Some(3)),
        _ => return None,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn arity_error(name: &'static str, min: usize, max: Option<usize>, got: usize) -> FnError {
    let expected = match max {
        Some(m) if m == min => format!("{min} argument{}", plural(min)),
        Some(m) if m == min + 1 => format!("{min} or {m} arguments"),
        Some(m) => format!("{min} to {m} arguments"),
        None => format!("at least {min} argument{}", plural(min)),
    };
    FnError {
        function: Some(name),
        reason: "wrong number of arguments",
        message: format!("{name}: expects {expected}, got {got}"),
        // Too many: point at the first one too many.
        arg: max.filter(|&m| got > m),
        limit: None,
    }
}

/// Calls function `name` with already-evaluated arguments. Unknown name → Err with arg None
/// and message "unknown function NAME". Wrong arity → Err naming the expected arity.
///
/// # Errors
///
/// An unknown name, a wrong argument count, or whatever the function itself refuses
/// (wrong types, bad format verbs, missing files, …), as an [`FnError`].
pub fn call(name: &str, args: Vec<Value>, ctx: &FnContext<'_>) -> Result<Value, FnError> {
    let (Some(f), Some((min, max))) = (NAMES.iter().copied().find(|n| *n == name), arity(name))
    else {
        return Err(FnError {
            function: None,
            reason: "unknown function",
            message: format!("unknown function {name}"),
            arg: None,
            limit: None,
        });
    };
    if args.len() < min || max.is_some_and(|m| args.len() > m) {
        return Err(arity_error(f, min, max, args.len()));
    }
    let mut a = Args { f, v: args };
    dispatch(&mut a, ctx)
}

// ---------------------------------------------------------------------------------------
// Numbers

/// A number: an exact integer when integral (and within `i128`), else an `f64`.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

/// Bounds (exclusive) within which an integral `f64` converts to `i128` exactly.
const I128_BOUND: f64 = 1.7e38;

impl Num {
    fn of(n: &Number) -> Num {
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
    fn float(f: f64) -> Num {
        if f.is_finite() && f.fract() == 0.0 && f.abs() < I128_BOUND {
            Num::Int(f as i128)
        } else {
            Num::Float(f)
        }
    }

    // No std conversion from i128 to f64 exists; rounding to the nearest f64 is intended.
    #[allow(clippy::cast_precision_loss)]
    fn f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    fn signum(self) -> i32 {
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

    fn cmp(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            (a, b) => a.f64().total_cmp(&b.f64()),
        }
    }

    fn add(self, other: Num) -> Num {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => match a.checked_add(b) {
                Some(s) => Num::Int(s),
                None => Num::float(self.f64() + other.f64()),
            },
            (a, b) => Num::float(a.f64() + b.f64()),
        }
    }

    /// The JSON number; integers as `i64`/`u64` when they fit.
    fn to_value(self) -> Result<Value, &'static str> {
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

// ---------------------------------------------------------------------------------------
// Conversions and descriptions

fn type_name(v: &Value) -> &'static str {
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
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A short description of a value for messages: `string "x"`, `number 5`, `list`.
fn describe(v: &Value) -> String {
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
fn conv_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(Num::of(n).to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Terraform's conversion to number: numbers and numeric strings convert.
fn conv_num(v: &Value) -> Option<Num> {
    match v {
        Value::Number(n) => Some(Num::of(n)),
        Value::String(s) => parse_number(s),
        _ => None,
    }
}

/// Terraform's conversion to bool: bools and "true"/"false" convert.
fn conv_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A copy with integral numbers as integers and, if `sort_keys`, object keys sorted.
fn normalize(v: &Value, sort_keys: bool) -> Value {
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

/// Terraform's `jsonencode`: compact, keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
fn json_encode(v: &Value) -> String {
    let raw = serde_json::to_string(&normalize(v, true)).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            // These can only occur inside JSON strings, where the escape means the same.
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A key equal for equal values (numbers compared by value, object keys unordered).
fn canonical(v: &Value) -> String {
    serde_json::to_string(&normalize(v, true)).unwrap_or_default()
}

fn values_equal(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

/// Converts the elements of a list or the values of a map to one type as Terraform does
/// when a tuple becomes a list/set or an object becomes a map: mixed strings, numbers and
/// bools all become strings; other mixtures are an error. Nulls stay.
fn unify(elems: Vec<Value>) -> Result<Vec<Value>, Fault> {
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
fn to_set(elems: Vec<Value>) -> Result<Vec<Value>, Fault> {
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

/// `base64` with the standard alphabet and padding.
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard padded base64, ignoring CR and LF like Go's decoder. The error is the
/// 0-based character offset of the first bad character.
fn b64_decode(s: &str) -> Result<Vec<u8>, usize> {
    let chars: Vec<(usize, u8)> = s
        .chars()
        .enumerate()
        .filter(|(_, c)| !matches!(c, '\r' | '\n'))
        .map(|(i, c)| (i, u8::try_from(c).unwrap_or(0xff)))
        .collect();
    if !chars.len().is_multiple_of(4) {
        return Err(chars.last().map_or(0, |&(i, _)| i + 1));
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let groups = chars.len() / 4;
    for (g, group) in chars.chunks(4).enumerate() {
        let mut n: u32 = 0;
        let mut pad = 0;
        for (k, &(pos, c)) in group.iter().enumerate() {
            let d = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                // Padding: only in the last group, only in its last two places, only at the end.
                b'=' if g + 1 == groups && k >= 2 => {
                    pad += 1;
                    0
                }
                _ => return Err(pos),
            };
            if pad > 0 && c != b'=' {
                return Err(pos);
            }
            n = (n << 6) | u32::from(d);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Ok(out)
}

/// An OS error's reason without Rust's " (os error N)" tail, lowercase first.
fn os_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.find(" (os error").map_or(s.as_str(), |i| &s[..i]);
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
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

// ---------------------------------------------------------------------------------------
// Arguments

static NULL: Value = Value::Null;

struct Args {
    f: &'static str,
    v: Vec<Value>,
}

/// A parameter type, for type errors.
#[derive(Debug, Clone, Copy)]
enum Want {
    String,
    Number,
    Bool,
    List,
    ListOrSet,
    Map,
    StringListOrMap,
}

impl Want {
    fn noun(self) -> &'static str {
        match self {
            Want::String => "a string",
            Want::Number => "a number",
            Want::Bool => "a bool",
            Want::List => "a list",
            Want::ListOrSet => "a list or set",
            Want::Map => "a map or object",
            Want::StringListOrMap => "a string, list or map",
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Want::String => "a string is required",
            Want::Number => "a number is required",
            Want::Bool => "a bool is required",
            Want::List => "a list is required",
            Want::ListOrSet => "a list or set is required",
            Want::Map => "a map or object is required",
            Want::StringListOrMap => "a string, list or map is required",
        }
    }
}

impl Args {
    /// An error whose message is `reason` alone.
    fn err(&self, arg: Option<usize>, reason: &'static str) -> FnError {
        self.err_with(arg, reason, reason)
    }

    /// An error whose message is `detail` (which may quote arguments) and whose
    /// value-free form is `reason`.
    fn err_with(
        &self,
        arg: Option<usize>,
        reason: &'static str,
        detail: impl fmt::Display,
    ) -> FnError {
        FnError {
            function: Some(self.f),
            reason,
            message: format!("{}: {detail}", self.f),
            arg,
            limit: None,
        }
    }

    fn fault(&self, arg: Option<usize>, fault: Fault) -> FnError {
        self.err_with(arg, fault.reason, fault.detail)
    }

    /// The result would break `limit`.
    fn limit(&self, arg: Option<usize>, limit: Limit) -> FnError {
        self.limit_with(arg, limit, limit)
    }

    /// The result would break `limit`, with a detailed message.
    fn limit_with(&self, arg: Option<usize>, limit: Limit, detail: impl fmt::Display) -> FnError {
        FnError {
            limit: Some(limit),
            ..self.err_with(arg, limit.message(), detail)
        }
    }

    fn len(&self) -> usize {
        self.v.len()
    }

    fn get(&self, i: usize) -> &Value {
        self.v.get(i).unwrap_or(&NULL)
    }

    fn take(&mut self, i: usize) -> Value {
        self.v.get_mut(i).map(std::mem::take).unwrap_or_default()
    }

    fn type_err(&self, i: usize, what: &str, want: Want, got: &Value) -> FnError {
        if got.is_null() {
            self.err_with(
                Some(i),
                "an argument must not be null",
                format!("{what} must not be null"),
            )
        } else {
            self.err_with(
                Some(i),
                want.reason(),
                format!("{what} must be {}, got {}", want.noun(), describe(got)),
            )
        }
    }

    /// `v` (argument `i` or one of its elements, named `what`) as a string.
    fn want_string(&self, i: usize, what: &str, v: &Value) -> Result<String, FnError> {
        conv_string(v).ok_or_else(|| self.type_err(i, what, Want::String, v))
    }

    fn want_num(&self, i: usize, what: &str, v: &Value) -> Result<Num, FnError> {
        conv_num(v).ok_or_else(|| self.type_err(i, what, Want::Number, v))
    }

    fn want_bool(&self, i: usize, what: &str, v: &Value) -> Result<bool, FnError> {
        conv_bool(v).ok_or_else(|| self.type_err(i, what, Want::Bool, v))
    }

    fn string(&self, i: usize, what: &str) -> Result<String, FnError> {
        self.want_string(i, what, self.get(i))
    }

    fn num(&self, i: usize, what: &str) -> Result<Num, FnError> {
        self.want_num(i, what, self.get(i))
    }

    /// A whole number within `i64`.
    fn int(&self, i: usize, what: &str) -> Result<i64, FnError> {
        match self.num(i, what)? {
            Num::Int(n) => i64::try_from(n).map_err(|_| {
                self.err_with(
                    Some(i),
                    "the number is out of range",
                    format!("{what} is out of range, got {n}"),
                )
            }),
            Num::Float(f) => Err(self.err_with(
                Some(i),
                "a whole number is required",
                format!("{what} must be a whole number, got {}", Num::Float(f)),
            )),
        }
    }

    fn list(&mut self, i: usize, what: &str) -> Result<Vec<Value>, FnError> {
        match self.take(i) {
            Value::Array(a) => Ok(a),
            other => Err(self.type_err(i, what, Want::List, &other)),
        }
    }

    fn object(&mut self, i: usize, what: &str) -> Result<Map<String, Value>, FnError> {
        match self.take(i) {
            Value::Object(o) => Ok(o),
            other => Err(self.type_err(i, what, Want::Map, &other)),
        }
    }

    fn strings_of(&self, i: usize, list: &[Value]) -> Result<Vec<String>, FnError> {
        list.iter()
            .enumerate()
            .map(|(j, v)| self.want_string(i, &format!("element {j}"), v))
            .collect()
    }

    /// A number result, or this function's error if it is not finite.
    fn number(&self, n: Num) -> Result<Value, FnError> {
        n.to_value().map_err(|m| self.err(None, m))
    }
}

fn arg_name(i: usize) -> String {
    format!("argument {}", i + 1)
}

// ---------------------------------------------------------------------------------------
// The functions

#[allow(clippy::too_many_lines)]
fn dispatch(a: &mut Args, ctx: &FnContext<'_>) -> Result<Value, FnError> {
    const ARG: &str = "argument";
    let v = match a.f {
        // ----- encoding
        "jsonencode" => Value::String(json_encode(a.get(0))),
        "jsondecode" => {
            let s = a.string(0, ARG)?;
            let v: Value = serde_json::from_str(&s)
                .map_err(|e| a.err_with(Some(0), "invalid JSON", format!("invalid JSON: {e}")))?;
            normalize(&v, false)
        }
        "base64encode" => Value::String(b64_encode(a.string(0, ARG)?.as_bytes())),
        "base64decode" => {
            let s = a.string(0, ARG)?;
            let bytes = b64_decode(&s).map_err(|at| {
                a.err_with(
                    Some(0),
                    "invalid base64 data",
                    format!("invalid base64 data at character {at}"),
                )
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| a.err(Some(0), "the decoded data is not valid UTF-8"))?;
            Value::String(text)
        }

        // ----- filesystem
        "file" => read_file(a, ctx)?,
        "fileexists" => {
            let p = a.string(0, "path")?;
            let full = ctx.base_dir.join(&p);
            let shown = quote(&full.display().to_string());
            match std::fs::metadata(&full) {
                Ok(m) if m.is_file() => Value::Bool(true),
                Ok(m) if m.is_dir() => {
                    return Err(a.err_with(
                        Some(0),
                        "the path is a directory, not a file",
                        format!("{shown} is a directory, not a file"),
                    ));
                }
                Ok(_) => {
                    return Err(a.err_with(
                        Some(0),
                        "the path is not a regular file",
                        format!("{shown} is not a regular file"),
                    ));
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    Value::Bool(false)
                }
                Err(e) => {
                    return Err(a.err_with(
                        Some(0),
                        "cannot check the path",
                        format!("cannot check {shown}: {}", os_reason(&e)),
                    ));
                }
            }
        }

        // ----- strings
        "lower" => Value::String(a.string(0, ARG)?.to_lowercase()),
        "upper" => Value::String(a.string(0, ARG)?.to_uppercase()),
        "title" => {
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
            Value::String(out)
        }
        "trimspace" => Value::String(a.string(0, ARG)?.trim().to_owned()),
        "trim" => {
            let s = a.string(0, "string")?;
            let cutset = a.string(1, "characters to trim")?;
            Value::String(s.trim_matches(|c| cutset.contains(c)).to_owned())
        }
        "trimprefix" => {
            let s = a.string(0, "string")?;
            let prefix = a.string(1, "prefix")?;
            Value::String(s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_owned())
        }
        "trimsuffix" => {
            let s = a.string(0, "string")?;
            let suffix = a.string(1, "suffix")?;
            Value::String(s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_owned())
        }
        "replace" => {
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
            Value::String(s.replace(search.as_str(), &with))
        }
        "split" => {
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
            Value::Array(parts)
        }
        "join" => {
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
            Value::String(parts.join(&sep))
        }
        "format" => {
            let spec = a.string(0, "format")?;
            Value::String(format_values(a, &spec, &a.v[1..])?)
        }
        "formatlist" => {
            let spec = a.string(0, "format")?;
            let rest = &a.v[1..];
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
            Value::Array(out)
        }
        "substr" => {
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
                usize::try_from(length)
                    .map_or(chars.len(), |l| start.saturating_add(l).min(chars.len()))
            };
            Value::String(chars.get(start..end).unwrap_or_default().iter().collect())
        }
        "strrev" => Value::String(a.string(0, ARG)?.chars().rev().collect()),
        "startswith" => {
            let s = a.string(0, "string")?;
            let prefix = a.string(1, "prefix")?;
            Value::Bool(s.starts_with(prefix.as_str()))
        }
        "endswith" => {
            let s = a.string(0, "string")?;
            let suffix = a.string(1, "suffix")?;
            Value::Bool(s.ends_with(suffix.as_str()))
        }
        "indent" => {
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
            Value::String(s.replace('\n', &format!("\n{}", " ".repeat(n))))
        }
        "chomp" => Value::String(a.string(0, ARG)?.trim_end_matches(['\r', '\n']).to_owned()),

        // ----- collections
        "length" => match a.get(0) {
            Value::String(s) => Value::from(s.chars().count()),
            Value::Array(l) => Value::from(l.len()),
            Value::Object(o) => Value::from(o.len()),
            other => return Err(a.type_err(0, ARG, Want::StringListOrMap, other)),
        },
        "concat" => {
            let mut out = Vec::new();
            for i in 0..a.len() {
                let list = a.list(i, &arg_name(i))?;
                limits::check_collection(out.len().saturating_add(list.len()))
                    .map_err(|l| a.limit(None, l))?;
                out.extend(list);
            }
            Value::Array(out)
        }
        "merge" => {
            let mut out = Map::new();
            for i in 0..a.len() {
                if a.get(i).is_null() {
                    continue;
                }
                out.extend(a.object(i, &arg_name(i))?);
            }
            Value::Object(out)
        }
        "keys" => {
            let o = a.object(0, ARG)?;
            let mut keys: Vec<String> = o.into_iter().map(|(k, _)| k).collect();
            keys.sort();
            Value::Array(keys.into_iter().map(Value::String).collect())
        }
        "values" => {
            let o = a.object(0, ARG)?;
            let mut entries: Vec<(String, Value)> = o.into_iter().collect();
            entries.sort_by(|x, y| x.0.cmp(&y.0));
            Value::Array(entries.into_iter().map(|(_, v)| v).collect())
        }
        "lookup" => {
            let key = a.string(1, "key")?;
            let default = if a.len() == 3 { Some(a.take(2)) } else { None };
            let mut map = a.object(0, "map")?;
            match map.remove(&key) {
                Some(v) => v,
                None => default.ok_or_else(|| {
                    a.err_with(
                        Some(1),
                        "the key is not in the map",
                        format!("key {} not found", quote(&key)),
                    )
                })?,
            }
        }
        "contains" => {
            let needle = a.take(1);
            let list = a.list(0, "list")?;
            Value::Bool(list.iter().any(|v| values_equal(v, &needle)))
        }
        "index" => {
            let needle = a.take(1);
            let list = a.list(0, "list")?;
            match list.iter().position(|v| values_equal(v, &needle)) {
                Some(i) => Value::from(i),
                None => {
                    return Err(a.err_with(
                        Some(1),
                        "no element equals the value",
                        format!("no element equals {}", describe(&needle)),
                    ));
                }
            }
        }
        "distinct" => {
            let list = a.list(0, ARG)?;
            let mut seen = HashSet::new();
            Value::Array(
                list.into_iter()
                    .filter(|v| seen.insert(canonical(v)))
                    .collect(),
            )
        }
        "flatten" => {
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
            Value::Array(out)
        }
        "element" => {
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
            list.swap_remove(i)
        }
        "slice" => {
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
            Value::Array(list.into_iter().skip(from).take(to - from).collect())
        }
        "reverse" => {
            let mut list = a.list(0, ARG)?;
            list.reverse();
            Value::Array(list)
        }
        "sort" => {
            let list = a.list(0, ARG)?;
            let mut strings = a.strings_of(0, &list)?;
            strings.sort();
            Value::Array(strings.into_iter().map(Value::String).collect())
        }
        "range" => range(a)?,
        "zipmap" => {
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
            Value::Object(keys.into_iter().zip(values).collect())
        }
        "coalesce" => {
            let found =
                a.v.iter()
                    .position(|v| !v.is_null() && v.as_str() != Some(""))
                    .ok_or_else(|| a.err(None, "no non-null, non-empty-string arguments"))?;
            a.take(found)
        }
        "coalescelist" => {
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
            a.take(i)
        }
        "compact" => {
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
            Value::Array(out)
        }
        "toset" => match a.take(0) {
            Value::Null => Value::Null,
            Value::Array(l) => Value::Array(to_set(l).map_err(|f| a.fault(Some(0), f))?),
            other => return Err(a.type_err(0, ARG, Want::List, &other)),
        },
        "tolist" => match a.take(0) {
            Value::Null => Value::Null,
            Value::Array(l) => Value::Array(unify(l).map_err(|f| a.fault(Some(0), f))?),
            other => return Err(a.type_err(0, ARG, Want::ListOrSet, &other)),
        },
        "tomap" => match a.take(0) {
            Value::Null => Value::Null,
            Value::Object(o) => {
                let (keys, vals): (Vec<String>, Vec<Value>) = o.into_iter().unzip();
                let vals = unify(vals).map_err(|f| a.fault(Some(0), f))?;
                Value::Object(keys.into_iter().zip(vals).collect())
            }
            other => return Err(a.type_err(0, ARG, Want::Map, &other)),
        },
        "chunklist" => {
            let size = a.int(1, "size")?;
            let list = a.list(0, "list")?;
            let Ok(size) = usize::try_from(size) else {
                return Err(a.err_with(
                    Some(1),
                    "the size must not be negative",
                    format!("size must not be negative, got {size}"),
                ));
            };
            if list.is_empty() {
                Value::Array(Vec::new())
            } else if size == 0 {
                Value::Array(vec![Value::Array(list)])
            } else {
                Value::Array(
                    list.chunks(size)
                        .map(|c| Value::Array(c.to_vec()))
                        .collect(),
                )
            }
        }
        "setunion" => {
            let mut all = Vec::new();
            for i in 0..a.len() {
                all.extend(a.list(i, &arg_name(i))?);
            }
            Value::Array(to_set(all).map_err(|f| a.fault(None, f))?)
        }
        "setintersection" => {
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
                let set =
                    to_set(all.by_ref().take(n).collect()).map_err(|f| a.fault(Some(i), f))?;
                sets.push(set);
            }
            let mut sets = sets.into_iter();
            let first = sets.next().unwrap_or_default();
            let others: Vec<HashSet<String>> =
                sets.map(|s| s.iter().map(canonical).collect()).collect();
            Value::Array(
                first
                    .into_iter()
                    .filter(|v| {
                        let key = canonical(v);
                        others.iter().all(|s| s.contains(&key))
                    })
                    .collect(),
            )
        }
        "one" => match a.take(0) {
            Value::Array(mut l) if l.len() <= 1 => l.pop().unwrap_or_default(),
            Value::Array(l) => {
                return Err(a.err_with(
                    Some(0),
                    "the list must have zero or one elements",
                    format!("list must have zero or one elements, got {}", l.len()),
                ));
            }
            other => return Err(a.type_err(0, ARG, Want::List, &other)),
        },
        "alltrue" => {
            let list = a.list(0, ARG)?;
            let mut all = true;
            for (j, v) in list.iter().enumerate() {
                // Terraform: a null element makes the result false.
                if v.is_null() || !a.want_bool(0, &format!("element {j}"), v)? {
                    all = false;
                    break;
                }
            }
            Value::Bool(all)
        }
        "anytrue" => {
            let list = a.list(0, ARG)?;
            let mut any = false;
            for (j, v) in list.iter().enumerate() {
                if !v.is_null() && a.want_bool(0, &format!("element {j}"), v)? {
                    any = true;
                    break;
                }
            }
            Value::Bool(any)
        }
        "sum" => {
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
            a.number(total)?
        }

        // ----- numbers
        "abs" => a.number(match a.num(0, ARG)? {
            Num::Int(i) => Num::Int(i.saturating_abs()),
            Num::Float(f) => Num::float(f.abs()),
        })?,
        "ceil" => a.number(match a.num(0, ARG)? {
            Num::Float(f) => Num::float(f.ceil()),
            n @ Num::Int(_) => n,
        })?,
        "floor" => a.number(match a.num(0, ARG)? {
            Num::Float(f) => Num::float(f.floor()),
            n @ Num::Int(_) => n,
        })?,
        "max" | "min" => {
            let want = if a.f == "max" {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let mut best = a.num(0, &arg_name(0))?;
            for i in 1..a.len() {
                let n = a.num(i, &arg_name(i))?;
                if n.cmp(best) == want {
                    best = n;
                }
            }
            a.number(best)?
        }
        "pow" => {
            let base = a.num(0, "base")?;
            let exp = a.num(1, "exponent")?;
            let exact = match (base, exp) {
                (Num::Int(b), Num::Int(e)) => u32::try_from(e).ok().and_then(|e| b.checked_pow(e)),
                _ => None,
            };
            a.number(exact.map_or_else(|| Num::float(base.f64().powf(exp.f64())), Num::Int))?
        }
        "signum" => Value::from(a.num(0, ARG)?.signum()),
        "parseint" => {
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
            a.number(n)?
        }

        // ----- type conversion
        "tostring" => match a.get(0) {
            Value::Null => Value::Null,
            v => Value::String(a.want_string(0, ARG, v).map_err(|_| {
                a.err_with(
                    Some(0),
                    "the value cannot be converted to a string",
                    format!("cannot convert {} to string", type_name(v)),
                )
            })?),
        },
        "tonumber" => match a.get(0) {
            Value::Null => Value::Null,
            v => {
                let n = conv_num(v).ok_or_else(|| {
                    a.err_with(
                        Some(0),
                        "the value cannot be converted to a number",
                        format!("cannot convert {} to number", describe(v)),
                    )
                })?;
                a.number(n)?
            }
        },
        "tobool" => match a.get(0) {
            Value::Null => Value::Null,
            v => Value::Bool(conv_bool(v).ok_or_else(|| {
                a.err_with(
                    Some(0),
                    "the value cannot be converted to a bool",
                    format!("cannot convert {} to bool", describe(v)),
                )
            })?),
        },
        "sensitive" | "nonsensitive" => a.take(0),

        // `call` only dispatches names it knows; a test checks every one is handled here.
        _ => {
            return Err(FnError {
                message: format!("unknown function {}", a.f),
                ..a.err(None, "unknown function")
            });
        }
    };
    Ok(v)
}

/// `file(path)`: a regular file of at most [`limits::MAX_FILE_BYTES`], as UTF-8 text.
/// Devices, FIFOs and directories are refused before they are opened: reading one could
/// block, or never end (`/dev/zero`).
fn read_file(a: &Args, ctx: &FnContext<'_>) -> Result<Value, FnError> {
    let p = a.string(0, "path")?;
    let full = ctx.base_dir.join(&p);
    let shown = quote(&full.display().to_string());
    let cannot = |e: &std::io::Error| {
        a.err_with(
            Some(0),
            "cannot read the file",
            format!("cannot read {shown}: {}", os_reason(e)),
        )
    };
    let not_regular = |m: &std::fs::Metadata| {
        let what = if m.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, a FIFO or a socket)"
        };
        a.err_with(
            Some(0),
            "only a regular file can be read",
            format!("{shown} is {what}; file() reads regular files only"),
        )
    };
    let too_large = |l: Limit| a.limit_with(Some(0), l, format!("{shown}: {l}"));
    let meta = std::fs::metadata(&full).map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > limits::MAX_FILE_BYTES {
        return Err(too_large(Limit::File));
    }
    let file = std::fs::File::open(&full).map_err(|e| cannot(&e))?;
    // The path may name something else by now: check what was opened, and read no more
    // than the limit whatever it is.
    let opened = file.metadata().map_err(|e| cannot(&e))?;
    if !opened.is_file() {
        return Err(not_regular(&opened));
    }
    let bytes = limits::read_capped(file)
        .map_err(|e| cannot(&e))?
        .map_err(too_large)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        a.err_with(
            Some(0),
            "the file is not valid UTF-8 text",
            format!("{shown} is not valid UTF-8 text"),
        )
    })?;
    Ok(Value::String(text))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
fn range(a: &Args) -> Result<Value, FnError> {
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

// ---------------------------------------------------------------------------------------
// format

/// How a formatted value fills its width.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Align {
    #[default]
    Right,
    /// The `-` flag.
    Left,
    /// The `0` flag (without `-`).
    ZeroPad,
}

/// One `%` verb's flags, width and precision.
#[derive(Debug, Default, Clone, Copy)]
struct Verb {
    align: Align,
    /// `+` or ` ` (the `+` flag wins).
    sign: Option<char>,
    /// The `#` flag.
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Terraform's `format`: `spec` with `args` (which are the function's arguments 1..).
fn format_values(a: &Args, spec: &str, args: &[Value]) -> Result<String, FnError> {
    let spec_err = |detail: String| a.err_with(Some(0), "invalid format string", detail);
    let mut out = String::new();
    let mut it = spec.char_indices().peekable();
    let mut next_arg = 0usize;
    let mut highest = 0usize;
    while let Some((start, c)) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (v, index) = parse_verb(&mut it, start).map_err(spec_err)?;
        let Some((at, mode)) = it.next() else {
            return Err(spec_err(format!("unterminated verb at offset {start}")));
        };
        let raw = spec.get(start..at + mode.len_utf8()).unwrap_or("%");
        if v.width.unwrap_or(0) > MAX_PAD || v.prec.unwrap_or(0) > MAX_PAD {
            return Err(spec_err(format!(
                "width or precision in \"{raw}\" is larger than {MAX_PAD}"
            )));
        }
        if mode == '%' {
            out.push('%');
            continue;
        }
        if !"vtbdoxXeEfFgGsq".contains(mode) {
            return Err(spec_err(format!("unsupported verb \"{raw}\"")));
        }
        let idx = index.unwrap_or(next_arg);
        next_arg = idx.saturating_add(1);
        highest = highest.max(next_arg);
        let Some(arg) = args.get(idx) else {
            return Err(a.err_with(
                Some(0),
                "not enough arguments for the format string",
                format!(
                    "not enough arguments for \"{raw}\": needs argument {next_arg}, have {}",
                    args.len()
                ),
            ));
        };
        let piece = format_one(&v, mode, raw, arg)
            .map_err(|m| a.err_with(Some(idx + 1), "an argument does not fit its verb", m))?;
        out.push_str(&piece);
        limits::check_string(out.len()).map_err(|l| a.limit(Some(0), l))?;
    }
    if highest < args.len() {
        let msg = if highest == 0 {
            "too many arguments; the format string has no verbs".to_owned()
        } else {
            format!("too many arguments; the format string uses only {highest}")
        };
        return Err(a.err_with(
            Some(highest + 1),
            "too many arguments for the format string",
            msg,
        ));
    }
    Ok(out)
}

type Chars<'s> = std::iter::Peekable<std::str::CharIndices<'s>>;

/// Flags, `[n]` argument index, width and precision of the verb starting at byte offset
/// `start` (the iterator is just past its `%`); the index is 0-based.
fn parse_verb(it: &mut Chars<'_>, start: usize) -> Result<(Verb, Option<usize>), String> {
    let mut v = Verb::default();
    let (mut minus, mut zero, mut plus, mut space) = (false, false, false, false);
    while let Some(&(_, flag)) = it.peek() {
        match flag {
            '-' => minus = true,
            '+' => plus = true,
            '#' => v.sharp = true,
            ' ' => space = true,
            '0' => zero = true,
            _ => break,
        }
        it.next();
    }
    v.align = match (minus, zero) {
        (true, _) => Align::Left,
        (false, true) => Align::ZeroPad,
        (false, false) => Align::Right,
    };
    v.sign = if plus {
        Some('+')
    } else if space {
        Some(' ')
    } else {
        None
    };
    let read_index = |it: &mut Chars<'_>, index: &mut Option<usize>| {
        if it.peek().map(|&(_, c)| c) != Some('[') {
            return Ok(());
        }
        it.next();
        match (read_digits(it), it.next()) {
            (Some(n), Some((_, ']'))) if n >= 1 => {
                *index = Some(n - 1);
                Ok(())
            }
            _ => Err(format!("bad argument index in verb at offset {start}")),
        }
    };
    let mut index = None;
    read_index(it, &mut index)?;
    v.width = read_digits(it);
    if it.peek().map(|&(_, c)| c) == Some('.') {
        it.next();
        v.prec = Some(read_digits(it).unwrap_or(0));
    }
    read_index(it, &mut index)?;
    Ok((v, index))
}

/// Digits at the iterator, as a number (saturating); None if there are none.
fn read_digits(it: &mut Chars<'_>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(&(_, c)) = it.peek() {
        let Some(d) = c.to_digit(10) else { break };
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        it.next();
    }
    n
}

/// Pads to the verb's width (in characters).
fn pad(v: &Verb, s: String) -> String {
    let len = s.chars().count();
    let Some(width) = v.width.filter(|&w| w > len) else {
        return s;
    };
    let fill = if v.align == Align::ZeroPad { '0' } else { ' ' };
    let pads: String = std::iter::repeat_n(fill, width - len).collect();
    if v.align == Align::Left {
        s + &pads
    } else {
        pads + &s
    }
}

/// Pads a number: sign and prefix first, zero padding (if asked) between them and digits.
fn pad_number(v: &Verb, neg: bool, prefix: &str, digits: &str, allow_zero: bool) -> String {
    let sign = if neg { Some('-') } else { v.sign };
    let head: String = sign.into_iter().chain(prefix.chars()).collect();
    let len = head.chars().count() + digits.chars().count();
    match v.width {
        Some(w) if w > len && v.align == Align::ZeroPad && allow_zero => {
            format!("{head}{}{digits}", "0".repeat(w - len))
        }
        _ => {
            let align = if v.align == Align::Left {
                Align::Left
            } else {
                Align::Right
            };
            pad(&Verb { align, ..*v }, head + digits)
        }
    }
}

fn format_one(v: &Verb, mode: char, raw: &str, arg: &Value) -> Result<String, String> {
    let needs = |what: &str| format!("\"{raw}\" needs {what}, got {}", describe(arg));
    match mode {
        'v' => Ok(pad(
            v,
            match arg {
                Value::String(s) if !v.sharp => s.clone(),
                Value::Number(n) if !v.sharp => match Num::of(n) {
                    // Terraform prints %v numbers as %g; integers read better as digits.
                    Num::Int(i) => i.to_string(),
                    Num::Float(f) => {
                        let body = fmt_g(f.abs(), None, false);
                        if f < 0.0 { format!("-{body}") } else { body }
                    }
                },
                other => json_encode(other),
            },
        )),
        't' => conv_bool(arg)
            .map(|b| pad(v, b.to_string()))
            .ok_or_else(|| needs("a bool")),
        's' | 'q' => {
            let mut s = conv_string(arg).ok_or_else(|| needs("a string"))?;
            if let Some(p) = v.prec.filter(|&p| p > 0) {
                s = s.chars().take(p).collect();
            }
            if mode == 'q' {
                s = json_encode(&Value::String(s));
            }
            Ok(pad(v, s))
        }
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = conv_num(arg).ok_or_else(|| needs("a number"))?;
            let (neg, digits) = match n {
                Num::Int(i) => {
                    let m = i.unsigned_abs();
                    let digits = match mode {
                        'b' => format!("{m:b}"),
                        'o' => format!("{m:o}"),
                        'x' => format!("{m:x}"),
                        'X' => format!("{m:X}"),
                        _ => m.to_string(),
                    };
                    (i < 0, digits)
                }
                Num::Float(f) if f.is_finite() && f.fract() == 0.0 && mode == 'd' => {
                    (f < 0.0, format!("{:.0}", f.abs()))
                }
                Num::Float(_) => return Err(needs("a whole number")),
            };
            let digits = match v.prec {
                Some(p) if p > digits.len() => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            let prefix = match (v.sharp, mode) {
                (true, 'b') => "0b",
                (true, 'o') => "0",
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                _ => "",
            };
            Ok(pad_number(v, neg, prefix, &digits, v.prec.is_none()))
        }
        _ => {
            // e E f F g G
            let f = conv_num(arg).ok_or_else(|| needs("a number"))?.f64();
            let x = f.abs();
            let body = match mode {
                'e' | 'E' => fmt_e(x, v.prec.unwrap_or(6), mode == 'E'),
                'g' | 'G' => fmt_g(x, v.prec, mode == 'G'),
                _ => format!("{x:.prec$}", prec = v.prec.unwrap_or(6)),
            };
            let neg = f.is_sign_negative() && f != 0.0;
            Ok(pad_number(v, neg, "", &body, true))
        }
    }
}

/// `%e` of a non-negative number: Go's form, `1.500000e+00`.
fn fmt_e(x: f64, prec: usize, upper: bool) -> String {
    let s = format!("{x:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    exp_form(mant, exp.parse().unwrap_or(0), upper)
}

fn exp_form(mant: &str, exp: i32, upper: bool) -> String {
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{e}{sign}{:02}", exp.unsigned_abs())
}

/// `%g` of a non-negative number, following Go: shortest digits without a precision,
/// exponent form when the exponent is below -4 or at least the precision (6 when shortest).
fn fmt_g(x: f64, prec: Option<usize>, upper: bool) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let p_sig = prec.map(|p| p.max(1));
    let s = match p_sig {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.prec$e}", prec = p - 1),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<char> = mant.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&'0') {
        digits.pop();
    }
    let nd = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let dp = exp + 1;
    let mut p = p_sig.map_or(nd, |p| i64::try_from(p).unwrap_or(i64::MAX));
    let mut eprec = p;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if p_sig.is_none() {
        eprec = 6;
    }
    if exp < -4 || exp >= eprec {
        p = p.min(nd);
        let mut mant: String = digits.first().copied().unwrap_or('0').to_string();
        if p > 1 {
            mant.push('.');
            mant.extend(digits.iter().take(usize::try_from(p).unwrap_or(0)).skip(1));
        }
        return exp_form(&mant, i32::try_from(exp).unwrap_or(0), upper);
    }
    if p > dp {
        p = nd;
    }
    let decimals = (p - dp).max(0);
    let digit = |i: i64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or('0')
    };
    let mut out: String = if dp > 0 {
        (0..dp).map(digit).collect()
    } else {
        "0".to_owned()
    };
    if decimals > 0 {
        out.push('.');
        out.extend((dp..dp + decimals).map(digit));
    }
    out
}

// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests;
