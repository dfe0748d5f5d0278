//! The README's first command, `dtsform jobs --emulator`, and its failure modes.

use serde_json::Value;

use crate::support::{ANALYTICS_JOB, CRM_JOB, EmulatorProcess, SHOP_JOB, dtsform, report_text};

#[test]
fn jobs_on_the_embedded_emulator_lists_the_sample_world() {
    let out = dtsform(&["jobs", "--emulator"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "Jobs in cn-hangzhou served by the embedded emulator at http://127.0.0.1:"
        )
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["JOB", "ID", "INSTANCE", "TYPE", "STATUS", "NAME", "OBJECTS"]
    );
    let row = |id: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(id))
            .copied()
            .unwrap_or_default()
    };
    assert_eq!(
        row(SHOP_JOB).split_whitespace().collect::<Vec<_>>(),
        [
            "k2gm967v16f",
            "dtsk2gm967v16f",
            "sync",
            "Synchronizing",
            "shop-sync",
            "shop.orders,",
            "shop.customers,",
            "shop.legacy_orders"
        ]
    );
    assert!(row(CRM_JOB).contains("migration  Migrating"), "{stdout}");
    assert!(row(ANALYTICS_JOB).contains("Suspending"), "{stdout}");
    assert_eq!(lines.last(), Some(&"3 jobs."));
}

#[test]
fn jobs_json_with_v1_signatures() {
    let out = dtsform(&["jobs", "--emulator", "--signature", "v1", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jobs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = jobs
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [SHOP_JOB, ANALYTICS_JOB, CRM_JOB]);
    assert_eq!(
        jobs[0]["objects"]["shop"]["Table"]["orders"]["state"],
        "normal"
    );
}

#[test]
fn jobs_against_a_running_emulator_with_wrong_credentials_shows_code_and_request_id() {
    let emu = EmulatorProcess::spawn(&[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
        .args(["jobs", "--region", "cn-hangzhou", "--endpoint", &emu.url])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "dtsform-emulator")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret-xyz")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(stderr.contains("SignatureDoesNotMatch"), "{stderr}");
    assert!(stderr.contains("RequestId: "), "{stderr}");
    assert!(
        stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        "help names the fix: {stderr}"
    );
    assert!(!stderr.contains("not-the-secret-xyz"), "{stderr}");
}

#[test]
fn jobs_without_credentials_or_region_explains_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
        .args(["jobs", "--region", "cn-hangzhou"])
        .env_clear()
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(
        stderr.contains("no Alibaba Cloud credentials found"),
        "{stderr}"
    );
    assert!(stderr.contains("aliyun configure"), "{stderr}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
        .args(["jobs", "--endpoint", "http://203.0.113.9:80"])
        .env_clear()
        .env("HOME", home.path())
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
        .env("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(
        stderr.contains("plain http to a non-loopback host"),
        "{stderr}"
    );
}

#[test]
fn verbose_logs_name_calls_and_request_ids_without_secrets_or_colour() {
    let out = dtsform(&["-v", "jobs", "--emulator"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dts call") && stderr.contains("request_id="),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour when piped: {stderr:?}"
    );
    for secret in ["dtsform-emulator-secret", "Signature", "authorization"] {
        assert!(!stderr.contains(secret), "{secret} in logs: {stderr}");
    }
}

#[test]
fn fmt_rewrites_files_canonically_and_check_mode_only_reports() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "provider \"alicloud\" {\nregion=\"cn-hangzhou\" # comment kept\n}\n\n\n\nresource   \"alicloud_dts_job\"  \"x\"{\n    dts_job_id = \"a\"\n    status=\"running\"\n}\n";
    let canonical = "provider \"alicloud\" {\n  region = \"cn-hangzhou\" # comment kept\n}\n\nresource \"alicloud_dts_job\" \"x\" {\n  dts_job_id = \"a\"\n  status     = \"running\"\n}\n";
    let file = dir.path().join("main.hcl");
    std::fs::write(&file, messy).unwrap();
    let path = dir.path().to_str().unwrap();

    let check = dtsform(&["fmt", "--check", path]);
    assert_eq!(
        check.status.code(),
        Some(3),
        "unformatted files exit 3 in check mode"
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("main.hcl"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        messy,
        "check mode writes nothing"
    );

    let fix = dtsform(&["fmt", path]);
    assert!(fix.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), canonical);
    let again = dtsform(&["fmt", "--check", path]);
    assert_eq!(again.status.code(), Some(0), "formatting is idempotent");
    assert!(again.stdout.is_empty());
}

#[test]
fn fmt_refuses_files_that_do_not_parse_and_leaves_them_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "resource \"a\" \"b\" {\n  x = \n}\n";
    let file = dir.path().join("broken.hcl");
    std::fs::write(&file, broken).unwrap();
    let out = dtsform(&["fmt", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(report_text(&out.stderr).contains("syntax error"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
}

#[test]
fn every_hcl_file_we_ship_is_canonically_formatted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("examples/quickstart")];
    for entry in std::fs::read_dir(root.join("testdata/plan")).unwrap() {
        let dir = entry.unwrap().path();
        // Cases about broken syntax cannot be formatted.
        if !dir.ends_with("diag-syntax") {
            dirs.push(dir);
        }
    }
    let mut args = vec!["fmt".to_owned(), "--check".to_owned()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = dtsform(&args);
    assert!(
        out.status.success(),
        "not canonical:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn validate_needs_no_network_or_credentials() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
        .args(["validate", "-chdir=examples/quickstart"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "The configuration is valid: 1 job, 1 provider.\n"
    );
}

#[test]
fn the_readme_configuration_example_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```hcl\n").expect("an hcl example") + "```hcl\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), example).unwrap();
    let out = dtsform(&["validate", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fmt = dtsform(&["fmt", "--check", dir.path().to_str().unwrap()]);
    assert!(
        fmt.status.success(),
        "the README example is not canonically formatted"
    );
}
