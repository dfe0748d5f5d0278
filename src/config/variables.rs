//! Input variables: declarations, type constraints, and where values come from.
//!
//! A value is taken, later sources winning, from: the declaration's `default`, the
//! environment (`DTSFORM_VAR_<name>`), each `-var-file` in order, and each `-var` in
//! order — Terraform's precedence. Values from the command line and the environment are
//! strings; for a variable whose type is not `string` they are read as HCL literals
//! first (`-var 'tables=["a","b"]'`). Each value is converted to the declared type the
//! way Terraform converts (`"3"` → `3` for a number, a number → string for a string).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use serde_json::{Map, Value};

use super::eval::{Evaluated, Scope, describe, eval, to_text};
use super::limits;
use super::reader::{self, Diag, Reader};
use super::source::{self, ConfigError, FileId, Sources, Span, did_you_mean, parse};
use crate::env::Environment;

/// Where variable values come from besides defaults.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `-var NAME=VALUE`, in order.
    pub vars: Vec<String>,
    /// `-var-file FILE`, in order.
    pub var_files: Vec<PathBuf>,
    /// For `DTSFORM_VAR_<name>`.
    pub env: Environment,
}

/// A declared variable's settings.
struct VariableDecl<'b> {
    name: String,
    file: FileId,
    block: &'b Block,
    ty: Type,
    sensitive: bool,
    default: Option<Evaluated>,
}

