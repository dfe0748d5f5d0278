//! The evaluated, checked configuration: what the planner consumes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use reqwest::Url;
use serde_json::Value;

use super::source::{Sources, Span};
use crate::cloud::alibaba::{Direction, SignatureVersion};
use crate::objects::{Node, ObjectTree, ObjectsError, Pattern, Removal};
use crate::secret::Secret;

/// The resource type of an Alibaba Cloud DTS job.
pub const ALICLOUD_DTS_JOB: &str = "alicloud_dts_job";
/// The resource type of a Tencent Cloud DTS migration job (API 2018-03-30).
pub const TENCENTCLOUD_DTS_MIGRATE_JOB: &str = "tencentcloud_dts_migrate_job";

/// Which cloud a provider or job belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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

impl JobSpec {
    /// The passwords the job's endpoints hold: (`src`/`dest`, or `reverse src`/`reverse
    /// dest` for the reverse direction of a two-way job; `Password`/`ShardPassword`;
    /// value).
    pub fn secrets(&self) -> Vec<(&'static str, &'static str, &SecretValue)> {
        let mut out = Vec::new();
        let reverse = self.reverse();
        let directions = [
            (["src", "dest"], Some(self)),
            (["reverse src", "reverse dest"], reverse),
        ];
        for (sides, job) in directions {
            let Some(job) = job else { continue };
            for (side, spec) in sides.into_iter().zip([&job.source, &job.destination]) {
                let Some(spec) = spec else { continue };
                for (key, value) in [
                    ("Password", &spec.password),
                    ("ShardPassword", &spec.shard_password),
                ] {
                    if let Some(v) = value {
                        out.push((side, key, v));
                    }
                }
            }
        }
        if let Some(t) = &self.tencent {
            for (side, endpoint) in [("src", &t.source), ("dest", &t.destination)] {
                let Some(endpoint) = endpoint else { continue };
                for (key, value) in [
                    ("Password", &endpoint.password),
                    ("AccessKey", &endpoint.access_key),
                ] {
                    if let Some(v) = value {
                        out.push((side, key, v));
                    }
                }
            }
        }
        out
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
    /// The most requests per second the client sends, per API action (a cap on the
    /// rate it learns); `None`: no cap.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// How deeply a configured object list may nest: every JSON object and array on the way
/// down counts one level, the DbList's outer object included (`{"shop":{"Table":{"orders":
/// {"all":true}}}}` nests 4 deep). Loading refuses deeper lists ([`DesiredObjects::new`]).
///
/// The planner reads a configured list back with `serde_json`, which refuses text nesting
/// deeper than 127 (its recursion limit, 128). The rest is headroom for documents that
/// carry a list a few levels down, such as the emulator's world file: whatever `dtsform
/// validate` accepts, `plan` reads back, `apply` sends, and a saved world reloads.
/// Object blocks nest at most 8 deep (under the outer object: database, `Schema`, schema,
/// `Table`, table, `column`, column); only attribute values (`attributes`, `filter`) and
/// `db_list` / `database_info` JSON can come near the limit.
pub const MAX_NESTING: usize = 100;

/// A desired object list, kept as its canonical DbList JSON: a configuration of a thousand
/// large jobs then holds a few kilobytes per job instead of a tree of maps, and the tree
/// is rebuilt only when the job is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredObjects {
    json: String,
}

/// An object list nesting deeper than [`MAX_NESTING`]: its depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the object list nests {0} levels deep; dtsform reads at most {MAX_NESTING}")]
pub struct TooDeep(pub usize);

impl DesiredObjects {
    /// The tree as its canonical JSON, if it nests no deeper than [`MAX_NESTING`] — the
    /// only way to make one, so [`DesiredObjects::tree`] can always read it back.
    pub fn new(tree: &ObjectTree) -> Result<DesiredObjects, TooDeep> {
        let depth = tree_nesting(tree);
        if depth > MAX_NESTING {
            return Err(TooDeep(depth));
        }
        Ok(DesiredObjects {
            json: tree.to_json(),
        })
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

/// How deeply `tree`'s canonical JSON nests (see [`MAX_NESTING`]).
pub fn tree_nesting(tree: &ObjectTree) -> usize {
    tree.databases
        .values()
        .map(|db| node_nesting(db, 1))
        .max()
        .unwrap_or(1)
}

/// How deeply a node's JSON object nests, counted from `above` levels over it.
pub fn node_nesting(node: &Node, above: usize) -> usize {
    let own = above + 1;
    let attrs = node
        .attrs
        .values()
        .map(|v| own + value_nesting(v))
        .max()
        .unwrap_or(own);
    let children = node
        .containers
        .values()
        .map(|c| {
            c.nodes
                .values()
                .map(|n| node_nesting(n, own + 1))
                .max()
                .unwrap_or(own + 1)
        })
        .max()
        .unwrap_or(own);
    attrs.max(children)
}

/// How many levels of arrays and objects `value` nests (0 for a scalar). Walks with its
/// own stack, so a value of any depth is measured without recursion.
pub fn value_nesting(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0)];
    while let Some((value, depth)) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
        deepest = deepest.max(match value {
            Value::Array(_) | Value::Object(_) => depth + 1,
            _ => depth,
        });
    }
    deepest
}

