use serde_json::Value;

use super::*;
use crate::secret::Secret;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// Reference V2, the body bytes verbatim.
const V2_BODY: &str = r#"{"JobId": "dts-1kl0iy0v", "JobName": "tf-migrate", "MigrateOption": {"RunMode": 1, "MigrateType": 3, "MigrateObject": 2, "ConsistencyType": 5, "IsOverrideRoot": 0}, "SrcAccessType": "cdb", "SrcInfo": {"User": "root", "Password": "p@ss", "InstanceId": "cdb-abcd1234", "Region": "ap-guangzhou"}, "DstAccessType": "cdb", "DstInfo": {"Region": "ap-guangzhou", "InstanceId": "cdb-efgh5678", "ReadOnly": 0, "User": "root", "Password": "p@ss"}, "DatabaseInfo": "[{\"Database\":\"db1\",\"Table\":[\"t1\",\"t2\"]},{\"Database\":\"db2\"}]"}"#;

fn lines(headers: &[(&str, String)]) -> Vec<String> {
    headers.iter().map(|(n, v)| format!("{n}: {v}")).collect()
}

#[test]
fn v2_modify_migrate_job_headers_exactly() {
    let target = Target {
        host: "dts.tencentcloudapi.com",
        region: "ap-guangzhou",
        language: "zh-CN",
    };
    let req = build_request(
        "ModifyMigrateJob",
        V2_BODY.as_bytes().to_vec(),
        &target,
        &Credentials::new(ID, KEY),
        1_700_000_000,
    )
    .unwrap();
    assert_eq!(
        lines(&req.headers),
        [
            "Content-Type: application/json",
            "Host: dts.tencentcloudapi.com",
            "X-TC-Action: ModifyMigrateJob",
            "X-TC-Timestamp: 1700000000",
            "X-TC-Version: 2018-03-30",
            "X-TC-Region: ap-guangzhou",
            "X-TC-Language: zh-CN",
            "Authorization: TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host, Signature=a69f6d7553e5e1b34fbb0989aac90507b63999d3f241c27f66402f7d06b0a41d",
        ]
    );
    assert_eq!(req.body, V2_BODY.as_bytes());
}

#[test]
fn v3_token_and_english_just_before_utc_midnight() {
    let target = Target {
        host: "dts.tencentcloudapi.com",
        region: "ap-shanghai",
        language: "en-US",
    };
    let req = build_request(
        "DescribeMigrateJobs",
        br#"{"JobId": "dts-1kl0iy0v", "Offset": 0, "Limit": 20}"#.to_vec(),
        &target,
        &Credentials::new(ID, KEY).with_token("EXAMPLETOKEN0123456789"),
        1_700_006_399,
    )
    .unwrap();
    assert_eq!(
        lines(&req.headers),
        [
            "Content-Type: application/json",
            "Host: dts.tencentcloudapi.com",
            "X-TC-Action: DescribeMigrateJobs",
            "X-TC-Timestamp: 1700006399",
            "X-TC-Version: 2018-03-30",
            "X-TC-Region: ap-shanghai",
            "X-TC-Token: EXAMPLETOKEN0123456789",
            "X-TC-Language: en-US",
            "Authorization: TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host, Signature=8dd3da18df9c28c11db6bf007b2000bd8bc73275ad2385e60191c039e1ea59e0",
        ]
    );
}

#[test]
fn v5_empty_body_and_loopback_host_with_port() {
    let creds = Credentials::new(ID, KEY);
    let req = build_request(
        "DescribeMigrateJobs",
        b"{}".to_vec(),
        &Target {
            host: "dts.tencentcloudapi.com",
            region: "ap-guangzhou",
            language: "zh-CN",
        },
        &creds,
        1_700_000_000,
    )
    .unwrap();
    assert!(
        req.header("authorization").unwrap().ends_with(
            "Signature=3771eea8560f1730c99fafe1992ee2d05bc190d0c986c2551ef02483e87bc0be"
        )
    );
    assert!(req.header("X-TC-Token").is_none());

    // Against an emulator the signed host is the authority actually sent.
    let req = build_request(
        "DescribeMigrateJobs",
        b"{}".to_vec(),
        &Target {
            host: "127.0.0.1:8417",
            region: "ap-guangzhou",
            language: "en-US",
        },
        &creds,
        1_700_000_000,
    )
    .unwrap();
    let expected = sign::sign(
        &Input {
            method: "POST",
            query: "",
            headers: &[("content-type", CONTENT_TYPE), ("host", "127.0.0.1:8417")],
            payload: b"{}",
            timestamp: 1_700_000_000,
            service: "dts",
        },
        KEY,
    )
    .unwrap();
    assert!(
        expected
            .canonical_request
            .contains("\nhost:127.0.0.1:8417\n")
    );
    assert_eq!(
        req.header("Authorization").unwrap(),
        expected.authorization(ID)
    );
}

