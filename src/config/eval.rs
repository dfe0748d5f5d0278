//! Evaluation of HCL expressions over hcl-edit's syntax tree.
//!
//! Values are JSON values (what DbList, Reserved and the plan speak). Each value carries
//! whether it is **sensitive**: derived from a variable declared `sensitive = true`, or
//! from `sensitive(...)`. Sensitivity spreads through every operation and function
//! (`nonsensitive(...)` clears it), so a password can be required to come from a
//! sensitive variable and is never printed.
//!
//! **Errors never show a sensitive value, by construction.** Every error carries the span
//! of the sub-expression at fault and a [`Reason`]: what went wrong, made of `&'static
//! str`s only, so it cannot hold a value. Its message may quote values only if none of
//! them is sensitive, and that decision is made in one place, `EvalError::about`, which
//! every error about a value goes through with the sensitivity of the values it describes.
//! Functions do not know which arguments are sensitive: each of their errors carries a
//! static reason too, and a call with any sensitive argument shows only that reason.
//!
//! **Evaluation is bounded** by [`super::limits`]: [`eval`] gives each expression a budget
//! that everything it builds or copies is charged to, and checks its value's size and
//! nesting; templates, collections and function results are checked where they grow.
//! Such errors name the limit and are not caught by `try` or `can`.
//!
//! Supported: literals, strings with `${...}` interpolation and `%{if}`/`%{for}`
//! directives (with `~` strip markers), heredocs, arrays, objects, `var.*`, `local.*`,
//! `path.module`/`path.root`, iterator objects of `dynamic` blocks, attribute and index
//! access, splats, `for` expressions, conditionals, arithmetic, comparison and logic,
//! and the functions of [`super::functions`], plus `try` and `can`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, Traversal, TraversalOperator,
    UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};
use serde_json::{Map, Value};

use super::functions::{self, FnContext};
use super::limits::{self, Budget, Limit, Shape, VALUE_COST};
use super::source::did_you_mean;

/// A value and whether it is sensitive.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub value: Value,
    pub sensitive: bool,
}

impl Evaluated {
    pub fn plain(value: Value) -> Evaluated {
        Evaluated {
            value,
            sensitive: false,
        }
    }
}

/// A message that quotes no value: it is made of `&'static str`s only, so nothing computed
/// from a value can be in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    /// The function or construct it is about (`abs`), if any.
    context: Option<&'static str>,
    text: &'static str,
}

impl Reason {
    pub const fn new(text: &'static str) -> Reason {
        Reason {
            context: None,
            text,
        }
    }

    pub const fn within(context: Option<&'static str>, text: &'static str) -> Reason {
        Reason { context, text }
    }
}

impl From<&'static str> for Reason {
    fn from(text: &'static str) -> Reason {
        Reason::new(text)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.context {
            Some(context) => write!(f, "{context}: {}", self.text),
            None => f.write_str(self.text),
        }
    }
}

/// A failed evaluation: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub span: Range<usize>,
    /// Safe to show: it quotes values only when none of them is sensitive.
    pub message: String,
    pub help: Option<String>,
    /// The message without any value at all, for expressions whose values must not be shown
    /// although nothing marks them sensitive: a literal password, the default or var-file
    /// entry of a sensitive variable.
    pub reason: Reason,
    /// The limit of [`super::limits`] that was hit, if that is what went wrong: `try` and
    /// `can` pass such errors on rather than turn them into a fallback.
    pub limit: Option<Limit>,
}

impl EvalError {
    /// An error whose whole message is `reason`.
    fn new(span: Range<usize>, reason: &'static str) -> EvalError {
        EvalError::about(span, false, reason, || reason.to_owned())
    }

    /// An error whose message names what the source text names (a variable, a function),
    /// never a value.
    fn named(span: Range<usize>, reason: &'static str, message: String) -> EvalError {
        EvalError::about(span, false, reason, || message)
    }

    /// **The one place messages are built from values.** `detail` may quote the values the
    /// error is about; it is built only if none of them is `sensitive`, and otherwise the
    /// message is `reason`, which cannot quote anything. Every error about a value — of an
    /// operator, an index, an attribute, a `for`, a template, a function call — is made
    /// here, with the sensitivity of the values it describes.
    fn about(
        span: Range<usize>,
        sensitive: bool,
        reason: impl Into<Reason>,
        detail: impl FnOnce() -> String,
    ) -> EvalError {
        let reason = reason.into();
        let (message, help) = if sensitive {
            (
                format!("{reason} (sensitive value)"),
                Some("the value is sensitive, so dtsform does not show it".to_owned()),
            )
        } else {
            (detail(), None)
        };
        EvalError {
            span,
            message,
            help,
            reason,
            limit: None,
        }
    }

