//! Filesystem functions: `file`, `fileexists`. Paths are relative to the configuration
//! directory.

use serde_json::Value;

use super::args::{Args, FnError};
use super::value::quote;
use crate::config::limits::{self, Limit};

/// `file(path)`: a regular file of at most [`limits::MAX_FILE_BYTES`], as UTF-8 text.
/// Devices, FIFOs and directories are refused before they are opened: reading one could
/// block, or never end (`/dev/zero`).
pub(super) fn file(a: &mut Args<'_>) -> Result<Value, FnError> {
    let p = a.string(0, "path")?;
    let full = a.base_dir().join(&p);
    let shown = quote(&full.display().to_string());
    let cannot = |e: &std::io::Error| {
        a.err_with(
            Some(0),
            "cannot read the file",
            format!("cannot read {shown}: {}", os_reason(e)),
        )
    };
    let not_regular = |m: &std::fs::Metadata| {
        let what = if m.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, a FIFO or a socket)"
        };
        a.err_with(
            Some(0),
            "only a regular file can be read",
            format!("{shown} is {what}; file() reads regular files only"),
        )
    };
    let too_large = |l: Limit| a.limit_with(Some(0), l, format!("{shown}: {l}"));
    let meta = std::fs::metadata(&full).map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > limits::MAX_FILE_BYTES {
        return Err(too_large(Limit::File));
    }
    let file = std::fs::File::open(&full).map_err(|e| cannot(&e))?;
    // The path may name something else by now: check what was opened, and read no more
    // than the limit whatever it is.
    let opened = file.metadata().map_err(|e| cannot(&e))?;
    if !opened.is_file() {
        return Err(not_regular(&opened));
    }
    let bytes = limits::read_capped(file)
        .map_err(|e| cannot(&e))?
        .map_err(too_large)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        a.err_with(
            Some(0),
            "the file is not valid UTF-8 text",
            format!("{shown} is not valid UTF-8 text"),
        )
    })?;
    Ok(Value::String(text))
}

/// `fileexists(path)`: whether a regular file is there (a directory is an error).
pub(super) fn fileexists(a: &mut Args<'_>) -> Result<Value, FnError> {
    let p = a.string(0, "path")?;
    let full = a.base_dir().join(&p);
    let shown = quote(&full.display().to_string());
    match std::fs::metadata(&full) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(m) if m.is_dir() => Err(a.err_with(
            Some(0),
            "the path is a directory, not a file",
            format!("{shown} is a directory, not a file"),
        )),
        Ok(_) => Err(a.err_with(
            Some(0),
            "the path is not a regular file",
            format!("{shown} is not a regular file"),
        )),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(Value::Bool(false))
        }
        Err(e) => Err(a.err_with(
            Some(0),
            "cannot check the path",
            format!("cannot check {shown}: {}", os_reason(&e)),
        )),
    }
}

/// An OS error's reason without Rust's " (os error N)" tail, lowercase first.
fn os_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.find(" (os error").map_or(s.as_str(), |i| &s[..i]);
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