/// Every declared variable's value, from its sources (see the module docs), converted to its
/// type and validated; a variable without one is reported.
pub(super) fn resolve(
    d: &Diag<'_>,
    blocks: &[(FileId, &Block)],
    inputs: &Inputs,
    var_sources: &mut Sources,
) -> BTreeMap<String, Evaluated> {
    let no_values = BTreeMap::new();
    let empty_dir = PathBuf::new();
    let mut decls = Vec::new();
    for (file, block) in blocks {
        let name = block.labels[0].as_str().to_owned();
        let scope = Scope::new(&no_values, &no_values, &empty_dir);
        let r = Reader {
            d,
            file: *file,
            body: &block.body,
            scope,
            span: Span::of(*file, &block.ident),
            what: format!("variable {name:?}"),
        };
        r.check(
            &["default", "type", "description", "sensitive", "nullable"],
            &["validation"],
        );
        let ty = match r.attr("type") {
            None => Type::Any,
            Some(attr) => match Type::parse(&attr.value) {
                Ok(t) => t,
                Err(e) => {
                    d.push(d.at(
                        r.span_of(&attr.value),
                        "invalid_type",
                        format!("type of variable {name:?}: {e}"),
                        "not a type",
                    ).help("write type = string, list(string), map(number), object({ name = string }), ..."));
                    Type::Any
                }
            },
        };
        let sensitive = r.bool("sensitive").unwrap_or(false);
        let _description = r.string("description");
        let default = r.attr("default").and_then(|attr| {
            let v = if sensitive {
                r.eval_secret(&attr.value)?
            } else {
                r.eval(&attr.value)?
            };
            match typed(&ty, sensitive, v.value) {
                Ok(v) => Some(v),
                Err(e) => {
                    d.push(
                        d.at(
                            r.span_of(&attr.value),
                            "wrong_type",
                            format!("the default of variable {name:?} does not fit its type: {e}"),
                            "wrong type",
                        )
                        .help("change the default, or the type"),
                    );
                    None
                }
            }
        });
        decls.push(VariableDecl {
            name,
            file: *file,
            block,
            ty,
            sensitive,
            default,
        });
    }

    // Values, weakest first: environment, var files, -var.
    let mut given: BTreeMap<String, Evaluated> = BTreeMap::new();
    let find = |name: &str| decls.iter().find(|v| v.name == name);
    for decl in &decls {
        if let Some(text) = inputs.env.var(&format!("DTSFORM_VAR_{}", decl.name)) {
            match text_value(text, decl) {
                Ok(v) => {
                    given.insert(decl.name.clone(), v);
                }
                Err(e) => d.push(ConfigError::general(
                    "invalid_variable",
                    format!("DTSFORM_VAR_{}: {e}", decl.name),
                ).help(format!("give DTSFORM_VAR_{} a value of the variable's type; lists and maps in HCL syntax: [\"a\", \"b\"]", decl.name))),
            }
        }
    }
    for path in &inputs.var_files {
        read_var_file(d, path, &find, &mut given, var_sources);
    }
    for (i, assignment) in inputs.vars.iter().enumerate() {
        let Some((name, text)) = assignment.split_once('=') else {
            // Not echoed: without its "=", a value cannot be told from a name, and it may
            // be a password.
            d.push(
                ConfigError::general(
                    "invalid_var",
                    format!("-var number {} is not NAME=VALUE", i + 1),
                )
                .help(
                    "write -var 'name=value'; the argument is not shown, as it may hold a secret",
                ),
            );
            continue;
        };
        let name = name.trim();
        let Some(decl) = find(name) else {
            let e = ConfigError::general(
                "undeclared_variable",
                format!("-var {name}: no variable {name:?} is declared"),
            );
            let e = e.help(
                match did_you_mean(name, decls.iter().map(|v| v.name.as_str())) {
                    Some(s) => format!("did you mean {s}?"),
                    None => format!("declare it: variable \"{name}\" {{}}"),
                },
            );
            d.push(e);
            continue;
        };
        match text_value(text, decl) {
            Ok(v) => {
                given.insert(name.to_owned(), v);
            }
            Err(e) => d.push(ConfigError::general(
                "invalid_variable",
                format!("-var {name}: {e}"),
            ).help("give a value of the variable's type; lists and maps in HCL syntax: -var 'tables=[\"a\", \"b\"]'")),
        }
    }

    let mut values = BTreeMap::new();
    for decl in &decls {
        let value = given.remove(&decl.name).or_else(|| decl.default.clone());
        let Some(mut value) = value else {
            d.push(
                d.at(Span::of(decl.file, &decl.block.ident).extend_to(&decl.block.labels[0]), "missing_variable", format!("variable {:?} has no value", decl.name), "no default and no value given")
                    .help(format!("give one with -var '{0}=...', a -var-file, or DTSFORM_VAR_{0}; or add a default", decl.name)),
            );
            continue;
        };
        value.sensitive |= decl.sensitive;
        values.insert(decl.name.clone(), value);
    }
    validate_variables(d, &decls, &values);
    values
}

/// A value for a variable of type `ty`, from any source, converted to the type. The value
/// is marked sensitive before it is converted, so a conversion error of a sensitive
/// variable does not show it: every source (default, environment, var file, -var) goes
/// through here.
fn typed(ty: &Type, sensitive: bool, value: Value) -> Result<Evaluated, String> {
    let value = ty.convert(&Evaluated { value, sensitive })?;
    Ok(Evaluated { value, sensitive })
}

/// A value from command-line or environment text, converted to the variable's type.
fn text_value(text: &str, decl: &VariableDecl<'_>) -> Result<Evaluated, String> {
    let raw = Value::String(text.to_owned());
    let parsed = if decl.ty.takes_raw_text() {
        raw
    } else {
        hcl_edit::parser::parse_expr(text.trim())
            .ok()
            .and_then(|expr| {
                let empty = BTreeMap::new();
                let dir = PathBuf::new();
                eval(&expr, &Scope::new(&empty, &empty, &dir)).ok()
            })
            .map_or(raw, |v| v.value)
    };
    typed(&decl.ty, decl.sensitive, parsed)
}

