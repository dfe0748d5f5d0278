use super::*;

const JSON: Option<&str> = Some("application/json");

fn parse(
    action: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Map<String, Value>, Error> {
    parse_response(action, status, content_type, body, &Redactor::default())
}

#[test]
fn success_is_the_response_object() {
    let r = parse(
        "StartMigrateJob",
        200,
        JSON,
        br#"{"Response":{"RequestId":"27ef2b7c-a786-48b4-9404-2f9baf3f4916"}}"#,
    )
    .unwrap();
    assert_eq!(r["RequestId"], "27ef2b7c-a786-48b4-9404-2f9baf3f4916");
    assert!(
        parse(
            "X",
            200,
            Some("application/json; charset=utf-8"),
            br#"{"Response":{"RequestId":"R"}}"#
        )
        .is_ok()
    );
}

#[test]
fn response_error_carries_code_message_and_request_id() {
    let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated. Please check your signature is correct."},"RequestId":"ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}"#;
    let err = parse("ModifyMigrateJob", 200, JSON, body).unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.provider, Provider::Tencent);
    assert_eq!(api.code, "AuthFailure.SignatureFailure");
    assert_eq!(
        api.request_id.as_deref(),
        Some("ed93f3cb-f35e-473f-b9f3-0d451b8b79c6")
    );
    assert_eq!(api.http_status, Some(200));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "Tencent Cloud DTS ModifyMigrateJob failed: AuthFailure.SignatureFailure: The provided credentials could not be validated. Please check your signature is correct. (RequestId: ed93f3cb-f35e-473f-b9f3-0d451b8b79c6, HTTP 200)"
    );
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert!(help.contains("TENCENTCLOUD_SECRET_KEY"), "{help}");

    let err = parse(
        "X",
        200,
        JSON,
        br#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."},"RequestId":"R"}}"#,
    )
    .unwrap_err();
    assert!(err.is_retryable());
}

#[test]
fn an_error_without_request_id_is_still_the_api_error() {
    let err = parse(
        "X",
        200,
        JSON,
        br#"{"Response":{"Error":{"Code":"InternalError","Message":"m"}}}"#,
    )
    .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.code.as_str(), api.request_id.as_deref()),
        ("InternalError", None)
    );
}

#[test]
fn success_without_request_id_is_a_decode_error() {
    for body in [
        &br#"{"Response":{"TotalCount":0,"JobList":[]}}"#[..],
        br#"{"Response":{"RequestId":""}}"#,
    ] {
        let err = parse("DescribeMigrateJobs", 200, JSON, body).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert!(err.to_string().contains("RequestId"));
        assert!(!err.is_retryable());
    }
}

#[test]
fn not_json_or_not_an_envelope() {
    for body in [
        &b"not json"[..],
        b"[]",
        br#"{"RequestId":"R"}"#,
        br#"{"Response":"x"}"#,
    ] {
        let err = parse("X", 200, JSON, body).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert!(!err.is_retryable());
    }
}

#[test]
fn wrong_content_type_is_an_error_and_the_body_is_not_shown() {
    let body = br#"{"Response":{"RequestId":"R","Echo":"p@ss"}}"#;
    for ct in [Some("text/html"), Some("application/jsonx"), None] {
        let err = parse("X", 200, ct, body).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{ct:?}");
        assert!(!err.to_string().contains("p@ss"));
    }
}

#[test]
fn non_200_is_an_api_error_with_the_status() {
    let err = parse("X", 502, Some("text/html"), b"<html>p@ss</html>").unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.http_status, Some(502));
    assert_eq!(api.code, "ClientError.HttpStatusCodeError");
    assert!(err.is_retryable(), "5xx from a gateway");
    assert!(!err.to_string().contains("p@ss"));
    let err = parse("X", 403, None, b"").unwrap_err();
    assert!(!err.is_retryable());
    assert!(parse("X", 429, None, b"").unwrap_err().is_retryable());
    // A non-200 that still carries the envelope keeps the API's code.
    let err = parse(
        "X",
        503,
        JSON,
        br#"{"Response":{"Error":{"Code":"ServiceUnavailable","Message":"m"},"RequestId":"R"}}"#,
    )
    .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (
            api.code.as_str(),
            api.request_id.as_deref(),
            api.http_status
        ),
        ("ServiceUnavailable", Some("R"), Some(503))
    );
}

fn tencent(code: &str) -> Error {
    Error::Api(ApiError {
        provider: Provider::Tencent,
        action: "ModifyMigrateJob".into(),
        http_status: Some(200),
        code: code.into(),
        message: "m".into(),
        request_id: Some("R".into()),
        retry_after: None,
    })
}

#[test]
fn retry_classification() {
    for code in [
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "RequestLimitExceeded.RequestLimitExceededError",
        "ResourceInUse",
        "ResourceInUse.ResourceInUseError",
        "ResourceUnavailable",
        "ResourceUnavailable.ResourceUnavailableError",
        "ServiceUnavailable",
    ] {
        assert!(tencent(code).is_retryable(), "{code}");
    }
    for code in [
        "AuthFailure.SignatureFailure",
        "AuthFailure.SignatureExpire",
        "AuthFailure.SecretIdNotFound",
        "InvalidParameter",
        "InvalidParameterValue.InvalidParameterValue",
        "MissingParameter",
        "UnknownParameter",
        "ResourceNotFound.JobNotExist",
        "UnsupportedOperation",
        "LimitExceeded.MaxUnusedJobs",
        "FailedOperation.StatusInConflict",
        "FailedOperation",
        "InternalError",
        "InternalError.LockError",
        "RequestSizeLimitExceeded",
        "ResourceInsufficient",
        "OperationDenied.JobOperationDeniedError",
        // Alibaba's retryable spellings mean nothing here.
        "Throttling.User",
        "SignatureNonceUsed",
    ] {
        assert!(!tencent(code).is_retryable(), "{code}");
    }
}

