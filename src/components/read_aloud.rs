//! The read-aloud button every card reuses: speaks its text in the current language.

use crate::components::{Icon, IconName};
use crate::i18n::{plain, raw, spoken, use_lang, Msg};
use crate::speech;
use leptos::prelude::*;

/// A button that reads `text` (catalogue-style text; ruby is spoken by its reading) aloud.
/// It is not rendered at all where the browser cannot speak the current language.
#[component]
pub fn ReadAloud(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let lang = use_lang();
    let speaking = RwSignal::new(false);
    let available = move || speech::can_speak(lang.get().catalogue().speech);
    on_cleanup(move || {
        if speaking.get_untracked() {
            speech::stop();
        }
    });
    let toggle = move |_| {
        if speaking.get_untracked() {
            speech::stop();
            speaking.set(false);
        } else {
            speaking.set(true);
            let finished = move || speaking.set(false);
            speech::speak(
                &spoken(&text.get_untracked()),
                lang.get_untracked().catalogue().speech,
                finished,
            );
        }
    };
    let label = move || {
        let msg = if speaking.get() {
            Msg::ReadAloudStop
        } else {
            Msg::ReadAloud
        };
        plain(raw(lang.get(), msg))
    };
    view! {
        <Show when=available>
            <button type="button" class="read-aloud" aria-pressed=move || speaking.get().to_string()
                on:click=toggle>
                <Icon name=IconName::Speaker />
                <span>{label}</span>
            </button>
        </Show>
    }
}
