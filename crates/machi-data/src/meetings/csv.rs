//! Meeting CSVs: the Machi meeting CSV (one row per meeting, the format we recommend to cities;
//! see `cities/README.md`), and イベント一覧 event lists — the 推奨データセット / 自治体標準
//! オープンデータセット layouts, the 50-column ベース・レジストリ layout and 高松市's own with
//! `#` metadata rows — of which only the rows the city's [`MeetingRules`] call meetings are read.
//!
//! Columns are found by their header (Japanese or English names, any order), so one reader
//! serves every layout. A file without the columns a meeting needs is refused naming its header
//! line; a row with an unreadable cell is skipped (or read without that cell) with a warning
//! naming its line, column and header.

use super::classify::{body_from_title, body_kind, kind_from_word, MeetingRules};
use super::error::{MeetingError, Warning};
use super::ical::{is_web, localize};
use super::model::{Attendance, MeetingStatus, Openness};
use super::set::{Details, MeetingSet, Series, Start};
use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

/// Files larger than this are refused unread (the hub's download cap).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Rows read at most.
pub const MAX_ROWS: usize = 100_000;

/// How to read a meeting CSV.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions<'a> {
    /// The municipality's zone: the times in the file are in it.
    pub timezone: Tz,
    /// Which rows of an event list are meetings.
    pub rules: &'a MeetingRules,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Body,
    Kind,
    Title,
    Date,
    EndDate,
    Start,
    End,
    Place,
    Address,
    AddressPart,
    Online,
    Agenda,
    Open,
    Seats,
    How,
    Deadline,
    DeadlineTime,
    Materials,
    Minutes,
    Status,
    MovedFrom,
    Url,
    Note,
    Category,
    Organizer,
}

/// Header names, as written in the Machi CSV, the 推奨データセット and 自治体標準 layouts, the
/// ベース・レジストリ layout and 高松市's English property names.
const HEADERS: &[(&str, Field)] = &[
    ("ID", Field::Id),
    ("NO", Field::Id),
    ("no", Field::Id),
    ("会議体", Field::Body),
    ("body", Field::Body),
    ("会議体の種類", Field::Kind),
    ("kind", Field::Kind),
    ("会議名", Field::Title),
    ("title", Field::Title),
    ("イベント名", Field::Title),
    ("名称", Field::Title),
    ("eventName", Field::Title),
    ("開催日", Field::Date),
    ("date", Field::Date),
    ("開始日", Field::Date),
    ("startDate", Field::Date),
    ("終了日", Field::EndDate),
    ("endDate", Field::EndDate),
    ("開始時刻", Field::Start),
    ("開始時間", Field::Start),
    ("start", Field::Start),
    ("startTime", Field::Start),
    ("終了時刻", Field::End),
    ("終了時間", Field::End),
    ("end", Field::End),
    ("endTime", Field::End),
    ("場所", Field::Place),
    ("place", Field::Place),
    ("場所名称", Field::Place),
    ("venue", Field::Place),
    ("住所", Field::Address),
    ("address", Field::Address),
    ("住所都道府県", Field::AddressPart),
    ("住所市区町村", Field::AddressPart),
    ("住所町名", Field::AddressPart),
    ("住所丁目以下", Field::AddressPart),
    ("建物名等", Field::AddressPart),
    ("cityName", Field::AddressPart),
    ("townName", Field::AddressPart),
    ("buildingName", Field::AddressPart),
    ("オンライン", Field::Online),
    ("online_url", Field::Online),
    ("議題", Field::Agenda),
    ("agenda", Field::Agenda),
    ("傍聴", Field::Open),
    ("public", Field::Open),
    ("傍聴定員", Field::Seats),
    ("seats", Field::Seats),
    ("定員", Field::Seats),
    ("申込方法", Field::How),
    ("how_to_apply", Field::How),
    ("参加申込方法", Field::How),
    ("申込締切", Field::Deadline),
    ("deadline", Field::Deadline),
    ("参加申込終了日", Field::Deadline),
    ("申込期限日", Field::Deadline),
    ("参加申込終了時間", Field::DeadlineTime),
    ("申込期限時刻", Field::DeadlineTime),
    ("資料", Field::Materials),
    ("materials_url", Field::Materials),
    ("会議録", Field::Minutes),
    ("minutes_url", Field::Minutes),
    ("状態", Field::Status),
    ("status", Field::Status),
    ("変更前の日時", Field::MovedFrom),
    ("previous_date", Field::MovedFrom),
    ("URL", Field::Url),
    ("url", Field::Url),
    ("備考", Field::Note),
    ("note", Field::Note),
    ("説明", Field::Note),
    ("概要", Field::Note),
    ("overview", Field::Note),
    ("イベント種類", Field::Category),
    ("カテゴリー", Field::Category),
    ("主催者", Field::Organizer),
    ("主催団体", Field::Organizer),
    ("organizer", Field::Organizer),
];

