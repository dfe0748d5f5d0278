//! Drift as text for people: per job that differs, one line per finding, saying what
//! the next apply would do (the reverse direction's of a two-way job marked `reverse
//! direction:`); then a summary and what to do about it. Names and values
//! come from the configuration and the cloud, so the text is escaped as a whole
//! ([`crate::text::escape_control_lines`]).

use std::fmt::Write as _;

use serde_json::Value;

use super::{Drift, Finding, JobDrift};
use crate::cloud::alibaba::Direction;
use crate::objects::diff::AttrChange;
use crate::plan::FieldChange;

fn value(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

fn text(v: Option<&str>) -> String {
    v.map_or_else(|| "(none)".to_owned(), |s| format!("{s:?}"))
}

fn attribute_lines(out: &mut String, changes: &[AttrChange]) {
    for c in changes {
        let _ = writeln!(
            out,
            "      {}: {} → {}",
            c.name,
            value(c.before.as_ref()),
            value(c.after.as_ref())
        );
    }
}

fn field_lines(out: &mut String, changes: &[FieldChange]) {
    for c in changes {
        let _ = writeln!(
            out,
            "      {}: {} → {}",
            c.field,
            text(c.before.as_deref()),
            text(c.after.as_deref())
        );
    }
}

/// `table shop.audit (and 3 objects inside)`.
fn object(kind: crate::objects::Kind, address: &crate::objects::Address, objects: usize) -> String {
    match objects {
        0 | 1 => format!("{kind} {address}"),
        2 => format!("{kind} {address} (and 1 object inside)"),
        n => format!("{kind} {address} (and {} objects inside)", n - 1),
    }
}

fn finding(out: &mut String, finding: &Finding) {
    match finding {
        Finding::LiveOnly {
            address,
            kind,
            objects,
            declared: false,
        } => {
            let _ = writeln!(
                out,
                "  - {}: live, not in the configuration (added outside the configuration?); the next apply would REMOVE it",
                object(*kind, address, *objects)
            );
        }
        Finding::LiveOnly {
            address,
            kind,
            objects,
            declared: true,
        } => {
            let _ = writeln!(
                out,
                "  - {}: live; the next apply removes it, as the removed block declares",
                object(*kind, address, *objects)
            );
        }
        Finding::Narrowed {
            address,
            kind,
            listed,
            declared,
        } => {
            let _ = writeln!(
                out,
                "  - everything in {kind} {address} but the {listed} object{} listed: the live job takes it whole; the next apply would narrow it{}",
                if *listed == 1 { "" } else { "s" },
                if *declared {
                    ", as the removed block declares"
                } else {
                    " (plan refuses until that is declared)"
                }
            );
        }
        Finding::Missing {
            address,
            kind,
            objects,
        } => {
            let _ = writeln!(
                out,
                "  + {}: in the configuration, not live; the next apply would add it",
                object(*kind, address, *objects)
            );
        }
        Finding::Unlisted {
            address,
            kind,
            settings,
        } => {
            let _ = writeln!(
                out,
                "  ~ {kind} {address}: live with its own settings, but the configuration lists it no more (still replicated, inside an object taken whole){}",
                if settings.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the next apply would drop its settings: {}",
                        settings.join(", ")
                    )
                }
            );
        }
        Finding::Attributes {
            address,
            kind,
            changes,
        } => {
            let _ = writeln!(
                out,
                "  ~ {kind} {address}: attributes differ; the next apply would set them (live → configured):"
            );
            attribute_lines(out, changes);
        }
        Finding::WholeInstance {
            live_whole: true,
            listed,
            declared,
        } => {
            let _ = writeln!(
                out,
                "  - the whole instance: the live job migrates every database; the configuration lists {listed} database{}, so the next apply would narrow it to them{}",
                if *listed == 1 { "" } else { "s" },
                if *declared {
                    ", as the removed block declares"
                } else {
                    " (plan refuses unless removed { whole_instance = true })"
                }
            );
        }
        Finding::WholeInstance {
            live_whole: false, ..
        } => {
            out.push_str("  ~ the whole instance: the configuration says whole_instance = true; the live job lists objects; the next apply would migrate every database\n");
        }
        Finding::Status { live, desired } => {
            let _ = writeln!(
                out,
                "  ~ status: live {live}, configured {desired}; the next apply would {} the job",
                match desired {
                    crate::config::DesiredStatus::Running => "start",
                    crate::config::DesiredStatus::Suspended => "suspend",
                }
            );
        }
        Finding::Endpoint { side, changes } => {
            let _ = writeln!(
                out,
                "  ~ {} endpoint: fields differ; the next apply would set them (live → configured):",
                side.name()
            );
            field_lines(out, changes);
        }
        Finding::Reserved { changes } => {
            out.push_str("  ~ reserved settings differ; the next apply would set them (live → configured):\n");
            attribute_lines(out, changes);
        }
        Finding::MigrationMode { changes } => {
            out.push_str(
                "  ~ migration mode differs; the next apply would set it (live → configured):\n",
            );
            field_lines(out, changes);
        }
        Finding::Settings { changes } => {
            out.push_str(
                "  ~ settings differ; the next apply would set them (live → configured):\n",
            );
            field_lines(out, changes);
        }
    }
}

