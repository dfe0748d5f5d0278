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

const TWO_WAY: &str = "r8tw2way01x";
const TWO_WAY_REVERSE: &str = "r8tw2way01y";

fn two_way(world: &World) -> &Job {
    world.jobs.iter().find(|j| j.job_id == TWO_WAY).unwrap()
}

#[test]
fn a_two_way_job_shows_each_direction_and_the_reverse_inside_the_forward() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let forward = handle(
        &call("DescribeDtsJobDetail", &p(&[("DtsJobId", TWO_WAY)]), now),
        &mut world,
        &b,
    )
    .unwrap()
    .body;
    assert_eq!(forward["DtsJobDirection"], "Forward");
    assert_eq!(forward["ReverseJob"]["DtsJobId"], TWO_WAY_REVERSE);
    assert_eq!(forward["ReverseJob"]["DtsJobDirection"], "Reverse");
    let reverse = handle(
        &call(
            "DescribeDtsJobDetail",
            &p(&[
                ("DtsJobId", TWO_WAY),
                ("SynchronizationDirection", "Reverse"),
            ]),
            now,
        ),
        &mut world,
        &b,
    )
    .unwrap()
    .body;
    assert_eq!(reverse["DtsJobId"], TWO_WAY_REVERSE);
    assert_eq!(reverse["DtsInstanceID"], forward["DtsInstanceID"]);
    assert_eq!(reverse["DtsJobDirection"], "Reverse");
    assert!(reverse.get("ReverseJob").is_none());
    let objects: Value = serde_json::from_str(reverse["DbObject"].as_str().unwrap()).unwrap();
    assert!(
        objects["orders"]["Table"].get("order_items").is_none(),
        "its own list"
    );
    // The reverse job's own id reaches it too.
    let by_id = handle(
        &call(
            "DescribeDtsJobDetail",
            &p(&[("DtsJobId", TWO_WAY_REVERSE)]),
            now,
        ),
        &mut world,
        &b,
    )
    .unwrap()
    .body;
    assert_eq!(by_id["DtsJobId"], TWO_WAY_REVERSE);
    // A one-way job has no reverse direction, and shows no DtsJobDirection.
    let one_way = handle(
        &call(
            "DescribeDtsJobDetail",
            &p(&[("DtsJobId", "k2gm967v16f")]),
            now,
        ),
        &mut world,
        &b,
    )
    .unwrap()
    .body;
    assert!(one_way.get("DtsJobDirection").is_none() && one_way.get("ReverseJob").is_none());
    let err = handle(
        &call(
            "DescribeDtsJobDetail",
            &p(&[
                ("DtsJobId", "k2gm967v16f"),
                ("SynchronizationDirection", "Reverse"),
            ]),
            now,
        ),
        &mut world,
        &b,
    )
    .unwrap_err();
    assert_eq!(err.code, "InvalidParameter");
    assert!(err.message.contains("not a two-way"), "{}", err.message);
}

