//! Tencent `ModifyMigrateJob`'s settings applied against the emulator: each is written,
//! read back and converged, a re-run writes nothing, and no secret reaches the world.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{self, emulator_credentials, fast_config};
use dtsform::apply::ApplyOptions;
use dtsform::apply::{Cancel, FromConfig, PollPolicy, Progress, Summary, apply};
use dtsform::clients::{Clients, EndpointOverride};
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::config::{Config, Inputs};
use dtsform::emulator::tencent::world::TencentJob;
use dtsform::emulator::{EmulatorConfig, RunningEmulator, World};
use dtsform::env::Environment;
use dtsform::plan::Plan;
use dtsform::plan::fetch::plan_all;
use dtsform::plan::file::PlanFile;

fn options() -> ApplyOptions {
    ApplyOptions {
        parallelism: 4,
        operation_timeout: Duration::from_secs(20),
        poll: PollPolicy {
            min: Duration::from_millis(20),
            max: Duration::from_millis(200),
            share: 0.15,
        },
        read_back_grace: Duration::from_millis(300),
        stability_window: Duration::from_millis(300),
    }
}

fn emulator_config() -> EmulatorConfig {
    let mut config = fast_config();
    config.behaviour.check_duration = Duration::from_millis(200);
    config.tencent_rate_limit = 0;
    config
}

/// The configuration of a fixture directory (its `main.hcl`), aimed at an emulator.
struct Lab {
    emulator: RunningEmulator,
    dir: tempfile::TempDir,
}

impl Lab {
    async fn new(fixture: &str, world: World) -> Lab {
        let emulator = support::start(emulator_config(), world).await;
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/plan")
            .join(fixture)
            .join("main.hcl");
        std::fs::copy(from, dir.path().join("main.hcl")).unwrap();
        Lab { emulator, dir }
    }

    fn config(&self) -> Config {
        dtsform::config::load(self.dir.path(), &Inputs::default())
            .unwrap_or_else(|e| panic!("config: {:?}", e.errors))
    }

    fn clients(&self, config: &Config) -> Clients {
        let target = EndpointOverride {
            endpoint: parse_endpoint(&self.emulator.url()).unwrap(),
            credentials: emulator_credentials(),
            tencent_credentials: support::tencent_credentials(),
        };
        Clients::new(config, &Environment::empty(), Some(&target))
            .unwrap()
            .with_retry(&support::fast_retry())
    }

    async fn plan(&self) -> PlanFile {
        let config = self.config();
        let jobs = plan_all(
            &config,
            &self.clients(&config),
            8,
            &dtsform::guard::Flags::default(),
        )
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("plan: {e:?}")))
        .collect();
        let plan = Plan::build(&config, jobs);
        PlanFile::from_plan(&plan, self.dir.path(), "2026-12-07T00:00:00Z".into())
    }

    async fn apply(&self, plan: &PlanFile) -> Summary {
        let config = self.config();
        let progress = Progress::capture();
        let summary = apply(
            plan,
            &self.clients(&config),
            &FromConfig::new(&config),
            &options(),
            &Cancel::default(),
            &progress,
        )
        .await
        .unwrap_or_else(|e| panic!("apply refused the plan: {e:?}"));
        assert!(
            summary.is_complete(),
            "{summary:#?}\n{:#?}",
            progress.lines()
        );
        summary
    }

    fn job(&self, id: &str) -> TencentJob {
        self.emulator
            .world()
            .tencent_jobs
            .into_iter()
            .find(|j| j.job_id == id)
            .unwrap()
    }

    /// Applied, converged (planning again finds nothing), and idempotent (the same
    /// plan applied again finds every effect live and sends nothing).
    async fn apply_and_converge(&self) {
        let plan = self.plan().await;
        let writes = plan.jobs.iter().map(|j| j.operations.len()).sum::<usize>();
        assert!(writes > 0, "nothing planned");
        let summary = self.apply(&plan).await;
        assert_eq!(summary.applied(), writes, "{summary:#?}");
        let again = self.plan().await;
        assert!(
            again.jobs.iter().all(|j| j.operations.is_empty()),
            "{again:#?}"
        );
        let before = self.emulator.world().writes.len();
        let summary = self.apply(&plan).await;
        assert_eq!(summary.already_applied(), writes, "{summary:#?}");
        assert_eq!(self.emulator.world().writes.len(), before, "a re-run wrote");
    }
}

