//! `dtsform plan`: show what applying the configuration would change, and refuse
//! whatever would lose an object nobody asked to remove.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ConfigArgs, GuardArgs, TargetArgs, failed};
use super::settings::Target;
use super::workspace::Workspace;
use crate::plan::fetch::DEFAULT_PARALLELISM;
use crate::plan::file::PlanFile;
use crate::render::render_plan;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,

    #[command(flatten)]
    guard: GuardArgs,

    #[command(flatten)]
    pub(super) target: TargetArgs,

    /// Save the plan to FILE, for `dtsform apply FILE`.
    #[arg(long = "out", value_name = "FILE")]
    out: Option<PathBuf>,

    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long)]
    detailed_exitcode: bool,

    /// How many jobs to read at once.
    #[arg(long, default_value_t = DEFAULT_PARALLELISM)]
    parallelism: usize,

    /// Run the precheck of every endpoint change (ModifyDtsJobEndpoint with DryRun,
    /// which changes nothing) and show its result in the plan.
    #[arg(long)]
    precheck: bool,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let (flags, problems) = args.guard.flags();
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, problems).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let mut plan =
        match crate::plan::fetch::plan(&ws.config, &ws.clients, args.parallelism, &flags).await {
            Ok(plan) => plan,
            Err(problems) => return Ok(failed(settings, &problems)),
        };
    if args.precheck {
        crate::plan::precheck::precheck(&mut plan, &ws.config, &ws.clients, args.parallelism).await;
    }
    let out = &settings.printer;
    if let Target::Emulator { .. } = settings.target {
        out.line("Planning against the embedded emulator (sample world unless --emulator-state is given).\n");
    }
    out.out(&render_plan(&plan, settings.style()));
    let (_, failed_prechecks) = crate::render::precheck_counts(&plan);
    if failed_prechecks > 0 {
        out.line(&format!(
            "\n{failed_prechecks} precheck{} failed, so apply would stop {}.{} Fix what the service reports and plan again.",
            if failed_prechecks == 1 { "" } else { "s" },
            if failed_prechecks == 1 { "that job" } else { "those jobs" },
            if args.out.is_some() { " The plan was not saved." } else { "" }
        ));
        return Ok(ExitCode::FAILURE);
    }
    if let Some(path) = &args.out {
        let created = crate::util::rfc3339(std::time::SystemTime::now());
        PlanFile::from_plan(&plan, &ws.config.dir, created).write(path)?;
        let shown =
            |p: &PathBuf| crate::text::escape_control(&p.display().to_string()).into_owned();
        let emulator = match &settings.target {
            Target::Emulator { state: Some(state) } => {
                format!("--emulator --emulator-state {} ", shown(state))
            }
            Target::Emulator { state: None } => "--emulator ".to_owned(),
            Target::Cloud => String::new(),
        };
        out.line(&format!(
            "\nSaved the plan to {}. Apply it exactly with: dtsform apply {emulator}{}",
            shown(path),
            shown(path)
        ));
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
