//! `dtsform validate`: check the configuration without touching the network.

use std::process::ExitCode;

use super::{ConfigArgs, print_errors};
use crate::env::Environment;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,
}

pub fn run(args: &Args) -> ExitCode {
    match args.config.load(&Environment::from_process()) {
        Ok(config) => {
            let jobs = config.jobs.len();
            println!(
                "The configuration is valid: {jobs} job{}, {} provider{}.",
                if jobs == 1 { "" } else { "s" },
                config.providers.len(),
                if config.providers.len() == 1 { "" } else { "s" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => print_errors(e.errors),
    }
}
