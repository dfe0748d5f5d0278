//! The adaptive limit of one API action: how fast and how many at once a client may
//! call it, learned from the server's own answers. A pure state machine — the caller
//! passes the time in — so every rule is tested without sleeping; [`super::pacing`]
//! runs one per action of a client.
//!
//! The design follows the AWS SDKs' "adaptive" retry mode: requests are paced by a
//! token bucket whose fill rate falls on a throttling answer and comes back along a
//! CUBIC curve. Three things are added, because the clouds' limits are not known in
//! advance and a plan is short:
//!
//! - **A start that finds the rate.** Until the first throttling answer the rate grows
//!   by [`GROWTH`] per round trip (per [`GROWTH_PERIOD`] at least), and only while
//!   answers arrive ([`Answer::Served`]).
//! - **A measured ceiling.** A throttling answer cuts the rate to [`CUT`] of the rate
//!   that request was sent at, and opens a measurement: of the requests sent between
//!   the throttled one and the cut, the server admitted some number per second — its
//!   limit, measured while it was saturated (up to the first pause in sending: after a
//!   pause the server's bucket has refilled). When that window's answers are in, the
//!   rate resumes at [`RESUME`] of the measured limit, and the CUBIC curve returns to it
//!   within [`RECOVERY`], then probes slowly above it, so a raised limit is found too; a
//!   refusal while probing above the ceiling goes back just under it instead of cutting.
//! - **A window of requests in flight** sized from the rate and the lowest latency seen
//!   (Little's law, with [`HEADROOM`]), so latency does not cap throughput; when answers
//!   come slower, it keeps what the rate needs at that latency ([`MIN_HEADROOM`]) and
//!   loses the rest, and a cut of the rate shrinks it in proportion.
//!
//! A server's retry-after hint holds every request of the action until it has passed.
//! Without a hint, throttling answers in a row hold requests for a doubling pause. Only a
//! throttling answer to a request sent after the rate was last lowered cuts: answers to
//! requests sent before say nothing new.
//!
//! Two kinds of server are told apart by their answers, not configured:
//!
//! - **A token bucket** (Alibaba's limits, as far as they can be observed) refuses
//!   between the requests it admits at its rate: the measurement above finds that rate.
//! - **A quota per period** (Tencent counts 20 calls per second per action, in fixed
//!   one-second windows) admits a period's calls at once and then refuses everything
//!   until the period ends. Refusals in a row ([`RUN`] of them: requests sent after the
//!   first refusal came back, with nothing served since) are read that way: they do not
//!   cut the rate again, one request at a time probes for the quota's return (after
//!   pauses that double from the interval the run began at), and the
//!   request served at the end of the run closes a cycle — what the server served from
//!   the end of the previous run to this one, per second, is its limit.
//!
//! Before anything is learned the rate is a guess, so the window follows answers that
//! come slower than the fastest seen only for the rate they are served at (at most
//! doubling per round trip): slower answers are then most often this client's own
//! requests queueing (at a busy server, or in the client), and a window that grew with
//! the queue would send that many more into the first refusal. A retry-after hint holds
//! requests for at most [`MAX_RETRY_AFTER`].

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The rate to start from when nothing is known, requests per second.
pub const START_RATE: f64 = 1000.0;
/// Requests in flight before the first answer gives a latency.
pub const START_WINDOW: usize = 32;
/// The most requests of one action in flight at once, whatever was learned.
pub const MAX_WINDOW: usize = 256;
/// The fewest requests in flight the window shrinks to.
pub const MIN_WINDOW: usize = 4;
/// The slowest the rate falls to, requests per second.
pub const MIN_RATE: f64 = 0.5;
/// Growth per round trip before the first throttling answer.
pub const GROWTH: f64 = 0.15;
/// While growing, the rate stays within this multiple of the rate at which the last round
/// trip's answers were served.
pub const DELIVERY_GAIN: f64 = 4.0;
/// Growth is counted per round trip, but never faster than per this period.
pub const GROWTH_PERIOD: Duration = Duration::from_millis(100);
/// A throttling answer cuts the rate to this share of the rate the request was sent at.
pub const CUT: f64 = 0.5;
/// After a measurement the rate resumes at this share of the measured limit.
pub const RESUME: f64 = 0.95;
/// The time the CUBIC curve takes to return to the learned ceiling.
pub const RECOVERY: Duration = Duration::from_millis(1500);
/// How far above the ceiling the curve has probed one more [`RECOVERY`] later.
pub const PROBE: f64 = 0.3;
/// In-flight requests allowed per request the rate needs at the lowest latency seen.
pub const HEADROOM: f64 = 2.0;
/// In-flight requests allowed per request the rate needs at the latency answers come
/// with now: when they come slower, the window keeps the rate flowing but loses most of
/// its headroom. (Slower answers are not refusals: the rate is what throttling cuts.)
pub const MIN_HEADROOM: f64 = 1.25;
/// Refusals in a row (the first, then those of requests sent after it came back, with
/// nothing served since) that say the server refuses everything for now.
const RUN: u32 = 2;
/// The longest a retry-after hint holds the requests of an action.
pub const MAX_RETRY_AFTER: Duration = Duration::from_mins(1);
/// The longest pause throttling answers in a row cause without a retry-after hint.
pub const MAX_PAUSE: Duration = Duration::from_secs(1);
/// Answers counted for the served rate: those of the last second.
const SERVED_WINDOW: Duration = Duration::from_secs(1);
/// A measurement shorter than this, or with fewer admitted requests than
/// [`MEASURE_MIN_ADMITTED`], is too short to say what the server admits.
const MEASURE_MIN_SPAN: Duration = Duration::from_millis(3);
const MEASURE_MIN_ADMITTED: u32 = 1;
/// A measurement with fewer refusals than this did not see the server saturated.
const MEASURE_MIN_REFUSED: u32 = 2;
/// Answers a measurement needs before it may lower the rate partway.
const MEASURE_MIN_ANSWERED: u32 = 2;
/// A gap of more than this many sending intervals (and [`MIN_PAUSE`]) between two
/// requests of a measurement is a pause in sending.
const PAUSE_GAPS: f64 = 4.0;
const MIN_PAUSE: Duration = Duration::from_millis(3);
/// The token bucket holds this much sending time, and at least [`BUCKET_MIN`] tokens, so
/// a timer that wakes late (by a millisecond, at 200/s a fifth of the interval) loses
/// nothing.
const BUCKET_TIME: f64 = 0.01;
const BUCKET_MIN: f64 = 2.0;

