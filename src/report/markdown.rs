//! A report as a pull-request comment (GitHub-flavoured Markdown), read top-down:
//!
//! 1. a hidden marker (`<!-- dtsform:plan outcome=… sha256=… -->`) a CI step finds
//!    its previous comment by;
//! 2. a title with the outcome, and a warning first whenever any object would stop
//!    replicating — every job is updated in place, so a removal hides inside an
//!    update unless it is said;
//! 3. refusals, then removals: every object named, never collapsed, never cut;
//! 4. errors; then each job: a table of counts, its writes in order, its changed and
//!    added objects, its notes, and the exact payload diff in a collapsed `<details>`;
//! 5. what was left out to fit GitHub's limit ([`super::budget`]), if anything.
//!
//! Every name comes from a configuration or a cloud, so it is written as a code span
//! (backticks chosen longer than any run inside, control characters escaped) or as text
//! with Markdown's punctuation escaped: a table named `**x**` or `<img>` shows as
//! itself. Secrets never appear: a password is shown as the expression it comes from.

use std::fmt::Write as _;

use serde_json::Value;

use super::budget::{COMMENT_LIMIT, Detail, Fitted, Omitted, count, fit, thousands};
use super::model::{
    AllowedBy, DiagnosticReport, Document, JobAction, JobReport, ObjectAction, ObjectChangeEntry,
    Outcome, RefusalReport, RefusedEntry, ValueChange,
};
use crate::cloud::alibaba::Direction;
use crate::plan::operation::PrecheckResult;
use crate::text::{escape_control, escape_control_lines};

/// The comment marker's start: a CI step finds its previous comment by it.
pub const MARKER: &str = "<!-- dtsform:plan";

/// The comment for `doc`, within GitHub's limit whenever its removals allow.
pub fn render(doc: &Document) -> Fitted {
    render_within(doc, COMMENT_LIMIT)
}

/// The comment for `doc` within `limit` (see [`super::budget::size`]).
pub fn render_within(doc: &Document, limit: usize) -> Fitted {
    // Removals one per line (`Lines`) only when nothing else fits: their densest form.
    let attempts = Detail::ALL
        .into_iter()
        .flat_map(|detail| [(detail, Layout::List), (detail, Layout::Block)])
        .chain(
            Detail::ALL
                .into_iter()
                .map(|detail| (detail, Layout::Lines)),
        )
        .map(|(detail, layout)| (detail, compose(doc, detail, layout, limit)));
    fit(limit, attempts)
}

/// How removed and refused objects are laid out: one bullet each with its kind and
/// how it is allowed, or (denser, for thousands) grouped, one address per line in a
/// code block, or (densest, for thousands of jobs) the removals of all jobs grouped by
/// kind and how they are allowed, one line per job. All name every object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    List,
    Block,
    /// Removals as `JOB: ADDRESS, ADDRESS` lines (refusals as in `Block`).
    Lines,
}

fn compose(doc: &Document, detail: Detail, layout: Layout, limit: usize) -> String {
    let mut out = String::new();
    let mut omitted = Omitted::default();
    marker(&mut out, doc);
    title(&mut out, doc);
    warning(&mut out, doc);
    summary_line(&mut out, doc);
    refusals(&mut out, &doc.refusals, layout);
    removals(&mut out, &doc.jobs, layout);
    errors(&mut out, doc, detail, &mut omitted);
    jobs(&mut out, &doc.jobs, detail, &mut omitted);
    footer(&mut out, doc, &omitted, limit);
    out
}

fn marker(out: &mut String, doc: &Document) {
    let outcome = outcome_word(doc.outcome);
    match &doc.plan {
        // The checksum is hex; nothing from outside reaches the HTML comment.
        Some(plan) if plan.checksum.chars().all(|c| c.is_ascii_hexdigit()) => {
            let _ = writeln!(
                out,
                "{MARKER} outcome={outcome} sha256={} -->",
                plan.checksum
            );
        }
        _ => {
            let _ = writeln!(out, "{MARKER} outcome={outcome} -->");
        }
    }
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NoChanges => "no_changes",
        Outcome::Changes => "changes",
        Outcome::Refused => "refused",
        Outcome::PrecheckFailed => "precheck_failed",
        Outcome::Error => "error",
    }
}

