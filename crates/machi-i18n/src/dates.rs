//! Dates in the resident's language: weekday and month names and the date patterns come from the
//! catalogue (`date_long`, `month_title`), so a new language brings its own way of writing them.

use crate::{fill, raw, Lang, Msg};
use chrono::{Datelike, NaiveDate};

/// The weekdays' names, Sunday first (the order of Japanese calendars).
pub const WEEKDAYS: [Msg; 7] = [
    Msg::Weekday0,
    Msg::Weekday1,
    Msg::Weekday2,
    Msg::Weekday3,
    Msg::Weekday4,
    Msg::Weekday5,
    Msg::Weekday6,
];

/// The weekdays' short names for calendar headers, Sunday first.
pub const WEEKDAYS_SHORT: [Msg; 7] = [
    Msg::WeekdayShort0,
    Msg::WeekdayShort1,
    Msg::WeekdayShort2,
    Msg::WeekdayShort3,
    Msg::WeekdayShort4,
    Msg::WeekdayShort5,
    Msg::WeekdayShort6,
];

/// The months' names, January first.
pub const MONTHS: [Msg; 12] = [
    Msg::Month1,
    Msg::Month2,
    Msg::Month3,
    Msg::Month4,
    Msg::Month5,
    Msg::Month6,
    Msg::Month7,
    Msg::Month8,
    Msg::Month9,
    Msg::Month10,
    Msg::Month11,
    Msg::Month12,
];

/// Fills a date pattern: Japanese patterns use the month's number (`{month}月`), others its name.
fn date_text(lang: Lang, pattern: Msg, date: NaiveDate) -> String {
    let template = raw(lang, pattern);
    let month = if template.contains("{month}月") {
        date.month().to_string()
    } else {
        raw(lang, MONTHS[date.month0() as usize]).to_owned()
    };
    let weekday = raw(
        lang,
        WEEKDAYS[date.weekday().num_days_from_sunday() as usize],
    );
    fill(
        template,
        &[
            ("weekday", weekday),
            ("day", &date.day().to_string()),
            ("month", &month),
            ("year", &date.year().to_string()),
        ],
    )
}

/// The long date in the resident's language ("11月22日（日）", "Sunday, 22 November").
pub fn long_date(lang: Lang, date: NaiveDate) -> String {
    date_text(lang, Msg::DateLong, date)
}

/// A month as a calendar's title ("2026年12月", "December 2026").
pub fn month_title(lang: Lang, date: NaiveDate) -> String {
    date_text(lang, Msg::MonthTitle, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_residents_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let lang = |c| Lang::from_code(c).unwrap();
        assert_eq!(long_date(lang("ja"), d), "11月22日（日）");
        assert_eq!(long_date(lang("en"), d), "Sunday, 22 November");
        assert_eq!(
            long_date(lang("ja-x-easy"), d),
            "11[月|がつ]22[日|にち]（[日|にち]）"
        );
        assert_eq!(month_title(lang("en"), d), "November 2026");
    }
}
