//! API clients for the providers of a configuration: one per provider block, each with
//! its own adaptive limit per API action (capped by the provider's `rate_limit`) and
//! knowing every password of the configuration (to mask it in anything a server says).
//! Plan reads and apply writes through them; [`EndpointOverride`] points them all at
//! one endpoint, such as the embedded emulator.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::cloud::Limiter;
use crate::cloud::alibaba::{AlibabaClient, ClientConfig, Credentials};
use crate::cloud::limiter::{ActionStats, LimiterConfig};
use crate::cloud::tencent::{self, TencentClient};
use crate::config::{Cloud, Config, ConfigError, JobSpec, ProviderSpec};
use crate::env::Environment;

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
    /// Each provider's name, region and limits, in configuration order.
    limits: Vec<ProviderLimits>,
}

/// One provider block's adaptive limits.
#[derive(Debug, Clone)]
struct ProviderLimits {
    name: String,
    region: String,
    limiter: Limiter,
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
        let mut limits = Vec::new();
        let mut errors = Vec::new();
        for provider in &config.providers {
            let limiter = Limiter::new(LimiterConfig::capped(provider.rate_limit));
            limits.push(ProviderLimits {
                name: provider.name(),
                region: provider.region.clone(),
                limiter: limiter.clone(),
            });
            match provider.cloud {
                Cloud::Alibaba => match client_for(config, provider, env, target, limiter) {
                    Ok(client) => {
                        by_alias.insert(provider.alias.clone(), client);
                    }
                    Err(e) => errors.push(e),
                },
                Cloud::Tencent => {
                    match tencent_client_for(config, provider, env, target, limiter) {
                        Ok(client) => {
                            tencent.insert(provider.alias.clone(), client);
                        }
                        Err(e) => errors.push(e),
                    }
                }
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
            Ok(Clients {
                by_alias,
                tencent,
                limits,
            })
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
            limits: self.limits,
        }
    }

    /// One line per provider that sent any request: requests, throttling answers, and
    /// per action the rate it learned (or that it was never throttled).
    pub fn traffic(&self) -> Vec<String> {
        self.limits
            .iter()
            .filter_map(|p| traffic_line(&p.name, &p.region, &p.limiter.traffic()))
            .collect()
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

/// `alicloud (cn-hangzhou): 1046 requests, 46 throttled (4.4%); DescribeDtsJobDetail
/// 1040 requests, 46 throttled, learned 248/s; ...`, or `None` when nothing was sent.
pub fn traffic_line(name: &str, region: &str, actions: &[(String, ActionStats)]) -> Option<String> {
    let requests: u64 = actions.iter().map(|(_, s)| s.requests).sum();
    if requests == 0 {
        return None;
    }
    let throttled: u64 = actions.iter().map(|(_, s)| s.throttled).sum();
    #[allow(clippy::cast_precision_loss)]
    let share = throttled as f64 * 100.0 / requests as f64;
    let count = |n: u64| format!("{n} request{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{name} ({region}): {}, {throttled} throttled ({share:.1}%)",
        count(requests)
    );
    for (action, stats) in actions.iter().filter(|(_, s)| s.requests > 0) {
        let _ = write!(line, "; {action} {}, ", count(stats.requests));
        match stats.learned {
            Some(limit) => {
                let _ = write!(line, "{} throttled, learned {limit:.0}/s", stats.throttled);
            }
            None => {
                // The pace it was allowed, not one it reached: with few requests the
                // limiter never needed to learn more.
                let _ = write!(line, "never throttled (allowed {:.0}/s)", stats.rate);
            }
        }
    }
    Some(line)
}

fn client_for(
    config: &Config,
    provider: &ProviderSpec,
    env: &Environment,
    target: Option<&EndpointOverride>,
    limiter: Limiter,
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
    client_config.limiter = Some(limiter);
    AlibabaClient::new(client_config, credentials)
        .map_err(|e| located("client", format!("provider {}: {e}", provider.name()), None))
}

fn tencent_client_for(
    config: &Config,
    provider: &ProviderSpec,
    env: &Environment,
    target: Option<&EndpointOverride>,
    limiter: Limiter,
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
    client_config.limiter = Some(limiter);
    TencentClient::new(client_config, credentials)
        .map_err(|e| located("client", format!("provider {}: {e}", provider.name()), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traffic_line_says_what_each_action_sent_and_learned() {
        let stats = |requests, throttled, rate, learned| ActionStats {
            requests,
            throttled,
            rate,
            learned,
        };
        let actions = vec![
            (
                "DescribeDtsJobDetail".to_owned(),
                stats(1040, 46, 236.2, Some(248.4)),
            ),
            ("ModifyDtsJob".to_owned(), stats(6, 0, 1000.0, None)),
            ("StartDtsJob".to_owned(), stats(0, 0, 1000.0, None)),
        ];
        assert_eq!(
            traffic_line("alicloud", "cn-hangzhou", &actions).unwrap(),
            "alicloud (cn-hangzhou): 1046 requests, 46 throttled (4.4%); \
             DescribeDtsJobDetail 1040 requests, 46 throttled, learned 248/s; \
             ModifyDtsJob 6 requests, never throttled (allowed 1000/s)"
        );
        assert_eq!(traffic_line("alicloud", "cn-hangzhou", &actions[2..]), None);
    }
}
