//! One request's way through the emulator, the same for both clouds, as at the real
//! gateways: read the body (bounded) → refuse what the service does not route →
//! authenticate → admit (nonce, rate limit) → injected failure → the action against the
//! world → atomic persistence of the world when it changed (or a roll-back) → perhaps
//! lose the answer. Each cloud supplies its steps and its answer shapes through
//! [`Protocol`] (`alibaba::protocol`, `tencent::protocol`); what they share — the
//! world behind one lock, the rate limiters, the nonce memory, the fault dice — is here.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use super::config::{Behaviour, EmulatorConfig, Faults, MAX_BODY_BYTES};
use super::world::World;

/// A request as received, body read.
pub(crate) struct Incoming<'a> {
    pub method: &'a Method,
    /// The raw query string.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The answer to a call and whether it changed the world (so it must be persisted).
#[derive(Debug)]
pub struct Outcome<B> {
    /// The answer's fields.
    pub body: B,
    pub changed: bool,
    /// Whether this was a write action (fault injection may drop its answer).
    pub write: bool,
}

/// What one cloud's wire protocol supplies to the shared pipeline: its refusals and
/// answers, its authentication and admission, and its actions.
pub(crate) trait Protocol {
    /// An error answer.
    type Failure: Send + 'static;
    /// A successful answer's fields.
    type Body: Send + 'static;
    /// A request that passed authentication.
    type Verified;

    /// A RequestId of the cloud's shape.
    fn new_request_id() -> String;
    /// A body over `limit` bytes.
    fn too_large(limit: usize) -> Self::Failure;
    /// A body that could not be read.
    fn unreadable() -> Self::Failure;
    /// The injected "temporarily unavailable".
    fn unavailable() -> Self::Failure;
    /// Something went wrong inside the emulator.
    fn internal() -> Self::Failure;
    /// Refuses methods and paths the service does not serve.
    fn route(method: &Method, path: &str) -> Result<(), Self::Failure>;
    fn failure_response(failure: Self::Failure, request_id: &str) -> Response;
    fn success_response(body: Self::Body, request_id: &str) -> Response;

    /// Authenticates a request as the cloud's gateway does, and refuses actions it does
    /// not serve.
    fn authenticate(
        request: &Incoming<'_>,
        config: &EmulatorConfig,
        now: SystemTime,
    ) -> Result<Self::Verified, Self::Failure>;
    /// The action a verified request names.
    fn action(verified: &Self::Verified) -> &str;
    /// The names (never the values) of the parameters a verified request carries, as the
    /// action's documentation names them (`DbList`; Tencent's nested fields as
    /// `MigrateOption.RunMode`), for the request log ([`Inner::received`]).
    fn param_names(request: &Incoming<'_>, verified: &Self::Verified) -> Vec<String>;
    /// Whether `action` writes (a write is persisted, and its answer may be lost).
    fn is_write(action: &str) -> bool;
    /// The gateway's admission of an authenticated request: replays refused, the call
    /// counted ([`Inner::count`]), rate limits applied.
    fn admit(
        inner: &mut Inner,
        config: &EmulatorConfig,
        verified: &Self::Verified,
        now: SystemTime,
    ) -> Result<(), Self::Failure>;
    /// The action itself, against the world.
    fn run(
        request: &Incoming<'_>,
        verified: &Self::Verified,
        world: &mut World,
        behaviour: &Behaviour,
        request_id: &str,
        now: SystemTime,
    ) -> Result<Outcome<Self::Body>, Self::Failure>;
}

/// Serves one request of protocol `P`.
pub(crate) async fn serve<P: Protocol>(shared: Arc<Shared>, request: Request) -> Response {
    let request_id = P::new_request_id();
    let latency = shared.lock().faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(e) if exceeds_limit(&e) => {
            return P::failure_response(P::too_large(MAX_BODY_BYTES), &request_id);
        }
        Err(_) => return P::failure_response(P::unreadable(), &request_id),
    };
    if let Err(failure) = P::route(&parts.method, parts.uri.path()) {
        return P::failure_response(failure, &request_id);
    }
    // The lock, the world and its fsync'd saves are synchronous: keep them off the async
    // workers so a slow disk never stalls other connections.
    let answer = tokio::task::spawn_blocking(move || {
        let incoming = Incoming {
            method: &parts.method,
            query: parts.uri.query().unwrap_or_default(),
            headers: &parts.headers,
            body: &body,
        };
        let result = process::<P>(&shared, &incoming, &request_id);
        (result, request_id)
    })
    .await;
    match answer {
        Ok((Ok(body), request_id)) => P::success_response(body, &request_id),
        Ok((Err(failure), request_id)) => P::failure_response(failure, &request_id),
        Err(_) => P::failure_response(P::internal(), &P::new_request_id()),
    }
}

