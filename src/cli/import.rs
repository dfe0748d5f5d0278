//! `dtsform import [DIR] (--all | JOB_ID...)`: write live jobs into a new file of the
//! configuration, one resource each, so that `dtsform plan` shows no changes for them.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ReadArgs, TargetArgs, dir_and_words};
use super::settings::Target;
use super::workspace::Workspace;
use crate::config::Inputs;
use crate::import::{DEFAULT_FILE, Outcome, Request, Selection};
use crate::text::escape_control;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration directory (when the first argument is one; default: the current
    /// directory), then the ids of the jobs to import.
    #[arg(value_name = "[DIR] JOB_ID")]
    words: Vec<String>,

    /// Import every live job of the providers' regions that no resource manages yet.
    #[arg(long)]
    all: bool,

    /// The file to create in the configuration directory (never overwritten).
    #[arg(long = "out", value_name = "FILE", default_value = DEFAULT_FILE)]
    out: PathBuf,

    /// The configuration directory, Terraform-style (-chdir=DIR).
    #[arg(long, value_name = "DIR")]
    chdir: Option<PathBuf>,

    /// Set a variable: -var 'name=value'. Repeatable; later ones win.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,

    /// Read variables from a file of `name = value` lines (or JSON). Repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,

    #[command(flatten)]
    pub(super) target: TargetArgs,

    #[command(flatten)]
    read: ReadArgs,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let (dir, ids) = dir_and_words(args.chdir.as_ref(), &args.words);
    let selection = match (args.all, ids.is_empty()) {
        (true, true) => Selection::All,
        (false, false) => Selection::Ids(ids),
        (true, false) => {
            return Err(miette::miette!(
                help = "give --all, or the ids of the jobs to import, not both",
                "--all and job ids ({}) were both given",
                escape_control(&ids.join(", "))
            ));
        }
        (false, true) => {
            return Err(miette::miette!(
                help = "dtsform import --all imports every job no resource manages yet; dtsform jobs lists the ids",
                "name the jobs to import, or give --all"
            ));
        }
    };
    let inputs = Inputs {
        vars: args.vars.clone(),
        var_files: args.var_files.clone(),
        env: settings.env.clone(),
    };
    let Some(ws) = Workspace::open(settings, &dir, &inputs, Vec::new()).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let out = &settings.printer;
    if let Some(line) = Workspace::announce(settings, "Importing") {
        out.line(&format!("{line}\n"));
    }
    let request = Request {
        selection,
        out: args.out.clone(),
        parallelism: args.read.parallelism(),
    };
    let outcome = match crate::import::import(&ws.config, &ws.clients, &inputs, &request).await {
        Ok(outcome) => outcome,
        Err(errors) => {
            settings.printer.errors(&errors);
            return Ok(ExitCode::FAILURE);
        }
    };
    out.out(&report(&outcome, &dir, &settings.target));
    if outcome.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        settings.printer.errors(&outcome.refused);
        Ok(ExitCode::FAILURE)
    }
}

/// What was written, what was left out, and the command that checks it.
fn report(outcome: &Outcome, dir: &std::path::Path, target: &Target) -> String {
    let mut text = String::new();
    let shown = |p: &std::path::Path| escape_control(&p.display().to_string()).into_owned();
    match &outcome.file {
        Some(file) => {
            let n = outcome.imported.len();
            let _ = writeln!(
                text,
                "Imported {n} job{} into {}:",
                if n == 1 { "" } else { "s" },
                shown(file)
            );
            let width = outcome
                .imported
                .iter()
                .map(|j| j.address.chars().count())
                .max()
                .unwrap_or(0);
            for job in &outcome.imported {
                let mut objects = match job.objects {
                    Some(1) => ", 1 object".to_owned(),
                    Some(n) => format!(", {n} objects"),
                    None => String::new(),
                };
                if let Some(reverse) = job.reverse_objects {
                    let _ = write!(objects, ", {reverse} in the reverse direction");
                }
                let _ = writeln!(
                    text,
                    "  + {:<width$}  job {} {} ({}{objects})",
                    escape_control(&job.address),
                    escape_control(&job.job_id),
                    escape_control(&crate::text::cap(&format!("{:?}", job.job_name), 80)),
                    escape_control(&job.provider),
                );
            }
        }
        None if outcome.refused.is_empty() => {
            text.push_str(
                "Nothing to import: no resource is missing for the live jobs asked for.\n",
            );
        }
        None => text.push_str("Nothing was imported.\n"),
    }
    for left in &outcome.left_out {
        let _ = writeln!(
            text,
            "Left out job {}: {}.",
            escape_control(&left.job_id),
            escape_control(&left.reason)
        );
    }
    if outcome.file.is_some() {
        let emulator = match target {
            Target::Emulator { state: Some(state) } => {
                format!("--emulator --emulator-state {} ", shown(state))
            }
            Target::Emulator { state: None } => "--emulator ".to_owned(),
            Target::Cloud => String::new(),
        };
        let _ = writeln!(
            text,
            "\nCheck it, then commit it: dtsform plan {emulator}{}   (it shows: No changes.)",
            shown(dir)
        );
    }
    text
}
