use std::time::Duration;

use super::*;
use crate::cloud::alibaba::JobStatus;
use crate::cloud::tencent::MigrateStatus;
use crate::util::rfc3339;
use serde_json::json;

#[test]
fn sample_round_trips_through_json() {
    let world = World::sample();
    let text = serde_json::to_string_pretty(&world).unwrap();
    assert_eq!(World::from_json("w.json", &text).unwrap(), world);
}

#[test]
fn settle_applies_due_steps_in_order() {
    let mut job = World::sample().jobs.remove(0);
    let now = SystemTime::now();
    job.status = JobStatus::Modifying;
    job.schedule([
        (JobStatus::Initializing, now + Duration::from_secs(1)),
        (JobStatus::Synchronizing, now + Duration::from_secs(2)),
    ]);
    job.settle(now);
    assert_eq!(job.status, JobStatus::Modifying);
    job.settle(now + Duration::from_millis(1500));
    assert_eq!(job.status, JobStatus::Initializing);
    job.settle(now + Duration::from_secs(3));
    assert_eq!(job.status, JobStatus::Synchronizing);
    assert!(job.pending.is_empty());
}

#[test]
fn db_object_adds_state_to_databases_and_tables_only() {
    let job = World::sample().jobs.remove(0);
    let obj = job.db_object();
    assert_eq!(obj["shop"]["state"], "normal");
    assert_eq!(obj["shop"]["Table"]["orders"]["state"], "normal");
    assert!(obj["shop"]["Table"].get("state").is_none());
    assert!(
        job.db_list["shop"].get("state").is_none(),
        "stored list untouched"
    );
}

#[test]
fn syntax_errors_point_into_the_file() {
    let err = World::from_json("w.json", "{\n  \"version\": 1,\n  \"jobs\": [,]\n}").unwrap_err();
    let WorldError::Syntax { span, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(span.offset(), "{\n  \"version\": 1,\n  \"jobs\": [".len());
}

#[test]
fn invalid_worlds_are_refused() {
    let mut w = World::sample();
    w.jobs[1].job_id = w.jobs[0].job_id.clone();
    let text = serde_json::to_string(&w).unwrap();
    assert!(matches!(
        World::from_json("w", &text),
        Err(WorldError::Invalid { .. })
    ));
    let typo = r#"{"version":1,"jobs":[],"jobz":[]}"#;
    assert!(matches!(
        World::from_json("w", typo),
        Err(WorldError::Syntax { .. })
    ));
    let no_status = r#"{"version":1,"jobs":[{"job_id":"a","instance_id":"b","type":"sync","region":"r","db_list":{}}]}"#;
    assert!(matches!(
        World::from_json("w", no_status),
        Err(WorldError::Syntax { .. })
    ));
    let empty_status = no_status.replace(r#""db_list""#, r#""status":" ","db_list""#);
    assert!(matches!(
        World::from_json("w", &empty_status),
        Err(WorldError::Invalid { .. })
    ));
    let v2 = r#"{"version":2,"jobs":[]}"#;
    assert!(matches!(
        World::from_json("w", v2),
        Err(WorldError::Invalid { .. })
    ));
}

#[test]
fn tencent_jobs_are_optional_checked_and_settled() {
    // A world written before Tencent jobs existed still loads, and saves the same.
    let old = r#"{"version":1,"jobs":[]}"#;
    let world = World::from_json("w", old).unwrap();
    assert!(world.tencent_jobs.is_empty());
    assert!(!serde_json::to_string(&world).unwrap().contains("tencent"));

    let invalid = |edit: fn(&mut World)| {
        let mut w = World::sample();
        edit(&mut w);
        let text = serde_json::to_string(&w).unwrap();
        match World::from_json("w", &text) {
            Err(WorldError::Invalid { problem, .. }) => problem,
            other => panic!("{other:?}"),
        }
    };
    assert!(
        invalid(|w| w.tencent_jobs[1].job_id = w.tencent_jobs[0].job_id.clone()).contains("twice")
    );
    assert!(
        invalid(|w| {
            w.tencent_jobs[0]
                .src_info
                .insert("Password".into(), json!("x"));
        })
        .contains("no passwords")
    );
    assert!(
        invalid(|w| {
            w.tencent_jobs[0]
                .src_info
                .insert("AccessKey".into(), json!("x"));
        })
        .contains("remove AccessKey")
    );
    assert!(invalid(|w| w.tencent_jobs[0].database_info = "{}".into()).contains("database_info"));

    let mut job = World::sample().tencent_jobs.remove(2);
    // Whole milliseconds: the world keeps times to the millisecond.
    let now = SystemTime::UNIX_EPOCH + Duration::from_hours(500_000);
    job.status = MigrateStatus::Checking;
    job.check = Some(TencentCheck {
        status: CheckStatus::Running,
        passed: false,
        error_code: -1,
        message: "no".into(),
        progress: 0,
        started_at: rfc3339(now),
        finishes_at: rfc3339(now + Duration::from_secs(4)),
    });
    job.schedule([(MigrateStatus::CheckNotPass, now + Duration::from_secs(4))]);
    job.settle(now + Duration::from_secs(1));
    assert_eq!(
        (job.status, job.check.as_ref().unwrap().progress),
        (MigrateStatus::Checking, 25)
    );
    job.settle(now + Duration::from_secs(4));
    let check = job.check.as_ref().unwrap();
    assert_eq!(
        (job.status, check.status, check.progress),
        (MigrateStatus::CheckNotPass, CheckStatus::Finished, 100)
    );
}

#[test]
fn save_is_atomic_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    World::sample().save(&path).unwrap();
    World::sample().save(&path).unwrap();
    assert_eq!(World::load(&path).unwrap(), World::sample());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["world.json"]);
}

#[test]
fn a_reverse_direction_belongs_to_a_sync_job_on_its_instance() {
    fn reverse(w: &mut World) -> &mut Job {
        let at = w.jobs.iter().position(|j| j.reverse.is_some()).unwrap();
        w.jobs[at].reverse.as_deref_mut().unwrap()
    }
    let sample = World::sample();
    let refused = |edit: &dyn Fn(&mut World)| {
        let mut w = World::sample();
        edit(&mut w);
        let text = serde_json::to_string(&w).unwrap();
        match World::from_json("w", &text) {
            Err(WorldError::Invalid { problem, .. }) => problem,
            other => panic!("{other:?}"),
        }
    };
    assert!(refused(&|w| reverse(w).instance_id = "dtsother".into()).contains("same instance_id"));
    assert!(refused(&|w| reverse(w).kind = Kind::Migration).contains("only a synchronization"));
    assert!(refused(&|w| reverse(w).direction = "Forward".into()).contains("Reverse"));
    assert!(refused(&|w| reverse(w).job_id = w.jobs[0].job_id.clone()).contains("appears twice"));
    let nested = sample.jobs[0].clone();
    assert!(
        refused(&|w| reverse(w).reverse = Some(Box::new(nested.clone())))
            .contains("no reverse of its own")
    );
}

#[test]
fn a_world_without_endpoint_checks_or_new_fields_still_loads() {
    let old = r#"{"version":1,"jobs":[{"job_id":"a","instance_id":"dtsa","type":"sync","region":"r","status":"Synchronizing","db_list":{}}]}"#;
    let world = World::from_json("w", old).unwrap();
    assert!(world.endpoint_checks.is_empty());
    assert!(world.jobs[0].migration_mode.data_synchronization);
    assert!(world.jobs[0].reverse.is_none());
}
