//! Alert sources: polls JMA Atom feeds and CAP documents, fetches every message once, keeps them
//! in a durable store and publishes what concerns each city (`/feeds/{city}/alerts.json`).
//!
//! **Once per message.** A `jma-atom` feed is read conditionally (`If-None-Match` /
//! `If-Modified-Since` from its last response; `304` means nothing to do). Each entry whose id
//! has never been fetched is fetched once, at most [`MAX_CONCURRENT_FETCHES`] at a time; the id
//! is remembered whatever the outcome — kept, unrelated to every city, or rejected because it
//! does not parse (logged with the parser's reason, which names the element) — so it is never
//! fetched again, across feeds (one message listed in two feeds is fetched once) and across
//! restarts. Only a transfer that failed (network, HTTP error) is retried, at most
//! [`MAX_FETCH_ATTEMPTS`] times. CAP documents are identified by the SHA-256 of their bytes.
//!
//! **Durable.** Under `{state_dir}/alerts/`: `messages/{sha256}.xml` holds the raw XML of every
//! message that concerns a configured city (content-addressed), and `journal.json` the fetched
//! ids with their outcome and each feed's validators; both are written atomically (temp file and
//! rename). On start the journal is read and the kept messages are parsed again, so a restart
//! loses nothing and downloads nothing again. Records not listed by any feed any more are pruned
//! after [`RETENTION_DAYS`] days.
//!
//! Whether a message is kept is decided when it is fetched, against the cities configured then: a
//! city added later shows the messages fetched from then on (its first 72 hours fill up as new
//! messages arrive). A message's content is read once per id: a changed file under an old id is
//! not read again (give it a new entry id).
//!
//! **Last good state.** A poll that fails (network, a feed that does not parse) changes nothing
//! already known: the city's alerts stay, and the source is marked stale with the error until a
//! poll succeeds again.
//!
//! Shelter lists (`shelters` sources) are read when they change and kept in memory (the last good
//! list survives a bad file; after a restart they are read again).
//!
//! The demo city's recorded messages are replayed near "now" when its `[alerts]` table says
//! `demo_time_shift = true`: the stored XML is untouched, and the published times are moved by
//! one fixed offset (the newest demo message is "now" when the hub started), which the feed
//! states in `demo_time_shift_secs`.

use crate::config::{is_alerts, CityConfig, SourceConfig, SourceLocation};
use crate::fetch::{self, Fetched, Fetcher, Validators};
use crate::files::{hex_sha256, write_atomic};
use chrono::{DateTime, Duration, Utc};
use machi_data::alerts::{
    parse_atom_feed, parse_cap, parse_jma, parse_shelters_csv, Alert, AlertState, AlertStatus,
    AreaCode, AreaScope, AreaTree, Shelter, ShelterList,
};
use machi_data::{AlertsFeed, SourceKind, FEED_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Messages fetched at the same time, at most.
pub const MAX_CONCURRENT_FETCHES: usize = 4;
/// A message whose transfer failed is tried this many times in all, then given up (and logged).
pub const MAX_FETCH_ATTEMPTS: u32 = 3;
/// Journal records (and stored messages) no feed lists any more are dropped after this many days:
/// the feed would never list them again, and the state only looks 72 hours back.
pub const RETENTION_DAYS: i64 = 10;
const JOURNAL_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Format {
    Jma,
    Cap,
}

/// What became of a fetched message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Parsed and concerns a configured city: its raw XML is stored.
    Kept,
    /// Parsed, but concerns none of the configured cities.
    Unrelated,
    /// Did not parse (or its link was unusable); never fetched again.
    Rejected,
    /// The transfer failed; tried again at the next poll up to [`MAX_FETCH_ATTEMPTS`] times.
    Unavailable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct MessageRecord {
    format: Format,
    outcome: Outcome,
    /// Where it was read from (URL or path).
    from: String,
    fetched_at: DateTime<Utc>,
    /// The SHA-256 of the stored XML (`messages/{blob}.xml`), for kept messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    blob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default)]
    attempts: u32,
}

impl MessageRecord {
    /// Whether the message must not be fetched again.
    fn settled(&self) -> bool {
        self.outcome != Outcome::Unavailable || self.attempts >= MAX_FETCH_ATTEMPTS
    }
}

/// A polled document (an Atom feed, a CAP file or URL): its validators and last success.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct FeedRecord {
    #[serde(default, skip_serializing_if = "Validators::is_empty")]
    validators: Validators,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_success: Option<DateTime<Utc>>,
    /// The entry ids of its last listing: records a feed still lists are never pruned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ids: Vec<String>,
}

