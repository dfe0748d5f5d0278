//! The executor: one operation's life, the same for both clouds.
//!
//! 1. **Settle and check.** Read the job, waiting while it is between states. Compare it
//!    with the plan (the cloud's [`Driver::check`]): anything someone else changed since
//!    means nothing is written. Run the service's own prechecks ([`Driver::precheck`]):
//!    one that fails stops the operation. If the write's effect is already live, stop
//!    there ([`Driver::already`], which also re-runs the guard on an object list about
//!    to be sent).
//! 2. **Write once.** Send the write a single time. When the answer is one a later
//!    attempt may get past — throttling, "the job is being modified", a server error, a
//!    lost answer — go back to 1 (see [`super::write_rule`]): a write is only ever sent
//!    against the live state it was just checked against.
//! 3. **Read back** ([`Driver::verify`]; most operations use [`read_back`]) until the
//!    job shows the write — or shows someone else's, which is said as such.
//!
//! Each cloud supplies its steps through [`Driver`]; waits go through [`super::wait::until`].

use std::time::{Duration, Instant};

use super::wait::{Decision, Ended, until};
use super::write_rule::{self, AfterError};
use super::{ApplyError, ApplyOptions, Outcome, Progress};

/// One operation's running context: who it is, its deadline, and its polls.
pub(super) struct Ctx<'a> {
    pub op_id: &'a str,
    pub action: &'static str,
    pub started: Instant,
    pub options: &'a ApplyOptions,
    pub progress: &'a Progress,
    /// Reads made so far (the first read, waits and read-backs).
    pub polls: usize,
}

impl Ctx<'_> {
    pub fn deadline(&self) -> Instant {
        self.started + self.options.operation_timeout
    }

    pub fn no_answer(&self, action: &str) -> ApplyError {
        ApplyError::NoAnswer {
            op: self.op_id.to_owned(),
            action: action.to_owned(),
            waited: self.started.elapsed(),
        }
    }

    fn unknown(&self) -> ApplyError {
        ApplyError::OutcomeUnknown {
            op: self.op_id.to_owned(),
            action: self.action.to_owned(),
            waited: self.started.elapsed(),
        }
    }

    /// Reads the job with `driver` until `decide` is done, within the operation's
    /// deadline; what `decide` made of it and the job as last read. `what` says what was
    /// being waited for, in a timeout.
    pub async fn poll<D: Driver + ?Sized, T>(
        &mut self,
        driver: &D,
        what: &'static str,
        decide: impl FnMut(&D::Live) -> Result<Decision<T>, ApplyError>,
    ) -> Result<(T, D::Live), ApplyError> {
        let deadline = self.deadline();
        let policy = self.options.poll;
        let progress = self.progress;
        let op_id = self.op_id;
        let polls = &mut self.polls;
        let result = until(
            deadline,
            &policy,
            async || {
                let live = driver.read().await;
                *polls += 1;
                live
            },
            decide,
            |live| progress.status(&format!("{op_id}: {}", driver.status(live))),
        )
        .await;
        result.map_err(|ended| match ended {
            Ended::Failed(e) => e,
            Ended::NoAnswer => self.no_answer(D::READ_ACTION),
            Ended::TimedOut(live) => ApplyError::Timeout {
                op: self.op_id.to_owned(),
                status: driver.status(&live),
                waited: self.started.elapsed(),
                what,
            },
        })
    }
}

/// Whether the write is live already, before it is sent.
pub(super) enum Already {
    /// No: send it.
    No,
    /// Yes: what shows it.
    Yes(String),
    /// An earlier attempt whose answer was lost may have started something only the
    /// read-back can judge: go straight to it.
    Verify,
}

/// What a cloud supplies for one operation.
pub(super) trait Driver {
    /// The job as one read shows it.
    type Live;
    /// The action that reads the job (for a read that gets no answer).
    const READ_ACTION: &'static str;

