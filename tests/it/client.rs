//! The Alibaba client against the in-process emulator: every operation, every error class.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dtsform::cloud::alibaba::request::Params;
use dtsform::cloud::alibaba::{
    AlibabaClient, ClientConfig, Credentials, EndpointSide, JobStatus, JobStatusChange,
    ModifyDtsJob, ModifyDtsJobChange, ModifyDtsJobEndpoint, SignatureVersion,
};
use dtsform::cloud::{Clock, Error, NonceSource, RetryPolicy};
use dtsform::emulator::{Faults, World};
use dtsform::secret::Secret;
use serde_json::{Value, json};

use crate::support::{
    ANALYTICS_JOB, CRM_JOB, SHOP_INSTANCE, SHOP_JOB, TWO_WAY_JOB, client, client_config,
    emulator_credentials, fast_config, start, wait_for_status,
};

const BOTH: [SignatureVersion; 2] = [SignatureVersion::V3, SignatureVersion::V1];

fn db_list(value: &Value) -> ModifyDtsJobChange {
    ModifyDtsJobChange::DbList(value.to_string())
}

fn modify(change: ModifyDtsJobChange, token: Option<&str>) -> ModifyDtsJob {
    ModifyDtsJob {
        resource_group_id: None,
        dts_instance_id: SHOP_INSTANCE.into(),
        dts_job_id: Some(SHOP_JOB.into()),
        synchronization_direction: None,
        client_token: token.map(str::to_owned),
        change,
    }
}

/// The job's DbObject, parsed, without the server-added `state` keys.
fn objects(db_object: Option<&str>) -> Value {
    fn strip(v: &mut Value) {
        if let Value::Object(m) = v {
            m.remove("state");
            m.values_mut().for_each(strip);
        }
    }
    let mut v: Value = serde_json::from_str(db_object.expect("DbObject")).expect("json");
    strip(&mut v);
    v
}

fn code(err: &Error) -> &str {
    &err.api()
        .unwrap_or_else(|| panic!("not an API error: {err}"))
        .code
}

fn no_retry(url: &str, version: SignatureVersion) -> AlibabaClient {
    let mut config = client_config(url, version);
    config.retry = RetryPolicy::none();
    AlibabaClient::new(config, emulator_credentials()).unwrap()
}

#[tokio::test]
async fn every_operation_round_trips_with_both_signature_versions() {
    for version in BOTH {
        round_trip(version).await;
    }
}

/// Listing, reading and the full-overwrite modify, then the other writes.
async fn round_trip(version: SignatureVersion) {
    let emu = start(fast_config(), World::sample()).await;
    let mut config = client_config(&emu.url(), version);
    config.page_size = 1; // force paging
    let c = AlibabaClient::new(config, emulator_credentials()).unwrap();

    let jobs = c.list_sync_and_migration_jobs().await.unwrap();
    let ids: Vec<_> = jobs.iter().map(|j| j.dts_job_id.as_str()).collect();
    assert_eq!(
        ids,
        [SHOP_JOB, ANALYTICS_JOB, TWO_WAY_JOB, CRM_JOB],
        "{version:?}"
    );
    assert_eq!(
        emu.calls()["DescribeDtsJobs"],
        4,
        "one page per job; TotalRecordCount ends paging without an empty page"
    );

    let detail = c.describe_job(SHOP_JOB).await.unwrap();
    assert_eq!(detail.status, JobStatus::Synchronizing);
    assert_eq!(detail.dts_instance_id, SHOP_INSTANCE);
    assert_eq!(
        detail.source_endpoint.unwrap().instance_id.as_deref(),
        Some("rm-bp1src000000001")
    );

    // Full overwrite: what is not sent is gone.
    let new_list = json!({"shop": {"name": "shop", "all": false, "Table": {
        "orders": {"name": "orders", "all": true},
        "payments": {"name": "payments", "all": true, "filter": "amount > 0"}
    }}});
    let answer = c
        .modify_job(&modify(db_list(&new_list), Some("t1")))
        .await
        .unwrap();
    assert_eq!(answer.dts_job_id.as_deref(), Some(SHOP_JOB));
    assert!(!answer.request_id.is_empty());
    let during = c.describe_job(SHOP_JOB).await.unwrap();
    assert_eq!(during.status, JobStatus::Modifying);
    assert_eq!(objects(during.db_object.as_deref()), new_list);
    wait_for_status(
        &c,
        SHOP_JOB,
        &JobStatus::Synchronizing,
        Duration::from_secs(5),
    )
    .await;

    other_writes(&c).await;
    let world = emu.world();
    let log: Vec<_> = world.writes.iter().map(|w| w.what.as_str()).collect();
    assert_eq!(
        log,
        [
            "objects",
            "reserved",
            "endpoint dest (account)",
            "suspend",
            "start"
        ]
    );
    let saved = serde_json::to_string(&world).unwrap();
    assert!(
        !saved.contains("pw-never-stored"),
        "passwords are never stored"
    );
}

