//! Assembles the published feeds from the city files and what the sources publish
//! ([`crate::sources`]): `/feeds/index.json`, `/feeds/{city}/city.json`, and per city
//! `garbage.json` (with a garbage source), `alerts.json` (with an alert source) and
//! `meetings.json` (with meeting sources, prepared by [`crate::meetings`]). Nothing here reads a
//! source: every value comes from the pipeline with its status. The iCalendar feeds (meetings,
//! garbage days) are written from these on request ([`Feeds::calendar`]).
//!
//! Feeds are serialised (and compressed) once per change into [`Document`]s so serving them is a
//! map lookup. A city's feed and calendar are assembled again only when its file or one
//! of its sources' published values changed; its alerts at every assembly, since what is in force
//! depends on the time. A city whose file has turned bad keeps its last good feeds with every
//! source marked stale. `generated_at` only moves when a feed's content changes, so ETags stay
//! stable and clients keep getting 304s.

use crate::config::{CityConfig, ConfigError, Loaded, SourceLocation};
use crate::document::{Document, Effort};
use crate::meetings::{Prepared, PreparedCities};
use crate::sources::{garbage, registration, Parse, Published, Sources, Value};
use chrono::{DateTime, Utc};
use machi_data::alerts::Alert;
use machi_data::feed::{AlertsInput, CityFeedKind, FeedFormat, FeedPath, MeetingsOf};
use machi_data::meetings::MeetingsInput;
use machi_data::wire;
use machi_data::{
    AlertsFeed, CityFeed, CityIndex, CitySummary, GarbageFeed, MeetingsFeed, NurseryFeed,
    SourceInfo, FEED_VERSION,
};
use machi_i18n::Lang;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A feed value with its documents: JSON, and postcard for the app (machi-data's `wire`).
#[derive(Debug, Clone)]
struct Doc<T> {
    value: Arc<T>,
    doc: Document,
    bin: Document,
}

/// What a feed type is: written in JSON and postcard, read back to check (see [`Doc::new`]).
trait FeedType: Serialize + DeserializeOwned + PartialEq + Clone + std::fmt::Debug {}
impl<T: Serialize + DeserializeOwned + PartialEq + Clone + std::fmt::Debug> FeedType for T {}

impl<T: FeedType> Doc<T> {
    fn new(value: T) -> Doc<T> {
        // The feed types hold only strings, numbers and string-keyed maps, which always serialise.
        let json = serde_json::to_vec(&value).expect("feed types always serialise to JSON");
        let bin = wire::to_bytes(&value);
        // Every test that assembles a feed (the demo city, the real data of ../shared/data)
        // checks that the app reads back what was published.
        debug_assert_eq!(wire::from_bytes::<T>(&bin).as_ref(), Ok(&value));
        Doc {
            doc: Document::compressed(json, Effort::Change),
            bin: Document::compressed(bin, Effort::Change),
            value: Arc::new(value),
        }
    }

    fn in_format(&self, format: FeedFormat) -> &Document {
        match format {
            FeedFormat::Json => &self.doc,
            FeedFormat::Postcard => &self.bin,
        }
    }
}

/// One of a city's optional feeds.
#[derive(Debug, Clone)]
enum Slot<T> {
    /// The city has no source of this kind.
    NoSource,
    /// It has, but it has not been read successfully yet.
    NotRead,
    Ready(T),
}

impl<T> Slot<T> {
    fn ready(&self) -> Option<&T> {
        match self {
            Slot::Ready(doc) => Some(doc),
            _ => None,
        }
    }

    fn missing(&self) -> Missing {
        match self {
            Slot::NotRead | Slot::Ready(_) => Missing::NotRead,
            Slot::NoSource => Missing::NoSource,
        }
    }
}

/// Why a feed is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    UnknownCity,
    /// The city has no source of the kind.
    NoSource,
    /// It has one, not read successfully yet.
    NotRead,
    /// The feed is there, but not what the path names in it (a language, body, meeting or area).
    NotInFeed,
}

