//! A path the app does not know.

use crate::i18n::{Msg, T};
use crate::pages::use_page_title;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    use_page_title(Msg::NotFoundTitle);
    view! {
        <article class="page">
            <h1><T msg=Msg::NotFoundTitle /></h1>
            <p><T msg=Msg::NotFoundBody /></p>
            <A href=Page::Today.path() attr:class="button"><T msg=Msg::GoHome /></A>
        </article>
    }
}
