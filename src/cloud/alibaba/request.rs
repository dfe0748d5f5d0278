//! Building a signed HTTP request from an action name and its parameters — no I/O.
//!
//! Parameters are placed where the official SDK places them (query or form body,
//! reference §2). V3 puts the action, version, date and nonce in `x-acs-*` headers; V1
//! puts them in the query next to `Signature`. On the wire the query is RFC 3986
//! encoded, so it is byte-for-byte the canonical query that was signed.

use std::fmt;
use std::time::SystemTime;

use reqwest::Url;
use time::OffsetDateTime;
use time::macros::format_description;

use super::credentials::Credentials;
use super::endpoint::host_header;
use super::sign::{self, V3Input, percent_encode};

/// The DTS API version every action is sent with.
pub const API_VERSION: &str = "2020-01-01";

const USER_AGENT: &str = concat!("dtsform/", env!("CARGO_PKG_VERSION"));

/// Which signature to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// `ACS3-HMAC-SHA256` in an `Authorization` header (the SDK default).
    #[default]
    V3,
    /// RPC `HMAC-SHA1` in a `Signature` parameter (what Terraform sends).
    V1,
}

impl std::str::FromStr for SignatureVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "v3" | "acs3-hmac-sha256" => Ok(Self::V3),
            "v1" | "hmac-sha1" => Ok(Self::V1),
            _ => Err(format!(
                "unknown signature version {s:?} (expected v3 or v1)"
            )),
        }
    }
}

/// The business parameters of one call, split as the SDK splits them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub query: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
}

impl Params {
    #[must_use]
    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    #[must_use]
    pub fn query_opt(self, key: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    #[must_use]
    pub fn body(mut self, key: &str, value: impl Into<String>) -> Self {
        self.body.push((key.to_owned(), value.into()));
        self
    }
}

/// Names only: values can be passwords.
impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        f.debug_struct("Params")
            .field("query", &names(&self.query))
            .field("body", &names(&self.body))
            .finish()
    }
}

/// A signed request ready for the transport. The transport derives `Host` from the URL;
/// the builder signed exactly that value.
pub struct SignedRequest {
    pub action: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Shows the action and host only: the URL, headers and body carry signatures,
/// tokens and possibly passwords.
impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("action", &self.action)
            .field("host", &self.url.host_str())
            .finish_non_exhaustive()
    }
}

/// `2024-05-01T12:00:00Z`, the timestamp format of both signature versions.
/// A clock outside the calendar's range (years 1 to 9999) signs as the Unix epoch, which
/// the server then rejects as expired.
pub fn format_timestamp(t: SystemTime) -> String {
    crate::util::to_datetime(t)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// Parses [`format_timestamp`]'s format.
pub fn parse_timestamp(s: &str) -> Option<SystemTime> {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(s, format)
        .ok()
        .and_then(|t| crate::util::from_datetime(t.assume_utc()))
}

/// Everything the builder needs besides the action and parameters.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    pub endpoint: &'a Url,
    pub credentials: &'a Credentials,
    pub version: SignatureVersion,
    /// From [`format_timestamp`].
    pub timestamp: &'a str,
    pub nonce: &'a str,
}

fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn with_query(endpoint: &Url, query: &str) -> Url {
    let mut url = endpoint.clone();
    url.set_path("/");
    url.set_query(if query.is_empty() { None } else { Some(query) });
    url
}

/// Builds and signs one POST request for `action`.
pub fn build(action: &str, params: &Params, signer: &Signer<'_>) -> SignedRequest {
    let body = if params.body.is_empty() {
        String::new()
    } else {
        sign::form_encode(&params.body)
    };
    let creds = signer.credentials;
    let mut headers: Vec<(String, String)> = Vec::new();
    let url = match signer.version {
        SignatureVersion::V3 => {
            let payload_sha256 = sign::sha256_hex(body.as_bytes());
            let mut to_sign = vec![
                ("host".to_owned(), host_header(signer.endpoint)),
                ("x-acs-action".to_owned(), action.to_owned()),
                ("x-acs-version".to_owned(), API_VERSION.to_owned()),
                ("x-acs-date".to_owned(), signer.timestamp.to_owned()),
                ("x-acs-signature-nonce".to_owned(), signer.nonce.to_owned()),
                ("x-acs-content-sha256".to_owned(), payload_sha256.clone()),
            ];
            if !body.is_empty() {
                to_sign.push((
                    "content-type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                ));
            }
            if let Some(token) = &creds.security_token {
                to_sign.push(("x-acs-accesskey-id".to_owned(), creds.access_key_id.clone()));
                to_sign.push(("x-acs-security-token".to_owned(), token.expose().to_owned()));
            }
            let signature = sign::sign_v3(
                &V3Input {
                    method: "POST",
                    query: &params.query,
                    headers: &to_sign,
                    payload_sha256: &payload_sha256,
                },
                creds.access_key_secret.expose(),
            );
            headers.extend(to_sign.into_iter().filter(|(k, _)| k != "host"));
            headers.push((
                "authorization".to_owned(),
                signature.authorization(&creds.access_key_id),
            ));
            with_query(signer.endpoint, &encode_query(&params.query))
        }
        SignatureVersion::V1 => {
            let mut query = vec![
                ("AccessKeyId".to_owned(), creds.access_key_id.clone()),
                ("Action".to_owned(), action.to_owned()),
                ("Format".to_owned(), "json".to_owned()),
                ("SignatureMethod".to_owned(), "HMAC-SHA1".to_owned()),
                ("SignatureNonce".to_owned(), signer.nonce.to_owned()),
                ("SignatureVersion".to_owned(), "1.0".to_owned()),
                ("Timestamp".to_owned(), signer.timestamp.to_owned()),
                ("Version".to_owned(), API_VERSION.to_owned()),
            ];
            if let Some(token) = &creds.security_token {
                query.push(("SecurityToken".to_owned(), token.expose().to_owned()));
            }
            query.extend(params.query.iter().cloned());
            let mut all = query.clone();
            all.extend(params.body.iter().cloned());
            let string_to_sign = sign::v1_string_to_sign("POST", &all);
            let signature = sign::sign_v1(&string_to_sign, creds.access_key_secret.expose());
            query.push(("Signature".to_owned(), signature));
            headers.push(("x-acs-action".to_owned(), action.to_owned()));
            headers.push(("x-acs-version".to_owned(), API_VERSION.to_owned()));
            if !body.is_empty() {
                headers.push((
                    "content-type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                ));
            }
            with_query(signer.endpoint, &encode_query(&query))
        }
    };
    headers.push(("accept".to_owned(), "application/json".to_owned()));
    headers.push(("user-agent".to_owned(), USER_AGENT.to_owned()));
    SignedRequest {
        action: action.to_owned(),
        url,
        headers,
        body: body.into_bytes(),
    }
}

#[cfg(test)]
mod tests;
