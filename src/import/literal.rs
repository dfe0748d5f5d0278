//! Values from a live job as HCL expressions and labels that read back as exactly that
//! value.
//!
//! Strings and labels are escaped here, not by hcl-rs: its marker escaping
//! (`hcl_primitives::template::escape_markers`, 0.1.13) skips the character after a
//! doubled `$$` or `%%`, so `a$${b}` would be written `a$${b}`, which reads back as
//! `a${b}`. Here every `${` and `%{` of the value is doubled, control and invisible
//! characters are written as `\uXXXX` escapes, and the result is handed to hcl-rs as a
//! finished literal (a quoted template, and for labels a verbatim label).

use std::fmt::Write as _;

use hcl::expr::TemplateExpr;
use hcl::{BlockLabel, Expression, Identifier, Number, Object, ObjectKey};
use serde_json::Value;

/// `s` as the inside of an HCL quoted string: `"`, `\` and control characters escaped,
/// each `${` and `%{` doubled into `$${` and `%%{`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            // Every invisible character is in the Basic Multilingual Plane: four digits.
            c if invisible(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters written as escapes: controls, and the invisible ones that change how a
/// line reads (bidirectional overrides, zero-width characters, line separators).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// `"…"`: the quoted literal of `s`.
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// A string value.
pub fn string(s: &str) -> Expression {
    Expression::TemplateExpr(Box::new(TemplateExpr::QuotedString(escape(s))))
}

/// A block label holding `s` (written verbatim, already quoted and escaped).
pub fn label(s: &str) -> BlockLabel {
    BlockLabel::Identifier(Identifier::unchecked(quoted(s)))
}

/// A JSON value as the HCL expression that evaluates to it. Whole numbers up to 2^53
/// written as a JSON float (`1.0`) come back as integers, which compare equal by value.
pub fn value(v: &Value) -> Expression {
    match v {
        Value::Null => Expression::Null,
        Value::Bool(b) => Expression::Bool(*b),
        Value::Number(n) => number(n),
        Value::String(s) => string(s),
        Value::Array(items) => Expression::Array(items.iter().map(value).collect()),
        Value::Object(map) => {
            let mut object = Object::new();
            for (k, v) in map {
                object.insert(key(k), value(v));
            }
            Expression::Object(object)
        }
    }
}

fn number(n: &serde_json::Number) -> Expression {
    let number = if let Some(i) = n.as_i64() {
        Number::from(i)
    } else if let Some(u) = n.as_u64() {
        Number::from(u)
    } else {
        match n.as_f64().and_then(Number::from_f64) {
            Some(f) => f,
            None => return Expression::Null,
        }
    };
    Expression::Number(number)
}

/// An object key: bare when it is an identifier that reads as itself, else quoted.
pub fn key(k: &str) -> ObjectKey {
    match Identifier::new(k) {
        Ok(ident) if !matches!(k, "true" | "false" | "null" | "for") => {
            ObjectKey::Identifier(ident)
        }
        _ => ObjectKey::Expression(string(k)),
    }
}

/// `body` as text, in the form `dtsform fmt` gives: hcl-rs lays it out (lists on one
/// line, without indentation), then the configuration's own formatter indents it and
/// has the last word. (hcl-rs would indent the inside of an empty nested block, `{  }`.)
pub fn text(body: &hcl::Body) -> String {
    use hcl::format::{Format as _, Formatter};
    let mut formatter = Formatter::builder()
        .indent(b"")
        .compact_arrays(true)
        .build_vec();
    // Formatting into memory fails only on a value hcl-rs cannot write, and every value
    // here is one it builds itself.
    let raw = body.format_string(&mut formatter).unwrap_or_default();
    crate::config::fmt::format_hcl(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_doubled_wherever_they_are() {
        assert_eq!(escape("a${b}"), "a$${b}");
        assert_eq!(escape("a$${b}%%{c}"), "a$$${b}%%%{c}");
        assert_eq!(escape("$$$x%%"), "$$$x%%");
        assert_eq!(escape("say \"hi\" \\ now\n"), "say \\\"hi\\\" \\\\ now\\n");
        assert_eq!(escape("a\u{1}b\u{202e}c\u{7f}"), "a\\u0001b\\u202ec\\u007f");
        assert_eq!(escape("Ünïcødé 订单"), "Ünïcødé 订单");
    }

    #[test]
    fn keys_are_bare_only_when_they_read_as_themselves() {
        let text = |k: &str| {
            let mut o = Object::new();
            o.insert(key(k), Expression::Null);
            hcl::format::to_string(&Expression::Object(o)).unwrap()
        };
        assert!(text("srcSchema").contains("srcSchema = null"));
        assert!(text("null").contains("\"null\" = null"));
        assert!(text("a.b").contains("\"a.b\" = null"));
        assert!(text("x${y}").contains("\"x$${y}\" = null"));
    }
}
