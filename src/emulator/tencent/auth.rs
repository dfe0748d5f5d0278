//! Tencent Cloud API 3.0 request authentication (`TC3-HMAC-SHA256`, reference §2), as
//! the gateway does it: the canonical headers are rebuilt from the headers the request
//! itself lists in `SignedHeaders` (which must include `content-type` and `host`), the
//! credential date must be the UTC date of `X-TC-Timestamp`, the timestamp within five
//! minutes of the clock, the SecretId known, and the signature equal to the one computed
//! with the same function the client signs with ([`crate::cloud::tencent::sign`]).
//!
//! An STS token (`X-TC-Token`) is accepted without being checked.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;

use super::reply::Failure;
use crate::cloud::tencent::sign::{self, ALGORITHM, Input, parse_authorization, utc_date};
use crate::util::constant_time_eq as signatures_equal;

/// The service name in the credential scope.
pub const SERVICE: &str = "dts";
/// The largest accepted difference between `X-TC-Timestamp` and the clock.
pub const MAX_SKEW: Duration = Duration::from_mins(5);
/// What `X-TC-Content-SHA256` says when the body is not signed.
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What a request carries, as received.
pub struct Incoming<'a> {
    pub method: &'a str,
    /// The raw query string (the canonical query string of a GET).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The one SecretId/SecretKey pair the emulator accepts.
pub struct Keys<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
}

/// A request that passed authentication.
#[derive(Debug)]
pub struct Verified {
    pub action: String,
    pub version: String,
    /// `X-TC-Region`, if sent.
    pub region: Option<String>,
    /// `X-TC-Language: en-US`.
    pub english: bool,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn invalid_authorization(why: impl std::fmt::Display) -> Failure {
    Failure::new(
        "AuthFailure.InvalidAuthorization",
        format!("The Authorization header is invalid: {why}."),
    )
}

fn signature_failure(why: &str) -> Failure {
    Failure::new(
        "AuthFailure.SignatureFailure",
        format!(
            "The provided credentials could not be validated. Please check your signature is correct.{why}"
        ),
    )
}

/// Seconds between `timestamp` and `now`, either way.
fn skew_seconds(timestamp: i64, now: SystemTime) -> u64 {
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::from(d.as_secs()),
        Err(e) => -i128::from(e.duration().as_secs()),
    };
    u64::try_from((now - i128::from(timestamp)).unsigned_abs()).unwrap_or(u64::MAX)
}

/// Authenticates a TC3-signed request.
pub fn verify(req: &Incoming<'_>, keys: &Keys<'_>, now: SystemTime) -> Result<Verified, Failure> {
    let Some(authorization) = header(req.headers, "authorization") else {
        return Err(invalid_authorization(format_args!(
            "it is missing; requests must be signed with {ALGORITHM}"
        )));
    };
    let parsed = parse_authorization(authorization).ok_or_else(|| {
        invalid_authorization(format_args!(
            "it is not `{ALGORITHM} Credential=SecretId/Date/dts/tc3_request, SignedHeaders=content-type;host, Signature=...`"
        ))
    })?;
    for required in ["content-type", "host"] {
        if !parsed.signed_headers.iter().any(|h| h == required) {
            return Err(invalid_authorization(format_args!(
                "SignedHeaders must include {required}"
            )));
        }
    }
    let mut signed: Vec<(&str, &str)> = Vec::with_capacity(parsed.signed_headers.len());
    for name in &parsed.signed_headers {
        if signed.iter().any(|(n, _)| n == name) {
            return Err(invalid_authorization(format_args!(
                "SignedHeaders lists {name} twice"
            )));
        }
        let mut values = req.headers.get_all(name.as_str()).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(invalid_authorization(format_args!(
                "the signed header {name} must be in the request exactly once"
            )));
        };
        let value = value
            .to_str()
            .map_err(|_| invalid_authorization(format_args!("the header {name} is not ASCII")))?;
        signed.push((name.as_str(), value));
    }

    let stamp =
        header(req.headers, "x-tc-timestamp").ok_or_else(|| Failure::missing("Timestamp"))?;
    let timestamp: i64 = stamp.parse().map_err(|_| {
        Failure::invalid_value(
            "Timestamp",
            format!("{stamp:?} is not a Unix time in seconds"),
        )
    })?;
    let action = header(req.headers, "x-tc-action").ok_or_else(|| Failure::missing("Action"))?;
    let version = header(req.headers, "x-tc-version").ok_or_else(|| Failure::missing("Version"))?;

    if parsed.secret_id != keys.secret_id {
        return Err(Failure::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    }
    let skew = skew_seconds(timestamp, now);
    if skew > MAX_SKEW.as_secs() {
        return Err(Failure::new(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired: X-TC-Timestamp {timestamp} is {skew} seconds from the server time; at most {} are allowed.",
                MAX_SKEW.as_secs()
            ),
        ));
    }
    let date = utc_date(timestamp).unwrap_or_default();
    if parsed.date != date {
        return Err(signature_failure(&format!(
            " The credential date {} is not the UTC date of X-TC-Timestamp ({date}).",
            parsed.date
        )));
    }
    if parsed.service != SERVICE {
        return Err(signature_failure(&format!(
            " The credential scope names the service {}, this is {SERVICE}.",
            parsed.service
        )));
    }
    let unsigned = header(req.headers, "x-tc-content-sha256") == Some(UNSIGNED_PAYLOAD);
    let query = if req.method == "GET" { req.query } else { "" };
    let expected = sign::sign(
        &Input {
            method: req.method,
            query,
            headers: &signed,
            payload: if unsigned {
                UNSIGNED_PAYLOAD.as_bytes()
            } else {
                req.body
            },
            timestamp,
            service: SERVICE,
        },
        keys.secret_key,
    )
    .ok_or_else(|| signature_failure(""))?;
    if !signatures_equal(&expected.signature, &parsed.signature) {
        return Err(signature_failure(""));
    }
    Ok(Verified {
        action: action.to_owned(),
        version: version.to_owned(),
        region: header(req.headers, "x-tc-region").map(str::to_owned),
        english: header(req.headers, "x-tc-language")
            .is_some_and(|l| l.eq_ignore_ascii_case("en-US")),
    })
}

#[cfg(test)]
mod tests;
