//! The Tencent actions against a world, one call at a time.

use time::OffsetDateTime;
use time::macros::{format_description, offset};

use super::*;
use crate::cloud::tencent::MigrateStatus;
use crate::cloud::tencent::MigrateStatus::{CheckNotPass, CheckPass, Checking, ReadyRun, Running};

fn behaviour() -> Behaviour {
    Behaviour {
        step_duration: Duration::from_secs(1),
        check_duration: Duration::from_secs(2),
        tencent_missing_tables: vec!["shop.ghost".into(), "nodb".into()],
        ..Behaviour::default()
    }
}

const SHOP: &str = "dts-6r2kq0mz";
const CRM: &str = "dts-3nw8tx5c";
const ARCHIVE: &str = "dts-0pb7ye4d";
const BILLING: &str = "dts-9fh2ua6s";

fn run(
    world: &mut World,
    action: &str,
    params: &Value,
    now: SystemTime,
) -> Result<Map<String, Value>, Failure> {
    run_in(world, action, params, now, "ap-guangzhou")
}

fn run_in(
    world: &mut World,
    action: &str,
    params: &Value,
    now: SystemTime,
    region: &str,
) -> Result<Map<String, Value>, Failure> {
    let params = params.as_object().cloned().unwrap_or_default();
    let call = Call {
        action,
        region,
        params: &params,
        request_id: "rid",
        now,
        english: true,
    };
    handle(&call, world, &behaviour()).map(|o| o.body)
}

fn code(r: Result<Map<String, Value>, Failure>) -> String {
    r.map_or_else(|f| f.code, |b| format!("ok {}", Value::Object(b)))
}

fn job<'w>(world: &'w World, id: &str) -> &'w TencentJob {
    world.tencent_jobs.iter().find(|j| j.job_id == id).unwrap()
}

fn status_at(world: &mut World, id: &str, t: SystemTime) -> MigrateStatus {
    world.settle(t);
    job(world, id).status
}

#[test]
fn modify_replaces_the_selection_and_resets_the_job() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let info = r#"[{"Database":"shop","Table":["payments"]}]"#;
    run(
        &mut world,
        "ModifyMigrateJob",
        &json!({"JobId": SHOP, "JobName": "renamed", "DatabaseInfo": info,
                "SrcInfo": {"InstanceId": "cdb-3kwa7x1p", "Region": "ap-guangzhou", "User": "u", "Password": "hunter2"}}),
        now,
    )
    .unwrap();
    let shop = job(&world, SHOP);
    assert_eq!(
        shop.database_info, info,
        "stored verbatim: full replacement"
    );
    assert_eq!(shop.status, MigrateStatus::Creating);
    assert_eq!(shop.check, None, "the last check is forgotten");
    assert_eq!(shop.name, "renamed");
    assert!(!serde_json::to_string(&world).unwrap().contains("hunter2"));
    assert_eq!(world.writes.len(), 1);
    assert_eq!(world.writes[0].action, "ModifyMigrateJob");
    assert_eq!(world.writes[0].what, "modify");
}