/// Address part columns read, at most (the ベース・レジストリ layout has five): every field is
/// looked up per row, so a header of thousands of `cityName` columns must not make each lookup
/// that long.
const MAX_ADDRESS_PARTS: usize = 8;

/// The columns of a file: for each field, its column numbers (address parts may be several).
struct Columns {
    names: Vec<String>,
    of: Vec<(Field, usize)>,
    line: u64,
}

impl Columns {
    fn new(header: &csv::StringRecord, line: u64) -> Columns {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let mut of: Vec<(Field, usize)> = Vec::new();
        let mut address_parts = 0;
        for (i, name) in names.iter().enumerate() {
            if let Some((_, field)) = HEADERS.iter().find(|(h, _)| h == name) {
                // The first column of a field wins (名称 before 名称(カナ) is not an issue: exact).
                if *field == Field::AddressPart {
                    if address_parts < MAX_ADDRESS_PARTS {
                        address_parts += 1;
                        of.push((*field, i));
                    }
                } else if !of.iter().any(|(f, _)| f == field) {
                    of.push((*field, i));
                }
            }
        }
        Columns { names, of, line }
    }

    fn has(&self, field: Field) -> bool {
        self.of.iter().any(|(f, _)| *f == field)
    }

    fn index(&self, field: Field) -> Option<usize> {
        self.of.iter().find(|(f, _)| *f == field).map(|(_, i)| *i)
    }
}

/// One row and where it is.
struct Row<'a> {
    record: &'a csv::StringRecord,
    cols: &'a Columns,
    line: u64,
    source: &'a str,
}

impl Row<'_> {
    fn get(&self, field: Field) -> Option<&str> {
        let i = self.cols.index(field)?;
        self.record.get(i).map(str::trim).filter(|s| !s.is_empty())
    }

    fn text(&self, field: Field) -> Option<String> {
        self.get(field).map(clean)
    }

    /// A problem with a cell: line, column (1-based field number) and header.
    fn problem(&self, field: Field, message: impl Into<String>) -> MeetingError {
        let i = self.cols.index(field).unwrap_or(0);
        MeetingError::new(self.source, message)
            .at(self.line, i as u64 + 1)
            .field(&self.cols.names[i])
    }
}

/// Reads a Machi meeting CSV.
pub fn parse_machi_csv(
    bytes: &[u8],
    source: &str,
    options: &CsvOptions<'_>,
) -> Result<(MeetingSet, Vec<Warning>), MeetingError> {
    read(bytes, source, options, Layout::Machi)
}

/// Reads the meeting rows of an イベント一覧 event list.
pub fn parse_event_list(
    bytes: &[u8],
    source: &str,
    options: &CsvOptions<'_>,
) -> Result<(MeetingSet, Vec<Warning>), MeetingError> {
    read(bytes, source, options, Layout::Events)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Machi,
    Events,
}

