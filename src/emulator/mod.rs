//! A local Alibaba Cloud DTS (OpenAPI 2020-01-01) and Tencent Cloud DTS (API 2018-03-30)
//! that speak the real wire protocols, on one address, so dtsform can be tried and tested
//! with no cloud account. A request with an `X-TC-Action` header or a `TC3-HMAC-SHA256`
//! signature is Tencent's ([`tencent`], [`tencent_auth`]); any other is Alibaba's.
//!
//! Every Alibaba request goes through the same pipeline as at the real gateway:
//! authentication ([`auth`]: V3 or V1 signature, known key, fresh timestamp, unused
//! nonce) → rate limit (`Throttling.User` with `x-acs-retry-after`) → injected faults →
//! the action itself ([`alibaba`]) against the [`world`] → atomic persistence of the world
//! when it changed. Answers have the real shapes ([`reply`]).
//!
//! It binds loopback addresses only. Tests start it in-process on port 0 with
//! [`Emulator::start`]; `dtsform emulator` serves it from the command line.

pub mod alibaba;
pub mod auth;
pub mod reply;
pub mod tencent;
pub mod tencent_auth;
pub mod world;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;

pub use alibaba::Behaviour;
use auth::{Incoming, Keys};
use reply::{Failure, json_response};
use serde_json::{Map, Value};
use tencent::TcFailure;
use tencent_auth::{TcIncoming, TcKeys};
pub use world::{World, WorldError};

use crate::secret::Secret;

/// Where `dtsform emulator` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8417";
/// The access key id the emulator accepts by default.
pub const DEFAULT_ACCESS_KEY_ID: &str = "dtsform-emulator";
/// The access key secret the emulator accepts by default. Not a secret: it is public.
pub const DEFAULT_ACCESS_KEY_SECRET: &str = "dtsform-emulator-secret";
/// The Tencent SecretId the emulator accepts by default.
pub const DEFAULT_TENCENT_SECRET_ID: &str = "dtsform-emulator";
/// The Tencent SecretKey the emulator accepts by default. Not a secret: it is public.
pub const DEFAULT_TENCENT_SECRET_KEY: &str = "dtsform-emulator-secret";
/// Requests with a larger body are refused before parsing (a 1 MB DbList, form-encoded,
/// stays well below).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Injectable misbehaviour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Requests per second across all callers; beyond it, `Throttling.User`. Ignored
    /// unless a positive number.
    pub rate_limit: Option<f64>,
    /// Requests allowed at once before the rate applies (default: one second's worth).
    pub rate_burst: Option<u32>,
    /// Probability that a request fails with `ServiceUnavailable` before doing anything.
    pub failure_rate: f64,
    /// Probability that a write succeeds but its answer is replaced by
    /// `ServiceUnavailable` — the case idempotency tokens exist for.
    pub lost_response_rate: f64,
    /// Seed for the fault dice, for reproducible runs.
    pub seed: Option<u64>,
}

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub behaviour: Behaviour,
    /// Largest accepted difference between a request's timestamp and the clock
    /// (Alibaba; Tencent's is fixed at 300 s, [`tencent_auth::MAX_SKEW`]).
    pub max_clock_skew: Duration,
    pub faults: Faults,
    pub tencent_secret_id: String,
    pub tencent_secret_key: Secret,
    /// Tencent requests per second per action before `RequestLimitExceeded`; 0: no limit.
    pub tencent_rate_limit: u32,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            access_key_id: DEFAULT_ACCESS_KEY_ID.into(),
            access_key_secret: Secret::new(DEFAULT_ACCESS_KEY_SECRET),
            behaviour: Behaviour {
                modify_duration: Duration::from_secs(3),
                step_duration: Duration::from_secs(1),
                lowercase_detail_status: false,
                drop_tables: Vec::new(),
                check_duration: Duration::from_secs(2),
                tencent_missing_tables: Vec::new(),
            },
            max_clock_skew: Duration::from_mins(15),
            faults: Faults::default(),
            tencent_secret_id: DEFAULT_TENCENT_SECRET_ID.into(),
            tencent_secret_key: Secret::new(DEFAULT_TENCENT_SECRET_KEY),
            tencent_rate_limit: tencent::DEFAULT_RATE_LIMIT,
        }
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EmulatorError {
    #[error("the emulator listens on loopback only, not on {0}")]
    #[diagnostic(
        code(dtsform::emulator::not_loopback),
        help("use 127.0.0.1:PORT or [::1]:PORT; port 0 picks a free port")
    )]
    NotLoopback(SocketAddr),

    #[error("cannot listen on {addr}: {reason}")]
    #[diagnostic(
        code(dtsform::emulator::bind),
        help(
            "another process may be using the port; pick another with --listen 127.0.0.1:PORT, or port 0 for a free one"
        )
    )]
    Bind { addr: SocketAddr, reason: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    World(#[from] WorldError),
}

/// Token bucket for the rate limit.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// The bucket for `faults`, if they set a rate limit.
    /// A rate that is not a positive number means no limit.
    fn for_faults(faults: &Faults) -> Option<Self> {
        faults
            .rate_limit
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .map(|rate| Self::new(rate, faults.rate_burst))
    }

    fn new(rate: f64, burst: Option<u32>) -> Self {
        let capacity = burst.map_or(rate.max(1.0), f64::from).max(1.0);
        Self {
            rate,
            capacity,
            tokens: capacity,
            last: Instant::now(),
        }
    }

    /// Takes a token, or says how long until one is available.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.rate;
            Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_hours(1)))
        }
    }
}