    /// `limit` was hit at `span`.
    fn limit(span: Range<usize>, limit: Limit) -> EvalError {
        EvalError {
            limit: Some(limit),
            help: Some(limit.help().to_owned()),
            ..EvalError::new(span, limit.message())
        }
    }

    fn help(mut self, help: impl Into<String>) -> EvalError {
        self.help = Some(help.into());
        self
    }
}

type Result<T> = std::result::Result<T, EvalError>;

/// The names an expression can see. Cloning is cheap: bindings are shared.
#[derive(Clone)]
pub struct Scope<'a> {
    pub variables: &'a BTreeMap<String, Evaluated>,
    pub locals: &'a BTreeMap<String, Evaluated>,
    /// Iterator objects and `for` variables, innermost first.
    bindings: Option<Rc<Binding>>,
    /// The configuration directory (`path.module`, `file()`).
    pub base_dir: &'a Path,
    /// What the expression being evaluated may still build ([`eval`] starts a new one).
    budget: Rc<Budget>,
}

/// One bound name, linked to the bindings of the enclosing scope.
struct Binding {
    name: String,
    value: Evaluated,
    outer: Option<Rc<Binding>>,
}

impl<'a> Scope<'a> {
    pub fn new(
        variables: &'a BTreeMap<String, Evaluated>,
        locals: &'a BTreeMap<String, Evaluated>,
        base_dir: &'a Path,
    ) -> Self {
        Scope {
            variables,
            locals,
            bindings: None,
            base_dir,
            budget: Rc::default(),
        }
    }

    /// The scope with `name` bound to `value`.
    #[must_use]
    pub fn bind(&self, name: &str, value: Evaluated) -> Self {
        let mut scope = self.clone();
        scope.bindings = Some(Rc::new(Binding {
            name: name.to_owned(),
            value,
            outer: self.bindings.clone(),
        }));
        scope
    }

    fn bindings(&self) -> impl Iterator<Item = &Binding> {
        std::iter::successors(self.bindings.as_deref(), |b| b.outer.as_deref())
    }

    fn binding(&self, name: &str) -> Option<&Evaluated> {
        self.bindings().find(|b| b.name == name).map(|b| &b.value)
    }

    /// Charges `cost` to the expression's budget; `at` is where it is spent.
    fn charge(&self, cost: u64, at: &Range<usize>) -> Result<()> {
        self.budget
            .charge(cost)
            .map_err(|l| EvalError::limit(at.clone(), l))
    }

    /// Checks a value that came from outside the evaluator's own construction (a copy, a
    /// function's result) against the limits, and charges it.
    fn admit(&self, value: &Value, at: &Range<usize>) -> Result<()> {
        self.budget
            .admit(value)
            .map_err(|l| EvalError::limit(at.clone(), l))
    }
}

/// Names that are resource types: usable in `depends_on`, not as values.
pub const RESOURCE_TYPES: &[&str] = &["alicloud_dts_job"];

fn span(expr: &Expression) -> Range<usize> {
    expr.span().unwrap_or(0..0)
}

/// `string "abc"`, `number 3`, `list of 2`, or `(sensitive value)`.
pub fn describe(v: &Evaluated) -> String {
    describe_value(&v.value, v.sensitive)
}

fn describe_value(value: &Value, sensitive: bool) -> String {
    if sensitive {
        return "(sensitive value)".into();
    }
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("bool {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("string \"{}…\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("string {s:?}"),
        Value::Array(a) => format!("list of {}", a.len()),
        Value::Object(o) => format!("object with {} attributes", o.len()),
    }
}

