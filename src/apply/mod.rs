//! Apply: carry out a reviewed plan, and nothing else.
//!
//! The plan (a [`PlanFile`]'s jobs, or a plan made just now) is data; this module runs
//! it. [`apply`] first checks the whole plan against the configuration (every job and
//! operation, every password) and writes nothing if anything is off. [`queue`] runs the
//! operations in dependency order with bounded parallelism, never two on one DTS
//! instance at once. Each operation goes through the [`executor`]: settle and re-check
//! the job, write once (re-checking before any resend, [`write_rule`]), read back —
//! with each cloud's steps in [`alibaba`] and [`tencent`]. An operation whose effect is
//! already live (a re-run after a crash) is recognised and not sent again. [`wait`]
//! holds the one polling primitive and [`progress`] the lines and bar a user watches.

mod alibaba;
mod executor;
pub mod progress;
pub mod queue;
mod tencent;
pub mod wait;
mod write_rule;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::clients::Clients;
use crate::cloud::RetryPolicy;
use crate::cloud::alibaba::AlibabaClient;
use crate::cloud::tencent::TencentClient;
use crate::config::{Cloud, Config, SecretValue};
use crate::objects::Pattern;
use crate::plan::file::PlanFile;
use crate::plan::{JobPlan, PlannedOp};
use crate::secret::Secret;
use crate::util::sha256_hex;
use executor::Ctx;
pub use progress::Progress;
pub use queue::Cancel;
pub use wait::{PollPolicy, parse_duration};

/// Default number of operations run at once.
pub const DEFAULT_PARALLELISM: usize = 10;
/// Default longest time one operation may take, waits included (Terraform's update
/// timeout for DTS jobs).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_mins(10);

/// At most this many objects are named in a message.
const NAMED: usize = 10;

/// The first [`NAMED`] items, and how many more.
fn named(mut items: Vec<String>) -> Vec<String> {
    if items.len() > NAMED {
        let more = items.len() - NAMED;
        items.truncate(NAMED);
        items.push(format!("and {more} more"));
    }
    items
}

/// How apply runs.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// Per operation: from its first read to its verified read-back.
    pub operation_timeout: Duration,
    pub poll: PollPolicy,
    /// After a write, how long a settled job may keep showing something other than what
    /// was sent before that counts as a mismatch (a service may apply a change a little
    /// after it answers).
    pub read_back_grace: Duration,
    /// After a full object list shows, on a job that showed no `Modifying` phase since
    /// the write, how long it must keep showing before the write counts as applied: a
    /// second writer whose write lands just after ours is seen, not missed.
    pub stability_window: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            parallelism: DEFAULT_PARALLELISM,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            poll: PollPolicy::default(),
            read_back_grace: Duration::from_secs(30),
            stability_window: Duration::from_secs(2),
        }
    }
}