fn read(
    bytes: &[u8],
    source: &str,
    options: &CsvOptions<'_>,
    layout: Layout,
) -> Result<(MeetingSet, Vec<Warning>), MeetingError> {
    if bytes.len() > MAX_BYTES {
        return Err(MeetingError::new(
            source,
            format!(
                "the file is {} bytes, over the limit of {MAX_BYTES}",
                bytes.len()
            ),
        ));
    }
    let decoded = crate::encoding::decode(bytes);
    let mut warnings = Vec::new();
    if decoded.had_errors {
        warnings.push(Warning(MeetingError::new(
            source,
            format!(
                "some bytes are not {} text and were replaced",
                decoded.encoding_name
            ),
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.text.as_bytes());
    let mut cols: Option<Columns> = None;
    let mut set = MeetingSet::default();
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line());
                return Err(MeetingError::new(source, format!("not CSV: {e}")).at_line(at));
            }
        }
        rows += 1;
        if rows > MAX_ROWS {
            return Err(
                MeetingError::new(source, format!("more than {MAX_ROWS} rows")).at_line(line),
            );
        }
        let first = record
            .get(0)
            .unwrap_or_default()
            .trim_start_matches('\u{feff}')
            .trim();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // 高松市's LOD rows: `#property` names the columns; other `#` rows are metadata.
        if first.starts_with('#') {
            if first == "#property" && cols.is_none() {
                cols = Some(Columns::new(&record, line));
            }
            continue;
        }
        let Some(c) = &cols else {
            let header = Columns::new(&record, line);
            let needed: &[(Field, &str)] = match layout {
                Layout::Machi => &[
                    (Field::Body, "会議体"),
                    (Field::Title, "会議名"),
                    (Field::Date, "開催日"),
                ],
                Layout::Events => &[(Field::Title, "イベント名"), (Field::Date, "開始日")],
            };
            if let Some((_, name)) = needed.iter().find(|(f, _)| !header.has(*f)) {
                return Err(MeetingError::new(
                    source,
                    format!(
                        "the header has no {name} column (found: {}); see cities/README.md for \
                         the columns",
                        header.names.join(", ")
                    ),
                )
                .at_line(line));
            }
            cols = Some(header);
            continue;
        };
        let row = Row {
            record: &record,
            cols: c,
            line,
            source,
        };
        match series(&row, options, layout, &mut warnings) {
            Ok(Some(s)) => set.series.push(s),
            Ok(None) => {}
            Err(e) => warnings.push(Warning(e)),
        }
    }
    match cols {
        None => Err(MeetingError::new(
            source,
            "no header row: the file is empty",
        )),
        Some(c) if layout == Layout::Events && !c.has(Field::Title) => Err(MeetingError::new(
            source,
            "the #property row has no eventName column",
        )
        .at_line(c.line)),
        Some(_) => Ok((set, warnings)),
    }
}

