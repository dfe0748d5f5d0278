//! Reports at scale and as a property: thousands of removals and additions stay within
//! GitHub's limit with every removal named; for random plans, every removed (or
//! refused) object is in the Markdown and the JSON, and the configured secret is in no
//! output. Plans are made by the real planner (`plan_job`) from a loaded configuration.

use std::fmt::Write as _;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::budget::{COMMENT_LIMIT, size};
use super::{KeptDiagnostic, failed_document, markdown, plan_document, to_json};
use crate::cloud::alibaba::DtsJob;
use crate::config::{Config, Inputs, load};
use crate::guard::Flags;
use crate::objects::diff::diff;
use crate::objects::{ObjectTree, Removal};
use crate::plan::file::PlanFile;
use crate::plan::{LiveJob, Plan, plan_job};
use crate::render::{Style, render_plan};

fn schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/report.schema.json");
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
    assert!(errors.is_empty(), "{errors:#?}");
    value
}

fn load_config(
    hcl: &str,
    files: &[(String, String)],
    inputs: &Inputs,
) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let config = load(dir.path(), inputs).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, config)
}

fn live(job_id: &str, objects: &Value) -> LiveJob {
    let detail: DtsJob = serde_json::from_value(json!({
        "DtsJobId": job_id, "DtsInstanceID": format!("dts{job_id}"), "Status": "Synchronizing",
        "JobType": "sync", "DbObject": objects.to_string(),
        "SourceEndpoint": {"InstanceType": "RDS", "InstanceID": "rm-src", "Port": "3306", "UserName": "reader"},
    }))
    .unwrap();
    LiveJob::from_detail(detail).unwrap()
}

/// A database `sales` holding these tables, each taken whole.
fn sales(tables: impl Iterator<Item = String>) -> Value {
    let tables: serde_json::Map<String, Value> = tables
        .map(|t| (t.clone(), json!({"name": t, "all": true})))
        .collect();
    json!({"sales": {"name": "sales", "all": false, "Table": tables}})
}

const BREAKER_OFF: &str =
    "  lifecycle {\n    max_removed_objects = 1000000\n    max_removed_percent = 100\n  }\n";

