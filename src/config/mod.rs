//! The configuration: all `*.hcl` files of a directory → evaluated, checked job specs.
//!
//! Loading runs in phases, each reporting every problem it finds before stopping:
//!
//! 1. **syntax** — every file parses (hcl-edit keeps spans for diagnostics);
//! 2. **declarations** — top-level blocks are `provider`, `variable`, `locals`,
//!    `resource`; names are unique;
//! 3. **values** — variables get their values ([`variables`]) and pass their
//!    `validation` blocks; locals are evaluated in dependency order (a cycle is an
//!    error naming it whole);
//! 4. **resources** — provider blocks and resources decode against their schemas. What
//!    every cloud shares is in `provider.rs`, `resource.rs` and `object_list.rs`; what
//!    one cloud has, in `alibaba.rs` (`alicloud`, `alicloud_dts_job`) or `tencent.rs`
//!    (`tencentcloud`, `tencentcloud_dts_migrate_job`), each described by a
//!    `CloudSchema` (`cloud.rs`) picked by the block's cloud in one place. Object names
//!    are non-empty and distinct under their parent, without regard to case, as are
//!    rename targets; `reserved` values are scalars; an object list nests no deeper
//!    than [`model::MAX_NESTING`], so the planner can read it back;
//! 5. **references** — `provider =` and `depends_on` point at things that exist,
//!    `depends_on` has no cycle, and no two resources manage one job.
//!
//! Nothing here touches the network; `dtsform validate` is exactly this.
//!
//! Secrets stay out of every diagnostic: values are masked by sensitivity in messages
//! ([`eval`](mod@eval)), and literals that are secrets — a password written into a file,
//! the default of a sensitive variable, a var-file entry for one — are masked in the source
//! text the diagnostics show ([`Sources::mask`]) before any diagnostic is made.
//! Evaluation is bounded by [`limits`].

mod alibaba;
mod cloud;
pub mod eval;
pub mod fmt;
pub mod functions;
pub mod limits;
pub mod model;
mod object_list;
mod provider;
mod reader;
mod resource;
pub mod source;
mod tencent;
pub mod variables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use hcl_edit::visit::Visit;

use crate::util::graph;
use cloud::CloudSchema;
use eval::{Evaluated, Scope, eval};
pub use model::{
    AlibabaSpec, Cloud, Config, DesiredStatus, EndpointSpec, GuardSpec, JobSpec, MigrationModeSpec,
    ProviderSpec, SecretValue, TencentEndpoint, TencentSpec,
};
pub use object_list::child_kinds;
use reader::{Diag, SECRET_ATTRIBUTES};

/// The API parameters dtsform refuses, each with the attribute that would set it, why,
/// and what to do instead: Alibaba `ModifyDtsJob`'s (attribute, parameter, why,
/// instead) and Tencent `ModifyMigrateJob`'s (block, attribute, field, why, instead).
pub mod refused {
    pub use super::alibaba::REFUSED as ALIBABA_MODIFY_DTS_JOB;
    pub use super::tencent::REFUSED as TENCENT_MODIFY_MIGRATE_JOB;
}
use resource::ResourceBlock;
pub use source::{ConfigError, ConfigErrors, Refused, RefusedObject, Sources, Span, parse};
use source::{FileId, did_you_mean};
pub use variables::Inputs;

const TOP_BLOCKS: &[&str] = &["provider", "variable", "locals", "resource"];

/// What the configuration knows of `cloud`: the one place that picks a cloud's part.
fn schema(cloud: Cloud) -> &'static CloudSchema {
    match cloud {
        Cloud::Alibaba => &alibaba::CLOUD,
        Cloud::Tencent => &tencent::CLOUD,
    }
}

/// Parses every `*.hcl` file of `dir` and evaluates the configuration.
pub fn load(dir: &Path, inputs: &Inputs) -> Result<Config, ConfigErrors> {
    load_files(dir, inputs, read_dir(dir)?)
}