/// A meetings feed and what it was made from (compared by pointer).
#[derive(Debug, Clone)]
struct MeetingsDoc {
    doc: Doc<MeetingsFeed>,
    made_from: Arc<Prepared>,
}

/// A garbage feed and the published calendar it was made from (compared by pointer, so an
/// unchanged calendar is neither cloned nor compared again).
#[derive(Debug, Clone)]
struct GarbageDoc {
    doc: Doc<GarbageFeed>,
    made_from: Arc<machi_data::garbage::GarbageCalendar>,
}

/// A city's feeds, and what its city feed and calendar were assembled from.
#[derive(Debug, Clone)]
struct CityFeeds {
    city: Doc<CityFeed>,
    garbage: Slot<GarbageDoc>,
    alerts: Slot<Doc<AlertsFeed>>,
    nursery: Slot<Doc<NurseryFeed>>,
    meetings: Slot<MeetingsDoc>,
    /// The city file and its sources' generations the city feed and calendar were made from.
    made_from: Option<(CityConfig, Vec<u64>)>,
}

/// What an assembly takes.
pub struct Assembly<'a> {
    pub loaded: &'a Loaded,
    pub sources: &'a Sources,
    pub now: DateTime<Utc>,
    /// When the hub started: a demo city's recorded alerts are replayed as if the newest had been
    /// issued then.
    pub started: DateTime<Utc>,
    /// The cities' meetings, prepared for this assembly.
    pub meetings: &'a PreparedCities,
}

/// Every feed the hub publishes, as of one assembly.
#[derive(Debug, Clone)]
pub struct Feeds {
    index: Doc<CityIndex>,
    cities: BTreeMap<String, CityFeeds>,
}

impl Default for Feeds {
    fn default() -> Self {
        let index = CityIndex {
            version: FEED_VERSION,
            generated_at: Utc::now(),
            cities: Vec::new(),
        };
        Feeds {
            index: Doc::new(index),
            cities: BTreeMap::new(),
        }
    }
}

impl Feeds {
    /// The feeds of the loaded cities from what their sources publish, keeping from `self` the
    /// last good feeds of every city whose file failed (marked stale with the error) and the
    /// documents of everything unchanged.
    pub fn assemble(&self, a: &Assembly<'_>) -> Feeds {
        let mut cities = BTreeMap::new();
        for config in &a.loaded.cities {
            let previous = self.cities.get(&config.id);
            cities.insert(config.id.clone(), assemble_city(config, previous, a));
        }
        for error in &a.loaded.errors {
            let kept = error.city_id().and_then(|id| self.cities.get(id));
            if let Some(previous) = kept {
                cities.insert(
                    previous.city.value.id.clone(),
                    stale(previous, error, a.now),
                );
            }
        }
        self.with_cities(cities, a.now)
    }

    /// The same feeds with every source stale: for when the cities directory itself is unreadable.
    pub fn all_stale(&self, error: &ConfigError, now: DateTime<Utc>) -> Feeds {
        let cities = self
            .cities
            .iter()
            .map(|(id, c)| (id.clone(), stale(c, error, now)))
            .collect();
        self.with_cities(cities, now)
    }

    fn with_cities(&self, cities: BTreeMap<String, CityFeeds>, now: DateTime<Utc>) -> Feeds {
        let index = CityIndex {
            version: FEED_VERSION,
            generated_at: now,
            cities: cities.values().map(|c| summary(&c.city.value)).collect(),
        };
        let index = republish(Some(&self.index), index, now, |i, t| i.generated_at = t);
        Feeds { index, cities }
    }

    pub fn index(&self) -> &CityIndex {
        &self.index.value
    }

    pub fn index_doc(&self) -> &Document {
        &self.index.doc
    }

    pub fn city(&self, id: &str) -> Option<&CityFeed> {
        self.cities.get(id).map(|c| &*c.city.value)
    }

    pub fn city_doc(&self, id: &str) -> Option<&Document> {
        self.cities.get(id).map(|c| &c.city.doc)
    }

    /// The city's garbage feed: its last good calendar, if any.
    pub fn garbage(&self, id: &str) -> Option<&GarbageFeed> {
        self.cities.get(id)?.garbage.ready().map(|g| &*g.doc.value)
    }

