//! Planning an Alibaba Cloud DTS job (OpenAPI 2020-01-01).
//!
//! The job's live state (DescribeDtsJobDetail; for a two-way synchronization both of its
//! directions) is read into a [`LiveJob`]; [`plan_job`] lists its writes, direction by
//! direction (the forward one, then the `reverse` block's), each in this order: source
//! endpoint, destination endpoint (`ModifyDtsJobEndpoint`), migration mode and object
//! list (`ModifyDtsJob`, the list whole), reserved settings (`UPDATE_RESERVED`), status
//! (`StartDtsJob` / `SuspendDtsJob`) — each an [`Operation`] that names its direction. A
//! direction whose objects or migration mode change while it is paused is started first
//! when the configuration wants it running.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::operation::{
    Account, EndpointWrite, FieldChange, MigrationModeWrite, ObjectsWrite, Operation, Payload,
    ReservedWrite, SecretRef, Side, StatusWrite,
};
use super::{JobPlan, LiveState, ObjectPlan, PlannedOp, digest, plan_objects};
use crate::cloud::alibaba::{Direction, DtsJob, EndpointInfo, EndpointSide, JobStatus};
use crate::config::{
    Cloud, Config, ConfigError, DesiredStatus, EndpointSpec, JobSpec, MigrationModeSpec,
};
use crate::guard;
use crate::objects::ObjectTree;
use crate::objects::diff::AttrChange;
use crate::objects::normalize::Suppressed;

/// What the planner knows of a job (one direction of it) from the cloud.
#[derive(Debug, Clone)]
pub struct LiveJob {
    pub detail: DtsJob,
    /// The parsed object list; `None` if the job returned none.
    pub objects: Option<ObjectTree>,
    /// Reserved settings as a JSON object (empty if none).
    pub reserved: Map<String, Value>,
    /// Digests of the state this plan depends on (objects, reserved, endpoints,
    /// direction, migration mode; the reverse direction's under `reverse`).
    pub state: LiveState,
    /// Normalization hidden while reading (key order and whitespace).
    pub suppressed: Suppressed,
    /// The reverse direction of a two-way job, when it was read.
    pub reverse: Option<Box<LiveJob>>,
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
        let state = live_state(&detail, canonical.as_deref(), &reserved);
        // The tree is what counts from here on; the text would only double the memory.
        detail.db_object = None;
        if let Some(reverse) = detail.reverse_job.as_mut() {
            reverse.db_object = None;
        }
        Ok(LiveJob {
            detail,
            objects,
            reserved,
            state,
            suppressed,
            reverse: None,
        })
    }

    /// The job with its reverse direction, as read.
    #[must_use]
    pub fn with_reverse(mut self, reverse: LiveJob) -> LiveJob {
        self.state.reverse = Some(Box::new(reverse.state.clone()));
        self.suppressed.add(&reverse.suppressed);
        self.reverse = Some(Box::new(reverse));
        self
    }

    /// One direction of the job: itself, or its reverse direction if it was read.
    pub fn direction(&self, direction: Direction) -> Option<&LiveJob> {
        match direction {
            Direction::Forward => Some(self),
            Direction::Reverse => self.reverse.as_deref(),
        }
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
    errors.extend(resource_group_mismatch(config, spec, live));

    let mut forward = DirectionPlan::default();
    plan_direction(config, spec, live, flags, &mut forward, &mut errors);
    let mut reverse_plan = DirectionPlan::default();
    if let Some(reverse_spec) = spec.reverse() {
        match &live.reverse {
            Some(reverse_live) => {
                plan_direction(
                    config,
                    reverse_spec,
                    reverse_live,
                    flags,
                    &mut reverse_plan,
                    &mut errors,
                );
            }
            None => errors.push(not_two_way(config, spec, reverse_spec)),
        }
    }
    for plan in [&forward, &reverse_plan] {
        suppressed.add(&plan.suppressed);
    }
    notes.extend(forward.notes);
    notes.extend(
        reverse_plan
            .notes
            .into_iter()
            .map(|n| format!("reverse direction: {n}")),
    );

    if !errors.is_empty() {
        return Err(errors);
    }
    let names_direction =
        live.detail.is_two_way() || spec.reverse().is_some() || spec.names_direction;
    let operations = forward
        .operations
        .into_iter()
        .chain(reverse_plan.operations)
        .map(PlannedOp::new)
        .collect();
    Ok(JobPlan {
        address: spec.address(),
        cloud: Cloud::Alibaba,
        provider: provider
            .map(crate::config::ProviderSpec::name)
            .unwrap_or_default(),
        region: provider.map(|p| p.region.clone()).unwrap_or_default(),
        dts_job_id: spec.dts_job_id.clone(),
        dts_instance_id: spec
            .dts_instance_id
            .clone()
            .unwrap_or_else(|| live.detail.dts_instance_id.clone()),
        live_status: live_status(live),
        live_state: live.state.clone(),
        objects: forward.objects,
        reverse_objects: reverse_plan.objects,
        names_direction,
        resource_group_id: spec.resource_group_id().map(str::to_owned),
        operations,
        suppressed,
        notes,
    })
}

