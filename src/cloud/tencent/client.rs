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
use crate::cloud::redact::Redactor;
use crate::cloud::{ApiError, Error, Pacer, Provider, RetryPolicy, SigningContext, retry};
use crate::secret::Secret;
use crate::text::{SERVER_FIELD_MAX, SERVER_TEXT_MAX};

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
    /// The credentials and every password this client (or a clone) has sent: masked in
    /// whatever server text reaches an error.
    redactor: Redactor,
}

/// Remembers every string under a `…Password` key of a request body (`SrcInfo.Password`,
/// `DstInfo.Password` of ModifyMigrateJob) as a secret.
fn learn_passwords(value: &Value, redactor: &Redactor) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s) if key.ends_with("Password") => redactor.learn(s),
                    other => learn_passwords(other, redactor),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| learn_passwords(v, redactor)),
        _ => {}
    }
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
        let redactor = Redactor::new(
            [credentials.secret_id(), credentials.secret_key().expose()]
                .into_iter()
                .chain(credentials.token().map(Secret::expose)),
        );
        Ok(Self {
            http,
            host: host_header(&endpoint),
            endpoint,
            config,
            credentials,
            redactor,
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

    /// Makes this client (and its clones) mask `value` in any server text from now on:
    /// a secret it knows of without sending it (a password of the configuration).
    pub fn learn_secret(&self, value: &str) {
        self.redactor.learn(value);
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
        let body = serde_json::to_value(body)
            .map_err(|e| Error::Config(format!("{action}: cannot encode the request: {e}")))?;
        learn_passwords(&body, &self.redactor);
        let bytes = serde_json::to_vec(&body)
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
        let value = serde_json::from_value(Value::Object(response)).map_err(|e| {
            Error::decode(
                action,
                200,
                &format!("{e} (RequestId: {request_id})"),
                &self.redactor,
            )
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
        crate::cloud::refuse_redirect(action, &response, &self.redactor)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.map_err(transport)?;
        let result = parse_response(
            action,
            status,
            content_type.as_deref(),
            &bytes,
            &self.redactor,
        );
        crate::cloud::log_call(action, status, &result, started);
        result
    }

    fn transport_error(&self, action: &str, e: &reqwest::Error) -> Error {
        crate::cloud::transport_error(action, self.host.clone(), e, &self.redactor)
    }

    /// One job, by id: DescribeMigrateJobs filtered by `JobId`. An empty list is an
    /// [`ApiError`] with code `ResourceNotFound.JobNotExist` and the list call's
    /// RequestId — synthesized here, since the API answers an unknown id with an empty
    /// list (see [`is_not_found`]). A list of other jobs only is refused
    /// ([`Error::OtherJob`]): the filter was not applied, so the answer says nothing
    /// about this job.
    pub async fn describe_migrate_job(&self, job_id: &str) -> Result<MigrateJob, Error> {
        let (jobs, request_id) = self.list(Some(job_id)).await?;
        if !jobs.is_empty() && !jobs.iter().any(|job| job.job_id == job_id) {
            let first = &jobs[0].job_id;
            return Err(Error::OtherJob {
                action: "DescribeMigrateJobs".into(),
                asked: job_id.to_owned(),
                answered: format!(
                    "{} (the first {}){}",
                    if jobs.len() == 1 {
                        "1 other job".to_owned()
                    } else {
                        format!("{} other jobs", jobs.len())
                    },
                    if first.is_empty() {
                        "with no job id".to_owned()
                    } else {
                        format!("\"{}\"", self.redactor.clean(first, SERVER_FIELD_MAX))
                    },
                    if request_id.is_empty() {
                        String::new()
                    } else {
                        format!(", RequestId {request_id}")
                    }
                ),
            });
        }
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
                return Err(Error::decode(
                    "DescribeMigrateJobs",
                    200,
                    &format!(
                        "page {page_number} (Offset {}) repeated only jobs already listed; stopping instead of paging forever (RequestId: {request_id})",
                        request.offset
                    ),
                    &self.redactor,
                ));
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
        Err(Error::decode(
            "DescribeMigrateJobs",
            200,
            &format!("still more pages after {MAX_PAGES}; stopping"),
            &self.redactor,
        ))
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

    /// DescribeMigrateCheckJob: the progress and result of the last check. Its
    /// `ErrorMessage` is shown to the user, so it is cleaned like error text (a check
    /// that fails to log in may quote what it was given).
    pub async fn describe_migrate_check_job(&self, job_id: &str) -> Result<CheckJob, Error> {
        let (mut check, _): (CheckJob, _) = self
            .call("DescribeMigrateCheckJob", &JobId { job_id })
            .await?;
        check.error_message = self.redactor.clean(&check.error_message, SERVER_TEXT_MAX);
        Ok(check)
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
/// errors: an echoing proxy could reflect the signed request. Server text in errors is
/// cleaned by `redactor` ([`ApiError::from_server`]), and so is a success's `RequestId`.
pub fn parse_response(
    action: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    redactor: &Redactor,
) -> Result<Map<String, Value>, Error> {
    let decode = |reason: String| Error::decode(action, status, &reason, redactor);
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
        Error::Api(ApiError::from_server(
            Provider::Tencent,
            action,
            Some(status),
            &code,
            &message,
            request_id.as_deref(),
            None,
            redactor,
        ))
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
    let Some(mut response) = response else {
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
    if let Some(Value::String(id)) = response.get_mut("RequestId") {
        *id = redactor.clean(id, SERVER_FIELD_MAX);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Option<&str> = Some("application/json");

    fn parse(
        action: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Map<String, Value>, Error> {
        parse_response(action, status, content_type, body, &Redactor::default())
    }

    #[test]
    fn success_is_the_response_object() {
        let r = parse(
            "StartMigrateJob",
            200,
            JSON,
            br#"{"Response":{"RequestId":"27ef2b7c-a786-48b4-9404-2f9baf3f4916"}}"#,
        )
        .unwrap();
        assert_eq!(r["RequestId"], "27ef2b7c-a786-48b4-9404-2f9baf3f4916");
        assert!(
            parse(
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
        let err = parse("ModifyMigrateJob", 200, JSON, body).unwrap_err();
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

        let err = parse(
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
        let err = parse(
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
            let err = parse("DescribeMigrateJobs", 200, JSON, body).unwrap_err();
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
            let err = parse("X", 200, JSON, body).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{err:?}");
            assert!(!err.is_retryable());
        }
    }

    #[test]
    fn wrong_content_type_is_an_error_and_the_body_is_not_shown() {
        let body = br#"{"Response":{"RequestId":"R","Echo":"p@ss"}}"#;
        for ct in [Some("text/html"), Some("application/jsonx"), None] {
            let err = parse("X", 200, ct, body).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{ct:?}");
            assert!(!err.to_string().contains("p@ss"));
        }
    }

    #[test]
    fn non_200_is_an_api_error_with_the_status() {
        let err = parse("X", 502, Some("text/html"), b"<html>p@ss</html>").unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.http_status, Some(502));
        assert_eq!(api.code, "ClientError.HttpStatusCodeError");
        assert!(err.is_retryable(), "5xx from a gateway");
        assert!(!err.to_string().contains("p@ss"));
        let err = parse("X", 403, None, b"").unwrap_err();
        assert!(!err.is_retryable());
        assert!(parse("X", 429, None, b"").unwrap_err().is_retryable());
        // A non-200 that still carries the envelope keeps the API's code.
        let err = parse(
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

    #[test]
    fn server_text_in_errors_is_masked_capped_and_escaped() {
        let redactor = Redactor::new(["hunter2-pw", "AKID-id"]);
        let body = serde_json::json!({"Response": {
            "Error": {
                "Code": "InvalidParameter.hunter2-pw",
                "Message": format!("SrcInfo.Password={{\"hunter2-pw\"}} by AKID-id\u{1b}]8;;x\u{7}{}", "m".repeat(3_000_000)),
            },
            "RequestId": "rid-hunter2-pw",
        }})
        .to_string();
        for status in [200, 400] {
            let err = parse_response("ModifyMigrateJob", status, JSON, body.as_bytes(), &redactor)
                .unwrap_err();
            let api = err.api().unwrap();
            assert_eq!(api.code, "InvalidParameter.****");
            assert_eq!(api.request_id.as_deref(), Some("rid-****"));
            assert!(
                api.message
                    .starts_with("SrcInfo.Password={\"****\"} by ****\\u{1b}]8;;x\\u{7}mmm"),
                "{}",
                &api.message[..80]
            );
            assert!(api.message.ends_with("more characters cut)"));
            assert!(err.to_string().len() < 2_300);
        }
        let ok = parse_response(
            "X",
            200,
            JSON,
            br#"{"Response":{"RequestId":"hunter2-pw"}}"#,
            &redactor,
        )
        .unwrap();
        assert_eq!(ok["RequestId"], "****");
    }
}
