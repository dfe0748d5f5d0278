//! `dtsform emulator`: serve the local DTS APIs (Alibaba and Tencent, one address) until
//! interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use miette::{IntoDiagnostic as _, Result, miette};

use super::Settings;
use crate::emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_LISTEN, DEFAULT_TENCENT_SECRET_ID,
    DEFAULT_TENCENT_SECRET_KEY, Emulator, EmulatorConfig, Faults, World, load_or_create, tencent,
};
use crate::secret::Secret;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on: loopback only. Port 0 picks a free port; the address bound
    /// is printed on the first line of output.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// World file to serve and to save every change to (atomically). Created with the
    /// sample world if it does not exist. Without it, the built-in sample world is
    /// served from memory.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Access key id to accept.
    #[arg(long, default_value = DEFAULT_ACCESS_KEY_ID)]
    access_key_id: String,

    /// Access key secret to accept.
    #[arg(
        long,
        env = "DTSFORM_EMULATOR_ACCESS_KEY_SECRET",
        hide_env_values = true,
        default_value = DEFAULT_ACCESS_KEY_SECRET,
        hide_default_value = true
    )]
    access_key_secret: Secret,

    /// Tencent SecretId to accept.
    #[arg(long, default_value = DEFAULT_TENCENT_SECRET_ID, value_name = "ID")]
    tencent_secret_id: String,

    /// Tencent SecretKey to accept.
    #[arg(
        long,
        env = "DTSFORM_EMULATOR_TENCENT_SECRET_KEY",
        hide_env_values = true,
        default_value = DEFAULT_TENCENT_SECRET_KEY,
        hide_default_value = true,
        value_name = "KEY"
    )]
    tencent_secret_key: Secret,

    /// Seconds a job stays `Modifying` after its objects change.
    #[arg(long, default_value_t = 3.0, value_name = "SECONDS")]
    modify_seconds: f64,

    /// Seconds each step of starting a job takes (Prechecking, Initializing).
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
    step_seconds: f64,

    /// Seconds a Tencent check job (CreateMigrateCheckJob) runs: the job shows status 3
    /// (Checking) meanwhile.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    check_seconds: f64,

    /// Tencent: a database (`db`) or table (`db.table`) the source instance lacks; a
    /// check of a DatabaseInfo naming it fails. Repeatable. For testing.
    #[arg(long, value_name = "NAME")]
    tencent_missing_table: Vec<String>,

    /// Tencent requests per second per action before `RequestLimitExceeded` (the
    /// documented limit is 20); 0 for no limit.
    #[arg(long, default_value_t = tencent::DEFAULT_RATE_LIMIT, value_name = "N")]
    tencent_rate_limit: u32,

    /// Answer DescribeDtsJobDetail with lowercase statuses (`synchronizing`), as the real
    /// service sometimes does.
    #[arg(long)]
    lowercase_status: bool,

    /// Milliseconds added before every answer.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,

    /// Requests per second accepted per action (Alibaba); more are answered with
    /// Throttling.User.
    #[arg(long, value_name = "RPS")]
    rate_limit: Option<f64>,

    /// Changes the rate limit while running: `10s=50` makes it 50 requests per second
    /// from 10 seconds after the start. Repeatable.
    #[arg(long, value_name = "AFTER=RPS", requires = "rate_limit", value_parser = scheduled_rate)]
    rate_limit_after: Vec<(Duration, f64)>,

    /// Requests accepted at once before the rate limit applies (default: one second's worth).
    #[arg(long, value_name = "N", requires = "rate_limit")]
    rate_burst: Option<u32>,

    /// Fraction of requests (0 to 1) failed with ServiceUnavailable before doing anything.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    failure_rate: f64,

    /// Fraction (0 to 1) of successful write calls answered with ServiceUnavailable anyway:
    /// the call took effect, its answer is lost.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    lost_response_rate: f64,

    /// Seed for the fault dice.
    #[arg(long)]
    seed: Option<u64>,

    /// Silently drop tables of this name from every object list written, as a service
    /// that accepts a change and does not show it would. Repeatable. For testing.
    #[arg(long, value_name = "NAME")]
    drop_table: Vec<String>,
}

