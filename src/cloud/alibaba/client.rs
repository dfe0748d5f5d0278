//! The Alibaba Cloud DTS HTTP client: a thin layer that signs with [`request::build`],
//! sends with reqwest, turns the answer into a value or an [`ApiError`], and retries
//! what is retryable under a [`RetryPolicy`].

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;

use super::actions::{
    Action, DescribeDtsJobDetail, DescribeDtsJobs, JobStatusChange, ModifyDtsJob,
    ModifyDtsJobEndpoint, StartDtsJob, SuspendDtsJob, WriteResponse,
};
use super::credentials::Credentials;
use super::endpoint::{is_loopback, regional_endpoint, validate_region};
use super::model::{Direction, DtsJob, JobType};
use super::request::{self, Params, SignatureVersion, Signer, format_timestamp};
use crate::cloud::redact::Redactor;
use crate::cloud::{
    ApiError, Error, Limiter, Provider, RetryPolicy, SigningContext, lenient, retry,
};
use crate::secret::Secret;

/// Stop paging after this many pages, whatever the server says (a loop guard).
const MAX_PAGES: u32 = 10_000;

/// How to reach and talk to the API.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Sent as `RegionId` on every request; picks the regional endpoint.
    pub region: String,
    /// Overrides the regional endpoint (see [`super::endpoint::parse_endpoint`]).
    pub endpoint: Option<Url>,
    pub signature_version: SignatureVersion,
    pub retry: RetryPolicy,
    /// Per HTTP request (each retry has its own).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Rows per DescribeDtsJobs page.
    pub page_size: u32,
    pub signing: SigningContext,
    /// The adaptive limit of each action, shared by this client and its clones; every
    /// request waits for its turn there. Without one, requests go out at once.
    pub limiter: Option<Limiter>,
}

impl ClientConfig {
    pub fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            endpoint: None,
            signature_version: SignatureVersion::V3,
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            page_size: 30,
            signing: SigningContext::default(),
            limiter: None,
        }
    }
}

/// A client for one region and one set of credentials.
#[derive(Debug, Clone)]
pub struct AlibabaClient {
    http: reqwest::Client,
    endpoint: Url,
    config: ClientConfig,
    credentials: Credentials,
    /// The credentials and every password this client (or a clone) has sent: masked in
    /// whatever server text reaches an error.
    redactor: Redactor,
}

/// Whether a request parameter carries a secret: the passwords of ModifyDtsJobEndpoint
/// and ModifyDtsJobPassword (`Password`, `ShardPassword`) and an STS token.
fn is_secret_param(name: &str) -> bool {
    name.ends_with("Password") || name == "SecurityToken"
}

