//! Alibaba Cloud DTS's steps for the executor (see `executor.rs`).
//!
//! The job is read with DescribeDtsJobDetail; it is between states while its status is
//! transitional (`Modifying`, `Prechecking`, ...). The re-check compares each part of
//! its live state with the plan: a part no operation of this job changes must be as
//! planned; a part one changes must be as planned or already as that operation leaves
//! it (an earlier apply got that far); a part an earlier operation of this run changed
//! must still show that change. `ModifyDtsJob` carries the ClientToken derived from the
//! plan and the operation; the other actions take no token, set absolute values, and
//! are recognised once live.

use serde_json::{Map, Value};

use super::executor::{Already, Ctx, Driver, Shows, read_back};
use super::{ApplyError, FromConfig, named};
use crate::cloud::alibaba::{
    AlibabaClient, Direction, JobStatus, JobStatusChange, ModifyDtsJob, ModifyDtsJobChange,
    ModifyDtsJobEndpoint,
};
use crate::config::DesiredStatus;
use crate::objects::diff::{ObjectChange, diff};
use crate::objects::{ObjectTree, Pattern, Removal};
use crate::plan::fetch::{AlibabaRead, ReadError, read_alibaba};
use crate::plan::operation::{EndpointWrite, MigrationModeWrite, Operation, Side, secret_side};
use crate::plan::{
    JobPlan, LiveJob, PlannedOp, endpoint_mismatches, live_endpoint, migration_mode_mismatches,
    reserved_value_matches,
};

/// One Alibaba write, with its passwords and wire text ready.
#[derive(Debug)]
pub(super) enum AlibabaWrite<'a> {
    Endpoint {
        request: Box<ModifyDtsJobEndpoint>,
        write: &'a EndpointWrite,
    },
    Objects {
        direction: Direction,
        /// The DbList text, as planned.
        db_list: &'a str,
        /// It, read once.
        payload: ObjectTree,
        removes: &'a [Removal],
    },
    Reserved {
        direction: Direction,
        json: String,
        keys: &'a Map<String, Value>,
    },
    MigrationMode {
        write: &'a MigrationModeWrite,
    },
    Status {
        direction: Direction,
        to: DesiredStatus,
    },
}

/// Resolves an Alibaba operation of the plan: passwords from the configuration, wire
/// text made once.
pub(super) fn resolve<'a>(
    job: &JobPlan,
    planned: &'a PlannedOp,
    config: &FromConfig,
) -> Result<AlibabaWrite<'a>, ApplyError> {
    Ok(match &planned.op {
        Operation::Endpoint(e) => {
            let side = secret_side(e.direction, e.side);
            let secret = |key, from: &str| config.resolve(&job.address, side, key, from);
            let password = e
                .account
                .as_ref()
                .map(|a| secret("Password", &a.password.from))
                .transpose()?;
            let shard = e
                .shard_account
                .as_ref()
                .map(|a| secret("ShardPassword", &a.password.from))
                .transpose()?;
            AlibabaWrite::Endpoint {
                request: Box::new(e.request(job.target(), password, shard)),
                write: e,
            }
        }
        Operation::Objects(o) => AlibabaWrite::Objects {
            direction: o.direction,
            db_list: o.payload.json(),
            payload: o.payload.tree().map_err(|e| {
                ApplyError::plan(
                    format!("{}: its object list cannot be read: {e}", planned.id),
                    "the plan file is damaged or was not written by dtsform; run plan again",
                )
            })?,
            removes: &o.removes,
        },
        Operation::Reserved(r) => AlibabaWrite::Reserved {
            direction: r.direction,
            json: Value::Object(r.reserved.clone()).to_string(),
            keys: &r.reserved,
        },
        Operation::MigrationMode(m) => AlibabaWrite::MigrationMode { write: m },
        Operation::Status(s) => AlibabaWrite::Status {
            direction: s.direction,
            to: s.to,
        },
        other => {
            return Err(ApplyError::plan(
                format!(
                    "{}: {} is not an Alibaba Cloud DTS action",
                    planned.id,
                    other.action()
                ),
                "the plan file is damaged or was not written by dtsform; run plan again",
            ));
        }
    })
}

