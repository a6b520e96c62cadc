//! The catalogue in the app: the Leptos layer over `machi-i18n` (the language on screen as a
//! signal, loading the chosen language's texts, reactive messages, ruby rendered as `<ruby>`).
//! Everything language-neutral — [`Lang`], [`Msg`], [`raw`], [`fill`], ruby [`segments`] — is
//! machi-i18n's and re-exported here; dates, times and counts come from the browser's `Intl`
//! ([`crate::intl`]).
//!
//! The app compiles Japanese in (machi-i18n without `all-languages`) and fetches another
//! language's texts from `/i18n/<code>-<hash>.txt` (written by `machi-i18n export` into the
//! built app; the service worker keeps each file once used, so it works offline afterwards). The
//! app mounts once the starting language is there ([`prepare`]), and a later change keeps the
//! language on screen until the new one has arrived, saying what it waits for.

use leptos::prelude::*;
pub use machi_i18n::*;
// Explicit re-exports win over the glob above: dates in the app come from `Intl`.
pub use crate::intl::{long_date, month_title};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

// The app's wasm must stay lean: every language's texts compiled in would add ~90 KB brotli.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(
    !machi_i18n::EMBEDS_ALL_LANGUAGES,
    "the app must depend on machi-i18n without its `all-languages` feature"
);

/// The languages as a context. The settings own the chosen language (they choose and save it)
/// and provide it here; this module reads only this context, so it needs nothing from
/// `settings`, which depends on it.
#[derive(Clone, Copy)]
pub struct Languages {
    /// The language on screen: the chosen one once its texts are there.
    pub shown: RwSignal<Lang>,
    /// Why the chosen language could not be shown, or that it is loading.
    pub state: RwSignal<LoadState>,
}

/// Where loading the chosen language stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadState {
    Done,
    Loading(Lang),
    /// Not on this device and no network: the resident must connect once.
    Offline(Lang),
    /// The file could not be fetched or read.
    Failed(Lang),
}

thread_local! {
    /// How loading the starting language went ([`prepare`], before the app mounts).
    static START: std::cell::Cell<LoadState> = const { std::cell::Cell::new(LoadState::Done) };
}

/// Loads the language the app starts in, before it mounts (main.rs).
pub async fn prepare(lang: Lang) {
    if let Err(problem) = load(lang).await {
        START.with(|s| s.set(problem));
    } else {
        keep_offline(lang);
    }
}

/// Asks the service worker to keep the files `lang` uses.
fn keep_offline(lang: Lang) {
    crate::pwa::keep_offline(
        lang.files_needed()
            .map(|l| format!("/i18n/{}", l.catalogue().file))
            .collect(),
    );
}

/// Provides the languages for `chosen` and loads whatever a newly chosen language needs.
pub fn provide_lang(chosen: RwSignal<Lang>) -> Languages {
    let first = chosen.get_untracked();
    // Not loaded at the start (offline, never used on this device): Japanese, saying why, and
    // the saved choice kept; it is loaded as soon as the browser is online again.
    let shown = if first.files_needed().all(Lang::is_ready) {
        first
    } else {
        Lang::SOURCE
    };
    let languages = Languages {
        shown: RwSignal::new(shown),
        state: RwSignal::new(START.with(std::cell::Cell::get)),
    };
    provide_context(languages);
    let switch = move |wanted: Lang, revert: bool| {
        languages.state.set(LoadState::Loading(wanted));
        leptos::task::spawn_local(async move {
            let result = load(wanted).await;
            // The resident may have chosen again meanwhile: only the latest choice counts.
            if chosen.get_untracked() != wanted {
                return;
            }
            match result {
                Ok(()) => {
                    keep_offline(wanted);
                    languages.shown.set(wanted);
                    languages.state.set(LoadState::Done);
                }
                Err(problem) => {
                    languages.state.set(problem);
                    // A choice made now that cannot be shown goes back to the language on
                    // screen (and that is saved): the resident chooses again once online.
                    if revert {
                        chosen.set(languages.shown.get_untracked());
                    }
                }
            }
        });
    };
    Effect::new(move |previous: Option<Lang>| {
        let wanted = chosen.get();
        if previous.is_some() && wanted != languages.shown.get_untracked() {
            switch(wanted, true);
        } else if wanted == languages.shown.get_untracked()
            && matches!(languages.state.get_untracked(), LoadState::Loading(_))
        {
            // Back to the language on screen while another was loading.
            languages.state.set(LoadState::Done);
        }
        wanted
    });
    window_event_listener(leptos::ev::online, move |_| {
        let wanted = chosen.get_untracked();
        if wanted != languages.shown.get_untracked() {
            switch(wanted, false);
        }
    });
    languages
}

