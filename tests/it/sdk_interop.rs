//! The official Alibaba Cloud Python SDK (alibabacloud-dts20200101) as a real client of
//! `dtsform emulator`, with both signature versions: this is what proves the emulator
//! speaks the real protocol. The checks live in `tests/sdk/alibaba_interop.py`.

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
    assert!(checks >= 38, "only {checks} checks ran:\n{stdout}");

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
}

#[test]
fn official_python_sdk_with_v3_signatures() {
    run_interop("v3");
}

#[test]
fn official_python_sdk_with_v1_signatures() {
    run_interop("v1");
}