/// Evaluates the configuration made of `files` (path and text, in name order) as the
/// configuration of `dir` — the files [`read_dir`] read, with more beside them, or
/// others: `import` checks what it would write before it writes it.
pub fn load_files(
    dir: &Path,
    inputs: &Inputs,
    files: Vec<(PathBuf, String)>,
) -> Result<Config, ConfigErrors> {
    let mut sources = Sources::default();
    let bodies = parse_files(&mut sources, files)?;
    mask_secret_literals(&mut sources, &bodies);
    let d = Diag::new(&sources);
    // Declaration problems do not stop the run: the offending block is skipped.
    let decls = declarations(&d, &bodies);
    let mut errors = d.take();
    let mut var_sources = Sources::default();
    let variables = variables::resolve(&d, &decls.variables, inputs, &mut var_sources);
    let locals = evaluate_locals(&d, &decls.locals, &variables, dir);
    // A variable or local without a value would make every use of it an error too.
    if d.has_errors() {
        errors.extend(d.take());
        return Err(errors);
    }
    let scope = Scope::new(&variables, &locals, dir);
    let providers: Vec<ProviderSpec> = decls
        .providers
        .iter()
        .filter_map(|(file, block)| {
            let cloud = provider::cloud_of(&d, *file, block)?;
            provider::decode_provider(&d, *file, block, &scope, schema(cloud))
        })
        .collect();
    let jobs: Vec<JobSpec> = decls
        .resources
        .iter()
        .map(|res| (schema(res.cloud).decode_job)(&d, res, &scope))
        .collect();
    check_references(&d, &providers, &jobs);
    check_job_ids(&d, &providers, &jobs);
    errors.extend(d.take());
    errors.into_result(Config {
        dir: dir.to_owned(),
        sources,
        providers,
        jobs,
    })
}

/// Reads the directory's `*.hcl` files, in name order: each file's path and text.
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>, ConfigErrors> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ConfigError::general(
            "config_dir",
            format!(
                "cannot read the configuration directory {}: {e}",
                dir.display()
            ),
        )
        .help("pass the directory holding your *.hcl files, e.g. dtsform plan examples/quickstart")
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "hcl"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(ConfigError::general(
            "no_config",
            format!("no *.hcl files in {}", dir.display()),
        )
        .help("dtsform reads every *.hcl file of the directory given (the current one by default)")
        .into());
    }
    let mut errors = ConfigErrors::default();
    let mut files = Vec::new();
    for path in paths {
        // Every `*.hcl` entry is read or is an error: a broken link or a directory
        // skipped in silence would leave its jobs unmanaged with a clean plan.
        if !path.is_file() {
            errors.push(
                ConfigError::general(
                    "config_read",
                    format!(
                        "{} is not a regular file (a broken link, a directory or a device)",
                        path.display()
                    ),
                )
                .help("dtsform reads every *.hcl entry of the directory: fix the link, or move or rename what is not a configuration file"),
            );
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path, text)),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => errors.push(
                ConfigError::general(
                    "config_read",
                    format!("cannot read {}: it is not UTF-8 text", path.display()),
                )
                .help("save the file as UTF-8 (HCL files are UTF-8; a byte such as 0xE9 is Latin-1 for é)"),
            ),
            Err(e) => errors.push(
                ConfigError::general(
                    "config_read",
                    format!("cannot read {}: {e}", path.display()),
                )
                .help("check that the file is readable"),
            ),
        }
    }
    errors.into_result(files)
}

/// Parses each file into `sources`: the bodies, or every syntax error.
fn parse_files(
    sources: &mut Sources,
    files: Vec<(PathBuf, String)>,
) -> Result<Vec<(FileId, Body)>, ConfigErrors> {
    let mut errors = ConfigErrors::default();
    let mut bodies = Vec::new();
    for (path, text) in files {
        let name = path.display().to_string();
        let id = sources.add(path, name, text);
        match parse(sources, id) {
            Ok(body) => bodies.push((id, body)),
            Err(e) => errors.push(e),
        }
    }
    errors.into_result(bodies)
}

