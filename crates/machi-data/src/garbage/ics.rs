//! iCalendar files of collection events (one all-day `VEVENT` per collection) into the same
//! [`GarbageCalendar`] as the 5374 files: one area, categories from `SUMMARY`, each date an
//! irregular [`Rule::Date`].
//!
//! A small hand-written reader rather than a crate: the files in the wild are simple (all-day
//! events, a summary), the parts needed are line unfolding and `NAME;PARAMS:VALUE`, and being
//! strict on structure (`BEGIN`/`END` balance) but lenient on what generators forget (`DTSTAMP`,
//! the final line break, as 習志野市's calendar does) is easier to control in 150 lines than
//! through a general parser's error model.

use super::decode::decode;
use super::error::{GarbageError, Warning};
use super::model::{area_id, GarbageArea, GarbageCalendar, Rule, Schedule};
use super::source5374::categories_from_labels;
use crate::text::LocalizedText;
use chrono::NaiveDate;

/// Reads `bytes` (the file `source_file`) as the collection calendar of one area named
/// `area_name`.
pub fn parse_ics(
    bytes: &[u8],
    source_file: &str,
    area_name: &str,
) -> Result<(GarbageCalendar, Vec<Warning>), GarbageError> {
    let decoded = decode(bytes, source_file);
    let mut warnings: Vec<Warning> = decoded.warning.into_iter().collect();
    let err = |line: u64, msg: String| GarbageError::new(source_file, msg).at_line(line);

    let mut stack: Vec<(String, u64)> = Vec::new();
    let mut saw_calendar = false;
    let mut event: Option<Event> = None;
    let mut events: Vec<Event> = Vec::new();
    for line in unfold(&decoded.text) {
        let Some((name, _params, value)) = split_property(&line.text) else {
            return Err(err(
                line.number,
                format!("\"{}\" is not a NAME:VALUE line", shorten(&line.text)),
            ));
        };
        match name.as_str() {
            "BEGIN" => {
                let component = value.to_ascii_uppercase();
                if stack.is_empty() && component != "VCALENDAR" {
                    return Err(err(
                        line.number,
                        format!("BEGIN:{component} outside BEGIN:VCALENDAR"),
                    ));
                }
                if component == "VCALENDAR" {
                    if !stack.is_empty() || saw_calendar {
                        return Err(err(line.number, "a second BEGIN:VCALENDAR".into()));
                    }
                    saw_calendar = true;
                }
                if component == "VEVENT" {
                    event = Some(Event {
                        line: line.number,
                        ..Event::default()
                    });
                }
                stack.push((component, line.number));
            }
            "END" => {
                let component = value.to_ascii_uppercase();
                match stack.pop() {
                    Some((open, _)) if open == component => {}
                    Some((open, at)) => {
                        return Err(err(
                            line.number,
                            format!("END:{component} but the open component is {open} (line {at})"),
                        ))
                    }
                    None => {
                        return Err(err(
                            line.number,
                            format!("END:{component} with nothing open"),
                        ))
                    }
                }
                if component == "VEVENT" {
                    events.extend(event.take());
                }
            }
            _ if stack.is_empty() => {
                return Err(err(line.number, format!("{name} outside BEGIN:VCALENDAR")));
            }
            "DTSTART" if stack.last().map(|s| s.0.as_str()) == Some("VEVENT") => {
                let date = date_of(&value).ok_or_else(|| {
                    err(
                        line.number,
                        format!("\"{value}\" is not a date or date-time"),
                    )
                    .at_field("DTSTART")
                })?;
                // A timed event counts on its date as written: the local date is what a
                // resident means by "the day", and the files in the wild are all-day events.
                if let Some(e) = event.as_mut() {
                    e.date = Some(date);
                }
            }
            "SUMMARY" if stack.last().map(|s| s.0.as_str()) == Some("VEVENT") => {
                if let Some(e) = event.as_mut() {
                    e.summary = unescape(&value);
                }
            }
            "RRULE" | "RDATE" if stack.last().map(|s| s.0.as_str()) == Some("VEVENT") => {
                warnings.push(Warning(
                    err(
                        line.number,
                        "recurring events are not expanded; only the first date is used".into(),
                    )
                    .at_field(&name),
                ));
            }
            _ => {}
        }
    }
    if let Some((open, at)) = stack.pop() {
        return Err(err(
            at,
            format!("BEGIN:{open} is never closed with END:{open}"),
        ));
    }
    if !saw_calendar {
        return Err(GarbageError::new(
            source_file,
            "no BEGIN:VCALENDAR: not an iCalendar file",
        ));
    }

    // Categories in order of first appearance; dates per category.
    let mut labels: Vec<String> = Vec::new();
    let mut dates: Vec<Vec<NaiveDate>> = Vec::new();
    for e in events {
        let Some(date) = e.date else {
            warnings.push(Warning(
                err(e.line, "the event has no DTSTART; ignored".into()).at_field("DTSTART"),
            ));
            continue;
        };
        let label = category_label(&e.summary);
        if label.is_empty() {
            warnings.push(Warning(
                err(e.line, "the event has no SUMMARY; ignored".into()).at_field("SUMMARY"),
            ));
            continue;
        }
        let i = labels.iter().position(|l| *l == label).unwrap_or_else(|| {
            labels.push(label);
            dates.push(Vec::new());
            labels.len() - 1
        });
        dates[i].push(date);
    }
    let categories = categories_from_labels(&labels);
    let schedules = categories
        .iter()
        .zip(dates)
        .map(|(c, mut ds)| {
            ds.sort();
            ds.dedup();
            Schedule {
                category: c.id.clone(),
                rules: ds.into_iter().map(|date| Rule::Date { date }).collect(),
                ..Schedule::default()
            }
        })
        .collect();
    let area = GarbageArea {
        id: area_id(area_name),
        name: LocalizedText::ja(area_name),
        schedules,
        ..GarbageArea::default()
    };
    Ok((
        GarbageCalendar {
            categories,
            areas: vec![area],
            ..GarbageCalendar::default()
        },
        warnings,
    ))
}

