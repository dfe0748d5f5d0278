//! `dtsform drift` and `dtsform adopt` against a running emulator, as a team meets them:
//! a table added in the console (through the API) shows as drift (exit 2; JSON valid
//! against its schema, Markdown naming it), `adopt` writes it into the user's file with
//! every comment left as it was, and the next plan shows no changes. Then adopt's
//! choices: named addresses, a new database block, `--dry-run`, the refusals for
//! `dynamic` blocks and `db_list`, and a Tencent job.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use dtsform::cloud::alibaba::{JobStatus, Params, SignatureVersion};
use dtsform::emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_TENCENT_SECRET_ID,
    DEFAULT_TENCENT_SECRET_KEY, RunningEmulator, World,
};

use crate::support::{
    TWO_WAY_JOB, TWO_WAY_REVERSE_JOB, client, fast_config, report_text, start, wait_for_status,
};

use crate::report_check;

const JOB: &str = "k2gm967v16f";

/// A shop job replicating two tables, and a Tencent migration of one database.
fn world() -> Value {
    json!({
        "version": 1,
        "jobs": [{
            "job_id": JOB, "instance_id": format!("dts{JOB}"), "name": "shop", "type": "sync",
            "region": "cn-hangzhou", "status": "Synchronizing",
            "db_list": {"shop": {"name": "shop", "all": false, "Table": {
                "orders": {"name": "orders", "all": true},
                "customers": {"name": "customers", "all": true}}}}
        }],
        "tencent_jobs": [{
            "job_id": "dts-6r2kq0mz", "name": "migrate", "region": "ap-guangzhou", "status": 4,
            "migrate_option": {"RunMode": 1, "MigrateType": 3, "MigrateObject": 2},
            "src_info": {"InstanceId": "cdb-src", "Region": "ap-guangzhou"},
            "dst_info": {"InstanceId": "cdb-dst", "Region": "ap-guangzhou"},
            "database_info": "[{\"Database\":\"db1\",\"Table\":[\"t1\",\"t2\"]},{\"Database\":\"Db-2\"}]"
        }]
    })
}

fn providers(url: &str) -> String {
    format!(
        "provider \"alicloud\" {{\n  region   = \"cn-hangzhou\"\n  endpoint = \"{url}\"\n}}\n\nprovider \"tencentcloud\" {{\n  region   = \"ap-guangzhou\"\n  endpoint = \"{url}\"\n}}\n"
    )
}

/// The user's file: comments, an aligned attribute, a blank line kept on purpose.
const SHOP: &str = r#"# The shop's replication. Owned by the data team.
resource "alicloud_dts_job" "shop" {
  dts_job_id = "k2gm967v16f" # from the console

  # Orders and customers; billing is someone else's.
  database "shop" {
    table "orders" {} # paid orders only, see the runbook

    /* customers: GDPR-reviewed */
    table "customers" {}
  }
}
"#;

const TENCENT: &str = r#"resource "tencentcloud_dts_migrate_job" "migrate" {
  job_id = "dts-6r2kq0mz"

  # the first database
  database "db1" {
    table "t1" {}
    table "t2" {}
  }
  database "Db-2" {}
}
"#;

async fn emulator() -> RunningEmulator {
    let world = World::from_json("adopt", &world().to_string()).expect("a valid world");
    start(fast_config(), world).await
}