fn read_var_file<'v>(
    d: &Diag<'_>,
    path: &Path,
    find: &dyn Fn(&str) -> Option<&'v VariableDecl<'v>>,
    given: &mut BTreeMap<String, Evaluated>,
    var_sources: &mut Sources,
) {
    let cannot = |why: String| {
        ConfigError::general(
            "var_file",
            format!("cannot read -var-file {}: {why}", path.display()),
        )
        .help("check the path given to -var-file")
    };
    // Pipes are fine (`-var-file <(...)`), but no more than the limit is read.
    let bytes = match std::fs::File::open(path).and_then(limits::read_capped) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(limit)) => {
            d.push(
                ConfigError::general(
                    "eval_limit",
                    format!("-var-file {}: {limit}", path.display()),
                )
                .help(limit.help()),
            );
            return;
        }
        Err(e) => return d.push(cannot(e.to_string())),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return d.push(cannot("it is not UTF-8 text".into()));
    };
    let id = var_sources.add(path.to_owned(), path.display().to_string(), text);
    let is_json = path.extension().is_some_and(|e| e == "json");
    let entries: Vec<(String, Value)> = if is_json {
        match serde_json::from_str::<serde_json::Map<String, Value>>(&var_sources.get(id).text) {
            Ok(map) => map.into_iter().collect(),
            Err(e) => {
                d.push(
                    ConfigError::general(
                        "var_file",
                        format!("-var-file {} is not a JSON object: {e}", path.display()),
                    )
                    .help("a .json var file holds one object: {\"name\": \"value\"}"),
                );
                return;
            }
        }
    } else {
        let body = match parse(var_sources, id) {
            Ok(b) => b,
            Err(e) => {
                // A var file holds secrets, and nothing is known yet about which line holds
                // which: say where, without showing the lines.
                let at = e.location.as_ref().map_or_else(
                    || path.display().to_string(),
                    |l| var_sources.location(Span::new(id, l.span.clone())),
                );
                d.push(
                    ConfigError::general("syntax", format!("{at}: {}", e.message)).help(
                        "fix the HCL syntax of the var file (its lines are not shown: a var file may hold secrets)",
                    ),
                );
                return;
            }
        };
        let sensitive = |name: &str| find(name).is_some_and(|decl| decl.sensitive);
        let secret = body
            .attributes()
            .filter(|a| sensitive(a.key.as_str()))
            .map(|a| &a.value);
        var_sources.mask(id, &source::secret_literals(secret, Some(&body)));
        let empty = BTreeMap::new();
        let dir = PathBuf::new();
        let scope = Scope::new(&empty, &empty, &dir);
        let mut entries = Vec::new();
        for attr in body.attributes() {
            let name = attr.key.as_str();
            match eval(&attr.value, &scope) {
                Ok(v) => entries.push((name.to_owned(), v.value)),
                // Reported below as undeclared; its value does not matter.
                Err(_) if find(name).is_none() => entries.push((name.to_owned(), Value::Null)),
                Err(e) if sensitive(name) => {
                    d.push(reader::secret_eval_error(var_sources, id, e));
                }
                Err(e) => d.push(reader::eval_error(var_sources, id, e)),
            }
        }
        entries
    };
    for (name, value) in entries {
        let Some(decl) = find(&name) else {
            d.push(
                ConfigError::general(
                    "undeclared_variable",
                    format!(
                        "{} sets {name:?}, but no such variable is declared",
                        path.display()
                    ),
                )
                .help("declare it with a variable block, or remove it from the file"),
            );
            continue;
        };
        match typed(&decl.ty, decl.sensitive, value) {
            Ok(v) => {
                given.insert(name, v);
            }
            Err(e) => d.push(
                ConfigError::general(
                    "wrong_type",
                    format!("{}: variable {name:?}: {e}", path.display()),
                )
                .help("change the value in the file, or the variable's type"),
            ),
        }
    }
}