/// `journal.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Journal {
    version: u32,
    /// By location (URL or path).
    #[serde(default)]
    feeds: BTreeMap<String, FeedRecord>,
    /// By message id (Atom entry id; `cap:{sha256}` for CAP documents).
    #[serde(default)]
    messages: BTreeMap<String, MessageRecord>,
}

/// The files under `{state_dir}/alerts/`.
#[derive(Debug, Clone)]
struct Store {
    dir: PathBuf,
}

impl Store {
    fn journal_path(&self) -> PathBuf {
        self.dir.join("journal.json")
    }

    fn blob_path(&self, hash: &str) -> PathBuf {
        self.dir.join("messages").join(format!("{hash}.xml"))
    }

    fn load(&self) -> Result<Journal, String> {
        let path = self.journal_path();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let journal: Journal = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
                if journal.version > JOURNAL_VERSION {
                    return Err(format!(
                        "{}: journal version {} is newer than this hub knows ({JOURNAL_VERSION})",
                        path.display(),
                        journal.version
                    ));
                }
                Ok(journal)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Journal {
                version: JOURNAL_VERSION,
                ..Journal::default()
            }),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn save(&self, journal: &Journal) -> Result<(), String> {
        // The journal holds only strings, numbers and maps, which always serialise.
        let bytes = serde_json::to_vec_pretty(journal).expect("the journal serialises");
        write_atomic(&self.journal_path(), &bytes)
    }

    /// Stores `bytes` under their hash (once); returns the hash.
    fn put(&self, bytes: &[u8]) -> Result<String, String> {
        let hash = hex_sha256(bytes);
        let path = self.blob_path(&hash);
        if !path.is_file() {
            write_atomic(&path, bytes)?;
        }
        Ok(hash)
    }
}

fn parse_message(format: Format, bytes: &[u8], id: &str) -> Result<Vec<Alert>, String> {
    match format {
        Format::Jma => parse_jma(bytes, id).map_err(|e| e.to_string()),
        Format::Cap => parse_cap(bytes, id)
            .map(|a| vec![a])
            .map_err(|e| e.to_string()),
    }
}

/// The freshness of one alert source of one city, for its [`machi_data::SourceInfo`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceStatus {
    /// The last poll that succeeded for every location of the source.
    pub as_of: Option<DateTime<Utc>>,
    /// Why the last poll failed, naming the city file, the source and the location.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
struct ShelterSlot {
    location: String,
    validators: Validators,
    shelters: Arc<Vec<Shelter>>,
    as_of: DateTime<Utc>,
}

#[derive(Default)]
struct Data {
    journal: Journal,
    /// The alerts of every kept message, by message id.
    alerts: BTreeMap<String, Arc<Vec<Alert>>>,
    /// (city, source) → the error of its last poll.
    errors: BTreeMap<(String, String), String>,
    /// (city, source) → its last good shelter list.
    shelters: BTreeMap<(String, String), ShelterSlot>,
    /// Area trees by path, read once.
    trees: BTreeMap<PathBuf, Result<Arc<AreaTree>, String>>,
    /// Messages kept during the current poll (returned by [`Alerts::poll`] for Web Push).
    fresh: Vec<(String, Arc<Vec<Alert>>)>,
}

/// The alert sources of every city, shared by the poller and the feed builder (cheap to clone).
#[derive(Clone)]
pub struct Alerts {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    fetcher: Fetcher,
    /// When this hub started: the anchor of the demo time shift.
    started: DateTime<Utc>,
    /// One poll at a time.
    polling: tokio::sync::Mutex<()>,
    data: Mutex<Data>,
}

/// A message to fetch.
struct Job {
    id: String,
    location: SourceLocation,
}

