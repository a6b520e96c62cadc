//! Machi, the app: mounts the Leptos root. Everything else starts in [`app`].

mod app;
mod components;
mod feeds;
mod geo;
mod i18n;
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
    leptos::mount::mount_to_body(app::App);
}