#[test]
fn modify_is_refused_outside_creating_checked_and_failed() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let err = run(&mut world, "ModifyMigrateJob", &json!({"JobId": CRM}), now).unwrap_err();
    assert_eq!(err.code, "FailedOperation.StatusInConflict");
    assert!(err.message.contains("7 (Running)"), "{}", err.message);
    let params = json!({"JobId": CRM, "DatabaseInfo": r#"[{"Database":"crm"}]"#});
    for status in [1, 4, 5, 10] {
        world.tencent_jobs[1].status = MigrateStatus::from_code(status);
        assert!(
            run(&mut world, "ModifyMigrateJob", &params, now).is_ok(),
            "{status}"
        );
    }
    for status in [2, 3, 6, 7, 8, 9, 11, 12, 23] {
        world.tencent_jobs[1].status = MigrateStatus::from_code(status);
        assert_eq!(
            code(run(
                &mut world,
                "ModifyMigrateJob",
                &json!({"JobId": CRM}),
                now
            )),
            "FailedOperation.StatusInConflict",
            "{status}"
        );
    }
}

#[test]
fn migrate_object_decides_what_database_info_means() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let whole = json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 1}, "DatabaseInfo": r#"[{"Database":"x"}]"#});
    run(&mut world, "ModifyMigrateJob", &whole, now).unwrap();
    assert_eq!(job(&world, SHOP).database_info, "[]");
    for (params, why) in [
        (
            json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 2}}),
            "at least one",
        ),
        (
            json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 2}, "DatabaseInfo": "[]"}),
            "at least one",
        ),
        (
            json!({"JobId": SHOP, "DatabaseInfo": "[{\"Database\":\"\"}]"}),
            "Database",
        ),
        (json!({"JobId": SHOP, "DatabaseInfo": "not json"}), "JSON"),
    ] {
        let err = run(&mut world, "ModifyMigrateJob", &params, now).unwrap_err();
        assert_eq!(err.code, "InvalidParameterValue", "{params}");
        assert!(err.message.contains(why), "{}", err.message);
    }
    // Without MigrateObject, an absent or empty list is the whole instance.
    world.tencent_jobs[0].migrate_option.remove("MigrateObject");
    run(&mut world, "ModifyMigrateJob", &json!({"JobId": SHOP}), now).unwrap();
    assert_eq!(job(&world, SHOP).database_info, "[]");
    let some = r#"[{"Database":"a"}]"#;
    run(
        &mut world,
        "ModifyMigrateJob",
        &json!({"JobId": SHOP, "DatabaseInfo": some}),
        now,
    )
    .unwrap();
    assert_eq!(job(&world, SHOP).database_info, some);
}

#[test]
fn immutable_and_invalid_fields_are_refused_before_any_change() {
    let mut world = World::sample();
    let now = SystemTime::now();
    for (params, expect) in [
        (
            json!({"JobId": SHOP, "DstInfo": {"Region": "ap-beijing"}}),
            "InvalidParameterValue",
        ),
        (
            json!({"JobId": SHOP, "DstAccessType": "extranet"}),
            "InvalidParameterValue",
        ),
        (
            json!({"JobId": SHOP, "SrcAccessType": "moon"}),
            "InvalidParameterValue",
        ),
        (
            json!({"JobId": SHOP, "SrcDatabaseType": "redis"}),
            "UnknownParameter",
        ),
        (
            json!({"JobId": SHOP, "SrcInfo": {"Passwd": "x"}}),
            "UnknownParameter",
        ),
        (
            json!({"JobId": SHOP, "MigrateOption": {"RunMode": 3}}),
            "InvalidParameterValue",
        ),
        (
            json!({"JobId": SHOP, "MigrateOption": {"RunMode": 2}}),
            "InvalidParameterValue",
        ),
        (
            json!({"JobId": SHOP, "MigrateOption": {"RunMode": "x"}}),
            "InvalidParameter",
        ),
        (
            json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 2, "IsOverrideRoot": 1}, "DatabaseInfo": "[{\"Database\":\"a\"}]"}),
            "InvalidParameterValue",
        ),
        (
            json!({"JobId": SHOP, "DatabaseInfo": [{"Database": "a"}]}),
            "InvalidParameter",
        ),
        (
            json!({"JobId": SHOP, "SrcInfo": {"Port": 70000}}),
            "InvalidParameterValue",
        ),
        (json!({"JobName": "x"}), "MissingParameter"),
        (
            json!({"JobId": "dts-nope0000"}),
            "ResourceNotFound.JobNotExist",
        ),
    ] {
        assert_eq!(
            code(run(&mut world, "ModifyMigrateJob", &params, now)),
            expect,
            "{params}"
        );
    }
    // Same region: accepted; the numbers of a GET (strings) are accepted too.
    run(
        &mut world,
        "ModifyMigrateJob",
        &json!({"JobId": SHOP, "DstInfo": {"Region": "ap-guangzhou", "InstanceId": "cdb-9mzq4e2t", "ReadOnly": "1"},
                "MigrateOption": {"RunMode": "1", "MigrateType": "3", "MigrateObject": "2"},
                "DatabaseInfo": "[{\"Database\":\"a\"}]"}),
        now,
    )
    .unwrap();
    assert_eq!(job(&world, SHOP).dst_info["ReadOnly"], 1);
    assert_eq!(job(&world, SHOP).migrate_option["MigrateObject"], 2);
    assert_eq!(world.writes.len(), 1, "only the accepted call was a write");
}