/// The configured resource group when the live job is in another one: dtsform does not
/// move jobs between groups, so this is an error (plan's and drift's).
pub fn resource_group_mismatch(
    config: &Config,
    spec: &JobSpec,
    live: &LiveJob,
) -> Option<ConfigError> {
    let (wanted, span) = spec.alibaba.as_ref()?.resource_group_id.as_ref()?;
    let live_group = live.detail.resource_group_id.as_deref()?;
    (wanted != live_group).then(|| {
        ConfigError::at(
            &config.sources,
            *span,
            "resource_group_mismatch",
            format!(
                "{} is in resource group {live_group}, not {wanted}",
                spec.address()
            ),
            "another group",
        )
        .help("dtsform does not move jobs between resource groups (ModifyDtsJob's ResourceGroupId names the group, it does not change it): write the job's group, or move the job in the console first")
    })
}

/// The error for a `reverse` block (`reverse_spec`) on a job that shows no reverse
/// direction (plan's and drift's).
pub fn not_two_way(config: &Config, spec: &JobSpec, reverse_spec: &JobSpec) -> ConfigError {
    ConfigError::at(
        &config.sources,
        reverse_spec.span,
        "not_two_way",
        format!(
            "{} has a reverse block, but job {} shows no reverse direction: it is not a two-way synchronization",
            spec.address(),
            spec.dts_job_id
        ),
        "reverse direction",
    )
    .help("remove the reverse block, or point the resource at a two-way synchronization job (the reverse direction is configured when the job is created)")
}

/// The configured migration-mode flags whose live value (`MigrationMode`) differs.
pub fn migration_mode_changes(mode: &MigrationModeSpec, live: &DtsJob) -> Vec<FieldChange> {
    let live_mode = live.migration_mode.clone().unwrap_or_default();
    [
        (
            "structure_initialization",
            mode.structure_initialization,
            live_mode.structure_initialization,
        ),
        (
            "data_initialization",
            mode.data_initialization,
            live_mode.data_initialization,
        ),
        (
            "data_synchronization",
            mode.data_synchronization,
            live_mode.data_synchronization,
        ),
    ]
    .into_iter()
    .filter_map(|(field, wanted, have)| {
        let wanted = wanted?;
        (have != Some(wanted)).then(|| FieldChange {
            field: field.into(),
            before: have.map(|b| b.to_string()),
            after: Some(wanted.to_string()),
        })
    })
    .collect()
}

/// Whether a job in `status` is where `wanted` asks it to be (a job on its way to
/// running counts as running).
pub fn status_satisfied(wanted: DesiredStatus, status: &JobStatus) -> bool {
    match wanted {
        DesiredStatus::Running => status.is_running() || status.is_transitional(),
        DesiredStatus::Suspended => *status == JobStatus::Suspending,
    }
}

/// The live status as shown: `Synchronizing`, or for a two-way job whose reverse
/// direction was read `Synchronizing, reverse Suspending`.
pub fn live_status(live: &LiveJob) -> String {
    match &live.reverse {
        Some(reverse) => format!(
            "{}, reverse {}",
            live.detail.status.as_str(),
            reverse.detail.status.as_str()
        ),
        None => live.detail.status.as_str().to_owned(),
    }
}

/// What one direction of a job plans.
#[derive(Default)]
struct DirectionPlan {
    operations: Vec<Operation>,
    objects: Option<ObjectPlan>,
    notes: Vec<String>,
    suppressed: Suppressed,
}

