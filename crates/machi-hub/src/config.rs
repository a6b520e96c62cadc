//! City configuration: parses and validates the `cities/*.toml` files, one per municipality.
//!
//! A city file names the municipality, its areas and the sources Machi shows from it (see
//! `cities/demo.toml`). Every error names the file, the line and column and the key, so an
//! operator can fix a file without reading the hub's code:
//!
//! ```text
//! cities/demo.toml:12:1: unknown field `nmae`, expected one of `id`, `lg_code`, …
//! cities/demo.toml:27:6: `areas[2].id`: duplicate area id `kita` (also `areas[0].id`)
//! ```
//!
//! Garbage sources (`garbage-5374`, `garbage-ical`; at most one per city) take `suspension` and
//! `strict` (5374) or `[sources.areas]` (iCal file name → area name); an area's optional
//! `garbage = "…"` names its row in the calendar when that differs from `name.ja`. A city with a
//! garbage source may leave out `[[areas]]`: its areas are then the calendar's (see
//! `cities/README.md`).
//!
//! Alert sources (`jma-atom`, `cap`) need an `[alerts]` table naming the codes that place the city
//! (`municipalities`: JMA 市町村等 codes; `codes`: forecast regions, `seismic:…`, `tsunami:…`, CAP
//! geocodes as `valueName:value`); a `jma-atom` source may list several feeds in `feeds = […]`
//! instead of one `path` or `url`. `demo_time_shift = true` is for the demo city only (see
//! [`AlertsConfig::demo_time_shift`]).
//!
//! Meeting sources (`meetings-ical`, `meetings-csv`, `meetings-events`, `meetings-news`) may be
//! given a `[meetings]` table: which rows of event lists and items of news feeds are meetings
//! (`match`, `categories`, `exclude`; see [`MeetingsConfig`]), and for the demo city only
//! `demo_today`.
//!
//! Relative `path`s of sources are kept as written; the hub resolves them against its working
//! directory.

use machi_data::garbage::SuspensionPolicy;
use machi_data::{LocalizedText, SourceKind};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use toml::Spanned;

/// A validated city file.
#[derive(Debug, Clone, PartialEq)]
pub struct CityConfig {
    /// The file it was read from, for error messages.
    pub file: PathBuf,
    /// URL-safe identifier, equal to the file stem.
    pub id: String,
    /// 全国地方公共団体コード (6 digits), when the municipality has one.
    pub lg_code: Option<String>,
    /// IANA time zone, e.g. `Asia/Tokyo`.
    pub timezone: String,
    pub name: LocalizedText,
    pub prefecture: LocalizedText,
    /// Empty when the file has no `[[areas]]`: the areas are then the garbage calendar's.
    pub areas: Vec<AreaConfig>,
    pub sources: Vec<SourceConfig>,
    /// The `[alerts]` table: where the city is, for alert sources.
    pub alerts: Option<AlertsConfig>,
    /// The `[meetings]` table (its defaults when absent).
    pub meetings: MeetingsConfig,
}

/// `[meetings]`: which entries of event lists and news feeds are meetings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingsConfig {
    /// `match` (title words), `categories` (イベント種類 values) and `exclude` (title words).
    pub rules: machi_data::meetings::MeetingRules,
    /// Demo only: the day the demo's meetings were written around; the hub moves them by whole
    /// weeks so that day falls in the week it starts (see [`machi_data::meetings::demo_shift_days`]).
    pub demo_today: Option<chrono::NaiveDate>,
}

/// `[alerts]`: the codes that place the city in the alert sources' area systems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertsConfig {
    /// JMA 気象・地震・火山情報／市町村等 codes (7 digits, e.g. `1720100`).
    pub municipalities: Vec<String>,
    /// Other codes, matched as written: JMA forecast regions (6 digits), `seismic:NNN`,
    /// `seismic-pref:NN`, `tsunami:NNN`, CAP geocodes (`valueName:value`).
    pub codes: Vec<String>,
    /// `forecast_area_tree.json`: when given, each municipality also matches its parent regions.
    pub area_tree: Option<PathBuf>,
    /// Demo only: shift every alert's times so the newest message is "now" when the hub starts,
    /// so recorded demo messages look current. Published as `demo_time_shift_secs`.
    pub demo_time_shift: bool,
}

/// An area a resident picks from.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaConfig {
    pub id: String,
    pub kana: Option<String>,
    pub name: LocalizedText,
    /// The area's name in the garbage calendar (`garbage = "…"`), when it differs from `name.ja`.
    pub garbage: Option<String>,
    /// 1-based line and column of `garbage` (else of `name`), for errors found at ingest.
    pub position: Option<(usize, usize)>,
    /// `point = [lat, lon]` (WGS 84): the area's reference point for "nearest shelters" when the
    /// resident does not share their location.
    pub point: Option<(f64, f64)>,
}

impl AreaConfig {
    /// The name to look up in the garbage calendar: `garbage`, else the Japanese name.
    pub fn garbage_name(&self) -> &str {
        self.garbage
            .as_deref()
            .or_else(|| self.name.original())
            .unwrap_or_default()
    }
}

