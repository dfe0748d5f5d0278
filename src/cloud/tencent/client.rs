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
use crate::cloud::{ApiError, Error, Limiter, Provider, RetryPolicy, SigningContext, retry};
use crate::secret::Secret;
use crate::text::{SERVER_FIELD_MAX, SERVER_TEXT_MAX};

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
    /// The adaptive limit of each action, shared by this client and its clones; every
    /// request waits for its turn there. Without one, requests go out at once.
    pub limiter: Option<Limiter>,
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
            limiter: None,
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

/// Remembers every string under a `…Password` or `AccessKey` key of a request body
/// (`SrcInfo.Password`, `SrcInfo.AccessKey`, `DstInfo.Password` of ModifyMigrateJob) as
/// a secret.
fn learn_passwords(value: &Value, redactor: &Redactor) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s) if key.ends_with("Password") || key == "AccessKey" => {
                        redactor.learn(s);
                    }
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
        let gate = self.config.limiter.as_ref().map(|l| l.gate(action));
        let response = retry(&self.config.retry, action, gate.as_ref(), |_, remaining| {
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
mod tests;
