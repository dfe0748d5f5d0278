//! How a Tencent request takes the shared pipeline: `TC3-HMAC-SHA256`, the version and
//! action served, a region, `RequestLimitExceeded` beyond the per-action rate, then the
//! action; every answer HTTP 200 with the JSON `Response` envelope.

use std::time::{Instant, SystemTime};

use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use serde_json::{Map, Value};

use super::actions::{self, Call, check_action};
use super::auth::{self, Keys, Verified};
use super::params;
use super::reply::{self, Failure, success_response};
use crate::emulator::config::{Behaviour, EmulatorConfig};
use crate::emulator::pipeline::{Incoming, Inner, Outcome, Protocol, RateWindow};
use crate::emulator::world::World;

/// Tencent Cloud DTS, API 2018-03-30.
pub struct Tencent;

/// Whether a request speaks Tencent's protocol: it names an `X-TC-Action`, or is signed
/// with `TC3-HMAC-SHA256`.
pub fn is_tencent(headers: &HeaderMap) -> bool {
    headers.contains_key("x-tc-action")
        || headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("TC3-HMAC-SHA256"))
}

/// An authenticated request of an action the emulator serves, in a region.
pub struct Admitted {
    verified: Verified,
    region: String,
}

impl Protocol for Tencent {
    type Failure = Failure;
    type Body = Map<String, Value>;
    type Verified = Admitted;

    fn new_request_id() -> String {
        reply::new_request_id()
    }

    fn too_large(limit: usize) -> Failure {
        Failure::new(
            "RequestSizeLimitExceeded",
            format!("The request body exceeds {limit} bytes."),
        )
    }

    fn unreadable() -> Failure {
        Failure::new("InvalidParameter", "The request body could not be read.")
    }

    fn unavailable() -> Failure {
        Failure::unavailable()
    }

    fn internal() -> Failure {
        Failure::internal()
    }

    fn route(method: &Method, path: &str) -> Result<(), Failure> {
        if !matches!(*method, Method::GET | Method::POST) {
            return Err(Failure::new(
                "UnsupportedProtocol",
                "HTTP(S) request protocol error; only GET and POST requests are supported.",
            ));
        }
        if path != "/" {
            return Err(Failure::new(
                "InvalidRequest",
                "The request path must be `/`.",
            ));
        }
        Ok(())
    }

    fn failure_response(failure: Failure, request_id: &str) -> Response {
        failure.into_response(request_id)
    }

    fn success_response(body: Map<String, Value>, request_id: &str) -> Response {
        success_response(body, request_id)
    }

    fn authenticate(
        request: &Incoming<'_>,
        config: &EmulatorConfig,
        now: SystemTime,
    ) -> Result<Admitted, Failure> {
        let incoming = auth::Incoming {
            method: request.method.as_str(),
            query: request.query,
            headers: request.headers,
            body: request.body,
        };
        let verified = auth::verify(
            &incoming,
            &Keys {
                secret_id: &config.tencent_secret_id,
                secret_key: config.tencent_secret_key.expose(),
            },
            now,
        )
        .inspect_err(|f| tracing::debug!(code = %f.code, "Tencent authentication failed"))?;
        check_action(&verified.version, &verified.action)?;
        let region = verified
            .region
            .clone()
            .ok_or_else(|| Failure::missing("Region"))?;
        Ok(Admitted { verified, region })
    }

    fn action(admitted: &Admitted) -> &str {
        &admitted.verified.action
    }

    /// `Action`, `Version` and `Region` (sent as `X-TC-*` headers) and the body's
    /// parameters, a nested structure's fields as `MigrateOption.RunMode`. A body that
    /// cannot be read names none (the action refuses it).
    fn param_names(request: &Incoming<'_>, _admitted: &Admitted) -> Vec<String> {
        let mut names: Vec<String> = ["Action", "Version", "Region"].map(String::from).into();
        if let Ok(params) = params::from_request(request) {
            for (name, value) in &params {
                names.push(name.clone());
                if let Value::Object(fields) = value {
                    names.extend(fields.keys().map(|field| format!("{name}.{field}")));
                }
            }
        }
        names
    }

    fn is_write(action: &str) -> bool {
        actions::is_write(action)
    }

    fn admit(
        inner: &mut Inner,
        config: &EmulatorConfig,
        admitted: &Admitted,
        _now: SystemTime,
    ) -> Result<(), Failure> {
        let action = &admitted.verified.action;
        inner.count(action);
        let limit = config.tencent_rate_limit;
        if let Err(count) = inner
            .tencent_windows
            .entry(action.clone())
            .or_insert_with(|| RateWindow::new(Instant::now()))
            .hit(Instant::now(), limit)
        {
            inner.refused(action);
            return Err(Failure::rate_limited(count, limit));
        }
        Ok(())
    }

    fn run(
        request: &Incoming<'_>,
        admitted: &Admitted,
        world: &mut World,
        behaviour: &Behaviour,
        request_id: &str,
        now: SystemTime,
    ) -> Result<Outcome<Map<String, Value>>, Failure> {
        let params = params::from_request(request)?;
        let call = Call {
            action: &admitted.verified.action,
            region: &admitted.region,
            params: &params,
            request_id,
            now,
            english: admitted.verified.english,
        };
        actions::handle(&call, world, behaviour)
    }
}
