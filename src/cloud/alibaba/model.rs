//! The DTS job as the API describes it (reference §5, §6), decoded leniently: every field
//! is optional, types vary between actions, and status spellings vary in case.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cloud::lenient;

/// A job status (reference §6). Parsed case-insensitively: DescribeDtsJobDetail may say
/// `synchronizing` where DescribeDtsJobs says `Synchronizing`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobStatus {
    NotStarted,
    Prechecking,
    PrecheckFailed,
    PreCheckPass,
    NotConfigured,
    Initializing,
    InitializeFailed,
    Synchronizing,
    Migrating,
    MigrationFailed,
    Failed,
    /// Paused, despite the name.
    Suspending,
    Modifying,
    ModifyFailed,
    Finished,
    Retrying,
    Upgrade,
    Locked,
    Downgrade,
    Starting,
    Normal,
    Abnormal,
    /// A status this version does not know, kept verbatim.
    Other(String),
}

const KNOWN: &[(JobStatus, &str)] = &[
    (JobStatus::NotStarted, "NotStarted"),
    (JobStatus::Prechecking, "Prechecking"),
    (JobStatus::PrecheckFailed, "PrecheckFailed"),
    (JobStatus::PreCheckPass, "PreCheckPass"),
    (JobStatus::NotConfigured, "NotConfigured"),
    (JobStatus::Initializing, "Initializing"),
    (JobStatus::InitializeFailed, "InitializeFailed"),
    (JobStatus::Synchronizing, "Synchronizing"),
    (JobStatus::Migrating, "Migrating"),
    (JobStatus::MigrationFailed, "MigrationFailed"),
    (JobStatus::Failed, "Failed"),
    (JobStatus::Suspending, "Suspending"),
    (JobStatus::Modifying, "Modifying"),
    (JobStatus::ModifyFailed, "ModifyFailed"),
    (JobStatus::Finished, "Finished"),
    (JobStatus::Retrying, "Retrying"),
    (JobStatus::Upgrade, "Upgrade"),
    (JobStatus::Locked, "Locked"),
    (JobStatus::Downgrade, "Downgrade"),
    (JobStatus::Starting, "Starting"),
    (JobStatus::Normal, "Normal"),
    (JobStatus::Abnormal, "Abnormal"),
];

impl JobStatus {
    pub fn parse(s: &str) -> Self {
        KNOWN
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(s.trim()))
            .map_or_else(|| Self::Other(s.to_owned()), |(status, _)| status.clone())
    }

    /// The canonical spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => KNOWN
                .iter()
                .find(|(status, _)| status == known)
                .map_or("", |(_, name)| name),
        }
    }

    /// A status the job leaves on its own; wait it out before writing.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            Self::Prechecking
                | Self::Initializing
                | Self::Modifying
                | Self::Retrying
                | Self::Upgrade
                | Self::Downgrade
                | Self::Starting
        )
    }

    /// Moving data (incremental phase reached).
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Synchronizing | Self::Migrating | Self::Normal)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Strict: a string is required. API models read statuses leniently through
/// [`lenient_status`] instead.
impl<'de> Deserialize<'de> for JobStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// A status from any scalar, `null` or absent giving an empty `Other`.
fn lenient_status<'de, D: Deserializer<'de>>(d: D) -> Result<JobStatus, D::Error> {
    Ok(JobStatus::parse(&lenient::string(d)?))
}

/// A direction of a synchronization: `Forward` (source → destination, every job has
/// it) or `Reverse` (destination → source, the second half of a two-way
/// synchronization). Sent as `SynchronizationDirection`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Forward,
    Reverse,
}

impl Direction {
    /// The `SynchronizationDirection` value: `Forward` or `Reverse`.
    pub fn as_param(self) -> &'static str {
        match self {
            Self::Forward => "Forward",
            Self::Reverse => "Reverse",
        }
    }

    /// `Forward` or `Reverse`, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Forward, Self::Reverse]
            .into_iter()
            .find(|d| d.as_param().eq_ignore_ascii_case(text.trim()))
    }

    /// `forward` or `reverse`, for people.
    pub fn name(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Reverse => "reverse",
        }
    }

    pub fn is_forward(&self) -> bool {
        *self == Self::Forward
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of job. The API spells it `sync`, `SYNC`, `MIGRATION`, `online`... depending on
/// the action; parsed case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobType {
    Sync,
    Migration,
    Subscribe,
    Other(String),
}

