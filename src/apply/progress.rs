//! What a user watches during apply: a line per operation as it starts and as it ends
//! (with its elapsed time), on standard output through the [`Printer`]; and, when
//! standard error is a terminal, a bar counting the operations done, kept below the
//! lines.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::printer::{Printer, Stream};

/// The progress of one apply.
#[derive(Debug)]
pub struct Progress {
    printer: Arc<Printer>,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Prints through `printer`; draws a bar of `total` operations when its standard
    /// error is a terminal.
    pub fn new(printer: Arc<Printer>, total: usize) -> Self {
        let bar = printer.err_terminal().then(|| {
            let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} operations, {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Self { printer, bar }
    }

    /// Keeps the lines instead of printing them.
    pub fn capture() -> Self {
        Self {
            printer: Arc::new(Printer::capture()),
            bar: None,
        }
    }

    /// The captured lines.
    pub fn lines(&self) -> Vec<String> {
        self.printer
            .captured()
            .into_iter()
            .filter(|(stream, _)| *stream == Stream::Out)
            .map(|(_, text)| text.trim_end_matches('\n').to_owned())
            .collect()
    }

    /// Prints one line, its control characters escaped: it names objects, jobs and
    /// statuses from outside.
    pub fn line(&self, text: &str) {
        let text = crate::text::escape_control_lines(text);
        match &self.bar {
            Some(bar) => bar.suspend(|| self.printer.line(&text)),
            None => self.printer.line(&text),
        }
    }

    pub fn started(&self, id: &str, what: &str) {
        self.line(&format!("{id}: {what}..."));
    }

    /// `id: applied after 3.1s; the live object list equals what was sent`.
    pub fn finished(&self, id: &str, what: &str, detail: Option<&str>, elapsed: Duration) {
        let detail = detail.map(|d| format!("; {d}")).unwrap_or_default();
        self.line(&format!("{id}: {what} after {}{detail}", seconds(elapsed)));
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// The bar's message (what the operations in flight wait for).
    pub fn status(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(crate::text::escape_control(text).into_owned());
        }
    }

    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress {
    /// Reports how apply ended: each failure as a diagnostic, each operation that did
    /// not run, and the summary line. True when every operation is live.
    pub fn summary(&self, summary: super::Summary) -> bool {
        let complete = summary.is_complete();
        let counts = format!(
            "{} applied, {} already in place, {} failed, {} skipped, {} not started ({} in all, {} status reads)",
            summary.applied(),
            summary.already_applied(),
            summary.failed(),
            summary.skipped(),
            summary.interrupted(),
            seconds(summary.wall),
            summary.polls(),
        );
        for op in summary.ops {
            match op.outcome {
                super::Outcome::Failed(e) => self.printer.diagnostic(&e),
                super::Outcome::Skipped { because } => self.printer.note(&format!(
                    "skipped {}: it depends on {because}, which did not complete",
                    op.id
                )),
                super::Outcome::Interrupted => self
                    .printer
                    .note(&format!("not started {}: apply was interrupted", op.id)),
                super::Outcome::Applied(_) | super::Outcome::AlreadyApplied(_) => {}
            }
        }
        let ending = if complete { "complete" } else { "incomplete" };
        self.printer.line(&format!("\nApply {ending}: {counts}."));
        complete
    }
}

/// `0.4s`, `12.0s`, `2m05s`.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_times_read_naturally() {
        assert_eq!(seconds(Duration::from_millis(420)), "0.4s");
        assert_eq!(seconds(Duration::from_secs(125)), "2m05s");
    }

    #[test]
    fn captured_lines_keep_their_order() {
        let p = Progress::capture();
        p.started("a/objects", "ModifyDtsJob");
        p.finished(
            "a/objects",
            "applied",
            Some("4 objects"),
            Duration::from_secs(3),
        );
        assert_eq!(
            p.lines(),
            [
                "a/objects: ModifyDtsJob...",
                "a/objects: applied after 3.0s; 4 objects"
            ]
        );
    }

    #[test]
    fn control_characters_from_outside_are_escaped() {
        let p = Progress::capture();
        p.finished(
            "a/objects",
            "failed",
            Some("status \u{1b}]0;title\u{7}Modifying\r"),
            Duration::from_secs(1),
        );
        assert_eq!(
            p.lines(),
            ["a/objects: failed after 1.0s; status \\u{1b}]0;title\\u{7}Modifying\\u{d}"]
        );
    }
}