fn title(out: &mut String, doc: &Document) {
    let summary = doc.summary.as_ref();
    let text = match doc.outcome {
        Outcome::NoChanges => "✅ dtsform plan: no changes".to_owned(),
        Outcome::Changes => {
            let s = summary.cloned().unwrap_or_default();
            if s.objects_to_remove > 0 {
                format!(
                    "⚠️ dtsform plan: {} would stop replicating",
                    count(s.objects_to_remove, "object", "objects")
                )
            } else {
                format!(
                    "dtsform plan: {} to change",
                    count(s.jobs_to_change, "job", "jobs")
                )
            }
        }
        Outcome::Refused => {
            let s = summary.cloned().unwrap_or_default();
            format!(
                "⛔ dtsform plan refused: the lost-object guard stopped {}",
                count(s.jobs_refused, "job", "jobs")
            )
        }
        Outcome::PrecheckFailed => {
            let failed = summary.and_then(|s| s.prechecks).map_or(0, |p| p.failed);
            format!(
                "❌ dtsform plan: {} failed",
                count(failed, "precheck", "prechecks")
            )
        }
        Outcome::Error => format!(
            "❌ dtsform plan failed: {}",
            count(doc.diagnostics.len(), "error", "errors")
        ),
    };
    let _ = writeln!(out, "## {text}\n");
}

fn warning(out: &mut String, doc: &Document) {
    let Some(s) = &doc.summary else {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **No plan was made**, so nothing can be applied. The errors are below.\n"
        );
        return;
    };
    if doc.outcome == Outcome::Refused {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Nothing can be applied: the lost-object guard refused this plan** ({} in {}). Each is named under *Refused* below, with how to proceed.\n",
            count(s.removals_refused, "object", "objects"),
            count(s.jobs_refused, "job", "jobs"),
        );
    }
    if let Some(p) = s.prechecks.filter(|p| p.failed > 0) {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **{} of {} failed** (ModifyDtsJobEndpoint with DryRun): apply would stop each of those jobs at that endpoint change, with nothing of the job written, so this plan is not saved. The service's message is under each change below; fix what it reports and plan again.\n",
            count(p.failed, "precheck", "prechecks"),
            count(p.run, "endpoint change", "endpoint changes"),
        );
    }
    if s.objects_to_remove > 0 {
        let jobs = doc.jobs.iter().filter(|j| j.stops_replicating).count();
        let narrowings = doc
            .jobs
            .iter()
            .flat_map(|j| &j.object_changes)
            .filter(|c| c.narrowing.is_some())
            .count();
        let narrowed = if narrowings > 0 {
            format!(
                ", {} among them (everything in an object but what the new list names)",
                count(narrowings, "narrowing", "narrowings")
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Removal: {} would stop replicating**{narrowed}, in {} updated in place. Every one is named under *Removals* below.\n",
            count(s.objects_to_remove, "object", "objects"),
            count(jobs, "job", "jobs"),
        );
    }
}

fn summary_line(out: &mut String, doc: &Document) {
    let Some(s) = &doc.summary else { return };
    if doc.outcome == Outcome::Refused && doc.jobs.is_empty() {
        return;
    }
    let remove = if s.objects_to_remove > 0 {
        format!("**{} to remove**", thousands(s.objects_to_remove))
    } else {
        "0 to remove".to_owned()
    };
    let lead = if doc.outcome == Outcome::Refused {
        "**The other jobs:**"
    } else {
        "**Plan:**"
    };
    let prechecks = match s.prechecks {
        Some(p) => format!(
            " Prechecks: {} of {} passed.",
            thousands(p.passed),
            count(p.run, "endpoint change", "endpoint changes")
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "{lead} {} to change, {} unchanged. Objects: {} to add, {} to change, {remove}.{prechecks}\n",
        count(s.jobs_to_change, "job", "jobs"),
        thousands(s.jobs_unchanged),
        thousands(s.objects_to_add),
        thousands(s.objects_to_change),
    );
}

/// One removed or refused object, for either layout.
pub struct Gone<'a> {
    pub address: &'a str,
    pub kind: &'a str,
    pub objects: usize,
    /// A narrowing, and how many objects the new list names.
    pub narrowing: Option<usize>,
    /// As `removed` names it.
    pub removal: &'a str,
    /// How it is allowed (empty: nothing said).
    pub how: &'static str,
}

