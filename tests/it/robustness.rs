//! The emulator never panics, never hangs and never corrupts its world file, whatever it
//! is sent: correctly signed requests with random actions and parameters, and unsigned
//! garbage. Every answer has the service's error shape.

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use dtsform::cloud::alibaba::request::Params;
use dtsform::cloud::alibaba::{AlibabaClient, SignatureVersion};
use dtsform::cloud::{Error, RetryPolicy};
use dtsform::emulator::{Emulator, RunningEmulator, World};
use proptest::prelude::*;
use serde_json::Value;

use crate::support::{client_config, emulator_credentials, fast_config};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    emulator: RunningEmulator,
    state: PathBuf,
    _dir: tempfile::TempDir,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    World::sample().save(&state).unwrap();
    let mut config = fast_config();
    config.behaviour.modify_duration = Duration::from_millis(5);
    let emulator = runtime.block_on(async {
        Emulator::new(config, World::sample())
            .persist_to(&state)
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    });
    Fixture {
        runtime,
        emulator,
        state,
        _dir: dir,
    }
});

const ACTIONS: &[&str] = &[
    "DescribeDtsJobDetail",
    "DescribeDtsJobs",
    "ModifyDtsJob",
    "ModifyDtsJobEndpoint",
    "StartDtsJob",
    "SuspendDtsJob",
];

const NAMES: &[&str] = &[
    "DtsJobId",
    "DtsInstanceId",
    "DtsInstanceID",
    "RegionId",
    "DbList",
    "Reserved",
    "ModifyTypeEnum",
    "ClientToken",
    "Endpoint",
    "EndpointInstanceType",
    "EndpointPort",
    "ModifyAccount",
    "Username",
    "Password",
    "DryRun",
    "PageSize",
    "PageNumber",
    "JobType",
    "WithoutDbList",
    "SynchronizationDirection",
    "Status",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("k2gm967v16f".to_owned()),
        Just("dtsk2gm967v16f".to_owned()),
        Just("cn-hangzhou".to_owned()),
        Just("UPDATE_RESERVED".to_owned()),
        Just("src".to_owned()),
        Just("rds".to_owned()),
        Just("true".to_owned()),
        Just("False".to_owned()),
        Just(r#"{"shop":{"name":"shop","all":true}}"#.to_owned()),
        Just(r#"{"shop":{"Table":{"t":{"all":"yes","filter":null}}}}"#.to_owned()),
        "-?[0-9]{1,12}",
        ".{0,40}",
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn params() -> impl Strategy<Value = Params> {
    let name = prop_oneof![
        proptest::sample::select(NAMES).prop_map(str::to_owned),
        "[A-Za-z]{1,12}"
    ];
    proptest::collection::vec((name, value(), any::<bool>()), 0..8).prop_map(|items| {
        items
            .into_iter()
            .fold(Params::default(), |p, (k, v, in_body)| {
                if in_body {
                    p.body(&k, v)
                } else {
                    p.query(&k, v)
                }
            })
    })
}

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(ACTIONS).prop_map(str::to_owned),
        1 => "[A-Za-z.]{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn signed_random_requests_get_a_well_formed_answer(
        action in action(),
        params in params(),
        v1 in any::<bool>(),
    ) {
        let f = &*FIXTURE;
        let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V3 };
        let mut config = client_config(&f.emulator.url(), version);
        config.retry = RetryPolicy::none();
        let client = AlibabaClient::new(config, emulator_credentials()).unwrap();
        let result = f.runtime.block_on(client.call_params(&action, &params));
        match result {
            Ok(body) => prop_assert_eq!(&body["Success"], &Value::Bool(true)),
            Err(Error::Api(api)) => {
                prop_assert!(!api.code.is_empty() && !api.message.is_empty(), "{:?}", api);
                prop_assert!(api.request_id.is_some());
                prop_assert!(matches!(api.http_status, Some(400..=599)), "{:?}", api);
                prop_assert!(api.code != "InternalError", "a panic was caught: {:?}", api);
            }
            Err(other) => prop_assert!(false, "not an API answer: {other}"),
        }
        World::load(&f.state).expect("the world file is always valid");
    }

    #[test]
    fn unsigned_garbage_gets_a_json_error(
        method in proptest::sample::select(&["GET", "POST", "PUT", "DELETE", "PATCH"][..]),
        path in "/[a-z?=&%]{0,12}",
        header in ("[a-z-]{1,20}", "[ -~]{0,40}"),
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let f = &*FIXTURE;
        let url = format!("{}{}", f.emulator.url(), path);
        let (status, content_type, text) = f.runtime.block_on(async {
            let response = reqwest::Client::new()
                .request(method.parse().unwrap(), &url)
                .header(header.0.as_str(), header.1.as_str())
                .body(body.clone())
                .send()
                .await
                .expect("the emulator always answers");
            let status = response.status().as_u16();
            let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
            (status, content_type, response.text().await.unwrap())
        });
        prop_assert!((400..500).contains(&status), "{status} {text}");
        prop_assert_eq!(content_type.as_deref(), Some("application/json;charset=utf-8"));
        let json: Value = serde_json::from_str(&text).unwrap();
        prop_assert!(json["Code"].is_string() && json["RequestId"].is_string() && json["Message"].is_string());
    }
}

#[test]
fn an_oversize_body_is_refused_before_it_is_read_whole() {
    let f = &*FIXTURE;
    let (status, text) = f.runtime.block_on(async {
        let r = reqwest::Client::new()
            .post(f.emulator.url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![b'a'; dtsform::emulator::MAX_BODY_BYTES + 1])
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    });
    assert_eq!(status, 413);
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["Code"], "InvalidParameter");
}
