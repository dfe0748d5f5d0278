//! The emulator's world: the DTS jobs it serves (Alibaba's in `jobs`, Tencent's in
//! `tencent_jobs`), and the records it keeps of what was done to them (client tokens, the
//! order of writes). A world is plain JSON, so a test or a newcomer can write one by
//! hand; the format is documented in the README.
//!
//! Status changes that take time (a modify holds a job in `Modifying`, a start walks
//! through `Prechecking` and `Initializing`, a Tencent check runs for a while) are stored
//! as `pending` steps with absolute times, and applied lazily by [`Job::settle`] and
//! [`TencentJob::settle`]. A world file therefore stays right across restarts of the
//! emulator.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use miette::{NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::cloud::alibaba::JobStatus;

/// The world file format version this build reads and writes.
pub const WORLD_VERSION: u32 = 1;

/// Everything the emulator serves and remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    pub version: u32,
    pub jobs: Vec<Job>,
    /// Tencent Cloud DTS migration jobs (API 2018-03-30).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tencent_jobs: Vec<TencentJob>,
    /// ClientTokens seen by successful writes, for idempotent replays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_tokens: Vec<TokenRecord>,
    /// Every successful write, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<WriteRecord>,
}

/// `sync` or `migration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[serde(alias = "SYNC")]
    Sync,
    #[serde(alias = "MIGRATION")]
    Migration,
}

impl Kind {
    /// The status a running job of this kind shows.
    pub fn running_status(self) -> JobStatus {
        match self {
            Self::Sync => JobStatus::Synchronizing,
            Self::Migration => JobStatus::Migrating,
        }
    }
}

/// One DTS job (the emulator models one job per instance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub job_id: String,
    pub instance_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub region: String,
    pub status: JobStatus,
    #[serde(default = "forward")]
    pub direction: String,
    #[serde(default)]
    pub source: EndpointState,
    #[serde(default)]
    pub destination: EndpointState,
    /// The object list in DbList format, as last written (without server-added `state`).
    pub db_list: Map<String, Value>,
    #[serde(default)]
    pub reserved: Map<String, Value>,
    /// Status changes still to come, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
}

fn forward() -> String {
    "Forward".to_owned()
}

/// A scheduled status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingStatus {
    pub status: JobStatus,
    /// RFC 3339 time at which the job takes this status.
    pub at: String,
}

/// A source or destination database. Passwords are never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointState {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliyun_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vswitch_id: Option<String>,
}

/// A ClientToken used by a successful write, and the answer to replay for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    pub token: String,
    pub action: String,
    pub job_id: String,
    /// SHA-256 of the call's business parameters; a reuse with others is refused.
    pub fingerprint: String,
    pub request_id: String,
    pub response: Value,
    /// How many times the token came back and got the recorded answer.
    #[serde(default)]
    pub replays: u32,
}

/// One successful write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteRecord {
    pub seq: u64,
    pub at: String,
    pub action: String,
    pub job_id: String,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// What the write did, e.g. `objects`, `reserved`, `endpoint src`, `start`.
    pub what: String,
}

/// One Tencent Cloud DTS migration job (API 2018-03-30), in the fields of
/// `MigrateJobInfo`. The endpoint objects keep what ModifyMigrateJob sent, without
/// `Password`: passwords are never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentJob {
    /// `dts-` and 8 lower-case letters or digits, e.g. `dts-1kl0iy0v`.
    pub job_id: String,
    #[serde(default)]
    pub name: String,
    /// The region the job lives in (`X-TC-Region` must name it).
    pub region: String,
    /// `MigrateJobInfo.Status`: 1 Creating, 3 Checking, 4 CheckPass, 5 CheckNotPass,
    /// 6 (undocumented: ready to run), 7 Running, 8 ReadyComplete, 9 Success, 10 Failed,
    /// 11 Stopping, 12 Completing, 23 Unknown. Other numbers are kept as they are.
    pub status: u32,
    /// `MigrateOption` as last written (`RunMode`, `MigrateType`, `MigrateObject`, ...).
    #[serde(default)]
    pub migrate_option: Map<String, Value>,
    #[serde(default = "mysql")]
    pub src_database_type: String,
    #[serde(default = "cdb_access")]
    pub src_access_type: String,
    /// `SrcInfo` without `Password`.
    #[serde(default)]
    pub src_info: Map<String, Value>,
    #[serde(default = "mysql")]
    pub dst_database_type: String,
    #[serde(default = "cdb_access")]
    pub dst_access_type: String,
    /// `DstInfo` without `Password`.
    #[serde(default)]
    pub dst_info: Map<String, Value>,
    /// `DatabaseInfo`, the JSON text exactly as last written; `[]` is the whole instance.
    #[serde(default = "whole_instance")]
    pub database_info: String,
    /// `SrcNodeType` (`simple` or `cluster`), if ever given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub src_node_type: String,
    /// `SrcInfoMulti` (cluster sources), each without `Password`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub src_info_multi: Vec<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TencentTag>,
    /// RFC 3339; shown as `yyyy-mm-dd hh:mm:ss` in China Standard Time (UTC+8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The last check job (CreateMigrateCheckJob), until a modify clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<TencentCheck>,
    /// Status changes still to come, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<TencentPending>,
}

