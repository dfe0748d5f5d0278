//! The command line. Each command parses its flags into settings and calls into the
//! library; errors become miette reports at this edge and exit code 1.

mod emulator;
mod jobs;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Serve a local DTS API (Alibaba Cloud OpenAPI 2020-01-01) on loopback.
    Emulator(emulator::Args),
    /// List the DTS jobs an account (or the embedded emulator) serves.
    Jobs(jobs::Args),
}

/// Runs the command line; the binary's whole `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
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
            Command::Emulator(args) => emulator::run(args).await,
            Command::Jobs(args) => jobs::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
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
