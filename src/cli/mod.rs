//! The command line: `main` resolves the [`Settings`] once (environment, colour,
//! terminals, target) and hands them to the command, and every command is a short
//! function over library operations: it opens a [`workspace::Workspace`] (configuration
//! and clients, or the embedded emulator), calls `plan`, `apply`, ..., and prints
//! through the one [`crate::printer::Printer`]. Errors become diagnostics at this edge,
//! with exit code 1.

mod adopt;
mod apply;
mod args;
mod completions;
mod drift;
mod emulator;
mod fmt;
mod import;
mod interactive;
mod jobs;
mod man;
mod output;
mod plan;
mod settings;
mod show;
mod validate;
mod workspace;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

pub use settings::{Settings, Target};

/// Plan and apply cloud DTS jobs from HCL, Terraform-style.
#[derive(Debug, Parser)]
#[command(name = "dtsform", version, about, propagate_version = true)]
pub struct Cli {
    /// Log API calls to stderr (-v: debug, -vv: trace). `RUST_LOG` also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    /// No colour, even on a terminal (`NO_COLOR` also works).
    #[arg(long, global = true)]
    no_color: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what applying the configuration would change in the live jobs.
    Plan(plan::Args),
    /// Make the changes: plan and ask, or carry out a plan saved by `plan -out`.
    Apply(apply::Args),
    /// Show a plan saved by `plan -out` (text, --json or --markdown), offline.
    Show(show::Args),
    /// Check the configuration, without reaching the network.
    Validate(validate::Args),
    /// Rewrite *.hcl files in the canonical format.
    Fmt(fmt::Args),
    /// List the DTS jobs an account (or the embedded emulator) serves.
    Jobs(jobs::Args),
    /// Write live jobs into a new file of the configuration, so that plan shows no changes.
    Import(import::Args),
    /// Show what differs between the live jobs and the configuration (exit 2 if anything).
    Drift(drift::Args),
    /// Write live objects the configuration does not declare into its files, in place.
    Adopt(adopt::Args),
    /// Serve a local DTS API (Alibaba Cloud OpenAPI 2020-01-01) on loopback.
    Emulator(emulator::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff), or write one per command with --out-dir.
    Man(man::Args),
}

impl Command {
    /// Where this command's API calls go.
    fn target(&self) -> Target {
        let target = match self {
            Command::Plan(a) => Some(&a.target),
            Command::Apply(a) => Some(&a.target),
            Command::Jobs(a) => Some(&a.target),
            Command::Import(a) => Some(&a.target),
            Command::Drift(a) => Some(&a.target),
            Command::Adopt(a) => Some(&a.target),
            Command::Validate(_)
            | Command::Fmt(_)
            | Command::Emulator(_)
            | Command::Show(_)
            | Command::Completions(_)
            | Command::Man(_) => None,
        };
        target.map_or(Target::Cloud, args::TargetArgs::target)
    }
}

/// Long flags Terraform users write with one dash (`-chdir=DIR`, `-var`, `-out`).
const SINGLE_DASH_LONG: &[&str] = &[
    "chdir",
    "var",
    "var-file",
    "out",
    "detailed-exitcode",
    "allow-removal",
    "list-all-removals",
    "no-color",
    "check",
    "diff",
    "emulator",
    "emulator-state",
    "parallelism",
    "auto-approve",
    "operation-timeout",
    "precheck",
    "json",
    "markdown",
    "dry-run",
];

/// Rewrites `-chdir=DIR` as `--chdir=DIR` (and the others), leaving `-v` alone.
fn terraform_style(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    args.into_iter()
        .map(|arg| {
            let Some(text) = arg.to_str() else { return arg };
            let Some(rest) = text.strip_prefix('-').filter(|r| !r.starts_with('-')) else {
                return arg;
            };
            let name = rest.split('=').next().unwrap_or(rest);
            if SINGLE_DASH_LONG.contains(&name) {
                OsString::from(format!("--{rest}"))
            } else {
                arg
            }
        })
        .collect()
}

