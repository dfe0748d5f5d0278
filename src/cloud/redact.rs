//! Server text made safe to show: every secret a client knows masked, the length capped,
//! control characters escaped.
//!
//! A server (or a proxy in between) may echo what it was sent: Alibaba quotes its string
//! to sign in `SignatureDoesNotMatch` (the query, percent-encoded twice, passwords
//! included), a gateway may echo a request parameter in its message. A client's
//! [`Redactor`] knows the credentials it signs with and every password it has put on the
//! wire (its clones share what they learn), and every piece of server text that enters
//! an error passes through [`Redactor::clean`] — see [`super::ApiError::from_server`] and
//! [`super::Error::decode`].

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;

use crate::cloud::alibaba::sign::percent_encode;
use crate::secret::Secret;
use crate::text;

/// What a secret is replaced with.
pub const MASK: &str = "****";

/// The secret values one client knows, shared by its clones.
#[derive(Clone, Default)]
pub struct Redactor {
    values: Arc<Mutex<Vec<Secret>>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} values)", self.snapshot().len())
    }
}

impl Redactor {
    /// A redactor that knows `values` (empty ones are ignored).
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let redactor = Self::default();
        for value in values {
            redactor.learn(value);
        }
        redactor
    }

    /// Remembers `value` as a secret, for this client and its clones, from now on.
    pub fn learn(&self, value: &str) {
        if value.is_empty() {
            return;
        }
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        if !values.iter().any(|v| v.expose() == value) {
            values.push(Secret::new(value));
        }
    }

    fn snapshot(&self) -> Vec<Secret> {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every spelling of the known secrets a server might echo, longest first.
    fn needles(&self) -> Vec<String> {
        let mut needles: Vec<String> = self
            .snapshot()
            .iter()
            .flat_map(|s| spellings(s.expose()))
            .filter(|n| !n.is_empty())
            .collect();
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        needles
    }

    /// `text` from a server, to show: every known secret (in any spelling of
    /// [`spellings`]) replaced by [`MASK`], cut after `max` characters (saying how many
    /// were cut), and control characters escaped ([`text::escape_control`]).
    pub fn clean(&self, text: &str, max: usize) -> String {
        let masked = mask(text, &self.needles(), max);
        text::escape_control(&masked).into_owned()
    }
}

/// The spellings of `value` a server may echo: verbatim; percent-encoded (RFC 3986 with
/// upper- or lower-case hex, form-style with `+`, WHATWG form encoding, and encoded
/// twice as in an Alibaba V1 string to sign); JSON-escaped (also with `\uXXXX` for
/// non-ASCII and `\/`); HTML-escaped; and Base64 (standard and URL-safe).
pub fn spellings(value: &str) -> Vec<String> {
    let rfc3986 = percent_encode(value);
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or_default()
        .to_owned();
    vec![
        value.to_owned(),
        lower_hex(&rfc3986),
        rfc3986.replace("%20", "+"),
        form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        percent_encode(&rfc3986),
        lower_hex(&percent_encode(&rfc3986)),
        ascii_json(&json),
        json.replace('/', "\\/"),
        json,
        html_escape(value),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(value),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value),
        rfc3986,
    ]
}

/// `%2A` → `%2a`: the hex digits of percent escapes in lower case.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut after_percent = 0;
    for c in encoded.chars() {
        if after_percent > 0 {
            out.push(c.to_ascii_lowercase());
            after_percent -= 1;
        } else {
            out.push(c);
            if c == '%' {
                after_percent = 2;
            }
        }
    }
    out
}

/// JSON text with every non-ASCII character as `\uXXXX` (Python's `ensure_ascii`).
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

