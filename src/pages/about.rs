//! Sources and licences: each source, who to credit, its licence and "as of", as the open-data
//! licences (CC BY, 政府標準利用規約) require.

use crate::components::ProblemView;
use crate::feeds::age;
use crate::feeds::CityData;
use crate::i18n::{use_lang, Msg, T};
use crate::pages::use_page_title;
use chrono::Utc;
use leptos::prelude::*;

#[component]
pub fn About() -> impl IntoView {
    use_page_title(Msg::AboutTitle);
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let sources = move || {
        match city.feed.get().flatten() {
        None => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
        Some(Err(p)) => view! { <ProblemView problem=p /> }.into_any(),
        Some(Ok(feed)) => view! {
            <ul class="sources">
                {feed.sources.into_iter().map(|s| {
                    let l = lang.get();
                    let title = s.title.get(l.code(), l.data_fallbacks()).to_owned();
                    let credit = s.attribution.get(l.code(), l.data_fallbacks()).to_owned();
                    let licence = match s.licence_url.clone() {
                        Some(url) => view! { <a href=url rel="license noopener">{s.licence.clone()}</a> }.into_any(),
                        None => view! { <span>{s.licence.clone()}</span> }.into_any(),
                    };
                    let as_of = s.as_of.map(|t| format!(
                        "{} ({})", crate::feeds::local_time(l, t), age(l, t, Utc::now())));
                    view! {
                        <li class="card source">
                            <h2>{title}</h2>
                            <dl>
                                <dt><T msg=Msg::AboutAttribution /></dt><dd>{credit}</dd>
                                <dt><T msg=Msg::AboutLicence /></dt><dd>{licence}</dd>
                                <dt><T msg=Msg::AboutAsOf /></dt>
                                <dd>{match as_of {
                                    Some(t) => view! { <span>{t}</span> }.into_any(),
                                    None => view! { <T msg=Msg::AboutNever /> }.into_any(),
                                }}</dd>
                                {s.url.clone().map(|u| view! {
                                    <dt><T msg=Msg::AboutOpenSource /></dt>
                                    <dd><a href=u.clone()>{u.clone()}</a></dd>
                                })}
                            </dl>
                            {s.stale.then(|| view! { <p class="status-stale"><T msg=Msg::AboutStale /></p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any(),
    }
    };
    view! {
        <article class="page about">
            <h1><T msg=Msg::AboutTitle /></h1>
            <p><T msg=Msg::AboutIntro /></p>
            {sources}
            <p class="hint"><T msg=Msg::AboutAppLicence /></p>
        </article>
    }
}
