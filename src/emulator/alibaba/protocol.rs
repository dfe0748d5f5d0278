//! How an Alibaba request takes the shared pipeline: V3 or V1 signatures, a nonce used
//! once, `Throttling.User` beyond the rate limit, then the action; answers of the real
//! shapes (4xx/5xx with a JSON error body).

use std::time::{Instant, SystemTime};

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use super::actions::{self, Call};
use super::auth::{self, Keys, Verified};
use super::params::{Params, is_framing};
use super::reply::{self, Failure, json_response};
use crate::emulator::config::{Behaviour, EmulatorConfig};
use crate::emulator::pipeline::{Incoming, Inner, Outcome, Protocol, decode_pairs, is_form};
use crate::emulator::world::World;

/// Alibaba Cloud DTS, OpenAPI 2020-01-01.
pub struct Alibaba;

/// An authenticated request and its business parameters (query, then form body).
pub struct Admitted {
    verified: Verified,
    params: Vec<(String, String)>,
}

impl Protocol for Alibaba {
    type Failure = Failure;
    type Body = Value;
    type Verified = Admitted;

    fn new_request_id() -> String {
        reply::new_request_id()
    }

    fn too_large(limit: usize) -> Failure {
        Failure::new(
            413,
            "InvalidParameter",
            format!("The request body exceeds {limit} bytes."),
        )
    }

    fn unreadable() -> Failure {
        Failure::new(
            400,
            "InvalidParameter",
            "The request body could not be read.",
        )
    }

    fn unavailable() -> Failure {
        Failure::unavailable()
    }

    fn internal() -> Failure {
        Failure::internal()
    }

    fn route(method: &Method, path: &str) -> Result<(), Failure> {
        if matches!(*method, Method::GET | Method::POST) && path == "/" {
            Ok(())
        } else {
            Err(Failure::unknown_api())
        }
    }

    fn failure_response(failure: Failure, request_id: &str) -> Response {
        failure.into_response(request_id)
    }

    /// The body carries its `RequestId` already.
    fn success_response(body: Value, _request_id: &str) -> Response {
        json_response(200, &body)
    }

    fn authenticate(
        request: &Incoming<'_>,
        config: &EmulatorConfig,
        now: SystemTime,
    ) -> Result<Admitted, Failure> {
        let query = decode_pairs(request.query.as_bytes());
        let form = if is_form(request.headers) {
            decode_pairs(request.body)
        } else {
            Vec::new()
        };
        let incoming = auth::Incoming {
            method: request.method.as_str(),
            query: &query,
            form: &form,
            headers: request.headers,
            body: request.body,
        };
        let verified = auth::verify(
            &incoming,
            &Keys {
                access_key_id: &config.access_key_id,
                access_key_secret: config.access_key_secret.expose(),
            },
            now,
            config.max_clock_skew,
        )
        .inspect_err(|f| tracing::debug!(code = %f.code, "authentication failed"))?;
        let mut params = query;
        params.extend(form);
        Ok(Admitted { verified, params })
    }

    fn action(admitted: &Admitted) -> &str {
        &admitted.verified.action
    }

    fn param_names(_request: &Incoming<'_>, admitted: &Admitted) -> Vec<String> {
        std::iter::once("Action".to_owned())
            .chain(
                admitted
                    .params
                    .iter()
                    .map(|(name, _)| name)
                    // ClientToken frames the fingerprint, but it is a parameter of
                    // the action's page: the log keeps it.
                    .filter(|name| !is_framing(name) || name.as_str() == "ClientToken")
                    .cloned(),
            )
            .collect()
    }

    fn is_write(action: &str) -> bool {
        actions::is_write(action)
    }

    fn admit(
        inner: &mut Inner,
        _config: &EmulatorConfig,
        admitted: &Admitted,
        now: SystemTime,
    ) -> Result<(), Failure> {
        let verified = &admitted.verified;
        let nonce_key = format!("{}\n{}", verified.access_key_id, verified.nonce);
        if !inner.nonces.remember(nonce_key, verified.nonce_expiry, now) {
            return Err(Failure::new(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        inner.count(&verified.action);
        if let Err(wait) = inner.take_token(&verified.action, Instant::now()) {
            let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
            return Err(Failure::throttled(ms));
        }
        Ok(())
    }

    fn run(
        _request: &Incoming<'_>,
        admitted: &Admitted,
        world: &mut World,
        behaviour: &Behaviour,
        request_id: &str,
        now: SystemTime,
    ) -> Result<Outcome<Value>, Failure> {
        let call = Call {
            action: &admitted.verified.action,
            version: &admitted.verified.version,
            params: Params(&admitted.params),
            request_id,
            now,
        };
        actions::handle(&call, world, behaviour)
    }
}
