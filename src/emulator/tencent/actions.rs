//! The Tencent Cloud DTS actions the emulator serves (API 2018-03-30, reference
//! `tencent-dts-api.md` §4), with the status machine of §4.1:
//!
//! * `ModifyMigrateJob` in status 1, 4, 5 or 10 sets the job back to 1 (Creating) and
//!   forgets its last check. `DatabaseInfo` is a **full replacement**: the job's object
//!   list becomes exactly the string sent (`[]`, the whole instance, when it is absent or
//!   `MigrateOption.MigrateObject` is 1). The target region cannot change.
//! * `CreateMigrateCheckJob` in status 1, 4, 5 or 10 holds the job in 3 (Checking) for the
//!   configured check time, then 4 (CheckPass) or 5 (CheckNotPass); a selection naming a
//!   database or table configured as missing fails the check.
//! * `StartMigrateJob` only in 4: 6 (undocumented, "ready to run") for one step, then 7
//!   (Running), where the job stays.
//! * `DescribeMigrateJobs` and `DescribeMigrateCheckJob` answer in the shapes of the
//!   official examples.
//!
//! Every answer is HTTP 200 with `Content-Type: application/json`, errors included
//! (`{"Response":{"Error":{"Code","Message"},"RequestId"}}`), as the real service does.
//! Where the reference marks behaviour as unverified, the choice made here is documented
//! in the README's emulator section.

use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::Behaviour;
use super::world::{CheckStatus, TencentCheck, TencentJob, World, WriteRecord, rfc3339};

/// The API version served.
pub const API_VERSION: &str = "2018-03-30";
/// The newer DTS API version, which exists at Tencent Cloud but is not emulated.
pub const NEWER_API_VERSION: &str = "2021-12-06";
/// Requests per second per action before `RequestLimitExceeded` (the documented limit).
pub const DEFAULT_RATE_LIMIT: u32 = 20;
/// What unset times look like in answers.
pub const NO_TIME: &str = "0000-00-00 00:00:00";

const READ_ACTIONS: &[&str] = &["DescribeMigrateJobs", "DescribeMigrateCheckJob"];
const WRITE_ACTIONS: &[&str] = &[
    "ModifyMigrateJob",
    "CreateMigrateCheckJob",
    "StartMigrateJob",
];
/// Actions of API 2018-03-30 that exist at Tencent Cloud but are not emulated.
const NOT_EMULATED: &[&str] = &[
    "ActivateSubscribe",
    "CompleteMigrateJob",
    "CreateMigrateJob",
    "CreateSubscribe",
    "DeleteMigrateJob",
    "DescribeAsyncRequestInfo",
    "DescribeSubscribeConf",
    "DescribeSubscribes",
    "IsolateSubscribe",
    "ModifySubscribeAutoRenewFlag",
    "ModifySubscribeConsumeTime",
    "ModifySubscribeName",
    "ModifySubscribeObjects",
    "ModifySubscribeVipVport",
    "OfflineIsolatedSubscribe",
    "ResetSubscribe",
    "StopMigrateJob",
];

/// Statuses in which a job may be modified or checked (§4.1).
const MODIFIABLE: &[u32] = &[1, 4, 5, 10];
const CHECKING: u32 = 3;
const CHECK_PASS: u32 = 4;
const CHECK_NOT_PASS: u32 = 5;
const READY_RUN: u32 = 6;
const RUNNING: u32 = 7;

const SRC_ACCESS_TYPES: &[&str] = &[
    "extranet",
    "cvm",
    "dcg",
    "vpncloud",
    "vpnselfbuild",
    "cdb",
    "ccn",
];
const SRC_INFO_KEYS: &[&str] = &[
    "AccessKey",
    "Ip",
    "Port",
    "User",
    "Password",
    "RdsInstanceId",
    "CvmInstanceId",
    "UniqDcgId",
    "VpcId",
    "SubnetId",
    "UniqVpnGwId",
    "InstanceId",
    "Region",
    "Supplier",
    "CcnId",
    "EngineVersion",
];
/// `SrcInfo` keys every answer shows, in the order of the official example.
const SRC_INFO_SHOWN: &[&str] = &[
    "AccessKey",
    "Ip",
    "Port",
    "User",
    "Password",
    "RdsInstanceId",
    "CvmInstanceId",
    "UniqDcgId",
    "SubnetId",
    "UniqVpnGwId",
    "InstanceId",
    "Region",
    "VpcId",
];
const DST_INFO_KEYS: &[&str] = &[
    "Region",
    "InstanceId",
    "Ip",
    "Port",
    "ReadOnly",
    "User",
    "Password",
];
const MIGRATE_OPTION_KEYS: &[&str] = &[
    "RunMode",
    "ExpectTime",
    "MigrateType",
    "MigrateObject",
    "ConsistencyType",
    "IsOverrideRoot",
    "ExternParams",
    "ConsistencyParams",
];
const CONSISTENCY_PARAMS_KEYS: &[&str] =
    &["SelectRowsPerTable", "TablesSelectAll", "TablesSelectCount"];
const ORDER_KEYS: &[&str] = &[
    "JobId",
    "Status",
    "JobName",
    "MigrateType",
    "RunMode",
    "CreateTime",
];

/// The check failure message of the official example (zh-CN, the default language).
pub const CHECK_MISSING_TABLE_ZH: &str =
    "选择的库表不存在，请重新选择[存在输入参数table在源实例没有找到]";

// ------------------------------------------------------------------------------------
// Answers

/// A Tencent Cloud API error (always sent with HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcFailure {
    pub code: String,
    pub message: String,
}

impl TcFailure {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn missing(param: &str) -> Self {
        Self::new(
            "MissingParameter",
            format!("The request is missing a required parameter `{param}`."),
        )
    }

    pub fn unknown_parameter(param: &str) -> Self {
        Self::new(
            "UnknownParameter",
            format!("The parameter `{param}` is not recognized."),
        )
    }

    /// A parameter of the wrong type or shape.
    pub fn invalid(param: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            "InvalidParameter",
            format!("The parameter `{param}` is invalid: {why}"),
        )
    }

    /// A parameter of the right type with a value that is not allowed.
    pub fn invalid_value(param: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            "InvalidParameterValue",
            format!("The value of parameter `{param}` is invalid: {why}"),
        )
    }

    pub fn job_not_found() -> Self {
        Self::new(
            "ResourceNotFound.JobNotExist",
            "The migration task does not exist.",
        )
    }

    pub fn status_conflict(action: &str, status: u32) -> Self {
        Self::new(
            "FailedOperation.StatusInConflict",
            format!(
                "{action} is not allowed in the task's current status: {status} ({}).",
                status_name(status)
            ),
        )
    }

    /// The rate-limit answer, in the message format seen in the wild.
    pub fn rate_limited(count: u32, limit: u32) -> Self {
        Self::new(
            "RequestLimitExceeded",
            format!(
                "Your current request times equals to `{count}` in a second, which exceeds the frequency limit `{limit}` for a second. Please reduce the frequency of calls."
            ),
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            "ServiceUnavailable",
            "Service is unavailable now, please try again later.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            "InternalError",
            "An internal error occurred, please try again later.",
        )
    }

    /// The JSON body of this error.
    pub fn body(&self, request_id: &str) -> Value {
        json!({"Response": {
            "Error": {"Code": self.code, "Message": self.message},
            "RequestId": request_id,
        }})
    }

    pub fn into_response(self, request_id: &str) -> Response {
        json_response(&self.body(request_id))
    }
}

/// A successful answer: the action's fields, then `RequestId`.
pub fn success_response(mut fields: Map<String, Value>, request_id: &str) -> Response {
    fields.insert("RequestId".into(), json!(request_id));
    json_response(&json!({ "Response": fields }))
}

/// HTTP 200 and `Content-Type: application/json` exactly: the Python SDK only looks for
/// an error in answers of that content type.
fn json_response(body: &Value) -> Response {
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A lower-case UUID, the shape of Tencent RequestIds.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// Whether a request speaks Tencent's protocol: it names an `X-TC-Action`, or is signed
/// with `TC3-HMAC-SHA256`.
pub fn is_tencent(headers: &HeaderMap) -> bool {
    headers.contains_key("x-tc-action")
        || headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("TC3-HMAC-SHA256"))
}

