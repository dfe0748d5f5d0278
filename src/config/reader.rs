//! Reading one HCL block's body against a schema: which attributes and blocks it may
//! have, typed values, and located errors for everything else. All problems are
//! collected; a getter that fails records its error and returns `None`.

use std::cell::RefCell;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Body, Structure};
use serde_json::Value;

use super::eval::{EvalError, Evaluated, Scope, describe, eval, to_text};
use super::model::SecretValue;
use super::source::{ConfigError, ConfigErrors, FileId, NeedsHelp, Sources, Span, did_you_mean};
use crate::secret::Secret;

/// Resource attributes that hold secrets, read with [`Reader::secret`]: their literals are
/// masked in diagnostics.
pub const SECRET_ATTRIBUTES: &[&str] = &["password", "shard_password", "access_key"];

/// An evaluation failure as a located diagnostic.
pub fn eval_error(sources: &Sources, file: FileId, e: EvalError) -> ConfigError {
    let code = if e.limit.is_some() {
        "eval_limit"
    } else {
        "eval"
    };
    ConfigError::at(sources, Span::new(file, e.span), code, e.message, "here").help_or(
        e.help,
        "the README's \"Configuration language\" section lists the expressions and functions dtsform evaluates",
    )
}

/// An evaluation failure of an expression whose values are secret although nothing marks
/// them sensitive (a literal password, the default or var-file entry of a sensitive
/// variable): only the error's value-free reason is shown, and the expression's literals
/// are masked in the snippet ([`Sources::mask`]).
pub fn secret_eval_error(sources: &Sources, file: FileId, e: EvalError) -> ConfigError {
    let code = if e.limit.is_some() {
        "eval_limit"
    } else {
        "eval"
    };
    let message = match e.limit {
        Some(_) => e.reason.to_string(),
        None => format!("{} (sensitive value)", e.reason),
    };
    let help = e.limit.map_or(
        "the value is secret, so dtsform does not show it; check the expression",
        super::limits::Limit::help,
    );
    ConfigError::at(sources, Span::new(file, e.span), code, message, "here").help(help)
}

/// Where errors are collected while decoding.
pub struct Diag<'a> {
    pub sources: &'a Sources,
    errors: RefCell<ConfigErrors>,
}

impl<'a> Diag<'a> {
    pub fn new(sources: &'a Sources) -> Self {
        Diag {
            sources,
            errors: RefCell::new(ConfigErrors::default()),
        }
    }

    /// An error at `span`, still to be given its help line.
    pub fn at(
        &self,
        span: Span,
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> NeedsHelp {
        ConfigError::at(self.sources, span, code, message, label)
    }

    pub fn push(&self, error: ConfigError) {
        self.errors.borrow_mut().push(error);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.borrow().is_empty()
    }

    pub fn take(&self) -> ConfigErrors {
        std::mem::take(&mut self.errors.borrow_mut())
    }
}

/// A block body being read.
pub struct Reader<'r, 'a> {
    pub d: &'r Diag<'a>,
    pub file: FileId,
    pub body: &'r Body,
    pub scope: Scope<'r>,
    /// The block header, for "missing attribute" errors.
    pub span: Span,
    /// `resource "alicloud_dts_job" "x"`, `source block`, ...: for messages.
    pub what: String,
}

impl<'r> Reader<'r, '_> {
    pub fn span_of(&self, item: &impl hcl_edit::Span) -> Span {
        Span::of(self.file, item)
    }

