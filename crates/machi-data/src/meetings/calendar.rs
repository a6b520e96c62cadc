//! The hub's iCalendar feeds of meetings (`/feeds/{city}/meetings.{lang}.ics`, per body, per
//! meeting): one file per language, since an event has one `SUMMARY`; stable `UID`s,
//! `SEQUENCE` from the hub's change ledger, `STATUS:CANCELLED`, the meeting's page in `URL` and
//! its date, time, place and how to attend in `DESCRIPTION` (what Decidim's exports left out).
//! Times are written in UTC (`…Z`), which every calendar shows in its own zone and which needs
//! no `VTIMEZONE`.

use super::model::{Meeting, MeetingStatus};
use super::names::{kind_msg, openness_msg, status_msg, when_text};
use crate::feed::{MeetingsFeed, MeetingsOf};
use crate::garbage::export::{escape, push_folded};
use chrono::Utc;
use machi_i18n::{fill, long_date, plain, raw, Lang, Msg};

/// What a calendar is written with.
#[derive(Debug, Clone, Copy)]
pub struct CalendarOptions<'a> {
    pub lang: Lang,
    /// The municipality's id (in every `UID`) and name (in the calendar's name).
    pub city: &'a str,
    pub city_name: &'a str,
    /// Its IANA zone, as a hint to calendar apps (`X-WR-TIMEZONE`).
    pub timezone: &'a str,
    /// Where the app is (`https://machi.example`): each event links its meeting page there.
    /// Without it (a static export) the event links the source's page.
    pub app: Option<&'a str>,
}

