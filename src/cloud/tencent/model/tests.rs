use serde_json::{Value, json};

use super::*;

/// Reference §4.4, the official DescribeMigrateJobs example response, verbatim.
const DESCRIBE_MIGRATE_JOBS: &str = r#"{"Response":{"TotalCount":1,"JobList":[{"JobId":"dts-1kl0iy0v","JobName":"userdts",
 "MigrateOption":{"RunMode":1,"ExpectTime":"0000-00-00 00:00:00","MigrateType":2,"MigrateObject":2,"ConsistencyType":5,"IsOverrideRoot":0,"ExternParams":"[]","ConsistencyParams":{"SelectRowsPerTable":0,"TablesSelectAll":0,"TablesSelectCount":0}},
 "SrcAccessType":"extranet","SrcDatabaseType":"mysql",
 "SrcInfo":{"AccessKey":"","Ip":"9.18.84.24","Port":10304,"User":"root","Password":"","RdsInstanceId":"","CvmInstanceId":"","UniqDcgId":"","SubnetId":"","UniqVpnGwId":"","InstanceId":"","Region":"ap-guangzhou","VpcId":""},
 "DstAccessType":"cdb","DstDatabaseType":"mysql",
 "DstInfo":{"InstanceId":"cdb-l78e0nbv","Ip":"","Port":0,"Region":"ap-shanghai","ReadOnly":0},
 "Tags":[{"TagKey":"负责人","TagValue":"alice"}],
 "Detail":{"StepAll":0,"StepNow":0,"Progress":"0","CurrentStepProgress":"0","MasterSlaveDistance":0,"SecondsBehindMaster":0,"StepInfo":[]},
 "Status":1,"DatabaseInfo":"[]","CreateTime":"2018-05-24 15:06:03","StartTime":"0000-00-00 00:00:00","EndTime":"0000-00-00 00:00:00","ErrorInfo":[]}],
 "RequestId":"c032aab5-b56a-428d-9cf7-e5f324ee408b"}}"#;

#[test]
fn decodes_the_official_describe_migrate_jobs_example() {
    let v: Value = serde_json::from_str(DESCRIBE_MIGRATE_JOBS).unwrap();
    let page: MigrateJobsPage = serde_json::from_value(v["Response"].clone()).unwrap();
    assert_eq!(page.total_count, Some(1));
    let [job] = page.job_list.as_slice() else {
        panic!("one job expected")
    };
    assert_eq!(job.job_id, "dts-1kl0iy0v");
    assert_eq!(job.job_name, "userdts");
    assert_eq!(job.status, MigrateStatus::Creating);
    assert_eq!(job.src_access_type.as_deref(), Some("extranet"));
    assert_eq!(job.src_database_type.as_deref(), Some("mysql"));
    assert_eq!(job.dst_access_type.as_deref(), Some("cdb"));
    assert_eq!(job.database_info.as_deref(), Some("[]"));
    assert_eq!(job.create_time.as_deref(), Some("2018-05-24 15:06:03"));
    assert_eq!(job.start_time, None, "the zero time is no time");
    assert_eq!(job.end_time, None);
    assert!(job.error_info.is_empty());
    assert_eq!(
        job.tags,
        [Tag {
            tag_key: "负责人".into(),
            tag_value: "alice".into()
        }]
    );
    assert_eq!(
        job.migrate_option,
        Some(MigrateOption {
            run_mode: Some(1),
            expect_time: None,
            migrate_type: Some(2),
            migrate_object: Some(2),
            consistency_type: Some(5),
            is_override_root: Some(0),
            extern_params: Some("[]".into()),
            consistency_params: Some(ConsistencyParams {
                select_rows_per_table: Some(0),
                tables_select_all: Some(0),
                tables_select_count: Some(0),
            }),
        })
    );
    assert_eq!(
        job.src_info,
        Some(SrcInfo {
            ip: Some("9.18.84.24".into()),
            port: Some(10304),
            user: Some("root".into()),
            region: Some("ap-guangzhou".into()),
            ..SrcInfo::default()
        }),
        "empty strings, the empty password included, are unset"
    );
    assert_eq!(
        job.dst_info,
        Some(DstInfo {
            region: Some("ap-shanghai".into()),
            instance_id: Some("cdb-l78e0nbv".into()),
            port: Some(0),
            read_only: Some(0),
            ..DstInfo::default()
        })
    );
}