/// Whether `action` is one the emulator treats as a write.
pub fn is_write(action: &str) -> bool {
    WRITE_ACTIONS.contains(&action)
}

/// Refuses versions and actions the emulator does not serve.
pub fn check_action(version: &str, action: &str) -> Result<(), TcFailure> {
    if version == NEWER_API_VERSION {
        return Err(TcFailure::new(
            "UnsupportedOperation",
            format!(
                "The dtsform emulator serves DTS API version {API_VERSION} only; version {NEWER_API_VERSION} is not emulated."
            ),
        ));
    }
    if version != API_VERSION {
        return Err(TcFailure::new(
            "NoSuchVersion",
            format!("The requested version `{version}` of service `dts` does not exist."),
        ));
    }
    if READ_ACTIONS.contains(&action) || is_write(action) {
        Ok(())
    } else if NOT_EMULATED.contains(&action) {
        Err(TcFailure::new(
            "UnsupportedOperation",
            format!("The action `{action}` is not emulated by dtsform."),
        ))
    } else {
        Err(TcFailure::new(
            "InvalidAction",
            format!("The action `{action}` does not exist in version {API_VERSION} of dts."),
        ))
    }
}

/// The status name of the SDK's enumeration (2 and 6 are undocumented; named by inference).
pub fn status_name(status: u32) -> &'static str {
    match status {
        1 => "Creating",
        2 => "Created",
        3 => "Checking",
        4 => "CheckPass",
        5 => "CheckNotPass",
        6 => "ReadyRun",
        7 => "Running",
        8 => "ReadyComplete",
        9 => "Success",
        10 => "Failed",
        11 => "Stopping",
        12 => "Completing",
        _ => "Unknown",
    }
}

// ------------------------------------------------------------------------------------
// Parameters

/// The largest list in flattened parameters (a bound on what one name can allocate).
const MAX_FLAT_INDEX: usize = 1000;

/// Parameters sent flattened (`GET` query or form body: `MigrateOption.RunMode=1`,
/// `TagFilters.0.TagKey=k`) as the JSON object a POST would carry. Values stay strings;
/// integer parameters accept numeric strings.
pub fn unflatten(pairs: &[(String, String)]) -> Result<Map<String, Value>, TcFailure> {
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let path: Vec<&str> = key.split('.').collect();
        if path.iter().any(|p| p.is_empty()) {
            return Err(TcFailure::invalid(key, "the parameter name is malformed"));
        }
        insert_path(&mut root, &path, value, key)?;
    }
    match root {
        Value::Object(map) => Ok(map),
        _ => Err(TcFailure::invalid("", "the parameters are malformed")),
    }
}

fn insert_path(node: &mut Value, path: &[&str], value: &str, key: &str) -> Result<(), TcFailure> {
    let conflict = || {
        TcFailure::invalid(
            key,
            "it is given more than once or conflicts with another parameter",
        )
    };
    let Some((first, rest)) = path.split_first() else {
        return Err(conflict());
    };
    let child = match (node, first.parse::<usize>()) {
        (Value::Object(map), _) => map
            .entry((*first).to_owned())
            .or_insert_with(|| new_node(rest)),
        (Value::Array(_), Ok(index)) if index >= MAX_FLAT_INDEX => {
            return Err(TcFailure::invalid(
                key,
                format!("list indexes go up to {}", MAX_FLAT_INDEX - 1),
            ));
        }
        (Value::Array(items), Ok(index)) => {
            if items.len() <= index {
                items.resize(index + 1, Value::Null);
            }
            let slot = &mut items[index];
            if slot.is_null() {
                *slot = new_node(rest);
            }
            slot
        }
        _ => return Err(conflict()),
    };
    if rest.is_empty() {
        return if child.is_null() {
            *child = Value::String(value.to_owned());
            Ok(())
        } else {
            Err(conflict())
        };
    }
    if !(child.is_object() || child.is_array()) {
        return Err(conflict());
    }
    insert_path(child, rest, value, key)
}

/// The container for the next path element: an array for an index, else an object; a
/// leaf starts empty (`Null`).
fn new_node(rest: &[&str]) -> Value {
    match rest.first() {
        None => Value::Null,
        Some(next) if next.parse::<usize>().is_ok() => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
    }
}

/// Refuses keys not in `known`; `prefix` names the enclosing parameter in messages.
fn check_known(map: &Map<String, Value>, known: &[&str], prefix: &str) -> Result<(), TcFailure> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(TcFailure::unknown_parameter(&format!("{prefix}{k}"))),
        None => Ok(()),
    }
}

/// A present, non-null value.
fn get<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name).filter(|v| !v.is_null())
}

fn string<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'m str>, TcFailure> {
    match get(map, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(TcFailure::invalid(path, "it must be a String")),
    }
}

/// An integer: a JSON integer, or a string of one (GET and form parameters).
fn integer(map: &Map<String, Value>, name: &str, path: &str) -> Result<Option<i64>, TcFailure> {
    let not_integer = || TcFailure::invalid(path, "it must be an Integer");
    match get(map, name) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(not_integer),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| not_integer()),
        Some(_) => Err(not_integer()),
    }
}

/// An integer that must be one of `allowed`.
fn integer_in(
    map: &Map<String, Value>,
    name: &str,
    path: &str,
    allowed: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, TcFailure> {
    match integer(map, name, path)? {
        Some(n) if !allowed.contains(&n) => Err(TcFailure::invalid_value(
            path,
            format!("{n} is not from {} to {}", allowed.start(), allowed.end()),
        )),
        n => Ok(n),
    }
}

fn object<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'m Map<String, Value>>, TcFailure> {
    match get(map, name) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(TcFailure::invalid(path, "it must be an object")),
    }
}

fn array<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'m Vec<Value>>, TcFailure> {
    match get(map, name) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(TcFailure::invalid(path, "it must be an array")),
    }
}

/// `JobId`, required and non-empty.
fn job_id(params: &Map<String, Value>) -> Result<&str, TcFailure> {
    string(params, "JobId", "JobId")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| TcFailure::missing("JobId"))
}

/// `yyyy-mm-dd hh:mm:ss`, China Standard Time, as a point in time.
fn parse_tencent_time(text: &str) -> Option<SystemTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let local = PrimitiveDateTime::parse(text, format).ok()?;
    crate::util::from_datetime(local.assume_offset(offset!(+8)))
}

/// An RFC 3339 time from the world as Tencent shows times: `yyyy-mm-dd hh:mm:ss` in
/// China Standard Time; unset is `0000-00-00 00:00:00`; unreadable text is shown as is.
pub fn shown_time(rfc3339_text: Option<&str>) -> String {
    let Some(text) = rfc3339_text else {
        return NO_TIME.to_owned();
    };
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(offset!(+8)).format(format).ok())
        .unwrap_or_else(|| text.to_owned())
}

// ------------------------------------------------------------------------------------
// DatabaseInfo

/// One entry of `DatabaseInfo`: a database (optionally one schema of it), whole or
/// some of its tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub database: String,
    pub schema: Option<String>,
    /// Empty: the whole database (or schema).
    pub tables: Vec<String>,
}

impl Selection {
    /// The names this entry selects: `db` (or `db.schema`) and each `db[.schema].table`.
    fn names(&self) -> Vec<String> {
        let base = match &self.schema {
            Some(schema) => format!("{}.{schema}", self.database),
            None => self.database.clone(),
        };
        let mut names = vec![self.database.clone()];
        if self.schema.is_some() {
            names.push(base.clone());
        }
        names.extend(self.tables.iter().map(|t| format!("{base}.{t}")));
        names
    }
}

