use axum::http::HeaderValue;

use super::*;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

fn keys() -> Keys<'static> {
    Keys {
        secret_id: ID,
        secret_key: KEY,
    }
}

fn at(timestamp: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(timestamp)
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

/// Reference vector V2 (SDK-generated, ModifyMigrateJob).
fn v2() -> (HeaderMap, &'static [u8]) {
    let body = br#"{"JobId": "dts-1kl0iy0v", "JobName": "tf-migrate", "MigrateOption": {"RunMode": 1, "MigrateType": 3, "MigrateObject": 2, "ConsistencyType": 5, "IsOverrideRoot": 0}, "SrcAccessType": "cdb", "SrcInfo": {"User": "root", "Password": "p@ss", "InstanceId": "cdb-abcd1234", "Region": "ap-guangzhou"}, "DstAccessType": "cdb", "DstInfo": {"Region": "ap-guangzhou", "InstanceId": "cdb-efgh5678", "ReadOnly": 0, "User": "root", "Password": "p@ss"}, "DatabaseInfo": "[{\"Database\":\"db1\",\"Table\":[\"t1\",\"t2\"]},{\"Database\":\"db2\"}]"}"#;
    let h = headers(&[
        ("content-type", "application/json"),
        ("host", "dts.tencentcloudapi.com"),
        ("x-tc-action", "ModifyMigrateJob"),
        ("x-tc-timestamp", "1700000000"),
        ("x-tc-version", "2018-03-30"),
        ("x-tc-region", "ap-guangzhou"),
        ("x-tc-language", "zh-CN"),
        (
            "authorization",
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host, Signature=a69f6d7553e5e1b34fbb0989aac90507b63999d3f241c27f66402f7d06b0a41d",
        ),
    ]);
    (h, body)
}

fn post<'a>(headers: &'a HeaderMap, body: &'a [u8]) -> Incoming<'a> {
    Incoming {
        method: "POST",
        query: "",
        headers,
        body,
    }
}

#[test]
fn accepts_the_sdk_vector() {
    let (h, body) = v2();
    let ok = verify(&post(&h, body), &keys(), at(1_700_000_100)).unwrap();
    assert_eq!(ok.action, "ModifyMigrateJob");
    assert_eq!(ok.version, "2018-03-30");
    assert_eq!(ok.region.as_deref(), Some("ap-guangzhou"));
    assert!(!ok.english);
}

#[test]
fn accepts_the_doc_style_vector_with_three_signed_headers() {
    // Reference vector V8: content-type;host;x-tc-action, values lower-cased.
    let h = headers(&[
        ("content-type", "application/json; charset=utf-8"),
        ("host", "dts.tencentcloudapi.com"),
        ("x-tc-action", "DescribeMigrateCheckJob"),
        ("x-tc-timestamp", "1700000000"),
        ("x-tc-version", "2018-03-30"),
        (
            "authorization",
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=d3083e2d5f5eeb4f5afcacedde943fa22145659b245090eb10688fcee3a4cb7f",
        ),
    ]);
    let body = br#"{"JobId":"dts-1kl0iy0v"}"#;
    verify(&post(&h, body), &keys(), at(1_700_000_000)).unwrap();
}

#[test]
fn accepts_the_get_vector() {
    // Reference vector V6: the canonical query string is the query as sent.
    let h = headers(&[
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "dts.tencentcloudapi.com"),
        ("x-tc-action", "DescribeMigrateJobs"),
        ("x-tc-timestamp", "1700000000"),
        ("x-tc-version", "2018-03-30"),
        (
            "authorization",
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host, Signature=eb3bae3b953a2b2f96713db4f9d82d6a54edcbd256495f2fd48e88ef99f01fd4",
        ),
    ]);
    let req = Incoming {
        method: "GET",
        query: "JobId=dts-1kl0iy0v&Limit=20",
        headers: &h,
        body: b"",
    };
    verify(&req, &keys(), at(1_700_000_000)).unwrap();
}