impl AlibabaWrite<'_> {
    /// The direction of the job it writes.
    fn direction(&self) -> Direction {
        match self {
            AlibabaWrite::Endpoint { write, .. } => write.direction,
            AlibabaWrite::MigrationMode { write } => write.direction,
            AlibabaWrite::Objects { direction, .. }
            | AlibabaWrite::Reserved { direction, .. }
            | AlibabaWrite::Status { direction, .. } => *direction,
        }
    }

    /// The part of the live state (see `plan::LiveState`) the write changes:
    /// `objects`, ...; `reverse.objects`, ... for the reverse direction.
    fn part(&self) -> Option<String> {
        let part = match self {
            AlibabaWrite::Endpoint { write, .. } => match write.side {
                Side::Source => "source",
                Side::Destination => "destination",
            },
            AlibabaWrite::Objects { .. } => "objects",
            AlibabaWrite::Reserved { .. } => "reserved",
            AlibabaWrite::MigrationMode { .. } => "migration_mode",
            AlibabaWrite::Status { .. } => return None,
        };
        Some(match self.direction() {
            Direction::Forward => part.to_owned(),
            Direction::Reverse => format!("reverse.{part}"),
        })
    }

    /// Whether `live` shows this write's effect: what was verified, or what differs.
    fn shown_in(&self, job: &LiveJob) -> Result<String, Vec<String>> {
        let Some(live) = job.direction(self.direction()) else {
            return Err(vec!["the job shows no reverse direction".into()]);
        };
        let of = match self.direction() {
            Direction::Forward => "",
            Direction::Reverse => " of the reverse direction",
        };
        match self {
            AlibabaWrite::Objects { payload, .. } => {
                let Some(tree) = &live.objects else {
                    return Err(vec![format!("the job shows no object list{of}")]);
                };
                let d = diff(payload, tree);
                if d.is_empty() {
                    return Ok(format!(
                        "the live object list{of} equals what was sent ({} objects)",
                        tree.count()
                    ));
                }
                Err(d.changes.iter().map(ObjectChange::mismatch).collect())
            }
            AlibabaWrite::Reserved { keys, .. } => {
                let differing: Vec<String> = keys
                    .iter()
                    .filter(|(k, v)| !reserved_value_matches(v, live.reserved.get(*k)))
                    .map(|(k, v)| {
                        let have = live
                            .reserved
                            .get(k)
                            .map_or_else(|| "absent".to_owned(), Value::to_string);
                        format!("reserved {k}{of} is {have}, not {v}")
                    })
                    .collect();
                if differing.is_empty() {
                    Ok(format!(
                        "reserved {}{of} as sent",
                        keys.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                } else {
                    Err(differing)
                }
            }
            AlibabaWrite::MigrationMode { write } => {
                let differing: Vec<String> = migration_mode_mismatches(write, &live.detail)
                    .into_iter()
                    .map(|(field, wanted, have)| {
                        format!(
                            "migration mode {field}{of} is {}, not {wanted}",
                            have.map_or_else(|| "not shown".to_owned(), |h| h.to_string())
                        )
                    })
                    .collect();
                if differing.is_empty() {
                    Ok(format!("the migration mode{of} is as sent"))
                } else {
                    Err(differing)
                }
            }
            AlibabaWrite::Endpoint { write, .. } => {
                let side = write.side.api();
                let endpoint = live_endpoint(&live.detail, side);
                let differing: Vec<String> = endpoint_mismatches(&write.changes, endpoint)
                    .into_iter()
                    .map(|(field, wanted, have)| {
                        format!(
                            "{} {field}{of} is {}, not {wanted:?}",
                            side.name(),
                            have.map_or_else(|| "not shown".to_owned(), |h| format!("{h:?}"))
                        )
                    })
                    .collect();
                if differing.is_empty() {
                    Ok(format!(
                        "the {} endpoint{of} shows the new settings",
                        side.name()
                    ))
                } else {
                    Err(differing)
                }
            }
            AlibabaWrite::Status { to, .. } => {
                let status = &live.detail.status;
                if reached(*to, status) {
                    Ok(format!("the job{of} is {status}"))
                } else {
                    Err(vec![format!("the job{of} is {status}, not {to}")])
                }
            }
        }
    }
}

fn reached(to: DesiredStatus, status: &JobStatus) -> bool {
    match to {
        DesiredStatus::Running => status.is_running(),
        DesiredStatus::Suspended => *status == JobStatus::Suspending,
    }
}

/// A status a job does not leave on its own, and that a write did not ask for.
fn is_failure(status: &JobStatus) -> bool {
    matches!(
        status,
        JobStatus::PrecheckFailed
            | JobStatus::InitializeFailed
            | JobStatus::Failed
            | JobStatus::MigrationFailed
            | JobStatus::ModifyFailed
            | JobStatus::Finished
    )
}

/// One Alibaba operation, ready for the executor.
pub(super) struct AlibabaOp<'a> {
    pub job: &'a JobPlan,
    pub op_id: &'a str,
    /// Its place among its job's operations.
    pub index: usize,
    pub write: &'a AlibabaWrite<'a>,
    /// Every write of the job, by place (for the re-check of each part).
    pub job_writes: Vec<(usize, &'a str, &'a AlibabaWrite<'a>)>,
    /// Reads, with the client's retries.
    pub client: &'a AlibabaClient,
    /// Writes, sent once.
    pub writer: &'a AlibabaClient,
    /// The job's `prevent_removal` patterns as the configuration has them now.
    pub patterns: &'a [Pattern],
    pub token: String,
}

impl AlibabaOp<'_> {
    /// The endpoint changes to precheck before this operation writes: its own, and for
    /// the job's first operation every endpoint change of the job, so that a failing
    /// precheck stops the job before anything of it is written. Changes already live
    /// need none.
    fn prechecks<'w>(
        &'w self,
        live: &LiveJob,
    ) -> Vec<(&'w ModifyDtsJobEndpoint, &'w EndpointWrite)> {
        self.job_writes
            .iter()
            .filter(|(index, _, _)| *index == self.index || (self.index == 0 && *index > 0))
            .filter_map(|(_, _, w)| match w {
                AlibabaWrite::Endpoint { request, write } => Some((&**request, *write, *w)),
                _ => None,
            })
            .filter(|(_, _, w)| w.shown_in(live).is_err())
            .map(|(request, write, _)| (request, write))
            .collect()
    }
}

