//! Garbage sources: reads a city's 5374 files or iCalendar files with `machi_data::garbage`,
//! points the city's areas at their collection areas, and keeps the last good calendar.
//!
//! A source is a local `path` or a `url`. URL sources are downloaded by [`Downloads::poll`] in the
//! hub's async refresh loop: a 5374 source's `url` is the directory holding `area_days.csv` (the
//! older `area.csv` when that is 404) and the optional `center.csv`, `target.csv`,
//! `description.csv` and `remarks.csv` (404: not published); a `garbage-ical` source's `url` is one
//! `.ics` file. Every file is requested conditionally (`If-None-Match` / `If-Modified-Since` of
//! its last response) with the hub's User-Agent, a timeout and a cap of [`MAX_FILE_BYTES`]. A
//! poll keeps a new set of files only when every file of it arrived; otherwise the last set stays
//! and the source is stale with the error, which names the URL. With a state directory, the files
//! of the last set that parsed are kept under `{state_dir}/garbage/{city}/{source}/` (by SHA-256,
//! with `index.json`), so a hub restarted without network still serves the last good calendar.
//!
//! Refreshes are cheap when nothing changed: a path source's files are only `stat`ed, a URL
//! source's downloads compared by hash, and parsed again only when their (size, mtime) or
//! content, or the source's settings, differ from the last attempt (good or bad), so a hub
//! refreshing every second parses each version of the files once and logs its warnings once.
//!
//! A failure (a file that does not parse, is too large or cannot be fetched, or an area name the
//! calendar lacks) never replaces good data: the last good calendar stays published and the
//! source is marked stale with the error, which names the file (path or URL), line and column.

use crate::config::{AreaConfig, CityConfig, GarbageSettings, SourceConfig, SourceLocation};
use crate::fetch::{Fetched, Fetcher, Validators};
use crate::files::{hex_sha256, write_atomic};
use chrono::{DateTime, Utc};
use machi_data::garbage::{
    category_id, fold, parse_5374_with, parse_ics, Files5374, GarbageCalendar, GarbageError,
    ParseOptions, Warning,
};
use machi_data::{Area, SourceKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The largest source file the hub reads or downloads; the largest real 5374 file is well under
/// 1 MiB.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The 5374 files, in the order [`Files5374`] takes them (`area_days.csv` is found separately).
const OPTIONAL_5374: [&str; 4] = ["center.csv", "target.csv", "description.csv", "remarks.csv"];

/// Warnings logged per parse; the rest are counted.
const MAX_LOGGED_WARNINGS: usize = 20;

/// A calendar that parsed, with the newest modification time of the files it came from.
#[derive(Debug, PartialEq)]
pub struct Parsed {
    pub calendar: GarbageCalendar,
    pub as_of: DateTime<Utc>,
}

/// One version of one file a parse reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Version {
    /// A local file: its path, size and modification time.
    File(PathBuf, u64, SystemTime),
    /// A downloaded file: its URL and the SHA-256 of its bytes.
    Download(String, String),
}

/// What one refresh's parse depends on: the source's settings and its files' versions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inputs {
    kind: SourceKind,
    settings: GarbageSettings,
    files: Vec<Version>,
}

/// A city's garbage source across refreshes.
#[derive(Debug, Clone, Default)]
pub struct GarbageState {
    /// The inputs of the last parse and its outcome, reused while the inputs stay the same.
    last: Option<(Inputs, Result<Arc<Parsed>, String>)>,
    /// The last calendar that parsed and whose areas resolved.
    good: Option<Arc<Parsed>>,
    /// How many times the files were parsed (for tests and the operator).
    parses: u64,
}

impl GarbageState {
    /// The calendar to publish: the last good one.
    pub fn good(&self) -> Option<&Arc<Parsed>> {
        self.good.as_ref()
    }

    pub fn parses(&self) -> u64 {
        self.parses
    }
}

/// The result of ingesting a city's garbage source at one refresh.
#[derive(Debug)]
pub struct Ingested {
    pub state: GarbageState,
    /// The city's areas, each pointing at its collection area in the published calendar.
    pub areas: Vec<Area>,
    /// Why this refresh could not use the source (the published calendar is then the last good
    /// one, if any); names the city file, the source and the place.
    pub error: Option<String>,
    /// Whether the source was read: always for a path; for a URL, once the poller has tried it
    /// (a hub without a poller, as `check`, leaves URL sources alone).
    pub read: bool,
}

/// Reads `source` of `city` (when its files changed since `previous`), resolves the city's areas
/// and says what to publish. A URL source's files come from `downloads`.
pub fn ingest(
    city: &CityConfig,
    source: &SourceConfig,
    previous: Option<&GarbageState>,
    downloads: Option<&Downloads>,
) -> Ingested {
    let mut state = previous.cloned().unwrap_or_default();
    let prefix = format!("{}: source `{}`", city.file.display(), source.id);
    let mut fetch_error = None;
    let mut downloaded = None;
    let (read, outcome) = match &source.location {
        SourceLocation::Path(path) => {
            let outcome = parse_if_changed(
                &mut state,
                &prefix,
                &path.display().to_string(),
                path_inputs(source, path),
                |inputs| parse_path(source, path, inputs),
            );
            (true, Some(outcome))
        }
        SourceLocation::Url(url) => {
            match downloads.and_then(|d| d.snapshot(&city.id, &source.id, url)) {
                None => (false, None),
                Some((files, error)) => {
                    fetch_error = error.map(|e| format!("{prefix}: {e}"));
                    let outcome = (!files.is_empty()).then(|| {
                        let inputs = Inputs {
                            kind: source.kind,
                            settings: source.garbage.clone(),
                            files: files
                                .iter()
                                .map(|f| Version::Download(f.url.clone(), f.sha256.clone()))
                                .collect(),
                        };
                        parse_if_changed(&mut state, &prefix, url, Ok(inputs), |_| {
                            parse_downloads(source, url, &files)
                        })
                    });
                    downloaded = Some(files);
                    (true, outcome)
                }
            }
        }
    };
    let error = match outcome {
        None => None,
        Some(Ok(parsed)) => match resolve(city, &parsed.calendar) {
            Ok(_) => {
                let new = !state.good.as_ref().is_some_and(|g| Arc::ptr_eq(g, &parsed));
                state.good = Some(parsed);
                if let (true, Some(files), Some(downloads), SourceLocation::Url(url)) =
                    (new, &downloaded, downloads, &source.location)
                {
                    downloads.keep(&city.id, &source.id, url, files);
                }
                None
            }
            Err(e) => Some(format!("{prefix}: {e}")),
        },
        Some(Err(e)) => Some(e),
    };
    // A download that failed this time is the error to show, even while the files it kept parse.
    let error = fetch_error.or(error);
    let areas = match (&state.good, &error) {
        (Some(good), None) => resolve(city, &good.calendar).unwrap_or_default(),
        (Some(good), Some(_)) => resolve_leniently(city, &good.calendar),
        (None, _) => resolve_leniently(city, &GarbageCalendar::default()),
    };
    Ingested {
        state,
        areas,
        error,
        read,
    }
}

