//! What a user watches during apply: a line per operation as it starts and as it ends
//! (with its elapsed time), on standard output; and, on a terminal, a bar counting the
//! operations done, drawn on standard error and kept below the lines.

use std::io::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The printer for one apply.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Lines written so far, when capturing (tests).
    captured: Option<Mutex<Vec<String>>>,
}

impl Progress {
    /// Prints to standard output; draws a bar of `total` operations if `bar`.
    pub fn new(total: usize, bar: bool) -> Self {
        let bar = bar.then(|| {
            let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} operations, {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Self {
            bar,
            captured: None,
        }
    }

    /// Keeps the lines instead of printing them.
    pub fn capture() -> Self {
        Self {
            bar: None,
            captured: Some(Mutex::new(Vec::new())),
        }
    }

    /// The captured lines.
    pub fn lines(&self) -> Vec<String> {
        self.captured
            .as_ref()
            .map(|c| c.lock().map(|l| l.clone()).unwrap_or_default())
            .unwrap_or_default()
    }

    /// Prints one line (or captures it), its control characters escaped: it names
    /// objects, jobs and statuses from outside.
    pub fn line(&self, text: &str) {
        let text = crate::text::escape_control_lines(text);
        if let Some(captured) = &self.captured {
            if let Ok(mut lines) = captured.lock() {
                lines.push(text.into_owned());
            }
            return;
        }
        let print = || {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
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
