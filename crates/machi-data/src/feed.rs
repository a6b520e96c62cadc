//! The normalised feeds: the one contract between the hub (which writes them) and the app (which
//! reads them).
//!
//! Every feed carries `version`; the app refuses a feed whose major version it does not know and
//! says so, instead of misreading it. Feeds are published under `/feeds/`:
//!
//! | path                         | type            |
//! |------------------------------|-----------------|
//! | `/feeds/index.json`          | [`CityIndex`]   |
//! | `/feeds/{city}/city.json`    | [`CityFeed`]    |
//! | `/feeds/{city}/garbage.json` | [`GarbageFeed`] (when the city has a garbage source) |
//! | `/feeds/{city}/alerts.json`  | [`AlertsFeed`] (when the city has a `jma-atom`, `cap` or `shelters` source) |
//! | `/feeds/{city}/nursery.json` | [`NurseryFeed`] (when the city has a `nursery-facilities` or `nursery-vacancies` source) |
//! | `/feeds/{city}/meetings.json` | [`MeetingsFeed`] (when the city has a `meetings-*` source) |
//! | `/feeds/{city}/meetings.{lang}.ics`, `…/meetings/{body}.{lang}.ics`, `…/meeting/{id}.{lang}.ics` | iCalendar of the city's, a body's, one meeting (the hub writes them from [`MeetingsFeed`]) |
//! | `/feeds/{city}/garbage/{area}.{lang}.ics` | iCalendar of an area's collection days (from [`GarbageFeed`]; the hub adds a reminder with `?remind=HH`) |
//! | `/feeds/manifest.json`       | [`FeedManifest`] (only in a tree written by `machi-hub export`: each feed's content-hashed file) |
//!
//! Each JSON feed above has a twin with `.bin` for `.json` (`/feeds/{city}/garbage.bin` …): the same
//! value in postcard, which the app reads ([`crate::wire`]); calendars and the manifest have none.
//!
//! The paths are written once, as [`FeedPath`]. Freshness ("as of", stale, the last error) of
//! every feed is in [`CityFeed::sources`], so the app learns it from one small document.

use crate::alerts::{Alert, AlertState, AlertStatus, AreaCode, AreaScope, Shelter};
use crate::garbage::{GarbageArea, GarbageCalendar};
use crate::text::LocalizedText;
pub use crate::wire::FeedFormat;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The version of the feed schema this crate reads and writes.
pub const FEED_VERSION: u32 = 1;

/// Where a feed is published: the one spelling of the feed URLs, for the hub's routes and
/// export and the app's fetches (the service worker needs only [`FeedPath::PREFIX`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedPath {
    /// `/feeds/index.json`: [`CityIndex`].
    Index,
    /// `/feeds/{city}/city.json`: [`CityFeed`].
    City(String),
    /// `/feeds/{city}/garbage.json`: [`GarbageFeed`].
    Garbage(String),
    /// `/feeds/{city}/alerts.json`: [`AlertsFeed`].
    Alerts(String),
    /// `/feeds/{city}/nursery.json`: [`NurseryFeed`].
    Nursery(String),
    /// `/feeds/{city}/meetings.json`: [`MeetingsFeed`].
    Meetings(String),
    /// An iCalendar of meetings in one language (iCalendar has one `SUMMARY` per event).
    MeetingsCalendar {
        city: String,
        of: MeetingsOf,
        lang: String,
    },
    /// `/feeds/{city}/garbage/{area}.{lang}.ics`: an area's collection days, for a calendar app
    /// to subscribe to (`area` is the resident's area id of [`CityFeed::areas`]).
    GarbageCalendar {
        city: String,
        area: String,
        lang: String,
    },
}

/// Which meetings an iCalendar holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MeetingsOf {
    /// `/feeds/{city}/meetings.{lang}.ics`: every meeting of the city.
    City,
    /// `/feeds/{city}/meetings/{body}.{lang}.ics`: one body's.
    Body(String),
    /// `/feeds/{city}/meeting/{id}.{lang}.ics`: one meeting ("add to calendar").
    Meeting(String),
}

/// The kinds of feed a city has (some only when it has the sources for them). A new feature's
/// feed (nursery, meetings) is one more kind here and one more [`FeedPath`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CityFeedKind {
    City,
    Garbage,
    Alerts,
    Nursery,
    Meetings,
}

impl CityFeedKind {
    /// Every kind, in the order the hub lists and exports them.
    pub const ALL: [CityFeedKind; 5] = [
        CityFeedKind::City,
        CityFeedKind::Garbage,
        CityFeedKind::Alerts,
        CityFeedKind::Nursery,
        CityFeedKind::Meetings,
    ];

