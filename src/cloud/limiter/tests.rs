// Rates that are set, not computed, are compared exactly.
#![allow(clippy::float_cmp)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sends one request at `now` and answers it `latency` later.
fn round_trip(l: &mut ActionLimiter, now: Instant, latency: Duration, answer: Answer) -> Instant {
    let grant = l.try_acquire(now).expect("a grant");
    let answered = now + latency;
    l.finish(grant, answer, answered);
    answered
}

fn throttled(retry_after: Option<Duration>) -> Answer {
    Answer::Throttled { retry_after }
}

/// Sends a request at each of `times` (as far as the limiter allows then), answers each
/// `latency` later with `verdict(index)`, in time order; returns how many were sent.
fn drive(
    l: &mut ActionLimiter,
    times: impl IntoIterator<Item = Instant>,
    latency: Duration,
    verdict: impl Fn(usize) -> Answer,
) -> usize {
    let mut pending: Vec<(usize, Grant)> = Vec::new();
    let mut sent = 0;
    let answer_until = |l: &mut ActionLimiter, pending: &mut Vec<(usize, Grant)>, now| {
        while let Some((i, g)) = pending.first().copied()
            && g.sent_at + latency <= now
        {
            pending.remove(0);
            l.finish(g, verdict(i), g.sent_at + latency);
        }
    };
    for at in times {
        answer_until(l, &mut pending, at);
        if let Ok(g) = l.try_acquire(at) {
            pending.push((sent, g));
            sent += 1;
        }
    }
    answer_until(l, &mut pending, Instant::now() + Duration::from_hours(1));
    sent
}

#[test]
fn the_rate_grows_while_answers_succeed_and_the_window_follows_it() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    assert_eq!(l.rate(), START_RATE);
    assert_eq!(l.window(), START_WINDOW, "before any latency is known");
    // A request every millisecond for 400 ms, each answered 20 ms later.
    let sent = drive(&mut l, (0..400).map(|i| t0 + ms(i)), ms(20), |_| {
        Answer::Served
    });
    assert!(sent >= 390, "{sent}: hardly ever held back");
    assert!(l.rate() > 1.3 * START_RATE, "{}", l.rate());
    // Little's law with headroom: rate x 20 ms x 2.
    let expected = (l.rate() * 0.02 * HEADROOM).ceil();
    #[allow(clippy::cast_precision_loss)]
    let window = l.window() as f64;
    assert!((window - expected).abs() <= 1.0, "{window} vs {expected}");
    assert_eq!(l.stats().throttled, 0);
    assert_eq!(l.stats().learned, None);
}

#[test]
fn requests_are_paced_and_held_while_the_window_is_full() {
    let t0 = Instant::now();
    let config = LimiterConfig {
        max_rate: Some(10.0),
        max_in_flight: 2,
        start_rate: START_RATE,
    };
    let mut l = ActionLimiter::new(config, t0);
    let first = l.try_acquire(t0).unwrap();
    assert_eq!(l.try_acquire(t0), Err(Wait::Until(t0 + ms(100))));
    let second = l.try_acquire(t0 + ms(100)).unwrap();
    assert_eq!(
        l.try_acquire(t0 + ms(200)),
        Err(Wait::Answer),
        "two in flight"
    );
    l.finish(first, Answer::Served, t0 + ms(210));
    assert!(l.try_acquire(t0 + ms(210)).is_ok());
    l.finish(second, Answer::Lost, t0 + ms(220));
    assert_eq!(l.stats().requests, 3);
}

#[test]
fn configured_caps_bound_the_start_the_growth_and_the_window() {
    let t0 = Instant::now();
    let config = LimiterConfig {
        max_rate: Some(40.0),
        max_in_flight: 3,
        start_rate: START_RATE,
    };
    let mut l = ActionLimiter::new(config, t0);
    assert_eq!(l.rate(), 40.0, "starts at the cap");
    let mut now = t0;
    for _ in 0..200 {
        now = round_trip(&mut l, now, ms(5), Answer::Served) + ms(20);
    }
    assert_eq!(l.rate(), 40.0, "never grows past the cap");
    assert_eq!(l.window(), 3);
    // A measurement above the cap does not raise the rate past it either.
    let sent = now;
    let g = l.try_acquire(sent).unwrap();
    l.finish(g, throttled(None), sent + ms(5));
    assert!(l.rate() <= 40.0 * CUT + 1e-9);
    assert_eq!(LimiterConfig::capped(Some(f64::NAN)).max_rate, None);
    assert_eq!(LimiterConfig::capped(Some(0.0)).max_rate, None);
}

