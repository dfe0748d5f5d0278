//! `dtsform plan`: show what applying the configuration would change, and refuse
//! whatever would lose an object nobody asked to remove — as text, or as a report
//! (`--json`, `--markdown`) that says what was refused and why as well.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ConfigArgs, Format, FormatArgs, GuardArgs, ReadArgs, TargetArgs, failed};
use super::output;
use super::settings::Target;
use super::workspace::Workspace;
use crate::plan::Plan;
use crate::plan::file::PlanFile;
use crate::render::render_plan;
use crate::report::{Document, failed_document, plan_document};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,

    #[command(flatten)]
    guard: GuardArgs,

    #[command(flatten)]
    pub(super) target: TargetArgs,

    /// Save the plan to FILE, for `dtsform apply FILE` and `dtsform show FILE`.
    #[arg(long = "out", value_name = "FILE")]
    out: Option<PathBuf>,

    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long)]
    detailed_exitcode: bool,

    #[command(flatten)]
    read: ReadArgs,

    /// Run the precheck of every endpoint change (ModifyDtsJobEndpoint with DryRun,
    /// which changes nothing) and show its result in the plan.
    #[arg(long)]
    precheck: bool,

    #[command(flatten)]
    format: FormatArgs,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let format = args.format.format();
    if format == Format::Text {
        return text(settings, &args).await;
    }
    output::begin(settings);
    let result = report(settings, &args).await;
    Ok(output::finish(settings, format, result))
}

/// The plan as text, as a person at a terminal reads it.
async fn text(settings: &Settings, args: &Args) -> Result<ExitCode> {
    let (flags, problems) = args.guard.flags();
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, problems).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let mut plan =
        match crate::plan::fetch::plan(&ws.config, &ws.clients, args.read.parallelism(), &flags)
            .await
        {
            Ok(plan) => plan,
            Err(problems) => return Ok(failed(settings, &problems)),
        };
    if args.precheck {
        crate::plan::precheck::precheck(
            &mut plan,
            &ws.config,
            &ws.clients,
            args.read.parallelism(),
        )
        .await;
    }
    let out = &settings.printer;
    if let Target::Emulator { .. } = settings.target {
        out.line("Planning against the embedded emulator (sample world unless --emulator-state is given).\n");
    }
    out.out(&render_plan(&plan, settings.style()));
    let (_, failed_prechecks) = crate::render::precheck_counts(&plan);
    if failed_prechecks > 0 {
        out.line(&format!(
            "\n{}.{} Fix what the service reports and plan again.",
            precheck_failure(failed_prechecks),
            if args.out.is_some() {
                " The plan was not saved."
            } else {
                ""
            }
        ));
        return Ok(ExitCode::FAILURE);
    }
    if let Some(path) = &args.out {
        save(&plan, &ws, path)?;
        out.line(&format!("\n{}", saved_line(settings, path)));
    }
    Ok(exit_code(args, &plan))
}

/// The plan as a report: the plan's document, or — refused or failed — the document of
/// what went wrong (with, for a refusal, what the other jobs would do).
async fn report(settings: &Settings, args: &Args) -> Result<(Document, ExitCode)> {
    let failure = |others: Option<&Plan>| {
        (
            failed_document(others, settings.printer.take_kept()),
            ExitCode::FAILURE,
        )
    };
    let (flags, problems) = args.guard.flags();
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, problems).await? else {
        return Ok(failure(None));
    };
    if let Some(line) = Workspace::announce(settings, "Planning") {
        settings.printer.note(&line);
    }
    let (mut plan, problems) =
        crate::plan::fetch::plan_partial(&ws.config, &ws.clients, args.read.parallelism(), &flags)
            .await;
    if !problems.is_empty() {
        failed(settings, &problems);
        return Ok(failure(Some(&plan)));
    }
    if args.precheck {
        crate::plan::precheck::precheck(
            &mut plan,
            &ws.config,
            &ws.clients,
            args.read.parallelism(),
        )
        .await;
    }
    // As in text: a failed precheck is exit 1, and such a plan is never saved.
    let (_, failed_prechecks) = crate::render::precheck_counts(&plan);
    if failed_prechecks > 0 {
        if args.out.is_some() {
            settings.printer.note(&format!(
                "The plan was not saved: {}.",
                precheck_failure(failed_prechecks)
            ));
        }
        let file = PlanFile::from_plan(&plan, &ws.config.dir, now());
        return Ok((plan_document(&file), ExitCode::FAILURE));
    }
    let file = match &args.out {
        Some(path) => {
            let file = save(&plan, &ws, path)?;
            settings.printer.note(&saved_line(settings, path));
            file
        }
        None => PlanFile::from_plan(&plan, &ws.config.dir, now()),
    };
    Ok((plan_document(&file), exit_code(args, &plan)))
}

/// `2 prechecks failed, so apply would stop those jobs`.
fn precheck_failure(failed: usize) -> String {
    format!(
        "{failed} precheck{} failed, so apply would stop {}",
        if failed == 1 { "" } else { "s" },
        if failed == 1 {
            "that job"
        } else {
            "those jobs"
        },
    )
}

fn now() -> String {
    crate::util::rfc3339(std::time::SystemTime::now())
}

/// Writes the plan file, and returns it.
fn save(plan: &Plan, ws: &Workspace, path: &Path) -> Result<PlanFile> {
    let file = PlanFile::from_plan(plan, &ws.config.dir, now());
    file.write(path)?;
    Ok(file)
}

/// `Saved the plan to FILE. Apply it exactly with: dtsform apply FILE`.
fn saved_line(settings: &Settings, path: &Path) -> String {
    let shown = |p: &Path| crate::text::escape_control(&p.display().to_string()).into_owned();
    let emulator = match &settings.target {
        Target::Emulator { state: Some(state) } => {
            format!("--emulator --emulator-state {} ", shown(state))
        }
        Target::Emulator { state: None } => "--emulator ".to_owned(),
        Target::Cloud => String::new(),
    };
    format!(
        "Saved the plan to {}. Apply it exactly with: dtsform apply {emulator}{}",
        shown(path),
        shown(path)
    )
}

fn exit_code(args: &Args, plan: &Plan) -> ExitCode {
    if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