/// Why an operation, or the whole apply, could not be carried out.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyError {
    #[error("{address} changed since the plan was made, so nothing was written to it: {}", changes.join("; "))]
    #[diagnostic(
        code(dtsform::apply::stale),
        help(
            "run plan again and review what it shows now; apply writes only what a plan was made from"
        )
    )]
    Stale {
        address: String,
        changes: Vec<String>,
    },

    #[error("{op}: the job is still {status} after {waited:.0?} ({what})")]
    #[diagnostic(
        code(dtsform::apply::timeout),
        help(
            "check the job in the DTS console; if it is only slow, raise --operation-timeout and apply again"
        )
    )]
    Timeout {
        op: String,
        status: String,
        waited: Duration,
        what: &'static str,
    },

    #[error("{op}: {action} got no answer within the operation timeout ({waited:.0?})")]
    #[diagnostic(
        code(dtsform::apply::no_answer),
        help(
            "the API kept throttling or failing; apply again later (a re-run checks what is live first, so nothing is written twice), or raise --operation-timeout"
        )
    )]
    NoAnswer {
        op: String,
        action: String,
        waited: Duration,
    },

    #[error("{op}: read back, the live job differs from what was sent: {}", differences.join(", "))]
    #[diagnostic(
        code(dtsform::apply::read_back),
        help(
            "the service took the write but does not show all of it, or someone else changed the job at the same time; check the job in the DTS console, then run plan again"
        )
    )]
    ReadBack {
        op: String,
        differences: Vec<String>,
    },

    #[error("{op}: the job was changed by someone else during apply: {}", changes.join(", "))]
    #[diagnostic(
        code(dtsform::apply::conflict),
        help(
            "another apply, or someone in the console, wrote to this job while this one did, and the last write replaced the other's list; run plan again, review, and apply — and run one apply per job at a time (README: \"Concurrency\")"
        )
    )]
    Conflict { op: String, changes: Vec<String> },

    #[error(
        "{op}: every answer to {action} was lost, so whether it was applied is unknown ({waited:.0?})"
    )]
    #[diagnostic(
        code(dtsform::apply::outcome_unknown),
        help(
            "run plan, or apply this plan again: a re-run re-reads the job first and recognises the change if it was applied, so nothing is written twice"
        )
    )]
    OutcomeUnknown {
        op: String,
        action: String,
        waited: Duration,
    },

    #[error("{address}: nothing was written, because sending the plan's object list now is not safe: {}", problems.join("; "))]
    #[diagnostic(
        code(dtsform::apply::unsafe_write),
        help(
            "apply re-checks what it sends against the live job and the removals the reviewed plan showed; the plan file does not match what was reviewed (was it edited?) or the job changed: run plan again"
        )
    )]
    Unsafe {
        address: String,
        problems: Vec<String>,
    },

    #[error("{op}: the job went to {status} instead of {wanted}")]
    #[diagnostic(
        code(dtsform::apply::status),
        help("see the job's error in the DTS console; fix its cause, then plan and apply again")
    )]
    Status {
        op: String,
        status: String,
        wanted: String,
    },

    #[error("{op}: the migration check did not pass: {message}")]
    #[diagnostic(
        code(dtsform::apply::check_failed),
        help(
            "DTS checks the source and target before a migration may start; fix what it reports (the objects must exist on the source, the accounts need their privileges), then plan and apply again"
        )
    )]
    CheckFailed { op: String, message: String },

    #[error("{op}: {action} failed")]
    #[diagnostic(code(dtsform::apply::api))]
    Api {
        op: String,
        action: String,
        #[source]
        error: crate::cloud::Error,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(dtsform::apply::plan))]
    Plan {
        message: String,
        #[help]
        help: Option<String>,
    },
}

impl ApplyError {
    pub(crate) fn api(op: &str, action: &str, error: crate::cloud::Error) -> Self {
        let help = miette::Diagnostic::help(&error).map(|h| h.to_string());
        Self::Api {
            op: op.to_owned(),
            action: action.to_owned(),
            error,
            help,
        }
    }

