//! The saved plan (`plan -out FILE`): a versioned JSON document for `apply PLANFILE`
//! and `show PLANFILE`.
//!
//! It holds the plan itself — every job's [`JobPlan`]: what `plan` showed (object
//! changes, removals and how they were allowed, notes), the digests of the live state it
//! was computed from, and its typed operations with their dependencies — so apply runs
//! exactly what was reviewed and reads every payload once. Object lists are structured
//! JSON, never text inside a string. It never holds a secret: a password is recorded as
//! the expression it comes from (`{"sensitive": true, "from": "var.src_password"}`), to
//! be read again at apply time. A SHA-256 checksum over the rest of the document
//! detects edits and truncation by accident; apply's safety does not rest on it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{JobPlan, Plan};
use sha2::{Digest as _, Sha256};

/// How `removes` names narrowing a whole-instance (Tencent) job to a list, in messages.
pub const WHOLE_INSTANCE: &str = "*";

/// The format this build writes and reads. Format 1 (dtsform before the typed plan
/// file) kept operations as untyped parameter maps and object lists as JSON text;
/// format 2 knew no direction of a two-way job, no migration mode and no prechecks, and
/// its live-state digests lack the migration mode.
pub const FORMAT_VERSION: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub format_version: u32,
    pub dtsform_version: String,
    pub created_at: String,
    /// The configuration directory the plan was made from.
    pub config_dir: String,
    pub jobs: Vec<JobPlan>,
    /// SHA-256 of this document with `checksum` empty.
    pub checksum: String,
}

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}: {reason}")]
    #[diagnostic(
        code(dtsform::plan_file::read),
        help("pass the file `dtsform plan -out FILE` wrote, unedited; or run plan again")
    )]
    Read { path: String, reason: String },
    #[error("plan file {path} was written by dtsform {written_by} (plan file format {format}); this is dtsform {} (format {FORMAT_VERSION}), which reads only its own", env!("CARGO_PKG_VERSION"))]
    #[diagnostic(
        code(dtsform::plan_file::version),
        help("run plan again with this dtsform version, review the new plan, and apply that")
    )]
    Version {
        path: String,
        written_by: String,
        format: u32,
    },
    #[error("plan file {path} has been modified or damaged (its checksum does not match)")]
    #[diagnostic(
        code(dtsform::plan_file::checksum),
        help("plan files must not be edited; run plan again")
    )]
    Checksum { path: String },
    #[error("cannot write plan file {path}: {reason}")]
    #[diagnostic(
        code(dtsform::plan_file::write),
        help(
            "give -out a new path or an existing regular file in a directory you can write to; devices, FIFOs, directories, read-only files and *.hcl files are never replaced"
        )
    )]
    Write { path: String, reason: String },
}

impl PlanFile {
    /// The plan as a file document, checksummed.
    pub fn from_plan(plan: &Plan, config_dir: &Path, created_at: String) -> PlanFile {
        let mut file = PlanFile {
            format_version: FORMAT_VERSION,
            dtsform_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at,
            // Absolute, so `apply PLANFILE` finds the same configuration from any
            // working directory (and never another one of the same relative name).
            config_dir: std::path::absolute(config_dir)
                .unwrap_or_else(|_| config_dir.to_path_buf())
                .display()
                .to_string(),
            jobs: plan.jobs.clone(),
            checksum: String::new(),
        };
        file.seal();
        file
    }

    /// The plan it holds.
    pub fn plan(&self) -> Plan {
        Plan {
            jobs: self.jobs.clone(),
        }
    }

    /// Recomputes the checksum after an edit. The checksum guards against accidents
    /// (a truncated or hand-edited file), not against a deliberate edit: anyone can
    /// recompute a SHA-256, so apply re-checks what it sends on its own.
    pub fn seal(&mut self) {
        self.checksum = self.compute_checksum();
    }

    fn compute_checksum(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("checksum".into(), Value::String(String::new()));
        }
        checksum_of(&value)
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        let fail = |reason: String| PlanFileError::Write {
            path: path.display().to_string(),
            reason,
        };
        // A `*.hcl` file is configuration: a plan saved as one (or over one) would be read
        // as HCL by the next command, or would replace the user's configuration.
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("hcl"))
        {
            return Err(fail(
                "a *.hcl file is configuration, not a plan file".to_owned(),
            ));
        }
        let mut text = serde_json::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        text.push('\n');
        crate::fsutil::write_atomically(path, text.as_bytes()).map_err(|e| fail(e.to_string()))
    }

    /// Reads and checks a plan file: this format version, and an intact checksum.
    pub fn read(path: &Path) -> Result<PlanFile, PlanFileError> {
        let shown = path.display().to_string();
        let text = read_bounded(path).map_err(|reason| PlanFileError::Read {
            path: shown.clone(),
            reason,
        })?;
        let header: Value = serde_json::from_str(&text).map_err(|e| PlanFileError::Read {
            path: shown.clone(),
            reason: format!("not a plan file: {e}"),
        })?;
        let format = header
            .get("format_version")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let written_by = header
            .get("dtsform_version")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned();
        if format != u64::from(FORMAT_VERSION) || written_by != env!("CARGO_PKG_VERSION") {
            return Err(PlanFileError::Version {
                path: shown,
                written_by,
                format: u32::try_from(format).unwrap_or(0),
            });
        }
        // The checksum is of the document as read, with `checksum` empty: the same JSON
        // value `seal` hashed when the file was written (object keys keep their order),
        // so the typed plan need not be turned back into a value to check it.
        let mut header = header;
        let written = header
            .get_mut("checksum")
            .map(|c| std::mem::replace(c, Value::String(String::new())));
        let Some(Value::String(checksum)) = written else {
            return Err(PlanFileError::Checksum { path: shown });
        };
        if checksum != checksum_of(&header) {
            return Err(PlanFileError::Checksum { path: shown });
        }
        let mut file: PlanFile =
            serde_json::from_value(header).map_err(|e| PlanFileError::Read {
                path: shown.clone(),
                reason: format!("not a plan file: {}", without_values(&e.to_string())),
            })?;
        file.checksum = checksum;
        // A plan dtsform wrote always orders: one that does not (an operation depending
        // on one the plan does not hold, a cycle) is refused here, by `show` as by `apply`.
        if let Err(problems) = super::order_ops(&file.jobs) {
            return Err(PlanFileError::Read {
                path: shown,
                reason: format!(
                    "its operations cannot be ordered: {}",
                    crate::text::escape_control(&problems.join("; "))
                ),
            });
        }
        Ok(file)
    }
}