    /// The file name under `/feeds/{city}/`.
    pub fn file(self) -> &'static str {
        match self {
            CityFeedKind::City => "city.json",
            CityFeedKind::Garbage => "garbage.json",
            CityFeedKind::Alerts => "alerts.json",
            CityFeedKind::Nursery => "nursery.json",
            CityFeedKind::Meetings => "meetings.json",
        }
    }

    /// This kind's feed of `city`.
    pub fn of(self, city: &str) -> FeedPath {
        let city = city.to_owned();
        match self {
            CityFeedKind::City => FeedPath::City(city),
            CityFeedKind::Garbage => FeedPath::Garbage(city),
            CityFeedKind::Alerts => FeedPath::Alerts(city),
            CityFeedKind::Nursery => FeedPath::Nursery(city),
            CityFeedKind::Meetings => FeedPath::Meetings(city),
        }
    }
}

impl FeedPath {
    /// Every feed path starts with this.
    pub const PREFIX: &'static str = "/feeds/";
    const INDEX_FILE: &'static str = "index.json";

    /// The city of a city's feed and the kind of feed it is (an iCalendar: the kind it is made
    /// from); `None` for the index.
    pub fn city_feed(&self) -> Option<(&str, CityFeedKind)> {
        match self {
            FeedPath::Index => None,
            FeedPath::City(c) => Some((c, CityFeedKind::City)),
            FeedPath::Garbage(c) | FeedPath::GarbageCalendar { city: c, .. } => {
                Some((c, CityFeedKind::Garbage))
            }
            FeedPath::Alerts(c) => Some((c, CityFeedKind::Alerts)),
            FeedPath::Nursery(c) => Some((c, CityFeedKind::Nursery)),
            FeedPath::Meetings(c) | FeedPath::MeetingsCalendar { city: c, .. } => {
                Some((c, CityFeedKind::Meetings))
            }
        }
    }

    /// Whether it is an iCalendar (`text/calendar`) rather than JSON.
    pub fn is_calendar(&self) -> bool {
        matches!(
            self,
            FeedPath::MeetingsCalendar { .. } | FeedPath::GarbageCalendar { .. }
        )
    }

    /// The URL path: `/feeds/index.json`, `/feeds/{city}/garbage.json` …
    pub fn path(&self) -> String {
        let p = Self::PREFIX;
        match self {
            FeedPath::MeetingsCalendar { city, of, lang } => match of {
                MeetingsOf::City => format!("{p}{city}/meetings.{lang}.ics"),
                MeetingsOf::Body(body) => format!("{p}{city}/meetings/{body}.{lang}.ics"),
                MeetingsOf::Meeting(id) => format!("{p}{city}/meeting/{id}.{lang}.ics"),
            },
            FeedPath::GarbageCalendar { city, area, lang } => {
                format!("{p}{city}/garbage/{area}.{lang}.ics")
            }
            _ => match self.city_feed() {
                None => format!("{p}{}", Self::INDEX_FILE),
                Some((city, kind)) => format!("{p}{city}/{}", kind.file()),
            },
        }
    }

    /// The path relative to the feeds' base: `index.json`, `{city}/garbage.json` …; what the app
    /// appends to a configured feed base and the key of [`FeedManifest::files`].
    pub fn relative(&self) -> String {
        let path = self.path();
        path[Self::PREFIX.len()..].to_owned()
    }

    /// [`FeedPath::path`] in `format`: `/feeds/{city}/garbage.bin` for postcard. An iCalendar
    /// has one format, its own.
    pub fn path_in(&self, format: FeedFormat) -> String {
        let path = self.path();
        match path.strip_suffix(FeedFormat::Json.extension()) {
            Some(stem) if !self.is_calendar() => format!("{stem}{}", format.extension()),
            _ => path,
        }
    }

    /// [`FeedPath::relative`] in `format`.
    pub fn relative_in(&self, format: FeedFormat) -> String {
        self.path_in(format)[Self::PREFIX.len()..].to_owned()
    }

    /// The feed and format a URL path names (as [`FeedPath::path_in`] writes it).
    pub fn parse_in(path: &str) -> Option<(FeedPath, FeedFormat)> {
        match path.strip_suffix(FeedFormat::Postcard.extension()) {
            Some(stem) => FeedPath::parse(&format!("{stem}{}", FeedFormat::Json.extension()))
                .filter(|p| !p.is_calendar())
                .map(|p| (p, FeedFormat::Postcard)),
            None => FeedPath::parse(path).map(|p| (p, FeedFormat::Json)),
        }
    }

