//! The device's location, asked only when the resident taps "use my location", and how far
//! places are and how to get there (shelters, nurseries).

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

/// A distance as shown beside a place: `300 m` under a kilometre (tens of metres), else `1.4 km`.
pub fn distance_text(km: f64) -> String {
    if km < 1.0 {
        format!("{} m", (km * 100.0).round() as i64 * 10)
    } else {
        format!("{} km", crate::components::decimals(km, 1))
    }
}

/// The map service's directions to a point (a shelter, a nursery), to six decimals (~0.1 m).
pub fn directions_url(lat: f64, lon: f64) -> String {
    use crate::components::decimals;
    format!(
        "https://www.google.com/maps/dir/?api=1&destination={},{}",
        decimals(lat, 6),
        decimals(lon, 6)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_directions_without_float_formatting() {
        assert_eq!(distance_text(0.347), "350 m");
        assert_eq!(distance_text(1.44), "1.4 km");
        assert_eq!(
            directions_url(35.6812362, 139.7671248),
            "https://www.google.com/maps/dir/?api=1&destination=35.681236,139.767125"
        );
    }
}
