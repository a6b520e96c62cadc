//! A feed problem shown to the resident: what went wrong, in their language, and what to do.

use crate::feeds::FeedProblem;
use crate::i18n::{use_lang, Msg, Rubied, T};
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ProblemView(
    problem: FeedProblem,
    #[prop(optional)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let lang = use_lang();
    let unknown_city = matches!(problem, FeedProblem::UnknownCity(_));
    let text = Signal::derive(move || problem.message(lang.get()));
    view! {
        <div class="problem" role="alert">
            <p><Rubied text=text /></p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())><T msg=Msg::Retry /></button>
            })}
            {unknown_city.then(|| view! { <A href=Page::Welcome.path() attr:class="button"><T msg=Msg::ChooseCity /></A> })}
        </div>
    }
}