/// The outcome of parsing `inputs`: the last one when they have not changed, else a new parse
/// (logged). `location` names the source in the log.
fn parse_if_changed(
    state: &mut GarbageState,
    prefix: &str,
    location: &str,
    inputs: Result<Inputs, String>,
    parse: impl FnOnce(&Inputs) -> Result<Parsed, String>,
) -> Result<Arc<Parsed>, String> {
    let inputs = inputs.map_err(|e| format!("{prefix}: {e}"))?;
    if let Some((last, outcome)) = &state.last {
        if *last == inputs {
            return outcome.clone();
        }
    }
    state.parses += 1;
    let outcome = parse(&inputs)
        .map(Arc::new)
        .map_err(|e| format!("{prefix}: {e}"));
    match &outcome {
        Ok(parsed) => tracing::info!(
            "{prefix}: read {location}: {} areas, {} categories, {} items",
            parsed.calendar.areas.len(),
            parsed.calendar.categories.len(),
            parsed.calendar.items.len()
        ),
        Err(e) => tracing::error!("{e} (the last good calendar, if any, is kept)"),
    }
    state.last = Some((inputs, outcome.clone()));
    outcome
}

/// The files a parse of a path source would read, with their sizes and modification times.
fn path_inputs(source: &SourceConfig, path: &Path) -> Result<Inputs, String> {
    let files = match source.kind {
        SourceKind::Garbage5374 => files_5374(path)?,
        _ => files_ics(path)?,
    };
    let files = files
        .into_iter()
        .map(|file| {
            let meta = std::fs::metadata(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let modified = meta
                .modified()
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            Ok(Version::File(file, meta.len(), modified))
        })
        .collect::<Result<_, String>>()?;
    Ok(Inputs {
        kind: source.kind,
        settings: source.garbage.clone(),
        files,
    })
}

/// `area_days.csv` (or the older `area.csv`) and whichever optional files the directory has.
fn files_5374(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a directory (a 5374 source is a directory holding area_days.csv)",
            dir.display()
        ));
    }
    let area_days = ["area_days.csv", "area.csv"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("no area_days.csv (or area.csv) in {}", dir.display()))?;
    let mut files = vec![area_days];
    files.extend(
        OPTIONAL_5374
            .iter()
            .map(|name| dir.join(name))
            .filter(|p| p.is_file()),
    );
    Ok(files)
}

/// The one `.ics` file, or every `.ics` file of the directory in name order.
fn files_ics(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let file = entry
            .map_err(|e| format!("cannot list {}: {e}", path.display()))?
            .path();
        let is_ics = file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ics"));
        if is_ics && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(format!("no .ics files in {}", path.display()));
    }
    files.sort();
    Ok(files)
}

/// Reads a file, refusing one over [`MAX_FILE_BYTES`] before reading it.
fn read_capped(file: &Path, size: u64) -> Result<Vec<u8>, String> {
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{}: {size} bytes is more than the limit of {MAX_FILE_BYTES} bytes ({} MiB)",
            file.display(),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads and parses the files of a path source's `inputs`.
fn parse_path(source: &SourceConfig, path: &Path, inputs: &Inputs) -> Result<Parsed, String> {
    let mut as_of = None;
    let mut files = Vec::new();
    for version in &inputs.files {
        if let Version::File(file, size, modified) = version {
            as_of = as_of.max(Some(*modified));
            files.push((file_name(file), read_capped(file, *size)?));
        }
    }
    let as_of = as_of.map_or_else(Utc::now, DateTime::<Utc>::from);
    // Names in messages are relative to the directory: `public/demo/garbage/area_days.csv:3: …`.
    let dir = if source.kind != SourceKind::Garbage5374 && path.is_file() {
        path.parent().unwrap_or(Path::new(""))
    } else {
        path
    };
    let place = if dir.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}/", dir.display())
    };
    parse(source, &files, &place, &path.display().to_string(), as_of)
}

/// Parses the downloaded files of a URL source; messages name each file by its URL.
fn parse_downloads(
    source: &SourceConfig,
    url: &str,
    files: &[DownloadedFile],
) -> Result<Parsed, String> {
    let as_of = files
        .iter()
        .map(|f| f.modified)
        .max()
        .unwrap_or_else(Utc::now);
    let place = files
        .first()
        .map(|f| f.url[..f.url.len() - f.name.len()].to_owned())
        .unwrap_or_default();
    let bytes: Vec<(String, &[u8])> = files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.as_slice()))
        .collect();
    parse(source, &bytes, &place, url, as_of)
}

/// Parses a source's files, given as (name, bytes) with `area_days.csv` (or `area.csv`) first for
/// a 5374 source. Errors and warnings name the file as `{place}{name}` with line and column:
/// `place` is the directory (`dir/`) or base URL the names are relative to; `location` names the
/// whole source.
fn parse(
    source: &SourceConfig,
    files: &[(String, impl AsRef<[u8]>)],
    place: &str,
    location: &str,
    as_of: DateTime<Utc>,
) -> Result<Parsed, String> {
    let settings = &source.garbage;
    let in_place = |e: &GarbageError| format!("{place}{e}");
    let (calendar, warnings) = match source.kind {
        SourceKind::Garbage5374 => {
            let get = |name: &str| {
                files
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, b)| b.as_ref())
            };
            let (area_days_name, area_days) = files
                .first()
                .map(|(n, b)| (n, b.as_ref()))
                .ok_or_else(|| format!("no area_days.csv (or area.csv) in {location}"))?;
            let files = Files5374 {
                area_days,
                center: get("center.csv"),
                target: get("target.csv"),
                description: get("description.csv"),
                remarks: get("remarks.csv"),
                area_days_name: Some(area_days_name),
            };
            let options = ParseOptions {
                strict: settings.strict,
                suspension_policy: settings.suspension,
            };
            parse_5374_with(&files, &options).map_err(|e| in_place(&e))?
        }
        _ => {
            for name in settings.area_names.keys() {
                if !files.iter().any(|(n, _)| n == name) {
                    return Err(format!("`areas` names {name}, which is not in {location}"));
                }
            }
            parse_ics_files(files, settings, place)?
        }
    };
    let shown = warnings.len().min(MAX_LOGGED_WARNINGS);
    for warning in &warnings[..shown] {
        tracing::warn!("{}", in_place(warning));
    }
    if warnings.len() > shown {
        tracing::warn!(
            "{location}: {} more warnings not shown",
            warnings.len() - shown
        );
    }
    Ok(Parsed { calendar, as_of })
}

/// One downloaded file of a URL source.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DownloadedFile {
    /// The name the parser knows it by (`area_days.csv`, `R5calendar_akitsu.ics`): the last part
    /// of `url`.
    name: String,
    url: String,
    sha256: String,
    #[serde(default, skip_serializing_if = "Validators::is_empty")]
    validators: Validators,
    /// Its `Last-Modified`, else when this content was first downloaded.
    modified: DateTime<Utc>,
    #[serde(skip)]
    bytes: Arc<Vec<u8>>,
}

/// A URL source's last complete set of files and the error of its last poll.
#[derive(Debug, Clone, Default)]
struct SourceDownload {
    url: String,
    files: Arc<Vec<DownloadedFile>>,
    error: Option<String>,
    /// The hashes of the set saved in the state directory.
    saved: Vec<String>,
}

/// `{state_dir}/garbage/{city}/{source}/index.json`: the saved set; each file's bytes are beside
/// it, named by their SHA-256.
#[derive(Debug, Serialize, Deserialize)]
struct SavedSet {
    url: String,
    files: Vec<DownloadedFile>,
}

/// The files of every `url` garbage source as last downloaded, shared by the poller
/// ([`Downloads::poll`], in the async refresh loop) and the feed builder ([`ingest`], which parses
/// them like a path source's files). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Downloads {
    inner: Arc<DownloadsInner>,
}