fn job(out: &mut String, job: &JobDrift) {
    let _ = writeln!(
        out,
        "{} (job {}, {} in {}, now {})",
        job.address, job.job_id, job.provider, job.region, job.live_status
    );
    for (direction, f) in job.directed() {
        let mut lines = String::new();
        finding(&mut lines, f);
        // The reverse direction of a two-way job says so on the line each finding
        // starts with (after its `  - ` / `  + ` / `  ~ `), as plan does.
        if direction == Direction::Reverse && lines.len() >= 4 {
            lines.insert_str(4, "reverse direction: ");
        }
        out.push_str(&lines);
    }
    out.push('\n');
}

/// The drift as text: each job that differs, then a summary line and what to do.
pub fn render(drift: &Drift) -> String {
    let mut out = String::new();
    let drifted: Vec<&JobDrift> = drift.jobs.iter().filter(|j| j.drifted()).collect();
    for j in &drifted {
        job(&mut out, j);
    }
    let total = drift.jobs.len();
    if drifted.is_empty() {
        let _ = writeln!(
            out,
            "No drift: {total} job{} match{} the configuration.",
            if total == 1 { "" } else { "s" },
            if total == 1 { "es" } else { "" }
        );
        return crate::text::escape_control_lines(&out).into_owned();
    }
    let count = |f: &dyn Fn(&Finding) -> bool| -> usize {
        drifted
            .iter()
            .flat_map(|j| j.directed())
            .filter(|(_, x)| f(x))
            .count()
    };
    let live_only = count(&|f| {
        matches!(
            f,
            Finding::LiveOnly {
                declared: false,
                ..
            }
        )
    });
    let mut parts = Vec::new();
    for (n, one, many) in [
        (
            live_only,
            "live object not in the configuration",
            "live objects not in the configuration",
        ),
        (
            count(&|f| matches!(f, Finding::LiveOnly { declared: true, .. })),
            "declared removal pending",
            "declared removals pending",
        ),
        (
            count(&|f| matches!(f, Finding::Narrowed { .. } | Finding::WholeInstance { .. })),
            "narrowing or widening",
            "narrowings or widenings",
        ),
        (
            count(&|f| matches!(f, Finding::Missing { .. })),
            "declared object missing live",
            "declared objects missing live",
        ),
        (
            count(&|f| matches!(f, Finding::Attributes { .. } | Finding::Unlisted { .. })),
            "object attribute difference",
            "object attribute differences",
        ),
        (
            count(&|f| {
                matches!(
                    f,
                    Finding::Status { .. }
                        | Finding::Endpoint { .. }
                        | Finding::Reserved { .. }
                        | Finding::MigrationMode { .. }
                        | Finding::Settings { .. }
                )
            }),
            "status, endpoint or settings difference",
            "status, endpoint or settings differences",
        ),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    let _ = writeln!(
        out,
        "Drift: {} of {total} job{} differ{} from the configuration ({}).",
        drifted.len(),
        if total == 1 { "" } else { "s" },
        if drifted.len() == 1 { "s" } else { "" },
        parts.join(", ")
    );
    if live_only > 0 {
        out.push_str("Objects added outside the configuration: `dtsform adopt` writes them into the configuration files; to drop them instead, declare them in removed { objects = [...] }.\n");
    }
    out.push_str("`dtsform plan` shows exactly what the next apply would do.\n");
    crate::text::escape_control_lines(&out).into_owned()
}