/// One row as a meeting; `Ok(None)` for an event list's rows that are not meetings.
fn series(
    row: &Row<'_>,
    options: &CsvOptions<'_>,
    layout: Layout,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Series>, MeetingError> {
    let Some(title) = row.text(Field::Title) else {
        return match layout {
            Layout::Machi => Err(row.problem(Field::Title, "no meeting name; the row is skipped")),
            Layout::Events => Ok(None),
        };
    };
    if layout == Layout::Events && !options.rules.is_meeting(&title, row.get(Field::Category)) {
        return Ok(None);
    }
    let tz = options.timezone;
    let date_text = row
        .get(Field::Date)
        .ok_or_else(|| row.problem(Field::Date, "no date; the row is skipped"))?;
    let date = parse_day(date_text, None).ok_or_else(|| {
        row.problem(
            Field::Date,
            format!("\"{date_text}\" is not a date; the row is skipped"),
        )
    })?;
    let time = |field: Field| -> Result<Option<NaiveTime>, MeetingError> {
        match row.get(field) {
            None => Ok(None),
            Some(t) => parse_time(t)
                .map(Some)
                .ok_or_else(|| row.problem(field, format!("\"{t}\" is not a time of day"))),
        }
    };
    let mut problems = Vec::new();
    let start_time = time(Field::Start).unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    let end_time = time(Field::End).unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    let end_date = match row.get(Field::EndDate) {
        Some(t) => parse_day(t, None).or_else(|| {
            problems.push(row.problem(Field::EndDate, format!("\"{t}\" is not a date")));
            None
        }),
        None => None,
    }
    .filter(|d| *d >= date);
    let start = match start_time {
        Some(t) => Start::At(localize(tz, date.and_time(t))),
        None => Start::Day(date),
    };
    let end_day = end_date.unwrap_or(date);
    let end = match (start_time, end_time) {
        (Some(_), Some(t)) => Some(Start::At(localize(tz, end_day.and_time(t)))),
        (None, _) if end_day > date => Some(Start::Day(end_day)),
        _ => None,
    }
    .filter(|e| {
        let ok = *e >= start;
        if !ok {
            problems.push(row.problem(
                Field::End,
                "the meeting ends before it starts; its end is ignored",
            ));
        }
        ok
    });
    let body = match layout {
        Layout::Machi => row.text(Field::Body),
        Layout::Events => None,
    }
    .or_else(|| body_from_title(&title))
    .or_else(|| row.text(Field::Organizer))
    .unwrap_or_else(|| title.clone());
    let kind = row
        .get(Field::Kind)
        .and_then(kind_from_word)
        .unwrap_or_else(|| body_kind(&body));
    let url = |field: Field, problems: &mut Vec<MeetingError>| -> Option<String> {
        let v = row.get(field)?;
        if is_web(v) {
            Some(v.to_owned())
        } else {
            problems.push(row.problem(field, format!("\"{v}\" is not an http(s) URL; left out")));
            None
        }
    };
    let status = match row.get(Field::Status) {
        None => MeetingStatus::Scheduled,
        Some(s) => status(s).unwrap_or_else(|| {
            problems.push(row.problem(
                Field::Status,
                format!("\"{s}\" is not 予定, 変更 or 中止; read as 予定"),
            ));
            MeetingStatus::Scheduled
        }),
    };
    let moved_from = match row.get(Field::MovedFrom) {
        None => None,
        Some(t) => match day_and_time(t, Some(date.year())) {
            Some((d, Some(time))) => Some(Start::At(localize(tz, d.and_time(time)))),
            Some((d, None)) => Some(Start::Day(d)),
            None => {
                problems.push(row.problem(Field::MovedFrom, format!("\"{t}\" is not a date")));
                None
            }
        },
    };
    let status = match (status, &moved_from) {
        (MeetingStatus::Scheduled, Some(_)) => MeetingStatus::Changed,
        (s, _) => s,
    };
    let mut attend = Attendance {
        open: row.get(Field::Open).and_then(|o| {
            openness(o).or_else(|| {
                problems.push(row.problem(Field::Open, format!("\"{o}\" is not 可, 不可 or 一部")));
                None
            })
        }),
        seats: row.get(Field::Seats).and_then(|s| {
            number(s).or_else(|| {
                problems.push(row.problem(Field::Seats, format!("\"{s}\" is not a number")));
                None
            })
        }),
        how: row.text(Field::How),
        deadline: None,
        deadline_time: None,
    };
    if let Some(d) = row.get(Field::Deadline) {
        match day_and_time(d, Some(date.year())) {
            Some((mut day, t)) => {
                // "12/4" for a meeting in January is the December before.
                if day > date {
                    day = day.with_year(day.year() - 1).unwrap_or(day);
                }
                attend.deadline = Some(day);
                attend.deadline_time = t
                    .or_else(|| row.get(Field::DeadlineTime).and_then(parse_time))
                    .map(|t| t.format("%H:%M").to_string());
            }
            None => problems.push(row.problem(Field::Deadline, format!("\"{d}\" is not a date"))),
        }
    }
    let address = row.text(Field::Address).or_else(|| {
        let parts: Vec<&str> = row
            .cols
            .of
            .iter()
            .filter(|(f, _)| *f == Field::AddressPart)
            .filter_map(|(_, i)| row.record.get(*i).map(str::trim))
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.concat())
    });
    let mut note = row.text(Field::Note);
    if layout == Layout::Events {
        // An event list's organiser is worth knowing; a Machi CSV names the body instead.
        if let Some(org) = row.text(Field::Organizer).filter(|o| *o != body) {
            note = Some(match note {
                Some(n) => format!("{org}\n{n}"),
                None => org,
            });
        }
    }
    let details = Details {
        title: title.clone(),
        place: row.text(Field::Place),
        address,
        online: url(Field::Online, &mut problems),
        agenda: row
            .get(Field::Agenda)
            .map(|a| {
                a.split(['\n', '|', '｜', '；'])
                    .map(clean)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        attend,
        materials: url(Field::Materials, &mut problems),
        minutes: url(Field::Minutes, &mut problems),
        url: url(Field::Url, &mut problems),
        note,
        status,
        moved_from,
        sequence: 0,
    };
    // A bad cell does not lose the meeting: the row is read without it, with a warning.
    warnings.extend(problems.into_iter().map(Warning));
    let uid = row
        .text(Field::Id)
        .map(|id| format!("id:{id}"))
        .unwrap_or_else(|| format!("{body}|{title}|{date}"));
    Ok(Some(Series {
        uid,
        line: row.line,
        body,
        body_kind: kind,
        lang: None,
        start,
        end,
        details,
        recurrence: None,
    }))
}

/// Text as a cell gives it: trimmed, CRLF as LF, full-width spaces at the ends dropped.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n")
        .trim_matches(|c: char| c.is_whitespace() || c == '　')
        .to_owned()
}

/// Full-width digits and separators as ASCII, so one parser reads both.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '／' => '/',
            '：' => ':',
            '－' | 'ー' | '―' => '-',
            '．' => '.',
            '　' => ' ',
            c => c,
        })
        .collect()
}