#[derive(Debug)]
struct DownloadsInner {
    fetcher: Fetcher,
    /// `{state_dir}/garbage`, where the last good set of each source is kept.
    dir: Option<PathBuf>,
    /// One poll at a time.
    polling: tokio::sync::Mutex<()>,
    /// By (city, source).
    sources: Mutex<BTreeMap<(String, String), SourceDownload>>,
}

impl Downloads {
    /// A downloader keeping the last good files under `{state_dir}/garbage` (read back now), or
    /// only in memory without a state directory.
    pub fn open(state_dir: Option<&Path>) -> Result<Downloads, String> {
        let dir = state_dir.map(|d| d.join("garbage"));
        let sources = dir.as_deref().map(load_saved).unwrap_or_default();
        Ok(Downloads {
            inner: Arc::new(DownloadsInner {
                fetcher: Fetcher::new()?,
                dir,
                polling: tokio::sync::Mutex::new(()),
                sources: Mutex::new(sources),
            }),
        })
    }

    fn sources(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), SourceDownload>> {
        // Every update swaps whole values, so a poisoned lock still holds consistent data.
        self.inner.sources.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The last complete set of files of a source at `url` and the error of its last poll;
    /// `None` before it was polled (or read back from the state directory).
    fn snapshot(
        &self,
        city: &str,
        source: &str,
        url: &str,
    ) -> Option<(Arc<Vec<DownloadedFile>>, Option<String>)> {
        let sources = self.sources();
        let download = sources.get(&(city.to_owned(), source.to_owned()))?;
        (download.url == url).then(|| (download.files.clone(), download.error.clone()))
    }

    /// Downloads what changed of every `url` garbage source of `cities`. Never fails: a source
    /// whose files cannot all be fetched keeps its last set, with the error (see [`ingest`]).
    pub async fn poll(&self, cities: &[CityConfig]) {
        let _one_at_a_time = self.inner.polling.lock().await;
        let mut polled = BTreeSet::new();
        for city in cities {
            for source in city.sources.iter().filter(|s| s.is_garbage()) {
                let SourceLocation::Url(url) = &source.location else {
                    continue;
                };
                let key = (city.id.clone(), source.id.clone());
                let previous = self
                    .sources()
                    .get(&key)
                    .filter(|d| d.url == *url)
                    .map(|d| d.files.clone())
                    .unwrap_or_default();
                let result = match source.kind {
                    SourceKind::Garbage5374 => self.download_5374(url, &previous).await,
                    _ => self.download_one(url, &previous).await,
                };
                let mut sources = self.sources();
                let entry = sources.entry(key.clone()).or_default();
                if entry.url != *url {
                    *entry = SourceDownload {
                        url: url.clone(),
                        ..SourceDownload::default()
                    };
                }
                let prefix = format!("{}: source `{}`", city.file.display(), source.id);
                match result {
                    Ok(files) => {
                        if entry.error.take().is_some() {
                            tracing::info!("{prefix}: {url} can be read again");
                        }
                        entry.files = Arc::new(files);
                    }
                    Err(e) => {
                        if entry.error.as_ref() != Some(&e) {
                            tracing::error!(
                                "{prefix}: {e} (the last good calendar, if any, is kept)"
                            );
                        }
                        entry.error = Some(e);
                    }
                }
                polled.insert(key);
            }
        }
        // Sources no longer configured (their saved files stay until the source comes back).
        self.sources().retain(|key, _| polled.contains(key));
    }

    /// `area_days.csv` (else `area.csv`) and the optional files of the directory at `base`.
    async fn download_5374(
        &self,
        base: &str,
        previous: &[DownloadedFile],
    ) -> Result<Vec<DownloadedFile>, String> {
        let base = if base.ends_with('/') {
            base.to_owned()
        } else {
            format!("{base}/")
        };
        let mut area_days = None;
        for name in ["area_days.csv", "area.csv"] {
            area_days = self.download(&base, name, previous).await?;
            if area_days.is_some() {
                break;
            }
        }
        let area_days = area_days
            .ok_or_else(|| format!("no area_days.csv (or area.csv) at {base} (HTTP 404)"))?;
        let mut files = vec![area_days];
        for name in OPTIONAL_5374 {
            files.extend(self.download(&base, name, previous).await?);
        }
        Ok(files)
    }

    /// The one file at `url`.
    async fn download_one(
        &self,
        url: &str,
        previous: &[DownloadedFile],
    ) -> Result<Vec<DownloadedFile>, String> {
        let split = url.rfind('/').map_or(0, |i| i + 1);
        let (base, name) = url.split_at(split);
        let file = self
            .download(base, name, previous)
            .await?
            .ok_or_else(|| format!("{url}: HTTP 404 Not Found"))?;
        Ok(vec![file])
    }

    /// `{base}{name}`, conditionally on its last download; `None` when the server has none.
    async fn download(
        &self,
        base: &str,
        name: &str,
        previous: &[DownloadedFile],
    ) -> Result<Option<DownloadedFile>, String> {
        let url = format!("{base}{name}");
        let last = previous.iter().find(|f| f.url == url);
        let validators = last.map(|f| &f.validators).filter(|v| !v.is_empty());
        let fetched = self
            .inner
            .fetcher
            .get(&url, validators, MAX_FILE_BYTES as usize)
            .await?;
        Ok(match fetched {
            None => None,
            Some(Fetched::NotModified) => Some(
                last.cloned()
                    .ok_or_else(|| format!("{url}: 304 Not Modified to a plain request"))?,
            ),
            Some(Fetched::Body { bytes, validators }) => {
                let sha256 = hex_sha256(&bytes);
                match last.filter(|f| f.sha256 == sha256) {
                    // The same content again (a server without validators): not new.
                    Some(last) => Some(DownloadedFile {
                        validators,
                        ..last.clone()
                    }),
                    None => Some(DownloadedFile {
                        name: name.to_owned(),
                        url,
                        sha256,
                        modified: validators
                            .last_modified
                            .as_deref()
                            .and_then(|t| DateTime::parse_from_rfc2822(t).ok())
                            .map_or_else(Utc::now, |t| t.with_timezone(&Utc)),
                        validators,
                        bytes: Arc::new(bytes),
                    }),
                }
            }
        })
    }

    /// Saves `files`, a set that parsed and resolved, as the source's last good set (blocking).
    /// A failure to save is logged: serving goes on from memory.
    fn keep(&self, city: &str, source: &str, url: &str, files: &[DownloadedFile]) {
        let Some(root) = &self.inner.dir else {
            return;
        };
        let key = (city.to_owned(), source.to_owned());
        let hashes: Vec<String> = files.iter().map(|f| f.sha256.clone()).collect();
        let saved = self
            .sources()
            .get(&key)
            .is_some_and(|d| d.url == url && d.saved == hashes);
        if saved {
            return;
        }
        let dir = root.join(city).join(source);
        match save_set(&dir, url, files) {
            Ok(()) => {
                if let Some(d) = self.sources().get_mut(&key).filter(|d| d.url == url) {
                    d.saved = hashes;
                }
            }
            Err(e) => tracing::warn!(
                "{e}: the last good garbage files of `{city}` are not saved (served from memory)"
            ),
        }
    }
}

/// Writes the files of a set and its `index.json` under `dir`, then removes older files.
fn save_set(dir: &Path, url: &str, files: &[DownloadedFile]) -> Result<(), String> {
    for file in files {
        let path = dir.join(&file.sha256);
        if !path.is_file() {
            write_atomic(&path, &file.bytes)?;
        }
    }
    let index = SavedSet {
        url: url.to_owned(),
        files: files.to_vec(),
    };
    // Strings, numbers and lists only: always serialises.
    let json = serde_json::to_vec_pretty(&index).expect("the index serialises");
    write_atomic(&dir.join("index.json"), &json)?;
    let keep: BTreeSet<&str> = files.iter().map(|f| f.sha256.as_str()).collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "index.json" && !keep.contains(name.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}

/// The saved sets under `{state_dir}/garbage`; a set that cannot be read whole is skipped (and
/// logged).
fn load_saved(root: &Path) -> BTreeMap<(String, String), SourceDownload> {
    let mut sources = BTreeMap::new();
    let dirs = |dir: &Path| -> Vec<(String, PathBuf)> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect()
    };
    for (city, city_dir) in dirs(root) {
        for (source, dir) in dirs(&city_dir) {
            match read_set(&dir) {
                Ok(set) => {
                    tracing::info!(
                        "read the saved garbage files of `{city}` ({})",
                        dir.display()
                    );
                    let saved = set.files.iter().map(|f| f.sha256.clone()).collect();
                    sources.insert(
                        (city.clone(), source),
                        SourceDownload {
                            url: set.url,
                            files: Arc::new(set.files),
                            error: None,
                            saved,
                        },
                    );
                }
                Err(e) => tracing::warn!("{e} (skipped: the source is downloaded again)"),
            }
        }
    }
    sources
}

fn read_set(dir: &Path) -> Result<SavedSet, String> {
    let path = dir.join("index.json");
    let json = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut set: SavedSet = serde_json::from_slice(&json)
        .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
    for file in &mut set.files {
        let blob = dir.join(&file.sha256);
        let bytes =
            std::fs::read(&blob).map_err(|e| format!("cannot read {}: {e}", blob.display()))?;
        if hex_sha256(&bytes) != file.sha256 || !file.url.ends_with(&file.name) {
            return Err(format!(
                "{} does not match {}",
                blob.display(),
                path.display()
            ));
        }
        file.bytes = Arc::new(bytes);
    }
    Ok(set)
}

/// One area per file, merged into one calendar; a category label seen in several files is one
/// category.
fn parse_ics_files(
    files: &[(String, impl AsRef<[u8]>)],
    settings: &GarbageSettings,
    place: &str,
) -> Result<(GarbageCalendar, Vec<Warning>), String> {
    let mut merged = GarbageCalendar {
        suspension_policy: settings.suspension,
        ..GarbageCalendar::default()
    };
    let mut warnings = Vec::new();
    for (name, bytes) in files {
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let area_name = settings.area_names.get(name).cloned().unwrap_or(stem);
        let (mut calendar, found) =
            parse_ics(bytes.as_ref(), name, &area_name).map_err(|e| format!("{place}{e}"))?;
        if settings.strict {
            if let Some(first) = found.first() {
                return Err(format!("{place}{first}"));
            }
        }
        warnings.extend(found);
        for mut category in std::mem::take(&mut calendar.categories) {
            let existing = merged.categories.iter().find(|c| c.id == category.id);
            match existing {
                Some(c) if c.label == category.label => continue,
                Some(_) => {
                    // The same kind under another label in another file: keep them apart.
                    let label = category.label.original().unwrap_or_default().to_owned();
                    let id = category_id(&label, category.kind.as_deref(), false);
                    for area in &mut calendar.areas {
                        for schedule in &mut area.schedules {
                            if schedule.category == category.id {
                                schedule.category = id.clone();
                            }
                        }
                    }
                    category.id = id;
                    if !merged.categories.iter().any(|c| c.id == category.id) {
                        merged.categories.push(category);
                    }
                }
                None => merged.categories.push(category),
            }
        }
        for area in calendar.areas {
            if let Some(other) = merged.areas.iter().find(|a| a.id == area.id) {
                return Err(format!(
                    "{place}{name}: area `{area_name}` is also the area of another file ({})",
                    other.name.original().unwrap_or_default()
                ));
            }
            merged.areas.push(area);
        }
    }
    Ok((merged, warnings))
}

/// The city's areas pointing at `calendar`'s; without `[[areas]]`, the calendar's own areas.
/// Fails on the first area whose garbage name the calendar lacks.
pub fn resolve(city: &CityConfig, calendar: &GarbageCalendar) -> Result<Vec<Area>, String> {
    if city.areas.is_empty() {
        return Ok(calendar_areas(calendar));
    }
    city.areas
        .iter()
        .map(|area| match find(calendar, area.garbage_name()) {
            Some(id) => Ok(city_area(area, Some(id))),
            None => Err(unresolved(area, calendar)),
        })
        .collect()
}

/// [`resolve`] that leaves an unknown name unresolved instead of failing.
fn resolve_leniently(city: &CityConfig, calendar: &GarbageCalendar) -> Vec<Area> {
    if city.areas.is_empty() {
        return calendar_areas(calendar);
    }
    city.areas
        .iter()
        .map(|area| city_area(area, find(calendar, area.garbage_name())))
        .collect()
}

fn calendar_areas(calendar: &GarbageCalendar) -> Vec<Area> {
    calendar
        .areas
        .iter()
        .map(|a| Area {
            id: a.id.clone(),
            name: a.name.clone(),
            kana: a.kana.clone(),
            garbage_area: Some(a.id.clone()),
            point: None,
        })
        .collect()
}

/// The city's area as the feed carries it.
pub fn city_area(area: &AreaConfig, garbage_area: Option<String>) -> Area {
    Area {
        id: area.id.clone(),
        name: area.name.clone(),
        kana: area.kana.clone(),
        garbage_area,
        point: area.point,
    }
}

/// The id of the calendar area named `name`, compared folded (width, kana, spaces).
fn find(calendar: &GarbageCalendar, name: &str) -> Option<String> {
    let wanted = fold(name);
    calendar
        .areas
        .iter()
        .find(|a| a.name.original().is_some_and(|n| fold(n) == wanted))
        .map(|a| a.id.clone())
}

fn unresolved(area: &AreaConfig, calendar: &GarbageCalendar) -> String {
    let name = area.garbage_name();
    let place = match area.position {
        Some((line, column)) => format!(" (line {line}, column {column})"),
        None => String::new(),
    };
    let close = closest(calendar, name, 3);
    let hint = if close.is_empty() {
        "the calendar has no areas".to_owned()
    } else {
        format!("close names in the calendar: {}", close.join(", "))
    };
    format!(
        "area `{}`{place}: its garbage area `{name}` is not in the calendar; set \
         `garbage = \"…\"` to the calendar's name ({hint})",
        area.id
    )
}

/// The `n` calendar area names nearest to `name` by edit distance of the folded names.
fn closest(calendar: &GarbageCalendar, name: &str, n: usize) -> Vec<String> {
    let wanted: Vec<char> = fold(name).chars().collect();
    let mut scored: Vec<(usize, &str)> = calendar
        .areas
        .iter()
        .filter_map(|a| a.name.original())
        .map(|n| {
            (
                edit_distance(&wanted, &fold(n).chars().collect::<Vec<_>>()),
                n,
            )
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(n)
        .map(|(_, n)| n.to_owned())
        .collect()
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Loaded};
    use crate::feeds::Feeds;
    use std::collections::{BTreeMap, BTreeSet};

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn shared(dir: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/garbage")
            .join(dir)
    }

    /// A city file with one garbage source at `path`; `areas` is TOML for `[[areas]]` (or "").
    fn city_toml(kind: &str, path: &Path, areas: &str, extra: &str) -> String {
        format!(
            r#"id = "test"
timezone = "Asia/Tokyo"
name = {{ ja = "テスト市" }}
{areas}
[[sources]]
id = "garbage"
kind = "{kind}"
path = '{}'
licence = "CC BY 4.0"
title = {{ ja = "ごみ" }}
attribution = {{ ja = "テスト市" }}
{extra}"#,
            path.display()
        )
    }

    fn loaded(text: &str) -> Loaded {
        let city =
            config::parse(Path::new("cities/test.toml"), text).unwrap_or_else(|e| panic!("{e}"));
        Loaded {
            cities: vec![city],
            errors: vec![],
        }
    }

    fn source(feeds: &Feeds) -> machi_data::SourceInfo {
        let city = feeds.city("test").unwrap();
        city.sources
            .iter()
            .find(|s| s.id == "garbage")
            .unwrap()
            .clone()
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    }

    const DEMO_AREAS: &str = r#"
[[areas]]
id = "kita"
name = { ja = "北地区" }

[[areas]]
id = "minami"
name = { ja = "南地区" }
"#;

    #[test]
    fn the_real_demo_city_resolves_its_four_areas() {
        let mut city = config::load_file(&repo().join("cities/demo.toml")).unwrap();
        for source in &mut city.sources {
            if let SourceLocation::Path(p) = &source.location {
                source.location = SourceLocation::Path(repo().join(p));
            }
        }
        let feeds = Feeds::default().rebuild(
            &Loaded {
                cities: vec![city],
                errors: vec![],
            },
            Utc::now(),
        );
        let garbage = feeds.garbage("demo").expect("a garbage feed");
        assert_eq!(garbage.source, "garbage");
        assert_eq!(garbage.version, machi_data::FEED_VERSION);
        assert_eq!(garbage.calendar.categories.len(), 7);
        let feed = feeds.city("demo").unwrap();
        assert_eq!(feed.areas.len(), 4);
        for area in &feed.areas {
            let id = area
                .garbage_area
                .as_deref()
                .unwrap_or_else(|| panic!("{area:?}"));
            let target = garbage.calendar.area(id).unwrap();
            assert_eq!(target.name.original(), area.name.original());
        }
        let info = feed.sources.iter().find(|s| s.id == "garbage").unwrap();
        assert!(!info.stale && info.last_error.is_none(), "{info:?}");
        assert!(info.as_of.is_some());
        // The profile source is still there.
        assert!(feed.sources.iter().any(|s| s.id == "profile"));
    }

    #[test]
    fn six_real_5374_cities_ingest_without_areas() {
        for name in [
            "hachioji",
            "hakodate",
            "kanazawa",
            "meguro",
            "nara",
            "takamatsu",
        ] {
            let text = city_toml("garbage-5374", &shared(name), "", "");
            let feeds = Feeds::default().rebuild(&loaded(&text), Utc::now());
            let info = source(&feeds);
            assert!(!info.stale, "{name}: {:?}", info.last_error);
            let calendar = &feeds.garbage("test").unwrap().calendar;
            let city = feeds.city("test").unwrap();
            assert!(!city.areas.is_empty(), "{name}");
            assert_eq!(city.areas.len(), calendar.areas.len(), "{name}");
            for area in &city.areas {
                assert_eq!(
                    area.garbage_area.as_deref(),
                    Some(area.id.as_str()),
                    "{name}"
                );
                assert!(calendar.area(&area.id).is_some(), "{name}");
            }
        }
    }

    #[test]
    fn narashino_ics_ingests_as_garbage_ical() {
        let dir = shared("narashino_ics");
        let extra = "[sources.areas]\n\"R5calendar_akitsu.ics\" = \"秋津\"\n";
        let areas = "[[areas]]\nid = \"akitsu\"\nname = { ja = \"秋津\" }\n";
        let feeds = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-ical", &dir, areas, extra)),
            Utc::now(),
        );
        assert!(!source(&feeds).stale, "{:?}", source(&feeds).last_error);
        let calendar = &feeds.garbage("test").unwrap().calendar;
        assert_eq!(calendar.areas.len(), 1);
        assert!(!calendar.categories.is_empty());
        let area = &feeds.city("test").unwrap().areas[0];
        assert_eq!(
            area.garbage_area.as_deref(),
            Some(calendar.areas[0].id.as_str())
        );

        // One file, no name given: the area is named by the file stem.
        let file = dir.join("R5calendar_akitsu.ics");
        let feeds = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-ical", &file, "", "")),
            Utc::now(),
        );
        let city = feeds.city("test").unwrap();
        assert_eq!(city.areas[0].name.original(), Some("R5calendar_akitsu"));
    }

