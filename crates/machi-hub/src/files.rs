//! Files the hub keeps under its state directory: written atomically (a reader sees the old file
//! or the new one, never a part) and named by content hash. One place for the source store, the
//! push database's directory and the VAPID key.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A file of the state directory that could not be read or written, with its path.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {source}", path.display())]
pub struct FileError {
    /// "read", "write", "create", "list" …
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    pub fn new(action: &'static str, path: &Path, source: std::io::Error) -> FileError {
        FileError {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

/// Writes `bytes` to `path` so a reader sees the old file or the new one, never a part: a temp
/// file beside it, synced, then renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write(path, bytes, false)
}

/// [`write_atomic`] for a secret: readable by the hub's user only (mode 0600 on Unix).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write(path, bytes, true)
}

fn write(path: &Path, bytes: &[u8], private: bool) -> Result<(), FileError> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| FileError::new("create", dir, e))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        sync(&file, &tmp)?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        FileError::new("write", path, e)
    })?;
    // The rename is an entry of the directory: until the directory is synced, a power cut may
    // leave the old name (or neither, for a new file) however durable the file's bytes are.
    sync_dir(dir)
}

/// Syncs a file's bytes to the disk.
fn sync(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    file.sync_all()?;
    record_sync(path);
    Ok(())
}

/// Syncs a directory's entries (renames, new files) to the disk.
pub fn sync_dir(dir: &Path) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        let handle = std::fs::File::open(dir).map_err(|e| FileError::new("sync", dir, e))?;
        handle
            .sync_all()
            .map_err(|e| FileError::new("sync", dir, e))?;
        record_sync(dir);
    }
    // Elsewhere a directory cannot be opened to sync; NTFS journals its renames.
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
thread_local! {
    /// What this thread synced, in order (tests of the write order).
    static SYNCED: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn record_sync(_path: &Path) {
    #[cfg(test)]
    SYNCED.with(|s| s.borrow_mut().push(_path.to_owned()));
}

/// Moves a damaged file out of the way (to `{name}.corrupt-{UTC time}` beside it) so the hub can
/// start afresh and the operator can still look at it; returns where it went.
pub fn move_aside(path: &Path) -> Result<PathBuf, FileError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let aside = path.with_file_name(format!("{name}.corrupt-{stamp}"));
    std::fs::rename(path, &aside).map_err(|e| FileError::new("move aside", path, e))?;
    Ok(aside)
}

/// Creates `dir` (and its parents) and makes it accessible to the hub's user only (mode 0700 on
/// Unix), also when it already existed with a wider mode.
pub fn create_private_dir(dir: &Path) -> Result<(), FileError> {
    std::fs::create_dir_all(dir).map_err(|e| FileError::new("create", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| FileError::new("protect", dir, e))?;
    }
    Ok(())
}

/// Makes `path` readable and writable by the hub's user only (mode 0600 on Unix); creates it
/// empty first when `create` and it is missing. A missing file is left missing otherwise.
pub fn make_private(path: &Path, create: bool) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        if create {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(|e| FileError::new("create", path, e))?;
        }
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => Ok(()),
            Err(e) => Err(FileError::new("protect", path, e)),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, create);
        Ok(())
    }
}

/// The SHA-256 of `bytes` in lowercase hex.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/journal.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["journal.json"]);
    }

    #[test]
    fn a_write_syncs_the_file_then_the_directory_holding_its_new_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        SYNCED.with(|s| s.borrow_mut().clear());
        write_atomic(&path, b"one").unwrap();
        let synced = SYNCED.with(|s| s.borrow().clone());
        assert_eq!(synced.len(), 2, "{synced:?}");
        assert_eq!(synced[0].parent(), Some(dir.path()), "the temp file first");
        assert_eq!(
            synced[1],
            dir.path(),
            "then the directory, after the rename"
        );
    }

    #[test]
    fn a_damaged_file_is_moved_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        std::fs::write(&path, b"{broken").unwrap();
        let aside = move_aside(&path).unwrap();
        assert!(!path.exists());
        assert_eq!(std::fs::read(&aside).unwrap(), b"{broken");
        let name = aside.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("journal.json.corrupt-"), "{name}");
    }

    #[test]
    fn a_failed_write_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "").unwrap();
        let err = write_atomic(&dir.path().join("file/inside"), b"x").unwrap_err();
        assert!(err.to_string().starts_with("cannot create "), "{err}");
        assert!(err.to_string().contains("file"), "{err}");
    }
}
