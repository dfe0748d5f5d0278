//! Drift reports at scale and in every outcome: thousands of live-only and missing
//! objects stay within GitHub's limit with every object the next apply would remove
//! named; every JSON document validates against `schema/drift.schema.json`. Findings
//! come from the real comparison (`compare`) of a loaded configuration with live jobs.

use std::fmt::Write as _;
use std::sync::OnceLock;

use serde_json::{Value, json};

use super::markdown;
use super::report::{drift_document, failed_drift_document, to_json};
use super::{Drift, Finding, compare};
use crate::cloud::alibaba::DtsJob;
use crate::config::{Config, ConfigError, Inputs, load};
use crate::plan::LiveJob;
use crate::plan::fetch::Live;
use crate::report::KeptDiagnostic;
use crate::report::budget::{COMMENT_LIMIT, size};

fn schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/drift.schema.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    })
}

fn assert_valid(json: &str) -> Value {
    let value: Value = serde_json::from_str(json).unwrap();
    let errors: Vec<String> = schema()
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{json}");
    value
}

fn load_config(hcl: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    let config = load(dir.path(), &Inputs::default()).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, config)
}

fn live(job_id: &str, status: &str, objects: &Value) -> Live {
    let detail: DtsJob = serde_json::from_value(json!({
        "DtsJobId": job_id, "DtsInstanceID": format!("dts{job_id}"), "Status": status,
        "JobType": "sync", "DbObject": objects.to_string(),
        "SourceEndpoint": {"InstanceType": "RDS", "InstanceID": "rm-src", "Port": "3306", "UserName": "reader"},
    }))
    .unwrap();
    Live::Alibaba(Box::new(LiveJob::from_detail(detail).unwrap()))
}

fn drift_of(config: &Config, lives: &[Live]) -> Drift {
    Drift {
        jobs: lives
            .iter()
            .enumerate()
            .map(|(i, l)| compare(config, i, l).unwrap().drift)
            .collect(),
    }
}

const PROVIDER: &str = "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n";

#[test]
fn thousands_of_live_only_objects_are_all_named_within_the_limit() {
    // 2,000 live tables the configuration does not declare, 2,000 declared ones missing
    // live, 50 kept.
    let mut hcl = format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"j\" {{\n  dts_job_id = \"j\"\n  database \"sales\" {{\n"
    );
    for i in (0..50)
        .map(|i| format!("kept_{i:03}"))
        .chain((0..2000).map(|i| format!("new_table_{i:05}")))
    {
        let _ = writeln!(hcl, "    table \"{i}\" {{}}");
    }
    hcl.push_str("  }\n}\n");
    let (_dir, config) = load_config(&hcl);
    let tables: serde_json::Map<String, Value> = (0..50)
        .map(|i| format!("kept_{i:03}"))
        .chain((0..2000).map(|i| format!("console_table_{i:05}")))
        .map(|t| (t.clone(), json!({"name": t, "all": true})))
        .collect();
    let objects = json!({"sales": {"name": "sales", "all": false, "Table": tables}});
    let drift = drift_of(&config, &[live("j", "Synchronizing", &objects)]);
    let doc = drift_document(&drift, Vec::new());

    let md = markdown::render(&doc);
    assert!(md.fits, "{} characters", size(&md.text));
    assert!(size(&md.text) <= COMMENT_LIMIT);
    assert!(md.text.starts_with("<!-- dtsform:drift outcome=drift -->\n## ⚠️ dtsform drift: 2,000 live objects not in the configuration"), "{}", &md.text[..300]);
    for i in 0..2000 {
        let address = format!("sales.console_table_{i:05}");
        assert!(md.text.contains(&address), "{address} is not named");
    }
    assert!(
        md.text.contains("this report leaves out"),
        "it says what was left out"
    );
    assert!(md.text.contains("`dtsform adopt`"));

    let value = assert_valid(&to_json(&doc));
    assert_eq!(value["outcome"], "drift");
    assert_eq!(value["summary"]["live_only_undeclared"], 2000);
    assert_eq!(value["summary"]["objects_to_add"], 2000);
    let deletes = value["jobs"][0]["object_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "delete" && c.get("allowed_by").is_none())
        .count();
    assert_eq!(deletes, 2000);
}

