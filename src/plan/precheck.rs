//! `plan --precheck`: the service's own check of every planned endpoint change,
//! `ModifyDtsJobEndpoint` with `DryRun=true`, which changes nothing. Each result is kept
//! on its operation ([`EndpointWrite::precheck`]) for the plan to show. Apply runs the
//! same prechecks again before it writes, whatever the plan found.

use futures::StreamExt as _;

use super::Plan;
use super::operation::{EndpointWrite, Operation, PrecheckResult, Side};
use crate::clients::Clients;
use crate::cloud::alibaba::Direction;
use crate::config::{Cloud, Config, EndpointSpec, JobSpec};
use crate::secret::Secret;

/// Runs the precheck of every endpoint change of `plan`, at most `parallelism` at once,
/// and records each result on its operation.
pub async fn precheck(plan: &mut Plan, config: &Config, clients: &Clients, parallelism: usize) {
    let mut checks = Vec::new();
    for (j, job) in plan.jobs.iter().enumerate() {
        if job.cloud != Cloud::Alibaba {
            continue;
        }
        let spec = config.jobs.iter().find(|s| s.address() == job.address);
        for (k, planned) in job.operations.iter().enumerate() {
            let Operation::Endpoint(write) = &planned.op else {
                continue;
            };
            let endpoint = spec.and_then(|s| endpoint_spec(s, write));
            let (password, shard) = passwords(endpoint, write);
            let mut request = write.request(job.target(), password, shard);
            request.dry_run = true;
            checks.push((j, k, clients.for_name(&job.provider), request));
        }
    }
    let results: Vec<(usize, usize, PrecheckResult)> = futures::stream::iter(checks)
        .map(|(j, k, client, request)| async move {
            let result = match client {
                Some(client) => match client.modify_endpoint(&request).await {
                    Ok(_) => PrecheckResult::passed(),
                    Err(e) => PrecheckResult::failed(&e),
                },
                None => PrecheckResult {
                    passed: false,
                    code: None,
                    message: Some("the job's provider is not configured".into()),
                    request_id: None,
                },
            };
            (j, k, result)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    for (j, k, result) in results {
        if let Operation::Endpoint(write) = &mut plan.jobs[j].operations[k].op {
            write.precheck = Some(result);
        }
    }
}

/// The configured endpoint a write comes from.
fn endpoint_spec<'a>(spec: &'a JobSpec, write: &EndpointWrite) -> Option<&'a EndpointSpec> {
    let direction = match write.direction {
        Direction::Forward => spec,
        Direction::Reverse => spec.reverse()?,
    };
    match write.side {
        Side::Source => direction.source.as_ref(),
        Side::Destination => direction.destination.as_ref(),
    }
}

/// The passwords of the accounts a write sends, from the configuration it was planned
/// from.
fn passwords(
    endpoint: Option<&EndpointSpec>,
    write: &EndpointWrite,
) -> (Option<Secret>, Option<Secret>) {
    let Some(endpoint) = endpoint else {
        return (None, None);
    };
    let pick = |account: Option<&super::operation::Account>,
                value: Option<&crate::config::SecretValue>| {
        let (account, value) = (account?, value?);
        (value.expression == account.password.from).then(|| value.value.clone())
    };
    (
        pick(write.account.as_ref(), endpoint.password.as_ref()),
        pick(
            write.shard_account.as_ref(),
            endpoint.shard_password.as_ref(),
        ),
    )
}
