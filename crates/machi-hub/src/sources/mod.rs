//! The source pipeline: every source of every city, whatever its kind, goes through the same
//! steps, and nothing else in the hub knows a source format.
//!
//! ```text
//! cities/<id>.toml → a source: kind + location (path or URL)
//!   → fetch    conditional (ETag / Last-Modified, size + mtime for files), capped   crate::fetch
//!   → store    content-addressed bytes + journal under the state directory        crate::store
//!   → parse    machi-data, pure; the value, or an error naming file, line, column  REGISTRY
//!   → publish  the value with its status: fresh, or stale with the error;
//!              the last good value stays                                           Published
//! then crate::feeds assembles the published values into each city's feeds, and Web Push
//! sends the messages this poll accepted.
//! ```
//!
//! A kind is a [`Registration`]: how its documents are found ([`Plan`]) and how they parse
//! ([`Parse`]). A new kind is a parser in machi-data and one entry in [`REGISTRY`].
//!
//! **Two shapes of source.** Most kinds are a *set* of documents that parse together into one
//! value (a 5374 directory, an iCalendar, a shelter CSV): a new set replaces the value only when
//! every document of it arrived and the whole set parsed; otherwise the last good value stays and
//! the source is stale with the error. Alert kinds are *message* sources (a JMA Atom feed lists
//! messages; a CAP location holds documents): each message is fetched **once ever** (by id, across
//! feeds, sources and restarts — the journal remembers every id whatever came of it; only a failed
//! transfer is retried, [`MAX_FETCH_ATTEMPTS`] times), parsed once, and kept when it concerns a
//! city that reads that feed; the source's value is its kept messages.
//!
//! **Cheap when nothing changed.** Documents are read conditionally; a set is parsed again only
//! when its documents' hashes or the source's settings changed since the last attempt, good or
//! bad, so a hub polling every second parses each version once and logs its warnings once.
//!
//! **Own schedule.** Each source is polled when it is due ([`Registration::url_every`] for URL
//! sources; path sources, a `stat` each, at every tick), and only the cities whose published
//! values changed get their feeds assembled again.

pub mod alerts;
pub mod garbage;
pub mod kind;
pub mod meetings;
pub mod nursery;
pub mod registry;

pub use kind::{Doc, Input, Listed, Message, Parse, Plan, Problem, Registration, Value};
pub use registry::{keeps_every_set, registration, REGISTRY};

use crate::config::{CityConfig, SourceConfig, SourceLocation};
use crate::fetch::{self, FetchError, FetchPolicy, Fetched, Fetcher, Stored};
use crate::store::{
    DocumentRecord, MessageRecord, Outcome, SetDocument, SourceRecord, Store, StoreError,
};
use chrono::{DateTime, Duration, Utc};
use machi_data::alerts::{is_ahead, Alert, AlertError, AreaScope};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// Messages fetched at the same time, at most.
pub const MAX_CONCURRENT_FETCHES: usize = 4;
/// A message whose transfer failed is tried this many times in all, then given up (and logged).
pub const MAX_FETCH_ATTEMPTS: u32 = 3;
/// Message records (and stored messages) no document lists any more are dropped after this many
/// days: a feed would never list them again, and alerts only look 72 hours back.
pub const RETENTION_DAYS: i64 = 10;
/// A kind that keeps every set it published keeps at most this many earlier ones (ten years of
/// monthly tables); the oldest go first.
pub const MAX_EARLIER_SETS: usize = 120;

/// A source's problem, with the city file and the source it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{}: source `{source_id}`: {problem}", file.display())]
pub struct SourceError {
    pub file: PathBuf,
    pub source_id: String,
    pub problem: Problem,
}

/// Why the pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the source store: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

/// One source of one city.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceKey {
    pub city: String,
    pub source: String,
}

impl SourceKey {
    pub fn new(city: &CityConfig, source: &SourceConfig) -> SourceKey {
        SourceKey {
            city: city.id.clone(),
            source: source.id.clone(),
        }
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.city, self.source)
    }
}

/// What a source publishes: its last good value and its status.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// The last good value; `None` until the source has been read successfully once.
    pub value: Option<Value>,
    /// How old the data is: the newest document's modification time (sets), or the last
    /// successful poll of every location (message sources).
    pub as_of: Option<DateTime<Utc>>,
    /// Why the last attempt failed: the value is then stale.
    pub error: Option<Arc<SourceError>>,
    /// How many times the source's set was parsed since start (an unchanged set is not).
    pub parses: u64,
    /// Moves whenever the value, `as_of` or the error change.
    pub generation: u64,
    /// For the kinds that keep every set they published ([`keeps_every_set`]): the values of
    /// the sets published before `value`, oldest first (kept in the store, so they survive a
    /// restart).
    pub earlier: Arc<Vec<EarlierSet>>,
}

/// A set a source published before its current one.
#[derive(Debug, Clone)]
pub struct EarlierSet {
    /// Its documents' hashes (which set it is).
    pub hashes: Vec<String>,
    pub value: Value,
    /// Its newest document's modification time.
    pub as_of: Option<DateTime<Utc>>,
}

impl Published {
    pub fn is_stale(&self) -> bool {
        self.error.is_some()
    }
}

/// Which sources a poll reads.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// Every source now (tests, the operator).
    All,
    /// Only sources whose locations are all local paths: the first load, `check`, `export`.
    Local,
    /// The sources that are due at `now`, for a hub that ticks every `tick`.
    Due {
        now: DateTime<Utc>,
        tick: std::time::Duration,
    },
}

/// What a poll changed.
#[derive(Debug, Default)]
pub struct Polled {
    /// Cities whose published values changed.
    pub cities: BTreeSet<String>,
    /// The messages this poll fetched and kept (never those read back from the store): what Web
    /// Push sends.
    pub messages: Vec<(String, Arc<Vec<Alert>>)>,
}

