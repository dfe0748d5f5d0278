//! `dtsform import`: live jobs written as configuration that plans to no changes.
//!
//! Each provider block of the configuration lists its region's jobs (an `alicloud`
//! provider its sync and migration jobs with DescribeDtsJobs, a `tencentcloud` provider
//! its migration jobs with DescribeMigrateJobs); the jobs asked for (every one no
//! resource manages yet, or the ids given) are read as plan reads them and written as
//! one resource each ([`resource`]) — ids, status, endpoints and settings as far as they
//! can be compared without secrets, the object list as blocks ([`objects`]), a two-way
//! job's reverse direction in a `reverse` block — into one new file, in the form
//! `dtsform fmt` gives.
//!
//! Nothing is written on trust. Each resource is first read back as a configuration of
//! its own and planned against the live state it was made from: a job whose resource
//! would not load, or whose first plan would change anything, is refused with the
//! reason, never written. Then the whole directory with the new file is loaded and every
//! imported job planned again. Only then is the file created — never over an existing
//! one.

mod literal;
mod names;
mod objects;
mod resource;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures::StreamExt as _;
use serde::Serialize;

use crate::clients::Clients;
use crate::cloud::alibaba::JobStatus;
use crate::config::{Cloud, Config, ConfigError, Inputs, ProviderSpec};
use crate::guard::Flags;
use crate::plan::fetch::Live;
use crate::plan::tencent::TencentLive;
use crate::plan::{JobPlan, LiveJob};
pub use objects::Unwritable;
use resource::Origin;

/// The file import writes when none is named.
pub const DEFAULT_FILE: &str = "imported.hcl";

/// Which live jobs to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every live job that no resource of the configuration manages.
    All,
    /// These job ids.
    Ids(Vec<String>),
}

/// What to import, and where to.
#[derive(Debug, Clone)]
pub struct Request {
    pub selection: Selection,
    /// The new file: a name in the configuration directory.
    pub out: PathBuf,
    /// Jobs read at once.
    pub parallelism: usize,
}

/// A job written into the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedJob {
    /// `alicloud_dts_job.NAME` or `tencentcloud_dts_migrate_job.NAME`.
    pub address: String,
    pub cloud: Cloud,
    pub job_id: String,
    pub job_name: String,
    /// The provider it was listed by (`alicloud`, `tencentcloud.sh`).
    pub provider: String,
    /// Objects in its list (both directions of a two-way job); `None` when it migrates
    /// the whole instance or its objects are not managed.
    pub objects: Option<usize>,
    /// Of those, the reverse direction's.
    pub reverse_objects: Option<usize>,
}

/// A job left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub job_id: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The file written, if any job was.
    pub file: Option<PathBuf>,
    pub imported: Vec<ImportedJob>,
    /// Jobs asked for or listed that were not written because that is right (already
    /// managed, finished).
    pub left_out: Vec<LeftOut>,
    /// Jobs that could not be written so that they plan to no changes, with the reasons
    /// (located nowhere: the resource was never written).
    pub refused: Vec<ConfigError>,
}

/// One listed job: the provider that listed it, its id, and for Tencent the
/// row (which is all plan reads too).
struct Listed<'c> {
    provider: &'c ProviderSpec,
    job_id: String,
    finished: bool,
    tencent: Option<Box<crate::cloud::tencent::MigrateJob>>,
}

/// A job to write: where it comes from and its live state.
struct Candidate<'c> {
    provider: &'c ProviderSpec,
    live: Live,
}

impl Candidate<'_> {
    fn cloud(&self) -> Cloud {
        self.provider.cloud
    }

    fn job_id(&self) -> &str {
        match &self.live {
            Live::Alibaba(l) => &l.detail.dts_job_id,
            Live::Tencent(l) => &l.job_id,
        }
    }

    fn job_name(&self) -> &str {
        match &self.live {
            Live::Alibaba(l) => &l.detail.dts_job_name,
            Live::Tencent(l) => &l.job_name,
        }
    }

    /// Objects in its list, both directions of a two-way job counted.
    fn objects(&self) -> Option<usize> {
        match &self.live {
            // A forward direction that takes the whole instance has no count to add to.
            Live::Alibaba(l) => {
                count(l).map(|forward| forward + self.reverse_objects().unwrap_or(0))
            }
            Live::Tencent(l) => l.tree().map(crate::objects::ObjectTree::count),
        }
    }

    /// Objects in the list of a two-way job's reverse direction.
    fn reverse_objects(&self) -> Option<usize> {
        match &self.live {
            Live::Alibaba(l) => l.reverse.as_deref().and_then(count),
            Live::Tencent(_) => None,
        }
    }
}

