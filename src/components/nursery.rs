//! Nursery pieces shared by the Nursery pages, Today and Settings: the city's nursery feed
//! (fetched only where nurseries are shown), classes, places and times in words, following a
//! nursery (saved on the device; sent to the hub as a push topic when notifications are on), the
//! Today card and the list of follows for Settings.

use crate::feeds::{CityData, FeedProblem};
use crate::i18n::{count, fill, long_date, raw, use_lang, Lang, Msg, Rubied, T};
use crate::push::{self, Place, Support};
use crate::settings::{Follow, Settings};
use leptos::prelude::*;
use leptos::task::spawn_local;
use machi_data::nursery::{FacilityKind, Places};
use machi_data::push::NurseryFollow;
use machi_data::NurseryFeed;
use std::sync::Arc;

/// The chosen city's nursery feed (asked for on first use): `None` while loading.
pub fn use_nursery() -> Signal<Option<Result<Option<Arc<NurseryFeed>>, FeedProblem>>> {
    let city = expect_context::<CityData>();
    city.nursery_wanted.set(true);
    Signal::derive(move || city.nursery.get().flatten())
}

/// "Age 1 class", "1歳児クラス".
pub fn class_text(lang: Lang, class: u8) -> String {
    fill(raw(lang, Msg::NurseryClass), &[("n", &class.to_string())])
}

/// What a vacancy cell says, in words; `None`: the table has no row for the facility.
pub fn places_text(lang: Lang, places: Option<Places>) -> String {
    let msg = match places {
        Some(Places::Count(0)) => Msg::NurseryPlacesNone,
        Some(Places::Count(n)) => return count(lang, Msg::NurseryPlacesCount, n.into()),
        Some(Places::Some) => Msg::NurseryPlacesSome,
        Some(Places::Undisclosed) => Msg::NurseryPlacesUndisclosed,
        Some(Places::NoClass) => Msg::NurseryPlacesNoClass,
        None => Msg::NurseryPlacesUnknown,
    };
    raw(lang, msg).to_owned()
}

/// A CSS class for a places cell: open, full, or neither.
pub fn places_class(places: Option<Places>) -> &'static str {
    match places {
        Some(p) if p.is_open() => "places places-open",
        Some(Places::Count(0)) => "places places-full",
        _ => "places places-none",
    }
}

/// Minutes after midnight as `7:30`.
pub fn clock(minutes: u16) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The date of a table, as the language writes dates.
pub fn as_of_text(lang: Lang, date: chrono::NaiveDate) -> String {
    long_date(lang, date)
}

pub fn kind_msg(kind: FacilityKind) -> Msg {
    match kind {
        FacilityKind::Licensed => Msg::NurseryKindLicensed,
        FacilityKind::Small => Msg::NurseryKindSmall,
        FacilityKind::CertifiedCentre => Msg::NurseryKindCertifiedCentre,
        FacilityKind::Home => Msg::NurseryKindHome,
        FacilityKind::Workplace => Msg::NurseryKindWorkplace,
        FacilityKind::Unlicensed => Msg::NurseryKindUnlicensed,
        FacilityKind::Kindergarten => Msg::NurseryKindKindergarten,
        FacilityKind::Other => Msg::NurseryKindOther,
    }
}

/// Sends the follows of the chosen city to the hub as the subscription's nursery topic, when
/// notifications are on or can be asked for; otherwise the follows stay on the device only.
/// Returns the message to show.
pub async fn sync_follows(settings: Settings, language: &'static str) -> Result<Msg, String> {
    let (Some(city), Some(area)) = (settings.city.get_untracked(), settings.area.get_untracked())
    else {
        return Ok(Msg::NurseryFollowLocal);
    };
    let follows: Vec<NurseryFollow> = settings.nursery.with_untracked(|n| {
        n.follows
            .iter()
            .filter(|f| f.city == city)
            .map(|f| NurseryFollow {
                facility: f.facility.clone(),
                class: f.class,
            })
            .collect()
    });
    let current = settings.push.get_untracked();
    let blocked = matches!(push::support(), Support::Unsupported | Support::Denied);
    if current.is_none() && (follows.is_empty() || blocked) {
        return Ok(Msg::NurseryFollowLocal);
    }
    let mut topics = current
        .as_ref()
        .map(|s| s.topics.clone())
        .unwrap_or_default();
    topics.nursery = follows;
    let place = Place {
        city: &city,
        area: &area,
        language,
    };
    match push::apply(current, topics, place).await {
        Ok(saved) => {
            let on = saved.is_some();
            settings.push.set(saved);
            Ok(if on {
                Msg::NurseryFollowSaved
            } else {
                Msg::NurseryUnfollowed
            })
        }
        Err(code) if code == "denied" || code == "dismissed" => Ok(Msg::NurseryFollowLocal),
        Err(code) => Err(code),
    }
}

