//! Tencent Cloud DTS migration jobs' steps for the executor (see `executor.rs`).
//!
//! The job is read with DescribeMigrateJobs; it is between states while Checking,
//! ReadyRun, Stopping or Completing. ModifyMigrateJob takes no ClientToken, so a re-run
//! recognises its own earlier write by comparing the live job with the request (the
//! whole object list, the name, MigrateOption and endpoint fields; never passwords or
//! the source's AccessKey, which DTS does not return). It has no `Modifying` phase either: what was sent must
//! keep showing for the stability window, so another writer's list landing right after
//! is seen. The check operation creates a check job and waits for its verdict; a check
//! that does not pass is an error naming what DTS reported, and the start that depends
//! on it is skipped. StartMigrateJob is sent only to a job whose check passed (status
//! 4) and is verified by the job leaving it for a running status.

use serde_json::{Map, Value};

use super::executor::{Already, Ctx, Driver, Shows, read_back};
use super::wait::{Decision, Ended, until};
use super::{ApplyError, FromConfig, named};
use crate::cloud::tencent::MigrateStatus;
use crate::cloud::tencent::{DstInfo, MigrateOption, ModifyMigrateJob, SrcInfo, TencentClient};
use crate::objects::diff::{ObjectChange, diff};
use crate::objects::tencent::{self as info, DatabaseInfo};
use crate::objects::{Pattern, Removal};
use crate::plan::operation::{MigrateModifyWrite, MigrateObjects, Operation};
use crate::plan::tencent::{TencentLive, flatten};
use crate::plan::{JobPlan, PlannedOp};

/// One Tencent write, with its passwords ready.
#[derive(Debug)]
pub(super) enum TencentWrite<'a> {
    Modify {
        request: Box<ModifyMigrateJob>,
        write: &'a MigrateModifyWrite,
        objects: DatabaseInfo,
    },
    Check,
    Start,
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Resolves a Tencent operation of the plan: the request with its passwords.
pub(super) fn resolve<'a>(
    job: &JobPlan,
    planned: &'a PlannedOp,
    config: &FromConfig,
) -> Result<TencentWrite<'a>, ApplyError> {
    let bad = |what: String| {
        ApplyError::plan(
            format!("{}: {} {what}", planned.id, planned.op.action()),
            "the plan file is damaged or was not written by dtsform; run plan again",
        )
    };
    Ok(match &planned.op {
        Operation::MigrateModify(m) => {
            let objects = match &m.objects {
                MigrateObjects::WholeInstance => DatabaseInfo::WholeInstance,
                MigrateObjects::Listed(payload) => DatabaseInfo::Objects(
                    payload
                        .tree()
                        .map_err(|e| bad(format!("has an object list that cannot be read: {e}")))?,
                ),
            };
            let database_info = info::render(&objects)
                .map_err(|e| bad(format!("has a bad object list: {}", e.join("; "))))?;
            let migrate_option: MigrateOption =
                serde_json::from_value(Value::Object(m.migrate_option.clone()))
                    .map_err(|e| bad(format!("has a bad MigrateOption: {e}")))?;
            let mut src_info: Option<SrcInfo> = (!m.src_info.is_empty())
                .then(|| serde_json::from_value(Value::Object(m.src_info.clone())))
                .transpose()
                .map_err(|e| bad(format!("has a bad SrcInfo: {e}")))?;
            let mut dst_info: Option<DstInfo> = (!m.dst_info.is_empty())
                .then(|| serde_json::from_value(Value::Object(m.dst_info.clone())))
                .transpose()
                .map_err(|e| bad(format!("has a bad DstInfo: {e}")))?;
            if let Some(p) = &m.src_password {
                let password = config.resolve(&job.address, "src", "Password", &p.from)?;
                src_info.get_or_insert_with(SrcInfo::default).password = Some(password);
            }
            if let Some(k) = &m.src_access_key {
                let key = config.resolve(&job.address, "src", "AccessKey", &k.from)?;
                src_info.get_or_insert_with(SrcInfo::default).access_key = Some(key);
            }
            if let Some(p) = &m.dst_password {
                let password = config.resolve(&job.address, "dest", "Password", &p.from)?;
                dst_info.get_or_insert_with(DstInfo::default).password = Some(password);
            }
            let request = ModifyMigrateJob {
                job_id: job.dts_job_id.clone(),
                job_name: m.job_name.clone(),
                migrate_option: Some(migrate_option),
                src_access_type: m.src_access_type.clone(),
                src_info,
                dst_access_type: m.dst_access_type.clone(),
                dst_info,
                database_info: Some(database_info),
            };
            TencentWrite::Modify {
                request: Box::new(request),
                write: m,
                objects,
            }
        }
        Operation::MigrateCheck => TencentWrite::Check,
        Operation::MigrateStart(_) => TencentWrite::Start,
        other => {
            return Err(ApplyError::plan(
                format!(
                    "{}: {} is not a Tencent Cloud DTS action",
                    planned.id,
                    other.action()
                ),
                "the plan file is damaged or was not written by dtsform; run plan again",
            ));
        }
    })
}