/// The text of a string, number or bool.
pub fn to_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number, as an integer when it is one.
pub fn number(f: f64) -> Value {
    /// Integers up to 2^53 are exact in an f64.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if f.is_finite() && f.fract() == 0.0 && f.abs() <= EXACT {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// Equality with numbers compared by value.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

fn combine(parts: &[&Evaluated]) -> bool {
    parts.iter().any(|p| p.sensitive)
}

/// Evaluates `expr` in `scope`, within the limits of [`super::limits`]: the expression
/// gets its own budget, and its value is checked against the limits on one value.
pub fn eval(expr: &Expression, scope: &Scope<'_>) -> Result<Evaluated> {
    let mut scope = scope.clone();
    scope.budget = Rc::default();
    let v = ev(expr, &scope)?;
    Shape::of(&v.value)
        .check()
        .map_err(|l| EvalError::limit(span(expr), l))?;
    Ok(v)
}

/// Evaluates a sub-expression within the current budget.
fn ev(expr: &Expression, scope: &Scope<'_>) -> Result<Evaluated> {
    let at = span(expr);
    match expr {
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) => {
            scope.charge(VALUE_COST, &at)?;
            let value = match expr {
                Expression::Bool(b) => Value::Bool(**b),
                Expression::Number(n) => n
                    .as_i64()
                    .map(Value::from)
                    .or_else(|| n.as_u64().map(Value::from))
                    .or_else(|| n.as_f64().map(number))
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            };
            Ok(Evaluated::plain(value))
        }
        Expression::String(s) => {
            scope.charge(VALUE_COST + s.len() as u64, &at)?;
            Ok(Evaluated::plain(Value::String((**s).clone())))
        }
        Expression::Array(array) => {
            let items = array
                .iter()
                .map(|e| ev(e, scope))
                .collect::<Result<Vec<_>>>()?;
            limits::check_collection(items.len()).map_err(|l| EvalError::limit(at.clone(), l))?;
            scope.charge(VALUE_COST, &at)?;
            let sensitive = items.iter().any(|i| i.sensitive);
            Ok(Evaluated {
                value: Value::Array(items.into_iter().map(|i| i.value).collect()),
                sensitive,
            })
        }
        Expression::Object(object) => {
            let mut map = Map::new();
            let mut sensitive = false;
            for (key, value) in object {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(e) => {
                        let k = ev(e, scope)?;
                        sensitive |= k.sensitive;
                        to_text(&k.value).ok_or_else(|| {
                            EvalError::about(
                                span(e),
                                k.sensitive,
                                "an object key must be a string",
                                || format!("an object key must be a string, not {}", describe(&k)),
                            )
                        })?
                    }
                };
                let v = ev(value.expr(), scope)?;
                sensitive |= v.sensitive;
                scope.charge(VALUE_COST + key.len() as u64, &at)?;
                map.insert(key, v.value);
            }
            limits::check_collection(map.len()).map_err(|l| EvalError::limit(at.clone(), l))?;
            scope.charge(VALUE_COST, &at)?;
            Ok(Evaluated {
                value: Value::Object(map),
                sensitive,
            })
        }
        Expression::StringTemplate(t) => eval_template(t, at, scope),
        Expression::HeredocTemplate(h) => {
            let mut h = (**h).clone();
            if h.indent().is_some() {
                h.dedent();
            }
            eval_template(&h.template, at, scope)
        }
        Expression::Parenthesis(p) => ev(p.inner(), scope),
        Expression::Variable(v) => {
            let found = lookup_binding(v.as_str(), at.clone(), scope)?;
            scope.admit(&found.value, &at)?;
            Ok(found)
        }
        Expression::Conditional(c) => {
            let cond = ev(&c.cond_expr, scope)?;
            let Value::Bool(choice) = cond.value else {
                return Err(EvalError::about(
                    span(&c.cond_expr),
                    cond.sensitive,
                    "a condition must be a bool",
                    || format!("a condition must be a bool, not {}", describe(&cond)),
                ));
            };
            let mut out = ev(if choice { &c.true_expr } else { &c.false_expr }, scope)?;
            out.sensitive |= cond.sensitive;
            Ok(out)
        }
        Expression::FuncCall(call) => eval_call(call, at, scope),
        Expression::Traversal(t) => eval_traversal(t, scope),
        Expression::UnaryOp(op) => {
            let v = ev(&op.expr, scope)?;
            let value = match (*op.operator, &v.value) {
                (UnaryOperator::Neg, Value::Number(n)) => number(-n.as_f64().unwrap_or(0.0)),
                (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                (operator, _) => {
                    return Err(EvalError::about(
                        at,
                        v.sensitive,
                        match operator {
                            UnaryOperator::Neg => "operator - needs a number",
                            UnaryOperator::Not => "operator ! needs a bool",
                        },
                        || {
                            format!(
                                "operator {} cannot be applied to {}",
                                operator.as_str(),
                                describe(&v)
                            )
                        },
                    ));
                }
            };
            scope.charge(VALUE_COST, &at)?;
            Ok(Evaluated {
                value,
                sensitive: v.sensitive,
            })
        }
        Expression::BinaryOp(op) => {
            let l = ev(&op.lhs_expr, scope)?;
            let r = ev(&op.rhs_expr, scope)?;
            let value = binary(*op.operator, &l, &r, at.clone())?;
            scope.charge(VALUE_COST, &at)?;
            Ok(Evaluated {
                value,
                sensitive: combine(&[&l, &r]),
            })
        }
        Expression::ForExpr(f) => eval_for(f, at, scope),
    }
}