#[test]
fn a_throttling_answer_cuts_once_for_everything_sent_before_the_cut() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::capped(Some(200.0)), t0);
    // 20 requests sent at 200/s, all answered 100 ms later; the first 5 pass.
    let grants: Vec<Grant> = (0..20)
        .map(|i| l.try_acquire(t0 + ms(5 * i)).unwrap())
        .collect();
    for (i, g) in grants.iter().enumerate() {
        let answer = if i < 5 {
            Answer::Served
        } else {
            throttled(None)
        };
        l.finish(*g, answer, g.sent_at + ms(100));
        if i == 5 {
            assert_eq!(l.rate(), 200.0 * CUT, "the first throttling answer cuts");
        }
    }
    // The other 14 were sent before the cut: they did not cut again (the measurement
    // may only bring the rate down to what the server admitted).
    assert!(l.rate() >= 5.0, "{}", l.rate());
    assert_eq!(l.stats().throttled, 15);
    assert!(l.stats().learned.is_some());
}

#[test]
fn the_measured_limit_is_what_the_server_admitted_while_saturated() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::capped(Some(500.0)), t0);
    // Offered at 500/s, each answered 40 ms later, by a server that admits a burst of 10
    // and then 100/s: the limit is learned from the first round of refusals.
    let mut server = Server::new(t0, 100.0, 10.0);
    simulate(&mut l, &mut server, 100, ms(40), t0);
    let learned = l.stats().learned.unwrap();
    assert!((85.0..=115.0).contains(&learned), "{learned}");
    assert!(l.rate() <= 1.1 * learned, "{} vs {learned}", l.rate());
    assert!(l.stats().throttled <= 20, "{:?}", l.stats());
}

#[test]
fn a_retry_after_hint_holds_every_request_until_it_has_passed() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let g = l.try_acquire(t0).unwrap();
    l.finish(g, throttled(Some(ms(300))), t0 + ms(10));
    assert_eq!(l.try_acquire(t0 + ms(10)), Err(Wait::Until(t0 + ms(310))));
    assert_eq!(l.try_acquire(t0 + ms(200)), Err(Wait::Until(t0 + ms(310))));
    assert!(l.try_acquire(t0 + ms(310)).is_ok());
}

#[test]
fn throttling_in_a_row_without_a_hint_pauses_longer_each_time() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::capped(Some(10.0)), t0);
    let mut now = t0;
    let mut pauses = Vec::new();
    for _ in 0..6 {
        let g = loop {
            match l.try_acquire(now) {
                Ok(g) => break g,
                Err(Wait::Until(t)) => now = t,
                Err(Wait::Answer) => unreachable!(),
            }
        };
        now += ms(1);
        l.finish(g, throttled(None), now);
        if let Err(Wait::Until(t)) = l.try_acquire(now) {
            pauses.push(t - now);
        }
    }
    assert!(pauses.windows(2).all(|p| p[1] >= p[0]), "{pauses:?}");
    assert!(pauses.iter().all(|p| *p <= MAX_PAUSE), "{pauses:?}");
    // One served answer ends the run.
    let g = loop {
        match l.try_acquire(now) {
            Ok(g) => break g,
            Err(Wait::Until(t)) => now = t,
            Err(Wait::Answer) => unreachable!(),
        }
    };
    l.finish(g, Answer::Served, now + ms(1));
    assert_eq!(l.throttled_in_a_row, 0);
}