fn process<P: Protocol>(
    shared: &Shared,
    incoming: &Incoming<'_>,
    request_id: &str,
) -> Result<P::Body, P::Failure> {
    let config = &shared.config;
    let now = SystemTime::now();
    let verified = P::authenticate(incoming, config, now)?;
    let action = P::action(&verified);

    let names = P::param_names(incoming, &verified);
    let mut inner = shared.lock();
    inner.record(action, names);
    P::admit(&mut inner, config, &verified, now)?;
    if inner.request_fails() {
        return Err(P::unavailable());
    }
    // Keep the pre-write world when persisting, to roll back if the file cannot be written.
    let before = (shared.state_file.is_some() && P::is_write(action)).then(|| inner.world.clone());
    let outcome = P::run(
        incoming,
        &verified,
        &mut inner.world,
        &config.behaviour,
        request_id,
        now,
    )?;
    if !persist(shared, &mut inner, before, outcome.changed) {
        return Err(P::internal());
    }
    if outcome.write && inner.answer_lost() {
        return Err(P::unavailable());
    }
    tracing::debug!(action, request_id, "served");
    Ok(outcome.body)
}

/// Whether the body is form-encoded (`application/x-www-form-urlencoded`).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// `a=1&b=2`, decoded.
pub(crate) fn decode_pairs(text: &[u8]) -> Vec<(String, String)> {
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

/// Token bucket for the rate limit.
#[derive(Debug)]
pub(crate) struct Bucket {
    rate: f64,
    /// `None`: one second's worth of the rate.
    burst: Option<u32>,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket for `rate` requests per second.
    fn new(rate: f64, burst: Option<u32>, now: Instant) -> Self {
        let mut bucket = Self {
            rate,
            burst,
            tokens: 0.0,
            last: now,
        };
        bucket.tokens = bucket.capacity();
        bucket
    }

    fn capacity(&self) -> f64 {
        self.burst.map_or(self.rate.max(1.0), f64::from).max(1.0)
    }

    /// Refills up to `now` at the rate in force, then changes it to `rate`.
    fn set_rate(&mut self, rate: f64, now: Instant) {
        if rate.to_bits() != self.rate.to_bits() {
            self.refill(now);
            self.rate = rate;
            self.tokens = self.tokens.min(self.capacity());
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity());
    }

    /// Takes a token, or says how long until one is available.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.rate;
            Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_hours(1)))
        }
    }
}

/// The rate limit `faults` set `elapsed` after they were set: the last scheduled change
/// due by then, or `rate_limit`. `None` (no limit) unless a positive number.
pub(crate) fn rate_at(faults: &Faults, elapsed: Duration) -> Option<f64> {
    faults
        .rate_schedule
        .iter()
        .rev()
        .find(|(at, _)| *at <= elapsed)
        .map(|(_, rate)| *rate)
        .or(faults.rate_limit)
        .filter(|rate| rate.is_finite() && *rate > 0.0)
}

/// Nonces seen, each kept until its request's timestamp would be refused anyway.
#[derive(Default)]
pub(crate) struct NonceMemory {
    seen: HashSet<String>,
    /// (forget after, nonce), in arrival order: expiries follow the clock closely, so the
    /// due ones are at the front.
    queue: VecDeque<(SystemTime, String)>,
}

impl NonceMemory {
    /// Records `nonce`; `false` if it was already seen.
    pub(crate) fn remember(
        &mut self,
        nonce: String,
        forget_after: SystemTime,
        now: SystemTime,
    ) -> bool {
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

pub(crate) struct Inner {
    pub(crate) world: World,
    pub(crate) faults: Faults,
    /// When the faults were set: the rate schedule counts from here.
    pub(crate) faults_since: Instant,
    /// The rate limit's buckets, per action (or one, under "", when shared).
    pub(crate) buckets: HashMap<String, Bucket>,
    /// Requests refused for the rate limit, per action (both clouds).
    pub(crate) throttled: BTreeMap<String, u64>,
    pub(crate) rng: StdRng,
    /// Nonces seen and not yet forgotten.
    pub(crate) nonces: NonceMemory,
    /// Authenticated requests per action.
    pub(crate) calls: BTreeMap<String, u64>,
    /// The request log: per action, the names of every parameter an authenticated
    /// request carried. Names only — never a value, so no secret can reach it.
    pub(crate) received: BTreeMap<String, BTreeSet<String>>,
    /// Tencent requests in the current one-second window, per action.
    pub(crate) tencent_windows: HashMap<String, RateWindow>,
}

/// Requests counted in a one-second window, as Tencent's per-action limit counts them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateWindow {
    start: Instant,
    count: u32,
}

impl RateWindow {
    pub(crate) fn new(now: Instant) -> Self {
        Self {
            start: now,
            count: 0,
        }
    }

    /// Counts a request at `now`; `Err(count)` when it is beyond `limit` (if not 0) in
    /// its second.
    pub(crate) fn hit(&mut self, now: Instant, limit: u32) -> Result<(), u32> {
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

pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) inner: Mutex<Inner>,
}

impl Shared {
    pub(crate) fn new(config: EmulatorConfig, world: World, state_file: Option<PathBuf>) -> Self {
        let faults = config.faults.clone();
        Self {
            inner: Mutex::new(Inner {
                world,
                faults_since: Instant::now(),
                buckets: HashMap::new(),
                throttled: BTreeMap::new(),
                rng: faults
                    .seed
                    .map_or_else(StdRng::from_os_rng, StdRng::seed_from_u64),
                faults,
                nonces: NonceMemory::default(),
                calls: BTreeMap::new(),
                received: BTreeMap::new(),
                tencent_windows: HashMap::new(),
            }),
            config,
            state_file,
        }
    }