#[derive(Debug, Default)]
struct Event {
    line: u64,
    date: Option<NaiveDate>,
    summary: String,
}

/// A logical line and the physical line it starts on.
struct Line {
    number: u64,
    text: String,
}

/// Joins folded lines (a line break followed by a space or tab continues the line, RFC 5545
/// §3.1), accepting CRLF or bare LF and a missing final line break; drops blank lines.
fn unfold(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some(last)) => last.text.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => out.push(Line {
                number: i as u64 + 1,
                text: raw.to_owned(),
            }),
        }
    }
    out
}

/// `NAME;P1=A;P2=B:VALUE` → (upper-case name, params, value). The value may contain colons;
/// parameter values in double quotes may too.
fn split_property(line: &str) -> Option<(String, Vec<String>, String)> {
    let mut in_quotes = false;
    let colon = line.char_indices().find_map(|(i, c)| match c {
        '"' => {
            in_quotes = !in_quotes;
            None
        }
        ':' if !in_quotes => Some(i),
        _ => None,
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    Some((name, parts.map(str::to_owned).collect(), value.to_owned()))
}

/// `20230727` or `20230727T090000[Z]`: the date part.
fn date_of(value: &str) -> Option<NaiveDate> {
    let digits = value.trim().get(..8)?;
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The category a summary names: `燃えるごみの収集日` → `燃えるごみ`.
fn category_label(summary: &str) -> String {
    let mut s = summary.trim();
    for suffix in ["の収集日", "収集日", "の収集", "の日"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end();
            break;
        }
    }
    s.to_owned()
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20230727\r\nSUMMARY:資源物の\r\n 収集日\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20230726\r\nSUMMARY:燃えるごみの収集日\r\nEND:VEVENT\r\nEND:VCALENDAR";

    #[test]
    fn reads_all_day_events_without_dtstamp_or_final_newline() {
        let (cal, warnings) = parse_ics(SAMPLE.as_bytes(), "a.ics", "秋津").unwrap();
        assert!(warnings.is_empty());
        assert_eq!(cal.categories.len(), 2);
        assert_eq!(cal.categories[0].label.original(), Some("資源物"));
        assert_eq!(cal.categories[1].id, "burnable");
        let area = &cal.areas[0];
        assert_eq!(area.name.original(), Some("秋津"));
        let d = NaiveDate::from_ymd_opt(2023, 7, 26).unwrap();
        assert_eq!(cal.on(area, d), vec!["burnable"]);
    }

    #[test]
    fn broken_structure_is_an_error_naming_the_line() {
        let unclosed = SAMPLE.replace("END:VEVENT\r\nEND:VCALENDAR", "END:VCALENDAR");
        let e = parse_ics(unclosed.as_bytes(), "a.ics", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.ics:11: END:VCALENDAR but the open component is VEVENT (line 8)"
        );
        let e = parse_ics(b"hello", "a.ics", "x").unwrap_err();
        assert_eq!(e.to_string(), "a.ics:1: \"hello\" is not a NAME:VALUE line");
        let bad_date = SAMPLE.replace("20230727", "2023-7-27");
        let e = parse_ics(bad_date.as_bytes(), "a.ics", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.ics:4: DTSTART: \"2023-7-27\" is not a date or date-time"
        );
        let e = parse_ics(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "a.ics", "x").unwrap_err();
        assert!(e.to_string().contains("never closed"), "{e}");
    }
}