impl Alerts {
    /// Opens (creating) the store under `{state_dir}/alerts` and parses every kept message again.
    /// `started` anchors the demo time shift.
    pub fn open(state_dir: &Path, started: DateTime<Utc>) -> Result<Alerts, String> {
        let store = Store {
            dir: state_dir.join("alerts"),
        };
        std::fs::create_dir_all(store.dir.join("messages"))
            .map_err(|e| format!("cannot create {}: {e}", store.dir.display()))?;
        let journal = store.load()?;
        let mut alerts = BTreeMap::new();
        for (id, record) in &journal.messages {
            let Some(hash) = record
                .blob
                .as_deref()
                .filter(|_| record.outcome == Outcome::Kept)
            else {
                continue;
            };
            let path = store.blob_path(hash);
            let parsed = std::fs::read(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|bytes| parse_message(record.format, &bytes, id));
            match parsed {
                Ok(parsed) => {
                    alerts.insert(id.clone(), Arc::new(parsed));
                }
                Err(e) => tracing::error!("stored alert message {id}: {e} (skipped)"),
            }
        }
        tracing::info!(
            "alerts store {}: {} messages known, {} kept",
            store.dir.display(),
            journal.messages.len(),
            alerts.len()
        );
        Ok(Alerts {
            inner: Arc::new(Inner {
                store,
                fetcher: Fetcher::new()?,
                started,
                polling: tokio::sync::Mutex::new(()),
                data: Mutex::new(Data {
                    journal,
                    alerts,
                    ..Data::default()
                }),
            }),
        })
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        // Every update swaps whole values, so a poisoned lock still holds consistent data.
        self.inner.data.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether message `id` has been fetched (whatever came of it).
    pub fn outcome(&self, id: &str) -> Option<(Outcome, Option<String>)> {
        self.data()
            .journal
            .messages
            .get(id)
            .map(|r| (r.outcome, r.reason.clone()))
    }

    /// How many messages are kept (parsed, concerning a city).
    pub fn kept(&self) -> usize {
        self.data().alerts.len()
    }

    /// The scope of a city (see [`Alerts::scope`]), for matching alerts to its subscribers.
    pub fn city_scope(&self, city: &CityConfig) -> Option<AreaScope> {
        self.scope(city)
    }

    /// The scope of a city: its codes, with the parents of its municipalities when it names an
    /// area tree.
    fn scope(&self, city: &CityConfig) -> Option<AreaScope> {
        let config = city.alerts.as_ref()?;
        let tree = config.area_tree.as_ref().and_then(|path| {
            let mut data = self.data();
            let entry = data.trees.entry(path.clone()).or_insert_with(|| {
                std::fs::read_to_string(path)
                    .map_err(|e| e.to_string())
                    .and_then(|json| AreaTree::from_json(&json).map_err(|e| e.to_string()))
                    .map(Arc::new)
                    .map_err(|e| {
                        let message = format!(
                            "{}: `alerts.area_tree`: cannot read {}: {e}",
                            city.file.display(),
                            path.display()
                        );
                        tracing::error!("{message} (matching the listed codes only)");
                        message
                    })
            });
            entry.as_ref().ok().cloned()
        });
        let mut scope = AreaScope::default();
        for m in &config.municipalities {
            let code = AreaCode::new(m.clone());
            scope = match &tree {
                Some(tree) => tree
                    .scope(&code)
                    .codes
                    .into_iter()
                    .fold(scope, AreaScope::with),
                None => scope.with(code),
            };
        }
        for c in &config.codes {
            scope = scope.with(AreaCode::new(c.clone()));
        }
        Some(scope)
    }

    /// Polls every alert source of `cities` once: feeds conditionally, new messages once each,
    /// CAP documents and shelter lists when they changed. Never fails: errors are kept per source
    /// and shown (stale) in the city feeds.
    ///
    /// Returns the messages kept by this poll (id and alerts): only newly fetched ones, never
    /// those re-read from the store at start, so a restart pushes nothing again.
    pub async fn poll(&self, cities: &[CityConfig]) -> Vec<(String, Arc<Vec<Alert>>)> {
        let _one_at_a_time = self.inner.polling.lock().await;
        let now = Utc::now();
        let scopes: Vec<AreaScope> = cities.iter().filter_map(|c| self.scope(c)).collect();
        let mut location_errors: BTreeMap<String, String> = BTreeMap::new();

        // 1. Atom feeds, each once however many cities list it.
        let mut feeds: BTreeMap<String, SourceLocation> = BTreeMap::new();
        for city in cities {
            for source in city
                .sources
                .iter()
                .filter(|s| s.kind == SourceKind::JmaAtom)
            {
                for location in &source.feeds {
                    feeds.insert(fetch::location_name(location), location.clone());
                }
            }
        }
        let mut jobs: Vec<Job> = Vec::new();
        let mut queued: BTreeSet<String> = BTreeSet::new();
        for (name, location) in &feeds {
            let previous = self
                .data()
                .journal
                .feeds
                .get(name)
                .map(|f| f.validators.clone());
            let fetched = self
                .inner
                .fetcher
                .fetch(location, previous.as_ref().filter(|v| !v.is_empty()))
                .await;
            let (bytes, validators) = match fetched {
                Err(e) => {
                    location_errors.insert(name.clone(), e);
                    continue;
                }
                Ok(Fetched::NotModified) => {
                    self.data()
                        .journal
                        .feeds
                        .entry(name.clone())
                        .or_default()
                        .last_success = Some(now);
                    continue;
                }
                Ok(Fetched::Body { bytes, validators }) => (bytes, validators),
            };
            let entries = match parse_atom_feed(&bytes, name) {
                Ok(entries) => entries,
                Err(e) => {
                    // Validators are not kept, so the next poll reads the feed again.
                    location_errors.insert(name.clone(), e.to_string());
                    continue;
                }
            };
            let mut data = self.data();
            let record = data.journal.feeds.entry(name.clone()).or_default();
            record.validators = validators;
            record.last_success = Some(now);
            record.ids = entries.iter().map(|e| e.id.clone()).collect();
            for entry in entries {
                let known = data
                    .journal
                    .messages
                    .get(&entry.id)
                    .is_some_and(MessageRecord::settled);
                if known || !queued.insert(entry.id.clone()) {
                    continue;
                }
                match fetch::resolve_link(location, &entry.link) {
                    Ok(location) => jobs.push(Job {
                        id: entry.id,
                        location,
                    }),
                    Err(reason) => {
                        tracing::error!("alert message {}: {reason} (not fetched)", entry.id);
                        data.journal.messages.insert(
                            entry.id,
                            MessageRecord {
                                format: Format::Jma,
                                outcome: Outcome::Rejected,
                                from: name.clone(),
                                fetched_at: now,
                                blob: None,
                                reason: Some(reason),
                                attempts: 0,
                            },
                        );
                    }
                }
            }
        }

        // 2. New messages, a few at a time.
        let semaphore = Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_FETCHES));
        let mut running = tokio::task::JoinSet::new();
        for job in jobs {
            let permit = semaphore
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let fetcher = self.inner.fetcher.clone();
            running.spawn(async move {
                let result = fetcher.fetch(&job.location, None).await;
                drop(permit);
                (job, result)
            });
        }
        while let Some(joined) = running.join_next().await {
            let Ok((job, result)) = joined else {
                tracing::error!("an alert message fetch panicked");
                continue;
            };
            let from = fetch::location_name(&job.location);
            match result {
                Ok(Fetched::Body { bytes, .. }) => {
                    self.accept(&job.id, Format::Jma, &from, &bytes, &scopes, now)
                }
                Ok(Fetched::NotModified) => {}
                Err(e) => {
                    let mut data = self.data();
                    let attempts = data.journal.messages.get(&job.id).map_or(0, |r| r.attempts) + 1;
                    if attempts >= MAX_FETCH_ATTEMPTS {
                        tracing::error!(
                            "alert message {}: {e} (tried {attempts} times; giving up)",
                            job.id
                        );
                    } else {
                        tracing::warn!("alert message {}: {e} (will try again)", job.id);
                    }
                    data.journal.messages.insert(
                        job.id,
                        MessageRecord {
                            format: Format::Jma,
                            outcome: Outcome::Unavailable,
                            from,
                            fetched_at: now,
                            blob: None,
                            reason: Some(e),
                            attempts,
                        },
                    );
                }
            }
        }