/// The removals among `changes` in `direction`, as [`gone_list`] lists them, each
/// allowed as `how` words it.
pub fn removed_in(
    changes: &[ObjectChangeEntry],
    direction: Direction,
    how: impl Fn(Option<AllowedBy>) -> &'static str,
) -> Vec<Gone<'_>> {
    changes
        .iter()
        .filter(|c| c.action == ObjectAction::Delete && c.direction == direction)
        .map(|c| Gone {
            address: &c.address,
            kind: c.kind,
            objects: c.objects,
            narrowing: c.narrowing.map(|n| n.listed),
            removal: c.removal.as_deref().unwrap_or(&c.address),
            how: how(c.allowed_by),
        })
        .collect()
}

/// A narrowing whose listed objects a refusal does not count.
const UNKNOWN: usize = usize::MAX;

/// How a removal is allowed, in words.
pub fn allowed_words(by: Option<AllowedBy>) -> &'static str {
    match by {
        Some(AllowedBy::RemovedBlock) => "declared in `removed`",
        Some(AllowedBy::AllowRemovalFlag) => "allowed by `--allow-removal`",
        None => "not allowed",
    }
}

fn describe_gone(g: &Gone) -> String {
    match g.narrowing {
        Some(listed) if g.kind == "instance" && listed != UNKNOWN => format!(
            "everything in the instance but the {} listed (narrowing {})",
            count(listed, "database", "databases"),
            code(g.removal)
        ),
        Some(UNKNOWN) if g.kind == "instance" => format!(
            "everything in the instance but what the new list names (narrowing {})",
            code(g.removal)
        ),
        Some(UNKNOWN) => format!(
            "everything in {} {} but what the new list names (narrowing {})",
            g.kind,
            code(g.address.strip_suffix(".*").unwrap_or(g.address)),
            code(g.removal)
        ),
        Some(listed) => format!(
            "everything in {} {} but the {} listed (narrowing {})",
            g.kind,
            code(g.address),
            count(listed, "object", "objects"),
            code(g.removal)
        ),
        None => match g.objects {
            0 | 1 => format!("{} {}", g.kind, code(g.address)),
            n => format!(
                "{} {} and {} inside",
                g.kind,
                code(g.address),
                count(n - 1, "object", "objects")
            ),
        },
    }
}

/// `gone`, every one named: bullets, or grouped code blocks.
pub fn gone_list(out: &mut String, gone: &[Gone], layout: Layout) {
    match layout {
        Layout::List => {
            for g in gone {
                if g.how.is_empty() {
                    let _ = writeln!(out, "- {}", describe_gone(g));
                } else {
                    let _ = writeln!(out, "- {} — {}", describe_gone(g), g.how);
                }
            }
            out.push('\n');
        }
        Layout::Block | Layout::Lines => {
            // Groups in order of first appearance: (kind, narrowing, how).
            type Group<'g, 'a> = ((&'a str, bool, &'a str), Vec<&'g Gone<'a>>);
            let mut groups: Vec<Group> = Vec::new();
            for g in gone {
                let key = (g.kind, g.narrowing.is_some(), g.how);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, members)) => members.push(g),
                    None => groups.push((key, vec![g])),
                }
            }
            for ((kind, narrowing, how), members) in groups {
                let objects: usize = members.iter().map(|g| g.objects).sum();
                let heading = group_heading(kind, members.len(), narrowing, objects, how);
                let lines: Vec<String> = members
                    .iter()
                    .map(|g| escape_control(g.removal).into_owned())
                    .collect();
                let _ = writeln!(out, "{heading}:\n");
                fenced(out, "text", &lines.join("\n"));
            }
        }
    }
}

/// `3 tables, declared in `removed``, `2 databases (40 objects with what is inside)`,
/// `1 table narrowed (everything in each but what is listed)`: the heading of a group
/// of `members` removals of `kind` taking `objects` objects, allowed `how`.
fn group_heading(kind: &str, members: usize, narrowing: bool, objects: usize, how: &str) -> String {
    let what = count(members, kind, &plural(kind));
    let what = if narrowing {
        format!("{what} narrowed (everything in each but what is listed)")
    } else if objects > members {
        format!(
            "{what} ({} with what is inside)",
            count(objects, "object", "objects")
        )
    } else {
        what
    };
    if how.is_empty() {
        what
    } else {
        format!("{what}, {how}")
    }
}