fn binary(op: BinaryOperator, l: &Evaluated, r: &Evaluated, at: Range<usize>) -> Result<Value> {
    use BinaryOperator as B;
    let sensitive = combine(&[l, r]);
    let mismatch = |at: Range<usize>| {
        EvalError::about(
            at,
            sensitive,
            "the operator cannot be applied to these operands",
            || {
                format!(
                    "operator {} cannot be applied to {} and {}",
                    op.as_str(),
                    describe(l),
                    describe(r)
                )
            },
        )
    };
    Ok(match op {
        B::Eq => Value::Bool(equal(&l.value, &r.value)),
        B::NotEq => Value::Bool(!equal(&l.value, &r.value)),
        B::And | B::Or => match (&l.value, &r.value) {
            (Value::Bool(a), Value::Bool(b)) => {
                Value::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => return Err(mismatch(at)),
        },
        _ => {
            let (Some(a), Some(b)) = (as_number(&l.value), as_number(&r.value)) else {
                return Err(mismatch(at));
            };
            match op {
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                B::Plus => number(a + b),
                B::Minus => number(a - b),
                B::Mul => number(a * b),
                B::Div if b == 0.0 => return Err(EvalError::new(at, "division by zero")),
                B::Div => number(a / b),
                B::Mod if b == 0.0 => return Err(EvalError::new(at, "modulo by zero")),
                B::Mod => number(a % b),
                _ => return Err(mismatch(at)),
            }
        }
    })
}

/// A number, or a string holding one (HCL converts those).
fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn lookup_binding(name: &str, at: Range<usize>, scope: &Scope<'_>) -> Result<Evaluated> {
    if let Some(v) = scope.binding(name) {
        return Ok(v.clone());
    }
    let err = match name {
        "var" | "local" | "path" => EvalError::named(
            at,
            "this name must be followed by an attribute",
            format!("{name} must be followed by an attribute, as in {name}.NAME"),
        ),
        t if RESOURCE_TYPES.contains(&t) => {
            EvalError::new(at, "a resource cannot be used as a value")
                .help("resources can only be named in depends_on")
        }
        _ => {
            let known: Vec<&str> = scope.bindings().map(|b| b.name.as_str()).collect();
            EvalError::named(at, "unknown name", format!("unknown name {name:?}")).help(
                match did_you_mean(name, known.iter().copied()) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "use var.NAME for variables and local.NAME for locals".into(),
                },
            )
        }
    };
    Err(err)
}

fn eval_traversal(t: &Traversal, scope: &Scope<'_>) -> Result<Evaluated> {
    let mut ops = t.operators.iter();
    match &t.expr {
        Expression::Variable(v) if matches!(v.as_str(), "var" | "local" | "path") => {
            let Some(first) = ops.next() else {
                return lookup_binding(v.as_str(), span(&t.expr), scope);
            };
            let TraversalOperator::GetAttr(name) = &**first else {
                return Err(EvalError::named(
                    first.span().unwrap_or(0..0),
                    "this name must be followed by .NAME",
                    format!("{} must be followed by .NAME", v.as_str()),
                ));
            };
            let at = t.expr.span().unwrap_or(0..0).start..first.span().map_or(0, |s| s.end);
            let root = lookup_named(v.as_str(), name.as_str(), at.clone(), scope)?;
            traverse(
                &root.value,
                root.sensitive,
                &ops.collect::<Vec<_>>(),
                at,
                scope,
            )
        }
        // A bound name (`table.value`): read through it without copying the whole object.
        Expression::Variable(v) => match scope.binding(v.as_str()) {
            Some(bound) => traverse(
                &bound.value,
                bound.sensitive,
                &ops.collect::<Vec<_>>(),
                span(&t.expr),
                scope,
            ),
            None => lookup_binding(v.as_str(), span(&t.expr), scope),
        },
        other => {
            let root = ev(other, scope)?;
            traverse(
                &root.value,
                root.sensitive,
                &ops.collect::<Vec<_>>(),
                span(other),
                scope,
            )
        }
    }
}

