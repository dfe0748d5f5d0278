//! The lost-object guard: **no object leaves a live job unless a human asked for exactly
//! that removal.**
//!
//! A removal is a live object the payload would not contain (ModifyDtsJob replaces the
//! whole list), or a **narrowing**: a live object taken whole (a database with
//! `all: true`, a table without a column list) that the payload narrows to a list —
//! everything in it that is not listed stops replicating, and dtsform cannot know what
//! that is. Widening (a list → the whole object) is not a removal. Each removal must be
//! declared exactly — its address in the resource's `removed { objects = [...] }`, or
//! given with `--allow-removal ADDRESS`; a narrowing of `shop` is declared as `shop.*`
//! ("the rest of shop") — and then:
//!
//! * nothing removed may match the job's `lifecycle { prevent_removal = [...] }`,
//!   counting every object inside a removed one; a narrowing is refused by any pattern
//!   that may match what it takes (the object, or an unlisted name or glob inside it);
//! * the mass-removal breaker trips when more than `max_removed_objects` (10) objects
//!   (columns count as part of their table, a narrowing as one object)
//!   would go, or more than `max_removed_percent` (25 %) of the job's objects when
//!   that is more than one object — declared or not;
//! * an empty object list is never sent.
//!
//! Every refusal is a located diagnostic on the resource, listing every object (up to
//! [`LISTED`] unless [`Flags::list_all`]) and the ways to proceed.
//!
//! [`check_payload`] re-runs the guard at apply time on what is about to be sent against
//! the job as it is then, with the removals the plan showed: apply's safety does not rest
//! on the plan file being intact.

use crate::config::{ConfigError, JobSpec, Refused, RefusedObject, Sources};
use crate::objects::diff::{Change, ObjectChange, ObjectDiff, diff};
use crate::objects::{Address, Kind, ObjectTree, Pattern, Removal};

/// At most this many objects are listed in a refusal, unless [`Flags::list_all`].
pub const LISTED: usize = 50;

/// What the command line says to the guard.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--allow-removal ADDRESS` (or `ADDRESS.*` for a narrowing), for every job.
    pub allow: Vec<Removal>,
    /// `--list-all-removals`: list every refused object, however many.
    pub list_all: bool,
}

/// Why a removal is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allowance {
    /// Listed in the resource's `removed` block.
    Declared,
    /// Given with `--allow-removal`.
    CommandLine,
}

/// A removal the guard let through.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AllowedRemoval {
    /// The object, or the rest of a narrowed one.
    pub removal: Removal,
    pub kind: Kind,
    /// The object and everything inside it (1 for a narrowing: what it takes is unknown).
    pub objects: usize,
    pub allowance: Allowance,
}

impl AllowedRemoval {
    pub fn address(&self) -> &Address {
        self.removal.address()
    }
}

