//! The status line under the header: offline, an update waiting, how old the data is.

use crate::feeds::age;
use crate::i18n::{fill, raw, use_lang, Msg, Rubied, T};
use crate::pwa::{apply_update, Status};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Shows the state of the data on screen. `as_of` is the oldest "as of" of the sources shown.
#[component]
pub fn StatusBar(
    #[prop(into)] as_of: Signal<Option<DateTime<Utc>>>,
    #[prop(into)] stale: Signal<bool>,
) -> impl IntoView {
    let status = expect_context::<Status>();
    let lang = use_lang();
    let as_of_text = move || {
        as_of.get().map(|t| {
            let when = format!(
                "{} ({})",
                crate::feeds::local_time(lang.get(), t),
                age(lang.get(), t, Utc::now())
            );
            fill(raw(lang.get(), Msg::DataAsOf), &[("time", &when)])
        })
    };
    view! {
        <div class="status" aria-live="polite">
            <Show when=move || !status.online.get()>
                <p class="status-offline"><T msg=Msg::OfflineBanner /></p>
            </Show>
            <Show when=move || stale.get()>
                <p class="status-stale"><T msg=Msg::DataStale /></p>
            </Show>
            <Show when=move || status.update_ready.get()>
                <p class="status-update">
                    <T msg=Msg::UpdateReady />" "
                    <button type="button" class="button" on:click=move |_| apply_update()><T msg=Msg::UpdateReload /></button>
                </p>
            </Show>
            {move || as_of_text().map(|t| view! { <p class="status-age"><Rubied text=t /></p> })}
        </div>
    }
}
