//! Encoding functions: `jsonencode`, `jsondecode`, `base64encode`, `base64decode`.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

use super::args::{ARG, Args, FnError};
use super::value::normalize;

/// Standard base64 with padding, decoded as Go's decoder (which Terraform uses) decodes
/// it: padding is required, and bits past the last byte are ignored.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// `jsonencode(value)`: the value as compact JSON text, keys sorted.
#[allow(clippy::unnecessary_wraps)] // Every function of the registry returns a Result.
pub(super) fn jsonencode(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(json_encode(a.get(0))))
}

/// `jsondecode(string)`: the value of JSON text.
pub(super) fn jsondecode(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, ARG)?;
    let v: Value = serde_json::from_str(&s)
        .map_err(|e| a.err_with(Some(0), "invalid JSON", format!("invalid JSON: {e}")))?;
    Ok(normalize(&v, false))
}

/// `base64encode(string)`: the UTF-8 bytes in standard base64.
pub(super) fn base64encode(a: &mut Args<'_>) -> Result<Value, FnError> {
    Ok(Value::String(BASE64.encode(a.string(0, ARG)?)))
}

/// `base64decode(string)`: standard base64 decoded, as UTF-8 text.
pub(super) fn base64decode(a: &mut Args<'_>) -> Result<Value, FnError> {
    let s = a.string(0, ARG)?;
    // CR and LF are skipped, as Go's decoder skips them; every other character is kept,
    // one byte each (one that is not ASCII as a byte that base64 never uses), with its
    // offset in `s`.
    let chars: Vec<(usize, u8)> = s
        .chars()
        .enumerate()
        .filter(|(_, c)| !matches!(c, '\r' | '\n'))
        .map(|(i, c)| (i, u8::try_from(c).unwrap_or(0xff)))
        .collect();
    let bytes: Vec<u8> = chars.iter().map(|&(_, b)| b).collect();
    let bytes = BASE64.decode(bytes).map_err(|_| {
        let at = first_bad_character(&chars);
        a.err_with(
            Some(0),
            "invalid base64 data",
            format!("invalid base64 data at character {at}"),
        )
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| a.err(Some(0), "the decoded data is not valid UTF-8"))?;
    Ok(Value::String(text))
}

/// Where invalid base64 `chars` (each with its offset in the text) first goes wrong, for
/// the message: the end, if the length is not a multiple of 4; else the first character
/// that is not base64, or is padding anywhere but the last two places, or follows padding.
fn first_bad_character(chars: &[(usize, u8)]) -> usize {
    let end = chars.last().map_or(0, |&(i, _)| i + 1);
    if !chars.len().is_multiple_of(4) {
        return end;
    }
    let padding_from = chars.len().saturating_sub(2);
    let mut padded = false;
    for (k, &(at, c)) in chars.iter().enumerate() {
        let fits = match c {
            b'=' => k >= padding_from,
            _ => !padded && (c.is_ascii_alphanumeric() || c == b'+' || c == b'/'),
        };
        if !fits {
            return at;
        }
        padded |= c == b'=';
    }
    end
}

/// Terraform's `jsonencode`: compact, keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub(super) fn json_encode(v: &Value) -> String {
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