#[test]
fn every_kind_of_finding_is_a_valid_document_and_readable_markdown() {
    let (_dir, config) = load_config(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "shop"
  status     = "running"

  database "shop" {{
    table "orders" {{
      filter = "paid = 1"
    }}
  }}
  database "crm" {{
    table "users" {{}}
  }}

  removed {{
    objects = ["shop.legacy", "crm.*"]
  }}
}}

resource "alicloud_dts_job" "same" {{
  dts_job_id = "same"
  database "x" {{}}
}}
"#
    ));
    let shop = json!({
        "shop": {"name": "shop", "all": false, "Table": {
            "orders": {"name": "orders", "all": true, "filter": "paid = 0"},
            "legacy": {"name": "legacy", "all": true},
            "**audit** <b>": {"name": "**audit** <b>", "all": true}}},
        "crm": {"name": "crm", "all": true}
    });
    let drift = drift_of(
        &config,
        &[
            live("shop", "Suspending", &shop),
            live(
                "same",
                "Synchronizing",
                &json!({"x": {"name": "x", "all": true}}),
            ),
        ],
    );
    let doc = drift_document(&drift, Vec::new());
    let value = assert_valid(&to_json(&doc));
    let changes = &value["jobs"][0]["object_changes"];
    let find = |address: &str| {
        changes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"] == address)
            .unwrap_or_else(|| panic!("{address} in {changes:#}"))
            .clone()
    };
    assert_eq!(find("shop.orders")["attributes"][0]["before"], "paid = 0");
    assert_eq!(find("shop.\"**audit** <b>\"")["action"], "delete");
    assert!(find("shop.\"**audit** <b>\"").get("allowed_by").is_none());
    assert_eq!(find("shop.legacy")["allowed_by"], "removed_block");
    assert_eq!(find("crm")["narrowing"]["listed"], 1);
    assert_eq!(find("crm")["allowed_by"], "removed_block");
    assert_eq!(value["jobs"][0]["settings"][0]["kind"], "status");
    assert_eq!(value["jobs"][1]["drifted"], false);

    let md = markdown::render(&doc).text;
    for expected in [
        "## ⚠️ dtsform drift: 1 live object not in the configuration",
        "table `shop.\"**audit** <b>\"` — not in the configuration (added outside it?)",
        "everything in database `crm` but the 1 object listed (narrowing `crm.*`) — declared in `removed`",
        "- ~ table `shop.orders`: `filter` `\"paid = 0\"` → `\"paid = 1\"` (live → configured)",
        "- ~ status (live → configured): `status` `\"Suspending\"` → `\"running\"`",
        "**No drift:** `alicloud_dts_job.same`",
    ] {
        assert!(md.contains(expected), "{expected:?} in\n{md}");
    }

    // Without drift.
    let drift = Drift {
        jobs: vec![drift.jobs[1].clone()],
    };
    let doc = drift_document(&drift, Vec::new());
    assert_eq!(assert_valid(&to_json(&doc))["outcome"], "no_drift");
    let md = markdown::render(&doc).text;
    assert!(
        md.starts_with(
            "<!-- dtsform:drift outcome=no_drift -->\n## ✅ dtsform drift: no drift (1 job matches the configuration)"
        ),
        "{md}"
    );
}

#[test]
fn an_error_is_a_document_with_its_diagnostics() {
    let error = ConfigError::general("config_dir", "cannot read the configuration directory x")
        .help("pass the directory holding your *.hcl files");
    let doc = failed_drift_document(vec![KeptDiagnostic::of_config_error(&error)]);
    let value = assert_valid(&to_json(&doc));
    assert_eq!(value["outcome"], "error");
    assert_eq!(value["diagnostics"][0]["code"], "dtsform::config_dir");
    let md = markdown::render(&doc).text;
    assert!(
        md.starts_with("<!-- dtsform:drift outcome=error -->\n## ❌ dtsform drift failed: 1 error"),
        "{md}"
    );
    assert!(
        md.contains("cannot read the configuration directory x"),
        "{md}"
    );
}

/// A two-way job: the forward direction `forward`, the reverse one `reverse` (each a
/// `DescribeDtsJobDetail` answer without its id, status and list), as fetch reads it.
fn two_way(job_id: &str, forward: &Value, reverse: &Value) -> Live {
    let direction = |which: &str, extra: &Value| {
        let mut detail = json!({
            "DtsJobId": job_id, "DtsInstanceID": format!("dts{job_id}"), "JobType": "sync",
            "DtsJobDirection": which, "SynchronizationDirection": which,
        });
        for (k, v) in extra.as_object().unwrap() {
            detail[k] = v.clone();
        }
        LiveJob::from_detail(serde_json::from_value(detail).unwrap()).unwrap()
    };
    Live::Alibaba(Box::new(
        direction("Forward", forward).with_reverse(direction("Reverse", reverse)),
    ))
}