fn mysql() -> String {
    "mysql".to_owned()
}

fn cdb_access() -> String {
    "cdb".to_owned()
}

fn whole_instance() -> String {
    "[]".to_owned()
}

/// A resource tag (`TagKey`, `TagValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentTag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// A scheduled status change of a Tencent job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentPending {
    pub status: u32,
    /// RFC 3339 time at which the job takes this status.
    pub at: String,
}

/// Where a check job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Running,
    Finished,
}

/// A check job (CreateMigrateCheckJob / DescribeMigrateCheckJob). Its outcome is decided
/// when it starts and shown once it has finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentCheck {
    pub status: CheckStatus,
    /// Whether the check passes (job status 4) or not (5).
    pub passed: bool,
    /// `ErrorCode` once finished: 0 when passed, -1 when not.
    #[serde(default)]
    pub error_code: i64,
    /// `ErrorMessage` once finished: `ok`, or why the check did not pass.
    #[serde(default)]
    pub message: String,
    /// Percent done, 0 to 100 (kept current by [`TencentJob::settle`]).
    #[serde(default)]
    pub progress: u8,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339: when it finishes (the job's status changes then too).
    pub finishes_at: String,
}

use crate::util::parse_rfc3339;
pub use crate::util::rfc3339;

impl Job {
    /// Applies every pending status change due by `now`.
    pub fn settle(&mut self, now: SystemTime) {
        while let Some(next) = self.pending.first() {
            // An unreadable time (hand-edited file) counts as due, so a job never sticks.
            if parse_rfc3339(&next.at).is_some_and(|at| at > now) {
                break;
            }
            self.status = self.pending.remove(0).status;
        }
    }

    /// Replaces the pending steps with `steps` (status, time).
    pub fn schedule(&mut self, steps: impl IntoIterator<Item = (JobStatus, SystemTime)>) {
        self.pending = steps
            .into_iter()
            .map(|(status, at)| PendingStatus {
                status,
                at: rfc3339(at),
            })
            .collect();
    }

    /// The object list as the server returns it: `"state":"normal"` added to every
    /// database and table, as DescribeDtsJobDetail does.
    pub fn db_object(&self) -> Value {
        let mut dbs = self.db_list.clone();
        for db in dbs.values_mut() {
            let Some(db) = db.as_object_mut() else {
                continue;
            };
            for (key, child) in db.iter_mut() {
                if !key.eq_ignore_ascii_case("table") {
                    continue;
                }
                for table in child
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|t| t.values_mut())
                {
                    if let Some(table) = table.as_object_mut() {
                        table.entry("state").or_insert_with(|| json!("normal"));
                    }
                }
            }
            db.entry("state").or_insert_with(|| json!("normal"));
        }
        Value::Object(dbs)
    }
}

impl TencentJob {
    /// Applies every pending status change due by `now`, and brings the check job's
    /// progress up to date.
    pub fn settle(&mut self, now: SystemTime) {
        while let Some(next) = self.pending.first() {
            // An unreadable time (hand-edited file) counts as due, so a job never sticks.
            if parse_rfc3339(&next.at).is_some_and(|at| at > now) {
                break;
            }
            self.status = self.pending.remove(0).status;
        }
        if let Some(check) = &mut self.check {
            check.settle(now);
        }
    }