#[test]
fn after_a_cut_the_rate_returns_to_the_ceiling_and_then_probes_above_it() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::capped(Some(200.0)), t0);
    // Offered every millisecond, answered 20 ms later; only the 100th is throttled, at
    // 200/s: a lone refusal, too few answers to measure anything by.
    let offer = |from: u64, to: u64| (from..to).map(move |i| t0 + ms(i));
    drive(&mut l, offer(0, 500), ms(20), |i| {
        if i == 99 {
            throttled(None)
        } else {
            Answer::Served
        }
    });
    assert_eq!(
        l.stats().learned,
        Some(200.0),
        "the ceiling is where it was refused"
    );
    let cut_at = 0.5; // about when the lone refusal came
    let rate_after = |l: &mut ActionLimiter, from: u64, to: u64| {
        drive(l, offer(from, to), ms(20), |_| Answer::Served);
        l.rate()
    };
    // Back near the ceiling within RECOVERY, and on above it after that.
    let k = RECOVERY.as_secs_f64();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let at = |secs: f64| (secs * 1000.0) as u64;
    let mid = rate_after(&mut l, 500, at(cut_at + k / 2.0));
    assert!((100.0..190.0).contains(&mid), "{mid}");
    let back = rate_after(&mut l, at(cut_at + k / 2.0), at(cut_at + k + 0.1));
    assert!(back >= 195.0, "{back}");
    assert_eq!(l.stats().learned, Some(200.0));
}

#[test]
fn the_window_follows_the_rate_at_the_latency_answers_come_with() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::capped(Some(100.0)), t0);
    // Offered every 10 ms (100/s), answered in 50 ms.
    drive(&mut l, (0..100).map(|i| t0 + ms(10 * i)), ms(50), |_| {
        Answer::Served
    });
    let flat = l.window();
    assert_eq!(flat, 10, "100/s x 50 ms x 2");
    // Then answered in 400 ms: still 100/s, so 40 in flight and a little headroom (a
    // latency that rose from contention must not cap the rate).
    drive(&mut l, (100..300).map(|i| t0 + ms(10 * i)), ms(400), |_| {
        Answer::Served
    });
    let slow = l.window();
    assert!((40..=52).contains(&slow), "{slow}");
    // A cut shrinks it in proportion.
    let g = l.try_acquire(t0 + ms(3000)).unwrap();
    l.finish(g, throttled(None), t0 + ms(3400));
    assert!(l.window() <= slow / 2 + 1, "{} vs {slow}", l.window());
}

/// A server model: a token bucket of `burst` refilled at `rate` (which may change at
/// given offsets), or a fixed window; it decides on each request `latency` after it was
/// sent (or, with a `service` time, when it is done with the ones before) and answers
/// then, as the emulator does.
struct Server {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
    changes: Vec<(Instant, f64)>,
    /// Counts `rate` requests per fixed second from `t0` instead, as Tencent does.
    window: Option<(Instant, u32)>,
    /// Time the server (and the client's own processing) spends on each request, one
    /// request at a time: requests queue when they come faster, and latency rises.
    service: Duration,
    free_at: Instant,
    /// The first request's latency, if not the others'.
    first_latency: Option<Duration>,
}

impl Server {
    fn new(t0: Instant, rate: f64, burst: f64) -> Self {
        Self {
            rate,
            burst,
            tokens: burst,
            at: t0,
            changes: Vec::new(),
            window: None,
            service: Duration::ZERO,
            free_at: t0,
            first_latency: None,
        }
    }

    /// A server that admits `limit` requests in each second counted from `t0`.
    fn fixed_window(t0: Instant, limit: u32) -> Self {
        Self {
            window: Some((t0, 0)),
            ..Self::new(t0, f64::from(limit), f64::from(limit))
        }
    }

