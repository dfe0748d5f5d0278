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

use super::objects::{drop_tables, parse_db_list};
use super::params::Params;
use super::reply::Failure;
use super::status::{self, Refusal, Transition};
use super::world::{EndpointChecks, EndpointState, Job, Kind, TokenRecord};
use crate::cloud::alibaba::JobStatus;
use crate::cloud::alibaba::request::API_VERSION;
use crate::emulator::config::Behaviour;
use crate::emulator::pipeline;
use crate::emulator::world::{World, WriteRecord};
use crate::util::rfc3339;

const READ_ACTIONS: &[&str] = &["DescribeDtsJobDetail", "DescribeDtsJobs"];
const WRITE_ACTIONS: &[&str] = &[
    "ModifyDtsJob",
    "ModifyDtsJobEndpoint",
    "StartDtsJob",
    "SuspendDtsJob",
];

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

/// One authenticated call.
pub struct Call<'a> {
    pub action: &'a str,
    pub version: &'a str,
    /// Business parameters (query ∪ form body), decoded.
    pub params: Params<'a>,
    pub request_id: &'a str,
    pub now: SystemTime,
}

/// The answer to a call and whether it changed the world (so it must be persisted).
pub type Outcome = pipeline::Outcome<Value>;

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
    // A name given twice (also one in both the query and the body) is ambiguous.
    if let Some(name) = call.params.repeated() {
        return Err(Failure::invalid(name, "it is given more than once"));
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

    let token = call.params.get("ClientToken");
    let fingerprint = call.params.fingerprint();
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

/// The direction a call names (`SynchronizationDirection`, `Forward` by default).
fn direction(call: &Call<'_>) -> Result<bool, Failure> {
    match call.params.get("SynchronizationDirection") {
        None => Ok(false),
        Some(d) if d.eq_ignore_ascii_case("forward") => Ok(false),
        Some(d) if d.eq_ignore_ascii_case("reverse") => Ok(true),
        Some(d) => Err(Failure::invalid(
            "SynchronizationDirection",
            format!("{d:?} is not Forward or Reverse"),
        )),
    }
}

/// Finds the job a call is about, by id and/or instance id, in the requested region and
/// resource group, in the direction it names: `SynchronizationDirection=Reverse` (or the
/// reverse direction's own job id) reaches the reverse job of a two-way synchronization.
fn find_job<'w>(
    call: &Call<'_>,
    world: &'w mut World,
    job_id: Option<&str>,
    instance_id: Option<&str>,
) -> Result<&'w mut Job, Failure> {
    let region = call.params.get("RegionId");
    let group = call.params.get("ResourceGroupId");
    let mut reverse = direction(call)?;
    let shown = job_id.or(instance_id).unwrap_or_default().to_owned();
    let reverse_id = |j: &Job| j.reverse.as_ref().map(|r| r.job_id.clone());
    let job = world
        .jobs
        .iter_mut()
        .find(|j| {
            job_id.is_none_or(|id| j.job_id == id || reverse_id(j).as_deref() == Some(id))
                && instance_id.is_none_or(|id| j.instance_id == id)
                && region.is_none_or(|r| j.region == r)
                && group.is_none_or(|g| j.resource_group_id.as_deref() == Some(g))
        })
        .ok_or_else(|| Failure::job_not_found(&shown))?;
    if job_id.is_some_and(|id| id != job.job_id) {
        reverse = true;
    }
    if !reverse {
        return Ok(job);
    }
    let id = job.job_id.clone();
    job.reverse.as_deref_mut().ok_or_else(|| {
        Failure::invalid(
            "SynchronizationDirection",
            format!("job {id} is not a two-way synchronization, so it has no Reverse direction"),
        )
    })
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

