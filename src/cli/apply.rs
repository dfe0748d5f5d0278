//! `dtsform apply`: carry out a plan — one made now and approved at the prompt, or one
//! saved by `plan -out`, exactly as saved.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use miette::Result;

use super::Settings;
use super::args::{GuardArgs, TargetArgs, failed};
use super::interactive;
use super::workspace::Workspace;
use crate::apply::{
    ApplyOptions, Cancel, DEFAULT_OPERATION_TIMEOUT, DEFAULT_PARALLELISM, apply_reported,
    parse_duration,
};
use crate::config::ConfigError;
use crate::plan::fetch::MAX_PARALLELISM as READ_PARALLELISM;
use crate::plan::file::PlanFile;
use crate::render::render_plan;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A configuration directory (default: the current one), or a plan file saved by
    /// `plan -out`, which is applied exactly as saved, without asking.
    path: Option<PathBuf>,

    /// The configuration directory, Terraform-style (-chdir=DIR). With a plan file: where
    /// to read providers and passwords (default: the directory the plan was made from).
    #[arg(long, value_name = "DIR")]
    chdir: Option<PathBuf>,

    /// Set a variable: -var 'name=value'. Repeatable; later ones win.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,

    /// Read variables from a file of `name = value` lines (or JSON). Repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,

    /// Only when planning (a saved plan's removals were allowed when it was made).
    #[command(flatten)]
    guard: GuardArgs,

    #[command(flatten)]
    pub(super) target: TargetArgs,

    /// Apply without asking (required without a terminal, unless applying a plan file).
    #[arg(long)]
    auto_approve: bool,

    /// The most operations run at once (never two on one DTS instance). Reads and
    /// writes are paced by each provider's adaptive limit.
    #[arg(long, default_value_t = DEFAULT_PARALLELISM)]
    parallelism: usize,

    /// Longest time one operation may take, its waits included: 90s, 10m, 1h30m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    operation_timeout: Option<Duration>,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let saved = args.path.as_ref().filter(|p| p.is_file()).cloned();
    let (flags, mut problems) = args.guard.flags();
    if saved.is_some() && !args.guard.allow_removal.is_empty() {
        problems.push(
            ConfigError::general(
                "allow_removal_with_plan_file",
                "--allow-removal has no effect on a saved plan",
            )
            .help("a saved plan's removals were allowed when it was made; to allow another, run plan again with --allow-removal"),
        );
    }
    let plan_file = saved.as_deref().map(PlanFile::read).transpose()?;
    let dir = match (&args.chdir, &plan_file) {
        (None, Some(file)) => PathBuf::from(&file.config_dir),
        _ => super::workspace::config_dir(args.chdir.as_ref(), args.path.as_ref()),
    };
    let inputs = crate::config::Inputs {
        vars: args.vars.clone(),
        var_files: args.var_files.clone(),
        env: settings.env.clone(),
    };
    let Some(ws) = Workspace::open(settings, &dir, &inputs, problems).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let out = &settings.printer;
    if let Some(line) = Workspace::announce(settings, "Applying") {
        out.line(&line);
    }
    let plan_file = if let Some(file) = plan_file {
        file
    } else {
        let fetched = crate::plan::fetch::plan(&ws.config, &ws.clients, READ_PARALLELISM, &flags);
        let plan = match fetched.await {
            Ok(plan) => plan,
            Err(problems) => return Ok(failed(settings, &problems)),
        };
        out.out(&render_plan(&plan, settings.style()));
        if !plan.has_changes() {
            return Ok(ExitCode::SUCCESS);
        }
        if !args.auto_approve && !interactive::approved(settings)? {
            return Ok(ExitCode::FAILURE);
        }
        let created = crate::util::rfc3339(std::time::SystemTime::now());
        PlanFile::from_plan(&plan, &ws.config.dir, created)
    };
    let total = plan_file
        .jobs
        .iter()
        .map(|j| j.operations.len())
        .sum::<usize>();
    if total == 0 {
        out.line("No changes. The plan has nothing to apply.");
        return Ok(ExitCode::SUCCESS);
    }
    out.line("");
    let options = ApplyOptions {
        parallelism: args.parallelism.max(1),
        operation_timeout: args.operation_timeout.unwrap_or(DEFAULT_OPERATION_TIMEOUT),
        ..ApplyOptions::default()
    };
    let cancel = Arc::new(Cancel::default());
    let interrupts = tokio::spawn(interactive::watch_interrupts(
        Arc::clone(&cancel),
        Arc::clone(&settings.printer),
    ));
    let complete = apply_reported(
        &plan_file,
        &ws.clients,
        &ws.config,
        &options,
        &cancel,
        &settings.printer,
    )
    .await;
    interrupts.abort();
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
