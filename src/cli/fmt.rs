//! `dtsform fmt`: rewrite `*.hcl` files in the canonical format; `--check` for CI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{IntoDiagnostic as _, Result};

use super::Settings;
use super::args::failed;
use crate::config::fmt::format_hcl;
use crate::config::{Sources, parse};

/// Exit code of `fmt --check` when a file is not formatted (as `terraform fmt -check`).
const NOT_FORMATTED: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (their *.hcl files). Default: the current directory.
    paths: Vec<PathBuf>,

    /// Change nothing; list files that are not formatted and exit 3 if there are any.
    #[arg(long)]
    check: bool,

    /// Show the changes as a unified diff.
    #[arg(long)]
    diff: bool,
}

fn hcl_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let default = [PathBuf::from(".")];
    for path in if paths.is_empty() {
        &default[..]
    } else {
        paths
    } {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .into_diagnostic()?
                .filter_map(std::result::Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "hcl"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

pub fn run(settings: &Settings, args: &Args) -> Result<ExitCode> {
    let mut sources = Sources::default();
    let mut errors = Vec::new();
    let mut unformatted = Vec::new();
    for path in hcl_files(&args.paths)? {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| miette::miette!("cannot read {}: {e}", path.display()))?;
        let id = sources.add(path.clone(), path.display().to_string(), text.clone());
        if let Err(e) = parse(&sources, id) {
            errors.push(e);
            continue;
        }
        let formatted = format_hcl(&text);
        if formatted == text {
            continue;
        }
        if args.diff {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&text, &formatted)
                .unified_diff()
                .header(&name, &name)
                .to_string();
            settings
                .printer
                .out(&crate::text::escape_control_lines(&diff));
        }
        if !args.check {
            write(&path, &formatted)?;
        }
        settings
            .printer
            .line(&crate::text::escape_control(&path.display().to_string()));
        unformatted.push(path);
    }
    if !errors.is_empty() {
        return Ok(failed(settings, &errors));
    }
    Ok(if args.check && !unformatted.is_empty() {
        ExitCode::from(NOT_FORMATTED)
    } else {
        ExitCode::SUCCESS
    })
}

fn write(path: &Path, text: &str) -> Result<()> {
    crate::fsutil::write_atomically(path, text.as_bytes())
        .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))
}