/// Masks, in the source text, the literals that are secrets, so no diagnostic's snippet
/// shows them: those of resources' secret attributes, of the defaults of sensitive
/// variables, and of the arguments of `sensitive(...)` anywhere.
fn mask_secret_literals(sources: &mut Sources, bodies: &[(FileId, Body)]) {
    /// The secret expressions of a resource body.
    fn resource_body<'b>(body: &'b Body, found: &mut Vec<&'b Expression>) {
        for structure in body {
            match structure {
                Structure::Attribute(attr) if SECRET_ATTRIBUTES.contains(&attr.key.as_str()) => {
                    found.push(&attr.value);
                }
                Structure::Attribute(_) => {}
                Structure::Block(block) => resource_body(&block.body, found),
            }
        }
    }
    for (file, body) in bodies {
        let mut found = Vec::new();
        for block in body.blocks() {
            match block.ident.as_str() {
                "resource" => resource_body(&block.body, &mut found),
                "variable" if declared_sensitive(&block.body) => {
                    found.extend(block.body.get_attribute("default").map(|a| &a.value));
                }
                _ => {}
            }
        }
        sources.mask(*file, &source::secret_literals(found, Some(body)));
    }
}

/// Whether a variable block says `sensitive = true` (or `"true"`), read before evaluation.
fn declared_sensitive(body: &Body) -> bool {
    body.get_attribute("sensitive")
        .is_some_and(|a| match &a.value {
            Expression::Bool(b) => **b,
            Expression::String(s) => s.as_str() == "true",
            _ => false,
        })
}