    /// The city's alerts feed, if its alert sources have been read.
    pub fn alerts(&self, id: &str) -> Option<&AlertsFeed> {
        self.cities.get(id)?.alerts.ready().map(|d| &*d.value)
    }

    /// The city's nursery feed, if its nursery sources have been read.
    pub fn nursery(&self, id: &str) -> Option<&NurseryFeed> {
        self.cities.get(id)?.nursery.ready().map(|d| &*d.value)
    }

    /// The city's meetings feed, if its meeting sources have been read.
    pub fn meetings(&self, id: &str) -> Option<&MeetingsFeed> {
        self.cities.get(id)?.meetings.ready().map(|d| &*d.doc.value)
    }

    /// The JSON document at `path`, or why there is none.
    pub fn document(&self, path: &FeedPath) -> Result<&Document, Missing> {
        self.document_in(path, FeedFormat::Json)
    }

    /// The document at `path` in `format`, or why there is none.
    pub fn document_in(&self, path: &FeedPath, format: FeedFormat) -> Result<&Document, Missing> {
        let Some((city, kind)) = path.city_feed() else {
            return Ok(self.index.in_format(format));
        };
        let feeds = self.cities.get(city).ok_or(Missing::UnknownCity)?;
        match kind {
            CityFeedKind::City => Ok(feeds.city.in_format(format)),
            CityFeedKind::Garbage => feeds
                .garbage
                .ready()
                .map(|g| g.doc.in_format(format))
                .ok_or(feeds.garbage.missing()),
            CityFeedKind::Alerts => feeds
                .alerts
                .ready()
                .map(|d| d.in_format(format))
                .ok_or(feeds.alerts.missing()),
            CityFeedKind::Nursery => feeds
                .nursery
                .ready()
                .map(|d| d.in_format(format))
                .ok_or(feeds.nursery.missing()),
            CityFeedKind::Meetings => feeds
                .meetings
                .ready()
                .map(|d| d.doc.in_format(format))
                .ok_or(feeds.meetings.missing()),
        }
    }

    /// An iCalendar feed, written now from the feeds it is made of: a city's, a body's or one
    /// meeting's meetings, or an area's collection days (with a reminder at `remind` o'clock).
    /// `app` is where the app is served (each meeting event links its page there).
    pub fn calendar(
        &self,
        path: &FeedPath,
        app: Option<&str>,
        remind: Option<u8>,
    ) -> Result<Document, Missing> {
        let Some((city, _)) = path.city_feed() else {
            return Err(Missing::NotInFeed);
        };
        let feeds = self.cities.get(city).ok_or(Missing::UnknownCity)?;
        let feed = &feeds.city.value;
        let text = match path {
            FeedPath::MeetingsCalendar { of, lang, .. } => {
                let lang = Lang::from_code(lang).ok_or(Missing::NotInFeed)?;
                let meetings = feeds.meetings.ready().ok_or(feeds.meetings.missing())?;
                let options = machi_data::meetings::CalendarOptions {
                    lang,
                    city: &feed.id,
                    city_name: feed.name.get(lang.code(), lang.data_fallbacks()),
                    timezone: &feed.timezone,
                    app,
                };
                machi_data::meetings::meetings_ics(&meetings.doc.value, of, &options)
                    .ok_or(Missing::NotInFeed)?
            }
            FeedPath::GarbageCalendar { area, lang, .. } => {
                let lang = Lang::from_code(lang).ok_or(Missing::NotInFeed)?;
                let garbage = feeds.garbage.ready().ok_or(feeds.garbage.missing())?;
                let calendar = &garbage.doc.value.calendar;
                let collection = feed
                    .collection_area(area, calendar)
                    .ok_or(Missing::NotInFeed)?;
                let today = feed
                    .timezone
                    .parse::<chrono_tz::Tz>()
                    .map(|tz| Utc::now().with_timezone(&tz).date_naive())
                    .unwrap_or_else(|_| Utc::now().date_naive());
                machi_data::garbage::to_ics_with_reminder(
                    collection, calendar, today, 12, lang, remind,
                )
            }
            _ => return Err(Missing::NotInFeed),
        };
        Ok(Document::new(text.into_bytes()))
    }