/// Whether `live` shows what a modify sent: what was verified, or what differs.
fn modify_shown(
    write: &MigrateModifyWrite,
    objects: &DatabaseInfo,
    live: &TencentLive,
) -> Result<String, Vec<String>> {
    let mut differing = Vec::new();
    match (objects, &live.objects) {
        (DatabaseInfo::WholeInstance, DatabaseInfo::WholeInstance) => {}
        (DatabaseInfo::Objects(sent), DatabaseInfo::Objects(tree)) => {
            differing.extend(diff(sent, tree).changes.iter().map(ObjectChange::mismatch));
        }
        (DatabaseInfo::WholeInstance, _) => {
            differing.push("the job lists objects, not the whole instance".into());
        }
        (_, DatabaseInfo::WholeInstance) => {
            differing.push("the job migrates the whole instance, not the list sent".into());
        }
    }
    if let Some(name) = &write.job_name
        && *name != live.job_name
    {
        differing.push(format!("its name is {:?}, not {name:?}", live.job_name));
    }
    let fields = |what: &str, want: &Map<String, Value>, have: &Map<String, Value>| {
        want.iter()
            .filter(|(k, v)| {
                !matches!(k.as_str(), "Password" | "AccessKey")
                    && text(Some(v)) != text(have.get(*k))
            })
            .map(|(k, v)| {
                format!(
                    "{what}.{k} is {:?}, not {:?}",
                    text(have.get(k)),
                    text(Some(v))
                )
            })
            .collect::<Vec<_>>()
    };
    differing.extend(fields(
        "MigrateOption",
        &flatten(&write.migrate_option),
        &flatten(&live.migrate_option),
    ));
    differing.extend(fields("SrcInfo", &write.src_info, &live.src_info));
    differing.extend(fields("DstInfo", &write.dst_info, &live.dst_info));
    for (what, want, have) in [
        (
            "SrcAccessType",
            &write.src_access_type,
            &live.src_access_type,
        ),
        (
            "DstAccessType",
            &write.dst_access_type,
            &live.dst_access_type,
        ),
    ] {
        if let Some(want) = want
            && want != have
        {
            differing.push(format!("{what} is {have:?}, not {want:?}"));
        }
    }
    if differing.is_empty() {
        Ok(match &live.objects {
            DatabaseInfo::WholeInstance => {
                "the job shows the configuration sent (the whole instance)".into()
            }
            DatabaseInfo::Objects(tree) => format!(
                "the job shows the configuration sent ({} objects)",
                tree.count()
            ),
        })
    } else {
        Err(differing)
    }
}

/// One Tencent operation, ready for the executor.
pub(super) struct TencentOp<'a> {
    pub job: &'a JobPlan,
    pub op_id: &'a str,
    pub write: &'a TencentWrite<'a>,
    /// The job's modify, with its place among the job's operations and this one's:
    /// (modify's place, this operation's place, what it sent).
    pub modify: Option<(usize, usize, &'a TencentWrite<'a>)>,
    /// Reads, with the client's retries.
    pub client: &'a TencentClient,
    /// Writes, sent once.
    pub writer: &'a TencentClient,
    /// The job's `prevent_removal` patterns as the configuration has them now.
    pub patterns: &'a [Pattern],
}

