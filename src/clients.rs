//! API clients for the providers of a configuration: one per provider block, each
//! paced to the provider's `rate_limit` and knowing every password of the configuration
//! (to mask it in anything a server says). Plan reads and apply writes through them;
//! [`EndpointOverride`] points them all at one endpoint, such as the embedded emulator.

use std::collections::HashMap;

use crate::cloud::Pacer;
use crate::cloud::alibaba::{AlibabaClient, ClientConfig, Credentials};
use crate::cloud::tencent::{self, TencentClient};
use crate::config::{Cloud, Config, ConfigError, JobSpec, ProviderSpec};
use crate::env::Environment;

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
