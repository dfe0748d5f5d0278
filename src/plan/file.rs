//! The saved plan (`plan -out FILE`): a versioned JSON document for `apply PLANFILE`.
//!
//! It holds every operation with its parameters and dependencies, and each job's live
//! fingerprint. It never holds a secret: a password is recorded as the expression it
//! comes from (`var.src_password`), to be read again at apply time. A SHA-256 checksum
//! over the rest of the document detects edits and truncation.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{LiveState, Operation, Plan};
use crate::util::sha256_hex;

/// How `removes` names narrowing a whole-instance (Tencent) job to a list.
pub const WHOLE_INSTANCE: &str = "*";

/// The format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub format_version: u32,
    pub dtsform_version: String,
    pub created_at: String,
    /// The configuration directory the plan was made from.
    pub config_dir: String,
    pub jobs: Vec<PlanFileJob>,
    /// SHA-256 of this document with `checksum` empty.
    pub checksum: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFileJob {
    pub address: String,
    pub provider: String,
    pub region: String,
    pub dts_job_id: String,
    pub dts_instance_id: String,
    pub live_status: String,
    pub live_fingerprint: String,
    /// The parts of the fingerprint, so apply can say which part changed.
    pub live_state: LiveState,
    pub operations: Vec<PlanFileOperation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFileOperation {
    /// `alicloud_dts_job.NAME/objects`.
    pub id: String,
    pub action: String,
    /// Ids of the operations that must finish first.
    pub depends_on: Vec<String>,
    pub params: Value,
    /// Endpoint fields the operation sets, with their new values: what apply reads back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sets: BTreeMap<String, String>,
    /// Objects the new list removes, as the plan showed and allowed them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removes: Vec<String>,
}

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}: {reason}")]
    #[diagnostic(code(dtsform::plan_file::read))]
    Read { path: String, reason: String },
    #[error("plan file {path} was written by dtsform {written_by} (format {format}); this is dtsform {} (format {FORMAT_VERSION})", env!("CARGO_PKG_VERSION"))]
    #[diagnostic(
        code(dtsform::plan_file::version),
        help("run plan again with this dtsform version")
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
            "give -out a new path or an existing regular file in a directory you can write to; devices, FIFOs and directories are never replaced"
        )
    )]
    Write { path: String, reason: String },
}

fn params(op: &Operation) -> Value {
    match op {
        Operation::ModifyEndpoint {
            side,
            spec,
            account,
            ..
        } => {
            let mut p = serde_json::Map::new();
            p.insert("Endpoint".into(), json!(side.as_param()));
            p.insert("EndpointInstanceType".into(), json!(spec.instance_type));
            for (key, value) in [
                ("EndpointInstanceId", &spec.instance_id),
                ("EndpointRegionId", &spec.region),
                ("EndpointIp", &spec.ip),
                ("EndpointPort", &spec.port),
                ("Database", &spec.database),
                ("RoleName", &spec.role_name),
                ("AliyunUid", &spec.aliyun_uid),
                ("EndpointVpcId", &spec.vpc_id),
                ("EndpointPrimaryVswId", &spec.vswitch_id),
                ("EndpointSecondaryVswId", &spec.secondary_vswitch_id),
            ] {
                if let Some(v) = value {
                    p.insert(key.into(), json!(v));
                }
            }
            if *account {
                p.insert("ModifyAccount".into(), json!(true));
                p.insert("Username".into(), json!(spec.username));
                if let Some(pw) = &spec.password {
                    p.insert(
                        "Password".into(),
                        json!({"sensitive": true, "from": pw.expression}),
                    );
                }
                if let (Some(user), Some(pw)) = (&spec.shard_username, &spec.shard_password) {
                    p.insert("ShardUsername".into(), json!(user));
                    p.insert(
                        "ShardPassword".into(),
                        json!({"sensitive": true, "from": pw.expression}),
                    );
                }
            }
            Value::Object(p)
        }
        Operation::ModifyObjects { db_list } => json!({ "DbList": db_list }),
        Operation::ModifyReserved { reserved } => json!({
            "ModifyTypeEnum": "UPDATE_RESERVED",
            "Reserved": Value::Object(reserved.clone()).to_string(),
        }),
        Operation::SetStatus { from, to } => json!({ "from": from.as_str(), "to": to.to_string() }),
        Operation::TencentModify { request, .. } => (**request).clone(),
        Operation::TencentCheck => json!({}),
        Operation::TencentStart { from } => json!({ "from": from }),
    }
}

