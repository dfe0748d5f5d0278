//! The writes a plan makes: one serde-tagged enum shared by planning, the plan file and
//! apply, so each parameter is mapped once — from the configuration into an
//! [`Operation`] here, and from an operation onto the wire in `apply`.
//!
//! An operation holds what it sends (object lists as structured trees, never JSON text)
//! and what the plan showed about it (field and attribute changes, the removals it was
//! allowed). It never holds a secret: a password is a [`SecretRef`], the expression of
//! the configuration it comes from, resolved by apply.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::cloud::alibaba::{Direction, EndpointSide, ModifyDtsJobEndpoint};
use crate::config::{Cloud, DesiredStatus};
use crate::objects::diff::AttrChange;
use crate::objects::{ObjectTree, Removal};

/// An object list to send. In memory it is the compact DbList text — a plan of a
/// thousand jobs holds no thousand trees — and in the plan file it is written as
/// structured JSON (never as text in a string). Apply reads it once, by the rules of a
/// live list ([`Payload::tree`]).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Payload(Box<RawValue>);

/// Transcoded into compact JSON text as it is read: a payload sits inside tagged and
/// flattened records, which serde buffers, and a raw value cannot be read from a buffer.
/// The text is what `Value::to_string` would make of it (keys in their order), without
/// building the value.
impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut text = Vec::new();
        serde_transcode::transcode(d, &mut serde_json::Serializer::new(&mut text))
            .map_err(serde::de::Error::custom)?;
        String::from_utf8(text)
            .map_err(serde::de::Error::custom)
            .and_then(|text| RawValue::from_string(text).map_err(serde::de::Error::custom))
            .map(Payload)
    }
}

impl Payload {
    /// The list as its compact DbList JSON.
    pub fn of(tree: &ObjectTree) -> Payload {
        // A tree always serialises. Were it ever not to, the payload is `null`, which
        // `Payload::tree` refuses, so apply stops: never `{}`, which would send an
        // empty list.
        Payload(
            RawValue::from_string(tree.to_json())
                .unwrap_or_else(|_| RawValue::from_string("null".to_owned()).unwrap_or_default()),
        )
    }

    /// The compact DbList text, as sent.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The list as a tree, read by the same rules as a live list.
    pub fn tree(&self) -> Result<ObjectTree, crate::objects::ObjectsError> {
        ObjectTree::from_json(self.0.get())
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        self.json() == other.json()
    }
}

/// Where a password comes from: `{"sensitive": true, "from": "var.dest_password"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRef {
    /// Always true; says to a reader of a plan file what this is.
    pub sensitive: bool,
    /// The expression of the configuration that gives the value.
    pub from: String,
}

impl SecretRef {
    pub fn from_expression(expression: &str) -> SecretRef {
        SecretRef {
            sensitive: true,
            from: expression.to_owned(),
        }
    }
}

/// One field that differs, as the plan shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: Cow<'static, str>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An account to set with an endpoint: the user name and where its password comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub username: String,
    pub password: SecretRef,
}

/// Which endpoint of an Alibaba job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Source,
    Destination,
}

impl Side {
    pub fn api(self) -> EndpointSide {
        match self {
            Side::Source => EndpointSide::Source,
            Side::Destination => EndpointSide::Destination,
        }
    }

    /// `source` or `destination`.
    pub fn name(self) -> &'static str {
        self.api().name()
    }
}

/// What a precheck (`ModifyDtsJobEndpoint` with `DryRun=true`) found, as `plan
/// --precheck` shows it: passed, or the service's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrecheckResult {
    pub passed: bool,
    /// The service's error code (`DTS.Msg.InvalidEndpoint`), when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The service's message (or why no answer came), when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl PrecheckResult {
    pub fn passed() -> PrecheckResult {
        PrecheckResult {
            passed: true,
            code: None,
            message: None,
            request_id: None,
        }
    }

    /// A failed precheck, from the error of the call.
    pub fn failed(error: &crate::cloud::Error) -> PrecheckResult {
        match error.api() {
            Some(api) => PrecheckResult {
                passed: false,
                code: Some(api.code.clone()),
                message: Some(api.message.clone()),
                request_id: api.request_id.clone(),
            },
            None => PrecheckResult {
                passed: false,
                code: None,
                message: Some(error.to_string()),
                request_id: None,
            },
        }
    }
}

