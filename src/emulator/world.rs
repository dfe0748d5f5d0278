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

pub use super::alibaba::world::{
    EndpointChecks, EndpointState, Job, Kind, MigrationModeState, PendingStatus, TokenRecord,
};
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
    /// Alibaba: what the connection checks of endpoint changes find.
    #[serde(default, skip_serializing_if = "EndpointChecks::is_empty")]
    pub endpoint_checks: EndpointChecks,
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
            endpoint_checks: EndpointChecks::sample(),
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
mod tests;
