//! What only a person at a terminal gives: approval, and interrupts.

use std::io::BufRead as _;
use std::sync::Arc;

use miette::Result;

use super::Settings;
use crate::apply::Cancel;
use crate::printer::Printer;

/// Asks for `yes` on the terminal.
pub fn approved(settings: &Settings) -> Result<bool> {
    if !settings.stdin_terminal {
        return Err(miette::miette!(
            code = "dtsform::apply::no_terminal",
            help = "review the plan, then run apply --auto-approve, or save it with plan -out FILE and run apply FILE",
            "apply cannot ask for approval: standard input is not a terminal"
        ));
    }
    let out = &settings.printer;
    out.out("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| miette::miette!("cannot read the answer: {e}"))?;
    if answer.trim() == "yes" {
        out.line("");
        Ok(true)
    } else {
        out.line("\nApply cancelled.");
        Ok(false)
    }
}

/// The first Ctrl-C stops new operations; the second ends the process.
pub async fn watch_interrupts(cancel: Arc<Cancel>, printer: Arc<Printer>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    cancel.request();
    printer.note("\nInterrupt received: no new operation will start; the ones in flight finish. Press Ctrl-C again to stop at once.");
    if tokio::signal::ctrl_c().await.is_ok() {
        printer.note("\nStopped at once. Operations in flight may or may not have been applied: run plan to see where the jobs are.");
        std::process::exit(130);
    }
}
