//! Errors as a report shows them: each diagnostic the printer prints, kept as a record
//! (code, message, help, where it points, and its text without colour), with the
//! objects a refusal names ([`crate::config::Refused`]) when it is one.

use miette::Diagnostic;

use super::model::{DiagnosticReport, Location};
use crate::config::{ConfigError, Refused};
use crate::printer::report::{PART_MAX, render_plain};
use crate::text::cap;

/// A diagnostic as printed, kept for a report.
#[derive(Debug, Clone)]
pub struct KeptDiagnostic {
    pub report: DiagnosticReport,
    /// Set when it is a refusal to lose objects.
    pub refused: Option<Refused>,
}

impl KeptDiagnostic {
    /// Any diagnostic.
    pub fn of(diagnostic: &dyn Diagnostic) -> KeptDiagnostic {
        KeptDiagnostic {
            report: record(diagnostic),
            refused: None,
        }
    }

    /// A configuration error, with what it refuses.
    pub fn of_config_error(error: &ConfigError) -> KeptDiagnostic {
        KeptDiagnostic {
            report: record(error),
            refused: error.refused.as_deref().cloned(),
        }
    }
}

fn record(d: &dyn Diagnostic) -> DiagnosticReport {
    let severity = match d.severity() {
        Some(miette::Severity::Warning) => "warning",
        Some(miette::Severity::Advice) => "advice",
        Some(miette::Severity::Error) | None => "error",
    };
    DiagnosticReport {
        severity,
        code: d.code().map(|c| cap(&c.to_string(), PART_MAX).into_owned()),
        message: cap(&d.to_string(), PART_MAX).into_owned(),
        help: d.help().map(|h| cap(&h.to_string(), PART_MAX).into_owned()),
        location: location(d),
        rendered: render_plain(d),
    }
}

/// Where the diagnostic's primary label (or its first) points: file, line, column.
fn location(d: &dyn Diagnostic) -> Option<Location> {
    let source = d.source_code()?;
    let labels: Vec<miette::LabeledSpan> = d.labels()?.collect();
    let label = labels
        .iter()
        .find(|l| l.primary())
        .or_else(|| labels.first())?;
    let contents = source.read_span(label.inner(), 0, 0).ok()?;
    Some(Location {
        file: contents.name().unwrap_or_default().to_owned(),
        line: contents.line() + 1,
        column: contents.column() + 1,
        label: label.label().map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Sources;

    #[test]
    fn a_located_error_keeps_its_place_and_refusal() {
        let mut sources = Sources::default();
        let file = sources.add(
            "main.hcl".into(),
            "./main.hcl".into(),
            "a = 1\nresource \"x\" \"y\" {}\n".into(),
        );
        let error = ConfigError::at(
            &sources,
            crate::config::Span::new(file, 6..24),
            "guard::protected",
            "would remove protected objects",
            "this job",
        )
        .refusing(Refused {
            job: "x.y".into(),
            direction: crate::cloud::alibaba::Direction::Forward,
            objects: Vec::new(),
        })
        .help("take the pattern out first");
        let kept = KeptDiagnostic::of_config_error(&error);
        let location = kept.report.location.as_ref().unwrap();
        assert_eq!((location.line, location.column), (2, 1));
        assert_eq!(location.file, "./main.hcl");
        assert_eq!(location.label.as_deref(), Some("this job"));
        assert_eq!(
            kept.report.code.as_deref(),
            Some("dtsform::guard::protected")
        );
        assert_eq!(kept.refused.unwrap().job, "x.y");
        assert!(kept.report.rendered.contains("take the pattern out first"));
        assert!(!kept.report.rendered.contains('\u{1b}'), "no colour");
    }
}
