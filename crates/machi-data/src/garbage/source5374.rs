//! The 5374.jp format (Code for Kanazawa's 5374 and its 100+ forks): five CSV files in, one
//! [`GarbageCalendar`] out.
//!
//! | file | columns |
//! |---|---|
//! | `area_days.csv` (older forks: `area.csv`) | area, centre, then one column per category: its rules |
//! | `center.csv` | centre, suspension start, suspension end (年末年始) |
//! | `description.csv` | category label, sub-label, description, icon, colour |
//! | `remarks.csv` | id, text (what `*1` in a cell points to) |
//! | `target.csv` | category label, item, notice, furigana initial |
//!
//! Reading happens in two steps, as in ripgrep's "low args → high args": the CSV layer gives raw
//! records (strings with their line numbers), and validation turns them into the model, naming
//! the file, line and column of anything wrong. Structural problems (no header, a row with fewer
//! columns than the header) are errors; a bad token in one cell is a [`Warning`] and the rest of
//! the calendar stands, unless [`ParseOptions::strict`] asks for errors.

use super::decode::decode;
use super::error::{GarbageError, Warning};
use super::fold::fold;
use super::glossary;
use super::model::{
    area_id, category_id, Category, Centre, GarbageArea, GarbageCalendar, Item, Remark, Schedule,
    Suspension, SuspensionPolicy,
};
use super::token::parse_cell;
use crate::text::LocalizedText;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// The files of one city, as bytes in any of the encodings cities use. Only `area_days` is
/// required; the others are `None` when the city does not publish them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Files5374<'a> {
    pub area_days: &'a [u8],
    pub center: Option<&'a [u8]>,
    pub target: Option<&'a [u8]>,
    pub description: Option<&'a [u8]>,
    pub remarks: Option<&'a [u8]>,
    /// The name `area_days` is published under, for messages; `area_days.csv` when `None`.
    pub area_days_name: Option<&'a str>,
}

/// How to read a city's files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Turn every warning into an error (for checking a city's files before publishing them).
    pub strict: bool,
    /// The city's rule for collection days in a suspension period.
    pub suspension_policy: SuspensionPolicy,
}

/// Reads a city's 5374 files with the default options: cell-level problems are warnings.
pub fn parse_5374(files: &Files5374) -> Result<(GarbageCalendar, Vec<Warning>), GarbageError> {
    parse_5374_with(files, &ParseOptions::default())
}

/// Reads a city's 5374 files.
pub fn parse_5374_with(
    files: &Files5374,
    options: &ParseOptions,
) -> Result<(GarbageCalendar, Vec<Warning>), GarbageError> {
    let mut warnings = Vec::new();
    let area_days_name = files.area_days_name.unwrap_or("area_days.csv");

    let remarks = match files.remarks {
        Some(bytes) => read_remarks(
            &records(bytes, "remarks.csv", &mut warnings)?,
            &mut warnings,
        ),
        None => Vec::new(),
    };
    let centres = match files.center {
        Some(bytes) => read_centres(&records(bytes, "center.csv", &mut warnings)?, &mut warnings),
        None => HashMap::new(),
    };
    let rows = records(files.area_days, area_days_name, &mut warnings)?;
    let (mut categories, areas) = read_areas(
        &rows,
        area_days_name,
        &centres,
        files.center.is_some(),
        &remarks,
        &mut warnings,
    )?;
    if let Some(bytes) = files.description {
        let rows = records(bytes, "description.csv", &mut warnings)?;
        describe(&mut categories, &rows, &mut warnings);
    }
    let items = match files.target {
        Some(bytes) => read_items(
            &records(bytes, "target.csv", &mut warnings)?,
            &categories,
            &mut warnings,
        ),
        None => Vec::new(),
    };

    if options.strict {
        if let Some(first) = warnings.into_iter().next() {
            return Err(first.0);
        }
        warnings = Vec::new();
    }
    let calendar = GarbageCalendar {
        categories,
        areas,
        items,
        remarks,
        suspension_policy: options.suspension_policy,
    };
    Ok((calendar, warnings))
}

/// A CSV record before validation: trimmed fields and the line it starts on.
#[derive(Debug)]
struct Record {
    line: u64,
    fields: Vec<String>,
}

impl Record {
    fn get(&self, i: usize) -> &str {
        self.fields.get(i).map(String::as_str).unwrap_or("")
    }
}

