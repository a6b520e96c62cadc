//! The attribution under a feature's data: who published it, under which licence, as of when —
//! what CC BY and the government terms ask of every page that shows their data.

use crate::feeds::CityData;
use crate::i18n::{fill, raw, use_lang, Msg, Rubied, T};
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;
use machi_data::feed::SourceKind;

#[component]
pub fn SourceNote(kinds: &'static [SourceKind]) -> impl IntoView {
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let lines = move || {
        let l = lang.get();
        let feed = city.get()?;
        let lines: Vec<String> = feed
            .sources
            .iter()
            .filter(|s| kinds.contains(&s.kind))
            .map(|s| {
                let mut line = fill(
                    raw(l, Msg::SourceNote),
                    &[
                        (
                            "attribution",
                            s.attribution.get(l.code(), l.data_fallbacks()),
                        ),
                        ("title", s.title.get(l.code(), l.data_fallbacks())),
                        ("licence", &s.licence),
                    ],
                );
                if let Some(t) = s.as_of {
                    line.push_str(" · ");
                    line.push_str(&fill(
                        raw(l, Msg::SourceAsOf),
                        &[("time", &crate::feeds::local_time(l, t))],
                    ));
                }
                line
            })
            .collect();
        (!lines.is_empty()).then_some(lines)
    };
    view! {
        {move || lines().map(|lines| view! {
            <footer class="source-note">
                {lines.into_iter().map(|t| view! { <p><Rubied text=t /></p> }).collect_view()}
                <p><A href=Page::About.path()><T msg=Msg::SourceMore /></A></p>
            </footer>
        })}
    }
}
