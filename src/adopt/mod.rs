//! `dtsform adopt`: live objects the configuration does not declare (added in the
//! console, say — the next apply would remove them) written into the configuration's
//! own files, so that the next plan keeps them.
//!
//! The live-only objects are drift's ([`crate::drift::compare`]): each is written as the
//! block `import` would write for it ([`crate::import::object_block`]: renames, filters,
//! operations, columns, attributes — as live) into the resource that manages the job,
//! inside the block of the object around it (a `table` into its `database` block), or
//! as a new `database` block. The text goes into the file in place ([`edit`]): comments
//! and formatting of the user's file stay as they are.
//!
//! A live-only object of the reverse direction of a two-way job (drift compares that
//! direction when the resource has a `reverse` block) goes into that `reverse` block.
//! Without one the reverse direction is not managed — plan leaves its objects alone —
//! so there is nothing to adopt for it.
//!
//! Objects that would belong to a block a `dynamic` block produces, or to a resource
//! whose objects come from a `db_list` expression, are not edited: the user is told,
//! with the block (or `DbList` entry) to add. Nothing is written on trust: the edited
//! files are loaded again and every job compared again before any file is replaced; an
//! adopted object that would still be live-only is refused.

pub mod edit;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::clients::Clients;
use crate::cloud::alibaba::Direction;
use crate::config::{Config, ConfigError, Inputs, JobSpec, Span};
use crate::drift::{Compared, Finding, compare};
use crate::objects::{Address, Kind, Node, ObjectTree};
use crate::plan::fetch::Live;
use edit::Place;

/// What to adopt: every live-only object, or those the selectors name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// An object in any job: itself, or the live-only objects inside it.
    Object(Address),
    /// Every live-only object of one resource (`alicloud_dts_job.NAME`).
    Job(String),
}

impl Selector {
    /// `alicloud_dts_job.NAME` / `tencentcloud_dts_migrate_job.NAME`, or an object
    /// address (`shop.orders`, `"my.db".orders`).
    pub fn parse(text: &str) -> Result<Selector, ConfigError> {
        for cloud in [crate::config::Cloud::Alibaba, crate::config::Cloud::Tencent] {
            let prefix = format!("{}.", cloud.resource_type());
            if let Some(name) = text.strip_prefix(&prefix)
                && !name.is_empty()
                && !name.contains('.')
            {
                return Ok(Selector::Job(text.to_owned()));
            }
        }
        Address::parse(text).map(Selector::Object).map_err(|e| {
            ConfigError::general("adopt::address", format!("{text:?} is not an address: {e}"))
                .help("name an object as drift does (shop.orders, \"my.db\".orders) or a job's resource (alicloud_dts_job.NAME)")
        })
    }

    fn selects(&self, job: &str, address: &Address) -> bool {
        match self {
            Selector::Job(j) => j == job,
            Selector::Object(a) => a.covers(address),
        }
    }
}

/// An object written into a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    /// The resource (`alicloud_dts_job.shop`).
    pub job: String,
    /// The direction of a two-way job whose object it is (its `reverse` block's for
    /// the reverse direction).
    pub direction: Direction,
    pub kind: Kind,
    pub address: Address,
    /// The file, as messages name it.
    pub file: String,
}

/// One configuration file edited: its path, and its text before and after.
#[derive(Debug, Clone)]
pub struct FileEdit {
    pub path: PathBuf,
    /// As messages name it (`./main.hcl`).
    pub name: String,
    pub before: String,
    pub after: String,
}

/// What adopt would do (and, once [`write`] is called, did).
#[derive(Debug, Default)]
pub struct Outcome {
    pub adopted: Vec<Adopted>,
    pub edits: Vec<FileEdit>,
    /// Objects that were not written, each with why and what to add instead.
    pub refused: Vec<ConfigError>,
    /// Live-only objects in the jobs, whether selected or not.
    pub live_only: usize,
}

