//! The DTS actions the emulator serves, with the real service's semantics:
//!
//! * `ModifyDtsJob` **replaces** the whole object list with the `DbList` sent (max 1 MB),
//!   then holds the job in `Modifying` for the configured time; objects can only be
//!   modified while the job runs (or has failed), and not while it is `Modifying`.
//!   With `ModifyTypeEnum=UPDATE_RESERVED` it merges `Reserved` instead.
//! * `StartDtsJob` walks a new job through `Prechecking` (→ `Initializing`) → running;
//!   resumes a paused one; is a no-op on a running one. `SuspendDtsJob` pauses.
//! * `ModifyDtsJobEndpoint` changes the source or destination (or only prechecks, with
//!   `DryRun`); passwords are checked for presence and never stored.
//! * A write with a `ClientToken` seen before gets the first answer again and changes
//!   nothing; the same token with other parameters is refused.
//!
//! Where the reference marks behaviour as unverified, the choice made here is
//! documented in the README's emulator section.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use super::reply::Failure;
use super::world::{EndpointState, Job, Kind, TokenRecord, World, WriteRecord, rfc3339};
use crate::cloud::alibaba::JobStatus;
use crate::cloud::alibaba::request::API_VERSION;
use crate::util::sha256_hex;

/// The largest `DbList` the service accepts.
pub use crate::cloud::alibaba::limits::MAX_DB_LIST_BYTES;
use crate::cloud::alibaba::limits::check_db_list_size;

const READ_ACTIONS: &[&str] = &["DescribeDtsJobDetail", "DescribeDtsJobs"];
const WRITE_ACTIONS: &[&str] = &[
    "ModifyDtsJob",
    "ModifyDtsJobEndpoint",
    "StartDtsJob",
    "SuspendDtsJob",
];

/// Parameters that sign or frame a request rather than say what it does; left out of
/// the ClientToken fingerprint so a retry with a fresh signature is still "the same".
const FRAMING_PARAMS: &[&str] = &[
    "AccessKeyId",
    "Action",
    "ClientToken",
    "Format",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

/// Parameters whose values are secrets: never stored, not even hashed.
const SECRET_PARAMS: &[&str] = &["Password", "ShardPassword"];

/// Endpoint types ModifyDtsJobEndpoint accepts (case-insensitive).
const ENDPOINT_TYPES: &[&str] = &[
    "rds",
    "polardb",
    "mongodb",
    "distributed_mongodb",
    "greenplum",
    "kafka",
    "ecs",
    "express",
    "other",
];

/// Whether `action` is one the emulator treats as a write.
pub fn is_write(action: &str) -> bool {
    WRITE_ACTIONS.contains(&action)
}

/// Knobs of the status machine and of what a write does.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// How long a job stays `Modifying` after an object-list change.
    pub modify_duration: Duration,
    /// How long each step of a start (`Prechecking`, `Initializing`) takes.
    pub step_duration: Duration,
    /// Answer DescribeDtsJobDetail with `synchronizing` instead of `Synchronizing`, as the
    /// real Detail sometimes does, to exercise client normalisation.
    pub lowercase_detail_status: bool,
    /// Tables with these names silently vanish from every object list written: a
    /// service that accepts a write and then does not show it, for read-back tests.
    pub drop_tables: Vec<String>,
    /// Tencent: how long a check job (CreateMigrateCheckJob) runs.
    pub check_duration: Duration,
    /// Tencent: databases (`db`) and tables (`db.table`, `db.schema.table`) the source
    /// instance lacks; a check of a selection naming one fails.
    pub tencent_missing_tables: Vec<String>,
}

/// One authenticated call.
pub struct Call<'a> {
    pub action: &'a str,
    pub version: &'a str,
    /// Business parameters (query ∪ form body), decoded.
    pub params: &'a [(String, String)],
    pub request_id: &'a str,
    pub now: SystemTime,
}