    /// Every iCalendar feed there is, for static hosting: per city and language, the city's
    /// meetings, each body's and each meeting's, and each area's collection days.
    pub fn calendars(&self) -> Vec<FeedPath> {
        let mut all = Vec::new();
        for (id, feeds) in &self.cities {
            for lang in Lang::all() {
                let lang = lang.code().to_owned();
                if let Some(m) = feeds.meetings.ready() {
                    let m = &m.doc.value;
                    let of = std::iter::once(MeetingsOf::City)
                        .chain(m.bodies.iter().map(|b| MeetingsOf::Body(b.id.clone())))
                        .chain(m.meetings.iter().map(|x| MeetingsOf::Meeting(x.id.clone())));
                    for of in of {
                        all.push(FeedPath::MeetingsCalendar {
                            city: id.clone(),
                            of,
                            lang: lang.clone(),
                        });
                    }
                }
                if let Some(g) = feeds.garbage.ready() {
                    for area in &feeds.city.value.areas {
                        if feeds
                            .city
                            .value
                            .collection_area(&area.id, &g.doc.value.calendar)
                            .is_some()
                        {
                            all.push(FeedPath::GarbageCalendar {
                                city: id.clone(),
                                area: area.id.clone(),
                                lang: lang.clone(),
                            });
                        }
                    }
                }
            }
        }
        all
    }

    /// Every document there is, in both formats, with its path relative to the feeds' base
    /// (`{city}/garbage.json`, `{city}/garbage.bin` …), for static hosting.
    pub fn documents(&self) -> Vec<(String, &Document)> {
        let mut paths = vec![FeedPath::Index];
        for id in self.cities.keys() {
            paths.extend(CityFeedKind::ALL.map(|kind| kind.of(id)));
        }
        let mut all = Vec::new();
        for path in paths {
            for format in FeedFormat::BOTH {
                if let Ok(doc) = self.document_in(&path, format) {
                    all.push((path.relative_in(format), doc));
                }
            }
        }
        all
    }

    pub fn len(&self) -> usize {
        self.cities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cities.is_empty()
    }
}

/// Publishes `value`, keeping the previous `generated_at` and document when nothing else changed.
fn republish<T: FeedType>(
    previous: Option<&Doc<T>>,
    mut value: T,
    now: DateTime<Utc>,
    set_generated_at: impl Fn(&mut T, DateTime<Utc>),
) -> Doc<T> {
    if let Some(previous) = previous {
        // Compare as if both were generated at the same moment: only the content decides.
        let mut candidate = value.clone();
        set_generated_at(&mut candidate, DateTime::<Utc>::MIN_UTC);
        let mut old = (*previous.value).clone();
        set_generated_at(&mut old, DateTime::<Utc>::MIN_UTC);
        if old == candidate {
            return previous.clone();
        }
    }
    set_generated_at(&mut value, now);
    Doc::new(value)
}

fn summary(feed: &CityFeed) -> CitySummary {
    CitySummary {
        id: feed.id.clone(),
        lg_code: feed.lg_code.clone(),
        name: feed.name.clone(),
        prefecture: feed.prefecture.clone(),
    }
}

