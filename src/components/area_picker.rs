//! Choosing an area: radio buttons, with a search box when a city has many areas (奈良市 has
//! 370). The search folds kana and width (ひらがな, カタカナ, ﾊﾝｶｸ, ＡＢＣ all match) and looks at
//! every language's name, the reading and its romaji (おおみや, oomiya and Ōmiya find 大宮町 once
//! the city gives its reading: machi-data's `garbage::reading`); it can be spoken where the
//! browser offers speech recognition.

use crate::components::{Icon, IconName};
use crate::i18n::{tr, use_lang, Msg, T};
use crate::speech;
use leptos::prelude::*;
use machi_data::feed::Area;
use machi_data::garbage::reading::{matches, search_key};

/// Above this many areas, a search box filters the list.
const SEARCH_FROM: usize = 8;

#[component]
pub fn AreaPicker(
    areas: Vec<Area>,
    chosen: RwSignal<Option<String>>,
    legend: Msg,
    #[prop(optional)] hint: Option<Msg>,
) -> impl IntoView {
    let lang = use_lang();
    let query = RwSignal::new(String::new());
    let searchable = areas.len() > SEARCH_FROM;
    // Everything a resident might type for an area, folded once.
    let keys: Vec<String> = areas
        .iter()
        .map(|a| search_key(a.name.0.values().map(String::as_str), a.kana.as_deref()))
        .collect();
    let listening = RwSignal::new(false);
    // A spoken name in the resident's language: a Japanese voice gives kanji or kana, another
    // gives romaji; the search matches both.
    let listen = move |_| {
        listening.set(true);
        speech::listen(
            lang.get_untracked().catalogue().speech,
            move |heard| query.set(heard),
            move || listening.set(false),
        );
    };
    let areas = StoredValue::new(areas);
    let keys = StoredValue::new(keys);
    let shown = move || {
        let q = query.get();
        areas.with_value(|areas| {
            keys.with_value(|keys| {
                areas
                    .iter()
                    .zip(keys)
                    .filter(|(_, k)| matches(k, &q))
                    .map(|(a, _)| a.clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <fieldset class="choices area-picker">
            <legend><T msg=legend /></legend>
            {hint.map(|h| view! { <p class="hint"><T msg=h /></p> })}
            {searchable.then(|| view! {
                <div class="search-row">
                    <label class="field">
                        <span><T msg=Msg::AreaSearch /></span>
                        <input type="search" autocomplete="off" placeholder=tr(Msg::AreaSearchExample)
                            prop:value=move || query.get()
                            on:input=move |ev| query.set(event_target_value(&ev)) />
                    </label>
                    <Show when=speech::can_listen>
                        <button type="button" class="button voice" on:click=listen
                            aria-pressed=move || listening.get().to_string()>
                            <Icon name=IconName::Microphone />
                            <span>{move || if listening.get() { tr(Msg::GarbageListening)() } else { tr(Msg::GarbageVoice)() }}</span>
                        </button>
                    </Show>
                </div>
            })}
            {move || {
                let list = shown();
                if list.is_empty() {
                    return view! { <p role="status"><T msg=Msg::AreaSearchNone /></p> }.into_any();
                }
                let l = lang.get();
                list.into_iter().map(|a| {
                    let name = crate::i18n::data_text(&a.name, l);
                    let id = a.id;
                    let checked = id.clone();
                    view! {
                        <label class="choice">
                            <input type="radio" name="area" value=id.clone()
                                prop:checked=move || chosen.get().as_deref() == Some(checked.as_str())
                                on:change=move |_| chosen.set(Some(id.clone())) />
                            <span>{name}</span>
                        </label>
                    }
                }).collect_view().into_any()
            }}
        </fieldset>
    }
}
