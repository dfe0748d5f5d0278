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

use crate::cloud::alibaba::EndpointSide;
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

/// Read through a `Value`: a payload sits inside tagged and flattened records, which
/// serde buffers, and a raw value cannot be read from a buffer.
impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        RawValue::from_string(value.to_string())
            .map(Payload)
            .map_err(serde::de::Error::custom)
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

/// Alibaba `ModifyDtsJobEndpoint` for one side: the fields it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointWrite {
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
}

/// Alibaba `ModifyDtsJob` with the whole object list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectsWrite {
    /// The exact list sent.
    pub payload: Payload,
    /// The removals (and narrowings) the plan showed and allowed.
    pub removes: Vec<Removal>,
}

/// Alibaba `ModifyDtsJob` `UPDATE_RESERVED`: these keys, merged into the live ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservedWrite {
    pub reserved: Map<String, Value>,
    /// The keys that differ, before and after.
    pub changes: Vec<AttrChange>,
}

/// Alibaba `StartDtsJob` or `SuspendDtsJob`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusWrite {
    /// The live status, as shown.
    pub from: String,
    pub to: DesiredStatus,
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
    /// A short stable name, the last part of the operation's id.
    pub fn slug(&self) -> &'static str {
        match self {
            Operation::Endpoint(e) => e.side.name(),
            Operation::Objects(_) => "objects",
            Operation::Reserved(_) => "reserved",
            Operation::Status(_) => "status",
            Operation::MigrateModify(_) => "modify",
            Operation::MigrateCheck => "check",
            Operation::MigrateStart(_) => "start",
        }
    }

    /// The API action it calls.
    pub fn action(&self) -> &'static str {
        match self {
            Operation::Endpoint(_) => "ModifyDtsJobEndpoint",
            Operation::Objects(_) | Operation::Reserved(_) => "ModifyDtsJob",
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
                let side = e.side.api().as_param();
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
}