/// What the configuration caps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterConfig {
    /// Never send faster than this, requests per second (a provider's `rate_limit`).
    pub max_rate: Option<f64>,
    /// Never have more requests of one action in flight.
    pub max_in_flight: usize,
    /// Where the rate starts (capped by `max_rate`).
    pub start_rate: f64,
}

impl Default for LimiterConfig {
    fn default() -> Self {
        Self {
            max_rate: None,
            max_in_flight: MAX_WINDOW,
            start_rate: START_RATE,
        }
    }
}

impl LimiterConfig {
    /// The configuration for a cap of `max_rate` requests per second, if any.
    pub fn capped(max_rate: Option<f64>) -> Self {
        Self {
            max_rate: max_rate.filter(|r| r.is_finite() && *r > 0.0),
            ..Self::default()
        }
    }
}

/// Permission to send one request, and what it was sent under.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grant {
    pub sent_at: Instant,
    /// The rate in force when it was sent.
    pub rate: f64,
    /// Requests served before it was sent (for the delivery rate its answer measures).
    served_before: u64,
}

/// Why a request may not be sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Not before this time (the pace, or a retry-after).
    Until(Instant),
    /// Not before a request in flight is answered (the window is full).
    Answer,
}

/// What became of a granted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The server answered and did not throttle (a success or any other error).
    Served,
    /// The server refused it for its rate (`Throttling*`, `RequestLimitExceeded*`).
    Throttled { retry_after: Option<Duration> },
    /// No answer (a transport failure, or the caller gave up): says nothing of the rate.
    Lost,
}