/// A date as cities write it: `2026-12-15`, `2026/12/15`, `2026.10/5`, `20261215`, `2026年12月15日`,
/// `令和8年12月15日`, 高松市's `12/15/2026` (month first, as its files are), and without a year
/// (`12/15`, `12月15日`) when `year` says which. Trailing weekdays (`（火）`) are ignored.
pub(crate) fn parse_day(s: &str, year: Option<i32>) -> Option<NaiveDate> {
    let s = ascii_digits(s.trim());
    let s = s.split(['(', '（', ' ', 'T']).next().unwrap_or_default();
    let numbers: Vec<i64> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    // Years of four digits at most: chrono's last years leave no room to move a date.
    let ymd = |y: i64, m: i64, d: i64| {
        NaiveDate::from_ymd_opt(
            i32::try_from(y).ok().filter(|y| *y <= 9999)?,
            u32::try_from(m).ok()?,
            u32::try_from(d).ok()?,
        )
    };
    let era = [("令和", 2018), ("平成", 1988)]
        .iter()
        .find(|(e, _)| s.starts_with(e))
        .map(|(_, base)| *base);
    match (numbers.as_slice(), era) {
        ([y, m, d], Some(base)) => ymd(y.checked_add(base)?, *m, *d),
        ([n], None) if s.len() == 8 => ymd(n / 10_000, n / 100 % 100, n % 100),
        ([y, m, d], None) if *y > 31 => ymd(*y, *m, *d),
        // Month first, unless the first number cannot be a month.
        ([a, b, y], None) if *y > 31 => {
            if *a > 12 {
                ymd(*y, *b, *a)
            } else {
                ymd(*y, *a, *b)
            }
        }
        ([m, d], None) => ymd(i64::from(year?), *m, *d),
        _ => None,
    }
}

