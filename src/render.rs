//! Rendering a plan for a human reviewer.
//!
//! Terraform-like text: per job, the object-level changes (`+ table shop.payments`,
//! `~ table shop.orders` with its attribute changes, `- table shop.legacy_orders` marked
//! as a removal and why it is allowed), endpoint, reserved and status changes, then a
//! unified diff of the exact DbList that would be sent against the live list, and a
//! summary line. Colour only when asked for (a terminal without `NO_COLOR`). Secrets
//! never appear: passwords are shown as the expression they come from. Names and values
//! come from the configuration and from the cloud, so every piece of text is written
//! with its control characters escaped ([`crate::text::escape_control`]): a table name
//! holding ESC or a bidirectional override cannot recolour or reorder the plan a
//! reviewer approves.

use std::fmt::Write as _;

use serde_json::Value;

use crate::cloud::alibaba::Direction;
use crate::guard::Allowance;
use crate::objects::diff::{AttrChange, Change};
use crate::objects::normalize::Suppressed;
use crate::plan::operation::PrecheckResult;
use crate::plan::{JobPlan, ObjectPlan, Operation, Plan};
use crate::text::{escape_control, escape_control_lines};

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    /// `text`, escaped, in colour `code` when colour is on. Only the codes added here
    /// reach the terminal as control characters.
    fn paint(self, code: &str, text: &str) -> String {
        let text = escape_control(text);
        if self.colour {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.into_owned()
        }
    }

    fn green(self, t: &str) -> String {
        self.paint("32", t)
    }

    fn red(self, t: &str) -> String {
        self.paint("31", t)
    }

    fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }

    fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }

    fn bold_red(self, t: &str) -> String {
        self.paint("1;31", t)
    }

    fn dim(self, t: &str) -> String {
        self.paint("2", t)
    }
}

fn value(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

fn attr_line(out: &mut String, style: Style, indent: &str, change: &AttrChange) {
    let line = match (&change.before, &change.after) {
        (None, Some(after)) => style.green(&format!("+ {} = {}", change.name, value(Some(after)))),
        (Some(before), None) => style.red(&format!("- {} = {}", change.name, value(Some(before)))),
        (before, after) => style.yellow(&format!(
            "~ {}: {} → {}",
            change.name,
            value(before.as_ref()),
            value(after.as_ref())
        )),
    };
    let _ = writeln!(out, "{indent}{line}");
}

/// The object changes of a job, under a header line (`direction` heads it for the
/// reverse direction of a two-way job).
fn render_objects(
    out: &mut String,
    style: Style,
    objects: &ObjectPlan,
    direction: &str,
    how: &str,
) {
    let _ = writeln!(
        out,
        "  {} {direction}objects {}",
        style.yellow("~"),
        style.dim(how)
    );
    if objects.narrows_instance {
        let _ = writeln!(
            out,
            "      {}  {}",
            style.bold_red("- everything in the instance but the objects listed"),
            style.red(
                "REMOVAL (narrowing): what is not listed stops migrating; declared in removed { whole_instance = true }"
            )
        );
    }
    for change in &objects.diff.changes {
        match &change.change {
            Change::Added { .. } => {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.green(&format!("+ {} {}", change.kind, change.address))
                );
            }
            Change::Removed { .. } | Change::Narrowed { .. } => {
                let removal = change.removal();
                let how = objects
                    .removals
                    .iter()
                    .find(|r| Some(&r.removal) == removal.as_ref())
                    .map_or("", |r| match r.allowance {
                        Allowance::Declared => "declared in removed {}",
                        Allowance::CommandLine => "allowed by --allow-removal",
                    });
                let (what, effect) = match change.change {
                    Change::Narrowed { .. } => (
                        crate::guard::describe(change),
                        "REMOVAL (narrowing): what is not listed stops replicating",
                    ),
                    _ => (
                        format!("{} {}", change.kind, change.address),
                        "REMOVAL: stops replicating",
                    ),
                };
                let _ = writeln!(
                    out,
                    "      {}  {}",
                    style.bold_red(&format!("- {what}")),
                    style.red(&format!("{effect}; {how}"))
                );
            }
            Change::Unlisted { settings, .. } => {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.yellow(&format!(
                        "~ {} {} no longer listed: still replicated, inside an object taken whole",
                        change.kind, change.address
                    ))
                );
                for setting in settings {
                    let _ = writeln!(out, "          {}", style.red(&format!("- {setting}")));
                }
            }
            Change::Changed { attrs } => {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.yellow(&format!("~ {} {}", change.kind, change.address))
                );
                for a in attrs {
                    attr_line(out, style, "          ", a);
                }
            }
        }
    }
}

