//! Cloud API clients, one module per provider, plus what they share: the error type
//! with the cloud's code, message and RequestId, the retry policy, the adaptive limit
//! of each API action (`limiter`, run by `pacing`), and lenient JSON field decoders for
//! response models whose types vary between actions.
//!
//! Request building and signing are pure (clock and nonce come in as values); the HTTP
//! client in each provider module is a thin layer that sends what the builder made.

pub mod alibaba;
mod error;
pub(crate) mod lenient;
pub mod limiter;
mod pacing;
pub(crate) mod redact;
mod retry;
pub mod tencent;

pub use error::{ApiError, Error, Provider};
pub use pacing::{Gate, Limiter, Permit};
pub use retry::{RetryPolicy, retry};

use redact::Redactor;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The HTTP client both clouds' API clients send with. A proxy from the environment must
/// not capture traffic meant for a local emulator, so loopback endpoints bypass it.
/// Redirects are never followed: a signed request, possibly carrying a password, goes to
/// the configured endpoint and nowhere else ([`refuse_redirect`] reports them).
pub(crate) fn http_client(
    connect_timeout: Duration,
    request_timeout: Duration,
    loopback: bool,
) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(request_timeout)
        .redirect(reqwest::redirect::Policy::none());
    if loopback {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// A redirect answer as an [`Error::Redirected`] naming only the target's origin;
/// `Ok` for any other answer.
pub(crate) fn refuse_redirect(
    action: &str,
    response: &reqwest::Response,
    redactor: &Redactor,
) -> Result<(), Error> {
    let status = response.status();
    if !status.is_redirection() {
        return Ok(());
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| response.url().join(l).ok())
        .map(|url| url.origin().ascii_serialization())
        .filter(|origin| origin != "null")
        .map(|origin| redactor.clean(&origin, crate::text::SERVER_FIELD_MAX));
    Err(Error::Redirected {
        action: action.to_owned(),
        status: status.as_u16(),
        location,
    })
}

/// A transport failure as an [`Error`], without the URL (`reqwest::Error`'s text names
/// it, and a query can hold signatures or a password): what failed and its causes,
/// cleaned like server text.
pub(crate) fn transport_error(
    action: &str,
    endpoint: String,
    e: &reqwest::Error,
    redactor: &Redactor,
) -> Error {
    let mut reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    Error::Transport {
        action: action.to_owned(),
        endpoint,
        reason: redactor.clean(&reason, crate::text::SERVER_TEXT_MAX),
    }
}

/// Logs one API call at debug level: action, HTTP status, RequestId, time taken.
pub(crate) fn log_call(
    action: &str,
    status: u16,
    result: &Result<impl RequestIdOf, Error>,
    started: std::time::Instant,
) {
    let request_id = match result {
        Ok(r) => r.request_id(),
        Err(e) => e.api().and_then(|a| a.request_id.clone()),
    };
    tracing::debug!(
        action,
        status,
        request_id = crate::text::cap(
            request_id.as_deref().unwrap_or("-"),
            crate::text::SERVER_FIELD_MAX
        )
        .as_ref(),
        elapsed_ms = started.elapsed().as_millis(),
        "dts call"
    );
}

/// An answer's `RequestId`, if it has one.
pub(crate) trait RequestIdOf {
    fn request_id(&self) -> Option<String>;
}

impl RequestIdOf for serde_json::Value {
    fn request_id(&self) -> Option<String> {
        self.get("RequestId")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    }
}

impl RequestIdOf for serde_json::Map<String, serde_json::Value> {
    fn request_id(&self) -> Option<String> {
        self.get("RequestId")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    }
}

/// Where signing timestamps come from. Tests inject a fixed or skewed clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Where signature nonces come from. Tests inject a fixed one to provoke replay errors.
pub trait NonceSource: Send + Sync {
    fn nonce(&self) -> String;
}

/// A fresh random 128-bit hex nonce per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }
}

/// The clock and nonce source a client signs with.
#[derive(Clone)]
pub struct SigningContext {
    pub clock: Arc<dyn Clock>,
    pub nonces: Arc<dyn NonceSource>,
}

impl Default for SigningContext {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce),
        }
    }
}

impl std::fmt::Debug for SigningContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningContext")
    }
}
