//! The Tencent Cloud DTS HTTP client: a thin layer that signs with
//! [`request::build_request`], sends with reqwest, turns the `{"Response":{...}}`
//! envelope into a value or an [`ApiError`], and retries what is retryable under a
//! [`RetryPolicy`].
//!
//! Retrying writes is safe: a throttled or busy answer means the call did nothing, and
//! after a transport failure ModifyMigrateJob (a full overwrite) and
//! CreateMigrateCheckJob can be repeated. A repeated StartMigrateJob whose first attempt
//! went through is refused by the server with a status conflict, which the caller sees.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::credentials::Credentials;
use super::endpoint::{
    default_endpoint, host_header, is_loopback, parse_endpoint, validate_region,
};
use super::model::{CheckJob, MigrateJob, MigrateJobsPage};
use super::request::{
    self, DescribeMigrateJobs, JobId, ModifyMigrateJob, Target, build_request, unix_seconds,
};
use crate::cloud::{ApiError, Error, Pacer, Provider, RetryPolicy, SigningContext, retry};

/// A client-side pace below Tencent's documented 20 requests per second per action,
/// leaving room for clock jitter and other tools on the same account (the Terraform
/// provider's own limiter uses the same figure). Callers opt in through
/// [`ClientConfig::pacer`].
pub const DEFAULT_RATE_LIMIT: f64 = 15.0;

/// Rows per DescribeMigrateJobs page: the API's default and its maximum.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

/// Stop paging after this many pages, whatever the server says (a loop guard).
const MAX_PAGES: u32 = 10_000;

/// The code of the not-found error [`TencentClient::describe_migrate_job`] synthesizes.
pub const JOB_NOT_EXIST: &str = "ResourceNotFound.JobNotExist";

/// How to reach and talk to the API.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Sent as `X-TC-Region`; a finance region (`*-fsi`) also picks its own host.
    pub region: String,
    /// Overrides the default host: `https://…`, or `http://` to a loopback emulator
    /// (see [`super::endpoint::parse_endpoint`]).
    pub endpoint: Option<Url>,
    pub retry: RetryPolicy,
    /// Per HTTP request (each retry has its own).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Rows per DescribeMigrateJobs page, 1–100.
    pub page_size: u32,
    /// Only the clock is used: TC3 has no nonce.
    pub signing: SigningContext,
    /// Paces every request this client (and its clones) sends, if set; see
    /// [`DEFAULT_RATE_LIMIT`].
    pub pacer: Option<Pacer>,
    /// `X-TC-Language`: `en-US` (default) or `zh-CN`, the language of error messages.
    pub language: String,
}

impl ClientConfig {
    pub fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            endpoint: None,
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            page_size: DEFAULT_PAGE_SIZE,
            signing: SigningContext::default(),
            pacer: None,
            language: "en-US".into(),
        }
    }
}

/// A client for one region and one set of credentials.
#[derive(Debug, Clone)]
pub struct TencentClient {
    http: reqwest::Client,
    endpoint: Url,
    /// The `Host` the HTTP client sends for `endpoint`, which is what gets signed.
    host: String,
    config: ClientConfig,
    credentials: Credentials,
}

impl TencentClient {
    pub fn new(config: ClientConfig, credentials: Credentials) -> Result<Self, Error> {
        validate_region(&config.region)?;
        let endpoint = match &config.endpoint {
            // Checked again here, so a config built in code obeys the https rule too.
            Some(url) => parse_endpoint(url.as_str())?,
            None => default_endpoint(&config.region)?,
        };
        if !(1..=MAX_PAGE_SIZE).contains(&config.page_size) {
            return Err(Error::Config(format!(
                "page size {} is out of range (1 to {MAX_PAGE_SIZE})",
                config.page_size
            )));
        }
        if !matches!(config.language.as_str(), "en-US" | "zh-CN") {
            return Err(Error::Config(format!(
                "language {:?} is not supported (en-US or zh-CN)",
                config.language
            )));
        }
        let http = crate::cloud::http_client(
            config.connect_timeout,
            config.request_timeout,
            is_loopback(&endpoint),
        )?;
        Ok(Self {
            http,
            host: host_header(&endpoint),
            endpoint,
            config,
            credentials,
        })
    }

