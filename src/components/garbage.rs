//! Garbage pieces shared by Today and the Garbage page: my area's calendar, category names and
//! marks, the "today / tomorrow" cards and the next day of every category.

use crate::components::ReadAloud;
use crate::feeds::CityData;
use crate::feeds::FeedProblem;
use crate::i18n::{fill, long_date, raw, use_lang, Lang, Msg, Rubied, T};
use crate::settings::Settings;
use chrono::{Days, NaiveDate};
use leptos::prelude::*;
use machi_data::garbage::{category_name, Category, GarbageArea, GarbageCalendar, Rule};
use std::sync::Arc;

/// My area's calendar, once everything it needs has arrived.
#[derive(Clone)]
pub struct Mine {
    pub calendar: Arc<GarbageCalendar>,
    area: usize,
}

impl Mine {
    pub fn area(&self) -> &GarbageArea {
        &self.calendar.areas[self.area]
    }

    /// The categories collected on `date`, in the order the city lists them for the area.
    pub fn on(&self, date: NaiveDate) -> Vec<&Category> {
        self.calendar.collected_on(self.area(), date)
    }

    /// The first collection day of every category of the area from `from` on (a year ahead),
    /// `None` for a category without one (collected by arrangement, or out of season all year).
    pub fn next_days(&self, from: NaiveDate) -> Vec<(&Category, Option<NaiveDate>)> {
        let cal = &self.calendar;
        let to = from + Days::new(366);
        let days = cal.collection_days(self.area(), from, to);
        self.area()
            .schedules
            .iter()
            .filter_map(|s| {
                let category = cal.category(&s.category)?;
                let next = days
                    .iter()
                    .find(|d| d.category == s.category)
                    .map(|d| d.date);
                Some((category, next))
            })
            .collect()
    }

    /// The position of a category in the city's list, for its mark (1, 2, 3 …).
    pub fn number(&self, category: &Category) -> usize {
        self.calendar
            .categories
            .iter()
            .position(|c| c.id == category.id)
            .map_or(0, |i| i + 1)
    }

    /// A note for a schedule that is by arrangement rather than on fixed days (奈良市's `公社`).
    pub fn arrangement(&self, category: &Category) -> Option<&str> {
        self.area()
            .schedules
            .iter()
            .filter(|s| s.category == category.id)
            .flat_map(|s| &s.rules)
            .find_map(|r| match r {
                Rule::ByArrangement { note } => Some(note.as_str()),
                _ => None,
            })
    }
}

/// What the garbage views can show.
#[derive(Clone)]
pub enum MyGarbage {
    Loading,
    Problem(FeedProblem),
    /// The municipality publishes no collection calendar.
    NoSource,
    /// The calendar has no row for the chosen area (or no area is chosen).
    NoArea,
    Ready(Mine),
}

/// The calendar of the resident's area, following the settings and the feeds.
pub fn use_my_garbage() -> Signal<MyGarbage> {
    let city = expect_context::<CityData>();
    let settings = expect_context::<Settings>();
    Signal::derive(move || {
        let calendar = match city.garbage.get() {
            None => return MyGarbage::Loading,
            Some(None) => return MyGarbage::NoArea,
            Some(Some(Err(p))) => return MyGarbage::Problem(p),
            Some(Some(Ok(None))) => return MyGarbage::NoSource,
            Some(Some(Ok(Some(c)))) => c,
        };
        let Some(feed) = city.get() else {
            return MyGarbage::Loading;
        };
        let area = settings.area.with(|a| {
            let found = feed.collection_area(a.as_deref()?, &calendar)?;
            calendar.areas.iter().position(|a| std::ptr::eq(a, found))
        });
        match area {
            Some(area) => MyGarbage::Ready(Mine { calendar, area }),
            None => MyGarbage::NoArea,
        }
    })
}

/// A category's name in the current language (machi-data's `category_name`, as the hub's
/// reminders say it).
pub fn category_text(category: &Category, lang: Lang) -> String {
    category_name(category, lang).text.into_owned()
}

