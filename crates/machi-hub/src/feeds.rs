//! Builds the published feeds (`/feeds/index.json`, `/feeds/{city}/city.json` and, for a city with
//! a garbage source, `/feeds/{city}/garbage.json`; with alert sources, `/feeds/{city}/alerts.json`)
//! from city configs.
//!
//! Feeds are serialised once per refresh into [`Document`]s (bytes plus a strong ETag) so serving
//! them is a map lookup. A refresh never loses data: a city whose file has turned bad keeps its
//! last good feed with every source marked stale, and a source whose data went missing keeps its
//! last `as_of`.
//!
//! Source freshness, for now: a `path` source (resolved against the hub's working directory when
//! relative) is fresh as of the newest modification time of the files under it; a `url` source of
//! a kind nothing fetches has no `as_of`. A garbage source (`path`, or `url` downloaded by
//! [`crate::garbage::Downloads`]) is read and parsed by [`crate::garbage`], which also sets its
//! freshness (without a downloader, as in `check`, a `url` garbage source is left alone); alert
//! sources (`jma-atom`, `cap`, `shelters`) are polled by [`crate::alerts`], whose last successful
//! poll is their `as_of` (when the hub runs without the poller, as in `check`, they are treated
//! like any other source).
//!
//! `generated_at` only moves when a feed's content changes, so ETags stay stable across refreshes
//! that find nothing new and clients keep getting 304s.

use crate::alerts::Alerts;
use crate::config::{is_alerts, CityConfig, ConfigError, Loaded, SourceConfig, SourceLocation};
use crate::garbage::{self, Downloads, GarbageState, Parsed};
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use machi_data::{
    AlertsFeed, CityFeed, CityIndex, CitySummary, GarbageFeed, SourceInfo, FEED_VERSION,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

/// A serialised response body with its strong ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub bytes: Bytes,
    /// Quoted, e.g. `"0123…"`: the hex of the first 16 bytes of the body's SHA-256.
    pub etag: String,
}

impl Document {
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let etag = etag_of(&bytes);
        Self { bytes, etag }
    }

    fn json(value: &impl Serialize) -> Self {
        // The feed types hold only strings, numbers and string-keyed maps, which always serialise.
        let bytes = serde_json::to_vec(value).expect("feed types always serialise to JSON");
        Self::new(bytes)
    }
}

/// A strong ETag: the quoted hex of the first 16 bytes of the SHA-256 of `bytes`.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

#[derive(Debug, Clone)]
struct Published<T> {
    value: T,
    doc: Document,
}

/// A city's garbage source: what the ingest remembers across refreshes, and the published feed
/// with the parse it was made from (so an unchanged calendar is not serialised again).
#[derive(Debug, Clone, Default)]
struct GarbageSlot {
    state: GarbageState,
    feed: Option<(Arc<Parsed>, Published<GarbageFeed>)>,
}

/// A city's alerts feed: `None` until its alert sources have been read once.
type AlertsSlot = Option<Published<AlertsFeed>>;

/// Every feed the hub publishes, as of one refresh.
#[derive(Debug, Clone)]
pub struct Feeds {
    index: Published<CityIndex>,
    cities: BTreeMap<String, Published<CityFeed>>,
    garbage: BTreeMap<String, GarbageSlot>,
    /// Cities with an alert source.
    alerts: BTreeMap<String, AlertsSlot>,
}

impl Default for Feeds {
    fn default() -> Self {
        Self::empty(Utc::now())
    }
}

impl Feeds {
    /// No cities yet: the state before the first successful load.
    pub fn empty(now: DateTime<Utc>) -> Self {
        let index = CityIndex {
            version: FEED_VERSION,
            generated_at: now,
            cities: Vec::new(),
        };
        Self {
            index: Published {
                doc: Document::json(&index),
                value: index,
            },
            cities: BTreeMap::new(),
            garbage: BTreeMap::new(),
            alerts: BTreeMap::new(),
        }
    }

    /// The feeds for freshly loaded configs, keeping from `self` the last good feed of every city
    /// whose file failed (marked stale with the error) and reusing unchanged documents.
    pub fn rebuild(&self, loaded: &Loaded, now: DateTime<Utc>) -> Feeds {
        self.rebuild_with(loaded, now, None, None)
    }