const TWO_WAY_HCL: &str = r#"resource "alicloud_dts_job" "tw" {
  dts_job_id = "tw"
  status     = "running"
  database "shop" {
    table "orders" {}
  }
  reverse {
    status   = "running"
    reserved = { "autoStartModulesAfterConfig" = "auto" }
    migration_mode {
      data_initialization = false
    }
    database "shop" {
      table "orders" {}
    }
  }
}
"#;

fn shop(tables: &[&str]) -> String {
    let tables: serde_json::Map<String, Value> = tables
        .iter()
        .map(|t| ((*t).to_owned(), json!({"name": t, "all": true})))
        .collect();
    json!({"shop": {"name": "shop", "all": false, "Table": tables}}).to_string()
}

#[test]
fn the_reverse_direction_of_a_two_way_job_is_compared_and_marked_as_such() {
    let (_dir, config) = load_config(&format!("{PROVIDER}{TWO_WAY_HCL}"));
    let live = two_way(
        "tw",
        &json!({"Status": "Synchronizing", "DbObject": shop(&["orders"])}),
        &json!({
            "Status": "Suspending", "DbObject": shop(&["orders", "console_added"]),
            "Reserved": "{\"autoStartModulesAfterConfig\":\"none\"}",
            "MigrationMode": {"StructureInitialization": true, "DataInitialization": true, "DataSynchronization": true},
        }),
    );
    let drift = drift_of(&config, &[live]);
    let job = &drift.jobs[0];
    assert!(job.findings.is_empty(), "{:#?}", job.findings);
    assert_eq!(job.live_status, "Synchronizing, reverse Suspending");
    assert!(drift.has_drift());
    let kinds: Vec<&str> = job
        .reverse_findings
        .iter()
        .map(|f| match f {
            Finding::LiveOnly { .. } => "live_only",
            Finding::MigrationMode { .. } => "migration_mode",
            Finding::Reserved { .. } => "reserved",
            Finding::Status { .. } => "status",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["migration_mode", "live_only", "reserved", "status"]);

    let text = super::text::render(&drift);
    for expected in [
        "alicloud_dts_job.tw (job tw, alicloud in cn-hangzhou, now Synchronizing, reverse Suspending)\n",
        "  - reverse direction: table shop.console_added: live, not in the configuration (added outside the configuration?); the next apply would REMOVE it\n",
        "  ~ reverse direction: migration mode differs; the next apply would set it (live → configured):\n      data_initialization: \"true\" → \"false\"\n",
        "  ~ reverse direction: reserved settings differ",
        "  ~ reverse direction: status: live Suspending, configured running",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }

    let doc = drift_document(&drift, Vec::new());
    let value = assert_valid(&to_json(&doc));
    let change = &value["jobs"][0]["object_changes"][0];
    assert_eq!(change["address"], "shop.console_added");
    assert_eq!(change["direction"], "reverse");
    assert_eq!(value["summary"]["live_only_undeclared"], 1);
    let settings = value["jobs"][0]["settings"].as_array().unwrap();
    assert_eq!(settings.len(), 3);
    assert!(
        settings.iter().all(|s| s["direction"] == "reverse"),
        "{settings:#?}"
    );
    assert_eq!(settings[0]["kind"], "migration_mode");

    let md = markdown::render(&doc).text;
    for expected in [
        "#### `alicloud_dts_job.tw` (reverse direction): 1 object\n",
        "`shop.console_added`",
        "- ~ reverse direction: migration mode (live → configured): `data_initialization` `\"true\"` → `\"false\"`",
        "- ~ reverse direction: status (live → configured)",
    ] {
        assert!(md.contains(expected), "{expected:?} in\n{md}");
    }
}

#[test]
fn a_configured_two_way_job_that_matches_has_no_drift() {
    let (_dir, config) = load_config(&format!("{PROVIDER}{TWO_WAY_HCL}"));
    let live = two_way(
        "tw",
        &json!({"Status": "Synchronizing", "DbObject": shop(&["orders"])}),
        &json!({
            "Status": "Synchronizing", "DbObject": shop(&["orders"]),
            "Reserved": "{\"autoStartModulesAfterConfig\":\"auto\"}",
            "MigrationMode": {"StructureInitialization": true, "DataInitialization": false, "DataSynchronization": true},
        }),
    );
    let drift = drift_of(&config, &[live]);
    assert!(!drift.has_drift(), "{drift:#?}");
    let value = assert_valid(&to_json(&drift_document(&drift, Vec::new())));
    assert_eq!(value["outcome"], "no_drift");
}

#[test]
fn a_forward_migration_mode_difference_is_a_finding() {
    let (_dir, config) = load_config(&format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"j\" {{\n  dts_job_id = \"j\"\n  migration_mode {{\n    structure_initialization = true\n    data_synchronization = false\n  }}\n}}\n"
    ));
    let detail: DtsJob = serde_json::from_value(json!({
        "DtsJobId": "j", "DtsInstanceID": "dtsj", "Status": "Synchronizing", "JobType": "sync",
        "MigrationMode": {"StructureInitialization": true, "DataInitialization": true, "DataSynchronization": true},
    }))
    .unwrap();
    let live = Live::Alibaba(Box::new(LiveJob::from_detail(detail).unwrap()));
    let drift = drift_of(&config, &[live]);
    let [Finding::MigrationMode { changes }] = &drift.jobs[0].findings[..] else {
        panic!("{:#?}", drift.jobs[0].findings)
    };
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].field, "data_synchronization");
    let value = assert_valid(&to_json(&drift_document(&drift, Vec::new())));
    assert!(value["jobs"][0]["settings"][0].get("direction").is_none());
    assert_eq!(value["jobs"][0]["settings"][0]["kind"], "migration_mode");
}

