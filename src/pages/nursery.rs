//! The Nursery pages. The list (`/nursery`): the places for my child's age class at every
//! facility, with filters (places, type, pick-up time, temporary care, distance) and sorting,
//! the "as of" date first. A facility (`/nursery/{id}`): places and waiting children per class
//! with the change since the last table, the months the hub kept, address, phone and web site,
//! read-aloud, and following it for a push when a place opens.
//!
//! The feed is read once; filtering is a pass over the facilities in memory (Yokohama's 1,221
//! take well under a millisecond, see `crates/machi-data/benches/nursery.rs`), and the list shows
//! [`PAGE`] at a time so a phone never lays out a thousand cards.

use crate::components::nursery::{
    as_of_text, class_text, clock, kind_msg, places_class, places_text, set_follow, use_nursery,
};
use crate::components::{ProblemView, ReadAloud, SourceNote};
use crate::feeds::CityData;
use crate::i18n::{count, fill, plain, raw, use_lang, Lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::routes::Page;
use crate::settings::{Follow, Settings};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use machi_data::feed::SourceKind;
use machi_data::nursery::{
    age_class, filter, fiscal_year, AgeClass, Facility, FacilityKind, Filter, Places, Sort,
};
use machi_data::NurseryFeed;
use std::sync::Arc;

/// Cards shown at a time.
const PAGE: usize = 30;
const NURSERY_SOURCES: &[SourceKind] =
    &[SourceKind::NurseryFacilities, SourceKind::NurseryVacancies];

/// The class the page shows places for: the one chosen, else the class from the birth date,
/// else the 0歳児クラス.
fn chosen_class(settings: Settings, today: chrono::NaiveDate) -> u8 {
    settings.nursery.with(|n| {
        n.class.unwrap_or_else(|| {
            birth(n.birth.as_deref())
                .and_then(|b| age_class(b, fiscal_year(today)).class())
                .unwrap_or(0)
        })
    })
}

fn birth(text: Option<&str>) -> Option<chrono::NaiveDate> {
    machi_data::time::parse_date(text?)
}

/// The body of a page over the nursery feed: loading, the problem, "no source", or `ready`.
fn with_feed(ready: impl Fn(Arc<NurseryFeed>) -> AnyView + Send + Sync + 'static) -> impl IntoView {
    let feed = use_nursery();
    move || match feed.get() {
        None => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
        Some(Err(p)) => view! { <ProblemView problem=p /> }.into_any(),
        Some(Ok(None)) => view! { <p class="notice"><T msg=Msg::NurseryNoSource /></p> }.into_any(),
        Some(Ok(Some(feed))) => ready(feed),
    }
}

#[component]
pub fn Nursery() -> impl IntoView {
    use_page_title(Msg::NurseryTitle);
    view! {
        <article class="page nursery">
            <h1><T msg=Msg::NurseryTitle /></h1>
            {with_feed(|feed| view! { <NurseryList feed=feed /> }.into_any())}
            <SourceNote kinds=NURSERY_SOURCES />
        </article>
    }
}

/// "As of 1 December (the city updates this monthly)", and a warning when a source is stale.
#[component]
fn AsOf(feed: Arc<NurseryFeed>) -> impl IntoView {
    let lang = use_lang();
    let city = expect_context::<CityData>();
    let date = feed.months.first().map(|m| m.as_of);
    let l = lang.get_untracked();
    let text = match date {
        Some(d) => fill(raw(l, Msg::NurseryAsOf), &[("date", &as_of_text(l, d))]),
        None => raw(l, Msg::NurseryAsOfNone).to_owned(),
    };
    let stale = move || {
        city.get().is_some_and(|f| {
            f.sources
                .iter()
                .any(|s| NURSERY_SOURCES.contains(&s.kind) && s.stale)
        })
    };
    view! {
        <p class="nursery-as-of"><Rubied text=text /></p>
        <Show when=stale>
            <p class="problem" role="alert"><T msg=Msg::NurseryStale /></p>
        </Show>
    }
}

#[component]
fn NurseryList(feed: Arc<NurseryFeed>) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let today = city.today();
    let class = Memo::new(move |_| chosen_class(settings, today));
    let shown = RwSignal::new(PAGE);
    // The parent's filters as one signal (class and origin are filled in when the list is
    // computed): one signal type instead of six is less of the reactive system in the wasm.
    let chosen = RwSignal::new(Filter::default());
    let set = move |change: &dyn Fn(&mut Filter)| {
        chosen.update(|f| change(f));
        shown.set(PAGE);
    };
    let located = RwSignal::new(None::<(f64, f64)>);
    let locating = RwSignal::new(false);
    let denied = RwSignal::new(false);
    let area_point = move || {
        city.get()
            .and_then(|f| f.area(settings.area.get()?.as_str())?.point)
    };
    let origin = move || located.get().or_else(area_point);
    let kinds: Vec<FacilityKind> = FacilityKind::ALL
        .into_iter()
        .filter(|k| feed.facilities.iter().any(|f| f.kind == *k))
        .collect();
    let feed = StoredValue::new(feed);

    // Every facility that passes the filters, sorted: (index, distance in km).
    let rows = Memo::new(move |_| {
        let f = Filter {
            class: class.get(),
            from: origin(),
            ..chosen.get()
        };
        feed.with_value(|feed| filter(feed, &f))
    });
    let locate = move |_| {
        locating.set(true);
        denied.set(false);
        crate::geo::locate(move |result| {
            locating.set(false);
            match result {
                Some(p) => {
                    located.set(Some(p));
                    chosen.update(|f| f.sort = Sort::Distance);
                }
                None => denied.set(true),
            }
        });
    };
    let class_lines = move || {
        let l = lang.get();
        let b = settings.nursery.with(|n| birth(n.birth.as_deref()))?;
        let year = fiscal_year(today);
        let word = |c: AgeClass| match c {
            AgeClass::Class(n) => class_text(l, n),
            AgeClass::NotYetBorn => raw(l, Msg::NurseryClassNotBorn).to_owned(),
            AgeClass::SchoolAge => raw(l, Msg::NurseryClassSchool).to_owned(),
        };
        let line = |msg, y: i32| {
            fill(
                raw(l, msg),
                &[("year", &y.to_string()), ("class", &word(age_class(b, y)))],
            )
        };
        Some((
            line(Msg::NurseryClassNow, year),
            line(Msg::NurseryClassNext, year + 1),
            age_class(b, year + 1).class(),
        ))
    };
    let on_birth = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let class = birth(Some(&value)).and_then(|b| age_class(b, fiscal_year(today)).class());
        settings.nursery.update(|n| {
            n.birth = (!value.is_empty()).then_some(value);
            n.class = class;
        });
        shown.set(PAGE);
    };
    let select_number = |ev: &leptos::ev::Event| event_target_value(ev).parse::<u16>().ok();
    // The language changes only in Settings, and a page is made anew when it is opened: its
    // fixed texts are written once (each reactive text is code in the wasm).
    let l = lang.get_untracked();
    let unjoined = feed.with_value(|f| f.unjoined.clone());

    view! {
        {feed.with_value(|f| view! { <AsOf feed=f.clone() /> })}
        <label class="field nursery-class">
            <span><T msg=Msg::NurseryClassLabel /></span>
            <select name="nursery-class"
                on:change=move |ev| {
                    let c = select_number(&ev).map(|c| c as u8);
                    settings.nursery.update(|n| n.class = c);
                    shown.set(PAGE);
                }>
                {(0..6u8).map(|c| view! {
                    <option value=c.to_string() selected=move || class.get() == c>
                        {class_text(l, c)}
                    </option>
                }).collect_view()}
            </select>
        </label>
        // Closed, so the list comes first; the birth date is asked for inside.
        <details class="nursery-child">
            <summary><T msg=Msg::NurseryChildTitle /></summary>
            <label class="field">
                <span><T msg=Msg::NurseryBirthLabel /></span>
                <input type="date" name="nursery-birth" autocomplete="off"
                    prop:value=move || settings.nursery.with(|n| n.birth.clone().unwrap_or_default())
                    on:change=on_birth />
            </label>
            {move || class_lines().map(|(now, next, next_class)| view! {
                <p class="nursery-class-line"><Rubied text=now /></p>
                <p class="nursery-class-line"><Rubied text=next /></p>
                {next_class.map(|c| view! {
                    <button type="button" class="button"
                        on:click=move |_| settings.nursery.update(|n| n.class = Some(c))>
                        <T msg=Msg::NurseryUseNext />
                    </button>
                })}
            })}
            <p class="nursery-rule"><T msg=Msg::NurseryRule /></p>
        </details>
        <details class="nursery-filters">
            <summary><T msg=Msg::NurseryFilters /></summary>
            <label class="choice">
                <input type="checkbox" name="nursery-open" prop:checked=move || chosen.get().open_only
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|f| f.open_only = on); } />
                <span><T msg=Msg::NurseryFilterOpen /></span>
            </label>
            <label class="field">
                <span><T msg=Msg::NurseryFilterKind /></span>
                <select name="nursery-kind" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let k = v.parse::<usize>().ok().and_then(|i| FacilityKind::ALL.get(i).copied());
                    set(&|f| f.kind = k);
                }>
                    <option value="">{plain(raw(l, Msg::NurseryKindAll))}</option>
                    {kinds.into_iter().map(|k| view! {
                        <option value=kind_index(k)>{plain(raw(l, kind_msg(k)))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span><T msg=Msg::NurseryFilterPickup /></span>
                <select name="nursery-pickup" on:change=move |ev| { let t = select_number(&ev); set(&|f| f.pickup = t); }>
                    <option value="">{plain(raw(l, Msg::NurseryPickupAny))}</option>
                    {[18 * 60, 19 * 60, 20 * 60, 21 * 60].into_iter().map(|t| view! {
                        <option value=t.to_string()>
                            {fill(raw(l, Msg::NurseryPickupAfter), &[("time", &clock(t))])}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label class="choice">
                <input type="checkbox" name="nursery-temporary" prop:checked=move || chosen.get().temporary
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|f| f.temporary = on); } />
                <span><T msg=Msg::NurseryFilterTemporary /></span>
            </label>
            <label class="field">
                <span><T msg=Msg::NurseryFilterDistance /></span>
                <select name="nursery-distance" on:change=move |ev| {
                    // Whole kilometres: parsing an f64 would cost 4 KB of wasm.
                    let km = event_target_value(&ev).parse::<u8>().ok().map(f64::from);
                    set(&|f| f.within_km = km);
                }>
                    <option value="">{plain(raw(l, Msg::NurseryDistanceAny))}</option>
                    {[1u8, 2, 5].into_iter().map(|km| view! {
                        <option value=km.to_string()>
                            {fill(raw(l, Msg::NurseryWithin), &[("km", &km.to_string())])}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span><T msg=Msg::NurserySort /></span>
                <select name="nursery-sort" on:change=move |ev| {
                    let sort = match event_target_value(&ev).as_str() {
                        "places" => Sort::Places,
                        "name" => Sort::Name,
                        _ => Sort::Distance,
                    };
                    chosen.update(|f| f.sort = sort);
                }>
                    <option value="distance" selected=move || chosen.get().sort == Sort::Distance>{plain(raw(l, Msg::NurserySortDistance))}</option>
                    <option value="places" selected=move || chosen.get().sort == Sort::Places>{plain(raw(l, Msg::NurserySortPlaces))}</option>
                    <option value="name" selected=move || chosen.get().sort == Sort::Name>{plain(raw(l, Msg::NurserySortName))}</option>
                </select>
            </label>
            <button type="button" class="button" on:click=locate disabled=move || locating.get()>
                <T msg=Msg::SheltersLocate />
            </button>
            <Show when=move || denied.get()>
                <p class="notice" role="status"><T msg=Msg::SheltersLocateFailed /></p>
            </Show>
        </details>
        {move || {
            let msg = if located.get().is_some() { Some(Msg::SheltersFromMe) } else if area_point().is_some() { Some(Msg::SheltersFromArea) } else { None };
            msg.map(|m| view! { <p class="hint"><T msg=m /></p> })
        }}
        <p class="nursery-count" role="status">
            {move || count(lang.get(), Msg::NurseryCount, rows.with(Vec::len) as i64)}
        </p>
        {move || {
            let list = rows.get();
            if list.is_empty() {
                return view! { <p class="notice"><T msg=Msg::NurseryNoneMatch /></p> }.into_any();
            }
            let rest = list.len().saturating_sub(shown.get());
            let c = class.get_untracked();
            view! {
                <ul class="nursery-list">
                    {list.into_iter().take(shown.get()).map(|(i, d)| feed.with_value(|feed| {
                        view! { <FacilityCard feed=feed.clone() index=i distance=d class=c /> }
                    })).collect_view()}
                </ul>
                {(rest > 0).then(|| view! {
                    <button type="button" class="button" on:click=move |_| shown.update(|s| *s += PAGE)>
                        {count(l, Msg::NurseryMore, rest as i64)}
                    </button>
                })}
            }.into_any()
        }}
        {(!unjoined.is_empty()).then(|| view! {
            <details class="nursery-unjoined">
                <summary><T msg=Msg::NurseryUnjoined /></summary>
                <ul lang="ja">{unjoined.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            </details>
        })}
    }
}

/// A kind's value in the kind filter: its place in [`FacilityKind::ALL`] (Debug text is not
/// for logic, and the app's release build drops it).
fn kind_index(kind: FacilityKind) -> String {
    FacilityKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0)
        .to_string()
}

/// What the facility's hours say: `Open 7:00–19:00 · Extended care until 20:00`.
fn hours_text(l: Lang, f: &Facility) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(o), Some(c)) = (f.opens, f.closes) {
        out.push(fill(
            raw(l, Msg::NurseryHours),
            &[("open", &clock(o)), ("close", &clock(c))],
        ));
    }
    match (f.extended_until, f.extended) {
        (Some(t), _) => out.push(fill(raw(l, Msg::NurseryExtended), &[("time", &clock(t))])),
        (None, Some(true)) => out.push(raw(l, Msg::NurseryExtendedYes).to_owned()),
        _ => {}
    }
    if f.temporary_care == Some(true) {
        out.push(raw(l, Msg::NurseryTemporary).to_owned());
    }
    out
}

/// One facility in the list: name, places for the class (and waiting), the change since the
/// last table, type, distance, hours.
#[component]
fn FacilityCard(
    feed: Arc<NurseryFeed>,
    index: usize,
    distance: Option<f64>,
    class: u8,
) -> impl IntoView {
    let lang = use_lang();
    let l = lang.get_untracked();
    let f = &feed.facilities[index];
    let i = index as u32;
    let now = feed.months.first().and_then(|m| m.row(i));
    let places = now.and_then(|r| r.places_for(class));
    let waiting = now
        .and_then(|r| r.waiting)
        .and_then(|w| w[usize::from(class)]);
    let flag = now.is_some_and(|r| r.places.is_none() && r.any.is_some());
    let before = feed
        .months
        .get(1)
        .and_then(|m| m.row(i))
        .and_then(|r| r.places_for(class));
    let changed = feed.months.len() > 1 && places != before;
    let opened =
        changed && places.is_some_and(Places::is_open) && !before.is_some_and(Places::is_open);
    let mut meta = vec![raw(l, kind_msg(f.kind)).to_owned()];
    meta.extend(distance.map(crate::geo::distance_text));
    meta.extend(hours_text(l, f));
    let before_text = changed.then(|| {
        fill(
            raw(l, Msg::NurseryLastMonth),
            &[
                ("date", &as_of_text(l, feed.months[1].as_of)),
                ("places", &places_text(l, before)),
            ],
        )
    });
    view! {
        <li class="card nursery-card">
            <h2 lang="ja"><a href=format!("/nursery/{}", f.id)>{f.name.clone()}</a></h2>
            <p class=places_class(places)>
                <strong><Rubied text=places_text(l, places) /></strong>
                {waiting.map(|n| view! { " · " <Rubied text=count(l, Msg::NurseryWaiting, n.into()) /> })}
            </p>
            {flag.then(|| view! { <p class="hint"><T msg=Msg::NurseryFlagNote /></p> })}
            {opened.then(|| view! { <p class="nursery-opened"><T msg=Msg::NurseryOpened /></p> })}
            {before_text.map(|t| view! { <p class="nursery-before"><Rubied text=t /></p> })}
            <p class="nursery-meta"><Rubied text=meta.join(" · ") /></p>
        </li>
    }
}

#[component]
pub fn NurseryFacility() -> impl IntoView {
    use_page_title(Msg::NurseryTitle);
    let params = use_params_map();
    view! {
        <article class="page nursery-facility">
            <p><A href=Page::Nursery.path()><T msg=Msg::NurseryBack /></A></p>
            {with_feed(move |feed| match params.with(|p| p.get("id")).and_then(|id| feed.facility(&id)) {
                Some(i) => view! { <FacilityView feed=feed index=i as usize /> }.into_any(),
                None => view! {
                    <h1><T msg=Msg::NurseryTitle /></h1>
                    <p class="notice"><T msg=Msg::NurseryNotFound /></p>
                }.into_any(),
            })}
            <SourceNote kinds=NURSERY_SOURCES />
        </article>
    }
}

#[component]
fn FacilityView(feed: Arc<NurseryFeed>, index: usize) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let today = city.today();
    let class = Memo::new(move |_| chosen_class(settings, today));
    let f = feed.facilities[index].clone();
    let i = index as u32;
    let status = RwSignal::new(String::new());
    let months = StoredValue::new(feed.months.clone());
    let place_of = move |m: usize, c: u8| {
        months.with_value(|ms| {
            ms.get(m)
                .and_then(|m| m.row(i))
                .and_then(|r| r.places_for(c))
        })
    };
    let waiting_of = move |m: usize, c: u8| {
        months.with_value(|ms| {
            ms.get(m)
                .and_then(|m| m.row(i))
                .and_then(|r| r.waiting)
                .and_then(|w| w[usize::from(c)])
        })
    };
    let as_of = months.with_value(|ms| ms.first().map(|m| m.as_of));
    let before_date = months.with_value(|ms| ms.get(1).map(|m| m.as_of));
    let name = f.name.clone();
    let speech = Signal::derive({
        let name = name.clone();
        move || {
            let l = lang.get();
            let c = class.get();
            let mut s = format!(
                "{name}。{}：{}。",
                class_text(l, c),
                places_text(l, place_of(0, c))
            );
            if let Some(d) = as_of {
                s.push_str(&fill(
                    raw(l, Msg::NurseryAsOf),
                    &[("date", &as_of_text(l, d))],
                ));
            }
            crate::i18n::spoken(&s)
        }
    });
    let following = {
        let id = f.id.clone();
        move || {
            let here = settings.city.get().unwrap_or_default();
            let c = class.get();
            settings.nursery.with(|n| {
                n.follows
                    .iter()
                    .any(|x| x.city == here && x.facility == id && x.class == c)
            })
        }
    };
    let toggle = {
        let (id, name) = (f.id.clone(), f.name.clone());
        move |on: bool| {
            let follow = Follow {
                city: settings.city.get_untracked().unwrap_or_default(),
                facility: id.clone(),
                name: name.clone(),
                class: class.get_untracked(),
            };
            status.set(raw(lang.get_untracked(), Msg::NotifyWorking).to_owned());
            set_follow(settings, lang.get_untracked(), follow, on, move |s| {
                status.set(s)
            });
        }
    };
    let toggle_off = toggle.clone();
    let directions = f
        .point
        .map(|(lat, lon)| crate::geo::directions_url(lat, lon));
    let l = lang.get_untracked();
    let hours = hours_text(l, &f);
    let history_rows = months.with_value(Vec::len);
    view! {
        <h1 lang="ja">{name.clone()}</h1>
        <p class="nursery-kind">
            <T msg=kind_msg(f.kind) />
            {f.kind_label.clone().map(|k| view! { " (" <span lang="ja">{k}</span> ")" })}
        </p>
        {as_of.map(|d| view! {
            <p class="nursery-as-of">
                {fill(raw(l, Msg::NurseryAsOf), &[("date", &as_of_text(l, d))])}
            </p>
        })}
        <ReadAloud text=speech />
        <section aria-labelledby="nursery-places">
            <h2 id="nursery-places"><T msg=Msg::NurseryColPlaces /></h2>
            // At large text sizes a table may be wider than a phone: it scrolls by itself (a data
            // table keeps its two dimensions, WCAG 1.4.10) while the page never does.
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby="nursery-places-caption">
            <table class="nursery-table">
                <caption id="nursery-places-caption">
                    {as_of.map(|d| fill(raw(l, Msg::NurseryTableCaption), &[("date", &as_of_text(l, d))]))}
                </caption>
                <thead>
                    <tr>
                        <th scope="col"><T msg=Msg::NurseryColClass /></th>
                        <th scope="col"><T msg=Msg::NurseryColPlaces /></th>
                        <th scope="col"><T msg=Msg::NurseryColWaiting /></th>
                        {before_date.map(|_| view! { <th scope="col"><T msg=Msg::NurseryColBefore /></th> })}
                    </tr>
                </thead>
                <tbody>
                    {(0..6u8).map(|c| view! {
                        <tr class:mine=move || class.get() == c>
                            <th scope="row">{fill(raw(l, Msg::NurseryClassShort), &[("n", &c.to_string())])}</th>
                            <td class=places_class(place_of(0, c))>{places_text(l, place_of(0, c))}</td>
                            <td>{waiting_of(0, c).map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                            {before_date.map(|_| view! { <td>{places_text(l, place_of(1, c))}</td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
        <section aria-labelledby="nursery-follow" class="nursery-follow">
            <h2 id="nursery-follow"><T msg=Msg::NurseryFollowTitle /></h2>
            {move || if following() {
                let off = toggle_off.clone();
                view! {
                    <p><Rubied text=fill(raw(lang.get(), Msg::NurseryFollowing), &[("class", &class_text(lang.get(), class.get()))]) /></p>
                    <button type="button" class="button" on:click=move |_| off(false)><T msg=Msg::NurseryUnfollow /></button>
                }.into_any()
            } else {
                let on = toggle.clone();
                view! {
                    <button type="button" class="button primary" on:click=move |_| on(true)>
                        <Rubied text=fill(raw(lang.get(), Msg::NurseryFollow), &[("class", &class_text(lang.get(), class.get()))]) />
                    </button>
                }.into_any()
            }}
            <p role="status" class="notify-status"><Rubied text=status /></p>
        </section>
        {(history_rows > 1).then(|| view! {
            <section aria-labelledby="nursery-history">
                <h2 id="nursery-history"><T msg=Msg::NurseryHistory /></h2>
                <div class="table-scroll" role="region" tabindex="0" aria-labelledby="nursery-history-caption">
                <table class="nursery-table">
                    <caption id="nursery-history-caption">
                        {move || format!("{} · {}", raw(lang.get(), Msg::NurseryHistoryCaption), class_text(lang.get(), class.get()))}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col"><T msg=Msg::NurseryColMonth /></th>
                            <th scope="col"><T msg=Msg::NurseryColPlaces /></th>
                            <th scope="col"><T msg=Msg::NurseryColWaiting /></th>
                        </tr>
                    </thead>
                    <tbody>
                        {(0..history_rows).map(|m| {
                            let date = months.with_value(|ms| ms[m].as_of);
                            view! {
                                <tr>
                                    <th scope="row">{as_of_text(l, date)}</th>
                                    <td>{move || places_text(lang.get(), place_of(m, class.get()))}</td>
                                    <td>{move || waiting_of(m, class.get()).map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
        })}
        <section aria-labelledby="nursery-details">
            <h2 id="nursery-details"><T msg=Msg::NurseryDetails /></h2>
            <dl class="nursery-details">
                {f.address.clone().map(|a| view! {
                    <dt><T msg=Msg::NurseryAddress /></dt>
                    <dd>
                        <span lang="ja">{a}</span>
                        {directions.clone().map(|href| view! {
                            <br /><a href=href target="_blank" rel="noopener"><T msg=Msg::NurseryDirections /></a>
                        })}
                    </dd>
                })}
                {f.tel.clone().map(|t| {
                    let href = format!("tel:{}", t.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>());
                    view! { <dt><T msg=Msg::NurseryPhone /></dt><dd><a href=href>{t}</a></dd> }
                })}
                {f.url.clone().map(|u| {
                    let href = u.clone();
                    view! {
                        <dt><T msg=Msg::NurseryWebsite /></dt>
                        <dd><a href=href target="_blank" rel="noopener">{u}</a></dd>
                    }
                })}
                {(!hours.is_empty()).then(|| view! {
                    <dt><T msg=Msg::NurseryHoursLabel /></dt>
                    <dd><Rubied text=hours.join(" · ") /></dd>
                })}
                {(f.ages.is_some() || f.capacity.is_some()).then(|| view! {
                    <dt><T msg=Msg::NurseryAges /></dt>
                    <dd>
                        {f.ages.clone().map(|a| view! { <span lang="ja">{a}</span> })}
                        {f.capacity.map(|n| view! {
                            <br /><Rubied text=count(l, Msg::NurseryCapacity, n.into()) />
                        })}
                    </dd>
                })}
            </dl>
        </section>
    }
}
