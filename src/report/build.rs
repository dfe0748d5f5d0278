//! Building a report: a plan (or a plan file) becomes a [`Document`] of typed records,
//! once, for every format.
//!
//! Each operation kind is described in one place, [`describe`]: a new kind of write
//! adds one arm there (its title, the values it changes, the object list it sends) and
//! both JSON and Markdown show it. Everything else it sends reaches the report through
//! the plan file's own serialisation (`parameters`), so it cannot be forgotten.

use std::collections::BTreeSet;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::diagnostic::KeptDiagnostic;
use super::model::{
    AllowedBy, Counts, DiagnosticReport, Document, FORMAT_VERSION, JobAction, JobReport, Narrowing,
    ObjectAction, ObjectChangeEntry, OperationReport, Outcome, PayloadDiff, PayloadReport,
    PlanMeta, PrecheckCounts, RefusalReport, RefusedEntry, Summary, Unlisted, ValueChange,
};
use crate::cloud::alibaba::Direction;
use crate::config::{Cloud, RefusedObject};
use crate::guard::Allowance;
use crate::objects::diff::{AttrChange, Change, ObjectChange};
use crate::objects::tencent::{self as database_info, DatabaseInfo};
use crate::plan::file::{PlanFile, WHOLE_INSTANCE};
use crate::plan::operation::{MigrateObjects, Payload, SecretRef};
use crate::plan::{FieldChange, JobPlan, Operation, Plan, PlannedOp};

/// The report of a plan file (`show`), or of a plan about to be saved as `file`. A plan
/// whose precheck failed (`plan --precheck`) is reported as such and without a plan
/// file: it is never saved, since apply would stop at that precheck.
pub fn plan_document(file: &PlanFile) -> Document {
    let jobs: Vec<JobReport> = file.jobs.iter().map(job_report).collect();
    let summary = summary(&jobs, &[]);
    let precheck_failed = summary.prechecks.is_some_and(|p| p.failed > 0);
    Document {
        format_version: FORMAT_VERSION,
        dtsform_version: env!("CARGO_PKG_VERSION"),
        report: "plan",
        outcome: if precheck_failed {
            Outcome::PrecheckFailed
        } else if summary.jobs_to_change > 0 {
            Outcome::Changes
        } else {
            Outcome::NoChanges
        },
        plan: (!precheck_failed).then(|| PlanMeta {
            checksum: file.checksum.clone(),
            created_at: file.created_at.clone(),
            config_dir: file.config_dir.clone(),
            file_format_version: file.format_version,
        }),
        summary: Some(summary),
        jobs,
        refusals: Vec::new(),
        diagnostics: Vec::new(),
    }
}

/// The report of a run that made no plan: the diagnostics printed, and — when every one
/// is a refusal of the guard — the jobs that did plan (`others`), for review.
pub fn failed_document(others: Option<&Plan>, kept: Vec<KeptDiagnostic>) -> Document {
    let refused = !kept.is_empty() && kept.iter().all(|k| k.refused.is_some());
    let mut refusals = Vec::new();
    let mut diagnostics: Vec<DiagnosticReport> = Vec::with_capacity(kept.len());
    for k in kept {
        if let Some(r) = &k.refused {
            refusals.push(RefusalReport {
                job: r.job.clone(),
                direction: r.direction,
                reason: k
                    .report
                    .code
                    .as_deref()
                    .map_or("", |c| c.rsplit("::").next().unwrap_or(c))
                    .to_owned(),
                message: k.report.message.clone(),
                help: k.report.help.clone().unwrap_or_default(),
                objects: r.objects.iter().map(refused_entry).collect(),
            });
        }
        diagnostics.push(k.report);
    }
    let (jobs, summary) = if refused {
        let jobs: Vec<JobReport> =
            others.map_or_else(Vec::new, |p| p.jobs.iter().map(job_report).collect());
        let summary = summary(&jobs, &refusals);
        (jobs, Some(summary))
    } else {
        (Vec::new(), None)
    };
    Document {
        format_version: FORMAT_VERSION,
        dtsform_version: env!("CARGO_PKG_VERSION"),
        report: "plan",
        outcome: if refused {
            Outcome::Refused
        } else {
            Outcome::Error
        },
        plan: None,
        summary,
        jobs,
        refusals,
        diagnostics,
    }
}

fn refused_entry(o: &RefusedObject) -> RefusedEntry {
    RefusedEntry {
        address: o.address.clone(),
        path: o.path.clone(),
        kind: o.kind,
        objects: o.objects,
        narrowing: o.narrowing,
    }
}