/// Parses `DatabaseInfo`: a JSON array of objects, each with a non-empty string
/// `Database`, optionally a string `Schema` and an array of strings `Table` — nothing
/// else. `[]` is the whole instance.
pub fn parse_database_info(text: &str) -> Result<Vec<Selection>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let Value::Array(entries) = value else {
        return Err("it must be a JSON array of objects".into());
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let Value::Object(entry) = entry else {
                return Err(format!("entry {i} must be an object"));
            };
            if let Some(key) = entry
                .keys()
                .find(|k| !["Database", "Schema", "Table"].contains(&k.as_str()))
            {
                return Err(format!(
                    "entry {i} has the unknown key {key:?} (allowed: Database, Schema, Table)"
                ));
            }
            let database = match entry.get("Database") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                _ => return Err(format!("entry {i} needs a non-empty string Database")),
            };
            let schema = match entry.get("Schema") {
                None => None,
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                Some(_) => return Err(format!("entry {i}: Schema must be a non-empty string")),
            };
            let tables = match entry.get("Table") {
                None => Vec::new(),
                Some(Value::Array(tables)) => tables
                    .iter()
                    .map(|t| match t {
                        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                        _ => Err(format!(
                            "entry {i}: Table must be an array of non-empty strings"
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("entry {i}: Table must be an array of strings")),
            };
            Ok(Selection {
                database,
                schema,
                tables,
            })
        })
        .collect()
}

/// The first selected name (`db`, `db.table`, `db.schema.table`) that `missing` lists.
fn first_missing(selections: &[Selection], missing: &[String]) -> Option<String> {
    selections
        .iter()
        .flat_map(Selection::names)
        .find(|name| missing.iter().any(|m| m == name))
}

// ------------------------------------------------------------------------------------
// Request validation

/// `MigrateOption`, checked; integers normalized.
fn migrate_option(option: &Map<String, Value>) -> Result<Map<String, Value>, TcFailure> {
    const P: &str = "MigrateOption.";
    check_known(option, MIGRATE_OPTION_KEYS, P)?;
    let mut out = Map::new();
    for (name, range) in [
        ("RunMode", 1..=2),
        ("MigrateType", 1..=3),
        ("MigrateObject", 1..=2),
        ("ConsistencyType", 1..=5),
        ("IsOverrideRoot", 0..=1),
    ] {
        if let Some(n) = integer_in(option, name, &format!("{P}{name}"), range)? {
            out.insert(name.into(), json!(n));
        }
    }
    if let Some(expect) = string(option, "ExpectTime", "MigrateOption.ExpectTime")? {
        if parse_tencent_time(expect).is_none() && expect != NO_TIME {
            return Err(TcFailure::invalid_value(
                "MigrateOption.ExpectTime",
                format!("{expect:?} is not a time like 2024-01-01 00:00:00"),
            ));
        }
        out.insert("ExpectTime".into(), json!(expect));
    }
    if let Some(extern_params) = string(option, "ExternParams", "MigrateOption.ExternParams")? {
        out.insert("ExternParams".into(), json!(extern_params));
    }
    if let Some(params) = object(
        option,
        "ConsistencyParams",
        "MigrateOption.ConsistencyParams",
    )? {
        const CP: &str = "MigrateOption.ConsistencyParams.";
        check_known(params, CONSISTENCY_PARAMS_KEYS, CP)?;
        let mut checked = Map::new();
        for name in CONSISTENCY_PARAMS_KEYS {
            if let Some(n) = integer_in(params, name, &format!("{CP}{name}"), 1..=100)? {
                checked.insert((*name).into(), json!(n));
            }
        }
        out.insert("ConsistencyParams".into(), Value::Object(checked));
    }
    let number = |name: &str| out.get(name).and_then(Value::as_i64);
    if number("RunMode") == Some(2) && !out.contains_key("ExpectTime") {
        return Err(TcFailure::invalid_value(
            "MigrateOption.ExpectTime",
            "it is required when RunMode is 2 (timed)",
        ));
    }
    if number("ConsistencyType") == Some(3) && !out.contains_key("ConsistencyParams") {
        return Err(TcFailure::invalid_value(
            "MigrateOption.ConsistencyParams",
            "it is required when ConsistencyType is 3 (sampled check)",
        ));
    }
    if number("IsOverrideRoot") == Some(1)
        && (number("MigrateObject") == Some(2) || number("MigrateType") == Some(1))
    {
        return Err(TcFailure::invalid_value(
            "MigrateOption.IsOverrideRoot",
            "it must be 0 when migrating selected databases (MigrateObject 2) or structure only (MigrateType 1)",
        ));
    }
    Ok(out)
}

/// An endpoint object (`SrcInfo`, `DstInfo`), checked, without `Password`.
fn endpoint_info(
    info: &Map<String, Value>,
    known: &[&str],
    prefix: &str,
) -> Result<Map<String, Value>, TcFailure> {
    check_known(info, known, prefix)?;
    let mut out = Map::new();
    for (key, value) in info {
        let path = format!("{prefix}{key}");
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            // Checked for type, never kept.
            "Password" => {
                string(info, key, &path)?;
            }
            "Port" => {
                if let Some(port) = integer_in(info, key, &path, 0..=65535)? {
                    out.insert(key.clone(), json!(port));
                }
            }
            "ReadOnly" => {
                if let Some(n) = integer_in(info, key, &path, 0..=1)? {
                    out.insert(key.clone(), json!(n));
                }
            }
            _ => {
                if let Some(s) = string(info, key, &path)? {
                    out.insert(key.clone(), json!(s));
                }
            }
        }
    }
    Ok(out)
}

/// A ModifyMigrateJob, checked before the job is looked at.
struct Modification {
    name: Option<String>,
    option: Option<Map<String, Value>>,
    src_access_type: Option<String>,
    src_info: Option<Map<String, Value>>,
    dst_access_type: Option<String>,
    dst_info: Option<Map<String, Value>>,
    /// The text sent, and what it selects.
    database_info: Option<(String, Vec<Selection>)>,
    src_node_type: Option<String>,
    src_info_multi: Option<Vec<Map<String, Value>>>,
}