/// The job a request is about, as every Alibaba request of it names it.
#[derive(Debug, Clone, Copy)]
pub struct JobTarget<'a> {
    pub dts_job_id: &'a str,
    /// Empty when unknown.
    pub dts_instance_id: &'a str,
    pub resource_group_id: Option<&'a str>,
    /// Whether requests name their direction (`SynchronizationDirection`): on a two-way
    /// job, or when the configuration asks.
    pub names_direction: bool,
}

impl JobTarget<'_> {
    /// The `SynchronizationDirection` to send for `direction`, if any.
    pub fn direction(&self, direction: Direction) -> Option<String> {
        (self.names_direction || !direction.is_forward()).then(|| direction.as_param().to_owned())
    }

    pub fn instance(&self) -> Option<String> {
        (!self.dts_instance_id.is_empty()).then(|| self.dts_instance_id.to_owned())
    }
}

/// Alibaba `ModifyDtsJobEndpoint` for one side: the fields it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointWrite {
    /// The direction whose endpoint changes (`forward` unless shown).
    #[serde(default, skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    pub side: Side,
    pub instance_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliyun_uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vswitch_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_vswitch_id: Option<String>,
    /// The account changes: `ModifyAccount=true` with this user and password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_account: Option<Account>,
    /// The compared fields that change; apply reads them back.
    pub changes: Vec<FieldChange>,
    /// What the precheck found, when the plan ran it (`plan --precheck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precheck: Option<PrecheckResult>,
}

impl EndpointWrite {
    /// `the destination endpoint`, `the source endpoint of the reverse direction`.
    pub fn what(&self) -> String {
        match self.direction {
            Direction::Forward => format!("the {} endpoint", self.side.name()),
            Direction::Reverse => {
                format!("the {} endpoint of the reverse direction", self.side.name())
            }
        }
    }

    /// The request that makes this change on `job`, with the passwords of its accounts
    /// (resolved by the caller, in the order of `account` and `shard_account`).
    pub fn request(
        &self,
        job: JobTarget<'_>,
        password: Option<crate::secret::Secret>,
        shard_password: Option<crate::secret::Secret>,
    ) -> ModifyDtsJobEndpoint {
        let mut request =
            ModifyDtsJobEndpoint::new(job.dts_job_id, self.side.api(), &self.instance_type);
        request.dts_instance_id = job.instance();
        request.resource_group_id = job.resource_group_id.map(str::to_owned);
        request.synchronization_direction = job.direction(self.direction);
        request.endpoint_instance_id.clone_from(&self.instance_id);
        request.endpoint_region_id.clone_from(&self.region);
        request.endpoint_ip.clone_from(&self.ip);
        request.endpoint_port.clone_from(&self.port);
        request.database.clone_from(&self.database);
        request.role_name.clone_from(&self.role_name);
        request.aliyun_uid.clone_from(&self.aliyun_uid);
        request.endpoint_vpc_id.clone_from(&self.vpc_id);
        request.endpoint_primary_vsw_id.clone_from(&self.vswitch_id);
        request
            .endpoint_secondary_vsw_id
            .clone_from(&self.secondary_vswitch_id);
        if let (Some(a), Some(p)) = (&self.account, password) {
            request.account = Some((a.username.clone(), p));
        }
        if let (Some(a), Some(p)) = (&self.shard_account, shard_password) {
            request.shard_account = Some((a.username.clone(), p));
        }
        request
    }
}

/// Alibaba `ModifyDtsJob` with the whole object list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectsWrite {
    #[serde(default, skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    /// The exact list sent.
    pub payload: Payload,
    /// The removals (and narrowings) the plan showed and allowed.
    pub removes: Vec<Removal>,
}

/// Alibaba `ModifyDtsJob` `UPDATE_RESERVED`: these keys, merged into the live ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservedWrite {
    #[serde(default, skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    pub reserved: Map<String, Value>,
    /// The keys that differ, before and after.
    pub changes: Vec<AttrChange>,
}

/// Alibaba `StartDtsJob` or `SuspendDtsJob`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusWrite {
    #[serde(default, skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    /// The live status, as shown.
    pub from: String,
    pub to: DesiredStatus,
}

/// Alibaba `ModifyDtsJob` with `StructureInitialization`, `DataInitialization` and
/// `DataSynchronization`: the phases the job runs (those set; the others are left as
/// they are).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationModeWrite {
    #[serde(default, skip_serializing_if = "Direction::is_forward")]
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structure_initialization: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_initialization: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_synchronization: Option<bool>,
    /// The flags that differ, before and after; apply reads them back.
    pub changes: Vec<FieldChange>,
}

