//! Web Push from the app's side: what the resident chose, and the calls that make it so. The
//! hub's subscription API is called here with gloo-net and machi-data's `push` types, the ones
//! the hub reads; `push.js` only does what needs the browser's own push objects (support,
//! permission, `pushManager`). The subscription's id and secret are kept with the settings so
//! changes and "off" work later.

use gloo_net::http::{Request, RequestBuilder};
use machi_data::alerts::Severity;
use machi_data::push as api;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/push.js")]
extern "C" {
    #[wasm_bindgen(js_name = pushSupport)]
    fn push_support() -> String;
    #[wasm_bindgen(js_name = pushPermission, catch)]
    async fn push_permission() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = pushSubscribe, catch)]
    async fn push_subscribe(public_key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = pushUnsubscribe, catch)]
    async fn push_unsubscribe() -> Result<JsValue, JsValue>;
}

/// The topics a resident chose, as saved with the settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Topics {
    /// Minimum severity of alerts (saved by its name, `warning`), `None` for no alerts.
    pub alerts: Option<Severity>,
    /// The hour (city time) of the reminder the evening before, `None` for none.
    pub evening_hour: Option<u8>,
    /// A reminder on the morning of the collection day.
    pub morning: bool,
    /// Nurseries followed in the chosen municipality (facility and class only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nursery: Vec<api::NurseryFollow>,
    /// The bodies whose meetings the resident follows (body ids of the meetings feed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<String>,
}

impl Topics {
    pub fn any(&self) -> bool {
        self.alerts.is_some()
            || self.evening_hour.is_some()
            || self.morning
            || !self.nursery.is_empty()
            || !self.bodies.is_empty()
    }

    /// The topics as the hub's API takes them.
    fn request(&self) -> api::Topics {
        api::Topics {
            alerts: self.alerts.map(api::AlertTopic::from),
            garbage: (self.evening_hour.is_some() || self.morning).then_some(api::GarbageTopic {
                evening_hour: self.evening_hour,
                morning: self.morning,
            }),
            nursery: (!self.nursery.is_empty()).then(|| api::NurseryTopic {
                follows: self.nursery.clone(),
            }),
            meetings: (!self.bodies.is_empty()).then(|| api::MeetingTopic {
                bodies: self.bodies.clone(),
            }),
        }
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

/// A failed browser call's message, as the error code shown to the resident.
fn error_code(e: JsValue) -> String {
    js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "failed".into())
}

/// Sends one API request (never from a cache: the hub answers `no-store`, and so does this) and
/// returns the response's body. An error is the hub's error code, `http_<status>` when it gave
/// none, or `network`. One function for every call: each generic or async helper more is wasm.
async fn send(
    request: RequestBuilder,
    secret: Option<&str>,
    body: Option<String>,
) -> Result<String, String> {
    let mut request = request.cache(web_sys::RequestCache::NoStore);
    if let Some(secret) = secret {
        request = request.header("authorization", &format!("Bearer {secret}"));
    }
    let request = match body {
        Some(json) => request
            .header("content-type", "application/json")
            .body(json),
        None => request.build(),
    }
    .map_err(|_| "failed".to_owned())?;
    let network = |_| "network".to_owned();
    let response = request.send().await.map_err(network)?;
    let text = response.text().await.map_err(network)?;
    if response.ok() {
        return Ok(text);
    }
    Err(match crate::json::read::<api::ErrorBody>(&text) {
        Some(e) => e.code,
        None => format!("http_{}", response.status()),
    })
}

fn json(body: &impl Serialize) -> Option<String> {
    crate::json::write(body)
}

fn read<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, String> {
    crate::json::read(body).ok_or_else(|| "failed".to_owned())
}

/// Asks for permission, subscribes the browser with the hub's key and registers the place and
/// topics at the hub.
async fn create(topics: &Topics, place: &Place<'_>) -> Result<Subscription, String> {
    let permission = push_permission().await.map_err(error_code)?;
    match permission.as_string().as_deref() {
        Some("granted") => {}
        Some("denied") => return Err("denied".into()),
        _ => return Err("dismissed".into()),
    }
    let key: api::PublicKey = read(&send(Request::get(api::KEY_PATH), None, None).await?)?;
    let browser: js_sys::Array = push_subscribe(&key.public_key)
        .await
        .map_err(error_code)?
        .into();
    let part = |i| browser.get(i).as_string().unwrap_or_default();
    let request = api::CreateRequest {
        subscription: api::BrowserSubscription {
            endpoint: part(0),
            keys: api::BrowserKeys {
                p256dh: part(1),
                auth: part(2),
            },
        },
        city: place.city.to_owned(),
        area: place.area.to_owned(),
        language: place.language.to_owned(),
        topics: topics.request(),
    };
    let created = send(Request::post(api::SUBSCRIPTIONS_PATH), None, json(&request)).await?;
    let created: api::Credentials = read(&created)?;
    Ok(Subscription {
        id: created.id,
        secret: created.secret,
        topics: topics.clone(),
    })
}

/// Makes the hub's subscription match `topics`: creates it (asking for permission), changes it,
/// or deletes it when no topic is left. Returns what to save, or the error code.
pub async fn apply(
    current: Option<Subscription>,
    topics: Topics,
    place: Place<'_>,
) -> Result<Option<Subscription>, String> {
    match current {
        Some(sub) if !topics.any() => {
            let path = api::subscription_path(&sub.id);
            match send(Request::delete(&path), Some(&sub.secret), None).await {
                // Already gone at the hub is fine: the browser's side is ended anyway.
                Ok(_) => {}
                Err(code) if code == "not_found" => {}
                Err(code) => return Err(code),
            }
            push_unsubscribe().await.map_err(error_code)?;
            Ok(None)
        }
        None if !topics.any() => Ok(None),
        Some(sub) => {
            let request = api::UpdateRequest {
                city: Some(place.city.to_owned()),
                area: Some(place.area.to_owned()),
                language: Some(place.language.to_owned()),
                topics: Some(topics.request()),
                ..api::UpdateRequest::default()
            };
            let path = api::subscription_path(&sub.id);
            send(Request::patch(&path), Some(&sub.secret), json(&request)).await?;
            Ok(Some(Subscription { topics, ..sub }))
        }
        None => create(&topics, &place).await.map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_topics_keep_their_format() {
        let saved = r#"{"alerts":"advisory","evening_hour":19,"morning":false}"#;
        let topics: Topics = crate::json::read(saved).unwrap();
        assert_eq!(topics.alerts, Some(Severity::Advisory));
        assert_eq!(crate::json::write(&topics).unwrap(), saved);
        assert_eq!(
            crate::json::write(&topics.request()).unwrap(),
            r#"{"alerts":{"min_severity":"advisory","min_level":null},"garbage":{"evening_hour":19,"morning":false}}"#
        );
    }
}
