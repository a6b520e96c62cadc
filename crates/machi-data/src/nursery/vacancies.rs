//! Vacancy tables: per facility and age class 0–5, as of a date. One reader for every layout
//! with a header row naming the facility and six age columns:
//!
//! - 横浜市's monthly 保育所等の入所状況: a title row `【令和６年８月１日時点】受入可能数` (or
//!   `入所待ち人数`) says what the numbers count and when; full-width digits in the headers; `-`
//!   where a class does not exist; a 更新日 column. The two files of a month are two tables with
//!   the same date, merged by [`super::join`].
//! - A marks table like 台東区's 利用調整結果: `空有` (places), `非公開`, `―`, blanks, and numbers
//!   (the lowest admitted score of a class that filled: no place left).
//! - Machi's own vacancy CSV, which any city can produce from its monthly spreadsheet
//!   (`cities/README.md`): `時点,施設番号,施設名,0歳児,…,5歳児` with optional `種別`, `区` and
//!   `0歳児待ち`…`5歳児待ち` columns.
//!
//! Refused by name, because they are statistics and not vacancies: tables of applications and
//! offers (応募・内定, 町田市's PDF transcription) and numbers that nothing says are places (a
//! 最低指数 table: the lowest admitted score per class, 港区's).

use super::read::{column, csv_rows, find_date, header_key, places, Row};
use super::{NurseryError, Places, CLASSES};
use chrono::NaiveDate;

/// One table as read: places or waiting children (or both) per facility and class.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VacancyTable {
    /// From the title row, the date column, or the file name (`R0404`); `None`: the hub uses
    /// when it first read the file.
    pub as_of: Option<NaiveDate>,
    /// Whether the table gives places (受入可能数 or marks), and waiting children (入所待ち人数).
    pub has_places: bool,
    pub has_waiting: bool,
    pub rows: Vec<TableRow>,
    /// Per-cell problems that did not stop the table.
    pub warnings: Vec<String>,
}

/// One facility's row.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub line: u64,
    /// The facility number (施設番号), when the table has one.
    pub number: Option<String>,
    pub name: String,
    pub ward: Option<String>,
    pub kind_label: Option<String>,
    pub places: Option<[Places; CLASSES]>,
    pub waiting: Option<[Option<u16>; CLASSES]>,
    /// A facility-wide flag (papamama's `Vacancy`).
    pub any: Option<Places>,
    /// Set for papamama's flags: the facility's index in the list the flags came with.
    pub facility: Option<usize>,
}

const NAME: &[&str] = &[
    "施設・事業名",
    "施設名",
    "園名",
    "保育園名",
    "保育所名",
    "名称",
    "name",
];
const NUMBER: &[&str] = &["施設番号", "施設コード", "施設ID", "NO", "id"];
const WARD: &[&str] = &["施設所在区", "区", "地区", "ward"];
const KIND: &[&str] = &["区分", "種別", "施設種別", "kind"];
const DATE: &[&str] = &["時点", "更新日", "基準日", "as_of"];

/// What the numbers of a table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    /// Places (受入可能数, Machi's CSV).
    Places,
    /// Children waiting (入所待ち人数).
    Waiting,
    /// Marks, where a number is a score: the class filled.
    Marks,
}

/// The class of an age column (`0歳`, `０歳児`, `0歳児クラス`, `age0`), and whether it counts
/// waiting children (`0歳児待ち`, `waiting0`).
fn age_column(key: &str) -> Option<(usize, bool)> {
    if let Some(d) = key.strip_prefix("age").and_then(|d| d.parse().ok()) {
        return (d < CLASSES).then_some((d, false));
    }
    if let Some(d) = key.strip_prefix("waiting").and_then(|d| d.parse().ok()) {
        return (d < CLASSES).then_some((d, true));
    }
    let mut chars = key.chars();
    let d = chars.next()?.to_digit(10)? as usize;
    let rest = chars.as_str().strip_prefix('歳')?;
    let rest = rest.strip_prefix('児').unwrap_or(rest);
    let rest = rest.strip_prefix("くらす").unwrap_or(rest);
    let waiting = match rest {
        "" => false,
        "待ち" | "待ち人数" | "入所待ち" => true,
        _ => return None,
    };
    (d < CLASSES).then_some((d, waiting))
}

