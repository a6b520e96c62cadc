//! Today: the date, my place, and what my city has for me now.

use crate::components::{
    body_of, card_view, use_my_garbage, CollectionCard, GarbageUnavailable, Icon, IconName,
    MyGarbage, NextCollections, NurseryToday, ProblemView, ReadAloud, TopAlert,
};
use crate::feeds::CityData;
use crate::i18n::{fill, fill_data, long_date, raw, use_lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::routes::{use_redirect, Page};
use crate::settings::Settings;
use chrono::Days;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Today() -> impl IntoView {
    use_page_title(Msg::TodayTitle);
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let redirect = use_redirect();
    let date = move || long_date(lang.get(), city.today());
    let garbage = use_my_garbage();
    let place_text = move || {
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
    // On screen, each name marked with the language it is in.
    let place = move || {
        let feed = city.get()?;
        let l = lang.get();
        let area = settings.area.get().and_then(|a| feed.area(&a).cloned())?;
        Some(fill_data(
            raw(l, Msg::TodayPlace),
            l,
            &[("city", &feed.name), ("area", &area.name)],
        ))
    };
    let speech =
        Signal::derive(move || format!("{}。{}", date(), place_text().unwrap_or_default()));
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
    // Everything under the heading comes at once, when the feeds Today starts with have arrived
    // (or failed): an alert or the collection days arriving later would push what is already on
    // screen down (Lighthouse measured a layout shift of 0.95 for a returning resident). With
    // index.html's early requests they are usually there when the app mounts.
    let arrived = move || {
        city.feed.get().is_some() && city.garbage.get().is_some() && city.alerts.get().is_some()
    };
    view! {
        <Show when=move || settings.has_place() fallback=move || {
            let redirect = redirect.clone();
            Effect::new(move |_| redirect(Page::Welcome));
        }>
            <article class="page today" aria-busy=move || (!arrived()).then_some("true")>
                <h1><T msg=Msg::TodayTitle /></h1>
                <Show when=arrived>
                    <TopAlert />
                    <p class="today-date"><Rubied text=Signal::derive(date) /></p>
                    {move || place().map(|p| view! { <p class="today-place">{p}</p> })}
                    <ReadAloud text=speech />
                    {move || problem().map(|p| view! { <ProblemView problem=p /> })}
                    <section class="today-garbage" aria-labelledby="today-garbage">
                        <h2 id="today-garbage"><T msg=Msg::GarbageTitle /></h2>
                        {move || match garbage.get() {
                            MyGarbage::Ready(mine) => { let today = city.today(); view! {
                                <div class="garbage-days">
                                    <CollectionCard mine=mine.clone() date=today title=Msg::GarbageToday />
                                    <CollectionCard mine=mine.clone() date=today + Days::new(1) title=Msg::GarbageTomorrow />
                                </div>
                                <h3><T msg=Msg::GarbageNext /></h3>
                                <NextCollections mine=mine today=today />
                                <p><A href=Page::Garbage.path()><T msg=Msg::GarbageOpen /></A></p>
                            }.into_any() }
                            other => view! { <GarbageUnavailable state=other /> }.into_any(),
                        }}
                    </section>
                    <NurseryToday />
                    <TodayMeetings />
                    <section aria-labelledby="today-sections">
                        <h2 id="today-sections"><T msg=Msg::TodaySections /></h2>
                        <ul class="cards">
                            {sections.into_iter().map(|(href, icon, title, desc)| view! {
                                <li class="card">
                                    <a href=href>
                                        <Icon name=icon />
                                        <span class="card-title"><T msg=title /></span>
                                    </a>
                                    <p><T msg=desc /></p>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                </Show>
            </article>
        </Show>
    }
}

/// The next meeting of each body the resident follows, and every meeting whose deadline to apply
/// to attend is within three days. Nothing when there is neither.
#[component]
fn TodayMeetings() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    move || {
        let feed = city.meetings.get().flatten()?.ok().flatten()?;
        let l = lang.get();
        let today = city.today();
        let now = chrono::Utc::now().fixed_offset();
        let upcoming: Vec<&machi_data::meetings::Meeting> = feed
            .meetings
            .iter()
            .filter(|m| !m.is_past(now) && m.status.goes_ahead())
            .collect();
        let followed: Vec<machi_data::meetings::Meeting> = settings
            .follows
            .get()
            .iter()
            .filter_map(|body| upcoming.iter().find(|m| m.body == *body))
            .map(|m| (*m).clone())
            .collect();
        let soon = today + Days::new(3);
        let due: Vec<machi_data::meetings::Meeting> = upcoming
            .iter()
            .filter(|m| m.attend.deadline.is_some_and(|d| d >= today && d <= soon))
            .filter(|m| !followed.iter().any(|f| f.id == m.id))
            .map(|m| (*m).clone())
            .collect();
        if followed.is_empty() && due.is_empty() {
            return None;
        }
        let group = |title: Msg, list: Vec<machi_data::meetings::Meeting>| {
            (!list.is_empty()).then(|| {
                let feed = feed.clone();
                view! {
                    <h3><T msg=title /></h3>
                    <ul class="cards">
                        {list.iter().map(|m| {
                            card_view(m, body_of(&feed, &m.body).as_ref(), today, l)
                        }).collect_view()}
                    </ul>
                }
            })
        };
        Some(view! {
            <section class="today-meetings" aria-labelledby="today-meetings">
                <h2 id="today-meetings"><T msg=Msg::MeetingsTitle /></h2>
                {group(Msg::MeetingsFollowed, followed)}
                {group(Msg::MeetingsDeadlinesSoon, due)}
                <p><a href="/meetings"><T msg=Msg::MeetingsOpenPage /></a></p>
            </section>
        })
    }
}
