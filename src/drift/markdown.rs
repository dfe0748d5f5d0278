//! Drift as Markdown (GitHub-flavoured: a step summary, an issue, a comment), with the
//! plan comment's conventions ([`crate::report::markdown`]) and size budget
//! ([`crate::report::budget`]): a hidden marker (`<!-- dtsform:drift outcome=… -->`), a
//! title, a warning first whenever the next apply would remove anything, then every
//! such object named — never collapsed, never cut; a two-way job's reverse direction
//! under a heading of its own — then errors, then each job that differs (the reverse
//! direction's differences marked as such). What is left out to fit 65,536 characters is said at the end.

use std::fmt::Write as _;

use super::report::{DriftDocument, DriftOutcome, JobDriftReport};
use crate::cloud::alibaba::Direction;
use crate::report::budget::{COMMENT_LIMIT, Detail, Fitted, Omitted, count, fit, thousands};
use crate::report::markdown::{
    Layout, allowed_words, cell_code, changed_object, code, direction_words, errors_section,
    gone_list, object_direction, removed_in, text, value_changes,
};
use crate::report::model::{ObjectAction, ObjectChangeEntry};

/// The marker's start: a scheduled job finds its previous issue or comment by it.
pub const MARKER: &str = "<!-- dtsform:drift";

/// The Markdown for `doc`, within GitHub's limit whenever its removals allow.
pub fn render(doc: &DriftDocument) -> Fitted {
    render_within(doc, COMMENT_LIMIT)
}

/// The Markdown for `doc` within `limit` (see [`crate::report::budget::size`]).
pub fn render_within(doc: &DriftDocument, limit: usize) -> Fitted {
    let attempts = Detail::ALL.into_iter().flat_map(|detail| {
        [Layout::List, Layout::Block]
            .into_iter()
            .map(move |layout| (detail, compose(doc, detail, layout, limit)))
    });
    fit(limit, attempts)
}

fn compose(doc: &DriftDocument, detail: Detail, layout: Layout, limit: usize) -> String {
    let mut out = String::new();
    let mut omitted = Omitted::default();
    let outcome = match doc.outcome {
        DriftOutcome::NoDrift => "no_drift",
        DriftOutcome::Drift => "drift",
        DriftOutcome::Error => "error",
    };
    let _ = writeln!(out, "{MARKER} outcome={outcome} -->");
    title(&mut out, doc);
    warning(&mut out, doc);
    removals(&mut out, &doc.jobs, layout);
    errors(&mut out, doc, detail, &mut omitted);
    jobs(&mut out, &doc.jobs, detail, &mut omitted);
    if !omitted.is_empty() {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> To stay within {} characters (GitHub's limit for a comment), this report leaves out: {}. Live objects the next apply would remove are never left out. `dtsform drift --json` prints everything.\n",
            thousands(limit),
            omitted.describe()
        );
    }
    out
}

fn title(out: &mut String, doc: &DriftDocument) {
    let s = doc.summary.clone().unwrap_or_default();
    let title = match doc.outcome {
        DriftOutcome::NoDrift => format!(
            "✅ dtsform drift: no drift ({} the configuration)",
            count(s.jobs_checked, "job matches", "jobs match")
        ),
        DriftOutcome::Drift if s.live_only_undeclared > 0 => format!(
            "⚠️ dtsform drift: {} not in the configuration",
            count(s.live_only_undeclared, "live object", "live objects")
        ),
        DriftOutcome::Drift => format!(
            "dtsform drift: {} of {} differ from the configuration",
            thousands(s.jobs_drifted),
            count(s.jobs_checked, "job", "jobs")
        ),
        DriftOutcome::Error => format!(
            "❌ dtsform drift failed: {}",
            count(doc.diagnostics.len(), "error", "errors")
        ),
    };
    let _ = writeln!(out, "## {title}\n");
}

fn warning(out: &mut String, doc: &DriftDocument) {
    let Some(s) = &doc.summary else {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **No job was compared.** The errors are below.\n"
        );
        return;
    };
    if s.live_only_undeclared > 0 {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **{} live, not in the configuration: the next apply would remove {}.** Added outside the configuration? `dtsform adopt` writes them into the configuration files; to drop them instead, declare them in `removed {{ objects = [...] }}`. Until then `dtsform plan` refuses. Every one is named below.\n",
            count(s.live_only_undeclared, "object is", "objects are"),
            if s.live_only_undeclared == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
    if s.jobs_checked > 0 {
        let _ = writeln!(
            out,
            "**Drift:** {} of {} differ. Objects: {} to remove, {} missing live, {} with other attributes; {} other {}.\n",
            thousands(s.jobs_drifted),
            count(s.jobs_checked, "job", "jobs"),
            if s.objects_to_remove > 0 {
                format!("**{}**", thousands(s.objects_to_remove))
            } else {
                "0".to_owned()
            },
            thousands(s.objects_to_add),
            thousands(s.objects_to_change),
            thousands(s.settings_to_change),
            if s.settings_to_change == 1 {
                "setting differs"
            } else {
                "settings differ"
            },
        );
    }
}

