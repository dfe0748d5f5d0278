//! A call's parameters: the query and form-body pairs of an Alibaba request, decoded
//! and read by name, and what makes two calls "the same" for a ClientToken.

use super::reply::Failure;
use crate::util::sha256_hex;

/// Parameters that sign or frame a request rather than say what it does; left out of
/// the ClientToken fingerprint so a retry with a fresh signature is still "the same".
const FRAMING_PARAMS: &[&str] = &[
    "AccessKeyId",
    "Action",
    "ClientToken",
    "Format",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

/// Whether a parameter signs or frames a request rather than saying what it does.
pub fn is_framing(name: &str) -> bool {
    FRAMING_PARAMS.contains(&name)
}

/// Parameters whose values are secrets: never stored, not even hashed.
const SECRET_PARAMS: &[&str] = &["Password", "ShardPassword"];

/// A call's business parameters (query ∪ form body), decoded, in wire order.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a>(pub &'a [(String, String)]);

impl<'a> Params<'a> {
    /// A parameter's value; empty counts as absent.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&'a str, Failure> {
        self.get(name).ok_or_else(|| Failure::missing(name))
    }

    pub fn flag(&self, name: &str) -> Result<bool, Failure> {
        match self.get(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(Failure::invalid(
                name,
                format!("{v:?} is not true or false"),
            )),
        }
    }

    pub fn number(
        &self,
        name: &str,
        default: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, Failure> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        text.parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                Failure::invalid(
                    name,
                    format!(
                        "{text:?} is not a number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    /// What makes two calls "the same" for a ClientToken: the business parameters with
    /// a value. Passwords are left out, so nothing derived from them is ever stored; a
    /// replay that differs only in a password gets the first answer.
    pub fn fingerprint(&self) -> String {
        let mut business: Vec<_> = self
            .0
            .iter()
            .filter(|(k, v)| {
                !v.is_empty()
                    && !FRAMING_PARAMS.contains(&k.as_str())
                    && !SECRET_PARAMS.contains(&k.as_str())
            })
            .collect();
        business.sort();
        sha256_hex(
            serde_json::to_string(&business)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    /// A name given more than once. The signature covers repeated names in any order;
    /// which one would count is ambiguous.
    pub fn repeated(&self) -> Option<&'a str> {
        let mut names: Vec<&str> = self.0.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    }
}
