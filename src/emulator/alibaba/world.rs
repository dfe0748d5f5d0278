//! Alibaba's part of the world: its DTS jobs (one per instance), the ClientTokens its
//! writes spent, and the sample jobs.
//!
//! Status changes that take time (a modify holds a job in `Modifying`, a start walks
//! through `Prechecking` and `Initializing`) are stored as `pending` steps with absolute
//! times, applied lazily by [`Job::settle`].

use std::collections::HashSet;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::cloud::alibaba::JobStatus;
use crate::emulator::schedule::{self, Step};

/// `sync` or `migration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[serde(alias = "SYNC")]
    Sync,
    #[serde(alias = "MIGRATION")]
    Migration,
}

/// One DTS job (the emulator models one job per instance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub job_id: String,
    pub instance_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub region: String,
    pub status: JobStatus,
    #[serde(default = "forward")]
    pub direction: String,
    #[serde(default)]
    pub source: EndpointState,
    #[serde(default)]
    pub destination: EndpointState,
    /// The object list in DbList format, as last written (without server-added `state`).
    pub db_list: Map<String, Value>,
    #[serde(default)]
    pub reserved: Map<String, Value>,
    /// Status changes still to come, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Which phases the job runs (`MigrationMode`); all of them unless a write said
    /// otherwise.
    #[serde(default, skip_serializing_if = "MigrationModeState::is_default")]
    pub migration_mode: MigrationModeState,
    /// The resource group the job belongs to (`ResourceGroupId`); requests naming
    /// another find no job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    /// The reverse direction of a two-way synchronization: a job of its own (its own
    /// id, status, object list, settings and endpoints) on the same instance, reached
    /// with `SynchronizationDirection=Reverse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<Box<Job>>,
}

/// `MigrationMode`: schema initialization, full data initialization and incremental
/// synchronization, each on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationModeState {
    pub structure_initialization: bool,
    pub data_initialization: bool,
    pub data_synchronization: bool,
}

impl Default for MigrationModeState {
    fn default() -> Self {
        Self {
            structure_initialization: true,
            data_initialization: true,
            data_synchronization: true,
        }
    }
}

impl MigrationModeState {
    /// serde's `skip_serializing_if` passes a reference.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    fn is_default(mode: &Self) -> bool {
        *mode == Self::default()
    }
}

fn forward() -> String {
    "Forward".to_owned()
}

/// A scheduled status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingStatus {
    pub status: JobStatus,
    /// RFC 3339 time at which the job takes this status.
    pub at: String,
}

/// A source or destination database. Passwords are never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointState {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliyun_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vswitch_id: Option<String>,
}

/// What the databases behind the endpoints do when DTS checks a connection (the
/// precheck of `ModifyDtsJobEndpoint`, with or without `DryRun`): ports nothing listens
/// on, and accounts the databases refuse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointChecks {
    /// An endpoint on one of these ports cannot be reached.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable_ports: Vec<String>,
    /// These user names (also shard accounts) are refused at login.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_accounts: Vec<String>,
}

impl EndpointChecks {
    pub fn is_empty(&self) -> bool {
        self.unreachable_ports.is_empty() && self.refused_accounts.is_empty()
    }

    /// The sample world's: nothing listens on 3307, and `dts_readonly` may not log in.
    pub fn sample() -> Self {
        Self {
            unreachable_ports: vec!["3307".into()],
            refused_accounts: vec!["dts_readonly".into()],
        }
    }
}

/// A ClientToken used by a successful write, and the answer to replay for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    pub token: String,
    pub action: String,
    pub job_id: String,
    /// SHA-256 of the call's business parameters; a reuse with others is refused.
    pub fingerprint: String,
    pub request_id: String,
    pub response: Value,
    /// How many times the token came back and got the recorded answer.
    #[serde(default)]
    pub replays: u32,
}

impl Step for PendingStatus {
    type Status = JobStatus;

    fn new(status: JobStatus, at: String) -> Self {
        Self { status, at }
    }

    fn at(&self) -> &str {
        &self.at
    }

    fn into_status(self) -> JobStatus {
        self.status
    }
}

impl Job {
    /// Applies every pending status change due by `now`, to both directions of a
    /// two-way job.
    pub fn settle(&mut self, now: SystemTime) {
        schedule::settle(&mut self.status, &mut self.pending, now);
        if let Some(reverse) = &mut self.reverse {
            reverse.settle(now);
        }
    }

    /// Replaces the pending steps with `steps` (status, time).
    pub fn schedule(&mut self, steps: impl IntoIterator<Item = (JobStatus, SystemTime)>) {
        self.pending = schedule::steps(steps);
    }

    /// The object list as the server returns it: `"state":"normal"` added to every
    /// database and table, as DescribeDtsJobDetail does.
    pub fn db_object(&self) -> Value {
        let mut dbs = self.db_list.clone();
        for db in dbs.values_mut() {
            let Some(db) = db.as_object_mut() else {
                continue;
            };
            for (key, child) in db.iter_mut() {
                if !key.eq_ignore_ascii_case("table") {
                    continue;
                }
                for table in child
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|t| t.values_mut())
                {
                    if let Some(table) = table.as_object_mut() {
                        table.entry("state").or_insert_with(|| json!("normal"));
                    }
                }
            }
            db.entry("state").or_insert_with(|| json!("normal"));
        }
        Value::Object(dbs)
    }
}

