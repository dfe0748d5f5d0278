//! Tencent Cloud API 3.0 signatures (`TC3-HMAC-SHA256`), as pure functions.
//!
//! The signature covers the method, the query (empty for POST), the headers listed in
//! `SignedHeaders` (lower-case name, trimmed lower-case value, sorted by name) and the
//! SHA-256 of the exact body bytes (reference §2). The key is derived from the secret
//! key, the **UTC** date of the timestamp and the service name.
//!
//! Nothing here reads a clock or the network. The client signs with [`sign`]; the
//! emulator verifies with the same function, rebuilding the canonical headers from the
//! `SignedHeaders` the request itself names ([`parse_authorization`]). Both are pinned to
//! the reference vectors V0–V8.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

/// The algorithm name, first token of the `Authorization` header.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The last element of the credential scope.
pub const TERMINATOR: &str = "tc3_request";

/// What a TC3 signature covers.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// `POST` or `GET`.
    pub method: &'a str,
    /// The canonical query string: empty for POST, the exact query for GET.
    pub query: &'a str,
    /// The signed headers as (name, value), in any order and any case; the canonical
    /// form lower-cases and trims them and sorts by name.
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes.
    pub payload: &'a [u8],
    /// `X-TC-Timestamp`, Unix seconds.
    pub timestamp: i64,
    /// The service, e.g. `dts` (also the first label of the host).
    pub service: &'a str,
}

/// A computed signature and the intermediate texts (for tests and debugging; none of
/// them contains the secret key).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    pub canonical_request: String,
    pub string_to_sign: String,
    /// `YYYY-MM-DD/service/tc3_request`.
    pub credential_scope: String,
    /// `content-type;host`, as signed.
    pub signed_headers: String,
    /// Lower-case hex.
    pub signature: String,
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signature")
            .field("credential_scope", &self.credential_scope)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

impl Signature {
    /// The `Authorization` header value.
    pub fn authorization(&self, secret_id: &str) -> String {
        format!(
            "{ALGORITHM} Credential={secret_id}/{}, SignedHeaders={}, Signature={}",
            self.credential_scope, self.signed_headers, self.signature
        )
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::util::sha256_hex(bytes)
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// The UTC date (`YYYY-MM-DD`) of a Unix timestamp, or `None` outside the calendar.
pub fn utc_date(timestamp: i64) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

/// The canonical headers and the `SignedHeaders` list: names lower-cased, values trimmed
/// and lower-cased, sorted by name.
fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        .collect();
    pairs.sort();
    let canonical = pairs.iter().fold(String::new(), |mut acc, (n, v)| {
        acc.push_str(n);
        acc.push(':');
        acc.push_str(v);
        acc.push('\n');
        acc
    });
    let signed = pairs
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (canonical, signed)
}

/// Signs `input` with `secret_key`. `None` only for a timestamp outside the calendar.
pub fn sign(input: &Input<'_>, secret_key: &str) -> Option<Signature> {
    let date = utc_date(input.timestamp)?;
    let (headers, signed_headers) = canonical_headers(input.headers);
    let canonical_request = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        input.method,
        input.query,
        headers,
        signed_headers,
        sha256_hex(input.payload)
    );
    let credential_scope = format!("{date}/{}/{TERMINATOR}", input.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{credential_scope}\n{}",
        input.timestamp,
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, input.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, TERMINATOR.as_bytes());
    let signature = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    Some(Signature {
        canonical_request,
        string_to_sign,
        credential_scope,
        signed_headers,
        signature,
    })
}

/// The parts of a TC3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub secret_id: String,
    /// `YYYY-MM-DD` from the credential scope.
    pub date: String,
    pub service: String,
    /// Lower-case header names, as listed.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b,
/// Signature=HEX`. `None` when the header is not well-formed.
pub fn parse_authorization(header: &str) -> Option<Authorization> {
    let rest = header.trim().strip_prefix(ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(value.trim()).is_some() {
            return None;
        }
    }
    let mut scope = credential?.rsplitn(4, '/');
    let (terminator, service, date, secret_id) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    let signature = signature?;
    let signed_headers: Vec<String> = signed?
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let well_formed = terminator == TERMINATOR
        && !secret_id.is_empty()
        && !service.is_empty()
        && date.len() == 10
        && !signature.is_empty()
        && signature.bytes().all(|b| b.is_ascii_hexdigit())
        && signed_headers.iter().all(|h| !h.is_empty());
    well_formed.then(|| Authorization {
        secret_id: secret_id.to_owned(),
        date: date.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature: signature.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests;
