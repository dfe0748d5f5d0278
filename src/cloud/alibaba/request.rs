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
mod tests {
    //! The builder, not just the primitives, reproduces the reference vectors.
    use super::*;
    use crate::cloud::alibaba::endpoint::parse_endpoint;

    const DATE: &str = "2024-05-01T12:00:00Z";
    const NONCE: &str = "3156853299f313e23d1673dc12e1703d";

    fn creds() -> Credentials {
        Credentials::new("LTAI5tTestAccessKeyId", "TestAccessKeySecret0123456789ab")
    }

    fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
        req.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn query_param(req: &SignedRequest, name: &str) -> Option<String> {
        req.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    #[test]
    fn timestamp_round_trip_and_extremes() {
        let t = parse_timestamp(DATE).unwrap();
        assert_eq!(format_timestamp(t), DATE);
        assert_eq!(parse_timestamp("2024-05-01 12:00:00"), None);
        assert!(parse_timestamp("0001-01-01T00:00:00Z").is_some());
        assert!(parse_timestamp("9999-12-31T23:59:59Z").is_some());
        let far = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1 << 40);
        assert_eq!(format_timestamp(far), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn v3_1_detail_from_the_builder() {
        let endpoint = parse_endpoint("https://dts.aliyuncs.com").unwrap();
        let creds = creds();
        let params = Params::default()
            .query("DtsJobId", "k2gm967v16f****")
            .query("RegionId", "cn-hangzhou");
        let signer = Signer {
            endpoint: &endpoint,
            credentials: &creds,
            version: SignatureVersion::V3,
            timestamp: DATE,
            nonce: NONCE,
        };
        let req = build("DescribeDtsJobDetail", &params, &signer);
        assert_eq!(
            header(&req, "authorization"),
            Some(
                "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=3fe3bce4765621e53613154a8dc3ff1769861c92a65e9854a362587b31ba13da"
            )
        );
        assert_eq!(
            req.url.as_str(),
            "https://dts.aliyuncs.com/?DtsJobId=k2gm967v16f%2A%2A%2A%2A&RegionId=cn-hangzhou"
        );
        assert!(req.body.is_empty());
        assert_eq!(header(&req, "content-type"), None);
    }

    #[test]
    fn v3_2_modify_from_the_builder() {
        let endpoint = parse_endpoint("https://dts.aliyuncs.com").unwrap();
        let creds = creds();
        let params = Params::default()
            .query("DtsInstanceId", "dtsl3m1213ye7l****")
            .query("RegionId", "cn-hangzhou")
            .query("DataInitialization", "false")
            .query("StructureInitialization", "false")
            .query("DataSynchronization", "true")
            .body("DbList", crate::cloud::alibaba::sign::tests::V3_2_DB_LIST)
            .body("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#);
        let signer = Signer {
            endpoint: &endpoint,
            credentials: &creds,
            version: SignatureVersion::V3,
            timestamp: DATE,
            nonce: NONCE,
        };
        let req = build("ModifyDtsJob", &params, &signer);
        assert_eq!(
            String::from_utf8(req.body.clone()).unwrap(),
            crate::cloud::alibaba::sign::tests::V3_2_BODY
        );
        assert!(header(&req, "authorization").unwrap().ends_with(
            "Signature=9c7db6ca01d96c0bb4540a8791dee0b3e50b8a6d3cc8ef9aca7ee5ea8abdecae"
        ));
    }

    #[test]
    fn v3_3_sts_from_the_builder() {
        let endpoint = parse_endpoint("https://dts.ap-northeast-1.aliyuncs.com").unwrap();
        let creds = Credentials::new("STS.NUxxxxTestId", "StsSecretTest")
            .with_security_token("CAIS+test/Token==");
        let params = Params::default()
            .query("DtsJobId", "abc123")
            .query("RegionId", "ap-northeast-1")
            .query("SynchronizationDirection", "Forward");
        let signer = Signer {
            endpoint: &endpoint,
            credentials: &creds,
            version: SignatureVersion::V3,
            timestamp: DATE,
            nonce: NONCE,
        };
        let req = build("SuspendDtsJob", &params, &signer);
        assert!(header(&req, "authorization").unwrap().ends_with(
            "Signature=f0e083bb2b801046ff4b3cb80497ce4da8b7dca89fa8822331760b39b7ca8f66"
        ));
        assert_eq!(
            header(&req, "x-acs-security-token"),
            Some("CAIS+test/Token==")
        );
    }

    #[test]
    fn v1_vectors_from_the_builder() {
        let endpoint = parse_endpoint("https://dts.aliyuncs.com").unwrap();
        let creds = creds();
        let signer = Signer {
            endpoint: &endpoint,
            credentials: &creds,
            version: SignatureVersion::V1,
            timestamp: DATE,
            nonce: NONCE,
        };
        let detail = Params::default()
            .query("DtsJobId", "k2gm967v16f****")
            .query("RegionId", "cn-hangzhou");
        let req = build("DescribeDtsJobDetail", &detail, &signer);
        assert_eq!(
            query_param(&req, "Signature").as_deref(),
            Some("rBTHu5XwH7DDuZfsDWTtI0UqUy4=")
        );
        assert!(
            req.url
                .as_str()
                .contains("Signature=rBTHu5XwH7DDuZfsDWTtI0UqUy4%3D")
        );
        assert_eq!(header(&req, "authorization"), None);

        let modify = Params::default()
            .query("DtsInstanceId", "dtsl3m1213ye7l****")
            .query("RegionId", "cn-hangzhou")
            .body("DbList", crate::cloud::alibaba::sign::tests::V3_2_DB_LIST)
            .body("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#);
        let req = build("ModifyDtsJob", &modify, &signer);
        assert_eq!(
            query_param(&req, "Signature").as_deref(),
            Some("WRqr1x4zz8T4GDqcEB5OMznhexA=")
        );
        assert_eq!(
            query_param(&req, "DbList"),
            None,
            "DbList travels in the body"
        );

        let sts = Credentials::new("STS.NUxxxxTestId", "StsSecretTest")
            .with_security_token("CAIS+test/Token==");
        let signer = Signer {
            credentials: &sts,
            ..signer
        };
        let suspend = Params::default()
            .query("DtsJobId", "abc123")
            .query("RegionId", "ap-northeast-1");
        let req = build("SuspendDtsJob", &suspend, &signer);
        assert_eq!(
            query_param(&req, "Signature").as_deref(),
            Some("/9YdbdqVZj6ZPhJfiokhsMEemUM=")
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let endpoint = parse_endpoint("http://127.0.0.1:1").unwrap();
        let creds = creds().with_security_token("TokenValue");
        let params = Params::default().query("Password", "db-password");
        for version in [SignatureVersion::V3, SignatureVersion::V1] {
            let signer = Signer {
                endpoint: &endpoint,
                credentials: &creds,
                version,
                timestamp: DATE,
                nonce: NONCE,
            };
            let req = build("ModifyDtsJobEndpoint", &params, &signer);
            let shown = format!("{req:?} {params:?} {signer:?}");
            for secret in [
                "db-password",
                "TokenValue",
                "TestAccessKeySecret",
                "Signature=",
            ] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
        }
    }
}
