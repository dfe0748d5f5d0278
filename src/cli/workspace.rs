//! Opening a workspace: the one place a command gets its configuration and the API
//! clients for it — each provider's own, or the embedded emulator, started here and
//! nowhere else, and stopped when the workspace is dropped.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Result;

use super::settings::{Settings, Target};
use crate::clients::{Clients, EndpointOverride};
use crate::cloud::alibaba::Credentials;
use crate::cloud::alibaba::endpoint::parse_endpoint;
use crate::config::{Config, ConfigError, Inputs};
use crate::emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_TENCENT_SECRET_ID,
    DEFAULT_TENCENT_SECRET_KEY, Emulator, EmulatorConfig, RunningEmulator, World, load_or_create,
};
use crate::printer::Printer;
use crate::secret::Secret;

/// The embedded emulator, running while this is alive.
pub struct Embedded {
    pub running: RunningEmulator,
    pub target: EndpointOverride,
}

/// Starts the embedded emulator on a free loopback port, with `state` (created with the
/// sample world if missing, and kept up to date) or the sample world in memory.
pub async fn embedded(state: Option<&Path>) -> Result<Embedded> {
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
            DEFAULT_TENCENT_SECRET_ID,
            Secret::new(DEFAULT_TENCENT_SECRET_KEY),
        ),
    };
    Ok(Embedded { running, target })
}

/// A configuration and the clients to reach its jobs.
pub struct Workspace {
    pub config: Config,
    pub clients: Clients,
    /// Keeps the embedded emulator running while the workspace is open.
    _embedded: Option<Embedded>,
    /// With `-v`, where the closing traffic lines go.
    traffic_to: Option<Arc<Printer>>,
}

impl Workspace {
    /// Loads the configuration of `dir` and builds its clients for the settings'
    /// target. `problems` found earlier (in flags) are reported with the
    /// configuration's; every problem is printed, and `None` returned, when there are
    /// any.
    pub async fn open(
        settings: &Settings,
        dir: &Path,
        inputs: &Inputs,
        mut problems: Vec<ConfigError>,
    ) -> Result<Option<Workspace>> {
        let config = match crate::config::load(dir, inputs) {
            Ok(config) if problems.is_empty() => config,
            Ok(_) => {
                settings.printer.errors(&problems);
                return Ok(None);
            }
            Err(e) => {
                problems.extend(e.errors);
                settings.printer.errors(&problems);
                return Ok(None);
            }
        };
        let embedded = match &settings.target {
            Target::Cloud => None,
            Target::Emulator { state } => Some(embedded(state.as_deref()).await?),
        };
        let clients =
            match Clients::new(&config, &settings.env, embedded.as_ref().map(|e| &e.target)) {
                Ok(clients) => clients,
                Err(errors) => {
                    settings.printer.errors(&errors);
                    return Ok(None);
                }
            };
        Ok(Some(Workspace {
            config,
            clients,
            _embedded: embedded,
            traffic_to: settings.verbose.then(|| Arc::clone(&settings.printer)),
        }))
    }

    /// A line saying where the calls go, for commands that read or write jobs.
    pub fn announce(settings: &Settings, doing: &str) -> Option<String> {
        match &settings.target {
            Target::Cloud => None,
            Target::Emulator { state } => Some(format!(
                "{doing} against the embedded emulator ({}).",
                state.as_ref().map_or_else(
                    || "sample world, not saved: pass --emulator-state FILE to keep the result"
                        .to_owned(),
                    |p| format!(
                        "world file {}",
                        crate::text::escape_control(&p.display().to_string())
                    )
                )
            )),
        }
    }
}

impl Drop for Workspace {
    /// With `-v`, a closing line per provider on standard error: its requests, the
    /// throttling answers, and the rate learned per action. On every way out of the
    /// command, so a failed plan says too whether it was throttled.
    fn drop(&mut self) {
        if let Some(printer) = &self.traffic_to {
            for line in self.clients.traffic() {
                printer.note(&line);
            }
        }
    }
}

/// The configuration directory a command reads: `-chdir`, the argument, or `.`.
pub fn config_dir(chdir: Option<&PathBuf>, dir: Option<&PathBuf>) -> PathBuf {
    chdir.or(dir).cloned().unwrap_or_else(|| PathBuf::from("."))
}
