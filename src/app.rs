//! The app's root: the providers (settings, status, the chosen city's feeds), the router, the
//! header and the bottom navigation. Nothing imports this module: it is the top of the app.

use crate::components::{Icon, IconName, StatusBar};
use crate::feeds::CityData;
use crate::i18n::{data_text, fill, plain, raw, tr, use_lang, Languages, LoadState, Msg, T};
use crate::pages;
use crate::pwa::Status;
use crate::routes::Page;
use crate::settings::Settings;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router, A};
use leptos_router::hooks::use_location;
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

#[component]
pub fn App() -> impl IntoView {
    let settings = Settings::provide();
    Status::provide();
    CityData::provide(move || settings.city.get());

    view! {
        <Router>
            <a class="skip-link" href="#main" on:click=|ev| {
                // Focus, not just scroll: keyboard users continue from the content. Handled here,
                // or the router would take the fragment for a navigation.
                ev.prevent_default();
                focus_main();
            }><T msg=Msg::SkipToContent /></a>
            <Header />
            <main id="main" tabindex="-1">
                // The app's whole routing table (flat: no page nests another). The paths are
                // those of `routes::Page`, which a test keeps in step with this table.
                <FlatRoutes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Today />
                    <Route path=path!("/welcome") view=pages::Welcome />
                    // Today and Welcome (a first visit) are in the main wasm; every other page
                    // is cut into its own file by wasm-split and fetched when first opened.
                    <Route path=path!("/garbage") view={Lazy::<GarbageRoute>::new()} />
                    <Route path=path!("/alerts") view={Lazy::<AlertsRoute>::new()} />
                    <Route path=path!("/nursery") view={Lazy::<NurseryRoute>::new()} />
                    <Route path=path!("/meetings") view={Lazy::<MeetingsRoute>::new()} />
                    <Route path=path!("/meetings/past") view={Lazy::<MeetingsPastRoute>::new()} />
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
                    <Route path=path!("/about") view={Lazy::<AboutRoute>::new()} />
                    <Route path=path!("/nursery/:id") view={Lazy::<NurseryFacilityRoute>::new()} />
                    <Route path=path!("/meetings/:id") view={Lazy::<MeetingRoute>::new()} />
                    <Route path=path!("/c/:city") view=pages::CityLink />
                </FlatRoutes>
            </main>
            <BottomNav />
            <FocusOnNavigation />
        </Router>
    }
}

/// A page loaded on first use: `#[lazy_route]` makes its view a split point (`#[lazy]`), which
/// `scripts/tools/wasm-bindgen` cuts out of the main wasm at build time. The pages load no data
/// of their own before the view (their feeds are the city's, already provided by `App`).
macro_rules! lazy_page {
    ($($route:ident => $view:expr;)*) => {$(
        struct $route;
        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    )*};
}

lazy_page! {
    GarbageRoute => view! { <pages::Garbage /> };
    AlertsRoute => view! { <pages::Alerts /> };
    NurseryRoute => view! { <pages::Nursery /> };
    NurseryFacilityRoute => view! { <pages::NurseryFacility /> };
    MeetingsRoute => view! { <pages::Meetings past=false /> };
    MeetingsPastRoute => view! { <pages::Meetings past=true /> };
    MeetingRoute => view! { <pages::MeetingPage /> };
    SettingsRoute => view! { <pages::SettingsPage /> };
    AboutRoute => view! { <pages::About /> };
}