#[test]
fn v4_signature_on_the_finance_host() {
    // V4 is a 2021-12-06 vector, but the signature does not cover the version.
    let req = build_request(
        "DescribeMigrationDetail",
        br#"{"JobId": "dts-1kl0iy0v"}"#.to_vec(),
        &Target {
            host: "dts.ap-shenzhen-fsi.tencentcloudapi.com",
            region: "ap-shenzhen-fsi",
            language: "zh-CN",
        },
        &Credentials::new(ID, KEY),
        1_700_000_000,
    )
    .unwrap();
    assert!(
        req.header("Authorization").unwrap().ends_with(
            "Signature=99c46745221fbc6bae30acb3d94c0a9a47dbb3d8dc90f62d57347b6eb750147b"
        )
    );
    assert_eq!(req.header("X-TC-Region"), Some("ap-shenzhen-fsi"));
}

#[test]
fn modify_serialises_with_the_exact_keys_of_v2() {
    let request = ModifyMigrateJob {
        job_id: "dts-1kl0iy0v".into(),
        job_name: Some("tf-migrate".into()),
        migrate_option: Some(MigrateOption {
            run_mode: Some(1),
            migrate_type: Some(3),
            migrate_object: Some(2),
            consistency_type: Some(5),
            is_override_root: Some(0),
            ..MigrateOption::default()
        }),
        src_access_type: Some("cdb".into()),
        src_info: Some(SrcInfo {
            user: Some("root".into()),
            password: Some(Secret::new("p@ss")),
            instance_id: Some("cdb-abcd1234".into()),
            region: Some("ap-guangzhou".into()),
            ..SrcInfo::default()
        }),
        dst_access_type: Some("cdb".into()),
        dst_info: Some(DstInfo {
            region: Some("ap-guangzhou".into()),
            instance_id: Some("cdb-efgh5678".into()),
            read_only: Some(0),
            user: Some("root".into()),
            password: Some(Secret::new("p@ss")),
            ..DstInfo::default()
        }),
        database_info: Some(
            r#"[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2"}]"#.into(),
        ),
    };
    let ours: Value = serde_json::to_value(&request).unwrap();
    let reference: Value = serde_json::from_str(V2_BODY).unwrap();
    assert_eq!(ours, reference);
    let compact = serde_json::to_string(&request).unwrap();
    assert!(compact.starts_with(r#"{"JobId":"dts-1kl0iy0v","JobName":"tf-migrate","#));
    assert!(!format!("{request:?}").contains("p@ss"));

    let minimal = ModifyMigrateJob {
        job_id: "dts-1".into(),
        ..ModifyMigrateJob::default()
    };
    assert_eq!(
        serde_json::to_string(&minimal).unwrap(),
        r#"{"JobId":"dts-1"}"#
    );
}

#[test]
fn debug_of_a_signed_request_hides_values() {
    let req = build_request(
        "ModifyMigrateJob",
        V2_BODY.as_bytes().to_vec(),
        &Target {
            host: "dts.tencentcloudapi.com",
            region: "ap-guangzhou",
            language: "en-US",
        },
        &Credentials::new(ID, KEY).with_token("TOKEN-VALUE"),
        1_700_000_000,
    )
    .unwrap();
    let shown = format!("{req:?}");
    assert!(shown.contains("ModifyMigrateJob"));
    for hidden in ["p@ss", "TOKEN-VALUE", "Signature=", "a69f6d"] {
        assert!(!shown.contains(hidden), "{hidden}: {shown}");
    }
}

#[test]
fn clock_before_1970_signs_as_zero() {
    assert_eq!(
        unix_seconds(UNIX_EPOCH - std::time::Duration::from_secs(5)),
        0
    );
    assert_eq!(
        unix_seconds(UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)),
        1_700_000_000
    );
}
