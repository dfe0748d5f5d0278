//! `apply` against the emulator: every kind of write, stale plans, stuck jobs, fault
//! storms, dependency order, failures, read-back, interruption and crashes.
//!
//! Most tests drive the library (plan → plan file → apply) against an in-process
//! emulator with short status transitions; the ones about processes (SIGKILL, Ctrl-C,
//! the prompt) run the real binary.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::support::{
    self, ANALYTICS_JOB, CRM_JOB, EmulatorProcess, SHOP_JOB, emulator_credentials, fast_config,
    report_text,
};
use dtsform::apply::{
    ApplyError, ApplyOptions, Cancel, FromConfig, Outcome, PollPolicy, Progress, Summary, apply,
    client_token,
};
use dtsform::clients::{Clients, EndpointOverride};
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::cloud::alibaba::{JobStatus, ModifyDtsJob, ModifyDtsJobChange, SignatureVersion};
use dtsform::cloud::tencent::MigrateStatus;
use dtsform::config::{Config, Inputs};
use dtsform::emulator::world::{Job, Kind, WriteRecord};
use dtsform::emulator::{EmulatorConfig, Faults, RunningEmulator, World};
use dtsform::env::Environment;
use dtsform::plan::Plan;
use dtsform::plan::fetch::plan_all;
use dtsform::plan::file::PlanFile;

const PROVIDER: &str =
    "provider \"alicloud\" {\n  region     = \"cn-hangzhou\"\n  rate_limit = 2000\n}\n\n";

/// Quick polls and short waits, so a test takes about as long as the emulator's
/// status transitions.
pub(crate) fn options() -> ApplyOptions {
    ApplyOptions {
        parallelism: 10,
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

/// An emulator and a configuration directory aimed at it.
pub(crate) struct Lab {
    pub(crate) emulator: RunningEmulator,
    pub(crate) dir: tempfile::TempDir,
}

impl Lab {
    pub(crate) async fn new(config: EmulatorConfig, world: World, hcl: &str) -> Lab {
        let emulator = support::start(config, world).await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), format!("{PROVIDER}{hcl}")).unwrap();
        Lab { emulator, dir }
    }

    pub(crate) fn target(&self) -> EndpointOverride {
        EndpointOverride {
            endpoint: parse_endpoint(&self.emulator.url()).unwrap(),
            credentials: emulator_credentials(),
            tencent_credentials: support::tencent_credentials(),
        }
    }

    pub(crate) fn config(&self) -> Config {
        Self::config_in(self.dir.path())
    }

    pub(crate) fn config_in(dir: &std::path::Path) -> Config {
        dtsform::config::load(dir, &Inputs::default())
            .unwrap_or_else(|e| panic!("config: {:?}", e.errors))
    }

    /// A second configuration directory aimed at the same emulator.
    pub(crate) fn another_config(hcl: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), format!("{PROVIDER}{hcl}")).unwrap();
        dir
    }

    pub(crate) fn clients(&self, config: &Config) -> Clients {
        Clients::new(config, &Environment::empty(), Some(&self.target()))
            .unwrap()
            .with_retry(&support::fast_retry())
    }

    pub(crate) async fn plan(&self) -> PlanFile {
        self.plan_in(self.dir.path()).await
    }

    pub(crate) async fn plan_in(&self, dir: &std::path::Path) -> PlanFile {
        let config = Self::config_in(dir);
        let clients = self.clients(&config);
        let jobs = plan_all(&config, &clients, 8, &dtsform::guard::Flags::default())
            .await
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("plan: {e:?}")))
            .collect();
        let plan = Plan::build(&config, jobs);
        PlanFile::from_plan(&plan, dir, "2026-11-23T00:00:00Z".into())
    }

    pub(crate) async fn apply(
        &self,
        plan: &PlanFile,
        options: &ApplyOptions,
    ) -> (Summary, Vec<String>) {
        self.apply_in(self.dir.path(), plan, options).await
    }

    /// Applies a plan that apply may refuse as a whole.
    pub(crate) async fn try_apply(&self, plan: &PlanFile) -> Result<Summary, Vec<ApplyError>> {
        let config = self.config();
        apply(
            plan,
            &self.clients(&config),
            &FromConfig::new(&config),
            &options(),
            &Cancel::default(),
            &Progress::capture(),
        )
        .await
    }

    pub(crate) async fn apply_in(
        &self,
        dir: &std::path::Path,
        plan: &PlanFile,
        options: &ApplyOptions,
    ) -> (Summary, Vec<String>) {
        let config = Self::config_in(dir);
        let clients = self.clients(&config);
        let progress = Progress::capture();
        let summary = apply(
            plan,
            &clients,
            &FromConfig::new(&config),
            options,
            &Cancel::default(),
            &progress,
        )
        .await
        .unwrap_or_else(|e| panic!("apply refused the plan: {e:?}"));
        (summary, progress.lines())
    }

    pub(crate) fn writes(&self) -> Vec<WriteRecord> {
        self.emulator.world().writes
    }

    /// The writes to one job, as `what` labels.
    pub(crate) fn writes_to(&self, job: &str) -> Vec<String> {
        self.writes()
            .into_iter()
            .filter(|w| w.job_id == job)
            .map(|w| w.what)
            .collect()
    }
}

pub(crate) fn outcome<'a>(summary: &'a Summary, id: &str) -> &'a Outcome {
    &summary
        .ops
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no operation {id} in {summary:#?}"))
        .outcome
}

/// A world of `n` running sync jobs `j0`.. each replicating tables a and b of `db{i}`.
fn jobs_world(n: usize) -> World {
    let mut world = World::sample();
    let template = world.jobs[0].clone();
    world.jobs = (0..n)
        .map(|i| Job {
            job_id: format!("j{i}"),
            instance_id: format!("dtsj{i}"),
            name: format!("job-{i}"),
            kind: Kind::Sync,
            db_list: json!({format!("db{i}"): {"name": format!("db{i}"), "all": false, "Table": {
                "a": {"name": "a", "all": true}, "b": {"name": "b", "all": true}}}})
            .as_object()
            .unwrap()
            .clone(),
            ..template.clone()
        })
        .collect();
    world
}

