//! The plan: what would change, job by job, as a graph of operations.
//!
//! Planning is pure: given the configuration and the live state of each job (fetched by
//! [`fetch`]), [`plan_job`] computes the payload to send and its diff against the live
//! list, runs the lost-object guard, and lists the operations in the order DESIGN.md
//! gives — source endpoint, destination endpoint, object list (`ModifyDtsJob` with the
//! full DbList), reserved settings (`UPDATE_RESERVED`), status (`StartDtsJob` /
//! `SuspendDtsJob`). [`Plan::build`] links jobs by `depends_on` into one petgraph graph.
//! Each job records a fingerprint of the live state the plan was computed from, so
//! apply can refuse to write if the job changed since.

pub mod fetch;
pub mod file;
pub mod tencent;
mod udiff;

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cloud::alibaba::limits::check_db_list_size;
use crate::cloud::alibaba::{DtsJob, EndpointInfo, EndpointSide, JobStatus};
use crate::config::{Config, ConfigError, DesiredStatus, EndpointSpec, JobSpec};
use crate::guard::{self, AllowedRemoval};
use crate::objects::diff::{AttrChange, ObjectDiff, diff, merge_unmentioned};
use crate::objects::normalize::{Suppressed, without_server_attrs};
use crate::objects::{Address, ObjectTree, Removal};

/// What the planner knows of a job from the cloud.
#[derive(Debug, Clone)]
pub struct LiveJob {
    pub detail: DtsJob,
    /// The parsed object list; `None` if the job returned none.
    pub objects: Option<ObjectTree>,
    /// Reserved settings as a JSON object (empty if none).
    pub reserved: Map<String, Value>,
    /// Digests of the state this plan depends on (objects, reserved, endpoints, direction).
    pub state: LiveState,
    /// Normalization hidden while reading (key order and whitespace).
    pub suppressed: Suppressed,
}

impl LiveJob {
    /// Reads a job as DescribeDtsJobDetail returned it.
    pub fn from_detail(mut detail: DtsJob) -> Result<LiveJob, String> {
        let mut suppressed = Suppressed::default();
        let mut canonical = None;
        let objects = match detail.db_object.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let tree = ObjectTree::from_json(text).map_err(|e| {
                    format!("its live object list (DbObject) cannot be read safely: {e}")
                })?;
                let json = tree.to_json();
                if json != text {
                    suppressed.key_order += 1;
                }
                canonical = Some(json);
                Some(tree)
            }
        };
        let reserved = match detail.reserved.as_deref().map(str::trim) {
            None | Some("") => Map::new(),
            Some(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => map,
                _ => return Err("its reserved settings (Reserved) are not a JSON object".into()),
            },
        };
        let state = LiveState::of(&detail, canonical.as_deref(), &reserved);
        // The tree is what counts from here on; the text would only double the memory.
        detail.db_object = None;
        Ok(LiveJob {
            detail,
            objects,
            reserved,
            state,
            suppressed,
        })
    }
}

/// SHA-256 digests of the parts of a job's live state that writes depend on, each over
/// a canonical rendering: the object list (its canonical JSON), reserved settings (keys
/// sorted), each endpoint, and the direction. Apply compares them part by part, so it
/// can say which part changed since the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LiveState {
    pub objects: String,
    pub reserved: String,
    pub source: String,
    pub destination: String,
    pub direction: String,
    /// Tencent: the job's name, MigrateOption and database types (empty for Alibaba).
    #[serde(default)]
    pub options: String,
}

impl LiveState {
    pub fn of(
        detail: &DtsJob,
        objects_json: Option<&str>,
        reserved: &Map<String, Value>,
    ) -> LiveState {
        let endpoint = |e: &Option<EndpointInfo>| serde_json::to_string(e).unwrap_or_default();
        let sorted: BTreeMap<&String, &Value> = reserved.iter().collect();
        LiveState {
            objects: digest(objects_json.unwrap_or("null")),
            reserved: digest(&serde_json::to_string(&sorted).unwrap_or_default()),
            source: digest(&endpoint(&detail.source_endpoint)),
            destination: digest(&endpoint(&detail.destination_endpoint)),
            direction: digest(detail.synchronization_direction.as_deref().unwrap_or("")),
            options: String::new(),
        }
    }