/// Objects in a live Alibaba direction's list, if it has one.
fn count(live: &crate::plan::alibaba::LiveJob) -> Option<usize> {
    live.objects
        .as_ref()
        .filter(|t| !t.is_empty())
        .map(crate::objects::ObjectTree::count)
}

/// One live object (of `kind`, named `name`, at `address`) as the block that declares
/// it, formatted as `dtsform fmt` formats it at the top level; what blocks cannot say
/// of it otherwise.
pub fn object_block(
    kind: crate::objects::Kind,
    name: &str,
    node: &crate::objects::Node,
    address: &crate::objects::Address,
) -> Result<String, Vec<Unwritable>> {
    let block = objects::object_block(kind, name, node, address)?;
    Ok(literal::text(
        &hcl::Body::builder().add_block(block).build(),
    ))
}

/// Imports the jobs `request` asks for into a new file of `config`'s directory; when
/// there is none to import, nothing is written (running import again imports nothing
/// new). Errors stop the whole import (nothing is written): a provider cannot list its
/// jobs, an id is not found, the file exists, or the directory with the new file would
/// not load or plan cleanly.
pub async fn import(
    config: &Config,
    clients: &Clients,
    inputs: &Inputs,
    request: &Request,
) -> Result<Outcome, Vec<ConfigError>> {
    let target = out_path(&config.dir, &request.out).map_err(|e| vec![e])?;
    let listed = list(config, clients).await?;
    let managed: HashMap<(Cloud, String), String> = config
        .jobs
        .iter()
        .map(|j| ((j.cloud, j.dts_job_id.to_lowercase()), j.address()))
        .collect();
    let mut outcome = Outcome::default();
    let chosen = choose(listed, &managed, &request.selection, &mut outcome.left_out)?;
    if chosen.is_empty() {
        return Ok(outcome);
    }
    not_there(&target).map_err(|e| vec![e])?;
    let mut candidates = read(clients, chosen, request.parallelism).await?;
    candidates.sort_by(|a, b| {
        (
            a.cloud().provider_label(),
            a.provider.alias.as_deref(),
            a.job_id(),
        )
            .cmp(&(
                b.cloud().provider_label(),
                b.provider.alias.as_deref(),
                b.job_id(),
            ))
    });

    let mut taken = names::Taken::new(config.jobs.iter().map(|j| j.name.clone()));
    let secrets: Vec<String> = config
        .jobs
        .iter()
        .flat_map(crate::config::JobSpec::secrets)
        .flat_map(|(_, _, s)| crate::cloud::redact::spellings(s.value.expose()))
        .filter(|s| !s.is_empty())
        .collect();
    let mut texts = Vec::new();
    for candidate in &candidates {
        let name = taken.name_for(candidate.job_name(), candidate.job_id());
        let origin = Origin {
            name: &name,
            alias: candidate.provider.alias.as_deref(),
            region: &candidate.provider.region,
        };
        match write_checked(config, inputs, &target, origin, candidate, &secrets) {
            Ok(text) => {
                texts.push(text);
                outcome.imported.push(ImportedJob {
                    address: format!("{}.{name}", candidate.cloud().resource_type()),
                    cloud: candidate.cloud(),
                    job_id: candidate.job_id().to_owned(),
                    job_name: candidate.job_name().to_owned(),
                    provider: candidate.provider.name(),
                    objects: candidate.objects(),
                    reverse_objects: candidate.objects().and(candidate.reverse_objects()),
                });
            }
            Err(reasons) => outcome.refused.push(refusal(candidate, &reasons)),
        }
    }
    if texts.is_empty() {
        return Ok(outcome);
    }
    let text = file_text(&texts);
    check_directory(
        config,
        inputs,
        &target,
        &text,
        &candidates,
        &outcome.imported,
    )?;
    crate::fsutil::write_new(&target, text.as_bytes()).map_err(|e| {
        vec![
            ConfigError::general(
                "import_write",
                format!("cannot write {}: {e}", target.display()),
            )
            .help("check that the configuration directory is writable"),
        ]
    })?;
    outcome.file = Some(target);
    Ok(outcome)
}

