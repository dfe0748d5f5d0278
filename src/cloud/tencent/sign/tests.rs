//! The reference vectors V0–V8 (tencent-dts-api.md §3), verbatim.

use super::*;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const CVM_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const JSON: &str = "application/json";
const DTS: &str = "dts.tencentcloudapi.com";

struct Vector {
    name: &'static str,
    method: &'static str,
    query: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    timestamp: i64,
    service: &'static str,
    key: &'static str,
    payload_hash: &'static str,
    /// HashedCanonicalRequest.
    canonical_hash: &'static str,
    signature: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        name: "V0 official doc example",
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", "cvm.tencentcloudapi.com"),
            ("X-TC-Action", "DescribeInstances"),
        ],
        body: CVM_BODY,
        timestamp: 1_551_113_065,
        service: "cvm",
        key: "********************************",
        payload_hash: "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        canonical_hash: "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
        signature: "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
    },
    Vector {
        name: "V0 with the EXAMPLE key",
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", "cvm.tencentcloudapi.com"),
            ("X-TC-Action", "DescribeInstances"),
        ],
        body: CVM_BODY,
        timestamp: 1_551_113_065,
        service: "cvm",
        key: KEY,
        payload_hash: "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        canonical_hash: "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
        signature: "644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26",
    },
    Vector {
        name: "V1 SDK-style CVM",
        method: "POST",
        query: "",
        headers: &[("Content-Type", JSON), ("Host", "cvm.tencentcloudapi.com")],
        body: CVM_BODY,
        timestamp: 1_551_113_065,
        service: "cvm",
        key: KEY,
        payload_hash: "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        canonical_hash: "df142fa7176428137ac6a6b25b5efcb6b4c08a91fc30d75ecebe47877d3143d8",
        signature: "683bd0b53659853c39699162253251192320a09b3937e27bf8e08a559b1465b8",
    },
    Vector {
        name: "V2 ModifyMigrateJob",
        method: "POST",
        query: "",
        headers: &[("Content-Type", JSON), ("Host", DTS)],
        body: r#"{"JobId": "dts-1kl0iy0v", "JobName": "tf-migrate", "MigrateOption": {"RunMode": 1, "MigrateType": 3, "MigrateObject": 2, "ConsistencyType": 5, "IsOverrideRoot": 0}, "SrcAccessType": "cdb", "SrcInfo": {"User": "root", "Password": "p@ss", "InstanceId": "cdb-abcd1234", "Region": "ap-guangzhou"}, "DstAccessType": "cdb", "DstInfo": {"Region": "ap-guangzhou", "InstanceId": "cdb-efgh5678", "ReadOnly": 0, "User": "root", "Password": "p@ss"}, "DatabaseInfo": "[{\"Database\":\"db1\",\"Table\":[\"t1\",\"t2\"]},{\"Database\":\"db2\"}]"}"#,
        timestamp: 1_700_000_000,
        service: "dts",
        key: KEY,
        payload_hash: "054214a870f34828af79b4a9f9843220f857fe635f2d61af76657d232c362c7b",
        canonical_hash: "21b9572644056a30b5b2f4a8316194ec8be1eeeb48c603ad107d917af2a7301c",
        signature: "a69f6d7553e5e1b34fbb0989aac90507b63999d3f241c27f66402f7d06b0a41d",
    },
    Vector {
        name: "V3 DescribeMigrateJobs, 1 s before UTC midnight",
        method: "POST",
        query: "",
        headers: &[("Content-Type", JSON), ("Host", DTS)],
        body: r#"{"JobId": "dts-1kl0iy0v", "Offset": 0, "Limit": 20}"#,
        timestamp: 1_700_006_399,
        service: "dts",
        key: KEY,
        payload_hash: "062437dad145c591c6e271f02d886e19b21ae208207283675089ee9a2df44e31",
        canonical_hash: "adf1984ea44c4088a71b19605ca93b92595adbe5af34aa5504130d64af812c99",
        signature: "8dd3da18df9c28c11db6bf007b2000bd8bc73275ad2385e60191c039e1ea59e0",
    },
    Vector {
        name: "V4 finance host",
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", JSON),
            ("Host", "dts.ap-shenzhen-fsi.tencentcloudapi.com"),
        ],
        body: r#"{"JobId": "dts-1kl0iy0v"}"#,
        timestamp: 1_700_000_000,
        service: "dts",
        key: KEY,
        payload_hash: "9aee54565e859b352510945e364cd3528543bb518331ac9a567816461a6e1882",
        canonical_hash: "",
        signature: "99c46745221fbc6bae30acb3d94c0a9a47dbb3d8dc90f62d57347b6eb750147b",
    },
    Vector {
        name: "V5 empty body",
        method: "POST",
        query: "",
        headers: &[("Content-Type", JSON), ("Host", DTS)],
        body: "{}",
        timestamp: 1_700_000_000,
        service: "dts",
        key: KEY,
        payload_hash: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        canonical_hash: "",
        signature: "3771eea8560f1730c99fafe1992ee2d05bc190d0c986c2551ef02483e87bc0be",
    },
    Vector {
        name: "V6 GET",
        method: "GET",
        query: "JobId=dts-1kl0iy0v&Limit=20",
        headers: &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Host", DTS),
        ],
        body: "",
        timestamp: 1_700_000_000,
        service: "dts",
        key: KEY,
        payload_hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        canonical_hash: "3fb352f956311f9421621adb56c3e72a6562e85edb2727bf5ce97d72ccb7c25a",
        signature: "eb3bae3b953a2b2f96713db4f9d82d6a54edcbd256495f2fd48e88ef99f01fd4",
    },
    Vector {
        name: "V7 raw UTF-8",
        method: "POST",
        query: "",
        headers: &[("Content-Type", JSON), ("Host", DTS)],
        body: r#"{"JobId":"dts-1kl0iy0v","JobName":"迁移-任务","MigrateOption":{"RunMode":1,"MigrateType":2,"MigrateObject":1,"IsOverrideRoot":0}}"#,
        timestamp: 1_700_000_000,
        service: "dts",
        key: KEY,
        payload_hash: "e9414c76bc9859b7b8e47cbbc762d6b9c1da3ec8461bb1ee42eeeb00bb1e71a6",
        canonical_hash: "",
        signature: "3b398e8fc1ad79c46618c5f5fe914d6e45ea1573535a7e5588f6ace21a942490",
    },
    Vector {
        name: "V8 doc-style DTS",
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", DTS),
            ("X-TC-Action", "DescribeMigrateCheckJob"),
        ],
        body: r#"{"JobId":"dts-1kl0iy0v"}"#,
        timestamp: 1_700_000_000,
        service: "dts",
        key: KEY,
        payload_hash: "c7d3ff253b4cb2215b3581205b2148b17572c7b07cacf18f83ff89cf84c90031",
        canonical_hash: "f28bd3a5182c4de2a777864be937a332805f8bcf6d4df4677a421b6dfd3250f4",
        signature: "d3083e2d5f5eeb4f5afcacedde943fa22145659b245090eb10688fcee3a4cb7f",
    },
];