impl JobType {
    pub fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "sync" | "synchronization" => Self::Sync,
            "migration" | "online" => Self::Migration,
            "subscribe" | "subscription" => Self::Subscribe,
            _ => Self::Other(s.to_owned()),
        }
    }

    /// The DescribeDtsJobs `JobType` parameter value.
    pub fn as_param(&self) -> &str {
        match self {
            Self::Sync => "SYNC",
            Self::Migration => "MIGRATION",
            Self::Subscribe => "SUBSCRIBE",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sync => "sync",
            Self::Migration => "migration",
            Self::Subscribe => "subscribe",
            Self::Other(s) => s,
        })
    }
}

impl Serialize for JobType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_param())
    }
}

impl<'de> Deserialize<'de> for JobType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&lenient::string(d)?))
    }
}

/// A source or destination database as DescribeDtsJobDetail shows it (never a password).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndpointInfo {
    #[serde(deserialize_with = "lenient::opt_string")]
    pub instance_type: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub engine_name: Option<String>,
    #[serde(
        rename = "InstanceID",
        alias = "InstanceId",
        deserialize_with = "lenient::opt_string"
    )]
    pub instance_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub region: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub ip: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub port: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub database_name: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub user_name: Option<String>,
    #[serde(rename = "OracleSID", deserialize_with = "lenient::opt_string")]
    pub oracle_sid: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub aliyun_uid: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub role_name: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string")]
    pub ssl_solution_enum: Option<String>,
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub can_modify_password: Option<bool>,
}

/// Which phases the job runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MigrationMode {
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub structure_initialization: Option<bool>,
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub data_initialization: Option<bool>,
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub data_synchronization: Option<bool>,
}

/// A job as DescribeDtsJobDetail or one DescribeDtsJobs row shows it. The fields the
/// planner needs; the rest of the (large) model is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DtsJob {
    #[serde(default, deserialize_with = "lenient::string")]
    pub dts_job_id: String,
    #[serde(
        rename = "DtsInstanceID",
        alias = "DtsInstanceId",
        default,
        deserialize_with = "lenient::string"
    )]
    pub dts_instance_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub dts_job_name: String,
    #[serde(default = "unknown_type")]
    pub job_type: JobType,
    #[serde(default = "unknown_status", deserialize_with = "lenient_status")]
    pub status: JobStatus,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub synchronization_direction: Option<String>,
    /// `Forward` or `Reverse`, shown only for a direction of a two-way synchronization.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub dts_job_direction: Option<String>,
    /// The object list, a JSON string in the DbList format (reference §9); sent as a
    /// JSON object instead, its text ([`lenient::opt_json_text`]).
    #[serde(default, deserialize_with = "lenient::opt_json_text")]
    pub db_object: Option<String>,
    /// Reserved settings, a JSON string (or object, as for `db_object`).
    #[serde(default, deserialize_with = "lenient::opt_json_text")]
    pub reserved: Option<String>,
    #[serde(default)]
    pub source_endpoint: Option<EndpointInfo>,
    #[serde(default)]
    pub destination_endpoint: Option<EndpointInfo>,
    #[serde(default)]
    pub migration_mode: Option<MigrationMode>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub error_message: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub delay: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub create_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub resource_group_id: Option<String>,
    /// The reverse direction of a two-way synchronization, in the same shape, where the
    /// answer shows it (a DescribeDtsJobs row does); `None` when absent, `null`, or not
    /// a job.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "reverse_job"
    )]
    pub reverse_job: Option<Box<DtsJob>>,
}

/// A `ReverseJob` value: a job object with an id, or nothing.
fn reverse_job<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<DtsJob>>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(match value {
        serde_json::Value::Object(_) => serde_json::from_value::<DtsJob>(value)
            .ok()
            .filter(|job| !job.dts_job_id.is_empty())
            .map(Box::new),
        _ => None,
    })
}

impl DtsJob {
    /// The direction the answer says it shows (`DtsJobDirection`, else
    /// `SynchronizationDirection`), if it says one.
    pub fn direction(&self) -> Option<Direction> {
        self.dts_job_direction
            .as_deref()
            .or(self.synchronization_direction.as_deref())
            .and_then(Direction::parse)
    }