/// The top-level blocks, sorted by kind.
#[derive(Default)]
struct Declarations<'b> {
    providers: Vec<(FileId, &'b Block)>,
    variables: Vec<(FileId, &'b Block)>,
    locals: Vec<(FileId, &'b Attribute)>,
    resources: Vec<ResourceBlock<'b>>,
}

fn declarations<'b>(d: &Diag<'_>, bodies: &'b [(FileId, Body)]) -> Declarations<'b> {
    let mut decls = Declarations::default();
    let mut variable_names: HashMap<String, Span> = HashMap::new();
    let mut local_names: HashMap<String, Span> = HashMap::new();
    let mut resource_names: HashMap<String, Span> = HashMap::new();
    for (file, body) in bodies {
        let file = *file;
        for structure in body {
            let block = match structure {
                Structure::Attribute(attr) => {
                    d.push(
                        d.at(Span::of(file, &attr.key), "top_level_attribute", format!("{} cannot be set at the top level", attr.key.as_str()), "not inside a block")
                            .help("attributes belong inside provider, variable, locals or resource blocks"),
                    );
                    continue;
                }
                Structure::Block(block) => block,
            };
            let ident = block.ident.as_str();
            let ident_span = Span::of(file, &block.ident);
            let labels: Vec<&str> = block
                .labels
                .iter()
                .map(hcl_edit::structure::BlockLabel::as_str)
                .collect();
            let header = Span::new(
                file,
                ident_span.start
                    ..block
                        .labels
                        .last()
                        .map_or(ident_span.end, |l| Span::of(file, l).end),
            );
            let wrong_labels = |expected: &str| {
                d.push(
                    d.at(
                        header,
                        "invalid_labels",
                        format!("a {ident} block takes {expected}"),
                        "wrong labels",
                    )
                    .help(format!(
                        "write {ident} {expected_example} {{ ... }}",
                        expected_example = match ident {
                            "resource" => "\"alicloud_dts_job\" \"NAME\"",
                            "locals" => "",
                            _ => "\"NAME\"",
                        }
                    )),
                );
            };
            match ident {
                "provider" => {
                    if labels.len() == 1 {
                        decls.providers.push((file, block));
                    } else {
                        wrong_labels("one label, the provider name");
                    }
                }
                "variable" => {
                    let [name] = labels.as_slice() else {
                        wrong_labels("one label, the variable name");
                        continue;
                    };
                    if let Some(first) = variable_names.insert((*name).to_owned(), header) {
                        d.push(
                            d.at(
                                header,
                                "duplicate_variable",
                                format!("variable {name:?} is declared twice"),
                                "declared again",
                            )
                            .help(format!(
                                "the first declaration is at {}",
                                d.sources.location(first)
                            )),
                        );
                        continue;
                    }
                    decls.variables.push((file, block));
                }
                "locals" => {
                    if !labels.is_empty() {
                        wrong_labels("no labels");
                        continue;
                    }
                    for structure in &block.body {
                        match structure {
                            Structure::Attribute(attr) => {
                                let span = Span::of(file, &attr.key);
                                if let Some(first) =
                                    local_names.insert(attr.key.as_str().to_owned(), span)
                                {
                                    d.push(
                                        d.at(
                                            span,
                                            "duplicate_local",
                                            format!(
                                                "local {:?} is defined twice",
                                                attr.key.as_str()
                                            ),
                                            "defined again",
                                        )
                                        .help(format!(
                                            "the first definition is at {}",
                                            d.sources.location(first)
                                        )),
                                    );
                                    continue;
                                }
                                decls.locals.push((file, attr));
                            }
                            Structure::Block(b) => d.push(
                                d.at(
                                    Span::of(file, &b.ident),
                                    "unknown_block",
                                    "locals cannot contain blocks",
                                    "a block",
                                )
                                .help("write locals { name = value } with attributes only"),
                            ),
                        }
                    }
                }
                "resource" => {
                    let [kind, name] = labels.as_slice() else {
                        wrong_labels("two labels, the type and the name");
                        continue;
                    };
                    let types = [model::ALICLOUD_DTS_JOB, model::TENCENTCLOUD_DTS_MIGRATE_JOB];
                    let Some(cloud) = Cloud::from_resource_type(kind) else {
                        let label_span = Span::of(file, &block.labels[0]);
                        let e = d.at(
                            label_span,
                            "unknown_resource_type",
                            format!("unknown resource type {kind:?}"),
                            "unknown type",
                        );
                        let e = e.help(match did_you_mean(kind, types) {
                            Some(s) => format!("did you mean {s}?"),
                            None => format!("dtsform manages {} resources", types.join(" and ")),
                        });
                        d.push(e);
                        continue;
                    };
                    // Names are unique across types: depends_on and plans name jobs by them.
                    if let Some(first) = resource_names.insert((*name).to_owned(), header) {
                        d.push(
                            d.at(
                                header,
                                "duplicate_resource",
                                format!("resource {kind}.{name}: the name {name:?} is declared twice"),
                                "declared again",
                            )
                            .help(format!(
                                "the first declaration is at {}; resource names must be unique, across resource types too",
                                d.sources.location(first)
                            )),
                        );
                        continue;
                    }
                    decls.resources.push(ResourceBlock {
                        cloud,
                        file,
                        block,
                        name: (*name).to_owned(),
                        span: header,
                    });
                }
                other => {
                    let e = d.at(
                        ident_span,
                        "unknown_block",
                        format!("unknown block type {other:?}"),
                        "unknown block",
                    );
                    let e = e.help(match did_you_mean(other, TOP_BLOCKS.iter().copied()) {
                        Some(s) => format!("did you mean {s}?"),
                        None => format!("the top level holds {} blocks", TOP_BLOCKS.join(", ")),
                    });
                    d.push(e);
                }
            }
        }
    }
    decls
}

/// `local.NAME` references in an expression.
struct LocalRefs(Vec<String>);

impl Visit for LocalRefs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr
            && root.as_str() == "local"
            && let Some(op) = node.operators.first()
            && let TraversalOperator::GetAttr(name) = &**op
        {
            self.0.push(name.as_str().to_owned());
        }
        hcl_edit::visit::visit_traversal(self, node);
    }
}

