//! The Tencent client against a tiny scripted server on loopback that verifies every
//! TC3 signature with `sign::sign` and answers canned JSON: retries, paging, error
//! fields, and what transport errors may show. (The Tencent emulator proper is a
//! separate piece of work.)

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dtsform::cloud::tencent::endpoint::parse_endpoint;
use dtsform::cloud::tencent::sign::{self, Input};
use dtsform::cloud::tencent::{
    ClientConfig, Credentials, DstInfo, MigrateStatus, ModifyMigrateJob, SrcInfo, TencentClient,
    is_not_found,
};
use dtsform::cloud::{Clock, Error, RandomNonce, RetryPolicy, SigningContext};
use dtsform::secret::Secret;
use serde_json::{Value, json};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const PASSWORD: &str = "hunter2-never-shown";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Call {
    action: String,
    body: Value,
    timestamp: i64,
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Reply {
    fn ok(response: &Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json",
            body: json!({ "Response": response }).to_string(),
        }
    }

    fn error(code: &str, message: &str, request_id: &str) -> Self {
        Self::ok(&json!({
            "Error": {"Code": code, "Message": message},
            "RequestId": request_id,
        }))
    }
}

/// Decides the reply to a correctly signed call, given the calls so far (this one last).
type Script = Box<dyn Fn(&Call, &[Call]) -> Reply + Send + Sync>;

struct Server {
    calls: Mutex<Vec<Call>>,
    script: Script,
}