        // 3. CAP documents.
        for city in cities {
            for source in city.sources.iter().filter(|s| s.kind == SourceKind::Cap) {
                if let Err(e) = self.poll_cap(&source.location, &scopes, now).await {
                    location_errors.insert(fetch::location_name(&source.location), e);
                }
            }
        }

        // 4. Shelter lists.
        let mut shelter_errors: BTreeMap<(String, String), String> = BTreeMap::new();
        for city in cities {
            for source in city
                .sources
                .iter()
                .filter(|s| s.kind == SourceKind::Shelters)
            {
                if let Err(e) = self.poll_shelters(city, source, now).await {
                    shelter_errors.insert((city.id.clone(), source.id.clone()), e);
                }
            }
        }

        // 5. Per-source errors, logged when they appear or go away.
        let mut errors: BTreeMap<(String, String), String> = shelter_errors;
        for city in cities {
            for source in city.sources.iter() {
                let locations: Vec<&SourceLocation> = match source.kind {
                    SourceKind::JmaAtom => source.feeds.iter().collect(),
                    SourceKind::Cap => vec![&source.location],
                    _ => continue,
                };
                let failed: Vec<String> = locations
                    .iter()
                    .filter_map(|l| location_errors.get(&fetch::location_name(l)))
                    .cloned()
                    .collect();
                if !failed.is_empty() {
                    errors.insert(
                        (city.id.clone(), source.id.clone()),
                        format!(
                            "{}: source `{}`: {}",
                            city.file.display(),
                            source.id,
                            failed.join("; ")
                        ),
                    );
                }
            }
        }
        let mut data = self.data();
        for (key, error) in &errors {
            if data.errors.get(key) != Some(error) {
                tracing::error!("{error} (the last good alerts are kept, marked stale)");
            }
        }
        for (key, error) in &data.errors {
            if !errors.contains_key(key) {
                tracing::info!("resolved: {error}");
            }
        }
        data.errors = errors;