#[test]
fn help_for_the_codes_a_user_can_act_on() {
    let help = |code: &str| miette::Diagnostic::help(&tencent(code)).map(|h| h.to_string());
    for (code, needle) in [
        ("AuthFailure.SignatureFailure", "TENCENTCLOUD_SECRET_KEY"),
        ("AuthFailure.SecretIdNotFound", "TENCENTCLOUD_SECRET_ID"),
        ("AuthFailure.SignatureExpire", "clock"),
        ("RequestLimitExceeded", "rate limit"),
        ("RequestLimitExceeded.UinLimitExceeded", "rate limit"),
        ("FailedOperation.StatusInConflict", "status"),
        ("ResourceNotFound.JobNotExist", "region"),
    ] {
        let text = help(code).unwrap_or_else(|| panic!("no help for {code}"));
        assert!(text.contains(needle), "{code}: {text}");
    }
    assert_eq!(help("InvalidParameter"), None);
    // Alibaba's help is keyed by provider: an Alibaba-only code gets none here.
    assert_eq!(help("SignatureDoesNotMatch"), None);
}

#[test]
fn not_found_is_recognised() {
    assert!(is_not_found(&tencent(JOB_NOT_EXIST)));
    assert!(is_not_found(&tencent("ResourceNotFound")));
    assert!(!is_not_found(&tencent("ResourceNotFoundX")));
    assert!(!is_not_found(&tencent("InvalidParameter")));
    let gave_up = Error::GaveUp {
        action: "X".into(),
        attempts: 2,
        elapsed: Duration::ZERO,
        last: Box::new(tencent(JOB_NOT_EXIST)),
    };
    assert!(is_not_found(&gave_up));
}

#[test]
fn config_is_checked() {
    let creds = || Credentials::new("AKIDx", "key");
    let client = TencentClient::new(ClientConfig::new("ap-shenzhen-fsi"), creds()).unwrap();
    assert_eq!(
        client.endpoint().as_str(),
        "https://dts.ap-shenzhen-fsi.tencentcloudapi.com/"
    );
    assert_eq!(client.host, "dts.ap-shenzhen-fsi.tencentcloudapi.com");
    assert_eq!(client.region(), "ap-shenzhen-fsi");
    let client = TencentClient::new(ClientConfig::new("ap-guangzhou"), creds()).unwrap();
    assert_eq!(
        client.endpoint().as_str(),
        "https://dts.tencentcloudapi.com/"
    );

    let mut config = ClientConfig::new("ap-guangzhou");
    config.endpoint = Some(Url::parse("http://127.0.0.1:8417").unwrap());
    let client = TencentClient::new(config.clone(), creds()).unwrap();
    assert_eq!(client.host, "127.0.0.1:8417");

    config.endpoint = Some(Url::parse("http://dts.example.com").unwrap());
    assert!(
        TencentClient::new(config, creds()).is_err(),
        "plain http off loopback"
    );
    for page_size in [0, 101] {
        let mut config = ClientConfig::new("ap-guangzhou");
        config.page_size = page_size;
        assert!(TencentClient::new(config, creds()).is_err(), "{page_size}");
    }
    let mut config = ClientConfig::new("ap-guangzhou");
    config.language = "fr-FR".into();
    assert!(TencentClient::new(config, creds()).is_err());
    assert!(TencentClient::new(ClientConfig::new("Guangzhou"), creds()).is_err());
}

#[test]
fn server_text_in_errors_is_masked_capped_and_escaped() {
    let redactor = Redactor::new(["hunter2-pw", "AKID-id"]);
    let body = serde_json::json!({"Response": {
        "Error": {
            "Code": "InvalidParameter.hunter2-pw",
            "Message": format!("SrcInfo.Password={{\"hunter2-pw\"}} by AKID-id\u{1b}]8;;x\u{7}{}", "m".repeat(3_000_000)),
        },
        "RequestId": "rid-hunter2-pw",
    }})
    .to_string();
    for status in [200, 400] {
        let err = parse_response("ModifyMigrateJob", status, JSON, body.as_bytes(), &redactor)
            .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.code, "InvalidParameter.****");
        assert_eq!(api.request_id.as_deref(), Some("rid-****"));
        assert!(
            api.message
                .starts_with("SrcInfo.Password={\"****\"} by ****\\u{1b}]8;;x\\u{7}mmm"),
            "{}",
            &api.message[..80]
        );
        assert!(api.message.ends_with("more characters cut)"));
        assert!(err.to_string().len() < 2_300);
    }
    let ok = parse_response(
        "X",
        200,
        JSON,
        br#"{"Response":{"RequestId":"hunter2-pw"}}"#,
        &redactor,
    )
    .unwrap();
    assert_eq!(ok["RequestId"], "****");
}