    /// Reads the job; a job that cannot be read safely is an error.
    async fn read(&self) -> Result<Self::Live, ApplyError>;
    /// The job's status as shown.
    fn status(&self, live: &Self::Live) -> String;
    /// Whether the job is between states; an error if it cannot be written at all.
    fn busy(&self, live: &Self::Live) -> Result<bool, ApplyError>;
    /// Step 1's comparison with the plan: someone else's change is an error.
    fn check(&self, live: &Self::Live) -> Result<(), ApplyError>;
    /// The checks the service offers before a write (Alibaba's endpoint prechecks,
    /// `ModifyDtsJobEndpoint` with `DryRun`), run after the comparison with the plan and
    /// before anything is sent; a failure stops the operation.
    async fn precheck(&self, _live: &Self::Live) -> Result<(), ApplyError> {
        Ok(())
    }
    /// Whether the write is live already, or why it may not be sent now. `after_lost`:
    /// an earlier attempt got no answer and may have landed.
    fn already(&self, live: &Self::Live, after_lost: bool) -> Result<Already, ApplyError>;
    /// Sends the write once.
    async fn send(&self) -> Result<(), crate::cloud::Error>;
    /// Step 3: reads back until the write shows. `before` is the job as last checked.
    async fn verify(&self, before: Self::Live, ctx: &mut Ctx<'_>) -> Result<String, ApplyError>;
}

/// Runs one operation through steps 1–3.
pub(super) async fn execute<D: Driver>(
    driver: &D,
    ctx: &mut Ctx<'_>,
) -> Result<Outcome, ApplyError> {
    let mut attempt = 0;
    let mut maybe_landed = false;
    let mut pause_before_write = Duration::ZERO;
    // No answer while a write may have landed: the outcome is unknown.
    let unknown = |e: ApplyError, maybe_landed: bool, ctx: &Ctx<'_>| match e {
        ApplyError::Timeout { .. } | ApplyError::NoAnswer { .. } if maybe_landed => ctx.unknown(),
        other => other,
    };
    let lost_note = |text: String, maybe_landed: bool| {
        if maybe_landed {
            Outcome::Applied(format!(
                "{text} (no answer to the write arrived, but the job shows it)"
            ))
        } else {
            Outcome::AlreadyApplied(text)
        }
    };
    // The job as last checked, and whether the write goes unsent into the read-back
    // (an earlier attempt whose answer was lost may have landed).
    let (before, lost) = loop {
        let ((), live) = ctx
            .poll(
                driver,
                "waiting for the job to settle before writing",
                |live| {
                    Ok(if driver.busy(live)? {
                        Decision::Wait
                    } else {
                        Decision::Done(())
                    })
                },
            )
            .await
            .map_err(|e| unknown(e, maybe_landed, ctx))?;
        driver.check(&live)?;
        driver.precheck(&live).await?;
        match driver.already(&live, maybe_landed)? {
            Already::Yes(text) => return Ok(lost_note(text, maybe_landed)),
            Already::Verify => break (live, true),
            Already::No => {}
        }
        tokio::time::sleep(std::mem::take(&mut pause_before_write)).await;
        attempt += 1;
        let Ok(sent) = tokio::time::timeout_at(ctx.deadline().into(), driver.send()).await else {
            // The request may have gone out; no answer came in time.
            return Err(ctx.unknown());
        };
        let error = match sent {
            Ok(()) => break (live, false),
            Err(error) => error,
        };
        match write_rule::after_error(&error, attempt, rand::random::<f64>()) {
            AfterError::Fail => return Err(ApplyError::api(ctx.op_id, ctx.action, error)),
            AfterError::Recheck {
                delay,
                maybe_landed: landed,
                throttled,
            } => {
                maybe_landed |= landed;
                tracing::debug!(op = ctx.op_id, attempt, ?delay, error = %error, "write not taken; re-checking before any resend");
                ctx.progress
                    .status(&format!("{}: {error}; re-checking the job", ctx.op_id));
                if Instant::now() + delay >= ctx.deadline() {
                    return Err(unknown(ctx.no_answer(ctx.action), maybe_landed, ctx));
                }
                if throttled {
                    pause_before_write = delay;
                } else {
                    tokio::time::sleep(delay).await;
                }
            }
        }
    };
    let text = driver
        .verify(before, ctx)
        .await
        .map_err(|e| unknown(e, lost, ctx))?;
    Ok(Outcome::Applied(text))
}

/// What a write shows once it is live, for [`read_back`].
pub(super) trait Shows: Driver {
    /// Whether `live` shows the write: what was verified, or what differs.
    fn shown(&self, live: &Self::Live) -> Result<String, Vec<String>>;
    /// A status that means the write failed (not one it asked for).
    fn failure(&self, _live: &Self::Live) -> Option<ApplyError> {
        None
    }
    /// What in `after` shows that someone else wrote too (see
    /// [`write_rule::others_changes`]).
    fn others(&self, _before: &Self::Live, _after: &Self::Live) -> Vec<String> {
        Vec::new()
    }
    /// Whether the write replaces a whole list: then, on a job that showed no busy phase
    /// since the write, it must keep showing for the stability window.
    fn whole_list(&self) -> bool {
        false
    }
}

/// Step 3 for a write that shows in the job itself: poll until the job has settled and
/// shows it. Someone else's write is an error at once; any other difference that
/// persists beyond the grace period is a read-back error.
pub(super) async fn read_back<D: Shows>(
    driver: &D,
    before: &D::Live,
    ctx: &mut Ctx<'_>,
) -> Result<String, ApplyError> {
    let options = ctx.options;
    let op_id = ctx.op_id.to_owned();
    let mut differing_since: Option<Instant> = None;
    let mut busy_since_write = false;
    let mut shown_since: Option<Instant> = None;
    let (text, _) = ctx
        .poll(driver, "waiting for the change to show", |live| {
            if driver.busy(live)? {
                busy_since_write = true;
                return Ok(Decision::Wait);
            }
            match (driver.shown(live), driver.failure(live)) {
                (Ok(text), _) if driver.whole_list() && !busy_since_write => {
                    let since = *shown_since.get_or_insert_with(Instant::now);
                    Ok(if since.elapsed() < options.stability_window {
                        Decision::Wait
                    } else {
                        Decision::Done(text)
                    })
                }
                (Ok(text), _) => Ok(Decision::Done(text)),
                (Err(_), Some(failure)) => Err(failure),
                (Err(differences), None) => {
                    let others = driver.others(before, live);
                    if !others.is_empty() {
                        return Err(ApplyError::Conflict {
                            op: op_id.clone(),
                            changes: super::named(others),
                        });
                    }
                    let since = *differing_since.get_or_insert_with(Instant::now);
                    if since.elapsed() < options.read_back_grace {
                        Ok(Decision::Wait)
                    } else {
                        Err(ApplyError::ReadBack {
                            op: op_id.clone(),
                            differences: super::named(differences),
                        })
                    }
                }
            }
        })
        .await?;
    Ok(text)
}