    /// The parts by name, in a fixed order.
    pub fn parts(&self) -> [(&'static str, &str); 6] {
        [
            ("objects", &self.objects),
            ("reserved", &self.reserved),
            ("source", &self.source),
            ("destination", &self.destination),
            ("direction", &self.direction),
            ("options", &self.options),
        ]
    }

    /// The digest of one part, by name.
    pub fn get(&self, part: &str) -> Option<&str> {
        self.parts()
            .into_iter()
            .find(|(name, _)| *name == part)
            .map(|(_, digest)| digest)
    }

    /// One digest of every part: the job's fingerprint.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        for (name, part) in self.parts() {
            hash.update(name.as_bytes());
            hash.update(b"=");
            hash.update(part.as_bytes());
            hash.update(b"\n");
        }
        hex::encode(hash.finalize())
    }
}

pub(crate) fn digest(text: &str) -> String {
    crate::util::sha256_hex(text.as_bytes())
}

/// One field of an endpoint that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: std::borrow::Cow<'static, str>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A write the plan will make.
#[derive(Debug, Clone)]
pub enum Operation {
    /// ModifyDtsJobEndpoint for one side.
    ModifyEndpoint {
        side: EndpointSide,
        spec: Box<EndpointSpec>,
        changes: Vec<FieldChange>,
        /// The account changes, so the password is sent (`ModifyAccount=true`).
        account: bool,
    },
    /// ModifyDtsJob with this whole DbList.
    ModifyObjects { db_list: String },
    /// ModifyDtsJob UPDATE_RESERVED with these keys.
    ModifyReserved { reserved: Map<String, Value> },
    /// StartDtsJob or SuspendDtsJob.
    SetStatus { from: JobStatus, to: DesiredStatus },
    /// Tencent ModifyMigrateJob with this whole configuration (passwords referenced as
    /// `{"sensitive": true, "from": EXPR}`, never stored).
    TencentModify {
        request: Box<Value>,
        changes: Vec<FieldChange>,
    },
    /// Tencent CreateMigrateCheckJob, then wait for the check to pass.
    TencentCheck,
    /// Tencent StartMigrateJob.
    TencentStart { from: String },
}

impl Operation {
    /// A short stable name, part of the operation id.
    pub fn slug(&self) -> &'static str {
        match self {
            Operation::ModifyEndpoint { side, .. } => side.name(),
            Operation::ModifyObjects { .. } => "objects",
            Operation::ModifyReserved { .. } => "reserved",
            Operation::SetStatus { .. } => "status",
            Operation::TencentModify { .. } => "modify",
            Operation::TencentCheck => "check",
            Operation::TencentStart { .. } => "start",
        }
    }

    /// The API action it calls.
    pub fn action(&self) -> &'static str {
        match self {
            Operation::ModifyEndpoint { .. } => "ModifyDtsJobEndpoint",
            Operation::ModifyObjects { .. } | Operation::ModifyReserved { .. } => "ModifyDtsJob",
            Operation::SetStatus {
                to: DesiredStatus::Running,
                ..
            } => "StartDtsJob",
            Operation::SetStatus {
                to: DesiredStatus::Suspended,
                ..
            } => "SuspendDtsJob",
            Operation::TencentModify { .. } => "ModifyMigrateJob",
            Operation::TencentCheck => "CreateMigrateCheckJob",
            Operation::TencentStart { .. } => "StartMigrateJob",
        }
    }
}