/// `var.NAME`, `local.NAME` or `path.*`, read in place.
fn lookup_named<'a>(
    root: &str,
    name: &str,
    at: Range<usize>,
    scope: &Scope<'a>,
) -> Result<Cow<'a, Evaluated>> {
    let unknown = |what: &'static str, reason: &'static str, known: Vec<&str>| {
        EvalError::named(at.clone(), reason, format!("unknown {what} {name:?}")).help(
            match did_you_mean(name, known.iter().copied()) {
                Some(s) => format!("did you mean {root}.{s}?"),
                None if known.is_empty() => format!("no {what}s are declared"),
                None if known.len() > 20 => format!(
                    "declared: {}, … ({} in all)",
                    known[..20].join(", "),
                    known.len()
                ),
                None => format!("declared: {}", known.join(", ")),
            },
        )
    };
    match root {
        "var" => scope.variables.get(name).map(Cow::Borrowed).ok_or_else(|| {
            unknown(
                "variable",
                "unknown variable",
                scope.variables.keys().map(String::as_str).collect(),
            )
        }),
        "local" => scope.locals.get(name).map(Cow::Borrowed).ok_or_else(|| {
            unknown(
                "local",
                "unknown local",
                scope.locals.keys().map(String::as_str).collect(),
            )
        }),
        _ => match name {
            "module" | "root" => Ok(Cow::Owned(Evaluated::plain(Value::String(
                scope.base_dir.display().to_string(),
            )))),
            _ => Err(unknown(
                "path attribute",
                "unknown path attribute",
                vec!["module", "root"],
            )),
        },
    }
}

/// Applies traversal operators to `root` (read at `at`), by reference, copying only the
/// value reached.
fn traverse(
    root: &Value,
    root_sensitive: bool,
    ops: &[&hcl_edit::Decorated<TraversalOperator>],
    at: Range<usize>,
    scope: &Scope<'_>,
) -> Result<Evaluated> {
    let mut current: &Value = root;
    let mut sensitive = root_sensitive;
    let mut reached = at;
    for (i, op) in ops.iter().enumerate() {
        let at = op.span().unwrap_or(0..0);
        reached = at.clone();
        match &***op {
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let items: Vec<&Value> = match current {
                    Value::Array(items) => items.iter().collect(),
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                let rest = &ops[i + 1..];
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(traverse(item, sensitive, rest, at.clone(), scope)?.value);
                }
                scope.charge(VALUE_COST, &at)?;
                return Ok(Evaluated {
                    value: Value::Array(out),
                    sensitive,
                });
            }
            TraversalOperator::GetAttr(name) => {
                current = get_attr(current, sensitive, name.as_str(), at)?;
            }
            TraversalOperator::LegacyIndex(index) => {
                current = index_list(current, sensitive, usize::try_from(**index).ok(), at)?;
            }
            TraversalOperator::Index(key) => {
                let k = ev(key, scope)?;
                sensitive |= k.sensitive;
                current = match (current, &k.value) {
                    (Value::Array(_), Value::Number(n)) => {
                        let index = n.as_u64().and_then(|i| usize::try_from(i).ok());
                        index_list(current, sensitive, index, at)?
                    }
                    (Value::Object(_), _) => {
                        let name = to_text(&k.value).ok_or_else(|| {
                            EvalError::about(
                                at.clone(),
                                sensitive,
                                "an object is indexed by a string",
                                || {
                                    format!(
                                        "an object is indexed by a string, not {}",
                                        describe(&k)
                                    )
                                },
                            )
                        })?;
                        get_attr(current, sensitive, &name, at)?
                    }
                    _ => {
                        return Err(EvalError::about(
                            at,
                            sensitive,
                            "this value cannot be indexed with this key",
                            || {
                                format!(
                                    "cannot index {} with {}",
                                    describe_value(current, sensitive),
                                    describe(&k)
                                )
                            },
                        ));
                    }
                };
            }
        }
    }
    scope.admit(current, &reached)?;
    Ok(Evaluated {
        value: current.clone(),
        sensitive,
    })
}