fn assemble_city(config: &CityConfig, previous: Option<&CityFeeds>, a: &Assembly<'_>) -> CityFeeds {
    let published: Vec<Option<Published>> = config
        .sources
        .iter()
        .map(|s| a.sources.published(&config.id, &s.id))
        .collect();
    let generations: Vec<u64> = published
        .iter()
        .map(|p| p.as_ref().map_or(0, |p| p.generation))
        .collect();
    let made_from = (config.clone(), generations);
    let unchanged = previous.filter(|p| p.made_from.as_ref() == Some(&made_from));

    let (city, garbage, nursery) = match unchanged {
        Some(previous) => (
            previous.city.clone(),
            previous.garbage.clone(),
            previous.nursery.clone(),
        ),
        None => {
            let garbage_source = config
                .sources
                .iter()
                .zip(&published)
                .find(|(s, _)| s.kind.is_garbage());
            let calendar = garbage_source
                .and_then(|(_, p)| p.as_ref()?.value.clone())
                .and_then(|v| match v {
                    Value::Garbage(calendar) => Some(calendar),
                    _ => None,
                });
            // Readings of the calendar's area names, when the city gives them.
            let readings = published
                .iter()
                .filter_map(|p| match p.as_ref()?.value.as_ref()? {
                    Value::Readings(r) => Some(r.clone()),
                    _ => None,
                })
                .next()
                .unwrap_or_default();
            let previous_garbage = previous.and_then(|p| p.garbage.ready());
            let garbage = match (garbage_source, &calendar) {
                (None, _) => Slot::NoSource,
                (Some(_), None) => Slot::NotRead,
                // The calendar that made the last document: the same document.
                (Some(_), Some(calendar))
                    if previous_garbage.is_some_and(|d| Arc::ptr_eq(&d.made_from, calendar)) =>
                {
                    previous.map_or(Slot::NotRead, |p| p.garbage.clone())
                }
                (Some((source, _)), Some(calendar)) => {
                    let feed = GarbageFeed {
                        version: FEED_VERSION,
                        generated_at: a.now,
                        source: source.id.clone(),
                        calendar: (**calendar).clone(),
                    };
                    let doc = republish(previous_garbage.map(|g| &g.doc), feed, a.now, |f, t| {
                        f.generated_at = t
                    });
                    Slot::Ready(GarbageDoc {
                        doc,
                        made_from: calendar.clone(),
                    })
                }
            };
            let feed = CityFeed {
                version: FEED_VERSION,
                generated_at: a.now,
                id: config.id.clone(),
                lg_code: config.lg_code.clone(),
                name: config.name.clone(),
                prefecture: config.prefecture.clone(),
                timezone: config.timezone.clone(),
                areas: garbage::city_areas(config, calendar.as_deref(), &readings),
                sources: config
                    .sources
                    .iter()
                    .zip(&published)
                    .map(|(s, p)| source_info(s, p.as_ref()))
                    .collect(),
            };
            let city = republish(previous.map(|p| &p.city), feed, a.now, |f, t| {
                f.generated_at = t
            });
            let nursery = nursery_slot(config, &published, previous, a);
            (city, garbage, nursery)
        }
    };

    let alerts = alerts_slot(config, &published, previous, a);
    let meetings = meetings_slot(config, previous, a);
    CityFeeds {
        city,
        garbage,
        alerts,
        nursery,
        meetings,
        made_from: Some(made_from),
    }
}

/// The city's nurseries: its facility lists joined with every vacancy table the pipeline keeps
/// (the current sets and the earlier ones), newest month first. Rows that join no facility are
/// logged by name (and listed in the feed).
fn nursery_slot(
    config: &CityConfig,
    published: &[Option<Published>],
    previous: Option<&CityFeeds>,
    a: &Assembly<'_>,
) -> Slot<Doc<NurseryFeed>> {
    use machi_data::nursery::join::{assemble, NurseryInput, SourcedTable};
    let sources: Vec<(&crate::config::SourceConfig, Option<&Published>)> = config
        .sources
        .iter()
        .zip(published)
        .filter(|(s, _)| s.kind.is_nursery())
        .map(|(s, p)| (s, p.as_ref()))
        .collect();
    if sources.is_empty() {
        return Slot::NoSource;
    }
    if sources
        .iter()
        .all(|(_, p)| p.is_none_or(|p| p.value.is_none()))
    {
        return previous.map_or(Slot::NotRead, |p| p.nursery.clone());
    }
    // A table without a date of its own is as of when its documents were first read.
    let date = |t: Option<DateTime<Utc>>| t.unwrap_or(a.now).date_naive();
    let mut lists = Vec::new();
    let mut tables = Vec::new();
    for (source, p) in &sources {
        let Some(p) = p else { continue };
        if let Some(Value::NurseryFacilities(list)) = &p.value {
            if let Some(flags) = &list.flags {
                tables.push(SourcedTable {
                    source: &source.id,
                    table: flags,
                    fallback_as_of: date(p.as_of),
                    list: Some(lists.len()),
                });
            }
            lists.push((source.id.as_str(), &**list));
        }
        let sets = p
            .earlier
            .iter()
            .map(|e| (&e.value, e.as_of))
            .chain(p.value.iter().map(|v| (v, p.as_of)));
        for (value, as_of) in sets {
            if let Value::NurseryVacancies(found) = value {
                for table in found.iter() {
                    tables.push(SourcedTable {
                        source: &source.id,
                        table,
                        fallback_as_of: date(as_of),
                        list: None,
                    });
                }
            }
        }
    }
    let (feed, unjoined) = assemble(
        NurseryInput {
            lists,
            tables,
            max_months: machi_data::feed::NURSERY_MONTHS,
        },
        a.now,
    );
    for u in &unjoined {
        tracing::warn!(
            "{}: source `{}`: line {}: {} matches no facility of the list (listed on its own)",
            config.file.display(),
            u.source,
            u.line,
            u.name
        );
    }
    Slot::Ready(republish(
        previous.and_then(|p| p.nursery.ready()),
        feed,
        a.now,
        |f, t| f.generated_at = t,
    ))
}

