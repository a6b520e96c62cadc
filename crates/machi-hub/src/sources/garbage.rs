//! The garbage kinds (`garbage-5374`, `garbage-ical`): their parse step over machi-data's readers,
//! and how a city's areas point at the calendar's collection areas.
//!
//! A 5374 source is a directory (or base URL) holding `area_days.csv` (the older `area.csv`) and
//! optional `center.csv`, `target.csv`, `description.csv`, `remarks.csv`; an iCal source is one
//! `.ics` file, or a directory of them, one area per file (named by `[sources.areas]` or the file
//! stem), merged into one calendar. Errors and warnings name the file by its path or URL, with
//! line and column. A parse also checks that every area of the city file finds its row in the
//! calendar, so a calendar whose area names changed never replaces the last good one silently.

use super::kind::{Doc, Input, Problem, Value};
use crate::config::{AreaConfig, CityConfig, GarbageSettings};
use machi_data::garbage::reading::{parse_readings as parse_readings_csv, reading_of, AreaReading};
use machi_data::garbage::{
    category_id, fold, parse_5374_with, parse_ics, Files5374, GarbageCalendar, GarbageError,
    ParseOptions, Warning,
};
use machi_data::Area;
use std::path::Path;
use std::sync::Arc;

/// The 5374 files a source may have besides `area_days.csv`.
pub const OPTIONAL_5374: [&str; 4] = ["center.csv", "target.csv", "description.csv", "remarks.csv"];

/// Warnings logged per parse; the rest are counted.
const MAX_LOGGED_WARNINGS: usize = 20;

/// The place a document's name is relative to: its directory (`dir/`) or base URL.
fn prefix<'a>(doc: &Doc<'a>) -> &'a str {
    doc.location.strip_suffix(doc.name).unwrap_or(doc.location)
}

/// Parses a 5374 source's files (`area_days.csv` or `area.csv` first) and checks its areas.
pub fn parse_5374(input: &Input<'_>) -> Result<Value, Problem> {
    let settings = &input.source.garbage;
    let docs = &input.documents;
    let first = docs
        .first()
        .ok_or_else(|| Problem::Invalid("no files".into()))?;
    let place = prefix(first);
    let get = |name: &str| docs.iter().find(|d| d.name == name).map(|d| d.bytes);
    let files = Files5374 {
        area_days: first.bytes,
        center: get("center.csv"),
        target: get("target.csv"),
        description: get("description.csv"),
        remarks: get("remarks.csv"),
        area_days_name: Some(first.name),
    };
    let options = ParseOptions {
        strict: settings.strict,
        suspension_policy: settings.suspension,
    };
    let (calendar, warnings) =
        parse_5374_with(&files, &options).map_err(|e| in_place(place, &e))?;
    finish(input, calendar, &warnings, place)
}

/// Parses an iCal source: one area per file, merged into one calendar; a category label seen in
/// several files is one category.
pub fn parse_ical(input: &Input<'_>) -> Result<Value, Problem> {
    let settings = &input.source.garbage;
    let place = input.documents.first().map_or("", prefix);
    for name in settings.area_names.keys() {
        if !input.documents.iter().any(|d| d.name == name) {
            return Err(Problem::Invalid(format!(
                "`areas` names {name}, which is not in {}",
                input.source.location
            )));
        }
    }
    let (calendar, warnings) = merge_ics(&input.documents, settings, place)?;
    finish(input, calendar, &warnings, place)
}

fn in_place(place: &str, e: &GarbageError) -> Problem {
    Problem::Invalid(format!("{place}{e}"))
}

/// Logs the warnings, checks the city's areas against the calendar and makes the value.
fn finish(
    input: &Input<'_>,
    calendar: GarbageCalendar,
    warnings: &[Warning],
    place: &str,
) -> Result<Value, Problem> {
    let shown = warnings.len().min(MAX_LOGGED_WARNINGS);
    for warning in &warnings[..shown] {
        tracing::warn!("{}: {place}{warning}", input.source.id);
    }
    if warnings.len() > shown {
        tracing::warn!(
            "{}: {} more warnings not shown",
            input.source.location,
            warnings.len() - shown
        );
    }
    for area in &input.city.areas {
        if find(&calendar, area.garbage_name()).is_none() {
            return Err(Problem::Invalid(unresolved(area, &calendar)));
        }
    }
    tracing::info!(
        "{}: source `{}`: read {}: {} areas, {} categories, {} items",
        input.city.file.display(),
        input.source.id,
        input.source.location,
        calendar.areas.len(),
        calendar.categories.len(),
        calendar.items.len()
    );
    Ok(Value::Garbage(Arc::new(calendar)))
}