/// The counts of a report's jobs and refusals.
pub fn summary(jobs: &[JobReport], refusals: &[RefusalReport]) -> Summary {
    let mut s = Summary::default();
    for job in jobs {
        match job.action {
            JobAction::Update => s.jobs_to_change += 1,
            JobAction::None => s.jobs_unchanged += 1,
        }
        s.objects_to_add += job.counts.add;
        s.objects_to_change += job.counts.change;
        s.objects_to_remove += job.counts.remove;
        for change in &job.object_changes {
            match change.allowed_by {
                Some(AllowedBy::RemovedBlock) => s.removals_declared += 1,
                Some(AllowedBy::AllowRemovalFlag) => s.removals_allowed_by_flag += 1,
                None => {}
            }
        }
        s.stops_replicating |= job.stops_replicating;
        s.hidden_by_normalization.add(&job.hidden_by_normalization);
        for precheck in job.operations.iter().filter_map(|o| o.precheck.as_ref()) {
            let counts = s.prechecks.get_or_insert_with(PrecheckCounts::default);
            counts.run += 1;
            if precheck.passed {
                counts.passed += 1;
            } else {
                counts.failed += 1;
            }
        }
    }
    let refused_jobs: BTreeSet<&str> = refusals.iter().map(|r| r.job.as_str()).collect();
    // The same address in both directions of a two-way job is two objects.
    let refused_objects: BTreeSet<(&str, &str, &str)> = refusals
        .iter()
        .flat_map(|r| {
            r.objects
                .iter()
                .map(|o| (r.job.as_str(), r.direction.name(), o.address.as_str()))
        })
        .collect();
    s.jobs_refused = refused_jobs.len();
    s.removals_refused = refused_objects.len();
    s.stops_replicating |= !refusals.is_empty();
    s
}

/// One job's report: a two-way job's reverse direction (its own object list) counts
/// and lists with the forward one, each entry saying its direction.
pub fn job_report(job: &JobPlan) -> JobReport {
    let mut object_changes = Vec::new();
    let mut counts = Counts::default();
    let mut payload_diffs = Vec::new();
    for direction in [Direction::Forward, Direction::Reverse] {
        let Some(objects) = job.objects_in(direction) else {
            continue;
        };
        if objects.narrows_instance {
            object_changes.push(whole_instance_entry(job));
            counts.remove += 1;
        }
        let allowance = |change: &ObjectChange| {
            let removal = change.removal()?;
            objects
                .removals
                .iter()
                .find(|r| r.removal == removal)
                .map(|r| r.allowance)
        };
        object_changes.extend(objects.diff.changes.iter().map(|c| ObjectChangeEntry {
            direction,
            ..object_change_entry(c, allowance(c))
        }));
        let (add, change, remove) = objects.diff.counts();
        counts.add += add;
        counts.change += change;
        counts.remove += remove;
        if !objects.db_list_diff.is_empty() {
            payload_diffs.push(PayloadDiff {
                direction,
                format: match job.cloud {
                    Cloud::Alibaba => "DbList",
                    Cloud::Tencent => "DatabaseInfo",
                },
                text: objects.db_list_diff.clone(),
            });
        }
    }
    JobReport {
        address: job.address.clone(),
        cloud: job.cloud,
        provider: job.provider.clone(),
        region: job.region.clone(),
        dts_job_id: job.dts_job_id.clone(),
        dts_instance_id: job.dts_instance_id.clone(),
        resource_group_id: job.resource_group_id.clone(),
        live_status: job.live_status.clone(),
        action: if job.has_changes() {
            JobAction::Update
        } else {
            JobAction::None
        },
        stops_replicating: object_changes
            .iter()
            .any(|c| c.action == ObjectAction::Delete),
        counts,
        operations: job.operations.iter().map(operation_report).collect(),
        object_changes,
        notes: job.notes.clone(),
        hidden_by_normalization: job.suppressed,
        payload_diffs,
    }
}

/// A Tencent job that migrates the whole instance, narrowed to the listed objects.
fn whole_instance_entry(job: &JobPlan) -> ObjectChangeEntry {
    let listed = job
        .operations
        .iter()
        .find_map(|p| match &p.op {
            Operation::MigrateModify(m) => match &m.objects {
                MigrateObjects::Listed(payload) => payload.tree().ok(),
                MigrateObjects::WholeInstance => None,
            },
            _ => None,
        })
        .map_or(0, |tree| tree.databases.len());
    let object = crate::plan::tencent::whole_instance_narrowing();
    ObjectChangeEntry {
        direction: Direction::Forward,
        address: object.address.clone(),
        path: object.path,
        kind: object.kind,
        action: ObjectAction::Delete,
        objects: object.objects,
        narrowing: Some(Narrowing { listed }),
        unlisted: None,
        attributes: Vec::new(),
        removal: Some(WHOLE_INSTANCE.to_owned()),
        allowed_by: Some(AllowedBy::RemovedBlock),
    }
}