/// The city's meetings feed from what [`crate::meetings`] prepared (the same preparation: the
/// same document).
fn meetings_slot(
    config: &CityConfig,
    previous: Option<&CityFeeds>,
    a: &Assembly<'_>,
) -> Slot<MeetingsDoc> {
    if !config.sources.iter().any(|s| s.kind.is_meetings()) {
        return Slot::NoSource;
    }
    let Some(prepared) = a.meetings.get(&config.id) else {
        return previous.map_or(Slot::NotRead, |p| p.meetings.clone());
    };
    let previous = previous.and_then(|p| p.meetings.ready());
    if let Some(p) = previous.filter(|p| Arc::ptr_eq(&p.made_from, prepared)) {
        return Slot::Ready(p.clone());
    }
    let feed = MeetingsFeed::assemble(
        MeetingsInput {
            expanded: &prepared.expanded,
            ledger: &prepared.ledger,
            sources: prepared.sources.clone(),
            city: prepared.timezone,
            from: prepared.from,
            to: prepared.to,
            shift_days: prepared.shift_days,
        },
        a.now,
    );
    Slot::Ready(MeetingsDoc {
        doc: republish(previous.map(|p| &p.doc), feed, a.now, |f, t| {
            f.generated_at = t
        }),
        made_from: prepared.clone(),
    })
}