#[test]
fn port_and_integers_may_be_strings_and_unknown_fields_are_ignored() {
    let src: SrcInfo = serde_json::from_value(json!({
        "Port": "3306", "Ip": 10, "Brand": "new", "Password": null
    }))
    .unwrap();
    assert_eq!(src.port, Some(3306));
    assert_eq!(src.ip.as_deref(), Some("10"));
    assert_eq!(src.password, None);
    let src: SrcInfo = serde_json::from_value(json!({"Port": ""})).unwrap();
    assert_eq!(src.port, None);
    let option: MigrateOption =
        serde_json::from_value(json!({"RunMode": "2", "MigrateType": 3, "ExpectTime": ""}))
            .unwrap();
    assert_eq!(
        (option.run_mode, option.migrate_type, option.expect_time),
        (Some(2), Some(3), None)
    );
    let job: MigrateJob = serde_json::from_value(json!({
        "JobId": "dts-1", "Status": "7", "ErrorInfo": null, "Tags": null, "SrcInfoMulti": null,
        "ErrorInfo2": [1]
    }))
    .unwrap();
    assert_eq!(job.status, MigrateStatus::Running);
    assert!(job.error_info.is_empty() && job.tags.is_empty());
}

#[test]
fn statuses_by_code_name_and_predicate() {
    for (code, name) in [
        (1, "Creating"),
        (2, "Created"),
        (3, "Checking"),
        (4, "CheckPass"),
        (5, "CheckNotPass"),
        (6, "ReadyRun"),
        (7, "Running"),
        (8, "ReadyComplete"),
        (9, "Success"),
        (10, "Failed"),
        (11, "Stopping"),
        (12, "Completing"),
        (23, "Unknown"),
    ] {
        let status = MigrateStatus::from_code(code);
        assert_eq!(status.code(), code);
        assert_eq!(status.name(), name);
        assert!(!matches!(status, MigrateStatus::Other(_)));
        assert_eq!(status.to_string(), format!("{name} ({code})"));
    }
    assert_eq!(MigrateStatus::CheckPass.to_string(), "CheckPass (4)");

    let modifiable: Vec<i64> = (0..30)
        .filter(|c| MigrateStatus::from_code(*c).is_modifiable())
        .collect();
    assert_eq!(modifiable, [1, 4, 5, 10]);
    let transitional: Vec<i64> = (0..30)
        .filter(|c| MigrateStatus::from_code(*c).is_transitional())
        .collect();
    assert_eq!(transitional, [3, 6, 11, 12]);
    let startable: Vec<i64> = (0..30)
        .filter(|c| MigrateStatus::from_code(*c).can_start())
        .collect();
    assert_eq!(startable, [4]);
    let started: Vec<i64> = (0..30)
        .filter(|c| MigrateStatus::from_code(*c).is_started())
        .collect();
    assert_eq!(started, [6, 7, 8, 9, 11, 12]);
}

#[test]
fn unknown_status_ints_are_kept_not_errors() {
    for (json, expected) in [
        (json!({"Status": 42}), MigrateStatus::Other(42)),
        (json!({"Status": -1}), MigrateStatus::Other(-1)),
        (json!({"Status": "13"}), MigrateStatus::Other(13)),
        (json!({"Status": null}), MigrateStatus::Other(0)),
        (json!({"Status": "running"}), MigrateStatus::Other(0)),
        (json!({}), MigrateStatus::Other(0)),
    ] {
        let job: MigrateJob = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(job.status, expected, "{json}");
    }
    let other = MigrateStatus::Other(42);
    assert_eq!(other.code(), 42);
    assert_eq!(
        other.to_string(),
        "Unknown (42)",
        "as the API names what it does not know"
    );
    assert!(
        !other.is_modifiable()
            && !other.is_transitional()
            && !other.can_start()
            && !other.is_started()
    );
    assert_eq!(serde_json::to_value(other).unwrap(), json!(42));
    assert_eq!(
        serde_json::to_value(MigrateStatus::ReadyComplete).unwrap(),
        json!(8)
    );
}

#[test]
fn passwords_go_on_the_wire_but_never_into_debug() {
    let src = SrcInfo {
        user: Some("root".into()),
        password: Some(Secret::new("p@ss-src")),
        port: Some(3306),
        ..SrcInfo::default()
    };
    let dst = DstInfo {
        password: Some(Secret::new("p@ss-dst")),
        read_only: Some(0),
        ..DstInfo::default()
    };
    assert_eq!(
        serde_json::to_string(&src).unwrap(),
        r#"{"Port":3306,"User":"root","Password":"p@ss-src"}"#
    );
    assert_eq!(
        serde_json::to_string(&dst).unwrap(),
        r#"{"ReadOnly":0,"Password":"p@ss-dst"}"#
    );
    let shown = format!("{src:?} {dst:?} {src:#?}");
    assert!(!shown.contains("p@ss"), "{shown}");
    let back: SrcInfo = serde_json::from_str(&serde_json::to_string(&src).unwrap()).unwrap();
    assert_eq!(back, src);
}

