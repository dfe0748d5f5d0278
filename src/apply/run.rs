//! Running a plan: check it whole against the configuration, then run its operations
//! in dependency order through the [`queue`](super::queue), each through the
//! [`executor`](super::executor) with its cloud's steps.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::executor::{self, Ctx};
use super::{
    ApplyError, ApplyOptions, Cancel, FromConfig, OpReport, Outcome, Progress, Summary, alibaba,
    queue, tencent,
};
use crate::clients::Clients;
use crate::cloud::RetryPolicy;
use crate::cloud::alibaba::AlibabaClient;
use crate::cloud::tencent::TencentClient;
use crate::config::{Cloud, Config};
use crate::objects::Pattern;
use crate::plan::file::PlanFile;
use crate::plan::{JobPlan, PlannedOp};
use crate::printer::Printer;
use crate::util::sha256_hex;

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

/// Applies `plan` as the `apply` command does: progress lines, then every failure as a
/// diagnostic and the summary line, all on `printer`. True when every operation is live.
pub async fn apply_reported(
    plan: &PlanFile,
    clients: &Clients,
    config: &Config,
    options: &ApplyOptions,
    cancel: &Cancel,
    printer: &Arc<Printer>,
) -> bool {
    let total = plan.jobs.iter().map(|j| j.operations.len()).sum();
    let progress = Progress::new(Arc::clone(printer), total);
    let result = apply(
        plan,
        clients,
        &FromConfig::new(config),
        options,
        cancel,
        &progress,
    )
    .await;
    progress.done();
    match result {
        Err(errors) => {
            for e in &errors {
                printer.diagnostic(e);
            }
            printer.note(&format!(
                "Nothing was applied: {} problem{} with the plan.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ));
            false
        }
        Ok(summary) => progress.summary(summary),
    }
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
