//! `dtsform drift [DIR]`: what differs between the live jobs and the configuration, for a
//! scheduled check. Read-only; exit 0 without drift, 2 with drift, 1 on error.

use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ConfigArgs, TargetArgs};
use super::workspace::Workspace;
use crate::plan::fetch::DEFAULT_PARALLELISM;

/// Exit code when a job differs from its configuration.
const DRIFT: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,

    #[command(flatten)]
    pub(super) target: TargetArgs,

    /// How many jobs to read at once.
    #[arg(long, default_value_t = DEFAULT_PARALLELISM)]
    parallelism: usize,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, Vec::new()).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let out = &settings.printer;
    if let Some(line) = Workspace::announce(settings, "Checking for drift") {
        out.line(&format!("{line}\n"));
    }
    let (drift, errors) = crate::drift::drift(&ws.config, &ws.clients, args.parallelism).await;
    out.out(&crate::drift::text::render(&drift));
    if !errors.is_empty() {
        settings.printer.errors(&errors);
        return Ok(ExitCode::FAILURE);
    }
    Ok(if drift.has_drift() {
        ExitCode::from(DRIFT)
    } else {
        ExitCode::SUCCESS
    })
}