    #[test]
    fn several_ics_files_merge_into_one_calendar() {
        let tmp = tempfile::tempdir().unwrap();
        let original = shared("narashino_ics").join("R5calendar_akitsu.ics");
        std::fs::copy(&original, tmp.path().join("akitsu.ics")).unwrap();
        std::fs::copy(&original, tmp.path().join("yatsu.ics")).unwrap();
        std::fs::write(tmp.path().join("README.txt"), "not a calendar").unwrap();
        let feeds = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-ical", tmp.path(), "", "")),
            Utc::now(),
        );
        let calendar = &feeds.garbage("test").unwrap().calendar;
        assert_eq!(calendar.areas.len(), 2);
        let one = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-ical", &original, "", "")),
            Utc::now(),
        );
        let single = &one.garbage("test").unwrap().calendar;
        assert_eq!(calendar.categories, single.categories);

        // A name in `[sources.areas]` that is no file is a typo worth an error.
        let extra = "[sources.areas]\n\"akitsu2.ics\" = \"秋津\"\n";
        let feeds = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-ical", tmp.path(), "", extra)),
            Utc::now(),
        );
        let error = source(&feeds).last_error.unwrap();
        assert!(error.contains("akitsu2.ics"), "{error}");
    }

    #[test]
    fn a_source_that_turns_bad_keeps_the_last_good_calendar() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_dir(&repo().join("public/demo/garbage"), &data);
        let text = city_toml("garbage-5374", &data, DEMO_AREAS, "");
        let good = Feeds::default().rebuild(&loaded(&text), Utc::now());
        let good_info = source(&good);
        assert!(!good_info.stale);

        let header = std::fs::read_to_string(data.join("area_days.csv")).unwrap();
        let header = header.lines().next().unwrap().to_owned();
        std::fs::write(
            data.join("area_days.csv"),
            format!("{header}\n北地区,まち市東部清掃センター\n"),
        )
        .unwrap();
        let bad = good.rebuild(&loaded(&text), Utc::now());
        let info = source(&bad);
        assert!(info.stale);
        let error = info.last_error.as_deref().unwrap();
        assert!(
            error.contains("cities/test.toml: source `garbage`"),
            "{error}"
        );
        assert!(error.contains("area_days.csv:2"), "{error}");
        assert_eq!(info.as_of, good_info.as_of);
        assert_eq!(bad.garbage_doc("test"), good.garbage_doc("test"));
        assert_eq!(
            bad.city("test").unwrap().areas,
            good.city("test").unwrap().areas
        );

        // The bad files are not parsed again at every refresh either.
        let again = bad.rebuild(&loaded(&text), Utc::now());
        assert_eq!(again.garbage_parses("test"), 2);
        assert!(source(&again).stale);
    }

    #[test]
    fn an_unchanged_refresh_does_not_parse_again() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_dir(&repo().join("public/demo/garbage"), &data);
        let text = city_toml("garbage-5374", &data, DEMO_AREAS, "");
        let mut feeds = Feeds::default().rebuild(&loaded(&text), Utc::now());
        let first = feeds.garbage_doc("test").unwrap().clone();
        for _ in 0..5 {
            feeds = feeds.rebuild(&loaded(&text), Utc::now());
        }
        assert_eq!(feeds.garbage_parses("test"), 1);
        assert_eq!(feeds.garbage_doc("test"), Some(&first));

        // Changing a setting or a file parses again.
        let strict = city_toml("garbage-5374", &data, DEMO_AREAS, "")
            .replace("licence =", "suspension = \"shift-one-week\"\nlicence =");
        feeds = feeds.rebuild(&loaded(&strict), Utc::now());
        assert_eq!(feeds.garbage_parses("test"), 2);
        assert_ne!(feeds.garbage_doc("test"), Some(&first));
        let remarks = data.join("remarks.csv");
        let text2 = std::fs::read_to_string(&remarks).unwrap();
        std::fs::write(&remarks, format!("{text2}\n")).unwrap();
        feeds = feeds.rebuild(&loaded(&strict), Utc::now());
        assert_eq!(feeds.garbage_parses("test"), 3);
    }

    #[test]
    fn an_unresolved_area_names_the_area_and_close_names() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_dir(&repo().join("public/demo/garbage"), &data);
        let areas =
            DEMO_AREAS.replace("ja = \"南地区\" }", "ja = \"南地区\" }\ngarbage = \"南地\"");
        let feeds = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-5374", &data, &areas, "")),
            Utc::now(),
        );
        let info = source(&feeds);
        assert!(info.stale);
        let error = info.last_error.unwrap();
        assert!(error.contains("cities/test.toml"), "{error}");
        assert!(error.contains("area `minami`"), "{error}");
        assert!(error.contains("`南地`"), "{error}");
        assert!(
            error.contains("close names in the calendar: 南地区"),
            "{error}"
        );
        // Nothing good yet: no garbage feed, but the area that resolves still points at its area.
        assert!(feeds.garbage("test").is_none());
        assert!(feeds.has_garbage_source("test"));

        // Width and kana differences do not matter.
        let areas = DEMO_AREAS.replace("ja = \"北地区\"", "ja = \"北地区 \"");
        let feeds = Feeds::default().rebuild(
            &loaded(&city_toml("garbage-5374", &data, &areas, "")),
            Utc::now(),
        );
        assert!(!source(&feeds).stale, "{:?}", source(&feeds).last_error);
    }

    #[test]
    fn oversized_and_missing_files_are_errors_naming_them() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_dir(&repo().join("public/demo/garbage"), &data);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(data.join("target.csv"))
            .unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let text = city_toml("garbage-5374", &data, DEMO_AREAS, "");
        let feeds = Feeds::default().rebuild(&loaded(&text), Utc::now());
        let error = source(&feeds).last_error.unwrap();
        assert!(
            error.contains("target.csv") && error.contains("limit"),
            "{error}"
        );

        let empty = tmp.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let text = city_toml("garbage-5374", &empty, DEMO_AREAS, "");
        let feeds = Feeds::default().rebuild(&loaded(&text), Utc::now());
        let error = source(&feeds).last_error.unwrap();
        assert!(error.contains("no area_days.csv"), "{error}");
    }

    #[test]
    fn without_a_downloader_a_url_source_is_left_alone() {
        // As in `check`: the source is shown with its URL, neither read nor stale.
        let text = url_toml("garbage-5374", "https://example.org/5374/", DEMO_AREAS);
        let feeds = Feeds::default().rebuild(&loaded(&text), Utc::now());
        let info = source(&feeds);
        assert!(!info.stale && info.last_error.is_none() && info.as_of.is_none());
        assert_eq!(info.url.as_deref(), Some("https://example.org/5374/"));
        assert!(feeds.garbage("test").is_none());
        assert!(feeds
            .city("test")
            .unwrap()
            .areas
            .iter()
            .all(|a| a.garbage_area.is_none()));
    }

    /// A city file with one garbage source at `url`.
    fn url_toml(kind: &str, url: &str, areas: &str) -> String {
        city_toml(kind, Path::new("x"), areas, "")
            .replace("path = 'x'", &format!("url = \"{url}\""))
    }

    /// What the test server serves and what it was asked.
    #[derive(Default)]
    struct Served {
        /// By URL path.
        files: BTreeMap<String, Vec<u8>>,
        /// URL paths answered with 500.
        failing: BTreeSet<String>,
        /// (path, sent If-None-Match and If-Modified-Since, status) of every request.
        log: Vec<(String, bool, u16)>,
    }

    struct Server {
        /// `http://127.0.0.1:{port}`
        origin: String,
        served: Arc<Mutex<Served>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Server {
        /// Serves `files` (URL path, bytes) on 127.0.0.1 with ETags and Last-Modified.
        async fn start(files: Vec<(String, Vec<u8>)>) -> Server {
            use axum::http::{header, HeaderMap, StatusCode, Uri};
            use axum::response::IntoResponse;
            let served = Arc::new(Mutex::new(Served {
                files: files.into_iter().collect(),
                ..Served::default()
            }));
            let state = served.clone();
            let handler = move |uri: Uri, headers: HeaderMap| {
                let served = state.clone();
                async move {
                    let mut served = served.lock().unwrap();
                    let path = uri.path().to_owned();
                    let conditional = headers.contains_key(header::IF_NONE_MATCH)
                        && headers.contains_key(header::IF_MODIFIED_SINCE);
                    let (status, response) = if served.failing.contains(&path) {
                        let status = StatusCode::INTERNAL_SERVER_ERROR;
                        (status, status.into_response())
                    } else if let Some(bytes) = served.files.get(&path) {
                        let etag = format!("\"{}\"", &hex_sha256(bytes)[..16]);
                        let matches = headers
                            .get(header::IF_NONE_MATCH)
                            .is_some_and(|v| v.as_bytes() == etag.as_bytes());
                        let validators = [
                            (header::ETAG, etag),
                            (
                                header::LAST_MODIFIED,
                                "Wed, 01 Nov 2023 00:00:00 GMT".to_owned(),
                            ),
                        ];
                        if matches {
                            let status = StatusCode::NOT_MODIFIED;
                            (status, (status, validators).into_response())
                        } else {
                            let body = bytes.clone();
                            (StatusCode::OK, (validators, body).into_response())
                        }
                    } else {
                        let status = StatusCode::NOT_FOUND;
                        (status, status.into_response())
                    };
                    served.log.push((path, conditional, status.as_u16()));
                    response
                }
            };
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let origin = format!("http://{}", listener.local_addr().unwrap());
            let router = axum::Router::new().fallback(handler);
            let task = tokio::spawn(async move {
                axum::serve(listener, router).await.unwrap();
            });
            Server {
                origin,
                served,
                task,
            }
        }

        fn served(&self) -> std::sync::MutexGuard<'_, Served> {
            self.served.lock().unwrap()
        }

        /// The requests since the last call.
        fn requests(&self) -> Vec<(String, bool, u16)> {
            std::mem::take(&mut self.served().log)
        }
    }

    /// The real files of a shared 5374 directory, under the URL path `/{dir}/`.
    fn shared_5374(dir: &str) -> Vec<(String, Vec<u8>)> {
        ["area_days.csv"]
            .into_iter()
            .chain(OPTIONAL_5374)
            .map(|name| {
                let bytes = std::fs::read(shared(dir).join(name)).unwrap();
                (format!("/{dir}/{name}"), bytes)
            })
            .collect()
    }

    /// Polls `downloads` for the cities of `text`, then rebuilds `feeds` from them.
    async fn poll(feeds: &Feeds, text: &str, downloads: &Downloads) -> Feeds {
        let loaded = loaded(text);
        downloads.poll(&loaded.cities).await;
        feeds.rebuild_with(&loaded, Utc::now(), None, Some(downloads))
    }

    /// The feeds of the real path source `shared/data/garbage/{dir}`.
    fn from_path(kind: &str, path: &Path) -> Feeds {
        Feeds::default().rebuild(&loaded(&city_toml(kind, path, "", "")), Utc::now())
    }

    #[tokio::test]
    async fn a_url_5374_source_is_its_path_calendar_read_conditionally() {
        let server = Server::start(shared_5374("kanazawa")).await;
        let url = format!("{}/kanazawa/", server.origin);
        let text = url_toml("garbage-5374", &url, "");
        let downloads = Downloads::open(None).unwrap();
        let feeds = poll(&Feeds::default(), &text, &downloads).await;

        let info = source(&feeds);
        assert!(!info.stale, "{:?}", info.last_error);
        assert_eq!(info.url.as_deref(), Some(url.as_str()));
        // As of the files' Last-Modified.
        assert_eq!(
            info.as_of.unwrap().to_rfc3339(),
            "2023-11-01T00:00:00+00:00"
        );
        let expected = from_path("garbage-5374", &shared("kanazawa"));
        let calendar = &feeds.garbage("test").unwrap().calendar;
        assert!(calendar.areas.len() > 10, "{}", calendar.areas.len());
        assert_eq!(calendar, &expected.garbage("test").unwrap().calendar);
        assert_eq!(
            feeds.city("test").unwrap().areas,
            expected.city("test").unwrap().areas
        );
        let first = server.requests();
        assert_eq!(first.len(), 5, "{first:?}");
        assert!(first
            .iter()
            .all(|(_, conditional, status)| !conditional && *status == 200));

        // Nothing changed: every file is asked for conditionally, nothing is sent or parsed.
        let doc = feeds.garbage_doc("test").unwrap().clone();
        let mut again = feeds;
        for _ in 0..2 {
            again = poll(&again, &text, &downloads).await;
            let requests = server.requests();
            assert_eq!(requests.len(), 5, "{requests:?}");
            assert!(
                requests.iter().all(|(_, c, status)| *c && *status == 304),
                "{requests:?}"
            );
        }
        assert_eq!(again.garbage_parses("test"), 1);
        assert_eq!(again.garbage_doc("test"), Some(&doc));
        assert!(!source(&again).stale);
        server.task.abort();
    }

    #[tokio::test]
    async fn a_shift_jis_directory_without_a_trailing_slash_reads_the_same() {
        let files = shared_5374("kanazawa")
            .into_iter()
            .map(|(path, bytes)| {
                let text = String::from_utf8(bytes).unwrap();
                let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
                assert!(!unmappable, "{path}");
                (path, sjis.into_owned())
            })
            .collect();
        let server = Server::start(files).await;
        let text = url_toml("garbage-5374", &format!("{}/kanazawa", server.origin), "");
        let feeds = poll(&Feeds::default(), &text, &Downloads::open(None).unwrap()).await;
        assert!(!source(&feeds).stale, "{:?}", source(&feeds).last_error);
        let expected = from_path("garbage-5374", &shared("kanazawa"));
        assert_eq!(
            feeds.garbage("test").unwrap().calendar,
            expected.garbage("test").unwrap().calendar
        );
        server.task.abort();
    }

    #[tokio::test]
    async fn area_csv_is_read_when_there_is_no_area_days_csv() {
        let files = shared_5374("kanazawa")
            .into_iter()
            .map(|(path, bytes)| (path.replace("area_days.csv", "area.csv"), bytes))
            .filter(|(path, _)| !path.ends_with("remarks.csv"))
            .collect();
        let server = Server::start(files).await;
        let text = url_toml("garbage-5374", &format!("{}/kanazawa/", server.origin), "");
        let feeds = poll(&Feeds::default(), &text, &Downloads::open(None).unwrap()).await;
        assert!(!source(&feeds).stale, "{:?}", source(&feeds).last_error);
        let expected = from_path("garbage-5374", &shared("kanazawa"));
        assert_eq!(
            feeds.garbage("test").unwrap().calendar.areas,
            expected.garbage("test").unwrap().calendar.areas
        );
        let mut requests: Vec<_> = server
            .requests()
            .into_iter()
            .map(|(p, _, s)| (p, s))
            .collect();
        requests.sort();
        let expected: Vec<(String, u16)> = [
            ("area.csv", 200),
            ("area_days.csv", 404),
            ("center.csv", 200),
            ("description.csv", 200),
            ("remarks.csv", 404),
            ("target.csv", 200),
        ]
        .iter()
        .map(|(n, s)| (format!("/kanazawa/{n}"), *s))
        .collect();
        assert_eq!(requests, expected);

        // Neither: an error naming the base URL.
        server.served().files.clear();
        let feeds = poll(&feeds, &text, &Downloads::open(None).unwrap()).await;
        let error = source(&feeds).last_error.unwrap();
        assert!(
            error.contains("no area_days.csv (or area.csv) at http://"),
            "{error}"
        );
        server.task.abort();
    }

    #[tokio::test]
    async fn a_url_file_that_turns_malformed_keeps_the_last_good_calendar() {
        let server = Server::start(shared_5374("kanazawa")).await;
        let url = format!("{}/kanazawa/", server.origin);
        let text = url_toml("garbage-5374", &url, "");
        let downloads = Downloads::open(None).unwrap();
        let good = poll(&Feeds::default(), &text, &downloads).await;
        let good_info = source(&good);
        assert!(!good_info.stale);

        let area_days = "/kanazawa/area_days.csv".to_owned();
        let original = server.served().files[&area_days].clone();
        let header = String::from_utf8(original.clone()).unwrap();
        let header = header.lines().next().unwrap().to_owned();
        let bad_bytes = format!("{header}\n浅野川,東部管理センター\n").into_bytes();
        server.served().files.insert(area_days.clone(), bad_bytes);
        let bad = poll(&good, &text, &downloads).await;
        let info = source(&bad);
        assert!(info.stale);
        let error = info.last_error.as_deref().unwrap();
        assert!(
            error.contains("cities/test.toml: source `garbage`"),
            "{error}"
        );
        assert!(error.contains(&format!("{url}area_days.csv:2")), "{error}");
        assert_eq!(info.as_of, good_info.as_of);
        assert_eq!(bad.garbage_doc("test"), good.garbage_doc("test"));
        assert_eq!(
            bad.city("test").unwrap().areas,
            good.city("test").unwrap().areas
        );
        // The bad file is neither downloaded nor parsed again while it stays the same.
        server.requests();
        let again = poll(&bad, &text, &downloads).await;
        assert!(server.requests().iter().all(|(_, _, s)| *s == 304));
        assert_eq!(again.garbage_parses("test"), 2);
        assert!(source(&again).stale);

        // A bad cell is named by URL, line and column (a warning turned error by `strict`).
        let text_strict = text.replace("licence =", "strict = true\nlicence =");
        let good_line = "浅野川,東部管理センター,月 木,水4,火1 火3 火5,水2";
        let bad_cell = format!("{header}\n{}\n", good_line.replace("水4", "水9"));
        server
            .served()
            .files
            .insert(area_days.clone(), bad_cell.into_bytes());
        let strict = poll(&again, &text_strict, &downloads).await;
        let error = source(&strict).last_error.unwrap();
        assert!(
            error.contains(&format!("{url}area_days.csv:2: column 4 (燃やさないごみ)")),
            "{error}"
        );
        assert_eq!(strict.garbage_doc("test"), good.garbage_doc("test"));

        // Fixed: fresh again.
        server.served().files.insert(area_days, original);
        let fixed = poll(&strict, &text, &downloads).await;
        assert!(!source(&fixed).stale, "{:?}", source(&fixed).last_error);
        assert_eq!(
            fixed.garbage("test").unwrap().calendar,
            good.garbage("test").unwrap().calendar
        );
        server.task.abort();
    }

    #[tokio::test]
    async fn a_server_error_keeps_the_last_good_copy() {
        let server = Server::start(shared_5374("kanazawa")).await;
        let url = format!("{}/kanazawa/", server.origin);
        let text = url_toml("garbage-5374", &url, "");
        let downloads = Downloads::open(None).unwrap();
        let good = poll(&Feeds::default(), &text, &downloads).await;
        assert!(!source(&good).stale);

        // A new area_days.csv, but target.csv fails: the new file is not taken either.
        let area_days = "/kanazawa/area_days.csv".to_owned();
        let mut changed = server.served().files[&area_days].clone();
        changed.extend_from_slice("\n".as_bytes());
        server.served().files.insert(area_days, changed);
        server
            .served()
            .failing
            .insert("/kanazawa/target.csv".to_owned());
        let failed = poll(&good, &text, &downloads).await;
        let info = source(&failed);
        assert!(info.stale);
        let error = info.last_error.unwrap();
        assert!(
            error.contains(&format!("{url}target.csv: HTTP 500")),
            "{error}"
        );
        assert_eq!(info.as_of, source(&good).as_of);
        assert_eq!(failed.garbage_doc("test"), good.garbage_doc("test"));
        assert_eq!(failed.garbage_parses("test"), 1);

        server.served().failing.clear();
        let back = poll(&failed, &text, &downloads).await;
        assert!(!source(&back).stale, "{:?}", source(&back).last_error);
        assert_eq!(back.garbage_parses("test"), 2);
        server.task.abort();
    }

    #[tokio::test]
    async fn an_oversized_download_is_refused_by_url() {
        let mut files = shared_5374("kanazawa");
        files[2].1 = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        let server = Server::start(files).await;
        let url = format!("{}/kanazawa/", server.origin);
        let feeds = poll(
            &Feeds::default(),
            &url_toml("garbage-5374", &url, ""),
            &Downloads::open(None).unwrap(),
        )
        .await;
        let error = source(&feeds).last_error.unwrap();
        assert!(
            error.contains(&format!("{url}target.csv: larger than the limit")),
            "{error}"
        );
        assert!(feeds.garbage("test").is_none());
        server.task.abort();
    }

    #[tokio::test]
    async fn a_url_ics_source_is_its_path_calendar() {
        let name = "R5calendar_akitsu.ics";
        let bytes = std::fs::read(shared("narashino_ics").join(name)).unwrap();
        let server = Server::start(vec![(format!("/ics/{name}"), bytes)]).await;
        let url = format!("{}/ics/{name}", server.origin);
        let text = url_toml("garbage-ical", &url, "");
        let downloads = Downloads::open(None).unwrap();
        let feeds = poll(&Feeds::default(), &text, &downloads).await;
        assert!(!source(&feeds).stale, "{:?}", source(&feeds).last_error);
        let expected = from_path("garbage-ical", &shared("narashino_ics").join(name));
        assert_eq!(
            feeds.garbage("test").unwrap().calendar,
            expected.garbage("test").unwrap().calendar
        );
        let city = feeds.city("test").unwrap();
        assert_eq!(city.areas[0].name.original(), Some("R5calendar_akitsu"));
        let again = poll(&feeds, &text, &downloads).await;
        assert_eq!(server.requests().last().unwrap().2, 304);
        assert_eq!(again.garbage_parses("test"), 1);

        // A malformed calendar names its URL and line.
        server.served().files.insert(
            format!("/ics/{name}"),
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n".to_vec(),
        );
        let bad = poll(&again, &text, &downloads).await;
        let error = source(&bad).last_error.unwrap();
        assert!(error.contains(&format!("{url}:")), "{error}");
        assert_eq!(bad.garbage_doc("test"), feeds.garbage_doc("test"));

        // A missing one is an error too.
        let missing = url_toml(
            "garbage-ical",
            &format!("{}/ics/none.ics", server.origin),
            "",
        );
        let feeds = poll(&Feeds::default(), &missing, &downloads).await;
        let error = source(&feeds).last_error.unwrap();
        assert!(error.contains("/ics/none.ics: HTTP 404"), "{error}");
        server.task.abort();
    }

    #[tokio::test]
    async fn the_last_good_files_survive_a_restart_without_network() {
        let state_dir = tempfile::tempdir().unwrap();
        let server = Server::start(shared_5374("kanazawa")).await;
        let url = format!("{}/kanazawa/", server.origin);
        let text = url_toml("garbage-5374", &url, "");
        let downloads = Downloads::open(Some(state_dir.path())).unwrap();
        let good = poll(&Feeds::default(), &text, &downloads).await;
        assert!(!source(&good).stale);
        let saved = state_dir.path().join("garbage/test/garbage");
        assert_eq!(std::fs::read_dir(&saved).unwrap().count(), 6);

        // A bad file is not saved: only sets that parsed are.
        let area_days = "/kanazawa/area_days.csv".to_owned();
        server
            .served()
            .files
            .insert(area_days, b"not,a\n5374,file\n".to_vec());
        let bad = poll(&good, &text, &downloads).await;
        assert!(source(&bad).stale);
        server.task.abort();
        let _ = server.task.await;

        // Restarted: the saved files are published before any poll, and a poll without the
        // server keeps them, stale.
        let restarted = Downloads::open(Some(state_dir.path())).unwrap();
        let loaded = loaded(&text);
        let feeds = Feeds::default().rebuild_with(&loaded, Utc::now(), None, Some(&restarted));
        assert!(!source(&feeds).stale, "{:?}", source(&feeds).last_error);
        assert_eq!(
            feeds.garbage("test").unwrap().calendar,
            good.garbage("test").unwrap().calendar
        );
        let offline = poll(&feeds, &text, &restarted).await;
        let error = source(&offline).last_error.unwrap();
        assert!(error.contains(&format!("{url}area_days.csv")), "{error}");
        assert_eq!(offline.garbage_doc("test"), feeds.garbage_doc("test"));
    }

    #[test]
    fn edit_distance_counts_characters() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("南地"), &chars("南地区")), 1);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
    }
}
