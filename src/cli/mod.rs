//! The command line. Each command parses its flags into settings and calls into the
//! library; errors become miette reports at this edge and exit code 1.

mod apply;
mod emulator;
mod fmt;
mod jobs;
mod plan;
pub mod report;
mod validate;

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError, ConfigErrors, Inputs};
use crate::env::Environment;

/// Plan and apply cloud DTS jobs from HCL, Terraform-style.
#[derive(Debug, Parser)]
#[command(name = "dtsform", version, about, propagate_version = true)]
pub struct Cli {
    /// Log API calls to stderr (-v: debug, -vv: trace). `RUST_LOG` also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what applying the configuration would change in the live jobs.
    Plan(plan::Args),
    /// Make the changes: plan and ask, or carry out a plan saved by `plan -out`.
    Apply(apply::Args),
    /// Check the configuration, without reaching the network.
    Validate(validate::Args),
    /// Rewrite *.hcl files in the canonical format.
    Fmt(fmt::Args),
    /// List the DTS jobs an account (or the embedded emulator) serves.
    Jobs(jobs::Args),
    /// Serve a local DTS API (Alibaba Cloud OpenAPI 2020-01-01) on loopback.
    Emulator(emulator::Args),
}

/// Where the configuration is and its variable values; shared by the commands that
/// read a configuration.
#[derive(Debug, clap::Args)]
struct ConfigArgs {
    /// The configuration directory (its *.hcl files). Default: the current directory.
    dir: Option<PathBuf>,

    /// The configuration directory, Terraform-style (-chdir=DIR).
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    chdir: Option<PathBuf>,

    /// Set a variable: -var 'name=value'. Repeatable; later ones win.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,

    /// Read variables from a file of `name = value` lines (or JSON). Repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

impl ConfigArgs {
    fn load(&self, env: &Environment) -> Result<Config, ConfigErrors> {
        let dir = self
            .chdir
            .clone()
            .or_else(|| self.dir.clone())
            .unwrap_or_else(|| PathBuf::from("."));
        crate::config::load(
            &dir,
            &Inputs {
                vars: self.vars.clone(),
                var_files: self.var_files.clone(),
                env: env.clone(),
            },
        )
    }
}

/// What the command line tells the lost-object guard; shared by `plan` and `apply`.
#[derive(Debug, clap::Args)]
struct GuardArgs {
    /// Allow removing this object (database.table[.column]) from any job, or narrowing
    /// it from taken whole to a list (database.*). Repeatable.
    #[arg(long = "allow-removal", value_name = "ADDRESS")]
    allow_removal: Vec<String>,

    /// List every object a refusal names, however many (by default the first 50).
    #[arg(long)]
    list_all_removals: bool,
}

impl GuardArgs {
    /// The guard's flags, or a diagnostic for each bad address.
    fn flags(&self) -> (crate::guard::Flags, Vec<ConfigError>) {
        let mut allow = Vec::new();
        let mut problems = Vec::new();
        for text in &self.allow_removal {
            match crate::objects::Removal::parse(text) {
                Ok(r) => allow.push(r),
                Err(e) => problems.push(
                    ConfigError::general("invalid_address", format!("--allow-removal {text:?}: {e}"))
                        .help("write database.table or database.table.column, or database.* for a narrowing; quote names with dots: '\"my.db\".orders'"),
                ),
            }
        }
        let flags = crate::guard::Flags {
            allow,
            list_all: self.list_all_removals,
        };
        (flags, problems)
    }
}

/// Prints every error as a diagnostic and a count; the exit code for errors.
fn print_errors(errors: Vec<ConfigError>) -> ExitCode {
    let count = errors.len();
    for error in errors {
        report::eprint(&error);
    }
    if count > 1 {
        eprintln!("{count} errors.");
    }
    ExitCode::FAILURE
}

/// Colour on a terminal unless NO_COLOR is set or --no-color given.
fn colour_enabled(no_color: bool) -> bool {
    !no_color && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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
    let cli = Cli::parse_from(terraform_style(std::env::args_os()));
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Plan(args) => plan::run(args).await,
            Command::Apply(args) => apply::run(args).await,
            Command::Validate(args) => Ok(validate::run(&args)),
            Command::Fmt(args) => fmt::run(&args),
            Command::Jobs(args) => jobs::run(args).await,
            Command::Emulator(args) => emulator::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            report::eprint(&*error);
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "dtsform=debug,warn",
        _ => "dtsform=trace,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
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
