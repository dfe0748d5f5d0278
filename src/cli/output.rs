//! Reports on standard output (`--json`, `--markdown`): a command that prints one keeps
//! every diagnostic it prints (they still go to standard error), and ends with exactly
//! one document on standard output — the plan, or what went wrong — whatever happened.

use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::Format;
use crate::report::{Document, failed_document, markdown, to_json};

/// Starts a report run: diagnostics are kept from now on.
pub fn begin(settings: &Settings) {
    settings.printer.keep_diagnostics();
}

/// Prints the report of a run: its document, or — when it failed with an error it did
/// not report itself — the document of that error. Exit 1 on any error.
pub fn finish(
    settings: &Settings,
    format: Format,
    result: Result<(Document, ExitCode)>,
) -> ExitCode {
    let (doc, code) = match result {
        Ok(done) => done,
        Err(error) => {
            settings.printer.diagnostic(&*error);
            (
                failed_document(None, settings.printer.take_kept()),
                ExitCode::FAILURE,
            )
        }
    };
    print(settings, format, &doc);
    code
}

/// `doc` on standard output as `format` (text is not a report: nothing is printed).
pub fn print(settings: &Settings, format: Format, doc: &Document) {
    let out = &settings.printer;
    match format {
        Format::Text => {}
        Format::Json => out.out(&to_json(doc)),
        Format::Markdown => {
            let comment = markdown::render(doc);
            if !comment.fits {
                out.note(&format!(
                    "warning: the comment is {} characters, longer than GitHub accepts ({}), because it names every object that would stop replicating or was refused; post the plan file's JSON (dtsform show --json) for review instead, or split the change",
                    crate::report::budget::size(&comment.text),
                    crate::report::budget::COMMENT_LIMIT
                ));
            }
            out.out(&comment.text);
        }
    }
}
