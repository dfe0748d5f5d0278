//! The adaptive limit against the emulator: with no `rate_limit` and no
//! `--parallelism`, a plan finds the server's rate from its answers. (Its speed is
//! measured in BENCHMARKS.md, not here: these tests count answers, not seconds.)
//!
//! A test binary of its own: cargo runs test binaries one after another, so nothing else
//! (the integration tests' SDK virtualenv install, hundreds of other tests) competes for
//! the CPU while these count how often a server had to refuse — the count depends on the
//! client keeping its pace, which a saturated machine takes from it. For the same reason
//! its tests take turns ([`run`]), and each runs dtsform and the emulator on a runtime of
//! two worker threads, as the command does, rather than on one thread that both share.

#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::json;

use dtsform::clients::{Clients, EndpointOverride};
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::cloud::limiter::START_WINDOW;
use dtsform::config::{Config, Inputs};
use dtsform::emulator::tencent::world::TencentJob;
use dtsform::emulator::world::{Job, Kind};
use dtsform::emulator::{Faults, RunningEmulator, World};
use dtsform::env::Environment;
use dtsform::plan::fetch::{MAX_PARALLELISM, plan_all};
use support::{emulator_credentials, fast_config};

/// Runs one test's plan on a runtime of its own, one test at a time: they count
/// refusals, which depend on the pace the client keeps, and two cores are not enough for
/// three plans at once.
fn run(test: impl Future<Output = ()>) {
    static TURN: Mutex<()> = Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(test);
}

/// `n` sync jobs, `j0`…, each with one database.
fn world(n: usize) -> World {
    let mut world = World::sample();
    let template = world.jobs[0].clone();
    world.jobs = (0..n)
        .map(|i| Job {
            job_id: format!("j{i}"),
            instance_id: format!("dtsj{i}"),
            name: format!("job-{i}"),
            kind: Kind::Sync,
            db_list: json!({format!("db{i}"): {"name": format!("db{i}"), "all": true}})
                .as_object()
                .unwrap()
                .clone(),
            ..template.clone()
        })
        .collect();
    world
}