fn plural(kind: &str) -> String {
    match kind {
        "schema" => "schemas".into(),
        k if k.ends_with('s') => format!("{k}es"),
        k => format!("{k}s"),
    }
}

fn removals(out: &mut String, jobs: &[JobReport], layout: Layout) {
    let total: usize = jobs
        .iter()
        .flat_map(|j| &j.object_changes)
        .filter(|c| c.action == ObjectAction::Delete)
        .count();
    if total == 0 {
        return;
    }
    let _ = writeln!(out, "### Removals\n");
    if layout == Layout::Lines {
        removal_lines(out, jobs);
        return;
    }
    for job in jobs.iter().filter(|j| j.stops_replicating) {
        // A two-way job's directions have lists of their own: each is named apart.
        for direction in [Direction::Forward, Direction::Reverse] {
            let gone = removed_in(&job.object_changes, direction, allowed_words);
            if gone.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "#### {}{}: {}\n",
                code(&job.address),
                direction_words(direction),
                count(gone.len(), "removal", "removals")
            );
            gone_list(out, &gone, layout);
        }
    }
}

/// Every removal of every job, grouped by kind and how it is allowed: under each group's
/// heading one line per job (and direction) naming its removed objects.
fn removal_lines(out: &mut String, jobs: &[JobReport]) {
    // Groups in order of first appearance: (kind, narrowing, how) → lines.
    type Key<'a> = (&'a str, bool, &'a str);
    let mut groups: Vec<(Key, usize, Vec<String>)> = Vec::new();
    for job in jobs.iter().filter(|j| j.stops_replicating) {
        for direction in [Direction::Forward, Direction::Reverse] {
            let mut by_key: Vec<(Key, Vec<String>)> = Vec::new();
            for c in job
                .object_changes
                .iter()
                .filter(|c| c.action == ObjectAction::Delete && c.direction == direction)
            {
                let key = (c.kind, c.narrowing.is_some(), allowed_words(c.allowed_by));
                let mut removal =
                    escape_control(c.removal.as_deref().unwrap_or(&c.address)).into_owned();
                if c.narrowing.is_none() && c.objects > 1 {
                    let _ = write!(removal, " (and {} inside)", thousands(c.objects - 1));
                }
                match by_key.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, names)) => names.push(removal),
                    None => by_key.push((key, vec![removal])),
                }
            }
            for (key, names) in by_key {
                let line = format!(
                    "{}{}: {}",
                    escape_control(&job.address),
                    direction_words(direction),
                    names.join(", ")
                );
                match groups.iter_mut().find(|(k, ..)| *k == key) {
                    Some((_, n, lines)) => {
                        *n += names.len();
                        lines.push(line);
                    }
                    None => groups.push((key, names.len(), vec![line])),
                }
            }
        }
    }
    for ((kind, narrowing, how), n, lines) in groups {
        // What is inside each is said on its line, not in the heading.
        let heading = group_heading(kind, n, narrowing, n, how);
        let _ = writeln!(out, "{heading}, by job:\n");
        fenced(out, "text", &lines.join("\n"));
    }
}

/// ` (reverse direction)` after a job's address, for the reverse direction of a two-way
/// job; nothing for the forward direction.
pub fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::Forward => "",
        Direction::Reverse => " (reverse direction)",
    }
}

fn refusals(out: &mut String, refusals: &[RefusalReport], layout: Layout) {
    if refusals.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Refused\n");
    for r in refusals {
        let first_line = r.message.lines().next().unwrap_or_default();
        let _ = writeln!(
            out,
            "#### {}{} ({})\n\n**Why:** {}\n",
            code(&r.job),
            match r.direction {
                Direction::Forward => "",
                Direction::Reverse => ", reverse direction",
            },
            code(&r.reason),
            text(first_line.trim_end_matches(':'))
        );
        let gone: Vec<Gone> = r
            .objects
            .iter()
            .map(|o: &RefusedEntry| Gone {
                address: &o.address,
                kind: o.kind,
                objects: o.objects,
                narrowing: o.narrowing.then_some(UNKNOWN),
                removal: &o.address,
                how: "",
            })
            .collect();
        if !gone.is_empty() {
            gone_list(out, &gone, layout);
        }
        if !r.help.is_empty() {
            let _ = writeln!(out, "**How to proceed:** {}\n", text(&r.help));
        }
    }
}