/// Plans one direction of a job (`spec` is the resource, or the view of its `reverse`
/// block) against that direction's live state.
fn plan_direction(
    config: &Config,
    spec: &JobSpec,
    live: &LiveJob,
    flags: &guard::Flags,
    out: &mut DirectionPlan,
    errors: &mut Vec<ConfigError>,
) {
    let sources = &config.sources;
    let direction = spec.direction;
    let label = spec.label();
    let at = |code: &'static str, message: String| {
        ConfigError::at(sources, spec.span, code, message, "this job")
    };
    let operations = &mut out.operations;

    for (side, endpoint_spec, live_endpoint) in [
        (Side::Source, &spec.source, &live.detail.source_endpoint),
        (
            Side::Destination,
            &spec.destination,
            &live.detail.destination_endpoint,
        ),
    ] {
        let Some(endpoint_spec) = endpoint_spec else {
            continue;
        };
        if let Some(e) = database_for_engine(config, endpoint_spec, live_endpoint.as_ref(), side) {
            errors.push(e);
            continue;
        }
        let changes = endpoint_changes(endpoint_spec, live_endpoint.as_ref());
        if changes.is_empty() {
            continue;
        }
        let account_changes = changes.iter().any(|c| c.field == "username");
        if account_changes && endpoint_spec.password.is_none() {
            errors.push(
                ConfigError::at(
                    sources,
                    endpoint_spec.span,
                    "password_required",
                    format!(
                        "changing the {} account of {label} needs its password",
                        side.name(),
                    ),
                    "no password",
                )
                .help("add password = var.NAME (a sensitive variable) to the block"),
            );
            continue;
        }
        // The account goes with the change when it changes, and when the endpoint
        // moves to another database and the block has the password for it
        // (ModifyAccount=true): the new database then gets its credentials.
        let moves = changes.iter().any(|c| {
            matches!(
                c.field.as_ref(),
                "instance_type" | "instance_id" | "region" | "ip" | "port"
            )
        });
        let account = account_changes || (moves && endpoint_spec.password.is_some());
        operations.push(Operation::Endpoint(Box::new(endpoint_write(
            direction,
            side,
            endpoint_spec,
            changes,
            account,
        ))));
    }

    if let Some(mode) = spec.migration_mode() {
        let changes = migration_mode_changes(mode, &live.detail);
        if !changes.is_empty() {
            operations.push(Operation::MigrationMode(MigrationModeWrite {
                direction,
                structure_initialization: mode.structure_initialization,
                data_initialization: mode.data_initialization,
                data_synchronization: mode.data_synchronization,
                changes,
            }));
        }
    }

    if let Some(desired) = &spec.objects {
        match (&live.objects, desired.tree()) {
            (None, _) => errors.push(
                at("live_objects_unknown", format!("{label} returned no object list (DbObject), so dtsform cannot tell what a new list would remove"))
                    .help("the job may deliver its objects through OSS (DbObjectOssUrl), which dtsform does not read yet; nothing will be changed"),
            ),
            (_, Err(e)) => errors.push(
                at("internal", format!("{label}: the configured object list cannot be read back: {e}"))
                    .help("this is a dtsform bug; please report it with the configuration"),
            ),
            (Some(live_tree), Ok(desired)) => match plan_objects(config, spec, desired, live_tree, flags, &mut out.notes) {
                Ok((plan, payload)) => {
                    out.suppressed.add(&plan.diff.suppressed);
                    if !plan.diff.is_empty() {
                        operations.push(Operation::Objects(ObjectsWrite {
                            direction,
                            payload: Payload::of(&payload),
                            removes: plan.removes(),
                        }));
                    }
                    out.objects = Some(plan);
                }
                Err(e) => errors.extend(e),
            },
        }
    }

    let changes = reserved_changes(&spec.reserved, &live.reserved);
    if !changes.is_empty() {
        let reserved = changes
            .iter()
            .filter_map(|c| Some((c.name.clone(), c.after.clone()?)))
            .collect();
        operations.push(Operation::Reserved(ReservedWrite {
            direction,
            reserved,
            changes,
        }));
    }

    let status = &live.detail.status;
    if let Some(wanted) = spec.status
        && !status_satisfied(wanted, status)
    {
        operations.push(Operation::Status(StatusWrite {
            direction,
            from: status.to_string(),
            to: wanted,
        }));
    }

    // DTS changes a job's objects (and the phases it runs) only while it runs (or has
    // failed).
    let first_modify = operations
        .iter()
        .position(|op| matches!(op, Operation::Objects(_) | Operation::MigrationMode(_)));
    let modifiable = status.is_running()
        || status.is_transitional()
        || matches!(status, JobStatus::Failed | JobStatus::MigrationFailed);
    if let Some(index) = first_modify.filter(|_| !modifiable) {
        let what = match operations[index] {
            Operation::MigrationMode(_) => "the phases it runs (its migration mode)",
            _ => "its objects",
        };
        if spec.status == Some(DesiredStatus::Running) {
            let start = operations.pop().expect("the status operation is last");
            operations.insert(index, start);
            out.notes.push(format!(
                "the job is {status}, and DTS changes objects only while a job runs: it is started before {what} change"
            ));
        } else {
            errors.push(
                at(
                    "job_not_running",
                    format!("{label} is {status}, and DTS changes {what} only while it runs"),
                )
                .help("add status = \"running\" to the resource (dtsform starts the job first), or start it in the console"),
            );
        }
    }
}