    /// Replaces the pending steps with `steps` (status, time).
    pub fn schedule(&mut self, steps: impl IntoIterator<Item = (u32, SystemTime)>) {
        self.pending = steps
            .into_iter()
            .map(|(status, at)| TencentPending {
                status,
                at: rfc3339(at),
            })
            .collect();
    }
}

impl TencentCheck {
    /// Finishes a running check that is due, or updates its progress.
    pub fn settle(&mut self, now: SystemTime) {
        if self.status == CheckStatus::Finished {
            self.progress = 100;
            return;
        }
        let (Some(start), Some(end)) = (
            parse_rfc3339(&self.started_at),
            parse_rfc3339(&self.finishes_at),
        ) else {
            // Unreadable times (hand-edited file) count as due, as for pending steps.
            self.status = CheckStatus::Finished;
            self.progress = 100;
            return;
        };
        if end <= now {
            self.status = CheckStatus::Finished;
            self.progress = 100;
            return;
        }
        let total = end.duration_since(start).unwrap_or_default().as_secs_f64();
        let done = now.duration_since(start).unwrap_or_default().as_secs_f64();
        let percent = if total > 0.0 {
            (done / total * 100.0).floor()
        } else {
            0.0
        };
        // Below 100 until it has finished; `as` saturates, and the value is 0..=99.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let percent = percent.clamp(0.0, 99.0) as u8;
        self.progress = percent;
    }
}

impl World {
    /// The built-in world `dtsform emulator` serves without `--state`: a running
    /// synchronization job, a running migration job and a paused synchronization job.
    pub fn sample() -> Self {
        let rds = |id: &str, user: &str| EndpointState {
            instance_type: Some("RDS".into()),
            engine_name: Some("MySQL".into()),
            instance_id: Some(id.into()),
            region: Some("cn-hangzhou".into()),
            port: Some("3306".into()),
            user_name: Some(user.into()),
            ..EndpointState::default()
        };
        let object = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let job = |job_id: &str, name: &str, kind, status, db_list: Value| Job {
            job_id: job_id.into(),
            instance_id: format!("dts{job_id}"),
            name: name.into(),
            kind,
            region: "cn-hangzhou".into(),
            status,
            direction: forward(),
            source: rds("rm-bp1src000000001", "dts_reader"),
            destination: rds("rm-bp1dst000000001", "dts_writer"),
            db_list: object(db_list),
            reserved: object(json!({
                "srcSSL": "0", "destSSL": "0", "maxRetryTime": 43200, "dbListCaseChangeMode": "default"
            })),
            pending: Vec::new(),
            create_time: Some("2026-01-05T08:00:00Z".into()),
        };
        Self {
            version: WORLD_VERSION,
            jobs: vec![
                job(
                    "k2gm967v16f",
                    "shop-sync",
                    Kind::Sync,
                    JobStatus::Synchronizing,
                    json!({"shop": {"name": "shop", "all": false, "Table": {
                        "orders": {"name": "orders", "all": true},
                        "customers": {"name": "customers", "all": true},
                        "legacy_orders": {"name": "legacy_orders", "all": true}
                    }}}),
                ),
                job(
                    "m4312mab158",
                    "crm-migration",
                    Kind::Migration,
                    JobStatus::Migrating,
                    json!({"crm": {"name": "crm", "all": true}}),
                ),
                job(
                    "s7qd5ph3n9c",
                    "analytics-sync",
                    Kind::Sync,
                    JobStatus::Suspending,
                    json!({"events": {"name": "events", "all": true}}),
                ),
            ],
            tencent_jobs: Self::sample_tencent_jobs(),
            client_tokens: Vec::new(),
            writes: Vec::new(),
        }
    }

