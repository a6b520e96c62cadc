//! Settings → Notifications: disaster alerts for my municipality (from a chosen severity) and the
//! garbage reminder (the evening before at a chosen hour, and/or the morning of). Permission is
//! asked only when a topic is turned on, after the explanation; unsupported and blocked browsers
//! are told why and what to do. The bodies whose meetings the resident follows are listed here to
//! unfollow (following is done on a meeting's page). Nursery openings join when their issue lands.

use crate::i18n::{fill, raw, tr, use_lang, Msg, Rubied, T};
use crate::push::{self, Place, Support, Topics};
use crate::settings::Settings;
use leptos::prelude::*;
use leptos::task::spawn_local;
use machi_data::alerts::Severity;

/// What a tap on a box asked for, and how to take the tick back if that fails (a refused
/// permission or a failed request leaves the box as the hub has it).
fn tapped(ev: &leptos::ev::Event) -> (bool, Option<web_sys::EventTarget>) {
    (event_target_checked(ev), ev.target())
}

/// The minimum severity of alerts when they are first turned on.
const DEFAULT_SEVERITY: Severity = Severity::Warning;

/// Evening hours offered for the reminder (city time).
const EVENING_HOURS: [u8; 6] = [17, 18, 19, 20, 21, 22];
const DEFAULT_EVENING: u8 = 19;