/// Reads every job and works out the edits that adopt the selected live-only objects
/// (all when `selectors` is empty). Nothing is written: see [`write`]. Jobs that cannot
/// be read, selectors that name nothing and edits that would not make the objects plan
/// as kept are errors.
pub async fn adopt(
    config: &Config,
    clients: &Clients,
    inputs: &Inputs,
    selectors: &[Selector],
    direction: Option<Direction>,
    parallelism: usize,
) -> Result<Outcome, Vec<ConfigError>> {
    let lives: Vec<Result<Live, ConfigError>> =
        crate::plan::fetch::read_all(config, clients, parallelism, |_, live| live).await;
    let mut errors = Vec::new();
    let mut compared = Vec::new();
    for (i, live) in lives.into_iter().enumerate() {
        match live.map_err(|e| vec![e]).and_then(|live| {
            let c = compare(config, i, &live)?;
            Ok((c, live))
        }) {
            Ok(pair) => compared.push((i, pair)),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let jobs: Vec<(usize, &Compared)> = compared.iter().map(|(i, (c, _))| (*i, c)).collect();
    let outcome = edits(config, &jobs, selectors, direction)?;
    if outcome.edits.is_empty() {
        return Ok(outcome);
    }
    verify(config, inputs, &outcome, &compared)?;
    Ok(outcome)
}

/// Replaces each edited file with its new text.
pub fn write(outcome: &Outcome) -> Result<(), ConfigError> {
    for e in &outcome.edits {
        crate::fsutil::write_atomically(&e.path, e.after.as_bytes()).map_err(|err| {
            ConfigError::general("adopt::write", format!("cannot write {}: {err}", e.name))
                .help("check that the file is writable; nothing else was changed after this file")
        })?;
    }
    Ok(())
}

/// The unified diff of every edited file (`--dry-run`).
pub fn diff(outcome: &Outcome) -> String {
    let mut out = String::new();
    for e in &outcome.edits {
        let diff = similar::TextDiff::from_lines(&e.before, &e.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("a/{}", e.name.trim_start_matches("./")),
                    &format!("b/{}", e.name.trim_start_matches("./")),
                )
                .to_string(),
        );
    }
    out
}

/// The edits for the selected live-only objects of `jobs` (index in `config`, drift):
/// those `selectors` name (all when none), of `only` one direction of two-way jobs if
/// given.
fn edits(
    config: &Config,
    jobs: &[(usize, &Compared)],
    selectors: &[Selector],
    only: Option<Direction>,
) -> Result<Outcome, Vec<ConfigError>> {
    let mut outcome = Outcome::default();
    let mut used = vec![false; selectors.len()];
    // File id → original text and insertions.
    let mut files: BTreeMap<usize, (String, Vec<(usize, String)>)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (index, compared) in jobs {
        let resource = &config.jobs[*index];
        let job = &compared.drift.address;
        for (direction, finding) in compared.drift.directed() {
            let Finding::LiveOnly {
                address,
                kind,
                declared: false,
                ..
            } = finding
            else {
                continue;
            };
            outcome.live_only += 1;
            let mut selected = selectors.is_empty();
            for (s, used) in selectors.iter().zip(used.iter_mut()) {
                if s.selects(job, address) {
                    *used = true;
                    selected = true;
                }
            }
            // Named but of the other direction: left out, and said so by the summary
            // ("nothing to adopt ... in the reverse direction"), not "names nothing".
            if !selected || only.is_some_and(|d| d != direction) {
                continue;
            }
            // The reverse direction's findings come from the resource's reverse block.
            let (Some(tree), Some(spec)) = (
                compared.live_objects(direction),
                match direction {
                    Direction::Forward => Some(resource),
                    Direction::Reverse => resource.reverse(),
                },
            ) else {
                continue;
            };
            let file = spec.span.file;
            let (text, inserts) = match files.entry(file) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let source = config.sources.get(file);
                    match original(config, file) {
                        Ok(text) => v.insert((text, Vec::new())),
                        Err(e) => {
                            errors.push(
                                ConfigError::general(
                                    "adopt::read",
                                    format!("cannot read {} again: {e}", source.name),
                                )
                                .help("the file changed or went away since it was loaded; run adopt again"),
                            );
                            continue;
                        }
                    }
                }
            };
            match one(config, spec, tree, address, *kind, text) {
                Ok((at, insert)) => {
                    inserts.push((at, insert));
                    outcome.adopted.push(Adopted {
                        job: job.clone(),
                        direction,
                        kind: *kind,
                        address: address.clone(),
                        file: config.sources.get(file).name.clone(),
                    });
                }
                Err(e) => outcome.refused.push(*e),
            }
        }
    }
    for (s, used) in selectors.iter().zip(&used) {
        if !used {
            let named = match s {
                Selector::Object(a) => a.to_string(),
                Selector::Job(j) => j.clone(),
            };
            errors.push(
                ConfigError::general(
                    "adopt::nothing_named",
                    format!("{named} names no live object outside the configuration"),
                )
                .help("dtsform drift lists the live objects the configuration does not declare; name one of those, or a job's resource"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (file, (before, inserts)) in files {
        if inserts.is_empty() {
            continue;
        }
        let source = config.sources.get(file);
        outcome.edits.push(FileEdit {
            path: source.path.clone(),
            name: source.name.clone(),
            after: edit::apply(&before, inserts),
            before,
        });
    }
    Ok(outcome)
}

/// The file's text as it is on disk (the loaded text has its secret literals masked),
/// which must be the text that was loaded.
fn original(config: &Config, file: usize) -> std::io::Result<String> {
    let source = config.sources.get(file);
    let text = std::fs::read_to_string(&source.path)?;
    if text.len() == source.text.len() {
        Ok(text)
    } else {
        Err(std::io::Error::other("it changed since it was loaded"))
    }
}

/// Where the block of the live object at `address` goes in `text`, and the text to put
/// there; or why it cannot be written.
fn one(
    config: &Config,
    spec: &JobSpec,
    tree: &ObjectTree,
    address: &Address,
    kind: Kind,
    text: &str,
) -> Result<(usize, String), Box<ConfigError>> {
    let segments = address.segments();
    let Some((_, node)) = tree.get(address) else {
        return Err(Box::new(
            ConfigError::general(
                "adopt::internal",
                format!("{kind} {address} is not in the live list"),
            )
            .help("this is a dtsform bug; please report it"),
        ));
    };
    let name = segments.last().map_or("", String::as_str);
    let block = crate::import::object_block(kind, name, node, address).map_err(|reasons| {
        let why: Vec<String> = reasons
            .iter()
            .map(|u| format!("{}: {}", u.what, u.reason))
            .collect();
        Box::new(
            ConfigError::at(
                &config.sources,
                spec.span,
                "adopt::unwritable",
                format!(
                    "{kind} {address} of {} cannot be written as blocks: {}",
                    spec.label(),
                    why.join("; ")
                ),
                "this job",
            )
            .help("declare it by hand, or declare its removal in removed { objects = [...] }"),
        )
    })?;
    let mut path = Vec::new();
    for i in 1..segments.len() {
        let prefix = Address::new(segments[..i].iter().map(String::as_str));
        let Some((k, _)) = tree.get(&prefix) else {
            return Err(Box::new(
                ConfigError::general(
                    "adopt::internal",
                    format!("{prefix} is not in the live list"),
                )
                .help("this is a dtsform bug; please report it"),
            ));
        };
        path.push((k, segments[i - 1].as_str()));
    }
    let resource = (spec.cloud.resource_type(), spec.name.as_str());
    let at = |range: std::ops::Range<usize>| Span::new(spec.span.file, range);
    let refusal = |span: Span, code: &'static str, what: String, label: &str, help: String| {
        Box::new(ConfigError::at(&config.sources, span, code, what, label).help(help))
    };
    match edit::place(text, resource, spec.direction, &path, kind, &block) {
        Place::Insert { at, text } => Ok((at, text)),
        Place::Dynamic(range) => Err(refusal(
            at(range),
            "adopt::dynamic",
            format!(
                "{kind} {address} of {} is not in the configuration, but it belongs inside an object a dynamic block produces; adopt does not edit those",
                spec.label()
            ),
            "the dynamic block",
            format!(
                "add it to what this dynamic block produces (its for_each and content), or write its object as a block of its own. The block for it:\n{block}"
            ),
        )),
        Place::DbList(range) => Err(refusal(
            at(range),
            "adopt::db_list",
            format!(
                "{kind} {address} of {} is not in the configuration, which takes its objects from a db_list expression; adopt does not edit those",
                spec.label()
            ),
            "db_list",
            format!(
                "add its entry to the db_list:\n{}",
                entry_json(tree, address)
            ),
        )),
        Place::ColumnsList(range) => Err(refusal(
            at(range),
            "adopt::columns",
            format!(
                "{kind} {address} of {} is not in the configuration, whose table lists its columns as columns = [...]",
                spec.label()
            ),
            "columns",
            format!("add {name:?} to this list, or write the columns as blocks:\n{block}"),
        )),
        Place::NotFound(why) => Err(refusal(
            spec.span,
            "adopt::not_found",
            format!(
                "cannot find where {kind} {address} of {} goes: {why}",
                spec.label()
            ),
            "this job",
            format!("add this block to the resource by hand:\n{block}"),
        )),
    }
}

/// The live list with only the path to `address` (and everything inside the object),
/// as `DbList` JSON without what the server owns (`state`): the entry to add to a
/// `db_list`.
fn entry_json(tree: &ObjectTree, address: &Address) -> String {
    fn prune(node: &Node, rest: &[String]) -> Node {
        let Some((first, rest)) = rest.split_first() else {
            return node.clone();
        };
        let mut out = node.clone();
        for container in out.containers.values_mut() {
            container.nodes.retain(|name, _| name == first);
            for child in container.nodes.values_mut() {
                *child = prune(child, rest);
            }
        }
        out.containers.retain(|_, c| !c.nodes.is_empty());
        out
    }
    let segments = address.segments();
    let mut out = ObjectTree::default();
    if let Some((db, rest)) = segments.split_first()
        && let Some(node) = tree.databases.get(db)
    {
        out.databases.insert(db.clone(), prune(node, rest));
    }
    out.to_pretty_json_normalized()
}

/// `, reverse direction` after a job, for an object of a two-way job's reverse
/// direction.
pub fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::Forward => "",
        Direction::Reverse => ", reverse direction",
    }
}