    /// The sample world's Tencent migration jobs: in ap-guangzhou one that passed its
    /// check (two databases selected), one running and one just created (whole instance);
    /// in ap-shanghai one that failed.
    fn sample_tencent_jobs() -> Vec<TencentJob> {
        let object = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let cdb = |id: &str, region: &str, user: &str| {
            object(json!({"InstanceId": id, "Region": region, "User": user}))
        };
        let dst = |id: &str, region: &str| {
            object(json!({"InstanceId": id, "Region": region, "ReadOnly": 0, "User": "dts_writer"}))
        };
        let option = |migrate_type: u8, migrate_object: u8| {
            object(json!({
                "RunMode": 1, "MigrateType": migrate_type, "MigrateObject": migrate_object,
                "ConsistencyType": 5, "IsOverrideRoot": 0
            }))
        };
        let passed = |at: &str| TencentCheck {
            status: CheckStatus::Finished,
            passed: true,
            error_code: 0,
            message: "ok".into(),
            progress: 100,
            started_at: at.into(),
            finishes_at: at.into(),
        };
        let job = |job_id: &str, name: &str, region: &str, status| TencentJob {
            job_id: job_id.into(),
            name: name.into(),
            region: region.into(),
            status,
            migrate_option: option(3, 2),
            src_database_type: mysql(),
            src_access_type: cdb_access(),
            src_info: Map::new(),
            dst_database_type: mysql(),
            dst_access_type: cdb_access(),
            dst_info: Map::new(),
            database_info: whole_instance(),
            src_node_type: String::new(),
            src_info_multi: Vec::new(),
            tags: Vec::new(),
            create_time: Some("2026-01-05T08:00:00Z".into()),
            start_time: None,
            end_time: None,
            check: None,
            pending: Vec::new(),
        };
        vec![
            TencentJob {
                src_info: cdb("cdb-3kwa7x1p", "ap-guangzhou", "dts_reader"),
                dst_info: dst("cdb-9mzq4e2t", "ap-guangzhou"),
                database_info:
                    r#"[{"Database":"shop","Table":["orders","customers"]},{"Database":"audit"}]"#
                        .into(),
                tags: vec![TencentTag {
                    key: "owner".into(),
                    value: "shop-team".into(),
                }],
                check: Some(passed("2026-01-05T08:05:00Z")),
                ..job("dts-6r2kq0mz", "shop-migrate", "ap-guangzhou", 4)
            },
            TencentJob {
                src_info: cdb("cdb-5tnv8c3h", "ap-guangzhou", "dts_reader"),
                dst_info: dst("cdb-1hxr6b0y", "ap-guangzhou"),
                database_info: r#"[{"Database":"crm"}]"#.into(),
                start_time: Some("2026-01-06T02:30:00Z".into()),
                check: Some(passed("2026-01-06T02:20:00Z")),
                ..job("dts-3nw8tx5c", "crm-migrate", "ap-guangzhou", 7)
            },
            TencentJob {
                migrate_option: option(2, 1),
                src_access_type: "extranet".into(),
                src_info: object(json!({
                    "Ip": "203.0.113.20", "Port": 3306, "User": "root",
                    "Region": "ap-guangzhou", "Supplier": "others"
                })),
                dst_info: dst("cdb-7pd2js4k", "ap-guangzhou"),
                ..job("dts-0pb7ye4d", "archive-migrate", "ap-guangzhou", 1)
            },
            TencentJob {
                src_info: cdb("cdb-2fg9ln6w", "ap-shanghai", "dts_reader"),
                dst_info: dst("cdb-8qs3vm1r", "ap-shanghai"),
                database_info: r#"[{"Database":"billing","Table":["invoices"]}]"#.into(),
                ..job("dts-9fh2ua6s", "billing-migrate", "ap-shanghai", 10)
            },
        ]
    }

    /// Applies every status change due by `now`, to the jobs of both clouds.
    pub fn settle(&mut self, now: SystemTime) {
        for job in &mut self.jobs {
            job.settle(now);
        }
        for job in &mut self.tencent_jobs {
            job.settle(now);
        }
    }

    /// Parses and checks a world; errors point into `text`.
    pub fn from_json(name: &str, text: &str) -> Result<Self, WorldError> {
        let world: World = serde_json::from_str(text).map_err(|e| {
            let offset = line_col_offset(text, e.line(), e.column());
            WorldError::Syntax {
                src: NamedSource::new(name, text.to_owned()),
                span: (offset, 0).into(),
                reason: e.to_string(),
            }
        })?;
        world.validate().map_err(|problem| WorldError::Invalid {
            path: PathBuf::from(name),
            problem,
        })?;
        Ok(world)
    }