fn signed(v: &Vector) -> Signature {
    sign(
        &Input {
            method: v.method,
            query: v.query,
            headers: v.headers,
            payload: v.body.as_bytes(),
            timestamp: v.timestamp,
            service: v.service,
        },
        v.key,
    )
    .expect("a calendar timestamp")
}

#[test]
fn every_reference_vector_is_reproduced() {
    for v in VECTORS {
        assert_eq!(sha256_hex(v.body.as_bytes()), v.payload_hash, "{}", v.name);
        let s = signed(v);
        if !v.canonical_hash.is_empty() {
            assert_eq!(
                sha256_hex(s.canonical_request.as_bytes()),
                v.canonical_hash,
                "{}",
                v.name
            );
        }
        assert_eq!(s.signature, v.signature, "{}", v.name);
    }
}

#[test]
fn v0_canonical_request_and_string_to_sign_are_verbatim() {
    let s = signed(&VECTORS[0]);
    assert_eq!(
        s.canonical_request,
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    );
    assert_eq!(s.signed_headers, "content-type;host;x-tc-action");
    assert_eq!(s.credential_scope, "2019-02-25/cvm/tc3_request");
}

#[test]
fn v2_string_to_sign_and_authorization_are_verbatim() {
    let s = signed(&VECTORS[3]);
    assert_eq!(
        s.string_to_sign,
        "TC3-HMAC-SHA256\n1700000000\n2023-11-14/dts/tc3_request\n21b9572644056a30b5b2f4a8316194ec8be1eeeb48c603ad107d917af2a7301c"
    );
    assert_eq!(
        s.authorization(ID),
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host, Signature=a69f6d7553e5e1b34fbb0989aac90507b63999d3f241c27f66402f7d06b0a41d"
    );
}