#[test]
fn a_check_runs_then_passes_and_the_job_can_start() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let secs = |s: f64| now + Duration::from_secs_f64(s);
    run(
        &mut world,
        "CreateMigrateCheckJob",
        &json!({"JobId": ARCHIVE}),
        now,
    )
    .unwrap();
    assert_eq!(job(&world, ARCHIVE).status, Checking);
    world.settle(secs(1.0));
    let during = run(
        &mut world,
        "DescribeMigrateCheckJob",
        &json!({"JobId": ARCHIVE}),
        secs(1.0),
    )
    .unwrap();
    assert_eq!(during["Status"], "running");
    assert_eq!(during["Progress"], "50");
    assert_eq!(during["CheckFlag"], 3);
    assert_eq!(
        code(run(
            &mut world,
            "StartMigrateJob",
            &json!({"JobId": ARCHIVE}),
            secs(1.0)
        )),
        "FailedOperation.StatusInConflict",
        "not before the check passed"
    );
    assert_eq!(status_at(&mut world, ARCHIVE, secs(2.5)), CheckPass);
    let done = run(
        &mut world,
        "DescribeMigrateCheckJob",
        &json!({"JobId": ARCHIVE}),
        secs(2.5),
    )
    .unwrap();
    assert_eq!(
        Value::Object(done),
        json!({"Status": "finished", "ErrorCode": 0, "ErrorMessage": "ok", "Progress": "100", "CheckFlag": 1})
    );
    run(
        &mut world,
        "StartMigrateJob",
        &json!({"JobId": ARCHIVE}),
        secs(3.0),
    )
    .unwrap();
    assert_eq!(job(&world, ARCHIVE).status, ReadyRun);
    assert_eq!(status_at(&mut world, ARCHIVE, secs(4.5)), Running);
    let log: Vec<_> = world.writes.iter().map(|w| w.what.as_str()).collect();
    assert_eq!(log, ["check", "start"]);
}

#[test]
fn a_missing_table_fails_the_check() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let info = r#"[{"Database":"shop","Table":["orders","ghost"]}]"#;
    run(
        &mut world,
        "ModifyMigrateJob",
        &json!({"JobId": SHOP, "DatabaseInfo": info}),
        now,
    )
    .unwrap();
    run(
        &mut world,
        "CreateMigrateCheckJob",
        &json!({"JobId": SHOP}),
        now,
    )
    .unwrap();
    let later = now + Duration::from_secs(3);
    assert_eq!(status_at(&mut world, SHOP, later), CheckNotPass);
    let check = run(
        &mut world,
        "DescribeMigrateCheckJob",
        &json!({"JobId": SHOP}),
        later,
    )
    .unwrap();
    assert_eq!(check["CheckFlag"], 0);
    assert_eq!(check["ErrorCode"], -1);
    assert!(
        check["ErrorMessage"]
            .as_str()
            .unwrap()
            .contains("shop.ghost")
    );
    assert_eq!(
        code(run(
            &mut world,
            "StartMigrateJob",
            &json!({"JobId": SHOP}),
            later
        )),
        "FailedOperation.StatusInConflict"
    );
    // Checking again is allowed after a failed check (and still fails).
    run(
        &mut world,
        "CreateMigrateCheckJob",
        &json!({"JobId": SHOP}),
        later,
    )
    .unwrap();
    assert_eq!(job(&world, SHOP).status, Checking);
}

