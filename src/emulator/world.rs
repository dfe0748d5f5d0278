//! The emulator's world: the DTS jobs it serves — Alibaba's in `jobs`
//! ([`alibaba::world`]), Tencent's in `tencent_jobs` ([`tencent::world`]) — and the
//! records it keeps of what was done to them (client tokens, the order of writes). A
//! world is plain JSON, so a test or a newcomer can write one by hand; the format is
//! documented in the README. Status changes that take time are stored as pending
//! steps ([`schedule`](super::schedule)), so a world file stays right across restarts.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use miette::{NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};

use super::{alibaba, tencent};

pub use super::alibaba::world::{EndpointState, Job, Kind, PendingStatus, TokenRecord};
pub use super::tencent::world::{
    CheckStatus, TencentCheck, TencentJob, TencentPending, TencentTag,
};

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

impl World {
    /// The built-in world `dtsform emulator` serves without `--state`: three Alibaba
    /// jobs ([`alibaba::world::sample_jobs`]) and four Tencent jobs
    /// ([`tencent::world::sample_jobs`]).
    pub fn sample() -> Self {
        Self {
            version: WORLD_VERSION,
            jobs: alibaba::world::sample_jobs(),
            tencent_jobs: tencent::world::sample_jobs(),
            client_tokens: Vec::new(),
            writes: Vec::new(),
        }
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
        alibaba::world::validate(&self.jobs)?;
        tencent::world::validate(&self.tencent_jobs)?;
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

/// Loads `path`, or creates it holding the sample world if it does not exist.
/// Returns the world and whether the file was created.
pub fn load_or_create(path: &Path) -> Result<(World, bool), WorldError> {
    if path.exists() {
        Ok((World::load(path)?, false))
    } else {
        let world = World::sample();
        world.save(path)?;
        Ok((world, true))
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
    use crate::cloud::alibaba::JobStatus;
    use crate::cloud::tencent::MigrateStatus;
    use crate::util::rfc3339;
    use serde_json::json;

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
        job.status = MigrateStatus::Checking;
        job.check = Some(TencentCheck {
            status: CheckStatus::Running,
            passed: false,
            error_code: -1,
            message: "no".into(),
            progress: 0,
            started_at: rfc3339(now),
            finishes_at: rfc3339(now + Duration::from_secs(4)),
        });
        job.schedule([(MigrateStatus::CheckNotPass, now + Duration::from_secs(4))]);
        job.settle(now + Duration::from_secs(1));
        assert_eq!(
            (job.status, job.check.as_ref().unwrap().progress),
            (MigrateStatus::Checking, 25)
        );
        job.settle(now + Duration::from_secs(4));
        let check = job.check.as_ref().unwrap();
        assert_eq!(
            (job.status, check.status, check.progress),
            (MigrateStatus::CheckNotPass, CheckStatus::Finished, 100)
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