/// The file to create: `out` in `dir` (a bare name, or a path in `dir`), a `*.hcl` file.
fn out_path(dir: &Path, out: &Path) -> Result<PathBuf, ConfigError> {
    let Some(file_name) = out.file_name() else {
        return Err(ConfigError::general(
            "import_out",
            format!("--out {} names no file", out.display()),
        )
        .help(format!("give a file name, e.g. --out {DEFAULT_FILE}")));
    };
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let same_dir = |p: &Path| {
        matches!(
            (std::fs::canonicalize(p), std::fs::canonicalize(dir)),
            (Ok(a), Ok(b)) if a == b
        )
    };
    if parent.is_some_and(|p| !same_dir(p)) {
        return Err(ConfigError::general(
            "import_out",
            format!(
                "--out {} is not in the configuration directory {}",
                out.display(),
                dir.display()
            ),
        )
        .help("the imported file must sit beside the configuration's other *.hcl files, where plan reads it: give a file name"));
    }
    if Path::new(file_name).extension().is_none_or(|e| e != "hcl") {
        return Err(ConfigError::general(
            "import_out",
            format!("--out {} is not a *.hcl file", out.display()),
        )
        .help(format!(
            "plan reads *.hcl files only: name it e.g. {DEFAULT_FILE}"
        )));
    }
    Ok(dir.join(file_name))
}

/// Refuses a file that is there already (checked before any work on the resources; the
/// write itself never replaces one either).
fn not_there(target: &Path) -> Result<(), ConfigError> {
    if std::fs::symlink_metadata(target).is_ok() {
        return Err(ConfigError::general(
            "import_exists",
            format!("{} already exists", target.display()),
        )
        .help("import never overwrites a file: name a new one with --out, or move this one away"));
    }
    Ok(())
}