/// The pipeline; cheap to clone.
#[derive(Clone)]
pub struct Sources {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    fetcher: Fetcher,
    scopes: alerts::Scopes,
    /// One poll at a time.
    polling: tokio::sync::Mutex<()>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    published: BTreeMap<SourceKey, Published>,
    /// The inputs of each set's last parse and what came of it.
    attempts: BTreeMap<SourceKey, Attempt>,
    /// When each source was last polled.
    polled: BTreeMap<SourceKey, DateTime<Utc>>,
    /// Every kept message, parsed, by id.
    kept: BTreeMap<String, Arc<Vec<Alert>>>,
    /// The high-frequency feeds whose long feed was read since start.
    caught_up: BTreeSet<String>,
    generation: u64,
}

/// What a set's parse depended on, and its outcome.
struct Attempt {
    hashes: Vec<String>,
    source: SourceConfig,
    city: CityConfig,
    outcome: Result<Value, Arc<SourceError>>,
}

/// The documents gathered for a set, or why they could not be.
type Gathered = Result<Vec<SetDocument>, Problem>;

impl Sources {
    /// A pipeline whose store is under `{state_dir}/sources`: the kept messages are parsed again
    /// at once (see [`Sources::restore`] for the sets).
    pub fn open(state_dir: &Path) -> Result<Sources, OpenError> {
        Sources::open_with(state_dir, FetchPolicy::default())
    }

    /// [`Sources::open`] with another fetch policy (a test's loopback servers).
    pub fn open_with(state_dir: &Path, policy: FetchPolicy) -> Result<Sources, OpenError> {
        Sources::with(Store::open(state_dir)?, policy)
    }

    /// A pipeline that keeps everything in memory (`check`, `export`, tests).
    pub fn in_memory() -> Result<Sources, OpenError> {
        Sources::in_memory_with(FetchPolicy::default())
    }

    /// [`Sources::in_memory`] with another fetch policy (a test's loopback servers).
    pub fn in_memory_with(policy: FetchPolicy) -> Result<Sources, OpenError> {
        Sources::with(Store::in_memory(), policy)
    }

