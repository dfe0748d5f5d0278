//! The emulator's Tencent Cloud DTS side (API 2018-03-30) over real HTTP: raw requests
//! signed with `cloud::tencent::sign`, against an in-process emulator that also serves
//! Alibaba's API on the same address. Every answer must be HTTP 200 with
//! `Content-Type: application/json` exactly, errors included.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dtsform::cloud::alibaba::SignatureVersion;
use dtsform::cloud::tencent::sign::{Input, sign};
use dtsform::emulator::world::CheckStatus;
use dtsform::emulator::{
    DEFAULT_TENCENT_SECRET_ID, DEFAULT_TENCENT_SECRET_KEY, Emulator, EmulatorConfig,
    RunningEmulator, World,
};
use serde_json::{Value, json};

use crate::support::{SHOP_JOB, client, fast_config, start};

/// The sample world's Tencent jobs (ap-guangzhou unless said otherwise).
const SHOP: &str = "dts-6r2kq0mz"; // 4 CheckPass, two databases selected
const CRM: &str = "dts-3nw8tx5c"; // 7 Running
const ARCHIVE: &str = "dts-0pb7ye4d"; // 1 Creating, whole instance
const BILLING: &str = "dts-9fh2ua6s"; // 10 Failed, ap-shanghai
const REGION: &str = "ap-guangzhou";

fn tencent_config() -> EmulatorConfig {
    let mut config = fast_config();
    // Tests see a check while it runs (status 3), between calls a loaded machine may
    // keep some hundreds of milliseconds apart.
    config.behaviour.check_duration = Duration::from_secs(1);
    config.behaviour.step_duration = Duration::from_millis(100);
    config
}

/// How to sign and frame one request; the defaults are what the official SDK sends.
#[derive(Clone)]
struct Request {
    action: String,
    body: String,
    version: String,
    region: Option<String>,
    secret_id: String,
    secret_key: String,
    timestamp: i64,
    content_type: String,
    /// Sign `x-tc-action` too, as the documentation's example does.
    sign_action: bool,
    language: Option<String>,
    /// `X-TC-Token`, the STS session token of temporary credentials.
    token: Option<String>,
}

impl Request {
    fn new(action: &str, body: &Value) -> Self {
        Self {
            action: action.into(),
            body: body.to_string(),
            version: "2018-03-30".into(),
            region: Some(REGION.into()),
            secret_id: DEFAULT_TENCENT_SECRET_ID.into(),
            secret_key: DEFAULT_TENCENT_SECRET_KEY.into(),
            timestamp: now(),
            content_type: "application/json".into(),
            sign_action: false,
            language: None,
            token: None,
        }
    }
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// An answer, after checking the transport promises every answer keeps.
struct Answer {
    response: Value,
}

impl Answer {
    fn error_code(&self) -> Option<&str> {
        self.response["Error"]["Code"].as_str()
    }

    fn error_message(&self) -> &str {
        self.response["Error"]["Message"]
            .as_str()
            .unwrap_or_default()
    }

    /// The fields of a successful answer.
    fn ok(self) -> Value {
        assert!(self.error_code().is_none(), "{}", self.response);
        self.response
    }

    fn code(&self) -> &str {
        self.error_code()
            .unwrap_or_else(|| panic!("expected an error: {}", self.response))
    }
}

struct Tc {
    http: reqwest::Client,
    url: String,
    host: String,
}

impl Tc {
    fn new(emu: &RunningEmulator) -> Self {
        Self {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            url: emu.url(),
            host: emu.addr().to_string(),
        }
    }

    async fn call(&self, action: &str, body: Value) -> Answer {
        self.send(&Request::new(action, &body)).await
    }

    async fn send(&self, r: &Request) -> Answer {
        let mut signed = vec![
            ("content-type", r.content_type.as_str()),
            ("host", self.host.as_str()),
        ];
        if r.sign_action {
            signed.push(("x-tc-action", r.action.as_str()));
        }
        let signature = sign(
            &Input {
                method: "POST",
                query: "",
                headers: &signed,
                payload: r.body.as_bytes(),
                timestamp: r.timestamp,
                service: "dts",
            },
            &r.secret_key,
        )
        .unwrap();
        let mut request = self
            .http
            .post(format!("{}/", self.url))
            .header("Content-Type", &r.content_type)
            .header("X-TC-Action", &r.action)
            .header("X-TC-Version", &r.version)
            .header("X-TC-Timestamp", r.timestamp.to_string())
            .header("Authorization", signature.authorization(&r.secret_id))
            .body(r.body.clone());
        if let Some(region) = &r.region {
            request = request.header("X-TC-Region", region);
        }
        if let Some(language) = &r.language {
            request = request.header("X-TC-Language", language);
        }
        if let Some(token) = &r.token {
            request = request.header("X-TC-Token", token);
        }
        answer(request.send().await.unwrap()).await
    }

