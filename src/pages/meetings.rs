//! The Meetings pages: upcoming meetings grouped by day (the next 60 days, then later), past ones
//! with their minutes, notices from the city's news, the calendar subscription — and one
//! meeting's page (`/meetings/{id}`): everything about it, its agenda, how to attend, read
//! aloud, add to calendar, follow its body.

use crate::components::{
    attend_view, body_line, body_of, calendar_path, card_view, meeting_lang, place_view, said,
    status_badge, when_view, FollowButton, ProblemView, ReadAloud, SourceNote, Subscribe,
};
use crate::feeds::CityData;
use crate::i18n::{fill, long_date, raw, use_lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::routes::Page;
use chrono::{Days, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use machi_data::feed::{MeetingsOf, SourceKind};
use machi_data::meetings::names::{kind_msg, openness_msg, when_text};
use machi_data::meetings::Meeting;
use machi_data::MeetingsFeed;
use std::sync::Arc;

const SOURCES: &[SourceKind] = &[
    SourceKind::MeetingsCsv,
    SourceKind::MeetingsIcal,
    SourceKind::MeetingsEvents,
    SourceKind::MeetingsNews,
];

/// Upcoming meetings within this many days are grouped by day; the rest are "later".
const NEAR_DAYS: u64 = 60;

/// The city's meetings feed as a page needs it, or what to show instead.
fn with_feed(
    view_feed: impl Fn(Arc<MeetingsFeed>) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let city = expect_context::<CityData>();
    move || match city.meetings.get() {
        None | Some(None) => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
        Some(Some(Err(p))) => view! { <ProblemView problem=p /> }.into_any(),
        Some(Some(Ok(None))) => {
            view! { <p class="notice"><T msg=Msg::MeetingsNoSource /></p> }.into_any()
        }
        Some(Some(Ok(Some(feed)))) => view_feed(feed),
    }
}

#[component]
pub fn Meetings(past: bool) -> impl IntoView {
    use_page_title(Msg::MeetingsTitle);
    let tab = |href: &'static str, msg: Msg, current: bool| {
        view! { <a href=href class="tab" aria-current=current.then_some("page")><T msg=msg /></a> }
    };
    view! {
        <article class="page meetings">
            <h1><T msg=Msg::MeetingsTitle /></h1>
            <nav class="tabs" aria-label=crate::i18n::tr(Msg::MeetingsTabs)>
                {tab(Page::Meetings.path(), Msg::MeetingsUpcoming, !past)}
                {tab(Page::MeetingsPast.path(), Msg::MeetingsPast, past)}
            </nav>
            {with_feed(move |feed| if past {
                view! { <PastMeetings feed=feed /> }.into_any()
            } else {
                view! { <Upcoming feed=feed /> }.into_any()
            })}
            <SourceNote kinds=SOURCES />
        </article>
    }
}

/// Meetings by day, each day a heading; built whole for the current language.
#[component]
fn Days(meetings: Vec<Meeting>, feed: Arc<MeetingsFeed>, today: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    move || {
        let l = lang.get();
        let mut days: Vec<(NaiveDate, Vec<&Meeting>)> = Vec::new();
        for m in &meetings {
            match days.last_mut() {
                Some((d, list)) if *d == m.date() => list.push(m),
                _ => days.push((m.date(), vec![m])),
            }
        }
        days.into_iter()
            .map(|(date, list)| {
                view! {
                    <h3 class="meeting-day"><Rubied text=long_date(l, date) /></h3>
                    <ul class="cards">
                        {list.into_iter().map(|m| card_view(m, body_of(&feed, &m.body).as_ref(), today, l)).collect_view()}
                    </ul>
                }
            })
            .collect_view()
    }
}

#[component]
fn Upcoming(feed: Arc<MeetingsFeed>) -> impl IntoView {
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let today = city.today();
    let now = Utc::now().fixed_offset();
    let horizon = today + Days::new(NEAR_DAYS);
    let (near, later): (Vec<Meeting>, Vec<Meeting>) = feed
        .meetings
        .iter()
        .filter(|m| !m.is_past(now))
        .cloned()
        .partition(|m| m.date() < horizon);
    let none = near.is_empty() && later.is_empty();
    let city_id = city.get().map(|c| c.id).unwrap_or_default();
    let all_path = Signal::derive(move || calendar_path(&city_id, MeetingsOf::City, lang.get()));
    let all_label = Signal::derive(move || raw(lang.get(), Msg::MeetingsSubscribeAll).to_owned());
    let notices = feed.notices.clone();
    view! {
        {feed.demo_time_shift_secs.map(|_| view! { <p class="notice"><T msg=Msg::MeetingsDemo /></p> })}
        {none.then(|| view! { <p class="notice"><T msg=Msg::MeetingsNoneUpcoming /></p> })}
        {(!near.is_empty()).then(|| view! {
            <section aria-labelledby="meetings-near">
                <h2 id="meetings-near"><T msg=Msg::MeetingsNextDays /></h2>
                <Days meetings=near feed=feed.clone() today=today />
            </section>
        })}
        {(!later.is_empty()).then(|| view! {
            <section aria-labelledby="meetings-later">
                <h2 id="meetings-later"><T msg=Msg::MeetingsLater /></h2>
                <Days meetings=later feed=feed.clone() today=today />
            </section>
        })}
        {(!notices.is_empty()).then(|| view! {
            <section aria-labelledby="meetings-notices">
                <h2 id="meetings-notices"><T msg=Msg::MeetingsNotices /></h2>
                <ul class="notices">
                    {notices.into_iter().map(|n| view! {
                        <li>
                            <a href=n.url target="_blank" rel="noopener" lang="ja">{n.title}</a>
                            <span class="notice-date">
                                {move || match n.date {
                                    Some(d) => view! { <Rubied text=long_date(lang.get(), d) /> }.into_any(),
                                    None => view! { <T msg=Msg::MeetingsNoticeNoDate /> }.into_any(),
                                }}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section aria-labelledby="meetings-subscribe">
            <h2 id="meetings-subscribe"><T msg=Msg::MeetingsSubscribe /></h2>
            <Subscribe path=all_path label=all_label hint=Msg::MeetingsSubscribeHint />
        </section>
    }
}

#[component]
fn PastMeetings(feed: Arc<MeetingsFeed>) -> impl IntoView {
    let city = expect_context::<CityData>();
    let now = Utc::now().fixed_offset();
    let mut past: Vec<Meeting> = feed
        .meetings
        .iter()
        .filter(|m| m.is_past(now))
        .cloned()
        .collect();
    past.reverse();
    let today = city.today();
    if past.is_empty() {
        return view! { <p class="notice"><T msg=Msg::MeetingsNonePast /></p> }.into_any();
    }
    view! {
        <section aria-labelledby="meetings-past">
            <h2 id="meetings-past" class="sr-only"><T msg=Msg::MeetingsPast /></h2>
            <Days meetings=past feed=feed today=today />
        </section>
    }
    .into_any()
}

/// One meeting's page.
#[component]
pub fn MeetingPage() -> impl IntoView {
    use_page_title(Msg::MeetingsTitle);
    let params = use_params_map();
    view! {
        <article class="page meeting-page">
            {with_feed(move |feed| {
                let id = params.with(|p| p.get("id"));
                match feed.meetings.iter().find(|m| Some(&m.id) == id.as_ref()).cloned() {
                    Some(m) => view! { <MeetingDetail meeting=m feed=feed /> }.into_any(),
                    None => view! {
                        <h1><T msg=Msg::MeetingsTitle /></h1>
                        <p class="notice"><T msg=Msg::MeetingsNotFound /></p>
                    }
                    .into_any(),
                }
            })}
            <p><A href=Page::Meetings.path()><T msg=Msg::MeetingsBack /></A></p>
            <SourceNote kinds=SOURCES />
        </article>
    }
}

#[component]
fn MeetingDetail(meeting: Meeting, feed: Arc<MeetingsFeed>) -> impl IntoView {
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let today = city.today();
    let body = body_of(&feed, &meeting.body);
    let city_id = city.get().map(|c| c.id).unwrap_or_default();
    let past = meeting.is_past(Utc::now().fixed_offset());
    // The essentials, read aloud: body, title, status, when, where, how to attend.
    let speech = {
        let (m, body) = (meeting.clone(), body.clone());
        Signal::derive(move || {
            let l = lang.get();
            let mut parts = Vec::new();
            if let Some(b) = &body {
                parts.push(format!("{} {}", raw(l, kind_msg(b.kind)), b.name));
            }
            parts.push(m.title.clone());
            if let Some(msg) = machi_data::meetings::names::status_msg(m.status) {
                parts.push(raw(l, msg).to_owned());
            }
            parts.push(when_text(l, &m, long_date));
            parts.extend(m.place.clone());
            parts.push(raw(l, openness_msg(m.attend.open)).to_owned());
            parts.extend(crate::components::deadline_text(l, &m.attend, today));
            parts.join("。")
        })
    };
    let m = meeting.clone();
    let (b, city) = (body.clone(), city_id.clone());
    let details = move || {
        let l = lang.get();
        let m = &m;
        let links: Vec<(Msg, String)> = [
            (Msg::MeetingsMaterials, &m.materials),
            (Msg::MeetingsMinutes, &m.minutes),
            (Msg::MeetingsSourcePage, &m.url),
        ]
        .into_iter()
        .filter_map(|(msg, l)| Some((msg, l.clone()?)))
        .collect();
        let own = meeting_lang(m);
        view! {
            <p class="meeting-body">{status_badge(m.status, l)} {b.as_ref().map(|b| body_line(b, l))}</p>
            <h1 lang=own.clone()>{m.title.clone()}</h1>
            {when_view(m, l, "meeting-when meeting-when-large")}
            {place_view(m, l)}
            {(!past).then(|| view! {
                <section aria-labelledby="meeting-attend">
                    <h2 id="meeting-attend">{said(l, Msg::MeetingsAttend)}</h2>
                    {attend_view(m, today, l)}
                </section>
            })}
            {(!m.agenda.is_empty()).then(|| view! {
                <section aria-labelledby="meeting-agenda">
                    <h2 id="meeting-agenda">{said(l, Msg::MeetingsAgenda)}</h2>
                    <ol class="agenda" lang=own.clone()>
                        {m.agenda.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}
                    </ol>
                </section>
            })}
            {m.note.clone().map(|n| view! { <p class="meeting-note" lang=own.clone()>{n}</p> })}
            {(!links.is_empty()).then(|| view! {
                <ul class="meeting-links">
                    {links.into_iter().map(|(msg, href)| view! {
                        <li><a href=href target="_blank" rel="noopener">{said(l, msg)}</a></li>
                    }).collect_view()}
                </ul>
            })}
            <p>
                <a class="button" href=crate::feeds::feed_address(&calendar_path(&city, MeetingsOf::Meeting(m.id.clone()), l))
                    download=format!("{}.ics", m.id)>
                    {said(l, Msg::MeetingsAddCalendar)}
                </a>
            </p>
        }
    };
    let follow = body.map(|b| {
        let path = {
            let (city, id) = (city_id.clone(), b.id.clone());
            Signal::derive(move || calendar_path(&city, MeetingsOf::Body(id.clone()), lang.get()))
        };
        let label = {
            let b = b.clone();
            Signal::derive(move || {
                let l = lang.get();
                fill(
                    raw(l, Msg::MeetingsSubscribeBody),
                    &[("body", &crate::components::body_name(&b, l).0)],
                )
            })
        };
        let heading = b.clone();
        view! {
            <section aria-labelledby="meeting-follow">
                <h2 id="meeting-follow">{move || body_line(&heading, lang.get())}</h2>
                <FollowButton body=b />
            </section>
            <section aria-labelledby="meeting-subscribe">
                <h2 id="meeting-subscribe"><T msg=Msg::MeetingsSubscribe /></h2>
                <Subscribe path=path label=label hint=Msg::MeetingsSubscribeHint />
            </section>
        }
    });
    view! {
        {details}
        <ReadAloud text=speech />
        {follow}
    }
}
