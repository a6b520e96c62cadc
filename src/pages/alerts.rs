//! The Alerts page: what is in force for my municipality now (most severe first), the latest
//! earthquake and tsunami for here, the last 72 hours, when the data was last updated (and a
//! clear warning when that is old), and the nearest shelters for the dangers in force.

use crate::components::{
    alert_time, is_stale, severity_class, severity_word, status_word, use_alerts, use_last_success,
    AlertCard, ProblemView, SourceNote,
};
use crate::feeds::CityData;
use crate::feeds::{age, local_time};
use crate::i18n::{fill, raw, tr, use_lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::settings::Settings;
use chrono::Utc;
use leptos::prelude::*;
use machi_data::alerts::{
    haversine_km, is_unconfirmed, kind_name, Alert, AlertSourceKind, HazardType, Shelter,
};
use machi_data::feed::{AlertsFeed, SourceKind};
use std::sync::Arc;

#[component]
pub fn Alerts() -> impl IntoView {
    use_page_title(Msg::AlertsTitle);
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let alerts = use_alerts();
    let place = Memo::new(move |_| {
        city.get()
            .map(|f| {
                let l = lang.get();
                f.name.get(l.code(), l.data_fallbacks()).to_owned()
            })
            .unwrap_or_default()
    });
    view! {
        <article class="page alerts">
            <h1><T msg=Msg::AlertsTitle /></h1>
            {move || match alerts.get() {
                None => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
                Some(Err(p)) => view! { <ProblemView problem=p /> }.into_any(),
                Some(Ok(None)) => view! { <p class="notice"><T msg=Msg::AlertsNoSource /></p> }.into_any(),
                Some(Ok(Some(feed))) => view! { <AlertsView feed=feed.0 place=place.get_untracked() /> }.into_any(),
            }}
            <SourceNote kinds=&[SourceKind::JmaAtom, SourceKind::Cap, SourceKind::Shelters] />
        </article>
    }
}

#[component]
fn AlertsView(feed: Arc<AlertsFeed>, place: String) -> impl IntoView {
    let lang = use_lang();
    let here = feed.area_codes.clone();
    let real = |a: &&Alert| !a.test;
    // A copy kept offline may hold alerts that have since passed their bound: this device's
    // clock moves them to "may have ended" too.
    let now = Utc::now();
    let (in_force, late): (Vec<Alert>, Vec<Alert>) = feed
        .in_force
        .iter()
        .filter(real)
        .cloned()
        .partition(|a| !is_unconfirmed(a, now));
    let unconfirmed: Vec<Alert> = late
        .into_iter()
        .chain(feed.unconfirmed.iter().filter(real).cloned())
        .collect();
    let quake = feed
        .history
        .iter()
        .filter(real)
        .find(|a| a.source_kind == AlertSourceKind::JmaEarthquake && a.status.is_active())
        .cloned();
    let history = feed.history.clone();
    let hazards = hazards_in_force(&in_force);
    // Follows every refetch, while the rest of the page changes only with what it shows.
    let last_success = use_last_success();
    let stale = move || is_stale(last_success.get());
    let updated = move || {
        let l = lang.get();
        match last_success.get() {
            Some(t) => fill(
                raw(l, Msg::AlertsUpdated),
                &[(
                    "time",
                    &format!("{} ({})", local_time(l, t), age(l, t, Utc::now())),
                )],
            ),
            None => raw(l, Msg::AlertsNeverUpdated).to_owned(),
        }
    };
    let none_now = in_force.is_empty();
    let cards_here = here.clone();
    let cards_place = place.clone();
    // The alert in force first (at 200% text it is the first screen); when the data was last
    // updated right after it, and a warning above it only when that is old.
    view! {
        <Show when=stale>
            <p class="problem" role="alert"><T msg=Msg::AlertsStale /></p>
        </Show>
        <section aria-labelledby="alerts-now">
            <h2 id="alerts-now"><T msg=Msg::AlertsNow /></h2>
            {if none_now {
                view! { <p class="alerts-none"><T msg=Msg::AlertsNone /></p> }.into_any()
            } else {
                in_force.into_iter().map(|a| view! {
                    <AlertCard alert=a place=cards_place.clone() here=cards_here.clone() />
                }).collect_view().into_any()
            }}
            // After the alerts, not before: at large text sizes the alert itself comes first.
            <p class="alerts-updated"><Rubied text=Signal::derive(updated) /></p>
            {feed.demo_time_shift_secs.map(|_| view! { <p class="notice demo-notice"><T msg=Msg::AlertsDemo /></p> })}
        </section>
        {(!unconfirmed.is_empty()).then(|| view! {
            <section aria-labelledby="alerts-unconfirmed">
                <h2 id="alerts-unconfirmed"><T msg=Msg::AlertsUnconfirmed /></h2>
                {unconfirmed.into_iter().map(|a| view! {
                    <AlertCard alert=a place=place.clone() here=here.clone() unconfirmed=true />
                }).collect_view()}
            </section>
        })}
        {quake.map(|q| view! {
            <section aria-labelledby="alerts-quake">
                <h2 id="alerts-quake"><T msg=Msg::AlertsQuake /></h2>
                <AlertCard alert=q place=place.clone() here=here.clone() />
            </section>
        })}
        <Shelters shelters=feed.shelters.clone() hazards=hazards />
        <section aria-labelledby="alerts-history">
            <h2 id="alerts-history"><T msg=Msg::AlertsHistory /></h2>
            {if history.is_empty() {
                view! { <p><T msg=Msg::AlertsHistoryNone /></p> }.into_any()
            } else {
                view! {
                    <ul class="history">
                        {history.into_iter().map(|a| {
                            let l = lang.get_untracked();
                            let kind = kind_name(&a, l);
                            let kind_lang = kind.lang_attr(l).map(str::to_owned);
                            let kind = kind.text.into_owned();
                            view! {
                                <li class=severity_class(a.severity)>
                                    <span class="history-time"><Rubied text=alert_time(l, a.issued_at) /></span>
                                    <span class="history-kind" lang=kind_lang><Rubied text=kind /></span>
                                    <span class="history-status">
                                        <T msg=severity_word(a.severity) /> " · " <T msg=status_word(a.status) />
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The hazards the alerts in force are about, for choosing shelters designated for them.
fn hazards_in_force(alerts: &[Alert]) -> Vec<HazardType> {
    let mut out = Vec::new();
    for a in alerts {
        let name = &a.kind_name;
        let found: &[HazardType] = match a.source_kind {
            AlertSourceKind::JmaTsunami => &[HazardType::Tsunami],
            AlertSourceKind::JmaEarthquake | AlertSourceKind::JmaEew => &[HazardType::Earthquake],
            _ if name.contains("土砂") => &[HazardType::Landslide],
            _ if name.contains("大雨") => &[
                HazardType::Flood,
                HazardType::InlandFlood,
                HazardType::Landslide,
            ],
            _ if name.contains("洪水") || name.contains("氾濫") => &[HazardType::Flood],
            _ if name.contains("高潮") => &[HazardType::StormSurge],
            _ if name.contains("噴火") || name.contains("火山") => &[HazardType::Volcano],
            _ => &[],
        };
        for h in found {
            if !out.contains(h) {
                out.push(*h);
            }
        }
    }
    out
}

fn hazard_word(h: HazardType) -> Msg {
    match h {
        HazardType::Flood => Msg::HazardFlood,
        HazardType::Landslide => Msg::HazardLandslide,
        HazardType::StormSurge => Msg::HazardStormSurge,
        HazardType::Earthquake => Msg::HazardEarthquake,
        HazardType::Tsunami => Msg::HazardTsunami,
        HazardType::LargeFire => Msg::HazardFire,
        HazardType::InlandFlood => Msg::HazardInlandFlood,
        HazardType::Volcano => Msg::HazardVolcano,
    }
}

/// Where the distances are measured from.
#[derive(Clone, Copy, PartialEq)]
enum From {
    Me(f64, f64),
    Area(f64, f64),
    Nowhere,
}

/// The nearest shelters, designated for the hazards in force, from my location (asked only when
/// the resident taps) or my area's reference point. They come with the alerts feed, so they are
/// there offline too.
#[component]
fn Shelters(shelters: Vec<Shelter>, hazards: Vec<HazardType>) -> impl IntoView {
    const SHOWN: usize = 5;
    let city = expect_context::<CityData>();
    let settings = expect_context::<Settings>();
    let located = RwSignal::new(None::<(f64, f64)>);
    let locating = RwSignal::new(false);
    let denied = RwSignal::new(false);
    let only_hazards = RwSignal::new(!hazards.is_empty());
    let origin = move || {
        if let Some((lat, lon)) = located.get() {
            return From::Me(lat, lon);
        }
        let point = city
            .get()
            .and_then(|f| f.area(settings.area.get()?.as_str())?.point);
        match point {
            Some((lat, lon)) => From::Area(lat, lon),
            None => From::Nowhere,
        }
    };
    let locate = move |_| {
        locating.set(true);
        denied.set(false);
        crate::geo::locate(move |result| {
            locating.set(false);
            match result {
                Some(p) => located.set(Some(p)),
                None => denied.set(true),
            }
        });
    };
    let has_hazards = !hazards.is_empty();
    let hazards = StoredValue::new(hazards);
    let shelters = StoredValue::new(shelters);
    let list = move || {
        let from = origin();
        let filter = only_hazards.get();
        let mut rows: Vec<(Option<f64>, Shelter)> = shelters.with_value(|all| {
            all.iter()
                .filter(|s| {
                    !filter || hazards.with_value(|h| h.iter().any(|h| s.hazards.contains(h)))
                })
                .map(|s| {
                    let d = match from {
                        From::Me(lat, lon) | From::Area(lat, lon) => {
                            Some(haversine_km(lat, lon, s.lat, s.lon))
                        }
                        From::Nowhere => None,
                    };
                    (d, s.clone())
                })
                .collect()
        });
        rows.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        if rows.is_empty() {
            return view! { <p><T msg=Msg::SheltersNone /></p> }.into_any();
        }
        view! {
            <ol class="shelters">
                {rows.into_iter().take(SHOWN).map(|(d, s)| {
                    let distance = d.map(crate::geo::distance_text);
                    let directions = crate::geo::directions_url(s.lat, s.lon);
                    view! {
                        <li class="card shelter">
                            <h3 lang="ja">{s.name.clone()}</h3>
                            {distance.map(|d| view! { <p class="shelter-distance">{d}</p> })}
                            <p class="shelter-address" lang="ja">{s.address.clone()}</p>
                            <ul class="hazard-list" aria-label=tr(Msg::SheltersFor)>
                                {s.hazards.iter().map(|h| view! { <li><T msg=hazard_word(*h) /></li> }).collect_view()}
                            </ul>
                            <a class="button" href=directions target="_blank" rel="noopener">
                                <T msg=Msg::SheltersDirections />
                                <span class="sr-only" lang="ja">{format!("（{}）", s.name)}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any()
    };
    let from_text = move || match origin() {
        From::Me(..) => Some(Msg::SheltersFromMe),
        From::Area(..) => Some(Msg::SheltersFromArea),
        From::Nowhere => None,
    };
    view! {
        <section aria-labelledby="alerts-shelters">
            <h2 id="alerts-shelters"><T msg=Msg::SheltersTitle /></h2>
            {move || from_text().map(|m| view! { <p class="hint"><T msg=m /></p> })}
            <button type="button" class="button" on:click=locate disabled=move || locating.get()>
                <T msg=Msg::SheltersLocate />
            </button>
            <Show when=move || denied.get()>
                <p class="notice" role="status"><T msg=Msg::SheltersLocateFailed /></p>
            </Show>
            {has_hazards.then(|| view! {
                <label class="choice">
                    <input type="checkbox" prop:checked=move || only_hazards.get()
                        on:change=move |ev| only_hazards.set(event_target_checked(&ev)) />
                    <span><T msg=Msg::SheltersOnlyHazards /></span>
                </label>
            })}
            {list}
        </section>
    }
}
