//! What a function is given (its arguments and context) and how it fails: [`FnError`],
//! which can only be built here, always with a value-free reason.

use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use super::value::{Num, conv_bool, conv_num, conv_string, describe, plural};
use crate::config::limits::Limit;

/// The name of a function's only (or only interesting) argument, in messages.
pub(super) const ARG: &str = "argument";

/// What a function may need besides its arguments.
pub struct FnContext<'a> {
    /// Directory of the configuration; `file()` paths are relative to it.
    pub base_dir: &'a Path,
}

/// Why a call failed: a message that may quote the arguments, and a reason that quotes
/// nothing. `arg` is the 0-based index of the argument at fault, when one is.
#[derive(Debug, Clone, PartialEq)]
pub struct FnError {
    /// The function, as in [`super::names`] (None for an unknown name).
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

    /// The limit of [`crate::config::limits`] that was hit, if that is what went wrong.
    pub fn limit(&self) -> Option<Limit> {
        self.limit
    }

    /// No function has this name.
    pub(super) fn unknown(name: &str) -> FnError {
        FnError {
            function: None,
            reason: "unknown function",
            message: format!("unknown function {name}"),
            arg: None,
            limit: None,
        }
    }

    /// Function `name` takes `min` to `max` arguments, and was given `got`.
    pub(super) fn arity(name: &'static str, min: usize, max: Option<usize>, got: usize) -> FnError {
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
}

impl fmt::Display for FnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FnError {}

/// A failure inside a helper, before it is tied to a function and an argument.
#[derive(Debug)]
pub(super) struct Fault {
    reason: &'static str,
    detail: String,
}

impl Fault {
    pub(super) fn new(reason: &'static str, detail: impl Into<String>) -> Fault {
        Fault {
            reason,
            detail: detail.into(),
        }
    }
}

static NULL: Value = Value::Null;

/// A call's arguments, with the function's name for its errors and the call's context.
pub(super) struct Args<'c> {
    f: &'static str,
    v: Vec<Value>,
    ctx: &'c FnContext<'c>,
}

/// A parameter type, for type errors.
#[derive(Debug, Clone, Copy)]
pub(super) enum Want {
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

impl<'c> Args<'c> {
    pub(super) fn new(f: &'static str, v: Vec<Value>, ctx: &'c FnContext<'c>) -> Args<'c> {
        Args { f, v, ctx }
    }

    /// The directory `file()` paths are relative to.
    pub(super) fn base_dir(&self) -> &'c Path {
        self.ctx.base_dir
    }

    /// All arguments.
    pub(super) fn all(&self) -> &[Value] {
        &self.v
    }

    /// An error whose message is `reason` alone.
    pub(super) fn err(&self, arg: Option<usize>, reason: &'static str) -> FnError {
        self.err_with(arg, reason, reason)
    }

    /// An error whose message is `detail` (which may quote arguments) and whose
    /// value-free form is `reason`.
    pub(super) fn err_with(
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

    pub(super) fn fault(&self, arg: Option<usize>, fault: Fault) -> FnError {
        self.err_with(arg, fault.reason, fault.detail)
    }

    /// The result would break `limit`.
    pub(super) fn limit(&self, arg: Option<usize>, limit: Limit) -> FnError {
        self.limit_with(arg, limit, limit)
    }

    /// The result would break `limit`, with a detailed message.
    pub(super) fn limit_with(
        &self,
        arg: Option<usize>,
        limit: Limit,
        detail: impl fmt::Display,
    ) -> FnError {
        FnError {
            limit: Some(limit),
            ..self.err_with(arg, limit.message(), detail)
        }
    }

    pub(super) fn len(&self) -> usize {
        self.v.len()
    }

    pub(super) fn get(&self, i: usize) -> &Value {
        self.v.get(i).unwrap_or(&NULL)
    }

    pub(super) fn take(&mut self, i: usize) -> Value {
        self.v.get_mut(i).map(std::mem::take).unwrap_or_default()
    }

    pub(super) fn type_err(&self, i: usize, what: &str, want: Want, got: &Value) -> FnError {
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
    pub(super) fn want_string(&self, i: usize, what: &str, v: &Value) -> Result<String, FnError> {
        conv_string(v).ok_or_else(|| self.type_err(i, what, Want::String, v))
    }

    pub(super) fn want_num(&self, i: usize, what: &str, v: &Value) -> Result<Num, FnError> {
        conv_num(v).ok_or_else(|| self.type_err(i, what, Want::Number, v))
    }

    pub(super) fn want_bool(&self, i: usize, what: &str, v: &Value) -> Result<bool, FnError> {
        conv_bool(v).ok_or_else(|| self.type_err(i, what, Want::Bool, v))
    }

    pub(super) fn string(&self, i: usize, what: &str) -> Result<String, FnError> {
        self.want_string(i, what, self.get(i))
    }

    pub(super) fn num(&self, i: usize, what: &str) -> Result<Num, FnError> {
        self.want_num(i, what, self.get(i))
    }

    /// A whole number within `i64`.
    pub(super) fn int(&self, i: usize, what: &str) -> Result<i64, FnError> {
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

    pub(super) fn list(&mut self, i: usize, what: &str) -> Result<Vec<Value>, FnError> {
        match self.take(i) {
            Value::Array(a) => Ok(a),
            other => Err(self.type_err(i, what, Want::List, &other)),
        }
    }

    pub(super) fn object(&mut self, i: usize, what: &str) -> Result<Map<String, Value>, FnError> {
        match self.take(i) {
            Value::Object(o) => Ok(o),
            other => Err(self.type_err(i, what, Want::Map, &other)),
        }
    }

    pub(super) fn strings_of(&self, i: usize, list: &[Value]) -> Result<Vec<String>, FnError> {
        list.iter()
            .enumerate()
            .map(|(j, v)| self.want_string(i, &format!("element {j}"), v))
            .collect()
    }

    /// A number result, or this function's error if it is not finite.
    pub(super) fn number(&self, n: Num) -> Result<Value, FnError> {
        n.to_value().map_err(|m| self.err(None, m))
    }
}

/// `argument N`, 1-based, in messages.
pub(super) fn arg_name(i: usize) -> String {
    format!("argument {}", i + 1)
}
