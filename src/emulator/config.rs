//! How the emulator behaves: the keys it accepts, how long its statuses take, the
//! faults it injects. Plain values, shared by the server and both clouds.

use std::time::Duration;

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
/// Tencent requests per second per action before `RequestLimitExceeded` (the documented
/// limit).
pub const DEFAULT_TENCENT_RATE_LIMIT: u32 = 20;
/// Requests with a larger body are refused before parsing (a 1 MB DbList, form-encoded,
/// stays well below).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Injectable misbehaviour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Alibaba requests per second per action, across all callers (as the real
    /// service limits each API); beyond it, `Throttling.User`. Ignored unless a
    /// positive number.
    pub rate_limit: Option<f64>,
    /// Requests allowed at once before the rate applies (default: one second's worth).
    pub rate_burst: Option<u32>,
    /// Changes of `rate_limit` while running: from each offset after the faults were
    /// set (the emulator's start), the rate becomes the paired one. In time order.
    pub rate_schedule: Vec<(Duration, f64)>,
    /// One rate limit for every action together instead of one per action, as a
    /// gateway-wide limit would be.
    pub shared_rate_limit: bool,
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
    /// (Alibaba; Tencent's is fixed at 300 s, [`MAX_SKEW`](super::tencent::auth::MAX_SKEW)).
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
            tencent_rate_limit: DEFAULT_TENCENT_RATE_LIMIT,
        }
    }
}

/// Knobs of both clouds' status machines and of what a write does.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// How long a job stays `Modifying` after an object-list change.
    pub modify_duration: Duration,
    /// How long each step of a start (`Prechecking`, `Initializing`) takes.
    pub step_duration: Duration,
    /// Answer DescribeDtsJobDetail with `synchronizing` instead of `Synchronizing`, as the
    /// real Detail sometimes does, to exercise client normalisation.
    pub lowercase_detail_status: bool,
    /// Tables with these names silently vanish from every object list written: a
    /// service that accepts a write and then does not show it, for read-back tests.
    pub drop_tables: Vec<String>,
    /// Tencent: how long a check job (CreateMigrateCheckJob) runs.
    pub check_duration: Duration,
    /// Tencent: databases (`db`) and tables (`db.table`, `db.schema.table`) the source
    /// instance lacks; a check of a selection naming one fails.
    pub tencent_missing_tables: Vec<String>,
}