/// One resource per job of [`jobs_world`], each adding table c.
fn add_table_c(n: usize, extra: impl Fn(usize) -> String) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    for i in 0..n {
        let _ = write!(
            text,
            "resource \"alicloud_dts_job\" \"j{i}\" {{\n  dts_job_id = \"j{i}\"\n{}\n  database \"db{i}\" {{\n    table \"a\" {{}}\n    table \"b\" {{}}\n    table \"c\" {{}}\n  }}\n}}\n\n",
            extra(i)
        );
    }
    text
}

const EVERY_KIND: &str = r#"
variable "crm_password" {
  type      = string
  sensitive = true
  default   = "s3cret-Pa55w0rd"
}

resource "alicloud_dts_job" "shop" {
  dts_job_id = "k2gm967v16f"
  status     = "suspended"
  source {
    instance_type = "rds"
    instance_id   = "rm-bp1src000000002"
  }
  reserved = {
    maxRetryTime = 7200
  }
  database "shop" {
    table "orders" {}
    table "customers" {
      filter = "id > 10"
    }
    table "payments" {}
  }
  removed {
    objects = ["shop.legacy_orders"]
  }
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"
  status     = "running"
  database "events" {
    table "clicks" {}
  }
  # events was taken whole: listing one table narrows it.
  removed {
    objects = ["events.*"]
  }
}

resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  destination {
    instance_type = "rds"
    username      = "crm_writer"
    password      = var.crm_password
  }
}
"#;

#[tokio::test]
async fn every_kind_of_write_is_applied_in_order_verified_and_converges() {
    let lab = Lab::new(fast_config(), World::sample(), EVERY_KIND).await;
    let plan = lab.plan().await;
    let plan_text = serde_json::to_string(&plan).unwrap();
    assert!(!plan_text.contains("s3cret"), "a password in the plan file");

    let (summary, lines) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    assert_eq!(summary.applied(), 7, "{summary:#?}");
    assert_eq!(
        lab.writes_to(SHOP_JOB),
        ["endpoint src", "objects", "reserved", "suspend"]
    );
    // A paused job is started before its objects change.
    assert_eq!(lab.writes_to(ANALYTICS_JOB), ["start", "objects"]);
    assert_eq!(lab.writes_to(CRM_JOB), ["endpoint dest (account)"]);
    for id in [
        "alicloud_dts_job.shop/objects",
        "alicloud_dts_job.analytics/objects",
    ] {
        let Outcome::Applied(text) = outcome(&summary, id) else {
            panic!("{id}: {summary:#?}")
        };
        assert!(text.contains("equals what was sent"), "{text}");
    }
    // Each object-list write carried the token derived from the plan and the operation.
    let world = lab.emulator.world();
    let token = client_token(&plan.checksum, "alicloud_dts_job.shop/objects");
    assert!(
        world
            .writes
            .iter()
            .any(|w| w.what == "objects" && w.client_token.as_deref() == Some(&token)),
        "{:#?}",
        world.writes
    );
    let shop = world.jobs.iter().find(|j| j.job_id == SHOP_JOB).unwrap();
    assert_eq!(shop.status, JobStatus::Suspending);
    assert_eq!(shop.reserved["maxRetryTime"], json!(7200));
    assert_eq!(
        shop.source.instance_id.as_deref(),
        Some("rm-bp1src000000002")
    );
    // Lines name each operation as it starts and ends, never the password.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("alicloud_dts_job.crm/destination: ModifyDtsJobEndpoint"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("alicloud_dts_job.crm/destination: applied after"))
    );
    assert!(lines.iter().all(|l| !l.contains("s3cret")));

    // Convergence: the same configuration now plans nothing.
    let again = lab.plan().await;
    assert!(
        again.jobs.iter().all(|j| j.operations.is_empty()),
        "{again:#?}"
    );
    // And applying the old plan again sends nothing: every operation is already live.
    let before = lab.writes().len();
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert_eq!(summary.already_applied(), 7, "{summary:#?}");
    assert_eq!(lab.writes().len(), before);
}

#[tokio::test]
async fn a_job_changed_after_the_plan_gets_nothing_written_and_says_what_changed() {
    let hcl = format!(
        "{}resource \"alicloud_dts_job\" \"analytics\" {{\n  dts_job_id = \"{ANALYTICS_JOB}\"\n  status = \"running\"\n}}\n",
        r#"resource "alicloud_dts_job" "shop" {
  dts_job_id = "k2gm967v16f"
  status     = "suspended"
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "legacy_orders" {}
    table "payments" {}
  }
}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    let plan = lab.plan().await;
    // Someone adds a table after the plan was made.
    let client = support::client(&lab.emulator.url(), SignatureVersion::V3);
    client
        .modify_job(&ModifyDtsJob {
            resource_group_id: None,
            dts_instance_id: support::SHOP_INSTANCE.into(),
            dts_job_id: Some(SHOP_JOB.into()),
            synchronization_direction: None,
            client_token: None,
            change: ModifyDtsJobChange::DbList(
                json!({"shop": {"name": "shop", "all": false, "Table": {
                    "orders": {"name": "orders", "all": true},
                    "customers": {"name": "customers", "all": true},
                    "legacy_orders": {"name": "legacy_orders", "all": true},
                    "audit": {"name": "audit", "all": true}}}})
                .to_string(),
            ),
        })
        .await
        .unwrap();
    let writes_before = lab.writes_to(SHOP_JOB);

    let (summary, _) = lab.apply(&plan, &options()).await;
    let Outcome::Failed(ApplyError::Stale { changes, .. }) =
        outcome(&summary, "alicloud_dts_job.shop/objects")
    else {
        panic!("{summary:#?}")
    };
    assert_eq!(
        changes,
        &[
            "its object list changed: sending the planned list now would also remove table shop.audit"
        ]
    );
    assert!(matches!(
        outcome(&summary, "alicloud_dts_job.shop/status"),
        Outcome::Skipped { because } if because == "alicloud_dts_job.shop/objects"
    ));
    assert_eq!(
        lab.writes_to(SHOP_JOB),
        writes_before,
        "nothing written to the stale job"
    );
    // The independent job went ahead.
    assert_eq!(lab.writes_to(ANALYTICS_JOB), ["start"]);
    assert!(!summary.is_complete());
}