#[test]
fn refuses_with_the_code_for_each_cause() {
    let (h, body) = v2();
    let now = at(1_700_000_000);
    let code = |h: &HeaderMap, body: &[u8], keys: &Keys<'_>, now| {
        verify(&post(h, body), keys, now).unwrap_err().code
    };
    assert_eq!(
        code(&h, b"{}", &keys(), now),
        "AuthFailure.SignatureFailure",
        "another body"
    );
    let wrong_key = Keys {
        secret_id: ID,
        secret_key: "other",
    };
    assert_eq!(
        code(&h, body, &wrong_key, now),
        "AuthFailure.SignatureFailure"
    );
    let other_id = Keys {
        secret_id: "someone",
        secret_key: KEY,
    };
    assert_eq!(
        code(&h, body, &other_id, now),
        "AuthFailure.SecretIdNotFound"
    );
    assert_eq!(
        code(&h, body, &keys(), at(1_700_000_301)),
        "AuthFailure.SignatureExpire"
    );
    assert_eq!(
        code(&h, body, &keys(), at(1_699_999_699)),
        "AuthFailure.SignatureExpire"
    );
    assert!(
        verify(&post(&h, body), &keys(), at(1_700_000_300)).is_ok(),
        "300 s is fine"
    );

    let mut edited = h.clone();
    edited.insert(
        "host",
        HeaderValue::from_static("dts.ap-shanghai.tencentcloudapi.com"),
    );
    assert_eq!(
        code(&edited, body, &keys(), now),
        "AuthFailure.SignatureFailure",
        "a signed header changed"
    );
    let mut unsigned_change = h.clone();
    unsigned_change.insert("x-tc-region", HeaderValue::from_static("ap-shanghai"));
    assert!(
        verify(&post(&unsigned_change, body), &keys(), now).is_ok(),
        "unsigned headers are not covered"
    );

    for (auth, expect) in [
        (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=host, Signature=ab",
            "AuthFailure.InvalidAuthorization",
        ),
        (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host;x-tc-nope, Signature=ab",
            "AuthFailure.InvalidAuthorization",
        ),
        (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/dts/tc3_request, SignedHeaders=content-type;host;host, Signature=ab",
            "AuthFailure.InvalidAuthorization",
        ),
        (
            "TC3-HMAC-SHA256 garbage",
            "AuthFailure.InvalidAuthorization",
        ),
        (
            "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=ab",
            "AuthFailure.InvalidAuthorization",
        ),
        (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-15/dts/tc3_request, SignedHeaders=content-type;host, Signature=ab",
            "AuthFailure.SignatureFailure",
        ),
        (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/cvm/tc3_request, SignedHeaders=content-type;host, Signature=ab",
            "AuthFailure.SignatureFailure",
        ),
    ] {
        let mut bad = h.clone();
        bad.insert("authorization", HeaderValue::from_static(auth));
        assert_eq!(code(&bad, body, &keys(), now), expect, "{auth}");
    }
    let mut no_auth = h.clone();
    no_auth.remove("authorization");
    assert_eq!(
        code(&no_auth, body, &keys(), now),
        "AuthFailure.InvalidAuthorization"
    );
    let mut no_stamp = h.clone();
    no_stamp.remove("x-tc-timestamp");
    assert_eq!(code(&no_stamp, body, &keys(), now), "MissingParameter");
    let mut bad_stamp = h.clone();
    bad_stamp.insert("x-tc-timestamp", HeaderValue::from_static("soon"));
    assert_eq!(
        code(&bad_stamp, body, &keys(), now),
        "InvalidParameterValue"
    );
    let mut no_action = h.clone();
    no_action.remove("x-tc-action");
    assert_eq!(code(&no_action, body, &keys(), now), "MissingParameter");
    let mut twice = h.clone();
    twice.append("content-type", HeaderValue::from_static("text/plain"));
    assert_eq!(
        code(&twice, body, &keys(), now),
        "AuthFailure.InvalidAuthorization"
    );
}

#[test]
fn an_unsigned_payload_signs_the_marker_instead_of_the_body() {
    let (mut h, _) = v2();
    h.insert(
        "x-tc-content-sha256",
        HeaderValue::from_static(UNSIGNED_PAYLOAD),
    );
    let signed: Vec<(&str, &str)> = vec![
        ("content-type", "application/json"),
        ("host", "dts.tencentcloudapi.com"),
    ];
    let sig = sign::sign(
        &Input {
            method: "POST",
            query: "",
            headers: &signed,
            payload: UNSIGNED_PAYLOAD.as_bytes(),
            timestamp: 1_700_000_000,
            service: SERVICE,
        },
        KEY,
    )
    .unwrap();
    h.insert(
        "authorization",
        HeaderValue::from_str(&sig.authorization(ID)).unwrap(),
    );
    verify(&post(&h, b"{\"any\":\"body\"}"), &keys(), at(1_700_000_000)).unwrap();
}
