//! Carrying out a plan's operations on Tencent Cloud DTS migration jobs.
//!
//! The same three steps as for Alibaba (see `alibaba.rs`): settle and check, write
//! unless already live, read back. ModifyMigrateJob takes no ClientToken, so a re-run
//! recognises its own earlier write by comparing the live job with the request (the
//! whole object list, the name, MigrateOption and endpoint fields; never passwords,
//! which DTS does not return). The check operation creates a check job and waits for
//! its verdict; a check that does not pass is an error naming what DTS reported, and
//! the start that depends on it is skipped. StartMigrateJob is sent only to a job whose
//! check passed (status 4) and is verified by the job leaving it for a running status.

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::write_rule::{self, AfterError};
use super::{ApplyError, ApplyOptions, FromConfig, Outcome, Progress};
use crate::cloud::tencent::{DstInfo, MigrateOption, ModifyMigrateJob, SrcInfo, TencentClient};
use crate::objects::Removal;
use crate::objects::diff::{ObjectChange, diff};
use crate::objects::tencent::{self as info, DatabaseInfo};
use crate::plan::file::{PlanFileJob, PlanFileOperation, WHOLE_INSTANCE};
use crate::plan::tencent::{TencentLive, is_started, is_transitional, status_name};

/// One Tencent write, parsed from the plan file.
#[derive(Debug)]
pub(super) enum TencentWrite {
    Modify {
        request: Box<ModifyMigrateJob>,
        expected: Box<Expected>,
    },
    Check,
    Start,
}

impl TencentWrite {
    /// The operation id's last part for this write.
    pub(super) fn slug(&self) -> &'static str {
        match self {
            TencentWrite::Modify { .. } => "modify",
            TencentWrite::Check => "check",
            TencentWrite::Start => "start",
        }
    }
}