/// The object-list part of a job's plan. The trees themselves are not kept: a plan of
/// a thousand jobs holds only what it will send and show.
#[derive(Debug, Clone)]
pub struct ObjectPlan {
    pub diff: ObjectDiff,
    pub removals: Vec<AllowedRemoval>,
    /// Objects in the live job before and after.
    pub count_before: usize,
    pub count_after: usize,
    /// Unified diff of the DbList to send against the live list (server attributes left
    /// out), empty when nothing changes.
    pub db_list_diff: String,
    /// A Tencent job that migrates the whole instance is narrowed to the list (allowed
    /// by `removed { whole_instance = true }`).
    pub narrows_instance: bool,
}

/// Everything planned for one job.
#[derive(Debug, Clone)]
pub struct JobPlan {
    /// Index of the job in `Config::jobs`.
    pub job: usize,
    pub address: String,
    pub provider: String,
    pub region: String,
    pub dts_job_id: String,
    pub dts_instance_id: String,
    /// The live status as shown to people (`Synchronizing`, `CheckPass (4)`).
    pub live_status: String,
    pub state: LiveState,
    pub objects: Option<ObjectPlan>,
    pub reserved_changes: Vec<AttrChange>,
    pub operations: Vec<Operation>,
    pub suppressed: Suppressed,
    /// Things the reviewer should know that are not errors.
    pub notes: Vec<String>,
}

impl JobPlan {
    pub fn has_changes(&self) -> bool {
        !self.operations.is_empty()
    }
}