    /// Reports attributes and blocks the schema does not allow, and attributes set twice.
    pub fn check(&self, attributes: &[&str], blocks: &[&str]) {
        let mut seen: Vec<&str> = Vec::new();
        for structure in self.body {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    if seen.contains(&key) {
                        self.d.push(
                            self.d
                                .at(
                                    self.span_of(&attr.key),
                                    "duplicate_attribute",
                                    format!("{key} is set twice in {}", self.what),
                                    "set again here",
                                )
                                .help("remove one of them"),
                        );
                    }
                    seen.push(key);
                    if !attributes.contains(&key) {
                        let e = self.d.at(
                            self.span_of(&attr.key),
                            "unknown_attribute",
                            format!("{} has no attribute {key:?}", self.what),
                            "unknown attribute",
                        );
                        let e = e.help(match did_you_mean(key, attributes.iter().copied()) {
                            Some(s) => format!("did you mean {s}?"),
                            None if attributes.is_empty() => {
                                "this block takes no attributes".into()
                            }
                            None => format!("allowed attributes: {}", attributes.join(", ")),
                        });
                        self.d.push(e);
                    }
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if !blocks.contains(&ident) {
                        let e = self.d.at(
                            self.span_of(&block.ident),
                            "unknown_block",
                            format!("{} cannot contain a {ident:?} block", self.what),
                            "unknown block type",
                        );
                        let e = e.help(match did_you_mean(ident, blocks.iter().copied()) {
                            Some(s) => format!("did you mean {s}?"),
                            None if blocks.is_empty() => "this block takes no nested blocks".into(),
                            None => format!("allowed blocks: {}", blocks.join(", ")),
                        });
                        self.d.push(e);
                    }
                }
            }
        }
    }

    pub fn attr(&self, name: &str) -> Option<&'r Attribute> {
        self.body.get_attribute(name)
    }

    /// Where the value of `key` is written when attribute `name` is an object literal that
    /// spells the key out (`name = { key = ... }`).
    pub fn entry_span(&self, name: &str, key: &str) -> Option<Span> {
        let Expression::Object(object) = &self.attr(name)?.value else {
            return None;
        };
        object.iter().find_map(|(k, v)| {
            let written = match k {
                ObjectKey::Ident(ident) => ident.as_str(),
                ObjectKey::Expression(Expression::String(s)) => s.as_str(),
                ObjectKey::Expression(_) => return None,
            };
            (written == key).then(|| self.span_of(v.expr()))
        })
    }

    /// Evaluates attribute `name`, if present.
    pub fn value(&self, name: &str) -> Option<(Evaluated, Span)> {
        let attr = self.attr(name)?;
        let span = self.span_of(&attr.value);
        self.eval(&attr.value).map(|v| (v, span))
    }

    /// Evaluates an expression of this body, recording a failure.
    pub fn eval(&self, expr: &Expression) -> Option<Evaluated> {
        match eval(expr, &self.scope) {
            Ok(v) => Some(v),
            Err(e) => {
                self.d.push(eval_error(self.d.sources, self.file, e));
                None
            }
        }
    }

    /// Evaluates an expression whose literals are secrets, recording a failure without
    /// any value ([`secret_eval_error`]).
    pub fn eval_secret(&self, expr: &Expression) -> Option<Evaluated> {
        match eval(expr, &self.scope) {
            Ok(v) => Some(v),
            Err(e) => {
                self.d.push(secret_eval_error(self.d.sources, self.file, e));
                None
            }
        }
    }

    /// A type error at `span`.
    pub fn wrong_type(&self, name: &str, expected: &str, got: &Evaluated, span: Span) {
        let example = match expected {
            "a string" => "\"...\"",
            "a bool" => "true or false",
            "a number" => "3",
            "a list of strings" => "[\"a\", \"b\"]",
            "an object" => "{ key = \"value\" }",
            _ => "a value of that type",
        };
        self.d.push(
            self.d
                .at(
                    span,
                    "wrong_type",
                    format!("{name} must be {expected}, got {}", describe(got)),
                    format!("expected {expected}"),
                )
                .help(format!("write {name} = {example}")),
        );
    }

    /// Refuses a sensitive value where it would be shown or sent in clear.
    fn plain(&self, name: &str, v: Evaluated, span: Span) -> Option<Evaluated> {
        if v.sensitive {
            self.d.push(
                self.d
                    .at(
                        span,
                        "sensitive_value",
                        format!("{name} cannot use a sensitive value"),
                        "sensitive",
                    )
                    .help(format!(
                        "{name} is shown in plans; only passwords may come from sensitive variables"
                    )),
            );
            return None;
        }
        Some(v)
    }

    /// A string attribute (numbers and bools convert), if present.
    pub fn string(&self, name: &str) -> Option<String> {
        let (v, span) = self.value(name)?;
        let v = self.plain(name, v, span)?;
        match to_text(&v.value) {
            Some(s) => Some(s),
            None if v.value.is_null() => None,
            None => {
                self.wrong_type(name, "a string", &v, span);
                None
            }
        }
    }

    /// A string attribute that must be present.
    pub fn required_string(&self, name: &str) -> Option<String> {
        if self.attr(name).is_none() {
            self.d.push(
                self.d
                    .at(
                        self.span,
                        "missing_attribute",
                        format!("{} needs {name}", self.what),
                        format!("{name} missing"),
                    )
                    .help(format!("add {name} = \"...\" to the block")),
            );
            return None;
        }
        self.string(name)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.bool_or_null(name)
    }

    /// A bool attribute that may be written `null`: `None` when it is `null`, absent, or
    /// not a bool (reported; `null` is not).
    pub fn bool_or_null(&self, name: &str) -> Option<bool> {
        let (v, span) = self.value(name)?;
        let v = self.plain(name, v, span)?;
        match &v.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
            Value::Null => None,
            _ => {
                self.wrong_type(name, "a bool", &v, span);
                None
            }
        }
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        let (v, span) = self.value(name)?;
        let v = self.plain(name, v, span)?;
        let n = match &v.value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if n.is_none() && !v.value.is_null() {
            self.wrong_type(name, "a number", &v, span);
        }
        n
    }

    /// A list of strings, each with its own span when the list is written literally.
    pub fn strings(&self, name: &str) -> Option<Vec<(String, Span)>> {
        let attr = self.attr(name)?;
        let whole = self.span_of(&attr.value);
        let spans: Vec<Span> = match &attr.value {
            Expression::Array(items) => items.iter().map(|e| self.span_of(e)).collect(),
            _ => Vec::new(),
        };
        let v = self.eval(&attr.value)?;
        let v = self.plain(name, v, whole)?;
        let Value::Array(items) = &v.value else {
            if v.value.is_null() {
                return None;
            }
            self.wrong_type(name, "a list of strings", &v, whole);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let span = spans.get(i).copied().unwrap_or(whole);
            match to_text(item) {
                Some(s) => out.push((s, span)),
                None => self.wrong_type(
                    &format!("{name}[{i}]"),
                    "a string",
                    &Evaluated::plain(item.clone()),
                    span,
                ),
            }
        }
        Some(out)
    }

    /// An object attribute, if present.
    pub fn object(&self, name: &str) -> Option<(serde_json::Map<String, Value>, Span)> {
        let (v, span) = self.value(name)?;
        let v = self.plain(name, v, span)?;
        match v.value {
            Value::Object(map) => Some((map, span)),
            Value::Null => None,
            _ => {
                self.wrong_type(name, "an object", &v, span);
                None
            }
        }
    }

    /// A secret: must come from a sensitive value, so it is never shown. Its literals, if
    /// any, were masked in the source text when the files were read.
    pub fn secret(&self, name: &str) -> Option<SecretValue> {
        debug_assert!(
            SECRET_ATTRIBUTES.contains(&name),
            "{name} must be listed in SECRET_ATTRIBUTES so its literals are masked"
        );
        let attr = self.attr(name)?;
        let span = self.span_of(&attr.value);
        let v = self.eval_secret(&attr.value)?;
        if !v.sensitive {
            self.d.push(
                self.d
                    .at(span, "password_not_sensitive", format!("{name} must come from a sensitive variable"), "not sensitive")
                    .help(format!(
                        "declare the variable with sensitive = true and write {name} = var.NAME; give its value with -var, -var-file or DTSFORM_VAR_NAME, never in the file"
                    )),
            );
            return None;
        }
        let Some(text) = to_text(&v.value) else {
            self.wrong_type(name, "a string", &v, span);
            return None;
        };
        let source = &self.d.sources.get(self.file).text;
        let expression = attr
            .value
            .span()
            .and_then(|r| source.get(r))
            .unwrap_or("(expression)")
            .to_owned();
        Some(SecretValue {
            value: Secret::new(text),
            expression,
        })
    }
}