/// The city's alerts at `a.now`, from its message sources and shelter lists.
fn alerts_slot(
    config: &CityConfig,
    published: &[Option<Published>],
    previous: Option<&CityFeeds>,
    a: &Assembly<'_>,
) -> Slot<Doc<AlertsFeed>> {
    let sources: Vec<(&crate::config::SourceConfig, Option<&Published>)> = config
        .sources
        .iter()
        .zip(published)
        .filter(|(s, _)| s.kind.is_alerts())
        .map(|(s, p)| (s, p.as_ref()))
        .collect();
    if sources.is_empty() {
        return Slot::NoSource;
    }
    if sources
        .iter()
        .all(|(_, p)| p.is_none_or(|p| p.value.is_none()))
    {
        return previous.map_or(Slot::NotRead, |p| p.alerts.clone());
    }
    let mut seen = BTreeSet::new();
    let mut alerts: Vec<Alert> = Vec::new();
    let mut shelters = Vec::new();
    for (_, p) in &sources {
        match p.and_then(|p| p.value.as_ref()) {
            Some(Value::Messages(messages)) => {
                for m in messages.iter() {
                    if seen.insert(m.id.as_str()) {
                        alerts.extend(m.alerts.iter().cloned());
                    }
                }
            }
            Some(Value::Shelters(list)) => shelters.extend(list.iter().cloned()),
            _ => {}
        }
    }
    // How old the alerts may be: the oldest success of the message sources (all must have one).
    let is_messages = |s: &crate::config::SourceConfig| {
        matches!(
            registration(s.kind).map(|r| &r.parse),
            Some(Parse::Messages(_))
        )
    };
    let message_sources: Vec<Option<DateTime<Utc>>> = sources
        .iter()
        .filter(|(s, _)| is_messages(s))
        .map(|(_, p)| p.and_then(|p| p.as_of))
        .collect();
    let last_success = if message_sources.is_empty() {
        sources
            .iter()
            .filter_map(|(_, p)| p.and_then(|p| p.as_of))
            .min()
    } else {
        message_sources
            .iter()
            .copied()
            .collect::<Option<Vec<_>>>()
            .and_then(|all| all.into_iter().min())
    };
    let scope = a.sources.scope(config).unwrap_or_default();
    let replay = config
        .alerts
        .as_ref()
        .is_some_and(|c| c.demo_time_shift)
        .then_some(a.started);
    let feed = AlertsFeed::assemble(
        AlertsInput {
            alerts,
            scope: &scope,
            shelters,
            sources: sources.iter().map(|(s, _)| s.id.clone()).collect(),
            last_success,
            replay_newest_at: replay,
        },
        a.now,
    );
    let previous = previous.and_then(|p| p.alerts.ready());
    Slot::Ready(republish(previous, feed, a.now, |f, t| f.generated_at = t))
}

fn source_info(source: &crate::config::SourceConfig, published: Option<&Published>) -> SourceInfo {
    SourceInfo {
        id: source.id.clone(),
        kind: source.kind,
        title: source.title.clone(),
        attribution: source.attribution.clone(),
        licence: source.licence.clone(),
        licence_url: source.licence_url.clone(),
        // city.json is public: a source URL's credentials or query (an API key) are not.
        url: match &source.location {
            SourceLocation::Url(url) => Some(crate::fetch::public_url(url)),
            SourceLocation::Path(_) => None,
        },
        as_of: published.and_then(|p| p.as_of),
        stale: published.is_some_and(Published::is_stale),
        last_error: published
            .and_then(|p| p.error.as_ref())
            .map(|e| crate::fetch::redact_urls(&e.to_string())),
    }
}

