//! Client-side navigation: the current path as a signal, same-origin links handled without a page
//! load, and the browser's back and forward buttons.
//!
//! Why not `leptos_router`: Machi has a handful of fixed paths and one parameter (`/c/{city}`), and
//! leptos_router cost about 70 KB of wasm before compression for matching machinery we don't use,
//! against the app shell's 200 KB brotli budget. This file is what we do use: links are plain
//! `<a href>` elements, and one listener on the document turns a click on a same-origin link into
//! `history.pushState` plus a signal update, as leptos_router's `<A>` does.

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

/// The path of the page on screen (`location.pathname`), as a signal.
#[derive(Clone, Copy)]
pub struct Router {
    path: RwSignal<String>,
}

thread_local! {
    // Navigation is called from event handlers, where no reactive owner (and so no context) is
    // current: the one router of the page is also kept here.
    static PATH: std::cell::Cell<Option<RwSignal<String>>> = const { std::cell::Cell::new(None) };
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".into())
}

impl Router {
    /// Puts the router in context and starts listening to link clicks and history changes.
    pub fn provide() -> Self {
        let router = Router {
            path: RwSignal::new(current_path()),
        };
        provide_context(router);
        PATH.with(|p| p.set(Some(router.path)));

        let on_pop = Closure::<dyn Fn()>::new(move || router.path.set(current_path()));
        let _ =
            window().add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        on_pop.forget();

        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                if let Some(path) = link_target(&ev) {
                    ev.prevent_default();
                    navigate(&path);
                }
            });
        let _ =
            document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
        router
    }

    pub fn path(&self) -> Memo<String> {
        let path = self.path;
        Memo::new(move |_| path.get())
    }
}

/// The path of the page on screen.
pub fn use_path() -> Memo<String> {
    expect_context::<Router>().path()
}

/// The in-app path a click should navigate to, or `None` to let the browser handle it (another
/// origin, a new tab or window, a download, a fragment on the same page, a modified click).
fn link_target(ev: &web_sys::MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.ctrl_key()
        || ev.shift_key()
        || ev.alt_key()
    {
        return None;
    }
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let anchor: web_sys::HtmlAnchorElement = target.closest("a[href]").ok()??.dyn_into().ok()?;
    if !anchor.target().is_empty() || anchor.has_attribute("download") {
        return None;
    }
    let location = window().location();
    if anchor.origin() != location.origin().ok()? {
        return None;
    }
    let path = anchor.pathname();
    if path == location.pathname().ok()? && !anchor.hash().is_empty() {
        return None;
    }
    Some(format!("{path}{}", anchor.search()))
}

/// Goes to an in-app path, adding a history entry; the page's content and title follow the signal.
pub fn navigate(path: &str) {
    change(path, false);
}

/// Goes to an in-app path, replacing the current history entry (for redirects).
pub fn redirect(path: &str) {
    change(path, true);
}

fn change(path: &str, replace: bool) {
    if let Ok(history) = window().history() {
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        };
    }
    if let Some(signal) = PATH.with(std::cell::Cell::get) {
        signal.set(current_path());
    }
    if !replace {
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}