/// How many levels of arrays and objects JSON `text` nests, read without parsing it (so
/// text too deep for `serde_json` is measured too). Brackets inside strings do not count.
pub fn json_text_nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
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
    /// Where `database` is set, for the rules that need the live engine.
    pub database_span: Option<Span>,
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
    /// The direction this spec manages: `Forward` for a resource, `Reverse` for the
    /// view of its `reverse` block ([`JobSpec::reverse`]).
    pub direction: Direction,
    /// `synchronization_direction = "Forward"`: every request names the direction, as
    /// it does for a two-way job.
    pub names_direction: bool,
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
    /// What only an Alibaba job has.
    pub alibaba: Option<Box<AlibabaSpec>>,
}

/// The settings of an `alicloud_dts_job` beyond the shared ones.
#[derive(Debug, Clone, Default)]
pub struct AlibabaSpec {
    /// `migration_mode { ... }`: which phases the direction runs.
    pub migration_mode: Option<MigrationModeSpec>,
    /// `resource_group_id`: the job's resource group, checked against the live job and
    /// sent with every request (`ResourceGroupId`).
    pub resource_group_id: Option<(String, Span)>,
    /// The `reverse { ... }` block of a two-way synchronization, as a spec of its own:
    /// the same name and job, `direction` `Reverse`, its span the block's.
    pub reverse: Option<Box<JobSpec>>,
}

/// `migration_mode { structure_initialization = ..., data_initialization = ...,
/// data_synchronization = ... }`: ModifyDtsJob's flags, compared with the job's
/// `MigrationMode`. A flag left out is not managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationModeSpec {
    pub structure_initialization: Option<bool>,
    pub data_initialization: Option<bool>,
    pub data_synchronization: Option<bool>,
    pub span: Span,
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
    /// Spans of the `migrate_option` attributes, by wire key (`ConsistencyParams` for
    /// the `consistency_params` block), for the plan-time rules.
    pub migrate_option_spans: BTreeMap<String, Span>,
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
    /// `SrcInfo.AccessKey` (source only): a secret, sent and never compared.
    pub access_key: Option<SecretValue>,
    pub span: Span,
}

impl JobSpec {
    /// `alicloud_dts_job.NAME` or `tencentcloud_dts_migrate_job.NAME`.
    pub fn address(&self) -> String {
        format!("{}.{}", self.cloud.resource_type(), self.name)
    }

    /// The address as messages name what this spec manages: the address, and for the
    /// reverse direction of a two-way job `alicloud_dts_job.NAME (reverse direction)`.
    pub fn label(&self) -> String {
        match self.direction {
            Direction::Forward => self.address(),
            Direction::Reverse => format!("{} (reverse direction)", self.address()),
        }
    }

    /// The `reverse { ... }` block of an Alibaba two-way job, as a spec of its own.
    pub fn reverse(&self) -> Option<&JobSpec> {
        self.alibaba.as_ref()?.reverse.as_deref()
    }

    /// The migration mode this spec manages.
    pub fn migration_mode(&self) -> Option<&MigrationModeSpec> {
        self.alibaba.as_ref()?.migration_mode.as_ref()
    }

    /// The resource group the job is configured in.
    pub fn resource_group_id(&self) -> Option<&str> {
        Some(
            self.alibaba
                .as_ref()?
                .resource_group_id
                .as_ref()?
                .0
                .as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// How deeply `serde_json` nests at most (its recursion limit, 128, less one).
    const SERDE_JSON_NESTING: usize = 127;

    /// `{"shop":{"x":[[...]]}}` nesting exactly `depth` levels.
    fn tree_of_depth(depth: usize) -> ObjectTree {
        let mut value = json!(1);
        for _ in 0..depth - 2 {
            value = json!([value]);
        }
        ObjectTree::from_value(&json!({ "shop": { "all": true, "x": value } })).unwrap()
    }

    #[test]
    fn nesting_counts_every_object_and_array() {
        let tree = ObjectTree::from_json(r#"{"shop":{"Table":{"orders":{"all":true}}}}"#).unwrap();
        assert_eq!(tree_nesting(&tree), 4);
        assert_eq!(tree_nesting(&ObjectTree::default()), 1);
        assert_eq!(tree_nesting(&tree_of_depth(10)), 10);
        assert_eq!(json_text_nesting(&tree_of_depth(10).to_json()), 10);
        assert_eq!(json_text_nesting(r#"{"a":"[[{{\"]]"}"#), 1);
        assert_eq!(value_nesting(&json!([[], {"a": [1]}])), 3);
    }

    /// A list at the limit is read back by the planner; one level more is refused by
    /// `DesiredObjects::new`.
    #[test]
    fn what_loading_accepts_the_planner_reads_back() {
        let at = tree_of_depth(MAX_NESTING);
        let desired = DesiredObjects::new(&at).unwrap();
        assert_eq!(desired.tree().unwrap(), at);
        let past = tree_of_depth(MAX_NESTING + 1);
        assert_eq!(DesiredObjects::new(&past), Err(TooDeep(MAX_NESTING + 1)));
    }

    /// Pins serde_json's limit, which `MAX_NESTING` stays under with headroom: if it ever
    /// shrinks, this fails before a configuration `validate` accepts fails in `plan`.
    #[test]
    fn serde_json_reads_what_the_limit_needs_with_headroom() {
        let depth = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(serde_json::from_str::<Value>(&depth(SERDE_JSON_NESTING)).is_ok());
        assert!(serde_json::from_str::<Value>(&depth(SERDE_JSON_NESTING + 1)).is_err());
        assert!(ObjectTree::from_json(&tree_of_depth(SERDE_JSON_NESTING).to_json()).is_ok());
        // The emulator's world file holds a list 3 levels down ({"jobs":[{"db_list":...}]}).
        const { assert!(MAX_NESTING + 3 <= SERDE_JSON_NESTING) };
    }
}
