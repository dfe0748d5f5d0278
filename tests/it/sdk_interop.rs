//! The official Python SDKs as real clients of `dtsform emulator`: Alibaba Cloud's
//! (alibabacloud-dts20200101) with both signature versions, and Tencent Cloud's
//! (tencentcloud-sdk-python-dts, API 2018-03-30). This is what proves the emulator speaks
//! the real protocols. The checks live in `tests/sdk/alibaba_interop.py` and
//! `tests/sdk/tencent_interop.py`.

use std::process::Command;

use dtsform::emulator::World;

use crate::support::{EmulatorProcess, python_sdk};

fn run_interop(signature: &str) {
    let python = python_sdk();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let emu = EmulatorProcess::spawn(&[
        "--state",
        state.to_str().unwrap(),
        "--modify-seconds",
        "1.5",
        "--step-seconds",
        "0.3",
    ]);
    let out = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/sdk/alibaba_interop.py"
        ))
        .args(["--endpoint", emu.url.trim_start_matches("http://")])
        .args(["--signature", signature, "--modify-seconds", "1.5"])
        .output()
        .expect("run the interop script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "official SDK interop ({signature}) failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# 0 failure(s)"), "{stdout}");
    let checks = stdout.lines().filter(|l| l.starts_with("ok - ")).count();
    assert!(checks >= 60, "only {checks} checks ran:\n{stdout}");

    // The SDK's writes are in the world file, each once; its token replay was recognised.
    let world = World::load(&state).unwrap();
    let token = format!("interop-{signature}-1");
    let record = world
        .client_tokens
        .iter()
        .find(|t| t.token == token)
        .expect("token recorded");
    assert_eq!(record.replays, 1);
    assert_eq!(
        world
            .writes
            .iter()
            .filter(|w| w.client_token.as_deref() == Some(&token))
            .count(),
        1
    );

    // The two-way job: the SDK's reverse writes reached the reverse direction only, and
    // its migration-mode flags are in the world as sent.
    let two_way = world
        .jobs
        .iter()
        .find(|j| j.job_id == "r8tw2way01x")
        .expect("the two-way job");
    let reverse = two_way.reverse.as_deref().expect("its reverse direction");
    let tables = |job: &dtsform::emulator::alibaba::world::Job| {
        let mut names: Vec<String> = job.db_list["orders"]["Table"]
            .as_object()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    assert_eq!(tables(reverse), ["order_items", "orders"]);
    assert_eq!(tables(two_way), ["order_items", "orders"]);
    assert!(!reverse.migration_mode.data_initialization);
    assert!(two_way.migration_mode.data_initialization);
    let shop = world
        .jobs
        .iter()
        .find(|j| j.job_id == "k2gm967v16f")
        .unwrap();
    let mode = shop.migration_mode;
    assert_eq!(
        (
            mode.structure_initialization,
            mode.data_initialization,
            mode.data_synchronization
        ),
        (false, false, true)
    );
}

#[test]
fn official_python_sdk_with_v3_signatures() {
    run_interop("v3");
}

#[test]
fn official_python_sdk_with_v1_signatures() {
    run_interop("v1");
}

#[test]
fn official_tencent_python_sdk() {
    let python = python_sdk();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let emu = EmulatorProcess::spawn(&[
        "--state",
        state.to_str().unwrap(),
        "--check-seconds",
        "0.5",
        "--step-seconds",
        "0.3",
        "--tencent-missing-table",
        "archive.ghost",
    ]);
    let out = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/sdk/tencent_interop.py"
        ))
        .args(["--endpoint", emu.url.trim_start_matches("http://")])
        .args(["--check-seconds", "0.5", "--missing-table", "archive.ghost"])
        .output()
        .expect("run the Tencent interop script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "official Tencent SDK interop failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# 0 failure(s)"), "{stdout}");
    let checks = stdout.lines().filter(|l| l.starts_with("ok - ")).count();
    assert!(checks >= 45, "only {checks} checks ran:\n{stdout}");

    // The SDK's writes are in the world file, in order, without the passwords it sent.
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(!text.contains("pw-never-stored"));
    assert!(!text.contains("ak-never-stored"), "an AccessKey was stored");
    let mut world = World::load(&state).unwrap();
    world.settle(std::time::SystemTime::now());
    let writes: Vec<_> = world
        .writes
        .iter()
        .map(|w| (w.action.as_str(), w.job_id.as_str()))
        .collect();
    assert_eq!(
        writes,
        [
            ("ModifyMigrateJob", "dts-6r2kq0mz"),
            ("CreateMigrateCheckJob", "dts-6r2kq0mz"),
            ("StartMigrateJob", "dts-6r2kq0mz"),
            ("ModifyMigrateJob", "dts-0pb7ye4d"),
            ("CreateMigrateCheckJob", "dts-0pb7ye4d"),
            ("CreateMigrateCheckJob", "dts-0pb7ye4d"),
            ("ModifyMigrateJob", "dts-9fh2ua6s"),
        ]
    );
    let status = |id: &str| {
        world
            .tencent_jobs
            .iter()
            .find(|j| j.job_id == id)
            .map(|j| j.status.code())
    };
    assert_eq!(status("dts-6r2kq0mz"), Some(7));
    assert_eq!(
        status("dts-3nw8tx5c"),
        Some(7),
        "the refused modify changed nothing"
    );
}