/// Runs each variable's `validation { condition, error_message }` blocks.
fn validate_variables(
    d: &Diag<'_>,
    decls: &[VariableDecl<'_>],
    values: &BTreeMap<String, Evaluated>,
) {
    let no_locals = BTreeMap::new();
    let dir = PathBuf::new();
    for decl in decls {
        let Some(value) = values.get(&decl.name) else {
            continue;
        };
        for block in decl.block.body.get_blocks("validation") {
            let mut only = BTreeMap::new();
            only.insert(decl.name.clone(), value.clone());
            let r = Reader {
                d,
                file: decl.file,
                body: &block.body,
                scope: Scope::new(&only, &no_locals, &dir),
                span: Span::of(decl.file, &block.ident),
                what: "the validation block".into(),
            };
            r.check(&["condition", "error_message"], &[]);
            let message = r
                .string("error_message")
                .unwrap_or_else(|| format!("variable {:?} is not valid", decl.name));
            let Some((ok, span)) = r.value("condition") else {
                continue;
            };
            if ok.value != Value::Bool(true) {
                d.push(
                    d.at(
                        span,
                        "invalid_variable",
                        format!("variable {:?}: {message}", decl.name),
                        "this condition is not met",
                    )
                    .help(format!(
                        "give variable {:?} a value that meets its validation condition",
                        decl.name
                    )),
                );
            }
        }
    }
}

/// A type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Object(fields) => {
                f.write_str("object({")?;
                for (i, (k, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {t}")?;
                }
                f.write_str("})")
            }
            Type::Tuple(items) => {
                f.write_str("tuple([")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

impl Type {
    /// Reads a type expression (`list(string)`, `object({ a = number })`, ...).
    pub fn parse(expr: &Expression) -> Result<Type, String> {
        let invalid = || {
            "not a type; use string, number, bool, any, list(T), set(T), map(T), object({...}) or tuple([...])"
                .to_owned()
        };
        match expr {
            Expression::Variable(v) => match v.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "any" => Ok(Type::Any),
                _ => Err(invalid()),
            },
            Expression::FuncCall(call) => {
                let args: Vec<&Expression> = call.args.iter().collect();
                let [arg] = args.as_slice() else {
                    return Err(invalid());
                };
                match call.name.name.as_str() {
                    "list" => Ok(Type::List(Box::new(Type::parse(arg)?))),
                    "set" => Ok(Type::Set(Box::new(Type::parse(arg)?))),
                    "map" => Ok(Type::Map(Box::new(Type::parse(arg)?))),
                    "object" => {
                        let Expression::Object(fields) = arg else {
                            return Err(invalid());
                        };
                        let mut out = BTreeMap::new();
                        for (key, value) in fields {
                            let name = match key {
                                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
                                hcl_edit::expr::ObjectKey::Expression(Expression::String(s)) => {
                                    (**s).clone()
                                }
                                hcl_edit::expr::ObjectKey::Expression(_) => return Err(invalid()),
                            };
                            out.insert(name, Type::parse(value.expr())?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let Expression::Array(items) = arg else {
                            return Err(invalid());
                        };
                        Ok(Type::Tuple(
                            items.iter().map(Type::parse).collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(invalid()),
                }
            }
            _ => Err(invalid()),
        }
    }

    /// Converts `value` to this type, or says why it cannot be.
    pub fn convert(&self, value: &Evaluated) -> Result<Value, String> {
        let fail = || format!("a {self} is required, got {}", describe(value));
        let v = &value.value;
        let sub = |t: &Type, item: &Value| {
            t.convert(&Evaluated {
                value: item.clone(),
                sensitive: value.sensitive,
            })
        };
        match self {
            Type::Any => Ok(v.clone()),
            _ if v.is_null() => Ok(Value::Null),
            Type::String => match v {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    Ok(Value::String(to_text(v).unwrap_or_default()))
                }
                _ => Err(fail()),
            },
            Type::Number => match v {
                Value::Number(_) => Ok(v.clone()),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(super::eval::number)
                    .ok_or_else(fail),
                _ => Err(fail()),
            },
            Type::Bool => match v {
                Value::Bool(_) => Ok(v.clone()),
                Value::String(s) if s == "true" => Ok(Value::Bool(true)),
                Value::String(s) if s == "false" => Ok(Value::Bool(false)),
                _ => Err(fail()),
            },
            Type::List(t) | Type::Set(t) => {
                let Value::Array(items) = v else {
                    return Err(fail());
                };
                let mut out = items
                    .iter()
                    .map(|i| sub(t, i))
                    .collect::<Result<Vec<_>, _>>()?;
                if matches!(self, Type::Set(_)) {
                    let mut unique: Vec<Value> = Vec::new();
                    for item in out {
                        if !unique.contains(&item) {
                            unique.push(item);
                        }
                    }
                    out = unique;
                }
                Ok(Value::Array(out))
            }
            Type::Map(t) => {
                let Value::Object(map) = v else {
                    return Err(fail());
                };
                let out = map
                    .iter()
                    .map(|(k, i)| Ok((k.clone(), sub(t, i)?)))
                    .collect::<Result<Map<_, _>, String>>()?;
                Ok(Value::Object(out))
            }
            Type::Object(fields) => {
                let Value::Object(map) = v else {
                    return Err(fail());
                };
                let mut out = Map::new();
                for (name, t) in fields {
                    let item = map
                        .get(name)
                        .ok_or_else(|| format!("attribute {name:?} is required by {self}"))?;
                    out.insert(name.clone(), sub(t, item)?);
                }
                Ok(Value::Object(out))
            }
            Type::Tuple(types) => {
                let Value::Array(items) = v else {
                    return Err(fail());
                };
                if items.len() != types.len() {
                    return Err(fail());
                }
                let out = types
                    .iter()
                    .zip(items)
                    .map(|(t, i)| sub(t, i))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::Array(out))
            }
        }
    }

    /// Whether command-line text for this type is read as-is (strings) rather than as
    /// an HCL literal.
    pub fn takes_raw_text(&self) -> bool {
        matches!(self, Type::String)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ty(text: &str) -> Type {
        Type::parse(&hcl_edit::parser::parse_expr(text).unwrap()).unwrap()
    }

    fn conv(t: &str, v: Value) -> Result<Value, String> {
        ty(t).convert(&Evaluated::plain(v))
    }

    #[test]
    fn parses_and_prints_types() {
        for t in [
            "string",
            "list(string)",
            "map(number)",
            "object({a = bool, b = set(any)})",
            "tuple([string, number])",
        ] {
            assert_eq!(ty(t).to_string(), t);
        }
        assert!(Type::parse(&hcl_edit::parser::parse_expr("strng").unwrap()).is_err());
        assert!(
            Type::parse(&hcl_edit::parser::parse_expr("list(string, number)").unwrap()).is_err()
        );
    }

    #[test]
    fn converts_like_terraform() {
        assert_eq!(conv("number", json!("3")), Ok(json!(3)));
        assert_eq!(conv("string", json!(3)), Ok(json!("3")));
        assert_eq!(conv("bool", json!("true")), Ok(json!(true)));
        assert_eq!(
            conv("set(string)", json!(["a", "b", "a"])),
            Ok(json!(["a", "b"]))
        );
        assert_eq!(conv("map(number)", json!({"x": "1"})), Ok(json!({"x": 1})));
        assert_eq!(
            conv("object({a = string})", json!({"a": 1, "extra": 2})),
            Ok(json!({"a": "1"}))
        );
        assert!(
            conv("list(string)", json!("x"))
                .unwrap_err()
                .contains("a list(string) is required")
        );
        assert!(conv("number", json!("x")).is_err());
        assert!(
            conv("object({a = string})", json!({}))
                .unwrap_err()
                .contains("\"a\" is required")
        );
        assert_eq!(conv("any", json!({"k": [1]})), Ok(json!({"k": [1]})));
    }
}
