//! Every test vector of reference §4.3 and §4.4, verbatim.

use super::*;

const AK: &str = "LTAI5tTestAccessKeyId";
const SECRET: &str = "TestAccessKeySecret0123456789ab";
const NONCE: &str = "3156853299f313e23d1673dc12e1703d";
const DATE: &str = "2024-05-01T12:00:00Z";

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn dts_headers(host: &str, action: &str, sha: &str) -> Vec<(String, String)> {
    pairs(&[
        ("host", host),
        ("x-acs-action", action),
        ("x-acs-version", "2020-01-01"),
        ("x-acs-date", DATE),
        ("x-acs-signature-nonce", NONCE),
        ("x-acs-content-sha256", sha),
    ])
}

#[test]
fn v3_0_official_doc_example() {
    let query = pairs(&[
        (
            "ImageId",
            "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        ),
        ("RegionId", "cn-shanghai"),
    ]);
    let headers = pairs(&[
        ("host", "ecs.cn-shanghai.aliyuncs.com"),
        ("x-acs-action", "RunInstances"),
        ("x-acs-version", "2014-05-26"),
        ("x-acs-date", "2023-10-26T10:22:32Z"),
        ("x-acs-signature-nonce", NONCE),
        ("x-acs-content-sha256", EMPTY_SHA256),
    ]);
    let sig = sign_v3(
        &V3Input {
            method: "POST",
            query: &query,
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
        },
        "YourAccessKeySecret",
    );
    assert_eq!(
        sig.canonical_request,
        "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
host:ecs.cn-shanghai.aliyuncs.com\n\
x-acs-action:RunInstances\n\
x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
x-acs-date:2023-10-26T10:22:32Z\n\
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
x-acs-version:2014-05-26\n\
\n\
host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sig.string_to_sign,
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    );
    assert_eq!(
        sig.authorization("YourAccessKeyId"),
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
}

#[test]
fn v3_1_describe_dts_job_detail_no_body() {
    let query = pairs(&[("DtsJobId", "k2gm967v16f****"), ("RegionId", "cn-hangzhou")]);
    let headers = dts_headers("dts.aliyuncs.com", "DescribeDtsJobDetail", EMPTY_SHA256);
    let sig = sign_v3(
        &V3Input {
            method: "POST",
            query: &query,
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
        },
        SECRET,
    );
    assert_eq!(
        sig.canonical_request,
        "POST\n/\nDtsJobId=k2gm967v16f%2A%2A%2A%2A&RegionId=cn-hangzhou\n\
host:dts.aliyuncs.com\n\
x-acs-action:DescribeDtsJobDetail\n\
x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
x-acs-date:2024-05-01T12:00:00Z\n\
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
x-acs-version:2020-01-01\n\
\n\
host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sig.string_to_sign,
        "ACS3-HMAC-SHA256\ne18100dc5e790b3a65b4a729cdd64c64104a0b10079accaebcf2636d1efe21b9"
    );
    assert_eq!(
        sig.authorization(AK),
        "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=3fe3bce4765621e53613154a8dc3ff1769861c92a65e9854a362587b31ba13da"
    );
}

pub(crate) const V3_2_DB_LIST: &str = r#"{"dtstestdata":{"name":"dtstestdata","all":false,"Table":{"customer":{"name":"customer_new","all":true,"filter":"id > 10 AND name = 'a b'"}}}}"#;
pub(crate) const V3_2_BODY: &str = "DbList=%7B%22dtstestdata%22%3A%7B%22name%22%3A%22dtstestdata%22%2C%22all%22%3Afalse%2C%22Table%22%3A%7B%22customer%22%3A%7B%22name%22%3A%22customer_new%22%2C%22all%22%3Atrue%2C%22filter%22%3A%22id+%3E+10+AND+name+%3D+%27a+b%27%22%7D%7D%7D%7D&Reserved=%7B%22autoStartModulesAfterConfig%22%3A%22none%22%7D";

#[test]
fn v3_2_modify_dts_job_form_body() {
    let body = form_encode(&pairs(&[
        ("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#),
        ("DbList", V3_2_DB_LIST),
    ]));
    assert_eq!(body, V3_2_BODY, "form body is byte-identical to the SDK's");
    let sha = sha256_hex(body.as_bytes());
    assert_eq!(
        sha,
        "e84089568d916b6ffc12b795b649e0eab8d2367df1caf03c50573f94170914c7"
    );
    let query = pairs(&[
        ("DtsInstanceId", "dtsl3m1213ye7l****"),
        ("RegionId", "cn-hangzhou"),
        ("DataInitialization", "false"),
        ("StructureInitialization", "false"),
        ("DataSynchronization", "true"),
    ]);
    let mut headers = dts_headers("dts.aliyuncs.com", "ModifyDtsJob", &sha);
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let sig = sign_v3(
        &V3Input {
            method: "POST",
            query: &query,
            headers: &headers,
            payload_sha256: &sha,
        },
        SECRET,
    );
    assert_eq!(
        sig.canonical_request,
        "POST\n/\nDataInitialization=false&DataSynchronization=true&DtsInstanceId=dtsl3m1213ye7l%2A%2A%2A%2A&RegionId=cn-hangzhou&StructureInitialization=false\n\
content-type:application/x-www-form-urlencoded\n\
host:dts.aliyuncs.com\n\
x-acs-action:ModifyDtsJob\n\
x-acs-content-sha256:e84089568d916b6ffc12b795b649e0eab8d2367df1caf03c50573f94170914c7\n\
x-acs-date:2024-05-01T12:00:00Z\n\
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
x-acs-version:2020-01-01\n\
\n\
content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
e84089568d916b6ffc12b795b649e0eab8d2367df1caf03c50573f94170914c7"
    );
    assert_eq!(
        sig.string_to_sign,
        "ACS3-HMAC-SHA256\na6e3cca986752ac0a7cc1d1f2ef1e45ccedb552cecc4f34fa5fbddffa49fae78"
    );
    assert_eq!(
        sig.authorization(AK),
        "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=9c7db6ca01d96c0bb4540a8791dee0b3e50b8a6d3cc8ef9aca7ee5ea8abdecae"
    );
}

#[test]
fn v3_3_suspend_with_sts_token() {
    let query = pairs(&[
        ("DtsJobId", "abc123"),
        ("RegionId", "ap-northeast-1"),
        ("SynchronizationDirection", "Forward"),
    ]);
    let mut headers = dts_headers(
        "dts.ap-northeast-1.aliyuncs.com",
        "SuspendDtsJob",
        EMPTY_SHA256,
    );
    headers.extend(pairs(&[
        ("x-acs-accesskey-id", "STS.NUxxxxTestId"),
        ("x-acs-security-token", "CAIS+test/Token=="),
    ]));
    let sig = sign_v3(
        &V3Input {
            method: "POST",
            query: &query,
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
        },
        "StsSecretTest",
    );
    assert_eq!(
        sig.canonical_request,
        "POST\n/\nDtsJobId=abc123&RegionId=ap-northeast-1&SynchronizationDirection=Forward\n\
host:dts.ap-northeast-1.aliyuncs.com\n\
x-acs-accesskey-id:STS.NUxxxxTestId\n\
x-acs-action:SuspendDtsJob\n\
x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
x-acs-date:2024-05-01T12:00:00Z\n\
x-acs-security-token:CAIS+test/Token==\n\
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
x-acs-version:2020-01-01\n\
\n\
host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version\n\
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sig.string_to_sign,
        "ACS3-HMAC-SHA256\n53ba88c3ad77605511e78238f56c073dadf800e3bbe1c538430c9cdd0ad7577a"
    );
    assert_eq!(
        sig.authorization("STS.NUxxxxTestId"),
        "ACS3-HMAC-SHA256 Credential=STS.NUxxxxTestId,SignedHeaders=host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=f0e083bb2b801046ff4b3cb80497ce4da8b7dca89fa8822331760b39b7ca8f66"
    );
}

#[test]
fn v3_4_percent_encoding_edge_cases() {
    let query = pairs(&[
        ("DtsJobId", "abc123"),
        ("RegionId", "cn-hangzhou"),
        ("DtsJobName", "job A~b*c/d+e=f&g 名"),
    ]);
    let headers = dts_headers("dts.aliyuncs.com", "ModifyDtsJobName", EMPTY_SHA256);
    let sig = sign_v3(
        &V3Input {
            method: "POST",
            query: &query,
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
        },
        SECRET,
    );
    assert_eq!(
        sig.canonical_request.lines().nth(2),
        Some(
            "DtsJobId=abc123&DtsJobName=job%20A~b%2Ac%2Fd%2Be%3Df%26g%20%E5%90%8D&RegionId=cn-hangzhou"
        )
    );
    assert_eq!(
        sig.string_to_sign,
        "ACS3-HMAC-SHA256\n7eb7877e9de11e28d22dc435907314846deb8aaad36aa5915928022482297670"
    );
    assert_eq!(
        sig.signature,
        "da452fb69fbbfc5b09be070d04f58de278282a64a46573acdb0094b23148ee48"
    );
}

#[test]
fn v3_5_full_python_sdk_capture() {
    let body = "DbList=%7B%22dtstestdata%22%3A%7B%22name%22%3A%22dtstestdata%22%2C%22all%22%3Atrue%7D%7D&Reserved=%7B%22autoStartModulesAfterConfig%22%3A%22none%22%7D";
    let sha = sha256_hex(body.as_bytes());
    assert_eq!(
        sha,
        "4f2da20c0439b4de388a09853ba15ef56d147cb83529b7ab27a06ccbe89049a6"
    );
    // The wire query as the SDK's compose_url wrote it; the signer works on decoded pairs.
    let query = pairs(&[
        ("DataInitialization", "False"),
        ("DtsInstanceId", "dtsl3m1213ye7l****"),
        ("RegionId", "cn-hangzhou"),
    ]);
    let headers = pairs(&[
        ("host", "dts.aliyuncs.com"),
        ("x-acs-version", "2020-01-01"),
        ("x-acs-action", "ModifyDtsJob"),
        (
            "user-agent",
            "AlibabaCloud (Linux; x86_64) Python/3.11.2 Core/0.4.3 TeaDSL/2",
        ),
        ("x-acs-date", DATE),
        ("x-acs-signature-nonce", NONCE),
        ("accept", "application/json"),
        ("content-type", "application/x-www-form-urlencoded"),
        ("x-acs-content-sha256", &sha),
        ("x-acs-credentials-provider", "static_ak"),
    ]);
    let sig = sign_v3(
        &V3Input {
            method: "POST",
            query: &query,
            headers: &headers,
            payload_sha256: &sha,
        },
        SECRET,
    );
    assert_eq!(
        sig.canonical_request,
        "POST\n/\nDataInitialization=False&DtsInstanceId=dtsl3m1213ye7l%2A%2A%2A%2A&RegionId=cn-hangzhou\n\
accept:application/json\n\
content-type:application/x-www-form-urlencoded\n\
host:dts.aliyuncs.com\n\
user-agent:AlibabaCloud (Linux; x86_64) Python/3.11.2 Core/0.4.3 TeaDSL/2\n\
x-acs-action:ModifyDtsJob\n\
x-acs-content-sha256:4f2da20c0439b4de388a09853ba15ef56d147cb83529b7ab27a06ccbe89049a6\n\
x-acs-credentials-provider:static_ak\n\
x-acs-date:2024-05-01T12:00:00Z\n\
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
x-acs-version:2020-01-01\n\
\n\
accept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
4f2da20c0439b4de388a09853ba15ef56d147cb83529b7ab27a06ccbe89049a6"
    );
    assert_eq!(
        sig.authorization(AK),
        "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,SignedHeaders=accept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=caea6f6d2a76b1c56953125e398c6b2b0b545c18770d9a1f13ea07fa6d755463"
    );
}

fn common_v1(action: &str) -> Vec<(String, String)> {
    pairs(&[
        ("AccessKeyId", AK),
        ("Action", action),
        ("Format", "json"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", NONCE),
        ("SignatureVersion", "1.0"),
        ("Timestamp", DATE),
        ("Version", "2020-01-01"),
    ])
}

#[test]
fn v1_0_classic_doc_example() {
    let params = pairs(&[
        ("AccessKeyId", "testid"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2014-05-26"),
    ]);
    let sts = v1_string_to_sign("GET", &params);
    assert_eq!(
        sts,
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    );
    assert_eq!(sign_v1(&sts, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

#[test]
fn v1_1_describe_dts_job_detail() {
    let mut params = common_v1("DescribeDtsJobDetail");
    params.extend(pairs(&[
        ("DtsJobId", "k2gm967v16f****"),
        ("RegionId", "cn-hangzhou"),
    ]));
    let sts = v1_string_to_sign("POST", &params);
    assert_eq!(
        sts,
        "POST&%2F&AccessKeyId%3DLTAI5tTestAccessKeyId%26Action%3DDescribeDtsJobDetail%26DtsJobId%3Dk2gm967v16f%252A%252A%252A%252A%26Format%3Djson%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3156853299f313e23d1673dc12e1703d%26SignatureVersion%3D1.0%26Timestamp%3D2024-05-01T12%253A00%253A00Z%26Version%3D2020-01-01"
    );
    assert_eq!(sign_v1(&sts, SECRET), "rBTHu5XwH7DDuZfsDWTtI0UqUy4=");
}

#[test]
fn v1_2_modify_dts_job_body_params_are_signed() {
    let mut params = common_v1("ModifyDtsJob");
    params.extend(pairs(&[
        ("DbList", V3_2_DB_LIST),
        ("DtsInstanceId", "dtsl3m1213ye7l****"),
        ("RegionId", "cn-hangzhou"),
        ("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#),
    ]));
    let sts = v1_string_to_sign("POST", &params);
    assert_eq!(
        sts,
        "POST&%2F&AccessKeyId%3DLTAI5tTestAccessKeyId%26Action%3DModifyDtsJob%26DbList%3D%257B%2522dtstestdata%2522%253A%257B%2522name%2522%253A%2522dtstestdata%2522%252C%2522all%2522%253Afalse%252C%2522Table%2522%253A%257B%2522customer%2522%253A%257B%2522name%2522%253A%2522customer_new%2522%252C%2522all%2522%253Atrue%252C%2522filter%2522%253A%2522id%2520%253E%252010%2520AND%2520name%2520%253D%2520%2527a%2520b%2527%2522%257D%257D%257D%257D%26DtsInstanceId%3Ddtsl3m1213ye7l%252A%252A%252A%252A%26Format%3Djson%26RegionId%3Dcn-hangzhou%26Reserved%3D%257B%2522autoStartModulesAfterConfig%2522%253A%2522none%2522%257D%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3156853299f313e23d1673dc12e1703d%26SignatureVersion%3D1.0%26Timestamp%3D2024-05-01T12%253A00%253A00Z%26Version%3D2020-01-01"
    );
    assert_eq!(sign_v1(&sts, SECRET), "WRqr1x4zz8T4GDqcEB5OMznhexA=");
}

#[test]
fn v1_3_suspend_with_sts_token() {
    let params = pairs(&[
        ("AccessKeyId", "STS.NUxxxxTestId"),
        ("Action", "SuspendDtsJob"),
        ("DtsJobId", "abc123"),
        ("Format", "json"),
        ("RegionId", "ap-northeast-1"),
        ("SecurityToken", "CAIS+test/Token=="),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", NONCE),
        ("SignatureVersion", "1.0"),
        ("Timestamp", DATE),
        ("Version", "2020-01-01"),
    ]);
    let sts = v1_string_to_sign("POST", &params);
    assert_eq!(
        sts,
        "POST&%2F&AccessKeyId%3DSTS.NUxxxxTestId%26Action%3DSuspendDtsJob%26DtsJobId%3Dabc123%26Format%3Djson%26RegionId%3Dap-northeast-1%26SecurityToken%3DCAIS%252Btest%252FToken%253D%253D%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3156853299f313e23d1673dc12e1703d%26SignatureVersion%3D1.0%26Timestamp%3D2024-05-01T12%253A00%253A00Z%26Version%3D2020-01-01"
    );
    assert_eq!(
        sign_v1(&sts, "StsSecretTest"),
        "/9YdbdqVZj6ZPhJfiokhsMEemUM="
    );
}

#[test]
fn v1_4_percent_encoding_edge_cases() {
    let mut params = common_v1("ModifyDtsJobName");
    params.extend(pairs(&[
        ("DtsJobId", "abc123"),
        ("DtsJobName", "job A~b*c/d+e=f&g 名"),
        ("RegionId", "cn-hangzhou"),
    ]));
    let sts = v1_string_to_sign("POST", &params);
    assert_eq!(
        sts,
        "POST&%2F&AccessKeyId%3DLTAI5tTestAccessKeyId%26Action%3DModifyDtsJobName%26DtsJobId%3Dabc123%26DtsJobName%3Djob%2520A~b%252Ac%252Fd%252Be%253Df%2526g%2520%25E5%2590%258D%26Format%3Djson%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3156853299f313e23d1673dc12e1703d%26SignatureVersion%3D1.0%26Timestamp%3D2024-05-01T12%253A00%253A00Z%26Version%3D2020-01-01"
    );
    assert_eq!(sign_v1(&sts, SECRET), "DZopKPPxT3iWDGAVCpUpWsh57Dg=");
}

#[test]
fn v1_5_full_python_sdk_capture() {
    let mut params = common_v1("ModifyDtsJob");
    params.extend(pairs(&[
        ("DataInitialization", "False"),
        (
            "DbList",
            r#"{"dtstestdata":{"name":"dtstestdata","all":true}}"#,
        ),
        ("DtsInstanceId", "dtsl3m1213ye7l****"),
        ("RegionId", "cn-hangzhou"),
        ("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#),
    ]));
    let sts = v1_string_to_sign("POST", &params);
    assert_eq!(
        sts,
        "POST&%2F&AccessKeyId%3DLTAI5tTestAccessKeyId%26Action%3DModifyDtsJob%26DataInitialization%3DFalse%26DbList%3D%257B%2522dtstestdata%2522%253A%257B%2522name%2522%253A%2522dtstestdata%2522%252C%2522all%2522%253Atrue%257D%257D%26DtsInstanceId%3Ddtsl3m1213ye7l%252A%252A%252A%252A%26Format%3Djson%26RegionId%3Dcn-hangzhou%26Reserved%3D%257B%2522autoStartModulesAfterConfig%2522%253A%2522none%2522%257D%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3156853299f313e23d1673dc12e1703d%26SignatureVersion%3D1.0%26Timestamp%3D2024-05-01T12%253A00%253A00Z%26Version%3D2020-01-01"
    );
    assert_eq!(sign_v1(&sts, SECRET), "QYind5sR5invgg2VBHQpep2+pSY=");
}

#[test]
fn parses_v3_authorization_and_rejects_malformed_ones() {
    let parsed = parse_v3_authorization(
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;X-Acs-Date,Signature=abc",
    )
    .unwrap();
    assert_eq!(parsed.access_key_id, "ak");
    assert_eq!(parsed.signed_headers, ["host", "x-acs-date"]);
    assert_eq!(parsed.signature, "abc");
    for bad in [
        "",
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256Credential=ak,SignedHeaders=host,Signature=abc",
        "ACS3-HMAC-SHA1 Credential=ak,SignedHeaders=host,Signature=abc",
        "ACS3-HMAC-SHA256 Credential=ak,Signature=abc",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=abc,Extra=1",
    ] {
        assert_eq!(parse_v3_authorization(bad), None, "{bad:?}");
    }
}

#[test]
fn debug_output_carries_no_token_signature_or_value() {
    let query = pairs(&[("Password", "db-pw")]);
    let headers = pairs(&[("x-acs-security-token", "CAIS+token")]);
    let input = V3Input {
        method: "POST",
        query: &query,
        headers: &headers,
        payload_sha256: EMPTY_SHA256,
    };
    let sig = sign_v3(&input, SECRET);
    let shown = format!("{input:?} {sig:?}");
    for secret in ["db-pw", "CAIS+token", sig.signature.as_str(), SECRET] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn constant_time_compare() {
    assert!(signatures_equal("abc", "abc"));
    assert!(!signatures_equal("abc", "abd"));
    assert!(!signatures_equal("abc", "ab"));
}