    /// The content-hashed name of a feed file: `{city}/garbage.json` with `hash` (hex) becomes
    /// `{city}/garbage.{first 16 hex digits}.json`.
    pub fn hashed(relative: &str, hash: &str) -> String {
        let hash = &hash[..hash.len().min(16)];
        let name_start = relative.rfind('/').map_or(0, |i| i + 1);
        match relative[name_start..].find('.') {
            Some(dot) => {
                let (stem, ext) = relative.split_at(name_start + dot);
                format!("{stem}.{hash}{ext}")
            }
            None => format!("{relative}.{hash}"),
        }
    }

    /// The feed a URL path names (exactly as [`FeedPath::path`] writes it), if any. A city id is
    /// one non-empty path segment; whether the hub serves it is for the hub to say.
    pub fn parse(path: &str) -> Option<FeedPath> {
        let rest = path.strip_prefix(Self::PREFIX)?;
        if rest == Self::INDEX_FILE {
            return Some(FeedPath::Index);
        }
        let (city, file) = rest.split_once('/')?;
        if city.is_empty() {
            return None;
        }
        if let Some(found) = CityFeedKind::ALL
            .into_iter()
            .find(|k| k.file() == file)
            .map(|k| k.of(city))
        {
            return Some(found);
        }
        let city = city.to_owned();
        // `{name}.{lang}.ics`: a name and a language, neither empty nor with a dot or slash.
        let calendar = |file: &str| -> Option<(String, String)> {
            let (name, lang) = file.strip_suffix(".ics")?.rsplit_once('.')?;
            let segment = |s: &str| !s.is_empty() && !s.contains(['/', '.']);
            (segment(name) && segment(lang)).then(|| (name.to_owned(), lang.to_owned()))
        };
        if let Some((name, lang)) = calendar(file) {
            return (name == "meetings").then_some(FeedPath::MeetingsCalendar {
                city,
                of: MeetingsOf::City,
                lang,
            });
        }
        let (dir, file) = file.split_once('/')?;
        let (name, lang) = calendar(file)?;
        match dir {
            "meetings" => Some(FeedPath::MeetingsCalendar {
                city,
                of: MeetingsOf::Body(name),
                lang,
            }),
            "meeting" => Some(FeedPath::MeetingsCalendar {
                city,
                of: MeetingsOf::Meeting(name),
                lang,
            }),
            "garbage" => Some(FeedPath::GarbageCalendar {
                city,
                area: name,
                lang,
            }),
            _ => None,
        }
    }
}

/// `/feeds/manifest.json`, written by `machi-hub export` for static hosting (a hub does not serve
/// it): each feed's content-hashed file. The manifest is the one file of an exported tree whose
/// name stays the same (served with a short cache); every file it names carries its content's
/// hash, never changes, and may be cached for ever, by a CDN and the browser alike.
///
/// The app reads only [`FeedManifest::FILES`] → a feed's relative path → [`FeedFile::FILE`] (by
/// those names, without serde: see the app's `feeds.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedManifest {
    pub version: u32,
    /// When the export ran.
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    /// Every feed, JSON and postcard, by its path relative to the feeds' base
    /// ([`FeedPath::relative_in`]: `index.json`, `{city}/garbage.json`, `{city}/garbage.bin` …).
    pub files: std::collections::BTreeMap<String, FeedFile>,
}

/// One feed of a [`FeedManifest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedFile {
    /// The content-hashed file, relative to the feeds' base ([`FeedPath::hashed`]).
    pub file: String,
    /// The SHA-256 of its bytes, in hex.
    pub sha256: String,
    pub size: u64,
    /// The feed's own `generated_at`: when its content last changed.
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
}

impl FeedManifest {
    /// Its path relative to the feeds' base.
    pub const PATH: &'static str = "manifest.json";
    /// The field the app reads (a test keeps it equal to serde's name).
    pub const FILES: &'static str = "files";
}

impl FeedFile {
    /// The field the app reads (a test keeps it equal to serde's name).
    pub const FILE: &'static str = "file";
}

/// `/feeds/index.json`: every municipality this hub serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CityIndex {
    pub version: u32,
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    pub cities: Vec<CitySummary>,
}

/// One municipality in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitySummary {
    /// URL-safe identifier, the city file's stem (`cities/demo.toml` → `demo`).
    pub id: String,
    /// 全国地方公共団体コード (6 digits), when the municipality has one.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub lg_code: Option<String>,
    pub name: LocalizedText,
    /// Name of the prefecture, for telling apart same-named municipalities.
    #[serde(default)]
    pub prefecture: LocalizedText,
}

