//! The Tencent Cloud DTS actions the emulator serves (API 2018-03-30, reference
//! `tencent-dts-api.md` §4), with the status machine of §4.1:
//!
//! * `ModifyMigrateJob` in status 1, 4, 5 or 10 sets the job back to 1 (Creating) and
//!   forgets its last check. `DatabaseInfo` is a **full replacement**: the job's object
//!   list becomes exactly the string sent (`[]`, the whole instance, when it is absent or
//!   `MigrateOption.MigrateObject` is 1). The target region cannot change. Secrets
//!   (`Password`, `SrcInfo.AccessKey`) are checked for type and never kept: answers show
//!   them as `""`, as the official example does.
//! * `CreateMigrateCheckJob` in status 1, 4, 5 or 10 holds the job in 3 (Checking) for the
//!   configured check time, then 4 (CheckPass) or 5 (CheckNotPass); a selection naming a
//!   database or table configured as missing fails the check.
//! * `StartMigrateJob` only in 4: 6 (undocumented, "ready to run") for one step, then 7
//!   (Running), where the job stays.
//! * `DescribeMigrateJobs` and `DescribeMigrateCheckJob` answer in the shapes of the
//!   official examples.
//!
//! Every answer is HTTP 200 with `Content-Type: application/json`, errors included
//! ([`reply`](super::reply)), as the real service does.
//! Where the reference marks behaviour as unverified, the choice made here is documented
//! in the README's emulator section.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use super::objects::{Selection, first_missing, parse_database_info};
use super::params::{
    array, check_known, integer, integer_in, job_id, object, parse_tencent_time, string,
};
use super::reply::{Failure, NO_TIME, shown_time};
use super::status::{self, Transition};
use super::world::{CheckStatus, TencentCheck, TencentJob};
use crate::emulator::config::Behaviour;
use crate::emulator::pipeline;
use crate::emulator::world::{World, WriteRecord};
use crate::util::rfc3339;

/// The API version served.
pub const API_VERSION: &str = "2018-03-30";
/// The newer DTS API version, which exists at Tencent Cloud but is not emulated.
pub const NEWER_API_VERSION: &str = "2021-12-06";

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

/// Whether `action` is one the emulator treats as a write.
pub fn is_write(action: &str) -> bool {
    WRITE_ACTIONS.contains(&action)
}

/// Refuses versions and actions the emulator does not serve.
pub fn check_action(version: &str, action: &str) -> Result<(), Failure> {
    if version == NEWER_API_VERSION {
        return Err(Failure::new(
            "UnsupportedOperation",
            format!(
                "The dtsform emulator serves DTS API version {API_VERSION} only; version {NEWER_API_VERSION} is not emulated."
            ),
        ));
    }
    if version != API_VERSION {
        return Err(Failure::new(
            "NoSuchVersion",
            format!("The requested version `{version}` of service `dts` does not exist."),
        ));
    }
    if READ_ACTIONS.contains(&action) || is_write(action) {
        Ok(())
    } else if NOT_EMULATED.contains(&action) {
        Err(Failure::new(
            "UnsupportedOperation",
            format!("The action `{action}` is not emulated by dtsform."),
        ))
    } else {
        Err(Failure::new(
            "InvalidAction",
            format!("The action `{action}` does not exist in version {API_VERSION} of dts."),
        ))
    }
}