/// Reads a vacancy table (CSV, UTF-8 or Shift_JIS); `place` (path or URL) names it in errors and
/// warnings, and its file name may carry the date (`R0404_…csv`).
pub fn parse_vacancies(bytes: &[u8], place: &str) -> Result<VacancyTable, NurseryError> {
    let (rows, _) = csv_rows(bytes, place)?;
    let err = |line: Option<u64>, m: &str| NurseryError::new(place, line, None, m.to_owned());
    let header_at = rows
        .iter()
        .take(20)
        .position(|r| {
            let keys: Vec<String> = r.cells.iter().map(|c| header_key(c)).collect();
            let ages = keys.iter().filter(|k| age_column(k).is_some()).count();
            column(&keys, NAME).is_some() && ages >= CLASSES
        })
        .ok_or_else(|| {
            err(
                rows.first().map(|r| r.line),
                "no header with a facility name column (施設名, 園名, 施設・事業名) and the age \
                 classes 0歳…5歳: not a vacancy table",
            )
        })?;
    let header: Vec<String> = rows[header_at]
        .cells
        .iter()
        .map(|c| header_key(c))
        .collect();
    let header_line = rows[header_at].line;
    let title: String = rows[..header_at]
        .iter()
        .flat_map(|r| r.cells.iter())
        .map(|c| header_key(c))
        .collect();
    let statistics = |line| {
        err(
            Some(line),
            "applications and offers (応募・内定) per class: admission statistics, not \
             vacancies (Machi reads tables of places: 受入可能数, marks such as 空有, or its own \
             vacancy CSV)",
        )
    };
    if title.contains("応募") || title.contains("内定") {
        return Err(statistics(rows[0].line));
    }
    if let Some(next) = rows.get(header_at + 1) {
        let joined: String = next.cells.iter().map(|c| header_key(c)).collect();
        if joined.contains("応募") || joined.contains("内定") {
            return Err(statistics(next.line));
        }
    }
    if title.contains("指数") {
        return Err(err(
            Some(rows[0].line),
            "a table of admission scores (指数): statistics, not vacancies",
        ));
    }
    let name = column(&header, NAME).unwrap_or_default();
    let number = column(&header, NUMBER);
    let ward = column(&header, WARD);
    let kind = column(&header, KIND);
    let date = column(&header, DATE);
    let mut place_cols: [Option<usize>; CLASSES] = [None; CLASSES];
    let mut wait_cols: [Option<usize>; CLASSES] = [None; CLASSES];
    for (i, key) in header.iter().enumerate() {
        if let Some((class, waiting)) = age_column(key) {
            let slot = if waiting {
                &mut wait_cols[class]
            } else {
                &mut place_cols[class]
            };
            slot.get_or_insert(i);
        }
    }
    let body: Vec<&Row> = rows[header_at + 1..]
        .iter()
        .filter(|r| r.cells.get(name).is_some_and(|n| !n.is_empty()))
        .collect();
    // A marks table has marks of places (空有, ○); 非公開 alone says nothing about places.
    let marked = body.iter().any(|r| {
        place_cols
            .iter()
            .flatten()
            .any(|&c| matches!(r.cells.get(c).map(|s| places(s)), Some(Ok(Places::Some))))
    });
    let measure =
        if title.contains("入所待ち") || title.contains("待機") || title.contains("待ち人数")
        {
            Measure::Waiting
        } else if title.contains("受入可能")
            || title.contains("空き")
            || title.contains("入所可能")
            || date.is_some()
        {
            Measure::Places
        } else if marked {
            Measure::Marks
        } else {
            return Err(err(
            Some(header_line),
            "nothing says what the numbers count: no title such as 受入可能数 or 入所待ち人数, \
             no 時点 column and no vacancy marks (空有, ○). A 最低指数 table (the lowest \
             admitted score per class) is statistics, not vacancies",
        ));
        };

    let mut table = VacancyTable {
        has_places: measure != Measure::Waiting,
        has_waiting: measure == Measure::Waiting || wait_cols.iter().any(Option::is_some),
        ..VacancyTable::default()
    };
    let mut dates: Vec<NaiveDate> = Vec::new();
    for row in body {
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.cells.get(i))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let warn = |table: &mut VacancyTable, col: usize, m: String| {
            table
                .warnings
                .push(format!("{place}:{}:{}: {m}", row.line, col + 1));
        };
        let mut waiting = [None; CLASSES];
        let mut counts = [Places::NoClass; CLASSES];
        for class in 0..CLASSES {
            if let Some(c) = place_cols[class] {
                let text = row.cells.get(c).map(String::as_str).unwrap_or_default();
                match (measure, places(text)) {
                    (Measure::Waiting, Ok(Places::Count(n))) => waiting[class] = Some(n),
                    (Measure::Waiting, Ok(_)) => {}
                    // In a marks table a number is the lowest admitted score: the class filled.
                    (Measure::Marks, Ok(Places::Count(_))) => counts[class] = Places::Count(0),
                    (_, Ok(p)) => counts[class] = p,
                    (_, Err(m)) => {
                        warn(
                            &mut table,
                            c,
                            format!("{}: {m} (shown as not published)", header[c]),
                        );
                        counts[class] = Places::Undisclosed;
                    }
                }
            }
            if let Some(c) = wait_cols[class] {
                let text = row.cells.get(c).map(String::as_str).unwrap_or_default();
                match places(text) {
                    Ok(Places::Count(n)) => waiting[class] = Some(n),
                    Ok(_) => {}
                    Err(m) => warn(&mut table, c, m),
                }
            }
        }
        if let Some(d) = cell(date) {
            match find_date(&d) {
                Some(d) => dates.push(d),
                None => warn(
                    &mut table,
                    date.unwrap_or_default(),
                    format!("`{d}` is not a date"),
                ),
            }
        }
        table.rows.push(TableRow {
            line: row.line,
            number: cell(number),
            name: row.cells[name].clone(),
            ward: cell(ward),
            kind_label: cell(kind),
            places: table.has_places.then_some(counts),
            waiting: table.has_waiting.then_some(waiting),
            any: None,
            facility: None,
        });
    }
    if table.rows.is_empty() {
        return Err(err(Some(header_line), "the table has no facility rows"));
    }
    table.as_of = find_date(&title)
        .or_else(|| dates.iter().max().copied())
        .or_else(|| find_date(place.rsplit(['/', '\\']).next().unwrap_or(place)));
    Ok(table)
}
