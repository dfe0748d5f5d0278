//! `dtsform completions SHELL`: a completion script for bash, zsh, fish, elvish or
//! PowerShell, generated from the command-line definition itself (clap_complete).

use std::process::ExitCode;

use clap_complete::Shell;

use super::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Prints the script for the command line `cli`.
pub fn run(settings: &Settings, args: &Args, mut cli: clap::Command) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "dtsform", &mut script);
    settings.printer.out(&String::from_utf8_lossy(&script));
    ExitCode::SUCCESS
}
