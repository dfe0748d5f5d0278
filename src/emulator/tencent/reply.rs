//! Answers in the real service's shapes: always HTTP 200 with `Content-Type:
//! application/json`, errors included (`{"Response":{"Error":{"Code","Message"},
//! "RequestId"}}`); times as `yyyy-mm-dd hh:mm:ss` in China Standard Time.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::{format_description, offset};

use crate::cloud::tencent::MigrateStatus;

/// What unset times look like in answers.
pub const NO_TIME: &str = "0000-00-00 00:00:00";

/// A Tencent Cloud API error (always sent with HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn missing(param: &str) -> Self {
        Self::new(
            "MissingParameter",
            format!("The request is missing a required parameter `{param}`."),
        )
    }

    pub fn unknown_parameter(param: &str) -> Self {
        Self::new(
            "UnknownParameter",
            format!("The parameter `{param}` is not recognized."),
        )
    }

    /// A parameter of the wrong type or shape.
    pub fn invalid(param: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            "InvalidParameter",
            format!("The parameter `{param}` is invalid: {why}"),
        )
    }

    /// A parameter of the right type with a value that is not allowed.
    pub fn invalid_value(param: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            "InvalidParameterValue",
            format!("The value of parameter `{param}` is invalid: {why}"),
        )
    }

    pub fn job_not_found() -> Self {
        Self::new(
            "ResourceNotFound.JobNotExist",
            "The migration task does not exist.",
        )
    }

    pub fn status_conflict(action: &str, status: MigrateStatus) -> Self {
        Self::new(
            "FailedOperation.StatusInConflict",
            format!(
                "{action} is not allowed in the task's current status: {} ({}).",
                status.code(),
                status.name()
            ),
        )
    }

    /// The rate-limit answer, in the message format seen in the wild.
    pub fn rate_limited(count: u32, limit: u32) -> Self {
        Self::new(
            "RequestLimitExceeded",
            format!(
                "Your current request times equals to `{count}` in a second, which exceeds the frequency limit `{limit}` for a second. Please reduce the frequency of calls."
            ),
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            "ServiceUnavailable",
            "Service is unavailable now, please try again later.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            "InternalError",
            "An internal error occurred, please try again later.",
        )
    }

    /// The JSON body of this error.
    pub fn body(&self, request_id: &str) -> Value {
        json!({"Response": {
            "Error": {"Code": self.code, "Message": self.message},
            "RequestId": request_id,
        }})
    }

    pub fn into_response(self, request_id: &str) -> Response {
        json_response(&self.body(request_id))
    }
}

/// A successful answer: the action's fields, then `RequestId`.
pub fn success_response(mut fields: Map<String, Value>, request_id: &str) -> Response {
    fields.insert("RequestId".into(), json!(request_id));
    json_response(&json!({ "Response": fields }))
}

/// HTTP 200 and `Content-Type: application/json` exactly: the Python SDK only looks for
/// an error in answers of that content type.
fn json_response(body: &Value) -> Response {
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A lower-case UUID, the shape of Tencent RequestIds.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// An RFC 3339 time from the world as Tencent shows times: `yyyy-mm-dd hh:mm:ss` in
/// China Standard Time; unset is `0000-00-00 00:00:00`; unreadable text is shown as is.
pub fn shown_time(rfc3339_text: Option<&str>) -> String {
    let Some(text) = rfc3339_text else {
        return NO_TIME.to_owned();
    };
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(offset!(+8)).format(format).ok())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_message_has_the_real_format() {
        assert_eq!(
            Failure::rate_limited(21, 20).message,
            "Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."
        );
    }
}
