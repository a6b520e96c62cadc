//! `/c/{city}`: a link a municipality can publish ("open Machi for our city"). It chooses the
//! municipality and goes on to choose the area; an unknown municipality gets a clear message.

use crate::components::ProblemView;
use crate::feeds;
use crate::i18n::{Msg, T};
use crate::pages::use_page_title;
use crate::routes::{use_redirect, Page};
use crate::settings::Settings;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CityLink() -> impl IntoView {
    use_page_title(Msg::ChooseCity);
    let settings = expect_context::<Settings>();
    let params = use_params_map();
    let redirect = use_redirect();
    let feed = feeds::Feed::new(move || {
        let id = params.with(|p| p.get("city")).unwrap_or_default();
        async move { Some(feeds::city_feed(&id).await) }
    });
    Effect::new(move |_| {
        if let Some(Ok(feed)) = feed.get().flatten() {
            let same = settings.city.get_untracked().as_deref() == Some(feed.id.as_str());
            let area_ok = same
                && settings
                    .area
                    .get_untracked()
                    .is_some_and(|a| feed.area(&a).is_some());
            if !same {
                settings.area.set(None);
            }
            settings.city.set(Some(feed.id.clone()));
            redirect(if area_ok { Page::Today } else { Page::Welcome });
        }
    });
    view! {
        <article class="page">
            <h1><T msg=Msg::ChooseCity /></h1>
            {move || match feed.get().flatten() {
                Some(Err(p)) => view! { <ProblemView problem=p /> }.into_any(),
                _ => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
            }}
        </article>
    }
}