/// What a modify leaves live, to recognise it.
#[derive(Debug)]
pub(super) struct Expected {
    objects: DatabaseInfo,
    /// Removals the plan showed (`*`: narrowing a whole-instance job to a list).
    removes: Vec<Removal>,
    narrows_instance: bool,
    job_name: Option<String>,
    option: Map<String, Value>,
    src_access: Option<String>,
    src: Map<String, Value>,
    dst_access: Option<String>,
    dst: Map<String, Value>,
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl Expected {
    /// Whether `live` shows it: what was verified, or what differs.
    fn shown_in(&self, live: &TencentLive) -> Result<String, Vec<String>> {
        let mut differing = Vec::new();
        match (&self.objects, &live.objects) {
            (DatabaseInfo::WholeInstance, DatabaseInfo::WholeInstance) => {}
            (DatabaseInfo::Objects(sent), DatabaseInfo::Objects(tree)) => {
                let d = diff(sent, tree);
                differing.extend(d.changes.iter().map(ObjectChange::mismatch));
            }
            (DatabaseInfo::WholeInstance, _) => {
                differing.push("the job lists objects, not the whole instance".into());
            }
            (_, DatabaseInfo::WholeInstance) => {
                differing.push("the job migrates the whole instance, not the list sent".into());
            }
        }
        if let Some(name) = &self.job_name
            && *name != live.job_name
        {
            differing.push(format!("its name is {:?}, not {name:?}", live.job_name));
        }
        let fields = |what: &str, want: &Map<String, Value>, have: &Map<String, Value>| {
            want.iter()
                .filter(|(k, v)| k.as_str() != "Password" && text(Some(v)) != text(have.get(*k)))
                .map(|(k, v)| {
                    format!(
                        "{what}.{k} is {:?}, not {:?}",
                        text(have.get(k)),
                        text(Some(v))
                    )
                })
                .collect::<Vec<_>>()
        };
        differing.extend(fields("MigrateOption", &self.option, &live.migrate_option));
        differing.extend(fields("SrcInfo", &self.src, &live.src_info));
        differing.extend(fields("DstInfo", &self.dst, &live.dst_info));
        for (what, want, have) in [
            ("SrcAccessType", &self.src_access, &live.src_access_type),
            ("DstAccessType", &self.dst_access, &live.dst_access_type),
        ] {
            if let Some(want) = want
                && want != have
            {
                differing.push(format!("{what} is {have:?}, not {want:?}"));
            }
        }
        if differing.is_empty() {
            Ok(match &live.objects {
                DatabaseInfo::WholeInstance => {
                    "the job shows the configuration sent (the whole instance)".into()
                }
                DatabaseInfo::Objects(tree) => format!(
                    "the job shows the configuration sent ({} objects)",
                    tree.count()
                ),
            })
        } else {
            Err(differing)
        }
    }
}

/// Parses one Tencent operation of a plan file.
pub(super) fn parse_write(
    job: &PlanFileJob,
    op: &PlanFileOperation,
    config: &FromConfig,
) -> Result<TencentWrite, ApplyError> {
    let bad = |what: &str| {
        ApplyError::plan(
            format!("{}: {} {what}", op.id, op.action),
            "the plan file is damaged or was not written by dtsform; run plan again",
        )
    };
    match op.action.as_str() {
        "ModifyMigrateJob" => {
            let p = op
                .params
                .as_object()
                .ok_or_else(|| bad("has no parameters"))?;
            let database_info = p
                .get("DatabaseInfo")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("has no DatabaseInfo"))?;
            let objects = info::parse(database_info)
                .map_err(|e| bad(&format!("has a bad DatabaseInfo: {e}")))?;
            let narrows_instance = op.removes.iter().any(|r| r == WHOLE_INSTANCE);
            let removes = op
                .removes
                .iter()
                .filter(|r| *r != WHOLE_INSTANCE)
                .map(|r| Removal::parse(r).map_err(|e| bad(&format!("removes {r:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let obj = |key: &str| match p.get(key) {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            let str_of = |key: &str| p.get(key).and_then(Value::as_str).map(str::to_owned);
            let mut src = obj("SrcInfo");
            let mut dst = obj("DstInfo");
            let password = |info: &mut Map<String, Value>, side: &str| {
                let Some(from) = info
                    .remove("Password")
                    .and_then(|v| v.get("from").and_then(Value::as_str).map(str::to_owned))
                else {
                    return Ok(None);
                };
                config
                    .resolve(&job.address, side, "Password", &from)
                    .map(Some)
            };
            let src_password = password(&mut src, "src")?;
            let dst_password = password(&mut dst, "dest")?;
            let option = obj("MigrateOption");
            let migrate_option: MigrateOption =
                serde_json::from_value(Value::Object(option.clone()))
                    .map_err(|e| bad(&format!("has a bad MigrateOption: {e}")))?;
            let mut src_info: Option<SrcInfo> = (!src.is_empty())
                .then(|| serde_json::from_value(Value::Object(src.clone())))
                .transpose()
                .map_err(|e| bad(&format!("has a bad SrcInfo: {e}")))?;
            let mut dst_info: Option<DstInfo> = (!dst.is_empty())
                .then(|| serde_json::from_value(Value::Object(dst.clone())))
                .transpose()
                .map_err(|e| bad(&format!("has a bad DstInfo: {e}")))?;
            if let (Some(info), Some(pw)) = (src_info.as_mut(), src_password) {
                info.password = Some(pw);
            }
            if let (Some(info), Some(pw)) = (dst_info.as_mut(), dst_password) {
                info.password = Some(pw);
            }
            let request = ModifyMigrateJob {
                job_id: job.dts_job_id.clone(),
                job_name: str_of("JobName"),
                migrate_option: Some(migrate_option),
                src_access_type: str_of("SrcAccessType"),
                src_info,
                dst_access_type: str_of("DstAccessType"),
                dst_info,
                database_info: Some(database_info.to_owned()),
            };
            Ok(TencentWrite::Modify {
                request: Box::new(request),
                expected: Box::new(Expected {
                    objects,
                    removes,
                    narrows_instance,
                    job_name: str_of("JobName"),
                    option,
                    src_access: str_of("SrcAccessType"),
                    src,
                    dst_access: str_of("DstAccessType"),
                    dst,
                }),
            })
        }
        "CreateMigrateCheckJob" => Ok(TencentWrite::Check),
        "StartMigrateJob" => Ok(TencentWrite::Start),
        other => Err(bad(&format!(
            "is not an action this dtsform applies ({other})"
        ))),
    }
}

/// What one Tencent operation needs to run.
pub(super) struct Run<'a> {
    pub client: &'a TencentClient,
    /// The same client without retries, for writes (see `write_rule`).
    pub writer: &'a TencentClient,
    /// The job's `prevent_removal` patterns as the configuration has them now.
    pub patterns: &'a [crate::objects::Pattern],
    pub job: &'a PlanFileJob,
    pub op_id: &'a str,
    pub action: &'a str,
    pub write: &'a TencentWrite,
    /// The modify this job's plan makes, if it comes before this operation.
    pub earlier_modify: Option<&'a Expected>,
    /// The modify, if this operation is it or comes before it (for the stale check).
    pub modify: Option<&'a Expected>,
    pub options: &'a ApplyOptions,
    pub progress: &'a Progress,
    pub started: Instant,
}

enum Step<T> {
    Wait,
    Ready(T),
}

impl Run<'_> {
    fn deadline(&self) -> Instant {
        self.started + self.options.operation_timeout
    }

    fn no_answer(&self, action: &str) -> ApplyError {
        ApplyError::NoAnswer {
            op: self.op_id.to_owned(),
            action: action.to_owned(),
            waited: self.started.elapsed(),
        }
    }

    async fn within<T>(&self, future: impl Future<Output = T>) -> Option<T> {
        tokio::time::timeout_at(self.deadline().into(), future)
            .await
            .ok()
    }

    async fn read(&self, polls: &mut usize) -> Result<TencentLive, ApplyError> {
        let row = self
            .within(self.client.describe_migrate_job(&self.job.dts_job_id))
            .await
            .ok_or_else(|| self.no_answer("DescribeMigrateJobs"))?
            .map_err(|e| ApplyError::api(self.op_id, "DescribeMigrateJobs", e))?;
        *polls += 1;
        let value = serde_json::to_value(&row).unwrap_or(Value::Null);
        TencentLive::from_row(&value).map_err(|message| {
            ApplyError::plan(
                format!("{}: {message}", self.op_id),
                "dtsform will not write to a job it cannot read; check the job in the DTS console",
            )
        })
    }

    /// Reads until `decide` is ready, within the operation's timeout.
    async fn poll<T>(
        &self,
        polls: &mut usize,
        what: &'static str,
        mut decide: impl FnMut(&TencentLive) -> Result<Step<T>, ApplyError>,
    ) -> Result<(T, TencentLive), ApplyError> {
        let waiting_since = Instant::now();
        loop {
            let live = self.read(polls).await?;
            if let Step::Ready(value) = decide(&live)? {
                return Ok((value, live));
            }
            self.wait_a_little(waiting_since, &status_name(live.status), what)
                .await?;
            self.progress
                .status(&format!("{}: {}", self.op_id, status_name(live.status)));
        }
    }

    async fn wait_a_little(
        &self,
        since: Instant,
        status: &str,
        what: &'static str,
    ) -> Result<(), ApplyError> {
        let deadline = self.deadline();
        let timeout = || ApplyError::Timeout {
            op: self.op_id.to_owned(),
            status: status.to_owned(),
            waited: self.started.elapsed(),
            what,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(timeout());
        }
        let delay = self.options.poll.delay(now - since).min(deadline - now);
        tokio::time::sleep(delay).await;
        if Instant::now() >= deadline {
            return Err(timeout());
        }
        Ok(())
    }

    /// Step 1's comparison with the plan: parts the plan's modify does not explain must
    /// be as planned.
    fn check(&self, live: &TencentLive) -> Result<(), ApplyError> {
        let shown = self.modify.is_some_and(|m| m.shown_in(live).is_ok());
        let changed: Vec<String> = self
            .job
            .live_state
            .parts()
            .into_iter()
            .filter(|(part, planned)| live.state.get(part).unwrap_or_default() != *planned)
            .map(|(part, _)| match part {
                "objects" => "its object list (DatabaseInfo) changed".to_owned(),
                "source" => "its source (SrcInfo) changed".to_owned(),
                "destination" => "its target (DstInfo) changed".to_owned(),
                "options" => "its name, MigrateOption or database types changed".to_owned(),
                other => format!("its {other} changed"),
            })
            .collect();
        if self.earlier_modify.is_some() && !shown {
            return Err(ApplyError::Stale {
                address: self.job.address.clone(),
                changes: vec!["what this plan's ModifyMigrateJob wrote is no longer live".into()],
            });
        }
        if changed.is_empty() || shown {
            Ok(())
        } else {
            Err(ApplyError::Stale {
                address: self.job.address.clone(),
                changes: changed,
            })
        }
    }

    /// No answer while a write may have landed: the outcome is unknown.
    fn unknown(&self, e: ApplyError, maybe_landed: bool) -> ApplyError {
        match e {
            ApplyError::Timeout { waited, .. } | ApplyError::NoAnswer { waited, .. }
                if maybe_landed =>
            {
                ApplyError::OutcomeUnknown {
                    op: self.op_id.to_owned(),
                    action: self.action.to_owned(),
                    waited,
                }
            }
            other => other,
        }
    }

    /// Whether the write is live already (`Some` with what was verified), or why it
    /// cannot be sent now.
    fn already(&self, live: &TencentLive) -> Result<Option<String>, ApplyError> {
        match self.write {
            TencentWrite::Modify { expected, .. } => {
                if let Ok(text) = expected.shown_in(live) {
                    return Ok(Some(text));
                }
                self.check_payload(expected, live)?;
                if !crate::plan::tencent::MODIFIABLE.contains(&live.status) {
                    return Err(ApplyError::Status {
                        op: self.op_id.to_owned(),
                        status: status_name(live.status),
                        wanted: "a status ModifyMigrateJob accepts (1, 4, 5 or 10)".into(),
                    });
                }
                Ok(None)
            }
            TencentWrite::Check => Ok((live.status == 4 || is_started(live.status)).then(|| {
                format!(
                    "the job has passed its check (now {})",
                    status_name(live.status)
                )
            })),
            TencentWrite::Start => {
                if is_started(live.status) {
                    return Ok(Some(format!("the job is {}", status_name(live.status))));
                }
                if live.status != 4 {
                    return Err(ApplyError::Status {
                        op: self.op_id.to_owned(),
                        status: status_name(live.status),
                        wanted: "CheckPass (4), the only status StartMigrateJob accepts".into(),
                    });
                }
                Ok(None)
            }
        }
    }

    /// Re-runs the guard on the object list to send against the job as it is now.
    fn check_payload(&self, expected: &Expected, live: &TencentLive) -> Result<(), ApplyError> {
        let unsafe_write = |problems: Vec<String>| ApplyError::Unsafe {
            address: self.job.address.clone(),
            problems,
        };
        match (&expected.objects, &live.objects) {
            (DatabaseInfo::Objects(_), DatabaseInfo::WholeInstance) if !expected.narrows_instance => {
                Err(unsafe_write(vec![
                    "the job migrates the whole instance, and the list to send would narrow it, which the plan did not show".into(),
                ]))
            }
            // Widening to the whole instance, or a narrowing the plan showed.
            (DatabaseInfo::WholeInstance, _) | (DatabaseInfo::Objects(_), DatabaseInfo::WholeInstance) => Ok(()),
            (DatabaseInfo::Objects(sent), DatabaseInfo::Objects(tree)) => {
                let patterns: Vec<&crate::objects::Pattern> = self.patterns.iter().collect();
                crate::guard::check_payload(sent, tree, &expected.removes, &patterns)
                    .map_err(unsafe_write)
            }
        }
    }

    /// Sends the write once.
    async fn send(&self) -> Result<(), crate::cloud::Error> {
        let id = &self.job.dts_job_id;
        match self.write {
            TencentWrite::Modify { request, .. } => {
                self.writer.modify_migrate_job(request).await.map(drop)
            }
            TencentWrite::Check => self.writer.create_migrate_check_job(id).await.map(drop),
            TencentWrite::Start => self.writer.start_migrate_job(id).await.map(drop),
        }
    }

    pub(super) async fn execute(&self, polls: &mut usize) -> Result<Outcome, ApplyError> {
        let mut attempt = 0;
        let mut maybe_landed = false;
        let mut pause_before_write = Duration::ZERO;
        // 1. Settle and check, 2. write once; again from 1 after an error a later
        // attempt may get past (see `write_rule`).
        let before = loop {
            let ((), live) = self
                .poll(
                    polls,
                    "waiting for the job to settle before writing",
                    |live| {
                        Ok(if is_transitional(live.status) {
                            Step::Wait
                        } else {
                            Step::Ready(())
                        })
                    },
                )
                .await
                .map_err(|e| self.unknown(e, maybe_landed))?;
            self.check(&live)?;
            // A check whose answer was lost and that then failed: report its verdict.
            if maybe_landed && matches!(self.write, TencentWrite::Check) && live.status == 5 {
                return self.wait_for_check(polls).await;
            }
            if let Some(text) = self.already(&live)? {
                return Ok(if maybe_landed {
                    Outcome::Applied(format!(
                        "{text} (no answer to the write arrived, but the job shows it)"
                    ))
                } else {
                    Outcome::AlreadyApplied(text)
                });
            }
            tokio::time::sleep(std::mem::take(&mut pause_before_write)).await;
            attempt += 1;
            let Some(sent) = self.within(self.send()).await else {
                return Err(ApplyError::OutcomeUnknown {
                    op: self.op_id.to_owned(),
                    action: self.action.to_owned(),
                    waited: self.started.elapsed(),
                });
            };
            let error = match sent {
                Ok(()) => break live,
                Err(error) => error,
            };
            match write_rule::after_error(&error, attempt, rand::random::<f64>()) {
                AfterError::Fail => return Err(ApplyError::api(self.op_id, self.action, error)),
                AfterError::Recheck {
                    delay,
                    maybe_landed: landed,
                    throttled,
                } => {
                    maybe_landed |= landed;
                    self.progress
                        .status(&format!("{}: {error}; re-checking the job", self.op_id));
                    if Instant::now() + delay >= self.deadline() {
                        return Err(self.unknown(self.no_answer(self.action), maybe_landed));
                    }
                    if throttled {
                        pause_before_write = delay;
                    } else {
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        };
        // 3. Read back.
        match self.write {
            TencentWrite::Modify { expected, .. } => {
                self.read_back_modify(expected, &before, polls).await
            }
            TencentWrite::Check => self.wait_for_check(polls).await,
            TencentWrite::Start => {
                let (text, _) = self
                    .poll(polls, "waiting for the job to start", |live| {
                        if is_started(live.status) {
                            Ok(Step::Ready(format!(
                                "the job is {}",
                                status_name(live.status)
                            )))
                        } else if live.status == 10 {
                            Err(ApplyError::Status {
                                op: self.op_id.to_owned(),
                                status: status_name(live.status),
                                wanted: "running".into(),
                            })
                        } else {
                            Ok(Step::Wait)
                        }
                    })
                    .await?;
                Ok(Outcome::Applied(text))
            }
        }
    }

    async fn read_back_modify(
        &self,
        expected: &Expected,
        before: &TencentLive,
        polls: &mut usize,
    ) -> Result<Outcome, ApplyError> {
        // ModifyMigrateJob has no Modifying phase: what was sent must keep showing for
        // the stability window, so another writer's list landing right after ours is
        // seen here.
        let mut differing_since: Option<Instant> = None;
        let mut shown_since: Option<Instant> = None;
        let grace: Duration = self.options.read_back_grace;
        let (text, _) = self
            .poll(polls, "waiting for the change to show", |live| {
                if is_transitional(live.status) {
                    return Ok(Step::Wait);
                }
                match expected.shown_in(live) {
                    Ok(text) => {
                        let since = *shown_since.get_or_insert_with(Instant::now);
                        Ok(if since.elapsed() < self.options.stability_window {
                            Step::Wait
                        } else {
                            Step::Ready(text)
                        })
                    }
                    Err(differences) => {
                        if let (
                            DatabaseInfo::Objects(sent),
                            DatabaseInfo::Objects(had),
                            DatabaseInfo::Objects(now),
                        ) = (&expected.objects, &before.objects, &live.objects)
                        {
                            let others = write_rule::others_changes(sent, had, now);
                            if !others.is_empty() {
                                return Err(ApplyError::Conflict {
                                    op: self.op_id.to_owned(),
                                    changes: others,
                                });
                            }
                        }
                        let since = *differing_since.get_or_insert_with(Instant::now);
                        if since.elapsed() < grace {
                            Ok(Step::Wait)
                        } else {
                            Err(ApplyError::ReadBack {
                                op: self.op_id.to_owned(),
                                differences,
                            })
                        }
                    }
                }
            })
            .await?;
        Ok(Outcome::Applied(text))
    }

    async fn wait_for_check(&self, polls: &mut usize) -> Result<Outcome, ApplyError> {
        let since = Instant::now();
        loop {
            let check = self
                .within(self.client.describe_migrate_check_job(&self.job.dts_job_id))
                .await
                .ok_or_else(|| self.no_answer("DescribeMigrateCheckJob"))?
                .map_err(|e| ApplyError::api(self.op_id, "DescribeMigrateCheckJob", e))?;
            *polls += 1;
            if check.is_finished() {
                return if check.passed() {
                    Ok(Outcome::Applied("the check passed".into()))
                } else {
                    Err(ApplyError::CheckFailed {
                        op: self.op_id.to_owned(),
                        message: if check.error_message.is_empty() {
                            format!("check flag {:?}", check.check_flag)
                        } else {
                            check.error_message.clone()
                        },
                    })
                };
            }
            let progress = check.progress.clone().unwrap_or_default();
            self.progress.status(&format!(
                "{}: check {} ({progress}%)",
                self.op_id, check.status
            ));
            self.wait_a_little(since, "Checking (3)", "waiting for the check to finish")
                .await?;
        }
    }
}