    /// [`Feeds::rebuild`], with the alert sources' state from `alerts` (the poller) and the files
    /// of `url` garbage sources from `garbage` (the downloader).
    pub fn rebuild_with(
        &self,
        loaded: &Loaded,
        now: DateTime<Utc>,
        alerts: Option<&Alerts>,
        garbage_downloads: Option<&Downloads>,
    ) -> Feeds {
        let mut cities = BTreeMap::new();
        let mut garbage = BTreeMap::new();
        let mut alert_feeds = BTreeMap::new();
        for config in &loaded.cities {
            let previous = self.city(&config.id);
            let previous_garbage = self.garbage.get(&config.id);
            let (feed, slot) = city_feed(
                config,
                previous,
                previous_garbage,
                alerts,
                garbage_downloads,
                now,
            );
            cities.insert(config.id.clone(), feed);
            if let Some(slot) = slot {
                garbage.insert(config.id.clone(), slot);
            }
            if config.sources.iter().any(|s| is_alerts(s.kind)) {
                let previous = self.alerts.get(&config.id).and_then(Option::as_ref);
                let slot = match alerts.and_then(|a| a.feed(config, now)) {
                    Some(feed) => Some(republish(previous, feed, now, |f, t| f.generated_at = t)),
                    None => previous.cloned(),
                };
                alert_feeds.insert(config.id.clone(), slot);
            }
        }
        for error in &loaded.errors {
            let kept = error.city_id().and_then(|id| self.city(id));
            if let Some(previous) = kept {
                cities.insert(
                    previous.id.clone(),
                    marked_stale(previous, &error.to_string()),
                );
                if let Some(slot) = self.garbage.get(&previous.id) {
                    garbage.insert(previous.id.clone(), slot.clone());
                }
                if let Some(slot) = self.alerts.get(&previous.id) {
                    alert_feeds.insert(previous.id.clone(), slot.clone());
                }
            }
        }
        self.publish(cities, garbage, alert_feeds, now)
    }

    /// The same feeds with every source stale: for when the cities directory itself is unreadable.
    pub fn all_stale(&self, error: &ConfigError, now: DateTime<Utc>) -> Feeds {
        let message = error.to_string();
        let cities = self
            .cities
            .values()
            .map(|c| (c.value.id.clone(), marked_stale(&c.value, &message)))
            .collect();
        self.publish(cities, self.garbage.clone(), self.alerts.clone(), now)
    }

    fn publish(
        &self,
        cities: BTreeMap<String, CityFeed>,
        garbage: BTreeMap<String, GarbageSlot>,
        alerts: BTreeMap<String, AlertsSlot>,
        now: DateTime<Utc>,
    ) -> Feeds {
        let cities: BTreeMap<String, Published<CityFeed>> = cities
            .into_iter()
            .map(|(id, feed)| {
                let published =
                    republish(self.cities.get(&id), feed, now, |f, t| f.generated_at = t);
                (id, published)
            })
            .collect();
        let index = CityIndex {
            version: FEED_VERSION,
            generated_at: now,
            cities: cities.values().map(|c| summary(&c.value)).collect(),
        };
        let index = republish(Some(&self.index), index, now, |i, t| i.generated_at = t);
        Feeds {
            index,
            cities,
            garbage,
            alerts,
        }
    }

    pub fn index(&self) -> &CityIndex {
        &self.index.value
    }

    pub fn index_doc(&self) -> &Document {
        &self.index.doc
    }

    pub fn city(&self, id: &str) -> Option<&CityFeed> {
        self.cities.get(id).map(|c| &c.value)
    }

    pub fn city_doc(&self, id: &str) -> Option<&Document> {
        self.cities.get(id).map(|c| &c.doc)
    }

    /// The city's garbage feed: its last good calendar. `None` when the city has no garbage
    /// source or it has never been read successfully (see [`Feeds::has_garbage_source`]).
    pub fn garbage(&self, id: &str) -> Option<&GarbageFeed> {
        self.garbage_published(id).map(|p| &p.value)
    }

    pub fn garbage_doc(&self, id: &str) -> Option<&Document> {
        self.garbage_published(id).map(|p| &p.doc)
    }

    fn garbage_published(&self, id: &str) -> Option<&Published<GarbageFeed>> {
        self.garbage.get(id)?.feed.as_ref().map(|(_, p)| p)
    }