/// Plans one job against its live state. Errors are located on the resource.
pub fn plan_job(
    config: &Config,
    job_index: usize,
    live: &LiveJob,
    flags: &guard::Flags,
) -> Result<JobPlan, Vec<ConfigError>> {
    let spec = &config.jobs[job_index];
    let sources = &config.sources;
    let at = |code: &'static str, message: String| {
        ConfigError::at(sources, spec.span, code, message, "this job")
    };
    let provider = config.provider_for(spec);
    let mut errors = Vec::new();
    let mut operations = Vec::new();
    let mut notes = Vec::new();
    let mut suppressed = live.suppressed;

    if live.detail.status == JobStatus::Finished {
        return Err(vec![
            at(
                "job_finished",
                format!("{} is Finished (deleted) in the cloud", spec.address()),
            )
            .help(
                "a finished job cannot be changed; remove the resource, or point it at a live job",
            ),
        ]);
    }

    for (side, endpoint_spec, live_endpoint) in [
        (
            EndpointSide::Source,
            &spec.source,
            &live.detail.source_endpoint,
        ),
        (
            EndpointSide::Destination,
            &spec.destination,
            &live.detail.destination_endpoint,
        ),
    ] {
        let Some(endpoint_spec) = endpoint_spec else {
            continue;
        };
        let changes = endpoint_changes(endpoint_spec, live_endpoint.as_ref());
        if changes.is_empty() {
            continue;
        }
        let account = changes.iter().any(|c| c.field == "username");
        if account && endpoint_spec.password.is_none() {
            errors.push(
                ConfigError::at(
                    sources,
                    endpoint_spec.span,
                    "password_required",
                    format!(
                        "changing the {} account of {} needs its password",
                        side.name(),
                        spec.address()
                    ),
                    "no password",
                )
                .help("add password = var.NAME (a sensitive variable) to the block"),
            );
            continue;
        }
        operations.push(Operation::ModifyEndpoint {
            side,
            spec: Box::new(endpoint_spec.clone()),
            changes,
            account,
        });
    }

    let mut object_plan = None;
    if let Some(desired) = &spec.objects {
        match (&live.objects, desired.tree()) {
            (None, _) => errors.push(
                at("live_objects_unknown", format!("{} returned no object list (DbObject), so dtsform cannot tell what a new list would remove", spec.address()))
                    .help("the job may deliver its objects through OSS (DbObjectOssUrl), which dtsform does not read yet; nothing will be changed"),
            ),
            (_, Err(e)) => errors.push(
                at("internal", format!("{}: the configured object list cannot be read back: {e}", spec.address()))
                    .help("this is a dtsform bug; please report it with the configuration"),
            ),
            (Some(live_tree), Ok(desired)) => match plan_objects(config, spec, desired, live_tree, flags, &mut notes) {
                Ok((plan, payload_json)) => {
                    suppressed.add(&plan.diff.suppressed);
                    if !plan.diff.is_empty() {
                        operations.push(Operation::ModifyObjects { db_list: payload_json });
                    }
                    object_plan = Some(plan);
                }
                Err(e) => errors.extend(e),
            },
        }
    }

    let reserved_changes = reserved_changes(&spec.reserved, &live.reserved);
    if !reserved_changes.is_empty() {
        let reserved = reserved_changes
            .iter()
            .filter_map(|c| Some((c.name.clone(), c.after.clone()?)))
            .collect();
        operations.push(Operation::ModifyReserved { reserved });
    }

    if let Some(wanted) = spec.status {
        let status = &live.detail.status;
        let satisfied = match wanted {
            DesiredStatus::Running => status.is_running() || status.is_transitional(),
            DesiredStatus::Suspended => *status == JobStatus::Suspending,
        };
        if !satisfied {
            operations.push(Operation::SetStatus {
                from: status.clone(),
                to: wanted,
            });
        }
    }

    // DTS changes a job's objects only while it runs (or has failed).
    let status = &live.detail.status;
    let objects_at = operations
        .iter()
        .position(|op| matches!(op, Operation::ModifyObjects { .. }));
    let modifiable = status.is_running()
        || status.is_transitional()
        || matches!(status, JobStatus::Failed | JobStatus::MigrationFailed);
    if let Some(index) = objects_at.filter(|_| !modifiable) {
        if spec.status == Some(DesiredStatus::Running) {
            let start = operations.pop().expect("the status operation is last");
            operations.insert(index, start);
            notes.push(format!(
                "the job is {status}, and DTS changes objects only while a job runs: it is started before its objects change"
            ));
        } else {
            errors.push(
                at(
                    "job_not_running",
                    format!(
                        "{} is {status}, and DTS changes a job's objects only while it runs",
                        spec.address()
                    ),
                )
                .help("add status = \"running\" to the resource (dtsform starts the job first), or start it in the console"),
            );
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(JobPlan {
        job: job_index,
        address: spec.address(),
        provider: provider
            .map(crate::config::ProviderSpec::name)
            .unwrap_or_default(),
        region: provider.map(|p| p.region.clone()).unwrap_or_default(),
        dts_job_id: spec.dts_job_id.clone(),
        dts_instance_id: spec
            .dts_instance_id
            .clone()
            .unwrap_or_else(|| live.detail.dts_instance_id.clone()),
        live_status: live.detail.status.as_str().to_owned(),
        state: live.state.clone(),
        objects: object_plan,
        reserved_changes,
        operations,
        suppressed,
        notes,
    })
}

/// The unified diff (3 lines of context) of the pretty DbList JSON, live against to send.
pub fn unified_diff(before: &str, after: &str) -> String {
    udiff::unified_diff(before, after, 3, ("live", "to send"))
}

pub(crate) fn plan_objects(
    config: &Config,
    spec: &JobSpec,
    desired: ObjectTree,
    live: &ObjectTree,
    flags: &guard::Flags,
    notes: &mut Vec<String>,
) -> Result<(ObjectPlan, String), Vec<ConfigError>> {
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
    let payload = if spec.merge_live_objects {
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
    } else {
        desired
    };
    let payload_json = payload.to_json();
    if let Err(e) = check_db_list_size(payload_json.len()) {
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
        payload_json,
    ))
}