    pub(crate) fn plan(message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::Plan {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

/// What apply takes from the configuration besides providers: the passwords it holds,
/// by job address, endpoint (`src`/`dest`) and parameter (`Password`/`ShardPassword`),
/// which a plan file only names; and each job's id and `prevent_removal` patterns, which
/// apply checks a plan against before it writes.
#[derive(Debug, Default)]
pub struct FromConfig {
    secrets: HashMap<(String, &'static str, &'static str), SecretValue>,
    /// By job address: its job id and `prevent_removal` patterns.
    jobs: HashMap<String, (String, Vec<Pattern>)>,
}

impl FromConfig {
    pub fn new(config: &Config) -> Self {
        let mut map = HashMap::new();
        let mut jobs = HashMap::new();
        for job in &config.jobs {
            jobs.insert(
                job.address(),
                (
                    job.dts_job_id.clone(),
                    job.guard
                        .prevent_removal
                        .iter()
                        .map(|(p, _)| p.clone())
                        .collect(),
                ),
            );
            for (side, key, value) in job.secrets() {
                map.insert((job.address(), side, key), value.clone());
            }
        }
        Self { secrets: map, jobs }
    }

    /// The `prevent_removal` patterns of the job at `address`, if the configuration
    /// has that job with that id; why not otherwise.
    fn job(&self, address: &str, job_id: &str) -> Result<&[Pattern], ApplyError> {
        match self.jobs.get(address) {
            Some((id, patterns)) if id == job_id => Ok(patterns),
            Some((id, _)) => Err(ApplyError::plan(
                format!(
                    "{address}: the plan writes to job {job_id}, but the configuration manages job {id} under that name"
                ),
                "apply a plan with the configuration it was made from, or run plan again",
            )),
            None => Err(ApplyError::plan(
                format!(
                    "{address}: the plan writes to this resource, which the configuration does not have"
                ),
                "apply a plan with the configuration it was made from, or run plan again",
            )),
        }
    }

    /// The password a plan file records as `{"sensitive": true, "from": EXPRESSION}`.
    pub(crate) fn resolve(
        &self,
        address: &str,
        side: &str,
        key: &'static str,
        from: &str,
    ) -> Result<Secret, ApplyError> {
        let side_key = if side == "src" { "src" } else { "dest" };
        let found = self.secrets.get(&(address.to_owned(), side_key, key));
        match found {
            Some(v) if v.expression == from => Ok(v.value.clone()),
            Some(v) => Err(ApplyError::plan(
                format!(
                    "{address}: the plan takes the {side} endpoint's {key} from {from}, the configuration now from {}",
                    v.expression
                ),
                "run plan again",
            )),
            None => Err(ApplyError::plan(
                format!(
                    "{address}: the plan sends the {side} endpoint's {key} from {from}, which the configuration no longer sets"
                ),
                "apply the plan with the configuration it was made from, or run plan again",
            )),
        }
    }
}

/// How one operation ended.
#[derive(Debug)]
pub enum Outcome {
    /// Written and verified; the text says what was verified.
    Applied(String),
    /// Already live (an earlier apply got this far); nothing was sent.
    AlreadyApplied(String),
    Failed(ApplyError),
    /// Not run: the operation with this id, which it depends on, failed.
    Skipped {
        because: String,
    },
    /// Not run: apply was interrupted first.
    Interrupted,
}

/// One operation's report.
#[derive(Debug)]
pub struct OpReport {
    pub id: String,
    pub action: String,
    pub outcome: Outcome,
    /// From its start to its end, for operations that ran.
    pub elapsed: Option<Duration>,
    /// Reads of the job it made (the first read, waits and read-backs).
    pub polls: usize,
}

/// Everything an apply did.
#[derive(Debug)]
pub struct Summary {
    pub ops: Vec<OpReport>,
    pub wall: Duration,
}

impl Summary {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.ops.iter().filter(|o| f(&o.outcome)).count()
    }

    pub fn applied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Applied(_)))
    }

    pub fn already_applied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::AlreadyApplied(_)))
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }

    pub fn interrupted(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Interrupted))
    }

    pub fn polls(&self) -> usize {
        self.ops.iter().map(|o| o.polls).sum()
    }

    /// Every operation is live.
    pub fn is_complete(&self) -> bool {
        self.applied() + self.already_applied() == self.ops.len()
    }
}

/// The ClientToken of an operation: the same for every run of the same plan, different
/// for any other plan or operation (at most 64 ASCII characters, as DTS requires).
pub fn client_token(plan_checksum: &str, op_id: &str) -> String {
    let digest = sha256_hex(format!("{plan_checksum}\n{op_id}").as_bytes());
    format!("dtsform-{}", &digest[..40])
}

/// A job's clients: one for reads (with retries), one for writes (without: see
/// [`write_rule`]).
enum JobClients<'a> {
    Alibaba {
        read: &'a AlibabaClient,
        write: AlibabaClient,
    },
    Tencent {
        read: &'a TencentClient,
        write: TencentClient,
    },
}

/// One operation, resolved.
enum Resolved<'a> {
    Alibaba(alibaba::AlibabaWrite<'a>),
    Tencent(tencent::TencentWrite<'a>),
}

/// An operation of the plan, checked and ready.
struct Prepared<'a> {
    job: usize,
    /// Its place among its job's operations.
    index: usize,
    planned: &'a PlannedOp,
    write: Resolved<'a>,
    deps: Vec<usize>,
}

/// A plan checked whole, ready to run: per job its clients and `prevent_removal`
/// patterns, and every operation.
struct PreparedPlan<'a> {
    clients: Vec<JobClients<'a>>,
    patterns: Vec<Vec<Pattern>>,
    ops: Vec<Prepared<'a>>,
}

/// The cloud a job's address names (`alicloud_dts_job.x` is Alibaba's).
fn cloud_of_address(address: &str) -> Option<Cloud> {
    address
        .split_once('.')
        .and_then(|(kind, _)| Cloud::from_resource_type(kind))
}