fn errors(out: &mut String, doc: &Document, detail: Detail, omitted: &mut Omitted) {
    // A refusal is shown under *Refused* already.
    let refused: Vec<&str> = doc.refusals.iter().map(|r| r.message.as_str()).collect();
    let errors: Vec<&DiagnosticReport> = doc
        .diagnostics
        .iter()
        .filter(|d| !refused.contains(&d.message.as_str()))
        .collect();
    errors_section(out, &errors, detail, omitted);
}

/// `### Errors`: each diagnostic as rendered for a terminal, or — when the budget is
/// short — its code, first line and help as a bullet.
pub fn errors_section(
    out: &mut String,
    errors: &[&DiagnosticReport],
    detail: Detail,
    omitted: &mut Omitted,
) {
    if errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Errors\n");
    let mut listed = false;
    for d in errors {
        if detail < Detail::JobTable && !d.rendered.is_empty() {
            fenced(out, "text", d.rendered.trim_end());
        } else {
            listed = true;
            omitted.diagnostic_texts += usize::from(!d.rendered.is_empty());
            let code_span = d.code.as_deref().map(code).unwrap_or_default();
            let _ = writeln!(
                out,
                "- {code_span} {}",
                text(d.message.lines().next().unwrap_or_default())
            );
            if let Some(help) = &d.help {
                let _ = writeln!(out, "  - help: {}", text(help));
            }
        }
    }
    if listed {
        out.push('\n');
    }
}

fn jobs(out: &mut String, jobs: &[JobReport], detail: Detail, omitted: &mut Omitted) {
    let (changing, unchanged): (Vec<&JobReport>, Vec<&JobReport>) =
        jobs.iter().partition(|j| j.action == JobAction::Update);
    if !changing.is_empty() {
        let _ = writeln!(out, "### Changes\n");
    }
    match detail {
        Detail::Totals => {
            omitted.job_counts += changing.len();
            omitted.unchanged_jobs += unchanged.len();
            omitted.notes += jobs.iter().map(|j| j.notes.len()).sum::<usize>();
            if !changing.is_empty() {
                let _ = writeln!(
                    out,
                    "{} change; their details are in the plan file.\n",
                    count(changing.len(), "job", "jobs")
                );
            }
        }
        Detail::JobTable => {
            omitted.job_sections += changing.len();
            omitted.unchanged_jobs += unchanged.len();
            omitted.notes += jobs.iter().map(|j| j.notes.len()).sum::<usize>();
            if !changing.is_empty() {
                let _ = writeln!(out, "| Job | Add | Change | Remove |\n|---|--:|--:|--:|");
                for job in &changing {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} |",
                        cell_code(&job.address),
                        thousands(job.counts.add),
                        thousands(job.counts.change),
                        thousands(job.counts.remove)
                    );
                }
                out.push('\n');
            }
        }
        _ => {
            for job in &changing {
                job_section(out, job, detail, omitted);
            }
            if !unchanged.is_empty() {
                let names: Vec<String> = unchanged.iter().map(|j| code(&j.address)).collect();
                let _ = writeln!(out, "**No changes:** {}\n", names.join(", "));
                for job in &unchanged {
                    notes(out, job);
                }
            }
        }
    }
}

fn notes(out: &mut String, job: &JobReport) {
    for note in &job.notes {
        let _ = writeln!(out, "> **note** ({}): {}\n", code(&job.address), text(note));
    }
}

