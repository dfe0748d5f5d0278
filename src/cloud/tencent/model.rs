//! Migration jobs as API 2018-03-30 describes them (reference §4), with the exact
//! PascalCase wire keys. Decoding is lenient: unknown fields are ignored, every field may
//! be absent or `null`, integers may come as strings, `Port` as a number or a string,
//! `""` means unset and the zero time `0000-00-00 00:00:00` means no time. The same
//! structs are written in ModifyMigrateJob, with unset fields omitted.
//!
//! Passwords (and `SrcInfo.AccessKey`) are [`Secret`]s: written with their real value on
//! the wire, redacted in `Debug`, and `""` on read (what the API returns) is no password.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cloud::lenient;
use crate::secret::Secret;

/// The time the API writes for "not set".
pub const ZERO_TIME: &str = "0000-00-00 00:00:00";

/// A string, with `""` (and absent or `null`) as `None`.
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(lenient::opt_string(d)?.filter(|s| !s.is_empty()))
}

/// A string holding JSON, or the JSON itself as its text
/// ([`lenient::opt_json_text`]), with `""` as `None`.
fn opt_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(lenient::opt_json_text(d)?.filter(|s| !s.is_empty()))
}

/// A `yyyy-mm-dd hh:mm:ss` time as sent, with `""` and [`ZERO_TIME`] as `None`.
fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(opt_text(d)?.filter(|s| s.trim() != ZERO_TIME))
}

/// A list, with `null` as empty.
fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// `Password` on the wire: the real value out, `""` in as `None`.
mod password {
    use super::{Deserializer, Secret, Serializer, lenient};

    #[allow(clippy::ref_option)] // serde's `serialize_with` hands over `&Option<T>`.
    pub fn serialize<S: Serializer>(value: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(secret) => s.serialize_str(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(lenient::opt_string(d)?
            .filter(|s| !s.is_empty())
            .map(Secret::from))
    }
}

/// `MigrateJobInfo.Status` (reference §4.1). Codes 2 and 6 are not in Tencent's
/// enumeration; their names follow the 2021 API's status list, which lines up 1:1 with
/// codes 1–12. Any other code is kept as [`MigrateStatus::Other`], never an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MigrateStatus {
    /// 1 — a new or modified job before its check (the resting state of a fresh job).
    Creating,
    /// 2 — undocumented; the 2021 API's `created`.
    Created,
    /// 3
    Checking,
    /// 4 — the only status StartMigrateJob accepts.
    CheckPass,
    /// 5
    CheckNotPass,
    /// 6 — undocumented; the 2021 API's `readyRun` (started, waiting to run).
    ReadyRun,
    /// 7
    Running,
    /// 8 — full+incremental job caught up, waiting for CompleteMigrateJob.
    ReadyComplete,
    /// 9
    Success,
    /// 10
    Failed,
    /// 11
    Stopping,
    /// 12
    Completing,
    /// 23 — the API's own "unknown status".
    Unknown,
    /// A code this version does not know (or `0` when the field was missing).
    Other(i64),
}

const KNOWN: &[(MigrateStatus, i64, &str)] = &[
    (MigrateStatus::Creating, 1, "Creating"),
    (MigrateStatus::Created, 2, "Created"),
    (MigrateStatus::Checking, 3, "Checking"),
    (MigrateStatus::CheckPass, 4, "CheckPass"),
    (MigrateStatus::CheckNotPass, 5, "CheckNotPass"),
    (MigrateStatus::ReadyRun, 6, "ReadyRun"),
    (MigrateStatus::Running, 7, "Running"),
    (MigrateStatus::ReadyComplete, 8, "ReadyComplete"),
    (MigrateStatus::Success, 9, "Success"),
    (MigrateStatus::Failed, 10, "Failed"),
    (MigrateStatus::Stopping, 11, "Stopping"),
    (MigrateStatus::Completing, 12, "Completing"),
    (MigrateStatus::Unknown, 23, "Unknown"),
];

impl MigrateStatus {
    pub fn from_code(code: i64) -> Self {
        KNOWN
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(Self::Other(code), |(status, _, _)| *status)
    }

