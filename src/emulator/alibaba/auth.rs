//! Request authentication, as the API gateway does it: the access key must be known,
//! the timestamp within 15 minutes, the signature (V3 or V1) must match the one computed
//! with the same functions the client signs with, and a nonce may be used only once
//! (the caller keeps the nonce memory).

use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;

use super::reply::Failure;
use crate::cloud::alibaba::request::parse_timestamp;
use crate::cloud::alibaba::sign::{
    self, V3Input, parse_v3_authorization, sign_v1, signatures_equal, v1_string_to_sign,
};

/// Headers every V3 signature must cover.
const V3_REQUIRED_SIGNED: &[&str] = &[
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// What a request carries, decoded.
pub struct Incoming<'a> {
    pub method: &'a str,
    /// Decoded query pairs, in wire order.
    pub query: &'a [(String, String)],
    /// Decoded form-body pairs, in wire order.
    pub form: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// A request that passed authentication.
#[derive(Debug)]
pub struct Verified {
    pub action: String,
    pub version: String,
    pub access_key_id: String,
    pub nonce: String,
    /// After this the timestamp check alone rejects a replay; forget the nonce then.
    pub nonce_expiry: SystemTime,
}

/// The one key pair the emulator accepts.
pub struct Keys<'a> {
    pub access_key_id: &'a str,
    pub access_key_secret: &'a str,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn param<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn check_time(stamp: &str, now: SystemTime, max_skew: Duration) -> Result<SystemTime, Failure> {
    let at = parse_timestamp(stamp).ok_or_else(|| {
        Failure::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    })?;
    let skew = now
        .duration_since(at)
        .or_else(|_| at.duration_since(now))
        .unwrap_or_default();
    if skew > max_skew {
        return Err(Failure::new(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    // When the timestamp check alone would refuse a replay; the far future if unknowable.
    Ok(at.checked_add(max_skew).unwrap_or(now + max_skew))
}

fn check_key(given: &str, keys: &Keys<'_>) -> Result<(), Failure> {
    if given == keys.access_key_id {
        Ok(())
    } else {
        Err(Failure::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ))
    }
}

/// Authenticates a request signed with either version.
pub fn verify(
    req: &Incoming<'_>,
    keys: &Keys<'_>,
    now: SystemTime,
    max_skew: Duration,
) -> Result<Verified, Failure> {
    if let Some(auth) = header(req.headers, "authorization") {
        verify_v3(req, auth, keys, now, max_skew)
    } else if req.query.iter().any(|(k, _)| k == "Signature") {
        verify_v1(req, keys, now, max_skew)
    } else {
        Err(Failure::incomplete_signature(
            "no Authorization header and no Signature parameter",
        ))
    }
}

fn verify_v3(
    req: &Incoming<'_>,
    auth: &str,
    keys: &Keys<'_>,
    now: SystemTime,
    max_skew: Duration,
) -> Result<Verified, Failure> {
    let parsed = parse_v3_authorization(auth).ok_or_else(|| {
        Failure::incomplete_signature(
            "the Authorization header is not `ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...`",
        )
    })?;
    if let Some(missing) = V3_REQUIRED_SIGNED
        .iter()
        .find(|h| !parsed.signed_headers.iter().any(|s| s == *h))
    {
        return Err(Failure::incomplete_signature(format!(
            "SignedHeaders must include {missing}"
        )));
    }
    let mut signed = Vec::with_capacity(parsed.signed_headers.len());
    for name in &parsed.signed_headers {
        let values: Vec<_> = req.headers.get_all(name.as_str()).iter().collect();
        if values.is_empty() {
            return Err(Failure::incomplete_signature(format!(
                "signed header {name} is not in the request"
            )));
        }
        for value in values {
            let value = value.to_str().map_err(|_| {
                Failure::incomplete_signature(format!("header {name} is not ASCII"))
            })?;
            signed.push((name.clone(), value.to_owned()));
        }
    }
    let get = |name: &str| header(req.headers, name).unwrap_or_default();
    check_key(&parsed.access_key_id, keys)?;
    let nonce_expiry = check_time(get("x-acs-date"), now, max_skew)?;
    let payload_sha256 = get("x-acs-content-sha256");
    if !signatures_equal(payload_sha256, &sign::sha256_hex(req.body)) {
        return Err(Failure::new(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation: x-acs-content-sha256 does not match the body.",
        ));
    }
    let expected = sign::sign_v3(
        &V3Input {
            method: req.method,
            query: req.query,
            headers: &signed,
            payload_sha256,
        },
        keys.access_key_secret,
    );
    if !signatures_equal(&expected.signature, &parsed.signature) {
        return Err(Failure::signature_mismatch());
    }
    Ok(Verified {
        action: get("x-acs-action").to_owned(),
        version: get("x-acs-version").to_owned(),
        access_key_id: parsed.access_key_id,
        nonce: get("x-acs-signature-nonce").to_owned(),
        nonce_expiry,
    })
}

fn verify_v1(
    req: &Incoming<'_>,
    keys: &Keys<'_>,
    now: SystemTime,
    max_skew: Duration,
) -> Result<Verified, Failure> {
    let mut all: Vec<(String, String)> = req.query.to_vec();
    all.extend(req.form.iter().cloned());
    let required = |name: &str| param(&all, name).ok_or_else(|| Failure::missing(name));
    let access_key_id = required("AccessKeyId")?.to_owned();
    let nonce = required("SignatureNonce")?.to_owned();
    let stamp = required("Timestamp")?.to_owned();
    let action = required("Action")?.to_owned();
    let api_version = required("Version")?.to_owned();
    let method = param(&all, "SignatureMethod").unwrap_or_default();
    if method != "HMAC-SHA1" {
        return Err(Failure::incomplete_signature(format!(
            "SignatureMethod is {method:?}; it must be HMAC-SHA1"
        )));
    }
    let version = param(&all, "SignatureVersion").unwrap_or_default();
    if version != "1.0" {
        return Err(Failure::incomplete_signature(format!(
            "SignatureVersion is {version:?}; it must be 1.0"
        )));
    }
    check_key(&access_key_id, keys)?;
    let nonce_expiry = check_time(&stamp, now, max_skew)?;
    let given = param(req.query, "Signature").unwrap_or_default().to_owned();
    let unsigned: Vec<(String, String)> =
        all.into_iter().filter(|(k, _)| k != "Signature").collect();
    let expected = sign_v1(
        &v1_string_to_sign(req.method, &unsigned),
        keys.access_key_secret,
    );
    if !signatures_equal(&expected, &given) {
        return Err(Failure::signature_mismatch());
    }
    Ok(Verified {
        action,
        version: api_version,
        access_key_id,
        nonce,
        nonce_expiry,
    })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn v1_needs_its_signature_method_and_version() {
        let headers = HeaderMap::new();
        let keys = Keys {
            access_key_id: "k",
            access_key_secret: "s",
        };
        let base = [
            ("AccessKeyId", "k"),
            ("Action", "DescribeDtsJobs"),
            ("Version", "2020-01-01"),
            ("SignatureNonce", "n"),
            ("Timestamp", "2024-05-01T12:00:00Z"),
            ("Signature", "x"),
        ];
        for extra in [
            &[][..],
            &[("SignatureMethod", "HMAC-SHA1")][..],
            &[("SignatureVersion", "1.0")][..],
        ] {
            let query: Vec<(String, String)> = base
                .iter()
                .chain(extra)
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let req = Incoming {
                method: "POST",
                query: &query,
                form: &[],
                headers: &headers,
                body: b"",
            };
            let err = verify(&req, &keys, SystemTime::now(), Duration::from_mins(15)).unwrap_err();
            assert_eq!(err.code, "IncompleteSignature", "{extra:?}");
        }
    }

    #[test]
    fn odd_signed_header_names_are_refused_not_panicked_on() {
        let mut headers = HeaderMap::new();
        for name in V3_REQUIRED_SIGNED {
            headers.insert(*name, HeaderValue::from_static("x"));
        }
        for odd in ["bad header", "\u{0}", "", "é", ":authority", "x\ny"] {
            let list = format!("{};{odd}", V3_REQUIRED_SIGNED.join(";"));
            let auth = format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders={list},Signature=s");
            headers.insert(
                "authorization",
                HeaderValue::from_str(&auth).unwrap_or(HeaderValue::from_static("x")),
            );
            let req = Incoming {
                method: "POST",
                query: &[],
                form: &[],
                headers: &headers,
                body: b"",
            };
            let keys = Keys {
                access_key_id: "k",
                access_key_secret: "s",
            };
            let err = verify(&req, &keys, SystemTime::now(), Duration::from_mins(15)).unwrap_err();
            assert!(
                ["IncompleteSignature", "InvalidTimeStamp.Format"].contains(&err.code.as_str()),
                "{odd:?}: {err:?}"
            );
        }
    }
}
