//! `dtsform drift`: what differs between each live job and its configuration, classified
//! by what the next `apply` would do — for a scheduled check that tells a team before a
//! pull request trips over it.
//!
//! Drift is read-only and never stops at the lost-object guard: a live object the
//! configuration does not declare is exactly what drift is for ("added outside the
//! configuration?" — the next apply would remove it), so it is a finding, not an error.
//! The comparison is the planner's own: the payload apply would send (with
//! `merge_live_objects`, the live objects the configuration does not mention are kept
//! and are no drift), the keyed object diff with its normalization, the endpoint,
//! migration-mode, reserved and status comparisons of each cloud. A two-way Alibaba
//! job whose resource has a `reverse` block is compared direction by direction, as
//! plan plans it: the reverse direction's findings are kept apart
//! ([`JobDrift::reverse_findings`]) and every report names them as the reverse
//! direction's. The findings are a typed value ([`Drift`], `serde::Serialize`);
//! [`text`] renders them for people.

pub mod markdown;
pub mod report;
pub mod text;

use serde::Serialize;

use crate::clients::Clients;
use crate::cloud::alibaba::Direction;
use crate::config::{Cloud, Config, ConfigError, DesiredStatus, JobSpec};
use crate::guard::Flags;
use crate::objects::diff::{AttrChange, Change, ObjectChange, diff};
use crate::objects::tencent::DatabaseInfo;
use crate::objects::{Address, Kind, ObjectTree, Removal};
use crate::plan::fetch::Live;
use crate::plan::operation::Side;
use crate::plan::tencent::TencentLive;
use crate::plan::{FieldChange, LiveJob};

/// Every job's drift, in configuration order (jobs without drift included, with no
/// findings).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Drift {
    pub jobs: Vec<JobDrift>,
}

impl Drift {
    /// Whether any job differs from its configuration.
    pub fn has_drift(&self) -> bool {
        self.jobs.iter().any(JobDrift::drifted)
    }
}

/// One job: where it is, and what differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobDrift {
    /// `alicloud_dts_job.NAME` or `tencentcloud_dts_migrate_job.NAME`.
    pub address: String,
    pub cloud: Cloud,
    /// The provider it is read with (`alicloud`, `tencentcloud.sh`).
    pub provider: String,
    pub region: String,
    pub job_id: String,
    /// The live status as shown to people (`Synchronizing`, `CheckPass (4)`; a two-way
    /// job's `Synchronizing, reverse Suspending`).
    pub live_status: String,
    /// The findings of the job (of the forward direction of a two-way job).
    pub findings: Vec<Finding>,
    /// The findings of the reverse direction of a two-way job whose resource has a
    /// `reverse` block (its own object list, migration mode, reserved settings,
    /// endpoints and status); empty for any other job.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reverse_findings: Vec<Finding>,
}

impl JobDrift {
    /// Whether the job differs from its configuration, in either direction.
    pub fn drifted(&self) -> bool {
        !self.findings.is_empty() || !self.reverse_findings.is_empty()
    }

    /// Every finding with its direction: the forward direction's, then the reverse
    /// direction's.
    pub fn directed(&self) -> impl Iterator<Item = (Direction, &Finding)> {
        self.findings.iter().map(|f| (Direction::Forward, f)).chain(
            self.reverse_findings
                .iter()
                .map(|f| (Direction::Reverse, f)),
        )
    }
}