impl Server {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the request the way Tencent does (reference §2); `Err` names what is wrong.
fn verify(headers: &HeaderMap, body: &[u8]) -> Result<i64, String> {
    let auth = sign::parse_authorization(header(headers, "authorization").ok_or("no auth")?)
        .ok_or("malformed Authorization")?;
    let timestamp: i64 = header(headers, "x-tc-timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or("no X-TC-Timestamp")?;
    for (name, want) in [
        ("content-type", "application/json"),
        ("x-tc-version", "2018-03-30"),
        ("x-tc-region", "ap-guangzhou"),
        ("x-tc-language", "en-US"),
    ] {
        if header(headers, name) != Some(want) {
            return Err(format!("{name} is {:?}", header(headers, name)));
        }
    }
    if !auth.signed_headers.iter().any(|h| h == "host")
        || !auth.signed_headers.iter().any(|h| h == "content-type")
    {
        return Err("host and content-type must be signed".into());
    }
    let values: Vec<(&str, &str)> = auth
        .signed_headers
        .iter()
        .map(|n| (n.as_str(), header(headers, n).unwrap_or_default()))
        .collect();
    let expected = sign::sign(
        &Input {
            method: "POST",
            query: "",
            headers: &values,
            payload: body,
            timestamp,
            service: "dts",
        },
        KEY,
    )
    .ok_or("bad timestamp")?;
    let ok = auth.secret_id == ID
        && auth.service == "dts"
        && Some(auth.date.as_str()) == sign::utc_date(timestamp).as_deref()
        && auth.signature == expected.signature;
    if ok {
        Ok(timestamp)
    } else {
        Err("signature mismatch".into())
    }
}

async fn handle(State(server): State<Arc<Server>>, headers: HeaderMap, body: Bytes) -> Response {
    let reply = match verify(&headers, &body) {
        Err(why) => Reply::error("AuthFailure.SignatureFailure", &why, "rid-auth"),
        Ok(timestamp) => {
            let call = Call {
                action: header(&headers, "x-tc-action")
                    .unwrap_or_default()
                    .to_owned(),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                timestamp,
            };
            let calls = {
                let mut calls = server.calls.lock().unwrap();
                calls.push(call.clone());
                calls.clone()
            };
            (server.script)(&call, &calls)
        }
    };
    (
        StatusCode::from_u16(reply.status).unwrap(),
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

/// Starts the scripted server on a free loopback port; returns its URL.
async fn serve(script: Script) -> (String, Arc<Server>) {
    let server = Arc::new(Server {
        calls: Mutex::new(Vec::new()),
        script,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&server));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, server)
}

/// A clock one second further on at every reading, so each attempt has its own
/// timestamp.
struct Ticking(AtomicI64);

impl Clock for Ticking {
    fn now(&self) -> SystemTime {
        let secs = self.0.fetch_add(1, Ordering::SeqCst);
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    }
}

fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(10),
        deadline: Duration::from_secs(10),
    }
}

fn client(url: &str) -> TencentClient {
    let mut config = ClientConfig::new("ap-guangzhou");
    config.endpoint = Some(parse_endpoint(url).unwrap());
    config.retry = fast_retry(5);
    config.signing = SigningContext {
        clock: Arc::new(Ticking(AtomicI64::new(1_700_000_000))),
        nonces: Arc::new(RandomNonce),
    };
    TencentClient::new(config, Credentials::new(ID, KEY)).unwrap()
}

fn job(id: &str, status: i64) -> Value {
    json!({
        "JobId": id, "JobName": format!("job {id}"), "Status": status,
        "SrcInfo": {"Ip": "10.0.0.1", "Port": "3306", "Password": ""},
        "DatabaseInfo": "[]", "StartTime": "0000-00-00 00:00:00", "ErrorInfo": []
    })
}

fn modify_request() -> ModifyMigrateJob {
    ModifyMigrateJob {
        job_id: "dts-1kl0iy0v".into(),
        src_access_type: Some("extranet".into()),
        src_info: Some(SrcInfo {
            ip: Some("203.0.113.10".into()),
            port: Some(3306),
            user: Some("root".into()),
            password: Some(Secret::new(PASSWORD)),
            ..SrcInfo::default()
        }),
        dst_info: Some(DstInfo {
            instance_id: Some("cdb-efgh5678".into()),
            password: Some(Secret::new(PASSWORD)),
            ..DstInfo::default()
        }),
        database_info: Some(r#"[{"Database":"db1"}]"#.into()),
        ..ModifyMigrateJob::default()
    }
}

/// Everything an error shows: Display, Debug and every source.
fn shown(err: &Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push(' ');
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn request_limit_exceeded_is_retried_with_a_fresh_signature_each_time() {
    let (url, server) = serve(Box::new(|call, calls| {
        let attempt = calls.iter().filter(|c| c.action == call.action).count();
        if attempt < 3 {
            Reply::error(
                "RequestLimitExceeded",
                "Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.",
                &format!("rid-{attempt}"),
            )
        } else {
            Reply::ok(&json!({"RequestId": "rid-ok"}))
        }
    }))
    .await;
    let request_id = client(&url).start_migrate_job("dts-1").await.unwrap();
    assert_eq!(request_id, "rid-ok");
    let calls = server.calls();
    assert_eq!(calls.len(), 3, "two throttled attempts, then success");
    assert!(calls.iter().all(|c| c.body == json!({"JobId": "dts-1"})));
    let stamps: Vec<i64> = calls.iter().map(|c| c.timestamp).collect();
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "each attempt signs afresh: {stamps:?}"
    );
}

#[tokio::test]
async fn throttling_that_never_ends_gives_up_with_the_last_answer() {
    let (url, server) = serve(Box::new(|_, calls| {
        Reply::error(
            "RequestLimitExceeded.UinLimitExceeded",
            "slow down",
            &format!("rid-{}", calls.len()),
        )
    }))
    .await;
    let err = client(&url)
        .with_retry(fast_retry(3))
        .create_migrate_check_job("dts-1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::GaveUp { attempts: 3, .. }), "{err:?}");
    assert_eq!(err.api().unwrap().request_id.as_deref(), Some("rid-3"));
    assert_eq!(server.calls().len(), 3);
}

#[tokio::test]
async fn lists_every_page_and_finds_one_job() {
    let jobs: Vec<Value> = (1..=5).map(|n| job(&format!("dts-{n}"), n)).collect();
    let (url, server) = serve(Box::new(move |call, _| {
        let offset = usize::try_from(call.body["Offset"].as_u64().unwrap_or(0)).unwrap();
        let limit = usize::try_from(call.body["Limit"].as_u64().unwrap_or(20)).unwrap();
        let matching: Vec<&Value> = jobs
            .iter()
            .filter(|j| call.body.get("JobId").is_none_or(|id| j["JobId"] == *id))
            .collect();
        let page: Vec<&Value> = matching.iter().copied().skip(offset).take(limit).collect();
        Reply::ok(&json!({
            "TotalCount": matching.len(),
            "JobList": page,
            "RequestId": format!("rid-{offset}"),
        }))
    }))
    .await;
    let mut config = ClientConfig::new("ap-guangzhou");
    config.endpoint = Some(parse_endpoint(&url).unwrap());
    config.retry = fast_retry(2);
    config.page_size = 2;
    let c = TencentClient::new(config, Credentials::new(ID, KEY)).unwrap();

    let listed = c.describe_migrate_jobs().await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|j| j.job_id.as_str()).collect();
    assert_eq!(ids, ["dts-1", "dts-2", "dts-3", "dts-4", "dts-5"]);
    assert_eq!(listed[3].status, MigrateStatus::CheckPass);
    assert_eq!(listed[0].src_info.as_ref().unwrap().port, Some(3306));
    let pages: Vec<(u64, u64)> = server
        .calls()
        .iter()
        .map(|c| {
            assert_eq!(c.action, "DescribeMigrateJobs");
            assert!(c.body.get("JobId").is_none());
            (
                c.body["Offset"].as_u64().unwrap(),
                c.body["Limit"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pages, [(0, 2), (2, 2), (4, 2)], "three pages");

    let one = c.describe_migrate_job("dts-3").await.unwrap();
    assert_eq!(one.job_id, "dts-3");
    assert_eq!(one.status, MigrateStatus::Checking);
    assert_eq!(server.calls().last().unwrap().body["JobId"], "dts-3");

    let err = c.describe_migrate_job("dts-gone").await.unwrap_err();
    assert!(is_not_found(&err), "{err:?}");
    let api = err.api().unwrap();
    assert_eq!(api.code, "ResourceNotFound.JobNotExist");
    assert_eq!(api.request_id.as_deref(), Some("rid-0"));
    assert!(err.to_string().contains("dts-gone"));
}

#[tokio::test]
async fn a_server_that_ignores_offset_is_not_paged_forever() {
    let (url, server) = serve(Box::new(|_, _| {
        Reply::ok(&json!({
            "TotalCount": 10, "JobList": [job("dts-1", 1), job("dts-2", 1)], "RequestId": "r"
        }))
    }))
    .await;
    let mut config = ClientConfig::new("ap-guangzhou");
    config.endpoint = Some(parse_endpoint(&url).unwrap());
    config.page_size = 2;
    let c = TencentClient::new(config, Credentials::new(ID, KEY)).unwrap();
    let err = c.describe_migrate_jobs().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(server.calls().len(), 2);
}

#[tokio::test]
async fn api_errors_carry_code_message_and_request_id_and_are_not_retried() {
    let (url, server) = serve(Box::new(|_, _| {
        Reply::error(
            "FailedOperation.StatusInConflict",
            "job status 7 does not allow ModifyMigrateJob",
            "0b5a3c6e-rid",
        )
    }))
    .await;
    let err = client(&url)
        .modify_migrate_job(&modify_request())
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.code, "FailedOperation.StatusInConflict");
    assert_eq!(api.message, "job status 7 does not allow ModifyMigrateJob");
    assert_eq!(api.request_id.as_deref(), Some("0b5a3c6e-rid"));
    assert_eq!(api.action, "ModifyMigrateJob");
    assert!(err.to_string().contains("RequestId: 0b5a3c6e-rid"));
    assert!(!shown(&err).contains(PASSWORD));

    let calls = server.calls();
    assert_eq!(calls.len(), 1, "a status conflict is not retried");
    // On the wire the password is the real value, under the exact keys.
    assert_eq!(
        calls[0].body,
        json!({
            "JobId": "dts-1kl0iy0v",
            "SrcAccessType": "extranet",
            "SrcInfo": {"Ip": "203.0.113.10", "Port": 3306, "User": "root", "Password": PASSWORD},
            "DstInfo": {"InstanceId": "cdb-efgh5678", "Password": PASSWORD},
            "DatabaseInfo": "[{\"Database\":\"db1\"}]"
        })
    );
}

#[tokio::test]
async fn check_job_round_trip() {
    let (url, _server) = serve(Box::new(|call, _| match call.action.as_str() {
        "DescribeMigrateCheckJob" => Reply::ok(&json!({
            "Status": "finished", "ErrorCode": 0, "ErrorMessage": "ok", "Progress": "100",
            "CheckFlag": 1, "RequestId": "r"
        })),
        _ => Reply::ok(&json!({"RequestId": "r-write"})),
    }))
    .await;
    let c = client(&url);
    assert_eq!(
        c.modify_migrate_job(&modify_request()).await.unwrap(),
        "r-write"
    );
    assert_eq!(
        c.create_migrate_check_job("dts-1").await.unwrap(),
        "r-write"
    );
    let check = c.describe_migrate_check_job("dts-1").await.unwrap();
    assert!(check.passed());
}

#[tokio::test]
async fn gateway_errors_are_retried_and_their_bodies_never_shown() {
    let (url, server) = serve(Box::new(|call, calls| {
        if calls.len() == 1 {
            Reply {
                status: 502,
                content_type: "text/html",
                body: format!("<html>echo: {}</html>", call.body),
            }
        } else {
            Reply::ok(&json!({"RequestId": "rid-after-502"}))
        }
    }))
    .await;
    let c = client(&url);
    assert_eq!(
        c.modify_migrate_job(&modify_request()).await.unwrap(),
        "rid-after-502"
    );
    assert_eq!(server.calls().len(), 2);

    let (url, _server) = serve(Box::new(|call, _| Reply {
        status: 503,
        content_type: "text/html",
        body: format!("<html>echo: {}</html>", call.body),
    }))
    .await;
    let err = client(&url)
        .with_retry(fast_retry(2))
        .modify_migrate_job(&modify_request())
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().http_status, Some(503));
    assert!(!shown(&err).contains(PASSWORD), "{}", shown(&err));

    let (url, _server) = serve(Box::new(|call, _| Reply {
        status: 200,
        content_type: "text/plain",
        body: format!("echo: {}", call.body),
    }))
    .await;
    let err = client(&url)
        .modify_migrate_job(&modify_request())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(!shown(&err).contains(PASSWORD));
}

#[tokio::test]
async fn transport_errors_name_neither_the_url_nor_the_password() {
    // A port that was free a moment ago: connections are refused.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let err = client(&url)
        .with_retry(fast_retry(2))
        .modify_migrate_job(&modify_request())
        .await
        .unwrap_err();
    let Error::GaveUp {
        attempts: 2, last, ..
    } = &err
    else {
        panic!("expected two attempts: {err:?}")
    };
    assert!(matches!(**last, Error::Transport { .. }), "{last:?}");
    let text = shown(&err);
    assert!(!text.contains("http://"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{port}")),
        "names the endpoint: {text}"
    );
}

#[tokio::test]
async fn the_server_really_checks_signatures() {
    let (url, server) = serve(Box::new(|_, _| Reply::ok(&json!({"RequestId": "r"})))).await;
    let mut config = ClientConfig::new("ap-guangzhou");
    config.endpoint = Some(parse_endpoint(&url).unwrap());
    let wrong_key = TencentClient::new(config, Credentials::new(ID, "not-the-key")).unwrap();
    let err = wrong_key.start_migrate_job("dts-1").await.unwrap_err();
    assert_eq!(err.api().unwrap().code, "AuthFailure.SignatureFailure");
    assert!(server.calls().is_empty(), "refused before the script");
}

// ---- Servers that echo, redirect or answer for another job ----

const ECHO_PASSWORD: &str = "pä55 \"w/rd\"+*";

fn echo_request() -> ModifyMigrateJob {
    let mut request = modify_request();
    request.src_info.as_mut().unwrap().password = Some(Secret::new(ECHO_PASSWORD));
    request.dst_info.as_mut().unwrap().password = Some(Secret::new("dst-Secret-99"));
    request.src_info.as_mut().unwrap().access_key = Some(Secret::new(ECHO_ACCESS_KEY));
    request
}

/// `SrcInfo.AccessKey` is as secret as a password.
const ECHO_ACCESS_KEY: &str = "LTAIak-Secret-77";

/// The spellings of the secrets found in `text`.
fn leaks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for secret in [ECHO_PASSWORD, "dst-Secret-99", ECHO_ACCESS_KEY, ID, KEY] {
        let json = serde_json::to_string(secret).unwrap();
        for spelling in [secret.to_owned(), json.trim_matches('"').to_owned(), json] {
            if text.contains(&spelling) {
                found.push(spelling);
            }
        }
    }
    if text.contains("pä55") || text.contains("p\\u00e455") {
        found.push("pä55".into());
    }
    found
}

/// The body as Python's `json.dumps` writes it (`ensure_ascii`: `\uXXXX`).
fn ascii_json(value: &Value) -> String {
    value
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{:04x}", u32::from(c))
            }
        })
        .collect()
}

