use serde_json::{Value, json};

use super::*;
use crate::cloud::alibaba::DtsJob;
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
    let differing: Vec<String> = a
        .state
        .parts()
        .into_iter()
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
    let slugs: Vec<&str> = plan.operations.iter().map(|p| p.op.slug()).collect();
    assert_eq!(slugs, ["source", "objects", "reserved", "status"]);
    let Operation::Endpoint(endpoint) = &plan.operations[0].op else {
        unreachable!()
    };
    let account = endpoint.account.as_ref().unwrap();
    assert_eq!(
        (account.username.as_str(), account.password.from.as_str()),
        ("writer", "var.pw"),
        "the password as the expression it comes from"
    );
    assert_eq!(
        endpoint
            .changes
            .iter()
            .map(|c| c.field.as_ref())
            .collect::<Vec<_>>(),
        ["username"],
        "RDS vs rds is the same type"
    );
    let Operation::Reserved(reserved) = &plan.operations[2].op else {
        unreachable!()
    };
    assert_eq!(
        Value::Object(reserved.reserved.clone()),
        json!({"maxRetryTime": 3600}),
        "only the changed, managed key"
    );
    assert_eq!(plan.operations[3].op.action(), "SuspendDtsJob");
}

const OBJECTS_AND_STATUS: &str = "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  STATUS\n  database \"shop\" {\n    table \"orders\" {\n      filter = \"id > 0\"\n    }\n  }\n}\n";

#[test]
fn a_paused_job_is_started_before_its_objects_change() {
    let (_d, c) = config(&OBJECTS_AND_STATUS.replace("STATUS", "status = \"running\""));
    let plan = plan_job(&c, 0, &live("Suspending", &shop()), &Flags::default()).unwrap();
    let actions: Vec<&str> = plan.operations.iter().map(|p| p.op.action()).collect();
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
    let order: Vec<&str> = plan
        .order()
        .unwrap()
        .iter()
        .map(|(_, o)| o.id.as_str())
        .collect();
    assert_eq!(
        order,
        ["alicloud_dts_job.c/status", "alicloud_dts_job.a/status"]
    );
    assert_eq!(
        plan.jobs[0].operations[0].depends_on,
        ["alicloud_dts_job.c/status"]
    );
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

/// A plan file of format 1 (operations as untyped parameter maps, object lists as
/// JSON text) is refused with a message that says to plan again.
#[test]
fn a_plan_file_of_the_previous_format_is_refused_with_a_way_forward() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.plan");
    std::fs::write(
        &path,
        serde_json::to_string(&json!({
            "format_version": 1,
            "dtsform_version": env!("CARGO_PKG_VERSION"),
            "created_at": "2026-11-23T00:00:00.000Z",
            "config_dir": ".",
            "jobs": [{"address": "alicloud_dts_job.shop", "operations": [{
                "id": "alicloud_dts_job.shop/objects", "action": "ModifyDtsJob",
                "params": {"DbList": "{\"shop\":{\"all\":true}}"}}]}],
            "checksum": "x"
        }))
        .unwrap(),
    )
    .unwrap();
    let e = file::PlanFile::read(&path).unwrap_err();
    assert!(
        matches!(e, file::PlanFileError::Version { format: 1, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("plan file format 1"), "{e}");
    let help = miette::Diagnostic::help(&e).unwrap().to_string();
    assert!(help.contains("run plan again"), "{help}");
}

/// Whether no string of `v` holds JSON text of an object or array.
fn no_json_text(v: &Value) -> bool {
    match v {
        Value::String(s) => {
            serde_json::from_str::<Value>(s).map_or(true, |p| !(p.is_object() || p.is_array()))
        }
        Value::Array(a) => a.iter().all(no_json_text),
        Value::Object(o) => o.values().all(no_json_text),
        _ => true,
    }
}

/// The plan file holds the plan itself: typed operations, object lists as structured
/// JSON, no JSON text inside a string, and reads back to the same plan.
#[test]
fn the_plan_file_is_the_typed_plan() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"shop\" {\n  dts_job_id = \"j1\"\n  database \"shop\" {\n    table \"orders\" {}\n    table \"payments\" {}\n  }\n}\n",
    );
    let plan = Plan::build(
        &c,
        vec![plan_job(&c, 0, &live("Synchronizing", &shop()), &Flags::default()).unwrap()],
    );
    let file = file::PlanFile::from_plan(&plan, &c.dir, "2026-11-23T00:00:00.000Z".into());
    let value = serde_json::to_value(&file).unwrap();
    let op = &value["jobs"][0]["operations"][0];
    assert_eq!(op["kind"], "objects");
    assert_eq!(
        op["payload"]["shop"]["Table"]["payments"],
        json!({"all": true, "name": "payments"})
    );
    assert!(no_json_text(&value), "{value:#}");
    assert_eq!(file.plan(), plan);
}

/// The one ordering check: a dependency the plan does not hold, or a cycle, is named.
#[test]
fn operations_that_cannot_be_ordered_are_named() {
    let (_d, c) = config(
        "resource \"alicloud_dts_job\" \"a\" {\n  dts_job_id = \"j1\"\n  status = \"running\"\n}\nresource \"alicloud_dts_job\" \"b\" {\n  dts_job_id = \"j2\"\n  status = \"running\"\n}\n",
    );
    let jobs: Vec<JobPlan> = (0..2)
        .map(|i| plan_job(&c, i, &live("Suspending", &shop()), &Flags::default()).unwrap())
        .collect();
    let mut plan = Plan::build(&c, jobs);
    let mut dangling = plan.clone();
    dangling.jobs[0].operations[0].depends_on = vec!["alicloud_dts_job.x/status".into()];
    assert_eq!(
        dangling.order().unwrap_err(),
        [
            "alicloud_dts_job.a/status depends on alicloud_dts_job.x/status, which the plan does not hold"
        ]
    );
    plan.jobs[0].operations[0].depends_on = vec!["alicloud_dts_job.b/status".into()];
    plan.jobs[1].operations[0].depends_on = vec!["alicloud_dts_job.a/status".into()];
    assert_eq!(
        plan.order().unwrap_err(),
        ["a dependency cycle: alicloud_dts_job.a/status → alicloud_dts_job.b/status"]
    );
}