/// The managed endpoint fields that differ from the live endpoint.
/// The endpoint fields dtsform compares, and whether their case matters not.
const ENDPOINT_FIELDS: &[(&str, bool)] = &[
    ("instance_type", true),
    ("instance_id", false),
    ("region", false),
    ("ip", false),
    ("port", false),
    ("database", false),
    ("username", false),
    ("role_name", false),
    ("aliyun_uid", false),
];

fn spec_field<'a>(spec: &'a EndpointSpec, field: &str) -> Option<&'a str> {
    match field {
        "instance_type" => Some(spec.instance_type.as_str()),
        "instance_id" => spec.instance_id.as_deref(),
        "region" => spec.region.as_deref(),
        "ip" => spec.ip.as_deref(),
        "port" => spec.port.as_deref(),
        "database" => spec.database.as_deref(),
        "username" => spec.username.as_deref(),
        "role_name" => spec.role_name.as_deref(),
        "aliyun_uid" => spec.aliyun_uid.as_deref(),
        _ => None,
    }
}

fn live_field<'a>(live: &'a EndpointInfo, field: &str) -> Option<&'a str> {
    match field {
        "instance_type" => live.instance_type.as_deref(),
        "instance_id" => live.instance_id.as_deref(),
        "region" => live.region.as_deref(),
        "ip" => live.ip.as_deref(),
        "port" => live.port.as_deref(),
        "database" => live.database_name.as_deref(),
        "username" => live.user_name.as_deref(),
        "role_name" => live.role_name.as_deref(),
        "aliyun_uid" => live.aliyun_uid.as_deref(),
        _ => None,
    }
}

fn same_field(field: &str, wanted: &str, have: Option<&str>) -> bool {
    let case_insensitive = ENDPOINT_FIELDS
        .iter()
        .any(|(f, insensitive)| *f == field && *insensitive);
    have.is_some_and(|h| {
        if case_insensitive {
            h.eq_ignore_ascii_case(wanted)
        } else {
            h == wanted
        }
    })
}

fn endpoint_changes(spec: &EndpointSpec, live: Option<&EndpointInfo>) -> Vec<FieldChange> {
    let empty = EndpointInfo::default();
    let live = live.unwrap_or(&empty);
    ENDPOINT_FIELDS
        .iter()
        .filter_map(|(field, _)| {
            let wanted = spec_field(spec, field)?;
            let have = live_field(live, field);
            (!same_field(field, wanted, have)).then(|| FieldChange {
                field: (*field).into(),
                before: have.map(str::to_owned),
                after: Some(wanted.to_owned()),
            })
        })
        .collect()
}

/// The fields of `sets` (field → value, as a plan file records an endpoint operation)
/// that `live` does not show: `(field, wanted, live value)`.
pub fn endpoint_mismatches<'a>(
    sets: &'a BTreeMap<String, String>,
    live: Option<&'a EndpointInfo>,
) -> Vec<(&'a str, &'a str, Option<&'a str>)> {
    sets.iter()
        .filter_map(|(field, wanted)| {
            let have = live.and_then(|l| live_field(l, field));
            (!same_field(field, wanted, have)).then_some((field.as_str(), wanted.as_str(), have))
        })
        .collect()
}

/// The managed reserved keys whose live value differs (`"0"` equals `0`).
fn reserved_changes(
    desired: &BTreeMap<String, Value>,
    live: &Map<String, Value>,
) -> Vec<AttrChange> {
    desired
        .iter()
        .filter(|(k, v)| !reserved_value_matches(v, live.get(*k)))
        .map(|(k, v)| AttrChange {
            name: k.clone(),
            before: live.get(k).cloned(),
            after: Some(v.clone()),
        })
        .collect()
}

/// Whether a live reserved value is the wanted one: compared as text, so `"0"` is `0`.
pub fn reserved_value_matches(wanted: &Value, live: Option<&Value>) -> bool {
    let text = |v: &Value| crate::config::eval::to_text(v).unwrap_or_else(|| v.to_string());
    live.is_some_and(|l| text(l) == text(wanted))
}

