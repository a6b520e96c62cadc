//! Alerts rendered from their codes, in the resident's language: the kind's name, severity and
//! status words, 警戒レベル and the standard action, earthquake intensity and tsunami for the
//! city. No machine translation: names come from machi-data's `alerts::names` (the catalogue's
//! names of JMA's codes, shared with the hub's notifications), words and actions from the
//! catalogue; the original Japanese text is always one tap away.

use crate::components::{Icon, IconName, ReadAloud};
use crate::feeds::age;
use crate::i18n::{fill, plain, raw, use_lang, Lang, Msg, Rubied, T};
use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;
use machi_data::alerts::{
    intensity_name, is_unconfirmed, kind_name, tsunami_category_name, Alert, AlertSourceKind,
    AlertStatus, AreaCode, Intensity, Severity,
};

pub fn severity_word(severity: Severity) -> Msg {
    match severity {
        Severity::Special => Msg::SeveritySpecial,
        Severity::Warning => Msg::SeverityWarning,
        Severity::Advisory => Msg::SeverityAdvisory,
        Severity::Information => Msg::SeverityInformation,
    }
}

pub fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Special => "sev-special",
        Severity::Warning => "sev-warning",
        Severity::Advisory => "sev-advisory",
        Severity::Information => "sev-information",
    }
}

pub fn status_word(status: AlertStatus) -> Msg {
    match status {
        AlertStatus::Issued => Msg::StatusIssued,
        AlertStatus::Continued => Msg::StatusContinued,
        AlertStatus::Updated => Msg::StatusUpdated,
        AlertStatus::Corrected => Msg::StatusCorrected,
        AlertStatus::Lifted => Msg::StatusLifted,
        AlertStatus::Cancelled => Msg::StatusCancelled,
    }
}

/// The intensity at the city: the strongest of its codes in the report.
pub fn intensity_here(alert: &Alert, here: &[AreaCode]) -> Option<Intensity> {
    alert
        .earthquake
        .as_ref()?
        .intensities
        .iter()
        .filter(|i| here.contains(&i.area))
        .map(|i| i.max_intensity)
        .max()
}

/// What to do, when the alert implies a standard action (the 警戒レベル actions of the
/// evacuation guidelines, tsunami and earthquake actions).
pub fn action(alert: &Alert, here: &[AreaCode]) -> Option<Msg> {
    if !alert.status.is_active() {
        return None;
    }
    match alert.source_kind {
        AlertSourceKind::JmaTsunami => match alert.severity {
            Severity::Special | Severity::Warning => Some(Msg::ActionTsunami),
            Severity::Advisory => Some(Msg::ActionTsunamiAdvisory),
            Severity::Information => None,
        },
        AlertSourceKind::JmaEew => Some(Msg::ActionEew),
        AlertSourceKind::JmaEarthquake => intensity_here(alert, here)
            .filter(|i| *i >= Intensity::I4)
            .map(|_| Msg::ActionEarthquake),
        _ => match (alert.level, alert.severity) {
            (Some(5), _) | (None, Severity::Special) => Some(Msg::ActionLevel5),
            (Some(4), _) => Some(Msg::ActionLevel4),
            (Some(3), _) => Some(Msg::ActionLevel3),
            (Some(2), _) => Some(Msg::ActionLevel2),
            (Some(1), _) => Some(Msg::ActionLevel1),
            (None, Severity::Warning) => Some(Msg::ActionWarning),
            _ => None,
        },
    }
}

/// A time as the alert gives it (JST for JMA), in the resident's language.
pub fn alert_time(lang: Lang, t: DateTime<FixedOffset>) -> String {
    crate::intl::date_time_at(lang, t)
}

/// The words read aloud: the place and the action first, then what it is.
pub fn spoken(alert: &Alert, lang: Lang, place: &str, here: &[AreaCode]) -> String {
    let mut parts = vec![place.to_owned()];
    if let Some(a) = action(alert, here) {
        parts.push(raw(lang, a).to_owned());
    }
    if let Some(level) = alert.level {
        parts.push(fill(
            raw(lang, Msg::AlertLevel),
            &[("level", &crate::intl::number(lang, i64::from(level)))],
        ));
    }
    parts.push(kind_name(alert, lang).text.into_owned());
    parts.push(raw(lang, status_word(alert.status)).to_owned());
    if let Some(i) = intensity_here(alert, here) {
        parts.push(intensity_name(i, lang).text.into_owned());
    }
    parts.join(raw(lang, Msg::SpokenSeparator))
}