    /// The lock survives a panic elsewhere: the world is only changed by code that
    /// cannot panic half-way, and the catch-panic layer answers `InternalError`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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

    /// Whether the fault dice fail this request before it does anything
    /// (`--failure-rate`).
    fn request_fails(&mut self) -> bool {
        let rate = self.faults.failure_rate;
        rate > 0.0 && self.rng.random::<f64>() < rate
    }

    /// Changes the injected faults.
    pub(crate) fn set_faults(&mut self, faults: Faults) {
        self.faults_since = Instant::now();
        self.buckets.clear();
        if let Some(seed) = faults.seed {
            self.rng = StdRng::seed_from_u64(seed);
        }
        self.faults = faults;
    }

    /// Logs the parameter names of an authenticated request to `action`.
    fn record(&mut self, action: &str, names: Vec<String>) {
        self.received
            .entry(action.to_owned())
            .or_default()
            .extend(names);
    }

    /// Takes a token of `action`'s rate limit at `now`, or says how long until one is
    /// available (and counts the refusal).
    pub(crate) fn take_token(&mut self, action: &str, now: Instant) -> Result<(), Duration> {
        let Some(rate) = rate_at(
            &self.faults,
            now.saturating_duration_since(self.faults_since),
        ) else {
            return Ok(());
        };
        let key = if self.faults.shared_rate_limit {
            ""
        } else {
            action
        };
        let burst = self.faults.rate_burst;
        let bucket = self
            .buckets
            .entry(key.to_owned())
            .or_insert_with(|| Bucket::new(rate, burst, now));
        bucket.set_rate(rate, now);
        bucket.take(now).inspect_err(|_| self.refused(action))
    }

    /// Counts a request to `action` refused for the rate limit.
    pub(crate) fn refused(&mut self, action: &str) {
        *self.throttled.entry(action.to_owned()).or_default() += 1;
    }

    /// Counts an authenticated request to `action`.
    pub(crate) fn count(&mut self, action: &str) {
        *self.calls.entry(action.to_owned()).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refills_at_its_rate_and_says_how_long_to_wait() {
        let start = Instant::now();
        let mut bucket = Bucket::new(10.0, Some(2), start);
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
            assert_eq!(rate_at(&faults, Duration::ZERO), None, "{rate}");
        }
    }

    #[test]
    fn the_schedule_changes_the_rate_at_its_offsets() {
        let faults = Faults {
            rate_limit: Some(250.0),
            rate_schedule: vec![
                (Duration::from_secs(10), 50.0),
                (Duration::from_secs(20), 100.0),
            ],
            ..Faults::default()
        };
        let at = |s| rate_at(&faults, Duration::from_secs(s));
        assert_eq!(
            (at(0), at(9), at(10), at(15), at(25)),
            (
                Some(250.0),
                Some(250.0),
                Some(50.0),
                Some(50.0),
                Some(100.0)
            )
        );
    }

    #[test]
    fn each_action_has_its_own_bucket_unless_the_limit_is_shared() {
        let start = Instant::now();
        let faults = Faults {
            rate_limit: Some(10.0),
            rate_burst: Some(1),
            ..Faults::default()
        };
        let mut inner = Shared::new(
            EmulatorConfig {
                faults: faults.clone(),
                ..EmulatorConfig::default()
            },
            World::sample(),
            None,
        )
        .inner
        .into_inner()
        .unwrap();
        inner.set_faults(faults.clone());
        assert!(inner.take_token("DescribeDtsJobDetail", start).is_ok());
        assert!(inner.take_token("DescribeDtsJobDetail", start).is_err());
        assert!(inner.take_token("ModifyDtsJob", start).is_ok(), "its own");
        assert_eq!(inner.throttled["DescribeDtsJobDetail"], 1);
        inner.set_faults(Faults {
            shared_rate_limit: true,
            ..faults
        });
        let now = Instant::now();
        assert!(inner.take_token("DescribeDtsJobDetail", now).is_ok());
        assert!(inner.take_token("ModifyDtsJob", now).is_err(), "shared");
    }

    #[test]
    fn a_lowered_rate_applies_at_once_and_a_raised_one_from_then_on() {
        let start = Instant::now();
        let mut bucket = Bucket::new(100.0, None, start);
        // Its second's worth used up, then the rate drops to 10: a token every 100 ms.
        for _ in 0..100 {
            assert!(bucket.take(start).is_ok());
        }
        bucket.set_rate(10.0, start);
        let later = start + Duration::from_millis(50);
        assert!(bucket.take(later).is_err());
        assert!(bucket.take(start + Duration::from_millis(100)).is_ok());
        bucket.set_rate(1000.0, start + Duration::from_millis(100));
        assert!(bucket.take(start + Duration::from_millis(101)).is_ok());
    }
}
