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
//! built in `args.rs`, through `Args::err` and its siblings, which all demand the reason, so a
//! new function cannot forget it.
//!
//! **Results are bounded** by [`super::limits`]: functions that can build much more than
//! they are given (`format`, `formatlist`, `indent`, `join`, `replace`, `split`, `concat`,
//! `file`) check the limits before building; the evaluator checks every result.
//!
//! **One registry.** `FUNCTIONS` holds each function once: its name, its arity and its
//! implementation. Names, arity checks and dispatch all come from it, so they cannot
//! drift. The implementations are grouped by family as Terraform's documentation groups
//! them (`string.rs`, `collection.rs`, `encoding.rs`, `numeric.rs`, `filesystem.rs`,
//! `type_conversion.rs`), over the helpers of `args.rs` (arguments and errors),
//! `value.rs` (numbers, conversions, equality) and `format.rs` (the `%` verbs).

mod args;
mod collection;
mod encoding;
mod filesystem;
mod format;
mod numeric;
mod string;
mod type_conversion;
mod value;

use serde_json::Value;

use args::Args;
pub use args::{FnContext, FnError};

/// How many arguments a function takes: at least `min`, at most `max` when bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Arity {
    min: usize,
    max: Option<usize>,
}

const fn exactly(n: usize) -> Arity {
    Arity {
        min: n,
        max: Some(n),
    }
}

const fn at_least(min: usize) -> Arity {
    Arity { min, max: None }
}

const fn between(min: usize, max: usize) -> Arity {
    Arity {
        min,
        max: Some(max),
    }
}

/// What a function does with its arguments (already counted against its arity).
type Run = fn(&mut Args<'_>) -> Result<Value, FnError>;

/// One function of the language.
struct Function {
    name: &'static str,
    arity: Arity,
    run: Run,
}

const fn function(name: &'static str, arity: Arity, run: Run) -> Function {
    Function { name, arity, run }
}

/// Every function, sorted by name (checked when compiling).
const FUNCTIONS: &[Function] = &[
    function("abs", exactly(1), numeric::abs),
    function("alltrue", exactly(1), collection::alltrue),
    function("anytrue", exactly(1), collection::anytrue),
    function("base64decode", exactly(1), encoding::base64decode),
    function("base64encode", exactly(1), encoding::base64encode),
    function("ceil", exactly(1), numeric::ceil),
    function("chomp", exactly(1), string::chomp),
    function("chunklist", exactly(2), collection::chunklist),
    function("coalesce", at_least(1), collection::coalesce),
    function("coalescelist", at_least(1), collection::coalescelist),
    function("compact", exactly(1), collection::compact),
    function("concat", at_least(1), collection::concat),
    function("contains", exactly(2), collection::contains),
    function("distinct", exactly(1), collection::distinct),
    function("element", exactly(2), collection::element),
    function("endswith", exactly(2), string::endswith),
    function("file", exactly(1), filesystem::file),
    function("fileexists", exactly(1), filesystem::fileexists),
    function("flatten", exactly(1), collection::flatten),
    function("floor", exactly(1), numeric::floor),
    function("format", at_least(1), string::format),
    function("formatlist", at_least(1), string::formatlist),
    function("indent", exactly(2), string::indent),
    function("index", exactly(2), collection::index),
    function("join", at_least(2), string::join),
    function("jsondecode", exactly(1), encoding::jsondecode),
    function("jsonencode", exactly(1), encoding::jsonencode),
    function("keys", exactly(1), collection::keys),
    function("length", exactly(1), collection::length),
    function("lookup", between(2, 3), collection::lookup),
    function("lower", exactly(1), string::lower),
    function("max", at_least(1), numeric::max),
    function("merge", at_least(0), collection::merge),
    function("min", at_least(1), numeric::min),
    function("nonsensitive", exactly(1), type_conversion::nonsensitive),
    function("one", exactly(1), collection::one),
    function("parseint", exactly(2), numeric::parseint),
    function("pow", exactly(2), numeric::pow),
    function("range", between(1, 3), collection::range),
    function("replace", exactly(3), string::replace),
    function("reverse", exactly(1), collection::reverse),
    function("sensitive", exactly(1), type_conversion::sensitive),
    function("setintersection", at_least(1), collection::setintersection),
    function("setunion", at_least(1), collection::setunion),
    function("signum", exactly(1), numeric::signum),
    function("slice", exactly(3), collection::slice),
    function("sort", exactly(1), collection::sort),
    function("split", exactly(2), string::split),
    function("startswith", exactly(2), string::startswith),
    function("strrev", exactly(1), string::strrev),
    function("substr", exactly(3), string::substr),
    function("sum", exactly(1), collection::sum),
    function("title", exactly(1), string::title),
    function("tobool", exactly(1), type_conversion::tobool),
    function("tolist", exactly(1), type_conversion::tolist),
    function("tomap", exactly(1), type_conversion::tomap),
    function("tonumber", exactly(1), type_conversion::tonumber),
    function("toset", exactly(1), type_conversion::toset),
    function("tostring", exactly(1), type_conversion::tostring),
    function("trim", exactly(2), string::trim),
    function("trimprefix", exactly(2), string::trimprefix),
    function("trimspace", exactly(1), string::trimspace),
    function("trimsuffix", exactly(2), string::trimsuffix),
    function("upper", exactly(1), string::upper),
    function("values", exactly(1), collection::values),
    function("zipmap", exactly(2), collection::zipmap),
];

const _: () = assert!(
    sorted_by_name(FUNCTIONS),
    "FUNCTIONS must be sorted by name, each name once"
);

/// Whether each name is smaller than the next (so none appears twice).
const fn sorted_by_name(functions: &[Function]) -> bool {
    let mut i = 1;
    while i < functions.len() {
        let (a, b) = (
            functions[i - 1].name.as_bytes(),
            functions[i].name.as_bytes(),
        );
        let mut k = 0;
        while k < a.len() && k < b.len() && a[k] == b[k] {
            k += 1;
        }
        let less = if k < a.len() && k < b.len() {
            a[k] < b[k]
        } else {
            a.len() < b.len()
        };
        if !less {
            return false;
        }
        i += 1;
    }
    true
}

/// The names of [`FUNCTIONS`], in its order.
const NAMES: [&str; FUNCTIONS.len()] = {
    let mut names = [""; FUNCTIONS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = FUNCTIONS[i].name;
        i += 1;
    }
    names
};

/// Names of every function, sorted (used for "did you mean" suggestions).
#[must_use]
pub fn names() -> &'static [&'static str] {
    &NAMES
}

/// The function called `name`.
fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &FUNCTIONS[i])
}

/// Calls function `name` with already-evaluated arguments. Unknown name → Err with arg None
/// and message "unknown function NAME". Wrong arity → Err naming the expected arity.
///
/// # Errors
///
/// An unknown name, a wrong argument count, or whatever the function itself refuses
/// (wrong types, bad format verbs, missing files, …), as an [`FnError`].
pub fn call(name: &str, args: Vec<Value>, ctx: &FnContext<'_>) -> Result<Value, FnError> {
    let Some(function) = lookup(name) else {
        return Err(FnError::unknown(name));
    };
    let Arity { min, max } = function.arity;
    if args.len() < min || max.is_some_and(|m| args.len() > m) {
        return Err(FnError::arity(function.name, min, max, args.len()));
    }
    (function.run)(&mut Args::new(function.name, args, ctx))
}

#[cfg(test)]
mod tests;
