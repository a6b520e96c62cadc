//! Meeting notifications for the bodies a subscriber follows: a new meeting, a change of its
//! date, time or place, a cancellation or a meeting no longer listed (from the change ledger,
//! [`crate::meetings`]), and the day before the deadline to apply to attend. Every body says
//! when and where, not only what; texts come from the catalogue in the subscriber's language.
//!
//! Event keys: `meeting:{city}:{id}:new`, `meeting:{city}:{id}:v{sequence}` for a change (each
//! version once), `meeting:{city}:{id}:deadline:{date}`; one tag per meeting, so a later
//! notification replaces the earlier one on the phone.

use super::store::Subscription;
use super::{outgoing, subscriber_lang, text, Outgoing, Push, Report, ICON};
use crate::feeds::Feeds;
use crate::meetings::{ChangeKind, CityChanges};
use chrono::{DateTime, Duration, Timelike as _, Utc};
use machi_data::meetings::names::{moment_text, when_text};
use machi_data::meetings::{shifted, Body, Meeting};
use machi_i18n::{plain, raw, Lang, Msg};

/// The hour (city time) from which the "apply by tomorrow" reminder goes out on the day before.
pub const DEADLINE_HOUR: u32 = 9;

/// The notification of one meeting event for one subscriber.
fn notification(
    sub: &Subscription,
    body: &Body,
    m: &Meeting,
    title: Msg,
    before: Option<&Meeting>,
    event_key: String,
) -> Option<Outgoing> {
    let lang: Lang = subscriber_lang(sub);
    let place = m
        .place
        .clone()
        .or_else(|| {
            m.online
                .as_ref()
                .map(|_| plain(raw(lang, Msg::MeetingsOnline)))
        })
        .unwrap_or_else(|| plain(raw(lang, Msg::MeetingsPlaceTba)));
    let mut text_body = text(
        lang,
        Msg::PushMeetingBody,
        &[
            ("when", &plain(&when_text(lang, m, machi_i18n::long_date))),
            ("place", &place),
            ("title", &m.title),
        ],
    );
    if let Some(before) = before.filter(|b| b.start != m.start) {
        let was = text(
            lang,
            Msg::MeetingsMovedFrom,
            &[(
                "when",
                &plain(&moment_text(lang, &before.start, machi_i18n::long_date)),
            )],
        );
        text_body = text(
            lang,
            Msg::PushMeetingWas,
            &[("text", &text_body), ("was", &was)],
        );
    }
    let payload = super::Payload {
        title: text(lang, title, &[("body", &body.name)]),
        body: text_body,
        tag: format!("meeting:{}", m.id),
        url: format!("/meetings/{}", m.id),
        icon: ICON.into(),
    };
    let tag = payload.tag.clone();
    outgoing(sub, event_key, tag, &payload, "normal", 24 * 3600)
}

impl Push {
    /// Pushes what the ledger found in a reading of a city's meetings to those who follow the
    /// bodies concerned.
    pub async fn fan_out_meetings(&self, found: &[CityChanges], now: DateTime<Utc>) -> Report {
        let mut batch = Vec::new();
        for c in found {
            let p = &c.prepared;
            for change in &c.changes {
                let m = shifted(&change.meeting, p.shift_days, p.timezone);
                let Some(body) = p.expanded.bodies.iter().find(|b| b.id == m.body) else {
                    continue;
                };
                let (msg, key, before) = match &change.kind {
                    ChangeKind::New => (Msg::PushMeetingNew, "new".to_owned(), None),
                    ChangeKind::Changed { before } => {
                        let msg = match m.status {
                            machi_data::meetings::MeetingStatus::Cancelled => {
                                Msg::PushMeetingCancelled
                            }
                            _ => Msg::PushMeetingChanged,
                        };
                        let before = shifted(before, p.shift_days, p.timezone);
                        (msg, format!("v{}", m.sequence), Some(before))
                    }
                    ChangeKind::Withdrawn => {
                        (Msg::PushMeetingWithdrawn, format!("v{}", m.sequence), None)
                    }
                };
                let subscribers = match self.inner.store.meeting_subscribers(&c.city.id, &m.body) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!("push: cannot read followers of {}: {e}", m.body);
                        continue;
                    }
                };
                let event_key = format!("meeting:{}:{}:{key}", c.city.id, m.id);
                for sub in subscribers {
                    batch.extend(notification(
                        &sub,
                        body,
                        &m,
                        msg,
                        before.as_ref(),
                        event_key.clone(),
                    ));
                }
            }
        }
        if batch.is_empty() {
            return Report::default();
        }
        let report = self.deliver(batch, now).await;
        tracing::info!("push: meetings: {report:?}");
        report
    }

    /// The day before a meeting's deadline to apply (from [`DEADLINE_HOUR`] city time), tells
    /// its body's followers. Called every minute; the event key makes later calls no-ops.
    pub async fn meeting_deadlines_tick(
        &self,
        now: DateTime<Utc>,
        cities: &[crate::config::CityConfig],
        feeds: &Feeds,
    ) -> Report {
        let mut batch = Vec::new();
        for city in cities {
            let Some(feed) = feeds.meetings(&city.id) else {
                continue;
            };
            let Ok(tz) = city.timezone.parse::<chrono_tz::Tz>() else {
                continue;
            };
            let local = now.with_timezone(&tz);
            if local.hour() < DEADLINE_HOUR {
                continue;
            }
            let tomorrow = local.date_naive() + Duration::days(1);
            for m in &feed.meetings {
                if m.attend.deadline != Some(tomorrow)
                    || !m.status.goes_ahead()
                    || m.start.with_timezone(&Utc) <= now
                {
                    continue;
                }
                let Some(body) = feed.bodies.iter().find(|b| b.id == m.body) else {
                    continue;
                };
                let subscribers = match self.inner.store.meeting_subscribers(&city.id, &m.body) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!("push: cannot read followers of {}: {e}", m.body);
                        continue;
                    }
                };
                let event_key = format!("meeting:{}:{}:deadline:{tomorrow}", city.id, m.id);
                for sub in subscribers {
                    batch.extend(notification(
                        &sub,
                        body,
                        m,
                        Msg::PushMeetingDeadline,
                        None,
                        event_key.clone(),
                    ));
                }
            }
        }
        if batch.is_empty() {
            return Report::default();
        }
        let report = self.deliver(batch, now).await;
        tracing::info!("push: meeting deadlines: {report:?}");
        report
    }
}