/// Every job each provider block's region has, each once (the first provider that lists
/// it, the default provider of a cloud first).
async fn list<'c>(
    config: &'c Config,
    clients: &Clients,
) -> Result<Vec<Listed<'c>>, Vec<ConfigError>> {
    let mut providers: Vec<&ProviderSpec> = config.providers.iter().collect();
    providers.sort_by_key(|p| p.alias.is_some());
    let mut errors = Vec::new();
    let mut out: Vec<Listed<'c>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for provider in providers {
        let failed = |e: &crate::cloud::Error| {
            let help = miette::Diagnostic::help(e).map(|h| h.to_string());
            ConfigError::at(
                &config.sources,
                provider.span,
                "api",
                format!("provider {}: listing its jobs failed: {e}", provider.name()),
                "this provider",
            )
            .help_or(help, "check the provider's region and credentials")
        };
        let rows = match provider.cloud {
            Cloud::Alibaba => {
                let Some(client) = clients.for_alias(provider.alias.as_ref()) else {
                    continue;
                };
                match client.list_sync_and_migration_jobs().await {
                    Ok(jobs) => jobs
                        .into_iter()
                        .map(|j| Listed {
                            provider,
                            finished: j.status == JobStatus::Finished,
                            job_id: j.dts_job_id,
                            tencent: None,
                        })
                        .collect::<Vec<_>>(),
                    Err(e) => {
                        errors.push(failed(&e));
                        continue;
                    }
                }
            }
            Cloud::Tencent => {
                let Some(client) = clients.tencent_for_alias(provider.alias.as_ref()) else {
                    continue;
                };
                match client.describe_migrate_jobs().await {
                    Ok(jobs) => jobs
                        .into_iter()
                        .map(|j| Listed {
                            provider,
                            finished: false,
                            job_id: j.job_id.clone(),
                            tencent: Some(Box::new(j)),
                        })
                        .collect(),
                    Err(e) => {
                        errors.push(failed(&e));
                        continue;
                    }
                }
            }
        };
        for row in rows {
            if !row.job_id.is_empty() && seen.insert((provider.cloud, row.job_id.to_lowercase())) {
                out.push(row);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The listed jobs the selection asks for; what it leaves out, and why, into `left_out`.
fn choose<'c>(
    listed: Vec<Listed<'c>>,
    managed: &HashMap<(Cloud, String), String>,
    selection: &Selection,
    left_out: &mut Vec<LeftOut>,
) -> Result<Vec<Listed<'c>>, Vec<ConfigError>> {
    let managed_by = |l: &Listed<'_>| managed.get(&(l.provider.cloud, l.job_id.to_lowercase()));
    match selection {
        Selection::All => Ok(listed
            .into_iter()
            .filter(|l| {
                if managed_by(l).is_some() {
                    return false;
                }
                if l.finished {
                    left_out.push(LeftOut {
                        job_id: l.job_id.clone(),
                        reason: "it is Finished (deleted)".into(),
                    });
                    return false;
                }
                true
            })
            .collect()),
        Selection::Ids(ids) => {
            let mut by_id: HashMap<String, Listed<'c>> = listed
                .into_iter()
                .map(|l| (l.job_id.to_lowercase(), l))
                .collect();
            let mut chosen = Vec::new();
            let mut errors = Vec::new();
            for id in ids {
                let Some(l) = by_id.remove(&id.to_lowercase()) else {
                    if !chosen
                        .iter()
                        .any(|c: &Listed<'_>| c.job_id.eq_ignore_ascii_case(id))
                    {
                        errors.push(
                            ConfigError::general("job_not_found", format!("no provider of the configuration lists a job {id:?}"))
                                .help("dtsform import reads the jobs of the regions its provider blocks name: check the id (dtsform jobs lists them), or add a provider block for the job's region"),
                        );
                    }
                    continue;
                };
                if let Some(address) = managed_by(&l) {
                    left_out.push(LeftOut {
                        job_id: l.job_id.clone(),
                        reason: format!("{address} manages it already"),
                    });
                } else if l.finished {
                    errors.push(
                        ConfigError::general(
                            "job_finished",
                            format!("job {id:?} is Finished (deleted) in the cloud"),
                        )
                        .help("a finished job cannot be managed; import a live one"),
                    );
                } else {
                    chosen.push(l);
                }
            }
            if errors.is_empty() {
                Ok(chosen)
            } else {
                Err(errors)
            }
        }
    }
}

/// Each chosen job's live state, read as plan reads it (DescribeDtsJobDetail for an
/// Alibaba job, both directions of a two-way one; the DescribeMigrateJobs row, already
/// listed, for a Tencent one).
async fn read<'c>(
    clients: &Clients,
    chosen: Vec<Listed<'c>>,
    parallelism: usize,
) -> Result<Vec<Candidate<'c>>, Vec<ConfigError>> {
    let results: Vec<Result<Candidate<'c>, ConfigError>> = futures::stream::iter(chosen)
        .map(|l| async move {
            let unreadable = |message: String| {
                ConfigError::general("live_state", format!("job {}: {message}", l.job_id))
                    .help("nothing is imported from a job whose live state cannot be read safely; check the job in the console")
            };
            let live = if let Some(row) = l.tencent {
                let value = serde_json::to_value(&*row).unwrap_or_default();
                Live::Tencent(Box::new(TencentLive::from_row(&value).map_err(unreadable)?))
            } else {
                let Some(client) = clients.for_alias(l.provider.alias.as_ref()) else {
                    return Err(unreadable("its provider has no client".into()));
                };
                let api = |e: crate::cloud::Error| {
                    let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
                    ConfigError::general("api", format!("job {}: {e}", l.job_id)).help_or(
                        help,
                        "quote the code and RequestId above to Alibaba Cloud support if it persists",
                    )
                };
                let detail = client.describe_job(&l.job_id).await.map_err(api)?;
                if detail.is_two_way() {
                    // Both directions, read as plan reads a resource with a reverse block.
                    let read = crate::plan::fetch::AlibabaRead {
                        dts_job_id: &l.job_id,
                        resource_group_id: None,
                        names_direction: true,
                        reverse: true,
                    };
                    let live = crate::plan::fetch::read_alibaba(client, &read)
                        .await
                        .map_err(|e| match e {
                            crate::plan::fetch::ReadError::Api(e) => api(e),
                            crate::plan::fetch::ReadError::Unreadable(m) => unreadable(m),
                        })?;
                    Live::Alibaba(Box::new(live))
                } else {
                    Live::Alibaba(Box::new(LiveJob::from_detail(detail).map_err(unreadable)?))
                }
            };
            Ok(Candidate {
                provider: l.provider,
                live,
            })
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let (ok, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if errors.is_empty() {
        Ok(ok.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

/// The resource for one job, checked: it loads as a configuration of its own, plans to
/// no changes against the live state it was made from, and holds no password of the
/// configuration. The reasons it is refused otherwise.
fn write_checked(
    config: &Config,
    inputs: &Inputs,
    target: &Path,
    origin: Origin<'_>,
    candidate: &Candidate<'_>,
    secrets: &[String],
) -> Result<String, Vec<String>> {
    let shown = |u: Unwritable| format!("{}: {}", u.what, u.reason);
    let text = match &candidate.live {
        Live::Alibaba(live) => resource::alibaba(origin, live),
        Live::Tencent(live) => resource::tencent(origin, live),
    }
    .map_err(|e| e.into_iter().map(shown).collect::<Vec<_>>())?;
    if secrets.iter().any(|s| text.contains(s.as_str())) {
        return Err(vec![
            "a value of the live job contains a password of this configuration".into(),
        ]);
    }
    let provider = provider_block(candidate.provider);
    let loaded = crate::config::load_files(
        &config.dir,
        inputs,
        vec![(target.to_owned(), format!("{provider}\n{text}"))],
    )
    .map_err(|e| {
        e.errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
    })?;
    let plan = plan_one(&loaded, 0, &candidate.live)
        .map_err(|e| e.iter().map(|e| e.message.clone()).collect::<Vec<_>>())?;
    if plan.has_changes() {
        return Err(changes(&plan));
    }
    Ok(text)
}

/// The provider block a resource is checked with alone: its cloud, region and alias.
fn provider_block(provider: &ProviderSpec) -> String {
    let alias = provider
        .alias
        .as_deref()
        .map(|a| format!("  alias  = {}\n", literal::quoted(a)))
        .unwrap_or_default();
    format!(
        "provider {} {{\n  region = {}\n{alias}}}\n",
        literal::quoted(provider.cloud.provider_label()),
        literal::quoted(&provider.region)
    )
}

/// Plans job `index` of `config` against `live`, as plan would.
fn plan_one(config: &Config, index: usize, live: &Live) -> Result<JobPlan, Vec<ConfigError>> {
    let flags = Flags::default();
    match live {
        Live::Alibaba(l) => crate::plan::plan_job(config, index, l, &flags),
        Live::Tencent(l) => crate::plan::tencent::plan_job(config, index, l, &flags),
    }
}

/// What a plan would change, as reasons.
fn changes(plan: &JobPlan) -> Vec<String> {
    let mut out: Vec<String> = plan
        .operations
        .iter()
        .map(|op| format!("the first plan would {}", op.op.slug()))
        .collect();
    if let Some(objects) = &plan.objects {
        out.extend(
            objects
                .diff
                .changes
                .iter()
                .map(|c| format!("{} {}: {:?}", c.kind, c.address, c.change)),
        );
    }
    out
}

/// A refused job as a diagnostic with its reasons.
fn refusal(candidate: &Candidate<'_>, reasons: &[String]) -> ConfigError {
    ConfigError::general(
        "import_refused",
        format!(
            "job {} ({} in {}) is not imported: {}",
            candidate.job_id(),
            candidate.provider.name(),
            candidate.provider.region,
            reasons.join("; ")
        ),
    )
    .help("its resource would not plan to no changes, so none is written; write this job's resource by hand (dtsform plan shows what differs), or change the job so that a configuration can say it")
}

/// The file: a header and the resources, as `dtsform fmt` formats it.
fn file_text(resources: &[String]) -> String {
    let mut text = String::from(
        "# Written by dtsform import: one resource per live job, as the job is now.\n# `dtsform plan` shows no changes for them; review, then commit this file.\n\n",
    );
    text.push_str(&resources.join("\n"));
    crate::config::fmt::format_hcl(&text)
}

/// The directory as it will be, with the new file: it loads, and every imported job
/// plans to no changes.
fn check_directory(
    config: &Config,
    inputs: &Inputs,
    target: &Path,
    text: &str,
    candidates: &[Candidate<'_>],
    imported: &[ImportedJob],
) -> Result<(), Vec<ConfigError>> {
    let mut files = crate::config::read_dir(&config.dir).map_err(|e| e.errors)?;
    files.push((target.to_owned(), text.to_owned()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let loaded = crate::config::load_files(&config.dir, inputs, files).map_err(|e| e.errors)?;
    let mut problems = Vec::new();
    for job in imported {
        let Some(index) = loaded.jobs.iter().position(|j| j.address() == job.address) else {
            continue;
        };
        let Some(candidate) = candidates
            .iter()
            .find(|c| c.cloud() == job.cloud && c.job_id() == job.job_id)
        else {
            continue;
        };
        match plan_one(&loaded, index, &candidate.live) {
            Ok(plan) if !plan.has_changes() => {}
            Ok(plan) => problems.push(
                ConfigError::general(
                    "import_not_clean",
                    format!("{}: {}", job.address, changes(&plan).join("; ")),
                )
                .help("this is a dtsform bug: nothing was written; please report it with the job's object list"),
            ),
            Err(e) => problems.extend(e),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
