//! `dtsform plan`: show what applying the configuration would change, and refuse
//! whatever would lose an object nobody asked to remove.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;

use super::{ConfigArgs, GuardArgs, print_errors};
use crate::cloud::alibaba::Credentials;
use crate::cloud::alibaba::endpoint::parse_endpoint;
use crate::config::{Config, ConfigError};
use crate::emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, EmulatorConfig, RunningEmulator,
    World, load_or_create,
};
use crate::env::Environment;
use crate::guard::Flags;
use crate::plan::Plan;
use crate::plan::fetch::{Clients, DEFAULT_PARALLELISM, EndpointOverride, plan_all};
use crate::plan::file::PlanFile;
use crate::render::{Style, render_plan};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,

    #[command(flatten)]
    guard: GuardArgs,

    /// Save the plan to FILE, for `dtsform apply FILE`.
    #[arg(long = "out", value_name = "FILE")]
    out: Option<PathBuf>,

    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long)]
    detailed_exitcode: bool,

    /// Plan against the embedded emulator (sample world) instead of the cloud: every
    /// provider's endpoint and credentials are replaced. No account, no network.
    #[arg(long)]
    emulator: bool,

    /// World file for --emulator (created with the sample world if missing).
    #[arg(long, value_name = "FILE", requires = "emulator")]
    emulator_state: Option<PathBuf>,

    /// How many jobs to read at once.
    #[arg(long, default_value_t = DEFAULT_PARALLELISM)]
    parallelism: usize,

    /// No colour, even on a terminal.
    #[arg(long)]
    no_color: bool,
}

/// Starts the embedded emulator and says how to reach it.
pub(super) async fn embedded_emulator(
    state: Option<&PathBuf>,
) -> Result<(RunningEmulator, EndpointOverride)> {
    let world = match state {
        Some(path) => load_or_create(path)?.0,
        None => World::sample(),
    };
    let mut emulator = Emulator::new(EmulatorConfig::default(), world);
    if let Some(path) = state {
        emulator = emulator.persist_to(path);
    }
    let running = emulator
        .start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await?;
    let target = EndpointOverride {
        endpoint: parse_endpoint(&running.url())?,
        credentials: Credentials::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET),
        tencent_credentials: crate::cloud::tencent::Credentials::new(
            crate::emulator::DEFAULT_TENCENT_SECRET_ID,
            crate::secret::Secret::new(crate::emulator::DEFAULT_TENCENT_SECRET_KEY),
        ),
    };
    Ok((running, target))
}

/// Reads every job and plans it: the plan, or every problem found.
pub(super) async fn make_plan(
    config: &Config,
    clients: &Clients,
    parallelism: usize,
    flags: &Flags,
) -> Result<Plan, Vec<ConfigError>> {
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for result in plan_all(config, clients, parallelism, flags).await {
        match result {
            Ok(job) => jobs.push(job),
            Err(e) => problems.extend(e),
        }
    }
    if problems.is_empty() {
        Ok(Plan::build(config, jobs))
    } else {
        Err(problems)
    }
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let env = Environment::from_process();
    let (flags, mut problems) = args.guard.flags();
    let config = match args.config.load(&env) {
        Ok(c) if problems.is_empty() => c,
        Ok(_) => return Ok(print_errors(problems)),
        Err(e) => {
            problems.extend(e.errors);
            return Ok(print_errors(problems));
        }
    };
    // Keep the emulator alive while planning.
    let (_emulator, target) = if args.emulator {
        let (running, target) = embedded_emulator(args.emulator_state.as_ref()).await?;
        (Some(running), Some(target))
    } else {
        (None, None)
    };
    let clients = match Clients::new(&config, &env, target.as_ref()) {
        Ok(c) => c,
        Err(e) => return Ok(print_errors(e)),
    };
    let plan = match make_plan(&config, &clients, args.parallelism, &flags).await {
        Ok(plan) => plan,
        Err(problems) => return Ok(print_errors(problems)),
    };
    let style = Style {
        colour: super::colour_enabled(args.no_color),
    };
    if args.emulator {
        println!(
            "Planning against the embedded emulator (sample world unless --emulator-state is given).\n"
        );
    }
    print!("{}", render_plan(&plan, style));
    if let Some(path) = &args.out {
        let created = crate::util::rfc3339(std::time::SystemTime::now());
        PlanFile::from_plan(&plan, &config.dir, created).write(path)?;
        let shown =
            |p: &PathBuf| crate::text::escape_control(&p.display().to_string()).into_owned();
        let emulator = match (&args.emulator, &args.emulator_state) {
            (true, Some(state)) => format!("--emulator --emulator-state {} ", shown(state)),
            (true, None) => "--emulator ".to_owned(),
            (false, _) => String::new(),
        };
        println!(
            "\nSaved the plan to {}. Apply it exactly with: dtsform apply {emulator}{}",
            shown(path),
            shown(path)
        );
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