fn config(url: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("providers.hcl"), providers(url)).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `dtsform ARGS` with the emulator's credentials, off the runtime's threads.
async fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let out: Output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .args(&args)
            .current_dir(&dir)
            .env_clear()
            .env("HOME", &dir)
            .env("NO_COLOR", "1")
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEFAULT_ACCESS_KEY_SECRET)
            .env("TENCENTCLOUD_SECRET_ID", DEFAULT_TENCENT_SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", DEFAULT_TENCENT_SECRET_KEY)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What someone does in the console: the shop job's list, with `audit` (a filter and a
/// rename) added to `shop` and a new database `billing`.
async fn console_adds_tables(emulator: &RunningEmulator) {
    let client = client(&emulator.url(), SignatureVersion::V3);
    let db_list = json!({
        "shop": {"name": "shop", "all": false, "Table": {
            "orders": {"name": "orders", "all": true},
            "customers": {"name": "customers", "all": true},
            "audit": {"name": "audit_copy", "all": true, "filter": "kind = 'x'"}}},
        "billing": {"name": "billing", "all": true}
    });
    client
        .call_params(
            "ModifyDtsJob",
            &Params::default()
                .query("DtsInstanceId", format!("dts{JOB}"))
                .query("DbList", db_list.to_string())
                .query("RegionId", "cn-hangzhou"),
        )
        .await
        .expect("the console's change");
    wait_for_status(
        &client,
        JOB,
        &JobStatus::Synchronizing,
        std::time::Duration::from_secs(10),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_added_in_the_console_is_drift_and_adopt_takes_it_with_comments_untouched() {
    let emulator = emulator().await;
    let dir = config(
        &emulator.url(),
        &[("shop.hcl", SHOP), ("migrate.hcl", TENCENT)],
    );
    let path = dir.path();
    let (code, stdout, stderr) = run(path, &["plan", ".", "-detailed-exitcode"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, stdout, stderr) = run(path, &["drift", "."]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("No drift: 2 jobs match the configuration."),
        "{stdout}"
    );

    console_adds_tables(&emulator).await;

    // Plan refuses (rightly); drift says what happened, exit 2.
    let (code, _, _) = run(path, &["plan", "."]).await;
    assert_eq!(code, 1);
    let (code, stdout, stderr) = run(path, &["drift", "."]).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    for expected in [
        "alicloud_dts_job.shop (job k2gm967v16f",
        "  - database billing: live, not in the configuration (added outside the configuration?); the next apply would REMOVE it",
        "  - table shop.audit: live, not in the configuration",
        "dtsform adopt",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in\n{stdout}");
    }
    let (code, json, stderr) = run(path, &["drift", ".", "--json"]).await;
    assert_eq!(code, 2, "{stderr}");
    let problems = report_check::drift_problems(&json);
    assert!(problems.is_empty(), "{problems:#?}\n{json}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["outcome"], "drift");
    assert_eq!(doc["summary"]["live_only_undeclared"], 2);
    let (code, md, _) = run(path, &["drift", ".", "--markdown"]).await;
    assert_eq!(code, 2);
    assert!(
        md.starts_with("<!-- dtsform:drift outcome=drift -->"),
        "{md}"
    );
    assert!(
        md.contains("table `shop.audit` — not in the configuration"),
        "{md}"
    );

    // Adopt everything: the file gets the blocks, and nothing else changes.
    let (code, stdout, stderr) = run(path, &["adopt", "."]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Adopted 2 live objects into the configuration:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ table shop.audit  (alicloud_dts_job.shop, "),
        "{stdout}"
    );
    let after = std::fs::read_to_string(path.join("shop.hcl")).unwrap();
    let expected = SHOP
        .replace(
            "    table \"customers\" {}\n  }\n",
            "    table \"customers\" {}\n\n    table \"audit\" {\n      target = \"audit_copy\"\n      filter = \"kind = 'x'\"\n    }\n  }\n\n  database \"billing\" {}\n",
        );
    assert_eq!(after, expected);
    assert_eq!(
        std::fs::read_to_string(path.join("migrate.hcl")).unwrap(),
        TENCENT
    );

    let (code, stdout, stderr) = run(path, &["plan", ".", "-detailed-exitcode"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("No changes."), "{stdout}");
    let (code, _, _) = run(path, &["fmt", "--check", "."]).await;
    assert_eq!(code, 0);
    let (code, stdout, _) = run(path, &["drift", "."]).await;
    assert_eq!(code, 0, "{stdout}");
    let (code, stdout, _) = run(path, &["adopt", "."]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("Nothing to adopt"), "{stdout}");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn adopt_takes_what_is_named_and_dry_run_changes_nothing() {
    let emulator = emulator().await;
    console_adds_tables(&emulator).await;
    let dir = config(&emulator.url(), &[("shop.hcl", SHOP)]);
    let path = dir.path();

    let (code, stdout, stderr) = run(path, &["adopt", ".", "shop.audit", "--dry-run"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(path.join("shop.hcl")).unwrap(),
        SHOP,
        "dry run"
    );
    for expected in [
        "--- a/shop.hcl\n+++ b/shop.hcl\n",
        "+    table \"audit\" {\n",
        "Would adopt 1 live object into the configuration:",
        "Nothing was changed (--dry-run).",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in\n{stdout}");
    }
    assert!(!stdout.contains("billing"), "only what was named: {stdout}");

    let (code, stdout, stderr) = run(path, &["adopt", ".", "shop.nothing"]).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(
        report_text(stderr.as_bytes())
            .contains("shop.nothing names no live object outside the configuration"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(path.join("shop.hcl")).unwrap(),
        SHOP
    );

    // The new database alone, by name.
    let (code, stdout, stderr) = run(path, &["adopt", ".", "billing"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let after = std::fs::read_to_string(path.join("shop.hcl")).unwrap();
    assert_eq!(
        after,
        SHOP.replace(
            "    table \"customers\" {}\n  }\n",
            "    table \"customers\" {}\n  }\n\n  database \"billing\" {}\n"
        )
    );
    // Then the rest, by job.
    let (code, stdout, stderr) = run(path, &["adopt", "alicloud_dts_job.shop"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Adopted 1 live object"), "{stdout}");
    let (code, stdout, stderr) = run(path, &["plan", ".", "-detailed-exitcode"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn objects_of_dynamic_blocks_and_db_list_are_not_edited_but_shown() {
    let emulator = emulator().await;
    console_adds_tables(&emulator).await;
    let dynamic = r#"locals {
  shop_tables = ["orders", "customers"]
}

resource "alicloud_dts_job" "shop" {
  dts_job_id = "k2gm967v16f"

  dynamic "database" {
    for_each = ["shop"]
    content {
      name = database.value
      dynamic "table" {
        for_each = local.shop_tables
        content {
          name = table.value
        }
      }
    }
  }
}
"#;
    let dir = config(&emulator.url(), &[("shop.hcl", dynamic)]);
    let (code, stdout, stderr) = run(dir.path(), &["adopt", "."]).await;
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let shown = report_text(stderr.as_bytes());
    assert!(shown.contains("table shop.audit of alicloud_dts_job.shop is not in the configuration, but it belongs inside an object a dynamic block produces"), "{shown}");
    assert!(shown.contains("table \"audit\" {"), "what to add: {shown}");
    // The database is not inside anything dynamic: it is adopted.
    assert!(stdout.contains("+ database billing"), "{stdout}");
    let after = std::fs::read_to_string(dir.path().join("shop.hcl")).unwrap();
    assert!(after.starts_with(&dynamic[..dynamic.len() - 2]), "{after}");
    assert!(
        after.ends_with("  }\n\n  database \"billing\" {}\n}\n"),
        "{after}"
    );

    let db_list = r#"resource "alicloud_dts_job" "shop" {
  dts_job_id = "k2gm967v16f"
  db_list = jsonencode({
    shop = { name = "shop", all = false, Table = { orders = { name = "orders", all = true }, customers = { name = "customers", all = true } } }
  })
}
"#;
    let dir = config(&emulator.url(), &[("shop.hcl", db_list)]);
    let (code, stdout, stderr) = run(dir.path(), &["adopt", "."]).await;
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let shown = report_text(stderr.as_bytes());
    assert!(
        shown.contains("which takes its objects from a db_list expression"),
        "{shown}"
    );
    assert!(
        shown.contains(r#""billing": {"#) && shown.contains(r#""name": "billing""#),
        "{shown}"
    );
    assert!(
        shown.contains(r#""filter": "kind = 'x'""#) && !shown.contains("state"),
        "{shown}"
    );
    assert!(stdout.contains("Nothing was adopted."), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shop.hcl")).unwrap(),
        db_list
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tencent_job_adopts_a_table_and_plans_to_no_changes() {
    let emulator = emulator().await;
    let dir = config(&emulator.url(), &[("migrate.hcl", TENCENT)]);
    std::fs::write(
        dir.path().join("migrate.hcl"),
        TENCENT.replace("    table \"t1\" {}\n", ""),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["drift", "."]).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("table db1.t1: live, not in the configuration"),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(dir.path(), &["adopt", "."]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let after = std::fs::read_to_string(dir.path().join("migrate.hcl")).unwrap();
    assert!(
        after.contains("  # the first database\n  database \"db1\" {\n"),
        "{after}"
    );
    let (code, stdout, stderr) = run(dir.path(), &["plan", ".", "-detailed-exitcode"]).await;
    assert_eq!(code, 0, "{after}\n{stdout}\n{stderr}");
    emulator.stop().await;
}

/// The sample world's two-way job, both directions as live: the reverse direction
/// carries `orders` back.
const TWO_WAY: &str = r#"resource "alicloud_dts_job" "orders" {
  dts_job_id = "r8tw2way01x"

  database "orders" {
    table "orders" {}
    table "order_items" {}
  }

  # What comes back from the west.
  reverse {
    database "orders" {
      table "orders" {} # refunds are written there
    }
  }
}
"#;

/// What someone does in the console: the reverse direction of the two-way job gets
/// `returns` (the forward direction is left as it is).
async fn console_adds_a_table_to_the_reverse_direction(emulator: &RunningEmulator) {
    let client = client(&emulator.url(), SignatureVersion::V3);
    let db_list = json!({"orders": {"name": "orders", "all": false, "Table": {
        "orders": {"name": "orders", "all": true},
        "returns": {"name": "returns", "all": true}}}});
    client
        .call_params(
            "ModifyDtsJob",
            &Params::default()
                .query("DtsInstanceId", format!("dts{TWO_WAY_JOB}"))
                .query("SynchronizationDirection", "Reverse")
                .query("DbList", db_list.to_string())
                .query("RegionId", "cn-hangzhou"),
        )
        .await
        .expect("the console's change");
    wait_for_status(
        &client,
        TWO_WAY_REVERSE_JOB,
        &JobStatus::Synchronizing,
        std::time::Duration::from_secs(10),
    )
    .await;
}

async fn sample_emulator() -> RunningEmulator {
    start(fast_config(), World::sample()).await
}

fn alicloud_only(url: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("providers.hcl"),
        format!(
            "provider \"alicloud\" {{\n  region   = \"cn-hangzhou\"\n  endpoint = \"{url}\"\n}}\n"
        ),
    )
    .unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_added_to_the_reverse_direction_is_drift_marked_reverse_until_configured() {
    let emulator = sample_emulator().await;
    let dir = alicloud_only(&emulator.url(), &[("orders.hcl", TWO_WAY)]);
    let path = dir.path();
    let (code, stdout, stderr) = run(path, &["drift", "."]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");

    console_adds_a_table_to_the_reverse_direction(&emulator).await;

    let (code, stdout, stderr) = run(path, &["drift", "."]).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    for expected in [
        "alicloud_dts_job.orders (job r8tw2way01x, alicloud in cn-hangzhou, now Synchronizing, reverse Synchronizing)\n",
        "  - reverse direction: table orders.returns: live, not in the configuration (added outside the configuration?); the next apply would REMOVE it\n",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in\n{stdout}");
    }
    let (code, json, stderr) = run(path, &["drift", ".", "--json"]).await;
    assert_eq!(code, 2, "{stderr}");
    let problems = report_check::drift_problems(&json);
    assert!(problems.is_empty(), "{problems:#?}\n{json}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let changes = doc["jobs"][0]["object_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{json}");
    assert_eq!(changes[0]["address"], "orders.returns");
    assert_eq!(changes[0]["direction"], "reverse");
    let (code, md, _) = run(path, &["drift", ".", "--markdown"]).await;
    assert_eq!(code, 2);
    assert!(
        md.contains("#### `alicloud_dts_job.orders` (reverse direction): 1 object\n"),
        "{md}"
    );
    assert!(md.contains("`orders.returns`"), "{md}");

    // Configured by hand in the reverse block: no drift, and plan keeps it.
    std::fs::write(
        path.join("orders.hcl"),
        TWO_WAY.replace(
            "      table \"orders\" {} # refunds are written there\n",
            "      table \"orders\" {} # refunds are written there\n      table \"returns\" {}\n",
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(path, &["drift", "."]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, stdout, stderr) = run(path, &["plan", ".", "-detailed-exitcode"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn adopt_writes_a_reverse_direction_table_into_the_reverse_block() {
    let emulator = sample_emulator().await;
    console_adds_a_table_to_the_reverse_direction(&emulator).await;
    let dir = alicloud_only(&emulator.url(), &[("orders.hcl", TWO_WAY)]);
    let path = dir.path();

    // Only the forward direction: nothing there to adopt, and nothing written.
    let (code, stdout, stderr) = run(path, &["adopt", ".", "--direction", "forward"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Nothing to adopt in the forward direction."),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(path.join("orders.hcl")).unwrap(),
        TWO_WAY
    );
    // Naming it with the other direction leaves it out, and says so (not "names no
    // live object").
    let (code, stdout, stderr) = run(
        path,
        &["adopt", ".", "orders.returns", "--direction", "forward"],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Nothing to adopt among the objects named in the forward direction."),
        "{stdout}"
    );

    let (code, stdout, stderr) = run(path, &["adopt", ".", "--direction", "reverse"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "+ table orders.returns  (alicloud_dts_job.orders, reverse direction, ./orders.hcl)"
        ),
        "{stdout}"
    );
    let after = std::fs::read_to_string(path.join("orders.hcl")).unwrap();
    assert_eq!(
        after,
        TWO_WAY.replace(
            "      table \"orders\" {} # refunds are written there\n",
            "      table \"orders\" {} # refunds are written there\n\n      table \"returns\" {}\n",
        )
    );
    let (code, stdout, stderr) = run(path, &["plan", ".", "-detailed-exitcode"]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, _, _) = run(path, &["fmt", "--check", "."]).await;
    assert_eq!(code, 0);
    let (code, stdout, _) = run(path, &["drift", "."]).await;
    assert_eq!(code, 0, "{stdout}");
    emulator.stop().await;
}