/// Reserved settings, endpoints, suspend and start on the shop job.
async fn other_writes(c: &AlibabaClient) {
    c.modify_job(&modify(
        ModifyDtsJobChange::Reserved(r#"{"maxRetryTime":3600}"#.into()),
        None,
    ))
    .await
    .unwrap();
    let reserved: Value =
        serde_json::from_str(&c.describe_job(SHOP_JOB).await.unwrap().reserved.unwrap()).unwrap();
    assert_eq!(reserved["maxRetryTime"], 3600);
    assert_eq!(reserved["srcSSL"], "0", "merged, not replaced");

    // Endpoint: a dry run changes nothing, a real run does.
    let mut endpoint = ModifyDtsJobEndpoint::new(SHOP_JOB, EndpointSide::Destination, "rds");
    endpoint.endpoint_instance_id = Some("rm-new-dest".into());
    endpoint.account = Some(("writer2".into(), Secret::new("pw-never-stored")));
    endpoint.dry_run = true;
    let destination = async || {
        let job = c.describe_job(SHOP_JOB).await.unwrap();
        job.destination_endpoint.unwrap()
    };
    c.modify_endpoint(&endpoint).await.unwrap();
    let dest = destination().await;
    assert_eq!(dest.instance_id.as_deref(), Some("rm-bp1dst000000001"));
    endpoint.dry_run = false;
    c.modify_endpoint(&endpoint).await.unwrap();
    let dest = destination().await;
    assert_eq!(dest.instance_id.as_deref(), Some("rm-new-dest"));
    assert_eq!(dest.user_name.as_deref(), Some("writer2"));

    // Suspend and start.
    c.suspend_job(&JobStatusChange::job(SHOP_JOB))
        .await
        .unwrap();
    assert_eq!(
        c.describe_job(SHOP_JOB).await.unwrap().status,
        JobStatus::Suspending
    );
    c.start_job(&JobStatusChange::job(SHOP_JOB)).await.unwrap();
    wait_for_status(
        c,
        SHOP_JOB,
        &JobStatus::Synchronizing,
        Duration::from_secs(5),
    )
    .await;
}

#[tokio::test]
async fn a_new_job_walks_through_prechecking_and_initializing() {
    let mut world = World::sample();
    world.jobs[0].status = JobStatus::NotStarted;
    let emu = start(fast_config(), world).await;
    let c = client(&emu.url(), SignatureVersion::V3);
    c.start_job(&JobStatusChange::job(SHOP_JOB)).await.unwrap();
    let mut seen = vec![c.describe_job(SHOP_JOB).await.unwrap().status];
    while seen.last() != Some(&JobStatus::Synchronizing) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let s = c.describe_job(SHOP_JOB).await.unwrap().status;
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        assert!(seen.len() < 5, "{seen:?}");
    }
    assert_eq!(
        seen,
        [
            JobStatus::Prechecking,
            JobStatus::Initializing,
            JobStatus::Synchronizing
        ]
    );
}

#[tokio::test]
async fn modify_while_modifying_is_refused_then_retried_until_the_job_settles() {
    let emu = start(fast_config(), World::sample()).await;
    let list = json!({"shop": {"name": "shop", "all": true}});

    let strict = no_retry(&emu.url(), SignatureVersion::V3);
    strict
        .modify_job(&modify(db_list(&list), None))
        .await
        .unwrap();
    let err = strict
        .modify_job(&modify(db_list(&list), None))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code, "DTS.Msg.OperationDenied.JobStatusModifying");
    assert_eq!(api.http_status, Some(403));
    assert!(api.request_id.as_deref().is_some_and(|id| id.len() == 36));
    assert!(err.is_retryable());

    // The retrying client waits the modification out and then succeeds.
    let patient = client(&emu.url(), SignatureVersion::V3);
    patient
        .modify_job(&modify(db_list(&list), None))
        .await
        .unwrap();
    assert_eq!(emu.world().writes.len(), 2);
    assert!(emu.calls()["ModifyDtsJob"] > 3, "{:?}", emu.calls());
}

#[tokio::test]
async fn objects_cannot_change_while_the_job_is_paused() {
    let emu = start(fast_config(), World::sample()).await;
    let c = client(&emu.url(), SignatureVersion::V3);
    let request = ModifyDtsJob {
        resource_group_id: None,
        dts_instance_id: format!("dts{ANALYTICS_JOB}"),
        dts_job_id: None,
        synchronization_direction: None,
        client_token: None,
        change: db_list(&json!({"events": {"name": "events", "all": true}})),
    };
    let err = c.modify_job(&request).await.unwrap_err();
    assert_eq!(code(&err), "DTS.Msg.ModifyDenied.JobStatusNotRunning");
    assert!(
        !err.is_retryable(),
        "not worth retrying: someone must start the job"
    );
    assert!(err.to_string().contains("Suspending"));
}