/// `MigrateOption`, checked; integers normalized.
fn migrate_option(option: &Map<String, Value>) -> Result<Map<String, Value>, Failure> {
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
            return Err(Failure::invalid_value(
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
        return Err(Failure::invalid_value(
            "MigrateOption.ExpectTime",
            "it is required when RunMode is 2 (timed)",
        ));
    }
    if number("ConsistencyType") == Some(3) && !out.contains_key("ConsistencyParams") {
        return Err(Failure::invalid_value(
            "MigrateOption.ConsistencyParams",
            "it is required when ConsistencyType is 3 (sampled check)",
        ));
    }
    if number("IsOverrideRoot") == Some(1)
        && (number("MigrateObject") == Some(2) || number("MigrateType") == Some(1))
    {
        return Err(Failure::invalid_value(
            "MigrateOption.IsOverrideRoot",
            "it must be 0 when migrating selected databases (MigrateObject 2) or structure only (MigrateType 1)",
        ));
    }
    Ok(out)
}

/// An endpoint object (`SrcInfo`, `DstInfo`), checked, without `Password` and
/// `AccessKey`.
fn endpoint_info(
    info: &Map<String, Value>,
    known: &[&str],
    prefix: &str,
) -> Result<Map<String, Value>, Failure> {
    check_known(info, known, prefix)?;
    let mut out = Map::new();
    for (key, value) in info {
        let path = format!("{prefix}{key}");
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            // Secrets: checked for type, never kept (DescribeMigrateJobs shows them "").
            "Password" | "AccessKey" => {
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

fn modification(params: &Map<String, Value>) -> Result<Modification, Failure> {
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
        return Err(Failure::invalid_value(
            "SrcAccessType",
            format!("{t:?} is not one of {}", SRC_ACCESS_TYPES.join(", ")),
        ));
    }
    let dst_access_type = string(params, "DstAccessType", "DstAccessType")?;
    if let Some(t) = dst_access_type
        && t != "cdb"
    {
        return Err(Failure::invalid_value(
            "DstAccessType",
            format!("{t:?} is not supported; only cdb is"),
        ));
    }
    let src_node_type = string(params, "SrcNodeType", "SrcNodeType")?;
    if let Some(t) = src_node_type
        && !["", "simple", "cluster"].contains(&t)
    {
        return Err(Failure::invalid_value(
            "SrcNodeType",
            format!("{t:?} is not simple or cluster"),
        ));
    }
    let database_info = match string(params, "DatabaseInfo", "DatabaseInfo")? {
        None => None,
        Some(text) => {
            let selections = parse_database_info(text)
                .map_err(|why| Failure::invalid_value("DatabaseInfo", why))?;
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
                    _ => Err(Failure::invalid(
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

/// The answer to a call (the fields of `Response`, without `RequestId`) and whether it
/// changed the world (so it must be persisted).
pub type Outcome = pipeline::Outcome<Map<String, Value>>;

/// Runs one authenticated call against the world. `check_action` has passed.
pub fn handle(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Outcome, Failure> {
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
            return Err(Failure::new(
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

/// Puts `job` where `transition` leads.
fn enter(job: &mut TencentJob, transition: Transition) {
    job.status = transition.status;
    job.schedule(transition.then);
}

/// A write's answer and, for the write log, (job id, what it did).
type Written = (Map<String, Value>, Option<(String, &'static str)>);

fn find_job<'w>(
    call: &Call<'_>,
    world: &'w mut World,
    job_id: &str,
) -> Result<&'w mut TencentJob, Failure> {
    world
        .tencent_jobs
        .iter_mut()
        .find(|j| j.job_id == job_id && j.region == call.region)
        .ok_or_else(Failure::job_not_found)
}

/// `now + wait`, or a refusal — before anything changes — if the world file could not
/// record it (a misconfigured duration).
fn after(now: SystemTime, wait: Duration) -> Result<SystemTime, Failure> {
    now.checked_add(wait)
        .filter(|t| crate::util::to_datetime(*t).is_some())
        .ok_or_else(|| {
            Failure::new(
                "InternalError",
                "The emulator's configured durations are too long to schedule.",
            )
        })
}

fn describe_jobs(call: &Call<'_>, world: &World) -> Result<Map<String, Value>, Failure> {
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
        .map_err(|_| Failure::invalid_value("Offset", format!("{offset} is negative")))?;
    let limit = integer_in(params, "Limit", "Limit", 1..=100)?.unwrap_or(20);
    let limit = usize::try_from(limit).unwrap_or(20);
    let order = string(params, "Order", "Order")?.filter(|s| !s.is_empty());
    if let Some(order) = order
        && !ORDER_KEYS.contains(&order)
    {
        return Err(Failure::invalid_value(
            "Order",
            format!("{order:?} is not one of {}", ORDER_KEYS.join(", ")),
        ));
    }
    let descending = match string(params, "OrderSeq", "OrderSeq")?.filter(|s| !s.is_empty()) {
        None => false,
        Some(s) if s.eq_ignore_ascii_case("ASC") => false,
        Some(s) if s.eq_ignore_ascii_case("DESC") => true,
        Some(s) => {
            return Err(Failure::invalid_value(
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
        "Status" => (job.status.code(), String::new()),
        "JobName" => (0, job.name.clone()),
        "MigrateType" => (option("MigrateType"), String::new()),
        "RunMode" => (option("RunMode"), String::new()),
        "CreateTime" => (0, shown_time(job.create_time.as_deref())),
        _ => (0, job.job_id.clone()),
    }
}

/// `TagFilters`: (key, accepted values; empty = any value).
fn tag_filters(params: &Map<String, Value>) -> Result<Vec<(String, Vec<String>)>, Failure> {
    let Some(items) = array(params, "TagFilters", "TagFilters")? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("TagFilters.{i}");
            let Value::Object(filter) = item else {
                return Err(Failure::invalid(&path, "it must be an object"));
            };
            check_known(filter, &["TagKey", "TagValue"], &format!("{path}."))?;
            let key = string(filter, "TagKey", &format!("{path}.TagKey"))?
                .ok_or_else(|| Failure::missing(&format!("{path}.TagKey")))?;
            let values = array(filter, "TagValue", &format!("{path}.TagValue"))?
                .map(|values| {
                    values
                        .iter()
                        .map(|v| {
                            v.as_str().map(str::to_owned).ok_or_else(|| {
                                Failure::invalid(
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
/// `Port` 0, `Password` and `AccessKey` always `""`), then any other key that is set.
fn src_info_json(info: &Map<String, Value>) -> Value {
    let mut m = Map::new();
    for key in SRC_INFO_SHOWN {
        let value = match *key {
            "Password" | "AccessKey" => json!(""),
            "Port" => info.get(*key).cloned().unwrap_or(json!(0)),
            _ => info.get(*key).cloned().unwrap_or(json!("")),
        };
        m.insert((*key).into(), value);
    }
    for (key, value) in info {
        if !m.contains_key(key) && key != "Password" && key != "AccessKey" {
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

fn describe_check(call: &Call<'_>, world: &mut World) -> Result<Map<String, Value>, Failure> {
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

fn modify_job(call: &Call<'_>, world: &mut World) -> Result<Written, Failure> {
    let id = job_id(call.params)?;
    let change = modification(call.params)?;
    let job = find_job(call, world, id)?;
    let transition = status::modify(job.status)
        .map_err(|_| Failure::status_conflict("ModifyMigrateJob", job.status))?;
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
                return Err(Failure::invalid_value(
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
            return Err(Failure::invalid_value(
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
    job.check = None;
    enter(job, transition);
    Ok((Map::new(), Some((job.job_id.clone(), "modify"))))
}

fn create_check(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Written, Failure> {
    check_known(call.params, &["JobId"], "")?;
    let id = job_id(call.params)?;
    let finishes = after(call.now, behaviour.check_duration)?;
    let job = find_job(call, world, id)?;
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
    let transition = status::check(job.status, passed, finishes)
        .map_err(|_| Failure::status_conflict("CreateMigrateCheckJob", job.status))?;
    job.check = Some(TencentCheck {
        status: CheckStatus::Running,
        passed,
        error_code,
        message,
        progress: 0,
        started_at: rfc3339(call.now),
        finishes_at: rfc3339(finishes),
    });
    enter(job, transition);
    Ok((Map::new(), Some((job.job_id.clone(), "check"))))
}

fn start_job(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Written, Failure> {
    check_known(call.params, &["JobId"], "")?;
    let id = job_id(call.params)?;
    let one_step = after(call.now, behaviour.step_duration)?;
    let job = find_job(call, world, id)?;
    // A timed job (RunMode 2) waits for its ExpectTime.
    let timed = job.migrate_option.get("RunMode").and_then(Value::as_i64) == Some(2);
    let expect = job
        .migrate_option
        .get("ExpectTime")
        .and_then(Value::as_str)
        .and_then(parse_tencent_time)
        .filter(|_| timed);
    let runs_at = expect.map_or(one_step, |t| t.max(one_step));
    let transition = status::start(job.status, runs_at)
        .map_err(|_| Failure::status_conflict("StartMigrateJob", job.status))?;
    if crate::util::to_datetime(runs_at).is_none() {
        return Err(Failure::internal());
    }
    enter(job, transition);
    job.start_time = Some(rfc3339(runs_at));
    Ok((Map::new(), Some((job.job_id.clone(), "start"))))
}

#[cfg(test)]
mod tests;
