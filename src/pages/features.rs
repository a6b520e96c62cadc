//! The feature pages whose issues have not landed yet: what each will show, said plainly.

use crate::components::ReadAloud;
use crate::i18n::{raw, use_lang, Msg, T};
use crate::pages::use_page_title;
use leptos::prelude::*;

#[component]
fn ComingSoon(title: Msg, description: Msg) -> impl IntoView {
    use_page_title(title);
    let lang = use_lang();
    let speech = Signal::derive(move || {
        let l = lang.get();
        format!(
            "{}。{}。{}",
            raw(l, title),
            raw(l, description),
            raw(l, Msg::ComingSoon)
        )
    });
    view! {
        <article class="page">
            <h1><T msg=title /></h1>
            <p class="lead"><T msg=description /></p>
            <p class="notice"><T msg=Msg::ComingSoon /></p>
            <ReadAloud text=speech />
        </article>
    }
}

#[component]
pub fn Nursery() -> impl IntoView {
    view! { <ComingSoon title=Msg::NurseryTitle description=Msg::NurseryDesc /> }
}