#[tokio::test]
async fn a_client_token_makes_a_retried_write_idempotent() {
    let emu = start(fast_config(), World::sample()).await;
    let c = client(&emu.url(), SignatureVersion::V1);
    let list = json!({"shop": {"name": "shop", "all": true}});
    let first = c
        .modify_job(&modify(db_list(&list), Some("apply-1")))
        .await
        .unwrap();
    // Same token and parameters, even while the job is Modifying: the first answer again.
    let again = c
        .modify_job(&modify(db_list(&list), Some("apply-1")))
        .await
        .unwrap();
    assert_eq!(first.dts_job_id, again.dts_job_id);
    assert_ne!(first.request_id, again.request_id);
    let world = emu.world();
    assert_eq!(world.writes.len(), 1);
    assert_eq!(world.client_tokens[0].replays, 1);

    let other = json!({"other": {"name": "other", "all": true}});
    let err = c
        .modify_job(&modify(db_list(&other), Some("apply-1")))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "IdempotentParameterMismatch");
    let long = "x".repeat(65);
    let err = c
        .modify_job(&modify(db_list(&list), Some(&long)))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameter");
}

#[tokio::test]
async fn lost_answers_are_retried_without_writing_twice() {
    let mut config = fast_config();
    config.faults = Faults {
        lost_response_rate: 0.5,
        seed: Some(7),
        ..Faults::default()
    };
    let emu = start(config, World::sample()).await;
    let c = client(&emu.url(), SignatureVersion::V3);
    for i in 0..12 {
        let change = ModifyDtsJobChange::Reserved(format!(r#"{{"step":{i}}}"#));
        c.modify_job(&modify(change, Some(&format!("tok-{i}"))))
            .await
            .unwrap();
    }
    // Without a caller's token the client makes one per call and keeps it across retries.
    for i in 12..24 {
        let change = ModifyDtsJobChange::Reserved(format!(r#"{{"step":{i}}}"#));
        c.modify_job(&modify(change, None)).await.unwrap();
    }
    let world = emu.world();
    assert_eq!(world.writes.len(), 24, "each write applied exactly once");
    assert!(
        world.client_tokens[12..]
            .iter()
            .all(|t| t.token.starts_with("dtsform-")),
        "generated tokens"
    );
    let replays: u32 = world.client_tokens.iter().map(|t| t.replays).sum();
    assert!(
        replays > 0,
        "the seed loses some answers, so some tokens were replayed"
    );
    assert_eq!(u64::from(replays) + 24, emu.calls()["ModifyDtsJob"]);
}

#[tokio::test]
async fn no_attempt_outlasts_the_retry_deadline() {
    let mut config = fast_config();
    config.faults.latency = Duration::from_secs(5);
    let emu = start(config, World::sample()).await;
    let mut config = client_config(&emu.url(), SignatureVersion::V3);
    config.retry.deadline = Duration::from_millis(400);
    let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
    let started = std::time::Instant::now();
    let err = c.describe_job(SHOP_JOB).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn paging_stops_on_a_server_that_ignores_page_numbers() {
    // Every page is the same one row and the total says there are more.
    let app = axum::Router::new().fallback(|| async {
        json!({
            "RequestId": "R", "Success": true, "TotalRecordCount": 50,
            "DtsJobList": [{"DtsJobId": "only", "Status": "Synchronizing"}]
        })
        .to_string()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let c = client(&url, SignatureVersion::V3);
    let err = c
        .list_jobs(dtsform::cloud::alibaba::JobType::Sync)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("page 2 repeated"), "{err}");
}

#[tokio::test]
async fn the_form_content_type_is_matched_case_insensitively() {
    use dtsform::cloud::alibaba::request::{Signer, build, format_timestamp};
    let emu = start(fast_config(), World::sample()).await;
    let endpoint = dtsform::cloud::alibaba::endpoint::parse_endpoint(&emu.url()).unwrap();
    let credentials = emulator_credentials();
    let params = Params::default()
        .query("DtsInstanceId", SHOP_INSTANCE)
        .body("ModifyTypeEnum", "UPDATE_RESERVED")
        .body("Reserved", r#"{"a":1}"#);
    for version in BOTH {
        let signed = build(
            "ModifyDtsJob",
            &params,
            &Signer {
                endpoint: &endpoint,
                credentials: &credentials,
                version,
                timestamp: &format_timestamp(SystemTime::now()),
                nonce: &uuid::Uuid::new_v4().to_string(),
            },
        );
        let mut request = reqwest::Client::new().post(signed.url).body(signed.body);
        for (name, value) in signed.headers {
            let value = if name == "content-type" && version == SignatureVersion::V1 {
                // Unsigned in V1, so free to vary.
                "Application/X-WWW-Form-URLEncoded; charset=UTF-8".to_owned()
            } else {
                value
            };
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            200,
            "{version:?}: {}",
            response.text().await.unwrap()
        );
    }
}

#[tokio::test]
async fn unknown_jobs_and_regions_are_forbidden_instance_not_found() {
    let emu = start(fast_config(), World::sample()).await;
    let c = client(&emu.url(), SignatureVersion::V3);
    let err = c.describe_job("nosuchjob").await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code, "Forbidden.InstanceNotFound");
    assert_eq!(api.http_status, Some(404));
    assert!(api.message.contains("nosuchjob"));
    assert!(!err.is_retryable());
    for op in ["start", "suspend"] {
        let r = if op == "start" {
            c.start_job(&JobStatusChange::job("nosuchjob")).await
        } else {
            c.suspend_job(&JobStatusChange::job("nosuchjob")).await
        };
        assert_eq!(code(&r.unwrap_err()), "Forbidden.InstanceNotFound", "{op}");
    }
    let mut config = client_config(&emu.url(), SignatureVersion::V3);
    config.region = "cn-shanghai".into();
    let elsewhere = AlibabaClient::new(config, emulator_credentials()).unwrap();
    assert_eq!(
        code(&elsewhere.describe_job(SHOP_JOB).await.unwrap_err()),
        "Forbidden.InstanceNotFound"
    );
    assert!(
        elsewhere
            .list_sync_and_migration_jobs()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn bad_credentials_are_rejected_with_both_signature_versions() {
    let emu = start(fast_config(), World::sample()).await;
    for version in BOTH {
        let c = AlibabaClient::new(
            client_config(&emu.url(), version),
            Credentials::new("dtsform-emulator", "wrong-secret-value"),
        )
        .unwrap();
        let err = c.describe_job(SHOP_JOB).await.unwrap_err();
        assert_eq!(code(&err), "SignatureDoesNotMatch", "{version:?}");
        assert!(!err.to_string().contains("wrong-secret-value"));
        // A form body is signed too.
        let err = c
            .modify_job(&modify(db_list(&json!({"a": {}})), None))
            .await
            .unwrap_err();
        assert_eq!(code(&err), "SignatureDoesNotMatch", "{version:?}");

        let c = AlibabaClient::new(
            client_config(&emu.url(), version),
            Credentials::new("nobody", "whatever"),
        )
        .unwrap();
        let err = c.describe_job(SHOP_JOB).await.unwrap_err();
        assert_eq!(code(&err), "InvalidAccessKeyId.NotFound", "{version:?}");
        assert_eq!(err.api().unwrap().http_status, Some(404));
    }
    assert!(emu.world().writes.is_empty());
}

struct SkewedClock(Duration);
impl Clock for SkewedClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() - self.0
    }
}

struct FixedNonce;
impl NonceSource for FixedNonce {
    fn nonce(&self) -> String {
        "same-nonce-every-time".into()
    }
}

#[tokio::test]
async fn expired_timestamps_and_reused_nonces_are_rejected() {
    let emu = start(fast_config(), World::sample()).await;
    for version in BOTH {
        let mut config = client_config(&emu.url(), version);
        config.signing.clock = Arc::new(SkewedClock(Duration::from_mins(16)));
        let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
        let err = c.describe_job(SHOP_JOB).await.unwrap_err();
        assert_eq!(code(&err), "InvalidTimeStamp.Expired", "{version:?}");

        let mut config = client_config(&emu.url(), version);
        config.signing.clock = Arc::new(SkewedClock(Duration::from_mins(14)));
        let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
        c.describe_job(SHOP_JOB)
            .await
            .expect("14 minutes of skew is tolerated");
    }

    let mut config = client_config(&emu.url(), SignatureVersion::V3);
    config.signing.nonces = Arc::new(FixedNonce);
    config.retry = RetryPolicy::none();
    let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
    c.describe_job(SHOP_JOB).await.unwrap();
    let err = c.describe_job(SHOP_JOB).await.unwrap_err();
    assert_eq!(code(&err), "SignatureNonceUsed");
}

#[tokio::test]
async fn throttling_is_retried_honouring_the_server_hint() {
    let mut config = fast_config();
    config.faults = Faults {
        rate_limit: Some(20.0),
        rate_burst: Some(2),
        ..Faults::default()
    };
    let emu = start(config, World::sample()).await;

    let strict = no_retry(&emu.url(), SignatureVersion::V3);
    let mut throttled = None;
    for _ in 0..5 {
        if let Err(e) = strict.describe_job(SHOP_JOB).await {
            throttled = Some(e);
            break;
        }
    }
    let err = throttled.expect("a burst of 2 at 20/s throttles 5 quick calls");
    let api = err.api().unwrap();
    assert_eq!(api.code, "Throttling.User");
    assert_eq!(api.http_status, Some(400));
    let hint = api.retry_after.expect("x-acs-retry-after");
    assert!(
        hint > Duration::ZERO && hint <= Duration::from_millis(50),
        "{hint:?}"
    );

    let c = client(&emu.url(), SignatureVersion::V3);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let c = c.clone();
        calls.spawn(async move { c.describe_job(SHOP_JOB).await });
    }
    while let Some(r) = calls.join_next().await {
        r.unwrap()
            .expect("every throttled call is retried to success");
    }
    assert!(
        emu.calls()["DescribeDtsJobDetail"] > 20,
        "some calls were throttled and retried"
    );
}

/// Each action has its own rate limit, as at the real service, and a schedule lowers it
/// while serving; refusals are counted per action.
#[tokio::test]
async fn the_rate_limit_is_per_action_and_follows_its_schedule() {
    let mut config = fast_config();
    config.faults = Faults {
        rate_limit: Some(1000.0),
        rate_burst: Some(5),
        rate_schedule: vec![(Duration::from_millis(300), 1.0)],
        ..Faults::default()
    };
    let emu = start(config, World::sample()).await;
    let strict = no_retry(&emu.url(), SignatureVersion::V3);
    // At 1,000/s with a burst of 5, ten calls 10 ms apart all pass.
    for _ in 0..10 {
        strict.describe_job(SHOP_JOB).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // At 1/s: what is left of the burst, then refusals.
    let mut refused = 0;
    for _ in 0..8 {
        if let Err(e) = strict.describe_job(SHOP_JOB).await {
            assert_eq!(code(&e), "Throttling.User");
            refused += 1;
        }
    }
    assert!(refused >= 3, "{refused}");
    // Another action is not held by this one's refusals.
    strict
        .list_jobs(dtsform::cloud::alibaba::JobType::Sync)
        .await
        .unwrap();
    let throttled = emu.throttled();
    assert_eq!(throttled.get("DescribeDtsJobDetail"), Some(&refused));
    assert_eq!(throttled.get("DescribeDtsJobs"), None);
}

#[tokio::test]
async fn server_failures_are_retried_up_to_the_policy_then_reported() {
    let mut config = fast_config();
    config.faults = Faults {
        failure_rate: 1.0,
        ..Faults::default()
    };
    let emu = start(config, World::sample()).await;
    let mut config = client_config(&emu.url(), SignatureVersion::V3);
    config.retry.max_attempts = 3;
    let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
    let err = c.describe_job(SHOP_JOB).await.unwrap_err();
    assert!(matches!(err, Error::GaveUp { attempts: 3, .. }), "{err}");
    let api = err.api().unwrap();
    assert_eq!(api.code, "ServiceUnavailable");
    assert_eq!(api.http_status, Some(503));
    assert_eq!(emu.calls()["DescribeDtsJobDetail"], 3);

    // A storm that lets some through: the retrying client gets everything done.
    emu.set_faults(Faults {
        failure_rate: 0.6,
        seed: Some(3),
        ..Faults::default()
    });
    let c = client(&emu.url(), SignatureVersion::V3);
    for _ in 0..10 {
        c.describe_job(SHOP_JOB).await.unwrap();
    }
}

#[tokio::test]
async fn transport_failures_are_retryable_and_never_show_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = client_config(&url, SignatureVersion::V1);
    config.retry.max_attempts = 2;
    let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
    let mut endpoint = ModifyDtsJobEndpoint::new(SHOP_JOB, EndpointSide::Source, "rds");
    endpoint.account = Some(("u".into(), Secret::new("db-password-123")));
    let err = c.modify_endpoint(&endpoint).await.unwrap_err();
    assert!(matches!(err, Error::GaveUp { attempts: 2, .. }), "{err}");
    let plain = format!("{err} {err:?}");
    let shown = format!("{plain} {:?}", miette::Report::new(err));
    for secret in [
        "db-password-123",
        "Signature",
        "dtsform-emulator-secret",
        "AccessKeyId",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("connection failed"), "{shown}");
}

/// (action, parameters, expected code, expected HTTP status) for requests the service refuses.
#[allow(clippy::too_many_lines)] // a table of cases, one per refused request
fn bad_requests() -> Vec<(&'static str, Params, &'static str, u16)> {
    let ids = |p: Params| {
        p.query("DtsInstanceId", SHOP_INSTANCE)
            .query("RegionId", "cn-hangzhou")
    };
    let oversize = format!(
        r#"{{"shop":{{"name":"shop","all":true,"filter":"{}"}}}}"#,
        "x".repeat(1024 * 1024)
    );
    vec![
        (
            "DescribeEverything",
            Params::default(),
            "InvalidApi.NotFound",
            404,
        ),
        (
            "ModifyDtsJob",
            ids(Params::default()).body("DbList", r#"{"shop":"#),
            "InvalidParameter",
            400,
        ),
        (
            "ModifyDtsJob",
            ids(Params::default()).body("DbList", "[1,2]"),
            "InvalidParameter",
            400,
        ),
        (
            "ModifyDtsJob",
            ids(Params::default()).body("DbList", oversize),
            "InvalidParameter",
            400,
        ),
        ("ModifyDtsJob", ids(Params::default()), "MissingDbList", 400),
        (
            "ModifyDtsJob",
            Params::default().body("DbList", "{}"),
            "MissingDtsInstanceId",
            400,
        ),
        (
            "ModifyDtsJob",
            ids(Params::default())
                .body("ModifyTypeEnum", "UPDATE_RESERVED")
                .body("Reserved", "nope"),
            "InvalidParameter",
            400,
        ),
        (
            "ModifyDtsJobEndpoint",
            Params::default()
                .query("DtsJobId", SHOP_JOB)
                .query("EndpointInstanceType", "rds"),
            "MissingEndpoint",
            400,
        ),
        (
            "ModifyDtsJobEndpoint",
            Params::default()
                .query("DtsJobId", SHOP_JOB)
                .query("Endpoint", "src")
                .query("EndpointInstanceType", "oracle9"),
            "InvalidParameter",
            400,
        ),
        (
            "ModifyDtsJobEndpoint",
            Params::default()
                .query("DtsJobId", SHOP_JOB)
                .query("Endpoint", "src")
                .query("EndpointInstanceType", "rds")
                .query("ModifyAccount", "true")
                .query("Username", "u"),
            "MissingPassword",
            400,
        ),
        ("StartDtsJob", Params::default(), "MissingDtsJobId", 400),
        (
            "DescribeDtsJobDetail",
            Params::default(),
            "MissingDtsJobId",
            400,
        ),
        (
            "DescribeDtsJobs",
            Params::default().query("PageSize", "1000"),
            "InvalidParameter",
            400,
        ),
        (
            "DescribeDtsJobs",
            Params::default().query("JobType", "EVERYTHING"),
            "InvalidParameter",
            400,
        ),
        (
            "DescribeDtsJobs",
            Params::default().query("WithoutDbList", "maybe"),
            "InvalidParameter",
            400,
        ),
    ]
}

#[tokio::test]
async fn bad_input_gets_the_real_error_shape_and_changes_nothing() {
    let emu = start(fast_config(), World::sample()).await;
    let c = no_retry(&emu.url(), SignatureVersion::V3);
    let cases = bad_requests();
    for (action, params, want, status) in cases {
        let err = c.call_params(action, &params).await.unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{action}: {err}"));
        assert_eq!(
            (api.code.as_str(), api.http_status),
            (want, Some(status)),
            "{action}: {}",
            api.message
        );
        assert!(
            !api.message.is_empty() && api.request_id.is_some(),
            "{action}"
        );
    }
    assert_eq!(
        emu.world(),
        World::sample(),
        "no bad request changed the world"
    );
}

#[tokio::test]
async fn lowercase_statuses_from_detail_are_normalised() {
    let mut config = fast_config();
    config.behaviour.lowercase_detail_status = true;
    let emu = start(config, World::sample()).await;
    let c = client(&emu.url(), SignatureVersion::V3);
    let raw = c
        .call_params(
            "DescribeDtsJobDetail",
            &Params::default().query("DtsJobId", SHOP_JOB),
        )
        .await
        .unwrap();
    assert_eq!(raw["Status"], "synchronizing");
    assert_eq!(
        c.describe_job(SHOP_JOB).await.unwrap().status,
        JobStatus::Synchronizing
    );
}

#[tokio::test]
async fn paging_follows_total_record_count_when_pages_are_capped() {
    let mut world = World::sample();
    let template = world.jobs[0].clone();
    for i in 0..45 {
        let mut job = template.clone();
        job.job_id = format!("bulk{i:03}");
        job.instance_id = format!("dtsbulk{i:03}");
        world.jobs.push(job);
    }
    let emu = start(fast_config(), world).await;
    let mut config = client_config(&emu.url(), SignatureVersion::V3);
    // Ask for more rows than the emulator's 100-row cap: the client must still page.
    config.page_size = 100;
    let c = AlibabaClient::new(config.clone(), emulator_credentials()).unwrap();
    assert_eq!(c.list_sync_and_migration_jobs().await.unwrap().len(), 49);
    config.page_size = 7;
    let c = AlibabaClient::new(config, emulator_credentials()).unwrap();
    let jobs = c
        .list_jobs(dtsform::cloud::alibaba::JobType::Sync)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 48);
    let mut ids: Vec<_> = jobs.iter().map(|j| j.dts_job_id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 48);
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    let mut config = ClientConfig::new("cn-hangzhou");
    config.endpoint = None;
    assert!(AlibabaClient::new(config.clone(), emulator_credentials()).is_ok());
    let err =
        dtsform::cloud::alibaba::endpoint::parse_endpoint("http://192.0.2.1:8417").unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    config.region = "not a region".into();
    assert!(AlibabaClient::new(config, emulator_credentials()).is_err());
}

// ---- Servers that echo, redirect or answer for another job ----

/// What a scripted server saw of one request: its query and form body, decoded, and
/// its headers.
#[derive(Debug, Clone)]
struct Seen {
    raw_query: String,
    query: Vec<(String, String)>,
    body: String,
    headers: Vec<(String, String)>,
}

type Handler = Arc<dyn Fn(&Seen) -> (u16, Vec<(String, String)>, String) + Send + Sync>;

/// A loopback server answering every request with `handler`; returns its URL and the
/// requests it saw.
async fn scripted(handler: Handler) -> (String, Arc<std::sync::Mutex<Vec<Seen>>>) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
    use axum::response::IntoResponse as _;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let handler = Arc::clone(&handler);
        let log = Arc::clone(&log);
        async move {
            let raw_query = uri.query().unwrap_or_default().to_owned();
            let request = Seen {
                query: form_urlencoded::parse(raw_query.as_bytes())
                    .into_owned()
                    .collect(),
                raw_query,
                body: String::from_utf8_lossy(&body).into_owned(),
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                    .collect(),
            };
            log.lock().unwrap().push(request.clone());
            let (status, extra, body) = handler(&request);
            let mut response = (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json;charset=utf-8")],
                body,
            )
                .into_response();
            for (name, value) in extra {
                response.headers_mut().insert(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(&value).unwrap(),
                );
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

const ECHO_PASSWORD: &str = "Pa55 w/rd+*~é";
const ECHO_TOKEN: &str = "CAIS+sts/token==";

/// Everything an error shows: Display, Debug, every source and the miette report.
fn everything_shown(err: Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push(' ');
        text.push_str(&s.to_string());
        source = s.source();
    }
    format!("{text} {:?}", miette::Report::new(err))
}

/// Every spelling of the secrets an echo could carry.
fn leaks(text: &str) -> Vec<String> {
    use dtsform::cloud::alibaba::sign::percent_encode;
    let mut spellings = Vec::new();
    for secret in [
        ECHO_PASSWORD,
        ECHO_TOKEN,
        dtsform::emulator::DEFAULT_ACCESS_KEY_ID,
    ] {
        spellings.push(secret.to_owned());
        spellings.push(percent_encode(secret));
        spellings.push(percent_encode(&percent_encode(secret)));
        spellings.push(serde_json::to_string(secret).unwrap());
    }
    spellings.push("Pa55".into());
    spellings
        .into_iter()
        .filter(|s| text.contains(s.as_str()))
        .collect()
}

fn echo_client(url: &str, version: SignatureVersion) -> AlibabaClient {
    let mut config = client_config(url, version);
    config.retry = RetryPolicy::none();
    AlibabaClient::new(
        config,
        emulator_credentials().with_security_token(Secret::new(ECHO_TOKEN)),
    )
    .unwrap()
}

fn endpoint_with_password() -> ModifyDtsJobEndpoint {
    let mut endpoint = ModifyDtsJobEndpoint::new(SHOP_JOB, EndpointSide::Source, "rds");
    endpoint.account = Some(("dts_user".into(), Secret::new(ECHO_PASSWORD)));
    endpoint
}

#[tokio::test]
async fn a_server_that_echoes_the_request_never_shows_a_secret() {
    use dtsform::cloud::alibaba::sign::percent_encode;
    // Every field of the error shape echoes the request: the decoded parameters, the raw
    // query, the V1 string to sign (the query encoded once more) and the headers.
    let (url, seen) = scripted(Arc::new(|r: &Seen| {
        let params = format!("{:?}", r.query);
        let password = r
            .query
            .iter()
            .find(|(k, _)| k == "Password")
            .map_or("-", |(_, v)| v.as_str());
        let to_sign = format!("POST&%2F&{}", percent_encode(&r.raw_query));
        (
            400,
            Vec::new(),
            json!({
                "Code": format!("InvalidParameter.{password}"),
                "Message": format!("Specified signature is not matched with our calculation. server string to sign is:{to_sign} params {params} body {} headers {:?}", r.body, r.headers),
                "RequestId": r.raw_query,
                "HostId": r.raw_query,
                "Recommend": format!("https://x/?q={}", r.raw_query),
            })
            .to_string(),
        )
    }))
    .await;
    for version in BOTH {
        let err = echo_client(&url, version)
            .modify_endpoint(&endpoint_with_password())
            .await
            .unwrap_err();
        let api = err.api().unwrap();
        assert!(api.code.starts_with("InvalidParameter."), "{api:?}");
        assert!(api.message.contains("Password%3D****"), "{}", api.message);
        let shown = everything_shown(err);
        assert_eq!(leaks(&shown), Vec::<String>::new(), "{version:?}: {shown}");
    }
    // The password really was on the wire, where it belongs.
    assert!(seen.lock().unwrap().iter().all(|r| {
        r.query
            .iter()
            .any(|(k, v)| k == "Password" && v == ECHO_PASSWORD)
    }));

    // A 200 that says `Success: false`, echoing in ErrMessage and DynamicMessage.
    let (url, _) = scripted(Arc::new(|r: &Seen| {
        (
            200,
            Vec::new(),
            json!({
                "RequestId": "R", "Success": false, "ErrCode": "InvalidParameter",
                "ErrMessage": "bad %s", "DynamicMessage": r.raw_query,
            })
            .to_string(),
        )
    }))
    .await;
    let err = echo_client(&url, SignatureVersion::V3)
        .modify_endpoint(&endpoint_with_password())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Password=****"), "{err}");
    let shown = everything_shown(err);
    assert_eq!(leaks(&shown), Vec::<String>::new(), "{shown}");
}

#[tokio::test]
async fn a_password_echoed_by_a_later_call_is_masked_too() {
    // The client remembers what it sent: a later read whose error quotes the password
    // (say, a job that failed to log in) is masked as well.
    let (url, _) = scripted(Arc::new(|r: &Seen| {
        let action = r
            .headers
            .iter()
            .find(|(k, _)| k == "x-acs-action")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if action == "ModifyDtsJobEndpoint" {
            (200, Vec::new(), json!({"RequestId": "R", "Success": true}).to_string())
        } else {
            (
                500,
                Vec::new(),
                json!({"Code": "InternalError", "Message": format!("login as dts_user/{ECHO_PASSWORD} failed"), "RequestId": "R2"})
                    .to_string(),
            )
        }
    }))
    .await;
    let c = echo_client(&url, SignatureVersion::V3);
    c.modify_endpoint(&endpoint_with_password()).await.unwrap();
    let err = c.clone().describe_job(SHOP_JOB).await.unwrap_err();
    let shown = everything_shown(err);
    assert!(shown.contains("dts_user/****"), "{shown}");
    assert_eq!(leaks(&shown), Vec::<String>::new());
}

#[tokio::test]
async fn huge_and_control_laden_server_text_is_capped_and_escaped() {
    let (url, _) = scripted(Arc::new(|_: &Seen| {
        (
            400,
            Vec::new(),
            json!({
                "Code": format!("Bad\u{1b}[2J{}", "C".repeat(1_000_000)),
                "Message": format!("\u{1b}]0;pwned\u{7}\r\u{8}\u{202e}{}", "M".repeat(30_000_000)),
                "RequestId": "R\u{1b}[31m".repeat(100_000),
            })
            .to_string(),
        )
    }))
    .await;
    let err = no_retry(&url, SignatureVersion::V3)
        .describe_job(SHOP_JOB)
        .await
        .unwrap_err();
    // Display and Debug (the report adds its own colour codes on a terminal).
    let plain = format!("{err} {err:?}");
    for control in ['\u{1b}', '\u{7}', '\r', '\u{8}', '\u{202e}'] {
        assert!(!plain.contains(control), "{control:?} in {plain:.200}");
    }
    assert!(
        plain.contains("\\u{1b}]0;pwned\\u{7}\\u{d}\\u{8}\\u{202e}MMM"),
        "{plain:.300}"
    );
    assert!(plain.contains("more characters cut"), "{plain:.300}");
    let shown = everything_shown(err);
    assert!(shown.len() < 20_000, "{} bytes shown", shown.len());
}

#[tokio::test]
async fn redirects_are_never_followed() {
    // Where a redirect points: it records whether anyone came.
    let (elsewhere, hits) = scripted(Arc::new(|_: &Seen| {
        (
            200,
            Vec::new(),
            json!({"RequestId": "R", "Success": true, "DtsJobId": SHOP_JOB}).to_string(),
        )
    }))
    .await;
    for status in [301, 302, 303, 307, 308] {
        let target = format!("{elsewhere}/stolen?x=1");
        let (url, _) = scripted(Arc::new(move |_: &Seen| {
            (
                status,
                vec![("location".to_owned(), target.clone())],
                String::new(),
            )
        }))
        .await;
        for version in BOTH {
            let err = echo_client(&url, version)
                .modify_endpoint(&endpoint_with_password())
                .await
                .unwrap_err();
            assert!(
                matches!(&err, Error::Redirected { status: s, location: Some(l), .. } if *s == status && *l == elsewhere),
                "{err:?}"
            );
            assert!(!err.is_retryable());
            let text = err.to_string();
            assert!(text.contains("does not follow redirects"), "{text}");
            assert!(!text.contains("stolen"), "only the origin is named: {text}");
        }
    }
    assert!(
        hits.lock().unwrap().is_empty(),
        "the signed request went elsewhere"
    );
}

#[tokio::test]
async fn a_detail_about_another_job_or_no_job_is_refused() {
    for (answered_id, says) in [
        (json!("someone-else"), "answered about job \"someone-else\""),
        (json!(null), "answered about no job id"),
        (json!(""), "answered about no job id"),
    ] {
        let body = json!({
            "RequestId": "R", "Success": true, "DtsJobId": answered_id, "Status": "Synchronizing",
            "DbObject": "{\"other\":{\"name\":\"other\",\"all\":true}}",
        })
        .to_string();
        let (url, _) = scripted(Arc::new(move |_: &Seen| (200, Vec::new(), body.clone()))).await;
        let err = no_retry(&url, SignatureVersion::V3)
            .describe_job(SHOP_JOB)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::OtherJob { .. }), "{err:?}");
        assert!(!err.is_retryable());
        let text = err.to_string();
        assert!(
            text.contains(&format!("asked about job \"{SHOP_JOB}\"")),
            "{text}"
        );
        assert!(text.contains(says), "{text}");
    }
}

#[tokio::test]
async fn a_db_object_sent_as_a_json_object_is_read_as_the_object_list() {
    let db_object = json!({"shop": {"name": "shop", "all": false, "Table": {
        "orders": {"name": "orders", "all": true}}}});
    let body = json!({
        "RequestId": "R", "Success": true, "DtsJobId": SHOP_JOB, "DtsInstanceID": SHOP_INSTANCE,
        "Status": "Synchronizing", "DbObject": db_object.clone(),
    })
    .to_string();
    let (url, _) = scripted(Arc::new(move |_: &Seen| (200, Vec::new(), body.clone()))).await;
    let job = no_retry(&url, SignatureVersion::V3)
        .describe_job(SHOP_JOB)
        .await
        .unwrap();
    assert_eq!(objects(job.db_object.as_deref()), db_object);
    let live = dtsform::plan::LiveJob::from_detail(job).unwrap();
    assert!(live.objects.is_some(), "read as a list, not as absent");

    // A DbObject that is no list at all is reported, never taken as empty or absent.
    let body =
        json!({"RequestId": "R", "DtsJobId": SHOP_JOB, "Status": "Synchronizing", "DbObject": 42})
            .to_string();
    let (url, _) = scripted(Arc::new(move |_: &Seen| (200, Vec::new(), body.clone()))).await;
    let job = no_retry(&url, SignatureVersion::V3)
        .describe_job(SHOP_JOB)
        .await
        .unwrap();
    let err = dtsform::plan::LiveJob::from_detail(job).unwrap_err();
    assert!(err.contains("DbObject"), "{err}");
}
