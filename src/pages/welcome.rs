//! First run: choose a language, a municipality and an area. Also where "change" in Settings leads.

use crate::components::{AreaPicker, ProblemView};
use crate::feeds::{self, CityData};
use crate::i18n::{use_lang, Lang, Msg, T};
use crate::pages::use_page_title;
use crate::routes::{use_go, Page};
use crate::settings::Settings;
use leptos::prelude::*;

/// The language picker, shared with Settings: every language by its own name, in its own
/// script, with how much of Machi it translates; the choice applies at once (once its texts are
/// there: see `i18n::provide_lang`).
#[component]
pub fn LanguagePicker(legend: Msg) -> impl IntoView {
    let settings = expect_context::<Settings>();
    view! {
        <fieldset class="choices language-picker" id="language">
            <legend><T msg=legend /></legend>
            <p class="hint"><T msg=Msg::LanguageCoverage /></p>
            {Lang::all().map(|l| {
                let cat = l.catalogue();
                let coverage = crate::intl::percent(l, cat.coverage.percent());
                view! {
                    <label class="choice" lang=cat.html_lang>
                        <input type="radio" name="language" value=cat.code
                            prop:checked=move || settings.lang.get() == l
                            on:change=move |_| settings.lang.set(l) />
                        <span>{cat.name}<span class="choice-note">{coverage}</span></span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
pub fn Welcome() -> impl IntoView {
    use_page_title(Msg::WelcomeTitle);
    let settings = expect_context::<Settings>();
    let lang = use_lang();
    // The city's feeds follow the choice (see `CityData::choosing`), until the page is left.
    let city_data = expect_context::<CityData>();
    let chosen_city = city_data.choosing;
    chosen_city.set(settings.city.get_untracked());
    on_cleanup(move || chosen_city.set(None));
    let chosen_area = RwSignal::new(settings.area.get_untracked());

    let index = feeds::Feed::new(|| async { Some(feeds::city_index().await) });
    // With a single municipality there is nothing to choose.
    Effect::new(move |_| {
        if let Some(Ok(index)) = index.get().flatten() {
            if chosen_city.get_untracked().is_none() && index.cities.len() == 1 {
                chosen_city.set(Some(index.cities[0].id.clone()));
            }
        }
    });

    let go = use_go();
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(city), Some(area)) = (chosen_city.get_untracked(), chosen_area.get_untracked())
        else {
            return;
        };
        settings.city.set(Some(city));
        settings.area.set(Some(area));
        go(Page::Today);
    };

    view! {
        <article class="page welcome">
            // The language first, before anything to read: a resident who does not read the
            // language on screen finds theirs by its own name.
            <LanguagePicker legend=Msg::WelcomeLanguage />
            <h1><T msg=Msg::WelcomeTitle /></h1>
            <p class="tagline"><T msg=Msg::AppTagline /></p>
            <p class="lead"><T msg=Msg::WelcomeIntro /></p>
            <form on:submit=start>
                <fieldset class="choices">
                    <legend><T msg=Msg::WelcomeCity /></legend>
                    {move || match index.get().flatten() {
                        None => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
                        Some(Err(p)) => view! { <ProblemView problem=p /> }.into_any(),
                        Some(Ok(index)) => index.cities.into_iter().map(|c| {
                            let l = lang.get();
                            let name = crate::i18n::data_text(&c.name, l);
                            let pref = crate::i18n::data_text(&c.prefecture, l);
                            let id = c.id.clone();
                            let checked_id = id.clone();
                            view! {
                                <label class="choice">
                                    <input type="radio" name="city" value=id.clone()
                                        prop:checked=move || chosen_city.get().as_deref() == Some(checked_id.as_str())
                                        on:change=move |_| {
                                            if chosen_city.get_untracked().as_deref() != Some(id.as_str()) {
                                                chosen_city.set(Some(id.clone()));
                                                chosen_area.set(None);
                                            }
                                        } />
                                    <span>{name}<span class="choice-note">{pref}</span></span>
                                </label>
                            }
                        }).collect_view().into_any(),
                    }}
                </fieldset>
                {move || match city_data.feed.get() {
                    None => view! { <p><T msg=Msg::Loading /></p> }.into_any(),
                    Some(None) => view! { <p><T msg=Msg::WelcomeChooseCityFirst /></p> }.into_any(),
                    Some(Some(Err(p))) => view! { <ProblemView problem=p /> }.into_any(),
                    Some(Some(Ok(feed))) => view! {
                        <AreaPicker areas=feed.areas chosen=chosen_area legend=Msg::WelcomeArea
                            hint=Msg::WelcomeAreaHint />
                    }.into_any(),
                }}
                <button type="submit" class="button primary"
                    disabled=move || chosen_city.get().is_none() || chosen_area.get().is_none()>
                    <T msg=Msg::WelcomeStart />
                </button>
            </form>
        </article>
    }
}
