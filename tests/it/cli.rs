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