fn merge_ics(
    docs: &[Doc<'_>],
    settings: &GarbageSettings,
    place: &str,
) -> Result<(GarbageCalendar, Vec<Warning>), Problem> {
    let mut merged = GarbageCalendar {
        suspension_policy: settings.suspension,
        ..GarbageCalendar::default()
    };
    let mut warnings = Vec::new();
    for doc in docs {
        let name = doc.name;
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let area_name = settings.area_names.get(name).cloned().unwrap_or(stem);
        let (mut calendar, found) =
            parse_ics(doc.bytes, name, &area_name).map_err(|e| in_place(place, &e))?;
        if settings.strict {
            if let Some(first) = found.first() {
                return Err(Problem::Invalid(format!("{place}{first}")));
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
                return Err(Problem::Invalid(format!(
                    "{place}{name}: area `{area_name}` is also the area of another file ({})",
                    other.name.original().unwrap_or_default()
                )));
            }
            merged.areas.push(area);
        }
    }
    Ok((merged, warnings))
}

/// Parses an `area-readings` source: a CSV of the calendar's area names and their readings.
pub fn parse_readings(input: &Input<'_>) -> Result<Value, Problem> {
    let doc = input
        .documents
        .first()
        .ok_or_else(|| Problem::Invalid("no file".into()))?;
    let readings =
        parse_readings_csv(doc.bytes, doc.location).map_err(|e| Problem::Invalid(e.to_string()))?;
    tracing::info!(
        "{}: source `{}`: read {}: {} readings",
        input.city.file.display(),
        input.source.id,
        doc.location,
        readings.len()
    );
    Ok(Value::Readings(Arc::new(readings)))
}

/// The city's areas as the feed carries them, each pointing at its collection area in `calendar`
/// when it has one (an area the calendar lacks points nowhere: the garbage source is then stale
/// with the reason). Without `[[areas]]`, the calendar's own areas. An area without a reading
/// (`kana`) takes the one `readings` (an `area-readings` source) gives its name, so residents
/// find it by its reading and romaji.
pub fn city_areas(
    city: &CityConfig,
    calendar: Option<&GarbageCalendar>,
    readings: &[AreaReading],
) -> Vec<Area> {
    let read = |kana: &Option<String>, name: &str| {
        kana.clone()
            .or_else(|| reading_of(readings, name).map(str::to_owned))
    };
    match calendar {
        Some(calendar) if city.areas.is_empty() => calendar
            .areas
            .iter()
            .map(|a| Area {
                id: a.id.clone(),
                name: a.name.clone(),
                kana: read(&a.kana, a.name.original().unwrap_or_default()),
                garbage_area: Some(a.id.clone()),
                point: None,
            })
            .collect(),
        _ => city
            .areas
            .iter()
            .map(|area| Area {
                id: area.id.clone(),
                name: area.name.clone(),
                kana: read(&area.kana, area.garbage_name()),
                garbage_area: calendar.and_then(|c| find(c, area.garbage_name())),
                point: area.point,
            })
            .collect(),
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
    let wanted = fold(name);
    let mut scored: Vec<(usize, &str)> = calendar
        .areas
        .iter()
        .filter_map(|a| a.name.original())
        .map(|n| (strsim::levenshtein(&wanted, &fold(n)), n))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(n)
        .map(|(_, n)| n.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::config::SourceLocation;
    use crate::fetch::MAX_BYTES;
    use crate::sources::Which;
    use crate::testing::{repo, shared_data, At, CityToml, Pipeline};
    use machi_data::feed::FeedPath;
    use std::path::Path;

    fn shared(dir: &str) -> std::path::PathBuf {
        shared_data(&format!("garbage/{dir}"))
    }

    /// A city with one garbage source of `kind` at `at`, and the demo's 北地区 and 南地区 when
    /// `areas` (else the calendar's own areas).
    fn city(kind: &str, at: At, areas: bool, extra: &str) -> CityToml {
        let city = CityToml::new("test");
        let city = if areas {
            city.area("kita", "北地区").area("minami", "南地区")
        } else {
            city
        };
        city.source_with("garbage", kind, at, extra)
    }

    fn copy_demo(to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(repo().join("public/demo/garbage")).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    }

    async fn read(text: &str) -> Pipeline {
        let mut pipeline = Pipeline::new(text);
        pipeline.poll(Which::All).await;
        pipeline
    }

    /// Nara's real calendar names its 370 areas in kanji only: with a readings CSV the city's
    /// feed gives 大宮町１丁目 its reading, and the app's search finds it by おおみや or oomiya.
    #[tokio::test]
    async fn readings_let_residents_find_naras_areas_by_reading_and_romaji() {
        use machi_data::garbage::reading::{matches, search_key};
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("readings.csv");
        std::fs::write(
            &csv,
            "地区名,よみ\n大宮町１丁目（大宮通り南側）,おおみやちょう いっちょうめ\n",
        )
        .unwrap();
        let text = CityToml::new("test")
            .source("garbage", "garbage-5374", At::path(shared("nara")))
            .source("readings", "area-readings", At::path(&csv))
            .build();
        let pipeline = read(&text).await;
        let feed = pipeline.feeds.city("test").unwrap();
        let omiya = feed
            .areas
            .iter()
            .find(|a| a.name.original() == Some("大宮町１丁目（大宮通り南側）"))
            .expect("the area");
        assert_eq!(omiya.kana.as_deref(), Some("おおみやちょう いっちょうめ"));
        let key = search_key(
            omiya.name.0.values().map(String::as_str),
            omiya.kana.as_deref(),
        );
        for query in ["おおみや", "oomiya", "Ōmiya", "大宮町"] {
            assert!(matches(&key, query), "{query}");
        }
        // Areas the CSV does not name keep no reading; the source is credited like any other.
        assert!(feed.areas.iter().filter(|a| a.kana.is_some()).count() == 1);
        assert!(!pipeline.source("readings").stale);

        // A reading that is not kana is refused with the file, line and column.
        std::fs::write(&csv, "地区名,よみ\n大宮町,Oomiya\n").unwrap();
        let pipeline = read(&text).await;
        let info = pipeline.source("readings");
        let error = info.last_error.expect("an error");
        assert!(
            error.contains("readings.csv:2: column 2 (reading)"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn the_real_demo_city_resolves_its_four_areas() {
        let mut city = crate::config::load_file(&repo().join("cities/demo.toml")).unwrap();
        let absolute = |l: &mut SourceLocation| {
            if let SourceLocation::Path(p) = l {
                *p = repo().join(&*p);
            }
        };
        for source in &mut city.sources {
            absolute(&mut source.location);
            source.feeds.iter_mut().for_each(absolute);
        }
        let mut pipeline = Pipeline::new(&CityToml::new("test").area("a", "A").build());
        pipeline.loaded.cities = vec![city];
        pipeline.poll(Which::All).await;
        let feeds = &pipeline.feeds;
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
        for info in &feed.sources {
            assert!(!info.stale && info.last_error.is_none(), "{info:?}");
            assert!(info.as_of.is_some(), "{info:?}");
        }
        // The profile source is still there.
        assert!(feed.sources.iter().any(|s| s.id == "profile"));
    }

    #[tokio::test]
    async fn six_real_5374_cities_ingest_without_areas() {
        for name in [
            "hachioji",
            "hakodate",
            "kanazawa",
            "meguro",
            "nara",
            "takamatsu",
        ] {
            let text = city("garbage-5374", At::path(shared(name)), false, "").build();
            let pipeline = read(&text).await;
            let info = pipeline.source("garbage");
            assert!(!info.stale, "{name}: {:?}", info.last_error);
            let calendar = &pipeline.feeds.garbage("test").unwrap().calendar;
            let city = pipeline.feeds.city("test").unwrap();
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

    #[tokio::test]
    async fn narashino_ics_ingests_as_garbage_ical() {
        let dir = shared("narashino_ics");
        let extra = "[sources.areas]\n\"R5calendar_akitsu.ics\" = \"秋津\"\n";
        let text = CityToml::new("test")
            .area("akitsu", "秋津")
            .source_with("garbage", "garbage-ical", At::path(&dir), extra)
            .build();
        let pipeline = read(&text).await;
        let info = pipeline.source("garbage");
        assert!(!info.stale, "{:?}", info.last_error);
        let calendar = &pipeline.feeds.garbage("test").unwrap().calendar;
        assert_eq!(calendar.areas.len(), 1);
        assert!(!calendar.categories.is_empty());
        let area = &pipeline.feeds.city("test").unwrap().areas[0];
        assert_eq!(
            area.garbage_area.as_deref(),
            Some(calendar.areas[0].id.as_str())
        );

        // One file, no name given: the area is named by the file stem.
        let file = dir.join("R5calendar_akitsu.ics");
        let pipeline = read(&city("garbage-ical", At::path(file), false, "").build()).await;
        let city = pipeline.feeds.city("test").unwrap();
        assert_eq!(city.areas[0].name.original(), Some("R5calendar_akitsu"));
    }

    #[tokio::test]
    async fn several_ics_files_merge_into_one_calendar() {
        let tmp = tempfile::tempdir().unwrap();
        let original = shared("narashino_ics").join("R5calendar_akitsu.ics");
        std::fs::copy(&original, tmp.path().join("akitsu.ics")).unwrap();
        std::fs::copy(&original, tmp.path().join("yatsu.ics")).unwrap();
        std::fs::write(tmp.path().join("README.txt"), "not a calendar").unwrap();
        let both = read(&city("garbage-ical", At::path(tmp.path()), false, "").build()).await;
        let calendar = &both.feeds.garbage("test").unwrap().calendar;
        assert_eq!(calendar.areas.len(), 2);
        let one = read(&city("garbage-ical", At::path(&original), false, "").build()).await;
        let single = &one.feeds.garbage("test").unwrap().calendar;
        assert_eq!(calendar.categories, single.categories);

        // A name in `[sources.areas]` that is no file is a typo worth an error.
        let extra = "[sources.areas]\n\"akitsu2.ics\" = \"秋津\"\n";
        let typo = read(&city("garbage-ical", At::path(tmp.path()), false, extra).build()).await;
        let error = typo.source("garbage").last_error.unwrap();
        assert!(error.contains("akitsu2.ics"), "{error}");
    }

    #[tokio::test]
    async fn a_source_that_turns_bad_keeps_the_last_good_calendar() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_demo(&data);
        let text = city("garbage-5374", At::path(&data), true, "").build();
        let mut pipeline = read(&text).await;
        let good = pipeline.feeds.clone();
        let good_info = pipeline.source("garbage");
        assert!(!good_info.stale);

        let header = std::fs::read_to_string(data.join("area_days.csv")).unwrap();
        let header = header.lines().next().unwrap().to_owned();
        std::fs::write(
            data.join("area_days.csv"),
            format!("{header}\n北地区,まち市東部清掃センター\n"),
        )
        .unwrap();
        pipeline.poll(Which::All).await;
        let info = pipeline.source("garbage");
        assert!(info.stale);
        let error = info.last_error.as_deref().unwrap();
        assert!(
            error.contains("cities/test.toml: source `garbage`"),
            "{error}"
        );
        assert!(error.contains("area_days.csv:2"), "{error}");
        assert_eq!(info.as_of, good_info.as_of);
        assert_eq!(
            pipeline.feeds.document(&FeedPath::Garbage("test".into())),
            good.document(&FeedPath::Garbage("test".into()))
        );
        assert_eq!(
            pipeline.feeds.city("test").unwrap().areas,
            good.city("test").unwrap().areas
        );

        // The bad files are not parsed again at every poll either.
        pipeline.poll(Which::All).await;
        assert_eq!(pipeline.parses("garbage"), 2);
        assert!(pipeline.source("garbage").stale);
    }

    #[tokio::test]
    async fn an_unchanged_poll_does_not_parse_again() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_demo(&data);
        let text = city("garbage-5374", At::path(&data), true, "").build();
        let mut pipeline = read(&text).await;
        let first = pipeline
            .feeds
            .document(&FeedPath::Garbage("test".into()))
            .unwrap()
            .clone();
        for _ in 0..5 {
            pipeline.poll(Which::All).await;
        }
        assert_eq!(pipeline.parses("garbage"), 1);
        assert_eq!(
            pipeline.feeds.document(&FeedPath::Garbage("test".into())),
            Ok(&first)
        );

        // Changing a setting or a file parses again.
        let shifted = city(
            "garbage-5374",
            At::path(&data),
            true,
            "suspension = \"shift-one-week\"",
        )
        .build();
        pipeline.set(&shifted);
        pipeline.poll(Which::All).await;
        assert_eq!(pipeline.parses("garbage"), 2);
        assert_ne!(
            pipeline.feeds.document(&FeedPath::Garbage("test".into())),
            Ok(&first)
        );
        let remarks = data.join("remarks.csv");
        let text2 = std::fs::read_to_string(&remarks).unwrap();
        std::fs::write(&remarks, format!("{text2}\n")).unwrap();
        pipeline.poll(Which::All).await;
        assert_eq!(pipeline.parses("garbage"), 3);
    }

    #[tokio::test]
    async fn an_unresolved_area_names_the_area_and_close_names() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_demo(&data);
        let text = CityToml::new("test")
            .area("kita", "北地区")
            .area_with("minami", "南地区", "garbage = \"南地\"")
            .source("garbage", "garbage-5374", At::path(&data))
            .build();
        let pipeline = read(&text).await;
        let info = pipeline.source("garbage");
        assert!(info.stale);
        let error = info.last_error.unwrap();
        assert!(error.contains("cities/test.toml"), "{error}");
        assert!(error.contains("area `minami`"), "{error}");
        assert!(error.contains("`南地`"), "{error}");
        assert!(
            error.contains("close names in the calendar: 南地区"),
            "{error}"
        );
        // Nothing good yet: no garbage feed, though the city has a garbage source.
        assert!(pipeline.feeds.garbage("test").is_none());
        assert_eq!(
            pipeline.feeds.document(&FeedPath::Garbage("test".into())),
            Err(crate::feeds::Missing::NotRead)
        );

        // Width and kana differences do not matter.
        let text = CityToml::new("test")
            .area("kita", "北地区 ")
            .area("minami", "南地区")
            .source("garbage", "garbage-5374", At::path(&data))
            .build();
        let pipeline = read(&text).await;
        let info = pipeline.source("garbage");
        assert!(!info.stale, "{:?}", info.last_error);
    }

    #[tokio::test]
    async fn oversized_and_missing_files_are_errors_naming_them() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("garbage");
        copy_demo(&data);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(data.join("target.csv"))
            .unwrap();
        file.set_len(MAX_BYTES + 1).unwrap();
        let pipeline = read(&city("garbage-5374", At::path(&data), true, "").build()).await;
        let error = pipeline.source("garbage").last_error.unwrap();
        assert!(
            error.contains("target.csv") && error.contains("limit"),
            "{error}"
        );

        let empty = tmp.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let pipeline = read(&city("garbage-5374", At::path(&empty), true, "").build()).await;
        let error = pipeline.source("garbage").last_error.unwrap();
        assert!(error.contains("no area_days.csv"), "{error}");
    }

    #[tokio::test]
    async fn a_url_source_is_left_alone_by_a_local_read() {
        // As in `check`: the source is shown with its URL, neither read nor stale.
        let url = "https://example.org/5374/";
        let text = city("garbage-5374", At::Url(url.into()), true, "").build();
        let mut pipeline = Pipeline::new(&text);
        pipeline.poll(Which::Local).await;
        let info = pipeline.source("garbage");
        assert!(!info.stale && info.last_error.is_none() && info.as_of.is_none());
        assert_eq!(info.url.as_deref(), Some(url));
        assert!(pipeline.feeds.garbage("test").is_none());
        assert!(pipeline
            .feeds
            .city("test")
            .unwrap()
            .areas
            .iter()
            .all(|a| a.garbage_area.is_none()));
    }
}