    /// Whether the city has a garbage source (read successfully or not).
    pub fn has_garbage_source(&self, id: &str) -> bool {
        self.garbage.contains_key(id)
    }

    /// How many times the city's garbage files have been parsed since the hub started: a refresh
    /// that finds them unchanged does not parse them again.
    pub fn garbage_parses(&self, id: &str) -> u64 {
        self.garbage.get(id).map_or(0, |g| g.state.parses())
    }

    /// The city's alerts feed: `None` when it has no alert source or they were never read.
    pub fn alerts(&self, id: &str) -> Option<&AlertsFeed> {
        self.alerts.get(id)?.as_ref().map(|p| &p.value)
    }

    pub fn alerts_doc(&self, id: &str) -> Option<&Document> {
        self.alerts.get(id)?.as_ref().map(|p| &p.doc)
    }

    /// Whether the city has an alert source (`jma-atom`, `cap`, `shelters`).
    pub fn has_alerts_source(&self, id: &str) -> bool {
        self.alerts.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.cities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cities.is_empty()
    }

    /// Writes `feeds/index.json`, `feeds/{id}/city.json` and `feeds/{id}/garbage.json` under
    /// `out`, for static hosting.
    pub fn export(&self, out: &Path) -> Result<(), String> {
        let write = |path: &Path, doc: &Document| -> Result<(), String> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(path, &doc.bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        let feeds = out.join("feeds");
        write(&feeds.join("index.json"), &self.index.doc)?;
        for (id, city) in &self.cities {
            write(&feeds.join(id).join("city.json"), &city.doc)?;
            if let Some(doc) = self.garbage_doc(id) {
                write(&feeds.join(id).join("garbage.json"), doc)?;
            }
            if let Some(doc) = self.alerts_doc(id) {
                write(&feeds.join(id).join("alerts.json"), doc)?;
            }
        }
        Ok(())
    }
}

/// Publishes `value`, keeping the previous `generated_at` and document when nothing else changed.
fn republish<T: Serialize + PartialEq + Clone>(
    previous: Option<&Published<T>>,
    mut value: T,
    now: DateTime<Utc>,
    set_generated_at: impl Fn(&mut T, DateTime<Utc>),
) -> Published<T> {
    if let Some(previous) = previous {
        // Compare as if both were generated at the same moment: only the content decides.
        let mut candidate = value.clone();
        set_generated_at(&mut candidate, DateTime::<Utc>::MIN_UTC);
        let mut old = previous.value.clone();
        set_generated_at(&mut old, DateTime::<Utc>::MIN_UTC);
        if old == candidate {
            return previous.clone();
        }
    }
    set_generated_at(&mut value, now);
    Published {
        doc: Document::json(&value),
        value,
    }
}

fn summary(feed: &CityFeed) -> CitySummary {
    CitySummary {
        id: feed.id.clone(),
        lg_code: feed.lg_code.clone(),
        name: feed.name.clone(),
        prefecture: feed.prefecture.clone(),
    }
}

/// The city's feed and, when it has a garbage source, that source's slot.
fn city_feed(
    config: &CityConfig,
    previous: Option<&CityFeed>,
    previous_garbage: Option<&GarbageSlot>,
    alerts: Option<&Alerts>,
    downloads: Option<&Downloads>,
    now: DateTime<Utc>,
) -> (CityFeed, Option<GarbageSlot>) {
    let previous_source = |id: &str| previous.and_then(|p| p.sources.iter().find(|s| s.id == id));
    let mut sources: Vec<SourceInfo> = config
        .sources
        .iter()
        .map(|s| {
            let polled = alerts.and_then(|a| a.source_status(config, s));
            match polled {
                Some(status) => {
                    let mut info = source_info(config, s, None);
                    info.as_of = status.as_of;
                    info.stale = status.error.is_some();
                    info.last_error = status.error;
                    info
                }
                None => source_info(config, s, previous_source(&s.id)),
            }
        })
        .collect();
    let mut areas: Vec<_> = config
        .areas
        .iter()
        .map(|a| garbage::city_area(a, None))
        .collect();
    let mut slot = None;
    if let Some((i, source)) = config
        .sources
        .iter()
        .enumerate()
        .find(|(_, s)| s.is_garbage())
    {
        let ingested = garbage::ingest(
            config,
            source,
            previous_garbage.map(|g| &g.state),
            downloads,
        );
        areas = ingested.areas;
        let info = &mut sources[i];
        if ingested.read {
            info.as_of = ingested.state.good().map(|g| g.as_of);
            info.stale = ingested.error.is_some();
            info.last_error = ingested.error;
        }
        let feed = ingested.state.good().map(|parsed| {
            let kept = previous_garbage
                .and_then(|g| g.feed.as_ref())
                .filter(|(p, published)| {
                    Arc::ptr_eq(p, parsed) && published.value.source == source.id
                });
            let published = match kept {
                Some((_, published)) => published.clone(),
                None => republish(
                    previous_garbage
                        .and_then(|g| g.feed.as_ref())
                        .map(|(_, p)| p),
                    GarbageFeed {
                        version: FEED_VERSION,
                        generated_at: now,
                        source: source.id.clone(),
                        calendar: parsed.calendar.clone(),
                    },
                    now,
                    |f, t| f.generated_at = t,
                ),
            };
            (parsed.clone(), published)
        });
        slot = Some(GarbageSlot {
            state: ingested.state,
            feed,
        });
    }
    let feed = CityFeed {
        version: FEED_VERSION,
        generated_at: now,
        id: config.id.clone(),
        lg_code: config.lg_code.clone(),
        name: config.name.clone(),
        prefecture: config.prefecture.clone(),
        timezone: config.timezone.clone(),
        areas,
        sources,
    };
    (feed, slot)
}

fn source_info(
    city: &CityConfig,
    source: &SourceConfig,
    previous: Option<&SourceInfo>,
) -> SourceInfo {
    let mut info = SourceInfo {
        id: source.id.clone(),
        kind: source.kind,
        title: source.title.clone(),
        attribution: source.attribution.clone(),
        licence: source.licence.clone(),
        licence_url: source.licence_url.clone(),
        url: None,
        as_of: None,
        stale: false,
        last_error: None,
    };
    match &source.location {
        SourceLocation::Path(path) => match newest_modification(path) {
            Ok(Some(time)) => info.as_of = Some(time),
            Ok(None) => {
                info.stale = true;
                info.last_error = Some(format!(
                    "{}: source `{}`: no files under {}",
                    city.file.display(),
                    source.id,
                    path.display()
                ));
            }
            Err(e) => {
                info.stale = true;
                info.last_error = Some(format!(
                    "{}: source `{}`: cannot read {}: {e}",
                    city.file.display(),
                    source.id,
                    path.display()
                ));
            }
        },
        SourceLocation::Url(url) => {
            // Set by the source's fetcher (garbage, alerts) once it has accepted a copy; until
            // then the app shows the source without a date.
            info.url = Some(url.clone());
        }
    }
    if info.stale {
        // The app keeps showing the last good copy, so keep saying how old it is.
        info.as_of = previous.and_then(|p| p.as_of);
    }
    info
}

/// The newest modification time of `path` if it is a file, else of the files anywhere under it;
/// `None` for a directory without files.
fn newest_modification(path: &Path) -> std::io::Result<Option<DateTime<Utc>>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return Ok(Some(meta.modified()?.into()));
    }
    let mut newest: Option<SystemTime> = None;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        if let Some(time) = newest_modification(&entry.path())? {
            let time = SystemTime::from(time);
            newest = Some(newest.map_or(time, |n| n.max(time)));
        }
    }
    Ok(newest.map(DateTime::<Utc>::from))
}