/// The objects operation of job `shop` failed because the job stayed `Modifying` until
/// the operation timeout, and the error says so. The time it names is the time waited,
/// at least the timeout: a loaded machine may add to it, never take from it.
fn assert_stuck_in_modifying(summary: &Summary, opts: &ApplyOptions) {
    let Outcome::Failed(
        e @ ApplyError::Timeout {
            status,
            waited,
            what,
            ..
        },
    ) = outcome(summary, "alicloud_dts_job.shop/objects")
    else {
        panic!("{summary:#?}")
    };
    assert_eq!(status, "Modifying");
    assert_eq!(*what, "waiting for the job to settle before writing");
    assert!(*waited >= opts.operation_timeout, "{waited:?}");
    assert!(
        e.to_string().starts_with(&format!(
            "alicloud_dts_job.shop/objects: the job is still Modifying after {waited:.0?} (waiting for the job to settle before writing)"
        )),
        "{e}"
    );
    let help = miette::Diagnostic::help(e).unwrap().to_string();
    assert!(help.contains("raise --operation-timeout"), "{help}");
}

#[tokio::test]
async fn a_job_stuck_in_modifying_times_out_with_a_clear_error_and_no_write() {
    let mut world = World::sample();
    world.jobs[0].status = JobStatus::Modifying; // and nothing scheduled: it stays there
    let lab = Lab::new(
        fast_config(),
        world,
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"k2gm967v16f\"\n  database \"shop\" {\n    table \"orders\" {}\n    table \"customers\" {}\n    table \"legacy_orders\" {}\n    table \"payments\" {}\n  }\n}\n",
    )
    .await;
    let plan = lab.plan().await;
    let mut opts = options();
    opts.operation_timeout = Duration::from_secs(2);
    let (summary, _) = lab.apply(&plan, &opts).await;
    assert_stuck_in_modifying(&summary, &opts);
    assert!(lab.writes().is_empty());
}

/// Regression: with reads slow enough that the deadline falls inside one (a loaded
/// machine made this happen now and then), a job that had answered `Modifying` all along
/// was reported as "DescribeDtsJobDetail got no answer", with help about throttling.
#[tokio::test]
async fn a_stuck_job_whose_last_read_is_cut_off_by_the_deadline_still_times_out_as_stuck() {
    let mut world = World::sample();
    world.jobs[0].status = JobStatus::Modifying;
    let lab = Lab::new(
        fast_config(),
        world,
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"k2gm967v16f\"\n  database \"shop\" {\n    table \"orders\" {}\n    table \"customers\" {}\n    table \"legacy_orders\" {}\n    table \"payments\" {}\n  }\n}\n",
    )
    .await;
    let plan = lab.plan().await;
    // Reads take 200 ms with 1 ms between them: a read is under way at the deadline.
    lab.emulator.set_faults(Faults {
        latency: Duration::from_millis(200),
        ..Faults::default()
    });
    let mut opts = options();
    opts.operation_timeout = Duration::from_secs(2);
    opts.poll = PollPolicy {
        min: Duration::from_millis(1),
        max: Duration::from_millis(1),
        share: 0.0,
    };
    let (summary, _) = lab.apply(&plan, &opts).await;
    assert_stuck_in_modifying(&summary, &opts);
    assert!(lab.writes().is_empty());
}

