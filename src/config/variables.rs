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

use hcl_edit::expr::Expression;
use serde_json::{Map, Value};

use super::eval::{Evaluated, describe, to_text};

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