/// `/feeds/{city}/city.json`: a municipality, its areas and the sources Machi shows from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CityFeed {
    pub version: u32,
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    pub id: String,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub lg_code: Option<String>,
    pub name: LocalizedText,
    #[serde(default)]
    pub prefecture: LocalizedText,
    /// IANA time zone of the municipality; collection days and reminders are in its local time.
    pub timezone: String,
    /// The areas a resident picks from (collection districts, 校下, 町丁目 groups …).
    pub areas: Vec<Area>,
    /// Every source shown by the app, with the attribution its licence requires.
    pub sources: Vec<SourceInfo>,
}

/// An area of a municipality that a resident lives in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub id: String,
    pub name: LocalizedText,
    /// Reading in hiragana, for search and for やさしい日本語.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub kana: Option<String>,
    /// The id of this area's collection area in [`GarbageFeed::calendar`], when the city has one.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub garbage_area: Option<String>,
    /// A reference point of the area, `(lat, lon)` (WGS 84): where "nearest shelters" measure
    /// from when the resident does not share their location.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub point: Option<(f64, f64)>,
}

/// `/feeds/{city}/garbage.json`: the city's collection rules, categories and item dictionary.
/// The app computes dates from the rules, so one copy answers "what goes out on …?" offline for
/// months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GarbageFeed {
    pub version: u32,
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    /// The id of the source in [`CityFeed::sources`] this calendar came from.
    pub source: String,
    pub calendar: GarbageCalendar,
}

/// `/feeds/{city}/alerts.json`: the disaster alerts that concern the city and its shelters.
///
/// Every alert is trimmed to the city: its `areas`, earthquake `intensities` and `tsunami`
/// forecasts list only the codes of [`AlertsFeed::area_codes`] (the city is what the app shows;
/// a nationwide earthquake report would otherwise be hundreds of entries). Times are as the
/// source published them, except in a demo feed (see [`AlertsFeed::demo_time_shift_secs`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsFeed {
    pub version: u32,
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    /// The ids of the sources in [`CityFeed::sources`] this feed was made from (for attribution
    /// and freshness).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub sources: Vec<String>,
    /// The codes that place the city: its JMA 市町村等 codes (7 digits) first, then the other codes
    /// the city file names (forecast regions, `seismic:…`, `tsunami:…`, CAP geocodes).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub area_codes: Vec<AreaCode>,
    /// In force now for the city, most severe first (severity, then 警戒レベル, then newest).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub in_force: Vec<Alert>,
    /// Everything that concerned the city in the last 72 hours, newest first, lifted (解除) and
    /// cancelled (取消, shown with status `cancelled`) included, and whatever is in `in_force` or
    /// `unconfirmed`, however old. Earthquake reports are only here.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub history: Vec<Alert>,
    /// Would be in force, but no newer message of its series came within the bound for its kind
    /// (`alerts::confirmation_bound`): its lift may have been missed. Shown as "may have ended",
    /// with its last update, never as current (not on Today, never pushed as new).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub unconfirmed: Vec<Alert>,
    /// When the alert sources were last polled successfully; `None` before the first success.
    /// The sources' `stale` / `last_error` in [`CityFeed::sources`] say why a later poll failed.
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::utc_opt"
    )]
    pub last_success: Option<DateTime<Utc>>,
    /// The city's 指定緊急避難場所 (from its `shelters` source), for `nearest`.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub shelters: Vec<Shelter>,
    /// Demo only: every time in this feed was moved forward by this many seconds so that the demo
    /// city's recorded messages look current (the newest is "now" when the hub started). The app
    /// must say the alerts are a demonstration. Never set for a real city.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub demo_time_shift_secs: Option<i64>,
}

/// `/feeds/{city}/meetings.json`: the public meetings of the city's bodies in a window around
/// now (past ones with their minutes, upcoming ones with how to attend), and notices of meetings
/// from news feeds. The hub assembles it (`MeetingsFeed::assemble`, machi-data's `sources`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingsFeed {
    pub version: u32,
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    /// The ids of the sources in [`CityFeed::sources`] it was made from.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub bodies: Vec<crate::meetings::Body>,
    /// Sorted by start.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub meetings: Vec<crate::meetings::Meeting>,
    /// Newest first.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub notices: Vec<crate::meetings::Notice>,
    /// The dates (city time) `meetings` covers.
    #[serde(deserialize_with = "crate::time::date")]
    pub from: chrono::NaiveDate,
    #[serde(deserialize_with = "crate::time::date")]
    pub to: chrono::NaiveDate,
    /// Demo only: every date was moved forward by this many seconds (whole weeks) so the demo's
    /// meetings are upcoming whenever the hub starts. Never set for a real city.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub demo_time_shift_secs: Option<i64>,
}