fn object(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

#[tokio::test]
async fn every_migrate_option_and_endpoint_setting_is_written_read_back_and_converges() {
    let lab = Lab::new("tencent-migrate-settings", World::sample()).await;
    lab.apply_and_converge().await;

    let job = lab.job("dts-6r2kq0mz");
    assert_eq!(job.name, "shop-migrate-timed");
    assert_eq!(
        job.migrate_option,
        object(json!({
            "RunMode": 2, "MigrateType": 2, "MigrateObject": 2, "ConsistencyType": 3,
            "IsOverrideRoot": 0, "ExpectTime": "2027-01-31 02:00:00", "ExternParams": "{}",
            "ConsistencyParams": {"SelectRowsPerTable": 10, "TablesSelectAll": 20, "TablesSelectCount": 30}
        }))
    );
    assert_eq!(job.src_access_type, "extranet");
    assert_eq!(
        job.src_info,
        object(json!({
            "Ip": "203.0.113.10", "Port": 3306, "User": "dts_reader",
            "RdsInstanceId": "rm-bp1srcexample01", "Region": "ap-guangzhou",
            "Supplier": "aliyun", "EngineVersion": "5.7"
        })),
        "the new access type's fields only; no secret kept"
    );
    assert_eq!(job.dst_access_type, "cdb");
    assert_eq!(
        job.dst_info,
        object(json!({
            "Region": "ap-guangzhou", "InstanceId": "cdb-9mzq4e2t", "ReadOnly": 0, "User": "dts_migrator"
        }))
    );
    let world = serde_json::to_string(&lab.emulator.world()).unwrap();
    assert!(!world.contains("not-a-real"), "a secret reached the world");
}

#[tokio::test]
async fn each_source_access_type_and_a_whole_instance_override_are_applied_and_converge() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/plan/tencent-migrate-source-access-types/world.json"),
    )
    .unwrap();
    let world = World::from_json("world.json", &text).unwrap();
    let lab = Lab::new("tencent-migrate-source-access-types", world).await;
    lab.apply_and_converge().await;

    let erp = lab.job("dts-4cvm0a1b");
    assert_eq!(
        (erp.src_access_type.as_str(), erp.database_info.as_str()),
        ("cvm", "[]")
    );
    assert_eq!(erp.src_info["CvmInstanceId"], "ins-8xk2p0qa");
    assert!(!erp.src_info.contains_key("Ip"), "{:?}", erp.src_info);
    assert_eq!(erp.migrate_option["IsOverrideRoot"], 1);
    assert_eq!(erp.migrate_option["MigrateType"], 3);
    assert_eq!(erp.dst_info["ReadOnly"], 1);
    for (id, access, key, value) in [
        ("dts-5dcg0b2c", "dcg", "UniqDcgId", "dcg-0rxtqqxb"),
        ("dts-6vpn0c3d", "vpncloud", "UniqVpnGwId", "vpngw-9ghexg7q"),
        ("dts-7ccn0d4e", "ccn", "CcnId", "ccn-afp6kltc"),
    ] {
        let job = lab.job(id);
        assert_eq!(job.src_access_type, access);
        assert_eq!(job.src_info[key], value, "{id}");
        assert_eq!(job.src_info["VpcId"], "vpc-92jblxto", "{id}");
        assert_eq!(job.src_info["SubnetId"], "subnet-3paxmkdz", "{id}");
        assert!(!job.src_info.contains_key("Supplier"), "{id}");
    }
}