/// A source the city publishes, with the attribution its licence asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    pub id: String,
    pub kind: SourceKind,
    pub location: SourceLocation,
    pub licence: String,
    pub licence_url: Option<String>,
    pub title: LocalizedText,
    pub attribution: LocalizedText,
    /// Settings of the garbage kinds; the defaults for every other kind.
    pub garbage: GarbageSettings,
    /// `jma-atom`: every feed to poll (`feeds = […]`, else the one `path` or `url`).
    pub feeds: Vec<SourceLocation>,
    /// `hosts = […]`: hosts its feeds may link to and redirect to besides their own (a remote
    /// feed's links are refused anywhere else), lowercase.
    pub hosts: Vec<String>,
}

/// How to read a garbage source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GarbageSettings {
    /// `suspension = "skip" | "shift-one-week"` (garbage-5374): collection days in a centre's
    /// suspension period are dropped (default) or moved a week later.
    pub suspension: SuspensionPolicy,
    /// `strict = true`: a cell-level problem fails the source instead of being a warning.
    pub strict: bool,
    /// `[sources.areas]` (garbage-ical): file name → area name; unnamed files use their stem.
    pub area_names: BTreeMap<String, String>,
}

/// Where a source's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    /// A file or directory on the hub's disk, as written in the city file (relative paths are
    /// resolved against the hub's working directory).
    Path(PathBuf),
    /// A remote document, fetched by the source kind's fetcher.
    Url(String),
}

impl fmt::Display for SourceLocation {
    /// The URL, or the path as written: how logs, errors and the source store name a location.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceLocation::Url(url) => f.write_str(url),
            SourceLocation::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The city files of the last good load, shared by everything that needs them (the source
/// poller, the feeds, the push API) and swapped whole at each reload. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Cities(Arc<RwLock<Arc<Vec<CityConfig>>>>);

impl Cities {
    pub fn get(&self) -> Arc<Vec<CityConfig>> {
        // Values are swapped whole, so a poisoned lock still holds a consistent list.
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, cities: Vec<CityConfig>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(cities);
    }
}

/// Why a city file (or the directory of them) could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column (in characters), when the error has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl ConfigError {
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            position: None,
            message: message.into(),
        }
    }

    fn at(
        file: &Path,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            position: span.map(|s| line_column(source, s.start)),
            message: message.into(),
        }
    }

    /// The city id the failing file would have had (its stem), to find its last good feed.
    pub fn city_id(&self) -> Option<&str> {
        self.file.file_stem().and_then(|s| s.to_str())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => {
                write!(
                    f,
                    "{}:{line}:{column}: {}",
                    self.file.display(),
                    self.message
                )
            }
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The result of reading a directory of city files: the good ones and an error for each bad one.
#[derive(Debug, Default)]
pub struct Loaded {
    pub cities: Vec<CityConfig>,
    pub errors: Vec<ConfigError>,
}

/// Reads every `*.toml` file of `dir` (not recursively, in file-name order).
///
/// A missing or unreadable directory, or one without any city file, is an error of its own: the
/// hub would otherwise start serving nothing without saying why.
pub fn load_dir(dir: &Path) -> Result<Loaded, ConfigError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ConfigError::whole_file(dir, format!("cannot read the cities directory: {e}"))
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            ConfigError::whole_file(dir, format!("cannot list the cities directory: {e}"))
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(ConfigError::whole_file(
            dir,
            "no city files (*.toml) found; add one like cities/demo.toml",
        ));
    }
    files.sort();

    let mut loaded = Loaded::default();
    for file in files {
        match load_file(&file) {
            Ok(city) => loaded.cities.push(city),
            Err(e) => loaded.errors.push(e),
        }
    }
    Ok(loaded)
}

/// Reads and validates one city file.
pub fn load_file(file: &Path) -> Result<CityConfig, ConfigError> {
    let source = std::fs::read_to_string(file)
        .map_err(|e| ConfigError::whole_file(file, format!("cannot read: {e}")))?;
    parse(file, &source)
}

/// Parses and validates the text of a city file; `file` names it in errors and gives the id.
pub fn parse(file: &Path, source: &str) -> Result<CityConfig, ConfigError> {
    let raw: RawCity = toml::from_str(source)
        .map_err(|e| ConfigError::at(file, source, e.span(), e.message().trim()))?;
    Validator { file, source }.city(raw)
}

// The raw shape of a city file. `Spanned` keeps where each value was written so validation errors
// can point at it; `deny_unknown_fields` turns a misspelt key into an error instead of a silently
// missing value.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCity {
    id: Spanned<String>,
    #[serde(default)]
    lg_code: Option<Spanned<String>>,
    timezone: Spanned<String>,
    name: Spanned<LocalizedText>,
    #[serde(default)]
    prefecture: Option<Spanned<LocalizedText>>,
    #[serde(default)]
    areas: Option<Spanned<Vec<RawArea>>>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    alerts: Option<Spanned<RawAlerts>>,
    #[serde(default)]
    meetings: Option<Spanned<RawMeetings>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeetings {
    #[serde(default, rename = "match")]
    include: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    categories: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    demo_today: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    #[serde(default)]
    municipalities: Vec<Spanned<String>>,
    #[serde(default)]
    codes: Vec<Spanned<String>>,
    #[serde(default)]
    area_tree: Option<Spanned<String>>,
    #[serde(default)]
    demo_time_shift: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    id: Spanned<String>,
    #[serde(default)]
    kana: Option<String>,
    name: Spanned<LocalizedText>,
    #[serde(default)]
    garbage: Option<Spanned<String>>,
    #[serde(default)]
    point: Option<Spanned<[f64; 2]>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    kind: SourceKind,
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    licence: Spanned<String>,
    #[serde(default)]
    licence_url: Option<Spanned<String>>,
    title: Spanned<LocalizedText>,
    attribution: Spanned<LocalizedText>,
    #[serde(default)]
    suspension: Option<Spanned<SuspensionPolicy>>,
    #[serde(default)]
    strict: Option<Spanned<bool>>,
    #[serde(default)]
    areas: Option<Spanned<BTreeMap<String, String>>>,
    #[serde(default)]
    feeds: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    hosts: Option<Spanned<Vec<Spanned<String>>>>,
}

