//! `dtsform man`: the manual page (roff, from the command-line definition itself, by
//! clap_mangen) on standard output, or with `--out-dir DIR` one page per command
//! (`dtsform.1`, `dtsform-plan.1`, ...) written there.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::Result;

use super::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write dtsform.1 and a page for each command (dtsform-plan.1, ...) into DIR
    /// instead of printing dtsform.1.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Why a page cannot be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the manual page {path}: {reason}")]
#[diagnostic(
    code(dtsform::man::write),
    help(
        "give --out-dir an existing directory you can write to, without links at the pages' names"
    )
)]
pub struct ManError {
    path: String,
    reason: String,
}

/// Prints (or writes) the pages of the command line `cli`.
pub fn run(settings: &Settings, args: &Args, cli: clap::Command) -> Result<ExitCode> {
    let mut cli = cli
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    // Building names each command as its page does: `dtsform-plan`.
    cli.build();
    let Some(dir) = &args.out_dir else {
        settings.printer.out(&render(&clap_mangen::Man::new(cli)));
        return Ok(ExitCode::SUCCESS);
    };
    let pages: Vec<clap_mangen::Man> = std::iter::once(&cli)
        .chain(cli.get_subcommands().filter(|s| !s.is_hide_set()))
        .map(|cmd| clap_mangen::Man::new(cmd.clone()))
        .collect();
    // Every name is checked before any page is written: a link in DIR is never
    // followed (it could point anywhere), and nothing is half done.
    for man in &pages {
        let path = dir.join(man.get_filename());
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(ManError {
                path: path.display().to_string(),
                reason: "it is a symbolic link, which dtsform does not write through".into(),
            }
            .into());
        }
    }
    let mut written = Vec::new();
    for man in &pages {
        written.push(write(dir, man)?);
    }
    settings.printer.line(&format!(
        "Wrote {} manual pages to {}: {}",
        written.len(),
        crate::text::escape_control(&dir.display().to_string()),
        written.join(", ")
    ));
    Ok(ExitCode::SUCCESS)
}

fn render(man: &clap_mangen::Man) -> String {
    let mut roff = Vec::new();
    // Rendering into memory cannot fail.
    let _ = man.render(&mut roff);
    String::from_utf8_lossy(&roff).into_owned()
}

/// Writes `man` into `dir`; its file name.
fn write(dir: &Path, man: &clap_mangen::Man) -> Result<String, ManError> {
    let file = man.get_filename();
    let path = dir.join(&file);
    crate::fsutil::write_atomically(&path, render(man).as_bytes()).map_err(|e| ManError {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(file)
}
