//! `dtsform emulator` as users run it: a real process, a real port, a real world file.

use std::time::Duration;

use dtsform::cloud::alibaba::{JobStatus, ModifyDtsJob, ModifyDtsJobChange, SignatureVersion};
use dtsform::emulator::World;
use serde_json::json;

use crate::support::{EmulatorProcess, SHOP_INSTANCE, SHOP_JOB, client, dtsform, report_text};

#[tokio::test]
async fn serves_on_a_free_port_creates_and_persists_its_world_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let state_arg = state.to_str().unwrap();

    let emu = EmulatorProcess::spawn(&["--state", state_arg, "--modify-seconds", "30"]);
    assert!(
        emu.url.starts_with("http://127.0.0.1:") && emu.port() != 0,
        "{}",
        emu.url
    );
    assert!(
        emu.banner.contains("created with the sample world"),
        "{}",
        emu.banner
    );
    assert_eq!(World::load(&state).unwrap(), World::sample());

    let c = client(&emu.url, SignatureVersion::V3);
    let list = json!({"shop": {"name": "shop", "all": false, "Table": {"orders": {"name": "orders", "all": true}}}});
    c.modify_job(&ModifyDtsJob {
        resource_group_id: None,
        dts_instance_id: SHOP_INSTANCE.into(),
        dts_job_id: None,
        synchronization_direction: None,
        client_token: Some("persist-1".into()),
        change: ModifyDtsJobChange::DbList(list.to_string()),
    })
    .await
    .unwrap();
    let saved = World::load(&state).unwrap();
    assert_eq!(
        serde_json::Value::Object(saved.jobs[0].db_list.clone()),
        list
    );
    assert_eq!(saved.jobs[0].status, JobStatus::Modifying);
    assert_eq!(saved.writes.len(), 1);

    let (status, _) = emu.terminate();
    assert!(status.success(), "SIGTERM is a clean stop: {status}");

    // A restarted emulator carries on where the last one stopped, Modifying included.
    let emu = EmulatorProcess::spawn(&["--state", state_arg]);
    assert!(!emu.banner.contains("created"), "{}", emu.banner);
    let c = client(&emu.url, SignatureVersion::V1);
    let job = c.describe_job(SHOP_JOB).await.unwrap();
    assert_eq!(
        job.status,
        JobStatus::Modifying,
        "the pending step survived the restart"
    );
    assert!(job.db_object.unwrap().contains("orders"));
    let err = c
        .modify_job(&ModifyDtsJob {
            resource_group_id: None,
            dts_instance_id: SHOP_INSTANCE.into(),
            dts_job_id: None,
            synchronization_direction: None,
            client_token: Some("persist-1".into()),
            change: ModifyDtsJobChange::DbList(json!({"x": {}}).to_string()),
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().code,
        "IdempotentParameterMismatch",
        "tokens persisted too"
    );
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/worlds")
        .join(name)
}

#[tokio::test]
async fn the_example_world_is_served_as_written() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/world.json");
    let world = World::load(&path).expect("examples/world.json stays valid");
    let emu = crate::support::start(crate::support::fast_config(), world).await;
    let c = client(&emu.url(), SignatureVersion::V3);
    let job = c.describe_job("p9x2cd41ka0").await.unwrap();
    assert!(
        job.db_object
            .unwrap()
            .contains(r#""created_at":{"name":"paid_at"}"#)
    );
    // The migration job lives in cn-shanghai: not found from cn-hangzhou.
    assert!(c.describe_job("n41qv8c0ta7").await.is_err());
}

#[test]
fn refuses_to_listen_beyond_loopback() {
    let out = dtsform(&["emulator", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(stderr.contains("loopback only"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_broken_world_file_is_reported_at_its_line_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let text = std::fs::read_to_string(fixture("trailing-comma.json")).unwrap();
    std::fs::write(&state, &text).unwrap();
    let out = dtsform(&[
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("world.json:4:"),
        "points at line 4: {stderr}"
    );
    assert!(stderr.contains("world file is not valid"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&state).unwrap(), text);

    std::fs::copy(fixture("duplicate-instance.json"), &state).unwrap();
    let out = dtsform(&[
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--state",
        state.to_str().unwrap(),
    ]);
    let stderr = report_text(&out.stderr);
    assert!(stderr.contains("appears twice"), "{stderr}");
}

#[test]
fn nonsense_flags_are_refused_with_help() {
    for (args, expect) in [
        (&["--failure-rate", "2"][..], "not a probability"),
        (&["--rate-limit", "0"][..], "must be positive"),
        (&["--modify-seconds=-1"][..], "not a duration"),
        (&["--step-seconds", "1e12"][..], "too long"),
        (&["--check-seconds=-1"][..], "not a duration"),
    ] {
        let mut all = vec!["emulator", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let out = dtsform(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = report_text(&out.stderr);
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

#[test]
fn a_rate_schedule_must_say_when_and_how_fast() {
    for bad in ["50", "10s=0", "soon=50", "10s=fast"] {
        let out = dtsform(&[
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "250",
            "--rate-limit-after",
            bad,
        ]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--rate-limit-after"), "{bad}: {stderr}");
    }
}

#[test]
fn the_port_is_not_reused_while_serving() {
    let first = EmulatorProcess::spawn(&[]);
    let out = dtsform(&[
        "emulator",
        "--listen",
        &format!("127.0.0.1:{}", first.port()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = report_text(&out.stderr);
    assert!(stderr.contains("cannot listen"), "{stderr}");
    drop(first);
    std::thread::sleep(Duration::from_millis(10));
}