/// The page's rule for `Database` that needs the live engine: it is valid only for
/// PostgreSQL-family and MongoDB databases, so setting it on a MySQL endpoint is an
/// error.
fn database_for_engine(
    config: &Config,
    spec: &EndpointSpec,
    live: Option<&EndpointInfo>,
    side: Side,
) -> Option<ConfigError> {
    let engine = live?.engine_name.as_deref()?;
    let mysql = engine.to_ascii_lowercase().contains("mysql");
    let mongo_or_pg = matches!(
        spec.instance_type.as_str(),
        "mongodb" | "distributed_mongodb" | "greenplum"
    );
    (spec.database.is_some() && mysql && !mongo_or_pg).then(|| {
        ConfigError::at(
            &config.sources,
            spec.database_span.unwrap_or(spec.span),
            "invalid_attribute",
            format!(
                "the {} endpoint is a {engine} database, which ModifyDtsJobEndpoint takes no Database for",
                side.name()
            ),
            "database set",
        )
        .help("Database is valid only for PostgreSQL, PolarDB for PostgreSQL, AnalyticDB for PostgreSQL (the database name) and MongoDB (the authentication database): remove database from the block")
    })
}

/// Digests of the live state writes depend on (see [`LiveState`]).
fn live_state(
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
        migration_mode: digest(&serde_json::to_string(&detail.migration_mode).unwrap_or_default()),
        reverse: None,
    }
}

/// The endpoint fields dtsform compares, and whether their case does not matter.
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

/// The configured endpoint fields whose live value differs.
pub fn endpoint_changes(spec: &EndpointSpec, live: Option<&EndpointInfo>) -> Vec<FieldChange> {
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

/// The fields an endpoint write sets (its changes' new values) that `live` does not
/// show: `(field, wanted, live value)`.
pub fn endpoint_mismatches<'a>(
    changes: &'a [FieldChange],
    live: Option<&'a EndpointInfo>,
) -> Vec<(&'a str, &'a str, Option<&'a str>)> {
    changes
        .iter()
        .filter_map(|c| {
            let wanted = c.after.as_deref()?;
            let have = live.and_then(|l| live_field(l, &c.field));
            (!same_field(&c.field, wanted, have)).then_some((c.field.as_ref(), wanted, have))
        })
        .collect()
}

/// The live endpoint of one side of a job direction.
pub fn live_endpoint(live: &DtsJob, side: EndpointSide) -> Option<&EndpointInfo> {
    match side {
        EndpointSide::Source => live.source_endpoint.as_ref(),
        EndpointSide::Destination => live.destination_endpoint.as_ref(),
    }
}

/// The write for one endpoint: the configured fields, and the account when it goes with
/// the change.
fn endpoint_write(
    direction: Direction,
    side: Side,
    spec: &EndpointSpec,
    changes: Vec<FieldChange>,
    account: bool,
) -> EndpointWrite {
    let secret = |s: &crate::config::SecretValue| SecretRef::from_expression(&s.expression);
    EndpointWrite {
        direction,
        side,
        instance_type: spec.instance_type.clone(),
        instance_id: spec.instance_id.clone(),
        region: spec.region.clone(),
        ip: spec.ip.clone(),
        port: spec.port.clone(),
        database: spec.database.clone(),
        role_name: spec.role_name.clone(),
        aliyun_uid: spec.aliyun_uid.clone(),
        vpc_id: spec.vpc_id.clone(),
        vswitch_id: spec.vswitch_id.clone(),
        secondary_vswitch_id: spec.secondary_vswitch_id.clone(),
        account: account
            .then(|| {
                Some(Account {
                    username: spec.username.clone()?,
                    password: secret(spec.password.as_ref()?),
                })
            })
            .flatten(),
        shard_account: account
            .then(|| {
                Some(Account {
                    username: spec.shard_username.clone()?,
                    password: secret(spec.shard_password.as_ref()?),
                })
            })
            .flatten(),
        changes,
        precheck: None,
    }
}

/// The managed reserved keys whose live value differs (`"0"` equals `0`).
pub fn reserved_changes(
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

/// Whether `live` shows each migration-mode flag a write sets: the flags that differ,
/// as `(field, wanted, live)`.
pub fn migration_mode_mismatches(
    write: &MigrationModeWrite,
    live: &DtsJob,
) -> Vec<(&'static str, bool, Option<bool>)> {
    let have = live.migration_mode.clone().unwrap_or_default();
    [
        (
            "structure_initialization",
            write.structure_initialization,
            have.structure_initialization,
        ),
        (
            "data_initialization",
            write.data_initialization,
            have.data_initialization,
        ),
        (
            "data_synchronization",
            write.data_synchronization,
            have.data_synchronization,
        ),
    ]
    .into_iter()
    .filter_map(|(field, wanted, have)| {
        let wanted = wanted?;
        (have != Some(wanted)).then_some((field, wanted, have))
    })
    .collect()
}
