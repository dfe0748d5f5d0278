//! `show`, the reports on the command line, completions and the manual page, and the
//! commands of the example CI workflow (`examples/ci/github-actions.yml`) run as it
//! runs them, against the embedded emulator.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::report_check;
use crate::support::report_text;

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");
const WORKFLOW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/ci/github-actions.yml"
);

/// `dtsform ARGS` in `dir` with an empty environment: no credentials, no network set-up.
fn offline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dtsform"))
        .current_dir(dir)
        .env_clear()
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run dtsform")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A quickstart plan saved in `dir` as `q.plan`; the plan's text.
fn saved_plan(dir: &Path) -> String {
    let out = offline(dir, &["plan", "--emulator", QUICKSTART, "-out", "q.plan"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn show_needs_nothing_but_the_plan_file() {
    let dir = tempfile::tempdir().unwrap();
    let planned = saved_plan(dir.path());
    // Another directory, no configuration, no credentials, no emulator.
    let elsewhere = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.plan");
    let file = file.to_str().unwrap();
    let shown = offline(elsewhere.path(), &["show", file]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(
        planned.contains(&text(&shown.stdout)),
        "{planned}\n---\n{}",
        text(&shown.stdout)
    );
    let json = offline(elsewhere.path(), &["show", "--json", file]);
    assert!(json.status.success());
    let problems = report_check::problems(&text(&json.stdout));
    assert!(problems.is_empty(), "{problems:#?}");
    let md = offline(elsewhere.path(), &["show", "-markdown", file]);
    assert!(text(&md.stdout).starts_with("<!-- dtsform:plan outcome=changes sha256="));
}

#[test]
fn a_plan_file_of_another_format_is_refused_as_text_and_as_a_report() {
    let dir = tempfile::tempdir().unwrap();
    saved_plan(dir.path());
    let path = dir.path().join("q.plan");
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    file["format_version"] = Value::from(1);
    std::fs::write(&path, file.to_string()).unwrap();
    let out = offline(dir.path(), &["show", "q.plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("run plan again"),
        "{}",
        text(&out.stderr)
    );
    let out = offline(dir.path(), &["show", "--json", "q.plan"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(report_check::problems(&report).is_empty(), "{report}");
    let doc: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(doc["outcome"], "error");
    assert_eq!(doc["diagnostics"][0]["code"], "dtsform::plan_file::version");
    let out = offline(dir.path(), &["show", "--markdown", "q.plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("dtsform::plan_file::version"));
}

#[test]
fn plan_json_of_a_configuration_error_is_a_document_with_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        "resource \"alicloud_dts_job\" {\n",
    )
    .unwrap();
    let out = offline(
        dir.path(),
        &["plan", "--emulator", "--json", "-detailed-exitcode", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report_check::problems(&report).is_empty(), "{report}");
    let doc: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(doc["outcome"], "error");
    assert_eq!(doc["diagnostics"][0]["location"]["line"], 1);
    assert!(
        !text(&out.stderr).is_empty(),
        "the diagnostic is printed too"
    );
}

const PLAN_CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/plan");

#[test]
fn a_removal_from_the_reverse_direction_of_a_two_way_job_is_counted_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{PLAN_CASES}/guard-two-way-reverse-declared-removal");
    let out = offline(dir.path(), &["plan", "--emulator", "--json", &config]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report_check::problems(&report).is_empty(), "{report}");
    let doc: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(doc["summary"]["objects_to_remove"], 1, "{report}");
    assert_eq!(doc["summary"]["stops_replicating"], true);
    let job = &doc["jobs"][0];
    assert_eq!(job["stops_replicating"], true);
    let removal = job["object_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "delete")
        .expect("the reverse removal is an object change");
    assert_eq!(
        (&removal["direction"], &removal["address"]),
        (&Value::from("reverse"), &Value::from("orders.orders"))
    );
    assert_eq!(job["operations"][0]["direction"], "reverse");
    let md = offline(dir.path(), &["plan", "--emulator", "--markdown", &config]);
    let md = text(&md.stdout);
    assert!(
        md.contains("#### `alicloud_dts_job.orders` (reverse direction): 1 removal"),
        "{md}"
    );
}

#[test]
fn a_refusal_of_the_reverse_direction_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{PLAN_CASES}/guard-two-way-reverse-undeclared-removal");
    let out = offline(dir.path(), &["plan", "--emulator", "--json", &config]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(doc["outcome"], "refused");
    assert_eq!(doc["refusals"][0]["job"], "alicloud_dts_job.orders");
    assert_eq!(doc["refusals"][0]["direction"], "reverse");
}

#[test]
fn a_failed_precheck_exits_1_in_every_format_and_saves_no_plan() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{PLAN_CASES}/precheck-failed");
    for format in ["--json", "--markdown"] {
        let out = Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .current_dir(dir.path())
            .env_clear()
            .env("NO_COLOR", "1")
            .env("DTSFORM_VAR_reader_password", "reader-secret-pw-4")
            .args([
                "plan",
                "--emulator",
                "--precheck",
                format,
                "-out",
                "p.plan",
                &config,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        assert!(
            !dir.path().join("p.plan").exists(),
            "{format} saved the plan"
        );
        assert!(text(&out.stderr).contains("The plan was not saved"));
        let report = text(&out.stdout);
        assert!(!report.contains("reader-secret-pw-4"));
        if format == "--json" {
            assert!(report_check::problems(&report).is_empty(), "{report}");
            let doc: Value = serde_json::from_str(&report).unwrap();
            assert_eq!(doc["outcome"], "precheck_failed");
            assert_eq!(doc["summary"]["prechecks"]["failed"], 2);
            assert!(doc.get("plan").is_none());
        } else {
            assert!(
                report.starts_with("<!-- dtsform:plan outcome=precheck_failed -->"),
                "{report}"
            );
        }
    }
}

#[test]
fn a_mistyped_flag_is_an_error_not_changes_or_drift() {
    for args in [
        &["drift", "--emulator", ".", "--bogus"][..],
        &["plan", "--emulator", ".", "--detailed-exitcode", "--bogus"],
        &["plan", "--parallelism", "many", "."],
    ] {
        let out = offline(Path::new("."), args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains("error:"), "{args:?}");
    }
    let out = offline(Path::new("."), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Usage:"));
}

/// "Errors too are a JSON document": a usage error of a report command asked for
/// `--json` is one on standard output (clap's text stays on standard error), valid
/// against the command's schema, and still exits 1; so with `--markdown`.
#[test]
fn a_usage_error_under_json_is_a_json_document() {
    for (args, drift) in [
        (&["plan", "--json", ".", "--bogus"][..], false),
        (&["show", "--json", "--markdown", "x.plan"], false),
        (&["drift", "--json", "--parallelism", "many", "."], true),
    ] {
        let out = offline(Path::new("."), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let json = text(&out.stdout);
        let problems = if drift {
            report_check::drift_problems(&json)
        } else {
            report_check::problems(&json)
        };
        assert!(problems.is_empty(), "{args:?}: {problems:#?}\n{json}");
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["outcome"], "error", "{json}");
        assert_eq!(value["diagnostics"][0]["code"], "dtsform::usage", "{json}");
        assert!(text(&out.stderr).contains("error:"), "{args:?}");
    }
    // A value clap refuses may be a secret split off a -var (an unquoted $PW with a
    // space): the document names the kind of error and dtsform's flag, never the word.
    for args in [
        &["plan", "--markdown", ".", "-var", "db_password=", "hunter2"][..],
        &["plan", "--json", ".", "-var", "password=x", "--hunter3"],
        &["drift", "--json", "--parallelism", "hunter4", "."],
    ] {
        let out = offline(Path::new("."), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let document = text(&out.stdout);
        assert!(document.contains("dtsform::usage"), "{document}");
        for secret in ["hunter2", "hunter3", "hunter4"] {
            assert!(!document.contains(secret), "{secret} in {document}");
        }
    }
    // And as Markdown; in text mode, nothing on standard output.
    let out = offline(Path::new("."), &["drift", "--markdown", ".", "--bogus"]);
    assert_eq!(out.status.code(), Some(1));
    let markdown = text(&out.stdout);
    assert!(
        markdown.contains("outcome=error") && markdown.contains("dtsform::usage"),
        "{markdown}"
    );
    let out = offline(Path::new("."), &["plan", ".", "--bogus"]);
    assert!(out.stdout.is_empty());
}

#[test]
fn json_and_markdown_exclude_each_other() {
    let out = offline(Path::new("."), &["show", "--json", "--markdown", "x.plan"]);
    // A usage error is an error (1): 2 would read as "changes" or "drift" to a script.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot be used with"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn completions_for_every_shell_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = offline(Path::new("."), &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in ["plan", "show", "--markdown"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
}

#[test]
fn the_man_page_prints_and_writes_one_page_per_command() {
    let out = offline(Path::new("."), &["man"]);
    assert!(out.status.success());
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH dtsform"),
        "{page}"
    );
    assert!(page.contains("show"));
    let dir = tempfile::tempdir().unwrap();
    let out = offline(dir.path(), &["man", "--out-dir", "."]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for page in [
        "dtsform.1",
        "dtsform-plan.1",
        "dtsform-show.1",
        "dtsform-apply.1",
    ] {
        let roff = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(roff.contains(".TH"), "{page}");
    }
}

#[test]
fn man_pages_are_never_written_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    let out_dir = dir.path().join("pages");
    std::fs::create_dir(&out_dir).unwrap();
    std::os::unix::fs::symlink(&victim, out_dir.join("dtsform-plan.1")).unwrap();
    let out = offline(dir.path(), &["man", "--out-dir", "pages"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    // Checked before anything is written: no page at all.
    assert!(!out_dir.join("dtsform.1").exists());
}

/// The `run:` lines of the workflow that call dtsform, as written (continuation lines
/// joined).
fn workflow_commands() -> Vec<String> {
    std::fs::read_to_string(WORKFLOW)
        .unwrap()
        .lines()
        .map(str::trim)
        .map(|l| l.strip_prefix("run: ").unwrap_or(l))
        .filter(|l| l.starts_with("dtsform "))
        .map(str::to_owned)
        .collect()
}

/// Runs one workflow line with bash in `dir`, `dtsform` on PATH being the binary under
/// test with the embedded emulator (world file `world.json`) added to the commands that
/// reach jobs. Returns the exit code.
fn run_workflow_line(dir: &Path, line: &str) -> i32 {
    let shim = dir.join("bin");
    std::fs::create_dir_all(&shim).unwrap();
    let script = format!(
        "#!/bin/sh\ncmd=\"$1\"; shift\ncase \"$cmd\" in\n  plan|apply|drift) exec '{bin}' \"$cmd\" --emulator --emulator-state '{world}' \"$@\" ;;\n  *) exec '{bin}' \"$cmd\" \"$@\" ;;\nesac\n",
        bin = env!("CARGO_BIN_EXE_dtsform"),
        world = dir.join("world.json").display()
    );
    let path = shim.join("dtsform");
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = Command::new("bash")
        .args(["-c", line])
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", shim.display()))
        .env("NO_COLOR", "1")
        .env("DTSFORM_DIR", "infra/dts")
        .env("GITHUB_OUTPUT", dir.join("github_output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("step_summary"))
        .output()
        .unwrap();
    out.status.code().unwrap_or(-1)
}

#[test]
fn the_ci_workflow_commands_run_as_written_against_the_emulator() {
    let commands = workflow_commands();
    let expect = [
        "dtsform fmt --check \"$DTSFORM_DIR\"",
        "dtsform validate \"$DTSFORM_DIR\"",
        "dtsform plan \"$DTSFORM_DIR\" -out dtsform.plan -detailed-exitcode --markdown > plan.md",
        "dtsform show --json dtsform.plan > plan.json",
        "dtsform show dtsform.plan",
        "dtsform apply -chdir=\"$DTSFORM_DIR\" dtsform.plan",
        "dtsform drift \"$DTSFORM_DIR\" --markdown > drift.md || code=$?",
    ];
    assert_eq!(
        commands, expect,
        "the workflow's dtsform lines changed: update this test"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("infra/dts");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::copy(
        Path::new(QUICKSTART).join("main.hcl"),
        config.join("main.hcl"),
    )
    .unwrap();
    let run = |line: &str| run_workflow_line(dir.path(), line);
    // The pull request: format, validate, plan (changes: 2), the JSON for policy.
    assert_eq!(run(&commands[0]), 0);
    assert_eq!(run(&commands[1]), 0);
    assert_eq!(run(&commands[2]), 2);
    let md = std::fs::read_to_string(dir.path().join("plan.md")).unwrap();
    assert!(
        md.starts_with("<!-- dtsform:plan outcome=changes sha256="),
        "{md}"
    );
    assert!(
        md.contains("[!CAUTION]") && md.contains("`shop.legacy_orders`"),
        "{md}"
    );
    assert_eq!(run(&commands[3]), 0);
    let json = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    assert!(report_check::problems(&json).is_empty(), "{json}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert!(
        md.contains(doc["plan"]["checksum"].as_str().unwrap()),
        "the marker names the plan"
    );
    // After the merge: show and apply exactly that plan.
    assert_eq!(run(&commands[4]), 0);
    assert_eq!(run(&commands[5]), 0);
    // A re-run of the apply job finds every write already in place.
    assert_eq!(run(&commands[5]), 0);
    // The nightly drift check: nothing differs now.
    assert_eq!(run(&format!("{}; exit \"${{code:-0}}\"", commands[6])), 0);
    let drift = std::fs::read_to_string(dir.path().join("drift.md")).unwrap();
    assert!(
        drift.starts_with("<!-- dtsform:drift outcome=no_drift -->"),
        "{drift}"
    );
}

/// `file` with `edit` made and its checksum recomputed, as someone who knows the format
/// could.
fn resealed(file: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    edit(&mut doc);
    doc["checksum"] = serde_json::Value::String(String::new());
    doc["checksum"] =
        serde_json::Value::String(dtsform::util::sha256_hex(doc.to_string().as_bytes()));
    std::fs::write(file, doc.to_string()).unwrap();
}

#[test]
fn show_refuses_a_plan_whose_operations_cannot_be_ordered_as_apply_does() {
    let dir = tempfile::tempdir().unwrap();
    saved_plan(dir.path());
    let file = dir.path().join("q.plan");
    for (edit, says) in [
        (
            serde_json::json!(["alicloud_dts_job.nowhere/objects"]),
            "which the plan does not hold",
        ),
        (serde_json::json!(["SELF"]), "cycle"),
    ] {
        std::fs::copy(&file, dir.path().join("edited.plan")).unwrap();
        let edited = dir.path().join("edited.plan");
        resealed(&edited, |doc| {
            let op = &mut doc["jobs"][0]["operations"][0];
            let id = op["id"].clone();
            op["depends_on"] = if edit == serde_json::json!(["SELF"]) {
                serde_json::json!([id])
            } else {
                edit.clone()
            };
        });
        let out = offline(dir.path(), &["show", edited.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
        let stderr = report_text(&out.stderr);
        assert!(stderr.contains("cannot be ordered"), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}