    /// Whether the job is one direction of a two-way synchronization: it shows
    /// `DtsJobDirection` (documented for two-way jobs only) or a `ReverseJob`.
    pub fn is_two_way(&self) -> bool {
        self.dts_job_direction.is_some() || self.reverse_job.is_some()
    }
}

fn unknown_type() -> JobType {
    JobType::Other(String::new())
}

fn unknown_status() -> JobStatus {
    JobStatus::Other(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_case_insensitively_and_keep_unknowns() {
        assert_eq!(JobStatus::parse("synchronizing"), JobStatus::Synchronizing);
        assert_eq!(JobStatus::parse("SUSPENDING"), JobStatus::Suspending);
        assert_eq!(
            JobStatus::parse("Brand-New"),
            JobStatus::Other("Brand-New".into())
        );
        assert_eq!(JobStatus::Other("Brand-New".into()).as_str(), "Brand-New");
        for (status, name) in KNOWN {
            assert_eq!(status.as_str(), *name);
            assert_eq!(&JobStatus::parse(name), status);
        }
        assert!(JobStatus::Modifying.is_transitional());
        assert!(!JobStatus::Suspending.is_transitional());
        assert!(JobStatus::parse("synchronizing").is_running());
    }

    #[test]
    fn decodes_the_reference_example_detail() {
        // Reference §7, abridged.
        let body = r#"{
          "RequestId": "29207299-7C41-493A-BA4F-2FAC5DE4****", "Success": true, "HttpStatusCode": 200,
          "DtsJobId": "i03e3zty16i****", "DtsInstanceID": "dtsi03e3zty16i****", "DtsJobName": "api_test",
          "JobType": "sync", "Status": "synchronizing", "SynchronizationDirection": "Forward",
          "Checkpoint": 1616405159, "Delay": "0",
          "DbObject": "{\"dtstestdata\":{\"all\":true,\"name\":\"dtstestdata\",\"state\":\"normal\"}}",
          "Reserved": "{\"srcSSL\":\"0\"}",
          "MigrationMode": {"StructureInitialization": true, "DataInitialization": "True", "DataSynchronization": true},
          "SourceEndpoint": {"InstanceType": "RDS", "InstanceID": "rm-bp1162kryivb8****", "Port": 3306, "CanModifyPassword": false}
        }"#;
        let job: DtsJob = serde_json::from_str(body).unwrap();
        assert_eq!(job.dts_instance_id, "dtsi03e3zty16i****");
        assert_eq!(job.job_type, JobType::Sync);
        assert_eq!(job.status, JobStatus::Synchronizing);
        assert_eq!(job.delay, Some(0));
        assert_eq!(job.migration_mode.unwrap().data_initialization, Some(true));
        let src = job.source_endpoint.unwrap();
        assert_eq!(src.instance_id.as_deref(), Some("rm-bp1162kryivb8****"));
        assert_eq!(src.port.as_deref(), Some("3306"));
    }

    #[test]
    fn a_db_object_sent_as_json_itself_is_read_as_its_text_never_as_absent() {
        let job: DtsJob = serde_json::from_str(
            r#"{"DtsJobId":"j","DbObject":{"shop":{"name":"shop","all":false,"Table":{"orders":{"name":"orders","all":true}}}},"Reserved":{"srcSSL":"0"}}"#,
        )
        .unwrap();
        assert_eq!(
            job.db_object.as_deref(),
            Some(
                r#"{"shop":{"name":"shop","all":false,"Table":{"orders":{"name":"orders","all":true}}}}"#
            )
        );
        assert_eq!(job.reserved.as_deref(), Some(r#"{"srcSSL":"0"}"#));
        // An empty object stays an empty list, not an absent one; a number is passed on
        // for the planner to refuse.
        let job: DtsJob = serde_json::from_str(r#"{"DbObject":{}}"#).unwrap();
        assert_eq!(job.db_object.as_deref(), Some("{}"));
        let job: DtsJob = serde_json::from_str(r#"{"DbObject":42}"#).unwrap();
        assert_eq!(job.db_object.as_deref(), Some("42"));
    }
}
