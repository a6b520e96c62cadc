//! Meeting pieces shared by the Meetings pages, Today and Settings: a meeting's card (body, title,
//! when, where, how to attend with the deadline's countdown, its status), following a body, and
//! the calendar links (a meeting's `.ics`, a webcal subscription with its address to copy).
//!
//! Generic words (body kinds, status words, dates) come from the catalogue; titles, bodies'
//! names, places and agendas are shown as the city published them, marked with their language.

use crate::i18n::{count, fill, long_date, raw, source_text, Lang, Msg, Rubied, T};
use crate::push::{self, Place, Support};
use crate::settings::Settings;
use chrono::{NaiveDate, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use machi_data::feed::{FeedPath, MeetingsOf};
use machi_data::meetings::names::{kind_msg, moment_text, openness_msg, status_msg, when_text};
use machi_data::meetings::{Attendance, Body, Meeting, MeetingStatus};
use machi_data::MeetingsFeed;

/// A body's name as a resident reads it: as published, with the furigana their language has
/// for its generic words (審議会 …), and its `lang`.
pub fn body_name(body: &Body, lang: Lang) -> (String, Option<String>) {
    match &body.name_lang {
        Some(other) => (body.name.clone(), Some(other.clone())),
        None => {
            let t = source_text(lang, &body.name);
            let attr = t.lang_attr(lang).map(str::to_owned);
            (t.text.into_owned(), attr)
        }
    }
}

/// Catalogue text with its furigana, for a view built for one language (the views below are
/// rebuilt whole when the language changes: one reactive closure per card instead of one per
/// text, which is what costs the app's wasm).
pub fn said(l: Lang, msg: Msg) -> impl IntoView {
    view! { <Rubied text=raw(l, msg).to_owned() /> }
}

/// "審議会 · 都市計画審議会": the kind in the resident's language, the name as published.
pub fn body_line(body: &Body, l: Lang) -> impl IntoView {
    let (name, name_lang) = body_name(body, l);
    view! {
        <span class="meeting-kind">{said(l, kind_msg(body.kind))}</span>
        " · "
        <span class="meeting-body-name" lang=name_lang><Rubied text=name /></span>
    }
}

/// The `lang` of a meeting's own texts (title, place, agenda): Japanese unless it says.
pub fn meeting_lang(m: &Meeting) -> String {
    m.lang.clone().unwrap_or_else(|| "ja".into())
}

/// "Apply by Friday, 4 December, 2 days left" (or "applications have closed").
pub fn deadline_text(lang: Lang, a: &Attendance, today: NaiveDate) -> Option<String> {
    let by = a.deadline?;
    let days = (by - today).num_days();
    if days < 0 {
        return Some(raw(lang, Msg::MeetingsApplicationsClosed).to_owned());
    }
    let mut date = long_date(lang, by);
    if let Some(t) = &a.deadline_time {
        date = format!("{date} {t}");
    }
    let apply = fill(raw(lang, Msg::MeetingsApplyBy), &[("date", &date)]);
    let left = match days {
        0 => raw(lang, Msg::MeetingsLastDay).to_owned(),
        1 => raw(lang, Msg::MeetingsOneDayLeft).to_owned(),
        n => count(lang, Msg::MeetingsDaysLeft, n),
    };
    Some(fill(
        raw(lang, Msg::MeetingsDeadlineLeft),
        &[("apply", &apply), ("left", &left)],
    ))
}

/// A map search for a place (opens the phone's maps app).
fn directions(place: &str) -> String {
    format!(
        "https://www.google.com/maps/search/?api=1&query={}",
        String::from(js_sys::encode_uri_component(place))
    )
}

/// Where: the place with a directions link, and the online link.
pub fn place_view(m: &Meeting, l: Lang) -> impl IntoView {
    let lang = meeting_lang(m);
    let full: Vec<&str> = [m.place.as_deref(), m.address.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let place = (!full.is_empty()).then(|| {
        let text = full.join(" ");
        let href = directions(&text);
        view! {
            <p class="meeting-place">
                <span lang=lang>{text}</span> " "
                <a href=href target="_blank" rel="noopener">{said(l, Msg::MeetingsDirections)}</a>
            </p>
        }
    });
    let online = m.online.clone().map(|href| {
        view! {
            <p class="meeting-online">
                <a href=href target="_blank" rel="noopener">{said(l, Msg::MeetingsWatchOnline)}</a>
            </p>
        }
    });
    let tba = (place.is_none() && online.is_none())
        .then(|| view! { <p class="meeting-place">{said(l, Msg::MeetingsPlaceTba)}</p> });
    view! { {place} {online} {tba} }
}

/// How to attend: open or not, seats, how to apply, and the deadline counting down.
pub fn attend_view(m: &Meeting, today: NaiveDate, l: Lang) -> impl IntoView {
    let a = &m.attend;
    let seats = a.seats.map(|n| count(l, Msg::MeetingsSeats, n.into()));
    // The city's words stay Japanese inside the resident's language's sentence.
    let how = a.how.clone().map(|h| {
        let template = raw(l, Msg::MeetingsHow);
        let (before, after) = template.split_once("{how}").unwrap_or((template, ""));
        view! {
            <p class="meeting-how">
                <Rubied text=before.to_owned() /><span lang="ja">{h}</span><Rubied text=after.to_owned() />
            </p>
        }
    });
    let deadline = m
        .status
        .goes_ahead()
        .then(|| deadline_text(l, a, today))
        .flatten();
    let closed = a.deadline.is_some_and(|d| d < today);
    view! {
        <div class="meeting-attend">
            <p class="meeting-open"><strong>{said(l, openness_msg(a.open))}</strong>
                {seats.map(|s| view! { " · " <Rubied text=s /> })}
            </p>
            {how}
            {deadline.map(|d| view! {
                <p class=if closed { "meeting-deadline closed" } else { "meeting-deadline" }>
                    <Rubied text=d />
                </p>
            })}
        </div>
    }
}

/// A status word ("変更", "中止") as a badge; nothing for a scheduled meeting.
pub fn status_badge(status: MeetingStatus, l: Lang) -> impl IntoView {
    status_msg(status).map(|msg| {
        let class = match status {
            MeetingStatus::Cancelled | MeetingStatus::Withdrawn => "badge badge-stop",
            _ => "badge badge-change",
        };
        view! { <span class=class>{said(l, msg)}</span> }
    })
}

/// When, and for a moved meeting when it was to be.
pub fn when_view(m: &Meeting, l: Lang, class: &'static str) -> impl IntoView {
    let moved = m.moved_from.map(|before| {
        let was = fill(
            raw(l, Msg::MeetingsMovedFrom),
            &[("when", &moment_text(l, &before, long_date))],
        );
        view! { <p class="meeting-moved"><Rubied text=was /></p> }
    });
    view! {
        <p class=class><Rubied text=when_text(l, m, long_date) /></p>
        {moved}
    }
}

/// A meeting in a list: body, title (a link to its page), when, where, how to attend; a past
/// one with its materials and minutes.
pub fn card_view(m: &Meeting, body: Option<&Body>, today: NaiveDate, l: Lang) -> impl IntoView {
    let past = m.is_past(Utc::now().fixed_offset());
    let links = past.then(|| {
        let link = |msg: Msg, href: &Option<String>| {
            href.clone()
                .map(|h| view! { <a href=h target="_blank" rel="noopener">{said(l, msg)}</a> " " })
        };
        view! {
            <p class="meeting-links">
                {link(Msg::MeetingsMaterials, &m.materials)}
                {link(Msg::MeetingsMinutes, &m.minutes)}
            </p>
        }
    });
    view! {
        <li class="card meeting" class:meeting-stopped=!m.status.goes_ahead()>
            <p class="meeting-body">
                {status_badge(m.status, l)}
                {body.map(|b| body_line(b, l))}
            </p>
            <h3 class="meeting-title">
                <a href=format!("/meetings/{}", m.id) lang=meeting_lang(m)>{m.title.clone()}</a>
            </h3>
            {when_view(m, l, "meeting-when")}
            {place_view(m, l)}
            {(!past).then(|| attend_view(m, today, l))}
            {links}
        </li>
    }
}

/// The body of `id` in the feed.
pub fn body_of(feed: &MeetingsFeed, id: &str) -> Option<Body> {
    feed.bodies.iter().find(|b| b.id == id).cloned()
}

/// Follows or stops following a body: saved at once (Today shows its next meeting), then given
/// to the hub with the other notification topics so pushes follow (the permission is asked the
/// first time). Returns what to tell the resident through `outcome`.
pub fn set_follow(body: String, on: bool, outcome: RwSignal<Option<String>>) {
    let settings = expect_context::<Settings>();
    let lang = settings.lang.get_untracked();
    let mut follows = settings.follows.get_untracked();
    follows.retain(|b| *b != body);
    if on {
        follows.push(body);
    }
    settings.follows.set(follows.clone());
    let (Some(city), Some(area)) = (settings.city.get_untracked(), settings.area.get_untracked())
    else {
        return;
    };
    let current = settings.push.get_untracked();
    if push::support() != Support::Granted && push::support() != Support::Ask && on {
        outcome.set(Some(raw(lang, Msg::MeetingsFollowLocal).to_owned()));
        return;
    }
    let mut topics = current
        .as_ref()
        .map(|s| s.topics.clone())
        .unwrap_or_default();
    topics.bodies = follows;
    spawn_local(async move {
        let place = Place {
            city: &city,
            area: &area,
            language: lang.code(),
        };
        let message = match push::apply(current, topics, place).await {
            Ok(saved) => {
                settings.push.set(saved);
                Msg::MeetingsFollowSaved
            }
            Err(code) if code == "denied" || code == "dismissed" => Msg::MeetingsFollowLocal,
            Err(code) => {
                outcome.set(Some(fill(raw(lang, Msg::NotifyFailed), &[("code", &code)])));
                return;
            }
        };
        outcome.set(Some(raw(lang, message).to_owned()));
    });
}

/// "Follow" / "Following" for a body, a toggle button, with what came of the last tap.
#[component]
pub fn FollowButton(body: Body) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let outcome = RwSignal::new(None::<String>);
    let id = body.id.clone();
    let following = {
        let id = id.clone();
        Signal::derive(move || settings.follows.with(|f| f.contains(&id)))
    };
    let toggle = move |_| set_follow(id.clone(), !following.get_untracked(), outcome);
    view! {
        <div class="follow">
            <button type="button" class="button" aria-pressed=move || following.get().to_string() on:click=toggle>
                {move || if following.get() {
                    view! { <T msg=Msg::MeetingsFollowing /> }.into_any()
                } else {
                    view! { <T msg=Msg::MeetingsFollow /> }.into_any()
                }}
            </button>
            <p class="hint"><T msg=Msg::MeetingsFollowHint /></p>
            <p role="status" class="follow-status">{move || outcome.get().map(|t| view! { <Rubied text=t /> })}</p>
        </div>
    }
}

/// A calendar subscription: the webcal link (one tap in a phone's calendar) and the address to
/// copy, for the calendar of `path` (`query` added for the hub, e.g. a reminder).
#[component]
pub fn Subscribe(path: Signal<String>, label: Signal<String>, hint: Msg) -> impl IntoView {
    // Where the feeds are (this hub, or a configured feed base): the calendar apps' address.
    let url = move || crate::feeds::feed_address(&path.get());
    let webcal = move || {
        let url = url();
        let rest = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        format!("webcal://{rest}")
    };
    view! {
        <div class="subscribe">
            <p class="hint"><T msg=hint /></p>
            <a class="button" href=webcal><Rubied text=label /></a>
            <label class="field calendar-url">
                <span><T msg=Msg::MeetingsCalendarUrl /></span>
                <input type="text" readonly prop:value=url on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                } />
            </label>
        </div>
    }
}

/// The path of a meetings calendar in the current language.
pub fn calendar_path(city: &str, of: MeetingsOf, lang: Lang) -> String {
    FeedPath::MeetingsCalendar {
        city: city.to_owned(),
        of,
        lang: lang.code().to_owned(),
    }
    .path()
}