/// `feeds` with every source stale because the city file could not be used.
fn stale(feeds: &CityFeeds, error: &ConfigError, now: DateTime<Utc>) -> CityFeeds {
    let mut feed = (*feeds.city.value).clone();
    for source in &mut feed.sources {
        source.stale = true;
        source.last_error = Some(error.to_string());
    }
    CityFeeds {
        city: republish(Some(&feeds.city), feed, now, |f, t| f.generated_at = t),
        garbage: feeds.garbage.clone(),
        alerts: feeds.alerts.clone(),
        nursery: feeds.nursery.clone(),
        meetings: feeds.meetings.clone(),
        made_from: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::sources::Which;
    use crate::testing::{repo, At, CityToml, Pipeline};
    use std::path::Path;

    /// A city with the demo's shelter list at `shelters` and a JMA feed URL nothing reads here.
    fn city(shelters: &Path) -> String {
        CityToml::new("test")
            .area("kita", "北")
            .alerts(&["1720200"], &[])
            .source("shelters", "shelters", At::path(shelters))
            .source(
                "alerts",
                "jma-atom",
                At::Url("https://example.org/feed.xml".into()),
            )
            .build()
    }

    fn demo_shelters() -> std::path::PathBuf {
        repo().join("public/demo/shelters/evacuation_space.csv")
    }

    async fn local(text: &str) -> Pipeline {
        let mut pipeline = Pipeline::new(text);
        pipeline.poll(Which::Local).await;
        pipeline
    }

    #[tokio::test]
    async fn a_read_path_source_is_fresh_as_of_its_file_and_a_url_one_unread() {
        let pipeline = local(&city(&demo_shelters())).await;
        let shelters = pipeline.source("shelters");
        assert!(!shelters.stale && shelters.last_error.is_none());
        let modified = std::fs::metadata(demo_shelters())
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(shelters.as_of, Some(DateTime::<Utc>::from(modified)));
        let alerts = pipeline.source("alerts");
        assert_eq!(alerts.url.as_deref(), Some("https://example.org/feed.xml"));
        assert_eq!(alerts.as_of, None);
        assert_eq!(pipeline.feeds.index().cities[0].id, "test");
        // The shelters alone make an alerts feed, with the demo's shelters.
        let feed = pipeline.feeds.alerts("test").unwrap();
        assert!(!feed.shelters.is_empty());
        assert_eq!(feed.last_success, None);
    }

    /// city.json is public; a source URL may carry credentials or an API key in its query.
    #[tokio::test]
    async fn source_urls_are_published_without_credentials_or_query() {
        let text = CityToml::new("test")
            .area("kita", "北")
            .source(
                "shelters",
                "shelters",
                At::Url("https://user:secret-pw@127.0.0.1:9/shelters.csv?apikey=secret-key".into()),
            )
            .build();
        let mut pipeline = Pipeline::new(&text);
        pipeline.poll(Which::All).await;
        let shelters = pipeline.source("shelters");
        assert_eq!(
            shelters.url.as_deref(),
            Some("https://127.0.0.1:9/shelters.csv")
        );
        let error = shelters.last_error.as_deref().expect("the read failed");
        assert!(
            error.contains("https://127.0.0.1:9/shelters.csv"),
            "{error}"
        );
        assert!(!error.contains("secret"), "{error}");
        let json = serde_json::to_string(pipeline.feeds.city("test").unwrap()).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }

    #[tokio::test]
    async fn a_missing_path_gives_a_stale_source_naming_file_source_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let pipeline = local(&city(&dir.path().join("nowhere.csv"))).await;
        let shelters = pipeline.source("shelters");
        assert!(shelters.stale);
        let error = shelters.last_error.as_deref().unwrap();
        assert!(error.contains("test.toml"), "{error}");
        assert!(error.contains("`shelters`"), "{error}");
        assert!(error.contains("nowhere"), "{error}");
    }

    #[tokio::test]
    async fn a_city_that_turns_bad_keeps_its_last_good_feed_marked_stale() {
        let dir = tempfile::tempdir().unwrap();
        let cities = dir.path().join("cities");
        std::fs::create_dir_all(&cities).unwrap();
        std::fs::write(cities.join("test.toml"), city(&demo_shelters())).unwrap();
        let mut pipeline = Pipeline::new(&city(&demo_shelters()));
        pipeline.loaded = config::load_dir(&cities).unwrap();
        pipeline.poll(Which::Local).await;
        let good = pipeline.feeds.clone();

        std::fs::write(cities.join("test.toml"), "id = \"test\"\nnmae = 1\n").unwrap();
        pipeline.loaded = config::load_dir(&cities).unwrap();
        assert_eq!(pipeline.loaded.errors.len(), 1);
        pipeline.poll(Which::Local).await;
        let city = pipeline
            .feeds
            .city("test")
            .expect("the last good copy is kept");
        assert!(city.sources.iter().all(|s| s.stale));
        let error = city.sources[0].last_error.as_deref().unwrap();
        assert!(error.contains("test.toml:2:1"), "{error}");
        assert_eq!(
            city.sources[0].as_of,
            good.city("test").unwrap().sources[0].as_of
        );
        assert_eq!(
            pipeline.feeds.document(&FeedPath::Alerts("test".into())),
            good.document(&FeedPath::Alerts("test".into()))
        );
    }

    #[tokio::test]
    async fn an_unchanged_poll_keeps_the_etags() {
        let mut pipeline = local(&city(&demo_shelters())).await;
        let first = pipeline.feeds.clone();
        pipeline.poll(Which::Local).await;
        for path in [
            FeedPath::City("test".into()),
            FeedPath::Alerts("test".into()),
        ] {
            assert_eq!(
                first.document(&path),
                pipeline.feeds.document(&path),
                "{path:?}"
            );
        }
        assert_eq!(first.index_doc(), pipeline.feeds.index_doc());
    }
}