#[test]
fn v6_get_canonical_request_carries_the_query() {
    let s = signed(&VECTORS[7]);
    assert_eq!(
        s.canonical_request,
        "GET\n/\nJobId=dts-1kl0iy0v&Limit=20\ncontent-type:application/x-www-form-urlencoded\nhost:dts.tencentcloudapi.com\n\ncontent-type;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn the_date_is_the_utc_one() {
    // 1551113065 is 2019-02-26 00:44:25 in UTC+8, but 2019-02-25 in UTC.
    assert_eq!(utc_date(1_551_113_065).as_deref(), Some("2019-02-25"));
    assert_eq!(utc_date(1_700_006_399).as_deref(), Some("2023-11-14"));
    assert_eq!(utc_date(1_700_006_400).as_deref(), Some("2023-11-15"));
    assert_eq!(utc_date(i64::MAX), None);
}

#[test]
fn header_order_and_case_do_not_change_the_signature() {
    let v = &VECTORS[9];
    let shuffled = [
        ("x-tc-action", "describemigratecheckjob"),
        ("HOST", " dts.tencentcloudapi.com "),
        ("content-type", "application/json; charset=utf-8"),
    ];
    let s = sign(
        &Input {
            method: v.method,
            query: "",
            headers: &shuffled,
            payload: v.body.as_bytes(),
            timestamp: v.timestamp,
            service: "dts",
        },
        KEY,
    )
    .unwrap();
    assert_eq!(s.signature, v.signature);
}

#[test]
fn authorization_headers_parse_and_malformed_ones_do_not() {
    let header = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=d3083e2d5f5eeb4f5afcacedde943fa22145659b245090eb10688fcee3a4cb7f";
    let parsed = parse_authorization(header).unwrap();
    assert_eq!(parsed.secret_id, ID);
    assert_eq!(parsed.date, "2023-11-14");
    assert_eq!(parsed.service, "dts");
    assert_eq!(
        parsed.signed_headers,
        ["content-type", "host", "x-tc-action"]
    );
    for bad in [
        "",
        "TC3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=a/2023-11-14/dts/tc3_request, SignedHeaders=host, Signature=ab",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/dts/tc2_request, SignedHeaders=host, Signature=ab",
        "TC3-HMAC-SHA256 Credential=/2023-11-14/dts/tc3_request, SignedHeaders=host, Signature=ab",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/dts/tc3_request, SignedHeaders=host, Signature=zz",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/dts/tc3_request, SignedHeaders=host",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/dts/tc3_request, SignedHeaders=host, Signature=ab, Signature=ab",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/dts/tc3_request, SignedHeaders=host;;x, Signature=ab",
        "TC3-HMAC-SHA256Credential=a/2023-11-14/dts/tc3_request, SignedHeaders=host, Signature=ab",
    ] {
        assert_eq!(parse_authorization(bad), None, "{bad}");
    }
}

#[test]
fn debug_output_shows_no_signature() {
    let s = signed(&VECTORS[3]);
    let shown = format!("{s:?}");
    assert!(!shown.contains(VECTORS[3].signature), "{shown}");
}