/// `SrcInfo.AccessKey` is a secret like a password: on the wire, never in `Debug`, and
/// the `""` DescribeMigrateJobs shows is no key.
#[test]
fn the_access_key_goes_on_the_wire_but_never_into_debug() {
    let src = SrcInfo {
        access_key: Some(Secret::new("LTAI-ak-secret")),
        supplier: Some("aliyun".into()),
        ..SrcInfo::default()
    };
    assert_eq!(
        serde_json::to_string(&src).unwrap(),
        r#"{"AccessKey":"LTAI-ak-secret","Supplier":"aliyun"}"#
    );
    let shown = format!("{src:?} {src:#?}");
    assert!(!shown.contains("LTAI-ak-secret"), "{shown}");
    let read: SrcInfo = serde_json::from_str(r#"{"AccessKey":"","Ip":"9.18.84.24"}"#).unwrap();
    assert_eq!(read.access_key, None);
}

#[test]
fn unset_options_are_omitted() {
    assert_eq!(
        serde_json::to_string(&MigrateOption::default()).unwrap(),
        "{}"
    );
    let option = MigrateOption {
        run_mode: Some(2),
        expect_time: Some("2024-01-01 00:00:00".into()),
        consistency_params: Some(ConsistencyParams {
            select_rows_per_table: Some(10),
            ..ConsistencyParams::default()
        }),
        ..MigrateOption::default()
    };
    assert_eq!(
        serde_json::to_string(&option).unwrap(),
        r#"{"RunMode":2,"ExpectTime":"2024-01-01 00:00:00","ConsistencyParams":{"SelectRowsPerTable":10}}"#
    );
}

#[test]
fn check_job_examples() {
    // Reference §4.5, the two official examples.
    let passed: CheckJob = serde_json::from_str(
        r#"{"Status":"finished","ErrorCode":0,"ErrorMessage":"ok","Progress":"100","CheckFlag":1,"RequestId":"336448b0-2a45-4be4-8356-c245eab5784f"}"#,
    )
    .unwrap();
    assert!(passed.is_finished() && passed.passed());
    assert_eq!(passed.progress.as_deref(), Some("100"));

    let failed: CheckJob = serde_json::from_str(
        r#"{"Status":"finished","ErrorCode":-1,"ErrorMessage":"选择的库表不存在，请重新选择[存在输入参数table在源实例没有找到]","Progress":"100","CheckFlag":0,"RequestId":"67b4cfcf-6957-48ae-b7ef-ba33209895e3"}"#,
    )
    .unwrap();
    assert!(failed.is_finished() && !failed.passed());
    assert_eq!(failed.error_code, Some(-1));

    let running: CheckJob =
        serde_json::from_str(r#"{"Status":"running","Progress":30,"CheckFlag":"1"}"#).unwrap();
    assert!(!running.is_finished() && !running.passed());
    assert_eq!(running.progress.as_deref(), Some("30"));
    let unchecked: CheckJob =
        serde_json::from_str(r#"{"Status":"finished","CheckFlag":3}"#).unwrap();
    assert!(unchecked.is_finished() && !unchecked.passed());
}

#[test]
fn database_info_sent_as_json_itself_is_read_as_its_text_never_as_absent() {
    let job: MigrateJob = serde_json::from_value(serde_json::json!({
        "JobId": "dts-1", "DatabaseInfo": [{"Database": "db1", "Table": ["t1"]}]
    }))
    .unwrap();
    assert_eq!(
        job.database_info.as_deref(),
        Some(r#"[{"Database":"db1","Table":["t1"]}]"#)
    );
    let job: MigrateJob =
        serde_json::from_value(serde_json::json!({"JobId": "dts-1", "DatabaseInfo": []})).unwrap();
    assert_eq!(job.database_info.as_deref(), Some("[]"));
    let job: MigrateJob =
        serde_json::from_value(serde_json::json!({"JobId": "dts-1", "DatabaseInfo": ""})).unwrap();
    assert_eq!(job.database_info, None);
}