impl Call<'_> {
    /// A parameter's value; empty counts as absent.
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, Failure> {
        self.get(name).ok_or_else(|| Failure::missing(name))
    }

    fn flag(&self, name: &str) -> Result<bool, Failure> {
        match self.get(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(Failure::invalid(
                name,
                format!("{v:?} is not true or false"),
            )),
        }
    }

    fn number(
        &self,
        name: &str,
        default: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, Failure> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        text.parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                Failure::invalid(
                    name,
                    format!(
                        "{text:?} is not a number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    /// What makes two calls "the same" for a ClientToken: the business parameters with
    /// a value. Passwords are left out, so nothing derived from them is ever stored; a
    /// replay that differs only in a password gets the first answer.
    fn fingerprint(&self) -> String {
        let mut business: Vec<_> = self
            .params
            .iter()
            .filter(|(k, v)| {
                !v.is_empty()
                    && !FRAMING_PARAMS.contains(&k.as_str())
                    && !SECRET_PARAMS.contains(&k.as_str())
            })
            .collect();
        business.sort();
        sha256_hex(
            serde_json::to_string(&business)
                .unwrap_or_default()
                .as_bytes(),
        )
    }
}

/// The answer to a call and whether it changed the world (so it must be persisted).
#[derive(Debug)]
pub struct Outcome {
    pub body: Value,
    pub changed: bool,
    /// Whether this was a write action (fault injection may drop its answer).
    pub write: bool,
}

/// What a successful write call did, for the records.
struct Effect {
    job_id: String,
    /// For the write log; `None` when the call changed nothing (a no-op or a dry run).
    what: Option<String>,
}

/// Runs one authenticated call against the world.
pub fn handle(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Outcome, Failure> {
    let write = is_write(call.action);
    if call.version != API_VERSION || !(write || READ_ACTIONS.contains(&call.action)) {
        return Err(Failure::unknown_api());
    }
    // The signature covers repeated names in any order; which one would count is
    // ambiguous, so refuse them (also a name in both the query and the body).
    let mut names: Vec<&str> = call.params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Failure::invalid(pair[0], "it is given more than once"));
    }
    for job in &mut world.jobs {
        job.settle(call.now);
    }
    if !write {
        let body = match call.action {
            "DescribeDtsJobDetail" => describe_detail(call, world, behaviour)?,
            _ => describe_jobs(call, world)?,
        };
        return Ok(Outcome {
            body,
            changed: false,
            write,
        });
    }

    let token = call.get("ClientToken");
    let fingerprint = call.fingerprint();
    if let Some(token) = token {
        if token.len() > 64 || !token.is_ascii() {
            return Err(Failure::invalid(
                "ClientToken",
                "it must be ASCII and at most 64 characters",
            ));
        }
        if let Some(record) = world
            .client_tokens
            .iter_mut()
            .find(|r| r.token == token && r.action == call.action)
        {
            if record.fingerprint != fingerprint {
                return Err(Failure::new(
                    400,
                    "IdempotentParameterMismatch",
                    "The request uses the same client token as a previous, but non-identical request.",
                ));
            }
            record.replays = record.replays.saturating_add(1);
            let mut body = record.response.clone();
            body["RequestId"] = json!(call.request_id);
            return Ok(Outcome {
                body,
                changed: true,
                write,
            });
        }
    }

    let (body, effect) = match call.action {
        "ModifyDtsJob" => modify_job(call, world, behaviour)?,
        "ModifyDtsJobEndpoint" => modify_endpoint(call, world)?,
        "StartDtsJob" => start_job(call, world, behaviour)?,
        _ => suspend_job(call, world)?,
    };
    let changed = token.is_some() || effect.what.is_some();
    // A token is spent by any successful write call, even one that changed nothing (a
    // no-op start, a dry run): reusing it with other parameters must still be refused.
    if let Some(token) = token {
        world.client_tokens.push(TokenRecord {
            token: token.to_owned(),
            action: call.action.to_owned(),
            job_id: effect.job_id.clone(),
            fingerprint,
            request_id: call.request_id.to_owned(),
            response: body.clone(),
            replays: 0,
        });
    }
    if let Some(what) = effect.what {
        let seq = world.writes.last().map_or(1, |w| w.seq.saturating_add(1));
        world.writes.push(WriteRecord {
            seq,
            at: rfc3339(call.now),
            action: call.action.to_owned(),
            job_id: effect.job_id,
            request_id: call.request_id.to_owned(),
            client_token: token.map(str::to_owned),
            what,
        });
    }
    Ok(Outcome {
        body,
        changed,
        write,
    })
}

fn ok(request_id: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("RequestId".into(), json!(request_id));
    m.insert("Success".into(), json!(true));
    m.insert("HttpStatusCode".into(), json!(200));
    m
}

/// Finds a job by id and/or instance id, in the requested region.
fn find_job<'w>(
    call: &Call<'_>,
    world: &'w mut World,
    job_id: Option<&str>,
    instance_id: Option<&str>,
) -> Result<&'w mut Job, Failure> {
    let region = call.get("RegionId");
    let shown = job_id.or(instance_id).unwrap_or_default().to_owned();
    world
        .jobs
        .iter_mut()
        .find(|j| {
            job_id.is_none_or(|id| j.job_id == id)
                && instance_id.is_none_or(|id| j.instance_id == id)
                && region.is_none_or(|r| j.region == r)
        })
        .ok_or_else(|| Failure::job_not_found(&shown))
}