fn evaluate_locals(
    d: &Diag<'_>,
    attrs: &[(FileId, &Attribute)],
    variables: &BTreeMap<String, Evaluated>,
    dir: &Path,
) -> BTreeMap<String, Evaluated> {
    let by_name: HashMap<&str, (FileId, &Attribute)> = attrs
        .iter()
        .map(|(f, a)| (a.key.as_str(), (*f, *a)))
        .collect();
    // Each local's references to other locals, found once.
    let deps: HashMap<&str, Vec<String>> = attrs
        .iter()
        .map(|(_, attr)| {
            let mut refs = LocalRefs(Vec::new());
            refs.visit_expr(&attr.value);
            refs.0.retain(|r| by_name.contains_key(r.as_str()));
            (attr.key.as_str(), refs.0)
        })
        .collect();
    // In name order, so diagnostics come in an order independent of the files.
    let mut names: Vec<&str> = attrs.iter().map(|(_, a)| a.key.as_str()).collect();
    names.sort_unstable();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    // Edges from each local to the locals that refer to it.
    let mut edges = Vec::new();
    for (i, name) in names.iter().enumerate() {
        edges.extend(deps[name].iter().map(|dep| (index[dep.as_str()], i)));
    }
    let order = match graph::order(names.len(), edges) {
        Ok(order) => order,
        Err(cycles) => {
            for cycle in cycles {
                let (file, attr) = by_name[names[cycle[0]]];
                let shown: Vec<String> = depends_on_order(&cycle)
                    .map(|i| format!("local.{}", names[i]))
                    .collect();
                d.push(
                    d.at(
                        Span::of(file, &attr.key),
                        "dependency_cycle",
                        format!(
                            "locals depend on each other in a cycle: {}",
                            shown.join(" → ")
                        ),
                        "part of the cycle",
                    )
                    .help("break the cycle: one of these locals must not refer back"),
                );
            }
            return BTreeMap::new();
        }
    };
    let mut locals = BTreeMap::new();
    // A local that failed, or depends on one that did: its error is reported once, where
    // it starts, not again for everything built on it.
    let mut failed: HashSet<&str> = HashSet::new();
    for name in order.into_iter().map(|i| names[i]) {
        let (file, attr) = by_name[name];
        if deps[name].iter().any(|dep| failed.contains(dep.as_str())) {
            failed.insert(name);
            continue;
        }
        let scope = Scope::new(variables, &locals, dir);
        match eval(&attr.value, &scope) {
            Ok(v) => {
                locals.insert(name.to_owned(), v);
            }
            Err(e) => {
                d.push(reader::eval_error(d.sources, file, e));
                failed.insert(name);
            }
        }
    }
    locals
}

/// A cycle of [`graph::order`] over edges from each dependency to what depends on it, read
/// the other way round: from its first item along "depends on", back to it.
fn depends_on_order(cycle: &[usize]) -> impl Iterator<Item = usize> + '_ {
    let first = cycle.first().copied();
    first
        .into_iter()
        .chain(cycle.iter().skip(1).rev().copied())
        .chain(first)
}

