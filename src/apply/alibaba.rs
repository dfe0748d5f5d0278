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
    AlibabaClient, EndpointInfo, EndpointSide, JobStatus, ModifyDtsJob, ModifyDtsJobChange,
    ModifyDtsJobEndpoint,
};
use crate::config::DesiredStatus;
use crate::objects::diff::{ObjectChange, diff};
use crate::objects::{ObjectTree, Pattern, Removal};
use crate::plan::operation::{EndpointWrite, Operation, Side};
use crate::plan::{JobPlan, LiveJob, PlannedOp, endpoint_mismatches, reserved_value_matches};

/// One Alibaba write, with its passwords and wire text ready.
#[derive(Debug)]
pub(super) enum AlibabaWrite<'a> {
    Endpoint {
        request: Box<ModifyDtsJobEndpoint>,
        write: &'a EndpointWrite,
    },
    Objects {
        /// The DbList text, as planned.
        db_list: &'a str,
        /// It, read once.
        payload: ObjectTree,
        removes: &'a [Removal],
    },
    Reserved {
        json: String,
        keys: &'a Map<String, Value>,
    },
    Status {
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
            let side = e.side.api();
            let mut request = ModifyDtsJobEndpoint::new(&job.dts_job_id, side, &e.instance_type);
            request.endpoint_instance_id.clone_from(&e.instance_id);
            request.endpoint_region_id.clone_from(&e.region);
            request.endpoint_ip.clone_from(&e.ip);
            request.endpoint_port.clone_from(&e.port);
            request.database.clone_from(&e.database);
            request.role_name.clone_from(&e.role_name);
            request.aliyun_uid.clone_from(&e.aliyun_uid);
            request.endpoint_vpc_id.clone_from(&e.vpc_id);
            request.endpoint_primary_vsw_id.clone_from(&e.vswitch_id);
            request
                .endpoint_secondary_vsw_id
                .clone_from(&e.secondary_vswitch_id);
            let secret = |key, from: &str| config.resolve(&job.address, side.as_param(), key, from);
            if let Some(a) = &e.account {
                request.account = Some((a.username.clone(), secret("Password", &a.password.from)?));
            }
            if let Some(a) = &e.shard_account {
                request.shard_account = Some((
                    a.username.clone(),
                    secret("ShardPassword", &a.password.from)?,
                ));
            }
            AlibabaWrite::Endpoint {
                request: Box::new(request),
                write: e,
            }
        }
        Operation::Objects(o) => AlibabaWrite::Objects {
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
            json: Value::Object(r.reserved.clone()).to_string(),
            keys: &r.reserved,
        },
        Operation::Status(s) => AlibabaWrite::Status { to: s.to },
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
    /// The part of the live state (see `plan::LiveState`) the write changes.
    fn part(&self) -> Option<&'static str> {
        match self {
            AlibabaWrite::Endpoint { write, .. } => Some(match write.side {
                Side::Source => "source",
                Side::Destination => "destination",
            }),
            AlibabaWrite::Objects { .. } => Some("objects"),
            AlibabaWrite::Reserved { .. } => Some("reserved"),
            AlibabaWrite::Status { .. } => None,
        }
    }

    /// Whether `live` shows this write's effect: what was verified, or what differs.
    fn shown_in(&self, live: &LiveJob) -> Result<String, Vec<String>> {
        match self {
            AlibabaWrite::Objects { payload, .. } => {
                let Some(tree) = &live.objects else {
                    return Err(vec!["the job shows no object list".into()]);
                };
                let d = diff(payload, tree);
                if d.is_empty() {
                    return Ok(format!(
                        "the live object list equals what was sent ({} objects)",
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
                        format!("reserved {k} is {have}, not {v}")
                    })
                    .collect();
                if differing.is_empty() {
                    Ok(format!(
                        "reserved {} as sent",
                        keys.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                } else {
                    Err(differing)
                }
            }
            AlibabaWrite::Endpoint { write, .. } => {
                let side = write.side.api();
                let endpoint = endpoint_of(live, side);
                let differing: Vec<String> = endpoint_mismatches(&write.changes, endpoint)
                    .into_iter()
                    .map(|(field, wanted, have)| {
                        format!(
                            "{} {field} is {}, not {wanted:?}",
                            side.name(),
                            have.map_or_else(|| "not shown".to_owned(), |h| format!("{h:?}"))
                        )
                    })
                    .collect();
                if differing.is_empty() {
                    Ok(format!(
                        "the {} endpoint shows the new settings",
                        side.name()
                    ))
                } else {
                    Err(differing)
                }
            }
            AlibabaWrite::Status { to } => {
                let status = &live.detail.status;
                if reached(*to, status) {
                    Ok(format!("the job is {status}"))
                } else {
                    Err(vec![format!("the job is {status}, not {to}")])
                }
            }
        }
    }
}

fn endpoint_of(live: &LiveJob, side: EndpointSide) -> Option<&EndpointInfo> {
    match side {
        EndpointSide::Source => live.detail.source_endpoint.as_ref(),
        EndpointSide::Destination => live.detail.destination_endpoint.as_ref(),
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

impl Driver for AlibabaOp<'_> {
    type Live = LiveJob;
    const READ_ACTION: &'static str = "DescribeDtsJobDetail";

    async fn read(&self) -> Result<LiveJob, ApplyError> {
        let detail = self
            .client
            .describe_job(&self.job.dts_job_id)
            .await
            .map_err(|e| ApplyError::api(self.op_id, Self::READ_ACTION, e))?;
        LiveJob::from_detail(detail).map_err(|message| {
            ApplyError::plan(
                format!("{}: {message}", self.op_id),
                "nothing will be written to a job whose live state cannot be read safely; check the job in the DTS console",
            )
        })
    }

    fn status(&self, live: &LiveJob) -> String {
        live.detail.status.to_string()
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
        Ok(status.is_transitional())
    }

    fn check(&self, live: &LiveJob) -> Result<(), ApplyError> {
        let mut changes = Vec::new();
        for (part, planned) in self.job.live_state.parts() {
            let now = live.state.get(part).unwrap_or_default();
            let owner = self
                .job_writes
                .iter()
                .find(|(_, _, w)| w.part() == Some(part));
            let Some((owner_index, owner_id, owner)) = owner else {
                if now != planned {
                    changes.push(changed(part));
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
                        payload, removes, ..
                    } => objects_changed(payload, removes, live),
                    _ => changed(part),
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

    fn already(&self, live: &LiveJob, _after_lost: bool) -> Result<Already, ApplyError> {
        if let Ok(text) = self.write.shown_in(live) {
            return Ok(Already::Yes(text));
        }
        // The guard again, on the exact list about to be sent: a plan file's payload
        // is not trusted alone.
        if let AlibabaWrite::Objects {
            payload, removes, ..
        } = self.write
        {
            let address = self.job.address.clone();
            let Some(tree) = &live.objects else {
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
        let modify = |change| ModifyDtsJob {
            dts_instance_id: job.dts_instance_id.clone(),
            dts_job_id: Some(job.dts_job_id.clone()),
            synchronization_direction: None,
            client_token: Some(self.token.clone()),
            change,
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
            AlibabaWrite::Endpoint { request, .. } => {
                writer.modify_endpoint(request).await.map(drop)
            }
            AlibabaWrite::Status {
                to: DesiredStatus::Running,
            } => writer.start_job(&job.dts_job_id).await.map(drop),
            AlibabaWrite::Status {
                to: DesiredStatus::Suspended,
            } => writer.suspend_job(&job.dts_job_id).await.map(drop),
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
        let status = &live.detail.status;
        is_failure(status).then(|| ApplyError::Status {
            op: self.op_id.to_owned(),
            status: status.to_string(),
            wanted: match self.write {
                AlibabaWrite::Status { to } => to.to_string(),
                _ => "a running job".into(),
            },
        })
    }

    fn others(&self, before: &LiveJob, after: &LiveJob) -> Vec<String> {
        match (self.write, &before.objects, &after.objects) {
            (AlibabaWrite::Objects { payload, .. }, Some(had), Some(now)) => {
                super::write_rule::others_changes(payload, had, now)
            }
            _ => Vec::new(),
        }
    }

    fn whole_list(&self) -> bool {
        matches!(self.write, AlibabaWrite::Objects { .. })
    }
}

fn changed(part: &str) -> String {
    match part {
        "objects" => "its object list changed".into(),
        "reserved" => "its reserved settings changed".into(),
        "source" => "its source endpoint changed".into(),
        "destination" => "its destination endpoint changed".into(),
        "direction" => "its synchronization direction changed".into(),
        other => format!("its {other} changed"),
    }
}

/// What sending the planned list would now remove that the plan did not show.
fn objects_changed(payload: &ObjectTree, removes: &[Removal], live: &LiveJob) -> String {
    let Some(tree) = &live.objects else {
        return changed("objects");
    };
    let unplanned: Vec<String> = diff(payload, tree)
        .removals()
        .filter(|c| c.removal().is_none_or(|r| !removes.contains(&r)))
        .map(crate::guard::describe)
        .collect();
    if unplanned.is_empty() {
        changed("objects")
    } else {
        format!(
            "its object list changed: sending the planned list now would also remove {}",
            named(unplanned).join(", ")
        )
    }
}