#[tokio::test]
async fn a_server_that_echoes_the_request_never_shows_a_secret() {
    for status in [200, 400, 502] {
        let (url, server) = serve(Box::new(move |call, _| {
            let body = call.body.to_string();
            let mut reply = Reply::error(
                &format!(
                    "InvalidParameterValue.{}",
                    call.body["SrcInfo"]["Password"].as_str().unwrap_or("-")
                ),
                &format!(
                    "bad request {body} (as sent: {}) signed by {ID}",
                    ascii_json(&call.body)
                ),
                &format!(
                    "rid-{}",
                    call.body["DstInfo"]["Password"].as_str().unwrap_or("-")
                ),
            );
            reply.status = status;
            reply
        }))
        .await;
        let err = client(&url)
            .with_retry(fast_retry(1))
            .modify_migrate_job(&echo_request())
            .await
            .unwrap_err();
        let api = err.api().expect("an API error");
        assert_eq!(api.code, "InvalidParameterValue.****", "{status}");
        assert_eq!(api.request_id.as_deref(), Some("rid-****"), "{status}");
        assert!(
            api.message.contains(
                r#""SrcInfo":{"AccessKey":"****","Ip":"203.0.113.10","Port":3306,"User":"root","Password":"****"}"#
            ),
            "{}",
            api.message
        );
        let text = format!("{} {:?}", shown(&err), miette::Report::new(err));
        assert_eq!(leaks(&text), Vec::<String>::new(), "{status}: {text}");
        // On the wire, the real values.
        let sent = &server.calls()[0].body;
        assert_eq!(sent["SrcInfo"]["Password"], ECHO_PASSWORD);
        assert_eq!(sent["DstInfo"]["Password"], "dst-Secret-99");
        assert_eq!(sent["SrcInfo"]["AccessKey"], ECHO_ACCESS_KEY);
    }
}