#[tokio::test]
async fn an_api_that_never_answers_fails_the_operation_at_its_timeout_not_the_clients() {
    let lab = Lab::new(
        fast_config(),
        jobs_world(1),
        &add_table_c(1, |_| String::new()),
    )
    .await;
    let plan = lab.plan().await;
    lab.emulator.set_faults(Faults {
        failure_rate: 1.0,
        ..Faults::default()
    });
    // The client's own policy would retry for two minutes.
    let config = lab.config();
    let clients = Clients::new(&config, &Environment::empty(), Some(&lab.target()))
        .unwrap()
        .with_retry(&dtsform::cloud::RetryPolicy::default());
    let mut opts = options();
    opts.operation_timeout = Duration::from_millis(1500);
    let started = std::time::Instant::now();
    let summary = apply(
        &plan,
        &clients,
        &FromConfig::new(&config),
        &opts,
        &Cancel::default(),
        &Progress::capture(),
    )
    .await
    .unwrap();
    let took = started.elapsed();
    let Outcome::Failed(e @ ApplyError::NoAnswer { .. }) =
        outcome(&summary, "alicloud_dts_job.j0/objects")
    else {
        panic!("{summary:#?}")
    };
    assert!(
        e.to_string()
            .starts_with("alicloud_dts_job.j0/objects: DescribeDtsJobDetail got no answer within the operation timeout"),
        "{e}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(lab.writes().is_empty());
}

#[tokio::test]
async fn throttling_and_server_error_storms_converge_with_one_write_per_operation() {
    let n = 8;
    let lab = Lab::new(
        fast_config(),
        jobs_world(n),
        &add_table_c(n, |_| String::new()),
    )
    .await;
    // Plan in calm weather, then apply through the storm.
    let plan = lab.plan().await;
    lab.emulator.set_faults(Faults {
        rate_limit: Some(300.0),
        rate_burst: Some(5),
        failure_rate: 0.2,
        lost_response_rate: 0.3,
        seed: Some(7),
        ..Faults::default()
    });
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    let world = lab.emulator.world();
    for i in 0..n {
        let job = format!("j{i}");
        assert_eq!(
            lab.writes_to(&job),
            ["objects"],
            "{job}: one write, whatever was lost"
        );
    }
    // A write whose answer was lost was found live by the re-check and never resent:
    // no full list went out blindly (resending a landed write would replay its token).
    // (Which answers the storm loses depends on timing; the tests below pin each case.)
    let calls = lab.emulator.calls();
    assert_eq!(
        world.client_tokens.iter().map(|t| t.replays).sum::<u32>(),
        0,
        "{:#?}",
        world.client_tokens
    );
    assert!(calls["DescribeDtsJobDetail"] > n as u64, "{calls:?}");
}

#[tokio::test]
async fn dependencies_are_applied_in_order_and_a_failure_skips_only_its_dependents() {
    // j1 waits for j0; j2 moves its destination to a port the service cannot reach (its
    // precheck fails); j3 waits for j2; j4 is on its own.
    let hcl = add_table_c(5, |i| match i {
        1 => "  depends_on = [alicloud_dts_job.j0]".into(),
        2 => "  destination {\n    instance_type = \"rds\"\n    port = \"3307\"\n  }".into(),
        3 => "  depends_on = [alicloud_dts_job.j2]".into(),
        _ => String::new(),
    });
    let lab = Lab::new(fast_config(), jobs_world(5), &hcl).await;
    let plan = lab.plan().await;
    let (summary, _) = lab.apply(&plan, &options()).await;

    let order: Vec<String> = lab.writes().into_iter().map(|w| w.job_id).collect();
    let first = |job: &str| order.iter().position(|j| j == job).unwrap();
    assert!(first("j0") < first("j1"), "{order:?}");
    let Outcome::Failed(ApplyError::Precheck { error, .. }) =
        outcome(&summary, "alicloud_dts_job.j2/destination")
    else {
        panic!("{summary:#?}")
    };
    let text = error.to_string();
    assert!(
        text.contains("DTS.Msg.InvalidEndpoint")
            && text.contains("port 3307")
            && text.contains("RequestId"),
        "{text}"
    );
    for skipped in ["alicloud_dts_job.j2/objects", "alicloud_dts_job.j3/objects"] {
        assert!(
            matches!(outcome(&summary, skipped), Outcome::Skipped { because } if because == "alicloud_dts_job.j2/destination"),
            "{skipped}: {summary:#?}"
        );
    }
    assert!(lab.writes_to("j2").is_empty() && lab.writes_to("j3").is_empty());
    assert_eq!(lab.writes_to("j4"), ["objects"]);
    assert_eq!(
        (summary.applied(), summary.failed(), summary.skipped()),
        (3, 1, 2)
    );
}

#[tokio::test]
async fn a_write_the_service_does_not_show_is_a_read_back_error_naming_the_objects() {
    let mut config = fast_config();
    config.behaviour.drop_tables = vec!["c".into()];
    let lab = Lab::new(config, jobs_world(1), &add_table_c(1, |_| String::new())).await;
    let plan = lab.plan().await;
    let (summary, _) = lab.apply(&plan, &options()).await;
    let Outcome::Failed(e @ ApplyError::ReadBack { .. }) =
        outcome(&summary, "alicloud_dts_job.j0/objects")
    else {
        panic!("{summary:#?}")
    };
    assert_eq!(
        e.to_string(),
        "alicloud_dts_job.j0/objects: read back, the live job differs from what was sent: table db0.c is missing"
    );
}

#[tokio::test]
async fn a_plan_is_checked_whole_before_anything_is_written() {
    let lab = Lab::new(fast_config(), World::sample(), EVERY_KIND).await;
    let mut plan = lab.plan().await;
    plan.jobs[0].provider = "alicloud.elsewhere".into();
    let objects = plan.jobs[1]
        .operations
        .iter_mut()
        .find(|op| op.id.ends_with("/objects"))
        .unwrap();
    // An Alibaba job's operation swapped for a Tencent action.
    objects.op = dtsform::plan::Operation::MigrateCheck;
    let config = lab.config();
    let clients = lab.clients(&config);
    let errors = apply(
        &plan,
        &clients,
        &FromConfig::new(&config),
        &options(),
        &Cancel::default(),
        &Progress::capture(),
    )
    .await
    .unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("provider alicloud.elsewhere")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t
                .contains("CreateMigrateCheckJob is not an action of alicloud_dts_job.analytics")),
        "{text:?}"
    );
    assert!(lab.writes().is_empty());
}

// ---- The binary ----

fn write_config(dir: &Path, url: &str, hcl: &str) {
    std::fs::write(
        dir.join("main.hcl"),
        format!("provider \"alicloud\" {{\n  region     = \"cn-hangzhou\"\n  endpoint   = \"{url}\"\n  rate_limit = 2000\n}}\n\n{hcl}"),
    )
    .unwrap();
}

fn dtsform_at(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dtsform"));
    c.args(args)
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            dtsform::emulator::DEFAULT_ACCESS_KEY_ID,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            dtsform::emulator::DEFAULT_ACCESS_KEY_SECRET,
        )
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

fn world_writes(state: &Path) -> Vec<WriteRecord> {
    World::load(state).unwrap().writes
}

/// Three jobs applied one after the other, each holding its job `Modifying` for a second.
fn chained(n: usize) -> String {
    add_table_c(n, |i| {
        if i == 0 {
            String::new()
        } else {
            format!("  depends_on = [alicloud_dts_job.j{}]", i - 1)
        }
    })
}