/// Follows (or, with `on` false, stops following) a nursery for a class, and tells the hub.
/// `done` gets what to show.
pub fn set_follow(
    settings: Settings,
    lang: Lang,
    follow: Follow,
    on: bool,
    done: impl Fn(String) + 'static,
) {
    settings.nursery.update(|n| {
        n.follows.retain(|f| {
            !(f.city == follow.city && f.facility == follow.facility && f.class == follow.class)
        });
        if on {
            n.follows.push(follow);
        }
    });
    spawn_local(async move {
        let shown = match sync_follows(settings, lang.code()).await {
            Ok(Msg::NurseryFollowSaved | Msg::NurseryFollowLocal) if !on => {
                raw(lang, Msg::NurseryUnfollowed).to_owned()
            }
            Ok(msg) => raw(lang, msg).to_owned(),
            Err(code) => fill(raw(lang, Msg::NotifyFailed), &[("code", &code)]),
        };
        done(shown);
    });
}

/// Today: the followed nurseries of my city that have a place for the followed class now.
#[component]
pub fn NurseryToday() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let follows = move || {
        let here = settings.city.get().unwrap_or_default();
        settings.nursery.with(|n| {
            n.follows
                .iter()
                .filter(|f| f.city == here)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // Only a parent who follows a nursery downloads the nursery table on Today.
    Effect::new(move |_| {
        if !follows().is_empty() {
            city.nursery_wanted.set(true);
        }
    });
    let open = move || {
        let feed = city.nursery.get().flatten()?.ok()??;
        let month = feed.months.first()?;
        let l = lang.get();
        // (link, text before the name, the name as published, text after it)
        let lines: Vec<(String, String, String, String)> = follows()
            .into_iter()
            .filter_map(|f| {
                let i = feed.facility(&f.facility)?;
                let places = month.row(i)?.places_for(f.class)?;
                places.is_open().then(|| {
                    let text = fill(
                        raw(l, Msg::NurseryTodayOpen),
                        &[
                            ("class", &class_text(l, f.class)),
                            ("date", &as_of_text(l, month.as_of)),
                        ],
                    );
                    let (before, after) = text.split_once("{name}").unwrap_or(("", &text));
                    (
                        format!("/nursery/{}", f.facility),
                        before.to_owned(),
                        feed.facilities[i as usize].name.clone(),
                        after.to_owned(),
                    )
                })
            })
            .collect();
        (!lines.is_empty()).then_some(lines)
    };
    move || {
        open().map(|lines| {
            view! {
                <section class="today-nursery card" aria-labelledby="today-nursery">
                    <h2 id="today-nursery"><T msg=Msg::NurseryFollowsTitle /></h2>
                    <ul>
                        {lines.into_iter().map(|(href, before, name, after)| view! {
                            <li><a href=href>
                                <Rubied text=before /><span lang="ja">{name}</span><Rubied text=after />
                            </a></li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// Settings: every followed nursery, with a way to stop following each.
#[component]
pub fn FollowedNurseries() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let lang = use_lang();
    let status = RwSignal::new(String::new());
    let follows = move || settings.nursery.with(|n| n.follows.clone());
    view! {
        <section aria-labelledby="settings-nursery" class="followed-nurseries">
            <h2 id="settings-nursery"><T msg=Msg::NurseryFollowsTitle /></h2>
            {move || {
                let list = follows();
                if list.is_empty() {
                    return view! { <p><T msg=Msg::NurseryFollowsNone /></p> }.into_any();
                }
                view! {
                    <ul class="follows">
                        {list.into_iter().map(|f| {
                            let l = lang.get_untracked();
                            let class = class_text(l, f.class);
                            let href = format!("/nursery/{}", f.facility);
                            let label = format!("{} {} {}", raw(l, Msg::NurseryUnfollow), f.name, class);
                            let name = f.name.clone();
                            view! {
                                <li>
                                    <a href=href lang="ja">{name}</a>
                                    " · " <Rubied text=class />
                                    <button type="button" class="button" aria-label=label
                                        on:click=move |_| {
                                            set_follow(settings, lang.get_untracked(), f.clone(), false,
                                                move |s| status.set(s));
                                        }>
                                        <T msg=Msg::NurseryUnfollow />
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p role="status" class="notify-status"><Rubied text=status /></p>
        </section>
    }
}