/// Nonces seen, each kept until its request's timestamp would be refused anyway.
#[derive(Default)]
struct NonceMemory {
    seen: HashSet<String>,
    /// (forget after, nonce), in arrival order: expiries follow the clock closely, so the
    /// due ones are at the front.
    queue: VecDeque<(SystemTime, String)>,
}

impl NonceMemory {
    /// Records `nonce`; `false` if it was already seen.
    fn remember(&mut self, nonce: String, forget_after: SystemTime, now: SystemTime) -> bool {
        while let Some((expiry, _)) = self.queue.front() {
            if *expiry > now {
                break;
            }
            if let Some((_, old)) = self.queue.pop_front() {
                self.seen.remove(&old);
            }
        }
        if !self.seen.insert(nonce.clone()) {
            return false;
        }
        self.queue.push_back((forget_after, nonce));
        true
    }
}

struct Inner {
    world: World,
    faults: Faults,
    bucket: Option<Bucket>,
    rng: StdRng,
    /// Nonces seen and not yet forgotten.
    nonces: NonceMemory,
    /// Authenticated requests per action.
    calls: BTreeMap<String, u64>,
    /// Tencent requests in the current one-second window, per action.
    tencent_windows: HashMap<String, RateWindow>,
}

/// Requests counted in a one-second window, as Tencent's per-action limit counts them.
#[derive(Debug, Clone, Copy)]
struct RateWindow {
    start: Instant,
    count: u32,
}

impl RateWindow {
    fn new(now: Instant) -> Self {
        Self {
            start: now,
            count: 0,
        }
    }

    /// Counts a request at `now`; `Err(count)` when it is beyond `limit` (if not 0) in
    /// its second.
    fn hit(&mut self, now: Instant, limit: u32) -> Result<(), u32> {
        if now.saturating_duration_since(self.start) >= Duration::from_secs(1) {
            *self = Self::new(now);
        }
        self.count = self.count.saturating_add(1);
        if limit > 0 && self.count > limit {
            Err(self.count)
        } else {
            Ok(())
        }
    }
}