fn state_world(dir: &Path, n: usize) -> PathBuf {
    let state = dir.join("world.json");
    jobs_world(n).save(&state).unwrap();
    state
}

#[test]
fn an_apply_killed_midway_and_run_again_converges_without_writing_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let state = state_world(tmp.path(), 3);
    let emulator =
        EmulatorProcess::spawn(&["--state", state.to_str().unwrap(), "--modify-seconds", "1"]);
    let config_dir = tmp.path().join("config");
    std::fs::create_dir(&config_dir).unwrap();
    write_config(&config_dir, &emulator.url, &chained(3));
    let plan_path = tmp.path().join("plan.json");
    let out = dtsform_at(&[
        "plan",
        config_dir.to_str().unwrap(),
        "-out",
        plan_path.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut child = dtsform_at(&["apply", plan_path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Kill it once the second write has been sent, before it is read back.
    loop {
        let line = lines.next().expect("apply ended early").unwrap();
        if line.starts_with("alicloud_dts_job.j1/objects: ModifyDtsJob") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    assert_eq!(world_writes(&state).len(), 2, "j0 done, j1 sent");

    let out = dtsform_at(&["apply", plan_path.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("alicloud_dts_job.j0/objects: already live, nothing sent"),
        "{stdout}"
    );
    assert!(
        stdout.contains("alicloud_dts_job.j1/objects: already live, nothing sent"),
        "{stdout}"
    );
    assert!(
        stdout.contains("alicloud_dts_job.j2/objects: applied"),
        "{stdout}"
    );
    let jobs: Vec<String> = world_writes(&state).into_iter().map(|w| w.job_id).collect();
    assert_eq!(jobs, ["j0", "j1", "j2"], "each job written once");

    let out = dtsform_at(&["plan", config_dir.to_str().unwrap(), "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_first_ctrl_c_lets_the_write_in_flight_finish_and_starts_no_other() {
    let tmp = tempfile::tempdir().unwrap();
    let state = state_world(tmp.path(), 3);
    let emulator =
        EmulatorProcess::spawn(&["--state", state.to_str().unwrap(), "--modify-seconds", "1"]);
    let config_dir = tmp.path().join("config");
    std::fs::create_dir(&config_dir).unwrap();
    write_config(
        &config_dir,
        &emulator.url,
        &add_table_c(3, |_| String::new()),
    );
    let mut child = dtsform_at(&[
        "apply",
        config_dir.to_str().unwrap(),
        "--auto-approve",
        "--parallelism",
        "1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("apply ended early").unwrap();
        if line.starts_with("alicloud_dts_job.j0/objects: ModifyDtsJob") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{rest:?}\n{stderr}");
    assert!(
        rest.iter()
            .any(|l| l.starts_with("alicloud_dts_job.j0/objects: applied")),
        "{rest:?}"
    );
    assert!(
        rest.iter()
            .any(|l| l.contains("1 applied") && l.contains("2 not started")),
        "{rest:?}"
    );
    assert!(stderr.contains("Interrupt received"), "{stderr}");
    assert!(
        stderr.contains("not started alicloud_dts_job.j1/objects"),
        "{stderr}"
    );
    let jobs: Vec<String> = world_writes(&state).into_iter().map(|w| w.job_id).collect();
    assert_eq!(jobs, ["j0"]);
}

#[test]
fn apply_without_a_terminal_asks_for_auto_approve_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("world.json");
    let out = dtsform_at(&[
        "apply",
        "--emulator",
        "--emulator-state",
        state.to_str().unwrap(),
        "examples/quickstart",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(
        stderr.contains("standard input is not a terminal"),
        "{stderr}"
    );
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    assert!(world_writes(&state).is_empty());
}

#[test]
fn a_saved_plan_edited_or_from_another_version_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("world.json");
    let plan = tmp.path().join("plan.json");
    let emulator_args = ["--emulator", "--emulator-state", state.to_str().unwrap()];
    let mut args = vec![
        "plan",
        "examples/quickstart",
        "-out",
        plan.to_str().unwrap(),
    ];
    args.extend(emulator_args);
    assert!(dtsform_at(&args).output().unwrap().status.success());
    let text = std::fs::read_to_string(&plan).unwrap();

    for (edit, expected) in [
        (
            text.replace("legacy_orders", "legacy_order"),
            "has been modified or damaged",
        ),
        (
            text.replace(
                "\"dtsform_version\": \"0.1.0\"",
                "\"dtsform_version\": \"0.0.9\"",
            ),
            "was written by dtsform 0.0.9",
        ),
    ] {
        std::fs::write(&plan, edit).unwrap();
        let mut args = vec!["apply", plan.to_str().unwrap()];
        args.extend(emulator_args);
        let out = dtsform_at(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = report_text(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(world_writes(&state).is_empty());
    }
}

#[test]
fn a_dependency_cycle_is_refused_before_anything_is_read_or_written() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("world.json");
    std::fs::write(
        tmp.path().join("main.hcl"),
        "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n\nresource \"alicloud_dts_job\" \"a\" {\n  dts_job_id = \"k2gm967v16f\"\n  status = \"suspended\"\n  depends_on = [alicloud_dts_job.b]\n}\n\nresource \"alicloud_dts_job\" \"b\" {\n  dts_job_id = \"s7qd5ph3n9c\"\n  status = \"running\"\n  depends_on = [alicloud_dts_job.a]\n}\n",
    )
    .unwrap();
    let out = dtsform_at(&[
        "apply",
        tmp.path().to_str().unwrap(),
        "--auto-approve",
        "--emulator",
        "--emulator-state",
        state.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(
        stderr.contains("alicloud_dts_job.a → alicloud_dts_job.b → alicloud_dts_job.a")
            || stderr.contains("cycle"),
        "{stderr}"
    );
    assert!(!state.exists() || world_writes(&state).is_empty());
}

#[test]
fn the_readme_walkthrough_plans_applies_and_then_has_nothing_to_do() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.contains("--emulator-state quickstart-world.json"))
        .collect();
    assert_eq!(
        commands.len(),
        3,
        "the walkthrough's three commands: {commands:?}"
    );
    let mut outputs = Vec::new();
    for command in commands {
        let words: Vec<String> = command
            .trim_start_matches("cargo run --quiet -- ")
            .split_whitespace()
            .map(|w| match w {
                "quickstart-world.json" | "quickstart.plan" => {
                    tmp.path().join(w).display().to_string()
                }
                _ => w.to_owned(),
            })
            .collect();
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        outputs.push(dtsform_at(&args).output().unwrap());
    }
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(outputs[0].status.success(), "{}", text(&outputs[0]));
    assert!(outputs[1].status.success(), "{}", text(&outputs[1]));
    assert!(
        text(&outputs[1]).contains("Apply complete: 1 applied"),
        "{}",
        text(&outputs[1])
    );
    assert_eq!(outputs[2].status.code(), Some(0), "{}", text(&outputs[2]));
    assert!(text(&outputs[2]).contains("No changes."));
    let writes = world_writes(&tmp.path().join("quickstart-world.json"));
    assert_eq!(writes.len(), 1);
    assert!(writes[0].client_token.is_some());
}

const TENCENT_PROVIDER: &str =
    "provider \"tencentcloud\" {\n  region     = \"ap-guangzhou\"\n  rate_limit = 2000\n}\n\n";

/// The sample world's Tencent job that passed its check, given a new table; started.
const TENCENT_SHOP: &str = "resource \"tencentcloud_dts_migrate_job\" \"shop_migrate\" {\n  job_id     = \"dts-6r2kq0mz\"\n  status     = \"running\"\n  depends_on = [alicloud_dts_job.shop_sync]\n  database \"shop\" {\n    table \"orders\" {}\n    table \"customers\" {}\n    table \"refunds\" {}\n  }\n  database \"audit\" {}\n}\n";

fn tencent_config() -> EmulatorConfig {
    let mut config = fast_config();
    config.behaviour.check_duration = Duration::from_millis(200);
    // The real per-action limit would throttle the test's quick polls.
    config.tencent_rate_limit = 0;
    config
}

fn mixed_hcl() -> String {
    format!(
        "{TENCENT_PROVIDER}resource \"alicloud_dts_job\" \"shop_sync\" {{\n  dts_job_id = \"{SHOP_JOB}\"\n  database \"shop\" {{\n    table \"orders\" {{}}\n    table \"customers\" {{}}\n    table \"legacy_orders\" {{}}\n    table \"refunds\" {{}}\n  }}\n}}\n\n{TENCENT_SHOP}"
    )
}

#[tokio::test]
async fn alibaba_and_tencent_jobs_apply_in_dependency_order_and_converge() {
    let lab = Lab::new(tencent_config(), World::sample(), &mixed_hcl()).await;
    let plan = lab.plan().await;
    let (summary, lines) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}\n{lines:#?}");
    assert_eq!(summary.applied(), 4, "{summary:#?}");

    // The emulator's write log: the Alibaba list first (depends_on), then the Tencent
    // modify → check → start chain.
    let order: Vec<(String, String)> = lab
        .writes()
        .into_iter()
        .map(|w| (w.job_id, w.what))
        .collect();
    let at = |job: &str, what: &str| {
        order
            .iter()
            .position(|(j, w)| j == job && w == what)
            .unwrap_or_else(|| panic!("no {what} write to {job} in {order:?}"))
    };
    assert!(at(SHOP_JOB, "objects") < at("dts-6r2kq0mz", "modify"));
    assert!(at("dts-6r2kq0mz", "modify") < at("dts-6r2kq0mz", "check"));
    assert!(at("dts-6r2kq0mz", "check") < at("dts-6r2kq0mz", "start"));
    assert_eq!(order.len(), 4, "one write each: {order:?}");

    let world = lab.emulator.world();
    let job = world
        .tencent_jobs
        .iter()
        .find(|j| j.job_id == "dts-6r2kq0mz")
        .unwrap();
    assert!(
        job.database_info.contains("refunds"),
        "{}",
        job.database_info
    );
    assert!(
        matches!(job.status, MigrateStatus::ReadyRun | MigrateStatus::Running),
        "started: {}",
        job.status
    );

    // Converged: planning again finds nothing to do, and re-applying the old plan sends
    // nothing (every operation recognises its effect as live).
    let again = lab.plan().await;
    assert!(
        again.jobs.iter().all(|j| j.operations.is_empty()),
        "{again:#?}"
    );
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert_eq!(summary.already_applied(), 4, "{summary:#?}");
    assert_eq!(lab.writes().len(), 4);
}

#[tokio::test]
async fn a_tencent_check_that_does_not_pass_fails_with_its_message_and_skips_the_start() {
    let mut config = tencent_config();
    config.behaviour.tencent_missing_tables = vec!["shop.refunds".into()];
    let lab = Lab::new(
        config,
        World::sample(),
        &format!(
            "{TENCENT_PROVIDER}{}",
            TENCENT_SHOP.replace("  depends_on = [alicloud_dts_job.shop_sync]\n", "")
        ),
    )
    .await;
    let plan = lab.plan().await;
    let (summary, _) = lab.apply(&plan, &options()).await;
    let modify = "tencentcloud_dts_migrate_job.shop_migrate/modify";
    let check = "tencentcloud_dts_migrate_job.shop_migrate/check";
    assert!(matches!(outcome(&summary, modify), Outcome::Applied(_)));
    let Outcome::Failed(e @ ApplyError::CheckFailed { .. }) = outcome(&summary, check) else {
        panic!("{summary:#?}")
    };
    assert!(e.to_string().contains("refunds"), "{e}");
    assert!(
        matches!(outcome(&summary, "tencentcloud_dts_migrate_job.shop_migrate/start"), Outcome::Skipped { because } if because == check),
        "{summary:#?}"
    );
    assert_eq!(lab.writes_to("dts-6r2kq0mz"), ["modify", "check"]);
}

#[tokio::test]
async fn a_tencent_job_changed_after_the_plan_gets_nothing_written() {
    let lab = Lab::new(
        tencent_config(),
        World::sample(),
        &format!(
            "{TENCENT_PROVIDER}{}",
            TENCENT_SHOP.replace("  depends_on = [alicloud_dts_job.shop_sync]\n", "")
        ),
    )
    .await;
    let plan = lab.plan().await;
    // Someone drops the audit database in the console.
    let client = dtsform::cloud::tencent::TencentClient::new(
        {
            let mut c = dtsform::cloud::tencent::ClientConfig::new("ap-guangzhou");
            c.endpoint = Some(parse_endpoint(&lab.emulator.url()).unwrap());
            c
        },
        support::tencent_credentials(),
    )
    .unwrap();
    client
        .modify_migrate_job(&dtsform::cloud::tencent::ModifyMigrateJob {
            job_id: "dts-6r2kq0mz".into(),
            database_info: Some(r#"[{"Database":"shop","Table":["orders","customers"]}]"#.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let (summary, _) = lab.apply(&plan, &options()).await;
    let Outcome::Failed(e @ ApplyError::Stale { .. }) =
        outcome(&summary, "tencentcloud_dts_migrate_job.shop_migrate/modify")
    else {
        panic!("{summary:#?}")
    };
    assert!(
        e.to_string().contains("object list (DatabaseInfo) changed"),
        "{e}"
    );
    assert_eq!(
        lab.writes_to("dts-6r2kq0mz"),
        ["modify"],
        "only the console's write"
    );
}

/// Two applies at once on one job, each adding a different table to the same live list:
/// a write is only sent against the state it was checked against, so either both tables
/// end up live, or every apply that did not get its table in fails and says why. Tried
/// with a Modifying phase (the second write meets `JobStatusModifying` and re-checks)
/// and without one (as on Tencent: the later write replaces the earlier, which its
/// read-back sees), several times each to vary the interleaving.
#[tokio::test]
async fn two_applies_at_once_on_one_job_never_lose_a_table_silently() {
    for modify_ms in [300, 0] {
        for round in 0..4 {
            let mut config = fast_config();
            config.behaviour.modify_duration = Duration::from_millis(modify_ms);
            let adding = |table: &str| {
                format!(
                    "resource \"alicloud_dts_job\" \"j0\" {{\n  dts_job_id = \"j0\"\n  database \"db0\" {{\n    table \"a\" {{}}\n    table \"b\" {{}}\n    table \"{table}\" {{}}\n  }}\n}}\n"
                )
            };
            let lab = Lab::new(config, jobs_world(1), &adding("c")).await;
            let other = Lab::another_config(&adding("d"));
            // Both plans are made from the same live list, before either applies.
            let plan_c = lab.plan().await;
            let plan_d = lab.plan_in(other.path()).await;
            let options = options();
            let ((c, c_lines), (d, d_lines)) = tokio::join!(
                lab.apply(&plan_c, &options),
                lab.apply_in(other.path(), &plan_d, &options),
            );
            let live = lab.emulator.world().jobs[0].db_list["db0"]["Table"].clone();
            let context = format!(
                "Modifying {modify_ms} ms, round {round}: live {live}\nc: {c:#?} {c_lines:#?}\nd: {d:#?} {d_lines:#?}"
            );
            for (summary, table) in [(&c, "c"), (&d, "d")] {
                if summary.is_complete() {
                    assert!(
                        live.get(table).is_some(),
                        "the apply adding {table} succeeded, but {table} is not live: {context}"
                    );
                } else {
                    let Outcome::Failed(error) = outcome(summary, "alicloud_dts_job.j0/objects")
                    else {
                        panic!("{context}");
                    };
                    // It says the job changed under it: before its write, or after.
                    assert!(
                        matches!(
                            error,
                            ApplyError::Stale { .. } | ApplyError::Conflict { .. }
                        ),
                        "{error}: {context}"
                    );
                }
            }
            assert!(c.is_complete() || d.is_complete(), "{context}");
            assert!(
                live.get("a").is_some() && live.get("b").is_some(),
                "{context}"
            );
        }
    }
}

/// A plan file edited with its checksum recomputed (it is a plain SHA-256): apply's
/// safety does not rest on the file. What it sends is re-checked against the live job
/// and the removals the plan showed; what it runs must be what the plan's ids and the
/// configuration say.
#[tokio::test]
async fn an_edited_plan_with_a_recomputed_checksum_writes_nothing_unsafe() {
    fn objects(plan: &mut PlanFile) -> &mut dtsform::plan::PlannedOp {
        plan.jobs[0]
            .operations
            .iter_mut()
            .find(|op| op.id == "alicloud_dts_job.j0/objects")
            .unwrap()
    }
    fn set_payload(plan: &mut PlanFile, list: &serde_json::Value) {
        let dtsform::plan::Operation::Objects(write) = &mut objects(plan).op else {
            unreachable!()
        };
        write.payload = dtsform::plan::operation::Payload::of(
            &dtsform::objects::ObjectTree::from_value(list).unwrap(),
        );
    }
    let lab = Lab::new(
        fast_config(),
        jobs_world(2),
        &add_table_c(2, |_| String::new()),
    )
    .await;
    let plan = lab.plan().await;
    let sealed = |edit: &dyn Fn(&mut PlanFile)| {
        let mut plan = plan.clone();
        edit(&mut plan);
        plan.seal();
        plan
    };

    // Refused at the write: the payload is checked against the live job.
    for (edit, expected) in [
        (
            sealed(&|p| set_payload(p, &json!({}))),
            "the object list to send is empty",
        ),
        (
            // Table a dropped from the payload, but not added to what the plan removes.
            sealed(&|p| {
                set_payload(
                    p,
                    &json!({"db0": {"name": "db0", "all": false, "Table": {
                        "b": {"name": "b", "all": true}, "c": {"name": "c", "all": true}}}}),
                );
            }),
            "it would also remove table db0.a, which the plan did not show",
        ),
        (
            // The database narrowed to nothing.
            sealed(&|p| set_payload(p, &json!({"db0": {"name": "db0", "all": false}}))),
            "table db0.a",
        ),
    ] {
        let (summary, _) = lab.apply(&edit, &options()).await;
        let Outcome::Failed(e @ ApplyError::Unsafe { .. }) =
            outcome(&summary, "alicloud_dts_job.j0/objects")
        else {
            panic!("{expected}: {summary:#?}")
        };
        assert!(e.to_string().contains(expected), "{e}");
        assert!(lab.writes_to("j0").is_empty(), "{expected}: written");
    }

    // Refused before anything is written: what runs must be what the plan says.
    for (edit, expected) in [
        (
            sealed(&|p| {
                objects(p).op =
                    dtsform::plan::Operation::Status(dtsform::plan::operation::StatusWrite {
                        direction: dtsform::cloud::alibaba::Direction::Forward,
                        from: "Synchronizing".into(),
                        to: dtsform::config::DesiredStatus::Suspended,
                    });
            }),
            "which its id does not name",
        ),
        (
            sealed(&|p| p.jobs[0].dts_job_id = "j1".into()),
            "the plan writes to job j1, but the configuration manages job j0",
        ),
        (
            sealed(&|p| p.jobs[0].address = "tencentcloud_dts_migrate_job.j0".into()),
            "which its address does not",
        ),
        (
            sealed(&|p| p.jobs[0].cloud = dtsform::config::Cloud::Tencent),
            "is not an action of alicloud_dts_job.j0",
        ),
    ] {
        let writes = lab.writes().len();
        let errors = lab.try_apply(&edit).await.unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t.contains(expected)),
            "{expected}: {text:#?}"
        );
        assert_eq!(lab.writes().len(), writes, "{expected}: written");
    }
}

/// When every answer to a write is lost, the outcome is unknown: apply says so and that
/// a re-run will check, not that the write failed; the re-run finds it live.
#[tokio::test]
async fn a_write_whose_every_answer_is_lost_has_an_unknown_outcome_and_a_rerun_finds_it() {
    // The job stays Modifying for longer after the write than the operation may take,
    // so no re-check can see the write; the timeout leaves a loaded machine ample time to
    // read the job and send the write before it.
    let mut config = fast_config();
    config.behaviour.modify_duration = Duration::from_secs(3);
    let lab = Lab::new(config, jobs_world(1), &add_table_c(1, |_| String::new())).await;
    let plan = lab.plan().await;
    lab.emulator.set_faults(Faults {
        lost_response_rate: 1.0,
        ..Faults::default()
    });
    let short = ApplyOptions {
        operation_timeout: Duration::from_secs(2),
        ..options()
    };
    let (summary, _) = lab.apply(&plan, &short).await;
    let Outcome::Failed(e @ ApplyError::OutcomeUnknown { .. }) =
        outcome(&summary, "alicloud_dts_job.j0/objects")
    else {
        panic!("{summary:#?}")
    };
    assert!(
        e.to_string().contains("whether it was applied is unknown"),
        "{e}"
    );
    let help = miette::Diagnostic::help(e).unwrap().to_string();
    assert!(help.contains("a re-run re-reads the job first"), "{help}");
    assert_eq!(lab.writes_to("j0"), ["objects"], "it did land");

    lab.emulator.set_faults(Faults::default());
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    assert_eq!(summary.already_applied(), 1, "{summary:#?}");
    assert_eq!(lab.writes_to("j0"), ["objects"], "not written twice");
}

/// A write whose answer is lost is not sent again: the re-check finds it live.
#[tokio::test]
async fn a_lost_answer_is_found_by_the_recheck_not_resent() {
    let lab = Lab::new(
        fast_config(),
        jobs_world(1),
        &add_table_c(1, |_| String::new()),
    )
    .await;
    let plan = lab.plan().await;
    lab.emulator.set_faults(Faults {
        lost_response_rate: 1.0,
        ..Faults::default()
    });
    let (summary, lines) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    assert_eq!(summary.applied(), 1, "{summary:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("no answer to the write arrived, but the job shows it")),
        "{lines:#?}"
    );
    assert_eq!(lab.emulator.calls()["ModifyDtsJob"], 1, "sent once");
    assert_eq!(lab.writes_to("j0"), ["objects"]);
}

/// A throttled write is sent again only after the job was read again and found as the
/// plan saw it, and it lands once.
#[tokio::test]
async fn a_throttled_write_is_resent_only_after_a_recheck() {
    let lab = Lab::new(
        fast_config(),
        jobs_world(1),
        &add_table_c(1, |_| String::new()),
    )
    .await;
    let plan = lab.plan().await;
    // One request per 400 ms, reads and writes together: the write right after the
    // settling read is throttled.
    lab.emulator.set_faults(Faults {
        rate_limit: Some(2.5),
        rate_burst: Some(1),
        shared_rate_limit: true,
        ..Faults::default()
    });
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    let calls = lab.emulator.calls();
    assert!(calls["ModifyDtsJob"] >= 2, "{calls:?}");
    // Every attempt came after a read of its own (and the read-back after the last).
    assert!(
        calls["DescribeDtsJobDetail"] > calls["ModifyDtsJob"],
        "{calls:?}"
    );
    assert_eq!(lab.writes_to("j0"), ["objects"]);
}