fn check_direction(call: &Call<'_>) -> Result<(), Failure> {
    match call.get("SynchronizationDirection") {
        None => Ok(()),
        Some(d) if d.eq_ignore_ascii_case("forward") || d.eq_ignore_ascii_case("reverse") => Ok(()),
        Some(d) => Err(Failure::invalid(
            "SynchronizationDirection",
            format!("{d:?} is not Forward or Reverse"),
        )),
    }
}

fn endpoint_json(e: &EndpointState) -> Value {
    json!({
        "InstanceType": e.instance_type,
        "EngineName": e.engine_name,
        "InstanceID": e.instance_id,
        "Region": e.region,
        "Ip": e.ip,
        "Port": e.port,
        "DatabaseName": e.database_name,
        "UserName": e.user_name,
        "RoleName": e.role_name,
        "AliyunUid": e.aliyun_uid,
        "OracleSID": "",
        "SslSolutionEnum": "DISABLE",
        "CanModifyPassword": true,
    })
}

/// The fields DescribeDtsJobDetail and a DescribeDtsJobs row share.
fn job_json(job: &Job, include_db_list: bool) -> Map<String, Value> {
    let running = job.status.is_running();
    let mut m = Map::new();
    m.insert("DtsJobId".into(), json!(job.job_id));
    m.insert("DtsInstanceID".into(), json!(job.instance_id));
    m.insert("DtsJobName".into(), json!(job.name));
    m.insert("Status".into(), json!(job.status.as_str()));
    m.insert("SynchronizationDirection".into(), json!(job.direction));
    m.insert("DtsJobDirection".into(), json!(job.direction));
    m.insert("PayType".into(), json!("PostPaid"));
    m.insert("DtsJobClass".into(), json!("medium"));
    m.insert("CreateTime".into(), json!(job.create_time));
    m.insert("Delay".into(), json!(0));
    m.insert("ErrorMessage".into(), json!(""));
    if include_db_list {
        m.insert("DbObject".into(), json!(job.db_object().to_string()));
    }
    m.insert(
        "Reserved".into(),
        json!(Value::Object(job.reserved.clone()).to_string()),
    );
    m.insert(
        "MigrationMode".into(),
        json!({"StructureInitialization": true, "DataInitialization": true, "DataSynchronization": true}),
    );
    m.insert("SourceEndpoint".into(), endpoint_json(&job.source));
    m.insert(
        "DestinationEndpoint".into(),
        endpoint_json(&job.destination),
    );
    m.insert(
        "DataSynchronizationStatus".into(),
        json!({
            "Status": if running { "Catched" } else { "NotStarted" },
            "Percent": if running { "100" } else { "0" },
            "Progress": "0.00RPS/(0.000MB/s)",
            "ErrorMessage": "",
            "NeedUpgrade": false,
        }),
    );
    m
}

