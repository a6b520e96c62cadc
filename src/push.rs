//! Web Push from the app's side: what the resident chose, and the calls that make it so (the
//! browser part lives in `push.js`). Topics are sent to the hub, which sends the notifications;
//! the subscription's id and secret are kept with the settings so changes and "off" work later.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/push.js")]
extern "C" {
    #[wasm_bindgen(js_name = pushSupport)]
    fn push_support() -> String;
    #[wasm_bindgen(js_name = pushRequest)]
    fn push_request(
        city: &str,
        area: &str,
        language: &str,
        alerts: &str,
        evening: i32,
        morning: bool,
    ) -> String;
    #[wasm_bindgen(js_name = pushEnable, catch)]
    async fn push_enable(request: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = pushUpdate, catch)]
    async fn push_update(id: &str, secret: &str, request: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = pushDisable, catch)]
    async fn push_disable(id: &str, secret: &str) -> Result<JsValue, JsValue>;
}

/// The topics a resident chose.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Topics {
    /// Minimum severity of alerts (`advisory`, `warning`, `special`), `None` for no alerts.
    pub alerts: Option<String>,
    /// The hour (city time) of the reminder the evening before, `None` for none.
    pub evening_hour: Option<u8>,
    /// A reminder on the morning of the collection day.
    pub morning: bool,
}

impl Topics {
    pub fn any(&self) -> bool {
        self.alerts.is_some() || self.evening_hour.is_some() || self.morning
    }
}

/// A subscription the hub knows, as saved with the settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Subscription {
    pub id: String,
    pub secret: String,
    pub topics: Topics,
}

/// Where the browser stands on notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    Unsupported,
    Denied,
    Ask,
    Granted,
}

pub fn support() -> Support {
    match push_support().as_str() {
        "unsupported" => Support::Unsupported,
        "denied" => Support::Denied,
        "granted" => Support::Granted,
        _ => Support::Ask,
    }
}

/// Who the notifications are for: the hub localises and chooses by these.
pub struct Place<'a> {
    pub city: &'a str,
    pub area: &'a str,
    pub language: &'a str,
}

fn error_code(e: JsValue) -> String {
    js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "failed".into())
}

/// Makes the hub's subscription match `topics`: creates it (asking for permission), changes it,
/// or deletes it when no topic is left. Returns what to save, or the error code.
pub async fn apply(
    current: Option<Subscription>,
    topics: Topics,
    place: Place<'_>,
) -> Result<Option<Subscription>, String> {
    // Built in push.js: serde_json's `Value` would cost wasm size for one small object.
    let request = push_request(
        place.city,
        place.area,
        place.language,
        topics.alerts.as_deref().unwrap_or(""),
        topics.evening_hour.map_or(-1, i32::from),
        topics.morning,
    );
    match current {
        Some(sub) if !topics.any() => {
            push_disable(&sub.id, &sub.secret)
                .await
                .map_err(error_code)?;
            Ok(None)
        }
        None if !topics.any() => Ok(None),
        Some(sub) => {
            push_update(&sub.id, &sub.secret, &request)
                .await
                .map_err(error_code)?;
            Ok(Some(Subscription { topics, ..sub }))
        }
        None => {
            let created = push_enable(&request).await.map_err(error_code)?;
            let created: Subscription = created
                .as_string()
                .and_then(|s| serde_json::from_str(&s).ok())
                .ok_or_else(|| "failed".to_owned())?;
            Ok(Some(Subscription { topics, ..created }))
        }
    }
}