/// One alert: severity in words and colour and icon, the kind, level, action, since when, the
/// city's intensity or tsunami, and the original text.
#[component]
pub fn AlertCard(
    alert: Alert,
    place: String,
    here: Vec<AreaCode>,
    /// Heading level of the kind's name (3 inside a page section).
    #[prop(default = 3)]
    heading: u8,
    /// Nothing newer of its series came within the bound for its kind: it may have ended (its
    /// lift may have been missed). Said above it, and no action is urged.
    #[prop(default = false)]
    unconfirmed: bool,
) -> impl IntoView {
    let lang = use_lang();
    let view_alert = alert.clone();
    let speech_here = here.clone();
    let speech = Signal::derive(move || spoken(&alert, lang.get(), &place, &speech_here));
    move || {
        let a = &view_alert;
        let l = lang.get();
        let name = kind_name(a, l);
        let name_lang = name.lang_attr(l).map(str::to_owned);
        let title = view! { <span lang=name_lang><Rubied text=name.text.into_owned() /></span> };
        let title = if heading == 2 {
            view! { <h2 class="alert-kind">{title}</h2> }.into_any()
        } else {
            view! { <h3 class="alert-kind">{title}</h3> }.into_any()
        };
        let quake = a.earthquake.as_ref().map(|q| {
            let here_i = intensity_here(a, &here);
            let max = q.max_intensity;
            let centre = q.hypocentre.as_ref().map(|h| h.name.clone());
            let magnitude = q
                .magnitude
                .map(|m| format!("M{}", decimals(m, 1)))
                .or_else(|| q.magnitude_text.clone());
            let origin = q.origin_time.map(|t| alert_time(l, t));
            view! {
                <dl class="alert-facts">
                    {here_i.map(|i| intensity_name(i, l)).map(|n| view! {
                        <dt><T msg=Msg::QuakeHere /></dt>
                        <dd class="quake-here" lang=n.lang_attr(l).map(str::to_owned)><Rubied text=n.text.to_string() /></dd>
                    })}
                    {max.map(|i| intensity_name(i, l)).map(|n| view! {
                        <dt><T msg=Msg::QuakeMax /></dt>
                        <dd lang=n.lang_attr(l).map(str::to_owned)><Rubied text=n.text.to_string() /></dd>
                    })}
                    {centre.map(|c| view! { <dt><T msg=Msg::QuakeCentre /></dt><dd lang="ja">{c}</dd> })}
                    {magnitude.map(|m| view! { <dt><T msg=Msg::QuakeMagnitude /></dt><dd>{m}</dd> })}
                    {origin.map(|t| view! { <dt><T msg=Msg::QuakeTime /></dt><dd><Rubied text=t /></dd> })}
                </dl>
            }
        });
        let tsunami: Vec<_> = a
            .tsunami
            .iter()
            .filter(|t| here.contains(&t.area))
            .map(|t| {
                let category = tsunami_category_name(&t.category_code, l);
                let category_lang = category.as_ref().and_then(|c| c.lang_attr(l));
                let category = category
                    .map(|c| c.text.into_owned())
                    .unwrap_or_else(|| t.category_code.clone());
                let height = t.max_height_text.clone();
                let arrival = t
                    .first_arrival
                    .map(|at| alert_time(l, at))
                    .or_else(|| t.first_arrival_condition.clone());
                view! {
                    <li>
                        <strong lang="ja">{t.name.clone()}</strong>": "
                        <span lang=category_lang><Rubied text=category /></span>
                        {height.map(|h| view! { " · " <T msg=Msg::TsunamiHeight /> " " <span lang="ja">{h}</span> })}
                        {arrival.map(|t| view! { " · " <T msg=Msg::TsunamiArrival /> " " <Rubied text=t /> })}
                    </li>
                }
            })
            .collect();
        let action = action(a, &here).filter(|_| !unconfirmed);
        let unconfirmed_note = unconfirmed.then(|| {
            let since = age(
                l,
                a.issued_at.with_timezone(&chrono::Utc),
                chrono::Utc::now(),
            );
            view! {
                <p class="notice alert-unconfirmed">
                    <Rubied text=fill(raw(l, Msg::AlertUnconfirmed), &[("age", &since)]) />
                </p>
            }
        });
        let headline = a.headline.get("ja", &[]).to_owned();
        let original = a.original_text.get("ja", &[]).to_owned();
        let original = (original != headline).then_some(original);
        view! {
            <article class=format!(
                "alert-card {}{}",
                severity_class(a.severity),
                if unconfirmed { " unconfirmed" } else { "" }
            )>
                {unconfirmed_note}
                <p class="alert-badge">
                    <Icon name=IconName::Alerts />
                    <span class="alert-severity"><T msg=severity_word(a.severity) /></span>
                    " · "
                    <span class="alert-status"><T msg=status_word(a.status) /></span>
                    {a.test.then(|| view! { " · " <T msg=Msg::AlertTest /> })}
                </p>
                {title}
                {a.level.map(|level| view! {
                    <p class="alert-level"><Rubied text=fill(raw(l, Msg::AlertLevel), &[("level", &crate::intl::number(l, i64::from(level)))]) /></p>
                })}
                {action.map(|m| view! { <p class="alert-action"><T msg=m /></p> })}
                <p class="alert-since">
                    <T msg=Msg::AlertSince /> " " <Rubied text=alert_time(l, a.issued_at) />
                    {a.valid_until.map(|t| view! { " · " <T msg=Msg::AlertUntil /> " " <Rubied text=alert_time(l, t) /> })}
                </p>
                {quake}
                {(!tsunami.is_empty()).then(|| view! { <ul class="tsunami-here">{tsunami}</ul> })}
                <details class="alert-original">
                    <summary><T msg=Msg::AlertOriginal /></summary>
                    <p lang="ja">{headline}</p>
                    {original.map(|o| view! { <p lang="ja" class="alert-original-text">{o}</p> })}
                    <p class="hint"><T msg=Msg::AlertIssuer /> " " <span lang="ja">{a.issuer.clone()}</span></p>
                </details>
                <ReadAloud text=speech />
            </article>
        }
    }
}

