//! Fetching the live state of every job in the configuration.
//!
//! One API client per provider block (its region, endpoint, credentials, signature and
//! rate limit). Jobs are read concurrently, at most `parallelism` at a time; within
//! that, each provider's client finds how many reads in flight and how many per second
//! the API takes ([`crate::cloud::limiter`]), never more than its `rate_limit`: plan
//! time grows with the slowest calls, not with their sum. A job that does not exist is
//! a plan error naming the resource; so is any API error, with the cloud's code,
//! message and RequestId.

use futures::StreamExt as _;

use super::{JobPlan, LiveJob, plan_job};
use crate::clients::Clients;
use crate::cloud::alibaba::AlibabaClient;
use crate::cloud::tencent::{self, TencentClient};
use crate::config::{Cloud, Config, ConfigError, JobSpec};

/// The most jobs read at once when `--parallelism` sets no lower cap; the adaptive
/// window of each action decides how many of them are in flight.
pub const MAX_PARALLELISM: usize = crate::cloud::limiter::MAX_WINDOW;
/// Reads every job's live state and plans it as soon as it arrives, so only the jobs in
/// flight are held in memory. Results in configuration order.
pub async fn plan_all(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
    flags: &crate::guard::Flags,
) -> Vec<Result<JobPlan, Vec<ConfigError>>> {
    let mut results: Vec<(usize, Result<JobPlan, Vec<ConfigError>>)> =
        futures::stream::iter(config.jobs.iter().enumerate())
            .map(|(i, job)| async move {
                let missing = || {
                    ConfigError::at(
                        &config.sources,
                        job.span,
                        "missing_provider",
                        format!("{} has no usable provider", job.address()),
                        "this job",
                    )
                    .help("configure the provider this job names")
                };
                let live = match job.cloud {
                    Cloud::Alibaba => match clients.for_alias(job.provider.as_ref()) {
                        Some(client) => fetch_one(config, i, client)
                            .await
                            .map(|l| Live::Alibaba(Box::new(l))),
                        None => Err(missing()),
                    },
                    Cloud::Tencent => match clients.tencent_for_alias(job.provider.as_ref()) {
                        Some(client) => fetch_tencent(config, job, client)
                            .await
                            .map(|l| Live::Tencent(Box::new(l))),
                        None => Err(missing()),
                    },
                };
                (i, live)
            })
            .buffer_unordered(parallelism.max(1))
            .map(|(i, live)| {
                let planned = live.map_err(|e| vec![e]).and_then(|l| match l {
                    Live::Alibaba(l) => plan_job(config, i, &l, flags),
                    Live::Tencent(l) => super::tencent::plan_job(config, i, &l, flags),
                });
                (i, planned)
            })
            .collect()
            .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A job's live state, from either cloud.
enum Live {
    Alibaba(Box<LiveJob>),
    Tencent(Box<super::tencent::TencentLive>),
}

async fn fetch_tencent(
    config: &Config,
    job: &JobSpec,
    client: &TencentClient,
) -> Result<super::tencent::TencentLive, ConfigError> {
    let row = client
        .describe_migrate_job(&job.dts_job_id)
        .await
        .map_err(|e| read_error(config, job, client.region(), tencent::is_not_found(&e), &e))?;
    let value = serde_json::to_value(&row).unwrap_or_default();
    super::tencent::TencentLive::from_row(&value).map_err(|m| unreadable(config, job, &m))
}

/// A job that could not be read: not found (located on its id), or the API's error.
fn read_error(
    config: &Config,
    job: &JobSpec,
    region: &str,
    not_found: bool,
    e: &crate::cloud::Error,
) -> ConfigError {
    let (what, id_attribute, cloud) = match job.cloud {
        Cloud::Alibaba => ("DTS job", "dts_job_id", "Alibaba Cloud"),
        Cloud::Tencent => ("DTS migration job", "job_id", "Tencent Cloud"),
    };
    if not_found {
        ConfigError::at(
            &config.sources,
            job.job_id_span,
            "job_not_found",
            format!(
                "{}: there is no {what} {:?} in {region}",
                job.address(),
                job.dts_job_id,
            ),
            "no such job",
        )
        .help(format!(
            "dtsform manages existing jobs: check {id_attribute} and the provider's region"
        ))
    } else {
        let help = miette::Diagnostic::help(e).map(|h| h.to_string());
        ConfigError::at(
            &config.sources,
            job.span,
            "api",
            format!("{}: {e}", job.address()),
            "reading this job failed",
        )
        .help_or(
            help,
            format!("quote the code and RequestId above to {cloud} support if it persists"),
        )
    }
}

/// A live job whose state cannot be read.
fn unreadable(config: &Config, job: &JobSpec, message: &str) -> ConfigError {
    ConfigError::at(
        &config.sources,
        job.span,
        "live_state",
        format!("{}: {message}", job.address()),
        "this job",
    )
    .help("nothing will be written to a job whose live state cannot be read safely; check the job in the console (if its list is valid DTS, please report its shape)")
}

async fn fetch_one(
    config: &Config,
    index: usize,
    client: &AlibabaClient,
) -> Result<LiveJob, ConfigError> {
    let job = &config.jobs[index];
    let detail = client.describe_job(&job.dts_job_id).await.map_err(|e| {
        let not_found = e.api().is_some_and(|a| {
            matches!(
                a.code.as_str(),
                "Forbidden.InstanceNotFound" | "InvalidJobId"
            )
        });
        read_error(config, job, client.region(), not_found, &e)
    })?;
    if let Some(wanted) = &job.dts_instance_id
        && !detail.dts_instance_id.is_empty()
        && &detail.dts_instance_id != wanted
    {
        return Err(ConfigError::at(
            &config.sources,
            job.span,
            "instance_mismatch",
            format!(
                "{}: job {} belongs to instance {}, not {wanted}",
                job.address(),
                job.dts_job_id,
                detail.dts_instance_id
            ),
            "this job",
        )
        .help("fix dts_instance_id, or leave it out to use the job's own"));
    }
    LiveJob::from_detail(detail).map_err(|m| unreadable(config, job, &m))
}

/// Reads every job and plans it: the whole plan, or every problem found.
pub async fn plan(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
    flags: &crate::guard::Flags,
) -> Result<super::Plan, Vec<ConfigError>> {
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for result in plan_all(config, clients, parallelism, flags).await {
        match result {
            Ok(job) => jobs.push(job),
            Err(e) => problems.extend(e),
        }
    }
    if problems.is_empty() {
        Ok(super::Plan::build(config, jobs))
    } else {
        Err(problems)
    }
}
