//! The app's root: the providers (settings, status, the chosen city's feed), the router, the
//! header and the bottom navigation.

use crate::components::{Icon, IconName, StatusBar};
use crate::feeds::{self, FeedProblem};
use crate::i18n::{tr, use_lang, Msg, T};
use crate::pages;
use crate::pwa::Status;
use crate::settings::Settings;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;
use machi_data::CityFeed;

/// The resident's municipality, fetched from the hub (or the service worker's copy).
#[derive(Clone, Copy)]
pub struct CityData {
    /// `None` inside while no municipality is chosen.
    pub feed: LocalResource<Option<Result<CityFeed, FeedProblem>>>,
}

impl CityData {
    /// The feed when it is loaded and good.
    pub fn get(&self) -> Option<CityFeed> {
        self.feed.get().flatten().and_then(Result::ok)
    }
}

#[component]
pub fn App() -> impl IntoView {
    let settings = Settings::provide();
    Status::provide();
    let feed = LocalResource::new(move || {
        let city = settings.city.get();
        async move {
            match city {
                Some(city) => Some(feeds::city_feed(&city).await),
                None => None,
            }
        }
    });
    let city = CityData { feed };
    provide_context(city);

    view! {
        <Router>
            <a class="skip-link" href="#main" on:click=|ev| {
                // Handled here: the router would otherwise treat the fragment as a navigation.
                ev.prevent_default();
                focus_main();
            }><T msg=Msg::SkipToContent /></a>
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Today />
                    <Route path=path!("/welcome") view=pages::Welcome />
                    <Route path=path!("/c/:city") view=pages::CityLink />
                    <Route path=path!("/garbage") view=pages::Garbage />
                    <Route path=path!("/alerts") view=pages::Alerts />
                    <Route path=path!("/nursery") view=pages::Nursery />
                    <Route path=path!("/meetings") view=pages::Meetings />
                    <Route path=path!("/settings") view=pages::SettingsPage />
                    <Route path=path!("/about") view=pages::About />
                </Routes>
            </main>
            <BottomNav />
            <FocusOnNavigation />
        </Router>
    }
}

/// After a client-side navigation, moves focus to the new page's content, as a full page load
/// would reset it: screen readers then read the new page, and Tab continues inside it.
#[component]
fn FocusOnNavigation() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            focus_main();
        }
        path
    });
}

fn focus_main() {
    use wasm_bindgen::JsCast;
    if let Some(main) = document().get_element_by_id("main") {
        if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
            let _ = main.focus();
        }
    }
}

#[component]
fn Header() -> impl IntoView {
    let city = expect_context::<CityData>();
    let settings = expect_context::<Settings>();
    let lang = use_lang();
    let place = move || {
        let feed = city.get()?;
        let l = lang.get();
        let city_name = feed.name.get(l.code(), l.data_fallbacks()).to_owned();
        let area = settings.area.get().and_then(|a| feed.area(&a).cloned());
        Some(match area {
            Some(area) => format!(
                "{city_name} · {}",
                area.name.get(l.code(), l.data_fallbacks())
            ),
            None => city_name,
        })
    };
    let as_of = Signal::derive(move || city.get().and_then(|f| f.oldest_as_of()));
    let stale = Signal::derive(move || {
        city.get()
            .is_some_and(|f| f.sources.iter().any(|s| s.stale))
    });
    view! {
        <header class="app-header">
            <div class="app-header-row">
                <A href="/" attr:class="app-name"><T msg=Msg::AppName /></A>
                <span class="app-place">{place}</span>
            </div>
            <StatusBar as_of=as_of stale=stale />
        </header>
    }
}

#[component]
fn BottomNav() -> impl IntoView {
    let location = use_location();
    let hidden = move || location.pathname.get() == "/welcome";
    let label = tr(Msg::NavLabel);
    let items = [
        ("/", IconName::Today, Msg::NavToday),
        ("/garbage", IconName::Garbage, Msg::NavGarbage),
        ("/alerts", IconName::Alerts, Msg::NavAlerts),
        ("/nursery", IconName::Nursery, Msg::NavNursery),
        ("/meetings", IconName::Meetings, Msg::NavMeetings),
        ("/settings", IconName::Settings, Msg::NavSettings),
    ];
    view! {
        <Show when=move || !hidden()>
            <nav class="bottom-nav" aria-label=label>
                <ul>
                    {items.into_iter().map(|(href, icon, msg)| view! {
                        <li>
                            <A href=href exact=true>
                                <Icon name=icon />
                                <span class="bottom-nav-label"><T msg=msg /></span>
                            </A>
                        </li>
                    }).collect_view()}
                </ul>
            </nav>
        </Show>
    }
}