/// Checks what the TOML types cannot say, pointing each error at the offending value.
struct Validator<'a> {
    file: &'a Path,
    source: &'a str,
}

impl Validator<'_> {
    fn error<T>(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl fmt::Display,
    ) -> Result<T, ConfigError> {
        Err(ConfigError::at(
            self.file,
            self.source,
            span,
            format!("`{key}`: {message}"),
        ))
    }

    fn city(&self, raw: RawCity) -> Result<CityConfig, ConfigError> {
        let stem = self
            .file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        self.slug(&raw.id, "id")?;
        if raw.id.get_ref() != stem {
            return self.error(
                Some(raw.id.span()),
                "id",
                format_args!(
                    "must equal the file name `{stem}` (found `{}`)",
                    raw.id.get_ref()
                ),
            );
        }
        if let Some(code) = &raw.lg_code {
            let c = code.get_ref();
            if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return self.error(
                    Some(code.span()),
                    "lg_code",
                    "must be the 6-digit 全国地方公共団体コード",
                );
            }
        }
        if raw.timezone.get_ref().trim().is_empty() {
            return self.error(
                Some(raw.timezone.span()),
                "timezone",
                "must not be empty (e.g. \"Asia/Tokyo\")",
            );
        }
        // Found here rather than by the first reminder, which would skip the city silently.
        if raw.timezone.get_ref().parse::<chrono_tz::Tz>().is_err() {
            return self.error(
                Some(raw.timezone.span()),
                "timezone",
                format_args!(
                    "`{}` is not a time zone of the IANA database (e.g. \"Asia/Tokyo\")",
                    raw.timezone.get_ref()
                ),
            );
        }
        self.text_with_japanese(&raw.name, "name")?;

        let garbage_sources: Vec<&RawSource> =
            raw.sources.iter().filter(|s| s.kind.is_garbage()).collect();
        if let [_, second, ..] = garbage_sources[..] {
            return self.error(
                Some(second.id.span()),
                "sources",
                format_args!(
                    "at most one garbage source per city (`{}` and `{}`)",
                    garbage_sources[0].id.get_ref(),
                    second.id.get_ref()
                ),
            );
        }
        let no_areas = "at least one area is required (or a garbage source to take them from)";
        let areas_span = raw.areas.as_ref().map(Spanned::span);
        let areas = raw.areas.map(Spanned::into_inner).unwrap_or_default();
        if areas.is_empty() && garbage_sources.is_empty() {
            return self.error(areas_span, "areas", no_areas);
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, area) in areas.iter().enumerate() {
            let key = format!("areas[{i}].id");
            self.slug(&area.id, &key)?;
            if let Some(first) = seen.insert(area.id.get_ref(), i) {
                return self.error(
                    Some(area.id.span()),
                    &key,
                    format_args!(
                        "duplicate area id `{}` (also `areas[{first}].id`)",
                        area.id.get_ref()
                    ),
                );
            }
            self.text_with_japanese(&area.name, &format!("areas[{i}].name"))?;
            if let Some(point) = &area.point {
                let [lat, lon] = *point.get_ref();
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return self.error(
                        Some(point.span()),
                        &format!("areas[{i}].point"),
                        format_args!("[{lat}, {lon}] is not a [latitude, longitude] pair"),
                    );
                }
            }
            if let Some(garbage) = &area.garbage {
                let key = format!("areas[{i}].garbage");
                if garbage.get_ref().trim().is_empty() {
                    return self.error(Some(garbage.span()), &key, "must not be empty");
                }
                if garbage_sources.is_empty() {
                    return self.error(
                        Some(garbage.span()),
                        &key,
                        "names a garbage area, but the city has no garbage source",
                    );
                }
            }
        }

        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, source) in raw.sources.iter().enumerate() {
            let key = format!("sources[{i}].id");
            self.slug(&source.id, &key)?;
            if let Some(first) = seen.insert(source.id.get_ref(), i) {
                return self.error(
                    Some(source.id.span()),
                    &key,
                    format_args!(
                        "duplicate source id `{}` (also `sources[{first}].id`)",
                        source.id.get_ref()
                    ),
                );
            }
            self.source_location(source, i)?;
            self.hosts(source, i)?;
            if source.licence.get_ref().trim().is_empty() {
                return self.error(
                    Some(source.licence.span()),
                    &format!("sources[{i}].licence"),
                    "must not be empty",
                );
            }
            if let Some(url) = &source.licence_url {
                self.web_url(url, &format!("sources[{i}].licence_url"))?;
            }
            self.text_with_japanese(&source.title, &format!("sources[{i}].title"))?;
            if source.attribution.get_ref().is_empty() {
                return self.error(
                    Some(source.attribution.span()),
                    &format!("sources[{i}].attribution"),
                    "must name who to credit",
                );
            }
            self.garbage_settings(source, i)?;
            if matches!(source.kind, SourceKind::JmaAtom | SourceKind::Cap) && raw.alerts.is_none()
            {
                return self.error(
                    Some(source.id.span()),
                    "alerts",
                    format_args!(
                        "source `{}` is an alert source; add an `[alerts]` table naming the \
                         city's area codes (see cities/README.md)",
                        source.id.get_ref()
                    ),
                );
            }
        }
        let alerts = match &raw.alerts {
            Some(alerts) => Some(self.alerts(alerts)?),
            None => None,
        };
        let meetings = match &raw.meetings {
            Some(meetings) => self.meetings(meetings)?,
            None => MeetingsConfig::default(),
        };

        Ok(CityConfig {
            file: self.file.to_owned(),
            id: raw.id.into_inner(),
            lg_code: raw.lg_code.map(Spanned::into_inner),
            timezone: raw.timezone.into_inner(),
            name: raw.name.into_inner(),
            prefecture: raw.prefecture.map(Spanned::into_inner).unwrap_or_default(),
            areas: areas
                .into_iter()
                .map(|a| {
                    let span = a.garbage.as_ref().map_or(a.name.span(), Spanned::span);
                    AreaConfig {
                        id: a.id.into_inner(),
                        kana: a.kana,
                        name: a.name.into_inner(),
                        garbage: a.garbage.map(|g| g.into_inner().trim().to_owned()),
                        position: Some(line_column(self.source, span.start)),
                        point: a.point.map(|p| (p.get_ref()[0], p.get_ref()[1])),
                    }
                })
                .collect(),
            sources: raw.sources.into_iter().map(source_config).collect(),
            alerts,
            meetings,
        })
    }

    /// Ids end up in URLs and file names, so they are restricted to `[a-z0-9-]+`.
    fn slug(&self, id: &Spanned<String>, key: &str) -> Result<(), ConfigError> {
        let s = id.get_ref();
        if s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return self.error(
                Some(id.span()),
                key,
                format_args!("`{s}` must be non-empty and use only a-z, 0-9 and -"),
            );
        }
        Ok(())
    }

    /// Japanese is the fallback of last resort in the app, so every name needs it.
    fn text_with_japanese(
        &self,
        text: &Spanned<LocalizedText>,
        key: &str,
    ) -> Result<(), ConfigError> {
        match text.get_ref().original() {
            Some(ja) if !ja.trim().is_empty() => Ok(()),
            _ => self.error(Some(text.span()), key, "needs a non-empty `ja` entry"),
        }
    }

    /// `suspension` and `strict` belong to the garbage kinds (`suspension` to 5374 only), `areas`
    /// to garbage-ical; anywhere else they would be silently ignored, so they are errors.
    fn garbage_settings(&self, source: &RawSource, i: usize) -> Result<(), ConfigError> {
        let kind = source.kind;
        if let Some(s) = &source.suspension {
            if kind != SourceKind::Garbage5374 {
                return self.error(
                    Some(s.span()),
                    &format!("sources[{i}].suspension"),
                    "only applies to kind \"garbage-5374\"",
                );
            }
        }
        if let Some(s) = &source.strict {
            if !kind.is_garbage() {
                return self.error(
                    Some(s.span()),
                    &format!("sources[{i}].strict"),
                    "only applies to the garbage kinds (\"garbage-5374\", \"garbage-ical\")",
                );
            }
        }
        if let Some(areas) = &source.areas {
            let key = format!("sources[{i}].areas");
            if kind != SourceKind::GarbageIcal {
                return self.error(
                    Some(areas.span()),
                    &key,
                    "only applies to kind \"garbage-ical\" (file name = area name)",
                );
            }
            for (file, name) in areas.get_ref() {
                if file.trim().is_empty() || name.trim().is_empty() {
                    return self.error(
                        Some(areas.span()),
                        &key,
                        format_args!("`{file}` = `{name}`: file and area name must not be empty"),
                    );
                }
            }
        }
        Ok(())
    }

    fn alerts(&self, raw: &Spanned<RawAlerts>) -> Result<AlertsConfig, ConfigError> {
        let alerts = raw.get_ref();
        if alerts.municipalities.is_empty() && alerts.codes.is_empty() {
            return self.error(
                Some(raw.span()),
                "alerts",
                "names no area code; give `municipalities` (JMA 市町村等, 7 digits) and/or `codes`",
            );
        }
        for (i, code) in alerts.municipalities.iter().enumerate() {
            let c = code.get_ref();
            if c.len() != 7 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return self.error(
                    Some(code.span()),
                    &format!("alerts.municipalities[{i}]"),
                    format_args!("`{c}` must be a 7-digit JMA 市町村等 code (e.g. \"1720100\")"),
                );
            }
        }
        for (i, code) in alerts.codes.iter().enumerate() {
            let c = code.get_ref();
            if c.is_empty() || c.chars().any(char::is_whitespace) {
                return self.error(
                    Some(code.span()),
                    &format!("alerts.codes[{i}]"),
                    format_args!("`{c}` must be a non-empty code without spaces"),
                );
            }
        }
        if let Some(tree) = &alerts.area_tree {
            if tree.get_ref().trim().is_empty() {
                return self.error(Some(tree.span()), "alerts.area_tree", "must not be empty");
            }
        }
        Ok(AlertsConfig {
            municipalities: alerts
                .municipalities
                .iter()
                .map(|c| c.get_ref().clone())
                .collect(),
            codes: alerts.codes.iter().map(|c| c.get_ref().clone()).collect(),
            area_tree: alerts
                .area_tree
                .as_ref()
                .map(|t| PathBuf::from(t.get_ref())),
            demo_time_shift: alerts
                .demo_time_shift
                .as_ref()
                .is_some_and(|d| *d.get_ref()),
        })
    }

    fn meetings(&self, raw: &Spanned<RawMeetings>) -> Result<MeetingsConfig, ConfigError> {
        let m = raw.get_ref();
        let words = |list: &Option<Vec<Spanned<String>>>, key: &str, default: &[String]| {
            let Some(list) = list else {
                return Ok(default.to_vec());
            };
            list.iter()
                .enumerate()
                .map(|(i, w)| {
                    let t = w.get_ref().trim();
                    if t.is_empty() {
                        self.error(
                            Some(w.span()),
                            &format!("meetings.{key}[{i}]"),
                            "must not be empty",
                        )
                    } else {
                        Ok(t.to_owned())
                    }
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let defaults = machi_data::meetings::MeetingRules::default();
        let include = words(&m.include, "match", &defaults.include)?;
        let categories = words(&Some(m.categories.clone()), "categories", &[])?;
        if include.is_empty() && categories.is_empty() {
            return self.error(
                Some(raw.span()),
                "meetings",
                "`match` and `categories` are both empty: no entry could be a meeting",
            );
        }
        let demo_today = match &m.demo_today {
            None => None,
            Some(d) => Some(
                machi_data::time::parse_date(d.get_ref().trim()).ok_or_else(|| {
                    ConfigError::at(
                        self.file,
                        self.source,
                        Some(d.span()),
                        format!(
                            "`meetings.demo_today`: `{}` is not a date (YYYY-MM-DD)",
                            d.get_ref()
                        ),
                    )
                })?,
            ),
        };
        Ok(MeetingsConfig {
            rules: machi_data::meetings::MeetingRules {
                include,
                categories,
                exclude: words(&m.exclude, "exclude", &defaults.exclude)?,
            },
            demo_today,
        })
    }

    fn source_location(&self, source: &RawSource, i: usize) -> Result<(), ConfigError> {
        if let Some(feeds) = &source.feeds {
            let key = format!("sources[{i}].feeds");
            if source.kind != SourceKind::JmaAtom {
                return self.error(
                    Some(feeds.span()),
                    &key,
                    "only applies to kind \"jma-atom\" (a list of Atom feeds)",
                );
            }
            if source.path.is_some() || source.url.is_some() {
                return self.error(
                    Some(feeds.span()),
                    &format!("sources[{i}]"),
                    "has `feeds` and `path` or `url`; give one of them",
                );
            }
            if feeds.get_ref().is_empty() {
                return self.error(Some(feeds.span()), &key, "must list at least one feed");
            }
            for (n, feed) in feeds.get_ref().iter().enumerate() {
                let f = feed.get_ref();
                if f.trim().is_empty() {
                    return self.error(
                        Some(feed.span()),
                        &format!("{key}[{n}]"),
                        "must not be empty",
                    );
                }
                if f.contains("://") {
                    self.web_url(feed, &format!("{key}[{n}]"))?;
                }
            }
            return Ok(());
        }
        match (&source.path, &source.url) {
            (Some(path), None) if path.get_ref().trim().is_empty() => self.error(
                Some(path.span()),
                &format!("sources[{i}].path"),
                "must not be empty",
            ),
            (Some(_), None) => Ok(()),
            (None, Some(url)) => self.web_url(url, &format!("sources[{i}].url")),
            (Some(_), Some(url)) => self.error(
                Some(url.span()),
                &format!("sources[{i}]"),
                "has both `path` and `url`; give exactly one",
            ),
            (None, None) => self.error(
                Some(source.id.span()),
                &format!("sources[{i}]"),
                "needs exactly one of `path` or `url`",
            ),
        }
    }

    /// `hosts`: bare host names (`www.data.jma.go.jp`), for the kinds that follow links.
    fn hosts(&self, source: &RawSource, i: usize) -> Result<(), ConfigError> {
        let Some(hosts) = &source.hosts else {
            return Ok(());
        };
        let key = format!("sources[{i}].hosts");
        if !matches!(source.kind, SourceKind::JmaAtom) {
            return self.error(
                Some(hosts.span()),
                &key,
                "only applies to kind \"jma-atom\" (where its feeds' links may point)",
            );
        }
        for (n, host) in hosts.get_ref().iter().enumerate() {
            let h = host.get_ref();
            let bare = !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
            if !bare {
                return self.error(
                    Some(host.span()),
                    &format!("{key}[{n}]"),
                    format_args!("`{h}` must be a bare host name (e.g. \"www.data.jma.go.jp\")"),
                );
            }
        }
        Ok(())
    }

    fn web_url(&self, url: &Spanned<String>, key: &str) -> Result<(), ConfigError> {
        let u = url.get_ref();
        if u.starts_with("https://") || u.starts_with("http://") {
            Ok(())
        } else {
            self.error(
                Some(url.span()),
                key,
                format_args!("`{u}` must be an http(s) URL"),
            )
        }
    }
}

/// A feed entry of `feeds = […]`: an http(s) URL, else a path.
fn location_of(s: &str) -> SourceLocation {
    if s.starts_with("https://") || s.starts_with("http://") {
        SourceLocation::Url(s.to_owned())
    } else {
        SourceLocation::Path(PathBuf::from(s))
    }
}

fn source_config(raw: RawSource) -> SourceConfig {
    let feeds: Vec<SourceLocation> = raw
        .feeds
        .map(|f| {
            f.into_inner()
                .iter()
                .map(|s| location_of(s.get_ref()))
                .collect()
        })
        .unwrap_or_default();
    // Validation has already checked that exactly one of path, url and feeds is present.
    let location = match (raw.path, raw.url) {
        (Some(path), _) => SourceLocation::Path(PathBuf::from(path.into_inner())),
        (None, Some(url)) => SourceLocation::Url(url.into_inner()),
        (None, None) => feeds
            .first()
            .cloned()
            .unwrap_or(SourceLocation::Url(String::new())),
    };
    let feeds = if raw.kind == SourceKind::JmaAtom && feeds.is_empty() {
        vec![location.clone()]
    } else {
        feeds
    };
    let hosts = raw
        .hosts
        .map(|h| {
            h.into_inner()
                .iter()
                .map(|s| s.get_ref().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    SourceConfig {
        hosts,
        id: raw.id.into_inner(),
        kind: raw.kind,
        location,
        licence: raw.licence.into_inner(),
        licence_url: raw.licence_url.map(Spanned::into_inner),
        title: raw.title.into_inner(),
        attribution: raw.attribution.into_inner(),
        garbage: GarbageSettings {
            suspension: raw.suspension.map(Spanned::into_inner).unwrap_or_default(),
            strict: raw.strict.is_some_and(Spanned::into_inner),
            area_names: raw
                .areas
                .map(Spanned::into_inner)
                .unwrap_or_default()
                .into_iter()
                .map(|(file, name)| (file.trim().to_owned(), name.trim().to_owned()))
                .collect(),
        },
        feeds,
    }
}

/// 1-based line and column (counted in characters, as editors do) of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    // A span never splits a character, but clamp to a boundary anyway rather than panic.
    let offset = (0..=offset)
        .rev()
        .find(|&i| source.is_char_boundary(i))
        .unwrap_or(0);
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"id = "test"
timezone = "Asia/Tokyo"

[name]
ja = "テスト市"
en = "Test City"

[[areas]]
id = "kita"
name = { ja = "北" }

[[areas]]
id = "minami"
kana = "みなみ"
name = { ja = "南" }

[[sources]]
id = "garbage"
kind = "garbage-ical"
path = "data/garbage"
licence = "CC BY 4.0"
title = { ja = "ごみ" }
attribution = { ja = "テスト市" }
"#;

    fn parse_test(text: &str) -> Result<CityConfig, ConfigError> {
        parse(Path::new("cities/test.toml"), text)
    }

    #[test]
    fn a_good_file_parses() {
        let city = parse_test(GOOD).unwrap();
        assert_eq!(city.id, "test");
        assert_eq!(city.areas.len(), 2);
        assert_eq!(city.areas[1].kana.as_deref(), Some("みなみ"));
        assert_eq!(city.sources[0].kind, SourceKind::GarbageIcal);
        assert_eq!(
            city.sources[0].location,
            SourceLocation::Path("data/garbage".into())
        );
        assert!(city.prefecture.0.is_empty());
    }

    #[test]
    fn the_meetings_table_says_which_entries_are_meetings() {
        let city = parse_test(GOOD).unwrap();
        assert_eq!(city.meetings, MeetingsConfig::default());
        let text =
            format!("{GOOD}\n[meetings]\nmatch = [\"外部評価\"]\ndemo_today = \"2026-12-07\"\n");
        let city = parse_test(&text).unwrap();
        assert_eq!(city.meetings.rules.include, ["外部評価"]);
        assert_eq!(city.meetings.rules.exclude, ["募集", "公募"]);
        assert_eq!(city.meetings.demo_today, "2026-12-07".parse().ok());
        let err = parse_test(&format!("{GOOD}\n[meetings]\nmatch = [\" \"]\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`meetings.match[0]`: must not be empty"),
            "{err}"
        );
        let err = parse_test(&format!("{GOOD}\n[meetings]\ndemo_today = \"12/7\"\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`meetings.demo_today`: `12/7` is not a date"),
            "{err}"
        );
        let err = parse_test(&format!("{GOOD}\n[meetings]\nmatch = []\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no entry could be a meeting"), "{err}");
    }

    #[test]
    fn the_real_demo_city_parses() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cities/demo.toml");
        let city = load_file(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(city.id, "demo");
        assert_eq!(city.name.original(), Some("まち市（デモ）"));
        assert!(!city.areas.is_empty());
        assert!(!city.sources.is_empty());
    }

    #[test]
    fn an_area_point_is_read_and_a_swapped_one_named() {
        let text = GOOD.replacen(
            "name = { ja = \"北\" }",
            "name = { ja = \"北\" }\npoint = [36.56, 136.65]",
            1,
        );
        let city = parse_test(&text).unwrap();
        assert_eq!(city.areas[0].point, Some((36.56, 136.65)));
        let text = GOOD.replacen(
            "name = { ja = \"北\" }",
            "name = { ja = \"北\" }\npoint = [136.65, 36.56]",
            1,
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.contains("`areas[0].point`"), "{err}");
        assert!(err.contains("not a [latitude, longitude] pair"), "{err}");
    }

    #[test]
    fn an_unknown_time_zone_is_named_at_load() {
        let text = GOOD.replacen("Asia/Tokyo", "Asia/Tokio", 1);
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(
            err.starts_with("cities/test.toml:2:12: `timezone`"),
            "{err}"
        );
        assert!(err.contains("`Asia/Tokio` is not a time zone"), "{err}");
        let text = GOOD.replacen("Asia/Tokyo", "Europe/Berlin", 1);
        assert_eq!(parse_test(&text).unwrap().timezone, "Europe/Berlin");
    }

    #[test]
    fn an_unknown_key_names_file_line_and_key() {
        // Misspell a top-level key on line 2.
        let text = GOOD.replacen("timezone", "timezon", 1);
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.starts_with("cities/test.toml:2:1: "), "{err}");
        assert!(err.contains("unknown field `timezon`"), "{err}");
    }

    #[test]
    fn a_duplicate_area_id_names_areas_and_points_at_it() {
        let text = GOOD.replace("id = \"minami\"", "id = \"kita\"");
        let err = parse_test(&text).unwrap_err();
        assert_eq!(err.position, Some((13, 6)), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("`areas[1].id`"), "{msg}");
        assert!(msg.contains("duplicate area id `kita`"), "{msg}");
    }

    #[test]
    fn the_id_must_match_the_file_stem() {
        let err = parse(Path::new("cities/other.toml"), GOOD)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("cities/other.toml:1:6: `id`"), "{err}");
    }

    #[test]
    fn a_name_needs_japanese() {
        let text = GOOD.replace("ja = \"テスト市\"\n", "");
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(
            err.contains("`name`: needs a non-empty `ja` entry"),
            "{err}"
        );
    }

    #[test]
    fn a_source_needs_exactly_one_location() {
        let both = GOOD.replace(
            "path = \"data/garbage\"",
            "path = \"a\"\nurl = \"https://example.org/\"",
        );
        let err = parse_test(&both).unwrap_err().to_string();
        assert!(err.contains("`sources[0]`: has both"), "{err}");
        let neither = GOOD.replace("path = \"data/garbage\"\n", "");
        let err = parse_test(&neither).unwrap_err().to_string();
        assert!(err.contains("`sources[0]`: needs exactly one"), "{err}");
    }

    #[test]
    fn cities_need_an_area() {
        let text = GOOD.split("[[areas]]").next().unwrap().to_owned();
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.contains("`areas`: at least one area"), "{err}");
    }

    #[test]
    fn an_unknown_source_kind_is_refused_with_its_place() {
        let text = GOOD.replace("garbage-ical", "garbage-9999");
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.starts_with("cities/test.toml:19:8: "), "{err}");
        assert!(err.contains("garbage-9999"), "{err}");
    }

    #[test]
    fn garbage_settings_parse_with_defaults() {
        let city = parse_test(GOOD).unwrap();
        assert_eq!(city.sources[0].garbage, GarbageSettings::default());
        assert_eq!(city.areas[0].garbage_name(), "北");

        let text = GOOD
            .replace("kind = \"garbage-ical\"", "kind = \"garbage-5374\"")
            .replace(
                "licence = \"CC BY 4.0\"",
                "suspension = \"shift-one-week\"\nstrict = true\nlicence = \"CC BY 4.0\"",
            )
            .replace(
                "kana = \"みなみ\"",
                "kana = \"みなみ\"\ngarbage = \"南（1）\"",
            );
        let city = parse_test(&text).unwrap();
        let settings = &city.sources[0].garbage;
        assert_eq!(settings.suspension, SuspensionPolicy::ShiftOneWeek);
        assert!(settings.strict);
        assert_eq!(city.areas[1].garbage_name(), "南（1）");
        assert_eq!(city.areas[1].position, Some((15, 11)));

        let ics = format!("{GOOD}\n[sources.areas]\n\"a.ics\" = \"秋津\"\n");
        let city = parse_test(&ics).unwrap();
        assert_eq!(city.sources[0].garbage.area_names["a.ics"], "秋津");
    }

    #[test]
    fn garbage_settings_are_checked_by_kind_and_value() {
        let text = GOOD.replace(
            "licence = \"CC BY 4.0\"",
            "suspension = \"shift\"\nlicence = \"CC BY 4.0\"",
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.starts_with("cities/test.toml:21:"), "{err}");
        assert!(err.contains("shift-one-week"), "{err}");

        let text = GOOD.replace(
            "licence = \"CC BY 4.0\"",
            "suspension = \"skip\"\nlicence = \"CC BY 4.0\"",
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(
            err.contains("`sources[0].suspension`: only applies to kind \"garbage-5374\""),
            "{err}"
        );

        let text = GOOD.replace("garbage-ical", "garbage-5374");
        let err = parse_test(&format!("{text}\n[sources.areas]\n\"a.ics\" = \"x\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`sources[0].areas`: only applies"), "{err}");

        let text = GOOD.replace(
            "name = { ja = \"北\" }",
            "name = { ja = \"北\" }\ngarbage = \" \"",
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.starts_with("cities/test.toml:11:"), "{err}");
        assert!(
            err.contains("`areas[0].garbage`: must not be empty"),
            "{err}"
        );
    }

    #[test]
    fn a_city_has_at_most_one_garbage_source() {
        let second = GOOD
            .split("[[sources]]")
            .nth(1)
            .unwrap()
            .replace("id = \"garbage\"", "id = \"garbage2\"");
        let text = format!("{GOOD}\n[[sources]]{second}");
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.contains("at most one garbage source"), "{err}");
        assert!(err.contains("`garbage2`"), "{err}");
    }

    #[test]
    fn a_garbage_source_stands_in_for_the_areas() {
        let (head, rest) = GOOD.split_once("[[areas]]").unwrap();
        let sources = &rest[rest.find("[[sources]]").unwrap()..];
        let city = parse_test(&format!("{head}{sources}")).unwrap();
        assert!(city.areas.is_empty());
        // Without one, an area is still required, and `garbage` needs a garbage source.
        let text = GOOD.replace("garbage-ical", "shelters");
        let text = text.replace(
            "name = { ja = \"北\" }",
            "name = { ja = \"北\" }\ngarbage = \"北\"",
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.contains("the city has no garbage source"), "{err}");
    }

    const ALERTS: &str = r#"
[alerts]
municipalities = ["1720200"]
codes = ["170022", "tsunami:390"]

[[sources]]
id = "jma"
kind = "jma-atom"
feeds = ["https://www.data.jma.go.jp/developer/xml/feed/extra.xml", "data/feed.xml"]
licence = "政府標準利用規約（第2.0版）"
title = { ja = "気象庁防災情報XML" }
attribution = { ja = "気象庁" }
"#;

    #[test]
    fn alert_settings_parse() {
        let city = parse_test(&format!("{GOOD}{ALERTS}")).unwrap();
        let alerts = city.alerts.as_ref().unwrap();
        assert_eq!(alerts.municipalities, ["1720200"]);
        assert_eq!(alerts.codes, ["170022", "tsunami:390"]);
        assert!(!alerts.demo_time_shift);
        assert_eq!(
            city.sources[1].feeds,
            [
                SourceLocation::Url(
                    "https://www.data.jma.go.jp/developer/xml/feed/extra.xml".into()
                ),
                SourceLocation::Path("data/feed.xml".into()),
            ]
        );
        // One `url` is a list of one feed.
        let one = ALERTS.replace(
            "feeds = [\"https://www.data.jma.go.jp/developer/xml/feed/extra.xml\", \"data/feed.xml\"]",
            "url = \"https://example.org/feed.xml\"",
        );
        let city = parse_test(&format!("{GOOD}{one}")).unwrap();
        assert_eq!(
            city.sources[1].feeds,
            [SourceLocation::Url("https://example.org/feed.xml".into())]
        );
    }

    #[test]
    fn alert_settings_errors_name_line_and_key() {
        let text = format!("{GOOD}{}", ALERTS.replace("1720200", "17202"));
        let err = parse_test(&text).unwrap_err();
        assert_eq!(err.position, Some((26, 19)), "{err}");
        assert!(
            err.to_string()
                .contains("`alerts.municipalities[0]`: `17202` must be a 7-digit"),
            "{err}"
        );

        let text = format!(
            "{GOOD}{}",
            ALERTS.replace("\"tsunami:390\"", "\"tsunami 390\"")
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.starts_with("cities/test.toml:27:"), "{err}");
        assert!(err.contains("`alerts.codes[1]`"), "{err}");

        let (_, sources) = ALERTS.split_once("\n\n").unwrap();
        let err = parse_test(&format!("{GOOD}\n{sources}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`alerts`: source `jma` is an alert source"),
            "{err}"
        );

        let text = format!(
            "{GOOD}{}",
            ALERTS.replace("kind = \"jma-atom\"", "kind = \"cap\"")
        );
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(
            err.contains("`sources[1].feeds`: only applies to kind \"jma-atom\""),
            "{err}"
        );

        let text = format!("{GOOD}{}", ALERTS.replace("data/feed.xml", "ftp://x"));
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(
            err.contains("`sources[1].feeds[1]`: `ftp://x` must be an http(s) URL"),
            "{err}"
        );

        let text = format!("{GOOD}\n[alerts]\ndemo_time_shift = true\n");
        let err = parse_test(&text).unwrap_err().to_string();
        assert!(err.contains("`alerts`: names no area code"), "{err}");
    }

    #[test]
    fn a_missing_or_empty_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_dir(&dir.path().join("nope")).unwrap_err();
        assert!(
            err.message.contains("cannot read the cities directory"),
            "{err}"
        );
        let err = load_dir(dir.path()).unwrap_err();
        assert!(err.message.contains("no city files"), "{err}");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\nまちx", 3 + 6), (2, 3));
        assert_eq!(line_column("", 10), (1, 1));
    }
}