    fn with(store: Store, policy: FetchPolicy) -> Result<Sources, OpenError> {
        let mut kept = BTreeMap::new();
        let records: Vec<(String, MessageRecord)> = store
            .journal()
            .messages
            .iter()
            .filter(|(_, r)| r.outcome == Outcome::Kept)
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect();
        for (id, record) in &records {
            let Some(sha) = &record.sha256 else { continue };
            let Some(Parse::Messages(parse)) = registration(record.kind).map(|r| &r.parse) else {
                continue;
            };
            let bytes = match store.get(sha) {
                Ok(bytes) => bytes,
                Err(e) => {
                    // Fetched again if a feed still lists it.
                    tracing::error!("stored message {id}: {e}");
                    store.forget_blob(sha);
                    continue;
                }
            };
            match parse(&bytes, id) {
                Ok(alerts) => {
                    kept.insert(id.clone(), Arc::new(alerts));
                }
                Err(e) => tracing::error!("stored message {id}: {e} (skipped)"),
            }
        }
        if let Some(dir) = store.dir() {
            let (documents, messages) = {
                let journal = store.journal();
                (journal.documents.len(), journal.messages.len())
            };
            tracing::info!(
                "source store {}: {documents} documents, {messages} messages known, {} kept",
                dir.display(),
                kept.len()
            );
        }
        Ok(Sources {
            inner: Arc::new(Inner {
                store,
                fetcher: Fetcher::new(policy)?,
                scopes: alerts::Scopes::default(),
                polling: tokio::sync::Mutex::new(()),
                state: Mutex::new(State {
                    kept,
                    ..State::default()
                }),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update replaces whole values, so a poisoned lock still holds consistent data.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store (for tests and the operator).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// What `city`'s source `source` publishes now.
    pub fn published(&self, city: &str, source: &str) -> Option<Published> {
        let key = SourceKey {
            city: city.to_owned(),
            source: source.to_owned(),
        };
        self.state().published.get(&key).cloned()
    }

    /// Where `city` is for alerts (see [`alerts::Scopes::of`]).
    pub fn scope(&self, city: &CityConfig) -> Option<AreaScope> {
        self.inner.scopes.of(city)
    }

    /// What became of message `id`, if it was ever fetched.
    pub fn outcome(&self, id: &str) -> Option<(Outcome, Option<String>)> {
        self.inner
            .store
            .journal()
            .messages
            .get(id)
            .map(|r| (r.outcome, r.reason.clone()))
    }

    /// How many messages are kept.
    pub fn kept(&self) -> usize {
        self.state().kept.len()
    }

    /// Every kept message, parsed, by id (for the push fan-outs a stopped hub missed).
    pub fn kept_messages(&self) -> Vec<(String, Arc<Vec<Alert>>)> {
        self.state()
            .kept
            .iter()
            .map(|(id, alerts)| (id.clone(), alerts.clone()))
            .collect()
    }

    /// Publishes what the store kept of `cities`' sources (after a restart), without reading any
    /// source: the last good sets parse again and the kept messages are published.
    pub fn restore(&self, cities: &[CityConfig]) {
        for city in cities {
            for source in &city.sources {
                let Some(registration) = registration(source.kind) else {
                    continue;
                };
                let key = SourceKey::new(city, source);
                if self.state().published.contains_key(&key) {
                    continue;
                }
                match registration.parse {
                    Parse::Set(parse) => {
                        let record = self
                            .inner
                            .store
                            .journal()
                            .sources
                            .get(&key.to_string())
                            .cloned();
                        if let Some(record) = record {
                            self.settle_set(&key, city, source, parse, Ok(record.documents));
                            // The read came from the store: the next poll still reads the source.
                            self.state().polled.remove(&key);
                        }
                    }
                    Parse::Messages(_) => {
                        let locations = locations(source, &registration.plan);
                        if self.has_messages(&locations) {
                            self.settle_messages(&key, city, source, &locations, Vec::new());
                        }
                    }
                }
            }
        }
    }

    /// Reads the sources `which` selects, publishes what changed and saves the journal.
    pub async fn poll(&self, cities: &[CityConfig], which: Which) -> Polled {
        let _one_at_a_time = self.inner.polling.lock().await;
        let now = Utc::now();
        let (relevance, hosts) = self.relevance(cities);
        // Redirects may go to any host the city files name (besides the one asked).
        self.inner
            .fetcher
            .set_hosts(hosts.values().flatten().cloned().collect());
        let mut round = Round {
            now,
            relevance,
            hosts,
            memo: BTreeMap::new(),
            polled: Polled::default(),
        };
        for city in cities {
            for source in &city.sources {
                let Some(registration) = registration(source.kind) else {
                    continue;
                };
                let key = SourceKey::new(city, source);
                if !self.selected(&key, source, registration, which) {
                    continue;
                }
                self.state().polled.insert(key.clone(), now);
                let changed = match registration.parse {
                    Parse::Set(parse) => {
                        let gathered = self.gather(source, registration).await;
                        // Parsing is CPU work (a large calendar takes a while): never on the
                        // async workers that serve requests.
                        let (this, key, city, source) =
                            (self.clone(), key.clone(), city.clone(), source.clone());
                        tokio::task::spawn_blocking(move || {
                            this.settle_set(&key, &city, &source, parse, gathered)
                        })
                        .await
                        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                    }
                    Parse::Messages(_) => {
                        let locations = locations(source, &registration.plan);
                        let mut errors = Vec::new();
                        for location in &locations {
                            if let Some(e) =
                                self.poll_location(location, registration, &mut round).await
                            {
                                errors.push(e);
                            }
                        }
                        self.settle_messages(&key, city, source, &locations, errors)
                    }
                };
                if changed {
                    round.polled.cities.insert(city.id.clone());
                }
            }
        }
        self.prune(now);
        if let Err(e) = self.inner.store.save() {
            tracing::error!(
                "{e} (the source journal is kept in memory and saved at the next poll)"
            );
        }
        round.polled
    }

    fn selected(
        &self,
        key: &SourceKey,
        source: &SourceConfig,
        registration: &Registration,
        which: Which,
    ) -> bool {
        let remote = locations(source, &registration.plan)
            .iter()
            .any(|l| matches!(l, SourceLocation::Url(_)));
        match which {
            Which::All => true,
            Which::Local => !remote,
            Which::Due { now, tick } => {
                let every = if remote {
                    registration.url_every.max(tick)
                } else {
                    tick
                };
                // Half a tick of slack, so a source due "at" the tick is not put off a whole tick.
                let every =
                    Duration::from_std(every.saturating_sub(tick / 2)).unwrap_or(Duration::MAX);
                self.state()
                    .polled
                    .get(key)
                    .is_none_or(|last| now - *last >= every)
            }
        }
    }

    /// For each message location (feed or CAP location), the scopes of the cities that read it
    /// (a message is kept when it concerns one of them); and for every location, the hosts its
    /// links may go to (its own and what its sources list as `hosts`).
    #[allow(clippy::type_complexity)]
    fn relevance(
        &self,
        cities: &[CityConfig],
    ) -> (
        BTreeMap<String, Vec<AreaScope>>,
        BTreeMap<String, BTreeSet<String>>,
    ) {
        let mut relevance: BTreeMap<String, Vec<AreaScope>> = BTreeMap::new();
        let mut hosts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for city in cities {
            for source in &city.sources {
                let Some(registration) = registration(source.kind) else {
                    continue;
                };
                for location in locations(source, &registration.plan) {
                    let entry = hosts.entry(location.to_string()).or_default();
                    if let SourceLocation::Url(url) = &location {
                        if let Some(host) = reqwest::Url::parse(url)
                            .ok()
                            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                        {
                            entry.insert(host);
                        }
                    }
                    entry.extend(source.hosts.iter().cloned());
                }
            }
            let Some(scope) = self.scope(city) else {
                continue;
            };
            for source in &city.sources {
                if let Some(Registration {
                    parse: Parse::Messages(_),
                    plan,
                    ..
                }) = registration(source.kind)
                {
                    for location in locations(source, plan) {
                        relevance
                            .entry(location.to_string())
                            .or_default()
                            .push(scope.clone());
                    }
                }
            }
        }
        (relevance, hosts)
    }

    // ---- sets ---------------------------------------------------------------------------------

    /// Fetches the documents of a set source (each conditionally) into the store.
    async fn gather(&self, source: &SourceConfig, registration: &Registration) -> Gathered {
        let location = &source.location;
        let limit = registration.max_bytes();
        match &registration.plan {
            Plan::One => {
                let doc = self.document(location, &file_name(location), limit).await?;
                doc.ok_or_else(|| absent(location)).map(|d| vec![d])
            }
            Plan::Named { first, optional } => {
                if let SourceLocation::Path(dir) = location {
                    if !dir.is_dir() {
                        return Err(Problem::Invalid(format!(
                            "{} is not a directory (this kind reads a directory holding {})",
                            dir.display(),
                            first[0]
                        )));
                    }
                }
                let mut documents = Vec::new();
                for name in first.iter() {
                    if let Some(doc) = self.document(&join(location, name), name, limit).await? {
                        documents.push(doc);
                        break;
                    }
                }
                if documents.is_empty() {
                    return Err(Problem::Missing {
                        wanted: alternatives(first),
                        place: directory(location),
                    });
                }
                for name in optional.iter() {
                    if let Some(doc) = self.document(&join(location, name), name, limit).await? {
                        documents.push(doc);
                    }
                }
                Ok(documents)
            }
            Plan::FileOrDirectory { extension } => {
                let locations = match location {
                    SourceLocation::Path(dir) if dir.is_dir() => files_with(dir, extension)?,
                    other => vec![other.clone()],
                };
                let mut documents = Vec::new();
                for location in &locations {
                    let doc = self.document(location, &file_name(location), limit).await?;
                    documents.push(doc.ok_or_else(|| absent(location))?);
                }
                Ok(documents)
            }
            // Message plans are read by `poll_location`.
            Plan::Feeds { .. } => Ok(Vec::new()),
        }
    }

    /// Reads one document conditionally (at most `limit` bytes); its bytes go into the store as
    /// they arrive. `None` when not there.
    async fn document(
        &self,
        location: &SourceLocation,
        name: &str,
        limit: u64,
    ) -> Result<Option<SetDocument>, Problem> {
        let key = location.to_string();
        let previous = self.inner.store.journal().documents.get(&key).cloned();
        let previous = previous.filter(|p| p.sha256.is_some());
        let validators = previous.as_ref().map(|p| &p.validators);
        let fetched = self
            .inner
            .fetcher
            .get_stored(location, validators, limit, &self.inner.store)
            .await?;
        let now = Utc::now();
        let (sha256, modified) = match (fetched, previous) {
            (None, _) => return Ok(None),
            (Some(Stored::NotModified), Some(previous)) => {
                let mut journal = self.inner.store.journal();
                if let Some(record) = journal.documents.get_mut(&key) {
                    record.last_success = Some(now);
                }
                (previous.sha256.unwrap_or_default(), previous.modified)
            }
            (Some(Stored::NotModified), None) => {
                return Err(FetchError::UnexpectedNotModified { url: key }.into())
            }
            (
                Some(Stored::Body {
                    sha256,
                    validators,
                    modified,
                }),
                previous,
            ) => {
                // The same content again (a server without validators) keeps its first date.
                let modified = match previous {
                    Some(p) if p.sha256.as_deref() == Some(sha256.as_str()) => p.modified,
                    _ => modified.or(Some(now)),
                };
                self.inner.store.journal().documents.insert(
                    key.clone(),
                    DocumentRecord {
                        validators,
                        sha256: Some(sha256.clone()),
                        modified,
                        last_success: Some(now),
                        listed: Vec::new(),
                        rejected: None,
                    },
                );
                (sha256, modified)
            }
        };
        Ok(Some(SetDocument {
            name: name.to_owned(),
            location: key,
            sha256,
            modified,
        }))
    }

    /// Parses a gathered set (unless the same set already was) and publishes the outcome.
    /// Returns whether what the source publishes changed.
    fn settle_set(
        &self,
        key: &SourceKey,
        city: &CityConfig,
        source: &SourceConfig,
        parse: fn(&Input<'_>) -> Result<Value, Problem>,
        gathered: Gathered,
    ) -> bool {
        let error = |problem| {
            Arc::new(SourceError {
                file: city.file.clone(),
                source_id: source.id.clone(),
                problem,
            })
        };
        let documents = match gathered {
            Ok(documents) => documents,
            Err(problem) => return self.publish(key, None, None, Some(error(problem))),
        };
        let hashes: Vec<String> = documents.iter().map(|d| d.sha256.clone()).collect();
        let reused = self.state().attempts.get(key).and_then(|a| {
            (a.hashes == hashes && a.source == *source && a.city == *city)
                .then(|| a.outcome.clone())
        });
        let (outcome, parsed) = match reused {
            Some(outcome) => (outcome, false),
            None => {
                let outcome = self
                    .parse_set(city, source, parse, &documents)
                    .map_err(error);
                if let Err(e) = &outcome {
                    tracing::error!("{e} (the last good copy, if any, is kept)");
                }
                // A store that lost the bytes is not the set's fault: the same set, read again,
                // must be parsed again rather than be given this error from memory.
                let lost = matches!(&outcome, Err(e) if matches!(e.problem, Problem::Store(_)));
                if !lost {
                    self.state().attempts.insert(
                        key.clone(),
                        Attempt {
                            hashes,
                            source: source.clone(),
                            city: city.clone(),
                            outcome: outcome.clone(),
                        },
                    );
                }
                (outcome, true)
            }
        };
        if parsed {
            self.state()
                .published
                .entry(key.clone())
                .or_default()
                .parses += 1;
        }
        match outcome {
            Ok(value) => {
                let as_of = documents.iter().filter_map(|d| d.modified).max();
                let earlier = if keeps_every_set(source.kind) {
                    self.keep_earlier(key, &documents)
                } else {
                    Vec::new()
                };
                self.inner.store.journal().sources.insert(
                    key.to_string(),
                    SourceRecord {
                        documents,
                        earlier: earlier.clone(),
                    },
                );
                if keeps_every_set(source.kind) {
                    self.publish_earlier(key, city, source, parse, &earlier);
                }
                self.publish(key, Some(value), Some(as_of), None)
            }
            Err(e) => self.publish(key, None, None, Some(e)),
        }
    }

    /// The earlier sets of `key` once `documents` is its current set: the last good set joins
    /// them when it is another set; a set that is current again leaves them.
    fn keep_earlier(&self, key: &SourceKey, documents: &[SetDocument]) -> Vec<Vec<SetDocument>> {
        let hashes = |docs: &[SetDocument]| -> Vec<String> {
            docs.iter().map(|d| d.sha256.clone()).collect()
        };
        let current = hashes(documents);
        let previous = self
            .inner
            .store
            .journal()
            .sources
            .get(&key.to_string())
            .cloned()
            .unwrap_or_default();
        let mut earlier = previous.earlier;
        if !previous.documents.is_empty() && hashes(&previous.documents) != current {
            earlier.push(previous.documents);
        }
        earlier.retain(|set| hashes(set) != current);
        let excess = earlier.len().saturating_sub(MAX_EARLIER_SETS);
        earlier.drain(..excess);
        earlier
    }

    /// Publishes the values of `key`'s earlier sets, parsing only those not published yet (after
    /// a restart: all of them, from the store).
    fn publish_earlier(
        &self,
        key: &SourceKey,
        city: &CityConfig,
        source: &SourceConfig,
        parse: fn(&Input<'_>) -> Result<Value, Problem>,
        sets: &[Vec<SetDocument>],
    ) {
        let have = self
            .state()
            .published
            .get(key)
            .map(|p| p.earlier.clone())
            .unwrap_or_default();
        let wanted: Vec<Vec<String>> = sets
            .iter()
            .map(|s| s.iter().map(|d| d.sha256.clone()).collect())
            .collect();
        if have.iter().map(|e| &e.hashes).eq(wanted.iter()) {
            return;
        }
        let mut earlier = Vec::with_capacity(sets.len());
        for (set, hashes) in sets.iter().zip(wanted) {
            if let Some(known) = have.iter().find(|e| e.hashes == hashes) {
                earlier.push(known.clone());
                continue;
            }
            match self.parse_set(city, source, parse, set) {
                Ok(value) => earlier.push(EarlierSet {
                    hashes,
                    value,
                    as_of: set.iter().filter_map(|d| d.modified).max(),
                }),
                // It parsed once; a newer parser that refuses it keeps the rest of the history.
                Err(e) => tracing::error!("{key}: an earlier set no longer parses: {e} (skipped)"),
            }
        }
        self.state()
            .published
            .entry(key.clone())
            .or_default()
            .earlier = Arc::new(earlier);
    }

    fn parse_set(
        &self,
        city: &CityConfig,
        source: &SourceConfig,
        parse: fn(&Input<'_>) -> Result<Value, Problem>,
        documents: &[SetDocument],
    ) -> Result<Value, Problem> {
        // Every document is looked at (not only up to the first lost one), so all the lost ones
        // are forgotten at once and the next read fetches them together.
        let read: Vec<Result<Arc<[u8]>, StoreError>> = documents
            .iter()
            .map(|d| {
                self.inner.store.get(&d.sha256).inspect_err(|e| {
                    if matches!(e, StoreError::Damaged { .. } | StoreError::Missing(_)) {
                        self.inner.store.forget_blob(&d.sha256);
                    }
                })
            })
            .collect();
        let bytes = read.into_iter().collect::<Result<Vec<_>, _>>()?;
        let input = Input {
            city,
            source,
            documents: documents
                .iter()
                .zip(&bytes)
                .map(|(d, b)| Doc {
                    name: &d.name,
                    location: &d.location,
                    bytes: b,
                })
                .collect(),
        };
        parse(&input)
    }

    /// Publishes a new value (with its `as_of`) and/or the error (`None`: fresh); a failure keeps
    /// the last good value and `as_of`. Returns whether anything changed.
    fn publish(
        &self,
        key: &SourceKey,
        value: Option<Value>,
        as_of: Option<Option<DateTime<Utc>>>,
        error: Option<Arc<SourceError>>,
    ) -> bool {
        let mut state = self.state();
        state.generation += 1;
        let generation = state.generation;
        let published = state.published.entry(key.clone()).or_default();
        let mut changed = false;
        if let Some(value) = value {
            if !published.value.as_ref().is_some_and(|v| v.same(&value)) {
                published.value = Some(value);
                changed = true;
            }
        }
        if let Some(as_of) = as_of {
            changed |= published.as_of != as_of;
            published.as_of = as_of;
        }
        let before = published.error.as_ref().map(ToString::to_string);
        let after = error.as_ref().map(ToString::to_string);
        if before != after {
            match (&before, &after) {
                (Some(b), None) => tracing::info!("resolved: {b}"),
                (_, Some(a)) => tracing::warn!("{a} (the last good copy, if any, is kept)"),
                _ => {}
            }
            changed = true;
        }
        published.error = error;
        if changed {
            published.generation = generation;
        }
        changed
    }

    // ---- messages -----------------------------------------------------------------------------

    fn has_messages(&self, locations: &[SourceLocation]) -> bool {
        let names: BTreeSet<String> = locations.iter().map(ToString::to_string).collect();
        self.inner
            .store
            .journal()
            .documents
            .keys()
            .any(|k| names.contains(k))
    }

    /// Polls one feed or CAP location (once per round, however many sources list it); returns
    /// its error, if any.
    async fn poll_location(
        &self,
        location: &SourceLocation,
        registration: &'static Registration,
        round: &mut Round,
    ) -> Option<String> {
        let name = location.to_string();
        if let Some(done) = round.memo.get(&name) {
            return done.clone();
        }
        let result = match registration.plan {
            Plan::Feeds { list } => {
                // Whether the feed was read within the last minutes: JMA's high-frequency feeds
                // list only that long, so after a gap (or at start) they are not enough.
                let last = self
                    .inner
                    .store
                    .journal()
                    .documents
                    .get(&name)
                    .and_then(|d| d.last_success);
                let result = self
                    .poll_feed(location, &name, list, registration, round)
                    .await;
                if result.is_ok() {
                    self.catch_up(location, &name, last, list, registration, round)
                        .await;
                }
                result
            }
            _ => self.poll_documents(location, registration, round).await,
        };
        let error = result.err().map(|e| e.to_string());
        if error.is_none() {
            self.inner
                .store
                .journal()
                .documents
                .entry(name.clone())
                .or_default()
                .last_success = Some(round.now);
        }
        round.memo.insert(name, error.clone());
        error
    }

    /// Reads the long feed beside a high-frequency one (JMA's `extra_l.xml` beside
    /// `extra.xml`, which hold days instead of minutes) when this hub has not read the
    /// high-frequency one since it started, or not for [`CATCH_UP_AFTER_MINUTES`]: what it
    /// listed meanwhile (a lift, a cancellation) is fetched as if the feed had listed it.
    #[allow(clippy::too_many_arguments)]
    async fn catch_up(
        &self,
        feed: &SourceLocation,
        name: &str,
        last_read: Option<DateTime<Utc>>,
        list: fn(&[u8], &str) -> Result<Vec<Listed>, AlertError>,
        registration: &'static Registration,
        round: &mut Round,
    ) {
        let Some(long) = long_feed(feed) else {
            return;
        };
        let first_since_start = !self.state().caught_up.contains(name);
        let gap =
            last_read.is_none_or(|t| round.now - t > Duration::minutes(CATCH_UP_AFTER_MINUTES));
        if !first_since_start && !gap {
            return;
        }
        let why = if first_since_start {
            "at start"
        } else {
            "after a gap"
        };
        match self.poll_feed(&long, name, list, registration, round).await {
            Ok(()) => {
                tracing::info!("{name}: caught up from {long} ({why})");
                self.state().caught_up.insert(name.to_owned());
            }
            // Tried again at the next poll; the high-frequency feed itself was read.
            Err(e) => tracing::warn!("{name}: cannot catch up from {long} ({why}): {e}"),
        }
    }

    /// Reads a feed conditionally and fetches every message it lists that was never fetched;
    /// the messages are counted as listed by the feed `as_feed` (itself, or the high-frequency
    /// feed a long feed stands in for).
    async fn poll_feed(
        &self,
        feed: &SourceLocation,
        as_feed: &str,
        list: fn(&[u8], &str) -> Result<Vec<Listed>, AlertError>,
        registration: &'static Registration,
        round: &mut Round,
    ) -> Result<(), Problem> {
        let document = feed.to_string();
        let name = as_feed.to_owned();
        let previous = self.inner.store.journal().documents.get(&document).cloned();
        let fetched = self
            .inner
            .fetcher
            .get(
                feed,
                previous.as_ref().map(|p| &p.validators),
                registration.max_bytes(),
            )
            .await?;
        let (bytes, validators, modified) = match fetched {
            None => return Err(absent(feed)),
            // The version that failed to parse is still the one there: the same error, without
            // downloading it again.
            Some(Fetched::NotModified) => {
                return match previous.and_then(|p| p.rejected) {
                    Some(reason) => Err(Problem::Invalid(reason)),
                    None => Ok(()),
                }
            }
            Some(Fetched::Body {
                bytes,
                validators,
                modified,
            }) => (bytes, validators, modified),
        };
        let listed = {
            let document = document.clone();
            tokio::task::spawn_blocking(move || list(&bytes, &document))
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        };
        let entries = match listed {
            Ok(entries) => entries,
            Err(e) => {
                // Its validators are kept with the error, so it is asked for conditionally and
                // downloaded again only once it changed.
                let reason = e.to_string();
                let mut journal = self.inner.store.journal();
                let record = journal.documents.entry(document.clone()).or_default();
                record.validators = validators;
                record.modified = modified;
                record.rejected = Some(reason.clone());
                return Err(Problem::Invalid(reason));
            }
        };
        let no_hosts = BTreeSet::new();
        let hosts = round.hosts.get(&name).unwrap_or(&no_hosts);
        let policy = self.inner.fetcher.policy();
        let mut jobs = Vec::new();
        {
            let mut journal = self.inner.store.journal();
            let record = journal.documents.entry(document.clone()).or_default();
            record.validators = validators;
            record.modified = modified;
            record.rejected = None;
            record.listed = entries.iter().map(|e| e.id.clone()).collect();
            let mut queued = BTreeSet::new();
            for entry in entries {
                if let Some(known) = journal.messages.get_mut(&entry.id) {
                    if !known.feeds.contains(&name) {
                        known.feeds.push(name.clone());
                    }
                    if known.outcome != Outcome::Unavailable || known.attempts >= MAX_FETCH_ATTEMPTS
                    {
                        continue;
                    }
                }
                if !queued.insert(entry.id.clone()) {
                    continue;
                }
                match fetch::resolve_link(feed, &entry.link, hosts, policy) {
                    Ok(location) => jobs.push((entry.id, location)),
                    Err(reason) => {
                        let reason = reason.to_string();
                        tracing::error!("alert message {}: {reason} (not fetched)", entry.id);
                        journal.messages.insert(
                            entry.id,
                            MessageRecord {
                                kind: registration.kind,
                                outcome: Outcome::Rejected,
                                from: document.clone(),
                                fetched_at: round.now,
                                sha256: None,
                                reason: Some(reason),
                                attempts: 0,
                                feeds: vec![name.clone()],
                            },
                        );
                    }
                }
            }
        }

        // New messages, a few at a time.
        let semaphore = Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_FETCHES));
        let mut running = tokio::task::JoinSet::new();
        for (id, location) in jobs {
            let permit = semaphore
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let fetcher = self.inner.fetcher.clone();
            let limit = registration.max_bytes();
            running.spawn(async move {
                let result = fetcher.get(&location, None, limit).await;
                drop(permit);
                // Parsed as it arrives, off the async workers.
                let parsed = match &result {
                    Ok(Some(Fetched::Body { bytes, .. })) => {
                        Some(parse_message(registration, bytes.clone(), id.clone()).await)
                    }
                    _ => None,
                };
                (id, location, result, parsed)
            });
        }
        while let Some(joined) = running.join_next().await {
            let (id, location, result, parsed) = match joined {
                Ok(done) => done,
                Err(e) => {
                    tracing::error!("an alert message fetch failed: {e}");
                    continue;
                }
            };
            let from = location.to_string();
            match (result, parsed) {
                (Ok(Some(Fetched::Body { bytes, .. })), Some(parsed)) => {
                    self.accept(&id, &from, &name, &bytes, parsed, registration, round)
                }
                (result, _) => self.not_fetched(
                    &id,
                    &from,
                    &name,
                    &location,
                    result,
                    registration,
                    round.now,
                ),
            }
        }
        Ok(())
    }

    /// A message whose fetch brought no body.
    #[allow(clippy::too_many_arguments)]
    fn not_fetched(
        &self,
        id: &str,
        from: &str,
        name: &str,
        location: &SourceLocation,
        result: Result<Option<Fetched>, FetchError>,
        registration: &Registration,
        now: DateTime<Utc>,
    ) {
        let error = match result {
            // Bodies are accepted by the caller.
            Ok(Some(Fetched::Body { .. })) => return,
            Ok(None) => absent(location).to_string(),
            Ok(Some(Fetched::NotModified)) => {
                format!("{from}: 304 Not Modified to a plain request")
            }
            Err(e) => e.to_string(),
        };
        self.unavailable(id, from, name, error, registration, now);
    }

    fn unavailable(
        &self,
        id: &str,
        from: &str,
        feed: &str,
        error: String,
        registration: &Registration,
        now: DateTime<Utc>,
    ) {
        let mut journal = self.inner.store.journal();
        let attempts = journal.messages.get(id).map_or(0, |r| r.attempts) + 1;
        if attempts >= MAX_FETCH_ATTEMPTS {
            tracing::error!("alert message {id}: {error} (tried {attempts} times; giving up)");
        } else {
            tracing::warn!("alert message {id}: {error} (will try again)");
        }
        journal.messages.insert(
            id.to_owned(),
            MessageRecord {
                kind: registration.kind,
                outcome: Outcome::Unavailable,
                from: from.to_owned(),
                fetched_at: now,
                sha256: None,
                reason: Some(error),
                attempts,
                feeds: vec![feed.to_owned()],
            },
        );
    }

    /// Reads the documents of a CAP location (a file, a directory of `.xml` files, a URL); each
    /// new document is a message.
    async fn poll_documents(
        &self,
        location: &SourceLocation,
        registration: &'static Registration,
        round: &mut Round,
    ) -> Result<(), Problem> {
        let extension = match registration.plan {
            Plan::FileOrDirectory { extension } => extension,
            _ => "xml",
        };
        let feed = location.to_string();
        let documents = match location {
            SourceLocation::Path(dir) if dir.is_dir() => files_with(dir, extension)?,
            other => vec![other.clone()],
        };
        let mut failed = Vec::new();
        for document in documents {
            let name = document.to_string();
            let previous = self.inner.store.journal().documents.get(&name).cloned();
            let fetched = self
                .inner
                .fetcher
                .get(
                    &document,
                    previous.as_ref().map(|p| &p.validators),
                    registration.max_bytes(),
                )
                .await;
            match fetched {
                Err(e) => failed.push(e.to_string()),
                Ok(None) => failed.push(absent(&document).to_string()),
                Ok(Some(Fetched::NotModified)) => {}
                Ok(Some(Fetched::Body {
                    bytes,
                    validators,
                    modified,
                })) => {
                    // A document has no id of its own: its kind and content name it.
                    let kind = serde_json::to_value(registration.kind)
                        .ok()
                        .and_then(|k| k.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    let id = format!("{kind}:{}", crate::files::hex_sha256(&bytes));
                    let known = self.inner.store.journal().messages.contains_key(&id);
                    if known {
                        let mut journal = self.inner.store.journal();
                        if let Some(record) = journal.messages.get_mut(&id) {
                            if !record.feeds.contains(&feed) {
                                record.feeds.push(feed.clone());
                            }
                        }
                    } else {
                        let parsed = parse_message(registration, bytes.clone(), id.clone()).await;
                        self.accept(&id, &name, &feed, &bytes, parsed, registration, round);
                    }
                    let mut journal = self.inner.store.journal();
                    let record = journal.documents.entry(name).or_default();
                    record.validators = validators;
                    record.modified = modified;
                    record.listed = vec![id];
                }
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Problem::Several(failed))
        }
    }

    /// Parses a fetched message, keeps it if it concerns a city reading `feed`, and remembers
    /// its id whatever came of it.
    #[allow(clippy::too_many_arguments)]
    fn accept(
        &self,
        id: &str,
        from: &str,
        feed: &str,
        bytes: &[u8],
        parsed: Result<Vec<Alert>, AlertError>,
        registration: &'static Registration,
        round: &mut Round,
    ) {
        let attempts = self
            .inner
            .store
            .journal()
            .messages
            .get(id)
            .map_or(0, |r| r.attempts)
            + 1;
        let mut record = MessageRecord {
            kind: registration.kind,
            outcome: Outcome::Rejected,
            from: from.to_owned(),
            fetched_at: round.now,
            sha256: None,
            reason: None,
            attempts,
            feeds: vec![feed.to_owned()],
        };
        match parsed {
            Err(reason) => {
                tracing::error!("alert message {id} from {from} rejected: {reason}");
                record.reason = Some(reason.to_string());
            }
            Ok(alerts) => {
                if let Some(ahead) = alerts.iter().find(|a| is_ahead(a, round.now)) {
                    // Shown all the same, with its own time (a received message is known).
                    tracing::warn!(
                        "alert message {id} says it was issued at {}, more than {} minutes ahead \
                         of this hub's clock ({}): is the hub's clock right (NTP)?",
                        ahead.issued_at,
                        machi_data::alerts::AHEAD_TOLERANCE_MINUTES,
                        round.now
                    );
                }
                let scopes = round.relevance.get(feed).map_or(&[][..], Vec::as_slice);
                let keep = {
                    let state = self.state();
                    alerts::relevant(&alerts, scopes, state.kept.values().flat_map(|v| v.iter()))
                };
                if keep {
                    match self.inner.store.put(bytes) {
                        Ok(sha) => {
                            tracing::info!("alert message {id}: kept ({} alerts)", alerts.len());
                            record.outcome = Outcome::Kept;
                            record.sha256 = Some(sha);
                            let alerts = Arc::new(alerts);
                            round.polled.messages.push((id.to_owned(), alerts.clone()));
                            self.state().kept.insert(id.to_owned(), alerts);
                        }
                        Err(e) => {
                            // Not remembered: the next poll fetches it again rather than lose it.
                            tracing::error!("alert message {id}: {e}");
                            return;
                        }
                    }
                } else {
                    record.outcome = Outcome::Unrelated;
                }
            }
        }
        self.inner
            .store
            .journal()
            .messages
            .insert(id.to_owned(), record);
    }

    /// Publishes a message source: its kept messages, the oldest last success of its locations,
    /// and this poll's errors.
    fn settle_messages(
        &self,
        key: &SourceKey,
        city: &CityConfig,
        source: &SourceConfig,
        locations: &[SourceLocation],
        errors: Vec<String>,
    ) -> bool {
        let names: BTreeSet<String> = locations.iter().map(ToString::to_string).collect();
        let (ids, successes) = {
            let journal = self.inner.store.journal();
            let ids: Vec<String> = journal
                .messages
                .iter()
                .filter(|(_, r)| r.outcome == Outcome::Kept)
                .filter(|(_, r)| r.feeds.iter().any(|f| names.contains(f)))
                .map(|(id, _)| id.clone())
                .collect();
            let successes: Vec<Option<DateTime<Utc>>> = names
                .iter()
                .map(|n| journal.documents.get(n).and_then(|d| d.last_success))
                .collect();
            (ids, successes)
        };
        // Published once any location was read; as of the oldest success when all were.
        let read = successes.iter().any(Option::is_some);
        let as_of = successes
            .iter()
            .copied()
            .collect::<Option<Vec<_>>>()
            .and_then(|all| all.into_iter().min());
        let messages: Vec<Message> = {
            let state = self.state();
            ids.into_iter()
                .filter_map(|id| {
                    let alerts = state.kept.get(&id)?.clone();
                    Some(Message { id, alerts })
                })
                .collect()
        };
        let error = (!errors.is_empty()).then(|| {
            Arc::new(SourceError {
                file: city.file.clone(),
                source_id: source.id.clone(),
                problem: Problem::Several(errors),
            })
        });
        let value = read.then(|| Value::Messages(Arc::new(messages)));
        let as_of = read.then_some(as_of);
        self.publish(key, value, as_of, error)
    }

    /// Drops message records older than [`RETENTION_DAYS`] that no document lists any more, and
    /// then the blobs nothing names.
    fn prune(&self, now: DateTime<Utc>) {
        let cutoff = now - Duration::days(RETENTION_DAYS);
        let removed: Vec<String> = {
            let mut journal = self.inner.store.journal();
            let listed: BTreeSet<String> = journal
                .documents
                .values()
                .flat_map(|d| d.listed.iter().cloned())
                .collect();
            let old: Vec<String> = journal
                .messages
                .iter()
                .filter(|(id, r)| r.fetched_at < cutoff && !listed.contains(id.as_str()))
                .map(|(id, _)| id.clone())
                .collect();
            for id in &old {
                journal.messages.remove(id);
            }
            old
        };
        if !removed.is_empty() {
            let mut state = self.state();
            for id in &removed {
                state.kept.remove(id);
            }
            drop(state);
            self.inner.store.collect_garbage();
        }
    }
}

/// After this long without reading a high-frequency feed, its long feed is read too: JMA's
/// high-frequency feeds hold about ten minutes of entries.
pub const CATCH_UP_AFTER_MINUTES: i64 = 10;

/// The long feed of a high-frequency one, if it has one: JMA's `regular`, `extra`, `eqvol` and
/// `other.xml` have `…_l.xml` beside them (days of entries instead of minutes); a local feed
/// (a mirror, a test) has one when a `{name}_l.xml` file is beside it.
fn long_feed(feed: &SourceLocation) -> Option<SourceLocation> {
    match feed {
        SourceLocation::Url(url) => {
            let (dir, file) = url.rsplit_once('/')?;
            let stem = file.strip_suffix(".xml")?;
            matches!(stem, "regular" | "extra" | "eqvol" | "other")
                .then(|| SourceLocation::Url(format!("{dir}/{stem}_l.xml")))
        }
        SourceLocation::Path(path) => {
            let stem = path.file_stem()?.to_str()?;
            if stem.ends_with("_l") {
                return None;
            }
            let long = path.with_file_name(format!("{stem}_l.xml"));
            long.is_file().then_some(SourceLocation::Path(long))
        }
    }
}

/// Parses a message with its kind's parser, off the async workers (a JMA message can be
/// hundreds of kilobytes of XML).
async fn parse_message(
    registration: &'static Registration,
    bytes: Vec<u8>,
    id: String,
) -> Result<Vec<Alert>, AlertError> {
    let Parse::Messages(parse) = registration.parse else {
        return Err(AlertError::new(&id, "", None, "not a message kind"));
    };
    tokio::task::spawn_blocking(move || parse(&bytes, &id))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// One poll: what it already read, and what it found.
struct Round {
    now: DateTime<Utc>,
    relevance: BTreeMap<String, Vec<AreaScope>>,
    /// Per location, the hosts its links may go to.
    hosts: BTreeMap<String, BTreeSet<String>>,
    /// Message locations read this round, with their error.
    memo: BTreeMap<String, Option<String>>,
    polled: Polled,
}

/// The locations a source reads: a feed plan's feeds, else its one location.
fn locations(source: &SourceConfig, plan: &Plan) -> Vec<SourceLocation> {
    match plan {
        Plan::Feeds { .. } => source.feeds.clone(),
        _ => vec![source.location.clone()],
    }
}

/// The last segment of a path or URL.
fn file_name(location: &SourceLocation) -> String {
    match location {
        SourceLocation::Path(path) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        SourceLocation::Url(url) => url.rsplit('/').next().unwrap_or_default().to_owned(),
    }
}

/// `name` in the directory (or under the base URL) `location`.
fn join(location: &SourceLocation, name: &str) -> SourceLocation {
    match location {
        SourceLocation::Path(dir) => SourceLocation::Path(dir.join(name)),
        SourceLocation::Url(base) if base.ends_with('/') => {
            SourceLocation::Url(format!("{base}{name}"))
        }
        SourceLocation::Url(base) => SourceLocation::Url(format!("{base}/{name}")),
    }
}

/// A directory or base URL as the names in it are written after it.
fn directory(location: &SourceLocation) -> String {
    match location {
        SourceLocation::Path(dir) => dir.display().to_string(),
        SourceLocation::Url(base) if base.ends_with('/') => base.clone(),
        SourceLocation::Url(base) => format!("{base}/"),
    }
}

fn alternatives(names: &[&str]) -> String {
    match names {
        [one] => (*one).to_owned(),
        [first, rest @ ..] => format!("{first} (or {})", rest.join(", ")),
        [] => String::new(),
    }
}

fn absent(location: &SourceLocation) -> Problem {
    match location {
        SourceLocation::Url(url) => Problem::NotFoundUrl { place: url.clone() },
        SourceLocation::Path(path) => Problem::NotFoundPath {
            place: path.display().to_string(),
        },
    }
}

/// The files of `dir` with `extension`, in name order; an error when there is none.
fn files_with(dir: &Path, extension: &str) -> Result<Vec<SourceLocation>, Problem> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| FetchError::File(crate::files::FileError::new("list", dir, e)))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case(extension))
                && p.is_file()
        })
        .collect();
    if files.is_empty() {
        return Err(Problem::Invalid(format!(
            "no .{extension} files in {}",
            dir.display()
        )));
    }
    files.sort();
    Ok(files.into_iter().map(SourceLocation::Path).collect())
}

#[cfg(test)]
mod tests;
