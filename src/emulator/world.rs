//! The emulator's world: the DTS jobs it serves, and the records it keeps of what was
//! done to them (client tokens, the order of writes). A world is plain JSON, so a test
//! or a newcomer can write one by hand; the format is documented in the README.
//!
//! Status changes that take time (a modify holds a job in `Modifying`, a start walks
//! through `Prechecking` and `Initializing`) are stored as `pending` steps with absolute
//! times, and applied lazily by [`Job::settle`]. A world file therefore stays right
//! across restarts of the emulator.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use miette::{NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cloud::alibaba::JobStatus;

/// The world file format version this build reads and writes.
pub const WORLD_VERSION: u32 = 1;

/// Everything the emulator serves and remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    pub version: u32,
    pub jobs: Vec<Job>,
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

/// RFC 3339 with milliseconds, UTC. Times the calendar cannot show (callers keep them
/// within a day of now) print as the epoch.
pub fn rfc3339(t: SystemTime) -> String {
    let t = crate::cloud::to_datetime(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let t = t
        .replace_nanosecond(u32::from(t.millisecond()) * 1_000_000)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .and_then(crate::cloud::from_datetime)
}

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
            client_tokens: Vec::new(),
            writes: Vec::new(),
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
