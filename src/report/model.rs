//! The report's vocabulary: typed records of what a plan would do, built once
//! ([`super::build`]) and written as JSON ([`super::json`]) or Markdown
//! ([`super::markdown`]). Field names are the JSON format's (documented in the README and
//! pinned by `schema/report.schema.json`): change them only with [`FORMAT_VERSION`].
//!
//! Nothing here holds a secret: a password is `{"sensitive": true, "from": EXPR}`, the
//! expression of the configuration it comes from. Object lists are structured JSON,
//! never JSON text in a string.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::cloud::alibaba::Direction;
use crate::config::Cloud;
use crate::objects::normalize::Suppressed;
use crate::plan::operation::PrecheckResult;

/// The version of the JSON report format (independent of the plan file's).
pub const FORMAT_VERSION: u32 = 1;

/// One report: a plan (`plan --json`, `show --json`), or why there is none.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub format_version: u32,
    pub dtsform_version: &'static str,
    /// What is reported: `plan` (drift reports will say `drift`).
    pub report: &'static str,
    pub outcome: Outcome,
    /// The saved plan this report shows (or would be saved as): absent without a plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanMeta>,
    /// Absent when the run failed before any job was planned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Every planned job, in configuration order, unchanged ones included. In a refused
    /// plan, the jobs that planned without a refusal (for review only: a refused plan is
    /// never saved or applied).
    pub jobs: Vec<JobReport>,
    /// What the lost-object guard refused, each object named.
    pub refusals: Vec<RefusalReport>,
    /// Every error, refusals included.
    pub diagnostics: Vec<DiagnosticReport>,
}

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NoChanges,
    Changes,
    /// The guard refused to lose objects; nothing else went wrong.
    Refused,
    /// A plan was made, but the precheck of an endpoint change (`plan --precheck`)
    /// failed: apply would stop that job there, so the plan is not saved.
    PrecheckFailed,
    Error,
}

/// The plan file a report belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct PlanMeta {
    /// The plan file's SHA-256 checksum (its `checksum` field).
    pub checksum: String,
    pub created_at: String,
    pub config_dir: String,
    /// The plan file format.
    pub file_format_version: u32,
}

/// The counts a reviewer reads first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub jobs_to_change: usize,
    pub jobs_unchanged: usize,
    pub jobs_refused: usize,
    pub objects_to_add: usize,
    pub objects_to_change: usize,
    /// Objects that stop replicating (a narrowing counts as one).
    pub objects_to_remove: usize,
    /// Removals (entries, not objects) allowed by a `removed` block.
    pub removals_declared: usize,
    /// Removals allowed by `--allow-removal`.
    pub removals_allowed_by_flag: usize,
    /// Objects the guard refused to remove.
    pub removals_refused: usize,
    /// Whether any object would stop replicating (or was refused): the plan is
    /// destructive although every job is updated in place.
    pub stops_replicating: bool,
    /// Differences normalization hid because they change nothing.
    pub hidden_by_normalization: Suppressed,
    /// The prechecks of endpoint changes, when the plan ran them (`plan --precheck`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prechecks: Option<PrecheckCounts>,
}

/// How many endpoint changes were prechecked, and how that went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PrecheckCounts {
    pub run: usize,
    pub passed: usize,
    pub failed: usize,
}

/// What happens to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    /// Nothing to do.
    None,
    /// Updated in place (DTS jobs are never created or destroyed by dtsform).
    Update,
}

/// Objects to add, change and remove.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub add: usize,
    pub change: usize,
    pub remove: usize,
}

/// One job's part of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct JobReport {
    pub address: String,
    pub cloud: Cloud,
    pub provider: String,
    pub region: String,
    pub dts_job_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dts_instance_id: String,
    /// Alibaba: the resource group every request of the job names (`ResourceGroupId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    pub live_status: String,
    pub action: JobAction,
    pub counts: Counts,
    /// Whether an object of this job would stop replicating.
    pub stops_replicating: bool,
    /// The writes, in the order they run, each with what it waits for.
    pub operations: Vec<OperationReport>,
    /// One entry per object that changes; unchanged objects are not listed.
    pub object_changes: Vec<ObjectChangeEntry>,
    pub notes: Vec<String>,
    /// Differences normalization hid because they change nothing.
    pub hidden_by_normalization: Suppressed,
    /// The unified diffs of the object lists to send against the live ones (the
    /// forward direction's, then a two-way job's reverse direction's): Markdown shows
    /// them; JSON has the structured `payload` and `object_changes` instead.
    #[serde(skip)]
    pub payload_diffs: Vec<PayloadDiff>,
}

/// The text diff of a job's object list, for people.
#[derive(Debug, Clone)]
pub struct PayloadDiff {
    /// The direction of a two-way job whose list it is.
    pub direction: Direction,
    /// What the lines are: `DbList` or `DatabaseInfo`.
    pub format: &'static str,
    pub text: String,
}