#[component]
pub fn Notifications() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let lang = use_lang();
    let support = RwSignal::new(push::support());
    let busy = RwSignal::new(false);
    // What the last change did: a catalogue message, or an error code to show in one.
    let outcome = RwSignal::new(None::<Result<Msg, String>>);
    // The followed bodies are the settings' (saved even where notifications are not possible).
    let topics = move || {
        let mut t = settings
            .push
            .with(|p| p.as_ref().map(|s| s.topics.clone()).unwrap_or_default());
        t.bodies = settings.follows.get();
        t
    };

    // Makes the hub match `wanted`; on failure the saved choice stays as it was.
    let change = move |wanted: Topics, tapped: Option<(bool, Option<web_sys::EventTarget>)>| {
        let (Some(city), Some(area)) =
            (settings.city.get_untracked(), settings.area.get_untracked())
        else {
            return;
        };
        busy.set(true);
        outcome.set(None);
        let current = settings.push.get_untracked();
        let language = lang.get_untracked().code();
        spawn_local(async move {
            let place = Place {
                city: &city,
                area: &area,
                language,
            };
            let result = push::apply(current, wanted.clone(), place).await;
            busy.set(false);
            support.set(push::support());
            if let (Err(_), Some((on, Some(target)))) = (&result, tapped) {
                let _ = js_sys::Reflect::set(&target, &"checked".into(), &(!on).into());
            }
            match result {
                Ok(saved) => {
                    settings.push.set(saved);
                    outcome.set(Some(Ok(if wanted.any() {
                        Msg::NotifySaved
                    } else {
                        Msg::NotifyOff
                    })));
                }
                Err(code) if code == "denied" => outcome.set(Some(Ok(Msg::NotifyDenied))),
                Err(code) if code == "dismissed" => outcome.set(Some(Ok(Msg::NotifyDismissed))),
                Err(code) => outcome.set(Some(Err(code))),
            }
        });
    };

    // A new language, area or municipality goes to the hub, so notifications follow.
    Effect::new(
        move |previous: Option<(String, Option<String>, Option<String>)>| {
            let now = (
                lang.get().code().to_owned(),
                settings.city.get(),
                settings.area.get(),
            );
            if previous.is_some_and(|p| p != now) && settings.push.get_untracked().is_some() {
                change(topics(), None);
            }
            now
        },
    );

    let alerts_on = move || topics().alerts.is_some();
    let evening_on = move || topics().evening_hour.is_some();
    let morning_on = move || topics().morning;
    let status = move || {
        let l = lang.get();
        match outcome.get()? {
            Ok(msg) => Some(raw(l, msg).to_owned()),
            Err(code) => Some(fill(raw(l, Msg::NotifyFailed), &[("code", &code)])),
        }
    };
    view! {
        <section aria-labelledby="settings-notifications" class="notifications">
            <h2 id="settings-notifications"><T msg=Msg::NotifyTitle /></h2>
            <p><T msg=Msg::NotifyIntro /></p>
            {move || match support.get() {
                Support::Unsupported => Some(view! { <p class="notice"><T msg=Msg::NotifyUnsupported /></p> }),
                Support::Denied => Some(view! { <p class="notice"><T msg=Msg::NotifyBlocked /></p> }),
                Support::Ask | Support::Granted => None,
            }}
            <fieldset class="choices" disabled=move || busy.get() || support.get() == Support::Unsupported>
                <legend><T msg=Msg::NotifyAlertsLegend /></legend>
                <label class="choice">
                    <input type="checkbox" name="notify-alerts" prop:checked=alerts_on
                        on:change=move |ev| {
                            let tap = tapped(&ev);
                            change(Topics { alerts: tap.0.then_some(DEFAULT_SEVERITY), ..topics() }, Some(tap));
                        } />
                    <span><T msg=Msg::NotifyAlerts /></span>
                </label>
                <label class="field">
                    <span><T msg=Msg::NotifyAlertsMin /></span>
                    <select name="notify-alerts-min" disabled=move || !alerts_on()
                        on:change=move |ev| {
                            let chosen = Severity::from_name(&event_target_value(&ev));
                            change(Topics { alerts: chosen.or(Some(DEFAULT_SEVERITY)), ..topics() }, None);
                        }>
                        {[(Severity::Advisory, Msg::NotifyMinAdvisory), (Severity::Warning, Msg::NotifyMinWarning), (Severity::Special, Msg::NotifyMinSpecial)]
                            .into_iter().map(|(severity, msg)| view! {
                                <option value=severity.name() selected=move || topics().alerts.unwrap_or(DEFAULT_SEVERITY) == severity>
                                    {tr(msg)}
                                </option>
                            }).collect_view()}
                    </select>
                </label>
            </fieldset>
            <fieldset class="choices" disabled=move || busy.get() || support.get() == Support::Unsupported>
                <legend><T msg=Msg::NotifyGarbageLegend /></legend>
                <label class="choice">
                    <input type="checkbox" name="notify-evening" prop:checked=evening_on
                        on:change=move |ev| {
                            let tap = tapped(&ev);
                            change(Topics { evening_hour: tap.0.then_some(DEFAULT_EVENING), ..topics() }, Some(tap));
                        } />
                    <span><T msg=Msg::NotifyEvening /></span>
                </label>
                <label class="field">
                    <span><T msg=Msg::NotifyEveningHour /></span>
                    <select name="notify-evening-hour" disabled=move || !evening_on()
                        on:change=move |ev| {
                            let hour = event_target_value(&ev).parse().ok();
                            change(Topics { evening_hour: hour, ..topics() }, None);
                        }>
                        {EVENING_HOURS.into_iter().map(|h| view! {
                            <option value=h.to_string()
                                selected=move || topics().evening_hour.unwrap_or(DEFAULT_EVENING) == h>
                                {move || fill(&tr(Msg::NotifyHour)(), &[("hour", &h.to_string())])}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="choice">
                    <input type="checkbox" name="notify-morning" prop:checked=morning_on
                        on:change=move |ev| {
                            let tap = tapped(&ev);
                            change(Topics { morning: tap.0, ..topics() }, Some(tap));
                        } />
                    <span><T msg=Msg::NotifyMorning /></span>
                </label>
            </fieldset>
            <fieldset class="choices" disabled=move || busy.get()>
                <legend><T msg=Msg::MeetingsFollowed /></legend>
                <FollowedBodies on_unfollow=move |tap| {
                    // Without a subscription there is nothing to tell the hub.
                    if settings.push.get_untracked().is_some() {
                        change(topics(), Some(tap));
                    }
                } />
            </fieldset>
            <p class="notify-status" role="status">
                {move || busy.get().then(|| view! { <T msg=Msg::NotifyWorking /> })}
                {move || status().map(|t| view! { <Rubied text=t /> })}
            </p>
        </section>
    }
}

/// The bodies the resident follows, each a ticked box to unfollow it.
#[component]
fn FollowedBodies(
    on_unfollow: impl Fn((bool, Option<web_sys::EventTarget>)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let city = expect_context::<crate::feeds::CityData>();
    let lang = use_lang();
    move || {
        let follows = settings.follows.get();
        if follows.is_empty() {
            return view! { <p class="hint"><T msg=Msg::MeetingsFollowedNone /></p> }.into_any();
        }
        let feed = city.meetings.get().flatten().and_then(Result::ok).flatten();
        let l = lang.get();
        follows
            .into_iter()
            .map(|id| {
                let body = feed
                    .as_ref()
                    .and_then(|f| crate::components::body_of(f, &id));
                let (name, name_lang) = body
                    .as_ref()
                    .map(|b| crate::components::body_name(b, l))
                    .unwrap_or_else(|| (id.clone(), None));
                view! {
                    <label class="choice">
                        <input type="checkbox" checked name="notify-body"
                            on:change=move |ev| {
                                let tap = tapped(&ev);
                                settings.follows.update(|f| f.retain(|b| *b != id));
                                on_unfollow(tap);
                            } />
                        <span lang=name_lang><Rubied text=name /></span>
                    </label>
                }
            })
            .collect_view()
            .into_any()
    }
}