    fn validate(&self) -> Result<(), String> {
        if self.version != WORLD_VERSION {
            return Err(format!(
                "version is {}, but this dtsform reads version {WORLD_VERSION}",
                self.version
            ));
        }
        let mut jobs = HashSet::new();
        let mut instances = HashSet::new();
        for job in &self.jobs {
            if job.job_id.is_empty() || job.instance_id.is_empty() {
                return Err("every job needs a non-empty job_id and instance_id".into());
            }
            if job.status.as_str().trim().is_empty() {
                return Err(format!("job {:?} needs a status", job.job_id));
            }
            if !jobs.insert(job.job_id.as_str()) {
                return Err(format!("job_id {:?} appears twice", job.job_id));
            }
            if !instances.insert(job.instance_id.as_str()) {
                return Err(format!("instance_id {:?} appears twice", job.instance_id));
            }
            if let Some((db, _)) = job.db_list.iter().find(|(_, v)| !v.is_object()) {
                return Err(format!(
                    "job {:?}: db_list entry {db:?} must be an object",
                    job.job_id
                ));
            }
        }
        let mut tencent = HashSet::new();
        for job in &self.tencent_jobs {
            if job.job_id.is_empty() || job.region.is_empty() {
                return Err("every Tencent job needs a non-empty job_id and region".into());
            }
            if !tencent.insert(job.job_id.as_str()) {
                return Err(format!("Tencent job_id {:?} appears twice", job.job_id));
            }
            let infos = [&job.src_info, &job.dst_info]
                .into_iter()
                .chain(&job.src_info_multi);
            if infos
                .flat_map(|info| info.keys())
                .any(|k| k.eq_ignore_ascii_case("password"))
            {
                return Err(format!(
                    "Tencent job {:?}: world files hold no passwords; remove Password",
                    job.job_id
                ));
            }
            if let Err(why) = crate::emulator::tencent::parse_database_info(&job.database_info) {
                return Err(format!(
                    "Tencent job {:?}: database_info is not valid: {why}",
                    job.job_id
                ));
            }
        }
        Ok(())
    }

    /// Loads a world file.
    pub fn load(path: &Path) -> Result<Self, WorldError> {
        let text = std::fs::read_to_string(path).map_err(|e| WorldError::Io {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::from_json(&path.display().to_string(), &text)
    }

    /// Writes the world to `path` atomically (see [`crate::fsutil::write_atomically`]).
    pub fn save(&self, path: &Path) -> Result<(), WorldError> {
        let io = |e: std::io::Error| WorldError::Io {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let mut text = serde_json::to_vec_pretty(self).map_err(|e| io(e.into()))?;
        text.push(b'\n');
        crate::fsutil::write_atomically(path, &text).map_err(io)
    }
}

fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// A world file that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorldError {
    #[error("cannot use world file {}: {reason}", path.display())]
    #[diagnostic(code(dtsform::emulator::world_io))]
    Io { path: PathBuf, reason: String },

    #[error("world file is not valid: {reason}")]
    #[diagnostic(
        code(dtsform::emulator::world_syntax),
        help(
            "the world format is described in the README (\"The emulator's world file\"); `dtsform emulator --state NEW.json` writes the sample world to start from"
        )
    )]
    Syntax {
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
        reason: String,
    },