/// One write.
#[derive(Debug, Clone, Serialize)]
pub struct OperationReport {
    /// `alicloud_dts_job.NAME/objects`.
    pub id: String,
    /// The operations that finish before this one starts.
    pub depends_on: Vec<String>,
    /// The operation's kind as the plan file tags it (`objects`, `endpoint`, ...).
    pub kind: String,
    /// `reverse` for the reverse direction of a two-way job; absent for the forward
    /// direction (the only one of any other job).
    #[serde(skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    /// The API action it calls.
    pub api_action: &'static str,
    /// A few words for people: `destination endpoint`, `object list`.
    pub title: String,
    /// The compared fields it changes.
    pub changes: Vec<ValueChange>,
    /// The exact object list it sends, when it sends one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<PayloadReport>,
    /// The removals it was allowed to make, as `removed` names them (`shop.orders`,
    /// `shop.*`, `*`).
    pub removes: Vec<String>,
    /// What the precheck of an endpoint change found (`plan --precheck`): `passed`,
    /// and when it failed the service's `code`, `message` and `request_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precheck: Option<PrecheckResult>,
    /// Everything else it sends, structured as in the plan file; a password as
    /// `{"sensitive": true, "from": EXPR}`.
    pub parameters: Map<String, Value>,
}

/// A value that changes: an attribute, a field, a setting, a status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    pub name: String,
    /// `null` when unset (or, for a password, unknown: DTS never returns one).
    pub before: Value,
    /// `null` when unset; a password as `{"sensitive": true, "from": EXPR}`.
    pub after: Value,
}

impl ValueChange {
    /// Whether the value is a password (shown as where it comes from).
    pub fn is_sensitive(&self) -> bool {
        self.after.get("sensitive") == Some(&Value::Bool(true))
    }
}

/// An object list as it is sent.
#[derive(Debug, Clone, Serialize)]
pub struct PayloadReport {
    /// `DbList` (Alibaba `ModifyDtsJob`) or `DatabaseInfo` (Tencent `ModifyMigrateJob`).
    pub format: &'static str,
    /// The list, structured (`[]` for a whole Tencent instance).
    pub objects: Box<RawValue>,
}

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectAction {
    Create,
    Update,
    /// It stops replicating: removed, or narrowed (everything in it but what the new
    /// list names).
    Delete,
}

/// How a removal was allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowedBy {
    /// The resource's `removed` block (`objects = [...]`, or `whole_instance = true`).
    RemovedBlock,
    /// `--allow-removal ADDRESS` on the command line.
    AllowRemovalFlag,
}

/// One object that changes. The same record serves any report of object changes.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectChangeEntry {
    /// `reverse` for an object of the reverse direction of a two-way job (its own
    /// object list); absent for the forward direction.
    #[serde(skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    /// `db.table[.column]` as dtsform writes addresses; `*` for a whole instance.
    pub address: String,
    /// The address's names, outermost first (empty for a whole instance).
    pub path: Vec<String>,
    /// `database`, `schema`, `table`, `view`, `column`, ... or `instance`.
    pub kind: &'static str,
    pub action: ObjectAction,
    /// The object and everything inside it that is created or removed (1 for an
    /// update and for a narrowing, whose extent dtsform cannot see).
    pub objects: usize,
    /// A delete that narrows an object taken whole to a list: everything in it but
    /// the `listed` objects named inside stops replicating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrowing: Option<Narrowing>,
    /// An update of an object no longer listed inside an object taken whole: it keeps
    /// replicating, without these settings of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlisted: Option<Unlisted>,
    /// The attributes that change (updates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<ValueChange>,
    /// A delete as the `removed` block names it (`shop.orders`, `shop.*`, `*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal: Option<String>,
    /// How a delete is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_by: Option<AllowedBy>,
}

/// See [`ObjectChangeEntry::narrowing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Narrowing {
    pub listed: usize,
}

/// See [`ObjectChangeEntry::unlisted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unlisted {
    pub settings: Vec<String>,
}

/// A refusal of the lost-object guard (or of a whole-instance narrowing).
#[derive(Debug, Clone, Serialize)]
pub struct RefusalReport {
    pub job: String,
    /// `reverse` when the refused list is the reverse direction's of a two-way job;
    /// absent for the forward direction.
    #[serde(skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    /// `undeclared_removal`, `protected`, `mass_removal`, `empty_list`,
    /// `whole_instance_narrowing`.
    pub reason: String,
    pub message: String,
    pub help: String,
    /// Every object it names, however many.
    pub objects: Vec<RefusedEntry>,
}

/// One object a refusal names.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedEntry {
    pub address: String,
    pub path: Vec<String>,
    pub kind: &'static str,
    pub objects: usize,
    pub narrowing: bool,
}

/// An error, as a report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticReport {
    /// `error`, `warning` or `advice`.
    pub severity: &'static str,
    /// `dtsform::guard::undeclared_removal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The diagnostic as the terminal shows it, without colour (for Markdown).
    #[serde(skip)]
    pub rendered: String,
}

/// Where an error points.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}