/// What a city's alerts feed is made of (see [`AlertsFeed::assemble`]).
#[derive(Debug, Clone)]
pub struct AlertsInput<'a> {
    /// Every alert of every message the city's alert sources kept.
    pub alerts: Vec<Alert>,
    /// Where the city is.
    pub scope: &'a AreaScope,
    pub shelters: Vec<Shelter>,
    /// The ids of the sources the feed is made from.
    pub sources: Vec<String>,
    /// When the message sources were last read successfully (all of them).
    pub last_success: Option<DateTime<Utc>>,
    /// Demo only: replay the messages so that the newest one was issued at this moment (when the
    /// hub started); see [`AlertsFeed::demo_time_shift_secs`].
    pub replay_newest_at: Option<DateTime<Utc>>,
}

impl AlertsFeed {
    /// The city's alerts feed at `now` (its `generated_at`): what is in force for the city, the
    /// last 72 hours (cancelled messages shown as such), every alert trimmed to the city's codes.
    pub fn assemble(input: AlertsInput<'_>, now: DateTime<Utc>) -> AlertsFeed {
        let AlertsInput {
            mut alerts,
            scope,
            shelters,
            sources,
            last_success,
            replay_newest_at,
        } = input;
        if scope.codes.is_empty() && scope.point.is_none() {
            alerts.clear();
        }
        let mut shift = None;
        if let Some(anchor) = replay_newest_at {
            let newest = alerts
                .iter()
                .filter(|a| scope.touches(a))
                .map(|a| a.issued_at.with_timezone(&Utc))
                .max();
            if let Some(newest) = newest {
                // Whole minutes, so the shifted times read like JMA's.
                let secs = (anchor - newest).num_seconds();
                let by = Duration::seconds(secs - secs.rem_euclid(60));
                if by > Duration::zero() {
                    for a in &mut alerts {
                        shift_times(a, by);
                    }
                    shift = Some(by.num_seconds());
                }
            }
        }
        let state = AlertState::compute_in(&alerts, scope, now);
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
        AlertsFeed {
            version: FEED_VERSION,
            generated_at: now,
            sources,
            area_codes: scope.codes.clone(),
            in_force: state
                .in_force
                .into_iter()
                .map(|a| trimmed(a, scope))
                .collect(),
            history: history.into_iter().map(|a| trimmed(a, scope)).collect(),
            unconfirmed: state
                .unconfirmed
                .into_iter()
                .map(|a| trimmed(a, scope))
                .collect(),
            last_success,
            shelters,
            demo_time_shift_secs: shift,
        }
    }
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

/// `/feeds/{city}/nursery.json`: the city's nurseries and their vacancies by age class, month
/// by month (newest first; the hub keeps every month it has seen and publishes the last
/// [`NURSERY_MONTHS`]). Facility names and texts are as the city published them (Japanese).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NurseryFeed {
    pub version: u32,
    #[serde(deserialize_with = "crate::time::utc")]
    pub generated_at: DateTime<Utc>,
    /// The ids of the sources in [`CityFeed::sources`] it was made from.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub sources: Vec<String>,
    pub facilities: Vec<crate::nursery::Facility>,
    /// Newest first: `months[0]` is the current table, `months[1]` the one before.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub months: Vec<crate::nursery::VacancyMonth>,
    /// Names of vacancy rows that matched no facility of the city's list (they are still listed,
    /// as facilities known only from the table).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub unjoined: Vec<String>,
}

/// How many months of vacancies a nursery feed carries.
pub const NURSERY_MONTHS: usize = 12;

/// What a source holds; decides which parser the hub runs and which page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The municipality's own profile: names and areas (for the demo city, its TOML file).
    CityProfile,
    #[serde(rename = "garbage-5374")]
    Garbage5374,
    GarbageIcal,
    /// Readings of the calendar's area names (a CSV of area name and kana), for search.
    AreaReadings,
    JmaAtom,
    Cap,
    Shelters,
    /// A facility list: 子育て施設一覧 CSV, papamama GeoJSON or CSV.
    NurseryFacilities,
    /// Vacancy tables: 横浜市's 入所状況, a marks table, Machi's vacancy CSV.
    NurseryVacancies,
    /// An iCalendar of meetings (`meetings-ical`).
    MeetingsIcal,
    /// The Machi meeting CSV (`meetings-csv`, see `cities/README.md`).
    MeetingsCsv,
    /// An イベント一覧 event list, of which the city's meeting rows are read (`meetings-events`).
    MeetingsEvents,
    /// An RSS or Atom 新着情報 feed, of which the meeting items become notices (`meetings-news`).
    MeetingsNews,
}