/// Providers are unique; `provider =` and `depends_on` name existing things; no cycles.
fn check_references(d: &Diag<'_>, providers: &[ProviderSpec], jobs: &[JobSpec]) {
    let mut seen: Vec<&ProviderSpec> = Vec::new();
    for p in providers {
        if let Some(first) = seen
            .iter()
            .find(|q| q.cloud == p.cloud && q.alias == p.alias)
        {
            d.push(
                d.at(
                    p.span,
                    "duplicate_provider",
                    format!("provider {} is configured twice", p.name()),
                    "configured again",
                )
                .help(format!(
                    "the first is at {}; give each extra provider block a distinct alias",
                    d.sources.location(first.span)
                )),
            );
        }
        seen.push(p);
    }
    for job in jobs {
        let label = job.cloud.provider_label();
        let found = providers
            .iter()
            .any(|p| p.cloud == job.cloud && p.alias == job.provider);
        if !found {
            let aliases: Vec<&str> = providers
                .iter()
                .filter(|p| p.cloud == job.cloud)
                .filter_map(|p| p.alias.as_deref())
                .collect();
            let example = schema(job.cloud).region_example;
            let e = match &job.provider {
                None => d.at(job.span, "missing_provider", format!("{} needs a provider \"{label}\" block without alias", job.address()), "no default provider")
                    .help(format!("add provider \"{label}\" {{ region = \"{example}\" }}, or set provider = {label}.ALIAS")),
                Some(alias) => {
                    let e = d.at(job.span, "unknown_provider", format!("{} uses provider {label}.{alias}, which is not configured", job.address()), "unknown provider");
                    e.help(match did_you_mean(alias, aliases.iter().copied()) {
                        Some(s) => format!("did you mean {label}.{s}?"),
                        None => format!("add a provider \"{label}\" block with alias = \"{alias}\""),
                    })
                }
            };
            d.push(e);
        }
        for (target, span) in &job.depends_on {
            let (kind, name) = target
                .split_once('.')
                .unwrap_or((model::ALICLOUD_DTS_JOB, target.as_str()));
            match jobs.iter().find(|j| j.name == name) {
                Some(j) if j.cloud.resource_type() == kind => {}
                Some(j) => d.push(
                    d.at(
                        *span,
                        "unknown_reference",
                        format!(
                            "depends_on names {kind}.{name}, but {name} is a {}",
                            j.cloud.resource_type()
                        ),
                        "wrong resource type",
                    )
                    .help(format!("write {}", j.address())),
                ),
                None => {
                    let e = d.at(
                        *span,
                        "unknown_reference",
                        format!("depends_on names {kind}.{name}, which is not declared"),
                        "unknown resource",
                    );
                    let e = e.help(
                        match did_you_mean(name, jobs.iter().map(|j| j.name.as_str())) {
                            Some(s) => {
                                let j = jobs
                                    .iter()
                                    .find(|j| j.name == s)
                                    .map_or_else(String::new, JobSpec::address);
                                format!("did you mean {j}?")
                            }
                            None => "declare that resource, or remove it from depends_on".into(),
                        },
                    );
                    d.push(e);
                }
            }
        }
    }
    // Edges from each job to the jobs that depend on it, in declaration order.
    let index: HashMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.name.as_str(), i))
        .collect();
    let edges = jobs.iter().enumerate().flat_map(|(i, job)| {
        job.depends_on
            .iter()
            .filter_map(|(entry, _)| index.get(dependency_name(entry)))
            .map(move |&dep| (dep, i))
    });
    if let Err(cycles) = graph::order(jobs.len(), edges) {
        for cycle in cycles {
            let shown: Vec<String> = depends_on_order(&cycle)
                .map(|i| jobs[i].address())
                .collect();
            d.push(
                d.at(jobs[cycle[0]].span, "dependency_cycle", format!("depends_on forms a cycle: {}", shown.join(" → ")), "part of the cycle")
                    .help("remove one of these depends_on entries; jobs can only be applied in an order without cycles"),
            );
        }
    }
}

/// No two resources manage one cloud job. Each writes the job's whole object list (and its
/// settings), so two would undo each other on every apply. The key is the cloud and the id,
/// compared without case, whatever the providers: DTS job ids are unique across regions,
/// so one id under two regions is one job (or a mistake in one of them).
fn check_job_ids(d: &Diag<'_>, providers: &[ProviderSpec], jobs: &[JobSpec]) {
    let region = |job: &JobSpec| {
        providers
            .iter()
            .find(|p| p.cloud == job.cloud && p.alias == job.provider)
            .map(|p| p.region.as_str())
    };
    let mut seen: HashMap<(Cloud, String), &JobSpec> = HashMap::new();
    for job in jobs.iter().filter(|j| !j.dts_job_id.is_empty()) {
        let key = (job.cloud, job.dts_job_id.to_lowercase());
        let Some(first) = seen.get(&key) else {
            seen.insert(key, job);
            continue;
        };
        let attribute = schema(job.cloud).job_id_attribute;
        let regions = match (region(first), region(job)) {
            (Some(a), Some(b)) if a != b => {
                format!(" (a job id names one job, so {a} and {b} cannot both be right)")
            }
            _ => String::new(),
        };
        d.push(
            d.at(
                job.job_id_span,
                "duplicate_job",
                format!(
                    "{} and {} manage the same job {:?}",
                    first.address(),
                    job.address(),
                    job.dts_job_id
                ),
                "managed again here",
            )
            .also(d.sources, first.job_id_span, "also managed here")
            .help(format!(
                "keep one resource per job{regions}: two would each write the job's whole object list and undo each other; merge them, or correct the {attribute} of the one meant for another job"
            )),
        );
    }
}

/// The resource name of a `depends_on` entry (`TYPE.NAME`, or a bare name).
pub fn dependency_name(entry: &str) -> &str {
    entry.split_once('.').map_or(entry, |(_, name)| name)
}

#[cfg(test)]
mod tests;