/// What one action's limiter has seen and learned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionStats {
    pub requests: u64,
    pub throttled: u64,
    /// The rate in force now, requests per second.
    pub rate: f64,
    /// The server's limit as learned so far (the ceiling the rate returns to), once it
    /// has throttled.
    pub learned: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Nothing throttled yet: the rate grows with every answer.
    Growing,
    /// After a cut: back to `ceiling` along a CUBIC curve that starts at `from` at
    /// `since`, then slowly above it.
    Recovering {
        ceiling: f64,
        since: Instant,
        from: f64,
    },
}

/// The answers to the requests sent while the server was refusing: from the throttled
/// request's sending (`from`) to the cut (`to`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Measure {
    from: Instant,
    to: Instant,
    admitted: u32,
    answered: u32,
    /// Requests in flight at the cut, not yet answered: the measurement closes when
    /// none are left, even if nothing was sent since.
    pending: usize,
    /// The latest sending counted so far.
    last_sent: Instant,
    /// The latest answer counted so far. When requests queue (at the server or in the
    /// client), the server decided on them later than they were sent, at about the pace
    /// of their answers: the measurement spans whichever is longer.
    last_answer: Instant,
    /// Set at the first pause in sending (the window was full): the server's bucket
    /// filled up meanwhile, so what it admitted after says nothing of its rate. Only
    /// requests sent up to here count.
    until: Option<Instant>,
}

impl Measure {
    /// The time the counted requests took the server: from the throttled request's
    /// sending to `sent_end`, or from its answer to the last one counted if longer.
    fn span(&self, sent_end: Instant) -> Duration {
        let sent = sent_end.saturating_duration_since(self.from);
        let answered = self.last_answer.saturating_duration_since(self.to);
        sent.max(answered)
    }
}

/// The adaptive limit of one action.
#[derive(Debug, Clone)]
pub struct ActionLimiter {
    config: LimiterConfig,
    rate: f64,
    tokens: f64,
    refilled_at: Instant,
    phase: Phase,
    measure: Option<Measure>,
    /// When the rate was last lowered for throttling: answers to requests sent before
    /// then were taken into account already.
    lowered_at: Option<Instant>,
    blocked_until: Option<Instant>,
    in_flight: usize,
    /// The lowest latency seen, and a smoothed one.
    base_rtt: Option<Duration>,
    smoothed_rtt: Option<Duration>,
    first_answer: Option<Instant>,
    /// When served answers arrived, over the last second.
    served: VecDeque<Instant>,
    /// Requests served so far.
    served_total: u64,
    /// Delivery rates measured by the answers of the last round trip (while growing):
    /// served answers per second over each request's time in flight.
    delivery: VecDeque<(Instant, f64)>,
    throttled_in_a_row: u32,
    /// Where the current cycle of a quota began: when the last run of refusals ended
    /// (or the limiter was made), and the requests served by then.
    cycle_from: (Instant, u64),
    /// When the last request was let through.
    last_grant: Option<Instant>,
    /// When the first throttling answer since the last request served came.
    refused_since: Option<Instant>,
    /// The rate the first of those refused requests was sent at: the pauses of a run
    /// double from its interval (the rate in force may have been cut far below it since).
    run_rate: f64,
    requests: u64,
    throttled: u64,
}

impl ActionLimiter {
    pub fn new(config: LimiterConfig, now: Instant) -> Self {
        let rate = cap(config.start_rate, config.max_rate);
        Self {
            config,
            rate,
            tokens: 1.0,
            refilled_at: now,
            phase: Phase::Growing,
            measure: None,
            lowered_at: None,
            blocked_until: None,
            in_flight: 0,
            base_rtt: None,
            smoothed_rtt: None,
            first_answer: None,
            served: VecDeque::new(),
            served_total: 0,
            delivery: VecDeque::new(),
            throttled_in_a_row: 0,
            cycle_from: (now, 0),
            last_grant: None,
            refused_since: None,
            run_rate: rate,
            requests: 0,
            throttled: 0,
        }
    }