/// One difference between the live job and its configuration, named by what the next
/// apply would do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum Finding {
    /// A live object the configuration does not declare: the next apply would remove it
    /// (and the `objects` inside it). Added outside the configuration? Unless `declared`
    /// (in the resource's `removed` block), plan refuses until it is adopted or removed.
    LiveOnly {
        address: Address,
        kind: Kind,
        objects: usize,
        declared: bool,
    },
    /// A live object taken whole that the configuration narrows to the `listed` objects
    /// inside it: the next apply would stop replicating everything else in it.
    Narrowed {
        address: Address,
        kind: Kind,
        listed: usize,
        declared: bool,
    },
    /// A declared object the live job does not have: the next apply would add it.
    Missing {
        address: Address,
        kind: Kind,
        objects: usize,
    },
    /// A live object the configuration no longer lists inside an object it takes whole:
    /// it keeps replicating, without its own `settings`.
    Unlisted {
        address: Address,
        kind: Kind,
        settings: Vec<String>,
    },
    /// An object whose attributes differ: the next apply would set them.
    Attributes {
        address: Address,
        kind: Kind,
        changes: Vec<AttrChange>,
    },
    /// A Tencent job that migrates the whole instance where the configuration lists
    /// objects (`live_whole`; the next apply would narrow it to the `listed` databases,
    /// which plan refuses unless `declared` in `removed { whole_instance = true }`), or
    /// the other way round.
    WholeInstance {
        live_whole: bool,
        listed: usize,
        declared: bool,
    },
    /// The job is not in the configured status: the next apply would start or suspend it.
    Status {
        live: String,
        desired: DesiredStatus,
    },
    /// Endpoint fields that differ: the next apply would set them.
    Endpoint {
        side: Side,
        changes: Vec<FieldChange>,
    },
    /// Managed reserved settings that differ: the next apply would set them.
    Reserved { changes: Vec<AttrChange> },
    /// Migration-mode flags (`migration_mode { ... }`) that differ from the live job's
    /// `MigrationMode`: the next apply would set them.
    MigrationMode { changes: Vec<FieldChange> },
    /// A Tencent job's name, MigrateOption, endpoints or database types that differ.
    Settings { changes: Vec<FieldChange> },
}

impl Finding {
    /// The findings of an object diff.
    fn of_objects(spec: &JobSpec, changes: Vec<ObjectChange>) -> impl Iterator<Item = Finding> {
        changes.into_iter().map(move |c| {
            let declared = |removal: Removal| spec.removed.iter().any(|(r, _)| *r == removal);
            let (address, kind) = (c.address, c.kind);
            match c.change {
                Change::Removed { objects } => Finding::LiveOnly {
                    declared: declared(Removal::Object(address.clone())),
                    address,
                    kind,
                    objects,
                },
                Change::Narrowed { listed } => Finding::Narrowed {
                    declared: declared(Removal::Rest(address.clone())),
                    address,
                    kind,
                    listed,
                },
                Change::Added { objects } => Finding::Missing {
                    address,
                    kind,
                    objects,
                },
                Change::Unlisted { settings, .. } => Finding::Unlisted {
                    address,
                    kind,
                    settings,
                },
                Change::Changed { attrs } => Finding::Attributes {
                    address,
                    kind,
                    changes: attrs,
                },
            }
        })
    }
}

/// One job compared: its drift, and the live object list it was compared with (for
/// what acts on the findings, such as `adopt`); `None` when the job lists no objects
/// (a Tencent job migrating the whole instance, an Alibaba job without a list).
#[derive(Debug, Clone)]
pub struct Compared {
    pub drift: JobDrift,
    pub live_objects: Option<ObjectTree>,
    /// The reverse direction's live object list, when it was compared.
    pub reverse_live_objects: Option<ObjectTree>,
}

impl Compared {
    /// The live object list of one direction.
    pub fn live_objects(&self, direction: Direction) -> Option<&ObjectTree> {
        match direction {
            Direction::Forward => self.live_objects.as_ref(),
            Direction::Reverse => self.reverse_live_objects.as_ref(),
        }
    }
}

/// Reads every job and compares it with its configuration. Jobs that cannot be read
/// are errors; the others are compared all the same (`Ok` and `Err` per job, in
/// configuration order).
pub async fn compare_all(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
) -> Vec<Result<Compared, Vec<ConfigError>>> {
    crate::plan::fetch::read_all(config, clients, parallelism, |i, live| {
        live.map_err(|e| vec![e])
            .and_then(|live| compare(config, i, &live))
    })
    .await
}