/// The operations that mark job `j` as done: its last one, or, for a job with
/// nothing to do, what its own dependencies wait for.
fn done(
    j: usize,
    jobs: &[JobPlan],
    config: &Config,
    by_name: &BTreeMap<&str, usize>,
    nodes: &[Vec<NodeIndex>],
    depth: usize,
) -> Vec<NodeIndex> {
    if let Some(last) = nodes[j].last() {
        return vec![*last];
    }
    if depth > jobs.len() {
        return Vec::new(); // a cycle; the configuration check refuses those
    }
    config.jobs[jobs[j].job]
        .depends_on
        .iter()
        .filter_map(|(name, _)| by_name.get(crate::config::dependency_name(name)))
        .flat_map(|d| done(*d, jobs, config, by_name, nodes, depth + 1))
        .collect()
}

/// An operation in the plan graph.
#[derive(Debug, Clone)]
pub struct PlannedOp {
    /// `alicloud_dts_job.NAME/objects`.
    pub id: String,
    /// Index into `Plan::jobs`.
    pub job: usize,
    /// Index into that job's operations.
    pub index: usize,
}

/// All jobs' plans and the order their operations run in.
#[derive(Debug, Clone)]
pub struct Plan {
    pub jobs: Vec<JobPlan>,
    pub graph: DiGraph<PlannedOp, ()>,
}

impl Plan {
    /// Links the jobs' operations: each job's in order, and a job's first operation
    /// after everything its `depends_on` jobs (transitively, through jobs with nothing
    /// to do) will do.
    pub fn build(config: &Config, jobs: Vec<JobPlan>) -> Plan {
        let mut graph = DiGraph::new();
        let mut nodes: Vec<Vec<NodeIndex>> = Vec::with_capacity(jobs.len());
        for (j, job) in jobs.iter().enumerate() {
            let mut previous: Option<NodeIndex> = None;
            let mut job_nodes = Vec::new();
            for (i, op) in job.operations.iter().enumerate() {
                let node = graph.add_node(PlannedOp {
                    id: format!("{}/{}", job.address, op.slug()),
                    job: j,
                    index: i,
                });
                if let Some(p) = previous {
                    graph.add_edge(p, node, ());
                }
                previous = Some(node);
                job_nodes.push(node);
            }
            nodes.push(job_nodes);
        }
        // What "job X is done" waits for, resolved through jobs without operations.
        let by_name: BTreeMap<&str, usize> = jobs
            .iter()
            .enumerate()
            .map(|(j, p)| (config.jobs[p.job].name.as_str(), j))
            .collect();
        for (j, job) in jobs.iter().enumerate() {
            let Some(first) = nodes[j].first().copied() else {
                continue;
            };
            for (name, _) in &config.jobs[job.job].depends_on {
                let Some(&dep) = by_name.get(crate::config::dependency_name(name)) else {
                    continue;
                };
                for before in done(dep, &jobs, config, &by_name, &nodes, 0) {
                    graph.update_edge(before, first, ());
                }
            }
        }
        Plan { jobs, graph }
    }

    /// Operations in an order that respects every dependency.
    pub fn order(&self) -> Vec<&PlannedOp> {
        petgraph::algo::toposort(&self.graph, None)
            .map(|nodes| nodes.into_iter().map(|n| &self.graph[n]).collect())
            .unwrap_or_default()
    }

    /// The operations `op` waits for.
    pub fn dependencies(&self, id: &str) -> Vec<&PlannedOp> {
        let Some(node) = self.graph.node_indices().find(|n| self.graph[*n].id == id) else {
            return Vec::new();
        };
        self.graph
            .neighbors_directed(node, petgraph::Direction::Incoming)
            .map(|n| &self.graph[n])
            .collect()
    }

    pub fn has_changes(&self) -> bool {
        self.jobs.iter().any(JobPlan::has_changes)
    }
}

#[cfg(test)]
mod coverage_tests;
#[cfg(test)]
mod tests;