    /// The same client with another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.config.retry = retry;
        self
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    pub fn region(&self) -> &str {
        &self.config.region
    }

    /// Calls `action` with `body`, with retries, and decodes `Response` as `T`.
    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        action: &str,
        body: &B,
    ) -> Result<(T, String), Error> {
        // Serialised once: every attempt sends (and signs) the same bytes.
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("{action}: cannot encode the request: {e}")))?;
        let response = retry(&self.config.retry, action, |_, remaining| {
            self.send_once(action, &bytes, remaining)
        })
        .await?;
        let request_id = response
            .get("RequestId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let value = serde_json::from_value(Value::Object(response)).map_err(|e| Error::Decode {
            action: action.to_owned(),
            status: 200,
            reason: format!("{e} (RequestId: {request_id})"),
        })?;
        Ok((value, request_id))
    }

    /// One attempt, signed afresh, given at most `remaining` of the retry deadline.
    async fn send_once(
        &self,
        action: &str,
        body: &[u8],
        remaining: Duration,
    ) -> Result<Map<String, Value>, Error> {
        if let Some(pacer) = &self.config.pacer {
            pacer.wait().await;
        }
        let signed = build_request(
            action,
            body.to_vec(),
            &Target {
                host: &self.host,
                region: &self.config.region,
                language: &self.config.language,
            },
            &self.credentials,
            unix_seconds(self.config.signing.clock.now()),
        )?;
        let mut builder = self
            .http
            .post(self.endpoint.clone())
            .timeout(self.config.request_timeout.min(remaining));
        for (name, value) in &signed.headers {
            // reqwest derives `Host` from the URL: the same value that was signed.
            if *name != "Host" {
                builder = builder.header(*name, value);
            }
        }
        let started = Instant::now();
        let transport = |e: reqwest::Error| self.transport_error(action, &e);
        let response = builder.body(signed.body).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.map_err(transport)?;
        let result = parse_response(action, status, content_type.as_deref(), &bytes);
        crate::cloud::log_call(action, status, &result, started);
        result
    }

    fn transport_error(&self, action: &str, e: &reqwest::Error) -> Error {
        crate::cloud::transport_error(action, self.host.clone(), e)
    }

    /// One job, by id: DescribeMigrateJobs filtered by `JobId`. When no row carries
    /// exactly that id the answer is an [`ApiError`] with code
    /// `ResourceNotFound.JobNotExist` and the list call's RequestId — synthesized here,
    /// since the API answers an unknown id with an empty list. See [`is_not_found`].
    pub async fn describe_migrate_job(&self, job_id: &str) -> Result<MigrateJob, Error> {
        let (jobs, request_id) = self.list(Some(job_id)).await?;
        jobs.into_iter()
            .find(|job| job.job_id == job_id)
            .ok_or_else(|| {
                Error::Api(ApiError {
                    provider: Provider::Tencent,
                    action: "DescribeMigrateJobs".into(),
                    http_status: None,
                    code: JOB_NOT_EXIST.into(),
                    message: format!(
                        "no migration job {job_id:?} in region {} (DescribeMigrateJobs listed no such JobId)",
                        self.config.region
                    ),
                    request_id: Some(request_id).filter(|id| !id.is_empty()),
                    retry_after: None,
                })
            })
    }

    /// Every migration job of the region, following DescribeMigrateJobs pages to the end.
    pub async fn describe_migrate_jobs(&self) -> Result<Vec<MigrateJob>, Error> {
        Ok(self.list(None).await?.0)
    }

    /// All pages, and the RequestId of the last. Trusts `TotalCount` when present (a
    /// server may return fewer rows than asked for), else stops at the first short
    /// page; stops with an error when a page brings only jobs already seen.
    async fn list(&self, job_id: Option<&str>) -> Result<(Vec<MigrateJob>, String), Error> {
        let mut request = DescribeMigrateJobs {
            job_id: job_id.map(str::to_owned),
            offset: 0,
            limit: self.config.page_size,
        };
        let mut jobs = Vec::new();
        let mut seen = HashSet::new();
        for page_number in 1..=MAX_PAGES {
            let (page, request_id): (MigrateJobsPage, String) =
                self.call("DescribeMigrateJobs", &request).await?;
            let rows = page.job_list.len();
            let before = seen.len();
            for job in page.job_list {
                if seen.insert(job.job_id.clone()) {
                    jobs.push(job);
                }
            }
            if rows > 0 && seen.len() == before {
                // A server that ignores Offset would otherwise be asked forever.
                return Err(Error::Decode {
                    action: "DescribeMigrateJobs".to_owned(),
                    status: 200,
                    reason: format!(
                        "page {page_number} (Offset {}) repeated only jobs already listed; stopping instead of paging forever (RequestId: {request_id})",
                        request.offset
                    ),
                });
            }
            let done = rows == 0
                || match page.total_count {
                    Some(total) => i64::try_from(seen.len()).unwrap_or(i64::MAX) >= total,
                    None => rows < request.limit as usize,
                };
            if done {
                return Ok((jobs, request_id));
            }
            request.offset += rows as u64;
        }
        Err(Error::Decode {
            action: "DescribeMigrateJobs".to_owned(),
            status: 200,
            reason: format!("still more pages after {MAX_PAGES}; stopping"),
        })
    }

    /// ModifyMigrateJob; returns the RequestId.
    pub async fn modify_migrate_job(&self, request: &ModifyMigrateJob) -> Result<String, Error> {
        self.write("ModifyMigrateJob", request).await
    }

    /// CreateMigrateCheckJob: starts the check every job needs after a create or modify;
    /// returns the RequestId.
    pub async fn create_migrate_check_job(&self, job_id: &str) -> Result<String, Error> {
        self.write("CreateMigrateCheckJob", &JobId { job_id }).await
    }

    /// DescribeMigrateCheckJob: the progress and result of the last check.
    pub async fn describe_migrate_check_job(&self, job_id: &str) -> Result<CheckJob, Error> {
        Ok(self
            .call("DescribeMigrateCheckJob", &JobId { job_id })
            .await?
            .0)
    }

    /// StartMigrateJob (status 4 only); returns the RequestId.
    pub async fn start_migrate_job(&self, job_id: &str) -> Result<String, Error> {
        self.write("StartMigrateJob", &JobId { job_id }).await
    }

    /// A call whose answer is only the RequestId.
    async fn write<B: Serialize>(&self, action: &str, body: &B) -> Result<String, Error> {
        let (_, request_id): (Value, String) = self.call(action, body).await?;
        Ok(request_id)
    }
}