impl AlibabaClient {
    pub fn new(config: ClientConfig, credentials: Credentials) -> Result<Self, Error> {
        validate_region(&config.region)?;
        let endpoint = match &config.endpoint {
            Some(url) => url.clone(),
            None => regional_endpoint(&config.region)?,
        };
        let http = crate::cloud::http_client(
            config.connect_timeout,
            config.request_timeout,
            is_loopback(&endpoint),
        )?;
        let redactor = Redactor::new(
            [
                credentials.access_key_id.as_str(),
                credentials.access_key_secret.expose(),
            ]
            .into_iter()
            .chain(credentials.security_token.as_ref().map(Secret::expose)),
        );
        Ok(Self {
            http,
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

    /// Calls a typed action, with retries.
    pub async fn call<A: Action>(&self, action: &A) -> Result<A::Response, Error> {
        let mut params = action.params(&self.config.region);
        if A::CLIENT_TOKEN && !params.query.iter().any(|(k, _)| k == "ClientToken") {
            // One token for the whole logical call: every retry below re-sends it.
            let token = format!("dtsform-{}", uuid::Uuid::new_v4().simple());
            params = params.query("ClientToken", token);
        }
        let value = self.call_params(A::NAME, &params).await?;
        serde_json::from_value(value)
            .map_err(|e| Error::decode(A::NAME, 200, &e.to_string(), &self.redactor))
    }

    /// Calls any action with raw parameters, with retries. For actions without a typed
    /// request, and for tests that must send what a typed request would refuse to.
    pub async fn call_params(&self, action: &str, params: &Params) -> Result<Value, Error> {
        for (name, value) in params.query.iter().chain(&params.body) {
            if is_secret_param(name) {
                self.redactor.learn(value);
            }
        }
        let gate = self.config.limiter.as_ref().map(|l| l.gate(action));
        retry(&self.config.retry, action, gate.as_ref(), |_, remaining| {
            self.send_once(action, params, remaining)
        })
        .await
    }

    /// One attempt, given at most `remaining` of the retry deadline.
    async fn send_once(
        &self,
        action: &str,
        params: &Params,
        remaining: Duration,
    ) -> Result<Value, Error> {
        let timestamp = format_timestamp(self.config.signing.clock.now());
        let nonce = self.config.signing.nonces.nonce();
        let signed = request::build(
            action,
            params,
            &Signer {
                endpoint: &self.endpoint,
                credentials: &self.credentials,
                version: self.config.signature_version,
                timestamp: &timestamp,
                nonce: &nonce,
            },
        );
        let mut builder = self
            .http
            .post(signed.url)
            .timeout(self.config.request_timeout.min(remaining));
        for (name, value) in &signed.headers {
            builder = builder.header(name, value);
        }
        let started = Instant::now();
        let transport = |e: reqwest::Error| self.transport_error(action, &e);
        let response = builder.body(signed.body).send().await.map_err(transport)?;
        crate::cloud::refuse_redirect(action, &response, &self.redactor)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("x-acs-retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(transport)?;
        let result = parse_response(
            action,
            status,
            retry_after.as_deref(),
            &body,
            &self.redactor,
        );
        crate::cloud::log_call(action, status, &result, started);
        result
    }

    fn transport_error(&self, action: &str, e: &reqwest::Error) -> Error {
        crate::cloud::transport_error(
            action,
            super::endpoint::host_header(&self.endpoint),
            e,
            &self.redactor,
        )
    }

    /// DescribeDtsJobDetail for one job. An answer that names another job, or none, is
    /// refused ([`Error::OtherJob`]): the service always names the job it describes
    /// (reference §5.1, §7), and planning or writing from another job's state could lose
    /// objects.
    pub async fn describe_job(&self, dts_job_id: &str) -> Result<DtsJob, Error> {
        self.describe(&DescribeDtsJobDetail {
            dts_job_id: dts_job_id.to_owned(),
            ..DescribeDtsJobDetail::default()
        })
        .await
    }

    /// DescribeDtsJobDetail as `request` asks it (a direction, a resource group...),
    /// refusing an answer about another job as [`AlibabaClient::describe_job`] does.
    pub async fn describe(&self, request: &DescribeDtsJobDetail) -> Result<DtsJob, Error> {
        let job = self.call(request).await?;
        if job.dts_job_id != request.dts_job_id {
            return Err(self.other_job(&request.dts_job_id, &job));
        }
        Ok(job)
    }

    fn other_job(&self, asked: &str, job: &DtsJob) -> Error {
        Error::OtherJob {
            action: DescribeDtsJobDetail::NAME.to_owned(),
            asked: asked.to_owned(),
            answered: if job.dts_job_id.is_empty() {
                "no job id".to_owned()
            } else {
                format!(
                    "job \"{}\"",
                    self.redactor
                        .clean(&job.dts_job_id, crate::text::SERVER_FIELD_MAX)
                )
            },
        }
    }

    /// The reverse direction of the two-way job `forward` (as `request` read it), or
    /// `None` when the job shows none. Asks DescribeDtsJobDetail with
    /// `SynchronizationDirection=Reverse`, and reads the answer either way the service
    /// may give it (the reference leaves this unverified): as the reverse job itself
    /// (`DtsJobDirection` `Reverse`; its id the forward job's, or its own as the forward
    /// job's `ReverseJob` names it, on the same instance), or as the forward job again
    /// with the reverse one inside, as `ReverseJob`. Any other job is refused.
    pub async fn describe_reverse(
        &self,
        request: &DescribeDtsJobDetail,
        forward: &DtsJob,
    ) -> Result<Option<DtsJob>, Error> {
        let asked = DescribeDtsJobDetail {
            synchronization_direction: Some(Direction::Reverse.as_param().to_owned()),
            ..request.clone()
        };
        let answer = self.call(&asked).await?;
        reverse_of(&request.dts_job_id, forward, answer)
            .map_err(|job| self.other_job(&request.dts_job_id, &job))
    }

    /// Every job of one type, following DescribeDtsJobs pages to the end. Trusts
    /// `TotalRecordCount` when present (a server may cap the page size below what was
    /// asked for), else stops at the first short page.
    pub async fn list_jobs(&self, job_type: JobType) -> Result<Vec<DtsJob>, Error> {
        let mut request = DescribeDtsJobs::all(job_type);
        request.page_size = self.config.page_size;
        let mut jobs = Vec::new();
        let mut seen = HashSet::new();
        loop {
            let page = self.call(&request).await?;
            let rows = page.dts_job_list.len();
            let before = seen.len();
            for job in page.dts_job_list {
                if seen.insert(job.dts_job_id.clone()) {
                    jobs.push(job);
                }
            }
            if rows > 0 && seen.len() == before {
                // A server that ignores PageNumber would otherwise be asked forever.
                return Err(Error::decode(
                    DescribeDtsJobs::NAME,
                    200,
                    &format!(
                        "page {} repeated only jobs already listed; stopping instead of paging forever",
                        request.page_number
                    ),
                    &self.redactor,
                ));
            }
            let done = rows == 0
                || match page.total_record_count {
                    Some(total) => i64::try_from(seen.len()).unwrap_or(i64::MAX) >= total,
                    None => rows < request.page_size as usize,
                };
            if done || request.page_number >= MAX_PAGES {
                return Ok(jobs);
            }
            request.page_number += 1;
        }
    }

    /// Synchronization and migration jobs, in that order.
    pub async fn list_sync_and_migration_jobs(&self) -> Result<Vec<DtsJob>, Error> {
        let (sync, migration) = tokio::try_join!(
            self.list_jobs(JobType::Sync),
            self.list_jobs(JobType::Migration)
        )?;
        Ok(sync.into_iter().chain(migration).collect())
    }

    pub async fn modify_job(&self, request: &ModifyDtsJob) -> Result<WriteResponse, Error> {
        self.call(request).await
    }

    pub async fn modify_endpoint(
        &self,
        request: &ModifyDtsJobEndpoint,
    ) -> Result<WriteResponse, Error> {
        self.call(request).await
    }

    pub async fn start_job(&self, change: &JobStatusChange) -> Result<WriteResponse, Error> {
        self.call(&StartDtsJob(change.clone())).await
    }

    pub async fn suspend_job(&self, change: &JobStatusChange) -> Result<WriteResponse, Error> {
        self.call(&SuspendDtsJob(change.clone())).await
    }
}

/// The reverse direction in `answer` to a Reverse DescribeDtsJobDetail of job `asked`
/// (see [`AlibabaClient::describe_reverse`]), `None` if the job shows none, or the
/// answer back if it is about another job.
pub fn reverse_of(asked: &str, forward: &DtsJob, answer: DtsJob) -> Result<Option<DtsJob>, DtsJob> {
    let known_reverse = forward.reverse_job.as_ref().map(|r| r.dts_job_id.as_str());
    if answer.direction() == Some(Direction::Reverse) {
        let same_instance =
            !answer.dts_instance_id.is_empty() && answer.dts_instance_id == forward.dts_instance_id;
        let ours = answer.dts_job_id == asked
            || Some(answer.dts_job_id.as_str()) == known_reverse
            || (known_reverse.is_none() && same_instance);
        return if ours { Ok(Some(answer)) } else { Err(answer) };
    }
    if answer.dts_job_id != asked {
        return Err(answer);
    }
    Ok(answer
        .reverse_job
        .or_else(|| forward.reverse_job.clone())
        .map(|job| *job))
}

/// The first of `keys` with a non-empty value, as text.
fn text(obj: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| {
        obj.get(*k)
            .and_then(lenient::as_text)
            .filter(|s| !s.is_empty())
    })
}

fn is_false(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => !b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// Classifies an HTTP answer (reference §8): a 4xx/5xx is an error with the body's
/// `Code`/`Message`/`RequestId`; a 2xx whose body says `Success: false` is an error too,
/// with `ErrCode`/`ErrMessage` (`%s` filled from `DynamicMessage`); anything else is the
/// JSON body, its `RequestId` cleaned. Server text in errors is cleaned by `redactor`
/// ([`ApiError::from_server`]).
pub fn parse_response(
    action: &str,
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    redactor: &Redactor,
) -> Result<Value, Error> {
    let parsed = serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object);
    let ok_status = (200..300).contains(&status);
    let retry_after = retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis);
    let api = |code: String, message: String, request_id: Option<String>| {
        Error::Api(ApiError::from_server(
            Provider::Alibaba,
            action,
            Some(status),
            &code,
            &message,
            request_id.as_deref(),
            retry_after,
            redactor,
        ))
    };
    let Some(mut obj) = parsed else {
        // The body is not shown: an echoing proxy could reflect our signed request.
        return Err(if ok_status {
            Error::decode(action, status, "the body is not a JSON object", redactor)
        } else {
            api(
                "UnexpectedResponse".into(),
                format!("HTTP {status} with a body that is not a JSON error"),
                None,
            )
        });
    };
    let request_id = text(&obj, &["RequestId", "requestId"]);
    if !ok_status {
        return Err(api(
            text(&obj, &["Code", "code", "ErrCode"]).unwrap_or_else(|| format!("HTTP{status}")),
            text(&obj, &["Message", "message", "ErrMessage"]).unwrap_or_default(),
            request_id,
        ));
    }
    if is_false(obj.get("Success")) {
        let mut message = text(&obj, &["ErrMessage", "Message"]).unwrap_or_default();
        if let Some(dynamic) = text(&obj, &["DynamicMessage"]) {
            message = message.replace("%s", &dynamic);
        }
        return Err(api(
            text(&obj, &["ErrCode", "Code", "DynamicCode"]).unwrap_or_else(|| "Unknown".into()),
            message,
            request_id,
        ));
    }
    if let Some(Value::String(id)) = obj.get_mut("RequestId") {
        *id = redactor.clean(id, crate::text::SERVER_FIELD_MAX);
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(body: &str) -> DtsJob {
        serde_json::from_str(body).unwrap()
    }

    /// The reverse direction is read either way the service may show it: as itself, or
    /// inside the forward job; anything else is another job.
    #[test]
    fn a_reverse_direction_is_read_either_way_and_another_job_never() {
        let forward = job(
            r#"{"DtsJobId":"fw","DtsInstanceID":"dtsfw","DtsJobDirection":"Forward","ReverseJob":{"DtsJobId":"rv","DtsInstanceID":"dtsfw","Status":"Suspending","DtsJobDirection":"Reverse"}}"#,
        );
        // Reading A: the reverse job itself, under its own id or the forward one's.
        for id in ["rv", "fw"] {
            let answer = job(&format!(
                r#"{{"DtsJobId":"{id}","DtsInstanceID":"dtsfw","DtsJobDirection":"Reverse","Status":"Synchronizing"}}"#
            ));
            let reverse = reverse_of("fw", &forward, answer).unwrap().unwrap();
            assert_eq!(
                reverse.status,
                crate::cloud::alibaba::JobStatus::Synchronizing
            );
        }
        // Reading B: the forward job again, the reverse one inside it.
        let reverse = reverse_of("fw", &forward, forward.clone())
            .unwrap()
            .unwrap();
        assert_eq!(reverse.dts_job_id, "rv");
        assert_eq!(reverse.status, crate::cloud::alibaba::JobStatus::Suspending);
        // A one-way job shows none.
        let one_way = job(r#"{"DtsJobId":"fw","DtsInstanceID":"dtsfw"}"#);
        assert!(
            reverse_of("fw", &one_way, one_way.clone())
                .unwrap()
                .is_none()
        );
        // A reverse job of another instance, or another forward job, is refused.
        let other = job(r#"{"DtsJobId":"zz","DtsInstanceID":"dtszz","DtsJobDirection":"Reverse"}"#);
        assert!(reverse_of("fw", &forward, other.clone()).is_err());
        assert!(reverse_of("fw", &one_way, other).is_err());
        let another_forward = job(r#"{"DtsJobId":"zz","DtsJobDirection":"Forward"}"#);
        assert!(reverse_of("fw", &forward, another_forward).is_err());
        // Without a ReverseJob to name the reverse id, the same instance identifies it.
        let same_instance =
            job(r#"{"DtsJobId":"rv2","DtsInstanceID":"dtsfw","DtsJobDirection":"Reverse"}"#);
        assert!(reverse_of("fw", &one_way, same_instance).unwrap().is_some());
    }

    fn parse(
        action: &str,
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
    ) -> Result<Value, Error> {
        parse_response(action, status, retry_after, body, &Redactor::default())
    }

    #[test]
    fn http_error_body_carries_code_message_request_id_and_retry_after() {
        let body = br#"{"Code":"LXBuyError","HostId":"dts.aliyuncs.com","Message":"Buy instance error.ARREARAGE","Recommend":"https://x","RequestId":"F24B990A"}"#;
        let err = parse("ConfigureDtsJob", 403, Some("1500"), body).unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.code, "LXBuyError");
        assert_eq!(api.message, "Buy instance error.ARREARAGE");
        assert_eq!(api.request_id.as_deref(), Some("F24B990A"));
        assert_eq!(api.http_status, Some(403));
        assert_eq!(api.retry_after, Some(Duration::from_millis(1500)));
        assert_eq!(
            err.to_string(),
            "Alibaba Cloud DTS ConfigureDtsJob failed: LXBuyError: Buy instance error.ARREARAGE (RequestId: F24B990A, HTTP 403)"
        );
    }

    #[test]
    fn success_false_in_a_2xx_body_is_an_error() {
        let body = br#"{"RequestId":"R1","Success":"false","ErrCode":"InvalidParameter","ErrMessage":"The Value of Input Parameter %s is not valid.","DynamicMessage":"DtsJobId","Code":200}"#;
        let api = parse("StartDtsJob", 200, None, body)
            .unwrap_err()
            .api()
            .cloned()
            .unwrap();
        assert_eq!(api.code, "InvalidParameter");
        assert_eq!(
            api.message,
            "The Value of Input Parameter DtsJobId is not valid."
        );
        assert_eq!(api.request_id.as_deref(), Some("R1"));
        assert!(!api.is_retryable());
    }

    #[test]
    fn success_true_or_absent_is_the_body() {
        let v = parse("X", 200, None, br#"{"RequestId":"R","Success":true}"#).unwrap();
        assert_eq!(v["RequestId"], "R");
        assert!(parse("X", 200, None, br#"{"RequestId":"R"}"#).is_ok());
    }

    #[test]
    fn non_json_answers() {
        let err = parse("X", 502, None, b"<html>Bad Gateway</html>").unwrap_err();
        assert!(err.is_retryable(), "a 5xx from a proxy is retryable");
        assert!(!err.to_string().contains("html"));
        let err = parse("X", 200, None, b"not json").unwrap_err();
        assert!(matches!(err, Error::Decode { .. }));
        assert!(!err.is_retryable());
    }

    #[test]
    fn server_text_in_errors_is_masked_capped_and_escaped() {
        let redactor = Redactor::new(["hunter2-pw", "LTAI-key-id"]);
        let echo = serde_json::json!({
            "Code": "Bad.hunter2-pw",
            "Message": format!("Password=hunter2-pw AccessKeyId=LTAI-key-id \u{1b}[2J{}", "m".repeat(1_000_000)),
            "RequestId": "R-hunter2-pw\r",
            "HostId": "hunter2-pw",
        });
        let body = echo.to_string();
        let err = parse_response(
            "ModifyDtsJobEndpoint",
            400,
            None,
            body.as_bytes(),
            &redactor,
        )
        .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.code, "Bad.****");
        assert_eq!(api.request_id.as_deref(), Some("R-****\\u{d}"));
        assert!(
            api.message
                .starts_with("Password=**** AccessKeyId=**** \\u{1b}[2Jmmm"),
            "{}",
            &api.message[..60]
        );
        assert!(api.message.ends_with("more characters cut)"));
        assert!(err.to_string().len() < 2_300, "{}", err.to_string().len());

        // The same through `Success: false` with `%s` filled from DynamicMessage.
        let body = br#"{"RequestId":"R","Success":false,"ErrCode":"InvalidParameter","ErrMessage":"The Value of Input Parameter %s is not valid.","DynamicMessage":"Password=hunter2-pw"}"#;
        let err = parse_response("X", 200, None, body, &redactor).unwrap_err();
        assert_eq!(
            err.api().unwrap().message,
            "The Value of Input Parameter Password=**** is not valid."
        );
        // A success keeps its body, but its RequestId is cleaned like any server text.
        let ok = parse_response(
            "X",
            200,
            None,
            br#"{"RequestId":"hunter2-pw","DbObject":"hunter2-pw"}"#,
            &redactor,
        )
        .unwrap();
        assert_eq!(ok["RequestId"], "****");
        assert_eq!(ok["DbObject"], "hunter2-pw", "data is never rewritten");
    }
}