fn sets(op: &Operation) -> BTreeMap<String, String> {
    match op {
        Operation::ModifyEndpoint { changes, .. } => changes
            .iter()
            .filter_map(|c| Some((c.field.to_string(), c.after.clone()?)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

impl PlanFile {
    /// The plan as a file document, checksummed.
    pub fn from_plan(plan: &Plan, config_dir: &Path, created_at: String) -> PlanFile {
        let jobs = plan
            .jobs
            .iter()
            .map(|job| PlanFileJob {
                address: job.address.clone(),
                provider: job.provider.clone(),
                region: job.region.clone(),
                dts_job_id: job.dts_job_id.clone(),
                dts_instance_id: job.dts_instance_id.clone(),
                live_status: job.live_status.as_str().to_owned(),
                live_fingerprint: job.state.fingerprint(),
                live_state: job.state.clone(),
                operations: job
                    .operations
                    .iter()
                    .map(|op| {
                        let id = format!("{}/{}", job.address, op.slug());
                        let mut depends_on: Vec<String> = plan
                            .dependencies(&id)
                            .iter()
                            .map(|d| d.id.clone())
                            .collect();
                        depends_on.sort();
                        PlanFileOperation {
                            id,
                            action: op.action().to_owned(),
                            depends_on,
                            params: params(op),
                            sets: sets(op),
                            removes: match op {
                                Operation::ModifyObjects { .. }
                                | Operation::TencentModify { .. } => job
                                    .objects
                                    .iter()
                                    .flat_map(|o| {
                                        o.removals.iter().map(|r| r.removal.to_string()).chain(
                                            o.narrows_instance.then(|| WHOLE_INSTANCE.to_owned()),
                                        )
                                    })
                                    .collect(),
                                _ => Vec::new(),
                            },
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut file = PlanFile {
            format_version: FORMAT_VERSION,
            dtsform_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at,
            config_dir: config_dir.display().to_string(),
            jobs,
            checksum: String::new(),
        };
        file.checksum = file.compute_checksum();
        file
    }

    /// Recomputes the checksum after an edit. The checksum guards against accidents
    /// (a truncated or hand-edited file), not against a deliberate edit: anyone can
    /// recompute a SHA-256, so apply re-checks what it sends on its own.
    pub fn seal(&mut self) {
        self.checksum = self.compute_checksum();
    }

    fn compute_checksum(&self) -> String {
        let mut unsigned = self.clone();
        unsigned.checksum = String::new();
        sha256_hex(
            serde_json::to_string(&unsigned)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        let fail = |reason: String| PlanFileError::Write {
            path: path.display().to_string(),
            reason,
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        text.push('\n');
        crate::fsutil::write_atomically(path, text.as_bytes()).map_err(|e| fail(e.to_string()))
    }

    /// Reads and checks a plan file: this format version, and an intact checksum.
    pub fn read(path: &Path) -> Result<PlanFile, PlanFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
            path: shown.clone(),
            reason: e.to_string(),
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
        let file: PlanFile = serde_json::from_value(header).map_err(|e| PlanFileError::Read {
            path: shown.clone(),
            reason: format!("not a plan file: {e}"),
        })?;
        if file.checksum != file.compute_checksum() {
            return Err(PlanFileError::Checksum { path: shown });
        }
        Ok(file)
    }
}