    /// A GET, parameters flattened into the query (`Limit=1`), as the SDK sends it with
    /// `reqMethod="GET"`.
    async fn get(&self, action: &str, query: &str) -> Answer {
        let content_type = "application/x-www-form-urlencoded";
        let timestamp = now();
        let signature = sign(
            &Input {
                method: "GET",
                query,
                headers: &[("content-type", content_type), ("host", &self.host)],
                payload: b"",
                timestamp,
                service: "dts",
            },
            DEFAULT_TENCENT_SECRET_KEY,
        )
        .unwrap();
        let response = self
            .http
            .get(format!("{}/?{query}", self.url))
            .header("Content-Type", content_type)
            .header("X-TC-Action", action)
            .header("X-TC-Version", "2018-03-30")
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", REGION)
            .header(
                "Authorization",
                signature.authorization(DEFAULT_TENCENT_SECRET_ID),
            )
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    async fn job(&self, id: &str) -> Value {
        let list = self
            .call("DescribeMigrateJobs", json!({"JobId": id}))
            .await
            .ok();
        assert_eq!(list["TotalCount"], 1, "{list}");
        list["JobList"][0].clone()
    }

    async fn wait_for_status(&self, id: &str, status: u64) -> Vec<u64> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut seen = Vec::new();
        loop {
            let now = self.job(id).await["Status"].as_u64().unwrap();
            if seen.last() != Some(&now) {
                seen.push(now);
            }
            if now == status {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "{id} went {seen:?}, not to {status}"
            );
            // Well under 20 per second: the default rate limit counts these too, with
            // the test's other calls in the same second.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Checks the transport promises (HTTP 200, `application/json` exactly, a lower-case
/// UUID `RequestId`) and unwraps `Response`.
async fn answer(response: reqwest::Response) -> Answer {
    assert_eq!(response.status(), 200);
    let content_types: Vec<_> = response
        .headers()
        .get_all("content-type")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(content_types, ["application/json"]);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let object = body.as_object().unwrap();
    assert_eq!(object.len(), 1, "only Response: {body}");
    let response = body["Response"].clone();
    let request_id = response["RequestId"].as_str().unwrap();
    assert_eq!(request_id.len(), 36, "{request_id}");
    assert_eq!(request_id, request_id.to_ascii_lowercase());
    assert!(uuid::Uuid::parse_str(request_id).is_ok());
    if let Some(error) = response.get("Error") {
        let keys: Vec<_> = error.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Code", "Message"], "{response}");
        assert_eq!(response.as_object().unwrap().len(), 2, "{response}");
    }
    Answer { response }
}

#[tokio::test]
async fn every_action_round_trips_modify_check_start() {
    let emu = start(tencent_config(), World::sample()).await;
    let tc = Tc::new(&emu);

    // Listing: region-scoped, paged, filtered.
    let all = tc.call("DescribeMigrateJobs", json!({})).await.ok();
    assert_eq!(all["TotalCount"], 3);
    let ids: Vec<_> = all["JobList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["JobId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [SHOP, CRM, ARCHIVE]);
    let page = tc
        .call("DescribeMigrateJobs", json!({"Offset": 2, "Limit": 1}))
        .await
        .ok();
    assert_eq!(page["TotalCount"], 3);
    assert_eq!(page["JobList"][0]["JobId"], ARCHIVE);
    assert_eq!(page["JobList"].as_array().unwrap().len(), 1);
    let named = tc
        .call("DescribeMigrateJobs", json!({"JobName": "crm-migrate"}))
        .await
        .ok();
    assert_eq!(named["JobList"][0]["JobId"], CRM);

    // The shop job as seeded: CheckPass, two databases.
    let shop = tc.job(SHOP).await;
    assert_eq!(shop["Status"], 4);
    assert_eq!(
        shop["DatabaseInfo"],
        r#"[{"Database":"shop","Table":["orders","customers"]},{"Database":"audit"}]"#
    );
    assert_eq!(shop["SrcInfo"]["Password"], "");

    // Full overwrite: the new list, byte for byte; orders, customers and audit are gone.
    let info = r#"[{"Database":"shop","Table":["payments"]}]"#;
    let modified = tc
        .call(
            "ModifyMigrateJob",
            json!({"JobId": SHOP, "JobName": "shop-migrate", "DatabaseInfo": info,
                   "MigrateOption": {"RunMode": 1, "MigrateType": 3, "MigrateObject": 2, "ConsistencyType": 5, "IsOverrideRoot": 0},
                   "SrcAccessType": "cdb",
                   "SrcInfo": {"InstanceId": "cdb-3kwa7x1p", "Region": REGION, "User": "dts_reader", "Password": "pw-never-stored"},
                   "DstAccessType": "cdb",
                   "DstInfo": {"InstanceId": "cdb-9mzq4e2t", "Region": REGION, "ReadOnly": 0, "User": "dts_writer", "Password": "pw-never-stored"}}),
        )
        .await
        .ok();
    assert_eq!(
        modified.as_object().unwrap().len(),
        1,
        "only RequestId: {modified}"
    );
    let shop = tc.job(SHOP).await;
    assert_eq!(shop["DatabaseInfo"], info);
    assert_eq!(shop["Status"], 1, "a modified job must be checked again");
    assert_eq!(shop["SrcInfo"]["Password"], "");
    let check = tc
        .call("DescribeMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    assert_eq!(check["Status"], "unavailable", "the old check is forgotten");
    assert_eq!(check["CheckFlag"], 3);

    // Check: 3 while it runs, then 4.
    tc.call("CreateMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    let running = tc
        .call("DescribeMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    assert_eq!(running["Status"], "running", "{running}");
    assert_eq!(tc.wait_for_status(SHOP, 4).await, [3, 4]);
    let done = tc
        .call("DescribeMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    assert_eq!(
        (
            &done["Status"],
            &done["ErrorCode"],
            &done["ErrorMessage"],
            &done["Progress"],
            &done["CheckFlag"]
        ),
        (
            &json!("finished"),
            &json!(0),
            &json!("ok"),
            &json!("100"),
            &json!(1)
        )
    );

    // Start: 6 for a step, then 7.
    tc.call("StartMigrateJob", json!({"JobId": SHOP}))
        .await
        .ok();
    let seen = tc.wait_for_status(SHOP, 7).await;
    assert!(seen == [6, 7] || seen == [7], "{seen:?}");
    let running = tc.job(SHOP).await;
    assert_ne!(running["StartTime"], "0000-00-00 00:00:00");

    let world = emu.world();
    let log: Vec<_> = world
        .writes
        .iter()
        .map(|w| (w.action.as_str(), w.job_id.as_str(), w.what.as_str()))
        .collect();
    assert_eq!(
        log,
        [
            ("ModifyMigrateJob", SHOP, "modify"),
            ("CreateMigrateCheckJob", SHOP, "check"),
            ("StartMigrateJob", SHOP, "start"),
        ]
    );
    assert!(
        !serde_json::to_string(&world)
            .unwrap()
            .contains("pw-never-stored")
    );
    assert_eq!(emu.calls()["ModifyMigrateJob"], 1);
}

#[tokio::test]
async fn a_running_job_cannot_be_modified_checked_or_started() {
    let emu = start(tencent_config(), World::sample()).await;
    let tc = Tc::new(&emu);
    let info = json!({"JobId": CRM, "DatabaseInfo": r#"[{"Database":"crm"}]"#});
    let refused = tc.call("ModifyMigrateJob", info).await;
    assert_eq!(refused.code(), "FailedOperation.StatusInConflict");
    assert!(
        refused.error_message().contains("7 (Running)"),
        "{}",
        refused.error_message()
    );
    for action in ["CreateMigrateCheckJob", "StartMigrateJob"] {
        let refused = tc.call(action, json!({"JobId": CRM})).await;
        assert_eq!(
            refused.code(),
            "FailedOperation.StatusInConflict",
            "{action}"
        );
    }
    // A new job cannot start before a check passed.
    let early = tc.call("StartMigrateJob", json!({"JobId": ARCHIVE})).await;
    assert_eq!(early.code(), "FailedOperation.StatusInConflict");
    assert!(emu.world().writes.is_empty());
    assert_eq!(tc.job(CRM).await["DatabaseInfo"], r#"[{"Database":"crm"}]"#);
}

#[tokio::test]
async fn a_selection_naming_a_missing_table_fails_its_check() {
    let mut config = tencent_config();
    config.behaviour.tencent_missing_tables = vec!["shop.ghost".into()];
    let emu = start(config, World::sample()).await;
    let tc = Tc::new(&emu);
    let info = r#"[{"Database":"shop","Table":["orders","ghost"]}]"#;
    tc.call(
        "ModifyMigrateJob",
        json!({"JobId": SHOP, "DatabaseInfo": info}),
    )
    .await
    .ok();
    tc.call("CreateMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    assert_eq!(tc.wait_for_status(SHOP, 5).await, [3, 5]);
    let check = tc
        .call("DescribeMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    assert_eq!(check["Status"], "finished");
    assert_eq!(check["CheckFlag"], 0);
    assert_eq!(check["ErrorCode"], -1);
    assert_eq!(
        check["ErrorMessage"], "选择的库表不存在，请重新选择[存在输入参数table在源实例没有找到]",
        "the official example's message (zh-CN is the default language)"
    );
    let refused = tc.call("StartMigrateJob", json!({"JobId": SHOP})).await;
    assert_eq!(refused.code(), "FailedOperation.StatusInConflict");

    // Fixed and checked again: it passes. In en-US the failure names the table.
    let mut again = Request::new("CreateMigrateCheckJob", &json!({"JobId": SHOP}));
    again.language = Some("en-US".into());
    tc.send(&again).await.ok();
    tc.wait_for_status(SHOP, 5).await;
    let english = emu.world().tencent_jobs[0].check.clone().unwrap();
    assert_eq!(english.status, CheckStatus::Finished);
    assert!(
        english.message.contains("shop.ghost"),
        "{}",
        english.message
    );
    let fixed = r#"[{"Database":"shop","Table":["orders"]}]"#;
    tc.call(
        "ModifyMigrateJob",
        json!({"JobId": SHOP, "DatabaseInfo": fixed}),
    )
    .await
    .ok();
    tc.call("CreateMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();
    tc.wait_for_status(SHOP, 4).await;
}

#[tokio::test]
async fn signatures_keys_and_timestamps_are_checked() {
    let emu = start(tencent_config(), World::sample()).await;
    let tc = Tc::new(&emu);
    let base = Request::new("DescribeMigrateJobs", &json!({}));

    let mut wrong_key = base.clone();
    wrong_key.secret_key = "not-the-key".into();
    assert_eq!(
        tc.send(&wrong_key).await.code(),
        "AuthFailure.SignatureFailure"
    );

    let mut unknown_id = base.clone();
    unknown_id.secret_id = "AKIDnobody".into();
    assert_eq!(
        tc.send(&unknown_id).await.code(),
        "AuthFailure.SecretIdNotFound"
    );

    let mut expired = base.clone();
    expired.timestamp = now() - 400;
    assert_eq!(
        tc.send(&expired).await.code(),
        "AuthFailure.SignatureExpire"
    );
    let mut future = base.clone();
    future.timestamp = now() + 400;
    assert_eq!(tc.send(&future).await.code(), "AuthFailure.SignatureExpire");

    // The documentation's style: three signed headers, a charset, values lower-cased in
    // the canonical form (the server rebuilds them from SignedHeaders).
    let mut doc_style = base.clone();
    doc_style.sign_action = true;
    doc_style.content_type = "application/json; charset=utf-8".into();
    assert_eq!(tc.send(&doc_style).await.ok()["TotalCount"], 3);

    // An STS token is accepted unchecked.
    let mut token = base.clone();
    token.token = Some("any-session-token".into());
    tc.send(&token).await.ok();

    // The body is covered: the same signature over another body fails.
    let mut tampered = base.clone();
    tampered.body = json!({"Limit": 1}).to_string();
    let signature = sign(
        &Input {
            method: "POST",
            query: "",
            headers: &[("content-type", "application/json"), ("host", &tc.host)],
            payload: b"{}",
            timestamp: tampered.timestamp,
            service: "dts",
        },
        DEFAULT_TENCENT_SECRET_KEY,
    )
    .unwrap();
    let response = tc
        .http
        .post(format!("{}/", tc.url))
        .header("Content-Type", "application/json")
        .header("X-TC-Action", "DescribeMigrateJobs")
        .header("X-TC-Version", "2018-03-30")
        .header("X-TC-Timestamp", tampered.timestamp.to_string())
        .header("X-TC-Region", REGION)
        .header(
            "Authorization",
            signature.authorization(DEFAULT_TENCENT_SECRET_ID),
        )
        .body(tampered.body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(response).await.code(),
        "AuthFailure.SignatureFailure"
    );
    // Only authenticated calls are counted.
    assert_eq!(emu.calls()["DescribeMigrateJobs"], 2);
}

#[tokio::test]
async fn protocol_errors_have_the_common_codes() {
    let emu = start(tencent_config(), World::sample()).await;
    let tc = Tc::new(&emu);
    let cases: Vec<(Request, &str)> = vec![
        (
            Request::new("DescribeInstances", &json!({})),
            "InvalidAction",
        ),
        (
            Request::new("StopMigrateJob", &json!({"JobId": CRM})),
            "UnsupportedOperation",
        ),
        (
            Request {
                version: "2017-03-12".into(),
                ..Request::new("DescribeMigrateJobs", &json!({}))
            },
            "NoSuchVersion",
        ),
        (
            Request {
                version: "2021-12-06".into(),
                ..Request::new("DescribeMigrationJobs", &json!({}))
            },
            "UnsupportedOperation",
        ),
        (
            Request {
                region: None,
                ..Request::new("DescribeMigrateJobs", &json!({}))
            },
            "MissingParameter",
        ),
        (
            Request::new("DescribeMigrateJobs", &json!([1])),
            "InvalidParameter",
        ),
        (
            Request {
                body: "{not json".into(),
                ..Request::new("DescribeMigrateJobs", &json!({}))
            },
            "InvalidParameter",
        ),
        (
            Request::new("DescribeMigrateJobs", &json!({"Limit": 0})),
            "InvalidParameterValue",
        ),
        (
            Request::new("DescribeMigrateJobs", &json!({"Limit": 101})),
            "InvalidParameterValue",
        ),
        (
            Request::new("DescribeMigrateJobs", &json!({"Colour": "red"})),
            "UnknownParameter",
        ),
        (
            Request::new("StartMigrateJob", &json!({})),
            "MissingParameter",
        ),
        (
            Request::new(
                "ModifyMigrateJob",
                &json!({"JobId": SHOP, "SrcInfo": {"Passwd": "x"}}),
            ),
            "UnknownParameter",
        ),
        (
            Request::new(
                "ModifyMigrateJob",
                &json!({"JobId": SHOP, "DatabaseInfo": r#"[{"Database":"shop","Table":"orders"}]"#}),
            ),
            "InvalidParameterValue",
        ),
        (
            Request::new(
                "ModifyMigrateJob",
                &json!({"JobId": SHOP, "DstInfo": {"Region": "ap-beijing"}}),
            ),
            "InvalidParameterValue",
        ),
        (
            Request::new("DescribeMigrateCheckJob", &json!({"JobId": "dts-00000000"})),
            "ResourceNotFound.JobNotExist",
        ),
        // A job is found only in its own region.
        (
            Request::new("DescribeMigrateCheckJob", &json!({"JobId": BILLING})),
            "ResourceNotFound.JobNotExist",
        ),
    ];
    for (request, expect) in cases {
        let answer = tc.send(&request).await;
        assert_eq!(answer.code(), expect, "{} {}", request.action, request.body);
    }
    let missing = tc.call("StartMigrateJob", json!({})).await;
    assert_eq!(
        missing.error_message(),
        "The request is missing a required parameter `JobId`."
    );
    let not_found = tc.call("StartMigrateJob", json!({"JobId": BILLING})).await;
    assert_eq!(
        not_found.error_message(),
        "The migration task does not exist."
    );
    let shanghai = Request {
        region: Some("ap-shanghai".into()),
        ..Request::new("DescribeMigrateCheckJob", &json!({"JobId": BILLING}))
    };
    assert_eq!(tc.send(&shanghai).await.ok()["Status"], "unavailable");

    // Not even a signature: still 200 and the Tencent shape.
    let bare = tc
        .http
        .post(format!("{}/", tc.url))
        .header("X-TC-Action", "DescribeMigrateJobs")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(bare).await.code(),
        "AuthFailure.InvalidAuthorization"
    );
    let put = tc
        .http
        .put(format!("{}/", tc.url))
        .header("X-TC-Action", "DescribeMigrateJobs")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(put).await.code(), "UnsupportedProtocol");
    assert!(emu.world().writes.is_empty());
}

#[tokio::test]
async fn get_requests_carry_flattened_parameters() {
    let emu = start(tencent_config(), World::sample()).await;
    let tc = Tc::new(&emu);
    let page = tc.get("DescribeMigrateJobs", "Offset=1&Limit=1").await.ok();
    assert_eq!(page["TotalCount"], 3);
    assert_eq!(page["JobList"][0]["JobId"], CRM);
    let by_tag = tc
        .get(
            "DescribeMigrateJobs",
            "TagFilters.0.TagKey=owner&TagFilters.0.TagValue.0=shop-team",
        )
        .await
        .ok();
    assert_eq!(by_tag["JobList"][0]["JobId"], SHOP);
    let check = tc
        .get("DescribeMigrateCheckJob", &format!("JobId={SHOP}"))
        .await
        .ok();
    assert_eq!(check["CheckFlag"], 1);
}

#[tokio::test]
async fn the_rate_limit_is_per_action_with_the_real_message() {
    let emu = start(tencent_config(), World::sample()).await;
    let tc = Tc::new(&emu);
    // The documented 20 per second: the 21st call of an action within a second is refused.
    let mut limited = None;
    for _ in 0..60 {
        let answer = tc.call("DescribeMigrateJobs", json!({"Limit": 1})).await;
        if answer.error_code().is_some() {
            limited = Some(answer);
            break;
        }
    }
    let limited = limited.expect("some call is limited");
    assert_eq!(limited.code(), "RequestLimitExceeded");
    let message = limited.error_message();
    let count: u32 = message
        .strip_prefix("Your current request times equals to `")
        .and_then(|rest| rest.split_once('`'))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("{message}"));
    assert!(count > 20, "{message}");
    assert_eq!(
        message,
        format!(
            "Your current request times equals to `{count}` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."
        )
    );
    // Another action has its own count.
    tc.call("DescribeMigrateCheckJob", json!({"JobId": SHOP}))
        .await
        .ok();

    let mut config = tencent_config();
    config.tencent_rate_limit = 0;
    let unlimited = start(config, World::sample()).await;
    let tc = Tc::new(&unlimited);
    for _ in 0..30 {
        tc.call("DescribeMigrateJobs", json!({"Limit": 1}))
            .await
            .ok();
    }
}

#[tokio::test]
async fn both_clouds_share_one_address_and_one_world_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    World::sample().save(&path).unwrap();
    let emu = Emulator::new(tencent_config(), World::sample())
        .persist_to(&path)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let tc = Tc::new(&emu);
    let info = r#"[{"Database":"archive","Table":["y2025"]}]"#;
    tc.call(
        "ModifyMigrateJob",
        json!({"JobId": ARCHIVE, "MigrateOption": {"MigrateObject": 2, "MigrateType": 2, "RunMode": 1},
               "DatabaseInfo": info, "SrcInfo": {"Ip": "203.0.113.20", "Port": 3306, "User": "root", "Password": "pw-never-stored"}}),
    )
    .await
    .ok();
    let alibaba = client(&emu.url(), SignatureVersion::V3);
    assert_eq!(
        alibaba.describe_job(SHOP_JOB).await.unwrap().dts_job_id,
        SHOP_JOB
    );

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("pw-never-stored"));
    let saved = World::load(&path).unwrap();
    let archive = saved
        .tencent_jobs
        .iter()
        .find(|j| j.job_id == ARCHIVE)
        .unwrap();
    assert_eq!(archive.database_info, info);
    assert_eq!(archive.src_info["Port"], 3306);
    assert_eq!(saved.writes.len(), 1);
    assert_eq!(
        saved.jobs,
        World::sample().jobs,
        "the Alibaba jobs untouched"
    );
}

#[tokio::test]
async fn the_example_world_serves_its_tencent_jobs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/world.json");
    let world = World::load(&path).expect("examples/world.json stays valid");
    let emu = start(tencent_config(), world).await;
    let tc = Tc::new(&emu);
    let orders = tc.job("dts-k7m2p9qa").await;
    assert_eq!(orders["Status"], 4);
    assert_eq!(
        orders["DatabaseInfo"],
        r#"[{"Database":"orders","Table":["order_items","payments"]},{"Database":"refunds"}]"#
    );
    assert_eq!(orders["CreateTime"], "2026-02-01 17:30:00");
    assert_eq!(
        orders["Tags"],
        json!([{"TagKey": "team", "TagValue": "warehouse"}])
    );
    let shanghai = Request {
        region: Some("ap-shanghai".into()),
        ..Request::new("DescribeMigrateJobs", &json!({}))
    };
    let legacy = tc.send(&shanghai).await.ok();
    assert_eq!(legacy["JobList"][0]["SrcDatabaseType"], "postgresql");
    assert_eq!(
        legacy["JobList"][0]["MigrateOption"]["ExpectTime"],
        "2026-12-31 23:00:00"
    );
}
