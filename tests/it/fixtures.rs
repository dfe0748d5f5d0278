//! Snapshot fixtures for `dtsform plan` and `dtsform validate`.
//!
//! Each directory under `testdata/plan/` is one case: its `*.hcl` files (or `config`, naming
//! a directory to take them from, such as `examples/quickstart`), optionally
//! `world.json` (the embedded emulator's world; the sample world otherwise), `args` (extra
//! arguments, one per line), `env` (KEY=VALUE lines) and `command` (`validate` instead of
//! `plan`). The expected results are `expected.stdout`, `expected.stderr` and
//! `expected.code`, plus `expected.plan.json` when the case saves a plan with `-out
//! plan.json`. Run with `DTSFORM_BLESS=1` to write the expected files from the actual
//! output — then read them before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// A saved plan with the parts that vary between runs blanked out.
fn stable_plan_file(text: &str) -> String {
    let mut plan: serde_json::Value = serde_json::from_str(text).expect("plan file is JSON");
    for key in ["created_at", "checksum", "config_dir"] {
        plan[key] = serde_json::Value::String(format!("<{key}>"));
    }
    serde_json::to_string_pretty(&plan).unwrap() + "\n"
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: String,
    plan_file: Option<String>,
}

fn run_case(case: &Path) -> Outcome {
    let work = tempfile::tempdir().unwrap();
    copy_dir(case, work.path());
    // `config` names a directory whose *.hcl files the case uses, e.g. an example.
    if let Some(config) = read(&case.join("config")) {
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(config.trim()),
            work.path(),
        );
    }
    let world = work.path().join("world.json");
    let command =
        read(&case.join("command")).map_or_else(|| "plan".to_owned(), |c| c.trim().to_owned());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dtsform"));
    cmd.current_dir(work.path())
        .env_clear()
        .env("NO_COLOR", "1")
        .env("HOME", work.path())
        .arg(&command);
    if command == "plan" {
        cmd.arg("--emulator");
        if world.exists() {
            cmd.arg("--emulator-state").arg(&world);
        }
    }
    for line in read(&case.join("args"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        cmd.arg(line.trim());
    }
    for line in read(&case.join("env")).unwrap_or_default().lines() {
        if let Some((k, v)) = line.split_once('=') {
            cmd.env(k.trim(), v.trim());
        }
    }
    cmd.arg(".");
    let out = cmd.output().expect("run dtsform");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: format!("{}\n", out.status.code().unwrap_or(-1)),
        plan_file: read(&work.path().join("plan.json")).map(|t| stable_plan_file(&t)),
    }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn plan_and_validate_fixtures() {
    let bless = std::env::var_os("DTSFORM_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 20, "fixtures missing: {}", cases.len());
    for case in &cases {
        let outcome = run_case(case);
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        // Every diagnostic says how to proceed.
        let diagnostics = outcome
            .stderr
            .lines()
            .filter(|l| l.starts_with("dtsform::"))
            .count();
        let helps = outcome.stderr.matches("  help: ").count();
        if diagnostics != helps {
            failures.push(format!(
                "{name}: {diagnostics} diagnostics but {helps} help lines:\n{}",
                outcome.stderr
            ));
        }
        let mut expected = vec![
            ("expected.stdout", Some(outcome.stdout)),
            ("expected.stderr", Some(outcome.stderr)),
            ("expected.code", Some(outcome.code)),
        ];
        if outcome.plan_file.is_some() || case.join("expected.plan.json").exists() {
            expected.push(("expected.plan.json", outcome.plan_file));
        }
        for (file, actual) in expected {
            let path = case.join(file);
            let actual = actual.unwrap_or_default();
            if bless {
                std::fs::write(&path, &actual).unwrap();
            } else if read(&path).as_deref() != Some(actual.as_str()) {
                failures.push(format!(
                    "{name}/{file} differs:\n--- expected\n{}\n--- actual\n{actual}",
                    read(&path).unwrap_or_else(|| "(missing)".into())
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture mismatches (DTSFORM_BLESS=1 rewrites them):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn both_object_list_forms_plan_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan");
    let blocks = run_case(&root.join("quickstart"));
    let json = run_case(&root.join("db-list-jsonencode"));
    assert_eq!(blocks.stdout, json.stdout);
    assert_eq!(blocks.code, json.code);
}

#[test]
fn secrets_never_reach_output_or_plan_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan");
    for case in cases() {
        let Some(env) = read(&case.join("env")) else {
            continue;
        };
        let outcome = run_case(&case);
        for secret in env
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(_, v)| v.trim())
            .filter(|v| v.contains("secret"))
        {
            for (what, text) in [("stdout", &outcome.stdout), ("stderr", &outcome.stderr)] {
                assert!(
                    !text.contains(secret),
                    "{} leaks a secret on {what}",
                    case.display()
                );
            }
            if let Some(plan) = &outcome.plan_file {
                assert!(
                    !plan.contains(secret),
                    "{} leaks a secret into its plan file",
                    case.display()
                );
            }
        }
    }
    let _ = root;
}