/// Decodes and splits a file into records, dropping blank rows and `#` comment rows (奈良市's
/// description.csv comments a row out that way).
fn records(
    bytes: &[u8],
    file: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Record>, GarbageError> {
    let decoded = decode(bytes, file);
    warnings.extend(decoded.warning);
    // The csv crate counts a CRLF file's lines one short; with every line ending made LF first,
    // the line numbers in messages are the ones an editor shows (a lone CR, old Mac, too).
    let text = decoded.text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            GarbageError::new(file, format!("not readable as CSV: {e}")).at_line(line)
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        if fields.iter().all(String::is_empty) || fields[0].starts_with('#') {
            continue;
        }
        out.push(Record { line, fields });
    }
    Ok(out)
}

fn read_remarks(rows: &[Record], warnings: &mut Vec<Warning>) -> Vec<Remark> {
    let mut out: Vec<Remark> = Vec::new();
    let mut ids: HashSet<u32> = HashSet::new();
    for row in rows.iter().skip(1) {
        match row.get(0).parse::<u32>() {
            Ok(id) if ids.insert(id) => out.push(Remark {
                id,
                text: LocalizedText::ja(row.get(1)),
            }),
            Ok(_) => warnings.push(warn(
                "remarks.csv",
                row.line,
                1,
                "ID",
                "this ID is used twice; the first is kept",
            )),
            Err(_) => warnings.push(warn(
                "remarks.csv",
                row.line,
                1,
                "ID",
                &format!("\"{}\" is not a number; the remark is ignored", row.get(0)),
            )),
        }
    }
    out
}

