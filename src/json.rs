//! JSON text to and from the app's types, for what is not a feed: the saved settings in
//! localStorage and the hub's push API. In the browser the text is read and written by its own
//! `JSON.parse`/`JSON.stringify` and converted by serde-wasm-bindgen, as feeds are
//! (`feeds::fetch_feed`): serde_json's reader and writer cost the main wasm 5 KB brotli. Native
//! builds (the app's unit tests) use serde_json, which gives the same text.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads `text` as a `T`; `None` when it is not JSON or not a `T`.
#[cfg(target_arch = "wasm32")]
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `value` as JSON text (maps as objects, `None` as `null`, as serde_json writes them).
#[cfg(target_arch = "wasm32")]
pub fn write<T: Serialize>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn write<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
