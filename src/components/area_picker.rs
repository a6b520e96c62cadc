//! Choosing an area: radio buttons, with a search box when a city has many areas (奈良市 has
//! 370). The search folds kana and width (ひらがな, カタカナ, ﾊﾝｶｸ, ＡＢＣ all match) and looks at
//! every language's name and the reading.

use crate::i18n::{tr, use_lang, Msg, T};
use leptos::prelude::*;
use machi_data::feed::Area;
use machi_data::garbage::fold;

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
        .map(|a| {
            let mut key: Vec<&str> = a.name.0.values().map(String::as_str).collect();
            key.extend(a.kana.as_deref());
            fold(&key.join(" "))
        })
        .collect();
    let areas = StoredValue::new(areas);
    let keys = StoredValue::new(keys);
    let shown = move || {
        let q = fold(&query.get());
        areas.with_value(|areas| {
            keys.with_value(|keys| {
                areas
                    .iter()
                    .zip(keys)
                    .filter(|(_, k)| q.is_empty() || k.contains(&q))
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
                <label class="field">
                    <span><T msg=Msg::AreaSearch /></span>
                    <input type="search" autocomplete="off" placeholder=tr(Msg::AreaSearchExample)
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev)) />
                </label>
            })}
            {move || {
                let list = shown();
                if list.is_empty() {
                    return view! { <p role="status"><T msg=Msg::AreaSearchNone /></p> }.into_any();
                }
                let l = lang.get();
                list.into_iter().map(|a| {
                    let name = a.name.get(l.code(), l.data_fallbacks()).to_owned();
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