/// `14:00`, `9:30`, `14時`, `14時30分`, `１４：００`, `14:00:00`.
pub(crate) fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = ascii_digits(s.trim());
    let numbers: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let pm = s.contains("午後") || s.to_ascii_lowercase().contains("pm");
    let (h, m) = match numbers.as_slice() {
        [h] if s.contains('時') => (*h, 0),
        [h, m] | [h, m, _] => (*h, *m),
        _ => return None,
    };
    let h = if pm && h < 12 { h + 12 } else { h };
    NaiveTime::from_hms_opt(h, m, 0)
}

/// A date with an optional time in one cell: `2026-12-04 17:00`, `12月4日17時`.
fn day_and_time(s: &str, year: Option<i32>) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let s = ascii_digits(s.trim());
    let split = s
        .find([' ', 'T'])
        .or_else(|| s.find('日').map(|i| i + '日'.len_utf8()))
        .filter(|i| *i < s.len());
    match split {
        Some(i) => {
            let day = parse_day(&s[..i], year)?;
            let rest = s[i..].trim_start_matches([' ', 'T']);
            let rest = rest.trim_start_matches(|c: char| {
                matches!(c, '(' | '（' | ')' | '）') || !c.is_ascii() && !"午後前時分".contains(c)
            });
            Some((day, parse_time(rest)))
        }
        None => Some((parse_day(&s, year)?, None)),
    }
}

fn status(s: &str) -> Option<MeetingStatus> {
    let s = s.trim().to_lowercase();
    Some(match s.as_str() {
        "予定" | "開催" | "scheduled" => MeetingStatus::Scheduled,
        "変更" | "changed" => MeetingStatus::Changed,
        "中止" | "延期" | "cancelled" | "canceled" | "postponed" => MeetingStatus::Cancelled,
        _ => return None,
    })
}

fn openness(s: &str) -> Option<Openness> {
    let s = s.trim().to_lowercase();
    Some(match s.as_str() {
        "可" | "公開" | "あり" | "有" | "yes" | "open" => Openness::Open,
        "一部" | "一部公開" | "一部非公開" | "partly" => Openness::Partly,
        "不可" | "非公開" | "なし" | "無" | "no" | "closed" => Openness::Closed,
        _ => return None,
    })
}