    /// The rate in force, requests per second: while growing, never more than twice the
    /// rate at which the last round trip's answers were served, so the rate at most
    /// doubles per round trip whatever the growth before any answer.
    pub fn rate(&self) -> f64 {
        match self.phase {
            Phase::Growing => match self.delivery.iter().map(|(_, d)| *d).reduce(f64::max) {
                Some(delivered) => self.rate.min(DELIVERY_GAIN * delivered).max(MIN_RATE),
                None => self.rate,
            },
            Phase::Recovering { .. } => self.rate,
        }
    }

    /// How many requests may be in flight now.
    pub fn window(&self) -> usize {
        let Some(base) = self.base_rtt else {
            return START_WINDOW.clamp(1, self.config.max_in_flight.max(1));
        };
        let base = base.as_secs_f64();
        // Slower answers keep in flight what the rate needs at their latency, once the
        // rate is known (learned, or the configured cap). Before, it is a guess that
        // grows, and answers that come slower are most likely requests queueing behind
        // this client's own: more of them in flight would only queue longer. So then the
        // window follows slower answers only for the rate they are served at — a quarter
        // more each round trip, however fast the first answer was.
        let rate_known = self.config.max_rate.is_some() || self.phase != Phase::Growing;
        let smoothed = self.smoothed_rtt.map_or(base, |s| s.as_secs_f64());
        let following = if rate_known {
            self.rate()
        } else {
            self.rate()
                .min(self.served_rate_at_last_answer().unwrap_or(0.0))
        };
        // Refusals in a row: the server refuses everything for now, and one request at a
        // time finds out when it stops.
        if self.throttled_in_a_row >= RUN {
            return 1;
        }
        let headroom = if rate_known { MIN_HEADROOM } else { HEADROOM };
        let window = (self.rate() * base * HEADROOM).max(following * smoothed * headroom);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let window = window.ceil().min(1e6) as usize;
        let max = self.config.max_in_flight.max(1);
        window.clamp(MIN_WINDOW.min(max), max)
    }

    pub fn stats(&self) -> ActionStats {
        ActionStats {
            requests: self.requests,
            throttled: self.throttled,
            rate: self.rate(),
            learned: match self.phase {
                Phase::Growing => None,
                Phase::Recovering { ceiling, .. } => Some(ceiling),
            },
        }
    }

    /// A grant to send now, or how long to wait.
    pub fn try_acquire(&mut self, now: Instant) -> Result<Grant, Wait> {
        self.refill(now);
        // Idle (nothing in flight, nothing sent for a while): a quota's cycle starts
        // again, so the time nothing was asked does not count as time it was refused.
        if self.in_flight == 0
            && self.throttled_in_a_row == 0
            && self
                .last_grant
                .is_some_and(|at| now.saturating_duration_since(at) > MAX_PAUSE)
        {
            self.cycle_from = (now, self.served_total);
        }
        if self.in_flight >= self.window() {
            return Err(Wait::Answer);
        }
        if let Some(until) = self.blocked_until.filter(|u| *u > now) {
            return Err(Wait::Until(until));
        }
        let rate = self.rate();
        if self.tokens < 1.0 {
            let wait = Duration::from_secs_f64((1.0 - self.tokens) / rate);
            return Err(Wait::Until(now + wait.max(Duration::from_micros(1))));
        }
        self.tokens -= 1.0;
        self.in_flight += 1;
        self.last_grant = Some(now);
        self.requests += 1;
        Ok(Grant {
            sent_at: now,
            rate,
            served_before: self.served_total,
        })
    }