/// Attribute `name` of an object; `sensitive` if the object or the name is.
fn get_attr<'v>(v: &'v Value, sensitive: bool, name: &str, at: Range<usize>) -> Result<&'v Value> {
    match v {
        Value::Object(map) => map.get(name).ok_or_else(|| {
            let e = EvalError::about(at, sensitive, "this object has no such attribute", || {
                format!("this object has no attribute {name:?}")
            });
            if sensitive {
                return e;
            }
            e.help(match did_you_mean(name, map.keys().map(String::as_str)) {
                Some(s) => format!("did you mean {s}?"),
                None => format!(
                    "its attributes: {}",
                    map.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            })
        }),
        _ => Err(EvalError::about(
            at,
            sensitive,
            "only an object has attributes",
            || {
                format!(
                    "cannot read attribute {name:?} of {}",
                    describe_value(v, sensitive)
                )
            },
        )),
    }
}

/// Element `index` (`None`: not a whole, non-negative number) of a list.
fn index_list(
    v: &Value,
    sensitive: bool,
    index: Option<usize>,
    at: Range<usize>,
) -> Result<&Value> {
    let Value::Array(items) = v else {
        return Err(EvalError::about(
            at,
            sensitive,
            "only a list can be indexed by a number",
            || format!("cannot index {}", describe_value(v, sensitive)),
        ));
    };
    index.and_then(|i| items.get(i)).ok_or_else(|| {
        EvalError::about(at, sensitive, "the index is out of range", || {
            let shown = index.map_or_else(|| "this index".to_owned(), |i| format!("index {i}"));
            format!("{shown} is out of range for a list of {}", items.len())
        })
    })
}

/// The entries of a collection, by reference: (key, value) pairs for `for` and
/// `for_each`.
fn entries(v: &Evaluated, at: Range<usize>) -> Result<Vec<(Value, &Value)>> {
    match &v.value {
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| (Value::from(i), item))
            .collect()),
        Value::Object(map) => Ok(map
            .iter()
            .map(|(k, item)| (Value::String(k.clone()), item))
            .collect()),
        Value::Null => Ok(Vec::new()),
        _ => Err(EvalError::about(
            at,
            v.sensitive,
            "only a list or a map can be iterated",
            || format!("cannot iterate over {}; give a list or a map", describe(v)),
        )),
    }
}

/// (key, value) pairs of a collection, for `for` and `for_each`.
pub fn iterate(v: &Evaluated, at: Range<usize>) -> Result<Vec<(Value, Value)>> {
    Ok(entries(v, at)?
        .into_iter()
        .map(|(k, item)| (k, item.clone()))
        .collect())
}

/// Binds `for`'s (or `%{for}`'s) variables to one entry, charging the copy.
fn bind_entry<'a>(
    scope: &Scope<'a>,
    value_var: &str,
    key_var: Option<&str>,
    (key, value): (Value, &Value),
    sensitive: bool,
    at: &Range<usize>,
) -> Result<Scope<'a>> {
    scope.charge(VALUE_COST, at)?;
    scope.admit(value, at)?;
    let mut inner = scope.bind(
        value_var,
        Evaluated {
            value: value.clone(),
            sensitive,
        },
    );
    if let Some(k) = key_var {
        scope.admit(&key, at)?;
        inner = inner.bind(
            k,
            Evaluated {
                value: key,
                sensitive,
            },
        );
    }
    Ok(inner)
}

