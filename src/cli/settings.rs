//! Settings resolved once, in `main`, before any command runs (uv's `settings.rs`):
//! the environment as a value, the printer (colour decided here, from the terminal,
//! `NO_COLOR` and `--no-color`), whether standard input is a terminal (for apply's
//! question), and the target — the cloud, or the embedded emulator.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;

use crate::env::Environment;
use crate::printer::Printer;

/// Where the API calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Each provider's own endpoint and credentials.
    Cloud,
    /// The embedded emulator, with this world file (or the sample world in memory).
    Emulator { state: Option<PathBuf> },
}

/// Everything a command needs besides its own flags.
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Environment,
    pub printer: Arc<Printer>,
    /// Standard input is a terminal (apply may ask for approval).
    pub stdin_terminal: bool,
    pub target: Target,
    /// `-v` given (once or more): commands that call the APIs close with a line per
    /// provider on what they sent and learned.
    pub verbose: bool,
}

impl Settings {
    /// The settings of this process.
    pub fn from_process(no_color: bool, verbose: bool, target: Target) -> Settings {
        let env = Environment::from_process();
        let colour = !no_color && std::io::stdout().is_terminal() && env.var("NO_COLOR").is_none();
        Settings {
            printer: Arc::new(Printer::new(colour, std::io::stderr().is_terminal())),
            stdin_terminal: std::io::stdin().is_terminal(),
            env,
            target,
            verbose,
        }
    }

    /// The style plans are rendered in.
    pub fn style(&self) -> crate::render::Style {
        crate::render::Style {
            colour: self.printer.colour(),
        }
    }
}