fn job_section(out: &mut String, job: &JobReport, detail: Detail, omitted: &mut Omitted) {
    let instance = if job.dts_instance_id.is_empty() {
        String::new()
    } else {
        format!(" (instance {})", code(&job.dts_instance_id))
    };
    let group = job
        .resource_group_id
        .as_deref()
        .map(|g| format!(", resource group {}", code(g)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "#### {}: update in place\n\nJob {}{instance}, {} in {}{group}, now {}.\n",
        code(&job.address),
        code(&job.dts_job_id),
        code(&job.provider),
        code(&job.region),
        code(&job.live_status),
    );
    let _ = writeln!(
        out,
        "| Add | Change | Remove |\n|--:|--:|--:|\n| {} | {} | {} |\n",
        thousands(job.counts.add),
        thousands(job.counts.change),
        thousands(job.counts.remove)
    );
    // Writes, in order.
    let _ = writeln!(out, "Writes, in order:\n");
    for (i, op) in job.operations.iter().enumerate() {
        let after: Vec<String> = op
            .depends_on
            .iter()
            .filter(|d| !d.starts_with(&format!("{}/", job.address)))
            .map(|d| code(d))
            .collect();
        let after = if after.is_empty() {
            String::new()
        } else {
            format!(", after {}", after.join(", "))
        };
        let changes = value_changes(&op.changes, detail, omitted);
        let changes = if changes.is_empty() {
            String::new()
        } else {
            format!(": {changes}")
        };
        let precheck = op.precheck.as_ref().map(precheck_words).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}. **{}** ({}{after}){changes}{precheck}",
            i + 1,
            text(&op.title),
            code(op.api_action)
        );
    }
    out.push('\n');
    // Object changes: removals are named above; changes, then additions.
    let removed = job
        .object_changes
        .iter()
        .filter(|c| c.action == ObjectAction::Delete)
        .count();
    let changed: Vec<&ObjectChangeEntry> = job
        .object_changes
        .iter()
        .filter(|c| c.action == ObjectAction::Update)
        .collect();
    let added: Vec<&ObjectChangeEntry> = job
        .object_changes
        .iter()
        .filter(|c| c.action == ObjectAction::Create)
        .collect();
    if removed + changed.len() + added.len() > 0 {
        let _ = writeln!(out, "Objects:\n");
        if removed > 0 {
            let _ = writeln!(
                out,
                "- ❌ {} (named under *Removals* above)",
                count(removed, "removal", "removals")
            );
        }
        if detail >= Detail::CountsPerJob {
            omitted.objects_changed += changed.len();
            omitted.objects_added += added.iter().map(|c| c.objects).sum::<usize>();
            if !changed.is_empty() {
                let _ = writeln!(out, "- ~ {} to change", thousands(changed.len()));
            }
            let added_objects: usize = added.iter().map(|c| c.objects).sum();
            if added_objects > 0 {
                let _ = writeln!(out, "- \\+ {} to add", thousands(added_objects));
            }
        } else {
            for c in &changed {
                let _ = writeln!(
                    out,
                    "- ~ {}{}",
                    object_direction(c),
                    changed_object(c, detail, omitted)
                );
            }
            for c in &added {
                let inside = if c.objects > 1 {
                    format!(" and {} inside", count(c.objects - 1, "object", "objects"))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "- \\+ {}{} {}{inside}",
                    object_direction(c),
                    c.kind,
                    code(&c.address)
                );
            }
        }
        out.push('\n');
    }
    notes(out, job);
    for diff in &job.payload_diffs {
        if detail == Detail::Full {
            let direction = match diff.direction {
                Direction::Forward => "",
                Direction::Reverse => "reverse direction: ",
            };
            let _ = writeln!(
                out,
                "<details><summary>{direction}{} to send, against the live one ({})</summary>\n",
                diff.format,
                count(diff.text.lines().count(), "line", "lines")
            );
            fenced(out, "diff", diff.text.trim_end());
            let _ = writeln!(out, "</details>\n");
        } else {
            omitted.payload_diffs += 1;
        }
    }
}

/// `reverse direction: ` before an object of a two-way job's reverse direction.
pub fn object_direction(c: &ObjectChangeEntry) -> &'static str {
    match c.direction {
        Direction::Forward => "",
        Direction::Reverse => "reverse direction: ",
    }
}

/// ` — precheck passed`, or ` — ❌ precheck failed: CODE: message (RequestId: …)`.
fn precheck_words(p: &PrecheckResult) -> String {
    if p.passed {
        return " — precheck passed".into();
    }
    let mut words = String::from(" — ❌ **precheck failed**");
    match (&p.code, &p.message) {
        (Some(code_), Some(message)) => {
            let _ = write!(words, ": {} {}", code(code_), text(message));
        }
        (Some(only), None) | (None, Some(only)) => {
            let _ = write!(words, ": {}", text(only));
        }
        (None, None) => {}
    }
    if let Some(id) = &p.request_id {
        let _ = write!(words, " (RequestId {})", code(id));
    }
    words.push_str("; apply would stop this job here, with nothing of it written");
    words
}