impl SourceKind {
    /// Whether the kind feeds `/feeds/{city}/garbage.json` (a city has at most one).
    pub fn is_garbage(self) -> bool {
        matches!(self, SourceKind::Garbage5374 | SourceKind::GarbageIcal)
    }

    /// Whether the kind feeds `/feeds/{city}/nursery.json`.
    pub fn is_nursery(self) -> bool {
        matches!(
            self,
            SourceKind::NurseryFacilities | SourceKind::NurseryVacancies
        )
    }

    /// Whether the kind feeds `/feeds/{city}/meetings.json`.
    pub fn is_meetings(self) -> bool {
        matches!(
            self,
            SourceKind::MeetingsIcal
                | SourceKind::MeetingsCsv
                | SourceKind::MeetingsEvents
                | SourceKind::MeetingsNews
        )
    }

    /// Whether the kind feeds `/feeds/{city}/alerts.json`.
    pub fn is_alerts(self) -> bool {
        matches!(
            self,
            SourceKind::JmaAtom | SourceKind::Cap | SourceKind::Shelters
        )
    }
}

/// A source as the app shows it: title, licence, attribution and freshness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub id: String,
    pub kind: SourceKind,
    pub title: LocalizedText,
    /// Who to credit, as the licence asks (e.g. "金沢市", "気象庁").
    pub attribution: LocalizedText,
    /// Short licence name, e.g. "CC BY 4.0" or "政府標準利用規約 2.0".
    pub licence: String,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub licence_url: Option<String>,
    /// Where the data comes from, for residents who want the original.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub url: Option<String>,
    /// When the data was last fetched and accepted; `None` until it has been once.
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::utc_opt"
    )]
    pub as_of: Option<DateTime<Utc>>,
    /// True when the last attempt failed and the feed still shows the last good copy.
    #[serde(default)]
    pub stale: bool,
    /// Why the last attempt failed, naming the source and the place (for the operator and the page).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub last_error: Option<String>,
}

impl CityFeed {
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// The collection area in `calendar` of the resident's area `area`: the area's
    /// `garbage_area`, looked up in the calendar. With [`GarbageCalendar::collected_on`], the one
    /// answer to "what goes out on this date where I live", for the app and the hub's reminders.
    pub fn collection_area<'c>(
        &self,
        area: &str,
        calendar: &'c GarbageCalendar,
    ) -> Option<&'c GarbageArea> {
        calendar.area(self.area(area)?.garbage_area.as_deref()?)
    }

    /// The oldest `as_of` of the sources: how old the data on screen may be.
    pub fn oldest_as_of(&self) -> Option<DateTime<Utc>> {
        self.sources.iter().filter_map(|s| s.as_of).min()
    }
}

/// Why a feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedError {
    /// The JSON did not match the schema; `line` and `column` point into the feed.
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
    /// The feed was written by a newer schema than this build knows.
    UnsupportedVersion { found: u32 },
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedError::Malformed {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "malformed feed at line {line}, column {column}: {message}"
                )
            }
            FeedError::UnsupportedVersion { found } => {
                write!(
                    f,
                    "feed version {found} is newer than this app knows ({FEED_VERSION})"
                )
            }
        }
    }
}

impl std::error::Error for FeedError {}

/// Parses a feed, checking its schema version first so a newer feed gets a clear error.
pub fn parse_feed<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, FeedError> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let malformed = |e: serde_json::Error| FeedError::Malformed {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let v: Versioned = serde_json::from_str(json).map_err(malformed)?;
    check_version(v.version)?;
    serde_json::from_str(json).map_err(malformed)
}