impl TencentOp<'_> {
    /// Re-runs the guard on the object list to send against the job as it is now.
    fn check_payload(
        &self,
        write: &MigrateModifyWrite,
        objects: &DatabaseInfo,
        live: &TencentLive,
    ) -> Result<(), ApplyError> {
        let unsafe_write = |problems: Vec<String>| ApplyError::Unsafe {
            address: self.job.address.clone(),
            problems: named(problems),
        };
        match (objects, &live.objects) {
            (DatabaseInfo::Objects(_), DatabaseInfo::WholeInstance) if !write.narrows_instance => {
                Err(unsafe_write(vec![
                    "the job migrates the whole instance, and the list to send would narrow it, which the plan did not show".into(),
                ]))
            }
            // Widening to the whole instance, or a narrowing the plan showed.
            (DatabaseInfo::WholeInstance, _) | (DatabaseInfo::Objects(_), DatabaseInfo::WholeInstance) => Ok(()),
            (DatabaseInfo::Objects(sent), DatabaseInfo::Objects(tree)) => {
                let patterns: Vec<&Pattern> = self.patterns.iter().collect();
                let removes: &[Removal] = &write.removes;
                crate::guard::check_payload(sent, tree, removes, &patterns).map_err(unsafe_write)
            }
        }
    }

    /// Waits for the verdict of the job's check (DescribeMigrateCheckJob).
    async fn wait_for_check(&self, ctx: &mut Ctx<'_>) -> Result<String, ApplyError> {
        let id = &self.job.dts_job_id;
        let polls = &mut ctx.polls;
        let (op_id, progress) = (ctx.op_id, ctx.progress);
        let result = until(
            ctx.started + ctx.options.operation_timeout,
            &ctx.options.poll,
            async || {
                let check = self
                    .client
                    .describe_migrate_check_job(id)
                    .await
                    .map_err(|e| ApplyError::api(op_id, "DescribeMigrateCheckJob", e));
                *polls += 1;
                check
            },
            |check| {
                if !check.is_finished() {
                    return Ok(Decision::Wait);
                }
                if check.passed() {
                    Ok(Decision::Done("the check passed".to_owned()))
                } else {
                    Err(ApplyError::CheckFailed {
                        op: op_id.to_owned(),
                        message: if check.error_message.is_empty() {
                            format!("check flag {:?}", check.check_flag)
                        } else {
                            check.error_message.clone()
                        },
                    })
                }
            },
            |check| {
                let done = check.progress.clone().unwrap_or_default();
                progress.status(&format!("{op_id}: check {} ({done}%)", check.status));
            },
        )
        .await;
        match result {
            Ok((text, _)) => Ok(text),
            Err(Ended::Failed(e)) => Err(e),
            Err(Ended::NoAnswer) => Err(ctx.no_answer("DescribeMigrateCheckJob")),
            Err(Ended::TimedOut(_)) => Err(ApplyError::Timeout {
                op: ctx.op_id.to_owned(),
                status: MigrateStatus::Checking.to_string(),
                waited: ctx.started.elapsed(),
                what: "waiting for the check to finish",
            }),
        }
    }
}