    /// The integer the API uses.
    pub fn code(self) -> i64 {
        match self {
            Self::Other(code) => code,
            known => KNOWN
                .iter()
                .find(|(status, _, _)| *status == known)
                .map_or(0, |(_, code, _)| *code),
        }
    }

    /// The English name (`CheckPass`). [`MigrateStatus::Other`] is `Unknown` too, as
    /// the API names what it does not know; [`Display`](fmt::Display) adds the code,
    /// which tells them apart.
    pub fn name(self) -> &'static str {
        KNOWN
            .iter()
            .find(|(status, _, _)| *status == self)
            .map_or("Unknown", |(_, _, name)| name)
    }

    /// Whether ModifyMigrateJob is allowed: 1, 4, 5 and 10 (reference §4.1).
    pub fn is_modifiable(self) -> bool {
        matches!(
            self,
            Self::Creating | Self::CheckPass | Self::CheckNotPass | Self::Failed
        )
    }

    /// A status the job leaves on its own, so a caller should wait it out before
    /// writing: 3 Checking (→ 4/5), 6 ReadyRun (→ 7), 11 Stopping (→ 10) and
    /// 12 Completing (→ 9). Not 2 Created: its 2021 twin `created` is the resting state
    /// that Terraform waits *for* before checking. Not 1 Creating either: a fresh job
    /// stays there until it is checked. Not 7 Running or 8 ReadyComplete: they last as
    /// long as the migration does.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            Self::Checking | Self::ReadyRun | Self::Stopping | Self::Completing
        )
    }

    /// Whether StartMigrateJob is allowed: only after a passed check (4).
    pub fn can_start(self) -> bool {
        self == Self::CheckPass
    }

    /// Whether the job has been started (or has finished migrating): 6 ReadyRun,
    /// 7 Running, 8 ReadyComplete, 9 Success, 11 Stopping and 12 Completing. Such a job
    /// is not checked or started again.
    pub fn is_started(self) -> bool {
        matches!(
            self,
            Self::ReadyRun
                | Self::Running
                | Self::ReadyComplete
                | Self::Success
                | Self::Stopping
                | Self::Completing
        )
    }
}

/// `CheckPass (4)`.
impl fmt::Display for MigrateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl Serialize for MigrateStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

/// From a number or a numeric string; anything else (or `null`) is `Other(0)`.
impl<'de> Deserialize<'de> for MigrateStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_code(lenient::opt_i64(d)?.unwrap_or(0)))
    }
}

impl Default for MigrateStatus {
    fn default() -> Self {
        Self::Other(0)
    }
}

/// `MigrateOption` (reference §4.2): how and what to migrate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MigrateOption {
    /// 1 immediately, 2 at `ExpectTime`.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub run_mode: Option<i64>,
    /// `yyyy-mm-dd hh:mm:ss`, required when `RunMode` is 2.
    #[serde(deserialize_with = "opt_time", skip_serializing_if = "Option::is_none")]
    pub expect_time: Option<String>,
    /// 1 structure, 2 full, 3 full + incremental.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub migrate_type: Option<i64>,
    /// 1 the whole instance, 2 the databases and tables in `DatabaseInfo`.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub migrate_object: Option<i64>,
    /// 1 not configured, 2 full check, 3 sampled, 4 inconsistent tables only, 5 none.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub consistency_type: Option<i64>,
    /// 0 or 1; must be 0 for table-level or structure-only migration.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_override_root: Option<i64>,
    /// JSON text with engine-specific extras (none for MySQL).
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub extern_params: Option<String>,
    /// Required when `ConsistencyType` is 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency_params: Option<ConsistencyParams>,
}

/// Sampling for `ConsistencyType` 3; each 1–100.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConsistencyParams {
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub select_rows_per_table: Option<i64>,
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub tables_select_all: Option<i64>,
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub tables_select_count: Option<i64>,
}

