//! The evaluated, checked configuration: what the planner consumes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use reqwest::Url;
use serde_json::Value;

use super::source::{Sources, Span};
use crate::cloud::alibaba::SignatureVersion;
use crate::objects::{ObjectTree, ObjectsError, Pattern, Removal};
use crate::secret::Secret;

/// The resource type of an Alibaba Cloud DTS job.
pub const ALICLOUD_DTS_JOB: &str = "alicloud_dts_job";
/// The resource type of a Tencent Cloud DTS migration job (API 2018-03-30).
pub const TENCENTCLOUD_DTS_MIGRATE_JOB: &str = "tencentcloud_dts_migrate_job";

/// Which cloud a provider or job belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cloud {
    Alibaba,
    Tencent,
}

impl Cloud {
    /// The provider block's label: `alicloud` or `tencentcloud`.
    pub fn provider_label(self) -> &'static str {
        match self {
            Cloud::Alibaba => "alicloud",
            Cloud::Tencent => "tencentcloud",
        }
    }

    /// The resource type its jobs are declared with.
    pub fn resource_type(self) -> &'static str {
        match self {
            Cloud::Alibaba => ALICLOUD_DTS_JOB,
            Cloud::Tencent => TENCENTCLOUD_DTS_MIGRATE_JOB,
        }
    }

    /// The cloud of a provider label.
    pub fn from_provider_label(label: &str) -> Option<Cloud> {
        [Cloud::Alibaba, Cloud::Tencent]
            .into_iter()
            .find(|c| c.provider_label() == label)
    }

    /// The cloud of a resource type.
    pub fn from_resource_type(kind: &str) -> Option<Cloud> {
        [Cloud::Alibaba, Cloud::Tencent]
            .into_iter()
            .find(|c| c.resource_type() == kind)
    }
}

/// A whole configuration directory, evaluated.
#[derive(Debug)]
pub struct Config {
    pub dir: PathBuf,
    pub sources: Sources,
    pub providers: Vec<ProviderSpec>,
    pub jobs: Vec<JobSpec>,
}

impl Config {
    /// The provider a job uses: its `provider = alicloud.ALIAS`, or the default one of
    /// its cloud.
    pub fn provider_for(&self, job: &JobSpec) -> Option<&ProviderSpec> {
        self.providers
            .iter()
            .find(|p| p.cloud == job.cloud && p.alias == job.provider)
    }
}

/// A `provider "alicloud"` or `provider "tencentcloud"` block.
#[derive(Debug, Clone)]
pub struct ProviderSpec {
    pub cloud: Cloud,
    pub alias: Option<String>,
    pub region: String,
    pub endpoint: Option<Url>,
    pub profile: Option<String>,
    pub signature: SignatureVersion,
    /// Client-side request pacing, requests per second.
    pub rate_limit: Option<f64>,
    pub span: Span,
}

impl ProviderSpec {
    /// `alicloud`, `alicloud.ALIAS`, `tencentcloud`, ...
    pub fn name(&self) -> String {
        let label = self.cloud.provider_label();
        match &self.alias {
            Some(alias) => format!("{label}.{alias}"),
            None => label.into(),
        }
    }
}

/// The status a job should be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesiredStatus {
    /// Synchronizing or migrating (StartDtsJob).
    Running,
    /// Paused (SuspendDtsJob).
    Suspended,
}

impl fmt::Display for DesiredStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Running => "running",
            Self::Suspended => "suspended",
        })
    }
}

/// A desired object list, kept as its canonical DbList JSON: a configuration of a thousand
/// large jobs then holds a few kilobytes per job instead of a tree of maps, and the tree
/// is rebuilt only when the job is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredObjects {
    json: String,
}

impl DesiredObjects {
    /// From canonical JSON (`ObjectTree::to_json`).
    pub fn from_canonical_json(json: String) -> DesiredObjects {
        DesiredObjects { json }
    }

    /// The DbList JSON that would be sent.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The object tree.
    pub fn tree(&self) -> Result<ObjectTree, ObjectsError> {
        ObjectTree::from_json(&self.json)
    }
}

/// A secret from the configuration, with the expression it came from (never its value)
/// so a plan can name it.
#[derive(Debug, Clone)]
pub struct SecretValue {
    pub value: Secret,
    /// The source text of the expression, e.g. `var.src_password`.
    pub expression: String,
}