fn eval_for(f: &ForExpr, at: Range<usize>, scope: &Scope<'_>) -> Result<Evaluated> {
    let collection = ev(&f.intro.collection_expr, scope)?;
    let mut sensitive = collection.sensitive;
    let items = entries(&collection, span(&f.intro.collection_expr))?;
    let mut list = Vec::new();
    let mut map = Map::new();
    for entry in items {
        let inner = bind_entry(
            scope,
            f.intro.value_var.as_str(),
            f.intro.key_var.as_ref().map(|k| k.as_str()),
            entry,
            collection.sensitive,
            &at,
        )?;
        if let Some(cond) = &f.cond {
            let c = ev(&cond.expr, &inner)?;
            sensitive |= c.sensitive;
            match c.value {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                _ => {
                    return Err(EvalError::about(
                        span(&cond.expr),
                        c.sensitive,
                        "a for condition must be a bool",
                        || format!("a for condition must be a bool, not {}", describe(&c)),
                    ));
                }
            }
        }
        let v = ev(&f.value_expr, &inner)?;
        sensitive |= v.sensitive;
        match &f.key_expr {
            None => {
                limits::check_collection(list.len() + 1)
                    .map_err(|l| EvalError::limit(at.clone(), l))?;
                list.push(v.value);
            }
            Some(key_expr) => {
                let k = ev(key_expr, &inner)?;
                sensitive |= k.sensitive;
                let key = to_text(&k.value).ok_or_else(|| {
                    EvalError::about(
                        span(key_expr),
                        k.sensitive,
                        "a for key must be a string",
                        || format!("a for key must be a string, not {}", describe(&k)),
                    )
                })?;
                scope.charge(VALUE_COST + key.len() as u64, &at)?;
                if f.grouping {
                    let group = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = group {
                        limits::check_collection(items.len() + 1)
                            .map_err(|l| EvalError::limit(at.clone(), l))?;
                        items.push(v.value);
                    }
                } else if map.contains_key(&key) {
                    return Err(EvalError::about(
                        span(key_expr),
                        k.sensitive,
                        "duplicate key in a for expression",
                        || format!("duplicate key {key:?} in a for expression"),
                    )
                    .help("add ... after the value to group values by key"));
                } else {
                    map.insert(key, v.value);
                }
                limits::check_collection(map.len()).map_err(|l| EvalError::limit(at.clone(), l))?;
            }
        }
    }
    scope.charge(VALUE_COST, &at)?;
    let value = if f.key_expr.is_some() {
        Value::Object(map)
    } else {
        Value::Array(list)
    };
    Ok(Evaluated { value, sensitive })
}

fn eval_call(call: &FuncCall, at: Range<usize>, scope: &Scope<'_>) -> Result<Evaluated> {
    let name = call.name.name.as_str();
    if call.name.is_namespaced() {
        return Err(EvalError::named(
            at,
            "provider functions are not supported",
            format!("provider functions ({name} with a namespace) are not supported"),
        ));
    }
    let args: Vec<&Expression> = call.args.iter().collect();
    match name {
        "try" => {
            let mut last = None;
            for arg in &args {
                match ev(arg, scope) {
                    Ok(v) => return Ok(v),
                    Err(e) if e.limit.is_some() => return Err(e),
                    Err(e) => last = Some(e),
                }
            }
            return Err(
                last.unwrap_or_else(|| EvalError::new(at, "try needs at least one argument"))
            );
        }
        "can" => {
            let [arg] = args.as_slice() else {
                return Err(EvalError::new(at, "can takes exactly one argument"));
            };
            let ok = match ev(arg, scope) {
                Ok(_) => true,
                Err(e) if e.limit.is_some() => return Err(e),
                Err(_) => false,
            };
            scope.charge(VALUE_COST, &at)?;
            return Ok(Evaluated::plain(Value::Bool(ok)));
        }
        _ if !functions::names().contains(&name) => {
            return Err(EvalError::named(
                at,
                "unknown function",
                format!("unknown function {name}"),
            )
            .help(
                match did_you_mean(name, functions::names().iter().copied()) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "the README lists the functions dtsform provides".into(),
                },
            ));
        }
        _ => {}
    }
    let mut values = Vec::with_capacity(args.len());
    let mut sensitive = false;
    for arg in &args {
        let v = ev(arg, scope)?;
        sensitive |= v.sensitive;
        values.push(v.value);
    }
    if call.args.expand_final() {
        match values.pop() {
            Some(Value::Array(items)) => values.extend(items),
            _ => {
                return Err(EvalError::new(
                    at,
                    "the last argument before ... must be a list",
                ));
            }
        }
    }
    let value = functions::call(
        name,
        values,
        &FnContext {
            base_dir: scope.base_dir,
        },
    )
    .map_err(|e| {
        let at = e
            .arg()
            .and_then(|i| args.get(i))
            .map_or_else(|| at.clone(), |arg| span(arg));
        let (function, reason) = e.reason();
        // Any argument sensitive: the function's own message may quote it, so only the
        // value-free reason is shown.
        let mut err = EvalError::about(at, sensitive, Reason::within(function, reason), || {
            e.message().to_owned()
        });
        if let Some(limit) = e.limit() {
            err.limit = Some(limit);
            err.help = Some(limit.help().to_owned());
        }
        err
    })?;
    scope.admit(&value, &at)?;
    let sensitive = match name {
        "sensitive" => true,
        "nonsensitive" => false,
        _ => sensitive,
    };
    Ok(Evaluated { value, sensitive })
}