/// The fields DescribeDtsJobDetail and a DescribeDtsJobs row share. `DtsJobDirection`
/// only for a direction of a two-way job, as the service documents it; a forward job
/// with a reverse direction also shows it as `ReverseJob`, in the same shape.
fn job_json(job: &Job, include_db_list: bool) -> Map<String, Value> {
    let running = job.status.is_running();
    let mut m = Map::new();
    m.insert("DtsJobId".into(), json!(job.job_id));
    m.insert("DtsInstanceID".into(), json!(job.instance_id));
    m.insert("DtsJobName".into(), json!(job.name));
    m.insert("Status".into(), json!(job.status.as_str()));
    m.insert("SynchronizationDirection".into(), json!(job.direction));
    let two_way = job.reverse.is_some() || job.direction.eq_ignore_ascii_case("reverse");
    if two_way {
        m.insert("DtsJobDirection".into(), json!(job.direction));
    }
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
    let mode = job.migration_mode;
    m.insert(
        "MigrationMode".into(),
        json!({
            "StructureInitialization": mode.structure_initialization,
            "DataInitialization": mode.data_initialization,
            "DataSynchronization": mode.data_synchronization,
        }),
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
    if let Some(group) = &job.resource_group_id {
        m.insert("ResourceGroupId".into(), json!(group));
    }
    if let Some(reverse) = &job.reverse {
        let mut r = job_json(reverse, include_db_list);
        r.insert("JobType".into(), json!("SYNC"));
        m.insert("ReverseJob".into(), Value::Object(r));
    }
    m
}

fn describe_detail(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<Value, Failure> {
    let job_id = call.params.get("DtsJobId");
    let instance_id = call
        .params
        .get("DtsInstanceID")
        .or_else(|| call.params.get("DtsInstanceId"));
    if job_id.is_none() && instance_id.is_none() {
        return Err(Failure::missing("DtsJobId"));
    }
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
    let kind = match call
        .params
        .get("JobType")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
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
    let page_size = call.params.number("PageSize", 20, 1..=100)?;
    let page_number = call.params.number("PageNumber", 1, 1..=u32::MAX)?;
    let without_db_list = call.params.flag("WithoutDbList")?;
    let region = call
        .params
        .get("Region")
        .or_else(|| call.params.get("RegionId"));
    let matching: Vec<&Job> = world
        .jobs
        .iter()
        .filter(|j| Some(j.kind) == kind)
        .filter(|j| region.is_none_or(|r| j.region == r))
        .filter(|j| call.params.get("DtsJobId").is_none_or(|id| j.job_id == id))
        .filter(|j| {
            call.params
                .get("DtsInstanceId")
                .is_none_or(|id| j.instance_id == id)
        })
        .filter(|j| {
            call.params
                .get("Status")
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

/// The migration-mode flags a ModifyDtsJob names (`StructureInitialization`,
/// `DataInitialization`, `DataSynchronization`), each `None` when absent.
fn mode_flags(call: &Call<'_>) -> Result<[Option<bool>; 3], Failure> {
    let flag = |name: &str| match call.params.get(name) {
        None => Ok(None),
        Some(_) => call.params.flag(name).map(Some),
    };
    Ok([
        flag("StructureInitialization")?,
        flag("DataInitialization")?,
        flag("DataSynchronization")?,
    ])
}

fn modify_job(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<(Value, Effect), Failure> {
    let instance_id = call.params.require("DtsInstanceId")?;
    direction(call)?;
    let reserved_mode = match call.params.get("ModifyTypeEnum") {
        None => false,
        Some(m) if m.eq_ignore_ascii_case("UPDATE_RESERVED") => true,
        Some(m) => {
            return Err(Failure::invalid(
                "ModifyTypeEnum",
                format!("{m:?} is not UPDATE_RESERVED"),
            ));
        }
    };
    let flags = mode_flags(call)?;
    let mode_change = flags.iter().any(Option::is_some);
    // Validate the payload before looking at the job, as the service does.
    let (db_list, reserved) = if reserved_mode {
        let text = call.params.require("Reserved")?;
        let Ok(Value::Object(reserved)) = serde_json::from_str::<Value>(text) else {
            return Err(Failure::invalid("Reserved", "it must be a JSON object"));
        };
        (None, Some(reserved))
    } else if mode_change && call.params.get("DbList").is_none() {
        (None, None)
    } else {
        (Some(parse_db_list(call.params.require("DbList")?)?), None)
    };
    let job = find_job(call, world, call.params.get("DtsJobId"), Some(instance_id))?;
    status::check_write(&job.status).map_err(|r| refused(r, job))?;
    let what = if let Some(reserved) = reserved {
        job.reserved.extend(reserved);
        "reserved"
    } else {
        status::check_modify_objects(job.kind, &job.status).map_err(|r| refused(r, job))?;
        let mut mode = job.migration_mode;
        for (slot, wanted) in [
            &mut mode.structure_initialization,
            &mut mode.data_initialization,
            &mut mode.data_synchronization,
        ]
        .into_iter()
        .zip(flags)
        {
            if let Some(wanted) = wanted {
                *slot = wanted;
            }
        }
        if !(mode.structure_initialization || mode.data_initialization || mode.data_synchronization)
        {
            return Err(Failure::invalid(
                "DataSynchronization",
                "a job must run at least one of schema initialization, full data initialization and incremental synchronization",
            ));
        }
        let back_at = after(call.now, behaviour.modify_duration)?;
        job.migration_mode = mode;
        let what = if let Some(mut db_list) = db_list {
            drop_tables(&mut db_list, &behaviour.drop_tables);
            job.db_list = db_list;
            "objects"
        } else {
            "migration mode"
        };
        enter(job, status::modifying(job.kind, back_at));
        what
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
    let job_id = call.params.get("DtsJobId");
    let instance_id = call.params.get("DtsInstanceId");
    if job_id.is_none() && instance_id.is_none() {
        return Err(Failure::missing("DtsJobId"));
    }
    let side = call.params.require("Endpoint")?.to_ascii_lowercase();
    if side != "src" && side != "dest" {
        return Err(Failure::invalid(
            "Endpoint",
            format!("{side:?} is not src or dest"),
        ));
    }
    let instance_type = call
        .params
        .require("EndpointInstanceType")?
        .to_ascii_lowercase();
    if !ENDPOINT_TYPES.contains(&instance_type.as_str()) {
        return Err(Failure::invalid(
            "EndpointInstanceType",
            format!(
                "{instance_type:?} is not one of {}",
                ENDPOINT_TYPES.join(", ")
            ),
        ));
    }
    direction(call)?;
    let modify_account = call.params.flag("ModifyAccount")?;
    if modify_account {
        call.params.require("Username")?;
        call.params.require("Password")?;
    }
    let shard = call.params.get("ShardUsername");
    if shard.is_some() || call.params.get("ShardPassword").is_some() {
        // A shard account is the source MongoDB sharded cluster's, set with the account.
        if !modify_account || side != "src" || instance_type != "distributed_mongodb" {
            return Err(Failure::invalid(
                "ShardUsername",
                "a shard account is only set with ModifyAccount=true on the source (Endpoint=src) of a sharded MongoDB cluster (EndpointInstanceType=distributed_mongodb)",
            ));
        }
        call.params.require("ShardUsername")?;
        call.params.require("ShardPassword")?;
    }
    if call.params.get("AliyunUid").is_some() && call.params.get("RoleName").is_none() {
        return Err(Failure::missing("RoleName"));
    }
    if let Some(port) = call.params.get("EndpointPort")
        && port.parse::<u16>().is_err()
    {
        return Err(Failure::invalid(
            "EndpointPort",
            format!("{port:?} is not a port number"),
        ));
    }
    let dry_run = call.params.flag("DryRun")?;
    let checks = world.endpoint_checks.clone();
    let job = find_job(call, world, job_id, instance_id)?;
    status::check_write(&job.status).map_err(|r| refused(r, job))?;
    let endpoint = if side == "src" {
        &mut job.source
    } else {
        &mut job.destination
    };
    // The precheck, which a real change runs too: can DTS reach the database, and does
    // it take the account?
    precheck(call, &checks, endpoint, &side, modify_account)?;
    let mut m = ok(call.request_id);
    m.insert("HttpStatusCode".into(), json!("200"));
    if dry_run {
        let effect = Effect {
            job_id: job.job_id.clone(),
            what: None,
        };
        return Ok((Value::Object(m), effect));
    }
    endpoint.instance_type = Some(instance_type.to_ascii_uppercase());
    let set = |field: &mut Option<String>, param: &str| {
        if let Some(v) = call.params.get(param) {
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

/// The connection check DTS runs before it changes an endpoint (and alone, with
/// `DryRun`): the port the endpoint will have must be reachable, and the accounts the
/// call sets must be accepted (the world's [`EndpointChecks`]).
fn precheck(
    call: &Call<'_>,
    checks: &EndpointChecks,
    endpoint: &EndpointState,
    side: &str,
    modify_account: bool,
) -> Result<(), Failure> {
    let which = if side == "src" {
        "source"
    } else {
        "destination"
    };
    let port = call.params.get("EndpointPort").or(endpoint.port.as_deref());
    if let Some(port) = port.filter(|p| checks.unreachable_ports.iter().any(|u| u == p)) {
        return Err(Failure::new(
            400,
            "DTS.Msg.InvalidEndpoint",
            format!(
                "Precheck failed: DTS cannot connect to the {which} database on port {port} (connection timed out)."
            ),
        ));
    }
    let accounts = [
        modify_account
            .then(|| call.params.get("Username"))
            .flatten(),
        call.params.get("ShardUsername"),
    ];
    if let Some(user) = accounts
        .into_iter()
        .flatten()
        .find(|u| checks.refused_accounts.iter().any(|r| r == u))
    {
        return Err(Failure::new(
            400,
            "DTS.Msg.InvalidEndpoint",
            format!(
                "Precheck failed: the {which} database refused the account \"{user}\" (access denied)."
            ),
        ));
    }
    Ok(())
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

/// A refusal of the status machine, as the service answers it.
fn refused(refusal: Refusal, job: &Job) -> Failure {
    match refusal {
        Refusal::Modifying => Failure::job_modifying(),
        Refusal::NotRunning => Failure::new(
            403,
            "DTS.Msg.ModifyDenied.JobStatusNotRunning",
            format!(
                "The objects of a job can only be modified while it is running; its status is {}.",
                job.status
            ),
        ),
        Refusal::NotAllowed => Failure::new(
            403,
            "InvalidJobStatus",
            format!(
                "The operation is not allowed in the current job status: {}.",
                job.status
            ),
        ),
    }
}

/// Puts `job` where `transition` leads.
fn enter(job: &mut Job, transition: Transition) {
    job.status = transition.status;
    job.schedule(transition.then);
}

fn start_job(
    call: &Call<'_>,
    world: &mut World,
    behaviour: &Behaviour,
) -> Result<(Value, Effect), Failure> {
    let job_id = call.params.require("DtsJobId")?;
    let job = find_job(call, world, Some(job_id), call.params.get("DtsInstanceId"))?;
    // Every time is computed before the job changes, so a refusal leaves it untouched.
    let one_step = after(call.now, behaviour.step_duration)?;
    let two_steps = after(one_step, behaviour.step_duration)?;
    let transition =
        status::start(job.kind, &job.status, one_step, two_steps).map_err(|r| refused(r, job))?;
    let changed = transition.is_some();
    if let Some(transition) = transition {
        enter(job, transition);
    }
    let effect = Effect {
        job_id: job.job_id.clone(),
        what: changed.then(|| "start".to_owned()),
    };
    Ok((Value::Object(ok(call.request_id)), effect))
}

fn suspend_job(call: &Call<'_>, world: &mut World) -> Result<(Value, Effect), Failure> {
    let job_id = call.params.require("DtsJobId")?;
    let job = find_job(call, world, Some(job_id), call.params.get("DtsInstanceId"))?;
    let transition = status::suspend(&job.status).map_err(|r| refused(r, job))?;
    let changed = transition.is_some();
    if let Some(transition) = transition {
        enter(job, transition);
    }
    let effect = Effect {
        job_id: job.job_id.clone(),
        what: changed.then(|| "suspend".to_owned()),
    };
    Ok((Value::Object(ok(call.request_id)), effect))
}

#[cfg(test)]
mod tests;
