//! The plan: what would change, job by job, as operations in dependency order.
//!
//! Planning is pure: given the configuration and the live state of each job (fetched by
//! [`fetch`]), the cloud's module ([`alibaba`], [`tencent`]) lists the job's writes as
//! [`Operation`]s — the object list through the shared [`plan_objects`] (payload, diff,
//! guard) — and [`Plan::build`] orders every operation: each job's in turn, and a job's
//! first after what its `depends_on` jobs do. A [`JobPlan`] is plain data: it is what
//! `plan` renders, what the plan file ([`file`]) stores and what `apply` executes. Each
//! job records digests of the live state the plan was computed from ([`LiveState`]), so
//! apply can refuse to write if the job changed since.

pub mod alibaba;
pub mod fetch;
pub mod file;
pub mod operation;
pub mod precheck;
pub mod tencent;
mod udiff;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cloud::alibaba::Direction;
use crate::cloud::alibaba::limits::check_db_list_size;
use crate::config::{Cloud, Config, ConfigError, JobSpec};
use crate::guard::{self, AllowedRemoval};
use crate::objects::diff::{ObjectDiff, diff, merge_unmentioned};
use crate::objects::normalize::{Suppressed, without_server_attrs};
use crate::objects::{Address, ObjectTree, Removal};
pub use alibaba::{
    LiveJob, endpoint_mismatches, live_endpoint, migration_mode_mismatches, plan_job,
    reserved_value_matches,
};
pub use operation::{FieldChange, JobTarget, Operation};

/// SHA-256 digests of the parts of a job's live state that writes depend on, each over
/// a canonical rendering: the object list (its canonical JSON), reserved settings (keys
/// sorted), each endpoint, and the direction; for Alibaba the migration mode, and for a
/// two-way job the same parts of its reverse direction; for Tencent the name,
/// MigrateOption and database types as `options`. Apply compares them part by part, so
/// it can say which part changed since the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    pub objects: String,
    pub reserved: String,
    pub source: String,
    pub destination: String,
    pub direction: String,
    #[serde(default)]
    pub options: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub migration_mode: String,
    /// The reverse direction of a two-way job, when the plan reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<Box<LiveState>>,
}

impl LiveState {
    /// The parts by name, in a fixed order; the reverse direction's as
    /// `reverse.objects`, ....
    pub fn parts(&self) -> Vec<(String, &str)> {
        let own = [
            ("objects", self.objects.as_str()),
            ("reserved", &self.reserved),
            ("source", &self.source),
            ("destination", &self.destination),
            ("direction", &self.direction),
            ("options", &self.options),
            ("migration_mode", &self.migration_mode),
        ];
        let mut parts: Vec<(String, &str)> = own
            .into_iter()
            .map(|(name, digest)| (name.to_owned(), digest))
            .collect();
        if let Some(reverse) = &self.reverse {
            parts.extend(
                reverse
                    .parts()
                    .into_iter()
                    .map(|(name, digest)| (format!("reverse.{name}"), digest)),
            );
        }
        parts
    }

    /// The digest of one part, by name.
    pub fn get(&self, part: &str) -> Option<&str> {
        self.parts()
            .into_iter()
            .find(|(name, _)| name == part)
            .map(|(_, digest)| digest)
    }

    /// One digest of every part: the job's fingerprint.
    pub fn fingerprint(&self) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for (name, part) in self.parts() {
            let _ = writeln!(text, "{name}={part}");
        }
        digest(&text)
    }
}

pub(crate) fn digest(text: &str) -> String {
    crate::util::sha256_hex(text.as_bytes())
}

/// The object-list part of a job's plan. The trees themselves are not kept: a plan of
/// a thousand jobs holds only what it will send and show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectPlan {
    pub diff: ObjectDiff,
    pub removals: Vec<AllowedRemoval>,
    /// Objects in the live job before and after.
    pub count_before: usize,
    pub count_after: usize,
    /// Unified diff of the list to send against the live list (server attributes left
    /// out), empty when nothing changes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub db_list_diff: String,
    /// A Tencent job that migrates the whole instance is narrowed to the list (allowed
    /// by `removed { whole_instance = true }`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub narrows_instance: bool,
}

