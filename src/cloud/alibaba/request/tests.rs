//! The builder, not just the primitives, reproduces the reference vectors.
use super::*;
use crate::cloud::alibaba::endpoint::parse_endpoint;

const DATE: &str = "2024-05-01T12:00:00Z";
const NONCE: &str = "3156853299f313e23d1673dc12e1703d";

fn creds() -> Credentials {
    Credentials::new("LTAI5tTestAccessKeyId", "TestAccessKeySecret0123456789ab")
}

fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn query_param(req: &SignedRequest, name: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn timestamp_round_trip_and_extremes() {
    let t = parse_timestamp(DATE).unwrap();
    assert_eq!(format_timestamp(t), DATE);
    assert_eq!(parse_timestamp("2024-05-01 12:00:00"), None);
    assert!(parse_timestamp("0001-01-01T00:00:00Z").is_some());
    assert!(parse_timestamp("9999-12-31T23:59:59Z").is_some());
    let far = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1 << 40);
    assert_eq!(format_timestamp(far), "1970-01-01T00:00:00Z");
}

#[test]
fn v3_1_detail_from_the_builder() {
    let endpoint = parse_endpoint("https://dts.aliyuncs.com").unwrap();
    let creds = creds();
    let params = Params::default()
        .query("DtsJobId", "k2gm967v16f****")
        .query("RegionId", "cn-hangzhou");
    let signer = Signer {
        endpoint: &endpoint,
        credentials: &creds,
        version: SignatureVersion::V3,
        timestamp: DATE,
        nonce: NONCE,
    };
    let req = build("DescribeDtsJobDetail", &params, &signer);
    assert_eq!(
        header(&req, "authorization"),
        Some(
            "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=3fe3bce4765621e53613154a8dc3ff1769861c92a65e9854a362587b31ba13da"
        )
    );
    assert_eq!(
        req.url.as_str(),
        "https://dts.aliyuncs.com/?DtsJobId=k2gm967v16f%2A%2A%2A%2A&RegionId=cn-hangzhou"
    );
    assert!(req.body.is_empty());
    assert_eq!(header(&req, "content-type"), None);
}

#[test]
fn v3_2_modify_from_the_builder() {
    let endpoint = parse_endpoint("https://dts.aliyuncs.com").unwrap();
    let creds = creds();
    let params = Params::default()
        .query("DtsInstanceId", "dtsl3m1213ye7l****")
        .query("RegionId", "cn-hangzhou")
        .query("DataInitialization", "false")
        .query("StructureInitialization", "false")
        .query("DataSynchronization", "true")
        .body("DbList", crate::cloud::alibaba::sign::tests::V3_2_DB_LIST)
        .body("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#);
    let signer = Signer {
        endpoint: &endpoint,
        credentials: &creds,
        version: SignatureVersion::V3,
        timestamp: DATE,
        nonce: NONCE,
    };
    let req = build("ModifyDtsJob", &params, &signer);
    assert_eq!(
        String::from_utf8(req.body.clone()).unwrap(),
        crate::cloud::alibaba::sign::tests::V3_2_BODY
    );
    assert!(
        header(&req, "authorization").unwrap().ends_with(
            "Signature=9c7db6ca01d96c0bb4540a8791dee0b3e50b8a6d3cc8ef9aca7ee5ea8abdecae"
        )
    );
}

#[test]
fn v3_3_sts_from_the_builder() {
    let endpoint = parse_endpoint("https://dts.ap-northeast-1.aliyuncs.com").unwrap();
    let creds = Credentials::new("STS.NUxxxxTestId", "StsSecretTest")
        .with_security_token("CAIS+test/Token==");
    let params = Params::default()
        .query("DtsJobId", "abc123")
        .query("RegionId", "ap-northeast-1")
        .query("SynchronizationDirection", "Forward");
    let signer = Signer {
        endpoint: &endpoint,
        credentials: &creds,
        version: SignatureVersion::V3,
        timestamp: DATE,
        nonce: NONCE,
    };
    let req = build("SuspendDtsJob", &params, &signer);
    assert!(
        header(&req, "authorization").unwrap().ends_with(
            "Signature=f0e083bb2b801046ff4b3cb80497ce4da8b7dca89fa8822331760b39b7ca8f66"
        )
    );
    assert_eq!(
        header(&req, "x-acs-security-token"),
        Some("CAIS+test/Token==")
    );
}

#[test]
fn v1_vectors_from_the_builder() {
    let endpoint = parse_endpoint("https://dts.aliyuncs.com").unwrap();
    let creds = creds();
    let signer = Signer {
        endpoint: &endpoint,
        credentials: &creds,
        version: SignatureVersion::V1,
        timestamp: DATE,
        nonce: NONCE,
    };
    let detail = Params::default()
        .query("DtsJobId", "k2gm967v16f****")
        .query("RegionId", "cn-hangzhou");
    let req = build("DescribeDtsJobDetail", &detail, &signer);
    assert_eq!(
        query_param(&req, "Signature").as_deref(),
        Some("rBTHu5XwH7DDuZfsDWTtI0UqUy4=")
    );
    assert!(
        req.url
            .as_str()
            .contains("Signature=rBTHu5XwH7DDuZfsDWTtI0UqUy4%3D")
    );
    assert_eq!(header(&req, "authorization"), None);

    let modify = Params::default()
        .query("DtsInstanceId", "dtsl3m1213ye7l****")
        .query("RegionId", "cn-hangzhou")
        .body("DbList", crate::cloud::alibaba::sign::tests::V3_2_DB_LIST)
        .body("Reserved", r#"{"autoStartModulesAfterConfig":"none"}"#);
    let req = build("ModifyDtsJob", &modify, &signer);
    assert_eq!(
        query_param(&req, "Signature").as_deref(),
        Some("WRqr1x4zz8T4GDqcEB5OMznhexA=")
    );
    assert_eq!(
        query_param(&req, "DbList"),
        None,
        "DbList travels in the body"
    );

    let sts = Credentials::new("STS.NUxxxxTestId", "StsSecretTest")
        .with_security_token("CAIS+test/Token==");
    let signer = Signer {
        credentials: &sts,
        ..signer
    };
    let suspend = Params::default()
        .query("DtsJobId", "abc123")
        .query("RegionId", "ap-northeast-1");
    let req = build("SuspendDtsJob", &suspend, &signer);
    assert_eq!(
        query_param(&req, "Signature").as_deref(),
        Some("/9YdbdqVZj6ZPhJfiokhsMEemUM=")
    );
}

#[test]
fn debug_output_hides_secrets() {
    let endpoint = parse_endpoint("http://127.0.0.1:1").unwrap();
    let creds = creds().with_security_token("TokenValue");
    let params = Params::default().query("Password", "db-password");
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let signer = Signer {
            endpoint: &endpoint,
            credentials: &creds,
            version,
            timestamp: DATE,
            nonce: NONCE,
        };
        let req = build("ModifyDtsJobEndpoint", &params, &signer);
        let shown = format!("{req:?} {params:?} {signer:?}");
        for secret in [
            "db-password",
            "TokenValue",
            "TestAccessKeySecret",
            "Signature=",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