/// `~ field: "before" → "after"` lines.
fn field_changes(out: &mut String, style: Style, changes: &[crate::plan::FieldChange]) {
    let shown = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "(none)".to_owned(), |v| format!("{v:?}"))
    };
    for c in changes {
        let _ = writeln!(
            out,
            "      {}",
            style.yellow(&format!(
                "~ {}: {} → {}",
                c.field,
                shown(&c.before),
                shown(&c.after)
            ))
        );
    }
}

/// One job's part of the plan.
pub fn render_job(out: &mut String, style: Style, job: &JobPlan) {
    if !job.has_changes() {
        let _ = writeln!(
            out,
            "  {} {} {}",
            style.dim("#"),
            escape_control(&job.address),
            style.dim(&format!("(job {}): no changes", job.dts_job_id))
        );
        return;
    }
    let _ = writeln!(
        out,
        "  {} {} will be updated in place {}",
        style.bold("#"),
        style.bold(&job.address),
        style.dim(&format!(
            "(job {}, {} in {}{}, now {})",
            job.dts_job_id,
            job.provider,
            job.region,
            job.resource_group_id
                .as_deref()
                .map(|g| format!(", resource group {g}"))
                .unwrap_or_default(),
            job.live_status
        ))
    );
    for planned in &job.operations {
        let op = &planned.op;
        // The reverse direction of a two-way job says so on every line it heads.
        let direction = match op.direction() {
            Direction::Forward => "",
            Direction::Reverse => "reverse direction: ",
        };
        match op {
            Operation::Endpoint(e) => {
                let _ = writeln!(
                    out,
                    "  {} {direction}{} endpoint {}",
                    style.yellow("~"),
                    e.side.name(),
                    style.dim("(ModifyDtsJobEndpoint)")
                );
                field_changes(out, style, &e.changes);
                if let Some(account) = &e.account {
                    let _ = writeln!(
                        out,
                        "      {}",
                        style.yellow(&format!(
                            "~ password: (sensitive, from {})",
                            account.password.from
                        ))
                    );
                }
                if let Some(account) = &e.shard_account {
                    let _ = writeln!(
                        out,
                        "      {}",
                        style.yellow(&format!(
                            "~ shard account: {:?}, password (sensitive, from {})",
                            account.username, account.password.from
                        ))
                    );
                }
                let unshown: Vec<&str> = [
                    ("vpc_id", &e.vpc_id),
                    ("vswitch_id", &e.vswitch_id),
                    ("secondary_vswitch_id", &e.secondary_vswitch_id),
                ]
                .into_iter()
                .filter_map(|(name, value)| value.as_ref().map(|_| name))
                .collect();
                if !unshown.is_empty() {
                    let _ = writeln!(
                        out,
                        "      {}",
                        style.dim(&format!(
                            "also sent, not compared (DescribeDtsJobDetail does not show them): {}",
                            unshown.join(", ")
                        ))
                    );
                }
                if let Some(precheck) = &e.precheck {
                    render_precheck(out, style, precheck);
                }
            }
            Operation::Objects(_) => {
                if let Some(objects) = job.objects_in(op.direction()) {
                    render_objects(
                        out,
                        style,
                        objects,
                        direction,
                        &format!(
                            "(ModifyDtsJob re-sends the whole list: {} object{} → {})",
                            objects.count_before,
                            if objects.count_before == 1 { "" } else { "s" },
                            objects.count_after
                        ),
                    );
                }
            }
            Operation::MigrationMode(m) => {
                let _ = writeln!(
                    out,
                    "  {} {direction}migration mode {}",
                    style.yellow("~"),
                    style.dim("(ModifyDtsJob StructureInitialization, DataInitialization, DataSynchronization)")
                );
                field_changes(out, style, &m.changes);
            }
            Operation::MigrateModify(m) => {
                let _ = writeln!(
                    out,
                    "  {} configuration {}",
                    style.yellow("~"),
                    style
                        .dim("(ModifyMigrateJob re-sends the whole configuration and object list)")
                );
                field_changes(out, style, &m.changes);
                for (name, secret) in [
                    ("source.password", &m.src_password),
                    ("source.access_key", &m.src_access_key),
                    ("destination.password", &m.dst_password),
                ] {
                    if let Some(secret) = secret {
                        let _ = writeln!(
                            out,
                            "      {}",
                            style.yellow(&format!("~ {name}: (sensitive, from {})", secret.from))
                        );
                    }
                }
                if let Some(objects) = &job.objects
                    && !objects.diff.is_empty()
                {
                    render_objects(
                        out,
                        style,
                        objects,
                        "",
                        &format!(
                            "(DatabaseInfo is sent whole: {} object{} → {})",
                            objects.count_before,
                            if objects.count_before == 1 { "" } else { "s" },
                            objects.count_after
                        ),
                    );
                }
            }
            Operation::MigrateCheck => {
                let _ = writeln!(
                    out,
                    "  {} check {}",
                    style.yellow("~"),
                    style.dim(
                        "(CreateMigrateCheckJob; the check must pass before the job can start)"
                    )
                );
            }
            Operation::MigrateStart(start) => {
                let _ = writeln!(
                    out,
                    "  {} {}",
                    style.yellow("~"),
                    style.yellow(&format!("status: {} → running", start.from)),
                );
                let _ = writeln!(out, "      {}", style.dim("(StartMigrateJob)"));
            }
            Operation::Reserved(reserved) => {
                let _ = writeln!(
                    out,
                    "  {} {direction}reserved settings {}",
                    style.yellow("~"),
                    style.dim("(ModifyDtsJob UPDATE_RESERVED, merged into the live ones)")
                );
                for c in &reserved.changes {
                    attr_line(out, style, "      ", c);
                }
            }
            Operation::Status(status) => {
                let _ = writeln!(
                    out,
                    "  {} {}",
                    style.yellow("~"),
                    style.yellow(&format!(
                        "{direction}status: {} → {}",
                        status.from, status.to
                    )),
                );
                let _ = writeln!(out, "      {}", style.dim(&format!("({})", op.action())));
            }
        }
    }
    for note in &job.notes {
        let _ = writeln!(
            out,
            "  {} {}",
            style.dim("note:"),
            escape_control_lines(note)
        );
    }
    for (objects, direction) in [
        (&job.objects, ""),
        (&job.reverse_objects, "reverse direction: "),
    ] {
        let Some(objects) = objects.as_ref().filter(|o| !o.db_list_diff.is_empty()) else {
            continue;
        };
        let what = if job.cloud == crate::config::Cloud::Tencent {
            "DatabaseInfo to send, against the live one:"
        } else {
            "DbList to send, against the live list (server \"state\" markers left out):"
        };
        let _ = writeln!(out, "\n    {direction}{what}");
        for line in objects.db_list_diff.lines() {
            let painted = match line.chars().next() {
                Some('+') if !line.starts_with("+++") => style.green(line),
                Some('-') if !line.starts_with("---") => style.red(line),
                Some('@') => style.dim(line),
                _ => escape_control(line).into_owned(),
            };
            let _ = writeln!(out, "      {painted}");
        }
    }
    out.push('\n');
}

