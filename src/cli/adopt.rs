//! `dtsform adopt [DIR] [ADDRESS...] [--dry-run] [--direction D]`: write the live objects the
//! configuration does not declare (all, or those named) into its files, in place, so
//! that the next plan keeps them; `--dry-run` prints the diff of the files instead.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ReadArgs, TargetArgs, dir_and_words, failed};
use super::settings::Target;
use super::workspace::Workspace;
use crate::adopt::{Outcome, Selector, direction_words};
use crate::cloud::alibaba::Direction;
use crate::config::{ConfigError, Inputs};
use crate::text::escape_control;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration directory (when the first argument is one; default: the current
    /// directory), then what to adopt: objects as drift names them (shop.audit; a
    /// database adopts the live-only objects inside it) or a job's resource
    /// (alicloud_dts_job.NAME). Nothing named: every live-only object of every job.
    #[arg(value_name = "[DIR] ADDRESS")]
    words: Vec<String>,

    /// Print the diff of the files instead of changing them.
    #[arg(long)]
    dry_run: bool,

    /// Adopt only the objects of this direction: `forward` (the resource's own blocks;
    /// a one-way job has only this one) or `reverse` (a two-way job's reverse block).
    /// Default: both.
    #[arg(long, value_enum, value_name = "DIRECTION")]
    direction: Option<DirectionArg>,

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

/// A direction of a two-way synchronization, as `--direction` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DirectionArg {
    Forward,
    Reverse,
}

impl From<DirectionArg> for Direction {
    fn from(d: DirectionArg) -> Direction {
        match d {
            DirectionArg::Forward => Direction::Forward,
            DirectionArg::Reverse => Direction::Reverse,
        }
    }
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let (dir, words) = dir_and_words(args.chdir.as_ref(), &args.words);
    let (selectors, problems): (Vec<_>, Vec<_>) = words
        .iter()
        .map(|w| Selector::parse(w))
        .partition(Result::is_ok);
    let problems: Vec<ConfigError> = problems.into_iter().filter_map(Result::err).collect();
    let selectors: Vec<Selector> = selectors.into_iter().filter_map(Result::ok).collect();
    let inputs = Inputs {
        vars: args.vars.clone(),
        var_files: args.var_files.clone(),
        env: settings.env.clone(),
    };
    let Some(ws) = Workspace::open(settings, &dir, &inputs, problems).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let out = &settings.printer;
    if let Some(line) = Workspace::announce(settings, "Adopting") {
        out.line(&format!("{line}\n"));
    }
    let outcome = match crate::adopt::adopt(
        &ws.config,
        &ws.clients,
        &inputs,
        &selectors,
        args.direction.map(Direction::from),
        args.read.parallelism(),
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(errors) => return Ok(failed(settings, &errors)),
    };
    if args.dry_run {
        out.out(&crate::adopt::diff(&outcome));
    } else if let Err(e) = crate::adopt::write(&outcome) {
        return Ok(failed(settings, &[e]));
    }
    let only = args.direction.map(Direction::from);
    out.out(&report(
        &outcome,
        args.dry_run,
        &dir,
        &settings.target,
        !selectors.is_empty(),
        only,
    ));
    if outcome.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(failed(settings, &outcome.refused))
    }
}

/// What was (or would be) written where, and the command that checks it.
fn report(
    outcome: &Outcome,
    dry_run: bool,
    dir: &std::path::Path,
    target: &Target,
    named: bool,
    only: Option<Direction>,
) -> String {
    let mut text = String::new();
    let n = outcome.adopted.len();
    if n == 0 {
        if outcome.refused.is_empty() {
            let among = if named {
                " among the objects named"
            } else {
                ""
            };
            let _ = writeln!(
                text,
                "{}",
                match only {
                    _ if outcome.live_only == 0 =>
                        "Nothing to adopt: every live object is in the configuration.".to_owned(),
                    Some(Direction::Forward) =>
                        format!("Nothing to adopt{among} in the forward direction."),
                    Some(Direction::Reverse) =>
                        format!("Nothing to adopt{among} in the reverse direction."),
                    None => format!("Nothing to adopt{among}."),
                }
            );
        } else {
            text.push_str("Nothing was adopted.\n");
        }
        return text;
    }
    let _ = writeln!(
        text,
        "{} {n} live object{} into the configuration:",
        if dry_run { "Would adopt" } else { "Adopted" },
        if n == 1 { "" } else { "s" }
    );
    for a in &outcome.adopted {
        let _ = writeln!(
            text,
            "  + {} {}  ({}{}, {})",
            a.kind,
            escape_control(&a.address.to_string()),
            escape_control(&a.job),
            direction_words(a.direction),
            escape_control(&a.file)
        );
    }
    let emulator = match target {
        Target::Emulator { state: Some(state) } => format!(
            "--emulator --emulator-state {} ",
            escape_control(&state.display().to_string())
        ),
        Target::Emulator { state: None } => "--emulator ".to_owned(),
        Target::Cloud => String::new(),
    };
    let shown = escape_control(&dir.display().to_string()).into_owned();
    if dry_run {
        let _ = writeln!(
            text,
            "\nNothing was changed (--dry-run). To write it: dtsform adopt {emulator}{shown}"
        );
    } else {
        let _ = writeln!(
            text,
            "\nCheck it, then commit it: dtsform plan {emulator}{shown}   (the adopted objects are kept)"
        );
    }
    text
}