impl MigrationModeWrite {
    /// The flags as the API model holds them.
    pub fn mode(&self) -> crate::cloud::alibaba::MigrationMode {
        crate::cloud::alibaba::MigrationMode {
            structure_initialization: self.structure_initialization,
            data_initialization: self.data_initialization,
            data_synchronization: self.data_synchronization,
        }
    }
}

/// What a Tencent job migrates: the whole instance, or these objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "objects", rename_all = "snake_case")]
pub enum MigrateObjects {
    WholeInstance,
    Listed(Payload),
}

/// Tencent `ModifyMigrateJob` with the whole configuration: the live one with the
/// configured fields merged in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrateModifyWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    /// `MigrateOption`, wire keys.
    pub migrate_option: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_access_type: Option<String>,
    /// `SrcInfo` without the password, wire keys.
    pub src_info: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_password: Option<SecretRef>,
    /// `SrcInfo.AccessKey`, named like a password: never in the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_access_key: Option<SecretRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_access_type: Option<String>,
    pub dst_info: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_password: Option<SecretRef>,
    /// `DatabaseInfo`, structured.
    pub objects: MigrateObjects,
    /// The removals (and narrowings) the plan showed and allowed.
    pub removes: Vec<Removal>,
    /// A job that migrates the whole instance is narrowed to the list (allowed by
    /// `removed { whole_instance = true }`).
    pub narrows_instance: bool,
    /// The configured fields that change.
    pub changes: Vec<FieldChange>,
}

/// Tencent `StartMigrateJob`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrateStartWrite {
    /// The live status, as shown.
    pub from: String,
}

/// A write the plan will make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    /// Alibaba `ModifyDtsJobEndpoint`.
    Endpoint(Box<EndpointWrite>),
    /// Alibaba `ModifyDtsJob` with the whole object list.
    Objects(ObjectsWrite),
    /// Alibaba `ModifyDtsJob` `UPDATE_RESERVED`.
    Reserved(ReservedWrite),
    /// Alibaba `ModifyDtsJob` with the migration-mode flags.
    MigrationMode(MigrationModeWrite),
    /// Alibaba `StartDtsJob` / `SuspendDtsJob`.
    Status(StatusWrite),
    /// Tencent `ModifyMigrateJob`.
    MigrateModify(Box<MigrateModifyWrite>),
    /// Tencent `CreateMigrateCheckJob`, then wait for the check to pass.
    MigrateCheck,
    /// Tencent `StartMigrateJob`.
    MigrateStart(MigrateStartWrite),
}

impl Operation {
    /// A short stable name, the last part of the operation's id: `objects`,
    /// `destination`, ...; `reverse/objects` for the reverse direction of a two-way job.
    pub fn slug(&self) -> &'static str {
        let (direction, forward, reverse) = match self {
            Operation::Endpoint(e) => match e.side {
                Side::Source => (e.direction, "source", "reverse/source"),
                Side::Destination => (e.direction, "destination", "reverse/destination"),
            },
            Operation::Objects(o) => (o.direction, "objects", "reverse/objects"),
            Operation::Reserved(r) => (r.direction, "reserved", "reverse/reserved"),
            Operation::MigrationMode(m) => {
                (m.direction, "migration_mode", "reverse/migration_mode")
            }
            Operation::Status(s) => (s.direction, "status", "reverse/status"),
            Operation::MigrateModify(_) => return "modify",
            Operation::MigrateCheck => return "check",
            Operation::MigrateStart(_) => return "start",
        };
        match direction {
            Direction::Forward => forward,
            Direction::Reverse => reverse,
        }
    }

    /// The direction of a two-way job it writes (Alibaba; `Forward` for the others).
    pub fn direction(&self) -> Direction {
        match self {
            Operation::Endpoint(e) => e.direction,
            Operation::Objects(o) => o.direction,
            Operation::Reserved(r) => r.direction,
            Operation::MigrationMode(m) => m.direction,
            Operation::Status(s) => s.direction,
            Operation::MigrateModify(_) | Operation::MigrateCheck | Operation::MigrateStart(_) => {
                Direction::Forward
            }
        }
    }

    /// The API action it calls.
    pub fn action(&self) -> &'static str {
        match self {
            Operation::Endpoint(_) => "ModifyDtsJobEndpoint",
            Operation::Objects(_) | Operation::Reserved(_) | Operation::MigrationMode(_) => {
                "ModifyDtsJob"
            }
            Operation::Status(StatusWrite {
                to: DesiredStatus::Running,
                ..
            }) => "StartDtsJob",
            Operation::Status(StatusWrite {
                to: DesiredStatus::Suspended,
                ..
            }) => "SuspendDtsJob",
            Operation::MigrateModify(_) => "ModifyMigrateJob",
            Operation::MigrateCheck => "CreateMigrateCheckJob",
            Operation::MigrateStart(_) => "StartMigrateJob",
        }
    }

    /// The cloud whose API it calls.
    pub fn cloud(&self) -> Cloud {
        match self {
            Operation::Endpoint(_)
            | Operation::Objects(_)
            | Operation::Reserved(_)
            | Operation::MigrationMode(_)
            | Operation::Status(_) => Cloud::Alibaba,
            Operation::MigrateModify(_) | Operation::MigrateCheck | Operation::MigrateStart(_) => {
                Cloud::Tencent
            }
        }
    }

    /// The secrets it sends, by endpoint (`src`/`dest`) and parameter (`Password`,
    /// `ShardPassword`, `AccessKey`).
    pub fn secrets(&self) -> Vec<(&'static str, &'static str, &SecretRef)> {
        match self {
            Operation::Endpoint(e) => {
                let side = secret_side(e.direction, e.side);
                let mut out = Vec::new();
                if let Some(a) = &e.account {
                    out.push((side, "Password", &a.password));
                }
                if let Some(a) = &e.shard_account {
                    out.push((side, "ShardPassword", &a.password));
                }
                out
            }
            Operation::MigrateModify(m) => [
                ("src", "Password", &m.src_password),
                ("src", "AccessKey", &m.src_access_key),
                ("dest", "Password", &m.dst_password),
            ]
            .into_iter()
            .filter_map(|(side, key, p)| Some((side, key, p.as_ref()?)))
            .collect(),
            _ => Vec::new(),
        }
    }
}

