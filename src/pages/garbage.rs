//! The Garbage page: my area (and changing it), today and tomorrow, the month calendar, every
//! category with its next day, description and remarks, the item search ("which bin does a
//! battery go in?"), the .ics export and the calendar subscription (for residents who never install
//! the app: every phone's calendar can subscribe to a URL, with a reminder).

use crate::components::use_my_garbage;
use crate::components::{
    AreaPicker, CategoryIcon, CategoryList, CategoryMark, CategoryName, CollectionCard,
    GarbageUnavailable, Icon, IconName, Mine, MyGarbage, NextDay, SourceNote, Subscribe,
};
use crate::feeds::CityData;
use crate::i18n::{fill, month_title, raw, tr, use_lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::settings::Settings;
use crate::speech;
use chrono::{Datelike, Days, Months, NaiveDate};
use leptos::prelude::*;
use machi_data::feed::SourceKind;
use machi_data::garbage::{search_items, Category};

#[component]
pub fn Garbage() -> impl IntoView {
    use_page_title(Msg::GarbageTitle);
    let mine = use_my_garbage();
    let city = expect_context::<CityData>();
    view! {
        <article class="page garbage">
            <h1><T msg=Msg::GarbageTitle /></h1>
            // Today's and tomorrow's collection first (the first screen at 200% text); the area
            // they are for is in the header, and changing it comes right after them.
            {move || match mine.get() {
                MyGarbage::Ready(mine) => { let today = city.today(); view! {
                    <h2 class="sr-only"><T msg=Msg::GarbageDays /></h2>
                    <div class="garbage-days">
                        <CollectionCard mine=mine.clone() date=today title=Msg::GarbageToday />
                        <CollectionCard mine=mine.clone() date=today + Days::new(1) title=Msg::GarbageTomorrow />
                    </div>
                    <AreaChoice />
                    <MonthCalendar mine=mine.clone() today=today />
                    <Categories mine=mine.clone() today=today />
                    <ItemSearch mine=mine.clone() />
                    <Export mine=mine today=today />
                    <SubscribeDays />
                }.into_any() }
                other => view! { <AreaChoice /> <GarbageUnavailable state=other /> }.into_any(),
            }}
            <SourceNote kinds=&[SourceKind::Garbage5374, SourceKind::GarbageIcal, SourceKind::AreaReadings] />
        </article>
    }
}

/// "Your area: 北地区", and a disclosure to change it without leaving the page.
#[component]
fn AreaChoice() -> impl IntoView {
    let city = expect_context::<CityData>();
    let settings = expect_context::<Settings>();
    let lang = use_lang();
    let name = move || {
        let l = lang.get();
        let feed = city.get()?;
        let area = feed.area(settings.area.get()?.as_str())?;
        Some(crate::i18n::data_text(&area.name, l))
    };
    view! {
        <details class="area-choice">
            <summary>
                <span class="area-choice-label"><T msg=Msg::GarbageYourArea /></span>
                " " <strong>{name}</strong>
                " " <span class="area-choice-change"><T msg=Msg::GarbageChangeArea /></span>
            </summary>
            {move || city.get().map(|feed| view! {
                <AreaPicker areas=feed.areas chosen=settings.area legend=Msg::WelcomeArea />
            })}
        </details>
    }
}

/// A month as a table: a row per week, a column per weekday (headers with the full names), and
/// in each day the marks and, for screen readers, the names of what goes out.
#[component]
fn MonthCalendar(mine: Mine, today: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    let first_of_this_month = today.with_day(1).unwrap_or(today);
    let offset = RwSignal::new(0u32);
    let back = RwSignal::new(false);
    let month = move || {
        let n = Months::new(offset.get());
        if back.get() {
            first_of_this_month.checked_sub_months(n)
        } else {
            first_of_this_month.checked_add_months(n)
        }
        .unwrap_or(first_of_this_month)
    };
    let step = move |forward: bool| {
        let o = offset.get_untracked();
        let b = back.get_untracked();
        if o == 0 {
            back.set(!forward);
            offset.set(1);
        } else if b == forward {
            offset.set(o - 1);
        } else {
            offset.set(o + 1);
        }
    };
    let legend_mine = mine.clone();
    let table = move || {
        let first = month();
        let l = lang.get();
        let last = first
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first);
        let days = mine.calendar.collection_days(mine.area(), first, last);
        let lead = first.weekday().num_days_from_sunday() as u64;
        let start = first - Days::new(lead);
        let weeks = (lead + last.day() as u64).div_ceil(7);
        let rows = (0..weeks)
            .map(|w| {
                let cells = (0..7)
                    .map(|d| {
                        let date = start + Days::new(w * 7 + d);
                        if date.month() != first.month() {
                            return view! { <td class="outside"></td> }.into_any();
                        }
                        let here: Vec<&Category> = days
                            .iter()
                            .filter(|c| c.date == date)
                            .filter_map(|c| mine.calendar.category(&c.category))
                            .collect();
                        let marks = here.iter().map(|c| {
                    let name = crate::components::category_text(c, l);
                    view! {
                        <li>
                            <CategoryMark number=mine.number(c) colour=c.colour.clone() />
                            <span class="sr-only">{crate::i18n::plain(&name)}</span>
                        </li>
                    }
                }).collect_view();
                        view! {
                    <td aria-current=(date == today).then_some("date")>
                        <span class="day-number">{date.day()}</span>
                        {(!here.is_empty()).then(|| view! { <ul class="day-marks">{marks}</ul> })}
                    </td>
                }
                .into_any()
                    })
                    .collect_view();
                view! { <tr>{cells}</tr> }
            })
            .collect_view();
        view! {
            <table class="month">
                <caption><Rubied text=month_title(l, first) /></caption>
                <thead>
                    <tr>
                        {crate::intl::weekdays(l).into_iter().map(|(short, full)| view! {
                            <th scope="col" abbr=full>{short}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    };
    view! {
        <section class="calendar" aria-labelledby="garbage-calendar">
            <h2 id="garbage-calendar"><T msg=Msg::GarbageCalendar /></h2>
            <div class="month-nav">
                <button type="button" class="button" on:click=move |_| step(false)>
                    "‹ " <T msg=Msg::GarbagePrevMonth />
                </button>
                <button type="button" class="button" on:click=move |_| step(true)>
                    <T msg=Msg::GarbageNextMonth /> " ›"
                </button>
            </div>
            <div aria-live="polite">{table}</div>
            <h3><T msg=Msg::GarbageLegend /></h3>
            <CategoryList mine=legend_mine.clone() categories=legend_mine.calendar.categories.clone() />
        </section>
    }
}

/// Every category of my area: its next day, what goes in it, and the city's remarks.
#[component]
fn Categories(mine: Mine, today: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    let rows: Vec<(Category, Option<NaiveDate>, Vec<String>)> = mine
        .next_days(today)
        .into_iter()
        .map(|(c, next)| {
            let remarks = mine
                .area()
                .schedules
                .iter()
                .filter(|s| s.category == c.id)
                .flat_map(|s| &s.footnotes)
                .filter_map(|id| mine.calendar.remark(*id))
                .map(|r| r.text.get("ja", &[]).to_owned())
                .collect();
            (c.clone(), next, remarks)
        })
        .collect();
    view! {
        <section aria-labelledby="garbage-categories">
            <h2 id="garbage-categories"><T msg=Msg::GarbageCategories /></h2>
            <ul class="cards">
                {rows.into_iter().map(|(c, next, remarks)| {
                    let sub = c.sub_label.get("ja", &[]).to_owned();
                    let text = c.description.clone();
                    let description = move || {
                        let l = lang.get();
                        let d = text.in_lang(l);
                        let d_lang = d.lang_attr(l).map(str::to_owned);
                        let d = d.text.into_owned();
                        (!d.is_empty()).then(|| view! { <p lang=d_lang>{d}</p> })
                    };
                    let arrangement = mine.arrangement(&c).map(str::to_owned);
                    view! {
                        <li class="card category">
                            <h3>
                                <CategoryMark number=mine.number(&c) colour=c.colour.clone() />
                                <CategoryIcon kind=c.kind.clone() />
                                <CategoryName category=c.clone() />
                            </h3>
                            {(!sub.is_empty()).then(|| view! { <p class="hint" lang="ja">{sub}</p> })}
                            <p class="next">
                                <T msg=Msg::GarbageNext /> ": "
                                <strong><NextDay next=next arrangement=arrangement /></strong>
                            </p>
                            {description}
                            {remarks.into_iter().map(|r| view! { <p class="remark" lang="ja">"※ "{r}</p> }).collect_view()}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// "Which bin does this go in?": the city's item dictionary, searched as the resident types
/// (kana, width and case folded; common English words and readings through the glossary), or
/// spoken where the browser offers speech recognition.
#[component]
fn ItemSearch(mine: Mine) -> impl IntoView {
    const SHOWN: usize = 30;
    let lang = use_lang();
    let query = RwSignal::new(String::new());
    let listening = RwSignal::new(false);
    let cal = mine.calendar.clone();
    let results = move || {
        let q = query.get();
        let hits: Vec<_> = search_items(&cal, &q).into_iter().cloned().collect();
        (q, hits)
    };
    let listen = move |_| {
        listening.set(true);
        speech::listen(
            lang.get_untracked().catalogue().speech,
            move |heard| query.set(heard),
            move || listening.set(false),
        );
    };
    view! {
        <section class="item-search" aria-labelledby="garbage-search">
            <h2 id="garbage-search"><T msg=Msg::GarbageSearchTitle /></h2>
            <div class="search-row">
                <label class="field">
                    <span><T msg=Msg::GarbageSearchLabel /></span>
                    <input type="search" autocomplete="off" placeholder=tr(Msg::GarbageSearchExample)
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev)) />
                </label>
                <Show when=speech::can_listen>
                    <button type="button" class="button voice" on:click=listen
                        aria-pressed=move || listening.get().to_string()>
                        <Icon name=IconName::Microphone />
                        <span>{move || if listening.get() { tr(Msg::GarbageListening)() } else { tr(Msg::GarbageVoice)() }}</span>
                    </button>
                </Show>
            </div>
            {move || {
                let (q, hits) = results();
                if q.trim().is_empty() {
                    return ().into_any();
                }
                let l = lang.get();
                let count = crate::i18n::count(l, Msg::GarbageSearchCount, hits.len() as i64);
                let mine = mine.clone();
                view! {
                    <p role="status" class="search-count">
                        {if hits.is_empty() { raw(l, Msg::GarbageSearchNone).to_owned() } else { count }}
                    </p>
                    <ul class="items">
                        {hits.into_iter().take(SHOWN).map(|item| {
                            let category = item.category.as_deref().and_then(|id| mine.calendar.category(id)).cloned();
                            view! {
                                <li class="item">
                                    <span class="item-name" lang="ja">{item.name.clone()}</span>
                                    <span class="item-category">
                                        {match category {
                                            Some(c) => view! {
                                                <CategoryMark number=mine.number(&c) colour=c.colour.clone() />
                                                <CategoryName category=c />
                                            }.into_any(),
                                            None => view! { <span lang="ja">{item.category_label.clone()}</span> }.into_any(),
                                        }}
                                    </span>
                                    {item.notice.clone().map(|n| view! { <span class="item-notice" lang="ja">{n}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The next 12 months of my area's collection days as an .ics file, for any calendar app.
#[component]
fn Export(mine: Mine, today: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    let download = move |_| {
        let ics = machi_data::garbage::to_ics(
            mine.area(),
            &mine.calendar,
            today,
            12,
            lang.get_untracked(),
        );
        crate::pwa::save_file("machi-garbage.ics", "text/calendar", &ics);
    };
    view! {
        <section aria-labelledby="garbage-export">
            <h2 id="garbage-export"><T msg=Msg::GarbageExportTitle /></h2>
            <p><T msg=Msg::GarbageExportHint /></p>
            <button type="button" class="button" on:click=download>
                <Icon name=IconName::Today /> <T msg=Msg::GarbageExport />
            </button>
        </section>
    }
}

/// Reminder times offered for the subscribed calendar: the evening before (as for push
/// reminders), or 6:00 on the day.
const REMIND_HOURS: [u8; 7] = [17, 18, 19, 20, 21, 22, 6];

/// My area's collection days as a calendar to subscribe to (updated by the hub when the city's
/// calendar changes, 年末年始 included), with an optional reminder.
#[component]
fn SubscribeDays() -> impl IntoView {
    let city = expect_context::<CityData>();
    let settings = expect_context::<Settings>();
    let lang = use_lang();
    let remind = RwSignal::new(None::<u8>);
    let path = Signal::derive(move || {
        let (Some(feed), Some(area)) = (city.get(), settings.area.get()) else {
            return String::new();
        };
        let path = machi_data::feed::FeedPath::GarbageCalendar {
            city: feed.id,
            area,
            lang: lang.get().code().to_owned(),
        }
        .path();
        match remind.get() {
            Some(h) => format!("{path}?remind={h}"),
            None => path,
        }
    });
    let label = Signal::derive(move || raw(lang.get(), Msg::GarbageSubscribe).to_owned());
    view! {
        <section aria-labelledby="garbage-subscribe">
            <h2 id="garbage-subscribe"><T msg=Msg::GarbageSubscribeTitle /></h2>
            <label class="field">
                <span><T msg=Msg::GarbageSubscribeRemind /></span>
                <select name="garbage-remind" on:change=move |ev| remind.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=true>{tr(Msg::GarbageRemindNone)}</option>
                    {REMIND_HOURS.into_iter().map(|h| {
                        let msg = if h >= 12 { Msg::GarbageRemindEvening } else { Msg::GarbageRemindMorning };
                        view! {
                            <option value=h.to_string()>
                                {move || fill(&tr(msg)(), &[("hour", &h.to_string())])}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <Subscribe path=path label=label hint=Msg::GarbageSubscribeHint />
        </section>
    }
}