#[test]
fn check_answers_before_any_check_and_in_chinese_by_default() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let none = run(
        &mut world,
        "DescribeMigrateCheckJob",
        &json!({"JobId": ARCHIVE}),
        now,
    )
    .unwrap();
    assert_eq!(none["Status"], "unavailable");
    assert_eq!(none["CheckFlag"], 3);
    world.tencent_jobs[0].database_info = r#"[{"Database":"nodb"}]"#.into();
    let params = json!({"JobId": SHOP}).as_object().cloned().unwrap();
    let call = Call {
        action: "CreateMigrateCheckJob",
        region: "ap-guangzhou",
        params: &params,
        request_id: "r",
        now,
        english: false,
    };
    handle(&call, &mut world, &behaviour()).unwrap();
    world.settle(now + Duration::from_secs(3));
    assert_eq!(
        job(&world, SHOP).check.as_ref().unwrap().message,
        CHECK_MISSING_TABLE_ZH
    );
}

#[test]
fn checks_and_starts_are_refused_in_the_wrong_status() {
    let mut world = World::sample();
    let now = SystemTime::now();
    assert_eq!(
        code(run(
            &mut world,
            "CreateMigrateCheckJob",
            &json!({"JobId": CRM}),
            now
        )),
        "FailedOperation.StatusInConflict"
    );
    assert_eq!(
        code(run(
            &mut world,
            "StartMigrateJob",
            &json!({"JobId": CRM}),
            now
        )),
        "FailedOperation.StatusInConflict",
        "already running"
    );
    run(
        &mut world,
        "CreateMigrateCheckJob",
        &json!({"JobId": SHOP}),
        now,
    )
    .unwrap();
    assert_eq!(
        code(run(
            &mut world,
            "CreateMigrateCheckJob",
            &json!({"JobId": SHOP}),
            now
        )),
        "FailedOperation.StatusInConflict",
        "not while checking"
    );
    assert_eq!(
        code(run(
            &mut world,
            "ModifyMigrateJob",
            &json!({"JobId": SHOP}),
            now
        )),
        "FailedOperation.StatusInConflict",
        "not while checking"
    );
}

#[test]
fn a_timed_job_waits_for_its_expect_time() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let in_an_hour = OffsetDateTime::now_utc().to_offset(offset!(+8)) + time::Duration::hours(1);
    let expect = in_an_hour
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap();
    world.tencent_jobs[0].migrate_option.extend([
        ("RunMode".to_owned(), json!(2)),
        ("ExpectTime".to_owned(), json!(expect)),
    ]);
    run(&mut world, "StartMigrateJob", &json!({"JobId": SHOP}), now).unwrap();
    assert_eq!(
        status_at(&mut world, SHOP, now + Duration::from_mins(30)),
        ReadyRun
    );
    assert_eq!(
        status_at(&mut world, SHOP, now + Duration::from_mins(61)),
        Running
    );
}