#[tokio::test]
async fn a_password_echoed_by_a_later_check_message_is_masked_too() {
    let (url, _server) = serve(Box::new(|call, _| match call.action.as_str() {
        "DescribeMigrateCheckJob" => Reply::ok(&json!({
            "Status": "finished", "ErrorCode": -1, "CheckFlag": 0, "RequestId": "r",
            "ErrorMessage": format!("Access denied for root with password {ECHO_PASSWORD}\u{1b}[2J"),
        })),
        _ => Reply::ok(&json!({"RequestId": "r-write"})),
    }))
    .await;
    let c = client(&url);
    c.modify_migrate_job(&echo_request()).await.unwrap();
    let check = c.clone().describe_migrate_check_job("dts-1").await.unwrap();
    assert_eq!(
        check.error_message,
        "Access denied for root with password ****\\u{1b}[2J"
    );
}

#[tokio::test]
async fn huge_server_messages_are_capped() {
    let (url, _server) = serve(Box::new(|_, _| {
        Reply::error(
            &"C".repeat(500_000),
            &format!("\u{9b}31m{}", "M".repeat(20_000_000)),
            &"R".repeat(500_000),
        )
    }))
    .await;
    let err = client(&url).start_migrate_job("dts-1").await.unwrap_err();
    let text = shown(&err);
    assert!(text.len() < 12_000, "{} bytes", text.len());
    assert!(text.contains("\\u{9b}31mMMM"), "{text:.200}");
    assert!(!text.contains('\u{9b}'));
    assert!(text.contains("more characters cut"));
}

