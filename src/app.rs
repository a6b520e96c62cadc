//! The app's root: the providers (settings, status, the chosen city's feeds), the router, the
//! header and the bottom navigation. Nothing imports this module: it is the top of the app.

use crate::components::{Icon, IconName, StatusBar};
use crate::feeds::CityData;
use crate::i18n::{tr, use_lang, Msg, T};
use crate::pages;
use crate::pwa::Status;
use crate::router::{use_path, Router};
use crate::settings::Settings;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let settings = Settings::provide();
    Status::provide();
    CityData::provide(move || settings.city.get());
    let path = Router::provide().path();

    view! {
        <a class="skip-link" href="#main" on:click=|ev| {
            // Focus, not just scroll: keyboard users continue from the content.
            ev.prevent_default();
            focus_main();
        }><T msg=Msg::SkipToContent /></a>
        <Header />
        <main id="main" tabindex="-1">
            {move || page(&path.get())}
        </main>
        <BottomNav />
        <FocusOnNavigation />
    }
}

/// The page for a path: the app's whole routing table.
fn page(path: &str) -> AnyView {
    match path.trim_end_matches('/') {
        "" => view! { <pages::Today /> }.into_any(),
        "/welcome" => view! { <pages::Welcome /> }.into_any(),
        "/garbage" => view! { <pages::Garbage /> }.into_any(),
        "/alerts" => view! { <pages::Alerts /> }.into_any(),
        "/nursery" => view! { <pages::Nursery /> }.into_any(),
        "/meetings" => view! { <pages::Meetings past=false /> }.into_any(),
        "/meetings/past" => view! { <pages::Meetings past=true /> }.into_any(),
        "/settings" => view! { <pages::SettingsPage /> }.into_any(),
        "/about" => view! { <pages::About /> }.into_any(),
        other => {
            let one = |prefix| {
                other
                    .strip_prefix(prefix)
                    .filter(|c: &&str| !c.contains('/'))
            };
            match (one("/c/"), one("/meetings/")) {
                (Some(city), _) => view! { <pages::CityLink city=city.to_owned() /> }.into_any(),
                (_, Some(id)) => view! { <pages::MeetingPage id=id.to_owned() /> }.into_any(),
                _ => view! { <pages::NotFound /> }.into_any(),
            }
        }
    }
}

/// After a client-side navigation, moves focus to the new page's content, as a full page load
/// would reset it: screen readers then read the new page, and Tab continues inside it.
#[component]
fn FocusOnNavigation() -> impl IntoView {
    let path = use_path();
    Effect::new(move |previous: Option<String>| {
        let path = path.get();
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
                <a href="/" class="app-name"><T msg=Msg::AppName /></a>
                <span class="app-place">{place}</span>
            </div>
            <StatusBar as_of=as_of stale=stale />
        </header>
    }
}

#[component]
fn BottomNav() -> impl IntoView {
    let path = use_path();
    let hidden = move || path.get() == "/welcome";
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
                            <a href=href aria-current=move || (path.get() == href).then_some("page")>
                                <Icon name=icon />
                                <span class="bottom-nav-label"><T msg=msg /></span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </nav>
        </Show>
    }
}
