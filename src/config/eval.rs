//! Evaluation of HCL expressions over hcl-edit's syntax tree.
//!
//! Values are JSON values (what DbList, Reserved and the plan speak). Each value carries
//! whether it is **sensitive**: derived from a variable declared `sensitive = true`, or
//! from `sensitive(...)`. Sensitivity spreads through every operation and function
//! (`nonsensitive(...)` clears it), so a password can be required to come from a
//! sensitive variable and is never printed. Errors carry the span of the sub-expression
//! at fault and never show a sensitive value.
//!
//! Supported: literals, strings with `${...}` interpolation and `%{if}`/`%{for}`
//! directives (with `~` strip markers), heredocs, arrays, objects, `var.*`, `local.*`,
//! `path.module`/`path.root`, iterator objects of `dynamic` blocks, attribute and index
//! access, splats, `for` expressions, conditionals, arithmetic, comparison and logic,
//! and the functions of [`super::functions`], plus `try` and `can`.

use std::collections::BTreeMap;
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

/// A failed evaluation: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl EvalError {
    fn new(span: Range<usize>, message: impl Into<String>) -> EvalError {
        EvalError {
            span,
            message: message.into(),
            help: None,
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

/// Evaluates `expr` in `scope`.
pub fn eval(expr: &Expression, scope: &Scope<'_>) -> Result<Evaluated> {
    match expr {
        Expression::Null(_) => Ok(Evaluated::plain(Value::Null)),
        Expression::Bool(b) => Ok(Evaluated::plain(Value::Bool(**b))),
        Expression::Number(n) => {
            let value = n
                .as_i64()
                .map(Value::from)
                .or_else(|| n.as_u64().map(Value::from))
                .or_else(|| n.as_f64().map(number))
                .unwrap_or(Value::Null);
            Ok(Evaluated::plain(value))
        }
        Expression::String(s) => Ok(Evaluated::plain(Value::String((**s).clone()))),
        Expression::Array(array) => {
            let items = array
                .iter()
                .map(|e| eval(e, scope))
                .collect::<Result<Vec<_>>>()?;
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
                        let k = eval(e, scope)?;
                        sensitive |= k.sensitive;
                        to_text(&k.value).ok_or_else(|| {
                            EvalError::new(
                                span(e),
                                format!("an object key must be a string, not {}", describe(&k)),
                            )
                        })?
                    }
                };
                let v = eval(value.expr(), scope)?;
                sensitive |= v.sensitive;
                map.insert(key, v.value);
            }
            Ok(Evaluated {
                value: Value::Object(map),
                sensitive,
            })
        }
        Expression::StringTemplate(t) => eval_template(t, scope),
        Expression::HeredocTemplate(h) => {
            let mut h = (**h).clone();
            if h.indent().is_some() {
                h.dedent();
            }
            eval_template(&h.template, scope)
        }
        Expression::Parenthesis(p) => eval(p.inner(), scope),
        Expression::Variable(v) => lookup_binding(v.as_str(), span(expr), scope),
        Expression::Conditional(c) => {
            let cond = eval(&c.cond_expr, scope)?;
            let Value::Bool(choice) = cond.value else {
                return Err(EvalError::new(
                    span(&c.cond_expr),
                    format!("a condition must be a bool, not {}", describe(&cond)),
                ));
            };
            let mut out = eval(if choice { &c.true_expr } else { &c.false_expr }, scope)?;
            out.sensitive |= cond.sensitive;
            Ok(out)
        }
        Expression::FuncCall(call) => eval_call(call, span(expr), scope),
        Expression::Traversal(t) => eval_traversal(t, scope),
        Expression::UnaryOp(op) => {
            let v = eval(&op.expr, scope)?;
            let value = match (*op.operator, &v.value) {
                (UnaryOperator::Neg, Value::Number(n)) => number(-n.as_f64().unwrap_or(0.0)),
                (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                (operator, _) => {
                    return Err(EvalError::new(
                        span(expr),
                        format!(
                            "operator {} cannot be applied to {}",
                            operator.as_str(),
                            describe(&v)
                        ),
                    ));
                }
            };
            Ok(Evaluated {
                value,
                sensitive: v.sensitive,
            })
        }
        Expression::BinaryOp(op) => {
            let l = eval(&op.lhs_expr, scope)?;
            let r = eval(&op.rhs_expr, scope)?;
            let value = binary(*op.operator, &l, &r)
                .map_err(|message| EvalError::new(span(expr), message))?;
            Ok(Evaluated {
                value,
                sensitive: combine(&[&l, &r]),
            })
        }
        Expression::ForExpr(f) => eval_for(f, scope),
    }
}