impl Driver for AlibabaOp<'_> {
    type Live = LiveJob;
    const READ_ACTION: &'static str = "DescribeDtsJobDetail";

    async fn read(&self) -> Result<LiveJob, ApplyError> {
        let read = AlibabaRead {
            dts_job_id: &self.job.dts_job_id,
            resource_group_id: self.job.resource_group_id.as_deref(),
            names_direction: self.job.names_direction,
            reverse: self.job.reads_reverse(),
        };
        read_alibaba(self.client, &read).await.map_err(|e| match e {
            ReadError::Api(e) => ApplyError::api(self.op_id, Self::READ_ACTION, e),
            ReadError::Unreadable(message) => ApplyError::plan(
                format!("{}: {message}", self.op_id),
                "nothing will be written to a job whose live state cannot be read safely; check the job in the DTS console",
            ),
        })
    }

    fn status(&self, live: &LiveJob) -> String {
        match live.direction(self.write.direction()) {
            Some(own) if !self.write.direction().is_forward() => {
                format!("reverse direction {}", own.detail.status)
            }
            Some(own) => own.detail.status.to_string(),
            None => live.detail.status.to_string(),
        }
    }

    fn busy(&self, live: &LiveJob) -> Result<bool, ApplyError> {
        let status = &live.detail.status;
        if *status == JobStatus::Finished {
            return Err(ApplyError::Status {
                op: self.op_id.to_owned(),
                status: status.to_string(),
                wanted: "a live job (it was deleted)".into(),
            });
        }
        // Each direction of a two-way job settles on its own.
        Ok(live
            .direction(self.write.direction())
            .is_some_and(|own| own.detail.status.is_transitional()))
    }

    fn check(&self, live: &LiveJob) -> Result<(), ApplyError> {
        let mut changes = Vec::new();
        for (part, planned) in self.job.live_state.parts() {
            let now = live.state.get(&part).unwrap_or_default();
            let owner = self
                .job_writes
                .iter()
                .find(|(_, _, w)| w.part().as_deref() == Some(part.as_str()));
            let Some((owner_index, owner_id, owner)) = owner else {
                if now != planned {
                    changes.push(changed(&part));
                }
                continue;
            };
            let shown = owner.shown_in(live).is_ok();
            if *owner_index < self.index {
                if !shown {
                    changes.push(format!("what {owner_id} wrote is no longer live"));
                }
            } else if now != planned && !shown {
                changes.push(match owner {
                    AlibabaWrite::Objects {
                        payload,
                        removes,
                        direction,
                        ..
                    } => objects_changed(payload, removes, live.direction(*direction), &part),
                    _ => changed(&part),
                });
            }
        }
        if changes.is_empty() {
            Ok(())
        } else {
            Err(ApplyError::Stale {
                address: self.job.address.clone(),
                changes,
            })
        }
    }

    async fn precheck(&self, live: &LiveJob) -> Result<(), ApplyError> {
        for (request, write) in self.prechecks(live) {
            let mut dry_run = request.clone();
            dry_run.dry_run = true;
            // A dry run changes nothing, so the reading client's retries are safe.
            self.client
                .modify_endpoint(&dry_run)
                .await
                .map_err(|error| ApplyError::Precheck {
                    op: self.op_id.to_owned(),
                    what: write.what(),
                    error,
                })?;
        }
        Ok(())
    }

    fn already(&self, live: &LiveJob, _after_lost: bool) -> Result<Already, ApplyError> {
        if let Ok(text) = self.write.shown_in(live) {
            return Ok(Already::Yes(text));
        }
        // The guard again, on the exact list about to be sent: a plan file's payload
        // is not trusted alone.
        if let AlibabaWrite::Objects {
            payload,
            removes,
            direction,
            ..
        } = self.write
        {
            let address = self.job.address.clone();
            let Some(tree) = live.direction(*direction).and_then(|l| l.objects.as_ref()) else {
                return Err(ApplyError::Unsafe {
                    address,
                    problems: vec!["the job shows no object list to compare it with".into()],
                });
            };
            let patterns: Vec<&Pattern> = self.patterns.iter().collect();
            crate::guard::check_payload(payload, tree, removes, &patterns).map_err(|problems| {
                ApplyError::Unsafe {
                    address,
                    problems: named(problems),
                }
            })?;
        }
        Ok(Already::No)
    }

    async fn send(&self) -> Result<(), crate::cloud::Error> {
        let job = self.job;
        let target = job.target();
        let direction = self.write.direction();
        let modify = |change| ModifyDtsJob {
            dts_instance_id: job.dts_instance_id.clone(),
            dts_job_id: Some(job.dts_job_id.clone()),
            synchronization_direction: target.direction(direction),
            resource_group_id: job.resource_group_id.clone(),
            client_token: Some(self.token.clone()),
            change,
        };
        let status_change = || JobStatusChange {
            dts_job_id: job.dts_job_id.clone(),
            dts_instance_id: target.instance(),
            synchronization_direction: target.direction(direction),
            resource_group_id: job.resource_group_id.clone(),
        };
        let writer = self.writer;
        match self.write {
            AlibabaWrite::Objects { db_list, .. } => writer
                .modify_job(&modify(ModifyDtsJobChange::DbList((*db_list).to_owned())))
                .await
                .map(drop),
            AlibabaWrite::Reserved { json, .. } => writer
                .modify_job(&modify(ModifyDtsJobChange::Reserved(json.clone())))
                .await
                .map(drop),
            AlibabaWrite::MigrationMode { write } => writer
                .modify_job(&modify(ModifyDtsJobChange::MigrationMode(write.mode())))
                .await
                .map(drop),
            AlibabaWrite::Endpoint { request, .. } => {
                writer.modify_endpoint(request).await.map(drop)
            }
            AlibabaWrite::Status {
                to: DesiredStatus::Running,
                ..
            } => writer.start_job(&status_change()).await.map(drop),
            AlibabaWrite::Status {
                to: DesiredStatus::Suspended,
                ..
            } => writer.suspend_job(&status_change()).await.map(drop),
        }
    }

    async fn verify(&self, before: LiveJob, ctx: &mut Ctx<'_>) -> Result<String, ApplyError> {
        read_back(self, &before, ctx).await
    }
}