fn describe_detail(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Value, Failure> {
    let job_id = call.get("DtsJobId");
    let instance_id = call
        .get("DtsInstanceID")
        .or_else(|| call.get("DtsInstanceId"));
    if job_id.is_none() && instance_id.is_none() {
        return Err(Failure::missing("DtsJobId"));
    }
    check_direction(call)?;
    let job = find_job(call, world, job_id, instance_id)?;
    let mut m = ok(call.request_id);
    m.insert("Code".into(), json!(200));
    m.extend(job_json(job, true));
    m.insert(
        "JobType".into(),
        json!(match job.kind {
            Kind::Sync => "sync",
            Kind::Migration => "migration",
        }),
    );
    if behaviour.lowercase_detail_status {
        m.insert(
            "Status".into(),
            json!(job.status.as_str().to_ascii_lowercase()),
        );
    }
    let sub_jobs = if job.status == JobStatus::Modifying {
        vec![json!({
            "DtsJobId": format!("{}sub", job.job_id),
            "DtsInstanceID": job.instance_id,
            "JobType": "subSync",
            "Status": "Modifying",
            "DbObject": job.db_object().to_string(),
        })]
    } else {
        Vec::new()
    };
    m.insert("SubSyncJob".into(), Value::Array(sub_jobs));
    m.insert("SubDistributedJob".into(), json!([]));
    Ok(Value::Object(m))
}

fn describe_jobs(call: &Call<'_>, world: &World) -> Result<Value, Failure> {
    let kind = match call.get("JobType").map(str::to_ascii_uppercase).as_deref() {
        None | Some("MIGRATION") => Some(Kind::Migration),
        Some("SYNC") => Some(Kind::Sync),
        // The emulator models no change-tracking jobs: a valid, empty answer.
        Some("SUBSCRIBE") => None,
        Some(other) => {
            return Err(Failure::invalid(
                "JobType",
                format!("{other:?} is not MIGRATION, SYNC or SUBSCRIBE"),
            ));
        }
    };
    let page_size = call.number("PageSize", 20, 1..=100)?;
    let page_number = call.number("PageNumber", 1, 1..=u32::MAX)?;
    let without_db_list = call.flag("WithoutDbList")?;
    let region = call.get("Region").or_else(|| call.get("RegionId"));
    let matching: Vec<&Job> = world
        .jobs
        .iter()
        .filter(|j| Some(j.kind) == kind)
        .filter(|j| region.is_none_or(|r| j.region == r))
        .filter(|j| call.get("DtsJobId").is_none_or(|id| j.job_id == id))
        .filter(|j| {
            call.get("DtsInstanceId")
                .is_none_or(|id| j.instance_id == id)
        })
        .filter(|j| {
            call.get("Status")
                .is_none_or(|s| j.status.as_str().eq_ignore_ascii_case(s))
        })
        .collect();
    let start = (page_number as usize - 1).saturating_mul(page_size as usize);
    let rows: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(page_size as usize)
        .map(|job| {
            let mut row = job_json(job, !without_db_list);
            row.insert(
                "JobType".into(),
                json!(match job.kind {
                    Kind::Sync => "SYNC",
                    Kind::Migration => "MIGRATION",
                }),
            );
            Value::Object(row)
        })
        .collect();
    let mut m = ok(call.request_id);
    m.insert("PageNumber".into(), json!(page_number));
    m.insert("PageRecordCount".into(), json!(rows.len()));
    m.insert("TotalRecordCount".into(), json!(matching.len()));
    m.insert("DtsJobList".into(), Value::Array(rows));
    m.insert("EtlDemoList".into(), json!([]));
    Ok(Value::Object(m))
}

/// Parses and checks a `DbList`: at most 1 MB, a JSON object of objects.
pub fn parse_db_list(text: &str) -> Result<Map<String, Value>, Failure> {
    if let Err(e) = check_db_list_size(text.len()) {
        return Err(Failure::invalid(
            "DbList",
            format!(
                "it is {} bytes; the maximum is 1 MB ({MAX_DB_LIST_BYTES} bytes)",
                e.bytes
            ),
        ));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Failure::invalid("DbList", format!("it is not valid JSON ({e})")))?;
    let Value::Object(map) = value else {
        return Err(Failure::invalid(
            "DbList",
            "it must be a JSON object keyed by database name",
        ));
    };
    if let Some((db, _)) = map.iter().find(|(_, v)| !v.is_object()) {
        return Err(Failure::invalid(
            "DbList",
            format!("the entry for database {db:?} must be a JSON object"),
        ));
    }
    Ok(map)
}

/// Removes tables named in `names` from every database of `db_list`.
fn drop_tables(db_list: &mut Map<String, Value>, names: &[String]) {
    if names.is_empty() {
        return;
    }
    for db in db_list.values_mut() {
        let Some(db) = db.as_object_mut() else {
            continue;
        };
        for (key, tables) in db.iter_mut() {
            if let (true, Some(tables)) =
                (key.eq_ignore_ascii_case("table"), tables.as_object_mut())
            {
                tables.retain(|name, _| !names.contains(name));
            }
        }
    }
}

fn modify_job(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<(Value, Effect), Failure> {
    let instance_id = call.require("DtsInstanceId")?;
    check_direction(call)?;
    let reserved_mode = match call.get("ModifyTypeEnum") {
        None => false,
        Some(m) if m.eq_ignore_ascii_case("UPDATE_RESERVED") => true,
        Some(m) => {
            return Err(Failure::invalid(
                "ModifyTypeEnum",
                format!("{m:?} is not UPDATE_RESERVED"),
            ));
        }
    };
    // Validate the payload before looking at the job, as the service does.
    let (db_list, reserved) = if reserved_mode {
        let text = call.require("Reserved")?;
        let Ok(Value::Object(reserved)) = serde_json::from_str::<Value>(text) else {
            return Err(Failure::invalid("Reserved", "it must be a JSON object"));
        };
        (None, Some(reserved))
    } else {
        (Some(parse_db_list(call.require("DbList")?)?), None)
    };
    let job = find_job(call, world, call.get("DtsJobId"), Some(instance_id))?;
    if job.status == JobStatus::Modifying {
        return Err(Failure::job_modifying());
    }
    let what = if let Some(reserved) = reserved {
        job.reserved.extend(reserved);
        "reserved"
    } else {
        let modifiable = job.status == job.kind.running_status()
            || matches!(job.status, JobStatus::Failed | JobStatus::MigrationFailed);
        if !modifiable {
            return Err(Failure::new(
                403,
                "DTS.Msg.ModifyDenied.JobStatusNotRunning",
                format!(
                    "The objects of a job can only be modified while it is running; its status is {}.",
                    job.status
                ),
            ));
        }
        let back_at = after(call.now, behaviour.modify_duration)?;
        let mut db_list = db_list.unwrap_or_default();
        drop_tables(&mut db_list, &behaviour.drop_tables);
        job.db_list = db_list;
        job.status = JobStatus::Modifying;
        job.schedule([(job.kind.running_status(), back_at)]);
        "objects"
    };
    let mut m = ok(call.request_id);
    m.insert("DtsJobId".into(), json!(job.job_id));
    m.insert("Status".into(), json!("200"));
    let effect = Effect {
        job_id: job.job_id.clone(),
        what: Some(what.to_owned()),
    };
    Ok((Value::Object(m), effect))
}

fn modify_endpoint(call: &Call<'_>, world: &mut World) -> Result<(Value, Effect), Failure> {
    let job_id = call.get("DtsJobId");
    let instance_id = call.get("DtsInstanceId");
    if job_id.is_none() && instance_id.is_none() {
        return Err(Failure::missing("DtsJobId"));
    }
    let side = call.require("Endpoint")?.to_ascii_lowercase();
    if side != "src" && side != "dest" {
        return Err(Failure::invalid(
            "Endpoint",
            format!("{side:?} is not src or dest"),
        ));
    }
    let instance_type = call.require("EndpointInstanceType")?.to_ascii_lowercase();
    if !ENDPOINT_TYPES.contains(&instance_type.as_str()) {
        return Err(Failure::invalid(
            "EndpointInstanceType",
            format!(
                "{instance_type:?} is not one of {}",
                ENDPOINT_TYPES.join(", ")
            ),
        ));
    }
    check_direction(call)?;
    let modify_account = call.flag("ModifyAccount")?;
    if modify_account {
        call.require("Username")?;
        call.require("Password")?;
    }
    if let Some(port) = call.get("EndpointPort")
        && port.parse::<u16>().is_err()
    {
        return Err(Failure::invalid(
            "EndpointPort",
            format!("{port:?} is not a port number"),
        ));
    }
    let dry_run = call.flag("DryRun")?;
    let job = find_job(call, world, job_id, instance_id)?;
    if job.status == JobStatus::Modifying {
        return Err(Failure::job_modifying());
    }
    let mut m = ok(call.request_id);
    m.insert("HttpStatusCode".into(), json!("200"));
    if dry_run {
        let effect = Effect {
            job_id: job.job_id.clone(),
            what: None,
        };
        return Ok((Value::Object(m), effect));
    }
    let endpoint = if side == "src" {
        &mut job.source
    } else {
        &mut job.destination
    };
    endpoint.instance_type = Some(instance_type.to_ascii_uppercase());
    let set = |field: &mut Option<String>, param: &str| {
        if let Some(v) = call.get(param) {
            *field = Some(v.to_owned());
        }
    };
    set(&mut endpoint.instance_id, "EndpointInstanceId");
    set(&mut endpoint.region, "EndpointRegionId");
    set(&mut endpoint.ip, "EndpointIp");
    set(&mut endpoint.port, "EndpointPort");
    set(&mut endpoint.database_name, "Database");
    set(&mut endpoint.role_name, "RoleName");
    set(&mut endpoint.aliyun_uid, "AliyunUid");
    set(&mut endpoint.vpc_id, "EndpointVpcId");
    set(&mut endpoint.vswitch_id, "EndpointPrimaryVswId");
    if modify_account {
        set(&mut endpoint.user_name, "Username");
    }
    let what = format!(
        "endpoint {side}{}",
        if modify_account { " (account)" } else { "" }
    );
    let effect = Effect {
        job_id: job.job_id.clone(),
        what: Some(what),
    };
    Ok((Value::Object(m), effect))
}

/// `now + wait`, or a refusal — before anything changes — if that is beyond what the
/// world file can record (a misconfigured duration).
fn after(now: SystemTime, wait: Duration) -> Result<SystemTime, Failure> {
    now.checked_add(wait)
        .filter(|t| crate::util::to_datetime(*t).is_some())
        .ok_or_else(|| {
            Failure::new(
                500,
                "InternalError",
                "The emulator's configured status durations are too long to schedule.",
            )
        })
}

fn invalid_status(job: &Job) -> Failure {
    Failure::new(
        403,
        "InvalidJobStatus",
        format!(
            "The operation is not allowed in the current job status: {}.",
            job.status
        ),
    )
}

fn start_job(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<(Value, Effect), Failure> {
    let job_id = call.require("DtsJobId")?;
    check_direction(call)?;
    let job = find_job(call, world, Some(job_id), call.get("DtsInstanceId"))?;
    let running = job.kind.running_status();
    // Every time is computed before the job changes, so a refusal leaves it untouched.
    let one_step = after(call.now, behaviour.step_duration)?;
    let two_steps = after(one_step, behaviour.step_duration)?;
    let changed = match job.status {
        JobStatus::NotStarted
        | JobStatus::NotConfigured
        | JobStatus::PreCheckPass
        | JobStatus::PrecheckFailed => {
            job.status = JobStatus::Prechecking;
            let steps = match job.kind {
                Kind::Sync => vec![(JobStatus::Initializing, one_step), (running, two_steps)],
                Kind::Migration => vec![(running, one_step)],
            };
            job.schedule(steps);
            true
        }
        JobStatus::Suspending => {
            job.status = running;
            job.pending.clear();
            true
        }
        JobStatus::Failed
        | JobStatus::InitializeFailed
        | JobStatus::MigrationFailed
        | JobStatus::ModifyFailed => {
            job.status = JobStatus::Initializing;
            job.schedule([(running, one_step)]);
            true
        }
        // Already on its way or there: starting again changes nothing.
        JobStatus::Synchronizing
        | JobStatus::Migrating
        | JobStatus::Prechecking
        | JobStatus::Initializing
        | JobStatus::Modifying
        | JobStatus::Retrying => false,
        _ => return Err(invalid_status(job)),
    };
    let effect = Effect {
        job_id: job.job_id.clone(),
        what: changed.then(|| "start".to_owned()),
    };
    Ok((Value::Object(ok(call.request_id)), effect))
}

fn suspend_job(call: &Call<'_>, world: &mut World) -> Result<(Value, Effect), Failure> {
    let job_id = call.require("DtsJobId")?;
    check_direction(call)?;
    let job = find_job(call, world, Some(job_id), call.get("DtsInstanceId"))?;
    let changed = match job.status {
        JobStatus::Synchronizing
        | JobStatus::Migrating
        | JobStatus::Initializing
        | JobStatus::Retrying
        | JobStatus::Failed
        | JobStatus::MigrationFailed => {
            job.status = JobStatus::Suspending;
            job.pending.clear();
            true
        }
        JobStatus::Suspending => false,
        JobStatus::Modifying => return Err(Failure::job_modifying()),
        _ => return Err(invalid_status(job)),
    };
    let effect = Effect {
        job_id: job.job_id.clone(),
        what: changed.then(|| "suspend".to_owned()),
    };
    Ok((Value::Object(ok(call.request_id)), effect))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behaviour() -> Behaviour {
        Behaviour {
            modify_duration: Duration::from_secs(3),
            step_duration: Duration::from_secs(1),
            ..Behaviour::default()
        }
    }

    fn call<'a>(action: &'a str, params: &'a [(String, String)], now: SystemTime) -> Call<'a> {
        Call {
            action,
            version: API_VERSION,
            params,
            request_id: "RID",
            now,
        }
    }

    fn p(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    fn code(r: Result<Outcome, Failure>) -> String {
        r.map_or_else(|f| f.code, |o| format!("ok {}", o.body))
    }

    #[test]
    fn modify_overwrites_then_holds_modifying_then_returns_to_running() {
        let mut world = World::sample();
        let b = behaviour();
        let now = SystemTime::now();
        let params = p(&[
            ("DtsInstanceId", "dtsk2gm967v16f"),
            (
                "DbList",
                r#"{"shop":{"name":"shop","all":false,"Table":{"payments":{"name":"payments","all":true}}}}"#,
            ),
        ]);
        handle(&call("ModifyDtsJob", &params, now), &mut world, &b).unwrap();
        let job = &world.jobs[0];
        assert_eq!(job.status, JobStatus::Modifying);
        assert_eq!(
            job.db_list["shop"]["Table"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["payments"],
            "the old tables are gone: full overwrite"
        );
        assert_eq!(
            code(handle(
                &call("ModifyDtsJob", &params, now + Duration::from_secs(1)),
                &mut world,
                &b
            )),
            "DTS.Msg.OperationDenied.JobStatusModifying"
        );
        let later = now + Duration::from_secs(4);
        handle(&call("ModifyDtsJob", &params, later), &mut world, &b).unwrap();
        assert_eq!(world.writes.len(), 2);
    }

    #[test]
    fn client_token_replays_and_refuses_other_parameters() {
        let mut world = World::sample();
        let b = behaviour();
        let now = SystemTime::now();
        let first = p(&[
            ("ClientToken", "t-1"),
            ("DtsInstanceId", "dtsk2gm967v16f"),
            ("DbList", r#"{"shop":{"name":"shop","all":true}}"#),
            ("Signature", "a"),
        ]);
        handle(&call("ModifyDtsJob", &first, now), &mut world, &b).unwrap();
        // Same business parameters, different framing: a replay, even while Modifying.
        let retry = p(&[
            ("ClientToken", "t-1"),
            ("DtsInstanceId", "dtsk2gm967v16f"),
            ("DbList", r#"{"shop":{"name":"shop","all":true}}"#),
            ("Signature", "b"),
        ]);
        let out = handle(&call("ModifyDtsJob", &retry, now), &mut world, &b).unwrap();
        assert_eq!(out.body["DtsJobId"], "k2gm967v16f");
        assert_eq!(world.writes.len(), 1, "a replay is not a second write");
        assert_eq!(world.client_tokens[0].replays, 1);
        let other = p(&[
            ("ClientToken", "t-1"),
            ("DtsInstanceId", "dtsk2gm967v16f"),
            ("DbList", r#"{"other":{"name":"other","all":true}}"#),
        ]);
        assert_eq!(
            code(handle(&call("ModifyDtsJob", &other, now), &mut world, &b)),
            "IdempotentParameterMismatch"
        );
    }

    #[test]
    fn bad_db_lists_are_refused_with_the_real_shape() {
        let mut world = World::sample();
        let b = behaviour();
        let now = SystemTime::now();
        let huge = format!(
            r#"{{"shop":{{"name":"{}"}}}}"#,
            "x".repeat(MAX_DB_LIST_BYTES)
        );
        for (db_list, expect) in [
            (r#"{"shop":"#, "not valid JSON"),
            ("[]", "JSON object"),
            (r#"{"shop":true}"#, "must be a JSON object"),
            (huge.as_str(), "maximum is 1 MB"),
        ] {
            let params = p(&[("DtsInstanceId", "dtsk2gm967v16f"), ("DbList", db_list)]);
            let err = handle(&call("ModifyDtsJob", &params, now), &mut world, &b).unwrap_err();
            assert_eq!(err.code, "InvalidParameter");
            assert!(err.message.contains(expect), "{}", err.message);
        }
        let missing = p(&[("DtsInstanceId", "dtsk2gm967v16f")]);
        assert_eq!(
            code(handle(&call("ModifyDtsJob", &missing, now), &mut world, &b)),
            "MissingDbList"
        );
        assert_eq!(
            code(handle(&call("ModifyDtsJob", &[], now), &mut world, &b)),
            "MissingDtsInstanceId"
        );
        assert!(world.writes.is_empty());
        assert_eq!(world.jobs, World::sample().jobs);
    }

    #[test]
    fn start_walks_through_transitional_statuses() {
        let mut world = World::sample();
        world.jobs[0].status = JobStatus::NotStarted;
        let b = behaviour();
        let now = SystemTime::now();
        let params = p(&[("DtsJobId", "k2gm967v16f")]);
        handle(&call("StartDtsJob", &params, now), &mut world, &b).unwrap();
        let status_at = |world: &mut World, secs: f64| {
            let t = now + Duration::from_secs_f64(secs);
            world.jobs[0].settle(t);
            world.jobs[0].status.clone()
        };
        assert_eq!(status_at(&mut world, 0.5), JobStatus::Prechecking);
        assert_eq!(status_at(&mut world, 1.5), JobStatus::Initializing);
        assert_eq!(status_at(&mut world, 2.5), JobStatus::Synchronizing);
        // Starting a running job is a no-op, not a write.
        handle(
            &call("StartDtsJob", &params, now + Duration::from_secs(3)),
            &mut world,
            &b,
        )
        .unwrap();
        assert_eq!(world.writes.len(), 1);
    }

    #[test]
    fn a_token_is_spent_even_by_a_call_that_changes_nothing() {
        let mut world = World::sample();
        let b = behaviour();
        let now = SystemTime::now();
        let start = p(&[("DtsJobId", "k2gm967v16f"), ("ClientToken", "t")]);
        let out = handle(&call("StartDtsJob", &start, now), &mut world, &b).unwrap();
        assert!(out.changed, "the token record must be persisted");
        assert!(
            world.writes.is_empty(),
            "starting a running job is not a write"
        );
        let other = p(&[("DtsJobId", "s7qd5ph3n9c"), ("ClientToken", "t")]);
        assert_eq!(
            code(handle(&call("StartDtsJob", &other, now), &mut world, &b)),
            "IdempotentParameterMismatch"
        );
        let plain = p(&[("DtsJobId", "k2gm967v16f")]);
        let out = handle(&call("StartDtsJob", &plain, now), &mut world, &b).unwrap();
        assert!(!out.changed, "no token, no effect: nothing to save");
    }

    #[test]
    fn objects_change_only_in_the_kinds_own_running_status() {
        let mut world = World::sample();
        world.jobs[0].status = JobStatus::Normal; // a change-tracking status
        let params = p(&[("DtsInstanceId", "dtsk2gm967v16f"), ("DbList", "{}")]);
        assert_eq!(
            code(handle(
                &call("ModifyDtsJob", &params, SystemTime::now()),
                &mut world,
                &behaviour()
            )),
            "DTS.Msg.ModifyDenied.JobStatusNotRunning"
        );
    }

    #[test]
    fn passwords_leave_no_trace_in_the_world() {
        let mut world = World::sample();
        let params = p(&[
            ("DtsJobId", "k2gm967v16f"),
            ("Endpoint", "src"),
            ("EndpointInstanceType", "rds"),
            ("ModifyAccount", "true"),
            ("Username", "u"),
            ("Password", "hunter2"),
            ("ClientToken", "t"),
        ]);
        let c = call("ModifyDtsJobEndpoint", &params, SystemTime::now());
        handle(&c, &mut world, &behaviour()).unwrap();
        let saved = serde_json::to_string(&world).unwrap();
        assert!(!saved.contains("hunter2"));
        let without = p(&[
            ("DtsJobId", "k2gm967v16f"),
            ("Endpoint", "src"),
            ("EndpointInstanceType", "rds"),
            ("ModifyAccount", "true"),
            ("Username", "u"),
            ("ClientToken", "t"),
            ("RegionId", ""),
        ]);
        assert_eq!(
            c.fingerprint(),
            call("ModifyDtsJobEndpoint", &without, SystemTime::now()).fingerprint(),
            "neither the password nor an empty parameter is part of the fingerprint"
        );
    }

    #[test]
    fn repeated_parameters_and_impossible_durations_are_refused_before_any_change() {
        let mut world = World::sample();
        let twice = p(&[("DtsJobId", "k2gm967v16f"), ("DtsJobId", "s7qd5ph3n9c")]);
        let err = handle(
            &call("StartDtsJob", &twice, SystemTime::now()),
            &mut world,
            &behaviour(),
        )
        .unwrap_err();
        assert_eq!(err.code, "InvalidParameter");
        assert!(err.message.contains("DtsJobId"));

        let mut b = behaviour();
        b.modify_duration = Duration::MAX;
        let params = p(&[("DtsInstanceId", "dtsk2gm967v16f"), ("DbList", "{}")]);
        let err = handle(
            &call("ModifyDtsJob", &params, SystemTime::now()),
            &mut world,
            &b,
        )
        .unwrap_err();
        assert_eq!(err.code, "InternalError");
        b.step_duration = Duration::from_secs(u64::MAX / 2);
        let params = p(&[("DtsJobId", "s7qd5ph3n9c")]);
        assert!(
            handle(
                &call("StartDtsJob", &params, SystemTime::now()),
                &mut world,
                &b
            )
            .is_err()
        );
        assert_eq!(world, World::sample(), "nothing changed");
    }

    #[test]
    fn unknown_actions_versions_and_jobs() {
        let mut world = World::sample();
        let b = behaviour();
        let now = SystemTime::now();
        assert_eq!(
            code(handle(&call("DeleteEverything", &[], now), &mut world, &b)),
            "InvalidApi.NotFound"
        );
        let mut c = call("DescribeDtsJobs", &[], now);
        c.version = "2016-08-01";
        assert_eq!(code(handle(&c, &mut world, &b)), "InvalidApi.NotFound");
        let params = p(&[("DtsJobId", "nope")]);
        assert_eq!(
            code(handle(
                &call("DescribeDtsJobDetail", &params, now),
                &mut world,
                &b
            )),
            "Forbidden.InstanceNotFound"
        );
        let params = p(&[("DtsJobId", "k2gm967v16f"), ("RegionId", "cn-shanghai")]);
        assert_eq!(
            code(handle(
                &call("DescribeDtsJobDetail", &params, now),
                &mut world,
                &b
            )),
            "Forbidden.InstanceNotFound",
            "a job is only found in its own region"
        );
    }
}
