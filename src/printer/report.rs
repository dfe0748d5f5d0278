//! The one printer for diagnostics. Every text part of a diagnostic — its message, code,
//! help, URL, label texts, each cause and each related diagnostic — is written with its
//! control characters escaped ([`crate::text::escape_control_lines`]) and capped, before
//! miette lays it out. A message may quote a label from the configuration, a name from
//! a live object list, a file path or server text; none of it reaches the terminal as
//! an escape sequence, and none of it can print megabytes. miette's own colours are
//! added after, so they still work.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, ReportHandler as _, Severity, SourceCode};

use crate::text::{cap, escape_control, escape_control_lines};

/// At most this many characters of one text part are printed. Far above any message
/// dtsform composes; a backstop against a value that slipped through unbounded.
pub const PART_MAX: usize = 100_000;

/// `diagnostic` as the standard miette report, escaped (see the module docs).
pub fn render(diagnostic: &dyn Diagnostic) -> String {
    struct Shown<'a>(&'a dyn Diagnostic);
    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            miette::MietteHandler::default().debug(&Escaped::of(self.0), f)
        }
    }
    Shown(diagnostic).to_string()
}

/// `diagnostic` as [`render`] lays it out, escaped the same way, but never in colour and
/// always 80 columns wide, whatever the terminal: for a report (Markdown) that is read
/// elsewhere.
pub fn render_plain(diagnostic: &dyn Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80);
    let mut out = String::new();
    if handler
        .render_report(&mut out, &Escaped::of(diagnostic))
        .is_err()
    {
        out = lines(&diagnostic.to_string());
    }
    out
}

fn lines(text: &str) -> String {
    escape_control_lines(&cap(text, PART_MAX)).into_owned()
}

fn one_line(text: &str) -> String {
    escape_control(&cap(text, PART_MAX)).into_owned()
}

/// A diagnostic's text parts, escaped; its source code and severity borrowed as they are.
struct Escaped<'a> {
    /// The diagnostic this copies, for its source code and severity.
    origin: &'a dyn Diagnostic,
    message: String,
    code: Option<String>,
    help: Option<String>,
    url: Option<String>,
    labels: Vec<LabeledSpan>,
    /// A cause that is a diagnostic (miette draws its labels and help).
    diagnostic_cause: Option<Box<Escaped<'a>>>,
    /// A cause that is a plain error (miette shows its message only).
    error_cause: Option<Box<EscapedError>>,
    related: Vec<Escaped<'a>>,
}

/// A plain error in a cause chain, escaped: its message and its own cause.
#[derive(Debug)]
struct EscapedError {
    message: String,
    source: Option<Box<EscapedError>>,
}

impl EscapedError {
    fn of(e: &(dyn std::error::Error + 'static)) -> Self {
        Self {
            message: lines(&e.to_string()),
            source: e.source().map(Self::of).map(Box::new),
        }
    }
}

impl fmt::Display for EscapedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EscapedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl<'a> Escaped<'a> {
    fn of(d: &'a dyn Diagnostic) -> Self {
        Self {
            origin: d,
            message: lines(&d.to_string()),
            code: d.code().map(|c| one_line(&c.to_string())),
            help: d.help().map(|h| lines(&h.to_string())),
            url: d.url().map(|u| one_line(&u.to_string())),
            labels: d
                .labels()
                .map(|labels| {
                    labels
                        .map(|l| {
                            let label = l.label().map(one_line);
                            if l.primary() {
                                LabeledSpan::new_primary_with_span(label, *l.inner())
                            } else {
                                LabeledSpan::new_with_span(label, *l.inner())
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
            // miette follows `diagnostic_source` first, then `source`: so does this.
            diagnostic_cause: d.diagnostic_source().map(Self::of).map(Box::new),
            error_cause: d
                .diagnostic_source()
                .is_none()
                .then(|| d.source().map(EscapedError::of).map(Box::new))
                .flatten(),
            related: d
                .related()
                .map(|related| related.map(Self::of).collect())
                .unwrap_or_default(),
        }
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Escaped<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error_cause
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for Escaped<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        self.origin.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.origin.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.diagnostic_cause
            .as_deref()
            .map(|c| c as &dyn Diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("table \"evil\u{1b}[2J\u{202e}\" is gone\nsecond line\r")]
    #[diagnostic(code(dtsform::test), help("keep \u{1b}]0;title\u{7} or not"))]
    struct Evil {
        #[source_code]
        src: String,
        #[label("named \u{1b}[31mhere")]
        at: miette::SourceSpan,
        #[source]
        cause: std::io::Error,
    }

    fn evil() -> Evil {
        Evil {
            src: "resource \"x\" {}\n".into(),
            at: (9, 3).into(),
            cause: std::io::Error::other("cause \u{1b}[5m blinking"),
        }
    }

    #[test]
    fn every_part_is_escaped_and_line_breaks_kept() {
        let shown = render(&evil());
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert!(!shown.contains('\u{202e}'), "{shown}");
        assert!(!shown.contains('\r'), "{shown}");
        for part in [
            "table \"evil\\u{1b}[2J\\u{202e}\" is gone",
            "second line\\u{d}",
            "keep \\u{1b}]0;title\\u{7} or not",
            "named \\u{1b}[31mhere",
            "cause \\u{1b}[5m blinking",
            "dtsform::test",
            "resource \"x\" {}",
        ] {
            assert!(shown.contains(part), "{part:?} in {shown}");
        }
    }

    #[test]
    fn the_layout_is_the_plain_reports_for_clean_text() {
        #[derive(Debug, thiserror::Error, miette::Diagnostic)]
        #[error("plain")]
        #[diagnostic(code(dtsform::plain), help("do this"))]
        struct Plain {
            #[source_code]
            src: String,
            #[label("here")]
            at: miette::SourceSpan,
            #[source]
            cause: std::io::Error,
        }
        let plain = Plain {
            src: "resource \"x\" {}\n".into(),
            at: (9, 3).into(),
            cause: std::io::Error::other("because"),
        };
        let report = format!(
            "{:?}",
            miette::Report::new(Plain {
                src: plain.src.clone(),
                at: plain.at,
                cause: std::io::Error::other("because"),
            })
        );
        assert_eq!(render(&plain), report);
    }

    #[test]
    fn a_huge_part_is_capped() {
        let huge =
            miette::MietteDiagnostic::new("x".repeat(5_000_000)).with_help("y".repeat(500_000));
        let shown = render(&huge);
        // The message and the help, each cut at PART_MAX (then wrapped and indented).
        assert!(shown.len() < 3 * PART_MAX, "{}", shown.len());
        assert!(shown.contains("more characters cut"));
    }
}