/// Fetches and installs every file `lang` needs: first what the inline script of index.html
/// started fetching for a returning resident (`window.machiCatalogue`), then anything missing.
async fn load(lang: Lang) -> Result<(), LoadState> {
    for text in early_texts(lang).await {
        let _ = install(&text);
    }
    for needed in lang.files_needed() {
        if needed.is_ready() {
            continue;
        }
        let url = format!("/i18n/{}", needed.catalogue().file);
        let offline = || {
            if window().navigator().on_line() {
                LoadState::Failed(lang)
            } else {
                LoadState::Offline(lang)
            }
        };
        let response = gloo_net::http::Request::get(&url)
            .send()
            .await
            .map_err(|_| offline())?;
        if !response.ok() {
            return Err(LoadState::Failed(lang));
        }
        let text = response.text().await.map_err(|_| offline())?;
        install(&text).map_err(|_| LoadState::Failed(lang))?;
    }
    Ok(())
}

/// The texts the inline script fetched, when it fetched them for `lang` (taken once).
async fn early_texts(lang: Lang) -> Vec<String> {
    let window = window();
    let key = wasm_bindgen::JsValue::from_str("machiCatalogue");
    let Ok(early) = js_sys::Reflect::get(&window, &key) else {
        return Vec::new();
    };
    if early.is_undefined() {
        return Vec::new();
    }
    let _ = js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key);
    let code = js_sys::Reflect::get(&early, &"code".into())
        .ok()
        .and_then(|c| c.as_string());
    if code.as_deref() != Some(lang.code()) {
        return Vec::new();
    }
    let Ok(texts) = js_sys::Reflect::get(&early, &"texts".into()) else {
        return Vec::new();
    };
    let Ok(texts) = JsFuture::from(texts.unchecked_into::<js_sys::Promise>()).await else {
        return Vec::new();
    };
    js_sys::Array::from(&texts)
        .iter()
        .filter_map(|t| t.as_string())
        .collect()
}

/// The language on screen.
pub fn use_lang() -> Signal<Lang> {
    let shown = expect_context::<Languages>().shown;
    Signal::derive(move || shown.get())
}

/// A reactive plain-text message, for attributes.
pub fn tr(msg: Msg) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || plain(raw(lang.get(), msg))
}

/// Catalogue text rendered with its furigana as `<ruby>`.
#[component]
pub fn Rubied(#[prop(into)] text: Signal<String>) -> impl IntoView {
    move || {
        segments(&text.get())
            .into_iter()
            .map(|s| match s {
                Segment::Text(t) => view! { {t.to_owned()} }.into_any(),
                Segment::Ruby { base, reading } => view! {
                    <ruby>{base.to_owned()}<rp>"("</rp><rt>{reading.to_owned()}</rt><rp>")"</rp></ruby>
                }
                .into_any(),
            })
            .collect_view()
    }
}

/// One catalogue message in the current language. A message the language lacks is shown in the
/// language it falls back to, marked with that language's `lang` (never silently).
#[component]
pub fn T(msg: Msg) -> impl IntoView {
    let lang = use_lang();
    move || {
        let page = lang.get();
        let (text, found) = raw_in(page, msg);
        let found = found.catalogue().html_lang;
        let text = text.to_owned();
        if found == page.catalogue().html_lang {
            view! { <Rubied text=text /> }.into_any()
        } else {
            view! { <span lang=found><Rubied text=text /></span> }.into_any()
        }
    }
}

/// The text of `msg` counting `n`, in the plural form and digits `lang` uses (`{n}` filled).
pub fn count(lang: Lang, msg: Msg, n: i64) -> String {
    let category = crate::intl::plural_category(lang, n);
    fill(
        plural(lang, msg, &category),
        &[("n", &crate::intl::number(lang, n))],
    )
}

/// A city's data text (a name) for the page's language: its own language's text, else a
/// fallback's, else the Japanese; marked with that language's `lang` when it is not the page's
/// (never a silent fallback: screen readers switch voice).
pub fn data_text(text: &machi_data::text::LocalizedText, page: Lang) -> AnyView {
    let found = text.in_lang(page);
    let lang = found.lang_attr(page).map(str::to_owned);
    view! { <span lang=lang>{found.text.into_owned()}</span> }.into_any()
}

/// A catalogue template (`{city} · {area}`) filled with data texts, each marked as [`data_text`]
/// marks it.
pub fn fill_data(
    template: &str,
    page: Lang,
    args: &[(&str, &machi_data::text::LocalizedText)],
) -> Vec<AnyView> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => {
                out.push(view! { {rest[..open].to_owned()} }.into_any());
                out.push(data_text(text, page));
            }
            None => out.push(view! { {rest[..=close].to_owned()} }.into_any()),
        }
        rest = &rest[close + 1..];
    }
    out.push(view! { {rest.to_owned()} }.into_any());
    out
}
