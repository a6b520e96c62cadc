//! Dates, times, numbers and plural forms in the resident's language, from the browser's `Intl`
//! (locale: the language's `html_lang`), so every language writes them its own way without a
//! table of month names in the wasm. A language whose file says `dates = "catalogue"`
//! (やさしい日本語, whose dates carry furigana), or one the browser's `Intl` does not know,
//! uses the catalogue's own patterns instead.
//!
//! Calendar dates are formatted as noon UTC in the UTC zone, so the date shown is the date meant
//! whatever the device's zone. Native builds (the app's unit tests) have no `Intl`: they use the
//! catalogue's patterns and English-like plural rules.

use crate::i18n::{Lang, WEEKDAYS, WEEKDAYS_SHORT};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `new Intl.<class>(locale, options)`, when the browser knows the locale's language (a
/// formatter resolved to another language would write the wrong one).
fn formatter(class: &str, lang: Lang, options: &[(&str, JsValue)]) -> Option<JsValue> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let locale = lang.catalogue().html_lang;
    let opts = Object::new();
    for (k, v) in options {
        let _ = Reflect::set(&opts, &JsValue::from_str(k), v);
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let class = Reflect::get(&intl, &class.into()).ok()?;
    let args = Array::of2(&locale.into(), &opts);
    let made = Reflect::construct(class.unchecked_ref::<js_sys::Function>(), &args).ok()?;
    let resolved = Reflect::get(&made, &"resolvedOptions".into())
        .ok()?
        .unchecked_into::<js_sys::Function>()
        .call0(&made)
        .ok()?;
    let resolved = Reflect::get(&resolved, &"locale".into())
        .ok()?
        .as_string()?;
    let primary = |tag: &str| tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    (primary(&resolved) == primary(locale)).then_some(made)
}

/// Calls `formatter.<method>(arg)` and returns the string.
fn call(formatter: &JsValue, method: &str, arg: &JsValue) -> Option<String> {
    Reflect::get(formatter, &method.into())
        .ok()?
        .unchecked_into::<js_sys::Function>()
        .call1(formatter, arg)
        .ok()?
        .as_string()
}

fn text(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// A calendar date as a JS `Date` at noon UTC.
fn js_date(date: NaiveDate) -> Date {
    Date::new(&JsValue::from_f64(
        Date::utc(date.year() as f64, date.month0() as f64)
            + (date.day() as f64 - 1.0) * 86_400_000.0
            + 12.0 * 3_600_000.0,
    ))
}

/// Formats a calendar date with `options` (in the UTC zone), or `None` to use the catalogue.
fn date_with(lang: Lang, date: NaiveDate, options: &[(&str, JsValue)]) -> Option<String> {
    if lang.catalogue().catalogue_dates {
        return None;
    }
    let mut options = options.to_vec();
    options.push(("timeZone", text("UTC")));
    let f = formatter("DateTimeFormat", lang, &options)?;
    call(&f, "format", &js_date(date))
}

/// The long date: weekday, day and month ("Sunday, November 22", "11月22日日曜日").
pub fn long_date(lang: Lang, date: NaiveDate) -> String {
    date_with(
        lang,
        date,
        &[
            ("weekday", text("long")),
            ("month", text("long")),
            ("day", text("numeric")),
        ],
    )
    .unwrap_or_else(|| machi_i18n::long_date(lang, date))
}

/// A month as a calendar's title ("November 2026", "2026年11月").
pub fn month_title(lang: Lang, date: NaiveDate) -> String {
    date_with(
        lang,
        date,
        &[("year", text("numeric")), ("month", text("long"))],
    )
    .unwrap_or_else(|| machi_i18n::month_title(lang, date))
}

/// The weekdays' (short, full) names, Sunday first, for a calendar's column headers.
pub fn weekdays(lang: Lang) -> Vec<(String, String)> {
    // 2026-11-22 is a Sunday.
    let sunday = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    (0..7u64)
        .map(|i| {
            let day = sunday + chrono::Days::new(i);
            let short = date_with(lang, day, &[("weekday", text("short"))]).unwrap_or_else(|| {
                crate::i18n::plain(crate::i18n::raw(lang, WEEKDAYS_SHORT[i as usize]))
            });
            let full = date_with(lang, day, &[("weekday", text("long"))]).unwrap_or_else(|| {
                crate::i18n::plain(crate::i18n::raw(lang, WEEKDAYS[i as usize]))
            });
            (short, full)
        })
        .collect()
}

/// A moment as the wall clock of its own offset shows it (an alert's time, in JST for JMA): the
/// long date and the time.
pub fn date_time_at(lang: Lang, t: DateTime<FixedOffset>) -> String {
    let local = t.naive_local();
    let formatted = (!lang.catalogue().catalogue_dates)
        .then(|| {
            let f = formatter(
                "DateTimeFormat",
                lang,
                &[
                    ("weekday", text("short")),
                    ("month", text("long")),
                    ("day", text("numeric")),
                    ("hour", text("numeric")),
                    ("minute", text("2-digit")),
                    ("timeZone", text("UTC")),
                ],
            )?;
            // The wall-clock time, written as if it were UTC, in the UTC zone: no zone database.
            let ms = local.and_utc().timestamp_millis() as f64;
            call(&f, "format", &Date::new(&JsValue::from_f64(ms)))
        })
        .flatten();
    formatted.unwrap_or_else(|| {
        format!(
            "{} {:02}:{:02}",
            machi_i18n::long_date(lang, local.date()),
            local.hour(),
            local.minute()
        )
    })
}

/// A moment in the device's own time zone, short (when data was fetched).
pub fn local_time(lang: Lang, t: DateTime<Utc>) -> String {
    let formatted = formatter(
        "DateTimeFormat",
        lang,
        &[
            ("month", text("numeric")),
            ("day", text("numeric")),
            ("hour", text("numeric")),
            ("minute", text("2-digit")),
        ],
    )
    .filter(|_| !lang.catalogue().catalogue_dates)
    .and_then(|f| {
        call(
            &f,
            "format",
            &Date::new(&JsValue::from_f64(t.timestamp_millis() as f64)),
        )
    });
    formatted.unwrap_or_else(|| {
        let l = t.with_timezone(&chrono::Local);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year(),
            l.month(),
            l.day(),
            l.hour(),
            l.minute()
        )
    })
}

/// The CLDR plural category of `n` in `lang` (`one`, `few`, `other` …).
pub fn plural_category(lang: Lang, n: i64) -> String {
    formatter("PluralRules", lang, &[])
        .and_then(|f| call(&f, "select", &JsValue::from_f64(n as f64)))
        .unwrap_or_else(|| if n == 1 { "one" } else { "other" }.to_owned())
}

/// A share in whole percent (`100` → "100%"), written as `lang` writes percentages.
pub fn percent(lang: Lang, percent: u32) -> String {
    formatter("NumberFormat", lang, &[("style", text("percent"))])
        .and_then(|f| call(&f, "format", &JsValue::from_f64(f64::from(percent) / 100.0)))
        .unwrap_or_else(|| format!("{percent}%"))
}

/// `n` written with the digits and separators of `lang`.
pub fn number(lang: Lang, n: i64) -> String {
    formatter("NumberFormat", lang, &[])
        .and_then(|f| call(&f, "format", &JsValue::from_f64(n as f64)))
        .unwrap_or_else(|| n.to_string())
}