#[test]
fn thousands_of_removals_and_additions_fit_in_one_comment_and_every_removal_is_named() {
    const JOBS: usize = 3;
    let (mut hcl, mut files, mut lives, mut removed) = (
        "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n".to_owned(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for j in 0..JOBS {
        // 1,200 live tables; 1,000 of them go, 200 stay, 1,300 are added.
        let live_tables = (0..1200).map(|i| format!("t{j}_{i:04}"));
        let desired = (1000..1200)
            .map(|i| format!("t{j}_{i:04}"))
            .chain((0..1300).map(|i| format!("n{j}_{i:04}")));
        files.push((format!("j{j}.json"), sales(desired).to_string()));
        lives.push(live(&format!("j{j}"), &sales(live_tables)));
        removed.extend((0..1000).map(|i| format!("sales.t{j}_{i:04}")));
        let _ = write!(
            hcl,
            "resource \"alicloud_dts_job\" \"j{j}\" {{\n  dts_job_id = \"j{j}\"\n  db_list = file(\"j{j}.json\")\n{BREAKER_OFF}}}\n"
        );
    }
    let (dir, config) = load_config(&hcl, &files, &Inputs::default());
    let flags = Flags {
        allow: removed.iter().map(|r| Removal::parse(r).unwrap()).collect(),
        list_all: false,
    };
    let jobs = (0..JOBS)
        .map(|j| plan_job(&config, j, &lives[j], &flags).unwrap())
        .collect();
    let plan = Plan::build(&config, jobs);
    let doc = plan_document(&PlanFile::from_plan(&plan, dir.path(), "now".into()));

    let comment = markdown::render(&doc);
    assert!(comment.fits, "{} characters", size(&comment.text));
    assert!(size(&comment.text) <= COMMENT_LIMIT);
    for address in &removed {
        assert!(
            comment.text.contains(address),
            "{address} is not named in the comment"
        );
    }
    assert!(
        comment.text.contains("this comment leaves out"),
        "it says what was left out"
    );
    assert!(
        comment
            .text
            .contains("Removals and refusals are never left out")
    );

    let json = to_json(&doc);
    let value = assert_valid(&json);
    let changes: Vec<&Value> = value["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|j| j["object_changes"].as_array().unwrap())
        .collect();
    let count = |action: &str| changes.iter().filter(|c| c["action"] == action).count();
    assert_eq!(
        (count("delete"), count("create"), changes.len()),
        (3000, 3900, 6900),
        "the JSON lists every change"
    );
    for address in &removed {
        assert!(
            changes
                .iter()
                .any(|c| c["action"] == "delete" && c["address"] == address.as_str()),
            "{address} is not a delete in the JSON"
        );
    }
    assert_eq!(value["summary"]["objects_to_remove"], 3000);
    assert_eq!(value["summary"]["removals_allowed_by_flag"], 3000);
}

#[test]
fn removals_too_many_for_one_comment_are_still_all_named() {
    let live_tables = (0..6000).map(|i| format!("a_rather_long_table_name_{i:05}"));
    let (dir, config) = load_config(
        &format!(
            "provider \"alicloud\" {{\n  region = \"cn-hangzhou\"\n}}\nresource \"alicloud_dts_job\" \"j\" {{\n  dts_job_id = \"j\"\n  database \"sales\" {{\n    table \"kept\" {{}}\n  }}\n{BREAKER_OFF}}}\n"
        ),
        &[],
        &Inputs::default(),
    );
    let removed: Vec<String> = live_tables.clone().map(|t| format!("sales.{t}")).collect();
    let flags = Flags {
        allow: removed.iter().map(|r| Removal::parse(r).unwrap()).collect(),
        list_all: false,
    };
    let job = plan_job(&config, 0, &live("j", &sales(live_tables)), &flags).unwrap();
    let plan = Plan::build(&config, vec![job]);
    let doc = plan_document(&PlanFile::from_plan(&plan, dir.path(), "now".into()));
    let comment = markdown::render(&doc);
    assert!(!comment.fits, "6,000 long names cannot fit");
    for address in &removed {
        assert!(comment.text.contains(address), "{address} was cut");
    }
}

#[test]
fn a_thousand_jobs_each_losing_two_tables_fit_with_one_line_per_job_every_table_named() {
    // As bullets or per-job blocks these removals alone are longer than a comment.
    const JOBS: usize = 1000;
    let mut hcl = String::from("provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n");
    for j in 0..JOBS {
        let _ = write!(
            hcl,
            "resource \"alicloud_dts_job\" \"j{j}\" {{\n  dts_job_id = \"j{j}\"\n  database \"sales\" {{\n    table \"kept\" {{}}\n  }}\n  removed {{\n    objects = [\"sales.gone_a\", \"sales.gone_b\"]\n  }}\n{BREAKER_OFF}}}\n"
        );
    }
    let (dir, config) = load_config(&hcl, &[], &Inputs::default());
    let tables = ["kept", "gone_a", "gone_b"].map(String::from);
    let jobs = (0..JOBS)
        .map(|j| {
            let live = live(&format!("j{j}"), &sales(tables.iter().cloned()));
            plan_job(&config, j, &live, &Flags::default()).unwrap()
        })
        .collect();
    let plan = Plan::build(&config, jobs);
    let doc = plan_document(&PlanFile::from_plan(&plan, dir.path(), "now".into()));
    let comment = markdown::render(&doc);
    assert!(comment.fits, "{} characters", comment.text.len());
    for j in 0..JOBS {
        assert!(
            comment.text.contains(&format!(
                "alicloud_dts_job.j{j}: sales.gone_a, sales.gone_b\n"
            )),
            "job j{j}'s removals are not on its line"
        );
    }
    assert!(
        comment
            .text
            .contains("2,000 tables, declared in `removed`, by job:")
    );
    assert!(comment.text.contains("the totals are shown"));
}

fn own_names(name: &str, node: &mut crate::objects::Node) {
    node.attrs.insert("name".into(), json!(name));
    for container in node.containers.values_mut() {
        for (child_name, child) in &mut container.nodes {
            own_names(child_name, child);
        }
    }
}

/// A random secret, recognisable in any output.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{12,20}".prop_map(|s| format!("s3cr3t-{s}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_removed_object_is_in_both_reports_and_the_secret_in_none(
        live_list in crate::plan::coverage_tests::db_list(),
        ops in proptest::collection::vec((0u8..7, any::<usize>()), 1..5),
        allow in proptest::collection::vec(any::<bool>(), 8),
        password in secret(),
    ) {
        let mut live_tree = ObjectTree::from_value(&live_list).unwrap();
        // Each object written to its own name, so no two share a target.
        for (name, node) in &mut live_tree.databases {
            own_names(name, node);
        }
        let live_list = live_tree.to_value();
        let mut desired = live_tree.clone();
        for (op, index) in &ops {
            crate::plan::coverage_tests::mutate(&mut desired, *op, *index);
        }
        if desired.is_empty() {
            return Ok(());
        }
        let removals: Vec<Removal> = diff(&desired, &live_tree)
            .removals()
            .filter_map(crate::objects::diff::ObjectChange::removal)
            .collect();
        // Some removals allowed, the others refused.
        let allowed: Vec<Removal> = removals
            .iter()
            .enumerate()
            .filter(|(i, _)| allow[i % allow.len()])
            .map(|(_, r)| r.clone())
            .collect();
        let hcl = format!(
            "provider \"alicloud\" {{\n  region = \"cn-hangzhou\"\n}}\nvariable \"pw\" {{\n  sensitive = true\n}}\nresource \"alicloud_dts_job\" \"j\" {{\n  dts_job_id = \"j\"\n  db_list = file(\"desired.json\")\n  source {{\n    instance_type = \"rds\"\n    instance_id = \"rm-src\"\n    username = \"writer\"\n    password = var.pw\n  }}\n{BREAKER_OFF}}}\n"
        );
        let inputs = Inputs { vars: vec![format!("pw={password}")], ..Inputs::default() };
        let (dir, config) = load_config(
            &hcl,
            &[("desired.json".into(), desired.to_json())],
            &inputs,
        );
        let flags = Flags { allow: allowed.clone(), list_all: false };
        let outputs: Vec<String> = match plan_job(&config, 0, &live("j", &live_list), &flags) {
            Ok(job) => {
                let plan = Plan::build(&config, vec![job]);
                let file = PlanFile::from_plan(&plan, dir.path(), "now".into());
                let doc = plan_document(&file);
                let json = to_json(&doc);
                assert_valid(&json);
                let md = markdown::render(&doc).text;
                prop_assert!(md.contains("(sensitive, from `var.pw`)"), "{md}");
                for removal in &removals {
                    let shown = removal.to_string();
                    prop_assert!(md.contains(&shown), "{shown} not in {md}");
                    prop_assert!(json.contains(&format!("\"{shown}\"")), "{shown} not in {json}");
                }
                let text = render_plan(&plan, Style { colour: false });
                let saved = serde_json::to_string(&file).unwrap();
                vec![json, md, text, saved]
            }
            Err(errors) => {
                let kept = errors.iter().map(KeptDiagnostic::of_config_error).collect();
                let doc = failed_document(None, kept);
                let json = to_json(&doc);
                assert_valid(&json);
                let md = markdown::render(&doc).text;
                let refused: Vec<String> = removals
                    .iter()
                    .filter(|r| !allowed.contains(r))
                    .map(ToString::to_string)
                    .collect();
                for shown in &refused {
                    prop_assert!(md.contains(shown.as_str()), "{shown} not in {md}");
                    prop_assert!(json.contains(&format!("\"{shown}\"")), "{shown} not in {json}");
                }
                let rendered: String = errors.iter().map(|e| crate::printer::report::render(e)).collect();
                vec![json, md, rendered]
            }
        };
        for output in &outputs {
            prop_assert!(!output.contains(&password), "the secret leaks: {output}");
        }
    }
}