/// One object's change, with how a removal was allowed (`None` for other changes, and
/// for a removal nothing allowed — a drift report's).
pub fn object_change_entry(
    change: &ObjectChange,
    allowance: Option<Allowance>,
) -> ObjectChangeEntry {
    let mut entry = ObjectChangeEntry {
        direction: Direction::Forward,
        address: change.address.to_string(),
        path: change.address.segments().to_vec(),
        kind: change.kind.noun(),
        action: ObjectAction::Update,
        objects: 1,
        narrowing: None,
        unlisted: None,
        attributes: Vec::new(),
        removal: change.removal().map(|r| r.to_string()),
        allowed_by: None,
    };
    match &change.change {
        Change::Added { objects } => {
            entry.action = ObjectAction::Create;
            entry.objects = *objects;
        }
        Change::Removed { objects } => {
            entry.action = ObjectAction::Delete;
            entry.objects = *objects;
        }
        Change::Narrowed { listed } => {
            entry.action = ObjectAction::Delete;
            entry.narrowing = Some(Narrowing { listed: *listed });
        }
        Change::Unlisted { settings, .. } => {
            entry.unlisted = Some(Unlisted {
                settings: settings.clone(),
            });
        }
        Change::Changed { attrs } => {
            entry.attributes = attrs.iter().map(attr_change).collect();
        }
    }
    if entry.action == ObjectAction::Delete {
        entry.allowed_by = allowance.map(|a| match a {
            Allowance::Declared => AllowedBy::RemovedBlock,
            Allowance::CommandLine => AllowedBy::AllowRemovalFlag,
        });
    }
    entry
}

/// An attribute change as a report shows it (JSON text inside decoded).
pub fn attr_change(a: &AttrChange) -> ValueChange {
    ValueChange {
        name: a.name.clone(),
        before: a.before.clone().map_or(Value::Null, structured),
        after: a.after.clone().map_or(Value::Null, structured),
    }
}

/// A field change as a report shows it.
pub fn field_change(c: &FieldChange) -> ValueChange {
    let value = |v: &Option<String>| {
        v.clone()
            .map_or(Value::Null, |s| structured(Value::String(s)))
    };
    ValueChange {
        name: c.field.to_string(),
        before: value(&c.before),
        after: value(&c.after),
    }
}

/// A password to send: never its value, only where it comes from.
fn password_change(name: &str, secret: &SecretRef) -> ValueChange {
    ValueChange {
        name: name.to_owned(),
        before: Value::Null,
        after: serde_json::json!({"sensitive": true, "from": secret.from}),
    }
}

fn status_change(from: &str, to: &str) -> ValueChange {
    ValueChange {
        name: "status".into(),
        before: Value::String(from.to_owned()),
        after: Value::String(to.to_owned()),
    }
}

/// What one operation is, for people and tools: its title (which names the reverse
/// direction of a two-way job, as the text plan does), the values it changes and the
/// object list it sends.
fn describe(op: &Operation) -> (String, Vec<ValueChange>, Option<PayloadReport>) {
    let (title, changes, payload) = describe_kind(op);
    let title = match op.direction() {
        Direction::Forward => title,
        Direction::Reverse => format!("reverse direction: {title}"),
    };
    (title, changes, payload)
}

/// The one place that knows each kind of operation.
fn describe_kind(op: &Operation) -> (String, Vec<ValueChange>, Option<PayloadReport>) {
    match op {
        Operation::Endpoint(e) => {
            let mut changes: Vec<ValueChange> = e.changes.iter().map(field_change).collect();
            if let Some(a) = &e.account {
                changes.push(password_change("password", &a.password));
            }
            if let Some(a) = &e.shard_account {
                changes.push(password_change("shard_password", &a.password));
            }
            (format!("{} endpoint", e.side.name()), changes, None)
        }
        Operation::Objects(o) => (
            "object list".into(),
            Vec::new(),
            Some(PayloadReport {
                format: "DbList",
                objects: raw(&o.payload),
            }),
        ),
        Operation::Reserved(r) => (
            "reserved settings".into(),
            r.changes.iter().map(attr_change).collect(),
            None,
        ),
        Operation::Status(s) => (
            "status".into(),
            vec![status_change(&s.from, &s.to.to_string())],
            None,
        ),
        Operation::MigrateModify(m) => {
            let mut changes: Vec<ValueChange> = m.changes.iter().map(field_change).collect();
            for (name, password) in [
                ("source.password", &m.src_password),
                ("source.access_key", &m.src_access_key),
                ("destination.password", &m.dst_password),
            ] {
                if let Some(p) = password {
                    changes.push(password_change(name, p));
                }
            }
            (
                "configuration".into(),
                changes,
                Some(database_info_payload(&m.objects)),
            )
        }
        Operation::MigrationMode(m) => (
            "migration mode".into(),
            m.changes.iter().map(field_change).collect(),
            None,
        ),
        Operation::MigrateCheck => ("check".into(), Vec::new(), None),
        Operation::MigrateStart(s) => (
            "status".into(),
            vec![status_change(&s.from, "running")],
            None,
        ),
    }
}

