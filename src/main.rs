//! Machi, the app: mounts the Leptos root. Everything else starts in [`app`].

mod app;
mod components;
mod feeds;
mod geo;
mod i18n;
mod intl;
mod json;
mod pages;
mod push;
mod pwa;
mod routes;
mod settings;
mod speech;

fn main() {
    // Readable panics in development; release builds abort without formatting them (smaller wasm).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // The chosen language's texts first (usually already on their way, fetched by the inline
    // script of index.html): the first page drawn is in the resident's language, never a flash
    // of another; without them (offline, never loaded) the app starts in Japanese and says why.
    let lang = settings::starting_lang();
    // wasm-bindgen's executor: Leptos's is set up only when the app mounts.
    wasm_bindgen_futures::spawn_local(async move {
        i18n::prepare(lang).await;
        // The first view of index.html (a picture of the page painted before the wasm came,
        // crates/machi-i18n/src/first_view.rs) goes in the same task as the app mounts: the
        // browser never paints, and assistive technology never reads, both or neither.
        if let Some(first) = leptos::prelude::document().get_element_by_id("first") {
            first.remove();
        }
        leptos::mount::mount_to_body(app::App);
    });
}
