//! Fetching the live state of every job in the configuration.
//!
//! One API client per provider block (its region, endpoint, credentials, signature and
//! rate limit). Jobs are read concurrently, at most `parallelism` at a time, each
//! provider's requests paced to its `rate_limit`: plan time grows with the slowest
//! calls, not with their sum. A job that does not exist is a plan error naming the
//! resource; so is any API error, with the cloud's code, message and RequestId.

use std::collections::HashMap;

use futures::StreamExt as _;

use super::{JobPlan, LiveJob, plan_job};
use crate::cloud::Pacer;
use crate::cloud::alibaba::{AlibabaClient, ClientConfig, Credentials};
use crate::cloud::tencent::{self, TencentClient};
use crate::config::{Cloud, Config, ConfigError, JobSpec, ProviderSpec};
use crate::env::Environment;

/// Default number of jobs read at once.
pub const DEFAULT_PARALLELISM: usize = 16;
/// Default pacing when a provider sets no `rate_limit`: DescribeDtsJobDetail allows 40
/// calls per second per account and region; half leaves room for other tools.
pub const DEFAULT_RATE_LIMIT: f64 = 20.0;

/// Overrides every provider's endpoint and credentials, e.g. for the embedded emulator
/// (which serves both clouds on one address).
#[derive(Debug, Clone)]
pub struct EndpointOverride {
    pub endpoint: reqwest::Url,
    pub credentials: Credentials,
    pub tencent_credentials: tencent::Credentials,
}

/// API clients by provider alias.
#[derive(Debug, Clone)]
pub struct Clients {
    by_alias: HashMap<Option<String>, AlibabaClient>,
    tencent: HashMap<Option<String>, TencentClient>,
}

impl Clients {
    /// A client for each provider block. Credential problems are located on the block.
    pub fn new(
        config: &Config,
        env: &Environment,
        target: Option<&EndpointOverride>,
    ) -> Result<Clients, Vec<ConfigError>> {
        let mut by_alias = HashMap::new();
        let mut tencent = HashMap::new();
        let mut errors = Vec::new();
        for provider in &config.providers {
            match provider.cloud {
                Cloud::Alibaba => match client_for(config, provider, env, target) {
                    Ok(client) => {
                        by_alias.insert(provider.alias.clone(), client);
                    }
                    Err(e) => errors.push(e),
                },
                Cloud::Tencent => match tencent_client_for(config, provider, env, target) {
                    Ok(client) => {
                        tencent.insert(provider.alias.clone(), client);
                    }
                    Err(e) => errors.push(e),
                },
            }
        }
        // Every client masks every password of the configuration in server text, even
        // one it never sends itself (a server may echo another job's settings).
        for (_, _, secret) in config.jobs.iter().flat_map(JobSpec::secrets) {
            let value = secret.value.expose();
            for client in by_alias.values() {
                client.learn_secret(value);
            }
            for client in tencent.values() {
                client.learn_secret(value);
            }
        }
        if errors.is_empty() {
            Ok(Clients { by_alias, tencent })
        } else {
            Err(errors)
        }
    }

    pub fn for_alias(&self, alias: Option<&String>) -> Option<&AlibabaClient> {
        self.by_alias.get(&alias.cloned())
    }

    pub fn tencent_for_alias(&self, alias: Option<&String>) -> Option<&TencentClient> {
        self.tencent.get(&alias.cloned())
    }

    /// Every client with another retry policy.
    #[must_use]
    pub fn with_retry(self, retry: &crate::cloud::RetryPolicy) -> Clients {
        Clients {
            by_alias: self
                .by_alias
                .into_iter()
                .map(|(alias, client)| (alias, client.with_retry(retry.clone())))
                .collect(),
            tencent: self
                .tencent
                .into_iter()
                .map(|(alias, client)| (alias, client.with_retry(retry.clone())))
                .collect(),
        }
    }

    /// The Tencent client of the provider a plan names (`tencentcloud[.ALIAS]`).
    pub fn tencent_for_name(&self, name: &str) -> Option<&TencentClient> {
        match name.strip_prefix("tencentcloud") {
            Some("") => self.tencent.get(&None),
            Some(rest) => self.tencent.get(&Some(rest.strip_prefix('.')?.to_owned())),
            None => None,
        }
    }

    /// The client of the provider a plan names (`alicloud` or `alicloud.ALIAS`).
    pub fn for_name(&self, name: &str) -> Option<&AlibabaClient> {
        match name.strip_prefix("alicloud") {
            Some("") => self.by_alias.get(&None),
            Some(rest) => self.by_alias.get(&Some(rest.strip_prefix('.')?.to_owned())),
            None => None,
        }
    }
}

/// A problem with a provider block, located on it.
fn provider_error(
    config: &Config,
    provider: &ProviderSpec,
    code: &'static str,
    message: String,
    help: Option<String>,
) -> ConfigError {
    ConfigError::at(
        &config.sources,
        provider.span,
        code,
        message,
        "this provider",
    )
    .help_or(help, "check the provider block's settings")
}

fn client_for(
    config: &Config,
    provider: &ProviderSpec,
    env: &Environment,
    target: Option<&EndpointOverride>,
) -> Result<AlibabaClient, ConfigError> {
    let located = |code, message, help| provider_error(config, provider, code, message, help);
    let credentials = match target {
        Some(t) => t.credentials.clone(),
        None => Credentials::from_chain(env, provider.profile.as_deref()).map_err(|e| {
            let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
            located(
                "credentials",
                format!("provider {}: {e}", provider.name()),
                help,
            )
        })?,
    };
    let mut client_config = ClientConfig::new(provider.region.clone());
    client_config.endpoint = target
        .map(|t| t.endpoint.clone())
        .or_else(|| provider.endpoint.clone());
    client_config.signature_version = provider.signature;
    client_config.pacer = Pacer::new(provider.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT));
    AlibabaClient::new(client_config, credentials)
        .map_err(|e| located("client", format!("provider {}: {e}", provider.name()), None))
}

fn tencent_client_for(
    config: &Config,
    provider: &ProviderSpec,
    env: &Environment,
    target: Option<&EndpointOverride>,
) -> Result<TencentClient, ConfigError> {
    let located = |code, message, help| provider_error(config, provider, code, message, help);
    let credentials = match target {
        Some(t) => t.tencent_credentials.clone(),
        None => {
            tencent::Credentials::from_chain(env, provider.profile.as_deref()).map_err(|e| {
                let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
                located(
                    "credentials",
                    format!("provider {}: {e}", provider.name()),
                    help,
                )
            })?
        }
    };
    let mut client_config = tencent::ClientConfig::new(provider.region.clone());
    client_config.endpoint = target
        .map(|t| t.endpoint.clone())
        .or_else(|| provider.endpoint.clone());
    client_config.pacer = Pacer::new(provider.rate_limit.unwrap_or(tencent::DEFAULT_RATE_LIMIT));
    TencentClient::new(client_config, credentials)
        .map_err(|e| located("client", format!("provider {}: {e}", provider.name()), None))
}

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