/// The calendar of `of`, or `None` when it names no body or meeting of the feed.
pub fn meetings_ics(
    feed: &MeetingsFeed,
    of: &MeetingsOf,
    o: &CalendarOptions<'_>,
) -> Option<String> {
    let lang = o.lang;
    let (name, meetings): (String, Vec<&Meeting>) = match of {
        MeetingsOf::City => (
            fill(
                raw(lang, Msg::MeetingsIcsCalendar),
                &[("city", o.city_name)],
            ),
            feed.meetings.iter().collect(),
        ),
        MeetingsOf::Body(id) => {
            let body = feed.bodies.iter().find(|b| &b.id == id)?;
            (
                body.name.clone(),
                feed.meetings.iter().filter(|m| &m.body == id).collect(),
            )
        }
        MeetingsOf::Meeting(id) => {
            let m = feed.meetings.iter().find(|m| &m.id == id)?;
            (m.title.clone(), vec![m])
        }
    };
    let mut out = String::new();
    let mut line = |s: &str| push_folded(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Machi//Meetings//JA");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(&plain(&name))));
    line(&format!("X-WR-TIMEZONE:{}", o.timezone));
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    line("X-PUBLISHED-TTL:PT1H");
    let stamp = feed.generated_at.format("%Y%m%dT%H%M%SZ").to_string();
    for m in meetings {
        event(&mut line, feed, m, o, &stamp);
    }
    line("END:VCALENDAR");
    Some(out)
}

fn event(
    line: &mut impl FnMut(&str),
    feed: &MeetingsFeed,
    m: &Meeting,
    o: &CalendarOptions<'_>,
    stamp: &str,
) {
    let lang = o.lang;
    let text = |msg: Msg| plain(raw(lang, msg));
    let utc = |t: &chrono::DateTime<chrono::FixedOffset>| {
        t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
    };
    line("BEGIN:VEVENT");
    line(&format!("UID:{}.{}@machi", m.id, o.city));
    line(&format!("DTSTAMP:{stamp}"));
    line(&format!("SEQUENCE:{}", m.sequence));
    if m.all_day {
        let last = m.end.unwrap_or(m.start).date_naive();
        line(&format!("DTSTART;VALUE=DATE:{}", m.start.format("%Y%m%d")));
        line(&format!(
            "DTEND;VALUE=DATE:{}",
            last.succ_opt().unwrap_or(last).format("%Y%m%d")
        ));
    } else {
        line(&format!("DTSTART:{}", utc(&m.start)));
        if let Some(end) = m.end.filter(|e| *e > m.start) {
            line(&format!("DTEND:{}", utc(&end)));
        }
    }
    let summary = match status_msg(m.status) {
        Some(status) => fill(
            &text(Msg::MeetingsIcsStatus),
            &[("status", &text(status)), ("title", &m.title)],
        ),
        None => m.title.clone(),
    };
    line(&format!("SUMMARY:{}", escape(&summary)));
    let place: Vec<&str> = [m.place.as_deref(), m.address.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !place.is_empty() {
        line(&format!("LOCATION:{}", escape(&place.join(" "))));
    } else if let Some(online) = &m.online {
        line(&format!("LOCATION:{}", escape(online)));
    }
    let body = feed.bodies.iter().find(|b| b.id == m.body);
    let page = o.app.map(|app| format!("{app}/meetings/{}", m.id));
    let mut d: Vec<String> = Vec::new();
    if let Some(b) = body {
        d.push(format!("{} · {}", b.name, text(kind_msg(b.kind))));
    }
    if let Some(status) = status_msg(m.status) {
        d.push(text(status));
    }
    d.push(plain(&when_text(lang, m, long_date)));
    if let Some(before) = &m.moved_from {
        d.push(plain(&fill(
            raw(lang, Msg::MeetingsMovedFrom),
            &[("when", &super::names::moment_text(lang, before, long_date))],
        )));
    }
    if !place.is_empty() {
        d.push(format!("{}: {}", text(Msg::MeetingsPlace), place.join(" ")));
    }
    if let Some(online) = &m.online {
        d.push(format!("{}: {online}", text(Msg::MeetingsOnline)));
    }
    d.push(format!(
        "{}: {}",
        text(Msg::MeetingsAttend),
        text(openness_msg(m.attend.open))
    ));
    if let Some(n) = m.attend.seats {
        d.push(plain(&fill(
            raw(lang, Msg::MeetingsSeats),
            &[("n", &n.to_string())],
        )));
    }
    if let Some(how) = &m.attend.how {
        d.push(plain(&fill(raw(lang, Msg::MeetingsHow), &[("how", how)])));
    }
    if let Some(by) = m.attend.deadline {
        let mut date = long_date(lang, by);
        if let Some(t) = &m.attend.deadline_time {
            date = format!("{date} {t}");
        }
        d.push(plain(&fill(
            raw(lang, Msg::MeetingsApplyBy),
            &[("date", &date)],
        )));
    }
    if let Some(note) = &m.note {
        d.push(note.clone());
    }
    if !m.agenda.is_empty() {
        d.push(format!("{}:", text(Msg::MeetingsAgenda)));
        d.extend(m.agenda.iter().map(|a| format!("- {a}")));
    }
    for (msg, link) in [
        (Msg::MeetingsMaterials, &m.materials),
        (Msg::MeetingsMinutes, &m.minutes),
        (Msg::MeetingsSourcePage, &m.url),
    ] {
        if let Some(link) = link {
            d.push(format!("{}: {link}", text(msg)));
        }
    }
    if let Some(page) = &page {
        d.push(plain(&fill(
            raw(lang, Msg::MeetingsIcsPage),
            &[("url", page)],
        )));
    }
    line(&format!("DESCRIPTION:{}", escape(&d.join("\n"))));
    if let Some(url) = page.as_ref().or(m.url.as_ref()) {
        line(&format!("URL:{url}"));
    }
    if let Some(b) = body {
        line(&format!("CATEGORIES:{}", escape(&b.name)));
    }
    line(match m.status {
        MeetingStatus::Cancelled => "STATUS:CANCELLED",
        MeetingStatus::Withdrawn => "STATUS:TENTATIVE",
        MeetingStatus::Scheduled | MeetingStatus::Changed => "STATUS:CONFIRMED",
    });
    line("END:VEVENT");
}
