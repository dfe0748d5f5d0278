//! Alibaba Cloud request signatures, as pure functions.
//!
//! Two algorithms, both accepted by the API gateway (reference §4):
//!
//! * **V3 `ACS3-HMAC-SHA256`** — what the official SDKs use by default. Action, version,
//!   date and nonce travel in `x-acs-*` headers; the signature covers the method, the
//!   canonical query, the signed headers and the SHA-256 of the body.
//! * **V1 RPC `HMAC-SHA1`** (`SignatureVersion=1.0`) — what Terraform's `tea-rpc` uses.
//!   Everything travels as parameters; the signature covers query *and* form-body
//!   parameters together.
//!
//! Nothing here reads a clock, a random source or the network: the caller passes the
//! timestamp and nonce in. The emulator verifies with the same functions the client
//! signs with, and both are pinned to the reference test vectors.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use sha2::Sha256;

/// The V3 algorithm name, first token of the `Authorization` header.
pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// SHA-256 of the empty body, the `x-acs-content-sha256` of a request without one.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// RFC 3986 unreserved characters stay; every other byte becomes `%XX`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes `s` the way both signature versions canonicalise it
/// (space → `%20`, `*` → `%2A`, `/` → `%2F`, `+` → `%2B`; `~` kept).
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Encodes a form body exactly as the Python SDK does (`urlencode(sorted(items))`, i.e.
/// `quote_plus`: space → `+`, unreserved kept, all else `%XX`). Pairs are sorted by key.
pub fn form_encode(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort();
    let plus = |s: &str| percent_encode(s).replace("%20", "+");
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", plus(k), plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lowercase hex SHA-256, used for `x-acs-content-sha256` and the canonical request hash.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::util::sha256_hex(bytes)
}

/// `k=v&...` over percent-encoded pairs, sorted by key then value (byte order).
fn canonical_pairs(pairs: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The inputs of a V3 signature.
#[derive(Clone, Copy)]
pub struct V3Input<'a> {
    pub method: &'a str,
    /// Decoded query parameters (the SDK's "query" placement).
    pub query: &'a [(String, String)],
    /// Exactly the headers to sign, any case; the signer lowercases and sorts them.
    pub headers: &'a [(String, String)],
    /// Lowercase hex SHA-256 of the body bytes.
    pub payload_sha256: &'a str,
}

/// Every intermediate of a V3 signature, so tests can show where a mismatch starts.
#[derive(Clone, PartialEq, Eq)]
pub struct V3Signature {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signed_headers: String,
    pub signature: String,
}

/// Names only: header values include STS tokens, and the query can hold a password.
impl std::fmt::Debug for V3Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V3Input")
            .field("method", &self.method)
            .field(
                "query",
                &self.query.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The signed header names only: the canonical request carries tokens and parameter
/// values, and a signature is a credential for its request.
impl std::fmt::Debug for V3Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V3Signature")
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

impl V3Signature {
    /// The `Authorization` header value for this signature.
    pub fn authorization(&self, access_key_id: &str) -> String {
        format!(
            "{V3_ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={}",
            self.signed_headers, self.signature
        )
    }
}

/// Computes an `ACS3-HMAC-SHA256` signature (reference §4.1).
pub fn sign_v3(input: &V3Input<'_>, access_key_secret: &str) -> V3Signature {
    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    // Duplicate names collapse into one line with their sorted values joined by ','.
    let mut merged: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in headers {
        match merged.last_mut() {
            Some((last, values)) if *last == name => values.push(value),
            _ => merged.push((name, vec![value])),
        }
    }
    let mut canonical_headers = String::new();
    for (name, values) in &merged {
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let signed_headers = merged
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        input.method,
        canonical_pairs(input.query),
        canonical_headers,
        signed_headers,
        input.payload_sha256
    );
    let string_to_sign = format!(
        "{V3_ALGORITHM}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let signature = hex::encode(hmac_sha256(
        access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    V3Signature {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
    }
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// The parts of a V3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Authorization {
    pub access_key_id: String,
    /// Lowercase header names, in the order the client listed them.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `ACS3-HMAC-SHA256 Credential=...,SignedHeaders=a;b,Signature=...`.
/// Returns `None` when the header is not a well-formed V3 authorization.
pub fn parse_v3_authorization(header: &str) -> Option<V3Authorization> {
    let rest = header.trim().strip_prefix(V3_ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.trim().split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(value.to_owned()),
            "SignedHeaders" => signed = Some(value.to_owned()),
            "Signature" => signature = Some(value.to_owned()),
            _ => return None,
        }
    }
    let (access_key_id, signed, signature) = (credential?, signed?, signature?);
    if access_key_id.is_empty() || signed.is_empty() || signature.is_empty() {
        return None;
    }
    Some(V3Authorization {
        access_key_id,
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature,
    })
}

/// The V1 string to sign over all parameters except `Signature` (reference §4.2).
pub fn v1_string_to_sign(method: &str, params: &[(String, String)]) -> String {
    format!("{method}&%2F&{}", percent_encode(&canonical_pairs(params)))
}

/// Base64 HMAC-SHA1 of the V1 string to sign, keyed with `secret + "&"`.
pub fn sign_v1(string_to_sign: &str, access_key_secret: &str) -> String {
    let key = format!("{access_key_secret}&");
    let mut mac =
        Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Constant-time string comparison for signatures.
pub fn signatures_equal(a: &str, b: &str) -> bool {
    crate::util::constant_time_eq(a, b)
}

#[cfg(test)]
pub(crate) mod tests;
