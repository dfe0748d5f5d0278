use serde_json::json;

use super::*;
use crate::config::{Inputs, load};
use crate::guard::Flags;

fn config(text: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        format!("provider \"alicloud\" {{\n  region = \"cn-hangzhou\"\n}}\n{text}"),
    )
    .unwrap();
    let c = load(dir.path(), &Inputs::default()).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, c)
}

fn live(status: &str, objects: &Value) -> LiveJob {
    let detail: DtsJob = serde_json::from_value(json!({
        "DtsJobId": "j1", "DtsInstanceID": "dtsj1", "Status": status, "JobType": "sync",
        "DbObject": objects.to_string(),
        "Reserved": "{\"srcSSL\":\"0\",\"maxRetryTime\":43200}",
        "SourceEndpoint": {"InstanceType": "RDS", "InstanceID": "rm-src", "Port": "3306", "UserName": "reader"},
    }))
    .unwrap();
    LiveJob::from_detail(detail).unwrap()
}

fn shop() -> Value {
    json!({"shop": {"name": "shop", "all": false, "state": "normal", "Table": {"orders": {"name": "orders", "all": true, "state": "normal"}}}})
}

#[test]
fn fingerprints_follow_the_state_writes_depend_on() {
    let a = live("Synchronizing", &shop());
    let b = live("Modifying", &shop());
    assert_eq!(
        a.state.fingerprint(),
        b.state.fingerprint(),
        "a status change alone does not invalidate a plan"
    );
    let c = live(
        "Synchronizing",
        &json!({"shop": {"name": "shop", "all": true}}),
    );
    assert_ne!(a.state.fingerprint(), c.state.fingerprint());
    // Only the part that changed differs.
    let differing: Vec<&str> = a
        .state
        .parts()
        .iter()
        .zip(c.state.parts())
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, _)| x.0)
        .collect();
    assert_eq!(differing, ["objects"]);
    assert_eq!(
        a.suppressed.key_order, 1,
        "the live JSON was not in canonical key order"
    );
}

#[test]
fn a_job_already_as_configured_has_nothing_to_do() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  status = \"running\"\n  reserved = { srcSSL = 0 }\n  database \"shop\" {\n    table \"orders\" {}\n  }\n}\n",
    );
    let plan = plan_job(&c, 0, &live("synchronizing", &shop()), &Flags::default()).unwrap();
    assert!(!plan.has_changes(), "{:?}", plan.operations);
    assert_eq!(plan.suppressed.state_markers, 2);
    assert_eq!(
        plan.dts_instance_id, "dtsj1",
        "taken from the live job when not configured"
    );
}

#[test]
fn every_kind_of_change_in_the_design_order() {
    let (_d, c) = config(
        r#"variable "pw" {
  sensitive = true
  default   = "p"
}
resource "alicloud_dts_job" "shop" {
  dts_job_id = "j1"
  status     = "suspended"
  reserved   = { maxRetryTime = 3600 }
  source {
    instance_type = "rds"
    instance_id   = "rm-src"
    username      = "writer"
    password      = var.pw
  }
  database "shop" {
    table "orders" {
      filter = "id > 0"
    }
  }
}
"#,
    );
    let plan = plan_job(&c, 0, &live("Synchronizing", &shop()), &Flags::default()).unwrap();
    let slugs: Vec<&str> = plan.operations.iter().map(Operation::slug).collect();
    assert_eq!(slugs, ["source", "objects", "reserved", "status"]);
    let Operation::ModifyEndpoint {
        changes, account, ..
    } = &plan.operations[0]
    else {
        unreachable!()
    };
    assert!(*account);
    assert_eq!(
        changes.iter().map(|c| c.field.as_ref()).collect::<Vec<_>>(),
        ["username"],
        "RDS vs rds is the same type"
    );
    let Operation::ModifyReserved { reserved } = &plan.operations[2] else {
        unreachable!()
    };
    assert_eq!(
        Value::Object(reserved.clone()),
        json!({"maxRetryTime": 3600}),
        "only the changed, managed key"
    );
    assert_eq!(plan.operations[3].action(), "SuspendDtsJob");
}

const OBJECTS_AND_STATUS: &str = "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  STATUS\n  database \"shop\" {\n    table \"orders\" {\n      filter = \"id > 0\"\n    }\n  }\n}\n";