/// `feed` with every source stale because its city file could not be used.
fn marked_stale(feed: &CityFeed, error: &str) -> CityFeed {
    let mut feed = feed.clone();
    for source in &mut feed.sources {
        source.stale = true;
        source.last_error = Some(error.to_owned());
    }
    feed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn city_file(dir: &Path, data: &Path) -> String {
        format!(
            r#"id = "test"
timezone = "Asia/Tokyo"
name = {{ ja = "テスト市" }}

[[areas]]
id = "kita"
name = {{ ja = "北" }}

[[sources]]
id = "shelters"
kind = "shelters"
path = '{}'
licence = "CC BY 4.0"
title = {{ ja = "避難所" }}
attribution = {{ ja = "テスト市" }}

[[sources]]
id = "alerts"
kind = "jma-atom"
url = "https://example.org/feed.xml"
licence = "政府標準利用規約 2.0"
title = {{ ja = "気象" }}
attribution = {{ ja = "気象庁" }}

[alerts]
municipalities = ["1720200"]
"#,
            dir.join(data).display()
        )
    }

    fn load(dir: &Path) -> Loaded {
        config::load_dir(&dir.join("cities")).unwrap()
    }

    fn setup() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cities")).unwrap();
        std::fs::create_dir_all(dir.path().join("data/shelters")).unwrap();
        std::fs::write(dir.path().join("data/shelters/a.csv"), "x").unwrap();
        let text = city_file(dir.path(), Path::new("data/shelters"));
        std::fs::write(dir.path().join("cities/test.toml"), text).unwrap();
        dir
    }

    #[test]
    fn a_present_path_source_is_fresh_as_of_its_newest_file() {
        let dir = setup();
        let feeds = Feeds::default().rebuild(&load(dir.path()), Utc::now());
        let city = feeds.city("test").unwrap();
        let shelters = &city.sources[0];
        assert!(!shelters.stale && shelters.last_error.is_none());
        assert!(shelters.as_of.is_some());
        let alerts = &city.sources[1];
        assert_eq!(alerts.url.as_deref(), Some("https://example.org/feed.xml"));
        assert_eq!(alerts.as_of, None);
        assert_eq!(feeds.index().cities[0].id, "test");
    }

    #[test]
    fn a_missing_path_gives_a_stale_source_naming_file_source_and_path() {
        let dir = setup();
        let text = city_file(dir.path(), Path::new("data/nowhere"));
        std::fs::write(dir.path().join("cities/test.toml"), text).unwrap();
        let feeds = Feeds::default().rebuild(&load(dir.path()), Utc::now());
        let shelters = &feeds.city("test").unwrap().sources[0];
        assert!(shelters.stale);
        let error = shelters.last_error.as_deref().unwrap();
        assert!(error.contains("test.toml"), "{error}");
        assert!(error.contains("`shelters`"), "{error}");
        assert!(error.contains("nowhere"), "{error}");
    }

    #[test]
    fn a_city_that_turns_bad_keeps_its_last_good_feed_marked_stale() {
        let dir = setup();
        let good = Feeds::default().rebuild(&load(dir.path()), Utc::now());
        std::fs::write(
            dir.path().join("cities/test.toml"),
            "id = \"test\"\nnmae = 1\n",
        )
        .unwrap();
        let loaded = load(dir.path());
        assert_eq!(loaded.errors.len(), 1);
        let kept = good.rebuild(&loaded, Utc::now());
        let city = kept.city("test").expect("the last good copy is kept");
        assert!(city.sources.iter().all(|s| s.stale));
        let error = city.sources[0].last_error.as_deref().unwrap();
        assert!(error.contains("test.toml:2:1"), "{error}");
        assert_eq!(
            city.sources[0].as_of,
            good.city("test").unwrap().sources[0].as_of
        );
    }

    #[test]
    fn an_unchanged_refresh_keeps_the_etag() {
        let dir = setup();
        let first = Feeds::default().rebuild(&load(dir.path()), Utc::now());
        let later = Utc::now() + chrono::Duration::seconds(60);
        let second = first.rebuild(&load(dir.path()), later);
        assert_eq!(first.city_doc("test"), second.city_doc("test"));
        assert_eq!(first.index_doc(), second.index_doc());
    }

    #[test]
    fn etags_are_quoted_hex_of_sha256() {
        assert_eq!(etag_of(b""), "\"e3b0c44298fc1c149afbf4c8996fb924\"");
    }

    #[test]
    fn export_writes_the_static_layout() {
        let dir = setup();
        let feeds = Feeds::default().rebuild(&load(dir.path()), Utc::now());
        let out = dir.path().join("out");
        feeds.export(&out).unwrap();
        let city = std::fs::read_to_string(out.join("feeds/test/city.json")).unwrap();
        let parsed: CityFeed = machi_data::feed::parse_feed(&city).unwrap();
        assert_eq!(parsed.id, "test");
        assert!(out.join("feeds/index.json").is_file());
    }
}