/// A category's name, with the city's original Japanese beside a translation (residents compare
/// it with the sign at the collection point).
#[component]
pub fn CategoryName(#[prop(into)] category: Category) -> impl IntoView {
    let lang = use_lang();
    move || {
        let l = lang.get();
        let shown = category_name(&category, l);
        let shown_lang = shown.lang_attr(l).map(str::to_owned);
        let shown = shown.text.into_owned();
        let original = category
            .label
            .original()
            .filter(|o| *o != shown)
            .map(str::to_owned);
        view! {
            <span class="cat-name" lang=shown_lang><Rubied text=shown /></span>
            {original.map(|o| view! { " " <span class="cat-original" lang="ja">"（"{o}"）"</span> })}
        }
    }
}

/// The category's number in the city's colour: the key of the month calendar. Decorative where
/// the name is next to it; never the only carrier of meaning.
#[component]
pub fn CategoryMark(number: usize, #[prop(into)] colour: Option<String>) -> impl IntoView {
    view! {
        <span class="cat-mark" aria-hidden="true"
            style:--cat=colour.filter(|c| is_colour(c)).unwrap_or_else(|| "var(--border)".into())>
            {number}
        </span>
    }
}

/// A city's colour is used only when it is a plain `#rgb`/`#rrggbb`, never pasted as CSS.
fn is_colour(c: &str) -> bool {
    c.len() <= 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A pictogram for a glossary kind (24×24 path data; simple solid shapes that stay legible at
/// 200% and in high contrast). `None` for a label joining several kinds, or an unknown one: the
/// numbered mark and the name are always there, the picture only helps recognition.
fn kind_icon(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "burnable" | "food-waste" => "M12 2c1 4 6 6 6 12a6 6 0 0 1-12 0c0-3 2-5 3-6 0 2 1 3 2 3 0-4-1-6 1-9z",
        "non-burnable" | "crushable" => "M6 3h12l-2 18H8zm2.2 2 .5 5h6.6l.5-5z",
        "recyclables" | "paper" | "mixed-paper" | "newspapers" | "magazines" | "cardboard"
        | "cartons" => "M5 3h10l4 4v14H5zm2 8v2h10v-2zm0 4v2h10v-2z",
        "bottles" => "M10 2h4v4l2 3v13H8V9l2-3z",
        "cans" => "M7 4h10v2H7zm0 3h10v12a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2z",
        "pet-bottles" => "M10 2h4v2h-4zm0 3h4l2 3v14H8V8z",
        "plastic" => "M8 7V6a4 4 0 0 1 8 0v1h3l1 14H4L5 7zm2 0h4V6a2 2 0 0 0-4 0z",
        "bulky" => "M4 10a2 2 0 0 1 2 2v1h12v-1a2 2 0 1 1 4 0v6h-2v2h-2v-2H6v2H4v-2H2v-6a2 2 0 0 1 2-2zm2-5h12a2 2 0 0 1 2 2v1.2A3 3 0 0 0 17 11H7a3 3 0 0 0-3-2.8V7a2 2 0 0 1 2-2z",
        "hazardous" => "M9 2h6v2h2v18H7V4h2z",
        "prunings" => "M20 3C10 3 4 8 4 15c0 2 1 4 2 5l1-2c2-5 6-8 10-9-4 2-7 5-8 10 8 0 11-7 11-16z",
        "textiles" | "clothes" | "cloth" => "M8 3 3 6l2 5 2-1v11h10V10l2 1 2-5-5-3c0 2-2 3-4 3S8 5 8 3z",
        "small-appliances" => "M8 2h2v5h4V2h2v5h2v5a6 6 0 0 1-5 6v4h-2v-4a6 6 0 0 1-5-6V7h2z",
        _ => return None,
    })
}

/// The category's pictogram, when its kind has one.
#[component]
pub fn CategoryIcon(#[prop(into)] kind: Option<String>) -> impl IntoView {
    kind.as_deref().and_then(kind_icon).map(|d| {
        view! {
            <svg class="icon cat-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d=d fill="currentColor" />
            </svg>
        }
    })
}

