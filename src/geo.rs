//! The device's location, asked only when the resident taps "use my location".

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// Asks the browser for the current position once; `done` gets `(lat, lon)`, or `None` when the
/// resident refused, the device cannot tell, or it took too long. Through `Reflect`, so the wasm
/// carries no Geolocation bindings beyond this call.
pub fn locate(done: impl Fn(Option<(f64, f64)>) + 'static) {
    let done = std::rc::Rc::new(done);
    let geolocation = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"geolocation".into()).ok())
        .filter(|g| !g.is_undefined() && !g.is_null());
    let Some(geolocation) = geolocation else {
        done(None);
        return;
    };
    let ok = done.clone();
    let on_ok = Closure::once_into_js(move |position: JsValue| {
        let coords = js_sys::Reflect::get(&position, &"coords".into()).ok();
        let number = |key: &str| {
            coords
                .as_ref()
                .and_then(|c| js_sys::Reflect::get(c, &key.into()).ok())
                .and_then(|v| v.as_f64())
        };
        ok(number("latitude").zip(number("longitude")));
    });
    let fail = done.clone();
    let on_error = Closure::once_into_js(move |_: JsValue| fail(None));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeout".into(), &JsValue::from(15_000));
    let _ = js_sys::Reflect::set(&options, &"maximumAge".into(), &JsValue::from(300_000));
    let called = js_sys::Reflect::get(&geolocation, &"getCurrentPosition".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .map(|f| f.call3(&geolocation, &on_ok, &on_error, &options));
    if !matches!(called, Some(Ok(_))) {
        done(None);
    }
}