struct Shared {
    config: EmulatorConfig,
    state_file: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl Shared {
    /// The lock survives a panic elsewhere: the world is only changed by code that
    /// cannot panic half-way, and the catch-panic layer answers `InternalError`.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An emulator ready to start.
pub struct Emulator {
    config: EmulatorConfig,
    world: World,
    state_file: Option<PathBuf>,
}

impl Emulator {
    pub fn new(config: EmulatorConfig, world: World) -> Self {
        Self {
            config,
            world,
            state_file: None,
        }
    }

    /// Persists every change to `path` (atomically).
    #[must_use]
    pub fn persist_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Binds `listen` (loopback only; port 0 picks a free port) and serves in the
    /// background until the returned handle is stopped or dropped.
    pub async fn start(self, listen: SocketAddr) -> Result<RunningEmulator, EmulatorError> {
        if !listen.ip().is_loopback() {
            return Err(EmulatorError::NotLoopback(listen));
        }
        let listener =
            tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| EmulatorError::Bind {
                    addr: listen,
                    reason: e.to_string(),
                })?;
        let addr = listener.local_addr().map_err(|e| EmulatorError::Bind {
            addr: listen,
            reason: e.to_string(),
        })?;
        let faults = self.config.faults.clone();
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                world: self.world,
                bucket: Bucket::for_faults(&faults),
                rng: faults
                    .seed
                    .map_or_else(StdRng::from_os_rng, StdRng::seed_from_u64),
                faults,
                nonces: NonceMemory::default(),
                calls: BTreeMap::new(),
                tencent_windows: HashMap::new(),
            }),
            config: self.config,
            state_file: self.state_file,
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(shared.clone())
            .layer(CatchPanicLayer::custom(|_| {
                Failure::internal().into_response(&new_request_id())
            }));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        Ok(RunningEmulator {
            addr,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// A serving emulator. Dropping it stops the server.
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the endpoint to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A snapshot of the world, with due status changes applied (both clouds).
    pub fn world(&self) -> World {
        let mut world = self.shared.lock().world.clone();
        world.settle(SystemTime::now());
        world
    }

    /// Changes the injected faults while serving.
    pub fn set_faults(&self, faults: Faults) {
        let mut inner = self.shared.lock();
        inner.bucket = Bucket::for_faults(&faults);
        if let Some(seed) = faults.seed {
            inner.rng = StdRng::seed_from_u64(seed);
        }
        inner.faults = faults;
    }

    /// Authenticated requests so far, per action.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.shared.lock().calls.clone()
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An uppercase UUID, the shape of real RequestIds.
fn new_request_id() -> String {
    uuid::Uuid::new_v4()
        .hyphenated()
        .to_string()
        .to_ascii_uppercase()
}

fn decode_pairs(text: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(text).into_owned().collect()
}

/// Whether the body is too large (as opposed to unreadable).
fn exceeds_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if tencent::is_tencent(request.headers()) {
        return handle_tencent(shared, request).await;
    }
    let request_id = new_request_id();
    let latency = shared.lock().faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(e) if exceeds_limit(&e) => {
            return Failure::new(
                413,
                "InvalidParameter",
                format!("The request body exceeds {MAX_BODY_BYTES} bytes."),
            )
            .into_response(&request_id);
        }
        Err(_) => {
            return Failure::new(
                400,
                "InvalidParameter",
                "The request body could not be read.",
            )
            .into_response(&request_id);
        }
    };
    if !matches!(parts.method, Method::GET | Method::POST) || parts.uri.path() != "/" {
        return Failure::unknown_api().into_response(&request_id);
    }
    // The lock, the world and its fsync'd saves are synchronous: keep them off the async
    // workers so a slow disk never stalls other connections.
    let answer = tokio::task::spawn_blocking(move || {
        let query = decode_pairs(parts.uri.query().unwrap_or_default().as_bytes());
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|media| {
                media
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        let form = if is_form {
            decode_pairs(&body)
        } else {
            Vec::new()
        };
        let incoming = Incoming {
            method: parts.method.as_str(),
            query: &query,
            form: &form,
            headers: &parts.headers,
            body: &body,
        };
        let result = process(&shared, &incoming, &request_id);
        (result, request_id)
    })
    .await;
    match answer {
        Ok((Ok(body), _)) => json_response(200, &body),
        Ok((Err(failure), request_id)) => failure.into_response(&request_id),
        Err(_) => Failure::internal().into_response(&new_request_id()),
    }
}

fn process(
    shared: &Shared,
    incoming: &Incoming<'_>,
    request_id: &str,
) -> Result<serde_json::Value, Failure> {
    let config = &shared.config;
    let now = SystemTime::now();
    let verified = auth::verify(
        incoming,
        &Keys {
            access_key_id: &config.access_key_id,
            access_key_secret: config.access_key_secret.expose(),
        },
        now,
        config.max_clock_skew,
    )
    .inspect_err(|f| tracing::debug!(code = %f.code, "authentication failed"))?;

    let mut inner = shared.lock();
    let nonce_key = format!("{}\n{}", verified.access_key_id, verified.nonce);
    if !inner.nonces.remember(nonce_key, verified.nonce_expiry, now) {
        return Err(Failure::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    *inner.calls.entry(verified.action.clone()).or_default() += 1;

    if let Some(bucket) = inner.bucket.as_mut()
        && let Err(wait) = bucket.take(Instant::now())
    {
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        return Err(Failure::throttled(ms));
    }
    let failure_rate = inner.faults.failure_rate;
    if failure_rate > 0.0 && inner.rng.random::<f64>() < failure_rate {
        return Err(Failure::unavailable());
    }

    let mut params = incoming.query.to_vec();
    params.extend(incoming.form.iter().cloned());
    let call = alibaba::Call {
        action: &verified.action,
        version: &verified.version,
        params: &params,
        request_id,
        now,
    };
    // Keep the pre-write world when persisting, to roll back if the file cannot be written.
    let before = (shared.state_file.is_some() && alibaba::is_write(&verified.action))
        .then(|| inner.world.clone());
    let outcome = alibaba::handle(&call, &mut inner.world, &config.behaviour)?;
    if !persist(shared, &mut inner, before, outcome.changed) {
        return Err(Failure::internal());
    }
    if outcome.write && inner.answer_lost() {
        return Err(Failure::unavailable());
    }
    tracing::debug!(action = %verified.action, request_id, "served");
    Ok(outcome.body)
}

/// A Tencent request: every answer is HTTP 200 with `Content-Type: application/json`.
async fn handle_tencent(shared: Arc<Shared>, request: Request) -> Response {
    let request_id = tencent::new_request_id();
    let latency = shared.lock().faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(e) if exceeds_limit(&e) => {
            return TcFailure::new(
                "RequestSizeLimitExceeded",
                format!("The request body exceeds {MAX_BODY_BYTES} bytes."),
            )
            .into_response(&request_id);
        }
        Err(_) => {
            return TcFailure::new("InvalidParameter", "The request body could not be read.")
                .into_response(&request_id);
        }
    };
    if !matches!(parts.method, Method::GET | Method::POST) {
        return TcFailure::new(
            "UnsupportedProtocol",
            "HTTP(S) request protocol error; only GET and POST requests are supported.",
        )
        .into_response(&request_id);
    }
    if parts.uri.path() != "/" {
        return TcFailure::new("InvalidRequest", "The request path must be `/`.")
            .into_response(&request_id);
    }
    let answer = tokio::task::spawn_blocking(move || {
        let incoming = TcIncoming {
            method: parts.method.as_str(),
            query: parts.uri.query().unwrap_or_default(),
            headers: &parts.headers,
            body: &body,
        };
        let result = process_tencent(&shared, &incoming, &request_id);
        (result, request_id)
    })
    .await;
    match answer {
        Ok((Ok(fields), request_id)) => tencent::success_response(fields, &request_id),
        Ok((Err(failure), request_id)) => failure.into_response(&request_id),
        Err(_) => TcFailure::internal().into_response(&tencent::new_request_id()),
    }
}

/// A Tencent request's parameters: the JSON object of a POST body, or the flattened
/// parameters of a GET query or a form-encoded POST body.
fn tencent_params(incoming: &TcIncoming<'_>) -> Result<Map<String, Value>, TcFailure> {
    let is_form = incoming
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if incoming.method == "GET" {
        return tencent::unflatten(&decode_pairs(incoming.query.as_bytes()));
    }
    if is_form {
        return tencent::unflatten(&decode_pairs(incoming.body));
    }
    match serde_json::from_slice::<Value>(incoming.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(TcFailure::new(
            "InvalidParameter",
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(TcFailure::new(
            "InvalidParameter",
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

fn process_tencent(
    shared: &Shared,
    incoming: &TcIncoming<'_>,
    request_id: &str,
) -> Result<Map<String, Value>, TcFailure> {
    let config = &shared.config;
    let now = SystemTime::now();
    let verified = tencent_auth::verify(
        incoming,
        &TcKeys {
            secret_id: &config.tencent_secret_id,
            secret_key: config.tencent_secret_key.expose(),
        },
        now,
    )
    .inspect_err(|f| tracing::debug!(code = %f.code, "Tencent authentication failed"))?;
    tencent::check_action(&verified.version, &verified.action)?;
    let region = verified
        .region
        .as_deref()
        .ok_or_else(|| TcFailure::missing("Region"))?;

    let mut inner = shared.lock();
    *inner.calls.entry(verified.action.clone()).or_default() += 1;
    let limit = config.tencent_rate_limit;
    if let Err(count) = inner
        .tencent_windows
        .entry(verified.action.clone())
        .or_insert_with(|| RateWindow::new(Instant::now()))
        .hit(Instant::now(), limit)
    {
        return Err(TcFailure::rate_limited(count, limit));
    }
    let failure_rate = inner.faults.failure_rate;
    if failure_rate > 0.0 && inner.rng.random::<f64>() < failure_rate {
        return Err(TcFailure::unavailable());
    }
    let params = tencent_params(incoming)?;
    let call = tencent::Call {
        action: &verified.action,
        region,
        params: &params,
        request_id,
        now,
        english: verified.english,
    };
    let before = (shared.state_file.is_some() && tencent::is_write(&verified.action))
        .then(|| inner.world.clone());
    let outcome = tencent::handle(&call, &mut inner.world, &config.behaviour)?;
    if !persist(shared, &mut inner, before, outcome.changed) {
        return Err(TcFailure::internal());
    }
    if outcome.write && inner.answer_lost() {
        return Err(TcFailure::unavailable());
    }
    tracing::debug!(action = %verified.action, request_id, "served");
    Ok(outcome.body)
}

/// Saves the world after a write that changed it; if the file cannot be written, rolls
/// the world back to `before` and says so (`false`).
fn persist(shared: &Shared, inner: &mut Inner, before: Option<World>, changed: bool) -> bool {
    if changed
        && let (Some(path), Some(before)) = (&shared.state_file, before)
        && let Err(e) = inner.world.save(path)
    {
        tracing::error!(error = %e, "cannot persist the world; the write is rolled back");
        inner.world = before;
        return false;
    }
    true
}

impl Inner {
    /// Whether the fault dice lose this write's answer (`--lost-response-rate`).
    fn answer_lost(&mut self) -> bool {
        let lost = self.faults.lost_response_rate;
        lost > 0.0 && self.rng.random::<f64>() < lost
    }
}

/// Loads `path`, or creates it holding the sample world if it does not exist.
/// Returns the world and whether the file was created.
pub fn load_or_create(path: &Path) -> Result<(World, bool), WorldError> {
    if path.exists() {
        Ok((World::load(path)?, false))
    } else {
        let world = World::sample();
        world.save(path)?;
        Ok((world, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refills_at_its_rate_and_says_how_long_to_wait() {
        let start = Instant::now();
        let mut bucket = Bucket::new(10.0, Some(2));
        bucket.last = start;
        assert!(bucket.take(start).is_ok());
        assert!(bucket.take(start).is_ok());
        let wait = bucket.take(start).unwrap_err();
        assert!(
            wait > Duration::from_millis(90) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        assert!(bucket.take(start + Duration::from_millis(100)).is_ok());
    }

    #[test]
    fn nonces_are_refused_once_and_forgotten_when_due() {
        let now = SystemTime::now();
        let later = now + Duration::from_mins(15);
        let mut memory = NonceMemory::default();
        assert!(memory.remember("a".into(), later, now));
        assert!(!memory.remember("a".into(), later, now), "a replay");
        assert!(memory.remember("b".into(), later, now));
        // Once due, a nonce is forgotten (its timestamp check refuses replays by then).
        assert!(memory.remember("c".into(), later, later + Duration::from_secs(1)));
        assert_eq!(memory.seen.len(), 1);
        assert!(memory.remember("a".into(), later, later));
    }

    #[test]
    fn the_tencent_window_counts_per_second_and_names_the_count() {
        let start = Instant::now();
        let mut window = RateWindow::new(start);
        for _ in 0..20 {
            assert!(window.hit(start, 20).is_ok());
        }
        assert_eq!(window.hit(start + Duration::from_millis(999), 20), Err(21));
        assert_eq!(window.hit(start + Duration::from_millis(999), 20), Err(22));
        assert!(
            window.hit(start + Duration::from_secs(1), 20).is_ok(),
            "a new second"
        );
        let mut unlimited = RateWindow::new(start);
        assert!((0..1000).all(|_| unlimited.hit(start, 0).is_ok()));
    }

    #[test]
    fn nonsense_rates_mean_no_limit() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let faults = Faults {
                rate_limit: Some(rate),
                ..Faults::default()
            };
            assert!(Bucket::for_faults(&faults).is_none(), "{rate}");
        }
    }
}
