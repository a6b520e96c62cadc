//! The page's side of the PWA: registering the service worker, noticing a waiting update, and
//! knowing whether the browser is online.

use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{ServiceWorkerRegistration, ServiceWorkerState};

thread_local! {
    /// Set when the resident asked to update, so only that controller change reloads the page.
    static UPDATE_REQUESTED: Cell<bool> = const { Cell::new(false) };
}

/// App-wide status shown in the header.
#[derive(Clone, Copy)]
pub struct Status {
    pub online: RwSignal<bool>,
    pub update_ready: RwSignal<bool>,
}

impl Status {
    pub fn provide() -> Status {
        let status = Status {
            online: RwSignal::new(window().navigator().on_line()),
            update_ready: RwSignal::new(false),
        };
        let online = status.online;
        window_event_listener(leptos::ev::online, move |_| online.set(true));
        window_event_listener(leptos::ev::offline, move |_| online.set(false));
        register_service_worker(status.update_ready);
        provide_context(status);
        status
    }
}

fn has_service_worker() -> bool {
    js_sys::Reflect::has(&window().navigator(), &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
}

fn register_service_worker(update_ready: RwSignal<bool>) {
    if !has_service_worker() {
        return;
    }
    let container = window().navigator().service_worker();
    let on_controller_change = Closure::<dyn FnMut()>::new(|| {
        if UPDATE_REQUESTED.with(Cell::get) {
            let _ = window().location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_controller_change.as_ref().unchecked_ref()));
    on_controller_change.forget();

    // The worker answers the feeds wherever they are: a configured feed base is its parameter.
    let script = match crate::feeds::configured_base() {
        Some(base) => format!("/sw.js?feeds={}", js_sys::encode_uri_component(&base)),
        None => "/sw.js".to_owned(),
    };
    let registering = container.register(&script);
    spawn_local(async move {
        let Ok(reg) = JsFuture::from(registering).await else {
            return;
        };
        let reg: ServiceWorkerRegistration = reg.unchecked_into();
        let controlled = || window().navigator().service_worker().controller().is_some();
        // A worker left waiting by an earlier visit.
        if reg.waiting().is_some() && controlled() {
            update_ready.set(true);
        }
        let watched = reg.clone();
        let on_update_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = watched.installing() else {
                return;
            };
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                // "installed" with a controller present means an update, not the first install.
                if worker.state() == ServiceWorkerState::Installed && controlled() {
                    update_ready.set(true);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        reg.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
        on_update_found.forget();
    });
}

/// Asks the service worker to keep `files` (the paths of the language files on screen), so the
/// language works offline from the first visit on, when the files were fetched before the worker
/// controlled the page.
pub fn keep_offline(files: Vec<String>) {
    if !has_service_worker() {
        return;
    }
    let Ok(ready) = window().navigator().service_worker().ready() else {
        return;
    };
    spawn_local(async move {
        let Ok(reg) = JsFuture::from(ready).await else {
            return;
        };
        let reg: ServiceWorkerRegistration = reg.unchecked_into();
        let Some(worker) = reg.active() else {
            return;
        };
        let list = js_sys::Array::new();
        for f in &files {
            list.push(&JsValue::from_str(f));
        }
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"keep".into(), &list);
        let _ = worker.post_message(&message);
    });
}

/// Activates the waiting service worker; the page reloads when it takes control.
pub fn apply_update() {
    if !has_service_worker() {
        let _ = window().location().reload();
        return;
    }
    UPDATE_REQUESTED.with(|r| r.set(true));
    let getting = window().navigator().service_worker().get_registration();
    spawn_local(async move {
        let waiting = JsFuture::from(getting)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
            .and_then(|r| r.waiting());
        match waiting {
            Some(worker) => {
                let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
            }
            None => {
                let _ = window().location().reload();
            }
        }
    });
}

/// Offers `content` to the resident as a file download (an .ics for their calendar app).
pub fn save_file(name: &str, mime: &str, content: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = document().create_element("a") {
        if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
    }
    // Revoked later, not at once: the download may still be reading it.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
}
