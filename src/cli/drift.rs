//! `dtsform drift [DIR] [--json | --markdown]`: what differs between the live jobs and
//! the configuration, for a scheduled check. Read-only; exit 0 without drift, 2 with
//! drift, 1 on error — as text, or as a report (`--json`, `--markdown`) that is one
//! document on standard output whatever happened.

use std::process::ExitCode;

use miette::Result;

use super::Settings;
use super::args::{ConfigArgs, Format, ReadArgs, TargetArgs, failed};
use super::output;
use super::workspace::Workspace;
use crate::drift::report::{DriftDocument, drift_document, failed_drift_document, to_json};

/// Exit code when a job differs from its configuration.
const DRIFT: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArgs,

    #[command(flatten)]
    pub(super) target: TargetArgs,

    #[command(flatten)]
    read: ReadArgs,

    /// Print the drift as a JSON document (schema in schema/drift.schema.json) instead
    /// of text. Errors too are a JSON document.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,

    /// Print the drift as GitHub-flavoured Markdown (at most 65,536 characters; the
    /// live objects the next apply would remove come first and are never left out).
    #[arg(long)]
    markdown: bool,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    let format = match (args.json, args.markdown) {
        (true, _) => Format::Json,
        (_, true) => Format::Markdown,
        _ => return text(settings, &args).await,
    };
    output::begin(settings);
    let (doc, code) = match report(settings, &args).await {
        Ok(done) => done,
        Err(error) => {
            settings.printer.diagnostic(&*error);
            (
                failed_drift_document(settings.printer.take_kept()),
                ExitCode::FAILURE,
            )
        }
    };
    print(settings, format, &doc);
    Ok(code)
}

async fn text(settings: &Settings, args: &Args) -> Result<ExitCode> {
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, Vec::new()).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let out = &settings.printer;
    if let Some(line) = Workspace::announce(settings, "Checking for drift") {
        out.line(&format!("{line}\n"));
    }
    let (drift, errors) =
        crate::drift::drift(&ws.config, &ws.clients, args.read.parallelism()).await;
    out.out(&crate::drift::text::render(&drift));
    if !errors.is_empty() {
        return Ok(failed(settings, &errors));
    }
    Ok(exit_code(drift.has_drift()))
}

/// The drift as a report: every job compared, and the errors of those that could not be.
async fn report(settings: &Settings, args: &Args) -> Result<(DriftDocument, ExitCode)> {
    let inputs = args.config.inputs(&settings.env);
    let Some(ws) = Workspace::open(settings, &args.config.dir(), &inputs, Vec::new()).await? else {
        return Ok((
            failed_drift_document(settings.printer.take_kept()),
            ExitCode::FAILURE,
        ));
    };
    if let Some(line) = Workspace::announce(settings, "Checking for drift") {
        settings.printer.note(&line);
    }
    let (drift, errors) =
        crate::drift::drift(&ws.config, &ws.clients, args.read.parallelism()).await;
    if !errors.is_empty() {
        failed(settings, &errors);
        let doc = drift_document(&drift, settings.printer.take_kept());
        return Ok((doc, ExitCode::FAILURE));
    }
    let doc = drift_document(&drift, settings.printer.take_kept());
    Ok((doc, exit_code(drift.has_drift())))
}

fn exit_code(drifted: bool) -> ExitCode {
    if drifted {
        ExitCode::from(DRIFT)
    } else {
        ExitCode::SUCCESS
    }
}

/// `doc` on standard output as JSON or Markdown.
fn print(settings: &Settings, format: Format, doc: &DriftDocument) {
    let out = &settings.printer;
    match format {
        Format::Text => {}
        Format::Json => out.out(&to_json(doc)),
        Format::Markdown => {
            let report = crate::drift::markdown::render(doc);
            if !report.fits {
                out.note(&format!(
                    "warning: the report is {} characters, longer than GitHub accepts ({}), because it names every live object the next apply would remove; read dtsform drift --json instead",
                    crate::report::budget::size(&report.text),
                    crate::report::budget::COMMENT_LIMIT
                ));
            }
            out.out(&report.text);
        }
    }
}