    fn admit(&mut self, now: Instant) -> Answer {
        if let Some((start, count)) = &mut self.window {
            if now.saturating_duration_since(*start) >= Duration::from_secs(1) {
                *start = now;
                *count = 0;
            }
            *count += 1;
            #[allow(clippy::cast_precision_loss)]
            return if f64::from(*count) <= self.rate {
                Answer::Served
            } else {
                throttled(None)
            };
        }
        while let Some((at, rate)) = self.changes.first().copied()
            && at <= now
        {
            self.tokens = (self.tokens + (at - self.at).as_secs_f64() * self.rate).min(self.burst);
            self.at = at;
            self.rate = rate;
            self.changes.remove(0);
        }
        self.tokens = (self.tokens + (now - self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Answer::Served
        } else {
            throttled(None)
        }
    }
}

/// `n` requests, each retried until served, sent as fast as the limiter allows.
/// Returns (simulated time to the last answer, requests, throttled).
fn simulate(
    l: &mut ActionLimiter,
    server: &mut Server,
    n: usize,
    latency: Duration,
    t0: Instant,
) -> (Duration, u64, u64) {
    let mut unsent = n;
    let mut done = 0;
    let mut answers: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut grants = std::collections::HashMap::new();
    let mut now = t0;
    let mut id = 0u64;
    while done < n {
        let mut next_send = None;
        while unsent > 0 {
            match l.try_acquire(now) {
                Ok(g) => {
                    unsent -= 1;
                    id += 1;
                    let latency = match server.first_latency.take() {
                        Some(first) => first,
                        None => latency,
                    };
                    let decided = (now + latency).max(server.free_at);
                    server.free_at = decided + server.service;
                    grants.insert(id, (g, server.admit(decided)));
                    answers.push(Reverse((server.free_at, id)));
                }
                Err(Wait::Until(t)) => {
                    next_send = Some(t);
                    break;
                }
                Err(Wait::Answer) => break,
            }
        }
        let next_answer = answers.peek().map(|Reverse((t, _))| *t);
        now = match (next_send, next_answer) {
            (Some(s), Some(a)) => s.min(a),
            (Some(s), None) => s,
            (None, Some(a)) => a,
            (None, None) => unreachable!("nothing in flight and nothing to send"),
        };
        while let Some(Reverse((t, id))) = answers.peek().copied()
            && t <= now
        {
            answers.pop();
            let (g, answer) = grants.remove(&id).unwrap();
            l.finish(g, answer, t);
            if answer == Answer::Served {
                done += 1;
            } else {
                unsent += 1;
            }
        }
    }
    let stats = l.stats();
    (now - t0, stats.requests, stats.throttled)
}

#[allow(clippy::cast_precision_loss)]
fn fraction(throttled: u64, requests: u64) -> f64 {
    throttled as f64 / requests as f64
}

/// `n` requests from a fresh limiter against the server `make` makes at the start:
/// the time they took over the bound max(n / `rate`, `latency`), the requests sent and
/// those throttled.
fn against(
    make: impl FnOnce(Instant) -> Server,
    rate: f64,
    n: usize,
    latency: Duration,
) -> (f64, u64, u64) {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let mut server = make(t0);
    let (took, requests, throttled) = simulate(&mut l, &mut server, n, latency, t0);
    #[allow(clippy::cast_precision_loss)]
    let bound = (n as f64 / rate).max(latency.as_secs_f64());
    (took.as_secs_f64() / bound, requests, throttled)
}

/// The control law against server models, in simulated time: close to the server's
/// limit with few throttling answers, from a limit of 20/s to 1,000/s, with a burst of a
/// tenth of a second's worth (at least 10) or a whole second's. (The real figures,
/// against the emulator, are in BENCHMARKS.md.)
#[test]
fn against_a_simulated_server_it_keeps_near_the_limit_with_few_throttled_answers() {
    let mut failures = Vec::new();
    for (rate, latency_ms, n, burst) in [
        (20.0, 100, 1000, 10.0),
        (20.0, 20, 1000, 10.0),
        (100.0, 100, 1000, 10.0),
        (250.0, 100, 1000, 25.0),
        (250.0, 20, 1000, 25.0),
        (1000.0, 100, 1000, 100.0),
        (1000.0, 20, 1000, 100.0),
        (20.0, 100, 300, 20.0),
        (20.0, 20, 300, 20.0),
    ] {
        let (ratio, requests, throttled) =
            against(|t0| Server::new(t0, rate, burst), rate, n, ms(latency_ms));
        let share = fraction(throttled, requests);
        let case = format!(
            "{rate}/s burst {burst}, {latency_ms} ms, {n} requests: {ratio:.3} of the bound, {throttled} of {requests} throttled ({:.1}%)",
            share * 100.0
        );
        // A thousand requests meet the benchmark's targets with some margin. Three hundred
        // against a burst of a second's worth: the first round trips probe (the burst hides
        // the limit until it is used up), then seldom.
        #[allow(clippy::cast_precision_loss)]
        let allowed = if n >= 1000 {
            0.1
        } else {
            (START_WINDOW as f64 + 0.05 * requests as f64) / requests as f64
        };
        if ratio > 1.12 || share > allowed {
            failures.push(case);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A limit that drops mid-run is followed down within a few round trips, and one that
/// comes back is found again.
#[test]
fn a_dropped_limit_is_followed_down_and_a_restored_one_found_again() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let mut server = Server::new(t0, 250.0, 25.0);
    server.changes = vec![
        (t0 + Duration::from_secs(2), 50.0),
        (t0 + Duration::from_secs(6), 250.0),
    ];
    let (took, requests, throttled) = simulate(&mut l, &mut server, 2000, ms(50), t0);
    // 500 in the first 2 s, 200 in the next 4 s, the remaining 1,300 at 250/s: 11.2 s.
    let bound = 2.0 + 4.0 + 1300.0 / 250.0;
    let case = format!("{took:?} for bound {bound} s, {throttled} of {requests} throttled");
    assert!(took.as_secs_f64() <= 1.2 * bound, "{case}");
    assert!(fraction(throttled, requests) <= 0.1, "{case}");
    assert!(l.stats().learned.unwrap() > 150.0, "{:?}", l.stats());
}

/// A refusal while probing above the learned ceiling says the limit is still there: the
/// rate goes back just under it. One below the ceiling says the limit dropped: a cut.
#[test]
fn a_failed_probe_returns_under_the_ceiling_and_a_refusal_below_it_cuts() {
    let t0 = Instant::now();
    let recovering = |rate: f64| {
        let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
        l.phase = Phase::Recovering {
            ceiling: 100.0,
            since: t0,
            from: 50.0,
        };
        l.rate = rate;
        l
    };
    let mut probing = recovering(130.0);
    let now = t0 + Duration::from_secs(10);
    let g = probing.try_acquire(now).unwrap();
    probing.finish(g, throttled(None), now + ms(20));
    assert!(
        (probing.rate() - RESUME * 100.0).abs() < 1e-9,
        "{}",
        probing.rate()
    );
    assert_eq!(probing.stats().learned, Some(100.0));

    let mut below = recovering(90.0);
    let g = below.try_acquire(now).unwrap();
    below.finish(g, throttled(None), now + ms(20));
    assert!((below.rate() - CUT * 90.0).abs() < 1e-9, "{}", below.rate());
    assert_eq!(below.stats().learned, Some(90.0));
}

/// Requests sent after a pause (the window was full) find the server's bucket refilled:
/// they do not count towards the measured limit, which stays what the server admitted
/// while saturated.
#[test]
fn a_pause_in_sending_ends_the_measurement() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    // 100 ms latency: the first window goes out in 32 ms, then nothing until answers come.
    let mut server = Server::new(t0, 100.0, 10.0);
    simulate(&mut l, &mut server, 60, ms(100), t0);
    let learned = l.stats().learned.unwrap();
    assert!((80.0..=130.0).contains(&learned), "{learned}");
}

/// A timer wakes up to a millisecond late: at 200/s that is a fifth of the interval, and
/// the pace must not lose it.
#[test]
fn a_late_wake_up_does_not_slow_the_pace() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::capped(Some(200.0)), t0);
    let mut now = t0;
    let mut sent = 0;
    while now < t0 + Duration::from_secs(1) {
        match l.try_acquire(now) {
            Ok(g) => {
                sent += 1;
                l.finish(g, Answer::Served, now + ms(1));
            }
            Err(Wait::Until(at)) => now = at + ms(1),
            Err(Wait::Answer) => unreachable!("one in flight at a time"),
        }
    }
    assert!(sent >= 199, "{sent} in a second at 200/s");
}

