//! The Alibaba actions against a world, one call at a time.

use super::*;
use crate::cloud::alibaba::limits::MAX_DB_LIST_BYTES;

fn behaviour() -> Behaviour {
    Behaviour {
        modify_duration: Duration::from_secs(3),
        step_duration: Duration::from_secs(1),
        ..Behaviour::default()
    }
}

fn call<'a>(action: &'a str, params: &'a [(String, String)], now: SystemTime) -> Call<'a> {
    Call {
        action,
        version: API_VERSION,
        params: Params(params),
        request_id: "RID",
        now,
    }
}

fn p(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

fn code(r: Result<Outcome, Failure>) -> String {
    r.map_or_else(|f| f.code, |o| format!("ok {}", o.body))
}

#[test]
fn modify_overwrites_then_holds_modifying_then_returns_to_running() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let params = p(&[
        ("DtsInstanceId", "dtsk2gm967v16f"),
        (
            "DbList",
            r#"{"shop":{"name":"shop","all":false,"Table":{"payments":{"name":"payments","all":true}}}}"#,
        ),
    ]);
    handle(&call("ModifyDtsJob", &params, now), &mut world, &b).unwrap();
    let job = &world.jobs[0];
    assert_eq!(job.status, JobStatus::Modifying);
    assert_eq!(
        job.db_list["shop"]["Table"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["payments"],
        "the old tables are gone: full overwrite"
    );
    assert_eq!(
        code(handle(
            &call("ModifyDtsJob", &params, now + Duration::from_secs(1)),
            &mut world,
            &b
        )),
        "DTS.Msg.OperationDenied.JobStatusModifying"
    );
    let later = now + Duration::from_secs(4);
    handle(&call("ModifyDtsJob", &params, later), &mut world, &b).unwrap();
    assert_eq!(world.writes.len(), 2);
}

#[test]
fn client_token_replays_and_refuses_other_parameters() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let first = p(&[
        ("ClientToken", "t-1"),
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("DbList", r#"{"shop":{"name":"shop","all":true}}"#),
        ("Signature", "a"),
    ]);
    handle(&call("ModifyDtsJob", &first, now), &mut world, &b).unwrap();
    // Same business parameters, different framing: a replay, even while Modifying.
    let retry = p(&[
        ("ClientToken", "t-1"),
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("DbList", r#"{"shop":{"name":"shop","all":true}}"#),
        ("Signature", "b"),
    ]);
    let out = handle(&call("ModifyDtsJob", &retry, now), &mut world, &b).unwrap();
    assert_eq!(out.body["DtsJobId"], "k2gm967v16f");
    assert_eq!(world.writes.len(), 1, "a replay is not a second write");
    assert_eq!(world.client_tokens[0].replays, 1);
    let other = p(&[
        ("ClientToken", "t-1"),
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("DbList", r#"{"other":{"name":"other","all":true}}"#),
    ]);
    assert_eq!(
        code(handle(&call("ModifyDtsJob", &other, now), &mut world, &b)),
        "IdempotentParameterMismatch"
    );
}

#[test]
fn bad_db_lists_are_refused_with_the_real_shape() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let huge = format!(
        r#"{{"shop":{{"name":"{}"}}}}"#,
        "x".repeat(MAX_DB_LIST_BYTES)
    );
    for (db_list, expect) in [
        (r#"{"shop":"#, "not valid JSON"),
        ("[]", "JSON object"),
        (r#"{"shop":true}"#, "must be a JSON object"),
        (huge.as_str(), "maximum is 1 MB"),
    ] {
        let params = p(&[("DtsInstanceId", "dtsk2gm967v16f"), ("DbList", db_list)]);
        let err = handle(&call("ModifyDtsJob", &params, now), &mut world, &b).unwrap_err();
        assert_eq!(err.code, "InvalidParameter");
        assert!(err.message.contains(expect), "{}", err.message);
    }
    let missing = p(&[("DtsInstanceId", "dtsk2gm967v16f")]);
    assert_eq!(
        code(handle(&call("ModifyDtsJob", &missing, now), &mut world, &b)),
        "MissingDbList"
    );
    assert_eq!(
        code(handle(&call("ModifyDtsJob", &[], now), &mut world, &b)),
        "MissingDtsInstanceId"
    );
    assert!(world.writes.is_empty());
    assert_eq!(world.jobs, World::sample().jobs);
}

#[test]
fn start_walks_through_transitional_statuses() {
    let mut world = World::sample();
    world.jobs[0].status = JobStatus::NotStarted;
    let b = behaviour();
    let now = SystemTime::now();
    let params = p(&[("DtsJobId", "k2gm967v16f")]);
    handle(&call("StartDtsJob", &params, now), &mut world, &b).unwrap();
    let status_at = |world: &mut World, secs: f64| {
        let t = now + Duration::from_secs_f64(secs);
        world.jobs[0].settle(t);
        world.jobs[0].status.clone()
    };
    assert_eq!(status_at(&mut world, 0.5), JobStatus::Prechecking);
    assert_eq!(status_at(&mut world, 1.5), JobStatus::Initializing);
    assert_eq!(status_at(&mut world, 2.5), JobStatus::Synchronizing);
    // Starting a running job is a no-op, not a write.
    handle(
        &call("StartDtsJob", &params, now + Duration::from_secs(3)),
        &mut world,
        &b,
    )
    .unwrap();
    assert_eq!(world.writes.len(), 1);
}

#[test]
fn a_token_is_spent_even_by_a_call_that_changes_nothing() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let start = p(&[("DtsJobId", "k2gm967v16f"), ("ClientToken", "t")]);
    let out = handle(&call("StartDtsJob", &start, now), &mut world, &b).unwrap();
    assert!(out.changed, "the token record must be persisted");
    assert!(
        world.writes.is_empty(),
        "starting a running job is not a write"
    );
    let other = p(&[("DtsJobId", "s7qd5ph3n9c"), ("ClientToken", "t")]);
    assert_eq!(
        code(handle(&call("StartDtsJob", &other, now), &mut world, &b)),
        "IdempotentParameterMismatch"
    );
    let plain = p(&[("DtsJobId", "k2gm967v16f")]);
    let out = handle(&call("StartDtsJob", &plain, now), &mut world, &b).unwrap();
    assert!(!out.changed, "no token, no effect: nothing to save");
}

#[test]
fn objects_change_only_in_the_kinds_own_running_status() {
    let mut world = World::sample();
    world.jobs[0].status = JobStatus::Normal; // a change-tracking status
    let params = p(&[("DtsInstanceId", "dtsk2gm967v16f"), ("DbList", "{}")]);
    assert_eq!(
        code(handle(
            &call("ModifyDtsJob", &params, SystemTime::now()),
            &mut world,
            &behaviour()
        )),
        "DTS.Msg.ModifyDenied.JobStatusNotRunning"
    );
}

#[test]
fn passwords_leave_no_trace_in_the_world() {
    let mut world = World::sample();
    let params = p(&[
        ("DtsJobId", "k2gm967v16f"),
        ("Endpoint", "src"),
        ("EndpointInstanceType", "rds"),
        ("ModifyAccount", "true"),
        ("Username", "u"),
        ("Password", "hunter2"),
        ("ClientToken", "t"),
    ]);
    let c = call("ModifyDtsJobEndpoint", &params, SystemTime::now());
    handle(&c, &mut world, &behaviour()).unwrap();
    let saved = serde_json::to_string(&world).unwrap();
    assert!(!saved.contains("hunter2"));
    let without = p(&[
        ("DtsJobId", "k2gm967v16f"),
        ("Endpoint", "src"),
        ("EndpointInstanceType", "rds"),
        ("ModifyAccount", "true"),
        ("Username", "u"),
        ("ClientToken", "t"),
        ("RegionId", ""),
    ]);
    assert_eq!(
        c.params.fingerprint(),
        call("ModifyDtsJobEndpoint", &without, SystemTime::now())
            .params
            .fingerprint(),
        "neither the password nor an empty parameter is part of the fingerprint"
    );
}

#[test]
fn repeated_parameters_and_impossible_durations_are_refused_before_any_change() {
    let mut world = World::sample();
    let twice = p(&[("DtsJobId", "k2gm967v16f"), ("DtsJobId", "s7qd5ph3n9c")]);
    let err = handle(
        &call("StartDtsJob", &twice, SystemTime::now()),
        &mut world,
        &behaviour(),
    )
    .unwrap_err();
    assert_eq!(err.code, "InvalidParameter");
    assert!(err.message.contains("DtsJobId"));

    let mut b = behaviour();
    b.modify_duration = Duration::MAX;
    let params = p(&[("DtsInstanceId", "dtsk2gm967v16f"), ("DbList", "{}")]);
    let err = handle(
        &call("ModifyDtsJob", &params, SystemTime::now()),
        &mut world,
        &b,
    )
    .unwrap_err();
    assert_eq!(err.code, "InternalError");
    b.step_duration = Duration::from_secs(u64::MAX / 2);
    let params = p(&[("DtsJobId", "s7qd5ph3n9c")]);
    assert!(
        handle(
            &call("StartDtsJob", &params, SystemTime::now()),
            &mut world,
            &b
        )
        .is_err()
    );
    assert_eq!(world, World::sample(), "nothing changed");
}

#[test]
fn unknown_actions_versions_and_jobs() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    assert_eq!(
        code(handle(&call("DeleteEverything", &[], now), &mut world, &b)),
        "InvalidApi.NotFound"
    );
    let mut c = call("DescribeDtsJobs", &[], now);
    c.version = "2016-08-01";
    assert_eq!(code(handle(&c, &mut world, &b)), "InvalidApi.NotFound");
    let params = p(&[("DtsJobId", "nope")]);
    assert_eq!(
        code(handle(
            &call("DescribeDtsJobDetail", &params, now),
            &mut world,
            &b
        )),
        "Forbidden.InstanceNotFound"
    );
    let params = p(&[("DtsJobId", "k2gm967v16f"), ("RegionId", "cn-shanghai")]);
    assert_eq!(
        code(handle(
            &call("DescribeDtsJobDetail", &params, now),
            &mut world,
            &b
        )),
        "Forbidden.InstanceNotFound",
        "a job is only found in its own region"
    );
}