    /// Learns from what became of a granted request.
    pub fn finish(&mut self, grant: Grant, answer: Answer, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(m) = &mut self.measure
            && grant.sent_at <= m.to
        {
            m.pending = m.pending.saturating_sub(1);
        }
        let throttled = match answer {
            Answer::Lost => {
                self.close_if_answered(now);
                return;
            }
            Answer::Served => false,
            Answer::Throttled { .. } => true,
        };
        self.observe_latency(now.saturating_duration_since(grant.sent_at));
        self.first_answer.get_or_insert(now);
        self.measure(grant, throttled, now);
        match answer {
            Answer::Throttled { retry_after } => self.on_throttled(grant, retry_after, now),
            _ => self.on_served(grant, now),
        }
        self.close_if_answered(now);
    }

    /// Closes the open measurement once every request in flight at its cut is answered.
    fn close_if_answered(&mut self, now: Instant) {
        if let Some(m) = self.measure
            && m.pending == 0
        {
            self.measure = None;
            self.close(m, now);
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.refilled_at = self.refilled_at.max(now);
        let rate = self.rate();
        let capacity = (rate * BUCKET_TIME).max(BUCKET_MIN);
        self.tokens = (self.tokens + elapsed * rate).min(capacity);
    }

    fn observe_latency(&mut self, rtt: Duration) {
        self.base_rtt = Some(self.base_rtt.map_or(rtt, |b| b.min(rtt)));
        self.smoothed_rtt = Some(self.smoothed_rtt.map_or(rtt, |s| (s * 7 + rtt) / 8));
    }

    /// Requests served per second over the last second (or since the first answer).
    fn served_rate(&self, now: Instant) -> Option<f64> {
        let first = self.first_answer?;
        let span = now
            .saturating_duration_since(first)
            .min(SERVED_WINDOW)
            .max(MEASURE_MIN_SPAN);
        #[allow(clippy::cast_precision_loss)]
        Some(self.served.len() as f64 / span.as_secs_f64())
    }

    /// [`Self::served_rate`] as of the last request served.
    fn served_rate_at_last_answer(&self) -> Option<f64> {
        self.served_rate(*self.served.back()?)
    }

    /// Whether a whole second of answers is there to count.
    fn served_a_second(&self, now: Instant) -> bool {
        self.first_answer
            .is_some_and(|f| now.saturating_duration_since(f) >= SERVED_WINDOW)
    }

    fn set_rate(&mut self, rate: f64) {
        self.rate = cap(rate, self.config.max_rate);
    }

    /// Counts the answer into an open measurement; closes it with the first answer to
    /// a request sent after the cut.
    fn measure(&mut self, grant: Grant, throttled: bool, now: Instant) {
        let Some(mut m) = self.measure else { return };
        if grant.sent_at > m.to {
            self.measure = None;
            self.close(m, now);
            return;
        }
        if grant.sent_at < m.from || m.until.is_some_and(|u| grant.sent_at > u) {
            return;
        }
        let pause = Duration::from_secs_f64(PAUSE_GAPS / grant.rate.max(MIN_RATE)).max(MIN_PAUSE);
        if grant.sent_at > m.last_sent + pause {
            m.until = Some(m.last_sent);
            self.measure = Some(m);
            return;
        }
        m.last_sent = m.last_sent.max(grant.sent_at);
        m.last_answer = m.last_answer.max(now);
        m.answered += 1;
        if !throttled {
            m.admitted += 1;
        }
        self.measure = Some(m);
        // Partway through, a measurement can already say the rate is far too high: even
        // counting the next request as admitted, the server took fewer than the rate.
        let span = m.span(grant.sent_at);
        if span >= MEASURE_MIN_SPAN && m.answered >= MEASURE_MIN_ANSWERED {
            let admitted = f64::from(m.admitted + 1) / span.as_secs_f64();
            if RESUME * admitted < self.rate() {
                self.set_rate(RESUME * admitted);
                self.lowered_at = Some(now);
                // And the ceiling: the server took no more than that while saturated
                // (unless it took none: it may refuse everything until its quota
                // comes back, which says nothing of the quota).
                if m.admitted > 0
                    && let Phase::Recovering {
                        ceiling,
                        since,
                        from,
                    } = &mut self.phase
                {
                    *ceiling = ceiling.min(cap(admitted, self.config.max_rate));
                    *since = now;
                    *from = self.rate;
                }
            }
        }
    }

    /// The server's limit from a finished measurement: what it admitted per second while
    /// saturated. With nothing admitted (a quota used up for the whole window), the
    /// ceiling can only come down to what was served over the last second, once there is
    /// a second of answers to count.
    fn close(&mut self, m: Measure, now: Instant) {
        let span = m.span(m.until.unwrap_or(m.to));
        let Phase::Recovering { ceiling, .. } = self.phase else {
            return;
        };
        // A lone refusal among admitted requests says the server was at its limit, not
        // how far above it: the ceiling is the rate it was refused at, or, with a second
        // of answers to go by, what the server served in it (a burst allowance lets a
        // client run above the limit for a while before the refusal).
        if m.answered - m.admitted < MEASURE_MIN_REFUSED {
            if self.served_a_second(now)
                && let Some(served) = self.served_rate(now)
                && let Phase::Recovering {
                    ceiling,
                    since,
                    from,
                } = self.phase
            {
                self.phase = Phase::Recovering {
                    ceiling: ceiling.min(served.max(from)),
                    since,
                    from,
                };
            }
            return;
        }
        let ceiling = if m.admitted >= MEASURE_MIN_ADMITTED && span >= MEASURE_MIN_SPAN {
            let mut limit = f64::from(m.admitted) / span.as_secs_f64();
            // A short window at a low rate counts few requests, and a bucket's burst among
            // them: with a second of answers to go by, never above what was served in it.
            if self.served_a_second(now) {
                limit = limit.min(self.served_rate(now).unwrap_or(limit));
            }
            let limit = cap(limit, self.config.max_rate);
            self.set_rate(RESUME * limit);
            limit
        } else if self.served_a_second(now) {
            let served = self.served_rate(now).unwrap_or(MIN_RATE);
            ceiling.min(served.max(self.rate))
        } else {
            return;
        };
        self.phase = Phase::Recovering {
            ceiling,
            since: now,
            from: self.rate,
        };
    }

    fn on_throttled(&mut self, grant: Grant, retry_after: Option<Duration>, now: Instant) {
        self.throttled += 1;
        // Only a request sent after the first refusal since the last request served makes
        // the run longer: the others were on their way before anything was known.
        match self.refused_since {
            None => {
                self.refused_since = Some(now);
                self.run_rate = grant.rate;
                self.throttled_in_a_row = 1;
            }
            Some(since) if grant.sent_at >= since => self.throttled_in_a_row += 1,
            Some(_) => {}
        }
        // A hint is honoured up to a minute: a server's number is not a reason to hang.
        let pause = retry_after.map(|d| d.min(MAX_RETRY_AFTER)).or_else(|| {
            (self.throttled_in_a_row >= 2).then(|| {
                let doubling = f64::from(1u32 << (self.throttled_in_a_row - 1).min(20));
                Duration::from_secs_f64((doubling / self.run_rate).min(MAX_PAUSE.as_secs_f64()))
            })
        });
        if let Some(pause) = pause {
            let until = now + pause;
            self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
        }
        // A request sent before the rate was last lowered says nothing new. Nor does a
        // refusal that follows a refusal with nothing served between: the server refuses
        // everything for now (a quota used up until its period ends), which says nothing
        // about the rate it allows; the pause is the answer to it.
        if self.lowered_at.is_some_and(|at| grant.sent_at < at) || self.throttled_in_a_row >= RUN {
            return;
        }
        let (ceiling, rate) = match self.phase {
            // Refused while probing above the learned ceiling: the limit is still there.
            Phase::Recovering { ceiling, .. } if grant.rate > ceiling => {
                (ceiling, (RESUME * ceiling).max(CUT * grant.rate))
            }
            _ => {
                let ceiling = grant.rate.min(self.rate());
                (ceiling, CUT * ceiling)
            }
        };
        self.set_rate(rate.max(MIN_RATE));
        self.delivery.clear();
        self.lowered_at = Some(now);
        self.tokens = self.tokens.min(1.0);
        self.phase = Phase::Recovering {
            ceiling,
            since: now,
            from: self.rate,
        };
        if self.measure.is_none() {
            self.measure = Some(Measure {
                from: grant.sent_at,
                to: now,
                admitted: 0,
                answered: 1,
                pending: self.in_flight,
                last_sent: grant.sent_at,
                last_answer: now,
                until: None,
            });
        }
    }

    /// A run of refusals ended with a request served: a quota that was used up came
    /// back. What the server served over the cycle — from the end of the previous run to
    /// this one — is what it allows per second, whatever its period.
    fn end_run(&mut self, now: Instant) {
        let (since, served_then) =
            std::mem::replace(&mut self.cycle_from, (now, self.served_total));
        let span = now.saturating_duration_since(since);
        let served = self.served_total.saturating_sub(served_then);
        if served == 0 || span < GROWTH_PERIOD {
            return;
        }
        #[allow(clippy::cast_precision_loss)]
        let allowed = cap(served as f64 / span.as_secs_f64(), self.config.max_rate);
        let ceiling = allowed;
        self.set_rate(RESUME * ceiling);
        self.lowered_at = Some(now);
        self.phase = Phase::Recovering {
            ceiling,
            since: now,
            from: self.rate,
        };
    }

    fn on_served(&mut self, grant: Grant, now: Instant) {
        // Only a request sent after the run's first refusal says when the quota came
        // back: one sent before may have been let in before it ran out, and its answer
        // come late. It still ends the run (a token bucket lets one in now and then).
        if self.throttled_in_a_row >= RUN
            && self
                .refused_since
                .is_none_or(|since| grant.sent_at >= since)
        {
            self.end_run(now);
        }
        self.throttled_in_a_row = 0;
        self.refused_since = None;
        self.served_total += 1;
        if self.phase == Phase::Growing {
            let in_flight = now
                .saturating_duration_since(grant.sent_at)
                .max(MEASURE_MIN_SPAN);
            #[allow(clippy::cast_precision_loss)]
            let delivered = (self.served_total - grant.served_before) as f64;
            self.delivery
                .push_back((now, delivered / in_flight.as_secs_f64()));
            let round_trip = self
                .smoothed_rtt
                .unwrap_or(GROWTH_PERIOD)
                .max(GROWTH_PERIOD);
            while self
                .delivery
                .front()
                .is_some_and(|(t, _)| now.saturating_duration_since(*t) > round_trip)
            {
                self.delivery.pop_front();
            }
        }
        self.served.push_back(now);
        while self
            .served
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > SERVED_WINDOW)
        {
            self.served.pop_front();
        }
        let served = self.served_rate(now).unwrap_or(0.0);
        let rate = match self.phase {
            Phase::Growing => {
                let period = self
                    .smoothed_rtt
                    .unwrap_or(GROWTH_PERIOD)
                    .max(GROWTH_PERIOD)
                    .as_secs_f64();
                // A rate nobody uses is not a rate the server has accepted.
                (self.rate + GROWTH / period).min((2.0 * served).max(self.config.start_rate))
            }
            Phase::Recovering {
                ceiling,
                since,
                from,
            } => {
                let k = RECOVERY.as_secs_f64();
                let t = now.saturating_duration_since(since).as_secs_f64();
                let curve = if t < k {
                    ceiling - (ceiling - from) * (1.0 - t / k).powi(3)
                } else {
                    ceiling * (1.0 + PROBE * ((t - k) / k).powi(3))
                };
                curve.min((2.0 * served).max(from))
            }
        };
        self.set_rate(rate.max(MIN_RATE));
    }
}

/// `rate` within the configured cap, and never below [`MIN_RATE`].
fn cap(rate: f64, max_rate: Option<f64>) -> f64 {
    let rate = if rate.is_finite() { rate } else { MIN_RATE };
    max_rate.map_or(rate, |m| rate.min(m)).max(MIN_RATE)
}

#[cfg(test)]
mod tests;