/// After a client-side navigation, moves focus to the new page's content, as a full page load
/// would reset it: screen readers then read the new page, and Tab continues inside it.
#[component]
fn FocusOnNavigation() -> impl IntoView {
    let path = use_location().pathname;
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
        let area = settings.area.get().and_then(|a| feed.area(&a).cloned());
        Some(view! {
            {data_text(&feed.name, l)}
            {area.map(|a| view! { " · " {data_text(&a.name, l)} })}
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
                <A href=Page::Today.path() attr:class="app-name"><T msg=Msg::AppName /></A>
                // Its line is there as soon as a place is saved, before the feed names it, so
                // the page under the header does not move down when the name arrives.
                {move || settings.has_place().then(|| view! { <span class="app-place">{place}</span> })}
                <LanguageLink />
            </div>
            <LanguageStatus />
            <StatusBar as_of=as_of stale=stale />
        </header>
    }
}

/// The language on screen, by its own name, on every page: one tap leads to the language picker
/// (the first thing in Settings). Not on first run, which starts with the picker.
#[component]
fn LanguageLink() -> impl IntoView {
    let path = use_location().pathname;
    let lang = use_lang();
    let label = move || {
        let l = lang.get();
        format!(
            "{}: {}",
            plain(raw(l, Msg::NavLanguage)),
            l.catalogue().name
        )
    };
    // A closure, not `<Show>`: cheaper in the wasm for a link shown or not.
    move || {
        (path.get() != Page::Welcome.path()).then(|| {
            view! {
                <A href=Page::Settings.path() attr:class="lang-link" attr:aria-label=label>
                    <Icon name=IconName::Language />
                    <span lang=move || lang.get().catalogue().html_lang>{move || lang.get().catalogue().name}</span>
                </A>
            }
        })
    }
}

/// Loading a newly chosen language, or why it could not be: in the language on screen, naming
/// the chosen one by its own name.
#[component]
fn LanguageStatus() -> impl IntoView {
    let languages = expect_context::<Languages>();
    let lang = use_lang();
    let message = move || {
        let (msg, chosen) = match languages.state.get() {
            LoadState::Done => return None,
            LoadState::Loading(l) => (Msg::LanguageLoading, l),
            LoadState::Offline(l) => (Msg::LanguageOffline, l),
            LoadState::Failed(l) => (Msg::LanguageFailed, l),
        };
        let text = fill(
            raw(lang.get(), msg),
            &[("language", chosen.catalogue().name)],
        );
        Some(view! { <p class="status-language" role="status">{plain(&text)}</p> })
    };
    view! { <div class="status">{message}</div> }
}

#[component]
fn BottomNav() -> impl IntoView {
    let path = use_location().pathname;
    let hidden = move || path.get() == Page::Welcome.path();
    let label = tr(Msg::NavLabel);
    // The first three are always in the row; at large text on a phone the others move into
    // "More", so the navigation stays one row (style/main.css).
    let items = [
        (Page::Today, IconName::Today, Msg::NavToday),
        (Page::Garbage, IconName::Garbage, Msg::NavGarbage),
        (Page::Alerts, IconName::Alerts, Msg::NavAlerts),
        (Page::Nursery, IconName::Nursery, Msg::NavNursery),
        (Page::Meetings, IconName::Meetings, Msg::NavMeetings),
        (Page::Settings, IconName::Settings, Msg::NavSettings),
    ];
    let more_open = RwSignal::new(false);
    // A page chosen from "More" closes it.
    Effect::new(move |_| {
        path.track();
        more_open.set(false);
    });
    view! {
        <Show when=move || !hidden()>
            // "More" shows the others as rows above the row (each link is in the page once).
            <nav class="bottom-nav" aria-label=label
                data-more=move || if more_open.get() { "open" } else { "closed" }>
                <ul>
                    // `<A>` marks the link of the page on screen with aria-current="page"; `exact`,
                    // or Today's "/" would match every page.
                    {items.into_iter().enumerate().map(|(i, (page, icon, msg))| view! {
                        <li class=(i >= 3).then_some("nav-secondary")>
                            <A href=page.path() exact=true>
                                <Icon name=icon />
                                <span class="bottom-nav-label"><T msg=msg /></span>
                            </A>
                        </li>
                    }).collect_view()}
                    <li class="nav-more">
                        <button type="button" aria-expanded=move || more_open.get().to_string()
                            on:click=move |_| more_open.update(|open| *open = !*open)>
                            <Icon name=IconName::More />
                            <span class="bottom-nav-label"><T msg=Msg::NavMore /></span>
                        </button>
                    </li>
                </ul>
            </nav>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The routing table above and `Page` name the same paths.
    #[test]
    fn every_page_has_its_route() {
        let source = include_str!("app.rs");
        let routed: Vec<&str> = source
            .split("path!(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        for page in Page::ALL {
            assert!(routed.contains(&page.path()), "{page:?} has no route");
        }
    }
}