/// An updated object and what changes in it.
pub fn changed_object(c: &ObjectChangeEntry, detail: Detail, omitted: &mut Omitted) -> String {
    let what = format!("{} {}", c.kind, code(&c.address));
    if let Some(unlisted) = &c.unlisted {
        let settings = if unlisted.settings.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = unlisted.settings.iter().map(|s| code(s)).collect();
            format!("; its own settings no longer apply: {}", names.join(", "))
        };
        return format!(
            "{what} no longer listed: still replicated, inside an object taken whole{settings}"
        );
    }
    format!("{what}: {}", value_changes(&c.attributes, detail, omitted))
}

/// `` `name` `before` → `after` `` for each change, or only the names.
pub fn value_changes(changes: &[ValueChange], detail: Detail, omitted: &mut Omitted) -> String {
    let parts: Vec<String> = changes
        .iter()
        .map(|c| {
            if c.is_sensitive() {
                let from = c.after.get("from").and_then(Value::as_str).unwrap_or("");
                return format!("{} (sensitive, from {})", code(&c.name), code(from));
            }
            if detail >= Detail::ChangedNames {
                omitted.changed_values += 1;
                return code(&c.name);
            }
            format!(
                "{} {} → {}",
                code(&c.name),
                shown(&c.before),
                shown(&c.after)
            )
        })
        .collect();
    parts.join("; ")
}

/// A value: `(none)` when unset, else its JSON as a code span.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        v => code(&v.to_string()),
    }
}

fn footer(out: &mut String, doc: &Document, omitted: &Omitted, limit: usize) {
    if let Some(s) = &doc.summary {
        let hidden = s.hidden_by_normalization.total();
        if hidden > 0 {
            let _ = writeln!(
                out,
                "Normalization hid {} ({}).\n",
                count(
                    hidden,
                    "difference that changes nothing",
                    "differences that change nothing"
                ),
                text(&s.hidden_by_normalization.breakdown())
            );
        }
    }
    if !omitted.is_empty() {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> To stay within {} characters (GitHub's limit for a comment), this comment leaves out: {}. Removals and refusals are never left out. The whole plan is in the plan file: `dtsform show PLANFILE` prints it, `dtsform show --json PLANFILE` as JSON.\n",
            thousands(limit),
            omitted.describe()
        );
    }
}

/// `text` as a fenced code block with `info`: the fence is longer than any run of
/// backticks inside, and control characters are escaped.
pub fn fenced(out: &mut String, info: &str, text: &str) {
    let text = escape_control_lines(text);
    let fence = "`".repeat((longest_run(&text, '`') + 1).max(3));
    let _ = writeln!(out, "{fence}{info}\n{text}\n{fence}\n");
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// `text` as an inline code span: shown as it is, whatever it holds.
pub fn code(text: &str) -> String {
    let text = escape_control(text);
    if text.is_empty() {
        return "`\"\"`".into();
    }
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code span for a table cell: a `|` would end the cell, even inside code.
pub fn cell_code(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// Prose from outside (a note, a message): control characters escaped, line breaks
/// as spaces, and the punctuation Markdown (and GitHub: `:emoji:`, `$math$`,
/// `@mentions`) would read escaped with a backslash, so it shows as written. It is
/// always written after something else on its line, so it never starts a list.
pub fn text(text: &str) -> String {
    let text = escape_control_lines(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' | '$'
            | ':' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_span_holds_backticks_and_control_characters() {
        assert_eq!(code("shop.orders"), "`shop.orders`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\u{1b}[2Jb"), "`a\\u{1b}[2Jb`");
        assert_eq!(cell_code("a|b"), "`a\\|b`");
    }

    #[test]
    fn prose_shows_markdown_as_written() {
        assert_eq!(
            text("**x** <img> :fire:"),
            "\\*\\*x\\*\\* \\<img\\> \\:fire\\:"
        );
        assert_eq!(text("a\nb"), "a b");
    }

    #[test]
    fn a_fence_is_longer_than_any_run_inside() {
        let mut out = String::new();
        fenced(&mut out, "text", "a ```` b");
        assert!(out.starts_with("`````text\n"), "{out}");
    }
}
