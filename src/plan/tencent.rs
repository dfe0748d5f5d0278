//! Planning a Tencent Cloud DTS migration job (API 2018-03-30).
//!
//! One `ModifyMigrateJob` carries the job's whole configuration: its name, MigrateOption,
//! source and target (`SrcInfo`/`DstInfo`) and the complete `DatabaseInfo` — DTS keeps
//! what is sent and drops what is left out. So the planner sends the live configuration
//! with the configured changes merged in, and the full desired object list, and the
//! shared diff and guard see exactly what the list would lose.
//!
//! Status rules (reference §4.1): a job can be modified only while Creating (1),
//! CheckPass (4), CheckNotPass (5) or Failed (10); for any other status the plan says
//! why and what to do. After a modify a check job must pass before StartMigrateJob,
//! so the operations are modify → check → start. The source and target database types
//! and the target region cannot change: configuring others is a plan error naming
//! the attribute. So are the page's rules for the MigrateOption that would be sent
//! (`option_rules`): a timed run needs its time, a sampled check its sampling, and the
//! target's root account is overridden only by a whole-instance migration of data.
//! `SrcInfo.AccessKey` is a secret like the passwords: DTS does not show it back, so it
//! is never compared; it is sent (named, never written out) with any modify. A job with
//! a cluster source (`SrcInfoMulti`) is not modified: a modify sends `SrcInfo` alone.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::operation::{
    FieldChange, MigrateModifyWrite, MigrateObjects, MigrateStartWrite, Operation, Payload,
    SecretRef,
};
use super::{JobPlan, LiveState, ObjectPlan, PlannedOp, digest, plan_objects, unified_diff};
use crate::cloud::tencent::MigrateStatus;
use crate::config::{Cloud, Config, ConfigError, DesiredStatus, TencentEndpoint};
use crate::objects::normalize::Suppressed;
use crate::objects::tencent::{self, DatabaseInfo};
use crate::objects::{ObjectTree, Removal};

