//! Collection days as an iCalendar file (RFC 5545) that residents import into their calendar app.
//!
//! One all-day `VEVENT` per category and day. Output is deterministic for the same calendar and
//! start date (stable `UID`s, `DTSTAMP` derived from the start date), so the hub can cache it and
//! calendar apps that re-subscribe update events instead of duplicating them.

use super::model::{GarbageArea, GarbageCalendar};
use chrono::{Days, Months, NaiveDate};
use machi_i18n::{fill, plain, raw, Lang, Msg};
use std::fmt::Write;

/// `YYYYMMDD`, RFC 5545's DATE form. Written by hand: this module is compiled into the app, and
/// chrono's strftime machinery costs several KB of wasm.
fn basic_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// The collection days of `area` from `from` for `months` months, with summaries in `lang`
/// (the categories' names as the app shows them, without ruby), as an RFC 5545 `VCALENDAR`: CRLF
/// line endings, lines folded at 75 octets.
pub fn to_ics(
    area: &GarbageArea,
    calendar: &GarbageCalendar,
    from: NaiveDate,
    months: u32,
    lang: Lang,
) -> String {
    to_ics_with_reminder(area, calendar, from, months, lang, None)
}

/// [`to_ics`] with a calendar app's reminder (`VALARM`) on every collection day: at `remind`
/// o'clock (local time) the evening before when it is 12 or later ("Tomorrow: burnable"), else
/// on the morning of the day ("Today: burnable"), in `lang` as the push reminders say it. For
/// residents who subscribe to the hub's calendar instead of installing the app.
pub fn to_ics_with_reminder(
    area: &GarbageArea,
    calendar: &GarbageCalendar,
    from: NaiveDate,
    months: u32,
    lang: Lang,
    remind: Option<u8>,
) -> String {
    let to = from
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(from);
    let area_name = area.name.get(lang.code(), lang.data_fallbacks());
    // DTSTAMP must be a UTC date-time. "Now" would make every export differ; the start of the
    // exported range is a stable stand-in that still tells apps which export is newer.
    let stamp = format!("{}T000000Z", basic_date(from));

    let mut out = String::new();
    let mut line = |s: &str| push_folded(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Machi//Garbage collection days//JA");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(area_name)));
    line("X-WR-TIMEZONE:Asia/Tokyo");
    for day in calendar.collection_days(area, from, to) {
        let summary = calendar
            .category(&day.category)
            .map(|c| plain(&super::category_name(c, lang).text))
            .unwrap_or_else(|| day.category.clone());
        let date = basic_date(day.date);
        let end = basic_date(day.date.checked_add_days(Days::new(1)).unwrap_or(day.date));
        line("BEGIN:VEVENT");
        line(&format!("UID:{date}-{}-{}@machi", day.category, area.id));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;VALUE=DATE:{date}"));
        line(&format!("DTEND;VALUE=DATE:{end}"));
        line(&format!("SUMMARY:{}", escape(&summary)));
        line(&format!("LOCATION:{}", escape(area_name)));
        line("TRANSP:TRANSPARENT");
        if let Some(hour) = remind.filter(|h| *h < 24) {
            let (trigger, msg) = if hour >= 12 {
                (format!("-PT{}H", 24 - hour), Msg::PushGarbageTomorrow)
            } else {
                (format!("PT{hour}H"), Msg::PushGarbageToday)
            };
            line("BEGIN:VALARM");
            line("ACTION:DISPLAY");
            line(&format!("TRIGGER:{trigger}"));
            let text = plain(&fill(raw(lang, msg), &[("categories", &summary)]));
            line(&format!("DESCRIPTION:{}", escape(&text)));
            line("END:VALARM");
        }
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// TEXT escaping of RFC 5545 §3.3.11.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Appends `content` as one logical line: physical lines of at most 75 octets (CRLF not counted),
/// continuation lines starting with a space (RFC 5545 §3.1), never splitting a UTF-8 character.
pub(crate) fn push_folded(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    let _ = out.write_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::garbage::model::{Category, Rule, Schedule};
    use crate::text::LocalizedText;
    use chrono::Weekday;

    fn sample() -> (GarbageArea, GarbageCalendar) {
        let area = GarbageArea {
            id: "a-1".into(),
            name: LocalizedText::ja("北地区"),
            schedules: vec![Schedule {
                category: "burnable".into(),
                rules: vec![Rule::Weekly {
                    weekday: Weekday::Mon,
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let cal = GarbageCalendar {
            categories: vec![Category {
                id: "burnable".into(),
                label: LocalizedText::ja("燃やすごみ, 生ごみ; その他（とても長い説明がここに続いてしまう場合でも折り返されること）"),
                ..Default::default()
            }],
            areas: vec![area.clone()],
            ..Default::default()
        };
        (area, cal)
    }

    #[test]
    fn one_all_day_event_per_collection_with_crlf_and_folding() {
        let (area, cal) = sample();
        let ics = to_ics(
            &area,
            &cal,
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            1,
            Lang::SOURCE,
        );
        // April 2026 has four Mondays: 6, 13, 20, 27.
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 4);
        assert!(ics.contains("DTSTART;VALUE=DATE:20260406\r\nDTEND;VALUE=DATE:20260407\r\n"));
        assert!(ics.contains("UID:20260406-burnable-a-1@machi\r\n"));
        assert!(ics.contains("DTSTAMP:20260401T000000Z\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        // Unfolding restores the escaped summary.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:燃やすごみ\\,"));
    }

    #[test]
    fn a_reminder_comes_the_evening_before_or_on_the_morning() {
        let (area, cal) = sample();
        let from = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let en = Lang::from_code("en").unwrap();
        let ics = to_ics_with_reminder(&area, &cal, from, 1, en, Some(19)).replace("\r\n ", "");
        assert_eq!(ics.matches("BEGIN:VALARM").count(), 4);
        assert!(ics.contains("TRIGGER:-PT5H\r\n"), "{ics}");
        assert!(ics.contains("DESCRIPTION:Tomorrow: "), "{ics}");
        let ics = to_ics_with_reminder(&area, &cal, from, 1, en, Some(6));
        assert!(ics.contains("TRIGGER:PT6H\r\nDESCRIPTION:Today: "), "{ics}");
        assert!(!to_ics(&area, &cal, from, 1, en).contains("VALARM"));
    }

    #[test]
    fn export_is_deterministic() {
        let (area, cal) = sample();
        let from = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(
            to_ics(&area, &cal, from, 12, Lang::from_code("en").unwrap()),
            to_ics(&area, &cal, from, 12, Lang::from_code("en").unwrap())
        );
    }
}
