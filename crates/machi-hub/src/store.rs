//! The source store: one content-addressed, durable store for the documents of every source kind,
//! and the journal of what the hub has seen (the second step of [`crate::sources`]).
//!
//! Under `{state_dir}/sources/`:
//! - `blobs/{sha256}`: the bytes of every document version the hub keeps (a 5374 file, an
//!   iCalendar, a JMA message, a shelter CSV …), named by their SHA-256, written once, atomically;
//! - `journal.json`: [`Journal`] — each document's validators and newest version, each linked
//!   message's outcome (fetched once ever), and each source's last set of documents that parsed.
//!
//! Both are written atomically, so a crash leaves the old journal or the new one; a blob is
//! written before the journal names it. A restart therefore reads the journal, re-parses the kept
//! documents and asks every server conditionally: nothing is downloaded again. Blobs the journal
//! no longer names are removed ([`Store::collect_garbage`]).
//!
//! Without a state directory (`check`, `export`, tests) the same store lives in memory.

use crate::fetch::Validators;
use crate::files::{hex_sha256, write_atomic, FileError};
use chrono::{DateTime, Utc};
use machi_data::SourceKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

const JOURNAL_VERSION: u32 = 1;

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{}:{line}:{column}: {message}", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: journal version {found} is newer than this hub knows ({JOURNAL_VERSION})", path.display())]
    Newer { path: PathBuf, found: u32 },
    #[error("{}: the bytes do not match their name (a damaged blob)", path.display())]
    Damaged { path: PathBuf },
    #[error("blob {0} is not in the store")]
    Missing(String),
}

/// The newest version the hub has read of one document (by location: URL or path).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    #[serde(default, skip_serializing_if = "Validators::is_empty")]
    pub validators: Validators,
    /// The SHA-256 of its bytes in the store; `None` for documents whose bytes are not kept (an
    /// Atom feed: only what it lists matters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its modification time or `Last-Modified`, else when this content was first read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
    /// The last time it was read successfully (a 304 counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<DateTime<Utc>>,
    /// The message ids it listed last time (an Atom feed's entries, a CAP document's own id):
    /// messages a document still lists are never pruned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<String>,
    /// Why the version these validators describe did not parse (a feed): said again while the
    /// server answers "not modified", without downloading it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
}

/// What became of a fetched message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Parsed and concerns a configured city: its bytes are stored.
    Kept,
    /// Parsed, but concerns none of the cities that read it.
    Unrelated,
    /// Did not parse (or its link was unusable); never fetched again.
    Rejected,
    /// The transfer failed; tried again at the next poll up to a limit.
    Unavailable,
}

/// A linked message (a JMA entry, a CAP document): fetched once ever, whatever came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The kind of source it came from (which parser reads it again after a restart).
    pub kind: SourceKind,
    pub outcome: Outcome,
    /// Where it was read from (URL or path).
    pub from: String,
    pub fetched_at: DateTime<Utc>,
    /// The SHA-256 of the stored bytes, for kept messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub attempts: u32,
    /// The feeds (or CAP locations) that listed it: a source shows the kept messages of its own
    /// feeds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feeds: Vec<String>,
}

/// One document of a source's last good set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDocument {
    /// The name the parser knows it by (`area_days.csv`, `R5calendar_akitsu.ics`).
    pub name: String,
    /// Its URL or path.
    pub location: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
}

/// The last set of documents of a source that parsed, published again after a restart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub documents: Vec<SetDocument>,
    /// For the kinds that keep every set they published (`registry::KEEPS_EVERY_SET`): the sets
    /// published before `documents`, oldest first, each kept with its blobs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Vec<SetDocument>>,
}

/// `journal.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    /// By location (URL or path as written in the city file, or as resolved from a feed).
    #[serde(default)]
    pub documents: BTreeMap<String, DocumentRecord>,
    /// By message id (Atom entry id; `cap:{sha256}` for CAP documents).
    #[serde(default)]
    pub messages: BTreeMap<String, MessageRecord>,
    /// By `{city}/{source}`.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceRecord>,
}