/// What a removal takes along, for messages: `table shop.audit (and 3 objects inside)`,
/// `everything in database shop but the 2 objects listed`.
pub fn describe(change: &ObjectChange) -> String {
    let (kind, address) = (change.kind, &change.address);
    match change.change {
        Change::Narrowed { listed: 0 } => {
            format!(
                "everything in {kind} {address} (it is taken whole now; the new list names nothing in it)"
            )
        }
        Change::Narrowed { listed } => format!(
            "everything in {kind} {address} but the {listed} object{} listed (it is taken whole now)",
            plural(listed)
        ),
        Change::Removed { objects }
        | Change::Unlisted { objects, .. }
        | Change::Added { objects } => match objects {
            0 | 1 => format!("{kind} {address}"),
            2 => format!("{kind} {address} (and 1 object inside)"),
            n => format!("{kind} {address} (and {} objects inside)", n - 1),
        },
        Change::Changed { .. } => format!("{kind} {address}"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn quoted_list<'a>(removals: impl Iterator<Item = &'a Removal>) -> String {
    removals
        .map(|r| format!("{:?}", r.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `lines`, cut to [`LISTED`] with a closing line saying how many were left out, unless
/// `all`.
fn bounded(mut lines: Vec<String>, all: bool) -> Vec<String> {
    if !all && lines.len() > LISTED {
        let more = lines.len() - LISTED;
        lines.truncate(LISTED);
        lines.push(format!(
            "  … and {more} more (plan --list-all-removals lists every one)"
        ));
    }
    lines
}

/// A removal as a refusal names it (see [`Refused`]).
pub fn refused_object(removal: &Removal, kind: Kind, objects: usize) -> RefusedObject {
    RefusedObject {
        address: removal.to_string(),
        path: removal.address().segments().to_vec(),
        kind: kind.noun(),
        objects,
        narrowing: matches!(removal, Removal::Rest(_)),
    }
}

/// How many objects a removal takes: a removed subtree's size, one for a narrowing.
fn taken(change: &Change) -> usize {
    match change {
        Change::Removed { objects } => *objects,
        _ => 1,
    }
}

/// Checks one job's removals. `live` is the live tree the diff was made against.
pub fn check(
    sources: &Sources,
    job: &JobSpec,
    live: &ObjectTree,
    payload: &ObjectTree,
    diff: &ObjectDiff,
    flags: &Flags,
) -> Result<Vec<AllowedRemoval>, Vec<ConfigError>> {
    let mut refusals = Vec::new();
    let at = |code: &'static str, message: String| {
        ConfigError::at(sources, job.span, code, message, "this job")
    };

    if payload.is_empty() && !diff.is_empty() {
        refusals.push(
            at(
                "guard::empty_list",
                format!(
                    "{} would send an empty object list, which stops all replication of the job; dtsform never sends one",
                    job.label()
                ),
            )
            .refusing(Refused {
                job: job.address(),
                direction: job.direction,
                objects: Vec::new(),
            })
            .help("check the variables and for_each expressions that build the object list; to stop a job, set status = \"suspended\""),
        );
    }

    let mut allowed = Vec::new();
    let mut undeclared: Vec<(Removal, &ObjectChange)> = Vec::new();
    for change in diff.removals() {
        let Some(removal) = change.removal() else {
            continue;
        };
        let allowance = if job.removed.iter().any(|(r, _)| *r == removal) {
            Some(Allowance::Declared)
        } else if flags.allow.contains(&removal) {
            Some(Allowance::CommandLine)
        } else {
            None
        };
        match allowance {
            Some(allowance) => allowed.push(AllowedRemoval {
                removal,
                kind: change.kind,
                objects: taken(&change.change),
                allowance,
            }),
            None => undeclared.push((removal, change)),
        }
    }

    if !undeclared.is_empty() {
        let lost: usize = undeclared.iter().map(|(_, c)| taken(&c.change)).sum();
        let narrowed = undeclared.iter().find_map(|(r, _)| match r {
            Removal::Rest(a) => Some(a),
            Removal::Object(_) => None,
        });
        let lines: Vec<String> = undeclared
            .iter()
            .map(|(_, c)| format!("  - {}", describe(c)))
            .collect();
        let named: Vec<&Removal> = undeclared
            .iter()
            .map(|(r, _)| r)
            .take(if flags.list_all { usize::MAX } else { LISTED })
            .collect();
        let more = if named.len() < undeclared.len() {
            format!(" (and {} more like them)", undeclared.len() - named.len())
        } else {
            String::new()
        };
        let flag_words: Vec<String> = named
            .iter()
            .map(|r| format!("--allow-removal {}", shell_word(&r.to_string())))
            .collect();
        let (api, keep) = match job.cloud {
            crate::config::Cloud::Alibaba => (
                "ModifyDtsJob replaces the whole object list",
                "add them back to the configuration (or set merge_live_objects = true)",
            ),
            crate::config::Cloud::Tencent => (
                "ModifyMigrateJob replaces the whole DatabaseInfo",
                "add them back to the configuration",
            ),
        };
        let narrowing_note = narrowed.map_or_else(String::new, |a| {
            format!(
                " Narrowing an object taken whole to a list removes everything in it that is not listed, which dtsform cannot see; to keep {a} whole, list nothing inside it (or set all = true); \"{a}.*\" declares its narrowing."
            )
        });
        let in_block = match job.direction {
            crate::cloud::alibaba::Direction::Forward => "the resource",
            crate::cloud::alibaba::Direction::Reverse => "its reverse block",
        };
        refusals.push(
            at(
                "guard::undeclared_removal",
                format!(
                    "{} would stop replicating {lost} object{} that no one asked to remove:\n{}",
                    job.label(),
                    plural(lost),
                    bounded(lines, flags.list_all).join("\n")
                ),
            )
            .refusing(Refused {
                job: job.address(),
                direction: job.direction,
                objects: undeclared
                    .iter()
                    .map(|(r, c)| refused_object(r, c.kind, taken(&c.change)))
                    .collect(),
            })
            .help(format!(
                "{api}, so these would be lost. To keep them, {keep}. To remove them, declare it in {in_block}: removed {{ objects = [{}] }}{more}, or pass {}.{narrowing_note}",
                quoted_list(named.iter().copied()),
                flag_words.join(" ")
            )),
        );
    }

    let patterns: Vec<&Pattern> = job.guard.prevent_removal.iter().map(|(p, _)| p).collect();
    let protected = protected(
        allowed.iter().map(|r| (&r.removal, r.kind)),
        live,
        payload,
        &patterns,
    );
    if !protected.is_empty() {
        let (lines, objects): (Vec<String>, Vec<RefusedObject>) = protected.into_iter().unzip();
        refusals.push(
            at(
                "guard::protected",
                format!(
                    "{} would remove protected objects:\n{}",
                    job.label(),
                    bounded(lines, flags.list_all).join("\n")
                ),
            )
            .refusing(Refused {
                job: job.address(),
                direction: job.direction,
                objects,
            })
            .help("lifecycle { prevent_removal } protects these; if the removal is really intended, take the pattern out first, in its own reviewed change"),
        );
    }

    let removed: usize = allowed.iter().map(|r| r.objects).sum::<usize>()
        + undeclared
            .iter()
            .map(|(_, c)| taken(&c.change))
            .sum::<usize>();
    let total = live.count();
    #[allow(clippy::cast_precision_loss)]
    let percent = if total == 0 {
        0.0
    } else {
        removed as f64 * 100.0 / total as f64
    };
    let limit = job.guard.max_removed_objects;
    let too_many = removed > limit;
    let too_large_share = removed > 1 && percent > job.guard.max_removed_percent;
    if too_many || too_large_share {
        refusals.push(
            at(
                "guard::mass_removal",
                format!(
                    "{} would remove {removed} of its {total} objects ({percent:.0} %), more than the mass-removal breaker allows ({limit} objects, {:.0} %)",
                    job.label(),
                    job.guard.max_removed_percent
                ),
            )
            .refusing(Refused {
                job: job.address(),
                direction: job.direction,
                objects: allowed
                    .iter()
                    .map(|r| refused_object(&r.removal, r.kind, r.objects))
                    .chain(
                        undeclared
                            .iter()
                            .map(|(r, c)| refused_object(r, c.kind, taken(&c.change))),
                    )
                    .collect(),
            })
            .help({
                let mut needed = Vec::new();
                if too_many {
                    needed.push(format!("max_removed_objects = {removed}"));
                }
                if too_large_share {
                    needed.push(format!("max_removed_percent = {:.0}", percent.ceil()));
                }
                format!(
                    "if this is intended, raise the breaker for this job in its lifecycle block, in its own reviewed change: {}",
                    needed.join(" and ")
                )
            }),
        );
    }

    if refusals.is_empty() {
        Ok(allowed)
    } else {
        Err(refusals)
    }
}

/// What the removals take that a `prevent_removal` pattern covers, one line each (with
/// the object it names): anything inside a removed object, and for a narrowing whatever
/// a pattern may match among what it drops. Only the removed subtrees are walked, and
/// only when there are patterns at all.
pub fn protected<'a>(
    removals: impl Iterator<Item = (&'a Removal, Kind)>,
    live: &ObjectTree,
    payload: &ObjectTree,
    patterns: &[&Pattern],
) -> Vec<(String, RefusedObject)> {
    let mut protected = Vec::new();
    for (removal, removed_kind) in removals.filter(|_| !patterns.is_empty()) {
        match removal {
            Removal::Object(address) => {
                let Some((kind, node)) = live.get(address) else {
                    continue;
                };
                let mut inside = Vec::new();
                node.walk(address, kind, &mut inside);
                for (address, kind, node) in inside {
                    if let Some(pattern) = patterns.iter().find(|p| p.matches(&address)) {
                        protected.push((
                            format!(
                                "  - {kind} {address} (prevent_removal {pattern:?})",
                                pattern = pattern.to_string()
                            ),
                            refused_object(&Removal::Object(address), kind, node.count()),
                        ));
                    }
                }
            }
            Removal::Rest(address) => {
                let kept_node = payload.get(address).map(|(_, node)| node);
                let kept = |name: &str| kept_node.is_some_and(|n| n.child_named(name).is_some());
                if let Some(pattern) = patterns.iter().find(|p| p.may_cover_rest(address, &kept)) {
                    protected.push((
                        format!(
                            "  - what {removed_kind} {address} holds beyond the objects listed (prevent_removal {pattern:?} may match it)",
                            pattern = pattern.to_string()
                        ),
                        refused_object(removal, removed_kind, 1),
                    ));
                }
            }
        }
    }
    protected
}

/// Apply's re-check of a full-list write against the job as it is now: never an empty
/// list, nothing stops replicating that `shown` (the removals the reviewed plan showed)
/// does not name, and nothing removed is protected by the job's `prevent_removal`
/// patterns as the configuration has them now. Returns why not, one line each.
pub fn check_payload(
    payload: &ObjectTree,
    live: &ObjectTree,
    shown: &[Removal],
    patterns: &[&Pattern],
) -> Result<(), Vec<String>> {
    if payload.is_empty() {
        return Err(vec![
            "the object list to send is empty, which would stop all replication of the job".into(),
        ]);
    }
    let d = diff(payload, live);
    let mut problems: Vec<String> = d
        .removals()
        .filter(|c| c.removal().is_none_or(|r| !shown.contains(&r)))
        .map(|c| {
            format!(
                "it would also remove {}, which the plan did not show",
                describe(c)
            )
        })
        .collect();
    let removals: Vec<(Removal, Kind)> = d
        .removals()
        .filter_map(|c| Some((c.removal()?, c.kind)))
        .collect();
    problems.extend(
        protected(
            removals.iter().map(|(r, k)| (r, *k)),
            live,
            payload,
            patterns,
        )
        .into_iter()
        .map(|(line, _)| {
            format!(
                "it would remove a protected object: {}",
                line.trim_start_matches("  - ")
            )
        }),
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `shop.orders` as-is; anything a shell would expand or split (quotes, spaces, `*`,
/// `$`, ...) single-quoted.
fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