#[test]
fn a_paused_job_is_started_before_its_objects_change() {
    let (_d, c) = config(&OBJECTS_AND_STATUS.replace("STATUS", "status = \"running\""));
    let plan = plan_job(&c, 0, &live("Suspending", &shop()), &Flags::default()).unwrap();
    let actions: Vec<&str> = plan.operations.iter().map(Operation::action).collect();
    assert_eq!(actions, ["StartDtsJob", "ModifyDtsJob"]);
    assert!(
        plan.notes[0].contains("started before its objects change"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn objects_of_a_paused_job_left_paused_are_refused_at_plan() {
    let (_d, c) = config(&OBJECTS_AND_STATUS.replace("STATUS", ""));
    let errors = plan_job(&c, 0, &live("Suspending", &shop()), &Flags::default()).unwrap_err();
    assert_eq!(errors[0].code, "job_not_running");
    // A job on its way to running is waited for at apply, not refused.
    assert!(plan_job(&c, 0, &live("Initializing", &shop()), &Flags::default()).is_ok());
}

#[test]
fn changing_an_account_needs_its_password() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  source {\n    instance_type = \"rds\"\n    username = \"other\"\n  }\n}\n",
    );
    let errors = plan_job(&c, 0, &live("Synchronizing", &shop()), &Flags::default()).unwrap_err();
    assert_eq!(errors[0].code, "password_required");
}

#[test]
fn unreadable_or_missing_live_lists_are_never_taken_as_empty() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  database \"shop\" {}\n}\n",
    );
    let mut l = live("Synchronizing", &shop());
    l.objects = None;
    assert_eq!(
        plan_job(&c, 0, &l, &Flags::default()).unwrap_err()[0].code,
        "live_objects_unknown"
    );
    let detail: DtsJob = serde_json::from_value(
        json!({"DtsJobId": "j1", "Status": "Synchronizing", "DbObject": "[1]"}),
    )
    .unwrap();
    assert!(LiveJob::from_detail(detail).is_err());
}

#[test]
fn removed_must_not_name_a_declared_object() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  database \"shop\" {\n    table \"orders\" {}\n  }\n  removed {\n    objects = [\"shop.orders\", \"shop.gone\"]\n  }\n}\n",
    );
    let errors = plan_job(&c, 0, &live("Synchronizing", &shop()), &Flags::default()).unwrap_err();
    assert_eq!(errors[0].code, "removed_but_declared");
}

#[test]
fn dependencies_pass_through_jobs_with_nothing_to_do() {
    let (_d, c) = config(
        r#"resource "alicloud_dts_job" "a" {
  dts_job_id = "j1"
  status     = "running"
  depends_on = [alicloud_dts_job.b]
}
resource "alicloud_dts_job" "b" {
  dts_job_id = "j2"
  depends_on = [alicloud_dts_job.c]
}
resource "alicloud_dts_job" "c" {
  dts_job_id = "j3"
  status     = "running"
}
"#,
    );
    let jobs: Vec<JobPlan> = (0..3)
        .map(|i| plan_job(&c, i, &live("Suspending", &shop()), &Flags::default()).unwrap())
        .collect();
    let plan = Plan::build(&c, jobs);
    let order: Vec<&str> = plan.order().iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        order,
        ["alicloud_dts_job.c/status", "alicloud_dts_job.a/status"]
    );
    let deps: Vec<&str> = plan
        .dependencies("alicloud_dts_job.a/status")
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(deps, ["alicloud_dts_job.c/status"]);
}

#[test]
fn plan_files_round_trip_and_refuse_tampering() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  status = \"running\"\n}\n",
    );
    let plan = Plan::build(
        &c,
        vec![plan_job(&c, 0, &live("Suspending", &shop()), &Flags::default()).unwrap()],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let file = file::PlanFile::from_plan(&plan, &c.dir, "2026-11-23T00:00:00.000Z".into());
    file.write(&path).unwrap();
    assert_eq!(file::PlanFile::read(&path).unwrap(), file);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Suspending", "Synchronizing");
    std::fs::write(&path, text).unwrap();
    assert!(matches!(
        file::PlanFile::read(&path),
        Err(file::PlanFileError::Checksum { .. })
    ));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "0.0.0-other");
    std::fs::write(&path, text).unwrap();
    assert!(matches!(
        file::PlanFile::read(&path),
        Err(file::PlanFileError::Version { .. })
    ));
}