impl Journal {
    /// Every blob the journal names.
    fn referenced(&self) -> BTreeSet<&str> {
        let documents = self.documents.values().filter_map(|d| d.sha256.as_deref());
        let messages = self.messages.values().filter_map(|m| m.sha256.as_deref());
        let sets = self.sources.values().flat_map(|s| {
            s.documents
                .iter()
                .chain(s.earlier.iter().flatten())
                .map(|d| d.sha256.as_str())
        });
        documents.chain(messages).chain(sets).collect()
    }
}

/// The store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    /// `{state_dir}/sources`, or `None` for a store in memory.
    dir: Option<PathBuf>,
    journal: Mutex<Journal>,
    /// The blobs of a store in memory (a durable store reads them from disk when a source is
    /// parsed, which happens only when its documents change, and at start).
    blobs: Mutex<HashMap<String, Arc<[u8]>>>,
    /// What the journal file holds (its fingerprint) and when it was written.
    saved: Mutex<Option<(String, std::time::Instant)>>,
}

/// A journal whose only change is when locations were last read is written at most this often:
/// those times move at every poll, and after a restart the first poll reads them afresh anyway.
/// Well under the 30 minutes after which the app calls alerts out of date, so a restarted hub
/// does not look stale before its first poll.
const SAVE_TIMES_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