/// Tencent counts a per-action limit in fixed one-second windows: the first 20 requests
/// of a second are admitted at once, then every one is refused until the second ends.
/// A run of refusals is a quota used up, not a lower limit: the limiter holds one request
/// at a time until the quota comes back instead of cutting its rate again at each one,
/// and learns the limit from what a whole cycle served.
#[test]
fn against_a_fixed_window_it_waits_for_the_next_one_and_learns_the_quota() {
    let mut failures = Vec::new();
    // The throttled share is mostly the first round trip: nothing is known, and the
    // requests on their way when a second's quota runs out are refused (at 100 per second
    // and 100 ms, about a hundred in the first half second); after that, few.
    for (limit, latency_us, n, max_share) in [
        (20, 300, 60, 0.0_f64),
        (20, 20_000, 300, 0.12),
        (20, 100_000, 1000, 0.1),
        (100, 100_000, 1000, 0.15),
        (250, 100_000, 1000, 0.15),
    ] {
        let (ratio, requests, throttled) = against(
            |t0| Server::fixed_window(t0, limit),
            f64::from(limit),
            n,
            Duration::from_micros(latency_us),
        );
        let case = format!(
            "{limit} per second, {latency_us} us, {n} requests: {ratio:.3} of the bound, {throttled} of {requests} throttled",
        );
        // A small plan: the first round trip, then 5 %.
        #[allow(clippy::cast_precision_loss)]
        let allowed =
            max_share.max((START_WINDOW as f64 + 0.05 * requests as f64) / requests as f64);
        if ratio > 1.2 || fraction(throttled, requests) > allowed {
            failures.push(case);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A run of refusals (each sent after the first came back) holds one request in
/// flight at a time and does not cut the rate again; the request served at its end sets
/// the ceiling to what the cycle served per second.
#[test]
fn a_run_of_refusals_probes_one_at_a_time_and_its_end_learns_the_quota() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    // 20 served in the first 20 ms, then refused.
    let mut now = t0;
    for _ in 0..20 {
        now = round_trip(&mut l, now, ms(1), Answer::Served);
    }
    now = round_trip(&mut l, now, ms(1), throttled(None));
    let cut = l.rate();
    let mut refused = 1;
    let mut window_in_run = Vec::new();
    // Refused until the second is over; each probe waits for the pause.
    while now < t0 + Duration::from_secs(1) {
        match l.try_acquire(now) {
            Ok(g) => {
                now += ms(1);
                l.finish(g, throttled(None), now);
                refused += 1;
                window_in_run.push(l.window());
            }
            Err(Wait::Until(at)) => now = at,
            Err(Wait::Answer) => unreachable!("nothing in flight"),
        }
    }
    // Pauses that double from two sending intervals (4 ms at the cut rate of about
    // 500/s): about ten probes until the second is over, not one per interval.
    assert!(refused <= 10, "{refused} probes in the rest of the second");
    assert!(
        window_in_run[1..].iter().all(|w| *w == 1),
        "{window_in_run:?}"
    );
    assert_eq!(l.rate(), cut, "refusals in a row do not cut again");
    // The quota comes back: 20 served over the second (and a little) of the cycle.
    let g = loop {
        match l.try_acquire(now) {
            Ok(g) => break g,
            Err(Wait::Until(at)) => now = at,
            Err(Wait::Answer) => unreachable!("nothing in flight"),
        }
    };
    l.finish(g, Answer::Served, now + ms(1));
    let learned = l.stats().learned.unwrap();
    assert!((10.0..=20.0).contains(&learned), "{learned}");
    assert!((l.rate() - RESUME * learned).abs() < 1e-9, "{}", l.rate());
    assert!(l.window() > 1, "one answer served ends the run");
}

/// Before anything is learned, answers that come slower because requests queue behind
/// the client's own (a server, or a client, that handles one request at a time) do not
/// widen the window: the first refusals stay about the server's burst plus what was in
/// flight, not a window that grew with the queue.
#[test]
fn requests_queueing_behind_the_clients_own_do_not_widen_the_window() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let mut server = Server::new(t0, 20.0, 20.0);
    server.service = ms(3);
    let (_, requests, throttled) =
        simulate(&mut l, &mut server, 120, Duration::from_micros(300), t0);
    // 36 when the window followed the queue.
    assert!(throttled <= 25, "{throttled} of {requests} throttled");
    let learned = l.stats().learned.unwrap();
    assert!((15.0..=25.0).contains(&learned), "{learned}");
}

/// Before anything is learned, one fast first answer does not hold the window down when
/// the others come slower: the window follows them at the rate they are served at.
#[test]
fn a_fast_first_answer_does_not_hold_the_window_down() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    // A server that never refuses: the first answer in 2 ms, every other in 100 ms.
    let mut server = Server::new(t0, 1e9, 1e9);
    server.first_latency = Some(ms(2));
    let (took, _, _) = simulate(&mut l, &mut server, 2000, ms(100), t0);
    // Held at 4 in flight, 2,000 answers of 100 ms would take 50 s.
    assert!(
        took < Duration::from_secs(5),
        "{took:?}, window {}",
        l.window()
    );
}