/// Checks the whole plan before anything is written: providers, regions, dependencies,
/// every operation's parameters and passwords, and that each job and operation is what
/// the plan's own data says (a resource of the configuration with that job id, of that
/// cloud, an operation of that cloud whose id names what it does). Every problem is
/// reported.
fn prepare<'a>(
    jobs: &'a [JobPlan],
    clients: &'a Clients,
    config: &FromConfig,
) -> Result<PreparedPlan<'a>, Vec<ApplyError>> {
    let mut errors = Vec::new();
    let mut job_clients = Vec::new();
    let mut patterns = Vec::new();
    for job in jobs {
        if cloud_of_address(&job.address) != Some(job.cloud) {
            errors.push(ApplyError::plan(
                format!(
                    "{}: the plan says this is a {:?} job, which its address does not",
                    job.address, job.cloud
                ),
                "the plan file is damaged or was not written by dtsform; run plan again",
            ));
        }
        let client = match job.cloud {
            Cloud::Alibaba => clients.for_name(&job.provider).map(|c| {
                (
                    JobClients::Alibaba {
                        read: c,
                        write: c.clone().with_retry(RetryPolicy::none()),
                    },
                    c.region(),
                )
            }),
            Cloud::Tencent => clients.tencent_for_name(&job.provider).map(|c| {
                (
                    JobClients::Tencent {
                        read: c,
                        write: c.clone().with_retry(RetryPolicy::none()),
                    },
                    c.region(),
                )
            }),
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
    let order = crate::plan::order_ops(jobs).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| {
                ApplyError::plan(
                    format!("the plan's operations cannot be ordered: {p}"),
                    "the plan file is damaged; run plan again",
                )
            })
            .collect::<Vec<_>>()
    });
    if let Err(e) = &order {
        errors.extend(
            e.iter().map(|e| {
                ApplyError::plan(e.to_string(), "the plan file is damaged; run plan again")
            }),
        );
    }
    let index: HashMap<&str, usize> = jobs
        .iter()
        .flat_map(|j| &j.operations)
        .enumerate()
        .map(|(i, op)| (op.id.as_str(), i))
        .collect();
    let mut ops = Vec::new();
    for (j, job) in jobs.iter().enumerate() {
        for (k, planned) in job.operations.iter().enumerate() {
            let resolved = if planned.op.cloud() != job.cloud {
                Err(ApplyError::plan(
                    format!(
                        "{}: {} is not an action of {}",
                        planned.id,
                        planned.op.action(),
                        job.address
                    ),
                    "the plan file is damaged or was not written by dtsform; run plan again",
                ))
            } else if planned.id != format!("{}/{}", job.address, planned.op.slug()) {
                Err(ApplyError::plan(
                    format!(
                        "{}: the operation is a {} of {} ({}), which its id does not name",
                        planned.id,
                        planned.op.action(),
                        job.address,
                        planned.op.slug()
                    ),
                    "the plan file is damaged or was not written by dtsform; run plan again",
                ))
            } else {
                match job.cloud {
                    Cloud::Alibaba => alibaba::resolve(job, planned, config).map(Resolved::Alibaba),
                    Cloud::Tencent => tencent::resolve(job, planned, config).map(Resolved::Tencent),
                }
            };
            match resolved {
                Ok(write) => ops.push(Prepared {
                    job: j,
                    index: k,
                    planned,
                    write,
                    deps: planned
                        .depends_on
                        .iter()
                        .filter_map(|d| index.get(d.as_str()).copied())
                        .collect(),
                }),
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(PreparedPlan {
            clients: job_clients,
            patterns,
            ops,
        })
    } else {
        Err(errors)
    }
}

/// An operation that ran to the end, or failed.
struct Ran {
    result: Result<Outcome, ApplyError>,
    elapsed: Duration,
    polls: usize,
}

/// Applies `plan` (its checksum makes the ClientTokens). Everything is checked before
/// the first write (every job's provider, every operation's parameters and passwords,
/// the graph); a problem there writes nothing and is returned as errors. Otherwise every
/// operation gets a report.
pub async fn apply(
    plan: &PlanFile,
    clients: &Clients,
    config: &FromConfig,
    options: &ApplyOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<Summary, Vec<ApplyError>> {
    let started = Instant::now();
    let (jobs, checksum) = (&plan.jobs[..], plan.checksum.as_str());
    let PreparedPlan {
        clients: job_clients,
        patterns,
        ops,
    } = prepare(jobs, clients, config)?;
    let nodes: Vec<queue::Node> = ops
        .iter()
        .map(|op| {
            let job = &jobs[op.job];
            let instance = if job.dts_instance_id.is_empty() {
                &job.dts_job_id
            } else {
                &job.dts_instance_id
            };
            queue::Node {
                deps: op.deps.clone(),
                lock: format!("{}/{}/{instance}", job.provider, job.region),
            }
        })
        .collect();
    let run_one = |i: usize| {
        let (ops, jobs, job_clients, patterns) = (&ops, jobs, &job_clients, &patterns);
        async move {
            let op = &ops[i];
            let job = &jobs[op.job];
            let mut ctx = Ctx {
                op_id: &op.planned.id,
                action: op.planned.op.action(),
                started: Instant::now(),
                options,
                progress,
                polls: 0,
            };
            progress.started(
                &op.planned.id,
                &format!("{} on job {}", ctx.action, job.dts_job_id),
            );
            let result = run(
                op,
                job,
                &job_clients[op.job],
                &patterns[op.job],
                ops,
                checksum,
                &mut ctx,
            )
            .await;
            let elapsed = ctx.started.elapsed();
            let (what, detail) = match &result {
                Ok(Outcome::Applied(text)) => ("applied", Some(text.as_str())),
                Ok(Outcome::AlreadyApplied(text)) => {
                    ("already live, nothing sent", Some(text.as_str()))
                }
                Ok(_) => ("done", None),
                Err(ApplyError::Stale { .. }) => ("refused, the job changed since the plan", None),
                Err(_) => ("failed", None),
            };
            progress.finished(&op.planned.id, what, detail, elapsed);
            let ran = Ran {
                result,
                elapsed,
                polls: ctx.polls,
            };
            match ran.result {
                Ok(_) => Ok(ran),
                Err(_) => Err(ran),
            }
        }
    };
    let settled = queue::run(&nodes, options.parallelism, cancel, run_one).await;
    let reports = settled
        .into_iter()
        .zip(&ops)
        .map(|(settled, op)| {
            let (outcome, elapsed, polls) = match settled {
                queue::Settled::Done(ran) | queue::Settled::Failed(ran) => (
                    ran.result.unwrap_or_else(Outcome::Failed),
                    Some(ran.elapsed),
                    ran.polls,
                ),
                queue::Settled::Skipped { because } => (
                    Outcome::Skipped {
                        because: ops[because].planned.id.clone(),
                    },
                    None,
                    0,
                ),
                queue::Settled::Interrupted => (Outcome::Interrupted, None, 0),
            };
            OpReport {
                id: op.planned.id.clone(),
                action: op.planned.op.action().to_owned(),
                outcome,
                elapsed,
                polls,
            }
        })
        .collect();
    Ok(Summary {
        ops: reports,
        wall: started.elapsed(),
    })
}

/// Runs one prepared operation through the executor with its cloud's steps.
async fn run(
    op: &Prepared<'_>,
    job: &JobPlan,
    clients: &JobClients<'_>,
    patterns: &[Pattern],
    ops: &[Prepared<'_>],
    checksum: &str,
    ctx: &mut Ctx<'_>,
) -> Result<Outcome, ApplyError> {
    let mut of_job = ops.iter().filter(|o| o.job == op.job);
    match (&op.write, clients) {
        (
            Resolved::Alibaba(write),
            JobClients::Alibaba {
                read,
                write: writer,
            },
        ) => {
            let driver = alibaba::AlibabaOp {
                job,
                op_id: &op.planned.id,
                index: op.index,
                write,
                job_writes: of_job
                    .filter_map(|o| match &o.write {
                        Resolved::Alibaba(w) => Some((o.index, o.planned.id.as_str(), w)),
                        Resolved::Tencent(_) => None,
                    })
                    .collect(),
                client: read,
                writer,
                patterns,
                token: client_token(checksum, &op.planned.id),
            };
            executor::execute(&driver, ctx).await
        }
        (
            Resolved::Tencent(write),
            JobClients::Tencent {
                read,
                write: writer,
            },
        ) => {
            let modify = of_job.find_map(|o| match &o.write {
                Resolved::Tencent(w @ tencent::TencentWrite::Modify { .. }) => {
                    Some((o.index, op.index, w))
                }
                _ => None,
            });
            let driver = tencent::TencentOp {
                job,
                op_id: &op.planned.id,
                write,
                modify,
                client: read,
                writer,
                patterns,
            };
            executor::execute(&driver, ctx).await
        }
        _ => Err(ApplyError::plan(
            format!("{}: no client of the job's cloud", op.planned.id),
            "this is a dtsform bug; please report it",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_tokens_are_deterministic_short_and_distinct() {
        let a = client_token("abc", "alicloud_dts_job.x/objects");
        assert_eq!(a, client_token("abc", "alicloud_dts_job.x/objects"));
        assert_ne!(a, client_token("abd", "alicloud_dts_job.x/objects"));
        assert_ne!(a, client_token("abc", "alicloud_dts_job.x/reserved"));
        assert!(a.len() <= 64 && a.is_ascii());
    }
}
