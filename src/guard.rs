//! The lost-object guard: **no object leaves a live job unless a human asked for exactly
//! that removal.**
//!
//! A removal is a live object the payload would not contain (ModifyDtsJob replaces the
//! whole list). Each removal must be declared exactly — its address in the resource's
//! `removed { objects = [...] }`, or given with `--allow-removal ADDRESS` — and then:
//!
//! * nothing removed may match the job's `lifecycle { prevent_removal = [...] }`,
//!   counting every object inside a removed one;
//! * the mass-removal breaker trips when more than `max_removed_objects` (10) objects
//!   (columns count as part of their table)
//!   would go, or more than `max_removed_percent` (25 %) of the job's objects when
//!   that is more than one object — declared or not;
//! * an empty object list is never sent.
//!
//! Every refusal is a located diagnostic on the resource, listing every object and the
//! ways to proceed.

use crate::config::{ConfigError, JobSpec, Sources};
use crate::objects::diff::{Change, ObjectDiff};
use crate::objects::{Address, Kind, ObjectTree};

/// Why a removal is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// Listed in the resource's `removed` block.
    Declared,
    /// Given with `--allow-removal`.
    CommandLine,
}

/// A removal the guard let through.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowedRemoval {
    pub address: Address,
    pub kind: Kind,
    /// The object and everything inside it.
    pub objects: usize,
    pub allowance: Allowance,
}

/// What a removal takes along, for messages: `table shop.audit (and 3 objects inside)`.
fn describe(kind: Kind, address: &Address, objects: usize) -> String {
    match objects {
        0 | 1 => format!("{kind} {address}"),
        2 => format!("{kind} {address} (and 1 object inside)"),
        n => format!("{kind} {address} (and {} objects inside)", n - 1),
    }
}

fn quoted_list(addresses: &[&Address]) -> String {
    addresses
        .iter()
        .map(|a| format!("{:?}", a.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks one job's removals. `live` is the live tree the diff was made against.
pub fn check(
    sources: &Sources,
    job: &JobSpec,
    live: &ObjectTree,
    payload: &ObjectTree,
    diff: &ObjectDiff,
    allowed_on_command_line: &[Address],
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
                    job.address()
                ),
            )
            .help("check the variables and for_each expressions that build the object list; to stop a job, set status = \"suspended\""),
        );
    }

    let mut allowed = Vec::new();
    let mut undeclared = Vec::new();
    for change in diff.removals() {
        let Change::Removed { objects } = change.change else {
            continue;
        };
        let allowance = if job.removed.iter().any(|(a, _)| a == &change.address) {
            Some(Allowance::Declared)
        } else if allowed_on_command_line.contains(&change.address) {
            Some(Allowance::CommandLine)
        } else {
            None
        };
        match allowance {
            Some(allowance) => allowed.push(AllowedRemoval {
                address: change.address.clone(),
                kind: change.kind,
                objects,
                allowance,
            }),
            None => undeclared.push((change.address.clone(), change.kind, objects)),
        }
    }

    if !undeclared.is_empty() {
        let lost: usize = undeclared.iter().map(|(_, _, n)| n).sum();
        let lines: Vec<String> = undeclared
            .iter()
            .map(|(a, k, n)| format!("  - {}", describe(*k, a, *n)))
            .collect();
        let addresses: Vec<&Address> = undeclared.iter().map(|(a, _, _)| a).collect();
        let flags: Vec<String> = addresses
            .iter()
            .map(|a| format!("--allow-removal {}", shell_word(&a.to_string())))
            .collect();
        refusals.push(
            at(
                "guard::undeclared_removal",
                format!(
                    "{} would stop replicating {lost} object{} that no one asked to remove:\n{}",
                    job.address(),
                    if lost == 1 { "" } else { "s" },
                    lines.join("\n")
                ),
            )
            .help(match job.cloud {
                crate::config::Cloud::Alibaba => format!(
                    "ModifyDtsJob replaces the whole object list, so these would be lost. To keep them, add them back to the configuration (or set merge_live_objects = true). To remove them, declare it in the resource: removed {{ objects = [{}] }}, or pass {}.",
                    quoted_list(&addresses),
                    flags.join(" ")
                ),
                crate::config::Cloud::Tencent => format!(
                    "ModifyMigrateJob replaces the whole DatabaseInfo, so these would be lost. To keep them, add them back to the configuration. To remove them, declare it in the resource: removed {{ objects = [{}] }}, or pass {}.",
                    quoted_list(&addresses),
                    flags.join(" ")
                ),
            }),
        );
    }

    // Protected objects: anything inside an allowed removal that a pattern covers. Only
    // the removed subtrees are walked, and only when there are patterns at all.
    let mut protected = Vec::new();
    let patterns = &job.guard.prevent_removal;
    for removal in allowed.iter().filter(|_| !patterns.is_empty()) {
        let Some((kind, node)) = live.get(&removal.address) else {
            continue;
        };
        let mut inside = Vec::new();
        node.walk(&removal.address, kind, &mut inside);
        for (address, kind, _) in inside {
            if let Some((pattern, _)) = patterns.iter().find(|(p, _)| p.matches(&address)) {
                protected.push(format!(
                    "  - {kind} {address} (prevent_removal {pattern:?})",
                    pattern = pattern.to_string()
                ));
            }
        }
    }
    if !protected.is_empty() {
        refusals.push(
            at(
                "guard::protected",
                format!(
                    "{} would remove protected objects:\n{}",
                    job.address(),
                    protected.join("\n")
                ),
            )
            .help("lifecycle { prevent_removal } protects these; if the removal is really intended, take the pattern out first, in its own reviewed change"),
        );
    }

    let removed: usize = allowed.iter().map(|r| r.objects).sum::<usize>()
        + undeclared.iter().map(|(_, _, n)| n).sum::<usize>();
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
                    job.address(),
                    job.guard.max_removed_percent
                ),
            )
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

/// `shop.orders` as-is; anything with quotes or spaces single-quoted for a shell.
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_alphanumeric() || "._-$*".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
