//! The read-aloud button every card reuses: speaks its text in the current language, with a
//! voice of that language only.

use crate::components::{Icon, IconName};
use crate::i18n::{plain, raw, spoken, use_lang, Msg};
use crate::speech::{self, Voice};
use leptos::prelude::*;

/// A button that reads `text` (catalogue-style text; ruby is spoken by its reading) aloud. It is
/// not rendered where the browser cannot speak at all; where the device has no voice for the
/// language it says so (disabled) instead of reading with another language's voice.
#[component]
pub fn ReadAloud(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let lang = use_lang();
    let speaking = RwSignal::new(false);
    let voices = speech::voices_changed();
    // Set when a tap found no voice although the list was not known yet.
    let found_none = RwSignal::new(false);
    let voice = Memo::new(move |_| {
        voices.track();
        match speech::voice(lang.get().catalogue().speech) {
            Voice::Unknown if found_none.get() => Voice::Missing,
            v => v,
        }
    });
    on_cleanup(move || {
        if speaking.get_untracked() {
            speech::stop();
        }
    });
    let toggle = move |_| {
        if speaking.get_untracked() {
            speech::stop();
            speaking.set(false);
            return;
        }
        let finished = move || speaking.set(false);
        let started = speech::speak(
            &spoken(&text.get_untracked()),
            lang.get_untracked().catalogue().speech,
            finished,
        );
        speaking.set(started);
        found_none.set(!started);
    };
    let label = move || {
        let msg = if voice.get() == Voice::Missing {
            Msg::ReadAloudNoVoice
        } else if speaking.get() {
            Msg::ReadAloudStop
        } else {
            Msg::ReadAloud
        };
        plain(raw(lang.get(), msg))
    };
    view! {
        <Show when=move || voice.get() != Voice::Unsupported>
            <button type="button" class="read-aloud" aria-pressed=move || speaking.get().to_string()
                disabled=move || voice.get() == Voice::Missing on:click=toggle>
                <Icon name=IconName::Speaker />
                <span>{label}</span>
            </button>
        </Show>
    }
}