fn binary(op: BinaryOperator, l: &Evaluated, r: &Evaluated) -> std::result::Result<Value, String> {
    use BinaryOperator as B;
    let mismatch = || {
        format!(
            "operator {} cannot be applied to {} and {}",
            op.as_str(),
            describe(l),
            describe(r)
        )
    };
    Ok(match op {
        B::Eq => Value::Bool(equal(&l.value, &r.value)),
        B::NotEq => Value::Bool(!equal(&l.value, &r.value)),
        B::And | B::Or => match (&l.value, &r.value) {
            (Value::Bool(a), Value::Bool(b)) => {
                Value::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => return Err(mismatch()),
        },
        _ => {
            let (Some(a), Some(b)) = (as_number(&l.value), as_number(&r.value)) else {
                return Err(mismatch());
            };
            match op {
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                B::Plus => number(a + b),
                B::Minus => number(a - b),
                B::Mul => number(a * b),
                B::Div if b == 0.0 => return Err("division by zero".into()),
                B::Div => number(a / b),
                B::Mod if b == 0.0 => return Err("modulo by zero".into()),
                B::Mod => number(a % b),
                _ => return Err(mismatch()),
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
        "var" | "local" | "path" => EvalError::new(
            at,
            format!("{name} must be followed by an attribute, as in {name}.NAME"),
        ),
        t if RESOURCE_TYPES.contains(&t) => {
            EvalError::new(at, "a resource cannot be used as a value")
                .help("resources can only be named in depends_on")
        }
        _ => {
            let known: Vec<&str> = scope.bindings().map(|b| b.name.as_str()).collect();
            let mut e = EvalError::new(at, format!("unknown name {name:?}"));
            e.help = Some(match did_you_mean(name, known.iter().copied()) {
                Some(s) => format!("did you mean {s}?"),
                None => "use var.NAME for variables and local.NAME for locals".into(),
            });
            e
        }
    };
    Err(err)
}

fn eval_traversal(t: &Traversal, scope: &Scope<'_>) -> Result<Evaluated> {
    let mut ops = t.operators.iter();
    let root = match &t.expr {
        Expression::Variable(v) if matches!(v.as_str(), "var" | "local" | "path") => {
            let Some(first) = ops.next() else {
                return lookup_binding(v.as_str(), span(&t.expr), scope);
            };
            let TraversalOperator::GetAttr(name) = &**first else {
                return Err(EvalError::new(
                    first.span().unwrap_or(0..0),
                    format!("{} must be followed by .NAME", v.as_str()),
                ));
            };
            let at = t.expr.span().unwrap_or(0..0).start..first.span().map_or(0, |s| s.end);
            lookup_named(v.as_str(), name.as_str(), at, scope)?
        }
        // A bound name (`table.value`): read through it without copying the whole object.
        Expression::Variable(v) => match scope.binding(v.as_str()) {
            Some(bound) => return traverse(bound, &ops.collect::<Vec<_>>(), scope),
            None => return lookup_binding(v.as_str(), span(&t.expr), scope),
        },
        other => eval(other, scope)?,
    };
    traverse(&root, &ops.collect::<Vec<_>>(), scope)
}

fn lookup_named(root: &str, name: &str, at: Range<usize>, scope: &Scope<'_>) -> Result<Evaluated> {
    let unknown = |what: &str, known: Vec<&str>| {
        let mut e = EvalError::new(at.clone(), format!("unknown {what} {name:?}"));
        e.help = Some(match did_you_mean(name, known.iter().copied()) {
            Some(s) => format!("did you mean {root}.{s}?"),
            None if known.is_empty() => format!("no {what}s are declared"),
            None => format!("declared: {}", known.join(", ")),
        });
        e
    };
    match root {
        "var" => scope.variables.get(name).cloned().ok_or_else(|| {
            unknown(
                "variable",
                scope.variables.keys().map(String::as_str).collect(),
            )
        }),
        "local" => scope
            .locals
            .get(name)
            .cloned()
            .ok_or_else(|| unknown("local", scope.locals.keys().map(String::as_str).collect())),
        _ => match name {
            "module" | "root" => Ok(Evaluated::plain(Value::String(
                scope.base_dir.display().to_string(),
            ))),
            _ => Err(unknown("path attribute", vec!["module", "root"])),
        },
    }
}

/// Applies traversal operators to `root`, reading by reference and copying only the
/// value reached.
fn traverse(
    root: &Evaluated,
    ops: &[&hcl_edit::Decorated<TraversalOperator>],
    scope: &Scope<'_>,
) -> Result<Evaluated> {
    let mut current: &Value = &root.value;
    let mut sensitive = root.sensitive;
    for (i, op) in ops.iter().enumerate() {
        let at = op.span().unwrap_or(0..0);
        match &***op {
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let items: Vec<Value> = match current {
                    Value::Array(items) => items.clone(),
                    Value::Null => Vec::new(),
                    other => vec![other.clone()],
                };
                let rest = &ops[i + 1..];
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(
                        traverse(
                            &Evaluated {
                                value: item,
                                sensitive,
                            },
                            rest,
                            scope,
                        )?
                        .value,
                    );
                }
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
                let k = eval(key, scope)?;
                sensitive |= k.sensitive;
                current = match (current, &k.value) {
                    (Value::Array(_), Value::Number(n)) => {
                        let index = n.as_u64().and_then(|i| usize::try_from(i).ok());
                        index_list(current, sensitive, index, at)?
                    }
                    (Value::Object(_), _) => {
                        let name = to_text(&k.value).ok_or_else(|| {
                            EvalError::new(
                                at.clone(),
                                format!("an object is indexed by a string, not {}", describe(&k)),
                            )
                        })?;
                        get_attr(current, sensitive, &name, at)?
                    }
                    _ => {
                        return Err(EvalError::new(
                            at,
                            format!(
                                "cannot index {} with {}",
                                describe_value(current, sensitive),
                                describe(&k)
                            ),
                        ));
                    }
                };
            }
        }
    }
    Ok(Evaluated {
        value: current.clone(),
        sensitive,
    })
}

fn get_attr<'v>(v: &'v Value, sensitive: bool, name: &str, at: Range<usize>) -> Result<&'v Value> {
    match v {
        Value::Object(map) => map.get(name).ok_or_else(|| {
            let mut e = EvalError::new(at, format!("this object has no attribute {name:?}"));
            if !sensitive {
                e.help = Some(match did_you_mean(name, map.keys().map(String::as_str)) {
                    Some(s) => format!("did you mean {s}?"),
                    None => format!(
                        "its attributes: {}",
                        map.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            e
        }),
        _ => Err(EvalError::new(
            at,
            format!(
                "cannot read attribute {name:?} of {}",
                describe_value(v, sensitive)
            ),
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
        return Err(EvalError::new(
            at,
            format!("cannot index {}", describe_value(v, sensitive)),
        ));
    };
    index.and_then(|i| items.get(i)).ok_or_else(|| {
        let shown = index.map_or_else(|| "this index".to_owned(), |i| format!("index {i}"));
        EvalError::new(
            at,
            format!("{shown} is out of range for a list of {}", items.len()),
        )
    })
}

/// (key, value) pairs of a collection, for `for` and `for_each`.
pub fn iterate(v: &Evaluated, at: Range<usize>) -> Result<Vec<(Value, Value)>> {
    match &v.value {
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| (Value::from(i), item.clone()))
            .collect()),
        Value::Object(map) => Ok(map
            .iter()
            .map(|(k, item)| (Value::String(k.clone()), item.clone()))
            .collect()),
        Value::Null => Ok(Vec::new()),
        _ => Err(EvalError::new(
            at,
            format!("cannot iterate over {}; give a list or a map", describe(v)),
        )),
    }
}

fn eval_for(f: &ForExpr, scope: &Scope<'_>) -> Result<Evaluated> {
    let collection = eval(&f.intro.collection_expr, scope)?;
    let mut sensitive = collection.sensitive;
    let items = iterate(&collection, span(&f.intro.collection_expr))?;
    let mut list = Vec::new();
    let mut map = Map::new();
    for (key, value) in items {
        let mut inner = scope.bind(
            f.intro.value_var.as_str(),
            Evaluated {
                value,
                sensitive: collection.sensitive,
            },
        );
        if let Some(k) = &f.intro.key_var {
            inner = inner.bind(
                k.as_str(),
                Evaluated {
                    value: key,
                    sensitive: collection.sensitive,
                },
            );
        }
        if let Some(cond) = &f.cond {
            let c = eval(&cond.expr, &inner)?;
            sensitive |= c.sensitive;
            match c.value {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                _ => {
                    return Err(EvalError::new(
                        span(&cond.expr),
                        format!("a for condition must be a bool, not {}", describe(&c)),
                    ));
                }
            }
        }
        let v = eval(&f.value_expr, &inner)?;
        sensitive |= v.sensitive;
        match &f.key_expr {
            None => list.push(v.value),
            Some(key_expr) => {
                let k = eval(key_expr, &inner)?;
                sensitive |= k.sensitive;
                let key = to_text(&k.value).ok_or_else(|| {
                    EvalError::new(
                        span(key_expr),
                        format!("a for key must be a string, not {}", describe(&k)),
                    )
                })?;
                if f.grouping {
                    let group = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = group {
                        items.push(v.value);
                    }
                } else if map.insert(key.clone(), v.value).is_some() {
                    return Err(EvalError::new(
                        span(key_expr),
                        format!("duplicate key {key:?} in a for expression"),
                    )
                    .help("add ... after the value to group values by key"));
                }
            }
        }
    }
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
        return Err(EvalError::new(
            at,
            format!("provider functions ({name} with a namespace) are not supported"),
        ));
    }
    let args: Vec<&Expression> = call.args.iter().collect();
    match name {
        "try" => {
            let mut last = None;
            for arg in &args {
                match eval(arg, scope) {
                    Ok(v) => return Ok(v),
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
            return Ok(Evaluated::plain(Value::Bool(eval(arg, scope).is_ok())));
        }
        _ if !functions::names().contains(&name) => {
            let mut err = EvalError::new(at, format!("unknown function {name}"));
            err.help = Some(
                match did_you_mean(name, functions::names().iter().copied()) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "the README lists the functions dtsform provides".into(),
                },
            );
            return Err(err);
        }
        _ => {}
    }
    let mut values = Vec::with_capacity(args.len());
    let mut sensitive = false;
    for arg in &args {
        let v = eval(arg, scope)?;
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
            .arg
            .and_then(|i| args.get(i))
            .map_or_else(|| at.clone(), |arg| span(arg));
        EvalError::new(at, e.message)
    })?;
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
    fn literal(&mut self, s: &str) {
        let s = if self.strip_next { s.trim_start() } else { s };
        self.strip_next = false;
        self.literal_start = Some(self.text.len());
        self.text.push_str(s);
    }

    fn value(&mut self, s: &str) {
        self.strip_next = false;
        self.literal_start = None;
        self.text.push_str(s);
    }

    fn strip_before(&mut self) {
        if let Some(start) = self.literal_start {
            let kept = self.text[start..].trim_end().len();
            self.text.truncate(start + kept);
        }
    }
}

fn eval_template(template: &Template, scope: &Scope<'_>) -> Result<Evaluated> {
    let mut out = TemplateOut {
        text: String::new(),
        sensitive: false,
        literal_start: None,
        strip_next: false,
    };
    render(template, scope, &mut out)?;
    Ok(Evaluated {
        value: Value::String(out.text),
        sensitive: out.sensitive,
    })
}

fn render(template: &Template, scope: &Scope<'_>, out: &mut TemplateOut) -> Result<()> {
    for element in template {
        match element {
            Element::Literal(s) => out.literal(s),
            Element::Interpolation(i) => {
                if i.strip.strip_start() {
                    out.strip_before();
                }
                let v = eval(&i.expr, scope)?;
                out.sensitive |= v.sensitive;
                let text = to_text(&v.value).ok_or_else(|| {
                    EvalError::new(
                        span(&i.expr),
                        format!("cannot put {} into a string", describe(&v)),
                    )
                })?;
                out.value(&text);
                out.strip_next = i.strip.strip_end();
            }
            Element::Directive(d) => match &**d {
                Directive::If(d) => {
                    if d.if_expr.strip.strip_start() {
                        out.strip_before();
                    }
                    let c = eval(&d.if_expr.cond_expr, scope)?;
                    out.sensitive |= c.sensitive;
                    let Value::Bool(choice) = c.value else {
                        return Err(EvalError::new(
                            span(&d.if_expr.cond_expr),
                            format!("an %{{if}} condition must be a bool, not {}", describe(&c)),
                        ));
                    };
                    out.strip_next = d.if_expr.strip.strip_end();
                    if choice {
                        render(&d.if_expr.template, scope, out)?;
                    } else if let Some(e) = &d.else_expr {
                        render(&e.template, scope, out)?;
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
                    let collection = eval(&f.collection_expr, scope)?;
                    out.sensitive |= collection.sensitive;
                    for (key, value) in iterate(&collection, span(&f.collection_expr))? {
                        let mut inner = scope.bind(
                            f.value_var.as_str(),
                            Evaluated {
                                value,
                                sensitive: collection.sensitive,
                            },
                        );
                        if let Some(k) = &f.key_var {
                            inner = inner.bind(k.as_str(), Evaluated::plain(key));
                        }
                        out.strip_next = f.strip.strip_end();
                        render(&f.template, &inner, out)?;
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