impl Store {
    /// Opens (creating) the store under `{state_dir}/sources`.
    pub fn open(state_dir: &Path) -> Result<Store, StoreError> {
        let dir = state_dir.join("sources");
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs).map_err(|e| FileError::new("create", &blobs, e))?;
        let path = dir.join("journal.json");
        let journal = match read_journal(&path) {
            Ok(journal) => journal,
            // A damaged journal must not stop the hub: it starts afresh (every document is read
            // again, unconditionally, once) and the damaged file is kept for the operator.
            Err(e @ StoreError::Corrupt { .. }) => {
                let aside = crate::files::move_aside(&path)?;
                tracing::error!(
                    "{e}: the source journal is damaged; moved to {} and starting with an empty \
                     one (every source is read again)",
                    aside.display()
                );
                Journal {
                    version: JOURNAL_VERSION,
                    ..Journal::default()
                }
            }
            Err(e) => return Err(e),
        };
        let store = Store::new(Some(dir), journal);
        store.collect_garbage();
        Ok(store)
    }

    /// A store that keeps everything in memory (for `check`, `export` and tests).
    pub fn in_memory() -> Store {
        Store::new(
            None,
            Journal {
                version: JOURNAL_VERSION,
                ..Journal::default()
            },
        )
    }

    fn new(dir: Option<PathBuf>, journal: Journal) -> Store {
        Store {
            inner: Arc::new(Inner {
                dir,
                journal: Mutex::new(journal),
                blobs: Mutex::new(HashMap::new()),
                saved: Mutex::new(None),
            }),
        }
    }

    /// Where the store keeps its files, if on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.inner.dir.as_deref()
    }

    /// The journal, to read or change; [`Store::save`] writes it.
    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        // Every change replaces whole records, so a poisoned lock still holds a usable journal.
        self.inner.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn blobs(&self) -> MutexGuard<'_, HashMap<String, Arc<[u8]>>> {
        self.inner.blobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn blob_path(&self, sha256: &str) -> Option<PathBuf> {
        self.inner
            .dir
            .as_ref()
            .map(|d| d.join("blobs").join(sha256))
    }

    /// Keeps `bytes` (once) and returns their SHA-256.
    pub fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha256 = hex_sha256(bytes);
        match self.blob_path(&sha256) {
            Some(path) if !path.is_file() => write_atomic(&path, bytes)?,
            Some(_) => {}
            None => {
                self.blobs()
                    .entry(sha256.clone())
                    .or_insert_with(|| Arc::from(bytes));
            }
        }
        Ok(sha256)
    }

    /// A blob written as it arrives ([`BlobWriter::finish`] names it), for documents read in
    /// chunks: never whole in memory on a store on disk.
    pub fn writer(&self) -> Result<BlobWriter, FileError> {
        let file = match &self.inner.dir {
            Some(dir) => {
                let blobs = dir.join("blobs");
                std::fs::create_dir_all(&blobs).map_err(|e| FileError::new("create", &blobs, e))?;
                let tmp = tempfile::NamedTempFile::new_in(&blobs)
                    .map_err(|e| FileError::new("create", &blobs, e))?;
                Some(tmp)
            }
            None => None,
        };
        Ok(BlobWriter {
            store: self.clone(),
            hasher: Sha256::new(),
            file,
            memory: Vec::new(),
        })
    }

    /// The bytes named `sha256`, checked against their name.
    pub fn get(&self, sha256: &str) -> Result<Arc<[u8]>, StoreError> {
        if let Some(bytes) = self.blobs().get(sha256) {
            return Ok(bytes.clone());
        }
        let path = self
            .blob_path(sha256)
            .ok_or_else(|| StoreError::Missing(sha256.to_owned()))?;
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing(sha256.to_owned()))
            }
            Err(e) => return Err(FileError::new("read", &path, e).into()),
        };
        if hex_sha256(&bytes) != sha256 {
            return Err(StoreError::Damaged { path });
        }
        Ok(Arc::from(bytes))
    }

    /// Writes the journal (atomically) when the store is on disk and the journal changed since
    /// it was last written: anything but the times locations were last read, which are written
    /// with the next change or at least every ten minutes. Returns whether it wrote.
    pub fn save(&self) -> Result<bool, StoreError> {
        let Some(dir) = &self.inner.dir else {
            return Ok(false);
        };
        let (json, fingerprint) = {
            let journal = self.journal();
            // Strings, numbers, times and maps only: always serialises.
            let json = serde_json::to_vec_pretty(&*journal).expect("the journal serialises");
            let mut timeless = journal.clone();
            for d in timeless.documents.values_mut() {
                d.last_success = None;
            }
            let fingerprint =
                hex_sha256(&serde_json::to_vec(&timeless).expect("the journal serialises"));
            (json, fingerprint)
        };
        let mut saved = self.inner.saved.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((last, at)) = &*saved {
            if *last == fingerprint && at.elapsed() < SAVE_TIMES_EVERY {
                return Ok(false);
            }
        }
        write_atomic(&dir.join("journal.json"), &json)?;
        *saved = Some((fingerprint, std::time::Instant::now()));
        Ok(true)
    }

    /// Forgets a blob that is damaged or missing: it is removed, and the documents naming it lose
    /// their validators, so the next read downloads them again instead of being told "not
    /// modified" about bytes the store no longer has. Kept messages in it are fetched again if a
    /// feed still lists them.
    pub fn forget_blob(&self, sha256: &str) {
        tracing::error!("source store: blob {sha256} is damaged or missing; reading it again");
        self.blobs().remove(sha256);
        if let Some(path) = self.blob_path(sha256) {
            let _ = std::fs::remove_file(path);
        }
        let mut journal = self.journal();
        for d in journal.documents.values_mut() {
            if d.sha256.as_deref() == Some(sha256) {
                d.validators = Validators::default();
                d.sha256 = None;
            }
        }
        for m in journal.messages.values_mut() {
            if m.sha256.as_deref() == Some(sha256) {
                m.outcome = Outcome::Unavailable;
                m.sha256 = None;
                m.attempts = 0;
                m.reason = Some("its stored copy was damaged".into());
            }
        }
    }

    /// Drops the blobs the journal no longer names, from memory and disk; returns how many.
    pub fn collect_garbage(&self) -> usize {
        let journal = self.journal();
        let keep = journal.referenced();
        let mut removed = 0;
        self.blobs().retain(|sha, _| keep.contains(sha.as_str()));
        if let Some(dir) = &self.inner.dir {
            let blobs = dir.join("blobs");
            for entry in std::fs::read_dir(&blobs).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // `.tmp…`: a blob being written (its writer removes it if unfinished).
                if !name.starts_with('.')
                    && !keep.contains(name.as_str())
                    && std::fs::remove_file(entry.path()).is_ok()
                {
                    removed += 1;
                }
            }
        }
        removed
    }
}

/// A blob being written ([`Store::writer`]): hashed and written chunk by chunk, named when
/// finished. Dropped unfinished, it leaves nothing behind.
pub struct BlobWriter {
    store: Store,
    hasher: Sha256,
    /// A temporary file in `blobs/` (a store on disk), renamed to the hash when finished.
    file: Option<tempfile::NamedTempFile>,
    /// The bytes, for a store in memory.
    memory: Vec<u8>,
}