#[test]
fn a_reverse_block_on_a_one_way_job_is_an_error_as_in_plan() {
    let (_dir, config) = load_config(&format!("{PROVIDER}{TWO_WAY_HCL}"));
    let live = live(
        "tw",
        "Synchronizing",
        &json!({"shop": {"name": "shop", "all": true}}),
    );
    let errors = compare(&config, 0, &live).unwrap_err();
    let codes: Vec<String> = errors
        .iter()
        .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["dtsform::not_two_way"], "{errors:?}");
}

#[test]
fn a_job_in_another_resource_group_is_an_error_as_in_plan() {
    let (_dir, config) = load_config(&format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"j\" {{\n  dts_job_id = \"j\"\n  resource_group_id = \"rg-wanted\"\n}}\n"
    ));
    let detail: DtsJob = serde_json::from_value(json!({
        "DtsJobId": "j", "DtsInstanceID": "dtsj", "Status": "Synchronizing", "JobType": "sync",
        "ResourceGroupId": "rg-other",
    }))
    .unwrap();
    let live = Live::Alibaba(Box::new(LiveJob::from_detail(detail).unwrap()));
    let errors = compare(&config, 0, &live).unwrap_err();
    assert!(
        errors[0]
            .to_string()
            .contains("is in resource group rg-other, not rg-wanted"),
        "{errors:?}"
    );
}

#[test]
fn thousands_of_live_only_objects_of_a_reverse_direction_are_all_named() {
    let (_dir, config) = load_config(&format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"tw\" {{\n  dts_job_id = \"tw\"\n  reverse {{\n    database \"shop\" {{\n      table \"orders\" {{}}\n    }}\n  }}\n}}\n"
    ));
    let tables: Vec<String> = std::iter::once("orders".to_owned())
        .chain((0..2000).map(|i| format!("console_table_{i:05}")))
        .collect();
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    let live = two_way(
        "tw",
        &json!({"Status": "Synchronizing"}),
        &json!({"Status": "Synchronizing", "DbObject": shop(&tables)}),
    );
    let drift = drift_of(&config, &[live]);
    let doc = drift_document(&drift, Vec::new());
    let md = markdown::render(&doc);
    assert!(md.fits);
    assert!(
        md.text
            .contains("#### `alicloud_dts_job.tw` (reverse direction): 2,000 objects\n"),
        "{}",
        &md.text[..600]
    );
    for i in 0..2000 {
        let address = format!("shop.console_table_{i:05}");
        assert!(md.text.contains(&address), "{address} is not named");
    }
}
