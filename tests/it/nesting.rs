//! `validate` and `plan` agree on how deeply an object list may nest
//! (`config::model::MAX_NESTING`). At the limit both accept, and the planner reads the list
//! back; one level past it both refuse with the same located diagnostic — never the
//! planner's "internal … this is a dtsform bug", which is what a list `validate` let
//! through used to get.

use std::path::Path;

use dtsform::config::model::MAX_NESTING;

use crate::support::dtsform;

/// A JSON list nested `depth` deep: `[[...[1]...]]`.
fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

const ALICLOUD: &str = "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n";

/// One way to write a deep object list: its name and, for a list nesting `depth` deep in
/// all, the configuration and the contents of `deep.json`, which it reads.
struct Shape {
    name: &'static str,
    files: fn(usize) -> (String, String),
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "a table's attributes",
        // shop.orders' object is 4 deep: {"shop":{"Table":{"orders":{...}}}}.
        files: |depth| {
            let hcl = format!(
                r#"{ALICLOUD}
resource "alicloud_dts_job" "shop_sync" {{
  dts_job_id         = "k2gm967v16f"
  merge_live_objects = true
  database "shop" {{
    table "orders" {{
      attributes = {{ partition = jsondecode(file("deep.json")) }}
    }}
  }}
}}
"#
            );
            (hcl, nested(depth - 4))
        },
    },
    Shape {
        name: "db_list as an object",
        files: |depth| {
            let hcl = format!(
                r#"{ALICLOUD}
resource "alicloud_dts_job" "shop_sync" {{
  dts_job_id         = "k2gm967v16f"
  merge_live_objects = true
  db_list = {{
    shop = {{ all = true, partition = jsondecode(file("deep.json")) }}
  }}
}}
"#
            );
            (hcl, nested(depth - 2))
        },
    },
    Shape {
        name: "db_list as JSON text",
        files: |depth| {
            let hcl = format!(
                r#"{ALICLOUD}
resource "alicloud_dts_job" "shop_sync" {{
  dts_job_id         = "k2gm967v16f"
  merge_live_objects = true
  db_list            = file("deep.json")
}}
"#
            );
            let json = format!(
                r#"{{"shop":{{"all":true,"partition":{}}}}}"#,
                nested(depth - 2)
            );
            (hcl, json)
        },
    },
    // Tencent's DatabaseInfo holds names only (a key dtsform does not know is refused,
    // since it may name objects), so it cannot nest near the limit; a too-deep one is
    // refused before parsing (config::tests::checks).
];

fn write_case(dir: &Path, shape: &Shape, depth: usize) {
    let (hcl, deep) = (shape.files)(depth);
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
    std::fs::write(dir.join("deep.json"), deep).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_and_plan_agree_at_the_nesting_limit_and_one_past_it() {
    for shape in SHAPES {
        let name = shape.name;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap();

        write_case(dir.path(), shape, MAX_NESTING);
        let validate = dtsform(&["validate", path]);
        assert!(
            validate.status.success(),
            "{name}: {}",
            text(&validate.stderr)
        );
        let plan = dtsform(&["plan", "--emulator", path]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "{name}: {}",
            text(&plan.stderr)
        );
        assert!(
            text(&plan.stdout).contains("Plan: 1 job to change"),
            "{name}: {}",
            text(&plan.stdout)
        );

        write_case(dir.path(), shape, MAX_NESTING + 1);
        let validate = dtsform(&["validate", path]);
        let plan = dtsform(&["plan", "--emulator", path]);
        assert_eq!(validate.status.code(), Some(1), "{name}");
        assert_eq!(plan.status.code(), Some(1), "{name}");
        let refused = text(&validate.stderr);
        assert!(
            refused.starts_with("dtsform::too_deep"),
            "{name}: {refused}"
        );
        assert!(
            refused.contains(&format!(
                "the object list would nest {} levels deep; dtsform reads at most {MAX_NESTING}",
                MAX_NESTING + 1
            )),
            "{name}: {refused}"
        );
        assert_eq!(
            text(&plan.stderr),
            refused,
            "{name}: plan and validate differ"
        );
    }
}

/// At the limit the list also survives the trip through the cloud: apply sends it, the
/// emulator stores it in its world file, and the next plan reads it back unchanged.
#[test]
fn a_list_at_the_nesting_limit_applies_and_plans_again_without_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    write_case(dir.path(), &SHAPES[0], MAX_NESTING);
    let world = dir.path().join("world.json");
    let world = world.to_str().unwrap();
    let apply = dtsform(&[
        "apply",
        "--emulator",
        "--emulator-state",
        world,
        "--auto-approve",
        path,
    ]);
    assert!(apply.status.success(), "{}", text(&apply.stderr));
    let plan = dtsform(&["plan", "--emulator", "--emulator-state", world, path]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert!(
        text(&plan.stdout).contains("No changes."),
        "{}",
        text(&plan.stdout)
    );
}
