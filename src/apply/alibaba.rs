//! Carrying out a plan's operations on Alibaba Cloud DTS.
//!
//! Every operation runs the same three steps:
//!
//! 1. **Settle and check.** Read the job (DescribeDtsJobDetail), waiting while its status
//!    is transitional. Compare each part of its live state with the plan: a part no
//!    operation of this job changes must be as planned; a part one changes must be as
//!    planned or already as that operation leaves it (an earlier apply got that far);
//!    a part an earlier operation of this run changed must still show that change.
//!    Anything else means someone changed the job since the plan: nothing is written.
//! 2. **Write** — unless the operation's effect is already live. `ModifyDtsJob` carries
//!    the ClientToken derived from the plan and the operation, so a retried or re-run
//!    write is applied once. The other actions take no token; they set absolute values
//!    (an endpoint's fields, a status), and step 1 skips them once they are live.
//! 3. **Read back** until the job has settled and shows what was sent: the object list
//!    equal to the payload (semantically, as plan compares), the reserved keys, the
//!    endpoint fields, or the status. A status that means failure ends the wait at once.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::queue::Node;
use super::write_rule::{self, AfterError};
use super::{ApplyError, ApplyOptions, FromConfig, Outcome, Progress, client_token};
use crate::cloud::RetryPolicy;
use crate::cloud::alibaba::{
    AlibabaClient, EndpointInfo, EndpointSide, JobStatus, ModifyDtsJob, ModifyDtsJobChange,
    ModifyDtsJobEndpoint,
};
use crate::cloud::tencent::TencentClient;
use crate::config::{Cloud, DesiredStatus};
use crate::objects::diff::{ObjectChange, diff};
use crate::objects::{ObjectTree, Pattern, Removal};
use crate::plan::fetch::Clients;
use crate::plan::file::{PlanFile, PlanFileJob, PlanFileOperation};
use crate::plan::{LiveJob, endpoint_mismatches, reserved_value_matches};

/// At most this many objects are named in a message.
const NAMED: usize = 10;

/// One write, parsed from the plan file and ready to send.
#[derive(Debug)]
enum Write {
    Endpoint {
        side: EndpointSide,
        request: Box<ModifyDtsJobEndpoint>,
        sets: BTreeMap<String, String>,
    },
    Objects {
        db_list: String,
        /// `db_list`, parsed once.
        payload: ObjectTree,
        /// Removals the plan showed.
        removes: Vec<Removal>,
    },
    Reserved {
        json: String,
        keys: Map<String, Value>,
    },
    Status {
        to: DesiredStatus,
    },
    /// A Tencent job's operation (see `tencent.rs`).
    Tencent(super::tencent::TencentWrite),
}