impl Driver for TencentOp<'_> {
    type Live = TencentLive;
    const READ_ACTION: &'static str = "DescribeMigrateJobs";

    async fn read(&self) -> Result<TencentLive, ApplyError> {
        let row = self
            .client
            .describe_migrate_job(&self.job.dts_job_id)
            .await
            .map_err(|e| ApplyError::api(self.op_id, Self::READ_ACTION, e))?;
        let value = serde_json::to_value(&row).unwrap_or(Value::Null);
        TencentLive::from_row(&value).map_err(|message| {
            ApplyError::plan(
                format!("{}: {message}", self.op_id),
                "nothing will be written to a job whose live state cannot be read safely; check the job in the DTS console",
            )
        })
    }

    fn status(&self, live: &TencentLive) -> String {
        live.status.to_string()
    }

    fn busy(&self, live: &TencentLive) -> Result<bool, ApplyError> {
        Ok(live.status.is_transitional())
    }

    /// Parts the plan's modify does not explain must be as planned; after the modify,
    /// what it wrote must still be live.
    fn check(&self, live: &TencentLive) -> Result<(), ApplyError> {
        let shown = self.modify.is_some_and(|(_, _, m)| match m {
            TencentWrite::Modify { write, objects, .. } => {
                modify_shown(write, objects, live).is_ok()
            }
            _ => false,
        });
        if self.modify.is_some_and(|(at, this, _)| at < this) && !shown {
            return Err(ApplyError::Stale {
                address: self.job.address.clone(),
                changes: vec!["what this plan's ModifyMigrateJob wrote is no longer live".into()],
            });
        }
        let changed: Vec<String> = self
            .job
            .live_state
            .parts()
            .into_iter()
            .filter(|(part, planned)| live.state.get(part).unwrap_or_default() != *planned)
            .map(|(part, _)| match part.as_str() {
                "objects" => "its object list (DatabaseInfo) changed".to_owned(),
                "source" => "its source (SrcInfo) changed".to_owned(),
                "destination" => "its target (DstInfo) changed".to_owned(),
                "options" => "its name, MigrateOption or database types changed".to_owned(),
                other => format!("its {other} changed"),
            })
            .collect();
        if changed.is_empty() || shown {
            Ok(())
        } else {
            Err(ApplyError::Stale {
                address: self.job.address.clone(),
                changes: changed,
            })
        }
    }

    fn already(&self, live: &TencentLive, after_lost: bool) -> Result<Already, ApplyError> {
        match self.write {
            TencentWrite::Modify { write, objects, .. } => {
                if let Ok(text) = modify_shown(write, objects, live) {
                    return Ok(Already::Yes(text));
                }
                self.check_payload(write, objects, live)?;
                if !live.status.is_modifiable() {
                    return Err(ApplyError::Status {
                        op: self.op_id.to_owned(),
                        status: live.status.to_string(),
                        wanted: "a status ModifyMigrateJob accepts (1, 4, 5 or 10)".into(),
                    });
                }
                Ok(Already::No)
            }
            TencentWrite::Check => Ok(if live.status.can_start() || live.status.is_started() {
                Already::Yes(format!(
                    "the job has passed its check (now {})",
                    live.status
                ))
            } else if after_lost && live.status == MigrateStatus::CheckNotPass {
                // A check whose answer was lost and that then failed: its verdict.
                Already::Verify
            } else {
                Already::No
            }),
            TencentWrite::Start => {
                if live.status.is_started() {
                    return Ok(Already::Yes(format!("the job is {}", live.status)));
                }
                if !live.status.can_start() {
                    return Err(ApplyError::Status {
                        op: self.op_id.to_owned(),
                        status: live.status.to_string(),
                        wanted: "CheckPass (4), the only status StartMigrateJob accepts".into(),
                    });
                }
                Ok(Already::No)
            }
        }
    }

    async fn send(&self) -> Result<(), crate::cloud::Error> {
        let id = &self.job.dts_job_id;
        match self.write {
            TencentWrite::Modify { request, .. } => {
                self.writer.modify_migrate_job(request).await.map(drop)
            }
            TencentWrite::Check => self.writer.create_migrate_check_job(id).await.map(drop),
            TencentWrite::Start => self.writer.start_migrate_job(id).await.map(drop),
        }
    }

    async fn verify(&self, before: TencentLive, ctx: &mut Ctx<'_>) -> Result<String, ApplyError> {
        match self.write {
            TencentWrite::Modify { .. } => read_back(self, &before, ctx).await,
            TencentWrite::Check => self.wait_for_check(ctx).await,
            TencentWrite::Start => {
                let op_id = ctx.op_id.to_owned();
                let (text, _) = ctx
                    .poll(self, "waiting for the job to start", |live| {
                        if live.status.is_started() {
                            Ok(Decision::Done(format!("the job is {}", live.status)))
                        } else if live.status == MigrateStatus::Failed {
                            Err(ApplyError::Status {
                                op: op_id.clone(),
                                status: live.status.to_string(),
                                wanted: "running".into(),
                            })
                        } else {
                            Ok(Decision::Wait)
                        }
                    })
                    .await?;
                Ok(text)
            }
        }
    }
}