/// `x` with `places` decimals (`5.2` from `5.24` with one), written with integers: Rust's float
/// formatting is about 12 KB of wasm before brotli, which the pages that show a number would
/// load. `places` is at most 9.
pub fn decimals(x: f64, places: u32) -> String {
    let scale = 10_i64.pow(places);
    let t = (x * scale as f64).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    let (whole, part) = (t.abs() / scale, t.abs() % scale);
    format!("{sign}{whole}.{part:0width$}", width = places as usize)
}

/// The alerts feed as the views show it. Two are equal when what is on screen would be: the
/// minute's refetch moves `last_success` and `generated_at`, and that alone must not rebuild the
/// page (closing what the resident opened, resetting "use my location", cutting read-aloud off).
#[derive(Clone)]
pub struct Shown(pub std::sync::Arc<machi_data::feed::AlertsFeed>);

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        a.in_force == b.in_force
            && a.unconfirmed == b.unconfirmed
            && a.history == b.history
            && a.shelters == b.shelters
            && a.area_codes == b.area_codes
            && a.demo_time_shift_secs == b.demo_time_shift_secs
    }
}

/// What the alert views show: `None` while loading (or no municipality), else the feed, the city
/// having none (`Ok(None)`), or why it could not be read.
pub type AlertsView = Option<Result<Option<Shown>, crate::feeds::FeedProblem>>;

/// The city's alerts, changing only when what is shown changes (see [`Shown`]).
pub fn use_alerts() -> Memo<AlertsView> {
    let city = expect_context::<crate::feeds::CityData>();
    Memo::new(move |_| city.alerts.get().flatten().map(|r| r.map(|f| f.map(Shown))))
}

/// After this long without a successful update, the views say the alerts may be out of date.
const STALE_AFTER_MINUTES: i64 = 30;

/// Whether alerts last updated at `last_success` may be out of date by now.
pub fn is_stale(last_success: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    last_success.is_none_or(|t| (chrono::Utc::now() - t).num_minutes() > STALE_AFTER_MINUTES)
}

/// When the alert sources were last polled successfully; follows every refetch.
pub fn use_last_success() -> Signal<Option<chrono::DateTime<chrono::Utc>>> {
    let city = expect_context::<crate::feeds::CityData>();
    Signal::derive(move || {
        city.alerts
            .get()
            .flatten()
            .and_then(Result::ok)
            .flatten()
            .and_then(|f| f.last_success)
    })
}

/// The most severe alert in force for the city, for the top of Today; nothing when none is.
#[component]
pub fn TopAlert() -> impl IntoView {
    let city = expect_context::<crate::feeds::CityData>();
    let alerts = use_alerts();
    let last_success = use_last_success();
    let lang = use_lang();
    move || {
        let feed = alerts.get()?.ok().flatten()?.0;
        // Never one that may have ended: by the hub's clock (not in `in_force`) or, for a copy
        // kept offline, by this device's.
        let now = chrono::Utc::now();
        let alert = feed
            .in_force
            .iter()
            .find(|a| !a.test && !is_unconfirmed(a, now))?
            .clone();
        let l = lang.get();
        let place = city
            .get()
            .map(|f| f.name.get(l.code(), l.data_fallbacks()).to_owned())
            .unwrap_or_default();
        Some(view! {
            <section class="top-alert" aria-label=plain(raw(l, Msg::AlertsNow))>
                // A saved copy (offline) may hold a warning long lifted: say so above it.
                {move || is_stale(last_success.get()).then(|| view! {
                    <p class="problem"><T msg=Msg::AlertsStale /></p>
                })}
                <AlertCard alert=alert place=place here=feed.area_codes.clone() heading=2 />
                <p><a href="/alerts"><T msg=Msg::AlertsSeeAll /></a></p>
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_without_float_formatting() {
        assert_eq!(decimals(5.24, 1), "5.2");
        assert_eq!(decimals(0.05, 1), "0.1");
        assert_eq!(decimals(12.0, 1), "12.0");
        assert_eq!(decimals(-0.04, 1), "0.0");
        assert_eq!(decimals(-3.25, 1), "-3.3");
        // As `{:.6}` writes a coordinate.
        assert_eq!(decimals(35.6812362, 6), "35.681236");
        assert_eq!(decimals(139.7, 6), "139.700000");
        assert_eq!(decimals(-33.0000004, 6), "-33.000000");
    }
}
