//! `dtsform validate`: check the configuration without touching the network.

use std::process::ExitCode;

use super::Settings;
use super::args::{ConfigArgs, failed};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,
}

pub fn run(settings: &Settings, args: &Args) -> ExitCode {
    match crate::config::load(&args.config.dir(), &args.config.inputs(&settings.env)) {
        Ok(config) => {
            let jobs = config.jobs.len();
            settings.printer.line(&format!(
                "The configuration is valid: {jobs} job{}, {} provider{}.",
                if jobs == 1 { "" } else { "s" },
                config.providers.len(),
                if config.providers.len() == 1 { "" } else { "s" }
            ));
            ExitCode::SUCCESS
        }
        Err(e) => failed(settings, &e.errors),
    }
}