/// The source database (reference §4.2). Which fields apply depends on
/// `SrcAccessType` (`extranet`, `cvm`, `dcg`, `vpncloud`, `cdb`, `ccn`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SrcInfo {
    /// The Alibaba Cloud AccessKey for an Alibaba Cloud RDS source: a secret, like
    /// `Password` (written on the wire, redacted in `Debug`, `""` on read is none).
    #[serde(with = "password", skip_serializing_if = "Option::is_none")]
    pub access_key: Option<Secret>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<i64>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(with = "password", skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub rds_instance_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub cvm_instance_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub uniq_dcg_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub uniq_vpn_gw_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `aliyun` or `others`, for a source outside Tencent Cloud.
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub ccn_id: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
}

/// The destination database (reference §4.2); `DstAccessType` is always `cdb`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DstInfo {
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Deprecated by the API.
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Deprecated by the API.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<i64>,
    /// MySQL whole-instance migration: 1 read-only destination, 0 read-write.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub read_only: Option<i64>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(with = "password", skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
}

/// One `ErrorInfo` entry of a failed job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobError {
    #[serde(deserialize_with = "lenient::string")]
    pub error_log: String,
    #[serde(deserialize_with = "lenient::string")]
    pub help_doc: String,
}

/// One resource tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    #[serde(deserialize_with = "lenient::string")]
    pub tag_key: String,
    #[serde(deserialize_with = "lenient::string")]
    pub tag_value: String,
}

/// A `JobList` item of DescribeMigrateJobs (`MigrateJobInfo`). `Detail` (progress) is
/// not modelled; `SrcInfoMulti` is read so a job with a cluster source is recognised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MigrateJob {
    #[serde(deserialize_with = "lenient::string")]
    pub job_id: String,
    #[serde(deserialize_with = "lenient::string")]
    pub job_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrate_option: Option<MigrateOption>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub src_database_type: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub src_access_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_info: Option<SrcInfo>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub dst_database_type: Option<String>,
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub dst_access_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_info: Option<DstInfo>,
    /// The object list: a string holding JSON, `[{"Database":"db1","Table":["t1"]}]`
    /// (`"[]"` for a whole-instance job). Compare parsed, not as text. Sent as a JSON
    /// array instead, its text.
    #[serde(deserialize_with = "opt_json", skip_serializing_if = "Option::is_none")]
    pub database_info: Option<String>,
    #[serde(deserialize_with = "opt_time", skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(deserialize_with = "opt_time", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(deserialize_with = "opt_time", skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub status: MigrateStatus,
    #[serde(deserialize_with = "list")]
    pub error_info: Vec<JobError>,
    #[serde(deserialize_with = "list")]
    pub tags: Vec<Tag>,
    /// The nodes of a cluster source (`null` or absent for a single source).
    #[serde(deserialize_with = "list", skip_serializing_if = "Vec::is_empty")]
    pub src_info_multi: Vec<SrcInfo>,
}

/// One page of DescribeMigrateJobs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MigrateJobsPage {
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub total_count: Option<i64>,
    #[serde(deserialize_with = "list")]
    pub job_list: Vec<MigrateJob>,
}

/// DescribeMigrateCheckJob's answer (reference §4.5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckJob {
    /// `unavailable`, `starting`, `running` or `finished`.
    #[serde(deserialize_with = "lenient::string")]
    pub status: String,
    /// 0 when the check itself worked, -1 when it found a problem.
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub error_code: Option<i64>,
    #[serde(deserialize_with = "lenient::string")]
    pub error_message: String,
    /// Percent done as text, e.g. `"30"`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub progress: Option<String>,
    /// 0 not passed, 1 passed, 3 not checked.
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub check_flag: Option<i64>,
}

impl CheckJob {
    /// The check has run to the end (passed or not).
    pub fn is_finished(&self) -> bool {
        self.status.eq_ignore_ascii_case("finished")
    }

    /// The check finished and passed (`CheckFlag` 1).
    pub fn passed(&self) -> bool {
        self.is_finished() && self.check_flag == Some(1)
    }
}

#[cfg(test)]
mod tests;