fn removals(out: &mut String, jobs: &[JobDriftReport], layout: Layout) {
    let removing = |j: &&JobDriftReport| {
        j.object_changes
            .iter()
            .any(|c| c.action == ObjectAction::Delete)
    };
    if !jobs.iter().any(|j| removing(&j)) {
        return;
    }
    let _ = writeln!(out, "### Live objects the next apply would remove\n");
    for job in jobs.iter().filter(removing) {
        // A two-way job's directions have lists of their own: each is named apart.
        for direction in [Direction::Forward, Direction::Reverse] {
            let gone = removed_in(&job.object_changes, direction, |by| match by {
                None => "not in the configuration (added outside it?)",
                by => allowed_words(by),
            });
            if gone.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "#### {}{}: {}\n",
                code(&job.address),
                direction_words(direction),
                count(gone.len(), "object", "objects")
            );
            gone_list(out, &gone, layout);
        }
    }
}

fn errors(out: &mut String, doc: &DriftDocument, detail: Detail, omitted: &mut Omitted) {
    let errors: Vec<_> = doc.diagnostics.iter().collect();
    errors_section(out, &errors, detail, omitted);
}

/// Objects to add and to change, and settings, of a job.
fn counts(job: &JobDriftReport) -> (usize, usize, usize, usize) {
    let of = |action| {
        job.object_changes
            .iter()
            .filter(|c| c.action == action)
            .map(|c| {
                if action == ObjectAction::Create {
                    c.objects
                } else {
                    1
                }
            })
            .sum::<usize>()
    };
    let settings = job.settings.iter().map(|s| s.changes.len()).sum();
    (
        of(ObjectAction::Delete),
        of(ObjectAction::Create),
        of(ObjectAction::Update),
        settings,
    )
}

fn jobs(out: &mut String, jobs: &[JobDriftReport], detail: Detail, omitted: &mut Omitted) {
    let (drifted, same): (Vec<&JobDriftReport>, Vec<&JobDriftReport>) =
        jobs.iter().partition(|j| j.drifted);
    if !drifted.is_empty() {
        let _ = writeln!(out, "### Differences\n");
    }
    match detail {
        Detail::Totals => {
            omitted.job_counts += drifted.len();
            omitted.unchanged_jobs += same.len();
        }
        Detail::JobTable => {
            omitted.job_sections += drifted.len();
            omitted.unchanged_jobs += same.len();
            if !drifted.is_empty() {
                let _ = writeln!(
                    out,
                    "| Job | Remove | Missing live | Attributes | Settings |\n|---|--:|--:|--:|--:|"
                );
                for job in &drifted {
                    let (remove, add, change, settings) = counts(job);
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        cell_code(&job.address),
                        thousands(remove),
                        thousands(add),
                        thousands(change),
                        thousands(settings)
                    );
                }
                out.push('\n');
            }
        }
        _ => {
            for job in &drifted {
                job_section(out, job, detail, omitted);
            }
            if !same.is_empty() {
                let names: Vec<String> = same.iter().map(|j| code(&j.address)).collect();
                let _ = writeln!(out, "**No drift:** {}\n", names.join(", "));
            }
        }
    }
}

fn job_section(out: &mut String, job: &JobDriftReport, detail: Detail, omitted: &mut Omitted) {
    let _ = writeln!(
        out,
        "#### {}\n\nJob {}, {} in {}, now {}.\n",
        code(&job.address),
        code(&job.dts_job_id),
        code(&job.provider),
        code(&job.region),
        code(&job.live_status),
    );
    let (removed, _, _, _) = counts(job);
    if removed > 0 {
        let _ = writeln!(
            out,
            "- ❌ {} the next apply would remove (named above)",
            count(removed, "object", "objects")
        );
    }
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
    if detail >= Detail::CountsPerJob {
        omitted.objects_changed += changed.len();
        omitted.objects_added += added.iter().map(|c| c.objects).sum::<usize>();
        if !changed.is_empty() {
            let _ = writeln!(
                out,
                "- ~ {} with other attributes live",
                count(changed.len(), "object", "objects")
            );
        }
        let added_objects: usize = added.iter().map(|c| c.objects).sum();
        if added_objects > 0 {
            let _ = writeln!(
                out,
                "- \\+ {} in the configuration, missing live",
                count(added_objects, "object", "objects")
            );
        }
    } else {
        for c in &added {
            let inside = if c.objects > 1 {
                format!(" and {} inside", count(c.objects - 1, "object", "objects"))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "- \\+ {}{} {}{inside}: in the configuration, missing live; the next apply would add it",
                object_direction(c),
                c.kind,
                code(&c.address)
            );
        }
        for c in &changed {
            let _ = writeln!(
                out,
                "- ~ {}{} (live → configured)",
                object_direction(c),
                changed_object(c, detail, omitted)
            );
        }
    }
    for s in &job.settings {
        let _ = writeln!(
            out,
            "- ~ {}{} (live → configured): {}",
            match s.direction {
                Direction::Forward => "",
                Direction::Reverse => "reverse direction: ",
            },
            text(&s.title),
            value_changes(&s.changes, detail, omitted)
        );
    }
    out.push('\n');
}
