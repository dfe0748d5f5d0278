//! Request bodies and the signed request, built without I/O.
//!
//! Every action is a `POST /` with a JSON body and the action, version, timestamp and
//! region in `X-TC-*` headers; `TC3-HMAC-SHA256` signs `content-type` and `host`, as
//! the official SDKs do (reference §1, §2). The caller passes the clock value in, so the
//! reference vectors can be reproduced exactly.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::credentials::Credentials;
use super::model::{DstInfo, MigrateOption, SrcInfo};
use super::sign::{self, Input};
use crate::cloud::Error;

/// The DTS API version every action is sent with.
pub const API_VERSION: &str = "2018-03-30";
/// The service name in the host and the credential scope.
pub const SERVICE: &str = "dts";
/// Exactly this, without a charset: it is signed, and the SDKs send it so.
pub const CONTENT_TYPE: &str = "application/json";

/// Where a request goes, besides the URL itself.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The `Host` value the HTTP client will send, `host[:port]`
    /// ([`super::endpoint::host_header`]).
    pub host: &'a str,
    /// `X-TC-Region`.
    pub region: &'a str,
    /// `X-TC-Language`: `en-US` or `zh-CN`; decides the language of error messages.
    pub language: &'a str,
}

/// A signed request: the headers to send, in the SDK's order, and the exact body bytes
/// that were signed. `Host` is listed because it is signed; the HTTP client derives the
/// same value from the URL.
pub struct SignedRequest {
    pub action: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl SignedRequest {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Shows the action and header names only: the headers carry the signature and token,
/// and the body can carry passwords.
impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("action", &self.action)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// A clock value as `X-TC-Timestamp` seconds. A clock before 1970 gives 0, which the
/// server rejects as expired rather than this client failing obscurely.
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Builds and signs one request for `action` with `body` as the exact payload.
pub fn build_request(
    action: &str,
    body: Vec<u8>,
    target: &Target<'_>,
    credentials: &Credentials,
    timestamp: i64,
) -> Result<SignedRequest, Error> {
    let signature = sign::sign(
        &Input {
            method: "POST",
            query: "",
            headers: &[("content-type", CONTENT_TYPE), ("host", target.host)],
            payload: &body,
            timestamp,
            service: SERVICE,
        },
        credentials.secret_key().expose(),
    )
    .ok_or_else(|| {
        Error::Config(format!(
            "the clock ({timestamp} s since 1970) is outside the calendar; cannot sign"
        ))
    })?;
    let mut headers = vec![
        ("Content-Type", CONTENT_TYPE.to_owned()),
        ("Host", target.host.to_owned()),
        ("X-TC-Action", action.to_owned()),
        ("X-TC-Timestamp", timestamp.to_string()),
        ("X-TC-Version", API_VERSION.to_owned()),
        ("X-TC-Region", target.region.to_owned()),
    ];
    if let Some(token) = credentials.token() {
        headers.push(("X-TC-Token", token.expose().to_owned()));
    }
    headers.push(("X-TC-Language", target.language.to_owned()));
    headers.push((
        "Authorization",
        signature.authorization(credentials.secret_id()),
    ));
    Ok(SignedRequest {
        action: action.to_owned(),
        headers,
        body,
    })
}

/// ModifyMigrateJob (reference §4.3): allowed in status 1, 4, 5 and 10; a new check
/// must pass before the job can start. Whether omitted fields are left unchanged is
/// undocumented, so send the full desired configuration. `None` fields are omitted;
/// passwords are written in clear on the wire only (`Debug` redacts them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyMigrateJob {
    pub job_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrate_option: Option<MigrateOption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_access_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_info: Option<SrcInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_access_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_info: Option<DstInfo>,
    /// The object list as a JSON string (reference §4.2); the whole list every time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_info: Option<String>,
}

/// A DescribeMigrateJobs page request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeMigrateJobs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    pub offset: u64,
    /// 1–100.
    pub limit: u32,
}

/// The body of the actions that take only a job id (CreateMigrateCheckJob,
/// DescribeMigrateCheckJob, StartMigrateJob).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobId<'a> {
    pub job_id: &'a str,
}

#[cfg(test)]
mod tests;
