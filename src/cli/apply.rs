//! `dtsform apply`: carry out a plan — one made now and approved at the prompt, or one
//! saved by `plan -out`, exactly as saved.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use miette::Result;

use super::plan::{embedded_emulator, make_plan};
use super::{GuardArgs, print_errors};
use crate::apply::progress::seconds;
use crate::apply::{
    ApplyOptions, Cancel, DEFAULT_OPERATION_TIMEOUT, DEFAULT_PARALLELISM, FromConfig, Outcome,
    Progress, Summary, apply, parse_duration,
};
use crate::config::{Config, ConfigError, Inputs};
use crate::env::Environment;
use crate::plan::fetch::{Clients, DEFAULT_PARALLELISM as READ_PARALLELISM};
use crate::plan::file::PlanFile;
use crate::render::{Style, render_plan};

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

    /// Apply without asking (required without a terminal, unless applying a plan file).
    #[arg(long)]
    auto_approve: bool,

    /// How many operations run at once (never two on one DTS instance).
    #[arg(long, default_value_t = DEFAULT_PARALLELISM)]
    parallelism: usize,

    /// Longest time one operation may take, its waits included: 90s, 10m, 1h30m.
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    operation_timeout: Option<Duration>,

    /// Apply against the embedded emulator instead of the cloud (see plan --emulator).
    #[arg(long)]
    emulator: bool,

    /// World file for --emulator (created with the sample world if missing); it records
    /// what apply did.
    #[arg(long, value_name = "FILE", requires = "emulator")]
    emulator_state: Option<PathBuf>,

    /// No colour, even on a terminal.
    #[arg(long)]
    no_color: bool,
}

fn duration_arg(text: &str) -> Result<Duration, String> {
    parse_duration(text)
}

impl Args {
    fn inputs(&self, env: &Environment) -> Inputs {
        Inputs {
            vars: self.vars.clone(),
            var_files: self.var_files.clone(),
            env: env.clone(),
        }
    }

    fn options(&self) -> ApplyOptions {
        ApplyOptions {
            parallelism: self.parallelism.max(1),
            operation_timeout: self.operation_timeout.unwrap_or(DEFAULT_OPERATION_TIMEOUT),
            ..ApplyOptions::default()
        }
    }
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let env = Environment::from_process();
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
    let plan_file = match &saved {
        Some(path) => Some(PlanFile::read(path)?),
        None => None,
    };
    let dir = args
        .chdir
        .clone()
        .or_else(|| plan_file.as_ref().map(|f| PathBuf::from(&f.config_dir)))
        .or_else(|| args.path.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let config = match crate::config::load(&dir, &args.inputs(&env)) {
        Ok(c) if problems.is_empty() => c,
        Ok(_) => return Ok(print_errors(problems)),
        Err(e) => {
            problems.extend(e.errors);
            return Ok(print_errors(problems));
        }
    };
    let (_emulator, target) = if args.emulator {
        let (running, target) = embedded_emulator(args.emulator_state.as_ref()).await?;
        println!(
            "Applying against the embedded emulator ({}).",
            args.emulator_state.as_ref().map_or_else(
                || "sample world, not saved: pass --emulator-state FILE to keep the result"
                    .to_owned(),
                |p| format!(
                    "world file {}",
                    crate::text::escape_control(&p.display().to_string())
                )
            )
        );
        (Some(running), Some(target))
    } else {
        (None, None)
    };
    let clients = match Clients::new(&config, &env, target.as_ref()) {
        Ok(c) => c,
        Err(e) => return Ok(print_errors(e)),
    };
    let plan_file = if let Some(file) = plan_file {
        file
    } else {
        let plan = match make_plan(&config, &clients, READ_PARALLELISM, &flags).await {
            Ok(plan) => plan,
            Err(problems) => return Ok(print_errors(problems)),
        };
        let style = Style {
            colour: super::colour_enabled(args.no_color),
        };
        print!("{}", render_plan(&plan, style));
        if !plan.has_changes() {
            return Ok(ExitCode::SUCCESS);
        }
        if !args.auto_approve && !approved()? {
            return Ok(ExitCode::FAILURE);
        }
        let created = crate::util::rfc3339(std::time::SystemTime::now());
        PlanFile::from_plan(&plan, &config.dir, created)
    };
    Ok(execute(&plan_file, &config, &clients, &args.options()).await)
}

/// Asks for `yes` on the terminal.
fn approved() -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(miette::miette!(
            code = "dtsform::apply::no_terminal",
            help = "review the plan, then run apply --auto-approve, or save it with plan -out FILE and run apply FILE",
            "apply cannot ask for approval: standard input is not a terminal"
        ));
    }
    print!(
        "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| miette::miette!("cannot read the answer: {e}"))?;
    if answer.trim() == "yes" {
        println!();
        Ok(true)
    } else {
        println!("\nApply cancelled.");
        Ok(false)
    }
}

async fn execute(
    plan: &PlanFile,
    config: &Config,
    clients: &Clients,
    options: &ApplyOptions,
) -> ExitCode {
    let total = plan.jobs.iter().map(|j| j.operations.len()).sum();
    if total == 0 {
        println!("No changes. The plan has nothing to apply.");
        return ExitCode::SUCCESS;
    }
    println!();
    let from_config = FromConfig::new(config);
    let progress = Progress::new(total, std::io::stderr().is_terminal());
    let cancel = Arc::new(Cancel::default());
    let interrupts = tokio::spawn(watch_interrupts(Arc::clone(&cancel)));
    let result = apply(plan, clients, &from_config, options, &cancel, &progress).await;
    interrupts.abort();
    progress.done();
    match result {
        Err(errors) => {
            let count = errors.len();
            for e in errors {
                super::report::eprint(&e);
            }
            eprintln!(
                "Nothing was applied: {count} problem{} with the plan.",
                if count == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
        Ok(summary) => report(summary),
    }
}

/// The first Ctrl-C stops new operations; the second ends the process.
async fn watch_interrupts(cancel: Arc<Cancel>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    cancel.request();
    eprintln!(
        "\nInterrupt received: no new operation will start; the ones in flight finish. Press Ctrl-C again to stop at once."
    );
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!(
            "\nStopped at once. Operations in flight may or may not have been applied: run plan to see where the jobs are."
        );
        std::process::exit(130);
    }
}

fn report(summary: Summary) -> ExitCode {
    let complete = summary.is_complete();
    let counts = format!(
        "{} applied, {} already in place, {} failed, {} skipped, {} not started ({} in all, {} status reads)",
        summary.applied(),
        summary.already_applied(),
        summary.failed(),
        summary.skipped(),
        summary.interrupted(),
        seconds(summary.wall),
        summary.polls(),
    );
    for op in summary.ops {
        match op.outcome {
            Outcome::Failed(e) => super::report::eprint(&e),
            Outcome::Skipped { because } => {
                eprintln!(
                    "skipped {}: it depends on {because}, which did not complete",
                    op.id
                );
            }
            Outcome::Interrupted => eprintln!("not started {}: apply was interrupted", op.id),
            Outcome::Applied(_) | Outcome::AlreadyApplied(_) => {}
        }
    }
    if complete {
        println!("\nApply complete: {counts}.");
        ExitCode::SUCCESS
    } else {
        println!("\nApply incomplete: {counts}.");
        ExitCode::FAILURE
    }
}