        // 6. Prune and save.
        prune(&mut data, &self.inner.store, now);
        if let Err(e) = self.inner.store.save(&data.journal) {
            tracing::error!(
                "{e} (the alerts journal is kept in memory and saved at the next poll)"
            );
        }
        std::mem::take(&mut data.fresh)
    }

    /// Parses a fetched message, stores it if it concerns a city, and remembers its id.
    fn accept(
        &self,
        id: &str,
        format: Format,
        from: &str,
        bytes: &[u8],
        scopes: &[AreaScope],
        now: DateTime<Utc>,
    ) {
        let mut data = self.data();
        let mut record = MessageRecord {
            format,
            outcome: Outcome::Rejected,
            from: from.to_owned(),
            fetched_at: now,
            blob: None,
            reason: None,
            attempts: data.journal.messages.get(id).map_or(0, |r| r.attempts) + 1,
        };
        match parse_message(format, bytes, id) {
            Err(reason) => {
                tracing::error!("alert message {id} from {from} rejected: {reason}");
                record.reason = Some(reason);
            }
            Ok(alerts) if relevant(&alerts, scopes, &data.alerts) => {
                match self.inner.store.put(bytes) {
                    Ok(hash) => {
                        tracing::info!("alert message {id}: kept ({} alerts)", alerts.len());
                        record.outcome = Outcome::Kept;
                        record.blob = Some(hash);
                        let alerts = Arc::new(alerts);
                        data.fresh.push((id.to_owned(), alerts.clone()));
                        data.alerts.insert(id.to_owned(), alerts);
                    }
                    Err(e) => {
                        // Not remembered, so the next poll fetches it again rather than losing it.
                        tracing::error!("alert message {id}: {e}");
                        return;
                    }
                }
            }
            Ok(_) => record.outcome = Outcome::Unrelated,
        }
        data.journal.messages.insert(id.to_owned(), record);
    }

    /// Reads a CAP file, a directory of CAP files (`*.xml`) or a CAP URL, conditionally.
    async fn poll_cap(
        &self,
        location: &SourceLocation,
        scopes: &[AreaScope],
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let name = fetch::location_name(location);
        let documents: Vec<SourceLocation> = match location {
            SourceLocation::Path(dir) if dir.is_dir() => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                    .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
                    .collect();
                files.sort();
                files.into_iter().map(SourceLocation::Path).collect()
            }
            other => vec![other.clone()],
        };
        let mut failed = Vec::new();
        for document in documents {
            let doc_name = fetch::location_name(&document);
            let previous = self
                .data()
                .journal
                .feeds
                .get(&doc_name)
                .map(|f| f.validators.clone());
            match self
                .inner
                .fetcher
                .fetch(&document, previous.as_ref().filter(|v| !v.is_empty()))
                .await
            {
                Err(e) => failed.push(e),
                Ok(Fetched::NotModified) => {}
                Ok(Fetched::Body { bytes, validators }) => {
                    let id = format!("cap:{}", hex_sha256(&bytes));
                    let known = self.data().journal.messages.contains_key(&id);
                    if !known {
                        self.accept(&id, Format::Cap, &doc_name, &bytes, scopes, now);
                    }
                    let mut data = self.data();
                    let record = data.journal.feeds.entry(doc_name).or_default();
                    record.validators = validators;
                    record.ids = vec![id];
                }
            }
        }
        if failed.is_empty() {
            self.data()
                .journal
                .feeds
                .entry(name)
                .or_default()
                .last_success = Some(now);
            Ok(())
        } else {
            Err(failed.join("; "))
        }
    }

    async fn poll_shelters(
        &self,
        city: &CityConfig,
        source: &SourceConfig,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let key = (city.id.clone(), source.id.clone());
        let name = fetch::location_name(&source.location);
        let previous = self
            .data()
            .shelters
            .get(&key)
            .filter(|s| s.location == name)
            .map(|s| s.validators.clone());
        let prefix = format!("{}: source `{}`", city.file.display(), source.id);
        match self
            .inner
            .fetcher
            .fetch(&source.location, previous.as_ref())
            .await
            .map_err(|e| format!("{prefix}: {e}"))?
        {
            Fetched::NotModified => Ok(()),
            Fetched::Body { bytes, validators } => {
                let shelters = parse_shelters_csv(&bytes, &name, ShelterList::EvacuationSites)
                    .map_err(|e| format!("{prefix}: {e}"))?;
                tracing::info!("{prefix}: read {name}: {} shelters", shelters.len());
                self.data().shelters.insert(
                    key,
                    ShelterSlot {
                        location: name,
                        validators,
                        shelters: Arc::new(shelters),
                        as_of: now,
                    },
                );
                Ok(())
            }
        }
    }

    /// The freshness of an alert source (`None` for other kinds).
    pub fn source_status(&self, city: &CityConfig, source: &SourceConfig) -> Option<SourceStatus> {
        let data = self.data();
        let key = (city.id.clone(), source.id.clone());
        let as_of = match source.kind {
            SourceKind::JmaAtom => oldest_success(&data, &source.feeds),
            SourceKind::Cap => oldest_success(&data, std::slice::from_ref(&source.location)),
            SourceKind::Shelters => data
                .shelters
                .get(&key)
                .filter(|s| s.location == fetch::location_name(&source.location))
                .map(|s| s.as_of),
            _ => return None,
        };
        Some(SourceStatus {
            as_of,
            error: data.errors.get(&key).cloned(),
        })
    }

    /// The alerts feed of `city` at `now` (its `generated_at` is `now`): `None` when the city has
    /// no alert source, or when none of them has ever been read successfully.
    pub fn feed(&self, city: &CityConfig, now: DateTime<Utc>) -> Option<AlertsFeed> {
        let sources: Vec<&SourceConfig> =
            city.sources.iter().filter(|s| is_alerts(s.kind)).collect();
        if sources.is_empty() {
            return None;
        }
        let statuses: Vec<(SourceKind, Option<DateTime<Utc>>)> = sources
            .iter()
            .filter_map(|s| self.source_status(city, s).map(|st| (s.kind, st.as_of)))
            .collect();
        if statuses.iter().all(|(_, as_of)| as_of.is_none()) {
            return None;
        }
        // The oldest success of the message sources: how old the alerts may be.
        let message_sources: Vec<Option<DateTime<Utc>>> = statuses
            .iter()
            .filter(|(k, _)| *k != SourceKind::Shelters)
            .map(|(_, a)| *a)
            .collect();
        let last_success = if message_sources.is_empty() {
            statuses.iter().filter_map(|(_, a)| *a).min()
        } else if message_sources.iter().all(Option::is_some) {
            message_sources.iter().flatten().min().copied()
        } else {
            None
        };
        let scope = self.scope(city).unwrap_or_default();
        let data = self.data();
        let shelters: Vec<Shelter> = sources
            .iter()
            .filter_map(|s| data.shelters.get(&(city.id.clone(), s.id.clone())))
            .flat_map(|slot| slot.shelters.iter().cloned())
            .collect();
        let mut all: Vec<Alert> = if scope.codes.is_empty() && scope.point.is_none() {
            Vec::new()
        } else {
            data.alerts
                .values()
                .flat_map(|v| v.iter().cloned())
                .collect()
        };
        drop(data);

        let mut shift = None;
        if city.alerts.as_ref().is_some_and(|a| a.demo_time_shift) {
            if let Some(newest) = all
                .iter()
                .filter(|a| scope.touches(a))
                .map(|a| a.issued_at.with_timezone(&Utc))
                .max()
            {
                // Whole minutes, so the shifted times read like JMA's.
                let secs = (self.inner.started - newest).num_seconds();
                let by = Duration::seconds(secs - secs.rem_euclid(60));
                if by > Duration::zero() {
                    for a in &mut all {
                        shift_times(a, by);
                    }
                    shift = Some(by.num_seconds());
                }
            }
        }

        let state = AlertState::compute_in(&all, &scope, now);
        let since = now - Duration::hours(72);
        let mut history: Vec<Alert> = state.history_72h;
        history.extend(
            state
                .cancelled
                .into_iter()
                .filter(|a| a.issued_at >= since)
                .map(|mut a| {
                    a.status = AlertStatus::Cancelled;
                    a
                }),
        );
        history.sort_by_key(|a| std::cmp::Reverse(a.issued_at));
        Some(AlertsFeed {
            version: FEED_VERSION,
            generated_at: now,
            sources: sources.iter().map(|s| s.id.clone()).collect(),
            area_codes: scope.codes.clone(),
            in_force: state
                .in_force
                .into_iter()
                .map(|a| trimmed(a, &scope))
                .collect(),
            history: history.into_iter().map(|a| trimmed(a, &scope)).collect(),
            last_success,
            shelters,
            demo_time_shift_secs: shift,
        })
    }
}

