//! Tencent's part of the world: its migration jobs (API 2018-03-30), their check jobs,
//! and the sample jobs.
//!
//! Status changes that take time (a start, a check that runs for a while) are stored as
//! `pending` steps with absolute times, applied lazily by [`TencentJob::settle`].

use std::collections::HashSet;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::objects::parse_database_info;
use crate::cloud::tencent::MigrateStatus;
use crate::emulator::schedule::{self, Step};
use crate::util::parse_rfc3339;

/// One Tencent Cloud DTS migration job (API 2018-03-30), in the fields of
/// `MigrateJobInfo`. The endpoint objects keep what ModifyMigrateJob sent, without
/// `Password` and `AccessKey`: secrets are never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentJob {
    /// `dts-` and 8 lower-case letters or digits, e.g. `dts-1kl0iy0v`.
    pub job_id: String,
    #[serde(default)]
    pub name: String,
    /// The region the job lives in (`X-TC-Region` must name it).
    pub region: String,
    /// `MigrateJobInfo.Status`, written in the file as its number (1 Creating, 3 Checking,
    /// 4 CheckPass, ...). Other numbers are kept as they are.
    #[serde(with = "status_code")]
    pub status: MigrateStatus,
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
    #[serde(with = "status_code")]
    pub status: MigrateStatus,
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

/// A status in a world file: its number, as strictly as the file was always read (a
/// non-negative integer; the wire model is more lenient).
mod status_code {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::cloud::tencent::MigrateStatus;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` hands over `&T`.
    pub fn serialize<S: Serializer>(status: &MigrateStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(status.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MigrateStatus, D::Error> {
        Ok(MigrateStatus::from_code(i64::from(u32::deserialize(d)?)))
    }
}

impl Step for TencentPending {
    type Status = MigrateStatus;

    fn new(status: MigrateStatus, at: String) -> Self {
        Self { status, at }
    }

    fn at(&self) -> &str {
        &self.at
    }

    fn into_status(self) -> MigrateStatus {
        self.status
    }
}

impl TencentJob {
    /// Applies every pending status change due by `now`, and brings the check job's
    /// progress up to date.
    pub fn settle(&mut self, now: SystemTime) {
        schedule::settle(&mut self.status, &mut self.pending, now);
        if let Some(check) = &mut self.check {
            check.settle(now);
        }
    }

    /// Replaces the pending steps with `steps` (status, time).
    pub fn schedule(&mut self, steps: impl IntoIterator<Item = (MigrateStatus, SystemTime)>) {
        self.pending = schedule::steps(steps);
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

/// The sample world's Tencent migration jobs: in ap-guangzhou one that passed its
/// check (two databases selected), one running and one just created (whole instance);
/// in ap-shanghai one that failed.
pub fn sample_jobs() -> Vec<TencentJob> {
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
            ..job(
                "dts-6r2kq0mz",
                "shop-migrate",
                "ap-guangzhou",
                MigrateStatus::CheckPass,
            )
        },
        TencentJob {
            src_info: cdb("cdb-5tnv8c3h", "ap-guangzhou", "dts_reader"),
            dst_info: dst("cdb-1hxr6b0y", "ap-guangzhou"),
            database_info: r#"[{"Database":"crm"}]"#.into(),
            start_time: Some("2026-01-06T02:30:00Z".into()),
            check: Some(passed("2026-01-06T02:20:00Z")),
            ..job(
                "dts-3nw8tx5c",
                "crm-migrate",
                "ap-guangzhou",
                MigrateStatus::Running,
            )
        },
        TencentJob {
            migrate_option: option(2, 1),
            src_access_type: "extranet".into(),
            src_info: object(json!({
                "Ip": "203.0.113.20", "Port": 3306, "User": "root",
                "Region": "ap-guangzhou", "Supplier": "others"
            })),
            dst_info: dst("cdb-7pd2js4k", "ap-guangzhou"),
            ..job(
                "dts-0pb7ye4d",
                "archive-migrate",
                "ap-guangzhou",
                MigrateStatus::Creating,
            )
        },
        TencentJob {
            src_info: cdb("cdb-2fg9ln6w", "ap-shanghai", "dts_reader"),
            dst_info: dst("cdb-8qs3vm1r", "ap-shanghai"),
            database_info: r#"[{"Database":"billing","Table":["invoices"]}]"#.into(),
            ..job(
                "dts-9fh2ua6s",
                "billing-migrate",
                "ap-shanghai",
                MigrateStatus::Failed,
            )
        },
    ]
}

/// Checks the Tencent jobs of a world: ids present and unique, no secrets, a
/// `DatabaseInfo` that parses.
pub(crate) fn validate(jobs: &[TencentJob]) -> Result<(), String> {
    let mut tencent = HashSet::new();
    for job in jobs {
        if job.job_id.is_empty() || job.region.is_empty() {
            return Err("every Tencent job needs a non-empty job_id and region".into());
        }
        if !tencent.insert(job.job_id.as_str()) {
            return Err(format!("Tencent job_id {:?} appears twice", job.job_id));
        }
        let infos = [&job.src_info, &job.dst_info]
            .into_iter()
            .chain(&job.src_info_multi);
        if let Some(key) = infos
            .flat_map(|info| info.keys())
            .find(|k| k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("accesskey"))
        {
            return Err(format!(
                "Tencent job {:?}: world files hold no passwords or access keys; remove {key}",
                job.job_id
            ));
        }
        if let Err(why) = parse_database_info(&job.database_info) {
            return Err(format!(
                "Tencent job {:?}: database_info is not valid: {why}",
                job.job_id
            ));
        }
    }
    Ok(())
}