/// Output under construction, able to strip whitespace from its last literal.
struct TemplateOut {
    text: String,
    sensitive: bool,
    /// Where the last literal began, if the text ends with one.
    literal_start: Option<usize>,
    strip_next: bool,
}

impl TemplateOut {
    fn literal(&mut self, s: &str, at: &Range<usize>) -> Result<()> {
        let s = if self.strip_next { s.trim_start() } else { s };
        self.strip_next = false;
        self.literal_start = Some(self.text.len());
        self.push(s, at)
    }

    fn value(&mut self, s: &str, at: &Range<usize>) -> Result<()> {
        self.strip_next = false;
        self.literal_start = None;
        self.push(s, at)
    }

    /// Appends `s`, unless the text would grow past [`limits::MAX_STRING_BYTES`].
    fn push(&mut self, s: &str, at: &Range<usize>) -> Result<()> {
        limits::check_string(self.text.len() + s.len())
            .map_err(|l| EvalError::limit(at.clone(), l))?;
        self.text.push_str(s);
        Ok(())
    }

    fn strip_before(&mut self) {
        if let Some(start) = self.literal_start {
            let kept = self.text[start..].trim_end().len();
            self.text.truncate(start + kept);
        }
    }
}

fn eval_template(template: &Template, at: Range<usize>, scope: &Scope<'_>) -> Result<Evaluated> {
    let mut out = TemplateOut {
        text: String::new(),
        sensitive: false,
        literal_start: None,
        strip_next: false,
    };
    render(template, &at, scope, &mut out)?;
    scope.charge(VALUE_COST + out.text.len() as u64, &at)?;
    Ok(Evaluated {
        value: Value::String(out.text),
        sensitive: out.sensitive,
    })
}

fn render(
    template: &Template,
    at: &Range<usize>,
    scope: &Scope<'_>,
    out: &mut TemplateOut,
) -> Result<()> {
    for element in template {
        match element {
            Element::Literal(s) => out.literal(s, at)?,
            Element::Interpolation(i) => {
                if i.strip.strip_start() {
                    out.strip_before();
                }
                let v = ev(&i.expr, scope)?;
                out.sensitive |= v.sensitive;
                let text = to_text(&v.value).ok_or_else(|| {
                    EvalError::about(
                        span(&i.expr),
                        v.sensitive,
                        "only a string, number or bool can be put into a string",
                        || format!("cannot put {} into a string", describe(&v)),
                    )
                })?;
                out.value(&text, &span(&i.expr))?;
                out.strip_next = i.strip.strip_end();
            }
            Element::Directive(d) => match &**d {
                Directive::If(d) => {
                    if d.if_expr.strip.strip_start() {
                        out.strip_before();
                    }
                    let c = ev(&d.if_expr.cond_expr, scope)?;
                    out.sensitive |= c.sensitive;
                    let Value::Bool(choice) = c.value else {
                        return Err(EvalError::about(
                            span(&d.if_expr.cond_expr),
                            c.sensitive,
                            "an %{if} condition must be a bool",
                            || format!("an %{{if}} condition must be a bool, not {}", describe(&c)),
                        ));
                    };
                    out.strip_next = d.if_expr.strip.strip_end();
                    if choice {
                        render(&d.if_expr.template, at, scope, out)?;
                    } else if let Some(e) = &d.else_expr {
                        render(&e.template, at, scope, out)?;
                    }
                    if d.endif_expr.strip.strip_start() {
                        out.strip_before();
                    }
                    out.literal_start = None;
                    out.strip_next = d.endif_expr.strip.strip_end();
                }
                Directive::For(d) => {
                    let f = &d.for_expr;
                    if f.strip.strip_start() {
                        out.strip_before();
                    }
                    let collection = ev(&f.collection_expr, scope)?;
                    out.sensitive |= collection.sensitive;
                    let for_at = span(&f.collection_expr);
                    for entry in entries(&collection, for_at.clone())? {
                        // The key of a sensitive map is as sensitive as its values.
                        let inner = bind_entry(
                            scope,
                            f.value_var.as_str(),
                            f.key_var.as_ref().map(|k| k.as_str()),
                            entry,
                            collection.sensitive,
                            &for_at,
                        )?;
                        out.strip_next = f.strip.strip_end();
                        render(&f.template, at, &inner, out)?;
                        if d.endfor_expr.strip.strip_start() {
                            out.strip_before();
                        }
                    }
                    out.literal_start = None;
                    out.strip_next = d.endfor_expr.strip.strip_end();
                }
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