/// A list of categories with their marks and names.
#[component]
pub fn CategoryList(mine: Mine, categories: Vec<Category>) -> impl IntoView {
    view! {
        <ul class="cat-list">
            {categories.into_iter().map(|c| view! {
                <li>
                    <CategoryMark number=mine.number(&c) colour=c.colour.clone() />
                    <CategoryIcon kind=c.kind.clone() />
                    <CategoryName category=c />
                </li>
            }).collect_view()}
        </ul>
    }
}

/// "Today" or "Tomorrow": what goes out that day in my area, large, with read-aloud.
#[component]
pub fn CollectionCard(mine: Mine, date: NaiveDate, title: Msg) -> impl IntoView {
    let lang = use_lang();
    let categories: Vec<Category> = mine.on(date).into_iter().cloned().collect();
    let empty = categories.is_empty();
    let names = categories.clone();
    let area = mine.area().name.clone();
    let speech = Signal::derive(move || {
        let l = lang.get();
        let list: Vec<String> = names.iter().map(|c| category_text(c, l)).collect();
        let msg = if list.is_empty() {
            Msg::GarbageSpeakNone
        } else {
            Msg::GarbageSpeakDay
        };
        fill(
            raw(l, msg),
            &[
                ("day", raw(l, title)),
                ("date", &long_date(l, date)),
                ("area", area.get(l.code(), l.data_fallbacks())),
                ("categories", &list.join(raw(l, Msg::ListSeparator))),
            ],
        )
    });
    view! {
        <section class="card garbage-day">
            <h3>
                <span class="garbage-day-name"><T msg=title /></span>
                " "
                <span class="garbage-day-date"><Rubied text=Signal::derive(move || long_date(lang.get(), date)) /></span>
            </h3>
            {if empty {
                view! { <p class="garbage-none"><T msg=Msg::GarbageNoneDay /></p> }.into_any()
            } else {
                view! { <CategoryList mine=mine categories=categories /> }.into_any()
            }}
            <ReadAloud text=speech />
        </section>
    }
}

/// When a category goes out next: the date, "on request" with the city's note, or none this year.
#[component]
pub fn NextDay(next: Option<NaiveDate>, arrangement: Option<String>) -> impl IntoView {
    let lang = use_lang();
    move || match (next, arrangement.clone()) {
        (Some(d), _) => view! { <Rubied text=long_date(lang.get(), d) /> }.into_any(),
        (None, Some(note)) => view! {
            <T msg=Msg::GarbageByArrangement />
            " " <span lang="ja">{note}</span>
        }
        .into_any(),
        (None, None) => view! { <T msg=Msg::GarbageNoNext /> }.into_any(),
    }
}

/// The next collection day of every category of my area.
#[component]
pub fn NextCollections(mine: Mine, today: NaiveDate) -> impl IntoView {
    let rows: Vec<(Category, Option<NaiveDate>, Option<String>)> = mine
        .next_days(today)
        .into_iter()
        .map(|(c, d)| (c.clone(), d, mine.arrangement(c).map(str::to_owned)))
        .collect();
    view! {
        <ul class="next-list">
            {rows.into_iter().map(|(c, next, arrangement)| {
                view! {
                    <li>
                        <span class="next-cat">
                            <CategoryMark number=mine.number(&c) colour=c.colour.clone() />
                            <CategoryName category=c />
                        </span>
                        <span class="next-date"><NextDay next=next arrangement=arrangement /></span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// What to show instead of the garbage views when they cannot be shown.
#[component]
pub fn GarbageUnavailable(state: MyGarbage) -> impl IntoView {
    match state {
        MyGarbage::Loading => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
        MyGarbage::Problem(p) => view! { <crate::components::ProblemView problem=p /> }.into_any(),
        MyGarbage::NoSource => {
            view! { <p class="notice"><T msg=Msg::GarbageNoSource /></p> }.into_any()
        }
        MyGarbage::NoArea | MyGarbage::Ready(_) => view! {
            <p class="notice"><T msg=Msg::GarbageNoArea /></p>
        }
        .into_any(),
    }
}
