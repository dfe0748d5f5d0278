//! `dtsform plan`: show what applying the configuration would change, and refuse
//! whatever would lose an object nobody asked to remove.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ConfigArgs, GuardArgs, TargetArgs, failed};
use super::settings::Target;
use super::workspace::Workspace;
use crate::plan::fetch::MAX_PARALLELISM;
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

    /// The most jobs read at once. A cap: without it dtsform finds how many reads in
    /// flight the API takes (up to 256).
    #[arg(long, value_name = "N")]
    parallelism: Option<usize>,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let (flags, problems) = args.guard.flags();
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, problems).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let parallelism = args.parallelism.unwrap_or(MAX_PARALLELISM).max(1);
    let plan = match crate::plan::fetch::plan(&ws.config, &ws.clients, parallelism, &flags).await {
        Ok(plan) => plan,
        Err(problems) => return Ok(failed(settings, &problems)),
    };
    let out = &settings.printer;
    if let Target::Emulator { .. } = settings.target {
        out.line("Planning against the embedded emulator (sample world unless --emulator-state is given).\n");
    }
    out.out(&render_plan(&plan, settings.style()));
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
