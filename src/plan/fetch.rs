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
use crate::cloud::alibaba::{AlibabaClient, DescribeDtsJobDetail, Direction};
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
    read_all(config, clients, parallelism, |i, live| {
        live.map_err(|e| vec![e]).and_then(|l| match l {
            Live::Alibaba(l) => plan_job(config, i, &l, flags),
            Live::Tencent(l) => super::tencent::plan_job(config, i, &l, flags),
        })
    })
    .await
}

/// Reads every job's live state, at most `parallelism` jobs at once, and hands each to
/// `each` (with the job's index in the configuration) as soon as it arrives, so only the
/// jobs in flight are held in memory. What `each` makes, in configuration order.
pub async fn read_all<T>(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
    each: impl Fn(usize, Result<Live, ConfigError>) -> T,
) -> Vec<T> {
    let mut results: Vec<(usize, T)> = futures::stream::iter(config.jobs.iter().enumerate())
        .map(|(i, job)| async move { (i, read_one(config, i, job, clients).await) })
        .buffer_unordered(parallelism.max(1))
        .map(|(i, live)| (i, each(i, live)))
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// One job's live state, through the client of its provider.
async fn read_one(
    config: &Config,
    index: usize,
    job: &JobSpec,
    clients: &Clients,
) -> Result<Live, ConfigError> {
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
    match job.cloud {
        Cloud::Alibaba => match clients.for_alias(job.provider.as_ref()) {
            Some(client) => fetch_one(config, index, client)
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
    }
}

/// A job's live state, from either cloud.
#[derive(Debug)]
pub enum Live {
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
        let group = job.resource_group_id();
        ConfigError::at(
            &config.sources,
            job.job_id_span,
            "job_not_found",
            format!(
                "{}: there is no {what} {:?} in {region}{}",
                job.address(),
                job.dts_job_id,
                group.map(|g| format!(" (resource group {g})")).unwrap_or_default(),
            ),
            "no such job",
        )
        .help(if group.is_some() {
            format!("dtsform manages existing jobs: check {id_attribute}, the provider's region and resource_group_id")
        } else {
            format!("dtsform manages existing jobs: check {id_attribute} and the provider's region")
        })
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
    let read = AlibabaRead {
        dts_job_id: &job.dts_job_id,
        resource_group_id: job.resource_group_id(),
        names_direction: job.names_direction || job.reverse().is_some(),
        reverse: job.reverse().is_some(),
    };
    let live = read_alibaba(client, &read).await.map_err(|e| match e {
        ReadError::Api(e) => {
            let not_found = e.api().is_some_and(|a| {
                matches!(
                    a.code.as_str(),
                    "Forbidden.InstanceNotFound" | "InvalidJobId"
                )
            });
            read_error(config, job, client.region(), not_found, &e)
        }
        ReadError::Unreadable(m) => unreadable(config, job, &m),
    })?;
    if let Some(wanted) = &job.dts_instance_id
        && !live.detail.dts_instance_id.is_empty()
        && &live.detail.dts_instance_id != wanted
    {
        return Err(ConfigError::at(
            &config.sources,
            job.span,
            "instance_mismatch",
            format!(
                "{}: job {} belongs to instance {}, not {wanted}",
                job.address(),
                job.dts_job_id,
                live.detail.dts_instance_id
            ),
            "this job",
        )
        .help("fix dts_instance_id, or leave it out to use the job's own"));
    }
    Ok(live)
}

/// How to read an Alibaba job (for a plan, and for apply's re-checks and read-backs).
#[derive(Debug, Clone, Copy)]
pub struct AlibabaRead<'a> {
    pub dts_job_id: &'a str,
    /// Sent as `ResourceGroupId`.
    pub resource_group_id: Option<&'a str>,
    /// Ask for the forward direction by name (`SynchronizationDirection=Forward`).
    pub names_direction: bool,
    /// Read the reverse direction of a two-way job too.
    pub reverse: bool,
}

/// Why a job could not be read: the API's error, or a live state that cannot be read
/// safely.
#[derive(Debug)]
pub enum ReadError {
    Api(crate::cloud::Error),
    Unreadable(String),
}

/// Reads an Alibaba job with DescribeDtsJobDetail: the forward direction, and when
/// asked the reverse one (`SynchronizationDirection=Reverse`, read either way the
/// service may answer; see [`AlibabaClient::describe_reverse`]). A job that shows no
/// reverse direction comes back without one.
pub async fn read_alibaba(
    client: &AlibabaClient,
    read: &AlibabaRead<'_>,
) -> Result<LiveJob, ReadError> {
    let request = DescribeDtsJobDetail {
        dts_job_id: read.dts_job_id.to_owned(),
        dts_instance_id: None,
        synchronization_direction: read
            .names_direction
            .then(|| Direction::Forward.as_param().to_owned()),
        resource_group_id: read.resource_group_id.map(str::to_owned),
    };
    let detail = client.describe(&request).await.map_err(ReadError::Api)?;
    let reverse = if read.reverse {
        match client.describe_reverse(&request, &detail).await {
            Ok(reverse) => reverse,
            // A job that shows itself one-way (no DtsJobDirection, no ReverseJob) may
            // well refuse the question: it has no reverse direction.
            Err(e)
                if !detail.is_two_way()
                    && e.api().is_some_and(|a| {
                        a.http_status.is_some_and(|s| (400..500).contains(&s))
                    }) =>
            {
                None
            }
            Err(e) => return Err(ReadError::Api(e)),
        }
    } else {
        None
    };
    let mut live = LiveJob::from_detail(detail).map_err(ReadError::Unreadable)?;
    if let Some(reverse) = reverse {
        let reverse = LiveJob::from_detail(reverse)
            .map_err(|m| ReadError::Unreadable(format!("its reverse direction: {m}")))?;
        live = live.with_reverse(reverse);
    }
    Ok(live)
}

/// Reads every job and plans it: the whole plan, or every problem found.
pub async fn plan(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
    flags: &crate::guard::Flags,
) -> Result<super::Plan, Vec<ConfigError>> {
    let (plan, problems) = plan_partial(config, clients, parallelism, flags).await;
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

/// Reads every job and plans it: the plan of the jobs that planned, and every problem
/// found with the others. With problems the plan is for review only (a report of a
/// refused plan shows the other jobs): it must not be saved or applied.
pub async fn plan_partial(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
    flags: &crate::guard::Flags,
) -> (super::Plan, Vec<ConfigError>) {
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for result in plan_all(config, clients, parallelism, flags).await {
        match result {
            Ok(job) => jobs.push(job),
            Err(e) => problems.extend(e),
        }
    }
    (super::Plan::build(config, jobs), problems)
}