/// The sample world's Alibaba jobs: a running synchronization job, a running migration
/// job, a paused synchronization job and a two-way synchronization (both directions
/// running, each with its own object list).
pub fn sample_jobs() -> Vec<Job> {
    let rds = |id: &str, user: &str| EndpointState {
        instance_type: Some("RDS".into()),
        engine_name: Some("MySQL".into()),
        instance_id: Some(id.into()),
        region: Some("cn-hangzhou".into()),
        port: Some("3306".into()),
        user_name: Some(user.into()),
        ..EndpointState::default()
    };
    let object = |v: Value| match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let job = |job_id: &str, name: &str, kind, status, db_list: Value| Job {
        job_id: job_id.into(),
        instance_id: format!("dts{job_id}"),
        name: name.into(),
        kind,
        region: "cn-hangzhou".into(),
        status,
        direction: forward(),
        source: rds("rm-bp1src000000001", "dts_reader"),
        destination: rds("rm-bp1dst000000001", "dts_writer"),
        db_list: object(db_list),
        reserved: object(json!({
            "srcSSL": "0", "destSSL": "0", "maxRetryTime": 43200, "dbListCaseChangeMode": "default"
        })),
        pending: Vec::new(),
        create_time: Some("2026-01-05T08:00:00Z".into()),
        migration_mode: MigrationModeState::default(),
        resource_group_id: None,
        reverse: None,
    };
    let mut two_way = job(
        "r8tw2way01x",
        "orders-two-way",
        Kind::Sync,
        JobStatus::Synchronizing,
        json!({"orders": {"name": "orders", "all": false, "Table": {
            "orders": {"name": "orders", "all": true},
            "order_items": {"name": "order_items", "all": true}
        }}}),
    );
    two_way.source = rds("rm-bp1east00000001", "dts_sync");
    two_way.destination = rds("rm-bp1west00000001", "dts_sync");
    // The reverse direction carries back what is written on the other side: its source
    // is the forward destination.
    let mut reverse = job(
        "r8tw2way01y",
        "orders-two-way",
        Kind::Sync,
        JobStatus::Synchronizing,
        json!({"orders": {"name": "orders", "all": false, "Table": {
            "orders": {"name": "orders", "all": true}
        }}}),
    );
    reverse.instance_id.clone_from(&two_way.instance_id);
    reverse.direction = "Reverse".into();
    reverse.source = two_way.destination.clone();
    reverse.destination = two_way.source.clone();
    two_way.reverse = Some(Box::new(reverse));
    vec![
        job(
            "k2gm967v16f",
            "shop-sync",
            Kind::Sync,
            JobStatus::Synchronizing,
            json!({"shop": {"name": "shop", "all": false, "Table": {
                "orders": {"name": "orders", "all": true},
                "customers": {"name": "customers", "all": true},
                "legacy_orders": {"name": "legacy_orders", "all": true}
            }}}),
        ),
        job(
            "m4312mab158",
            "crm-migration",
            Kind::Migration,
            JobStatus::Migrating,
            json!({"crm": {"name": "crm", "all": true}}),
        ),
        job(
            "s7qd5ph3n9c",
            "analytics-sync",
            Kind::Sync,
            JobStatus::Suspending,
            json!({"events": {"name": "events", "all": true}}),
        ),
        two_way,
    ]
}

/// Checks the Alibaba jobs of a world: ids present and unique, a status, an object list
/// of objects; a reverse direction only on a synchronization, on the same instance and
/// region, itself one-way.
pub(crate) fn validate(jobs: &[Job]) -> Result<(), String> {
    let mut ids = HashSet::new();
    let mut instances = HashSet::new();
    for job in jobs {
        if !instances.insert(job.instance_id.as_str()) {
            return Err(format!("instance_id {:?} appears twice", job.instance_id));
        }
        if let Some(reverse) = &job.reverse {
            if job.kind != Kind::Sync || reverse.kind != Kind::Sync {
                return Err(format!(
                    "job {:?}: only a synchronization job (type sync) has a reverse direction",
                    job.job_id
                ));
            }
            if reverse.instance_id != job.instance_id || reverse.region != job.region {
                return Err(format!(
                    "job {:?}: its reverse direction must have the same instance_id and region",
                    job.job_id
                ));
            }
            if reverse.reverse.is_some() {
                return Err(format!(
                    "job {:?}: a reverse direction has no reverse of its own",
                    job.job_id
                ));
            }
            if !reverse.direction.eq_ignore_ascii_case("reverse")
                || !job.direction.eq_ignore_ascii_case("forward")
            {
                return Err(format!(
                    "job {:?}: a two-way job's direction is Forward and its reverse's Reverse",
                    job.job_id
                ));
            }
        }
    }
    let every = jobs
        .iter()
        .flat_map(|j| std::iter::once(j).chain(j.reverse.as_deref()));
    for job in every {
        if job.job_id.is_empty() || job.instance_id.is_empty() {
            return Err("every job needs a non-empty job_id and instance_id".into());
        }
        if job.status.as_str().trim().is_empty() {
            return Err(format!("job {:?} needs a status", job.job_id));
        }
        if !ids.insert(job.job_id.as_str()) {
            return Err(format!("job_id {:?} appears twice", job.job_id));
        }
        if let Some((db, _)) = job.db_list.iter().find(|(_, v)| !v.is_object()) {
            return Err(format!(
                "job {:?}: db_list entry {db:?} must be an object",
                job.job_id
            ));
        }
    }
    Ok(())
}
