//! Drift as a report (`drift --json`, `drift --markdown`), as `plan`'s: a versioned JSON
//! document (schema in `schema/drift.schema.json`) built once from the typed findings,
//! with the plan report's records for objects ([`ObjectChangeEntry`]: `delete` is what
//! the next apply would remove) and values ([`ValueChange`]: `before` live, `after`
//! configured), and its diagnostics when the run failed (exit 1).
//!
//! Nothing here holds a secret: the comparisons drift makes never read a password
//! (DTS does not return one), and the values shown are the ones `plan` shows.

use serde::Serialize;
use serde_json::Value;

use super::{Drift, Finding, JobDrift};
use crate::cloud::alibaba::Direction;
use crate::config::Cloud;
use crate::guard::Allowance;
use crate::objects::diff::{Change, ObjectChange};
use crate::report::KeptDiagnostic;
use crate::report::build::{attr_change, field_change, object_change_entry};
use crate::report::model::{
    AllowedBy, DiagnosticReport, Narrowing, ObjectAction, ObjectChangeEntry, ValueChange,
};

/// The version of the drift report format (`format_version`, as the plan report's).
pub const FORMAT_VERSION: u32 = 1;

/// One drift report: what differs, or why that is not known.
#[derive(Debug, Clone, Serialize)]
pub struct DriftDocument {
    pub format_version: u32,
    pub dtsform_version: &'static str,
    /// Always `drift`.
    pub report: &'static str,
    pub outcome: DriftOutcome,
    /// Absent when the run failed before any job was compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<DriftSummary>,
    /// Every job compared, in configuration order, those without drift included.
    pub jobs: Vec<JobDriftReport>,
    /// Every error (a job that could not be read, a configuration that does not load).
    pub diagnostics: Vec<DiagnosticReport>,
}

/// How the check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftOutcome {
    NoDrift,
    Drift,
    /// Something could not be compared; the jobs that could are reported.
    Error,
}

/// The counts a reader looks at first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DriftSummary {
    pub jobs_checked: usize,
    pub jobs_drifted: usize,
    /// Live objects the configuration does not declare: the next apply would remove
    /// them, and plan refuses until they are adopted or declared removed.
    pub live_only_undeclared: usize,
    /// Objects (entries, not what is inside) the next apply would remove or narrow,
    /// declared ones included.
    pub objects_to_remove: usize,
    /// Declared objects missing live: the next apply would add them.
    pub objects_to_add: usize,
    pub objects_to_change: usize,
    /// Status, endpoint, reserved and job settings that differ.
    pub settings_to_change: usize,
    /// Whether the next apply would stop replicating anything.
    pub stops_replicating: bool,
}

/// One job's drift.
#[derive(Debug, Clone, Serialize)]
pub struct JobDriftReport {
    pub address: String,
    pub cloud: Cloud,
    pub provider: String,
    pub region: String,
    pub dts_job_id: String,
    pub live_status: String,
    pub drifted: bool,
    /// One entry per object that differs: `delete` — live, and the next apply would
    /// remove (or narrow) it; without `allowed_by` nothing declares that, so it was
    /// probably added outside the configuration. `create` — declared, missing live.
    /// `update` — attributes differ. The reverse direction's of a two-way job say
    /// `direction: reverse`.
    pub object_changes: Vec<ObjectChangeEntry>,
    /// Everything else that differs, each with what the next apply would set (the
    /// reverse direction's say `direction: reverse`).
    pub settings: Vec<SettingDrift>,
}

/// A job setting that differs.
#[derive(Debug, Clone, Serialize)]
pub struct SettingDrift {
    /// `reverse` for a setting of the reverse direction of a two-way job; absent for
    /// the forward direction (the only one of any other job).
    #[serde(skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    /// `status`, `endpoint`, `reserved`, `migration_mode`, `settings` (a Tencent
    /// job's), `whole_instance`.
    pub kind: &'static str,
    /// A few words for people: `source endpoint`, `reserved settings`.
    pub title: String,
    /// `before` is live, `after` configured.
    pub changes: Vec<ValueChange>,
}

/// The report of a drift check; `kept` are the diagnostics printed (errors make the
/// outcome `error`).
pub fn drift_document(drift: &Drift, kept: Vec<KeptDiagnostic>) -> DriftDocument {
    let jobs: Vec<JobDriftReport> = drift.jobs.iter().map(job_report).collect();
    let summary = summary(&jobs);
    let outcome = if !kept.is_empty() {
        DriftOutcome::Error
    } else if summary.jobs_drifted > 0 {
        DriftOutcome::Drift
    } else {
        DriftOutcome::NoDrift
    };
    DriftDocument {
        format_version: FORMAT_VERSION,
        dtsform_version: env!("CARGO_PKG_VERSION"),
        report: "drift",
        outcome,
        summary: Some(summary),
        jobs,
        diagnostics: kept.into_iter().map(|k| k.report).collect(),
    }
}

/// The report of a check that compared nothing: its diagnostics.
pub fn failed_drift_document(kept: Vec<KeptDiagnostic>) -> DriftDocument {
    DriftDocument {
        format_version: FORMAT_VERSION,
        dtsform_version: env!("CARGO_PKG_VERSION"),
        report: "drift",
        outcome: DriftOutcome::Error,
        summary: None,
        jobs: Vec::new(),
        diagnostics: kept.into_iter().map(|k| k.report).collect(),
    }
}

