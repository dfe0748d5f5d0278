//! Why an operation, or a whole apply, could not be carried out.

use std::time::Duration;

/// At most this many objects are named in a message.
pub(super) const NAMED: usize = 10;

/// The first [`NAMED`] items, and how many more.
pub(super) fn named(mut items: Vec<String>) -> Vec<String> {
    if items.len() > NAMED {
        let more = items.len() - NAMED;
        items.truncate(NAMED);
        items.push(format!("and {more} more"));
    }
    items
}

/// Why an operation, or the whole apply, could not be carried out.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyError {
    #[error("{address} changed since the plan was made, so nothing was written to it: {}", changes.join("; "))]
    #[diagnostic(
        code(dtsform::apply::stale),
        help(
            "run plan again and review what it shows now; apply writes only what a plan was made from"
        )
    )]
    Stale {
        address: String,
        changes: Vec<String>,
    },

    #[error("{op}: the job is still {status} after {waited:.0?} ({what})")]
    #[diagnostic(
        code(dtsform::apply::timeout),
        help(
            "check the job in the DTS console; if it is only slow, raise --operation-timeout and apply again"
        )
    )]
    Timeout {
        op: String,
        status: String,
        waited: Duration,
        what: &'static str,
    },

    #[error("{op}: {action} got no answer within the operation timeout ({waited:.0?})")]
    #[diagnostic(
        code(dtsform::apply::no_answer),
        help(
            "the API kept throttling or failing; apply again later (a re-run checks what is live first, so nothing is written twice), or raise --operation-timeout"
        )
    )]
    NoAnswer {
        op: String,
        action: String,
        waited: Duration,
    },

    #[error("{op}: read back, the live job differs from what was sent: {}", differences.join(", "))]
    #[diagnostic(
        code(dtsform::apply::read_back),
        help(
            "the service took the write but does not show all of it, or someone else changed the job at the same time; check the job in the DTS console, then run plan again"
        )
    )]
    ReadBack {
        op: String,
        differences: Vec<String>,
    },

    #[error("{op}: the job was changed by someone else during apply: {}", changes.join(", "))]
    #[diagnostic(
        code(dtsform::apply::conflict),
        help(
            "another apply, or someone in the console, wrote to this job while this one did, and the last write replaced the other's list; run plan again, review, and apply — and run one apply per job at a time (README: \"Concurrency\")"
        )
    )]
    Conflict { op: String, changes: Vec<String> },

    #[error(
        "{op}: every answer to {action} was lost, so whether it was applied is unknown ({waited:.0?})"
    )]
    #[diagnostic(
        code(dtsform::apply::outcome_unknown),
        help(
            "run plan, or apply this plan again: a re-run re-reads the job first and recognises the change if it was applied, so nothing is written twice"
        )
    )]
    OutcomeUnknown {
        op: String,
        action: String,
        waited: Duration,
    },

    #[error("{address}: nothing was written, because sending the plan's object list now is not safe: {}", problems.join("; "))]
    #[diagnostic(
        code(dtsform::apply::unsafe_write),
        help(
            "apply re-checks what it sends against the live job and the removals the reviewed plan showed; the plan file does not match what was reviewed (was it edited?) or the job changed: run plan again"
        )
    )]
    Unsafe {
        address: String,
        problems: Vec<String>,
    },

    #[error("{op}: the job went to {status} instead of {wanted}")]
    #[diagnostic(
        code(dtsform::apply::status),
        help("see the job's error in the DTS console; fix its cause, then plan and apply again")
    )]
    Status {
        op: String,
        status: String,
        wanted: String,
    },

    #[error("{op}: the migration check did not pass: {message}")]
    #[diagnostic(
        code(dtsform::apply::check_failed),
        help(
            "DTS checks the source and target before a migration may start; fix what it reports (the objects must exist on the source, the accounts need their privileges), then plan and apply again"
        )
    )]
    CheckFailed { op: String, message: String },

    #[error(
        "{op}: the precheck of {what} failed (ModifyDtsJobEndpoint with DryRun), so nothing more of this job is written"
    )]
    #[diagnostic(
        code(dtsform::apply::precheck),
        help(
            "DTS checks a database before it switches an endpoint to it: fix what it reports (the database must be reachable from DTS on that address and port, the account must exist and may log in), then plan again; `dtsform plan --precheck` runs the prechecks without writing anything"
        )
    )]
    Precheck {
        op: String,
        what: String,
        #[source]
        error: crate::cloud::Error,
    },

    #[error("{op}: {action} failed")]
    #[diagnostic(code(dtsform::apply::api))]
    Api {
        op: String,
        action: String,
        #[source]
        error: crate::cloud::Error,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(dtsform::apply::plan))]
    Plan {
        message: String,
        #[help]
        help: Option<String>,
    },
}

impl ApplyError {
    pub(crate) fn api(op: &str, action: &str, error: crate::cloud::Error) -> Self {
        let help = miette::Diagnostic::help(&error).map(|h| h.to_string());
        Self::Api {
            op: op.to_owned(),
            action: action.to_owned(),
            error,
            help,
        }
    }

    pub(crate) fn plan(message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::Plan {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}