#[tokio::test]
async fn redirects_are_never_followed() {
    let hits = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&hits);
    let elsewhere = {
        let app = Router::new().fallback(move || {
            *counter.lock().unwrap() += 1;
            async { json!({"Response": {"RequestId": "stolen"}}).to_string() }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    };
    for status in [301, 302, 303, 307, 308] {
        let target = format!("{elsewhere}/path?with=query");
        let app = Router::new().fallback(move || {
            let target = target.clone();
            async move {
                (
                    StatusCode::from_u16(status).unwrap(),
                    [(header::LOCATION, target)],
                    "",
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let err = client(&url)
            .modify_migrate_job(&echo_request())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Redirected { status: s, location: Some(l), .. } if *s == status && *l == elsewhere),
            "{err:?}"
        );
        assert!(!err.is_retryable());
        assert!(
            err.to_string().contains("does not follow redirects"),
            "{err}"
        );
    }
    assert_eq!(
        *hits.lock().unwrap(),
        0,
        "the signed request went elsewhere"
    );
}

#[tokio::test]
async fn an_answer_about_other_jobs_is_refused_not_taken_for_not_found() {
    let (url, _server) = serve(Box::new(|call, _| {
        // A server that ignores the JobId filter and lists someone else's jobs.
        let _ = call;
        Reply::ok(&json!({
            "TotalCount": 2, "JobList": [job("dts-other", 7), job("dts-more", 4)], "RequestId": "rid-x"
        }))
    }))
    .await;
    let err = client(&url)
        .describe_migrate_job("dts-mine")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OtherJob { .. }), "{err:?}");
    assert!(!is_not_found(&err));
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(text.contains("asked about job \"dts-mine\""), "{text}");
    assert!(
        text.contains("2 other jobs (the first \"dts-other\"), RequestId rid-x"),
        "{text}"
    );
}

#[tokio::test]
async fn database_info_sent_as_a_json_array_is_read_as_the_object_list() {
    let (url, _server) = serve(Box::new(|_, _| {
        let mut row = job("dts-1", 1);
        row["DatabaseInfo"] = json!([{"Database": "db1", "Table": ["t1", "t2"]}]);
        Reply::ok(&json!({"TotalCount": 1, "JobList": [row], "RequestId": "r"}))
    }))
    .await;
    let job = client(&url).describe_migrate_job("dts-1").await.unwrap();
    assert_eq!(
        job.database_info.as_deref(),
        Some(r#"[{"Database":"db1","Table":["t1","t2"]}]"#)
    );
}
