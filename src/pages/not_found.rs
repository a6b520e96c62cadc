//! A path the app does not know.

use crate::i18n::{Msg, T};
use crate::pages::use_page_title;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    use_page_title(Msg::NotFoundTitle);
    view! {
        <article class="page">
            <h1><T msg=Msg::NotFoundTitle /></h1>
            <p><T msg=Msg::NotFoundBody /></p>
            <a href="/" class="button"><T msg=Msg::GoHome /></a>
        </article>
    }
}