/// A request sent before a run of refusals began, served late, ends the run but does
/// not close a quota's cycle: it says nothing of when the quota came back.
#[test]
fn a_late_answer_from_before_a_run_does_not_teach_the_quota() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let mut now = t0;
    for _ in 0..5 {
        now = round_trip(&mut l, now, ms(1), Answer::Served);
    }
    let early = l.try_acquire(now).unwrap();
    let refused = l.try_acquire(now + ms(1)).unwrap();
    l.finish(refused, throttled(None), now + ms(2));
    // Sent after the first refusal came back, refused too: a run.
    let mut at = now + ms(2);
    let again = loop {
        match l.try_acquire(at) {
            Ok(g) => break g,
            Err(Wait::Until(t)) => at = t,
            Err(Wait::Answer) => unreachable!("room in the window"),
        }
    };
    l.finish(again, throttled(None), at + ms(1));
    let before = l.stats();
    l.finish(early, Answer::Served, now + ms(300));
    let after = l.stats();
    assert_eq!(after.learned, before.learned, "{before:?} -> {after:?}");
    assert!(after.rate >= before.rate, "{before:?} -> {after:?}");
}

/// Time nobody asked for anything is not time the quota refused: after a minute idle,
/// a fixed window of 20 is still learned as about 20.
#[test]
fn idle_time_does_not_count_in_a_quotas_cycle() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let mut now = t0;
    for _ in 0..10 {
        now = round_trip(&mut l, now, ms(1), Answer::Served);
    }
    let later = t0 + Duration::from_mins(1);
    let mut server = Server::fixed_window(later, 20);
    let (took, requests, throttled) = simulate(&mut l, &mut server, 200, ms(20), later);
    let learned = l.stats().learned.unwrap();
    assert!(
        learned >= 15.0,
        "learned {learned} ({took:?}, {throttled} of {requests} throttled)"
    );
    assert!(took < Duration::from_secs(13), "{took:?}");
}

/// A retry-after hint holds requests for at most [`MAX_RETRY_AFTER`], whatever number
/// the server sent.
#[test]
fn a_huge_retry_after_hint_is_honoured_up_to_a_minute() {
    let t0 = Instant::now();
    let mut l = ActionLimiter::new(LimiterConfig::default(), t0);
    let g = l.try_acquire(t0).unwrap();
    l.finish(g, throttled(Some(Duration::from_secs(1 << 40))), t0 + ms(1));
    match l.try_acquire(t0 + ms(2)) {
        Err(Wait::Until(until)) => {
            assert!(until <= t0 + ms(1) + MAX_RETRY_AFTER, "{:?}", until - t0);
        }
        other => panic!("{other:?}"),
    }
    assert!(l.try_acquire(t0 + ms(1) + MAX_RETRY_AFTER).is_ok());
}