fn oldest_success(data: &Data, locations: &[SourceLocation]) -> Option<DateTime<Utc>> {
    let mut oldest: Option<DateTime<Utc>> = None;
    for location in locations {
        let t = data
            .journal
            .feeds
            .get(&fetch::location_name(location))?
            .last_success?;
        oldest = Some(oldest.map_or(t, |o| o.min(t)));
    }
    oldest
}

/// Whether a parsed message must be kept: it concerns a city, or it cancels or corrects a kept
/// message (a JMA 取消 names no area; it refers to its series and EventID).
fn relevant(
    alerts: &[Alert],
    scopes: &[AreaScope],
    kept: &BTreeMap<String, Arc<Vec<Alert>>>,
) -> bool {
    alerts.iter().any(|a| scopes.iter().any(|s| s.touches(a)))
        || alerts.iter().any(|a| {
            matches!(a.status, AlertStatus::Cancelled | AlertStatus::Corrected)
                && kept.values().flat_map(|v| v.iter()).any(|k| {
                    (k.series == a.series && k.event_id == a.event_id)
                        || a.replaces.contains(&k.message_id)
                })
        })
}

/// The alert as the city's feed shows it: only the city's areas, intensities and forecasts.
fn trimmed(mut a: Alert, scope: &AreaScope) -> Alert {
    a.areas.retain(|c| scope.contains(c));
    if let Some(eq) = &mut a.earthquake {
        eq.intensities.retain(|i| scope.contains(&i.area));
    }
    a.tsunami.retain(|t| scope.contains(&t.area));
    a
}