impl Shows for TencentOp<'_> {
    fn shown(&self, live: &TencentLive) -> Result<String, Vec<String>> {
        match self.write {
            TencentWrite::Modify { write, objects, .. } => modify_shown(write, objects, live),
            _ => Err(vec!["not a modify".into()]),
        }
    }

    fn others(&self, before: &TencentLive, after: &TencentLive) -> Vec<String> {
        match (self.write, &before.objects, &after.objects) {
            (
                TencentWrite::Modify {
                    objects: DatabaseInfo::Objects(sent),
                    ..
                },
                DatabaseInfo::Objects(had),
                DatabaseInfo::Objects(now),
            ) => super::write_rule::others_changes(sent, had, now),
            _ => Vec::new(),
        }
    }

    fn whole_list(&self) -> bool {
        // ModifyMigrateJob has no Modifying phase: it always must keep showing.
        matches!(self.write, TencentWrite::Modify { .. })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::config::Inputs;

    /// The `tencent-migrate-settings` fixture planned against the sample world's
    /// CheckPass job (as DescribeMigrateJobs shows it), without any I/O.
    fn settings_plan() -> (crate::config::Config, JobPlan) {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan/tencent-migrate-settings");
        let config = crate::config::load(&dir, &Inputs::default()).unwrap();
        let row = json!({"JobId": "dts-6r2kq0mz", "JobName": "shop-migrate", "Status": 4,
            "MigrateOption": {"RunMode": 1, "ExpectTime": "0000-00-00 00:00:00", "MigrateType": 3, "MigrateObject": 2,
                "ConsistencyType": 5, "IsOverrideRoot": 0, "ExternParams": "[]",
                "ConsistencyParams": {"SelectRowsPerTable": 0, "TablesSelectAll": 0, "TablesSelectCount": 0}},
            "SrcAccessType": "cdb", "SrcDatabaseType": "mysql",
            "SrcInfo": {"AccessKey": "", "Ip": "", "Port": 0, "User": "dts_reader", "Password": "",
                "InstanceId": "cdb-3kwa7x1p", "Region": "ap-guangzhou"},
            "DstAccessType": "cdb", "DstDatabaseType": "mysql",
            "DstInfo": {"InstanceId": "cdb-9mzq4e2t", "Ip": "", "Port": 0, "Region": "ap-guangzhou", "ReadOnly": 0, "User": "dts_writer"},
            "DatabaseInfo": r#"[{"Database":"shop","Table":["orders","customers"]},{"Database":"audit"}]"#});
        let live = TencentLive::from_row(&row).unwrap();
        let job =
            crate::plan::tencent::plan_job(&config, 0, &live, &crate::guard::Flags::default())
                .unwrap_or_else(|e| panic!("{e:?}"));
        (config, job)
    }

    /// Every setting of the page reaches the request: the secrets resolved from the
    /// configuration (the plan only names them), the rest as planned.
    #[test]
    fn the_modify_request_carries_every_setting_and_the_resolved_secrets() {
        let (config, job) = settings_plan();
        let plan_text = serde_json::to_string(&job).unwrap();
        assert!(!plan_text.contains("not-a-real"), "{plan_text}");
        let TencentWrite::Modify { request, .. } =
            resolve(&job, &job.operations[0], &FromConfig::new(&config)).unwrap()
        else {
            panic!("not a modify")
        };
        assert!(!format!("{request:?}").contains("not-a-real"));
        let sent = serde_json::to_value(&*request).unwrap();
        assert_eq!(
            sent["MigrateOption"],
            json!({"RunMode": 2, "ExpectTime": "2027-01-31 02:00:00", "MigrateType": 2, "MigrateObject": 2,
                "ConsistencyType": 3, "IsOverrideRoot": 0, "ExternParams": "{}",
                "ConsistencyParams": {"SelectRowsPerTable": 10, "TablesSelectAll": 20, "TablesSelectCount": 30}})
        );
        assert_eq!(sent["JobName"], "shop-migrate-timed");
        assert_eq!(sent["SrcAccessType"], "extranet");
        assert_eq!(
            sent["SrcInfo"],
            json!({"AccessKey": "not-a-real-access-key", "Ip": "203.0.113.10", "Port": 3306, "User": "dts_reader",
                "Password": "not-a-real-password", "RdsInstanceId": "rm-bp1srcexample01",
                "Region": "ap-guangzhou", "Supplier": "aliyun", "EngineVersion": "5.7"}),
            "the new access type's block is the whole SrcInfo"
        );
        assert_eq!(
            sent["DstInfo"],
            json!({"Region": "ap-guangzhou", "InstanceId": "cdb-9mzq4e2t", "ReadOnly": 0, "User": "dts_migrator",
                "Password": "not-a-real-password-either"}),
            "no deprecated Ip/Port"
        );
        assert_eq!(sent["DstAccessType"], "cdb");
    }

    /// A read-back that shows ConsistencyParams in another key order is what was sent.
    #[test]
    fn consistency_params_are_read_back_whatever_their_order() {
        let (_, job) = settings_plan();
        let Operation::MigrateModify(write) = &job.operations[0].op else {
            panic!("not a modify")
        };
        let mut shown = json!({"JobId": "dts-6r2kq0mz", "JobName": "shop-migrate-timed", "Status": 1,
            "MigrateOption": write.migrate_option, "SrcAccessType": "extranet", "SrcInfo": write.src_info,
            "DstAccessType": "cdb", "DstInfo": write.dst_info,
            "DatabaseInfo": r#"[{"Database":"shop","Table":["orders","customers"]},{"Database":"audit"}]"#});
        shown["MigrateOption"]["ConsistencyParams"] =
            json!({"TablesSelectCount": 30, "TablesSelectAll": 20, "SelectRowsPerTable": 10});
        let live = TencentLive::from_row(&shown).unwrap();
        let objects = DatabaseInfo::Objects(live.tree().unwrap().clone());
        assert!(modify_shown(write, &objects, &live).is_ok());
        shown["MigrateOption"]["ConsistencyParams"]["TablesSelectAll"] = json!(21);
        let live = TencentLive::from_row(&shown).unwrap();
        let differing = modify_shown(write, &objects, &live).unwrap_err();
        assert_eq!(
            differing,
            ["MigrateOption.ConsistencyParams.TablesSelectAll is \"21\", not \"20\""]
        );
    }
}