/// Refuses a feed written by a newer schema than this build knows, before it is read (a reader
/// other than [`parse_feed`], such as the app's, checks `version` with this first).
pub fn check_version(version: u32) -> Result<(), FeedError> {
    if version > FEED_VERSION {
        return Err(FeedError::UnsupportedVersion { found: version });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_has_a_postcard_twin_and_a_calendar_has_none() {
        let garbage = FeedPath::Garbage("demo".into());
        assert_eq!(
            garbage.path_in(FeedFormat::Postcard),
            "/feeds/demo/garbage.bin"
        );
        assert_eq!(
            garbage.relative_in(FeedFormat::Postcard),
            "demo/garbage.bin"
        );
        assert_eq!(garbage.path_in(FeedFormat::Json), garbage.path());
        assert_eq!(
            FeedPath::parse_in("/feeds/demo/garbage.bin"),
            Some((garbage.clone(), FeedFormat::Postcard))
        );
        assert_eq!(
            FeedPath::parse_in("/feeds/index.bin"),
            Some((FeedPath::Index, FeedFormat::Postcard))
        );
        assert_eq!(
            FeedPath::parse_in("/feeds/demo/garbage.json"),
            Some((garbage, FeedFormat::Json))
        );
        let calendar = FeedPath::parse("/feeds/demo/meetings.en.ics").unwrap();
        assert_eq!(calendar.path_in(FeedFormat::Postcard), calendar.path());
        assert_eq!(FeedPath::parse_in("/feeds/demo/meetings.en.bin"), None);
        assert_eq!(FeedPath::parse_in("/feeds/demo/nothing.bin"), None);
    }

    #[test]
    fn hashed_names_keep_the_directory_and_the_extension() {
        let hash = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            FeedPath::hashed("demo/garbage.json", hash),
            "demo/garbage.0123456789abcdef.json"
        );
        assert_eq!(
            FeedPath::hashed("index.json", hash),
            "index.0123456789abcdef.json"
        );
        assert_eq!(
            FeedPath::Garbage("demo".into()).relative(),
            "demo/garbage.json"
        );
        assert_eq!(FeedPath::Index.relative(), "index.json");
    }

    /// The app reads the manifest by these names, without serde.
    #[test]
    fn the_manifest_fields_the_app_reads_are_serdes_names() {
        let at: DateTime<Utc> = "2026-11-22T00:00:00Z".parse().unwrap();
        let manifest = FeedManifest {
            version: FEED_VERSION,
            generated_at: at,
            files: [(
                "index.json".to_owned(),
                FeedFile {
                    file: "index.0123456789abcdef.json".into(),
                    sha256: "00".into(),
                    size: 2,
                    generated_at: at,
                },
            )]
            .into(),
        };
        let json = serde_json::to_value(&manifest).unwrap();
        assert_eq!(
            json[FeedManifest::FILES]["index.json"][FeedFile::FILE],
            "index.0123456789abcdef.json"
        );
        let back: FeedManifest = parse_feed(&json.to_string()).unwrap();
        assert_eq!(back, manifest);
    }

    #[test]
    fn a_city_feed_round_trips() {
        let feed = CityFeed {
            version: FEED_VERSION,
            generated_at: "2026-11-22T00:00:00Z".parse().unwrap(),
            id: "demo".into(),
            lg_code: None,
            name: LocalizedText::ja("まち市"),
            prefecture: LocalizedText::default(),
            timezone: "Asia/Tokyo".into(),
            areas: vec![Area {
                id: "kita".into(),
                name: LocalizedText::ja("北"),
                kana: None,
                garbage_area: None,
                point: None,
            }],
            sources: vec![],
        };
        let json = serde_json::to_string(&feed).unwrap();
        assert_eq!(parse_feed::<CityFeed>(&json).unwrap(), feed);
    }

    #[test]
    fn feed_paths_round_trip() {
        let mut paths = vec![FeedPath::Index];
        paths.extend(CityFeedKind::ALL.map(|k| k.of("demo")));
        for p in &paths {
            assert_eq!(FeedPath::parse(&p.path()).as_ref(), Some(p), "{}", p.path());
        }
        assert_eq!(
            FeedPath::Garbage("demo".into()).path(),
            "/feeds/demo/garbage.json"
        );
        assert_eq!(FeedPath::Index.path(), "/feeds/index.json");
        let calendars = [
            (
                FeedPath::MeetingsCalendar {
                    city: "demo".into(),
                    of: MeetingsOf::City,
                    lang: "ja-x-easy".into(),
                },
                "/feeds/demo/meetings.ja-x-easy.ics",
            ),
            (
                FeedPath::MeetingsCalendar {
                    city: "demo".into(),
                    of: MeetingsOf::Body("b-0123".into()),
                    lang: "en".into(),
                },
                "/feeds/demo/meetings/b-0123.en.ics",
            ),
            (
                FeedPath::MeetingsCalendar {
                    city: "demo".into(),
                    of: MeetingsOf::Meeting("m-9".into()),
                    lang: "ja".into(),
                },
                "/feeds/demo/meeting/m-9.ja.ics",
            ),
            (
                FeedPath::GarbageCalendar {
                    city: "demo".into(),
                    area: "kita".into(),
                    lang: "en".into(),
                },
                "/feeds/demo/garbage/kita.en.ics",
            ),
        ];
        for (p, written) in calendars {
            assert_eq!(p.path(), written);
            assert_eq!(FeedPath::parse(written), Some(p.clone()), "{written}");
            assert!(p.is_calendar());
        }
        for bad in [
            "/feeds/",
            "/feeds/demo/other.json",
            "/feeds//city.json",
            "/feeds/a/b/city.json",
            "/feed/demo/city.json",
            "/feeds/index.json/x",
            "/feeds/demo/meetings.ics",
            "/feeds/demo/other.en.ics",
            "/feeds/demo/garbage/.en.ics",
            "/feeds/demo/garbage/kita.en.ics/x",
            "/feeds/demo/garbage/a/kita.en.ics",
            "/feeds/demo/parks/kita.en.ics",
        ] {
            assert_eq!(FeedPath::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_resident_s_area_leads_to_what_goes_out_on_a_date() {
        use crate::garbage::{Category, Rule, Schedule};
        let area = |id: &str, garbage: Option<&str>| Area {
            id: id.into(),
            name: LocalizedText::ja(id),
            kana: None,
            garbage_area: garbage.map(Into::into),
            point: None,
        };
        let city = CityFeed {
            version: FEED_VERSION,
            generated_at: "2026-11-22T00:00:00Z".parse().unwrap(),
            id: "demo".into(),
            lg_code: None,
            name: LocalizedText::ja("まち市"),
            prefecture: LocalizedText::default(),
            timezone: "Asia/Tokyo".into(),
            areas: vec![area("kita", Some("a-1")), area("minami", None)],
            sources: vec![],
        };
        let calendar = GarbageCalendar {
            categories: vec![Category {
                id: "burnable".into(),
                ..Category::default()
            }],
            areas: vec![GarbageArea {
                id: "a-1".into(),
                schedules: vec![Schedule {
                    category: "burnable".into(),
                    rules: vec![Rule::Weekly {
                        weekday: chrono::Weekday::Mon,
                    }],
                    ..Schedule::default()
                }],
                ..GarbageArea::default()
            }],
            ..GarbageCalendar::default()
        };
        let kita = city.collection_area("kita", &calendar).unwrap();
        let on = |d: &str| -> Vec<String> {
            calendar
                .collected_on(kita, d.parse().unwrap())
                .iter()
                .map(|c| c.id.clone())
                .collect()
        };
        assert_eq!(on("2026-11-23"), ["burnable"]);
        assert!(on("2026-11-24").is_empty());
        assert!(city.collection_area("minami", &calendar).is_none());
        assert!(city.collection_area("nowhere", &calendar).is_none());
    }

    #[test]
    fn an_empty_alerts_feed_is_compact() {
        let feed = AlertsFeed {
            version: FEED_VERSION,
            generated_at: "2026-11-22T00:00:00Z".parse().unwrap(),
            sources: vec![],
            area_codes: vec![],
            in_force: vec![],
            history: vec![],
            unconfirmed: vec![],
            last_success: None,
            shelters: vec![],
            demo_time_shift_secs: None,
        };
        // Its postcard twin writes every field (it has no names to tell which is left out), and
        // writing it does not make the JSON write them.
        let bin = crate::wire::to_bytes(&feed);
        let json = serde_json::to_string(&feed).unwrap();
        assert_eq!(
            json,
            r#"{"version":1,"generated_at":"2026-11-22T00:00:00Z"}"#
        );
        assert_eq!(parse_feed::<AlertsFeed>(&json).unwrap(), feed);
        assert_eq!(crate::wire::from_bytes::<AlertsFeed>(&bin).unwrap(), feed);
    }

    #[test]
    fn a_newer_feed_version_is_refused_by_name() {
        let err = parse_feed::<CityIndex>(r#"{"version": 99}"#).unwrap_err();
        assert_eq!(err, FeedError::UnsupportedVersion { found: 99 });
    }

    #[test]
    fn a_broken_feed_says_where() {
        let err = parse_feed::<CityIndex>("{\n \"version\": 1,\n \"cities\": [}").unwrap_err();
        assert!(matches!(err, FeedError::Malformed { line: 3, .. }), "{err}");
    }
}
