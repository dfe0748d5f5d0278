use serde_json::json;

use super::*;
use crate::config::{Config, Inputs, load};
use crate::objects::diff::diff;

fn config(resource_body: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        format!("provider \"alicloud\" {{\n  region = \"cn-hangzhou\"\n}}\nresource \"alicloud_dts_job\" \"shop\" {{\n  dts_job_id = \"j\"\n{resource_body}\n}}\n"),
    )
    .unwrap();
    let c = load(dir.path(), &Inputs::default()).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, c)
}

fn live() -> ObjectTree {
    ObjectTree::from_value(&json!({"shop": {"name": "shop", "all": false, "Table": {
        "orders": {"name": "orders", "all": true},
        "customers": {"name": "customers", "all": true},
        "legacy": {"name": "legacy", "all": false, "column": {"id": {}, "secret": {}}},
    }}}))
    .unwrap()
}

fn run(body: &str, cli: &[&str]) -> Result<Vec<AllowedRemoval>, Vec<ConfigError>> {
    let (_dir, c) = config(body);
    let job = &c.jobs[0];
    let payload = job
        .objects
        .as_ref()
        .map(|o| o.tree().unwrap())
        .unwrap_or_default();
    let live = live();
    let d = diff(&payload, &live);
    let flags = Flags {
        allow: cli.iter().map(|a| Removal::parse(a).unwrap()).collect(),
        list_all: false,
    };
    check(&c.sources, job, &live, &payload, &d, &flags)
}

const KEEP_TWO: &str =
    "  database \"shop\" {\n    table \"orders\" {}\n    table \"customers\" {}\n  }";

#[test]
fn an_undeclared_removal_is_refused_with_every_object_and_both_ways_out() {
    let errors = run(KEEP_TWO, &[]).unwrap_err();
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.code, "guard::undeclared_removal");
    assert_eq!(
        e.message,
        "alicloud_dts_job.shop would stop replicating 1 object that no one asked to remove:\n  - table shop.legacy"
    );
    let help = e.help.as_deref().unwrap();
    assert!(
        help.contains(r#"removed { objects = ["shop.legacy"] }"#),
        "{help}"
    );
    assert!(help.contains("--allow-removal shop.legacy"), "{help}");
}

#[test]
fn declared_or_command_line_removals_pass() {
    let allowed = run(
        &format!("{KEEP_TWO}\n  removed {{\n    objects = [\"shop.legacy\"]\n  }}"),
        &[],
    )
    .unwrap();
    assert_eq!(allowed.len(), 1);
    assert_eq!(
        (allowed[0].allowance, allowed[0].objects),
        (Allowance::Declared, 1)
    );
    let allowed = run(KEEP_TWO, &["shop.legacy"]).unwrap();
    assert_eq!(allowed[0].allowance, Allowance::CommandLine);
}

#[test]
fn a_declaration_must_be_exact() {
    // Declaring a column does not allow removing its table.
    let errors = run(
        &format!("{KEEP_TWO}\n  removed {{\n    objects = [\"shop.legacy.id\"]\n  }}"),
        &[],
    )
    .unwrap_err();
    assert_eq!(errors[0].code, "guard::undeclared_removal");
}

#[test]
fn protected_objects_stay_even_when_declared() {
    let body = format!(
        "{KEEP_TWO}\n  removed {{\n    objects = [\"shop.legacy\"]\n  }}\n  lifecycle {{\n    prevent_removal = [\"shop.*.secret\"]\n  }}"
    );
    let errors = run(&body, &[]).unwrap_err();
    assert_eq!(errors[0].code, "guard::protected");
    assert!(
        errors[0]
            .message
            .contains("column shop.legacy.secret (prevent_removal \"shop.*.secret\")"),
        "{}",
        errors[0].message
    );
}

#[test]
fn the_mass_removal_breaker() {
    // The job has 4 objects (a database and 3 tables; columns are part of their table).
    assert!(
        run(
            &format!("{KEEP_TWO}\n  removed {{\n    objects = [\"shop.legacy\"]\n  }}"),
            &[]
        )
        .is_ok(),
        "one table of four (25 %) is allowed"
    );
    let only_orders = "  database \"shop\" {\n    table \"orders\" {}\n  }\n  removed {\n    objects = [\"shop.legacy\", \"shop.customers\"]\n  }";
    let errors = run(only_orders, &[]).unwrap_err();
    assert_eq!(errors[0].code, "guard::mass_removal");
    assert_eq!(
        errors[0].message,
        "alicloud_dts_job.shop would remove 2 of its 4 objects (50 %), more than the mass-removal breaker allows (10 objects, 25 %)"
    );
    let raised = only_orders.replace(
        "  removed",
        "  lifecycle {\n    max_removed_percent = 50\n  }\n  removed",
    );
    assert!(run(&raised, &[]).is_ok());
    let few = only_orders.replace(
        "  removed",
        "  lifecycle {\n    max_removed_objects = 1\n    max_removed_percent = 100\n  }\n  removed",
    );
    assert_eq!(run(&few, &[]).unwrap_err()[0].code, "guard::mass_removal");
}

#[test]
fn an_empty_list_is_never_sent() {
    let errors = run("  db_list = \"{}\"\n  removed {\n    objects = [\"shop\"]\n  }\n  lifecycle {\n    max_removed_percent = 100\n    max_removed_objects = 100\n  }", &[]).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "guard::empty_list");
}

/// A refusal of thousands of objects names the first [`LISTED`] and says how many more,
/// instead of printing megabytes; `list_all` lists every one.
#[test]
fn a_huge_refusal_is_summarised_unless_every_object_is_asked_for() {
    let (_dir, c) = config(KEEP_TWO);
    let job = &c.jobs[0];
    let payload = job.objects.as_ref().unwrap().tree().unwrap();
    let tables: serde_json::Map<String, serde_json::Value> = (0..20_000)
        .map(|i| {
            (
                format!("t{i:05}"),
                json!({"name": format!("t{i:05}"), "all": true}),
            )
        })
        .chain([
            ("orders".to_owned(), json!({"name": "orders", "all": true})),
            (
                "customers".to_owned(),
                json!({"name": "customers", "all": true}),
            ),
        ])
        .collect();
    let live =
        ObjectTree::from_value(&json!({"shop": {"name": "shop", "all": false, "Table": tables}}))
            .unwrap();
    let d = diff(&payload, &live);
    let refused = |list_all| {
        let flags = Flags {
            allow: Vec::new(),
            list_all,
        };
        check(&c.sources, job, &live, &payload, &d, &flags).unwrap_err()
    };
    let summary = refused(false);
    let undeclared = summary
        .iter()
        .find(|e| e.code == "guard::undeclared_removal")
        .unwrap();
    let text = format!(
        "{}\n{}",
        undeclared.message,
        undeclared.help.as_deref().unwrap()
    );
    assert!(text.len() < 12_000, "{} bytes", text.len());
    assert!(
        undeclared
            .message
            .contains("20000 objects that no one asked to remove"),
        "{}",
        undeclared.message
    );
    assert!(
        undeclared
            .message
            .contains("… and 19950 more (plan --list-all-removals lists every one)"),
        "{}",
        undeclared.message
    );
    let all = refused(true);
    let listed = all
        .iter()
        .find(|e| e.code == "guard::undeclared_removal")
        .unwrap();
    assert_eq!(listed.message.matches("\n  - table shop.t").count(), 20_000);
}