fn shift_times(a: &mut Alert, by: Duration) {
    a.issued_at += by;
    if let Some(v) = &mut a.valid_until {
        *v += by;
    }
    if let Some(t) = a.earthquake.as_mut().and_then(|e| e.origin_time.as_mut()) {
        *t += by;
    }
    for f in &mut a.tsunami {
        if let Some(t) = &mut f.first_arrival {
            *t += by;
        }
    }
}

/// Drops records older than [`RETENTION_DAYS`] that no feed lists any more, and their XML.
fn prune(data: &mut Data, store: &Store, now: DateTime<Utc>) {
    let cutoff = now - Duration::days(RETENTION_DAYS);
    let listed: BTreeSet<&str> = data
        .journal
        .feeds
        .values()
        .flat_map(|f| f.ids.iter().map(String::as_str))
        .collect();
    let old: Vec<String> = data
        .journal
        .messages
        .iter()
        .filter(|(id, r)| r.fetched_at < cutoff && !listed.contains(id.as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    for id in old {
        if let Some(record) = data.journal.messages.remove(&id) {
            data.alerts.remove(&id);
            if let Some(hash) = record.blob {
                let still_used = data
                    .journal
                    .messages
                    .values()
                    .any(|r| r.blob.as_deref() == Some(hash.as_str()));
                if !still_used {
                    let _ = std::fs::remove_file(store.blob_path(&hash));
                }
            }
        }
    }
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
    fn a_newer_journal_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store {
            dir: dir.path().to_owned(),
        };
        std::fs::write(store.journal_path(), r#"{"version": 99}"#).unwrap();
        let err = store.load().unwrap_err();
        assert!(err.contains("journal version 99"), "{err}");
    }
}