    #[error("world file {} is not valid: {problem}", path.display())]
    #[diagnostic(
        code(dtsform::emulator::world_invalid),
        help("the world format is described in the README (\"The emulator's world file\")")
    )]
    Invalid { path: PathBuf, problem: String },
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn sample_round_trips_through_json() {
        let world = World::sample();
        let text = serde_json::to_string_pretty(&world).unwrap();
        assert_eq!(World::from_json("w.json", &text).unwrap(), world);
    }

    #[test]
    fn settle_applies_due_steps_in_order() {
        let mut job = World::sample().jobs.remove(0);
        let now = SystemTime::now();
        job.status = JobStatus::Modifying;
        job.schedule([
            (JobStatus::Initializing, now + Duration::from_secs(1)),
            (JobStatus::Synchronizing, now + Duration::from_secs(2)),
        ]);
        job.settle(now);
        assert_eq!(job.status, JobStatus::Modifying);
        job.settle(now + Duration::from_millis(1500));
        assert_eq!(job.status, JobStatus::Initializing);
        job.settle(now + Duration::from_secs(3));
        assert_eq!(job.status, JobStatus::Synchronizing);
        assert!(job.pending.is_empty());
    }

    #[test]
    fn db_object_adds_state_to_databases_and_tables_only() {
        let job = World::sample().jobs.remove(0);
        let obj = job.db_object();
        assert_eq!(obj["shop"]["state"], "normal");
        assert_eq!(obj["shop"]["Table"]["orders"]["state"], "normal");
        assert!(obj["shop"]["Table"].get("state").is_none());
        assert!(
            job.db_list["shop"].get("state").is_none(),
            "stored list untouched"
        );
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let err =
            World::from_json("w.json", "{\n  \"version\": 1,\n  \"jobs\": [,]\n}").unwrap_err();
        let WorldError::Syntax { span, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(span.offset(), "{\n  \"version\": 1,\n  \"jobs\": [".len());
    }

    #[test]
    fn invalid_worlds_are_refused() {
        let mut w = World::sample();
        w.jobs[1].job_id = w.jobs[0].job_id.clone();
        let text = serde_json::to_string(&w).unwrap();
        assert!(matches!(
            World::from_json("w", &text),
            Err(WorldError::Invalid { .. })
        ));
        let typo = r#"{"version":1,"jobs":[],"jobz":[]}"#;
        assert!(matches!(
            World::from_json("w", typo),
            Err(WorldError::Syntax { .. })
        ));
        let no_status = r#"{"version":1,"jobs":[{"job_id":"a","instance_id":"b","type":"sync","region":"r","db_list":{}}]}"#;
        assert!(matches!(
            World::from_json("w", no_status),
            Err(WorldError::Syntax { .. })
        ));
        let empty_status = no_status.replace(r#""db_list""#, r#""status":" ","db_list""#);
        assert!(matches!(
            World::from_json("w", &empty_status),
            Err(WorldError::Invalid { .. })
        ));
        let v2 = r#"{"version":2,"jobs":[]}"#;
        assert!(matches!(
            World::from_json("w", v2),
            Err(WorldError::Invalid { .. })
        ));
    }

    #[test]
    fn tencent_jobs_are_optional_checked_and_settled() {
        // A world written before Tencent jobs existed still loads, and saves the same.
        let old = r#"{"version":1,"jobs":[]}"#;
        let world = World::from_json("w", old).unwrap();
        assert!(world.tencent_jobs.is_empty());
        assert!(!serde_json::to_string(&world).unwrap().contains("tencent"));

        let invalid = |edit: fn(&mut World)| {
            let mut w = World::sample();
            edit(&mut w);
            let text = serde_json::to_string(&w).unwrap();
            match World::from_json("w", &text) {
                Err(WorldError::Invalid { problem, .. }) => problem,
                other => panic!("{other:?}"),
            }
        };
        assert!(
            invalid(|w| w.tencent_jobs[1].job_id = w.tencent_jobs[0].job_id.clone())
                .contains("twice")
        );
        assert!(
            invalid(|w| {
                w.tencent_jobs[0]
                    .src_info
                    .insert("Password".into(), json!("x"));
            })
            .contains("no passwords")
        );
        assert!(
            invalid(|w| w.tencent_jobs[0].database_info = "{}".into()).contains("database_info")
        );

        let mut job = World::sample().tencent_jobs.remove(2);
        // Whole milliseconds: the world keeps times to the millisecond.
        let now = SystemTime::UNIX_EPOCH + Duration::from_hours(500_000);
        job.status = 3;
        job.check = Some(TencentCheck {
            status: CheckStatus::Running,
            passed: false,
            error_code: -1,
            message: "no".into(),
            progress: 0,
            started_at: rfc3339(now),
            finishes_at: rfc3339(now + Duration::from_secs(4)),
        });
        job.schedule([(5, now + Duration::from_secs(4))]);
        job.settle(now + Duration::from_secs(1));
        assert_eq!((job.status, job.check.as_ref().unwrap().progress), (3, 25));
        job.settle(now + Duration::from_secs(4));
        let check = job.check.as_ref().unwrap();
        assert_eq!(
            (job.status, check.status, check.progress),
            (5, CheckStatus::Finished, 100)
        );
    }

    #[test]
    fn save_is_atomic_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("world.json");
        World::sample().save(&path).unwrap();
        World::sample().save(&path).unwrap();
        assert_eq!(World::load(&path).unwrap(), World::sample());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["world.json"]);
    }
}