#[test]
fn describe_pages_filters_orders_and_scopes_by_region() {
    let mut world = World::sample();
    let now = SystemTime::now();
    let all = run(&mut world, "DescribeMigrateJobs", &json!({}), now).unwrap();
    assert_eq!(all["TotalCount"], 3, "ap-guangzhou only");
    let page = run(
        &mut world,
        "DescribeMigrateJobs",
        &json!({"Offset": 1, "Limit": 1}),
        now,
    )
    .unwrap();
    assert_eq!(page["TotalCount"], 3);
    assert_eq!(page["JobList"][0]["JobId"], CRM);
    let by_name = run(
        &mut world,
        "DescribeMigrateJobs",
        &json!({"JobName": "archive-migrate"}),
        now,
    )
    .unwrap();
    assert_eq!(by_name["JobList"][0]["JobId"], ARCHIVE);
    let by_tag = run(
        &mut world,
        "DescribeMigrateJobs",
        &json!({"TagFilters": [{"TagKey": "owner", "TagValue": ["shop-team"]}]}),
        now,
    )
    .unwrap();
    assert_eq!(by_tag["TotalCount"], 1);
    let ordered = run(
        &mut world,
        "DescribeMigrateJobs",
        &json!({"Order": "Status", "OrderSeq": "DESC"}),
        now,
    )
    .unwrap();
    let statuses: Vec<_> = ordered["JobList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["Status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [7, 4, 1]);
    let elsewhere = run(
        &mut world,
        "DescribeMigrateJobs",
        &json!({"JobId": SHOP}),
        now,
    )
    .unwrap();
    assert_eq!(elsewhere["TotalCount"], 1);
    let shanghai = run_in(
        &mut world,
        "DescribeMigrateJobs",
        &json!({}),
        now,
        "ap-shanghai",
    )
    .unwrap();
    assert_eq!(shanghai["JobList"][0]["JobId"], BILLING);
    assert_eq!(
        code(run(
            &mut world,
            "DescribeMigrateCheckJob",
            &json!({"JobId": BILLING}),
            now
        )),
        "ResourceNotFound.JobNotExist",
        "a job in another region is not found"
    );
    for (params, expect) in [
        (json!({"Limit": 0}), "InvalidParameterValue"),
        (json!({"Limit": 101}), "InvalidParameterValue"),
        (json!({"Offset": -1}), "InvalidParameterValue"),
        (json!({"Limit": "x"}), "InvalidParameter"),
        (json!({"Order": "Colour"}), "InvalidParameterValue"),
        (json!({"Filters": []}), "UnknownParameter"),
    ] {
        assert_eq!(
            code(run(&mut world, "DescribeMigrateJobs", &params, now)),
            expect,
            "{params}"
        );
    }
}

#[test]
fn job_info_has_the_shape_of_the_official_example() {
    let world = World::sample();
    let info = job_info(job(&world, ARCHIVE));
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&info),
        [
            "JobId",
            "JobName",
            "MigrateOption",
            "SrcAccessType",
            "SrcDatabaseType",
            "SrcInfo",
            "DstAccessType",
            "DstDatabaseType",
            "DstInfo",
            "Tags",
            "Detail",
            "Status",
            "DatabaseInfo",
            "CreateTime",
            "StartTime",
            "EndTime",
            "ErrorInfo"
        ]
    );
    assert_eq!(
        keys(&info["SrcInfo"])[..13],
        SRC_INFO_SHOWN
            .iter()
            .map(|k| (*k).to_owned())
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(info["SrcInfo"]["Password"], "");
    assert_eq!(info["SrcInfo"]["Supplier"], "others");
    assert_eq!(info["DatabaseInfo"], "[]");
    assert_eq!(info["CreateTime"], "2026-01-05 16:00:00", "UTC+8");
    assert_eq!(info["StartTime"], NO_TIME);
    assert_eq!(info["MigrateOption"]["ExpectTime"], NO_TIME);
    assert_eq!(info["ErrorInfo"], json!([]));
    assert_eq!(
        keys(&info["DstInfo"]),
        ["InstanceId", "Ip", "Port", "Region", "ReadOnly", "User"]
    );
}

#[test]
fn versions_and_actions() {
    assert!(check_action(API_VERSION, "DescribeMigrateJobs").is_ok());
    assert_eq!(
        check_action("2017-03-12", "DescribeMigrateJobs")
            .unwrap_err()
            .code,
        "NoSuchVersion"
    );
    assert_eq!(
        check_action(NEWER_API_VERSION, "DescribeMigrationJobs")
            .unwrap_err()
            .code,
        "UnsupportedOperation"
    );
    assert_eq!(
        check_action(API_VERSION, "StopMigrateJob")
            .unwrap_err()
            .code,
        "UnsupportedOperation"
    );
    assert_eq!(
        check_action(API_VERSION, "DescribeInstances")
            .unwrap_err()
            .code,
        "InvalidAction"
    );
}
