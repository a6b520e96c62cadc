//! Settings: language, text size, contrast, motion, my place, and the sources' credits.

use crate::components::{FollowedNurseries, Notifications};
use crate::feeds::CityData;
use crate::i18n::{fill, raw, use_lang, Msg, Rubied, T};
use crate::pages::use_page_title;
use crate::pages::welcome::LanguagePicker;
use crate::routes::Page;
use crate::settings::{Settings, TextSize};
use leptos::prelude::*;
use leptos_router::components::A;

/// Where residents report a problem: the project's issue tracker (the workspace's `repository`).
const REPORT_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/issues");

#[component]
pub fn SettingsPage() -> impl IntoView {
    use_page_title(Msg::SettingsTitle);
    let settings = expect_context::<Settings>();
    let city = expect_context::<CityData>();
    let lang = use_lang();
    let place = move || {
        let feed = city.get()?;
        let l = lang.get();
        let area = settings.area.get().and_then(|a| feed.area(&a).cloned());
        Some(view! {
            {crate::i18n::data_text(&feed.name, l)}
            {area.map(|a| view! { " · " {crate::i18n::data_text(&a.name, l)} })}
        })
    };
    let reduced = move || {
        settings.reduced_motion.get().unwrap_or_else(|| {
            window()
                .match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches())
        })
    };
    let version = move || {
        fill(
            raw(lang.get(), Msg::SettingsVersion),
            &[("version", env!("CARGO_PKG_VERSION"))],
        )
    };
    view! {
        <article class="page settings">
            <h1><T msg=Msg::SettingsTitle /></h1>
            <LanguagePicker legend=Msg::SettingsLanguage />
            // Said once, quietly, for a translation no native speaker has checked yet.
            {move || (!lang.get().catalogue().is_reviewed()).then(|| view! {
                <p class="hint translation-note">
                    <T msg=Msg::LanguageUnreviewed />" "
                    <a href=REPORT_URL rel="noopener"><T msg=Msg::LanguageReport /></a>
                </p>
            })}
            <fieldset class="choices">
                <legend><T msg=Msg::SettingsTextSize /></legend>
                {TextSize::ALL.into_iter().map(|size| {
                    let msg = match size {
                        TextSize::Standard => Msg::TextSize100,
                        TextSize::Large => Msg::TextSize150,
                        TextSize::ExtraLarge => Msg::TextSize200,
                    };
                    view! {
                        <label class="choice">
                            <input type="radio" name="text-size" value=size.percent().to_string()
                                prop:checked=move || settings.text_size.get() == size
                                on:change=move |_| settings.text_size.set(size) />
                            <span><T msg=msg />" (" {size.percent()} "%)"</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="choices">
                <legend><T msg=Msg::SettingsDisplay /></legend>
                <label class="choice">
                    <input type="checkbox" name="contrast" aria-describedby="contrast-hint"
                        prop:checked=move || settings.high_contrast.get()
                        on:change=move |ev| settings.high_contrast.set(event_target_checked(&ev)) />
                    <span><T msg=Msg::SettingsContrast /></span>
                </label>
                <p class="hint" id="contrast-hint"><T msg=Msg::SettingsContrastHint /></p>
                <label class="choice">
                    <input type="checkbox" name="motion" aria-describedby="motion-hint"
                        prop:checked=reduced
                        on:change=move |ev| settings.reduced_motion.set(Some(event_target_checked(&ev))) />
                    <span><T msg=Msg::SettingsMotion /></span>
                </label>
                <p class="hint" id="motion-hint"><T msg=Msg::SettingsMotionHint /></p>
            </fieldset>
            <Notifications />
            <FollowedNurseries />
            <section aria-labelledby="settings-place">
                <h2 id="settings-place"><T msg=Msg::SettingsPlace /></h2>
                <p>{place}</p>
                <A href=Page::Welcome.path() attr:class="button"><T msg=Msg::SettingsChangePlace /></A>
            </section>
            <section aria-labelledby="settings-about">
                <h2 id="settings-about"><T msg=Msg::AboutTitle /></h2>
                <p><A href=Page::About.path()><T msg=Msg::SettingsAbout /></A></p>
                <p class="hint"><Rubied text=Signal::derive(version) /></p>
            </section>
        </article>
    }
}
