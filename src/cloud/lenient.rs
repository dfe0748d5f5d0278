//! Field decoders for response models whose JSON types vary by action: the DTS models
//! type `Success` as bool here and string there, `HttpStatusCode` as int or string,
//! `Port` as string or number (reference §5). Each accepts every spelling and `null`.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `true`, `"true"`, `"True"` → `Some(true)`; `null`/absent → `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(Value::Number(n)) => Some(n.as_i64() != Some(0)),
        _ => None,
    })
}

/// An integer from a number or a numeric string.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// The text of a string, number or bool value (`"3306"` and `3306` both give `"3306"`).
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string from a string, number or bool; see [`as_text`].
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(as_text))
}

/// A field documented as a string holding JSON (`DbObject`, `Reserved`, `DatabaseInfo`).
/// A string is kept as it is. A server that sends the JSON itself, as an object or an
/// array, gets its JSON text (key order kept), so the reader parses it exactly as it
/// would the string — never `None`, which would read as "no object list". A number or
/// bool gives its text, which the reader then reports as not the JSON it expects.
/// Absent or `null` is `None`.
pub fn opt_json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// Like [`opt_string`], but absent or `null` is the empty string.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
    }

    #[derive(Deserialize)]
    struct J {
        #[serde(default, deserialize_with = "opt_json_text")]
        j: Option<String>,
    }

    fn j(json: &str) -> Option<String> {
        serde_json::from_str::<J>(json).unwrap().j
    }

    #[test]
    fn json_text_fields_accept_the_json_itself() {
        assert_eq!(j(r#"{"j":"{\"a\":1}"}"#).as_deref(), Some(r#"{"a":1}"#));
        // Sent as an object or array: its JSON text, key order kept.
        assert_eq!(
            j(r#"{"j":{"z":{"all":true},"a":[1,"x"]}}"#).as_deref(),
            Some(r#"{"z":{"all":true},"a":[1,"x"]}"#)
        );
        assert_eq!(
            j(r#"{"j":[{"Database":"db1"}]}"#).as_deref(),
            Some(r#"[{"Database":"db1"}]"#)
        );
        assert_eq!(j(r#"{"j":{}}"#).as_deref(), Some("{}"));
        // A scalar is passed on as its text, for the reader to refuse.
        assert_eq!(j(r#"{"j":5}"#).as_deref(), Some("5"));
        assert_eq!(j(r#"{"j":true}"#).as_deref(), Some("true"));
        assert_eq!(j(r#"{"j":null}"#), None);
        assert_eq!(j("{}"), None);
    }

    fn t(json: &str) -> (Option<bool>, Option<i64>, Option<String>) {
        let t: T = serde_json::from_str(json).unwrap();
        (t.b, t.i, t.s)
    }

    #[test]
    fn accepts_every_spelling() {
        assert_eq!(
            t(r#"{"b":true,"i":200,"s":"x"}"#),
            (Some(true), Some(200), Some("x".into()))
        );
        assert_eq!(
            t(r#"{"b":"False","i":"200","s":3306}"#),
            (Some(false), Some(200), Some("3306".into()))
        );
        assert_eq!(t(r#"{"b":null,"i":null,"s":null}"#), (None, None, None));
        assert_eq!(t("{}"), (None, None, None));
        assert_eq!(t(r#"{"b":"maybe","i":"x"}"#), (None, None, None));
    }
}
