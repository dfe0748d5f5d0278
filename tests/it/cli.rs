//! The README's first command, `dtsform jobs --emulator`, and its failure modes.

use std::path::Path;

use serde_json::Value;

use crate::support::{
    ANALYTICS_JOB, CRM_JOB, EmulatorProcess, SHOP_JOB, TWO_WAY_JOB, dtsform, report_text,
};

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
    assert!(row(TWO_WAY_JOB).contains("orders-two-way"), "{stdout}");
    assert_eq!(lines.last(), Some(&"4 jobs."));
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
    assert_eq!(ids, [SHOP_JOB, ANALYTICS_JOB, TWO_WAY_JOB, CRM_JOB]);
    assert_eq!(
        jobs[0]["objects"]["shop"]["Table"]["orders"]["state"],
        "normal"
    );
}

#[test]
fn jobs_lists_tencent_migration_jobs_too() {
    let out = dtsform(&["jobs", "--emulator", "--cloud", "all"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("Jobs in cn-hangzhou served by the embedded emulator"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nTencent Cloud migration jobs in ap-guangzhou served by the embedded emulator at http://127.0.0.1:"),
        "{stdout}"
    );
    let row = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("dts-6r2kq0mz"),
        [
            "dts-6r2kq0mz",
            "cdb-3kwa7x1p",
            "migration",
            "CheckPass",
            "(4)",
            "shop-migrate",
            "shop.orders,",
            "shop.customers,",
            "audit.*"
        ]
    );
    assert!(
        row("dts-0pb7ye4d").ends_with(&["(whole", "instance)"]),
        "{stdout}"
    );
    assert!(row(SHOP_JOB).contains(&"Synchronizing"), "{stdout}");

    let out = dtsform(&["jobs", "--emulator", "--cloud", "tencent", "--json"]);
    assert!(out.status.success());
    let jobs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = jobs.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|j| j["cloud"] == "tencent" && j["type"] == "migration")
    );
    assert_eq!(rows[0]["objects"][0]["Database"], "shop");
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
    // And the closing line of what was sent, as plan and apply end with.
    assert!(
        stderr.contains("alicloud (cn-hangzhou): ") && stderr.contains("DescribeDtsJobs"),
        "{stderr}"
    );
    assert!(!stderr.contains("tencentcloud ("), "not called: {stderr}");
    let both = dtsform(&["-v", "jobs", "--emulator", "--cloud", "all"]);
    let stderr = String::from_utf8_lossy(&both.stderr);
    assert!(
        stderr.contains("tencentcloud (ap-guangzhou): 1 request, 0 throttled"),
        "{stderr}"
    );
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

// ---- plan -out to something that is not a regular file ----