impl Write {
    /// The operation id's last part for this write (`objects`, `source`, ...), which the
    /// plan file must agree with.
    fn slug(&self) -> &'static str {
        match self {
            Write::Endpoint { side, .. } => side.name(),
            Write::Objects { .. } => "objects",
            Write::Reserved { .. } => "reserved",
            Write::Status { .. } => "status",
            Write::Tencent(w) => w.slug(),
        }
    }

    /// The part of the live state (see `plan::LiveState`) the write changes.
    fn part(&self) -> Option<&'static str> {
        match self {
            Write::Endpoint {
                side: EndpointSide::Source,
                ..
            } => Some("source"),
            Write::Endpoint { .. } => Some("destination"),
            Write::Objects { .. } => Some("objects"),
            Write::Reserved { .. } => Some("reserved"),
            Write::Status { .. } | Write::Tencent(_) => None,
        }
    }

    /// Whether `live` shows this write's effect: what was verified, or what differs.
    fn shown_in(&self, live: &LiveJob) -> Result<String, Vec<String>> {
        match self {
            Write::Objects { payload, .. } => {
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
            Write::Reserved { keys, .. } => {
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
            Write::Endpoint { side, sets, .. } => {
                let endpoint = endpoint_of(live, *side);
                let differing: Vec<String> = endpoint_mismatches(sets, endpoint)
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
            Write::Status { to } => {
                let status = &live.detail.status;
                if reached(*to, status) {
                    Ok(format!("the job is {status}"))
                } else {
                    Err(vec![format!("the job is {status}, not {to}")])
                }
            }
            Write::Tencent(_) => Err(vec!["not an Alibaba operation".into()]),
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

#[derive(Debug)]
struct Op {
    id: String,
    action: String,
    job: usize,
    /// Its place among its job's operations.
    index: usize,
    deps: Vec<usize>,
    write: Write,
}

/// The client a job is written with.
#[derive(Debug, Clone, Copy)]
enum JobClient<'a> {
    Alibaba(&'a AlibabaClient),
    Tencent(&'a TencentClient),
}

/// A plan checked against the configuration, every operation parsed.
#[derive(Debug)]
pub(super) struct Prepared<'a> {
    plan: &'a PlanFile,
    clients: Vec<JobClient<'a>>,
    /// Per job, its client without retries: writes are sent once, and resent only after
    /// a fresh re-check (see [`super::write_rule`]).
    writers: Vec<Writer>,
    /// Per job, its `prevent_removal` patterns as the configuration has them now.
    patterns: Vec<Vec<Pattern>>,
    ops: Vec<Op>,
    by_job: Vec<Vec<usize>>,
}

/// A client that sends each request once.
#[derive(Debug)]
pub(super) enum Writer {
    Alibaba(AlibabaClient),
    Tencent(TencentClient),
}

/// An operation that ran to the end.
pub(super) struct Done {
    pub outcome: Outcome,
    pub elapsed: Duration,
    pub polls: usize,
}

/// An operation that failed.
pub(super) struct Failed {
    pub error: ApplyError,
    pub elapsed: Duration,
    pub polls: usize,
}

/// Checks the whole plan before anything is written: providers, regions, dependencies,
/// every operation's parameters and passwords, and that each job and operation is what
/// the plan's own addresses say (a resource of the configuration with that job id, an
/// action of that resource's cloud, an operation id that names what it does). Every
/// problem is reported.
pub(super) fn prepare<'a>(
    plan: &'a PlanFile,
    clients: &'a Clients,
    config: &FromConfig,
) -> Result<Prepared<'a>, Vec<ApplyError>> {
    let mut errors = Vec::new();
    let mut job_clients = Vec::new();
    let mut patterns = Vec::new();
    let mut clouds = Vec::new();
    for job in &plan.jobs {
        let cloud = job
            .address
            .split_once('.')
            .and_then(|(kind, _)| Cloud::from_resource_type(kind));
        clouds.push(cloud);
        let client = match cloud {
            Some(Cloud::Alibaba) => clients
                .for_name(&job.provider)
                .map(|c| (JobClient::Alibaba(c), c.region())),
            Some(Cloud::Tencent) => clients
                .tencent_for_name(&job.provider)
                .map(|c| (JobClient::Tencent(c), c.region())),
            None => None,
        };
        match client {
            Some((c, region)) if region == job.region => job_clients.push(c),
            Some((_, region)) => errors.push(ApplyError::plan(
                format!(
                    "{}: the plan was made in {}, but provider {} is now configured for {region}",
                    job.address, job.region, job.provider,
                ),
                "run plan again",
            )),
            None => errors.push(ApplyError::plan(
                format!(
                    "{}: the plan uses provider {}, which the configuration does not define for this kind of resource",
                    job.address, job.provider
                ),
                "apply the plan with the configuration it was made from",
            )),
        }
        match config.job(&job.address, &job.dts_job_id) {
            Ok(p) => patterns.push(p.to_vec()),
            Err(e) => errors.push(e),
        }
    }
    let index: BTreeMap<&str, usize> = plan
        .jobs
        .iter()
        .flat_map(|j| &j.operations)
        .enumerate()
        .map(|(i, op)| (op.id.as_str(), i))
        .collect();
    let mut ops = Vec::new();
    let mut by_job = Vec::new();
    for (j, job) in plan.jobs.iter().enumerate() {
        let mut mine = Vec::new();
        for (k, op) in job.operations.iter().enumerate() {
            let mut deps = Vec::new();
            for d in &op.depends_on {
                match index.get(d.as_str()) {
                    Some(i) => deps.push(*i),
                    None => errors.push(ApplyError::plan(
                        format!("{}: depends on {d}, which the plan does not hold", op.id),
                        "the plan file is damaged; run plan again",
                    )),
                }
            }
            let parsed = match clouds[j] {
                Some(Cloud::Tencent) => {
                    super::tencent::parse_write(job, op, config).map(Write::Tencent)
                }
                _ => parse_write(job, op, config),
            };
            match parsed {
                Ok(write) if op.id != format!("{}/{}", job.address, write.slug()) => {
                    errors.push(ApplyError::plan(
                        format!(
                            "{}: the operation is a {} of {} ({}), which its id does not name",
                            op.id,
                            op.action,
                            job.address,
                            write.slug()
                        ),
                        "the plan file is damaged or was not written by dtsform; run plan again",
                    ));
                }
                Ok(write) => {
                    mine.push(ops.len());
                    ops.push(Op {
                        id: op.id.clone(),
                        action: op.action.clone(),
                        job: j,
                        index: k,
                        deps,
                        write,
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        by_job.push(mine);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let writers = job_clients
        .iter()
        .map(|c| match c {
            JobClient::Alibaba(c) => Writer::Alibaba((*c).clone().with_retry(RetryPolicy::none())),
            JobClient::Tencent(c) => Writer::Tencent((*c).clone().with_retry(RetryPolicy::none())),
        })
        .collect();
    Ok(Prepared {
        plan,
        clients: job_clients,
        writers,
        patterns,
        ops,
        by_job,
    })
}

fn parse_write(
    job: &PlanFileJob,
    op: &PlanFileOperation,
    config: &FromConfig,
) -> Result<Write, ApplyError> {
    let bad = |what: &str| {
        ApplyError::plan(
            format!("{}: {} {what}", op.id, op.action),
            "the plan file is damaged or was not written by dtsform; run plan again",
        )
    };
    let p = &op.params;
    let text = |key: &str| p.get(key).and_then(Value::as_str).map(str::to_owned);
    match op.action.as_str() {
        "ModifyDtsJob" => {
            if text("ModifyTypeEnum").as_deref() == Some("UPDATE_RESERVED") {
                let json = text("Reserved").ok_or_else(|| bad("has no Reserved"))?;
                let Ok(Value::Object(keys)) = serde_json::from_str(&json) else {
                    return Err(bad("has a Reserved that is not a JSON object"));
                };
                Ok(Write::Reserved { json, keys })
            } else {
                let db_list = text("DbList").ok_or_else(|| bad("has no DbList"))?;
                let payload = ObjectTree::from_json(&db_list)
                    .map_err(|e| bad(&format!("has a bad DbList: {e}")))?;
                let removes = op
                    .removes
                    .iter()
                    .map(|r| Removal::parse(r).map_err(|e| bad(&format!("removes {r:?}: {e}"))))
                    .collect::<Result<_, _>>()?;
                Ok(Write::Objects {
                    db_list,
                    payload,
                    removes,
                })
            }
        }
        "ModifyDtsJobEndpoint" => {
            let side = match text("Endpoint").as_deref() {
                Some("src") => EndpointSide::Source,
                Some("dest") => EndpointSide::Destination,
                _ => return Err(bad("names no endpoint (src or dest)")),
            };
            let instance_type =
                text("EndpointInstanceType").ok_or_else(|| bad("has no EndpointInstanceType"))?;
            let mut request = ModifyDtsJobEndpoint::new(&job.dts_job_id, side, &instance_type);
            request.endpoint_instance_id = text("EndpointInstanceId");
            request.endpoint_region_id = text("EndpointRegionId");
            request.endpoint_ip = text("EndpointIp");
            request.endpoint_port = text("EndpointPort");
            request.database = text("Database");
            request.role_name = text("RoleName");
            request.aliyun_uid = text("AliyunUid");
            request.endpoint_vpc_id = text("EndpointVpcId");
            request.endpoint_primary_vsw_id = text("EndpointPrimaryVswId");
            request.endpoint_secondary_vsw_id = text("EndpointSecondaryVswId");
            let secret = |key: &'static str| -> Result<_, ApplyError> {
                let from = p
                    .get(key)
                    .and_then(|v| v.get("from"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(&format!("has no {key}")))?;
                config.resolve(&job.address, side.as_param(), key, from)
            };
            if p.get("ModifyAccount").and_then(Value::as_bool) == Some(true) {
                let user = text("Username").ok_or_else(|| bad("has no Username"))?;
                request.account = Some((user, secret("Password")?));
            }
            if let Some(user) = text("ShardUsername") {
                request.shard_account = Some((user, secret("ShardPassword")?));
            }
            Ok(Write::Endpoint {
                side,
                request: Box::new(request),
                sets: op.sets.clone(),
            })
        }
        "StartDtsJob" => Ok(Write::Status {
            to: DesiredStatus::Running,
        }),
        "SuspendDtsJob" => Ok(Write::Status {
            to: DesiredStatus::Suspended,
        }),
        other => Err(bad(&format!(
            "is not an action this dtsform applies ({other})"
        ))),
    }
}

/// What a poll makes of the job.
enum Step<T> {
    Wait,
    Ready(T),
}

impl Prepared<'_> {
    pub(super) fn nodes(&self) -> Vec<Node> {
        self.ops
            .iter()
            .map(|op| {
                let job = &self.plan.jobs[op.job];
                let instance = if job.dts_instance_id.is_empty() {
                    &job.dts_job_id
                } else {
                    &job.dts_instance_id
                };
                Node {
                    deps: op.deps.clone(),
                    lock: format!("{}/{}/{instance}", job.provider, job.region),
                }
            })
            .collect()
    }

    /// Each operation's id and action.
    pub(super) fn ops(&self) -> Vec<(String, String)> {
        self.ops
            .iter()
            .map(|op| (op.id.clone(), op.action.clone()))
            .collect()
    }

    pub(super) fn op_id(&self, i: usize) -> &str {
        &self.ops[i].id
    }

    /// Runs operation `i` (its dependencies have succeeded).
    pub(super) async fn run(
        &self,
        i: usize,
        options: &ApplyOptions,
        progress: &Progress,
    ) -> Result<Done, Failed> {
        let op = &self.ops[i];
        let job = &self.plan.jobs[op.job];
        let started = Instant::now();
        let mut polls = 0;
        progress.started(&op.id, &format!("{} on job {}", op.action, job.dts_job_id));
        let result = self
            .execute(op, options, progress, started, &mut polls)
            .await;
        let elapsed = started.elapsed();
        match result {
            Ok(outcome) => {
                let (what, detail) = match &outcome {
                    Outcome::Applied(text) => ("applied", Some(text.as_str())),
                    Outcome::AlreadyApplied(text) => {
                        ("already live, nothing sent", Some(text.as_str()))
                    }
                    _ => ("done", None),
                };
                progress.finished(&op.id, what, detail, elapsed);
                Ok(Done {
                    outcome,
                    elapsed,
                    polls,
                })
            }
            Err(error) => {
                let what = match &error {
                    ApplyError::Stale { .. } => "refused, the job changed since the plan",
                    _ => "failed",
                };
                progress.finished(&op.id, what, None, elapsed);
                Err(Failed {
                    error,
                    elapsed,
                    polls,
                })
            }
        }
    }

    async fn execute(
        &self,
        op: &Op,
        options: &ApplyOptions,
        progress: &Progress,
        started: Instant,
        polls: &mut usize,
    ) -> Result<Outcome, ApplyError> {
        let writer = match (&self.clients[op.job], &self.writers[op.job]) {
            (JobClient::Alibaba(_), Writer::Alibaba(writer)) => writer,
            (JobClient::Tencent(client), Writer::Tencent(writer)) => {
                return self
                    .execute_tencent(op, client, writer, options, progress, started, polls)
                    .await;
            }
            _ => {
                return Err(ApplyError::plan(
                    format!("{}: no client of the job's cloud", op.id),
                    "this is a dtsform bug; please report it",
                ));
            }
        };
        let deadline = started + options.operation_timeout;
        let token = client_token(&self.plan.checksum, &op.id);
        let mut attempt = 0;
        let mut maybe_landed = false;
        let mut pause_before_write = Duration::ZERO;
        // No answer while a write may have landed: the outcome is unknown.
        let unknown = |e: ApplyError, maybe_landed: bool| match e {
            ApplyError::Timeout { waited, .. } | ApplyError::NoAnswer { waited, .. }
                if maybe_landed =>
            {
                ApplyError::OutcomeUnknown {
                    op: op.id.clone(),
                    action: op.action.clone(),
                    waited,
                }
            }
            other => other,
        };

        // 1. Settle and check, 2. write once; again from 1 after an error a later
        // attempt may get past (see `write_rule`).
        let before = loop {
            let settle = "waiting for the job to settle before writing";
            let ((), live) = self
                .poll(op, options, progress, started, polls, settle, |live| {
                    let status = &live.detail.status;
                    if *status == JobStatus::Finished {
                        return Err(ApplyError::Status {
                            op: op.id.clone(),
                            status: status.to_string(),
                            wanted: "a live job (it was deleted)".into(),
                        });
                    }
                    Ok(if status.is_transitional() {
                        Step::Wait
                    } else {
                        Step::Ready(())
                    })
                })
                .await
                .map_err(|e| unknown(e, maybe_landed))?;
            self.check(op, &live)?;
            if let Ok(text) = op.write.shown_in(&live) {
                return Ok(if maybe_landed {
                    Outcome::Applied(format!(
                        "{text} (no answer to the write arrived, but the job shows it)"
                    ))
                } else {
                    Outcome::AlreadyApplied(text)
                });
            }
            self.check_payload(op, &live)?;
            tokio::time::sleep(std::mem::take(&mut pause_before_write)).await;

            attempt += 1;
            let Some(sent) = within(deadline, self.send(writer, op, &token)).await else {
                // The request may have gone out; no answer came in time.
                return Err(ApplyError::OutcomeUnknown {
                    op: op.id.clone(),
                    action: op.action.clone(),
                    waited: started.elapsed(),
                });
            };
            let error = match sent {
                Ok(()) => break live.objects,
                Err(error) => error,
            };
            match write_rule::after_error(&error, attempt, rand::random::<f64>()) {
                AfterError::Fail => return Err(ApplyError::api(&op.id, &op.action, error)),
                AfterError::Recheck {
                    delay,
                    maybe_landed: landed,
                    throttled,
                } => {
                    maybe_landed |= landed;
                    tracing::debug!(op = %op.id, attempt, ?delay, error = %error, "write not taken; re-checking before any resend");
                    progress.status(&format!("{}: {error}; re-checking the job", op.id));
                    if Instant::now() + delay >= deadline {
                        return Err(if maybe_landed {
                            ApplyError::OutcomeUnknown {
                                op: op.id.clone(),
                                action: op.action.clone(),
                                waited: started.elapsed(),
                            }
                        } else {
                            ApplyError::NoAnswer {
                                op: op.id.clone(),
                                action: op.action.clone(),
                                waited: started.elapsed(),
                            }
                        });
                    }
                    if throttled {
                        pause_before_write = delay;
                    } else {
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        };

        // 3. Read back. A full list on a job that showed no `Modifying` phase must keep
        // showing for the stability window: another writer's list landing right after
        // ours is then seen here.
        let mut differing_since: Option<Instant> = None;
        let mut busy_since_write = false;
        let mut shown_since: Option<Instant> = None;
        let read_back = "waiting for the change to show";
        let (outcome, _) = self
            .poll(op, options, progress, started, polls, read_back, |live| {
                let status = &live.detail.status;
                if status.is_transitional() {
                    busy_since_write = true;
                    return Ok(Step::Wait);
                }
                match op.write.shown_in(live) {
                    Ok(text) if matches!(op.write, Write::Objects { .. }) && !busy_since_write => {
                        let since = *shown_since.get_or_insert_with(Instant::now);
                        Ok(if since.elapsed() < options.stability_window {
                            Step::Wait
                        } else {
                            Step::Ready(Outcome::Applied(text))
                        })
                    }
                    Ok(text) => Ok(Step::Ready(Outcome::Applied(text))),
                    Err(_) if is_failure(status) => Err(ApplyError::Status {
                        op: op.id.clone(),
                        status: status.to_string(),
                        wanted: match &op.write {
                            Write::Status { to } => to.to_string(),
                            _ => "a running job".into(),
                        },
                    }),
                    Err(differences) => {
                        if let (Write::Objects { payload, .. }, Some(before), Some(after)) =
                            (&op.write, &before, &live.objects)
                        {
                            let others = write_rule::others_changes(payload, before, after);
                            if !others.is_empty() {
                                return Err(ApplyError::Conflict {
                                    op: op.id.clone(),
                                    changes: named(others),
                                });
                            }
                        }
                        let since = *differing_since.get_or_insert_with(Instant::now);
                        if since.elapsed() < options.read_back_grace {
                            Ok(Step::Wait)
                        } else {
                            Err(ApplyError::ReadBack {
                                op: op.id.clone(),
                                differences: named(differences),
                            })
                        }
                    }
                }
            })
            .await?;
        Ok(outcome)
    }

    /// Sends the operation's write once.
    async fn send(
        &self,
        writer: &AlibabaClient,
        op: &Op,
        token: &str,
    ) -> Result<(), crate::cloud::Error> {
        let job = &self.plan.jobs[op.job];
        let modify = |change| ModifyDtsJob {
            dts_instance_id: job.dts_instance_id.clone(),
            dts_job_id: Some(job.dts_job_id.clone()),
            synchronization_direction: None,
            client_token: Some(token.to_owned()),
            change,
        };
        match &op.write {
            Write::Objects { db_list, .. } => writer
                .modify_job(&modify(ModifyDtsJobChange::DbList(db_list.clone())))
                .await
                .map(drop),
            Write::Reserved { json, .. } => writer
                .modify_job(&modify(ModifyDtsJobChange::Reserved(json.clone())))
                .await
                .map(drop),
            Write::Endpoint { request, .. } => writer.modify_endpoint(request).await.map(drop),
            Write::Status {
                to: DesiredStatus::Running,
            } => writer.start_job(&job.dts_job_id).await.map(drop),
            Write::Status {
                to: DesiredStatus::Suspended,
            } => writer.suspend_job(&job.dts_job_id).await.map(drop),
            Write::Tencent(_) => Ok(()), // run by `execute_tencent`
        }
    }

    /// Re-runs the guard on a full object list against the job as it is now (see
    /// [`crate::guard::check_payload`]): a plan file's payload is not trusted alone.
    fn check_payload(&self, op: &Op, live: &LiveJob) -> Result<(), ApplyError> {
        let Write::Objects {
            payload, removes, ..
        } = &op.write
        else {
            return Ok(());
        };
        let address = self.plan.jobs[op.job].address.clone();
        let Some(tree) = &live.objects else {
            return Err(ApplyError::Unsafe {
                address,
                problems: vec!["the job shows no object list to compare it with".into()],
            });
        };
        let patterns: Vec<&Pattern> = self.patterns[op.job].iter().collect();
        crate::guard::check_payload(payload, tree, removes, &patterns).map_err(|problems| {
            ApplyError::Unsafe {
                address,
                problems: named(problems),
            }
        })
    }

    /// Runs a Tencent job's operation (see `tencent.rs`).
    #[allow(clippy::too_many_arguments)]
    async fn execute_tencent(
        &self,
        op: &Op,
        client: &TencentClient,
        writer: &TencentClient,
        options: &ApplyOptions,
        progress: &Progress,
        started: Instant,
        polls: &mut usize,
    ) -> Result<Outcome, ApplyError> {
        let Write::Tencent(write) = &op.write else {
            return Err(ApplyError::plan(
                format!("{}: not a Tencent operation", op.id),
                "the plan file is damaged; run plan again",
            ));
        };
        let modify = self.by_job[op.job]
            .iter()
            .map(|o| &self.ops[*o])
            .find_map(|o| match &o.write {
                Write::Tencent(super::tencent::TencentWrite::Modify { expected, .. }) => {
                    Some((o.index, &**expected))
                }
                _ => None,
            });
        let run = super::tencent::Run {
            client,
            writer,
            patterns: &self.patterns[op.job],
            job: &self.plan.jobs[op.job],
            op_id: &op.id,
            action: &op.action,
            write,
            earlier_modify: modify.filter(|(i, _)| *i < op.index).map(|(_, m)| m),
            modify: modify.map(|(_, m)| m),
            options,
            progress,
            started,
        };
        run.execute(polls).await
    }

    /// Step 1's comparison of the live job with the plan (see the module docs).
    fn check(&self, op: &Op, live: &LiveJob) -> Result<(), ApplyError> {
        let job = &self.plan.jobs[op.job];
        let mut changes = Vec::new();
        for (part, planned) in job.live_state.parts() {
            let now = live.state.get(part).unwrap_or_default();
            let owner = self.by_job[op.job]
                .iter()
                .map(|o| &self.ops[*o])
                .find(|o| o.write.part() == Some(part));
            let Some(owner) = owner else {
                if now != planned {
                    changes.push(changed(part));
                }
                continue;
            };
            let shown = owner.write.shown_in(live).is_ok();
            if owner.index < op.index {
                if !shown {
                    changes.push(format!("what {} wrote is no longer live", owner.id));
                }
            } else if now != planned && !shown {
                changes.push(match &owner.write {
                    Write::Objects {
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
                address: job.address.clone(),
                changes,
            })
        }
    }

    /// Reads the job until `decide` says it is ready, within the operation's timeout;
    /// what `decide` made of it, and the job as last read.
    #[allow(clippy::too_many_arguments)]
    async fn poll<T>(
        &self,
        op: &Op,
        options: &ApplyOptions,
        progress: &Progress,
        started: Instant,
        polls: &mut usize,
        what: &'static str,
        mut decide: impl FnMut(&LiveJob) -> Result<Step<T>, ApplyError>,
    ) -> Result<(T, LiveJob), ApplyError> {
        let job = &self.plan.jobs[op.job];
        let JobClient::Alibaba(client) = self.clients[op.job] else {
            return Err(ApplyError::plan(
                format!("{}: not an Alibaba job", op.id),
                "the plan file is damaged; run plan again",
            ));
        };
        let deadline = started + options.operation_timeout;
        let waiting_since = Instant::now();
        loop {
            let detail = within(deadline, client.describe_job(&job.dts_job_id))
                .await
                .ok_or_else(|| ApplyError::NoAnswer {
                    op: op.id.clone(),
                    action: "DescribeDtsJobDetail".into(),
                    waited: started.elapsed(),
                })?
                .map_err(|e| ApplyError::api(&op.id, "DescribeDtsJobDetail", e))?;
            *polls += 1;
            let live = LiveJob::from_detail(detail).map_err(|message| {
                ApplyError::plan(
                    format!("{}: {message}", op.id),
                    "dtsform will not write to a job it cannot read; check the job in the DTS console",
                )
            })?;
            if let Step::Ready(value) = decide(&live)? {
                return Ok((value, live));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ApplyError::Timeout {
                    op: op.id.clone(),
                    status: live.detail.status.to_string(),
                    waited: now - started,
                    what,
                });
            }
            progress.status(&format!("{}: {}", op.id, live.detail.status));
            let delay = options.poll.delay(now - waiting_since).min(deadline - now);
            tokio::time::sleep(delay).await;
            if Instant::now() >= deadline {
                return Err(ApplyError::Timeout {
                    op: op.id.clone(),
                    status: live.detail.status.to_string(),
                    waited: started.elapsed(),
                    what,
                });
            }
        }
    }
}

/// `future`'s output, or `None` if `deadline` passes first.
async fn within<T>(deadline: Instant, future: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout_at(deadline.into(), future).await.ok()
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

/// The first [`NAMED`] items, and how many more.
fn named(mut items: Vec<String>) -> Vec<String> {
    if items.len() > NAMED {
        let more = items.len() - NAMED;
        items.truncate(NAMED);
        items.push(format!("and {more} more"));
    }
    items
}
