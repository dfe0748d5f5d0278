//! Text from outside dtsform made safe to print: control characters escaped and length
//! capped.
//!
//! Labels from a configuration, names and messages from a server and file paths can hold
//! terminal control sequences (ESC, BEL, CR, backspace, C1 controls, bidirectional
//! overrides) that would recolour, rewrite or reorder what a reviewer sees, and a server
//! can send megabytes where a line is expected. Everything printed from such a value goes
//! through [`escape_control`] (a single-line value) or [`escape_control_lines`] (text
//! whose own line breaks are kept), and server text is bounded with [`cap`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// At most this many characters of one piece of server text are shown (a message, an
/// error reason); the rest is cut, saying how much.
pub const SERVER_TEXT_MAX: usize = 2_000;

/// At most this many characters of a short server field (a code, a RequestId, a
/// redirect target) are shown.
pub const SERVER_FIELD_MAX: usize = 200;

/// Whether `c` must not reach a terminal as itself: C0 controls, DEL, C1 controls, and
/// the Unicode characters that reorder or hide text (bidirectional embeddings,
/// overrides and isolates, the Arabic letter mark, line and paragraph separators).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every unsafe character (see [`is_unsafe`]), line breaks and tabs
/// included, written as a Rust-style escape: ESC becomes `\u{1b}`. For values shown on
/// one line: names, codes, statuses, messages from a server.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// Like [`escape_control`], but `\n` and `\t` are kept: for text dtsform composed
/// itself over several lines (a diagnostic, a plan) whose parts may come from outside.
pub fn escape_control_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && c != '\t' && is_unsafe(c))
}

/// JSON text (as serde_json writes it, compact or pretty) with every unsafe character
/// (see [`is_unsafe`]) written as a JSON `\uXXXX` escape: the same JSON value, safe to
/// print. (serde_json escapes only C0 controls;
/// DEL, C1 controls and bidirectional overrides it writes as they are.)
pub fn escape_json(json: &str) -> Cow<'_, str> {
    // Outside strings, JSON's own whitespace; inside, serde_json already escaped them.
    let unsafe_char = |c: char| !matches!(c, '\n' | '\r' | '\t') && is_unsafe(c);
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if unsafe_char(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut to at most `max` characters, followed by `… (N more characters cut)`
/// when anything was cut.
pub fn cap(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let cut = text[end..].chars().count();
            Cow::Owned(format!(
                "{}… ({cut} more character{} cut)",
                &text[..end],
                if cut == 1 { "" } else { "s" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape_control("shop.orders"), Cow::Borrowed(_)));
        assert_eq!(
            escape_control("a\u{1b}[31mred\u{7}\r\u{8}\n\t"),
            "a\\u{1b}[31mred\\u{7}\\u{d}\\u{8}\\u{a}\\u{9}"
        );
        assert_eq!(escape_control("\u{9b}31m\u{7f}"), "\\u{9b}31m\\u{7f}");
        assert_eq!(
            escape_control("abc\u{202e}fed\u{2066}\u{200f}\u{2028}"),
            "abc\\u{202e}fed\\u{2066}\\u{200f}\\u{2028}"
        );
        // Text that is merely not ASCII is left alone.
        assert_eq!(escape_control("表 café 🙂"), "表 café 🙂");
        // Escaping twice changes nothing more: a backslash is not escaped.
        let once = escape_control("x\u{1b}y").into_owned();
        assert_eq!(escape_control(&once), once);
    }

    #[test]
    fn line_text_keeps_its_line_breaks() {
        assert_eq!(
            escape_control_lines("one\n\ttwo\r\n\u{1b}]0;title\u{7}"),
            "one\n\ttwo\\u{d}\n\\u{1b}]0;title\\u{7}"
        );
    }

    #[test]
    fn json_stays_the_same_value_and_becomes_safe_to_print() {
        let value = serde_json::json!({"name": "a\u{1b}[2J\u{9b}\u{7f}\u{202e}b", "plain": "表"});
        let json = value.to_string();
        assert!(json.contains('\u{202e}'), "serde_json leaves it: {json}");
        let safe = escape_json(&json);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            value
        );
        assert!(matches!(escape_json(r#"{"a":"表"}"#), Cow::Borrowed(_)));
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let safe = escape_json(&pretty);
        assert!(safe.contains("\n  \"name\""), "{safe}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            value
        );
    }

    #[test]
    fn capping_counts_characters_and_says_how_many_were_cut() {
        assert_eq!(cap("short", 5), "short");
        assert!(matches!(cap("short", 5), Cow::Borrowed(_)));
        assert_eq!(cap("abcdef", 4), "abcd… (2 more characters cut)");
        assert_eq!(cap("表表表", 2), "表表… (1 more character cut)");
        let huge = "x".repeat(10_000_000);
        let shown = cap(&huge, SERVER_TEXT_MAX);
        assert!(shown.len() < SERVER_TEXT_MAX + 50, "{}", shown.len());
        assert!(shown.ends_with("(9998000 more characters cut)"), "{shown}");
    }
}