/// What a precheck (`plan --precheck`) found, under its endpoint change.
fn render_precheck(out: &mut String, style: Style, precheck: &PrecheckResult) {
    if precheck.passed {
        let _ = writeln!(
            out,
            "      {}",
            style.green("precheck (ModifyDtsJobEndpoint DryRun): passed")
        );
        return;
    }
    let mut text = String::from("precheck (ModifyDtsJobEndpoint DryRun): FAILED");
    match (&precheck.code, &precheck.message) {
        (Some(code), Some(message)) => {
            let _ = write!(text, ": {code}: {message}");
        }
        (None, Some(message)) | (Some(message), None) => {
            let _ = write!(text, ": {message}");
        }
        (None, None) => {}
    }
    if let Some(id) = &precheck.request_id {
        let _ = write!(text, " (RequestId: {id})");
    }
    let _ = writeln!(out, "      {}", style.bold_red(&text));
    let _ = writeln!(
        out,
        "      {}",
        style.red("apply would stop this job here: nothing of it would be written")
    );
}

/// How many endpoint changes of the plan were prechecked, and how many failed.
pub fn precheck_counts(plan: &Plan) -> (usize, usize) {
    let results = plan
        .jobs
        .iter()
        .flat_map(|j| &j.operations)
        .filter_map(|op| match &op.op {
            Operation::Endpoint(e) => e.precheck.as_ref(),
            _ => None,
        });
    results.fold((0, 0), |(run, failed), r| {
        (run + 1, failed + usize::from(!r.passed))
    })
}