impl BlobWriter {
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), FileError> {
        use std::io::Write as _;
        self.hasher.update(chunk);
        match &mut self.file {
            Some(file) => file
                .write_all(chunk)
                .map_err(|e| FileError::new("write", file.path(), e)),
            None => {
                self.memory.extend_from_slice(chunk);
                Ok(())
            }
        }
    }

    /// Keeps the blob (once) and returns its SHA-256.
    pub fn finish(self) -> Result<String, FileError> {
        let sha256: String = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        match (self.file, self.store.blob_path(&sha256)) {
            (Some(file), Some(path)) => {
                if !path.is_file() {
                    file.as_file()
                        .sync_all()
                        .map_err(|e| FileError::new("write", file.path(), e))?;
                    file.persist(&path)
                        .map_err(|e| FileError::new("write", &path, e.error))?;
                    crate::files::sync_dir(path.parent().unwrap_or(Path::new(".")))?;
                }
            }
            _ => {
                self.store
                    .blobs()
                    .entry(sha256.clone())
                    .or_insert_with(|| Arc::from(self.memory));
            }
        }
        Ok(sha256)
    }
}

fn read_journal(path: &Path) -> Result<Journal, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let journal: Journal =
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                    path: path.to_owned(),
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                })?;
            if journal.version > JOURNAL_VERSION {
                return Err(StoreError::Newer {
                    path: path.to_owned(),
                    found: journal.version,
                });
            }
            Ok(journal)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Journal {
            version: JOURNAL_VERSION,
            ..Journal::default()
        }),
        Err(e) => Err(FileError::new("read", path, e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_content_addressed_durable_and_collected() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store.put(b"one").unwrap();
        let b = store.put(b"two").unwrap();
        assert_eq!(store.put(b"one").unwrap(), a);
        store.journal().documents.insert(
            "x".into(),
            DocumentRecord {
                sha256: Some(a.clone()),
                ..DocumentRecord::default()
            },
        );
        store.save().unwrap();
        assert_eq!(store.collect_garbage(), 1);

        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(&*reopened.get(&a).unwrap(), b"one");
        assert!(matches!(reopened.get(&b), Err(StoreError::Missing(_))));
        assert_eq!(reopened.journal().documents["x"].sha256, Some(a));
    }

    #[test]
    fn a_corrupt_journal_is_moved_aside_and_the_store_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sources")).unwrap();
        std::fs::write(
            dir.path().join("sources/journal.json"),
            b"{\"version\": 1, \"documents\": {",
        )
        .unwrap();
        let store = Store::open(dir.path()).expect("a damaged journal does not stop the hub");
        assert!(store.journal().documents.is_empty());
        let aside: Vec<String> = std::fs::read_dir(dir.path().join("sources"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("journal.json.corrupt-"))
            .collect();
        assert_eq!(
            aside.len(),
            1,
            "the damaged journal is kept for the operator"
        );
    }

    #[test]
    fn the_journal_is_written_only_when_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .journal()
            .documents
            .insert("x".into(), DocumentRecord::default());
        assert!(store.save().unwrap());
        assert!(!store.save().unwrap(), "nothing changed");
        store.journal().documents.get_mut("x").unwrap().last_success = Some(Utc::now());
        assert!(!store.save().unwrap(), "only when it was read");
        store
            .journal()
            .documents
            .get_mut("x")
            .unwrap()
            .validators
            .etag = Some("\"2\"".into());
        assert!(store.save().unwrap());
        let reopened = Store::open(dir.path()).unwrap();
        let x = reopened.journal().documents["x"].clone();
        assert_eq!(x.validators.etag.as_deref(), Some("\"2\""));
        assert!(x.last_success.is_some(), "written with the next change");
    }

    #[test]
    fn a_damaged_blob_and_a_newer_journal_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let sha = store.put(b"one").unwrap();
        store.journal().documents.insert(
            "x".into(),
            DocumentRecord {
                sha256: Some(sha.clone()),
                ..DocumentRecord::default()
            },
        );
        store.save().unwrap();
        std::fs::write(dir.path().join("sources/blobs").join(&sha), b"eno").unwrap();
        let reopened = Store::open(dir.path()).unwrap();
        assert!(matches!(
            reopened.get(&sha),
            Err(StoreError::Damaged { .. })
        ));

        std::fs::write(
            dir.path().join("sources/journal.json"),
            r#"{"version": 99}"#,
        )
        .unwrap();
        let err = Store::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("journal version 99"), "{err}");
    }
}