fn read_centres(rows: &[Record], warnings: &mut Vec<Warning>) -> HashMap<String, Vec<Suspension>> {
    let header: Vec<&str> = rows
        .first()
        .map(|r| r.fields.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut out: HashMap<String, Vec<Suspension>> = HashMap::new();
    for row in rows.iter().skip(1) {
        let name = row.get(0).to_owned();
        let column_name = |i: usize| header.get(i).copied().unwrap_or("");
        let dates: Vec<Option<NaiveDate>> = (1..=2)
            .map(|i| {
                let d = centre_date(row.get(i));
                if d.is_none() {
                    warnings.push(warn(
                        "center.csv",
                        row.line,
                        i + 1,
                        column_name(i),
                        &format!("\"{}\" is not a date (expected YYYY/MM/DD); no suspension for this centre", row.get(i)),
                    ));
                }
                d
            })
            .collect();
        let periods = out.entry(name).or_default();
        if let [Some(from), Some(to)] = dates[..] {
            if from <= to {
                periods.push(Suspension { from, to });
            } else {
                warnings.push(warn(
                    "center.csv",
                    row.line,
                    3,
                    column_name(2),
                    &format!("the suspension ends ({to}) before it starts ({from}); ignored"),
                ));
            }
        }
    }
    out
}

/// `2022/12/30`, `2022-12-30`, `2022/1/3` or `20221230`.
fn centre_date(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    match parts[..] {
        [y, m, d] => NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [ymd] if ymd.len() == 8 => NaiveDate::parse_from_str(ymd, "%Y%m%d").ok(),
        _ => None,
    }
}

type Centres = HashMap<String, Vec<Suspension>>;

fn read_areas(
    rows: &[Record],
    file: &str,
    centres: &Centres,
    have_center_file: bool,
    remarks: &[Remark],
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Category>, Vec<GarbageArea>), GarbageError> {
    let header = rows
        .first()
        .ok_or_else(|| GarbageError::new(file, "the file is empty; expected a header row"))?;
    if header.fields.len() < 3 {
        return Err(GarbageError::new(
            file,
            format!(
                "the header has {} column(s); expected the area, the centre and at least one category",
                header.fields.len()
            ),
        )
        .at_line(header.line));
    }
    let labels = &header.fields[2..];
    let mut seen_labels: HashSet<&str> = HashSet::with_capacity(labels.len());
    for (i, label) in labels.iter().enumerate() {
        if label.is_empty() {
            return Err(GarbageError::new(file, "the category has no label")
                .at_line(header.line)
                .at_column(i + 3, None));
        }
        if !seen_labels.insert(label) {
            return Err(GarbageError::new(
                file,
                format!("the category \"{label}\" appears twice in the header"),
            )
            .at_line(header.line)
            .at_column(i + 3, Some(label)));
        }
    }
    let categories = categories_from_labels(labels);
    let remark_ids: HashSet<u32> = remarks.iter().map(|r| r.id).collect();

    let mut areas: Vec<GarbageArea> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Name → the indices in `areas` of the areas of that name, to find a repeated row at once.
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for row in &rows[1..] {
        if row.fields.len() < header.fields.len() {
            let missing = row.fields.len() + 1;
            return Err(GarbageError::new(
                file,
                format!(
                    "the row has {} columns but the header has {}; the field is missing (is a comma inside quotes?)",
                    row.fields.len(),
                    header.fields.len()
                ),
            )
            .at_line(row.line)
            .at_column(missing, header.fields.get(missing - 1).map(String::as_str)));
        }
        if row.fields[header.fields.len()..]
            .iter()
            .any(|f| !f.is_empty())
        {
            warnings.push(warn(
                file,
                row.line,
                header.fields.len() + 1,
                "",
                "the row has more columns than the header; the extra ones are ignored",
            ));
        }
        let name = row.get(0);
        if name.is_empty() {
            warnings.push(warn(
                file,
                row.line,
                1,
                &header.fields[0],
                "the area has no name; the row is ignored",
            ));
            continue;
        }
        let centre = match row.get(1) {
            "" => None,
            c => {
                if have_center_file && !centres.contains_key(c) {
                    warnings.push(warn(
                        file,
                        row.line,
                        2,
                        &header.fields[1],
                        &format!("the centre \"{c}\" is not in center.csv; no suspension applies"),
                    ));
                }
                Some(Centre {
                    name: c.to_owned(),
                    suspensions: centres.get(c).cloned().unwrap_or_default(),
                })
            }
        };
        let mut schedules = Vec::new();
        for (i, category) in categories.iter().enumerate() {
            let column = i + 3;
            let cell = parse_cell(row.get(i + 2));
            for problem in cell.problems {
                warnings.push(warn(file, row.line, column, &labels[i], &problem));
            }
            for id in &cell.footnotes {
                if !remark_ids.contains(id) {
                    warnings.push(warn(
                        file,
                        row.line,
                        column,
                        &labels[i],
                        &format!("footnote *{id} is not in remarks.csv"),
                    ));
                }
            }
            if !cell.rules.is_empty() || !cell.footnotes.is_empty() {
                schedules.push(Schedule {
                    category: category.id.clone(),
                    rules: cell.rules,
                    months: cell.months,
                    footnotes: cell.footnotes,
                });
            }
        }
        let mut area = GarbageArea {
            id: area_id(name),
            name: LocalizedText::ja(name),
            kana: None,
            centre,
            schedules,
        };
        let count = seen.entry(name.to_owned()).or_insert(0);
        *count += 1;
        if *count > 1 {
            let same = by_name.get(name).into_iter().flatten().any(|&i| {
                let a = &areas[i];
                a.name == area.name && a.schedules == area.schedules && a.centre == area.centre
            });
            if same {
                warnings.push(warn(
                    file,
                    row.line,
                    1,
                    &header.fields[0],
                    &format!("\"{name}\" repeats an earlier row; ignored"),
                ));
                *count -= 1;
                continue;
            }
            area.id = format!("{}-{}", area.id, count);
            warnings.push(warn(
                file,
                row.line,
                1,
                &header.fields[0],
                &format!(
                    "a second area is named \"{name}\" with other days; kept as {}",
                    area.id
                ),
            ));
        }
        by_name
            .entry(name.to_owned())
            .or_default()
            .push(areas.len());
        areas.push(area);
    }
    Ok((categories, areas))
}

/// Categories for the labels of a city, with their glossary kinds and stable ids.
pub(crate) fn categories_from_labels(labels: &[String]) -> Vec<Category> {
    let matches: Vec<Option<glossary::Match>> =
        labels.iter().map(|l| glossary::lookup(l)).collect();
    let kinds: Vec<Option<&str>> = matches
        .iter()
        .map(|m| m.as_ref().and_then(|m| m.kind))
        .collect();
    let mut kind_counts: HashMap<&str, usize> = HashMap::new();
    for kind in kinds.iter().flatten() {
        *kind_counts.entry(kind).or_default() += 1;
    }
    labels
        .iter()
        .zip(matches)
        .enumerate()
        .map(|(i, (label, m))| {
            let kind = kinds[i];
            let unique = kind.is_some_and(|k| kind_counts.get(k) == Some(&1));
            Category {
                id: category_id(label, kind, unique),
                // A label the glossary knows is kept trimmed, an unknown one as the city wrote it.
                label: LocalizedText::ja(if m.is_some() { label.trim() } else { label }),
                kind: kind.map(str::to_owned),
                kinds: m
                    .map(|m| m.kinds.into_iter().map(str::to_owned).collect())
                    .unwrap_or_default(),
                ..Category::default()
            }
        })
        .collect()
}

/// Fills the categories from description.csv: label, sub-label, description, icon, colour.
fn describe(categories: &mut [Category], rows: &[Record], warnings: &mut Vec<Warning>) {
    let index = CategoryIndex::new(categories);
    for row in rows.iter().skip(1) {
        let label = row.get(0);
        let Some(category) = index.find(label).and_then(|i| categories.get_mut(i)) else {
            warnings.push(warn(
                "description.csv",
                row.line,
                1,
                "label",
                &format!("\"{label}\" is not a category of area_days.csv; ignored"),
            ));
            continue;
        };
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let text = |s: &str| {
            if s.is_empty() {
                LocalizedText::default()
            } else {
                LocalizedText::ja(s)
            }
        };
        category.sub_label = text(row.get(1));
        category.description = text(row.get(2));
        category.icon = some(row.get(3));
        category.colour = match row.get(4) {
            "" => None,
            c if is_colour(c) => Some(c.to_ascii_lowercase()),
            c => {
                warnings.push(warn(
                    "description.csv",
                    row.line,
                    5,
                    "bgcolor",
                    &format!("\"{c}\" is not a colour like #ea3b13; ignored"),
                ));
                None
            }
        };
    }
}

fn is_colour(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The category a label means: the same label, else the same after folding (ゴミ/ごみ, full and
/// half width), else the glossary kind when exactly one category has it. Indexed once, so a
/// file of thousands of rows does not scan every category for each (nor fold them again).
struct CategoryIndex {
    by_label: HashMap<String, usize>,
    by_folded: HashMap<String, usize>,
    /// Kind → the one category that has it, or `None` when several do.
    by_kind: HashMap<String, Option<usize>>,
}

impl CategoryIndex {
    fn new(categories: &[Category]) -> CategoryIndex {
        let mut index = CategoryIndex {
            by_label: HashMap::new(),
            by_folded: HashMap::new(),
            by_kind: HashMap::new(),
        };
        for (i, c) in categories.iter().enumerate() {
            if let Some(label) = c.label.original() {
                // The first category with a label wins, as a scan in order found it.
                index.by_label.entry(label.to_owned()).or_insert(i);
                index.by_folded.entry(fold(label)).or_insert(i);
            }
            if let Some(kind) = &c.kind {
                index
                    .by_kind
                    .entry(kind.clone())
                    .and_modify(|one| *one = None)
                    .or_insert(Some(i));
            }
        }
        index
    }

    fn find(&self, label: &str) -> Option<usize> {
        if let Some(&i) = self.by_label.get(label) {
            return Some(i);
        }
        if let Some(&i) = self.by_folded.get(&fold(label)) {
            return Some(i);
        }
        let kind = glossary::lookup(label)?.kind?;
        self.by_kind.get(kind).copied().flatten()
    }
}

fn read_items(rows: &[Record], categories: &[Category], warnings: &mut Vec<Warning>) -> Vec<Item> {
    let index = CategoryIndex::new(categories);
    let header = rows.first().map(|r| &r.fields);
    let mut resolved: HashMap<&str, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for row in rows.iter().skip(1) {
        // 高松市's target.csv repeats its header line.
        if Some(&row.fields) == header {
            continue;
        }
        let (label, name) = (row.get(0), row.get(1));
        if name.is_empty() {
            warnings.push(warn(
                "target.csv",
                row.line,
                2,
                "name",
                "the item has no name; ignored",
            ));
            continue;
        }
        if label.is_empty() {
            warnings.push(warn(
                "target.csv",
                row.line,
                1,
                "label",
                &format!("\"{name}\" has no category"),
            ));
        }
        let category = resolved
            .entry(label)
            .or_insert_with(|| index.find(label).map(|i| categories[i].id.clone()))
            .clone();
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        out.push(Item {
            name: name.to_owned(),
            category,
            category_label: label.to_owned(),
            notice: some(row.get(2)),
            initial: some(row.get(3)),
        });
    }
    out
}

fn warn(file: &str, line: u64, column: usize, field: &str, message: &str) -> Warning {
    Warning(
        GarbageError::new(file, message)
            .at_line(line)
            .at_column(column, Some(field)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::garbage::model::Rule;
    use chrono::Weekday;

    const AREA_DAYS: &str = "地名,センター,燃やすごみ,剪定枝\n北,東部,月 木,土2 *1:4 5\n";
    const CENTER: &str = "名称,休止開始日,休止終了日\n東部,2026/12/29,2027/1/3\n";
    const REMARKS: &str = "ID,注意事項\n1,束ねて出してください\n";

    fn files<'a>(area_days: &'a str) -> Files5374<'a> {
        Files5374 {
            area_days: area_days.as_bytes(),
            center: Some(CENTER.as_bytes()),
            remarks: Some(REMARKS.as_bytes()),
            ..Default::default()
        }
    }

    #[test]
    fn reads_areas_centres_and_rules() {
        let (cal, warnings) = parse_5374(&files(AREA_DAYS)).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(cal.categories[0].id, "burnable");
        let en = machi_i18n::Lang::from_code("en").unwrap();
        assert_eq!(
            crate::garbage::category_name(&cal.categories[0], en).text,
            "Burnable waste"
        );
        let north = &cal.areas[0];
        assert_eq!(
            north.centre.as_ref().unwrap().suspensions[0].to,
            NaiveDate::from_ymd_opt(2027, 1, 3).unwrap()
        );
        assert_eq!(
            north.schedules[1].rules,
            vec![Rule::Monthly {
                weekday: Weekday::Sat,
                nth: 2
            }]
        );
        assert_eq!(north.schedules[1].months, vec![4, 5]);
        assert_eq!(north.schedules[1].footnotes, vec![1]);
    }

    #[test]
    fn a_bad_token_is_a_warning_by_default_and_an_error_when_strict() {
        let input = "地名,センター,燃やすごみ\n北,東部,月\n南,東部,水6 木\n";
        let (cal, warnings) = parse_5374(&files(input)).unwrap();
        assert_eq!(
            cal.areas[1].schedules[0].rules,
            vec![Rule::Weekly {
                weekday: Weekday::Thu
            }]
        );
        assert_eq!(
            warnings[0].to_string(),
            "area_days.csv:3: column 3 (燃やすごみ): unknown rule token \"水6\""
        );
        let strict = ParseOptions {
            strict: true,
            ..Default::default()
        };
        let e = parse_5374_with(&files(input), &strict).unwrap_err();
        assert_eq!(
            e.to_string(),
            "area_days.csv:3: column 3 (燃やすごみ): unknown rule token \"水6\""
        );
    }

    #[test]
    fn a_short_row_is_an_error_naming_the_missing_column() {
        let input = "地名,センター,燃やすごみ,資源\n\"北,東部\",月,水\n";
        let e = parse_5374(&files(input)).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("area_days.csv:2: column 4 (資源): the row has 3 columns"),
            "{e}"
        );
    }

    #[test]
    fn repeated_identical_rows_are_kept_once_and_different_ones_get_their_own_id() {
        let input = "地名,センター,燃やすごみ\n北,,月\n北,,月\n北,,火\n";
        let (cal, warnings) = parse_5374(&files(input)).unwrap();
        assert_eq!(cal.areas.len(), 2);
        assert_eq!(cal.areas[1].id, format!("{}-2", cal.areas[0].id));
        assert_eq!(warnings.len(), 2);
    }

    #[test]
    fn crlf_files_report_the_line_an_editor_shows() {
        let input = "地名,センター,燃やすごみ\r\n北,,月\r\n南,,水6\r\n";
        let (_, warnings) = parse_5374(&files(input)).unwrap();
        assert_eq!(warnings[0].place.line, Some(3));
    }

    #[test]
    fn centre_dates_in_the_forms_cities_write() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 3);
        assert_eq!(centre_date("2027/01/03"), d);
        assert_eq!(centre_date("2027/1/3"), d);
        assert_eq!(centre_date("2027-01-03"), d);
        assert_eq!(centre_date("20270103"), d);
        assert_eq!(centre_date("R9/1/3"), None);
    }
}
