//! The one printer: everything dtsform shows a user goes through a [`Printer`] —
//! command output on standard output, notes and diagnostics on standard error — so
//! colour is decided once (at start-up, from the terminal, `NO_COLOR` and `--no-color`),
//! text from outside is escaped ([`report`] for diagnostics), and a closed pipe
//! (`dtsform plan | head`) ends the output quietly instead of a panic.

pub mod report;

use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use miette::Diagnostic;

use crate::config::ConfigError;
use crate::report::KeptDiagnostic;

/// Where a line went, when capturing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// The printer of one run.
#[derive(Debug, Default)]
pub struct Printer {
    colour: bool,
    /// Standard error is a terminal (progress bars may be drawn there).
    err_terminal: bool,
    /// Set once standard output is closed (a broken pipe): nothing more is written.
    out_closed: AtomicBool,
    /// Text written so far, when capturing (tests).
    captured: Option<Mutex<Vec<(Stream, String)>>>,
    /// Every diagnostic printed, kept for a report once [`Printer::keep_diagnostics`]
    /// is called (`--json`, `--markdown`).
    kept: Mutex<Option<Vec<KeptDiagnostic>>>,
}

impl Printer {
    pub fn new(colour: bool, err_terminal: bool) -> Printer {
        Printer {
            colour,
            err_terminal,
            ..Printer::default()
        }
    }

    /// A printer that keeps what it is given instead of writing it.
    pub fn capture() -> Printer {
        Printer {
            captured: Some(Mutex::new(Vec::new())),
            ..Printer::default()
        }
    }

    /// Whether output may be coloured.
    pub fn colour(&self) -> bool {
        self.colour
    }

    /// Whether standard error is a terminal.
    pub fn err_terminal(&self) -> bool {
        self.err_terminal
    }

    /// What was captured, in order.
    pub fn captured(&self) -> Vec<(Stream, String)> {
        self.captured
            .as_ref()
            .and_then(|c| c.lock().ok().map(|c| c.clone()))
            .unwrap_or_default()
    }

    fn write(&self, stream: Stream, text: &str) {
        if let Some(captured) = &self.captured {
            if let Ok(mut c) = captured.lock() {
                c.push((stream, text.to_owned()));
            }
            return;
        }
        let result = match stream {
            Stream::Out => {
                if self.out_closed.load(Ordering::Relaxed) {
                    return;
                }
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
            Stream::Err => {
                let mut err = std::io::stderr().lock();
                err.write_all(text.as_bytes()).and_then(|()| err.flush())
            }
        };
        // A reader that went away (a pipe into `head`) wants no more: stop quietly.
        if result.is_err() && stream == Stream::Out {
            self.out_closed.store(true, Ordering::Relaxed);
        }
    }

    /// Text on standard output, as it is (renderers escape what they show).
    pub fn out(&self, text: &str) {
        self.write(Stream::Out, text);
    }

    /// A line on standard output.
    pub fn line(&self, text: &str) {
        self.write(Stream::Out, &format!("{text}\n"));
    }

    /// A line on standard error.
    pub fn note(&self, text: &str) {
        self.write(Stream::Err, &format!("{text}\n"));
    }

    /// From now on, keep every diagnostic printed, for [`Printer::take_kept`].
    pub fn keep_diagnostics(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.get_or_insert_with(Vec::new);
        }
    }

    /// The diagnostics kept so far (see [`Printer::keep_diagnostics`]), in order.
    pub fn take_kept(&self) -> Vec<KeptDiagnostic> {
        self.kept
            .lock()
            .ok()
            .and_then(|mut kept| kept.as_mut().map(std::mem::take))
            .unwrap_or_default()
    }

    fn keep(&self, make: impl FnOnce() -> KeptDiagnostic) {
        if let Ok(mut kept) = self.kept.lock()
            && let Some(kept) = kept.as_mut()
        {
            kept.push(make());
        }
    }

    /// A diagnostic on standard error, escaped (see [`report`]).
    pub fn diagnostic(&self, diagnostic: &dyn Diagnostic) {
        self.keep(|| KeptDiagnostic::of(diagnostic));
        self.write(Stream::Err, &format!("{}\n", report::render(diagnostic)));
    }

    /// Every configuration error as a diagnostic, and a count when there are several.
    pub fn errors(&self, errors: &[ConfigError]) {
        for error in errors {
            self.keep(|| KeptDiagnostic::of_config_error(error));
            self.write(Stream::Err, &format!("{}\n", report::render(error)));
        }
        if errors.len() > 1 {
            self.note(&format!("{} errors.", errors.len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_captured_printer_keeps_both_streams_in_order() {
        let p = Printer::capture();
        p.line("plan");
        p.note("a note");
        p.out("no newline");
        assert_eq!(
            p.captured(),
            [
                (Stream::Out, "plan\n".to_owned()),
                (Stream::Err, "a note\n".to_owned()),
                (Stream::Out, "no newline".to_owned()),
            ]
        );
    }

    #[test]
    fn diagnostics_are_kept_only_when_asked() {
        let p = Printer::capture();
        let error = ConfigError::general("one", "first").help("do this");
        p.errors(std::slice::from_ref(&error));
        assert!(p.take_kept().is_empty());
        p.keep_diagnostics();
        p.errors(&[error]);
        p.diagnostic(&miette::MietteDiagnostic::new("second"));
        let kept = p.take_kept();
        let messages: Vec<&str> = kept.iter().map(|k| k.report.message.as_str()).collect();
        assert_eq!(messages, ["first", "second"]);
        assert!(p.take_kept().is_empty(), "taken");
    }
}
