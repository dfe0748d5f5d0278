//! `dtsform show PLANFILE`: a saved plan as `plan` printed it, or as JSON or Markdown.
//! Offline: no configuration, no credentials, no network — the plan file holds
//! everything shown.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{Format, FormatArgs};
use super::output;
use crate::plan::file::PlanFile;
use crate::render::render_plan;
use crate::report::plan_document;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan file saved by `plan -out`.
    #[arg(value_name = "PLANFILE")]
    plan_file: PathBuf,

    #[command(flatten)]
    format: FormatArgs,
}

pub fn run(settings: &Settings, args: &Args) -> Result<ExitCode> {
    let format = args.format.format();
    if format == Format::Text {
        let file = PlanFile::read(&args.plan_file)?;
        settings
            .printer
            .out(&render_plan(&file.plan(), settings.style()));
        return Ok(ExitCode::SUCCESS);
    }
    output::begin(settings);
    let result = PlanFile::read(&args.plan_file)
        .map(|file| (plan_document(&file), ExitCode::SUCCESS))
        .map_err(miette::Report::new);
    Ok(output::finish(settings, format, result))
}