/// `10s=50`: from 10 seconds on, 50 requests per second.
fn scheduled_rate(text: &str) -> Result<(Duration, f64), String> {
    let (after, rate) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not AFTER=RPS, such as 10s=50"))?;
    let after = crate::apply::parse_duration(after)?;
    match rate.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok((after, rate)),
        _ => Err(format!(
            "{rate:?} is not a positive number of requests per second"
        )),
    }
}

/// The longest status step the emulator accepts: a day.
const MAX_STEP_SECONDS: f64 = 86_400.0;

fn seconds(name: &str, value: f64) -> Result<Duration> {
    if value > MAX_STEP_SECONDS {
        return Err(miette!(
            help = "give at most 86400 seconds (a day)",
            "--{name} {value} is too long"
        ));
    }
    Duration::try_from_secs_f64(value).map_err(|_| {
        miette!(
            help = "give a number of seconds, such as 0.5 or 3",
            "--{name} {value} is not a duration"
        )
    })
}

fn probability(name: &str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(miette!(
            help = "give a fraction from 0 to 1, such as 0.1",
            "--{name} {value} is not a probability"
        ))
    }
}

impl Args {
    fn config(&self) -> Result<EmulatorConfig> {
        if let Some(rate) = self.rate_limit
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(miette!(
                help = "give requests per second, such as 20",
                "--rate-limit {rate} must be positive"
            ));
        }
        let mut config = EmulatorConfig {
            access_key_id: self.access_key_id.clone(),
            access_key_secret: self.access_key_secret.clone(),
            tencent_secret_id: self.tencent_secret_id.clone(),
            tencent_secret_key: self.tencent_secret_key.clone(),
            tencent_rate_limit: self.tencent_rate_limit,
            faults: Faults {
                latency: Duration::from_millis(self.latency_ms),
                rate_limit: self.rate_limit,
                rate_burst: self.rate_burst,
                rate_schedule: {
                    let mut schedule = self.rate_limit_after.clone();
                    schedule.sort_by_key(|(after, _)| *after);
                    schedule
                },
                failure_rate: probability("failure-rate", self.failure_rate)?,
                lost_response_rate: probability("lost-response-rate", self.lost_response_rate)?,
                seed: self.seed,
                shared_rate_limit: false,
            },
            ..EmulatorConfig::default()
        };
        config.behaviour.modify_duration = seconds("modify-seconds", self.modify_seconds)?;
        config.behaviour.step_duration = seconds("step-seconds", self.step_seconds)?;
        config.behaviour.lowercase_detail_status = self.lowercase_status;
        config.behaviour.drop_tables.clone_from(&self.drop_table);
        config.behaviour.check_duration = seconds("check-seconds", self.check_seconds)?;
        config
            .behaviour
            .tencent_missing_tables
            .clone_from(&self.tencent_missing_table);
        Ok(config)
    }
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let config = args.config()?;
    let (world, origin) = match &args.state {
        Some(path) => {
            let (world, created) = load_or_create(path)?;
            let origin = if created {
                format!("{} (created with the sample world)", path.display())
            } else {
                path.display().to_string()
            };
            (world, origin)
        }
        None => (
            World::sample(),
            "the built-in sample world (in memory)".to_owned(),
        ),
    };
    let count = |n: usize, what: &str| match n {
        1 => format!("1 {what} job"),
        n => format!("{n} {what} jobs"),
    };
    let jobs = format!(
        "{} and {}",
        count(world.jobs.len(), "Alibaba"),
        count(world.tencent_jobs.len(), "Tencent")
    );
    let mut emulator = Emulator::new(config, world);
    if let Some(path) = &args.state {
        emulator = emulator.persist_to(path);
    }
    let running = emulator.start(args.listen).await?;
    // The first line is the contract scripts and tests read: keep its shape.
    let out = &settings.printer;
    out.line(&format!("dtsform emulator listening on {}", running.url()));
    out.line(&format!(
        "serving {jobs} from {}",
        crate::text::escape_control(&origin)
    ));
    out.line(&format!(
        "access key id {:?}, Tencent SecretId {:?}; stop with Ctrl-C",
        args.access_key_id, args.tencent_secret_id
    ));
    wait_for_shutdown().await.into_diagnostic()?;
    running.stop().await;
    out.note("dtsform emulator stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_shutdown() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