/// SHA-256 of `document` as compact JSON, streamed into the hash.
fn checksum_of(document: &Value) -> String {
    let mut hasher = Sha256Writer(Sha256::new());
    // Writing into a hash cannot fail, and a `Value` always serialises.
    let _ = serde_json::to_writer(&mut hasher, document);
    hex::encode(hasher.0.finalize())
}

/// A hash that `serde_json` can write into.
struct Sha256Writer(Sha256);

impl std::io::Write for Sha256Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The largest plan file read: far above any real plan (a 1,000-job plan is about
/// 11 MiB), so a wrong path (`/dev/zero`) fails at once instead of filling memory.
const MAX_PLAN_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The file's text, at most [`MAX_PLAN_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let bytes = crate::fsutil::read_at_most(file, MAX_PLAN_FILE_BYTES)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "it is larger than {} MiB, which no plan is",
                MAX_PLAN_FILE_BYTES / 1024 / 1024
            )
        })?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_owned())
}

/// A serde message with the values it quotes left out: a damaged plan file may hold a
/// secret where a `{"sensitive": true}` record belongs, and the message must not show
/// it (`invalid type: string "…"`, `unknown variant `…``).
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let quoted = ["string \"", "variant `"]
            .iter()
            .filter_map(|open| rest.find(open).map(|at| (at, *open)))
            .min();
        let Some((at, open)) = quoted else {
            out.push_str(rest);
            return out;
        };
        let close = if open.ends_with('`') { '`' } else { '"' };
        let value_at = at + open.len();
        out.push_str(&rest[..at]);
        out.push_str(if close == '`' {
            "variant (not shown)"
        } else {
            "string (not shown)"
        });
        rest = match rest[value_at..].find(close) {
            Some(end) => &rest[value_at + end + 1..],
            None => "",
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_where_a_record_belongs_is_not_shown_in_the_error() {
        let secret = "S3CRET-canary-123";
        let mut doc = serde_json::json!({
            "format_version": FORMAT_VERSION,
            "dtsform_version": env!("CARGO_PKG_VERSION"),
            "created_at": "2026-12-07T00:00:00Z",
            "config_dir": ".",
            "jobs": secret,
            "checksum": "",
        });
        doc["checksum"] = Value::String(checksum_of(&doc));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("edited.plan");
        std::fs::write(&path, doc.to_string()).unwrap();
        let err = PlanFile::read(&path).unwrap_err().to_string();
        assert!(!err.contains(secret), "{err}");
        assert!(err.contains("invalid type: string (not shown)"), "{err}");
    }

    #[test]
    fn a_plan_is_never_written_as_or_over_a_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("main.hcl");
        std::fs::write(&config, "provider \"alicloud\" {}\n").unwrap();
        let file = PlanFile::from_plan(&Plan { jobs: Vec::new() }, dir.path(), "now".into());
        for path in [config.clone(), dir.path().join("saved.HCL")] {
            let err = file.write(&path).unwrap_err().to_string();
            assert!(err.contains("is configuration, not a plan file"), "{err}");
        }
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "provider \"alicloud\" {}\n"
        );
        assert!(!dir.path().join("saved.HCL").exists());
    }

    #[test]
    fn quoted_values_are_left_out_of_serde_messages() {
        assert_eq!(
            without_values("invalid type: string \"p@ss\", expected struct SecretRef at line 3"),
            "invalid type: string (not shown), expected struct SecretRef at line 3"
        );
        assert_eq!(
            without_values("unknown variant `hunter2`, expected `running` or `suspended`"),
            "unknown variant (not shown), expected `running` or `suspended`"
        );
        assert_eq!(
            without_values("missing field `jobs`"),
            "missing field `jobs`"
        );
    }

    #[test]
    fn a_file_larger_than_any_plan_is_refused_before_it_fills_memory() {
        let err = read_bounded(Path::new("/dev/zero")).unwrap_err();
        assert!(err.contains("larger than 256 MiB"), "{err}");
    }
}