/// Every job's drift, and the jobs that could not be read or compared.
pub async fn drift(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
) -> (Drift, Vec<ConfigError>) {
    let mut drift = Drift::default();
    let mut errors = Vec::new();
    for result in compare_all(config, clients, parallelism).await {
        match result {
            Ok(compared) => drift.jobs.push(compared.drift),
            Err(e) => errors.extend(e),
        }
    }
    (drift, errors)
}

/// Compares job `index` of `config` with its live state.
pub fn compare(config: &Config, index: usize, live: &Live) -> Result<Compared, Vec<ConfigError>> {
    let spec = &config.jobs[index];
    let provider = config.provider_for(spec);
    let compared = match live {
        Live::Alibaba(live) => alibaba(config, spec, live)?,
        Live::Tencent(live) => Directions {
            findings: tencent(config, spec, live)?,
            live_status: live.status.to_string(),
            live_objects: live.tree().cloned(),
            reverse_findings: Vec::new(),
            reverse_live_objects: None,
        },
    };
    Ok(Compared {
        drift: JobDrift {
            address: spec.address(),
            cloud: spec.cloud,
            provider: provider
                .map(crate::config::ProviderSpec::name)
                .unwrap_or_default(),
            region: provider.map(|p| p.region.clone()).unwrap_or_default(),
            job_id: spec.dts_job_id.clone(),
            live_status: compared.live_status,
            findings: compared.findings,
            reverse_findings: compared.reverse_findings,
        },
        live_objects: compared.live_objects,
        reverse_live_objects: compared.reverse_live_objects,
    })
}

/// What comparing one job found, direction by direction.
struct Directions {
    findings: Vec<Finding>,
    live_status: String,
    live_objects: Option<ObjectTree>,
    reverse_findings: Vec<Finding>,
    reverse_live_objects: Option<ObjectTree>,
}

/// A configured object list that cannot be read back: a dtsform bug.
fn unreadable_config(
    config: &Config,
    spec: &JobSpec,
    e: &impl std::fmt::Display,
) -> Vec<ConfigError> {
    vec![
        ConfigError::at(
            &config.sources,
            spec.span,
            "internal",
            format!(
                "{}: the configured object list cannot be read back: {e}",
                spec.label()
            ),
            "this job",
        )
        .help("this is a dtsform bug; please report it with the configuration"),
    ]
}

