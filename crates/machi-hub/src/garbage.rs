//! Garbage sources: reads a city's 5374 files or iCalendar files with `machi_data::garbage`,
//! points the city's areas at their collection areas, and keeps the last good calendar.
//!
//! Refreshes are cheap when nothing changed: a source's files are only `stat`ed, and parsed again
//! only when their (size, mtime) or the source's settings differ from the last attempt (good or
//! bad), so a hub refreshing every second parses each version of the files once and logs its
//! warnings once.
//!
//! A failure (a file that does not parse, is too large, or an area name the calendar lacks) never
//! replaces good data: the last good calendar stays published and the source is marked stale with
//! the error, which names the file, line and column.

use crate::config::{AreaConfig, CityConfig, GarbageSettings, SourceConfig, SourceLocation};
use chrono::{DateTime, Utc};
use machi_data::garbage::{
    category_id, fold, parse_5374_with, parse_ics, Files5374, GarbageCalendar, GarbageError,
    ParseOptions, Warning,
};
use machi_data::{Area, SourceKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The largest source file the hub reads; the largest real 5374 file is well under 1 MiB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

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

/// What one refresh's parse depends on: the source's settings and its files' (size, mtime).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inputs {
    kind: SourceKind,
    settings: GarbageSettings,
    files: Vec<(PathBuf, u64, SystemTime)>,
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
}

/// Reads `source` of `city` (when its files changed since `previous`), resolves the city's areas
/// and says what to publish.
pub fn ingest(
    city: &CityConfig,
    source: &SourceConfig,
    previous: Option<&GarbageState>,
) -> Ingested {
    let mut state = previous.cloned().unwrap_or_default();
    let prefix = format!("{}: source `{}`", city.file.display(), source.id);
    let outcome = match &source.location {
        // Not fetched yet: the fetcher that comes later will give it files to read.
        SourceLocation::Url(_) => None,
        SourceLocation::Path(path) => Some(match inputs(source, path) {
            Err(e) => Err(format!("{prefix}: {e}")),
            Ok(inputs) => match &state.last {
                Some((last, outcome)) if *last == inputs => outcome.clone(),
                _ => {
                    state.parses += 1;
                    let outcome = parse(source, path, &inputs)
                        .map(Arc::new)
                        .map_err(|e| format!("{prefix}: {e}"));
                    match &outcome {
                        Ok(parsed) => tracing::info!(
                            "{prefix}: read {}: {} areas, {} categories, {} items",
                            path.display(),
                            parsed.calendar.areas.len(),
                            parsed.calendar.categories.len(),
                            parsed.calendar.items.len()
                        ),
                        Err(e) => tracing::error!("{e} (the last good calendar, if any, is kept)"),
                    }
                    state.last = Some((inputs, outcome.clone()));
                    outcome
                }
            },
        }),
    };
    let error = match outcome {
        None => None,
        Some(Ok(parsed)) => match resolve(city, &parsed.calendar) {
            Ok(_) => {
                state.good = Some(parsed);
                None
            }
            Err(e) => Some(format!("{prefix}: {e}")),
        },
        Some(Err(e)) => Some(e),
    };
    let areas = match (&state.good, &error) {
        (Some(good), None) => resolve(city, &good.calendar).unwrap_or_default(),
        (Some(good), Some(_)) => resolve_leniently(city, &good.calendar),
        (None, _) => resolve_leniently(city, &GarbageCalendar::default()),
    };
    Ingested {
        state,
        areas,
        error,
    }
}

/// The files a parse would read, with their sizes and modification times.
fn inputs(source: &SourceConfig, path: &Path) -> Result<Inputs, String> {
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
            Ok((file, meta.len(), modified))
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
            "{}: {size} bytes is more than the limit of {MAX_FILE_BYTES} bytes (20 MiB)",
            file.display()
        ));
    }
    std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Parses the files of `inputs`; errors and warnings name the file (with its directory), line
/// and column.
fn parse(source: &SourceConfig, path: &Path, inputs: &Inputs) -> Result<Parsed, String> {
    let as_of = inputs
        .files
        .iter()
        .map(|(_, _, t)| *t)
        .max()
        .map_or_else(Utc::now, DateTime::<Utc>::from);
    let mut bytes = Vec::new();
    for (file, size, _) in &inputs.files {
        bytes.push((file_name(file), read_capped(file, *size)?));
    }
    let settings = &source.garbage;
    let (calendar, warnings, dir) = match source.kind {
        SourceKind::Garbage5374 => {
            let get = |name: &str| {
                bytes
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, b)| b.as_slice())
            };
            let (area_days_name, area_days) = (&bytes[0].0, &bytes[0].1);
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
            let (calendar, warnings) =
                parse_5374_with(&files, &options).map_err(|e| in_dir(path, &e))?;
            (calendar, warnings, path)
        }
        _ => {
            let dir = if path.is_file() {
                path.parent().unwrap_or(Path::new(""))
            } else {
                path
            };
            for name in settings.area_names.keys() {
                if !bytes.iter().any(|(n, _)| n == name) {
                    return Err(format!(
                        "`areas` names {name}, which is not in {}",
                        path.display()
                    ));
                }
            }
            let (calendar, warnings) = parse_ics_files(&bytes, settings, dir)?;
            (calendar, warnings, dir)
        }
    };
    let shown = warnings.len().min(MAX_LOGGED_WARNINGS);
    for warning in &warnings[..shown] {
        tracing::warn!("{}", in_dir(dir, warning));
    }
    if warnings.len() > shown {
        tracing::warn!(
            "{}: {} more warnings not shown",
            dir.display(),
            warnings.len() - shown
        );
    }
    Ok(Parsed { calendar, as_of })
}

/// An error or warning with its file named by path: `public/demo/garbage/area_days.csv:3: …`.
fn in_dir(dir: &Path, error: &GarbageError) -> String {
    if dir.as_os_str().is_empty() {
        error.to_string()
    } else {
        format!("{}/{error}", dir.display())
    }
}

/// One area per file, merged into one calendar; a category label seen in several files is one
/// category.
fn parse_ics_files(
    files: &[(String, Vec<u8>)],
    settings: &GarbageSettings,
    dir: &Path,
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
            parse_ics(bytes, name, &area_name).map_err(|e| in_dir(dir, &e))?;
        if settings.strict {
            if let Some(first) = found.first() {
                return Err(in_dir(dir, first));
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
                    "{}/{name}: area `{area_name}` is also the area of another file ({})",
                    dir.display(),
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
    fn a_url_source_is_not_fetched_yet() {
        let text = city_toml("garbage-5374", Path::new("x"), DEMO_AREAS, "")
            .replace("path = 'x'", "url = \"https://example.org/5374/\"");
        let feeds = Feeds::default().rebuild(&loaded(&text), Utc::now());
        let info = source(&feeds);
        assert!(!info.stale && info.last_error.is_none() && info.as_of.is_none());
        assert!(feeds.garbage("test").is_none());
        assert!(feeds
            .city("test")
            .unwrap()
            .areas
            .iter()
            .all(|a| a.garbage_area.is_none()));
    }

    #[test]
    fn edit_distance_counts_characters() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("南地"), &chars("南地区")), 1);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
    }
}