/// Loads the configuration with the edited files and compares every adopted job again:
/// each adopted object must no longer be live-only.
fn verify(
    config: &Config,
    inputs: &Inputs,
    outcome: &Outcome,
    compared: &[(usize, (Compared, Live))],
) -> Result<(), Vec<ConfigError>> {
    let mut files = crate::config::read_dir(&config.dir).map_err(|e| e.errors)?;
    for (path, text) in &mut files {
        if let Some(e) = outcome.edits.iter().find(|e| &e.path == path) {
            text.clone_from(&e.after);
        }
    }
    let edited = crate::config::load_files(&config.dir, inputs, files).map_err(|e| {
        let mut errors = vec![
            ConfigError::general(
                "adopt::check",
                "the configuration with the adopted objects does not load; nothing was written",
            )
            .help("this is a dtsform bug; please report it with the errors below"),
        ];
        errors.extend(e.errors);
        errors
    })?;
    let mut problems = Vec::new();
    for (_, (before, live)) in compared {
        let job = &before.drift.address;
        if !outcome.adopted.iter().any(|a| &a.job == job) {
            continue;
        }
        let Some(new_index) = edited.jobs.iter().position(|j| &j.address() == job) else {
            continue;
        };
        let after = compare(&edited, new_index, live)?;
        for a in outcome.adopted.iter().filter(|a| &a.job == job) {
            let still = after.drift.directed().any(|(direction, f)| {
                direction == a.direction
                    && matches!(f, Finding::LiveOnly { address: left, .. } if a.address.covers(left) || left.covers(&a.address))
            });
            if still {
                problems.push(
                    ConfigError::general(
                        "adopt::check",
                        format!("{} {} of {}{} would still not be kept with the block adopt wrote; nothing was written", a.kind, a.address, job, direction_words(a.direction)),
                    )
                    .help("this is a dtsform bug; please report it with the configuration"),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
