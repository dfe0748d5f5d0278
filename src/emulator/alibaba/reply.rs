//! Answers in the real service's shapes: `200` + JSON with `RequestId` and `Success:true`,
//! or 4xx/5xx + `{RequestId, HostId, Code, Message, Recommend}` (plus the DTS business
//! fields `Success:false, ErrCode, ErrMessage, HttpStatusCode`), reference §8.1.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Sent as `x-acs-retry-after` (milliseconds).
    pub retry_after_ms: Option<u64>,
}

impl Failure {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after_ms: None,
        }
    }

    pub fn missing(param: &str) -> Self {
        Self::new(
            400,
            &format!("Missing{param}"),
            format!("{param} is mandatory for this action."),
        )
    }

    pub fn invalid(param: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("The specified parameter {param} is not valid: {why}"),
        )
    }

    pub fn incomplete_signature(why: impl std::fmt::Display) -> Self {
        Self::new(
            400,
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards: {why}"),
        )
    }

    pub fn signature_mismatch() -> Self {
        Self::new(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        )
    }

    pub fn unknown_api() -> Self {
        Self::new(
            404,
            "InvalidApi.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }

    pub fn job_not_found(id: &str) -> Self {
        Self::new(
            404,
            "Forbidden.InstanceNotFound",
            format!("The specified DTS job or instance is not found: {id}"),
        )
    }

    pub fn job_modifying() -> Self {
        Self::new(
            403,
            "DTS.Msg.OperationDenied.JobStatusModifying",
            "The job is being modified; retry after the modification completes.",
        )
    }

    pub fn throttled(retry_after_ms: u64) -> Self {
        Self {
            retry_after_ms: Some(retry_after_ms),
            ..Self::new(
                400,
                "Throttling.User",
                "Request was denied due to user flow control.",
            )
        }
    }

    pub fn unavailable() -> Self {
        Self::new(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error.",
        )
    }

    /// The JSON body of this error.
    pub fn body(&self, request_id: &str) -> Value {
        json!({
            "RequestId": request_id,
            "HostId": "dts.aliyuncs.com",
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&product=Dts&requestId={request_id}", self.code),
            "Success": false,
            "ErrCode": self.code,
            "ErrMessage": self.message,
            "HttpStatusCode": self.status,
        })
    }

    pub fn into_response(self, request_id: &str) -> Response {
        let mut response = json_response(self.status, &self.body(request_id));
        if let Some(ms) = self.retry_after_ms {
            response
                .headers_mut()
                .insert("x-acs-retry-after", HeaderValue::from(ms));
        }
        response
    }
}

/// An uppercase UUID, the shape of real RequestIds.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4()
        .hyphenated()
        .to_string()
        .to_ascii_uppercase()
}

/// A JSON answer with the service's content type.
pub fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}