impl Shows for AlibabaOp<'_> {
    fn shown(&self, live: &LiveJob) -> Result<String, Vec<String>> {
        self.write.shown_in(live)
    }

    fn failure(&self, live: &LiveJob) -> Option<ApplyError> {
        let status = &live.direction(self.write.direction())?.detail.status;
        is_failure(status).then(|| ApplyError::Status {
            op: self.op_id.to_owned(),
            status: status.to_string(),
            wanted: match self.write {
                AlibabaWrite::Status { to, .. } => to.to_string(),
                _ => "a running job".into(),
            },
        })
    }

    fn others(&self, before: &LiveJob, after: &LiveJob) -> Vec<String> {
        let direction = self.write.direction();
        let objects = |live: &LiveJob| {
            live.direction(direction)
                .and_then(|l| l.objects.as_ref())
                .cloned()
        };
        match (self.write, objects(before), objects(after)) {
            (AlibabaWrite::Objects { payload, .. }, Some(had), Some(now)) => {
                super::write_rule::others_changes(payload, &had, &now)
            }
            _ => Vec::new(),
        }
    }

    fn whole_list(&self) -> bool {
        matches!(self.write, AlibabaWrite::Objects { .. })
    }
}

fn changed(part: &str) -> String {
    let (part, of) = match part.strip_prefix("reverse.") {
        Some(part) => (part, " of the reverse direction"),
        None => (part, ""),
    };
    let what = match part {
        "objects" => "object list",
        "reserved" => "reserved settings",
        "source" => "source endpoint",
        "destination" => "destination endpoint",
        "direction" => "synchronization direction",
        "migration_mode" => "migration mode",
        other => other,
    };
    format!("its {what}{of} changed")
}

/// What sending the planned list would now remove that the plan did not show.
fn objects_changed(
    payload: &ObjectTree,
    removes: &[Removal],
    live: Option<&LiveJob>,
    part: &str,
) -> String {
    let Some(tree) = live.and_then(|l| l.objects.as_ref()) else {
        return changed(part);
    };
    let unplanned: Vec<String> = diff(payload, tree)
        .removals()
        .filter(|c| c.removal().is_none_or(|r| !removes.contains(&r)))
        .map(crate::guard::describe)
        .collect();
    if unplanned.is_empty() {
        changed(part)
    } else {
        format!(
            "{}: sending the planned list now would also remove {}",
            changed(part),
            named(unplanned).join(", ")
        )
    }
}