/// An Alibaba job: its resource group (which dtsform cannot change: an error, as in
/// plan), then each direction the configuration manages — the forward one, and the
/// `reverse` block's, which needs a two-way job (an error otherwise, as in plan).
fn alibaba(
    config: &Config,
    spec: &JobSpec,
    live: &LiveJob,
) -> Result<Directions, Vec<ConfigError>> {
    let mut errors: Vec<ConfigError> =
        crate::plan::alibaba::resource_group_mismatch(config, spec, live)
            .into_iter()
            .collect();
    let findings = alibaba_direction(config, spec, live).unwrap_or_else(|e| {
        errors.extend(e);
        Vec::new()
    });
    let mut reverse_findings = Vec::new();
    let mut reverse_live_objects = None;
    if let Some(reverse_spec) = spec.reverse() {
        match &live.reverse {
            Some(reverse_live) => match alibaba_direction(config, reverse_spec, reverse_live) {
                Ok(found) => {
                    reverse_findings = found;
                    reverse_live_objects.clone_from(&reverse_live.objects);
                }
                Err(e) => errors.extend(e),
            },
            None => errors.push(crate::plan::alibaba::not_two_way(
                config,
                spec,
                reverse_spec,
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Directions {
        findings,
        live_status: crate::plan::alibaba::live_status(live),
        live_objects: live.objects.clone(),
        reverse_findings,
        reverse_live_objects,
    })
}

/// One direction of an Alibaba job (`spec` is the resource, or the view of its
/// `reverse` block) against that direction's live state, with the planner's
/// comparisons.
fn alibaba_direction(
    config: &Config,
    spec: &JobSpec,
    live: &LiveJob,
) -> Result<Vec<Finding>, Vec<ConfigError>> {
    let mut findings = Vec::new();
    for (side, configured, shown) in [
        (Side::Source, &spec.source, &live.detail.source_endpoint),
        (
            Side::Destination,
            &spec.destination,
            &live.detail.destination_endpoint,
        ),
    ] {
        let Some(configured) = configured else {
            continue;
        };
        let changes = crate::plan::alibaba::endpoint_changes(configured, shown.as_ref());
        if !changes.is_empty() {
            findings.push(Finding::Endpoint { side, changes });
        }
    }
    if let Some(mode) = spec.migration_mode() {
        let changes = crate::plan::alibaba::migration_mode_changes(mode, &live.detail);
        if !changes.is_empty() {
            findings.push(Finding::MigrationMode { changes });
        }
    }
    if let Some(desired) = &spec.objects {
        let Some(live_tree) = &live.objects else {
            return Err(vec![
                ConfigError::at(
                    &config.sources,
                    spec.span,
                    "live_objects_unknown",
                    format!(
                        "{} returned no object list (DbObject), so dtsform cannot compare it",
                        spec.label()
                    ),
                    "this job",
                )
                .help("the job may deliver its objects through OSS (DbObjectOssUrl), which dtsform does not read yet"),
            ]);
        };
        let desired = desired
            .tree()
            .map_err(|e| unreadable_config(config, spec, &e))?;
        let payload = crate::plan::payload(spec, desired, live_tree, &Flags::default());
        findings.extend(Finding::of_objects(spec, diff(&payload, live_tree).changes));
    }
    let changes = crate::plan::alibaba::reserved_changes(&spec.reserved, &live.reserved);
    if !changes.is_empty() {
        findings.push(Finding::Reserved { changes });
    }
    if let Some(wanted) = spec.status
        && !crate::plan::alibaba::status_satisfied(wanted, &live.detail.status)
    {
        findings.push(Finding::Status {
            live: live.detail.status.as_str().to_owned(),
            desired: wanted,
        });
    }
    Ok(findings)
}

fn tencent(
    config: &Config,
    spec: &JobSpec,
    live: &TencentLive,
) -> Result<Vec<Finding>, Vec<ConfigError>> {
    let mut findings = Vec::new();
    let Some(tspec) = spec.tencent.as_deref() else {
        return Ok(findings);
    };
    let mut settings = crate::plan::tencent::setting_changes(tspec, live);
    for (attribute, configured, shown) in [
        (
            "source_database_type",
            &tspec.source_database_type,
            &live.src_database_type,
        ),
        (
            "destination_database_type",
            &tspec.destination_database_type,
            &live.dst_database_type,
        ),
    ] {
        if let Some((wanted, _)) = configured
            && !shown.is_empty()
            && !wanted.eq_ignore_ascii_case(shown)
        {
            settings.push(FieldChange {
                field: attribute.to_owned().into(),
                before: Some(shown.clone()),
                after: Some(wanted.clone()),
            });
        }
    }
    let live_whole = matches!(live.objects, DatabaseInfo::WholeInstance);
    if tspec.whole_instance {
        if !live_whole {
            findings.push(Finding::WholeInstance {
                live_whole: false,
                listed: 0,
                declared: false,
            });
        }
    } else if let Some(desired) = &spec.objects {
        let desired = desired
            .tree()
            .map_err(|e| unreadable_config(config, spec, &e))?;
        match live.tree() {
            None => findings.push(Finding::WholeInstance {
                live_whole: true,
                listed: desired.databases.len(),
                declared: tspec.narrowing_allowed,
            }),
            Some(live_tree) => {
                findings.extend(Finding::of_objects(spec, diff(&desired, live_tree).changes));
            }
        }
    }
    if !settings.is_empty() {
        findings.push(Finding::Settings { changes: settings });
    }
    if spec.status == Some(DesiredStatus::Running) && !live.status.is_started() {
        findings.push(Finding::Status {
            live: live.status.to_string(),
            desired: DesiredStatus::Running,
        });
    }
    Ok(findings)
}

#[cfg(test)]
mod tests;