/// What the planner knows of a Tencent job: a DescribeMigrateJobs row, read.
#[derive(Debug, Clone)]
pub struct TencentLive {
    pub job_id: String,
    pub job_name: String,
    /// `MigrateJobInfo.Status`.
    pub status: MigrateStatus,
    pub objects: DatabaseInfo,
    /// The raw `DatabaseInfo` text.
    pub database_info: String,
    pub migrate_option: Map<String, Value>,
    pub src_database_type: String,
    pub dst_database_type: String,
    pub src_access_type: String,
    pub dst_access_type: String,
    /// Without `Password` and `AccessKey` (DTS returns them empty; never compared).
    pub src_info: Map<String, Value>,
    pub dst_info: Map<String, Value>,
    /// The first `ErrorInfo[].ErrorLog`, if any.
    pub error: Option<String>,
    /// How many nodes `SrcInfoMulti` lists (a cluster source); 0 for a single source.
    pub cluster_sources: usize,
    pub state: LiveState,
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Endpoint fields that are secrets: sent, never read back or compared.
const SECRET_FIELDS: &[&str] = &["Password", "AccessKey"];

/// The parts of an endpoint that count: every set field but the secrets and the
/// `ignored` ones (`""` and `Port` 0 are how the API shows "not set").
fn endpoint_fields(info: &Map<String, Value>, ignored: &[&str]) -> Map<String, Value> {
    info.iter()
        .filter(|(k, v)| {
            let unset = matches!(v, Value::Null)
                || text(Some(v)).is_empty()
                || (k.as_str() == "Port" && text(Some(v)) == "0");
            let skipped = SECRET_FIELDS.contains(&k.as_str()) || ignored.contains(&k.as_str());
            !unset && !skipped
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// MigrateOption with its nested objects as dotted leaves
/// (`ConsistencyParams.TablesSelectAll`), so each setting is compared on its own.
pub fn flatten<'a>(
    option: impl IntoIterator<Item = (&'a String, &'a Value)>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in option {
        match value {
            Value::Object(inner) => {
                for (k, v) in inner {
                    out.insert(format!("{key}.{k}"), v.clone());
                }
            }
            other => {
                out.insert(key.clone(), other.clone());
            }
        }
    }
    out
}

/// Canonical JSON of a map (keys sorted, values as text).
fn canonical(map: &Map<String, Value>) -> String {
    let sorted: BTreeMap<&String, String> = map.iter().map(|(k, v)| (k, text(Some(v)))).collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

impl TencentLive {
    /// Reads a DescribeMigrateJobs `JobList` row (wire keys).
    pub fn from_row(row: &Value) -> Result<TencentLive, String> {
        let status = match row.get("Status") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .map(MigrateStatus::from_code)
        .ok_or("its Status is not a status code")?;
        let database_info = text(row.get("DatabaseInfo"));
        let objects = tencent::parse(&database_info).map_err(|e| {
            format!("its live object list (DatabaseInfo) cannot be read safely: {e}")
        })?;
        let mut migrate_option = object(row.get("MigrateOption"));
        // "0000-00-00 00:00:00" is the API's "not set".
        migrate_option.retain(|_, v| text(Some(v)) != "0000-00-00 00:00:00");
        // Unset sampling parameters come back as zeros, which no request may send.
        if migrate_option
            .get("ConsistencyParams")
            .and_then(Value::as_object)
            .is_some_and(|p| p.values().all(|v| text(Some(v)) == "0"))
        {
            migrate_option.remove("ConsistencyParams");
        }
        // MigrateObject says which the job migrates: 1 the whole instance, 2 the list.
        // A list that contradicts it cannot be read safely either way.
        match (text(migrate_option.get("MigrateObject")).as_str(), &objects) {
            ("2", DatabaseInfo::WholeInstance) => {
                return Err("its DatabaseInfo is [] (the whole instance), but its MigrateObject is 2 (selected objects): its object list cannot be read safely".into());
            }
            ("1", DatabaseInfo::Objects(_)) => {
                return Err("its DatabaseInfo lists objects, but its MigrateObject is 1 (the whole instance): its object list cannot be read safely".into());
            }
            _ => {}
        }
        let src_info = endpoint_fields(&object(row.get("SrcInfo")), &[]);
        // `DstInfo.Ip` and `Port` are deprecated: never compared, never sent back.
        let dst_info = endpoint_fields(&object(row.get("DstInfo")), &["Ip", "Port"]);
        let error = row
            .get("ErrorInfo")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .map(|e| text(e.get("ErrorLog")))
            .filter(|e| !e.is_empty());
        let cluster_sources = row
            .get("SrcInfoMulti")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let mut live = TencentLive {
            job_id: text(row.get("JobId")),
            job_name: text(row.get("JobName")),
            status,
            objects,
            database_info,
            migrate_option,
            src_database_type: text(row.get("SrcDatabaseType")),
            dst_database_type: text(row.get("DstDatabaseType")),
            src_access_type: text(row.get("SrcAccessType")),
            dst_access_type: text(row.get("DstAccessType")),
            src_info,
            dst_info,
            error,
            cluster_sources,
            state: LiveState::default(),
        };
        live.state = live.compute_state();
        Ok(live)
    }

    fn compute_state(&self) -> LiveState {
        let objects = match &self.objects {
            DatabaseInfo::WholeInstance => "whole instance".to_owned(),
            DatabaseInfo::Objects(tree) => tree.to_json(),
        };
        let options = json!({
            "JobName": self.job_name,
            "MigrateOption": canonical(&self.migrate_option),
            "SrcDatabaseType": self.src_database_type,
            "DstDatabaseType": self.dst_database_type,
        });
        LiveState {
            objects: digest(&objects),
            reserved: digest(""),
            source: digest(&format!(
                "{}\n{}{}",
                self.src_access_type,
                canonical(&self.src_info),
                if self.cluster_sources > 0 {
                    format!("\n{} cluster nodes", self.cluster_sources)
                } else {
                    String::new()
                }
            )),
            destination: digest(&format!(
                "{}\n{}",
                self.dst_access_type,
                canonical(&self.dst_info)
            )),
            direction: digest(""),
            options: digest(&options.to_string()),
            migration_mode: String::new(),
            reverse: None,
        }
    }

    /// The live object tree, if the job lists objects.
    pub fn tree(&self) -> Option<&ObjectTree> {
        match &self.objects {
            DatabaseInfo::Objects(tree) => Some(tree),
            DatabaseInfo::WholeInstance => None,
        }
    }
}

/// What to tell a user whose job cannot be modified in its status.
fn not_modifiable_help(status: MigrateStatus) -> &'static str {
    match status {
        MigrateStatus::Checking => {
            "a check is running; plan again when it has finished (usually within minutes)"
        }
        MigrateStatus::ReadyRun | MigrateStatus::Running | MigrateStatus::ReadyComplete => {
            "a started migration cannot be reconfigured: wait until it ends (Success or Failed), or stop it (StopMigrateJob; it then ends as Failed (10), which can be modified) and plan again"
        }
        MigrateStatus::Success => {
            "the migration has finished; create a new migration job for the new objects and point the resource at it"
        }
        MigrateStatus::Stopping | MigrateStatus::Completing => {
            "the job is stopping or completing; plan again when it has ended"
        }
        _ => "wait until the job is Creating, CheckPass, CheckNotPass or Failed, and plan again",
    }
}

/// Plans one Tencent job against its live state.
pub fn plan_job(
    config: &Config,
    job_index: usize,
    live: &TencentLive,
    flags: &crate::guard::Flags,
) -> Result<JobPlan, Vec<ConfigError>> {
    let spec = &config.jobs[job_index];
    let sources = &config.sources;
    let Some(tspec) = spec.tencent.as_deref() else {
        return Err(vec![
            ConfigError::at(
                sources,
                spec.span,
                "internal",
                format!("{} has no Tencent settings", spec.address()),
                "this job",
            )
            .help("this is a dtsform bug; please report it with the configuration"),
        ]);
    };
    let at = |code: &'static str, message: String| {
        ConfigError::at(sources, spec.span, code, message, "this job")
    };
    let provider = config.provider_for(spec);
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut changes: Vec<FieldChange> = Vec::new();

    // Immutable in the cloud.
    let immutable = |what: &str, wanted: &str, have: &str, span, attribute: &str| {
        (!have.is_empty() && !wanted.eq_ignore_ascii_case(have)).then(|| {
            ConfigError::at(
                sources,
                span,
                "immutable_attribute",
                format!("{}: {attribute} is {wanted:?}, but the live job's {what} is {have:?}, which DTS cannot change", spec.address()),
                "cannot change",
            )
            .help(format!("set {attribute} = {have:?}, or create a new migration job for the other {what}"))
        })
    };
    if let Some((t, span)) = &tspec.source_database_type {
        errors.extend(immutable(
            "source database type",
            t,
            &live.src_database_type,
            *span,
            "source_database_type",
        ));
    }
    if let Some((t, span)) = &tspec.destination_database_type {
        errors.extend(immutable(
            "target database type",
            t,
            &live.dst_database_type,
            *span,
            "destination_database_type",
        ));
    }
    if let Some(dst) = &tspec.destination
        && let Some(region) = dst.fields.get("Region")
    {
        let span = dst.spans.get("Region").copied().unwrap_or(dst.span);
        errors.extend(immutable(
            "target region",
            &text(Some(region)),
            &text(live.dst_info.get("Region")),
            span,
            "destination.region",
        ));
    }

    // The object list.
    let mut object_plan: Option<ObjectPlan> = None;
    let mut objects_to_send: Option<MigrateObjects> = None;
    let mut suppressed = Suppressed::default();
    let live_whole = matches!(live.objects, DatabaseInfo::WholeInstance);
    if tspec.whole_instance {
        if !live_whole {
            objects_to_send = Some(MigrateObjects::WholeInstance);
            let count = live.tree().map_or(0, ObjectTree::count);
            changes.push(FieldChange {
                field: "objects".into(),
                before: Some(format!("{count} listed objects")),
                after: Some("the whole instance".into()),
            });
        }
    } else if let Some(desired) = &spec.objects {
        match desired.tree() {
            Err(e) => errors.push(
                at(
                    "internal",
                    format!(
                        "{}: the configured object list cannot be read back: {e}",
                        spec.address()
                    ),
                )
                .help("this is a dtsform bug; please report it with the configuration"),
            ),
            Ok(desired) => {
                if live_whole && !tspec.narrowing_allowed {
                    errors.push(
                        ConfigError::at(sources, spec.objects_span, "whole_instance_narrowing", format!("{} migrates the whole instance; the configured list would stop migrating every database it does not name", spec.address()), "only these objects")
                            .refusing(crate::config::Refused {
                                job: spec.address(),
                                direction: crate::cloud::alibaba::Direction::Forward,
                                objects: vec![whole_instance_narrowing()],
                            })
                            .help("if that is intended, add removed { whole_instance = true }; to keep migrating everything, write whole_instance = true"),
                    );
                } else {
                    let empty = ObjectTree::default();
                    let live_tree = live.tree().unwrap_or(&empty);
                    if live_whole {
                        notes.push("the job migrates the whole instance; it will migrate only the listed objects (allowed by removed { whole_instance = true })".into());
                    }
                    match plan_objects(config, spec, desired, live_tree, flags, &mut notes) {
                        Ok((mut plan, payload)) => {
                            plan.narrows_instance = live_whole;
                            suppressed.add(&plan.diff.suppressed);
                            if !plan.diff.is_empty() || live_whole {
                                // What DTS will store: the list as DatabaseInfo reads back.
                                match tencent::canonical(&payload) {
                                    Ok(tree) => objects_to_send = Some(MigrateObjects::Listed(Payload::of(&tree))),
                                    Err(e) => errors.extend(e.into_iter().map(|m| {
                                        ConfigError::at(sources, spec.objects_span, "unsupported_object", m, "here")
                                            .help("Tencent DatabaseInfo lists databases, schemas and tables by their own names only")
                                    })),
                                }
                                let info = DatabaseInfo::Objects(payload);
                                let before = if live_whole {
                                    "[]".to_owned()
                                } else {
                                    tencent::render_pretty(&live.objects).unwrap_or_default()
                                };
                                let after = tencent::render_pretty(&info).unwrap_or_default();
                                plan.db_list_diff = unified_diff(&before, &after);
                            }
                            object_plan = Some(plan);
                        }
                        Err(e) => errors.extend(e),
                    }
                }
            }
        }
    }

    // Name, MigrateOption and endpoints: the configured fields that differ.
    changes.extend(setting_changes(tspec, live));

    let mut operations = Vec::new();
    let modify = !changes.is_empty() || objects_to_send.is_some();
    if modify && !live.status.is_modifiable() {
        errors.push(
            at(
                "job_not_modifiable",
                format!(
                    "{} is {}, and ModifyMigrateJob changes a migration job only while it is Creating (1), CheckPass (4), CheckNotPass (5) or Failed (10)",
                    spec.address(),
                    live.status
                ),
            )
            .help(not_modifiable_help(live.status)),
        );
    }
    let write = modify.then(|| {
        let (removes, narrows_instance) = object_plan
            .as_ref()
            .map_or((Vec::new(), false), |o| (o.removes(), o.narrows_instance));
        modify_write(
            tspec,
            live,
            objects_to_send,
            removes,
            narrows_instance,
            changes,
            &mut notes,
        )
    });
    if let Some(write) = &write {
        errors.extend(option_rules(config, job_index, &write.migrate_option));
        if live.cluster_sources > 0 {
            errors.push(
                at(
                    "cluster_source",
                    format!(
                        "{} has a cluster source (SrcInfoMulti lists {} nodes), which dtsform does not manage: ModifyMigrateJob would be sent with SrcInfo alone, and whether DTS keeps the cluster's nodes then is not documented",
                        spec.address(),
                        live.cluster_sources
                    ),
                )
                .help("change this job in the DTS console, or configure only what the job already has so dtsform has nothing to write"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(write) = write {
        operations.push(Operation::MigrateModify(Box::new(write)));
    }
    let wants_running = spec.status == Some(DesiredStatus::Running);
    let started = live.status.is_started();
    let checkable = matches!(
        live.status,
        MigrateStatus::Creating
            | MigrateStatus::Created
            | MigrateStatus::CheckNotPass
            | MigrateStatus::Failed
    );
    if modify || (wants_running && checkable) {
        operations.push(Operation::MigrateCheck);
    }
    if wants_running && !started {
        operations.push(Operation::MigrateStart(MigrateStartWrite {
            from: live.status.to_string(),
        }));
    }
    if wants_running && live.status == MigrateStatus::Success {
        notes.push("the migration has already finished (Success); status = \"running\" has nothing to start".into());
    }
    if let Some(e) = &live.error {
        notes.push(format!("the job reports an error: {e}"));
    }

    Ok(JobPlan {
        address: spec.address(),
        cloud: Cloud::Tencent,
        provider: provider
            .map(crate::config::ProviderSpec::name)
            .unwrap_or_default(),
        region: provider.map(|p| p.region.clone()).unwrap_or_default(),
        dts_job_id: spec.dts_job_id.clone(),
        dts_instance_id: String::new(),
        live_status: live.status.to_string(),
        live_state: live.state.clone(),
        objects: object_plan,
        reverse_objects: None,
        names_direction: false,
        resource_group_id: None,
        operations: operations.into_iter().map(PlannedOp::new).collect(),
        suppressed,
        notes,
    })
}

/// The configured name, MigrateOption and endpoint fields whose live value differs.
pub fn setting_changes(tspec: &crate::config::TencentSpec, live: &TencentLive) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    if let Some(name) = &tspec.job_name
        && *name != live.job_name
    {
        changes.push(FieldChange {
            field: "job_name".into(),
            before: Some(live.job_name.clone()),
            after: Some(name.clone()),
        });
    }
    let live_option = flatten(&live.migrate_option);
    for (key, wanted) in &flatten(&tspec.migrate_option) {
        let have = live_option.get(key);
        if text(have) != text(Some(wanted)) {
            let name: Vec<String> = key.split('.').map(snake).collect();
            changes.push(FieldChange {
                field: format!("migrate_option.{}", name.join(".")).into(),
                before: have.map(|h| text(Some(h))),
                after: Some(text(Some(wanted))),
            });
        }
    }
    for (side, endpoint, access, info) in [
        (
            "source",
            &tspec.source,
            &live.src_access_type,
            &live.src_info,
        ),
        (
            "destination",
            &tspec.destination,
            &live.dst_access_type,
            &live.dst_info,
        ),
    ] {
        let Some(endpoint) = endpoint else { continue };
        if let Some(wanted) = &endpoint.access_type
            && wanted != access
        {
            changes.push(FieldChange {
                field: format!("{side}.access_type").into(),
                before: Some(access.clone()).filter(|a| !a.is_empty()),
                after: Some(wanted.clone()),
            });
            // A new access type takes the block as the whole endpoint: the live fields
            // of the old one are not sent (see `modify_write`).
            for (key, have) in info {
                if !endpoint.fields.contains_key(key) {
                    changes.push(FieldChange {
                        field: format!("{side}.{}", snake(key)).into(),
                        before: Some(text(Some(have))),
                        after: None,
                    });
                }
            }
        }
        for (key, wanted) in &endpoint.fields {
            let have = info.get(key);
            if text(have) != text(Some(wanted)) {
                changes.push(FieldChange {
                    field: format!("{side}.{}", snake(key)).into(),
                    before: have.map(|h| text(Some(h))),
                    after: Some(text(Some(wanted))),
                });
            }
        }
    }
    changes
}

/// The page's rules for the MigrateOption a modify would send (the live one with the
/// configured settings merged in), each at the attribute that sets it when configured.
fn option_rules(
    config: &Config,
    job_index: usize,
    option: &Map<String, Value>,
) -> Vec<ConfigError> {
    let spec = &config.jobs[job_index];
    let Some(tspec) = spec.tencent.as_deref() else {
        return Vec::new();
    };
    let span = |key: &str| {
        tspec
            .migrate_option_spans
            .get(key)
            .copied()
            .or(tspec.migrate_option_span)
            .unwrap_or(spec.span)
    };
    let is = |key: &str, value: &str| option.get(key).is_some_and(|v| text(Some(v)) == value);
    let error = |key: &str, code: &'static str, message: String, label: &str| {
        ConfigError::at(&config.sources, span(key), code, message, label)
    };
    let mut errors = Vec::new();
    if is("RunMode", "2") && !option.contains_key("ExpectTime") {
        errors.push(
            error("RunMode", "expect_time_required", format!("{}: run_mode 2 starts the migration at a set time, and ModifyMigrateJob needs that time (expect_time) with it", spec.address()), "timed run without a time")
                .help("add expect_time = \"yyyy-mm-dd hh:mm:ss\" to migrate_option, or set run_mode = 1 to start as soon as the job is started"),
        );
    }
    let sampled = option
        .get("ConsistencyParams")
        .and_then(Value::as_object)
        .is_some_and(|p| {
            ["SelectRowsPerTable", "TablesSelectAll", "TablesSelectCount"]
                .iter()
                .all(|k| p.get(*k).is_some_and(|v| text(Some(v)) != "0"))
        });
    if is("ConsistencyType", "3") && !sampled {
        errors.push(
            error("ConsistencyType", "consistency_params_required", format!("{}: consistency_type 3 is a sampled check, and ModifyMigrateJob needs its sampling (ConsistencyParams) with it", spec.address()), "sampled check without sampling")
                .help("add consistency_params { select_rows_per_table = 10  tables_select_all = 20  tables_select_count = 30 } (percentages, 1 to 100) to migrate_option, or choose another consistency_type"),
        );
    }
    if is("IsOverrideRoot", "1") {
        let why = if is("MigrateObject", "2") {
            Some("the job migrates selected databases and tables")
        } else if is("MigrateType", "1") {
            Some("the job migrates the structure only (migrate_type 1)")
        } else {
            None
        };
        if let Some(why) = why {
            errors.push(
                error("IsOverrideRoot", "override_root_not_allowed", format!("{}: is_override_root 1 overrides the target's root account, which only a whole-instance migration of data allows, and {why}", spec.address()), "not allowed here")
                    .help("set is_override_root = 0, or migrate the whole instance (whole_instance = true) with migrate_type 2 or 3"),
            );
        }
    }
    errors
}

/// `RunMode` → `run_mode`.
fn snake(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole ModifyMigrateJob write: the live configuration with the configured changes
/// merged in, and the complete object list (the live one when it does not change).
fn modify_write(
    tspec: &crate::config::TencentSpec,
    live: &TencentLive,
    objects: Option<MigrateObjects>,
    removes: Vec<Removal>,
    narrows_instance: bool,
    changes: Vec<FieldChange>,
    notes: &mut Vec<String>,
) -> MigrateModifyWrite {
    let job_name = tspec
        .job_name
        .clone()
        .or_else(|| Some(live.job_name.clone()))
        .filter(|n| !n.is_empty());
    let objects = objects.unwrap_or_else(|| match &live.objects {
        DatabaseInfo::WholeInstance => MigrateObjects::WholeInstance,
        DatabaseInfo::Objects(tree) => MigrateObjects::Listed(Payload::of(tree)),
    });
    let mut migrate_option = live.migrate_option.clone();
    for (k, v) in &tspec.migrate_option {
        migrate_option.insert(k.clone(), v.clone());
    }
    // Which objects: follows the list, never set by hand.
    let whole = matches!(objects, MigrateObjects::WholeInstance);
    migrate_option.insert("MigrateObject".into(), json!(if whole { 1 } else { 2 }));
    let src_access_key = tspec
        .source
        .as_ref()
        .and_then(|e| e.access_key.as_ref())
        .map(|k| SecretRef::from_expression(&k.expression));
    let side =
        |endpoint: &Option<TencentEndpoint>, live_access: &str, info: &Map<String, Value>| {
            // Another access type is another kind of endpoint: its fields are the block's
            // alone. Otherwise the configured fields are merged into the live ones.
            let switched = endpoint
                .as_ref()
                .and_then(|e| e.access_type.as_deref())
                .is_some_and(|wanted| wanted != live_access);
            let access = endpoint
                .as_ref()
                .and_then(|e| e.access_type.clone())
                .unwrap_or_else(|| live_access.to_owned());
            let mut fields = if switched { Map::new() } else { info.clone() };
            let mut password = None;
            if let Some(TencentEndpoint {
                fields: wanted,
                password: configured,
                ..
            }) = endpoint
            {
                for (k, v) in wanted {
                    fields.insert(k.clone(), v.clone());
                }
                password = configured
                    .as_ref()
                    .map(|p| SecretRef::from_expression(&p.expression));
            }
            (Some(access).filter(|a| !a.is_empty()), fields, password)
        };
    let (src_access_type, src_info, src_password) =
        side(&tspec.source, &live.src_access_type, &live.src_info);
    let (dst_access_type, dst_info, dst_password) =
        side(&tspec.destination, &live.dst_access_type, &live.dst_info);
    let unsent: Vec<&str> = [
        ("source", &src_info, &src_password),
        ("destination", &dst_info, &dst_password),
    ]
    .into_iter()
    .filter(|(_, info, password)| info.contains_key("User") && password.is_none())
    .map(|(name, _, _)| name)
    .collect();
    if !unsent.is_empty() {
        notes.push(format!(
            "no {} password is configured, so none is sent: DTS never returns passwords, and whether ModifyMigrateJob keeps the old one is not documented (set password = var.NAME in the {} block{} to send it)",
            unsent.join(" or "),
            unsent.join(" and "),
            if unsent.len() > 1 { "s" } else { "" }
        ));
    }
    if src_access_key.is_none()
        && src_info
            .get("Supplier")
            .is_some_and(|s| text(Some(s)) == "aliyun")
    {
        notes.push("no source access key is configured, so none is sent: DTS never returns it, and whether ModifyMigrateJob keeps the old one is not documented (set access_key = var.NAME in the source block to send it)".into());
    }
    MigrateModifyWrite {
        job_name,
        migrate_option,
        src_access_type,
        src_info,
        src_password,
        src_access_key,
        dst_access_type,
        dst_info,
        dst_password,
        objects,
        removes,
        narrows_instance,
        changes,
    }
}

/// Narrowing a job that migrates the whole instance to a list, as a refusal and a
/// report name it: everything in the instance but what the list names stops migrating.
pub fn whole_instance_narrowing() -> crate::config::RefusedObject {
    crate::config::RefusedObject {
        address: super::file::WHOLE_INSTANCE.to_owned(),
        path: Vec::new(),
        kind: "instance",
        objects: 1,
        narrowing: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_describe_row_is_read_with_its_objects_and_without_passwords() {
        let row = json!({"JobId":"dts-1kl0iy0v","JobName":"userdts",
            "MigrateOption":{"RunMode":1,"ExpectTime":"0000-00-00 00:00:00","MigrateType":2,"MigrateObject":2},
            "SrcAccessType":"extranet","SrcDatabaseType":"mysql",
            "SrcInfo":{"AccessKey":"","Ip":"9.18.84.24","Port":10304,"User":"root","Password":""},
            "DstAccessType":"cdb","DstDatabaseType":"mysql",
            "DstInfo":{"InstanceId":"cdb-l78e0nbv","Ip":"","Port":0,"Region":"ap-shanghai","ReadOnly":0},
            "Status":4,"DatabaseInfo":"[{\"Database\":\"db1\",\"Table\":[\"t1\"]}]","ErrorInfo":[]});
        let live = TencentLive::from_row(&row).unwrap();
        assert_eq!(live.status, MigrateStatus::CheckPass);
        assert_eq!(live.tree().unwrap().count(), 2);
        assert!(!live.src_info.contains_key("Password"));
        assert!(
            !live.src_info.contains_key("AccessKey"),
            "empty fields do not count"
        );
        assert!(!live.migrate_option.contains_key("ExpectTime"));
        assert_eq!(live.status.to_string(), "CheckPass (4)");
        let whole = TencentLive::from_row(&json!({"Status":1,"DatabaseInfo":"[]"})).unwrap();
        assert!(whole.tree().is_none());
        assert_ne!(whole.state.objects, live.state.objects);
        assert!(TencentLive::from_row(&json!({"Status":"x"})).is_err());
        assert!(TencentLive::from_row(&json!({"Status":1,"DatabaseInfo":"{"})).is_err());
    }

    /// A live list that says nothing, or contradicts MigrateObject, or holds keys dtsform
    /// does not know, makes the job unreadable: never "the whole instance", never read
    /// without objects a write would then drop.
    #[test]
    fn a_live_list_that_cannot_be_read_safely_is_refused() {
        for (row, expected) in [
            (json!({"Status": 1}), "DatabaseInfo is empty"),
            (
                json!({"Status": 1, "DatabaseInfo": ""}),
                "DatabaseInfo is empty",
            ),
            (
                json!({"Status": 1, "DatabaseInfo": null}),
                "DatabaseInfo is empty",
            ),
            (
                json!({"Status": 1, "DatabaseInfo": "[]", "MigrateOption": {"MigrateObject": 2}}),
                "MigrateObject is 2",
            ),
            (
                json!({"Status": 1, "DatabaseInfo": "[{\"Database\":\"d\"}]", "MigrateOption": {"MigrateObject": 1}}),
                "MigrateObject is 1",
            ),
            (
                json!({"Status": 1, "DatabaseInfo": "[{\"Database\":\"d\",\"View\":[\"v\"]}]"}),
                "\"View\", which dtsform does not know",
            ),
        ] {
            let e = TencentLive::from_row(&row).unwrap_err();
            assert!(e.contains(expected), "{row}: {e}");
        }
    }

    /// Secrets are never read into the live state (not even when a service shows them),
    /// and what the API shows for "not set" or deprecated is not a setting to re-send.
    #[test]
    fn secrets_unset_and_deprecated_endpoint_fields_are_not_read() {
        let row = json!({"Status": 1, "DatabaseInfo": "[]",
            "SrcInfo": {"AccessKey": "LTAI-shown-by-mistake", "Password": "pw", "Ip": "10.0.0.1", "Port": 0, "Supplier": "aliyun"},
            "DstInfo": {"InstanceId": "cdb-1", "Ip": "10.0.0.2", "Port": 3306, "Region": "ap-guangzhou"}});
        let live = TencentLive::from_row(&row).unwrap();
        assert_eq!(
            live.src_info,
            *json!({"Ip": "10.0.0.1", "Supplier": "aliyun"})
                .as_object()
                .unwrap()
        );
        assert_eq!(
            live.dst_info,
            *json!({"InstanceId": "cdb-1", "Region": "ap-guangzhou"})
                .as_object()
                .unwrap()
        );
        assert!(!format!("{live:?}").contains("LTAI"));
        assert_eq!(live.cluster_sources, 0);
    }

    #[test]
    fn a_cluster_source_is_counted_and_part_of_the_source_state() {
        let single = TencentLive::from_row(&json!({"Status": 1, "DatabaseInfo": "[]"})).unwrap();
        let cluster = TencentLive::from_row(&json!({"Status": 1, "DatabaseInfo": "[]",
            "SrcInfoMulti": [{"Ip": "10.0.0.1"}, {"Ip": "10.0.0.2"}]}))
        .unwrap();
        assert_eq!(cluster.cluster_sources, 2);
        assert_ne!(single.state.source, cluster.state.source);
        let null = TencentLive::from_row(
            &json!({"Status": 1, "DatabaseInfo": "[]", "SrcInfoMulti": null}),
        )
        .unwrap();
        assert_eq!(null.state.source, single.state.source);
    }

    #[test]
    fn consistency_params_are_compared_one_by_one() {
        let option = json!({"RunMode": 1, "ConsistencyParams": {"TablesSelectAll": 20, "SelectRowsPerTable": 10}});
        let flat = flatten(option.as_object().unwrap());
        assert_eq!(
            Value::Object(flat),
            json!({"RunMode": 1, "ConsistencyParams.TablesSelectAll": 20, "ConsistencyParams.SelectRowsPerTable": 10})
        );
    }

    #[test]
    fn names_are_snake_cased_for_messages() {
        assert_eq!(snake("RunMode"), "run_mode");
        assert_eq!(snake("InstanceId"), "instance_id");
    }
}