/// A configuration of the `n` jobs, its provider with no `rate_limit`.
fn config(n: usize) -> (tempfile::TempDir, Config) {
    let mut hcl = String::from("provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n");
    for i in 0..n {
        let _ = write!(
            hcl,
            "\nresource \"alicloud_dts_job\" \"j{i}\" {{\n  dts_job_id = \"j{i}\"\n  database \"db{i}\" {{}}\n}}\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    let config = dtsform::config::load(dir.path(), &Inputs::default())
        .unwrap_or_else(|e| panic!("config: {:?}", e.errors));
    (dir, config)
}

fn clients(config: &Config, emulator: &RunningEmulator) -> Clients {
    let target = EndpointOverride {
        endpoint: parse_endpoint(&emulator.url()).unwrap(),
        credentials: emulator_credentials(),
        tencent_credentials: support::tencent_credentials(),
    };
    Clients::new(config, &Environment::empty(), Some(&target)).unwrap()
}

/// Plans every job with no caps; panics on any error.
async fn plan(config: &Config, clients: &Clients) {
    let flags = dtsform::guard::Flags::default();
    for result in plan_all(config, clients, MAX_PARALLELISM, &flags).await {
        result.unwrap_or_else(|e| panic!("plan: {e:?}"));
    }
}

/// Plans `n` jobs against an emulator with `faults`; the clients, and the
/// DescribeDtsJobDetail calls the emulator counted and those it refused for the rate.
async fn plan_reads(n: usize, faults: Faults) -> (Clients, u64, u64) {
    let mut emulator_config = fast_config();
    emulator_config.faults = faults;
    let emulator = support::start(emulator_config, world(n)).await;
    let (_dir, config) = config(n);
    let clients = clients(&config, &emulator);
    plan(&config, &clients).await;
    let calls = emulator.calls()["DescribeDtsJobDetail"];
    let throttled = emulator
        .throttled()
        .get("DescribeDtsJobDetail")
        .copied()
        .unwrap_or(0);
    (clients, calls, throttled)
}

/// A fixed 20 requests per second was right against a server that allows 20 reads per
/// second; the learned rate must stay as right: all read, with few answers refused.
#[test]
fn a_plan_against_a_server_allowing_20_per_second_is_seldom_throttled() {
    run(a_plan_against_a_server_allowing_20_per_second_is_seldom_throttled_async());
}

async fn a_plan_against_a_server_allowing_20_per_second_is_seldom_throttled_async() {
    let n = 120;
    let (clients, calls, throttled) = plan_reads(
        n,
        Faults {
            rate_limit: Some(20.0),
            ..Faults::default()
        },
    )
    .await;
    assert_eq!(
        calls,
        n as u64 + throttled,
        "every job read once it was let through"
    );
    // Nothing is known at the start: the first round trip may be refused beyond the
    // server's burst; after that, seldom (the real figures are in BENCHMARKS.md).
    assert!(
        throttled <= START_WINDOW as u64 + calls / 20,
        "{throttled} of {calls} requests throttled"
    );
    // The client counted the same answers, and learned a rate near the server's.
    let traffic = clients.traffic();
    assert_eq!(traffic.len(), 1, "{traffic:?}");
    assert!(
        traffic[0].starts_with(&format!(
            "alicloud (cn-hangzhou): {calls} requests, {throttled} throttled"
        )),
        "{traffic:?}"
    );
}

/// A limit that drops while the plan runs is followed down: the refusals stay few.
#[test]
fn a_limit_that_drops_mid_plan_is_followed_down() {
    run(a_limit_that_drops_mid_plan_is_followed_down_async());
}

async fn a_limit_that_drops_mid_plan_is_followed_down_async() {
    let n = 150;
    let (_, calls, throttled) = plan_reads(
        n,
        Faults {
            rate_limit: Some(200.0),
            // A burst of a tenth of a second's worth: with a whole second's, the plan
            // would be over before the drop.
            rate_burst: Some(20),
            rate_schedule: vec![(Duration::from_millis(300), 40.0)],
            ..Faults::default()
        },
    )
    .await;
    assert_eq!(calls, n as u64 + throttled);
    // A probe at the start and one where the limit drops; seldom otherwise.
    assert!(
        throttled <= 2 * START_WINDOW as u64 + calls / 20,
        "{throttled} of {calls} requests throttled"
    );
}

/// The same against Tencent's documented limit of 20 calls per second per action
/// (answered `RequestLimitExceeded`), counted in fixed one-second windows: the server
/// admits a second's 20 at once and refuses the rest of that second, which the limiter
/// must read as a quota used up (it waits, one request at a time, for the next second)
/// rather than as a lower rate.
#[test]
fn a_tencent_plan_learns_the_per_action_limit() {
    run(a_tencent_plan_learns_the_per_action_limit_async());
}

async fn a_tencent_plan_learns_the_per_action_limit_async() {
    let n = 60;
    let mut world = World::sample();
    let template = world.tencent_jobs[0].clone();
    world.tencent_jobs = (0..n)
        .map(|i| TencentJob {
            job_id: format!("dts-{i:08}"),
            name: format!("job-{i}"),
            ..template.clone()
        })
        .collect();
    let region = template.region.clone();
    let mut hcl = format!("provider \"tencentcloud\" {{\n  region = \"{region}\"\n}}\n");
    for i in 0..n {
        let _ = write!(
            hcl,
            "\nresource \"tencentcloud_dts_migrate_job\" \"t{i}\" {{\n  job_id = \"dts-{i:08}\"\n}}\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    let config = dtsform::config::load(dir.path(), &Inputs::default())
        .unwrap_or_else(|e| panic!("config: {:?}", e.errors));
    let emulator = support::start(fast_config(), world).await;
    let clients = clients(&config, &emulator);
    plan(&config, &clients).await;

    let throttled = emulator.throttled().values().sum::<u64>();
    let calls = emulator.calls().values().sum::<u64>();
    assert!(
        throttled <= START_WINDOW as u64 + calls / 20,
        "{throttled} of {calls} requests throttled"
    );
    let traffic = clients.traffic();
    assert!(
        traffic[0].starts_with(&format!(
            "tencentcloud ({region}): {calls} requests, {throttled} throttled"
        )),
        "{traffic:?}"
    );
}