/// Runs the command line; the binary's whole `main`.
pub fn main() -> ExitCode {
    let args = terraform_style(std::env::args_os());
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` print and succeed. A usage error exits 1, not
            // clap's 2: 2 means "changes" (plan --detailed-exitcode) and "drift". Asked
            // for JSON, a report command says it in its JSON document too ("errors too
            // are a JSON document"), on standard output, as any other error; so with
            // Markdown.
            if e.use_stderr()
                && let Some(document) = usage_error_document(&args, &e)
            {
                let mut stdout = std::io::stdout().lock();
                let _ = stdout
                    .write_all(document.as_bytes())
                    .and_then(|()| stdout.flush());
            }
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let settings = Settings::from_process(cli.no_color, cli.verbose > 0, cli.command.target());
    init_logging(cli.verbose, &settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            settings
                .printer
                .note(&format!("error: cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Plan(args) => plan::run(&settings, args).await,
            Command::Apply(args) => apply::run(&settings, args).await,
            Command::Validate(args) => Ok(validate::run(&settings, &args)),
            Command::Fmt(args) => fmt::run(&settings, &args),
            Command::Jobs(args) => jobs::run(&settings, args).await,
            Command::Import(args) => import::run(&settings, args).await,
            Command::Drift(args) => drift::run(&settings, args).await,
            Command::Adopt(args) => adopt::run(&settings, args).await,
            Command::Emulator(args) => emulator::run(&settings, args).await,
            Command::Show(args) => show::run(&settings, &args),
            Command::Completions(args) => Ok(completions::run(&settings, &args, Cli::command())),
            Command::Man(args) => man::run(&settings, &args, Cli::command()),
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            settings.printer.diagnostic(&*error);
            ExitCode::FAILURE
        }
    }
}

/// The error document of a usage error, when the command line asks a report command
/// (`plan`, `show`, `drift`) for `--json` or `--markdown`: clap's message, and its tips
/// as the help.
fn usage_error_document(args: &[OsString], error: &clap::Error) -> Option<String> {
    // Flags end at `--`: what follows is arguments, whatever it looks like.
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .take_while(|w| *w != "--")
        .collect();
    let json = words.contains(&"--json");
    if !json && !words.contains(&"--markdown") {
        return None;
    }
    let command = words.iter().find(|w| !w.starts_with('-'))?;
    // clap's text quotes the word it refused, and that word may be a secret split off
    // a `-var` (`-var pw=$PW` with a space in it): a document on standard output may be
    // posted to a pull request, so it says what kind of error it is and which flag,
    // never a value. (clap's full text is on standard error, as without --json.)
    let mut message = error
        .kind()
        .as_str()
        .unwrap_or("the command line is not valid")
        .to_owned();
    // The flag it concerns, when it is one of dtsform's (an unknown one is a word the
    // user typed, which may be anything).
    if error.kind() != clap::error::ErrorKind::UnknownArgument
        && let Some(clap::error::ContextValue::String(flag)) =
            error.get(clap::error::ContextKind::InvalidArg)
        && flag.starts_with('-')
    {
        let _ = write!(message, ": {flag}");
    }
    let help = format!("the error is described on standard error; see dtsform {command} --help");
    let diagnostic = miette::MietteDiagnostic::new(message)
        .with_code("dtsform::usage")
        .with_help(help);
    let kept = vec![crate::report::KeptDiagnostic::of(&diagnostic)];
    match *command {
        "plan" | "show" => {
            let doc = crate::report::failed_document(None, kept);
            Some(if json {
                crate::report::to_json(&doc)
            } else {
                crate::report::markdown::render(&doc).text
            })
        }
        "drift" => {
            let doc = crate::drift::report::failed_drift_document(kept);
            Some(if json {
                crate::drift::report::to_json(&doc)
            } else {
                crate::drift::markdown::render(&doc).text
            })
        }
        _ => None,
    }
}

fn init_logging(verbose: u8, settings: &Settings) {
    let default = match verbose {
        0 => "warn",
        1 => "dtsform=debug,warn",
        _ => "dtsform=trace,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let colour = std::io::stderr().is_terminal() && settings.env.var("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_style_flags_get_two_dashes() {
        let args = terraform_style(
            [
                "dtsform",
                "-chdir=x",
                "plan",
                "-var",
                "a=1",
                "-out=p",
                "-v",
                "--var-file",
                "f",
                "-detailed-exitcode",
            ]
            .map(OsString::from),
        );
        assert_eq!(
            args,
            [
                "dtsform",
                "--chdir=x",
                "plan",
                "--var",
                "a=1",
                "--out=p",
                "-v",
                "--var-file",
                "f",
                "--detailed-exitcode"
            ]
            .map(OsString::from)
        );
    }
}