#[test]
fn writes_in_the_reverse_direction_change_only_the_reverse_job() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let instance = two_way(&world).instance_id.clone();
    let before = two_way(&world).clone();
    let modify = p(&[
        ("DtsInstanceId", &instance),
        ("DtsJobId", TWO_WAY),
        ("SynchronizationDirection", "Reverse"),
        ("DbList", r#"{"orders":{"name":"orders","all":true}}"#),
    ]);
    handle(&call("ModifyDtsJob", &modify, now), &mut world, &b).unwrap();
    let job = two_way(&world);
    let reverse = job.reverse.as_deref().unwrap();
    assert_eq!(reverse.status, JobStatus::Modifying);
    assert_eq!(reverse.db_list["orders"]["all"], true);
    assert_eq!(
        job.status,
        JobStatus::Synchronizing,
        "the forward job runs on"
    );
    assert_eq!(job.db_list, before.db_list);
    assert_eq!(world.writes[0].job_id, TWO_WAY_REVERSE);

    let later = now + Duration::from_secs(4);
    let suspend = p(&[
        ("DtsJobId", TWO_WAY),
        ("SynchronizationDirection", "Reverse"),
    ]);
    handle(&call("SuspendDtsJob", &suspend, later), &mut world, &b).unwrap();
    let job = two_way(&world);
    assert_eq!(job.reverse.as_ref().unwrap().status, JobStatus::Suspending);
    assert_eq!(job.status, JobStatus::Synchronizing);
    handle(&call("StartDtsJob", &suspend, later), &mut world, &b).unwrap();
    assert_eq!(
        two_way(&world).reverse.as_ref().unwrap().status,
        JobStatus::Synchronizing
    );
    let reserved = p(&[
        ("DtsInstanceId", &instance),
        ("SynchronizationDirection", "Reverse"),
        ("ModifyTypeEnum", "UPDATE_RESERVED"),
        ("Reserved", r#"{"maxRetryTime":600}"#),
    ]);
    handle(&call("ModifyDtsJob", &reserved, later), &mut world, &b).unwrap();
    let job = two_way(&world);
    assert_eq!(job.reverse.as_ref().unwrap().reserved["maxRetryTime"], 600);
    assert_eq!(job.reserved["maxRetryTime"], 43200);
}

#[test]
fn migration_mode_flags_change_the_mode_with_or_without_objects() {
    let mut world = World::sample();
    let b = behaviour();
    let now = SystemTime::now();
    let mode_only = p(&[
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("StructureInitialization", "False"),
        ("DataInitialization", "false"),
    ]);
    let out = handle(&call("ModifyDtsJob", &mode_only, now), &mut world, &b).unwrap();
    assert!(out.changed);
    let job = &world.jobs[0];
    assert_eq!(job.status, JobStatus::Modifying);
    assert!(!job.migration_mode.structure_initialization);
    assert!(!job.migration_mode.data_initialization);
    assert!(
        job.migration_mode.data_synchronization,
        "a flag not sent stays"
    );
    assert_eq!(world.writes[0].what, "migration mode");
    let shown = handle(
        &call(
            "DescribeDtsJobDetail",
            &p(&[("DtsJobId", "k2gm967v16f")]),
            now,
        ),
        &mut world,
        &b,
    )
    .unwrap()
    .body;
    assert_eq!(
        shown["MigrationMode"],
        json!({"StructureInitialization": false, "DataInitialization": false, "DataSynchronization": true})
    );
    // Turning the last phase off is refused, and changes nothing.
    let later = now + Duration::from_secs(4);
    let nothing = p(&[
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("DataSynchronization", "false"),
    ]);
    assert_eq!(
        code(handle(
            &call("ModifyDtsJob", &nothing, later),
            &mut world,
            &b
        )),
        "InvalidParameter"
    );
    assert!(world.jobs[0].migration_mode.data_synchronization);
    // A flag that is not a boolean is refused.
    let bad = p(&[
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("DataInitialization", "yes"),
    ]);
    assert_eq!(
        code(handle(&call("ModifyDtsJob", &bad, later), &mut world, &b)),
        "InvalidParameter"
    );
    // With a DbList the flags go along with the objects.
    let both = p(&[
        ("DtsInstanceId", "dtsk2gm967v16f"),
        ("DataInitialization", "true"),
        ("DbList", r#"{"shop":{"name":"shop","all":true}}"#),
    ]);
    handle(&call("ModifyDtsJob", &both, later), &mut world, &b).unwrap();
    assert!(world.jobs[0].migration_mode.data_initialization);
    assert_eq!(world.writes.last().unwrap().what, "objects");
    // Like objects, only while the job runs.
    let paused = p(&[
        ("DtsInstanceId", "dtss7qd5ph3n9c"),
        ("DataInitialization", "false"),
    ]);
    assert_eq!(
        code(handle(
            &call("ModifyDtsJob", &paused, later),
            &mut world,
            &b
        )),
        "DTS.Msg.ModifyDenied.JobStatusNotRunning"
    );
}

#[test]
fn endpoint_prechecks_fail_on_unreachable_ports_and_refused_accounts_dry_or_not() {
    let b = behaviour();
    let now = SystemTime::now();
    let base = [
        ("DtsJobId", "k2gm967v16f"),
        ("Endpoint", "dest"),
        ("EndpointInstanceType", "rds"),
    ];
    for (extra, expect) in [
        (
            vec![("EndpointPort", "3307")],
            "cannot connect to the destination database on port 3307",
        ),
        (
            vec![
                ("ModifyAccount", "true"),
                ("Username", "dts_readonly"),
                ("Password", "pw"),
            ],
            "refused the account \"dts_readonly\"",
        ),
    ] {
        for dry_run in ["true", "false"] {
            let mut world = World::sample();
            let mut items: Vec<(&str, &str)> = base.to_vec();
            items.extend(&extra);
            items.push(("DryRun", dry_run));
            let err = handle(
                &call("ModifyDtsJobEndpoint", &p(&items), now),
                &mut world,
                &b,
            )
            .unwrap_err();
            assert_eq!(
                (err.status, err.code.as_str()),
                (400, "DTS.Msg.InvalidEndpoint")
            );
            assert!(err.message.contains(expect), "{}", err.message);
            assert_eq!(world, World::sample(), "nothing changes");
        }
    }
    // A port that is reachable passes; a dry run changes nothing, spends no write.
    let mut world = World::sample();
    let mut ok_items: Vec<(&str, &str)> = base.to_vec();
    ok_items.extend([("EndpointPort", "3308"), ("DryRun", "true")]);
    let out = handle(
        &call("ModifyDtsJobEndpoint", &p(&ok_items), now),
        &mut world,
        &b,
    )
    .unwrap();
    assert!(!out.changed);
    assert_eq!(world, World::sample());
}

#[test]
fn endpoint_rules_of_the_page_are_enforced() {
    let b = behaviour();
    let now = SystemTime::now();
    let base = [("DtsJobId", "k2gm967v16f"), ("EndpointInstanceType", "rds")];
    for (extra, expect) in [
        (
            vec![("Endpoint", "src"), ("AliyunUid", "1507")],
            "MissingRoleName",
        ),
        (
            vec![
                ("Endpoint", "dest"),
                ("ModifyAccount", "true"),
                ("Username", "u"),
                ("Password", "p"),
                ("ShardUsername", "s"),
                ("ShardPassword", "sp"),
            ],
            "InvalidParameter",
        ),
    ] {
        let mut world = World::sample();
        let mut items: Vec<(&str, &str)> = base.to_vec();
        items.extend(&extra);
        assert_eq!(
            code(handle(
                &call("ModifyDtsJobEndpoint", &p(&items), now),
                &mut world,
                &b
            )),
            expect
        );
    }
    // A shard account on a sharded MongoDB source, with the account, is taken.
    let mut world = World::sample();
    let shard = p(&[
        ("DtsJobId", "k2gm967v16f"),
        ("Endpoint", "src"),
        ("EndpointInstanceType", "distributed_mongodb"),
        ("Database", "admin"),
        ("ModifyAccount", "true"),
        ("Username", "u"),
        ("Password", "p"),
        ("ShardUsername", "s"),
        ("ShardPassword", "sp"),
    ]);
    handle(&call("ModifyDtsJobEndpoint", &shard, now), &mut world, &b).unwrap();
    assert_eq!(world.jobs[0].source.database_name.as_deref(), Some("admin"));
}

#[test]
fn a_resource_group_scopes_the_job_like_a_region() {
    let mut world = World::sample();
    world.jobs[0].resource_group_id = Some("rg-shop".into());
    let b = behaviour();
    let now = SystemTime::now();
    let shown = handle(
        &call(
            "DescribeDtsJobDetail",
            &p(&[("DtsJobId", "k2gm967v16f"), ("ResourceGroupId", "rg-shop")]),
            now,
        ),
        &mut world,
        &b,
    )
    .unwrap()
    .body;
    assert_eq!(shown["ResourceGroupId"], "rg-shop");
    for params in [
        p(&[("DtsJobId", "k2gm967v16f"), ("ResourceGroupId", "rg-other")]),
        p(&[("DtsJobId", "s7qd5ph3n9c"), ("ResourceGroupId", "rg-shop")]),
    ] {
        assert_eq!(
            code(handle(&call("StartDtsJob", &params, now), &mut world, &b)),
            "Forbidden.InstanceNotFound"
        );
    }
}