fn html_escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The byte index of the `n`th character of `text`, or its length.
fn char_end(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// `text` up to its `max`th character with every occurrence of a needle that starts
/// there masked whole (even one that runs past `max`), then a note of what was cut.
/// Reads at most `max` characters plus the longest needle, however long `text` is.
fn mask(text: &str, needles: &[String], max: usize) -> String {
    let longest = needles.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let limit = char_end(text, max);
    let window = &text[..char_end(text, max.saturating_add(longest))];
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for needle in needles {
        let mut from = 0;
        while let Some(found) = window[from..].find(needle.as_str()) {
            let start = from + found;
            if start >= limit {
                break;
            }
            ranges.push((start, start + needle.len()));
            // Overlapping occurrences too: step one character, not the needle.
            from = start + window[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(limit + 64);
    let mut at = 0;
    for (start, end) in merged {
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    if at < limit {
        out.push_str(&text[at..limit]);
        at = limit;
    }
    if at < text.len() {
        let cut = text[at..].chars().count();
        let _ = write!(
            out,
            "… ({cut} more character{} cut)",
            if cut == 1 { "" } else { "s" }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy as _;

    use super::*;

    const PW: &str = "pä ss/w+rd*~\"<x>";

    fn clean(text: &str) -> String {
        Redactor::new([PW, "AKID-secret-id"]).clean(text, 2_000)
    }

    #[test]
    fn every_spelling_of_a_secret_is_masked() {
        for spelling in spellings(PW) {
            let shown = clean(&format!("bad value [{spelling}] for Password"));
            assert_eq!(shown, "bad value [****] for Password", "{spelling}");
        }
        // The spellings themselves, for the record.
        let all = spellings(PW);
        for expected in [
            "p%C3%A4%20ss%2Fw%2Brd%2A~%22%3Cx%3E",
            "p%c3%a4%20ss%2fw%2brd%2a~%22%3cx%3e",
            "p%C3%A4+ss%2Fw%2Brd%2A~%22%3Cx%3E",
            "p%25C3%25A4%2520ss%252Fw%252Brd%252A~%2522%253Cx%253E",
            "p\\u00e4 ss/w+rd*~\\\"<x>",
            "pä ss\\/w+rd*~\\\"<x>",
            "pä ss/w+rd*~&quot;&lt;x&gt;",
            "cMOkIHNzL3crcmQqfiI8eD4",
        ] {
            assert!(all.iter().any(|s| s == expected), "{expected} in {all:?}");
        }
    }

    #[test]
    fn an_alibaba_v1_string_to_sign_echo_is_masked() {
        // What Alibaba's SignatureDoesNotMatch quotes: the canonical query, encoded again.
        let query = format!(
            "AccessKeyId=AKID-secret-id&Password={}&RegionId=cn-hangzhou",
            percent_encode(PW)
        );
        let message = format!(
            "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&{}",
            percent_encode(&query)
        );
        let shown = clean(&message);
        assert!(shown.contains("Password%3D****%26RegionId"), "{shown}");
        assert!(shown.contains("AccessKeyId%3D****%26"), "{shown}");
    }

    #[test]
    fn overlapping_and_adjacent_occurrences_leave_nothing_behind() {
        let r = Redactor::new(["aa", "abc"]);
        assert_eq!(r.clean("xaaay", 100), "x****y");
        assert_eq!(r.clean("aabc", 100), "****");
        assert_eq!(r.clean("abcabc", 100), "****");
    }

    #[test]
    fn a_secret_across_the_cut_is_masked_whole_and_never_shown_in_part() {
        let r = Redactor::new(["SECRETVALUE"]);
        let text = format!("{}SECRETVALUE and more", "x".repeat(95));
        let shown = r.clean(&text, 100);
        assert_eq!(
            shown,
            format!("{}****… (9 more characters cut)", "x".repeat(95))
        );
        // Starting after the cut, it is not shown at all.
        let shown = r.clean(&format!("{}SECRETVALUE", "x".repeat(100)), 100);
        assert_eq!(
            shown,
            format!("{}… (11 more characters cut)", "x".repeat(100))
        );
    }

    #[test]
    fn huge_text_is_capped_and_controls_are_escaped() {
        let r = Redactor::new(["pw"]);
        let text = format!("\u{1b}[2Jpw{}", "y".repeat(50_000_000));
        let shown = r.clean(&text, 2_000);
        assert!(shown.starts_with("\\u{1b}[2J****yyy"), "{}", &shown[..40]);
        assert!(shown.len() < 2_100, "{}", shown.len());
        assert!(
            shown.ends_with("(49998006 more characters cut)"),
            "{}",
            &shown[shown.len() - 40..]
        );
    }

    #[test]
    fn clones_share_what_they_learn_and_debug_shows_no_value() {
        let r = Redactor::default();
        let clone = r.clone();
        clone.learn("late-password");
        clone.learn("");
        assert_eq!(r.clean("x late-password y", 100), "x **** y");
        assert_eq!(format!("{r:?}"), "Redactor(1 values)");
        assert_eq!(
            Redactor::default().clean("nothing known", 100),
            "nothing known"
        );
    }

    proptest::proptest! {
        /// Whatever surrounds it, however it is spelled and wherever the cut falls, no
        /// spelling of a secret survives masking; then nothing unsafe is printed and the
        /// length is bounded. (Secrets here avoid `*`: a secret made of the mask's own
        /// characters would be "found" in the mask. The note on what was cut and the
        /// escapes are dtsform's own text, so they are left out of the search.)
        #[test]
        fn no_spelling_survives_cleaning(
            secret in "[a-zA-Z0-9 /+=%&é表~.-]{1,12}",
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    "[ -~é\u{1b}\r\u{202e}]{0,8}".prop_map(Err),
                    (0..13usize).prop_map(Ok),
                ],
                0..12,
            ),
            max in 1..300usize,
        ) {
            let spellings = spellings(&secret);
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Ok(i) => spellings[*i % spellings.len()].clone(),
                    Err(filler) => filler.clone(),
                })
                .collect();
            let redactor = Redactor::new([secret.as_str()]);
            let masked = mask(&text, &redactor.needles(), max);
            let kept = match masked.rfind("… (") {
                Some(note) if text.chars().count() > max => &masked[..note],
                _ => masked.as_str(),
            };
            for spelling in spellings.iter().filter(|s| !s.is_empty()) {
                proptest::prop_assert!(!kept.contains(spelling.as_str()), "{spelling:?} in {kept:?}");
            }
            let shown = redactor.clean(&text, max);
            proptest::prop_assert_eq!(&shown, &text::escape_control(&masked).into_owned());
            proptest::prop_assert!(!shown.chars().any(text::is_unsafe), "{shown:?}");
            proptest::prop_assert!(shown.chars().count() <= 8 * max + 60, "{}", shown.len());
        }
    }
}
