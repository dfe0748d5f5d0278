//! Filesystem helpers shared by the emulator's world file, saved plans and `fmt`.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

/// Reads at most `limit` bytes from `reader`; `None` when it holds more (found by
/// reading one byte past the limit, whatever the source: a pipe, a device).
pub fn read_at_most(reader: impl std::io::Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed
/// to disk, then renamed over the target. A crash leaves the old file or the new one,
/// never a torn one; a failure leaves no temporary file behind.
///
/// Only regular files are written. A path that exists as anything else — a device such
/// as `/dev/null`, a FIFO, a socket, a directory — is refused and left as it is: the
/// rename would replace it (a device node, when running as root), and writing into it
/// would not make a file. A symbolic link is followed when it leads to a regular file:
/// that file is replaced atomically and the link kept, as a user who linked the path
/// means. A link to anything else, or to nothing, is refused like its target. (The
/// check and the rename are two steps; a path swapped in between is not defended.)
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = write_target(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    // A file being replaced keeps its permissions (a private configuration file stays
    // private); one the user made read-only is not replaced at all.
    let keep = match std::fs::metadata(&target) {
        Ok(meta) if meta.permissions().readonly() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("{} is read-only", target.display()),
            ));
        }
        Ok(meta) => Some(meta.permissions()),
        Err(_) => None,
    };
    let mut created = false;
    let result = (|| {
        // `create_new`: never write through something already at the temporary name.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        created = true;
        if let Some(permissions) = keep.clone() {
            file.set_permissions(permissions)?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &target)?;
        if let Ok(d) = std::fs::File::open(dir) {
            // Persist the rename itself; not every platform can sync a directory.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() && created {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `path` holding `bytes`, atomically and only if nothing is there: a temporary
/// file in the same directory, flushed to disk, then linked to `path` — which fails with
/// `AlreadyExists` if anything (a file, a link, a directory) is there, so nothing is ever
/// replaced, even by a file that appeared a moment ago. A crash leaves no file or the
/// whole one; the temporary file is removed either way.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::hard_link(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

/// The file [`write_atomically`] replaces for `path`: `path` itself when it is a regular
/// file or does not exist, the regular file a symbolic link leads to; an error naming
/// what `path` is otherwise.
fn write_target(path: &Path) -> std::io::Result<PathBuf> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(path.to_owned()),
        Err(e) => return Err(e),
        Ok(meta) => meta,
    };
    if meta.file_type().is_file() {
        return Ok(path.to_owned());
    }
    if !meta.file_type().is_symlink() {
        return Err(not_a_file(&format!("it is {}", kind(&meta))));
    }
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_a_file(
                "it is a symbolic link to a path that does not exist",
            ));
        }
        Err(e) => return Err(e),
    };
    let target_meta = std::fs::metadata(&target)?;
    if target_meta.is_file() {
        Ok(target)
    } else {
        Err(not_a_file(&format!(
            "it is a symbolic link to {}, which is {}",
            target.display(),
            kind(&target_meta)
        )))
    }
}

fn not_a_file(what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{what}, not a regular file; only regular files are written, nothing else is replaced"
        ),
    )
}

/// `a character device`, `a FIFO`, `a directory`...
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{FileTypeExt as _, symlink};
    use std::process::Command;

    use super::*;

    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_read_only_one_is_not_replaced() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("main.hcl");
        std::fs::write(&private, "old").unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&private, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&private).unwrap(), "new");
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");

        let read_only = dir.path().join("locked.hcl");
        std::fs::write(&read_only, "kept").unwrap();
        std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_atomically(&read_only, b"new").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied, "{err}");
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(std::fs::read_to_string(&read_only).unwrap(), "kept");
    }

    fn refused(path: &Path, says: &str) {
        let err = write_atomically(path, b"plan").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains(says), "{err}");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    /// No temporary file is left next to `path`.
    fn no_leftovers(dir: &Path) {
        let names: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(
            names
                .iter()
                .all(|n| n.extension().is_none_or(|e| e != "tmp")),
            "{names:?}"
        );
    }

    #[test]
    fn regular_and_new_files_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        no_leftovers(dir.path());
    }

    #[test]
    fn a_fifo_a_socket_and_a_directory_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        refused(&fifo, "it is a FIFO");
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );

        let socket = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        refused(&socket, "it is a socket");
        assert!(
            std::fs::symlink_metadata(&socket)
                .unwrap()
                .file_type()
                .is_socket()
        );

        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        refused(&sub, "it is a directory");
        assert!(sub.is_dir());
        no_leftovers(dir.path());
    }

    #[test]
    fn a_symbolic_link_to_a_device_or_to_nothing_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out.plan");
        symlink("/dev/null", &link).unwrap();
        refused(
            &link,
            "symbolic link to /dev/null, which is a character device",
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/dev/null"));

        let dangling = dir.path().join("dangling.plan");
        symlink(dir.path().join("nowhere/x"), &dangling).unwrap();
        refused(&dangling, "symbolic link to a path that does not exist");
        assert!(std::fs::symlink_metadata(&dangling).unwrap().is_symlink());
        no_leftovers(dir.path());
    }

    #[test]
    fn a_symbolic_link_to_a_regular_file_replaces_that_file_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("real");
        std::fs::create_dir(&real_dir).unwrap();
        let real = real_dir.join("plan.json");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.path().join("plan.json");
        symlink(&real, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        no_leftovers(dir.path());
        no_leftovers(&real_dir);
    }

    #[test]
    fn a_device_node_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("null");
        // Making a device node needs root; elsewhere the link test above covers devices.
        let made = Command::new("mknod")
            .arg(&node)
            .args(["c", "1", "3"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !made {
            // mknod needs root; the other non-regular files are tested above.
            return;
        }
        refused(&node, "it is a character device");
        assert!(
            std::fs::symlink_metadata(&node)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        no_leftovers(dir.path());
    }
}
