//! Today: the date, my place, and what my city has for me now.

use crate::app::CityData;
use crate::components::{Icon, IconName, ProblemView, ReadAloud};
use crate::i18n::{fill, raw, use_lang, Lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::settings::Settings;
use chrono::{Datelike, Local, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

/// The long date in the resident's language ("11月22日（日）", "Sunday, 22 November").
pub fn long_date(lang: Lang, date: NaiveDate) -> String {
    const WEEKDAYS: [Msg; 7] = [
        Msg::Weekday0,
        Msg::Weekday1,
        Msg::Weekday2,
        Msg::Weekday3,
        Msg::Weekday4,
        Msg::Weekday5,
        Msg::Weekday6,
    ];
    const MONTHS: [Msg; 12] = [
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
    let weekday = raw(
        lang,
        WEEKDAYS[date.weekday().num_days_from_sunday() as usize],
    );
    let month_name = raw(lang, MONTHS[date.month0() as usize]);
    // Japanese patterns use the month number; others the month's name.
    let month = if raw(lang, Msg::DateLong).contains("{month}月") {
        date.month().to_string()
    } else {
        month_name.to_owned()
    };
    fill(
        raw(lang, Msg::DateLong),
        &[
            ("weekday", weekday),
            ("day", &date.day().to_string()),
            ("month", &month),
        ],
    )
}

#[component]
pub fn Today() -> impl IntoView {
    use_page_title(Msg::TodayTitle);
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let date = move || long_date(lang.get(), Local::now().date_naive());
    let place = move || {
        let feed = city.get()?;
        let l = lang.get();
        let area = settings.area.get().and_then(|a| feed.area(&a).cloned())?;
        Some(fill(
            raw(l, Msg::TodayPlace),
            &[
                ("city", feed.name.get(l.code(), l.data_fallbacks())),
                ("area", area.name.get(l.code(), l.data_fallbacks())),
            ],
        ))
    };
    let speech = Signal::derive(move || format!("{}。{}", date(), place().unwrap_or_default()));
    let problem = move || city.feed.get().flatten().and_then(Result::err);
    let sections = [
        (
            "/garbage",
            IconName::Garbage,
            Msg::GarbageTitle,
            Msg::GarbageDesc,
        ),
        (
            "/alerts",
            IconName::Alerts,
            Msg::AlertsTitle,
            Msg::AlertsDesc,
        ),
        (
            "/nursery",
            IconName::Nursery,
            Msg::NurseryTitle,
            Msg::NurseryDesc,
        ),
        (
            "/meetings",
            IconName::Meetings,
            Msg::MeetingsTitle,
            Msg::MeetingsDesc,
        ),
    ];
    view! {
        <Show when=move || settings.has_place() fallback=|| view! { <Redirect path="/welcome" /> }>
            <article class="page today">
                <h1><T msg=Msg::TodayTitle /></h1>
                <p class="today-date"><Rubied text=Signal::derive(date) /></p>
                {move || place().map(|p| view! { <p class="today-place">{p}</p> })}
                <ReadAloud text=speech />
                {move || problem().map(|p| view! { <ProblemView problem=p /> })}
                <section aria-labelledby="today-sections">
                    <h2 id="today-sections"><T msg=Msg::TodaySections /></h2>
                    <ul class="cards">
                        {sections.into_iter().map(|(href, icon, title, desc)| view! {
                            <li class="card">
                                <A href=href>
                                    <Icon name=icon />
                                    <span class="card-title"><T msg=title /></span>
                                </A>
                                <p><T msg=desc /></p>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            </article>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_residents_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(
            long_date(Lang::from_code("ja").unwrap(), d),
            "11月22日（日）"
        );
        assert_eq!(
            long_date(Lang::from_code("en").unwrap(), d),
            "Sunday, 22 November"
        );
        assert_eq!(
            long_date(Lang::from_code("ja-x-easy").unwrap(), d),
            "11[月|がつ]22[日|にち]（[日|にち]）"
        );
    }
}