/// How the configuration's passwords are keyed by endpoint (see
/// `config::JobSpec::secrets`): `src`, `dest`, `reverse src`, `reverse dest`.
pub fn secret_side(direction: Direction, side: Side) -> &'static str {
    match (direction, side) {
        (Direction::Forward, Side::Source) => "src",
        (Direction::Forward, Side::Destination) => "dest",
        (Direction::Reverse, Side::Source) => "reverse src",
        (Direction::Reverse, Side::Destination) => "reverse dest",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_null_payload_is_unreadable() {
        let null: Payload = serde_json::from_str("null").unwrap();
        assert!(null.tree().is_err());
    }

    #[test]
    fn operations_are_tagged_records_with_structured_lists() {
        let op = Operation::Objects(ObjectsWrite {
            direction: Direction::Forward,
            payload: Payload::of(
                &ObjectTree::from_value(&json!({"shop": {"name": "shop", "all": true}})).unwrap(),
            ),
            removes: vec![Removal::parse("crm").unwrap()],
        });
        let value = serde_json::to_value(&op).unwrap();
        assert_eq!(
            value,
            json!({"kind": "objects", "payload": {"shop": {"name": "shop", "all": true}}, "removes": ["crm"]})
        );
        let back = serde_json::from_str::<Operation>(&serde_json::to_string(&op).unwrap()).unwrap();
        assert_eq!(back, op);
        let check = serde_json::to_value(Operation::MigrateCheck).unwrap();
        assert_eq!(check, json!({"kind": "migrate_check"}));
        assert_eq!(
            (op.slug(), op.action(), op.cloud()),
            ("objects", "ModifyDtsJob", Cloud::Alibaba)
        );
    }

    #[test]
    fn the_reverse_direction_is_in_the_id_and_the_record() {
        let op = Operation::Status(StatusWrite {
            direction: Direction::Reverse,
            from: "Suspending".into(),
            to: DesiredStatus::Running,
        });
        assert_eq!((op.slug(), op.action()), ("reverse/status", "StartDtsJob"));
        assert_eq!(
            serde_json::to_value(&op).unwrap(),
            json!({"kind": "status", "direction": "reverse", "from": "Suspending", "to": "running"})
        );
        let mode = Operation::MigrationMode(MigrationModeWrite {
            direction: Direction::Forward,
            structure_initialization: Some(false),
            data_initialization: None,
            data_synchronization: None,
            changes: Vec::new(),
        });
        assert_eq!(
            serde_json::to_value(&mode).unwrap(),
            json!({"kind": "migration_mode", "structure_initialization": false, "changes": []}),
            "the forward direction is the default and not written"
        );
        assert_eq!(
            (mode.slug(), mode.action()),
            ("migration_mode", "ModifyDtsJob")
        );
    }
}