/// The whole plan.
pub fn render_plan(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let changing = plan.jobs.iter().filter(|j| j.has_changes()).count();
    let mut suppressed = Suppressed::default();
    for job in &plan.jobs {
        suppressed.add(&job.suppressed);
    }
    if changing == 0 {
        let _ = writeln!(
            out,
            "{}",
            style.green("No changes. The live jobs match the configuration.")
        );
        for job in &plan.jobs {
            for note in &job.notes {
                let _ = writeln!(
                    out,
                    "{} {}: {}",
                    style.dim("note:"),
                    escape_control(&job.address),
                    escape_control_lines(note)
                );
            }
        }
    } else {
        let _ = writeln!(out, "dtsform will perform the following actions:\n");
        for job in &plan.jobs {
            render_job(&mut out, style, job);
        }
        let (mut added, mut changed, mut removed) = (0, 0, 0);
        for job in &plan.jobs {
            for o in job.objects.iter().chain(&job.reverse_objects) {
                let (a, c, r) = o.diff.counts();
                added += a;
                changed += c;
                removed += r + usize::from(o.narrows_instance);
            }
        }
        let unchanged = plan.jobs.len() - changing;
        let _ = writeln!(
            out,
            "{} {changing} job{} to change, {unchanged} unchanged. Objects: {added} to add, {changed} to change, {}.",
            style.bold("Plan:"),
            if changing == 1 { "" } else { "s" },
            if removed > 0 {
                style.bold_red(&format!("{removed} to remove"))
            } else {
                "0 to remove".to_owned()
            }
        );
    }
    let (prechecked, failed) = precheck_counts(plan);
    if prechecked > 0 {
        let text = format!(
            "Prechecks: {} of {prechecked} endpoint change{} passed{}.",
            prechecked - failed,
            if prechecked == 1 { "" } else { "s" },
            if failed > 0 {
                format!(
                    "; {failed} failed, and apply would stop at {}",
                    if failed == 1 { "it" } else { "them" }
                )
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            out,
            "{}",
            if failed > 0 {
                style.bold_red(&text)
            } else {
                style.green(&text)
            }
        );
    }
    if suppressed.total() > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "Normalization hid {} {} ({}).",
                suppressed.total(),
                if suppressed.total() == 1 {
                    "difference that changes nothing"
                } else {
                    "differences that change nothing"
                },
                suppressed.breakdown()
            ))
        );
    }
    out
}