/// A `source` or `destination` block: the fields of ModifyDtsJobEndpoint.
#[derive(Debug, Clone)]
pub struct EndpointSpec {
    pub instance_type: String,
    pub instance_id: Option<String>,
    pub region: Option<String>,
    pub ip: Option<String>,
    pub port: Option<String>,
    pub database: Option<String>,
    pub username: Option<String>,
    pub password: Option<SecretValue>,
    pub shard_username: Option<String>,
    pub shard_password: Option<SecretValue>,
    pub role_name: Option<String>,
    pub aliyun_uid: Option<String>,
    pub vpc_id: Option<String>,
    pub vswitch_id: Option<String>,
    pub secondary_vswitch_id: Option<String>,
    pub span: Span,
}

/// The lost-object guard's settings for one job (`lifecycle` block).
#[derive(Debug, Clone)]
pub struct GuardSpec {
    /// Objects that may never be removed, whatever else is declared.
    pub prevent_removal: Vec<(Pattern, Span)>,
    /// The mass-removal breaker trips above this many removed objects...
    pub max_removed_objects: usize,
    /// ...or above this percentage of the job's objects (when more than one is removed).
    pub max_removed_percent: f64,
}

impl Default for GuardSpec {
    fn default() -> Self {
        Self {
            prevent_removal: Vec::new(),
            max_removed_objects: 10,
            max_removed_percent: 25.0,
        }
    }
}

/// A `resource "alicloud_dts_job" "NAME"` or `resource "tencentcloud_dts_migrate_job"
/// "NAME"` block. For a Tencent job `dts_job_id` is its `job_id`, and the Tencent-only
/// settings are in `tencent`.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub cloud: Cloud,
    pub name: String,
    /// The block's header (`resource "alicloud_dts_job" "NAME"`).
    pub span: Span,
    /// `provider = alicloud.ALIAS`.
    pub provider: Option<String>,
    pub dts_job_id: String,
    pub job_id_span: Span,
    pub dts_instance_id: Option<String>,
    pub status: Option<DesiredStatus>,
    pub direction: Option<String>,
    /// The desired object list; `None` when the resource does not manage objects.
    pub objects: Option<DesiredObjects>,
    pub objects_span: Span,
    /// Keep (re-send) live objects the configuration does not mention.
    pub merge_live_objects: bool,
    pub source: Option<EndpointSpec>,
    pub destination: Option<EndpointSpec>,
    /// Reserved settings this resource manages (other live keys are left alone).
    pub reserved: BTreeMap<String, Value>,
    /// Declared removals (`removed { objects = [...] }`): objects, and narrowings
    /// (`shop.*`).
    pub removed: Vec<(Removal, Span)>,
    pub guard: GuardSpec,
    /// Names of resources this one is applied after.
    pub depends_on: Vec<(String, Span)>,
    /// What only a Tencent migration job has.
    pub tencent: Option<Box<TencentSpec>>,
}

/// The settings of a `tencentcloud_dts_migrate_job` beyond the shared ones.
#[derive(Debug, Clone, Default)]
pub struct TencentSpec {
    pub job_name: Option<String>,
    /// `whole_instance = true`: migrate every database (`DatabaseInfo` `[]`).
    pub whole_instance: bool,
    /// `removed { whole_instance = true }`: narrowing a whole-instance job is intended.
    pub narrowing_allowed: bool,
    /// Immutable in the cloud: checked against the live job, never sent.
    pub source_database_type: Option<(String, Span)>,
    pub destination_database_type: Option<(String, Span)>,
    /// `migrate_option { ... }` as wire keys (`RunMode`, `MigrateType`, ...).
    pub migrate_option: BTreeMap<String, Value>,
    pub migrate_option_span: Option<Span>,
    pub source: Option<TencentEndpoint>,
    pub destination: Option<TencentEndpoint>,
}

/// A `source` or `destination` block of a Tencent job: `SrcInfo` / `DstInfo`.
#[derive(Debug, Clone)]
pub struct TencentEndpoint {
    /// `SrcAccessType` / `DstAccessType`.
    pub access_type: Option<String>,
    /// Wire keys (`InstanceId`, `Region`, `Port`, ...) to values; never the password.
    pub fields: BTreeMap<String, Value>,
    /// Spans of the attributes, by wire key (for immutability errors).
    pub spans: BTreeMap<String, Span>,
    pub password: Option<SecretValue>,
    pub span: Span,
}

impl JobSpec {
    /// `alicloud_dts_job.NAME` or `tencentcloud_dts_migrate_job.NAME`.
    pub fn address(&self) -> String {
        format!("{}.{}", self.cloud.resource_type(), self.name)
    }
}
