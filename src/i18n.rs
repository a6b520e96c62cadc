//! The catalogue in the app: the Leptos layer over `machi-i18n` (the current language as a
//! signal, reactive messages, ruby rendered as `<ruby>`). Everything language-neutral — [`Lang`],
//! [`Msg`], [`raw`], [`fill`], ruby [`segments`], dates — is machi-i18n's and re-exported here.

use leptos::prelude::*;
pub use machi_i18n::*;

/// The current language as a context. The settings own the language (they choose and save it)
/// and provide it here; this module reads only this context, so it needs nothing from
/// `settings`, which depends on it.
#[derive(Clone, Copy)]
struct CurrentLang(RwSignal<Lang>);

/// Makes `lang` the language every view reads through [`use_lang`].
pub fn provide_lang(lang: RwSignal<Lang>) {
    provide_context(CurrentLang(lang));
}

/// The current language.
pub fn use_lang() -> Signal<Lang> {
    let lang = expect_context::<CurrentLang>().0;
    Signal::derive(move || lang.get())
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

/// One catalogue message in the current language.
#[component]
pub fn T(msg: Msg) -> impl IntoView {
    let lang = use_lang();
    view! { <Rubied text=Signal::derive(move || raw(lang.get(), msg).to_owned()) /> }
}