fn raw(payload: &Payload) -> Box<RawValue> {
    RawValue::from_string(payload.json().to_owned())
        .unwrap_or_else(|_| RawValue::from_string("null".into()).unwrap_or_default())
}

/// A Tencent object list as `DatabaseInfo` sends it; the DbList form if it cannot be
/// written so (apply would refuse it then).
fn database_info_payload(objects: &MigrateObjects) -> PayloadReport {
    let info = match objects {
        MigrateObjects::WholeInstance => Ok(DatabaseInfo::WholeInstance),
        MigrateObjects::Listed(payload) => payload.tree().map(DatabaseInfo::Objects),
    };
    let text = info
        .ok()
        .and_then(|info| database_info::render(&info).ok())
        .and_then(|text| RawValue::from_string(text).ok());
    match (text, objects) {
        (Some(objects), _) => PayloadReport {
            format: "DatabaseInfo",
            objects,
        },
        (None, MigrateObjects::Listed(payload)) => PayloadReport {
            format: "DbList",
            objects: raw(payload),
        },
        (None, MigrateObjects::WholeInstance) => PayloadReport {
            format: "DatabaseInfo",
            objects: RawValue::from_string("[]".into()).unwrap_or_default(),
        },
    }
}

/// The keys of an operation's plan-file record that the report shows elsewhere.
const SHOWN_ELSEWHERE: &[&str] = &[
    "kind",
    "changes",
    "payload",
    "objects",
    "removes",
    "direction",
    "precheck",
];

fn operation_report(planned: &PlannedOp) -> OperationReport {
    let op = &planned.op;
    let (title, changes, payload) = describe(op);
    let removes = match op {
        Operation::Objects(o) => o.removes.iter().map(ToString::to_string).collect(),
        Operation::MigrateModify(m) => {
            let mut removes: Vec<String> = m.removes.iter().map(ToString::to_string).collect();
            if m.narrows_instance {
                removes.insert(0, WHOLE_INSTANCE.to_owned());
            }
            removes
        }
        _ => Vec::new(),
    };
    let value = match op {
        // All an object-list write holds is shown elsewhere: its payload would be
        // turned into a value only to be dropped.
        Operation::Objects(_) => Ok(serde_json::json!({ "kind": "objects" })),
        _ => serde_json::to_value(op),
    };
    let mut parameters = match value.map(structured) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    // The tag the plan file gives the operation, so a new kind names itself.
    let kind = match parameters.get("kind") {
        Some(Value::String(kind)) => kind.clone(),
        _ => String::new(),
    };
    for key in SHOWN_ELSEWHERE {
        parameters.remove(*key);
    }
    OperationReport {
        id: planned.id.clone(),
        depends_on: planned.depends_on.clone(),
        kind,
        direction: op.direction(),
        api_action: op.action(),
        title,
        changes,
        payload,
        removes,
        precheck: match op {
            Operation::Endpoint(e) => e.precheck.clone(),
            _ => None,
        },
        parameters,
    }
}

/// `value` with every string that holds a JSON object or array (a parameter the API
/// takes as JSON text, such as Tencent's `ExternParams`) written decoded, as
/// `{"json": VALUE}`: a report never has JSON text inside a string.
pub fn structured(value: Value) -> Value {
    match value {
        Value::String(s) => {
            let t = s.trim_start();
            if (t.starts_with('{') || t.starts_with('['))
                && let Ok(decoded @ (Value::Object(_) | Value::Array(_))) =
                    serde_json::from_str::<Value>(&s)
            {
                return serde_json::json!({ "json": structured(decoded) });
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(structured).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, structured(v))).collect())
        }
        other => other,
    }
}