impl ObjectPlan {
    /// The removals the plan allows, as a write records them.
    pub fn removes(&self) -> Vec<Removal> {
        self.removals.iter().map(|r| r.removal.clone()).collect()
    }
}

/// One operation of a job's plan: its id (`alicloud_dts_job.NAME/objects`), the ids of
/// the operations that must finish first, and the write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedOp {
    pub id: String,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(flatten)]
    pub op: Operation,
}

impl PlannedOp {
    /// An operation without its id and dependencies yet ([`Plan::build`] sets them).
    pub fn new(op: Operation) -> PlannedOp {
        PlannedOp {
            id: String::new(),
            depends_on: Vec::new(),
            op,
        }
    }
}

/// Everything planned for one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPlan {
    /// `alicloud_dts_job.NAME` or `tencentcloud_dts_migrate_job.NAME`.
    pub address: String,
    pub cloud: Cloud,
    /// The provider it was planned with (`alicloud`, `alicloud.ALIAS`).
    pub provider: String,
    pub region: String,
    pub dts_job_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dts_instance_id: String,
    /// The live status as shown to people (`Synchronizing`, `CheckPass (4)`).
    pub live_status: String,
    pub live_state: LiveState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<ObjectPlan>,
    /// The reverse direction's object list, for a two-way job that manages it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_objects: Option<ObjectPlan>,
    /// Alibaba: every request names its direction (`SynchronizationDirection`): the job
    /// is two-way, or the configuration names the direction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub names_direction: bool,
    /// Alibaba: the resource group sent with every request (`ResourceGroupId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    pub operations: Vec<PlannedOp>,
    #[serde(default)]
    pub suppressed: Suppressed,
    /// Things the reviewer should know that are not errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl JobPlan {
    pub fn has_changes(&self) -> bool {
        !self.operations.is_empty()
    }

    /// The object-list part of the plan for `direction`.
    pub fn objects_in(&self, direction: Direction) -> Option<&ObjectPlan> {
        match direction {
            Direction::Forward => self.objects.as_ref(),
            Direction::Reverse => self.reverse_objects.as_ref(),
        }
    }

    /// How every Alibaba request of this job names it.
    pub fn target(&self) -> JobTarget<'_> {
        JobTarget {
            dts_job_id: &self.dts_job_id,
            dts_instance_id: &self.dts_instance_id,
            resource_group_id: self.resource_group_id.as_deref(),
            names_direction: self.names_direction,
        }
    }

    /// Whether the plan reads the reverse direction of the job (it manages or depends on
    /// it).
    pub fn reads_reverse(&self) -> bool {
        self.live_state.reverse.is_some()
    }
}

/// The unified diff (3 lines of context) of the pretty DbList JSON, live against to send.
pub fn unified_diff(before: &str, after: &str) -> String {
    udiff::unified_diff(before, after, 3, ("live", "to send"))
}