/// `doc` as JSON text (escaped as the plan report is), with a final newline.
pub fn to_json(doc: &DriftDocument) -> String {
    crate::report::json::pretty(doc, |e| {
        serde_json::json!({
            "format_version": doc.format_version,
            "dtsform_version": doc.dtsform_version,
            "report": doc.report,
            "outcome": "error",
            "jobs": [],
            "diagnostics": [{"severity": "error", "message": format!("the report cannot be written as JSON: {e}")}],
        })
    })
}

fn summary(jobs: &[JobDriftReport]) -> DriftSummary {
    let mut s = DriftSummary {
        jobs_checked: jobs.len(),
        jobs_drifted: jobs.iter().filter(|j| j.drifted).count(),
        ..DriftSummary::default()
    };
    for job in jobs {
        for c in &job.object_changes {
            match c.action {
                ObjectAction::Delete => {
                    s.objects_to_remove += 1;
                    s.live_only_undeclared += usize::from(c.allowed_by.is_none());
                }
                ObjectAction::Create => s.objects_to_add += c.objects,
                ObjectAction::Update => s.objects_to_change += 1,
            }
        }
        s.settings_to_change += job.settings.iter().map(|x| x.changes.len()).sum::<usize>();
    }
    s.stops_replicating = s.objects_to_remove > 0;
    s
}

fn job_report(job: &JobDrift) -> JobDriftReport {
    let mut object_changes = Vec::new();
    let mut settings = Vec::new();
    for (direction, finding) in job.directed() {
        match finding {
            Finding::LiveOnly {
                address,
                kind,
                objects,
                declared,
            } => object_changes.push(entry(
                address,
                *kind,
                Change::Removed { objects: *objects },
                *declared,
                direction,
            )),
            Finding::Narrowed {
                address,
                kind,
                listed,
                declared,
            } => object_changes.push(entry(
                address,
                *kind,
                Change::Narrowed { listed: *listed },
                *declared,
                direction,
            )),
            Finding::Missing {
                address,
                kind,
                objects,
            } => object_changes.push(entry(
                address,
                *kind,
                Change::Added { objects: *objects },
                false,
                direction,
            )),
            Finding::Unlisted {
                address,
                kind,
                settings,
            } => object_changes.push(entry(
                address,
                *kind,
                Change::Unlisted {
                    objects: 1,
                    settings: settings.clone(),
                },
                false,
                direction,
            )),
            Finding::Attributes {
                address,
                kind,
                changes,
            } => object_changes.push(entry(
                address,
                *kind,
                Change::Changed {
                    attrs: changes.clone(),
                },
                false,
                direction,
            )),
            Finding::WholeInstance {
                live_whole: true,
                listed,
                declared,
            } => {
                let object = crate::plan::tencent::whole_instance_narrowing();
                object_changes.push(ObjectChangeEntry {
                    address: object.address.clone(),
                    path: object.path,
                    kind: object.kind,
                    action: ObjectAction::Delete,
                    objects: object.objects,
                    narrowing: Some(Narrowing { listed: *listed }),
                    unlisted: None,
                    attributes: Vec::new(),
                    removal: Some(object.address),
                    allowed_by: declared.then_some(AllowedBy::RemovedBlock),
                    // A Tencent job has one direction.
                    direction,
                });
            }
            Finding::WholeInstance {
                live_whole: false, ..
            } => settings.push(SettingDrift {
                direction,
                kind: "whole_instance",
                title: "whole instance".into(),
                changes: vec![ValueChange {
                    name: "whole_instance".into(),
                    before: Value::Bool(false),
                    after: Value::Bool(true),
                }],
            }),
            Finding::Status { live, desired } => settings.push(SettingDrift {
                direction,
                kind: "status",
                title: "status".into(),
                changes: vec![ValueChange {
                    name: "status".into(),
                    before: Value::String(live.clone()),
                    after: Value::String(desired.to_string()),
                }],
            }),
            Finding::Endpoint { side, changes } => settings.push(SettingDrift {
                direction,
                kind: "endpoint",
                title: format!("{} endpoint", side.name()),
                changes: changes.iter().map(field_change).collect(),
            }),
            Finding::Reserved { changes } => settings.push(SettingDrift {
                direction,
                kind: "reserved",
                title: "reserved settings".into(),
                changes: changes.iter().map(attr_change).collect(),
            }),
            Finding::MigrationMode { changes } => settings.push(SettingDrift {
                kind: "migration_mode",
                title: "migration mode".into(),
                changes: changes.iter().map(field_change).collect(),
                direction,
            }),
            Finding::Settings { changes } => settings.push(SettingDrift {
                kind: "settings",
                title: "job settings".into(),
                changes: changes.iter().map(field_change).collect(),
                direction,
            }),
        }
    }
    JobDriftReport {
        address: job.address.clone(),
        cloud: job.cloud,
        provider: job.provider.clone(),
        region: job.region.clone(),
        dts_job_id: job.job_id.clone(),
        live_status: job.live_status.clone(),
        drifted: job.drifted(),
        object_changes,
        settings,
    }
}

/// An object finding as the plan report's record of the same change, in `direction`.
fn entry(
    address: &crate::objects::Address,
    kind: crate::objects::Kind,
    change: Change,
    declared: bool,
    direction: Direction,
) -> ObjectChangeEntry {
    let change = ObjectChange {
        address: address.clone(),
        kind,
        change,
    };
    ObjectChangeEntry {
        direction,
        ..object_change_entry(&change, declared.then_some(Allowance::Declared))
    }
}
