//! Planning an Alibaba Cloud DTS job (OpenAPI 2020-01-01).
//!
//! The job's live state (DescribeDtsJobDetail) is read into a [`LiveJob`]; [`plan_job`]
//! lists its writes in the order DESIGN gives — source endpoint, destination endpoint,
//! object list (`ModifyDtsJob` with the full DbList), reserved settings
//! (`UPDATE_RESERVED`), status (`StartDtsJob` / `SuspendDtsJob`) — each an
//! [`Operation`]. A job whose objects change while it is paused is started first when
//! the configuration wants it running.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::operation::{
    Account, EndpointWrite, FieldChange, ObjectsWrite, Operation, Payload, ReservedWrite,
    SecretRef, Side, StatusWrite,
};
use super::{JobPlan, LiveState, PlannedOp, digest, plan_objects};
use crate::cloud::alibaba::{DtsJob, EndpointInfo, EndpointSide, JobStatus};
use crate::config::{Cloud, Config, ConfigError, DesiredStatus, EndpointSpec};
use crate::guard;
use crate::objects::ObjectTree;
use crate::objects::diff::AttrChange;
use crate::objects::normalize::Suppressed;

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
        let state = live_state(&detail, canonical.as_deref(), &reserved);
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
        let side = match side {
            EndpointSide::Source => Side::Source,
            EndpointSide::Destination => Side::Destination,
        };
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
        operations.push(Operation::Endpoint(Box::new(endpoint_write(
            side,
            endpoint_spec,
            changes,
            account,
        ))));
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
                Ok((plan, payload)) => {
                    suppressed.add(&plan.diff.suppressed);
                    if !plan.diff.is_empty() {
                        operations.push(Operation::Objects(ObjectsWrite {
                            payload: Payload::of(&payload),
                            removes: plan.removes(),
                        }));
                    }
                    object_plan = Some(plan);
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
        operations.push(Operation::Reserved(ReservedWrite { reserved, changes }));
    }

    if let Some(wanted) = spec.status {
        let status = &live.detail.status;
        if !status_satisfied(wanted, status) {
            operations.push(Operation::Status(StatusWrite {
                from: status.to_string(),
                to: wanted,
            }));
        }
    }

    // DTS changes a job's objects only while it runs (or has failed).
    let status = &live.detail.status;
    let objects_at = operations
        .iter()
        .position(|op| matches!(op, Operation::Objects(_)));
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
        live_status: live.detail.status.as_str().to_owned(),
        live_state: live.state.clone(),
        objects: object_plan,
        operations: operations.into_iter().map(PlannedOp::new).collect(),
        suppressed,
        notes,
    })
}

/// Whether a job in `status` is where `wanted` asks it to be (a job on its way to
/// running counts as running).
pub fn status_satisfied(wanted: DesiredStatus, status: &JobStatus) -> bool {
    match wanted {
        DesiredStatus::Running => status.is_running() || status.is_transitional(),
        DesiredStatus::Suspended => *status == JobStatus::Suspending,
    }
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

/// The write for one endpoint: the configured fields, and the account when it changes.
fn endpoint_write(
    side: Side,
    spec: &EndpointSpec,
    changes: Vec<FieldChange>,
    account: bool,
) -> EndpointWrite {
    let secret = |s: &crate::config::SecretValue| SecretRef::from_expression(&s.expression);
    EndpointWrite {
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