fn modification(params: &Map<String, Value>) -> Result<Modification, TcFailure> {
    check_known(
        params,
        &[
            "JobId",
            "JobName",
            "MigrateOption",
            "SrcAccessType",
            "SrcInfo",
            "DstAccessType",
            "DstInfo",
            "DatabaseInfo",
            "SrcNodeType",
            "SrcInfoMulti",
        ],
        "",
    )?;
    let src_access_type = string(params, "SrcAccessType", "SrcAccessType")?;
    if let Some(t) = src_access_type
        && !SRC_ACCESS_TYPES.contains(&t)
    {
        return Err(TcFailure::invalid_value(
            "SrcAccessType",
            format!("{t:?} is not one of {}", SRC_ACCESS_TYPES.join(", ")),
        ));
    }
    let dst_access_type = string(params, "DstAccessType", "DstAccessType")?;
    if let Some(t) = dst_access_type
        && t != "cdb"
    {
        return Err(TcFailure::invalid_value(
            "DstAccessType",
            format!("{t:?} is not supported; only cdb is"),
        ));
    }
    let src_node_type = string(params, "SrcNodeType", "SrcNodeType")?;
    if let Some(t) = src_node_type
        && !["", "simple", "cluster"].contains(&t)
    {
        return Err(TcFailure::invalid_value(
            "SrcNodeType",
            format!("{t:?} is not simple or cluster"),
        ));
    }
    let database_info = match string(params, "DatabaseInfo", "DatabaseInfo")? {
        None => None,
        Some(text) => {
            let selections = parse_database_info(text)
                .map_err(|why| TcFailure::invalid_value("DatabaseInfo", why))?;
            Some((text.to_owned(), selections))
        }
    };
    let src_info_multi = match array(params, "SrcInfoMulti", "SrcInfoMulti")? {
        None => None,
        Some(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Object(info) => {
                        endpoint_info(info, SRC_INFO_KEYS, &format!("SrcInfoMulti.{i}."))
                    }
                    _ => Err(TcFailure::invalid(
                        &format!("SrcInfoMulti.{i}"),
                        "it must be an object",
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Modification {
        name: string(params, "JobName", "JobName")?.map(str::to_owned),
        option: object(params, "MigrateOption", "MigrateOption")?
            .map(migrate_option)
            .transpose()?,
        src_access_type: src_access_type.map(str::to_owned),
        src_info: object(params, "SrcInfo", "SrcInfo")?
            .map(|info| endpoint_info(info, SRC_INFO_KEYS, "SrcInfo."))
            .transpose()?,
        dst_access_type: dst_access_type.map(str::to_owned),
        dst_info: object(params, "DstInfo", "DstInfo")?
            .map(|info| endpoint_info(info, DST_INFO_KEYS, "DstInfo."))
            .transpose()?,
        database_info,
        src_node_type: src_node_type.map(str::to_owned),
        src_info_multi,
    })
}

// ------------------------------------------------------------------------------------
// Calls

/// One authenticated call.
pub struct Call<'a> {
    pub action: &'a str,
    /// `X-TC-Region`.
    pub region: &'a str,
    /// The body (POST) or the unflattened query/form parameters.
    pub params: &'a Map<String, Value>,
    pub request_id: &'a str,
    pub now: SystemTime,
    /// `X-TC-Language: en-US` (otherwise messages that have a Chinese original use it).
    pub english: bool,
}

/// The answer to a call and whether it changed the world (so it must be persisted).
#[derive(Debug)]
pub struct Outcome {
    /// The fields of `Response`, without `RequestId`.
    pub body: Map<String, Value>,
    pub changed: bool,
    /// Whether this was a write action (fault injection may drop its answer).
    pub write: bool,
}

/// Runs one authenticated call against the world. `check_action` has passed.
pub fn handle(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Outcome, TcFailure> {
    for job in &mut world.tencent_jobs {
        job.settle(call.now);
    }
    let write = is_write(call.action);
    let (body, what) = match call.action {
        "DescribeMigrateJobs" => (describe_jobs(call, world)?, None),
        "DescribeMigrateCheckJob" => (describe_check(call, world)?, None),
        "ModifyMigrateJob" => modify_job(call, world)?,
        "CreateMigrateCheckJob" => create_check(call, world, behaviour)?,
        "StartMigrateJob" => start_job(call, world, behaviour)?,
        other => {
            return Err(TcFailure::new(
                "InvalidAction",
                format!("The action `{other}` does not exist."),
            ));
        }
    };
    let changed = what.is_some();
    if let Some((job_id, what)) = what {
        let seq = world.writes.last().map_or(1, |w| w.seq.saturating_add(1));
        world.writes.push(WriteRecord {
            seq,
            at: rfc3339(call.now),
            action: call.action.to_owned(),
            job_id,
            request_id: call.request_id.to_owned(),
            client_token: None,
            what: what.to_owned(),
        });
    }
    Ok(Outcome {
        body,
        changed,
        write,
    })
}

/// A write's answer and, for the write log, (job id, what it did).
type Written = (Map<String, Value>, Option<(String, &'static str)>);

fn find_job<'w>(
    call: &Call<'_>,
    world: &'w mut World,
    job_id: &str,
) -> Result<&'w mut TencentJob, TcFailure> {
    world
        .tencent_jobs
        .iter_mut()
        .find(|j| j.job_id == job_id && j.region == call.region)
        .ok_or_else(TcFailure::job_not_found)
}

/// `now + wait`, or a refusal — before anything changes — if the world file could not
/// record it (a misconfigured duration).
fn after(now: SystemTime, wait: Duration) -> Result<SystemTime, TcFailure> {
    now.checked_add(wait)
        .filter(|t| crate::util::to_datetime(*t).is_some())
        .ok_or_else(|| {
            TcFailure::new(
                "InternalError",
                "The emulator's configured durations are too long to schedule.",
            )
        })
}

fn describe_jobs(call: &Call<'_>, world: &World) -> Result<Map<String, Value>, TcFailure> {
    let params = call.params;
    check_known(
        params,
        &[
            "JobId",
            "JobName",
            "Order",
            "OrderSeq",
            "Offset",
            "Limit",
            "TagFilters",
        ],
        "",
    )?;
    let job_id = string(params, "JobId", "JobId")?.filter(|s| !s.is_empty());
    let job_name = string(params, "JobName", "JobName")?.filter(|s| !s.is_empty());
    let offset = integer(params, "Offset", "Offset")?.unwrap_or(0);
    let offset = usize::try_from(offset)
        .map_err(|_| TcFailure::invalid_value("Offset", format!("{offset} is negative")))?;
    let limit = integer_in(params, "Limit", "Limit", 1..=100)?.unwrap_or(20);
    let limit = usize::try_from(limit).unwrap_or(20);
    let order = string(params, "Order", "Order")?.filter(|s| !s.is_empty());
    if let Some(order) = order
        && !ORDER_KEYS.contains(&order)
    {
        return Err(TcFailure::invalid_value(
            "Order",
            format!("{order:?} is not one of {}", ORDER_KEYS.join(", ")),
        ));
    }
    let descending = match string(params, "OrderSeq", "OrderSeq")?.filter(|s| !s.is_empty()) {
        None => false,
        Some(s) if s.eq_ignore_ascii_case("ASC") => false,
        Some(s) if s.eq_ignore_ascii_case("DESC") => true,
        Some(s) => {
            return Err(TcFailure::invalid_value(
                "OrderSeq",
                format!("{s:?} is not ASC or DESC"),
            ));
        }
    };
    let filters = tag_filters(params)?;
    let mut matching: Vec<&TencentJob> = world
        .tencent_jobs
        .iter()
        .filter(|j| j.region == call.region)
        .filter(|j| job_id.is_none_or(|id| j.job_id == id))
        .filter(|j| job_name.is_none_or(|name| j.name == name))
        .filter(|j| {
            filters.iter().all(|(key, values)| {
                j.tags
                    .iter()
                    .any(|t| &t.key == key && (values.is_empty() || values.contains(&t.value)))
            })
        })
        .collect();
    if let Some(order) = order {
        matching.sort_by_key(|j| sort_key(j, order));
    }
    if descending {
        matching.reverse();
    }
    let rows: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|job| job_info(job))
        .collect();
    let mut m = Map::new();
    m.insert("TotalCount".into(), json!(matching.len()));
    m.insert("JobList".into(), Value::Array(rows));
    Ok(m)
}

/// What a sort by `order` compares: numbers as numbers, text as text.
fn sort_key(job: &TencentJob, order: &str) -> (i64, String) {
    let option = |name: &str| {
        job.migrate_option
            .get(name)
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    match order {
        "Status" => (i64::from(job.status), String::new()),
        "JobName" => (0, job.name.clone()),
        "MigrateType" => (option("MigrateType"), String::new()),
        "RunMode" => (option("RunMode"), String::new()),
        "CreateTime" => (0, shown_time(job.create_time.as_deref())),
        _ => (0, job.job_id.clone()),
    }
}

/// `TagFilters`: (key, accepted values; empty = any value).
fn tag_filters(params: &Map<String, Value>) -> Result<Vec<(String, Vec<String>)>, TcFailure> {
    let Some(items) = array(params, "TagFilters", "TagFilters")? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("TagFilters.{i}");
            let Value::Object(filter) = item else {
                return Err(TcFailure::invalid(&path, "it must be an object"));
            };
            check_known(filter, &["TagKey", "TagValue"], &format!("{path}."))?;
            let key = string(filter, "TagKey", &format!("{path}.TagKey"))?
                .ok_or_else(|| TcFailure::missing(&format!("{path}.TagKey")))?;
            let values = array(filter, "TagValue", &format!("{path}.TagValue"))?
                .map(|values| {
                    values
                        .iter()
                        .map(|v| {
                            v.as_str().map(str::to_owned).ok_or_else(|| {
                                TcFailure::invalid(
                                    &format!("{path}.TagValue"),
                                    "it must be an array of strings",
                                )
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            Ok((key.to_owned(), values))
        })
        .collect()
}

/// A `MigrateJobInfo`, with every key of the official example.
pub fn job_info(job: &TencentJob) -> Value {
    let option = &job.migrate_option;
    let or = |name: &str, default: Value| option.get(name).cloned().unwrap_or(default);
    let consistency = option
        .get("ConsistencyParams")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let count = |name: &str| consistency.get(name).cloned().unwrap_or(json!(0));
    let migrate_option = json!({
        "RunMode": or("RunMode", json!(1)),
        "ExpectTime": or("ExpectTime", json!(NO_TIME)),
        "MigrateType": or("MigrateType", json!(2)),
        "MigrateObject": or("MigrateObject", json!(1)),
        "ConsistencyType": or("ConsistencyType", json!(1)),
        "IsOverrideRoot": or("IsOverrideRoot", json!(0)),
        "ExternParams": or("ExternParams", json!("[]")),
        "ConsistencyParams": {
            "SelectRowsPerTable": count("SelectRowsPerTable"),
            "TablesSelectAll": count("TablesSelectAll"),
            "TablesSelectCount": count("TablesSelectCount"),
        },
    });
    let mut m = Map::new();
    m.insert("JobId".into(), json!(job.job_id));
    m.insert("JobName".into(), json!(job.name));
    m.insert("MigrateOption".into(), migrate_option);
    m.insert("SrcAccessType".into(), json!(job.src_access_type));
    m.insert("SrcDatabaseType".into(), json!(job.src_database_type));
    m.insert("SrcInfo".into(), src_info_json(&job.src_info));
    m.insert("DstAccessType".into(), json!(job.dst_access_type));
    m.insert("DstDatabaseType".into(), json!(job.dst_database_type));
    m.insert("DstInfo".into(), dst_info_json(job));
    m.insert(
        "Tags".into(),
        job.tags
            .iter()
            .map(|t| json!({"TagKey": t.key, "TagValue": t.value}))
            .collect(),
    );
    m.insert(
        "Detail".into(),
        json!({
            "StepAll": 0, "StepNow": 0, "Progress": "0", "CurrentStepProgress": "0",
            "MasterSlaveDistance": 0, "SecondsBehindMaster": 0, "StepInfo": [],
        }),
    );
    m.insert("Status".into(), json!(job.status));
    m.insert("DatabaseInfo".into(), json!(job.database_info));
    m.insert(
        "CreateTime".into(),
        json!(shown_time(job.create_time.as_deref())),
    );
    m.insert(
        "StartTime".into(),
        json!(shown_time(job.start_time.as_deref())),
    );
    m.insert("EndTime".into(), json!(shown_time(job.end_time.as_deref())));
    m.insert("ErrorInfo".into(), json!([]));
    if !job.src_info_multi.is_empty() {
        m.insert(
            "SrcInfoMulti".into(),
            job.src_info_multi.iter().map(src_info_json).collect(),
        );
    }
    Value::Object(m)
}

/// `SrcInfo` as answers show it: every key of the official example (unset strings `""`,
/// `Port` 0, `Password` always `""`), then any other key that is set.
fn src_info_json(info: &Map<String, Value>) -> Value {
    let mut m = Map::new();
    for key in SRC_INFO_SHOWN {
        let value = match *key {
            "Password" => json!(""),
            "Port" => info.get(*key).cloned().unwrap_or(json!(0)),
            _ => info.get(*key).cloned().unwrap_or(json!("")),
        };
        m.insert((*key).into(), value);
    }
    for (key, value) in info {
        if !m.contains_key(key) && key != "Password" {
            m.insert(key.clone(), value.clone());
        }
    }
    Value::Object(m)
}

/// `DstInfo` as the official example shows it (`InstanceId`, `Ip`, `Port`, `Region`,
/// `ReadOnly`), then `User` if set; never `Password`.
fn dst_info_json(job: &TencentJob) -> Value {
    let info = &job.dst_info;
    let get = |key: &str, default: Value| info.get(key).cloned().unwrap_or(default);
    let mut m = Map::new();
    m.insert("InstanceId".into(), get("InstanceId", json!("")));
    m.insert("Ip".into(), get("Ip", json!("")));
    m.insert("Port".into(), get("Port", json!(0)));
    m.insert("Region".into(), get("Region", json!(job.region)));
    m.insert("ReadOnly".into(), get("ReadOnly", json!(0)));
    if let Some(user) = info.get("User") {
        m.insert("User".into(), user.clone());
    }
    Value::Object(m)
}

fn describe_check(call: &Call<'_>, world: &mut World) -> Result<Map<String, Value>, TcFailure> {
    check_known(call.params, &["JobId"], "")?;
    let job = find_job(call, world, job_id(call.params)?)?;
    let (status, code, message, progress, flag) = match &job.check {
        None => ("unavailable", 0, String::new(), 0, 3),
        Some(check) if check.status == CheckStatus::Running => {
            ("running", 0, String::new(), check.progress, 3)
        }
        Some(check) => (
            "finished",
            check.error_code,
            check.message.clone(),
            100,
            i32::from(check.passed),
        ),
    };
    let mut m = Map::new();
    m.insert("Status".into(), json!(status));
    m.insert("ErrorCode".into(), json!(code));
    m.insert("ErrorMessage".into(), json!(message));
    m.insert("Progress".into(), json!(progress.to_string()));
    m.insert("CheckFlag".into(), json!(flag));
    Ok(m)
}

fn modify_job(call: &Call<'_>, world: &mut World) -> Result<Written, TcFailure> {
    let id = job_id(call.params)?;
    let change = modification(call.params)?;
    let job = find_job(call, world, id)?;
    if !MODIFIABLE.contains(&job.status) {
        return Err(TcFailure::status_conflict("ModifyMigrateJob", job.status));
    }
    // The target region is fixed at creation.
    let region = job
        .dst_info
        .get("Region")
        .and_then(Value::as_str)
        .unwrap_or(&job.region)
        .to_owned();
    let mut dst_info = change.dst_info;
    if let Some(info) = &mut dst_info {
        match info.get("Region").and_then(Value::as_str) {
            Some(r) if r != region => {
                return Err(TcFailure::invalid_value(
                    "DstInfo.Region",
                    format!(
                        "the region of the target instance cannot be modified (it is {region})"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                info.insert("Region".into(), json!(region));
            }
        }
    }
    let option = change.option.unwrap_or_else(|| job.migrate_option.clone());
    let object = option.get("MigrateObject").and_then(Value::as_i64);
    let selected = change
        .database_info
        .filter(|(_, selections)| !selections.is_empty())
        .map(|(text, _)| text);
    let database_info = match (object, selected) {
        (Some(2), None) => {
            return Err(TcFailure::invalid_value(
                "DatabaseInfo",
                "it must select at least one database when MigrateObject is 2 (selected databases and tables)",
            ));
        }
        // The whole instance: MigrateObject 1, or nothing selected.
        (Some(1), _) | (_, None) => "[]".to_owned(),
        (_, Some(text)) => text,
    };
    if let Some(name) = change.name {
        job.name = name;
    }
    job.migrate_option = option;
    if let Some(t) = change.src_access_type {
        job.src_access_type = t;
    }
    if let Some(info) = change.src_info {
        job.src_info = info;
    }
    if let Some(t) = change.dst_access_type {
        job.dst_access_type = t;
    }
    if let Some(info) = dst_info {
        job.dst_info = info;
    }
    if let Some(t) = change.src_node_type {
        job.src_node_type = t;
    }
    if let Some(multi) = change.src_info_multi {
        job.src_info_multi = multi;
    }
    job.database_info = database_info;
    job.status = 1;
    job.check = None;
    job.pending.clear();
    Ok((Map::new(), Some((job.job_id.clone(), "modify"))))
}

fn create_check(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Written, TcFailure> {
    check_known(call.params, &["JobId"], "")?;
    let id = job_id(call.params)?;
    let finishes = after(call.now, behaviour.check_duration)?;
    let job = find_job(call, world, id)?;
    if !MODIFIABLE.contains(&job.status) {
        return Err(TcFailure::status_conflict(
            "CreateMigrateCheckJob",
            job.status,
        ));
    }
    // A stored list that no longer parses (a hand-edited world) selects nothing.
    let selections = parse_database_info(&job.database_info).unwrap_or_default();
    let missing = first_missing(&selections, &behaviour.tencent_missing_tables);
    let (passed, error_code, message) = match missing {
        None => (true, 0, "ok".to_owned()),
        Some(name) if call.english => (
            false,
            -1,
            format!(
                "The selected databases or tables do not exist; select them again [{name} was not found in the source instance]"
            ),
        ),
        Some(_) => (false, -1, CHECK_MISSING_TABLE_ZH.to_owned()),
    };
    job.status = CHECKING;
    job.check = Some(TencentCheck {
        status: CheckStatus::Running,
        passed,
        error_code,
        message,
        progress: 0,
        started_at: rfc3339(call.now),
        finishes_at: rfc3339(finishes),
    });
    job.schedule([(if passed { CHECK_PASS } else { CHECK_NOT_PASS }, finishes)]);
    Ok((Map::new(), Some((job.job_id.clone(), "check"))))
}

fn start_job(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Written, TcFailure> {
    check_known(call.params, &["JobId"], "")?;
    let id = job_id(call.params)?;
    let one_step = after(call.now, behaviour.step_duration)?;
    let job = find_job(call, world, id)?;
    if job.status != CHECK_PASS {
        return Err(TcFailure::status_conflict("StartMigrateJob", job.status));
    }
    // A timed job (RunMode 2) waits for its ExpectTime.
    let timed = job.migrate_option.get("RunMode").and_then(Value::as_i64) == Some(2);
    let expect = job
        .migrate_option
        .get("ExpectTime")
        .and_then(Value::as_str)
        .and_then(parse_tencent_time)
        .filter(|_| timed);
    let runs_at = expect.map_or(one_step, |t| t.max(one_step));
    if crate::util::to_datetime(runs_at).is_none() {
        return Err(TcFailure::internal());
    }
    job.status = READY_RUN;
    job.schedule([(RUNNING, runs_at)]);
    job.start_time = Some(rfc3339(runs_at));
    Ok((Map::new(), Some((job.job_id.clone(), "start"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behaviour() -> Behaviour {
        Behaviour {
            step_duration: Duration::from_secs(1),
            check_duration: Duration::from_secs(2),
            tencent_missing_tables: vec!["shop.ghost".into(), "nodb".into()],
            ..Behaviour::default()
        }
    }

    const SHOP: &str = "dts-6r2kq0mz";
    const CRM: &str = "dts-3nw8tx5c";
    const ARCHIVE: &str = "dts-0pb7ye4d";
    const BILLING: &str = "dts-9fh2ua6s";

    fn run(
        world: &mut World,
        action: &str,
        params: &Value,
        now: SystemTime,
    ) -> Result<Map<String, Value>, TcFailure> {
        run_in(world, action, params, now, "ap-guangzhou")
    }

    fn run_in(
        world: &mut World,
        action: &str,
        params: &Value,
        now: SystemTime,
        region: &str,
    ) -> Result<Map<String, Value>, TcFailure> {
        let params = params.as_object().cloned().unwrap_or_default();
        let call = Call {
            action,
            region,
            params: &params,
            request_id: "rid",
            now,
            english: true,
        };
        handle(&call, world, &behaviour()).map(|o| o.body)
    }

    fn code(r: Result<Map<String, Value>, TcFailure>) -> String {
        r.map_or_else(|f| f.code, |b| format!("ok {}", Value::Object(b)))
    }

    fn job<'w>(world: &'w World, id: &str) -> &'w TencentJob {
        world.tencent_jobs.iter().find(|j| j.job_id == id).unwrap()
    }

    fn status_at(world: &mut World, id: &str, t: SystemTime) -> u32 {
        world.settle(t);
        job(world, id).status
    }

    #[test]
    fn database_info_is_validated_strictly() {
        let ok = parse_database_info(r#"[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2"},{"Database":"db4","Schema":"s1"}]"#).unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].tables, ["t1", "t2"]);
        assert_eq!(ok[2].schema.as_deref(), Some("s1"));
        assert!(parse_database_info("[]").unwrap().is_empty());
        for (bad, why) in [
            ("", "not valid JSON"),
            ("{}", "JSON array"),
            ("[1]", "must be an object"),
            (r#"[{"Table":["t"]}]"#, "Database"),
            (r#"[{"Database":""}]"#, "Database"),
            (r#"[{"Database":1}]"#, "Database"),
            (r#"[{"Database":"d","Table":"t"}]"#, "array"),
            (r#"[{"Database":"d","Table":[1]}]"#, "non-empty strings"),
            (r#"[{"Database":"d","Schema":7}]"#, "Schema"),
            (
                r#"[{"Database":"d","Tables":["t"]}]"#,
                "unknown key \"Tables\"",
            ),
        ] {
            let err = parse_database_info(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn selections_name_databases_schemas_and_tables() {
        let s = parse_database_info(
            r#"[{"Database":"a","Table":["t"]},{"Database":"b","Schema":"s","Table":["u"]}]"#,
        )
        .unwrap();
        let names: Vec<_> = s.iter().flat_map(Selection::names).collect();
        assert_eq!(names, ["a", "a.t", "b", "b.s", "b.s.u"]);
        assert_eq!(
            first_missing(&s, &["b.s.u".into()]).as_deref(),
            Some("b.s.u")
        );
        assert_eq!(first_missing(&s, &["a.x".into()]), None);
    }

    #[test]
    fn modify_replaces_the_selection_and_resets_the_job() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let info = r#"[{"Database":"shop","Table":["payments"]}]"#;
        run(
            &mut world,
            "ModifyMigrateJob",
            &json!({"JobId": SHOP, "JobName": "renamed", "DatabaseInfo": info,
                    "SrcInfo": {"InstanceId": "cdb-3kwa7x1p", "Region": "ap-guangzhou", "User": "u", "Password": "hunter2"}}),
            now,
        )
        .unwrap();
        let shop = job(&world, SHOP);
        assert_eq!(
            shop.database_info, info,
            "stored verbatim: full replacement"
        );
        assert_eq!(shop.status, 1);
        assert_eq!(shop.check, None, "the last check is forgotten");
        assert_eq!(shop.name, "renamed");
        assert!(!serde_json::to_string(&world).unwrap().contains("hunter2"));
        assert_eq!(world.writes.len(), 1);
        assert_eq!(world.writes[0].action, "ModifyMigrateJob");
        assert_eq!(world.writes[0].what, "modify");
    }

    #[test]
    fn modify_is_refused_outside_creating_checked_and_failed() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let err = run(&mut world, "ModifyMigrateJob", &json!({"JobId": CRM}), now).unwrap_err();
        assert_eq!(err.code, "FailedOperation.StatusInConflict");
        assert!(err.message.contains("7 (Running)"), "{}", err.message);
        let params = json!({"JobId": CRM, "DatabaseInfo": r#"[{"Database":"crm"}]"#});
        for status in [1, 4, 5, 10] {
            world.tencent_jobs[1].status = status;
            assert!(
                run(&mut world, "ModifyMigrateJob", &params, now).is_ok(),
                "{status}"
            );
        }
        for status in [2, 3, 6, 7, 8, 9, 11, 12, 23] {
            world.tencent_jobs[1].status = status;
            assert_eq!(
                code(run(
                    &mut world,
                    "ModifyMigrateJob",
                    &json!({"JobId": CRM}),
                    now
                )),
                "FailedOperation.StatusInConflict",
                "{status}"
            );
        }
    }

    #[test]
    fn migrate_object_decides_what_database_info_means() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let whole = json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 1}, "DatabaseInfo": r#"[{"Database":"x"}]"#});
        run(&mut world, "ModifyMigrateJob", &whole, now).unwrap();
        assert_eq!(job(&world, SHOP).database_info, "[]");
        for (params, why) in [
            (
                json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 2}}),
                "at least one",
            ),
            (
                json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 2}, "DatabaseInfo": "[]"}),
                "at least one",
            ),
            (
                json!({"JobId": SHOP, "DatabaseInfo": "[{\"Database\":\"\"}]"}),
                "Database",
            ),
            (json!({"JobId": SHOP, "DatabaseInfo": "not json"}), "JSON"),
        ] {
            let err = run(&mut world, "ModifyMigrateJob", &params, now).unwrap_err();
            assert_eq!(err.code, "InvalidParameterValue", "{params}");
            assert!(err.message.contains(why), "{}", err.message);
        }
        // Without MigrateObject, an absent or empty list is the whole instance.
        world.tencent_jobs[0].migrate_option.remove("MigrateObject");
        run(&mut world, "ModifyMigrateJob", &json!({"JobId": SHOP}), now).unwrap();
        assert_eq!(job(&world, SHOP).database_info, "[]");
        let some = r#"[{"Database":"a"}]"#;
        run(
            &mut world,
            "ModifyMigrateJob",
            &json!({"JobId": SHOP, "DatabaseInfo": some}),
            now,
        )
        .unwrap();
        assert_eq!(job(&world, SHOP).database_info, some);
    }

    #[test]
    fn immutable_and_invalid_fields_are_refused_before_any_change() {
        let mut world = World::sample();
        let now = SystemTime::now();
        for (params, expect) in [
            (
                json!({"JobId": SHOP, "DstInfo": {"Region": "ap-beijing"}}),
                "InvalidParameterValue",
            ),
            (
                json!({"JobId": SHOP, "DstAccessType": "extranet"}),
                "InvalidParameterValue",
            ),
            (
                json!({"JobId": SHOP, "SrcAccessType": "moon"}),
                "InvalidParameterValue",
            ),
            (
                json!({"JobId": SHOP, "SrcDatabaseType": "redis"}),
                "UnknownParameter",
            ),
            (
                json!({"JobId": SHOP, "SrcInfo": {"Passwd": "x"}}),
                "UnknownParameter",
            ),
            (
                json!({"JobId": SHOP, "MigrateOption": {"RunMode": 3}}),
                "InvalidParameterValue",
            ),
            (
                json!({"JobId": SHOP, "MigrateOption": {"RunMode": 2}}),
                "InvalidParameterValue",
            ),
            (
                json!({"JobId": SHOP, "MigrateOption": {"RunMode": "x"}}),
                "InvalidParameter",
            ),
            (
                json!({"JobId": SHOP, "MigrateOption": {"MigrateObject": 2, "IsOverrideRoot": 1}, "DatabaseInfo": "[{\"Database\":\"a\"}]"}),
                "InvalidParameterValue",
            ),
            (
                json!({"JobId": SHOP, "DatabaseInfo": [{"Database": "a"}]}),
                "InvalidParameter",
            ),
            (
                json!({"JobId": SHOP, "SrcInfo": {"Port": 70000}}),
                "InvalidParameterValue",
            ),
            (json!({"JobName": "x"}), "MissingParameter"),
            (
                json!({"JobId": "dts-nope0000"}),
                "ResourceNotFound.JobNotExist",
            ),
        ] {
            assert_eq!(
                code(run(&mut world, "ModifyMigrateJob", &params, now)),
                expect,
                "{params}"
            );
        }
        // Same region: accepted; the numbers of a GET (strings) are accepted too.
        run(
            &mut world,
            "ModifyMigrateJob",
            &json!({"JobId": SHOP, "DstInfo": {"Region": "ap-guangzhou", "InstanceId": "cdb-9mzq4e2t", "ReadOnly": "1"},
                    "MigrateOption": {"RunMode": "1", "MigrateType": "3", "MigrateObject": "2"},
                    "DatabaseInfo": "[{\"Database\":\"a\"}]"}),
            now,
        )
        .unwrap();
        assert_eq!(job(&world, SHOP).dst_info["ReadOnly"], 1);
        assert_eq!(job(&world, SHOP).migrate_option["MigrateObject"], 2);
        assert_eq!(world.writes.len(), 1, "only the accepted call was a write");
    }

    #[test]
    fn a_check_runs_then_passes_and_the_job_can_start() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let secs = |s: f64| now + Duration::from_secs_f64(s);
        run(
            &mut world,
            "CreateMigrateCheckJob",
            &json!({"JobId": ARCHIVE}),
            now,
        )
        .unwrap();
        assert_eq!(job(&world, ARCHIVE).status, CHECKING);
        world.settle(secs(1.0));
        let during = run(
            &mut world,
            "DescribeMigrateCheckJob",
            &json!({"JobId": ARCHIVE}),
            secs(1.0),
        )
        .unwrap();
        assert_eq!(during["Status"], "running");
        assert_eq!(during["Progress"], "50");
        assert_eq!(during["CheckFlag"], 3);
        assert_eq!(
            code(run(
                &mut world,
                "StartMigrateJob",
                &json!({"JobId": ARCHIVE}),
                secs(1.0)
            )),
            "FailedOperation.StatusInConflict",
            "not before the check passed"
        );
        assert_eq!(status_at(&mut world, ARCHIVE, secs(2.5)), CHECK_PASS);
        let done = run(
            &mut world,
            "DescribeMigrateCheckJob",
            &json!({"JobId": ARCHIVE}),
            secs(2.5),
        )
        .unwrap();
        assert_eq!(
            Value::Object(done),
            json!({"Status": "finished", "ErrorCode": 0, "ErrorMessage": "ok", "Progress": "100", "CheckFlag": 1})
        );
        run(
            &mut world,
            "StartMigrateJob",
            &json!({"JobId": ARCHIVE}),
            secs(3.0),
        )
        .unwrap();
        assert_eq!(job(&world, ARCHIVE).status, READY_RUN);
        assert_eq!(status_at(&mut world, ARCHIVE, secs(4.5)), RUNNING);
        let log: Vec<_> = world.writes.iter().map(|w| w.what.as_str()).collect();
        assert_eq!(log, ["check", "start"]);
    }

    #[test]
    fn a_missing_table_fails_the_check() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let info = r#"[{"Database":"shop","Table":["orders","ghost"]}]"#;
        run(
            &mut world,
            "ModifyMigrateJob",
            &json!({"JobId": SHOP, "DatabaseInfo": info}),
            now,
        )
        .unwrap();
        run(
            &mut world,
            "CreateMigrateCheckJob",
            &json!({"JobId": SHOP}),
            now,
        )
        .unwrap();
        let later = now + Duration::from_secs(3);
        assert_eq!(status_at(&mut world, SHOP, later), CHECK_NOT_PASS);
        let check = run(
            &mut world,
            "DescribeMigrateCheckJob",
            &json!({"JobId": SHOP}),
            later,
        )
        .unwrap();
        assert_eq!(check["CheckFlag"], 0);
        assert_eq!(check["ErrorCode"], -1);
        assert!(
            check["ErrorMessage"]
                .as_str()
                .unwrap()
                .contains("shop.ghost")
        );
        assert_eq!(
            code(run(
                &mut world,
                "StartMigrateJob",
                &json!({"JobId": SHOP}),
                later
            )),
            "FailedOperation.StatusInConflict"
        );
        // Checking again is allowed after a failed check (and still fails).
        run(
            &mut world,
            "CreateMigrateCheckJob",
            &json!({"JobId": SHOP}),
            later,
        )
        .unwrap();
        assert_eq!(job(&world, SHOP).status, CHECKING);
    }

    #[test]
    fn check_answers_before_any_check_and_in_chinese_by_default() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let none = run(
            &mut world,
            "DescribeMigrateCheckJob",
            &json!({"JobId": ARCHIVE}),
            now,
        )
        .unwrap();
        assert_eq!(none["Status"], "unavailable");
        assert_eq!(none["CheckFlag"], 3);
        world.tencent_jobs[0].database_info = r#"[{"Database":"nodb"}]"#.into();
        let params = json!({"JobId": SHOP}).as_object().cloned().unwrap();
        let call = Call {
            action: "CreateMigrateCheckJob",
            region: "ap-guangzhou",
            params: &params,
            request_id: "r",
            now,
            english: false,
        };
        handle(&call, &mut world, &behaviour()).unwrap();
        world.settle(now + Duration::from_secs(3));
        assert_eq!(
            job(&world, SHOP).check.as_ref().unwrap().message,
            CHECK_MISSING_TABLE_ZH
        );
    }

    #[test]
    fn checks_and_starts_are_refused_in_the_wrong_status() {
        let mut world = World::sample();
        let now = SystemTime::now();
        assert_eq!(
            code(run(
                &mut world,
                "CreateMigrateCheckJob",
                &json!({"JobId": CRM}),
                now
            )),
            "FailedOperation.StatusInConflict"
        );
        assert_eq!(
            code(run(
                &mut world,
                "StartMigrateJob",
                &json!({"JobId": CRM}),
                now
            )),
            "FailedOperation.StatusInConflict",
            "already running"
        );
        run(
            &mut world,
            "CreateMigrateCheckJob",
            &json!({"JobId": SHOP}),
            now,
        )
        .unwrap();
        assert_eq!(
            code(run(
                &mut world,
                "CreateMigrateCheckJob",
                &json!({"JobId": SHOP}),
                now
            )),
            "FailedOperation.StatusInConflict",
            "not while checking"
        );
        assert_eq!(
            code(run(
                &mut world,
                "ModifyMigrateJob",
                &json!({"JobId": SHOP}),
                now
            )),
            "FailedOperation.StatusInConflict",
            "not while checking"
        );
    }

    #[test]
    fn a_timed_job_waits_for_its_expect_time() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let in_an_hour =
            OffsetDateTime::now_utc().to_offset(offset!(+8)) + time::Duration::hours(1);
        let expect = in_an_hour
            .format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .unwrap();
        world.tencent_jobs[0].migrate_option.extend([
            ("RunMode".to_owned(), json!(2)),
            ("ExpectTime".to_owned(), json!(expect)),
        ]);
        run(&mut world, "StartMigrateJob", &json!({"JobId": SHOP}), now).unwrap();
        assert_eq!(
            status_at(&mut world, SHOP, now + Duration::from_mins(30)),
            READY_RUN
        );
        assert_eq!(
            status_at(&mut world, SHOP, now + Duration::from_mins(61)),
            RUNNING
        );
    }

    #[test]
    fn describe_pages_filters_orders_and_scopes_by_region() {
        let mut world = World::sample();
        let now = SystemTime::now();
        let all = run(&mut world, "DescribeMigrateJobs", &json!({}), now).unwrap();
        assert_eq!(all["TotalCount"], 3, "ap-guangzhou only");
        let page = run(
            &mut world,
            "DescribeMigrateJobs",
            &json!({"Offset": 1, "Limit": 1}),
            now,
        )
        .unwrap();
        assert_eq!(page["TotalCount"], 3);
        assert_eq!(page["JobList"][0]["JobId"], CRM);
        let by_name = run(
            &mut world,
            "DescribeMigrateJobs",
            &json!({"JobName": "archive-migrate"}),
            now,
        )
        .unwrap();
        assert_eq!(by_name["JobList"][0]["JobId"], ARCHIVE);
        let by_tag = run(
            &mut world,
            "DescribeMigrateJobs",
            &json!({"TagFilters": [{"TagKey": "owner", "TagValue": ["shop-team"]}]}),
            now,
        )
        .unwrap();
        assert_eq!(by_tag["TotalCount"], 1);
        let ordered = run(
            &mut world,
            "DescribeMigrateJobs",
            &json!({"Order": "Status", "OrderSeq": "DESC"}),
            now,
        )
        .unwrap();
        let statuses: Vec<_> = ordered["JobList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["Status"].as_u64().unwrap())
            .collect();
        assert_eq!(statuses, [7, 4, 1]);
        let elsewhere = run(
            &mut world,
            "DescribeMigrateJobs",
            &json!({"JobId": SHOP}),
            now,
        )
        .unwrap();
        assert_eq!(elsewhere["TotalCount"], 1);
        let shanghai = run_in(
            &mut world,
            "DescribeMigrateJobs",
            &json!({}),
            now,
            "ap-shanghai",
        )
        .unwrap();
        assert_eq!(shanghai["JobList"][0]["JobId"], BILLING);
        assert_eq!(
            code(run(
                &mut world,
                "DescribeMigrateCheckJob",
                &json!({"JobId": BILLING}),
                now
            )),
            "ResourceNotFound.JobNotExist",
            "a job in another region is not found"
        );
        for (params, expect) in [
            (json!({"Limit": 0}), "InvalidParameterValue"),
            (json!({"Limit": 101}), "InvalidParameterValue"),
            (json!({"Offset": -1}), "InvalidParameterValue"),
            (json!({"Limit": "x"}), "InvalidParameter"),
            (json!({"Order": "Colour"}), "InvalidParameterValue"),
            (json!({"Filters": []}), "UnknownParameter"),
        ] {
            assert_eq!(
                code(run(&mut world, "DescribeMigrateJobs", &params, now)),
                expect,
                "{params}"
            );
        }
    }

    #[test]
    fn job_info_has_the_shape_of_the_official_example() {
        let world = World::sample();
        let info = job_info(job(&world, ARCHIVE));
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&info),
            [
                "JobId",
                "JobName",
                "MigrateOption",
                "SrcAccessType",
                "SrcDatabaseType",
                "SrcInfo",
                "DstAccessType",
                "DstDatabaseType",
                "DstInfo",
                "Tags",
                "Detail",
                "Status",
                "DatabaseInfo",
                "CreateTime",
                "StartTime",
                "EndTime",
                "ErrorInfo"
            ]
        );
        assert_eq!(
            keys(&info["SrcInfo"])[..13],
            SRC_INFO_SHOWN
                .iter()
                .map(|k| (*k).to_owned())
                .collect::<Vec<_>>()[..]
        );
        assert_eq!(info["SrcInfo"]["Password"], "");
        assert_eq!(info["SrcInfo"]["Supplier"], "others");
        assert_eq!(info["DatabaseInfo"], "[]");
        assert_eq!(info["CreateTime"], "2026-01-05 16:00:00", "UTC+8");
        assert_eq!(info["StartTime"], NO_TIME);
        assert_eq!(info["MigrateOption"]["ExpectTime"], NO_TIME);
        assert_eq!(info["ErrorInfo"], json!([]));
        assert_eq!(
            keys(&info["DstInfo"]),
            ["InstanceId", "Ip", "Port", "Region", "ReadOnly", "User"]
        );
    }

    #[test]
    fn flattened_parameters_become_objects_and_arrays() {
        let pairs: Vec<(String, String)> = [
            ("JobId", "dts-1"),
            ("MigrateOption.RunMode", "1"),
            ("TagFilters.0.TagKey", "k"),
            ("TagFilters.0.TagValue.1", "b"),
            ("TagFilters.0.TagValue.0", "a"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let map = unflatten(&pairs).unwrap();
        assert_eq!(
            Value::Object(map),
            json!({"JobId": "dts-1", "MigrateOption": {"RunMode": "1"},
                   "TagFilters": [{"TagKey": "k", "TagValue": ["a", "b"]}]})
        );
        for bad in [
            &[("L.1000", "1")][..],
            &[("A", "1"), ("A", "2")][..],
            &[("A", "1"), ("A.B", "2")][..],
            &[("A.B", "1"), ("A", "2")][..],
            &[("A..B", "1")][..],
        ] {
            let pairs: Vec<(String, String)> = bad
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(
                unflatten(&pairs).unwrap_err().code,
                "InvalidParameter",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn versions_and_actions() {
        assert!(check_action(API_VERSION, "DescribeMigrateJobs").is_ok());
        assert_eq!(
            check_action("2017-03-12", "DescribeMigrateJobs")
                .unwrap_err()
                .code,
            "NoSuchVersion"
        );
        assert_eq!(
            check_action(NEWER_API_VERSION, "DescribeMigrationJobs")
                .unwrap_err()
                .code,
            "UnsupportedOperation"
        );
        assert_eq!(
            check_action(API_VERSION, "StopMigrateJob")
                .unwrap_err()
                .code,
            "UnsupportedOperation"
        );
        assert_eq!(
            check_action(API_VERSION, "DescribeInstances")
                .unwrap_err()
                .code,
            "InvalidAction"
        );
    }

    #[test]
    fn rate_limit_message_has_the_real_format() {
        assert_eq!(
            TcFailure::rate_limited(21, 20).message,
            "Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."
        );
    }
}
