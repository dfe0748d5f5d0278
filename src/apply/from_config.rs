//! What apply takes from the configuration.

use std::collections::HashMap;

use super::ApplyError;
use crate::config::{Config, SecretValue};
use crate::objects::Pattern;
use crate::secret::Secret;

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
    pub(super) fn job(&self, address: &str, job_id: &str) -> Result<&[Pattern], ApplyError> {
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
        let side_key = match side {
            "src" => "src",
            "reverse src" => "reverse src",
            "reverse dest" => "reverse dest",
            _ => "dest",
        };
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
