//! The flags several commands share, and how a command reports configuration errors.

use std::path::PathBuf;
use std::process::ExitCode;

use super::settings::{Settings, Target};
use crate::config::{ConfigError, Inputs};
use crate::env::Environment;

/// `--emulator` and its world file: shared by the commands that reach jobs.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// Replace every provider's endpoint and credentials by the embedded emulator
    /// (sample world): no account, no network.
    #[arg(long)]
    pub emulator: bool,

    /// World file for --emulator (created with the sample world if missing); it records
    /// what apply did.
    #[arg(long, value_name = "FILE", requires = "emulator")]
    pub emulator_state: Option<PathBuf>,
}

impl TargetArgs {
    pub fn target(&self) -> Target {
        if self.emulator {
            Target::Emulator {
                state: self.emulator_state.clone(),
            }
        } else {
            Target::Cloud
        }
    }
}

/// Where the configuration is and its variable values; shared by the commands that
/// read a configuration.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
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
    /// The configuration directory: `-chdir`, the argument, or `.`.
    pub fn dir(&self) -> PathBuf {
        super::workspace::config_dir(self.chdir.as_ref(), self.dir.as_ref())
    }

    /// Where variable values come from besides defaults.
    pub fn inputs(&self, env: &Environment) -> Inputs {
        Inputs {
            vars: self.vars.clone(),
            var_files: self.var_files.clone(),
            env: env.clone(),
        }
    }
}

/// `[DIR] WORD...` (`import [DIR] JOB_ID...`, `adopt [DIR] ADDRESS...`): the first word
/// is the configuration directory when it names a directory and `-chdir` is not given;
/// the rest are the command's words.
pub fn dir_and_words(chdir: Option<&PathBuf>, words: &[String]) -> (PathBuf, Vec<String>) {
    if let Some(dir) = chdir {
        return (dir.clone(), words.to_vec());
    }
    match words.split_first() {
        Some((first, rest)) if std::path::Path::new(first).is_dir() => {
            (PathBuf::from(first), rest.to_vec())
        }
        _ => (PathBuf::from("."), words.to_vec()),
    }
}

/// Prints every error as a diagnostic and a count; the exit code for errors.
pub fn failed(settings: &Settings, errors: &[ConfigError]) -> ExitCode {
    settings.printer.errors(errors);
    ExitCode::FAILURE
}

/// What the command line tells the lost-object guard; shared by `plan` and `apply`.
#[derive(Debug, clap::Args)]
pub struct GuardArgs {
    /// Allow removing this object (database.table[.column]) from any job, or narrowing
    /// it from taken whole to a list (database.*). Repeatable.
    #[arg(long = "allow-removal", value_name = "ADDRESS")]
    pub allow_removal: Vec<String>,

    /// List every object a refusal names, however many (by default the first 50).
    #[arg(long)]
    list_all_removals: bool,
}

impl GuardArgs {
    /// The guard's flags, or a diagnostic for each bad address.
    pub fn flags(&self) -> (crate::guard::Flags, Vec<ConfigError>) {
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

/// `--parallelism`: shared by the commands that read live jobs (plan, drift, import,
/// adopt).
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// The most jobs read at once. A cap: without it dtsform finds how many reads in
    /// flight the API takes (up to 256).
    #[arg(long, value_name = "N")]
    parallelism: Option<usize>,
}

impl ReadArgs {
    /// Reads in flight at most: the `--parallelism` cap, or as many as the API takes.
    pub fn parallelism(&self) -> usize {
        self.parallelism
            .unwrap_or(crate::plan::fetch::MAX_PARALLELISM)
            .max(1)
    }
}

/// `--json` and `--markdown`: shared by the commands that print a plan.
#[derive(Debug, clap::Args)]
pub struct FormatArgs {
    /// Print the plan as a JSON document (format in the README; schema in
    /// schema/report.schema.json) instead of text. Errors too are a JSON document.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,

    /// Print the plan as a pull-request comment (GitHub-flavoured Markdown, at most
    /// 65,536 characters, removals first and never left out) instead of text.
    #[arg(long)]
    markdown: bool,
}

/// What a plan is printed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl FormatArgs {
    pub fn format(&self) -> Format {
        match (self.json, self.markdown) {
            (true, _) => Format::Json,
            (_, true) => Format::Markdown,
            _ => Format::Text,
        }
    }
}