/// Whether `err` says the job does not exist (any `ResourceNotFound*` from Tencent,
/// including the one [`TencentClient::describe_migrate_job`] synthesizes).
pub fn is_not_found(err: &Error) -> bool {
    err.api().is_some_and(|api| {
        api.provider == Provider::Tencent && api.code.split('.').next() == Some("ResourceNotFound")
    })
}

/// Whether a `Content-Type` is JSON (`application/json`, any parameters).
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(request::CONTENT_TYPE))
}

/// Classifies an HTTP answer (reference §1, §6). The API answers 200 with
/// `{"Response":{..., "RequestId"}}`, an error iff `Response.Error` is there. Any other
/// status comes from something in between: an [`ApiError`] with that status (retryable
/// if 5xx), using the body's `Response.Error` if it has one. A 200 that is not JSON, or
/// lacks `Response` or its `RequestId`, is a decode error. Bodies are never quoted into
/// errors: an echoing proxy could reflect the signed request.
pub fn parse_response(
    action: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Map<String, Value>, Error> {
    let decode = |reason: String| Error::Decode {
        action: action.to_owned(),
        status,
        reason,
    };
    let response = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|mut v| match v.get_mut("Response").map(Value::take) {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        });
    let text = |obj: &Map<String, Value>, key: &str| {
        obj.get(key)
            .and_then(crate::cloud::lenient::as_text)
            .filter(|s| !s.is_empty())
    };
    let api = |code: String, message: String, request_id: Option<String>| {
        Error::Api(ApiError {
            provider: Provider::Tencent,
            action: action.to_owned(),
            http_status: Some(status),
            code,
            message,
            request_id,
            retry_after: None,
        })
    };
    let error_of = |r: &Map<String, Value>| {
        r.get("Error").filter(|e| !e.is_null()).map(|e| {
            let e = e.as_object().cloned().unwrap_or_default();
            api(
                text(&e, "Code").unwrap_or_else(|| "Unknown".into()),
                text(&e, "Message").unwrap_or_default(),
                text(r, "RequestId"),
            )
        })
    };
    if status != 200 {
        if let Some(err) = response.as_ref().and_then(error_of) {
            return Err(err);
        }
        return Err(api(
            "ClientError.HttpStatusCodeError".into(),
            format!("HTTP {status} instead of a Tencent Cloud API answer"),
            response.as_ref().and_then(|r| text(r, "RequestId")),
        ));
    }
    match content_type {
        Some(ct) if is_json(ct) => {}
        Some(ct) => {
            return Err(decode(format!(
                "Content-Type is {ct:?}, not {}",
                request::CONTENT_TYPE
            )));
        }
        None => return Err(decode("no Content-Type".into())),
    }
    let Some(response) = response else {
        return Err(decode(
            "the body is not a JSON object with a Response object".into(),
        ));
    };
    if let Some(err) = error_of(&response) {
        return Err(err);
    }
    if text(&response, "RequestId").is_none() {
        return Err(decode("the Response has no RequestId".into()));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Option<&str> = Some("application/json");

    #[test]
    fn success_is_the_response_object() {
        let r = parse_response(
            "StartMigrateJob",
            200,
            JSON,
            br#"{"Response":{"RequestId":"27ef2b7c-a786-48b4-9404-2f9baf3f4916"}}"#,
        )
        .unwrap();
        assert_eq!(r["RequestId"], "27ef2b7c-a786-48b4-9404-2f9baf3f4916");
        assert!(
            parse_response(
                "X",
                200,
                Some("application/json; charset=utf-8"),
                br#"{"Response":{"RequestId":"R"}}"#
            )
            .is_ok()
        );
    }

    #[test]
    fn response_error_carries_code_message_and_request_id() {
        let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated. Please check your signature is correct."},"RequestId":"ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}"#;
        let err = parse_response("ModifyMigrateJob", 200, JSON, body).unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.provider, Provider::Tencent);
        assert_eq!(api.code, "AuthFailure.SignatureFailure");
        assert_eq!(
            api.request_id.as_deref(),
            Some("ed93f3cb-f35e-473f-b9f3-0d451b8b79c6")
        );
        assert_eq!(api.http_status, Some(200));
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "Tencent Cloud DTS ModifyMigrateJob failed: AuthFailure.SignatureFailure: The provided credentials could not be validated. Please check your signature is correct. (RequestId: ed93f3cb-f35e-473f-b9f3-0d451b8b79c6, HTTP 200)"
        );
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(help.contains("TENCENTCLOUD_SECRET_KEY"), "{help}");

        let err = parse_response(
            "X",
            200,
            JSON,
            br#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."},"RequestId":"R"}}"#,
        )
        .unwrap_err();
        assert!(err.is_retryable());
    }

    #[test]
    fn an_error_without_request_id_is_still_the_api_error() {
        let err = parse_response(
            "X",
            200,
            JSON,
            br#"{"Response":{"Error":{"Code":"InternalError","Message":"m"}}}"#,
        )
        .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(
            (api.code.as_str(), api.request_id.as_deref()),
            ("InternalError", None)
        );
    }

    #[test]
    fn success_without_request_id_is_a_decode_error() {
        for body in [
            &br#"{"Response":{"TotalCount":0,"JobList":[]}}"#[..],
            br#"{"Response":{"RequestId":""}}"#,
        ] {
            let err = parse_response("DescribeMigrateJobs", 200, JSON, body).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{err:?}");
            assert!(err.to_string().contains("RequestId"));
            assert!(!err.is_retryable());
        }
    }

    #[test]
    fn not_json_or_not_an_envelope() {
        for body in [
            &b"not json"[..],
            b"[]",
            br#"{"RequestId":"R"}"#,
            br#"{"Response":"x"}"#,
        ] {
            let err = parse_response("X", 200, JSON, body).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{err:?}");
            assert!(!err.is_retryable());
        }
    }

    #[test]
    fn wrong_content_type_is_an_error_and_the_body_is_not_shown() {
        let body = br#"{"Response":{"RequestId":"R","Echo":"p@ss"}}"#;
        for ct in [Some("text/html"), Some("application/jsonx"), None] {
            let err = parse_response("X", 200, ct, body).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{ct:?}");
            assert!(!err.to_string().contains("p@ss"));
        }
    }

    #[test]
    fn non_200_is_an_api_error_with_the_status() {
        let err = parse_response("X", 502, Some("text/html"), b"<html>p@ss</html>").unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.http_status, Some(502));
        assert_eq!(api.code, "ClientError.HttpStatusCodeError");
        assert!(err.is_retryable(), "5xx from a gateway");
        assert!(!err.to_string().contains("p@ss"));
        let err = parse_response("X", 403, None, b"").unwrap_err();
        assert!(!err.is_retryable());
        assert!(
            parse_response("X", 429, None, b"")
                .unwrap_err()
                .is_retryable()
        );
        // A non-200 that still carries the envelope keeps the API's code.
        let err = parse_response(
            "X",
            503,
            JSON,
            br#"{"Response":{"Error":{"Code":"ServiceUnavailable","Message":"m"},"RequestId":"R"}}"#,
        )
        .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(
            (
                api.code.as_str(),
                api.request_id.as_deref(),
                api.http_status
            ),
            ("ServiceUnavailable", Some("R"), Some(503))
        );
    }

    fn tencent(code: &str) -> Error {
        Error::Api(ApiError {
            provider: Provider::Tencent,
            action: "ModifyMigrateJob".into(),
            http_status: Some(200),
            code: code.into(),
            message: "m".into(),
            request_id: Some("R".into()),
            retry_after: None,
        })
    }

    #[test]
    fn retry_classification() {
        for code in [
            "RequestLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
            "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
            "RequestLimitExceeded.IPLimitExceeded",
            "RequestLimitExceeded.RequestLimitExceededError",
            "ResourceInUse",
            "ResourceInUse.ResourceInUseError",
            "ResourceUnavailable",
            "ResourceUnavailable.ResourceUnavailableError",
            "ServiceUnavailable",
        ] {
            assert!(tencent(code).is_retryable(), "{code}");
        }
        for code in [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SignatureExpire",
            "AuthFailure.SecretIdNotFound",
            "InvalidParameter",
            "InvalidParameterValue.InvalidParameterValue",
            "MissingParameter",
            "UnknownParameter",
            "ResourceNotFound.JobNotExist",
            "UnsupportedOperation",
            "LimitExceeded.MaxUnusedJobs",
            "FailedOperation.StatusInConflict",
            "FailedOperation",
            "InternalError",
            "InternalError.LockError",
            "RequestSizeLimitExceeded",
            "ResourceInsufficient",
            "OperationDenied.JobOperationDeniedError",
            // Alibaba's retryable spellings mean nothing here.
            "Throttling.User",
            "SignatureNonceUsed",
        ] {
            assert!(!tencent(code).is_retryable(), "{code}");
        }
    }

    #[test]
    fn help_for_the_codes_a_user_can_act_on() {
        let help = |code: &str| miette::Diagnostic::help(&tencent(code)).map(|h| h.to_string());
        for (code, needle) in [
            ("AuthFailure.SignatureFailure", "TENCENTCLOUD_SECRET_KEY"),
            ("AuthFailure.SecretIdNotFound", "TENCENTCLOUD_SECRET_ID"),
            ("AuthFailure.SignatureExpire", "clock"),
            ("RequestLimitExceeded", "rate limit"),
            ("RequestLimitExceeded.UinLimitExceeded", "rate limit"),
            ("FailedOperation.StatusInConflict", "status"),
            ("ResourceNotFound.JobNotExist", "region"),
        ] {
            let text = help(code).unwrap_or_else(|| panic!("no help for {code}"));
            assert!(text.contains(needle), "{code}: {text}");
        }
        assert_eq!(help("InvalidParameter"), None);
        // Alibaba's help is keyed by provider: an Alibaba-only code gets none here.
        assert_eq!(help("SignatureDoesNotMatch"), None);
    }

    #[test]
    fn not_found_is_recognised() {
        assert!(is_not_found(&tencent(JOB_NOT_EXIST)));
        assert!(is_not_found(&tencent("ResourceNotFound")));
        assert!(!is_not_found(&tencent("ResourceNotFoundX")));
        assert!(!is_not_found(&tencent("InvalidParameter")));
        let gave_up = Error::GaveUp {
            action: "X".into(),
            attempts: 2,
            elapsed: Duration::ZERO,
            last: Box::new(tencent(JOB_NOT_EXIST)),
        };
        assert!(is_not_found(&gave_up));
    }

    #[test]
    fn config_is_checked() {
        let creds = || Credentials::new("AKIDx", "key");
        let client = TencentClient::new(ClientConfig::new("ap-shenzhen-fsi"), creds()).unwrap();
        assert_eq!(
            client.endpoint().as_str(),
            "https://dts.ap-shenzhen-fsi.tencentcloudapi.com/"
        );
        assert_eq!(client.host, "dts.ap-shenzhen-fsi.tencentcloudapi.com");
        assert_eq!(client.region(), "ap-shenzhen-fsi");
        let client = TencentClient::new(ClientConfig::new("ap-guangzhou"), creds()).unwrap();
        assert_eq!(
            client.endpoint().as_str(),
            "https://dts.tencentcloudapi.com/"
        );

        let mut config = ClientConfig::new("ap-guangzhou");
        config.endpoint = Some(Url::parse("http://127.0.0.1:8417").unwrap());
        let client = TencentClient::new(config.clone(), creds()).unwrap();
        assert_eq!(client.host, "127.0.0.1:8417");

        config.endpoint = Some(Url::parse("http://dts.example.com").unwrap());
        assert!(
            TencentClient::new(config, creds()).is_err(),
            "plain http off loopback"
        );
        for page_size in [0, 101] {
            let mut config = ClientConfig::new("ap-guangzhou");
            config.page_size = page_size;
            assert!(TencentClient::new(config, creds()).is_err(), "{page_size}");
        }
        let mut config = ClientConfig::new("ap-guangzhou");
        config.language = "fr-FR".into();
        assert!(TencentClient::new(config, creds()).is_err());
        assert!(TencentClient::new(ClientConfig::new("Guangzhou"), creds()).is_err());
    }
}