#[cfg(unix)]
#[test]
fn plan_out_to_a_device_or_fifo_is_refused_and_left_alone() {
    use std::os::unix::fs::{FileTypeExt as _, symlink};
    let dir = tempfile::tempdir().unwrap();
    let quickstart = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");
    // A link to /dev/null: replacing it would have been the old behaviour; replacing
    // /dev/null itself (a rename over the link's target, as root) the worse one.
    let link = dir.path().join("null.plan");
    symlink("/dev/null", &link).unwrap();
    let fifo = dir.path().join("fifo.plan");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (path, says) in [
        (
            &link,
            "symbolic link to /dev/null, which is a character device",
        ),
        (&fifo, "it is a FIFO"),
        (&dir.path().to_owned(), "it is a directory"),
    ] {
        let out = dtsform(&[
            "plan",
            "--emulator",
            "-out",
            path.to_str().unwrap(),
            quickstart,
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        let stderr = report_text(&out.stderr);
        assert!(stderr.contains("cannot write plan file"), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(stderr.contains("never replaced"), "help: {stderr}");
    }
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/dev/null"));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}

// ---- apply against a server that echoes the passwords it is sent ----

const ALIBABA_PASSWORD: &str = "crm Pa55/wörd+*";
const TENCENT_PASSWORD: &str = "reader \"Pa55\"/é";

/// Every spelling of the two passwords an echo could use, that `text` contains.
fn password_leaks(text: &str) -> Vec<String> {
    use dtsform::cloud::alibaba::sign::percent_encode;
    let mut found = Vec::new();
    for secret in [ALIBABA_PASSWORD, TENCENT_PASSWORD] {
        let json = serde_json::to_string(secret).unwrap();
        for spelling in [
            secret.to_owned(),
            percent_encode(secret),
            percent_encode(&percent_encode(secret)),
            json.trim_matches('"').to_owned(),
        ] {
            if text.contains(&spelling) {
                found.push(spelling);
            }
        }
    }
    for fragment in ["Pa55/w", "\\\"Pa55\\\"", "\"Pa55\"", "Pa55%2F"] {
        if text.contains(fragment) {
            found.push(fragment.to_owned());
        }
    }
    found
}

/// A loopback server standing in for both clouds: reads answer with the live state the
/// emulator gave (`alibaba_detail`, `tencent_row`), writes fail with an error that echoes
/// the whole request, passwords included.
async fn echoing_cloud(alibaba_detail: Value, tencent_row: Value) -> String {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Uri};
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let alibaba_detail = alibaba_detail.clone();
        let tencent_row = tencent_row.clone();
        async move {
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let query = uri.query().unwrap_or_default().to_owned();
            let body = String::from_utf8_lossy(&body).into_owned();
            let (status, json) = match (header("x-acs-action").as_str(), header("x-tc-action").as_str()) {
                ("ModifyDtsJobEndpoint", _) => {
                    let decoded: Vec<(String, String)> =
                        form_urlencoded::parse(query.as_bytes()).into_owned().collect();
                    let password = decoded
                        .iter()
                        .find(|(k, _)| k == "Password")
                        .map_or_else(String::new, |(_, v)| v.clone());
                    (
                        400,
                        serde_json::json!({
                            "Code": format!("InvalidParameter.Password.{password}"),
                            "Message": format!("bad request {query} ({decoded:?}) \u{1b}[2J"),
                            "RequestId": format!("rid-{password}"),
                            "HostId": query,
                        }),
                    )
                }
                ("DescribeDtsJobDetail", _) => (200, alibaba_detail),
                (_, "DescribeMigrateJobs") => (
                    200,
                    serde_json::json!({"Response": {"TotalCount": 1, "JobList": [tencent_row], "RequestId": "rid-list"}}),
                ),
                (_, "ModifyMigrateJob") => {
                    let sent: Value = serde_json::from_str(&body).unwrap_or_default();
                    let password = sent["SrcInfo"]["Password"].as_str().unwrap_or_default();
                    (
                        200,
                        serde_json::json!({"Response": {
                            "Error": {
                                "Code": format!("InvalidParameterValue.{password}"),
                                "Message": format!("cannot log in with {body}"),
                            },
                            "RequestId": format!("rid-{password}"),
                        }}),
                    )
                }
                (a, t) => (400, serde_json::json!({"Code": "Unexpected", "Message": format!("{a}{t}"), "RequestId": "r"})),
            };
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                json.to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_against_a_server_echoing_the_passwords_never_shows_them() {
    use crate::support::{client, start, tencent_credentials};
    use dtsform::cloud::alibaba::{Params, SignatureVersion};
    // The live state of the sample world's CRM job and Tencent job, as the emulator
    // serves it.
    let emulator = start(
        crate::support::fast_config(),
        dtsform::emulator::World::sample(),
    )
    .await;
    let detail = client(&emulator.url(), SignatureVersion::V3)
        .call_params(
            "DescribeDtsJobDetail",
            &Params::default()
                .query("DtsJobId", CRM_JOB)
                .query("RegionId", "cn-hangzhou"),
        )
        .await
        .unwrap();
    let tencent = dtsform::cloud::tencent::TencentClient::new(
        {
            let mut c = dtsform::cloud::tencent::ClientConfig::new("ap-guangzhou");
            c.endpoint =
                Some(dtsform::cloud::tencent::endpoint::parse_endpoint(&emulator.url()).unwrap());
            c
        },
        tencent_credentials(),
    )
    .unwrap();
    let row =
        serde_json::to_value(tencent.describe_migrate_job("dts-6r2kq0mz").await.unwrap()).unwrap();
    let url = echoing_cloud(detail, row).await;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        format!(
            r#"provider "alicloud" {{
  region   = "cn-hangzhou"
  endpoint = "{url}"
}}

provider "tencentcloud" {{
  region   = "ap-guangzhou"
  endpoint = "{url}"
}}

variable "crm_password" {{
  type      = string
  sensitive = true
  default   = {alibaba}
}}

variable "reader_password" {{
  type      = string
  sensitive = true
  default   = {tencent}
}}

resource "alicloud_dts_job" "crm" {{
  dts_job_id = "{CRM_JOB}"
  destination {{
    instance_type = "rds"
    username      = "crm_writer"
    password      = var.crm_password
  }}
}}

resource "tencentcloud_dts_migrate_job" "shop" {{
  job_id   = "dts-6r2kq0mz"
  job_name = "shop-migrate-v2"

  source_database_type      = "mysql"
  destination_database_type = "mysql"

  source {{
    user     = "dts_reader"
    password = var.reader_password
  }}

  database "shop" {{
    table "orders" {{}}
    table "customers" {{}}
  }}
  database "audit" {{}}
}}
"#,
            alibaba = serde_json::to_string(ALIBABA_PASSWORD).unwrap(),
            tencent = serde_json::to_string(TENCENT_PASSWORD).unwrap(),
        ),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let config_dir = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .arg("apply")
            .arg("--auto-approve")
            .arg(&config_dir)
            .env_clear()
            .env("HOME", home.path())
            .env("NO_COLOR", "1")
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "echo-id")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "echo-secret")
            .env("TENCENTCLOUD_SECRET_ID", "echo-tc-id")
            .env("TENCENTCLOUD_SECRET_KEY", "echo-tc-key")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let errors = report_text(&out.stderr);
    // Both writes reached the server and failed with its (echoing) error...
    assert!(
        errors.contains("ModifyDtsJobEndpoint failed: InvalidParameter.Password.****"),
        "{errors}"
    );
    assert!(errors.contains("RequestId: rid-****"), "{errors}");
    assert!(
        errors.contains("ModifyMigrateJob failed: InvalidParameterValue.****"),
        "{errors}"
    );
    assert!(errors.contains(r#""Password":"****""#), "{errors}");
    assert!(errors.contains("\\u{1b}[2J"), "{errors}");
    // ...and no spelling of either password, nor the credentials, was printed.
    let all = format!("{stdout}\n{stderr}");
    assert_eq!(password_leaks(&all), Vec::<String>::new(), "{all}");
    for credential in ["echo-id", "echo-secret", "echo-tc-id", "echo-tc-key"] {
        assert!(!all.contains(credential), "{credential}: {all}");
    }
    assert!(!all.contains('\u{1b}'), "{all}");
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_against_a_server_sending_megabytes_prints_a_bounded_report() {
    use std::fmt::Write as _;

    use axum::http::Uri;
    // Job "huge-list": a DbObject that is one 5 MB JSON string (the reader quotes what
    // it could not read). Job "huge-id": an answer about another job with a 5 MB id,
    // a 5 MB name and status. Job "huge-error": a 5 MB error code and message.
    let app = axum::Router::new().fallback(|uri: Uri| async move {
        let query: Vec<(String, String)> =
            form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .into_owned()
                .collect();
        let job = query
            .iter()
            .find(|(k, _)| k == "DtsJobId")
            .map_or_else(String::new, |(_, v)| v.clone());
        let huge = "\u{1b}[1m".to_owned() + &"x".repeat(5_000_000);
        let (status, body) = match job.as_str() {
            "huge-list" => (
                200,
                serde_json::json!({
                    "RequestId": "r", "DtsJobId": job, "Status": "Synchronizing",
                    "DbObject": serde_json::to_string(&huge).unwrap(),
                }),
            ),
            "huge-id" => (
                200,
                serde_json::json!({
                    "RequestId": "r", "DtsJobId": huge, "DtsJobName": huge, "Status": huge,
                }),
            ),
            _ => (
                400,
                serde_json::json!({"Code": huge, "Message": huge, "RequestId": huge}),
            ),
        };
        (
            axum::http::StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            body.to_string(),
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let mut hcl = format!(
        "provider \"alicloud\" {{\n  region   = \"cn-hangzhou\"\n  endpoint = \"{url}\"\n}}\n"
    );
    for job in ["huge-list", "huge-id", "huge-error"] {
        let _ = write!(
            hcl,
            "\nresource \"alicloud_dts_job\" \"{}\" {{\n  dts_job_id = \"{job}\"\n  database \"shop\" {{}}\n}}\n",
            job.replace('-', "_")
        );
    }
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    let config_dir = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .arg("plan")
            .arg(&config_dir)
            .env_clear()
            .env("HOME", &config_dir)
            .env("NO_COLOR", "1")
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let errors = report_text(&out.stderr);
    assert!(errors.contains("3 errors"), "{errors:.2000}");
    assert!(errors.contains("DbObject"), "{errors:.2000}");
    assert!(errors.contains("answered about job"), "{errors:.2000}");
    assert!(errors.contains("more characters cut"), "{errors:.2000}");
    assert!(!errors.contains('\u{1b}'), "{errors:.2000}");
    // Three errors from 45 MB of answers: a few hundred kilobytes at most.
    assert!(
        out.stderr.len() + out.stdout.len() < 400_000,
        "{} bytes printed",
        out.stderr.len() + out.stdout.len()
    );
}

/// A server that echoes a password of the configuration while dtsform is only reading
/// (plan sends no password) still never shows it: every client knows every password of
/// the configuration.
#[tokio::test(flavor = "multi_thread")]
async fn plan_against_a_server_echoing_a_configured_password_never_shows_it() {
    const PASSWORD: &str = "Cfg-Pa55-w0rd!";
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_REQUEST,
            [("content-type", "application/json")],
            serde_json::json!({
                "Code": "InvalidParameter",
                "Message": format!("the job's account {PASSWORD} / {} is not valid", urlencoding_like(PASSWORD)),
                "RequestId": "rid-1",
            })
            .to_string(),
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        format!(
            r#"provider "alicloud" {{
  region   = "cn-hangzhou"
  endpoint = "{url}"
}}

variable "crm_password" {{
  type      = string
  sensitive = true
  default   = "{PASSWORD}"
}}

resource "alicloud_dts_job" "crm" {{
  dts_job_id = "{CRM_JOB}"
  destination {{
    instance_type = "rds"
    username      = "crm_writer"
    password      = var.crm_password
  }}
}}
"#
        ),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .args(["plan", dir.path().to_str().unwrap()])
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-test-id")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-secret")
            .env("HOME", "/nonexistent")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("InvalidParameter"), "{text}");
    assert!(!text.contains("Pa55"), "{text}");
    assert!(text.contains("****"), "{text}");
}

/// `s` percent-encoded as a form would send it.
fn urlencoding_like(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn a_saved_plan_applies_from_another_working_directory() {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("dts");
    std::fs::create_dir(&config).unwrap();
    let quickstart = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    for entry in std::fs::read_dir(&quickstart).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "hcl") {
            std::fs::copy(&path, config.join(path.file_name().unwrap())).unwrap();
        }
    }
    let state = work.path().join("world.json");
    let run = |cwd: &Path, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .current_dir(cwd)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let state_arg = state.display().to_string();
    // Planned with a relative directory...
    let out = run(
        work.path(),
        &[
            "plan",
            "--emulator",
            "--emulator-state",
            &state_arg,
            "-out",
            "saved.plan",
            "dts",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ...and applied from elsewhere, where `dts` means nothing.
    let elsewhere = tempfile::tempdir().unwrap();
    let plan = work.path().join("saved.plan").display().to_string();
    let out = run(
        elsewhere.path(),
        &["apply", "--emulator", "--emulator-state", &state_arg, &plan],
    );
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Apply complete"));
}