/// The object-list part of a job's plan, shared by both clouds: the payload to send
/// (in merge mode with the unmentioned live objects), the removed-block checks, the
/// size limit, the diff against the live tree and the guard.
pub(crate) fn plan_objects(
    config: &Config,
    spec: &JobSpec,
    desired: ObjectTree,
    live: &ObjectTree,
    flags: &guard::Flags,
    notes: &mut Vec<String>,
) -> Result<(ObjectPlan, ObjectTree), Vec<ConfigError>> {
    let sources = &config.sources;
    let mut errors = Vec::new();
    for (removal, span) in &spec.removed {
        let address = removal.address();
        if let Removal::Rest(_) = removal {
            if desired.get(address).is_none() {
                errors.push(
                    ConfigError::at(
                        sources,
                        *span,
                        "removed_rest_not_declared",
                        format!("{removal} declares narrowing {address}, but the configuration does not list {address}"),
                        "nothing to narrow",
                    )
                    .help(format!("to remove {address} with everything in it, write \"{address}\" instead; to narrow it, list it with the objects to keep")),
                );
            } else if live.get(address).is_none() {
                notes.push(format!(
                    "removed names {removal}, but the live job does not have {address}"
                ));
            }
            continue;
        }
        if desired.get(address).is_some() {
            errors.push(
                ConfigError::at(
                    sources,
                    *span,
                    "removed_but_declared",
                    format!("{address} is in removed, but the configuration still declares it"),
                    "both kept and removed",
                )
                .help(
                    "delete the object from the configuration, or take it out of the removed block",
                ),
            );
        } else if live.get(address).is_none() {
            notes.push(format!(
                "removed names {address}, which the live job does not have (already removed?)"
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let payload = payload(spec, desired, live, flags);
    if let Err(e) = check_db_list_size(payload.to_json().len()) {
        return Err(vec![ConfigError::at(sources, spec.objects_span, "db_list_too_large", format!("the object list to send is {e}"), "too large")
            .help("with merge_live_objects the live objects count too; list whole databases with all = true, or split the job")]);
    }
    let d = diff(&payload, live);
    let removals = guard::check(sources, spec, live, &payload, &d, flags)?;
    let db_list_diff = if d.is_empty() {
        String::new()
    } else {
        unified_diff(&live.to_pretty_json_normalized(), &payload.to_pretty_json())
    };
    Ok((
        ObjectPlan {
            count_before: live.count(),
            count_after: payload.count(),
            diff: d,
            removals,
            db_list_diff,
            narrows_instance: false,
        },
        payload,
    ))
}

/// The object list apply would send for `spec`: the configured objects, and in merge
/// mode every live object they do not mention, except declared removals (in the
/// resource's `removed` block or with `--allow-removal`).
pub fn payload(
    spec: &JobSpec,
    desired: ObjectTree,
    live: &ObjectTree,
    flags: &guard::Flags,
) -> ObjectTree {
    if !spec.merge_live_objects {
        return desired;
    }
    let declared: Vec<&Address> = spec
        .removed
        .iter()
        .map(|(r, _)| r)
        .chain(&flags.allow)
        .filter_map(|r| match r {
            Removal::Object(a) => Some(a),
            Removal::Rest(_) => None,
        })
        .collect();
    // Re-sent live objects go without the attributes the server owns (`state`).
    merge_unmentioned(&desired, &without_server_attrs(live), &|a| {
        declared.contains(&a)
    })
}

/// All jobs' plans; every operation knows what it waits for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub jobs: Vec<JobPlan>,
}

impl Plan {
    /// Names each operation and links them: each job's in order, and a job's first
    /// operation after everything its `depends_on` jobs (transitively, through jobs
    /// with nothing to do) will do.
    pub fn build(config: &Config, mut jobs: Vec<JobPlan>) -> Plan {
        for job in &mut jobs {
            let mut previous: Option<String> = None;
            for planned in &mut job.operations {
                planned.id = format!("{}/{}", job.address, planned.op.slug());
                planned.depends_on = previous.iter().cloned().collect();
                previous = Some(planned.id.clone());
            }
        }
        let specs: std::collections::HashMap<String, &JobSpec> =
            config.jobs.iter().map(|j| (j.address(), j)).collect();
        let spec_of = |address: &str| specs.get(address).copied();
        let by_name: BTreeMap<&str, usize> = jobs
            .iter()
            .enumerate()
            .filter_map(|(j, p)| Some((spec_of(&p.address)?.name.as_str(), j)))
            .collect();
        // What "job j is done" means: its last operation, or for a job with nothing to
        // do, what its own dependencies wait for.
        let mut done: Vec<Option<Vec<String>>> = vec![None; jobs.len()];
        let deps = |j: usize| -> Vec<usize> {
            spec_of(&jobs[j].address)
                .map(|spec| {
                    spec.depends_on
                        .iter()
                        .filter_map(|(name, _)| {
                            by_name.get(crate::config::dependency_name(name)).copied()
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut waits: Vec<Vec<String>> = Vec::with_capacity(jobs.len());
        for j in 0..jobs.len() {
            let mut before: Vec<String> = deps(j)
                .into_iter()
                .flat_map(|d| done_of(d, &jobs, &deps, &mut done, 0))
                .collect();
            before.sort();
            before.dedup();
            waits.push(before);
        }
        for (job, before) in jobs.iter_mut().zip(waits) {
            if let Some(first) = job.operations.first_mut() {
                first.depends_on.extend(before);
                first.depends_on.sort();
                first.depends_on.dedup();
            }
        }
        Plan { jobs }
    }

    /// Every operation with its job, in an order that respects every dependency, or
    /// the operations on a dependency cycle.
    pub fn order(&self) -> Result<Vec<(&JobPlan, &PlannedOp)>, Vec<String>> {
        order_ops(&self.jobs)
    }

    pub fn has_changes(&self) -> bool {
        self.jobs.iter().any(JobPlan::has_changes)
    }
}

/// What "job `j` is done" means, as operation ids: its last operation, or for a job
/// with nothing to do, what its own dependencies (`deps`) wait for. Memoised in `done`.
fn done_of(
    j: usize,
    jobs: &[JobPlan],
    deps: &dyn Fn(usize) -> Vec<usize>,
    done: &mut Vec<Option<Vec<String>>>,
    depth: usize,
) -> Vec<String> {
    if let Some(d) = &done[j] {
        return d.clone();
    }
    let result = match jobs[j].operations.last() {
        Some(last) => vec![last.id.clone()],
        // A cycle; the configuration check refuses those.
        None if depth > jobs.len() => Vec::new(),
        None => deps(j)
            .into_iter()
            .flat_map(|d| done_of(d, jobs, deps, done, depth + 1))
            .collect(),
    };
    done[j] = Some(result.clone());
    result
}

/// The operations of `jobs` in dependency order (see [`crate::util::graph`]); on a
/// cycle, the ids on it; an unknown dependency is named as such.
pub fn order_ops(jobs: &[JobPlan]) -> Result<Vec<(&JobPlan, &PlannedOp)>, Vec<String>> {
    let ops: Vec<(&JobPlan, &PlannedOp)> = jobs
        .iter()
        .flat_map(|j| j.operations.iter().map(move |op| (j, op)))
        .collect();
    let index: BTreeMap<&str, usize> = ops
        .iter()
        .enumerate()
        .map(|(i, (_, op))| (op.id.as_str(), i))
        .collect();
    let mut edges = Vec::new();
    let mut unknown = Vec::new();
    for (i, (_, op)) in ops.iter().enumerate() {
        for dep in &op.depends_on {
            match index.get(dep.as_str()) {
                Some(&d) => edges.push((d, i)),
                None => unknown.push(format!(
                    "{} depends on {dep}, which the plan does not hold",
                    op.id
                )),
            }
        }
    }
    if !unknown.is_empty() {
        return Err(unknown);
    }
    crate::util::graph::order(ops.len(), edges)
        .map(|order| order.into_iter().map(|i| ops[i]).collect())
        .map_err(|cycles| {
            cycles
                .into_iter()
                .map(|cycle| {
                    let ids: Vec<&str> = cycle.iter().map(|&i| ops[i].1.id.as_str()).collect();
                    format!("a dependency cycle: {}", ids.join(" → "))
                })
                .collect()
        })
}

#[cfg(test)]
pub(crate) mod coverage_tests;
#[cfg(test)]
mod tests;