/// The number in `10`, `10人`, `１０名`, `約10人`.
fn number(s: &str) -> Option<u32> {
    let s = ascii_digits(s);
    let digits: String = s
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_as_cities_write_them() {
        for (text, want) in [
            ("2026-12-15", "2026-12-15"),
            ("2026/12/15", "2026-12-15"),
            ("２０２６／１２／１５", "2026-12-15"),
            ("2020.10/5", "2020-10-05"),
            ("20261215", "2026-12-15"),
            ("2026年12月15日（火）", "2026-12-15"),
            ("令和8年12月15日", "2026-12-15"),
            ("5/16/2020", "2020-05-16"),
            ("16/5/2020", "2020-05-16"),
        ] {
            assert_eq!(parse_day(text, None), Some(d(want)), "{text}");
        }
        assert_eq!(parse_day("12/4", Some(2026)), Some(d("2026-12-04")));
        assert_eq!(parse_day("12月4日", Some(2026)), Some(d("2026-12-04")));
        assert_eq!(parse_day("12/4", None), None);
        assert_eq!(parse_day("そのうち", None), None);
        assert_eq!(parse_day("2026-02-30", None), None);
        // An era year of 19 digits overflowed (a panic in a debug build); a year of six let an
        // all-day meeting end on chrono's last day, after which its calendar and the demo's
        // shift could not add a day.
        assert_eq!(parse_day("令和9223372036854775807年1月1日", None), None);
        assert_eq!(parse_day("262143-12-31", None), None);
        assert_eq!(parse_day("9999-12-31", None), Some(d("9999-12-31")));
    }

    #[test]
    fn times_and_cells() {
        assert_eq!(parse_time("14:00"), NaiveTime::from_hms_opt(14, 0, 0));
        assert_eq!(parse_time("１４：３０"), NaiveTime::from_hms_opt(14, 30, 0));
        assert_eq!(parse_time("14時"), NaiveTime::from_hms_opt(14, 0, 0));
        assert_eq!(
            parse_time("午後2時30分"),
            NaiveTime::from_hms_opt(14, 30, 0)
        );
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(
            day_and_time("2026-12-04 17:00", None),
            Some((d("2026-12-04"), NaiveTime::from_hms_opt(17, 0, 0)))
        );
        assert_eq!(
            day_and_time("12月4日（金）17時", Some(2026)),
            Some((d("2026-12-04"), NaiveTime::from_hms_opt(17, 0, 0)))
        );
        assert_eq!(number("１０名"), Some(10));
        assert_eq!(number("約20人"), Some(20));
        assert_eq!(openness("一部公開"), Some(Openness::Partly));
        assert_eq!(status("中止"), Some(MeetingStatus::Cancelled));
    }

    fn options(rules: &MeetingRules) -> CsvOptions<'_> {
        CsvOptions {
            timezone: Tz::Asia__Tokyo,
            rules,
        }
    }

    #[test]
    fn a_machi_csv_row_is_a_meeting_with_how_to_attend() {
        let csv = "会議体,会議名,開催日,開始時刻,終了時刻,場所,議題,傍聴,傍聴定員,申込方法,申込締切,状態,変更前の日時\n\
                   都市計画審議会,第3回都市計画審議会,2026-12-15,14:00,16:00,市役所 3階,\"用途地域の変更\n公園の整備\",可,10,電話で都市計画課へ,12/11 17:00,,2026-12-08 14:00\n";
        let rules = MeetingRules::default();
        let (set, warnings) = parse_machi_csv(csv.as_bytes(), "m.csv", &options(&rules)).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let s = &set.series[0];
        assert_eq!(s.body, "都市計画審議会");
        assert_eq!(s.body_kind, crate::meetings::BodyKind::Council);
        assert_eq!(s.details.agenda, ["用途地域の変更", "公園の整備"]);
        assert_eq!(s.details.attend.seats, Some(10));
        assert_eq!(s.details.attend.deadline, Some(d("2026-12-11")));
        assert_eq!(s.details.attend.deadline_time.as_deref(), Some("17:00"));
        assert_eq!(s.details.status, MeetingStatus::Changed);
        assert!(matches!(s.start, Start::At(t) if t.to_rfc3339() == "2026-12-15T14:00:00+09:00"));
    }

    #[test]
    fn a_header_of_thousands_of_address_columns_costs_no_more_than_eight() {
        // Every cell of every row was looked up among all of a header's columns.
        let mut csv = format!("会議体,会議名,開催日{}\n", ",cityName".repeat(40_000));
        for i in 0..5_000 {
            csv.push_str(&format!("審議会,第{i}回審議会,2026-12-01,まち市,本町\n"));
        }
        let rules = MeetingRules::default();
        let started = machi_testdata::cpu_time();
        let (set, _) = parse_machi_csv(csv.as_bytes(), "m.csv", &options(&rules)).unwrap();
        let took = machi_testdata::cpu_time() - started;
        assert_eq!(set.series.len(), 5_000);
        assert_eq!(set.series[0].details.address.as_deref(), Some("まち市本町"));
        assert!(took.as_secs_f64() < 2.0, "took {took:?} of CPU");
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_naming_them() {
        let rules = MeetingRules::default();
        let err =
            parse_machi_csv("名前,日\na,b\n".as_bytes(), "m.csv", &options(&rules)).unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("no 会議体 column"), "{err}");
        let err = parse_machi_csv(
            "会議体,会議名,開催日\nA審議会,第1回,いつか\n".as_bytes(),
            "m.csv",
            &options(&rules),
        )
        .unwrap()
        .1;
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].0.line, Some(2));
        assert_eq!(err[0].0.column, Some(3));
        assert_eq!(err[0].0.field.as_deref(), Some("開催日"));
    }
}
