//! The Web Push API between the app and the hub: the request and response bodies of
//! `/api/push/*`, as the hub reads and writes them and the app sends and reads them. Serde only,
//! no I/O; the hub's handlers (`machi-hub/src/push/api.rs`) validate what these carry.
//!
//! | method and path                          | request          | response                   |
//! |------------------------------------------|------------------|----------------------------|
//! | `GET /api/push/key`                      |                  | [`PublicKey`]              |
//! | `POST /api/push/subscriptions`           | [`CreateRequest`] | 201 [`Created`]           |
//! | `GET /api/push/subscriptions/{id}`       |                  | [`View`]                   |
//! | `PUT`/`PATCH /api/push/subscriptions/{id}` | [`UpdateRequest`] | [`View`]                |
//! | `DELETE /api/push/subscriptions/{id}`    |                  | 204                        |
//!
//! The subscription's secret goes in `Authorization: Bearer <secret>`; every error is an
//! [`ErrorBody`].

use crate::alerts::Severity;
use serde::{Deserialize, Serialize};

/// `GET` the hub's VAPID public key.
pub const KEY_PATH: &str = "/api/push/key";
/// `POST` a new subscription.
pub const SUBSCRIPTIONS_PATH: &str = "/api/push/subscriptions";

/// `GET`, `PATCH` or `DELETE` one subscription.
pub fn subscription_path(id: &str) -> String {
    let mut path = format!("{SUBSCRIPTIONS_PATH}/");
    // Ids are base64url; anything else is percent-encoded so it stays one path segment.
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            path.push(b as char);
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    path
}

/// `{"public_key": base64url}`, the `applicationServerKey` for `pushManager.subscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    pub public_key: String,
}

/// `PushSubscription.toJSON()`; `expirationTime` and anything else a browser adds is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserSubscription {
    pub endpoint: String,
    pub keys: BrowserKeys,
}

/// The subscription's keys, base64url as the browser gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserKeys {
    pub p256dh: String,
    pub auth: String,
}

/// What a subscriber wants to be told; at least one topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topics {
    #[serde(default)]
    pub alerts: Option<AlertTopic>,
    #[serde(default)]
    pub garbage: Option<GarbageTopic>,
    /// Meetings of the bodies the subscriber follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meetings: Option<MeetingTopic>,
    /// Nurseries followed, for a push when a place opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nursery: Option<NurseryTopic>,
}

/// Nurseries followed in the subscriber's municipality: "tell me when a place opens".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NurseryTopic {
    pub follows: Vec<NurseryFollow>,
}

/// One followed nursery, for one age class.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NurseryFollow {
    /// A facility id of the city's nursery feed.
    pub facility: String,
    /// The age class 0–5.
    pub class: u8,
}

/// Meetings of followed bodies: a new one, a change of date, time or place or a cancellation,
/// and the day before the deadline to apply to attend (傍聴).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingTopic {
    /// Body ids of `/feeds/{city}/meetings.json` (at most [`MAX_FOLLOWED_BODIES`]).
    pub bodies: Vec<String>,
}

/// Bodies one subscription may follow, at most.
pub const MAX_FOLLOWED_BODIES: usize = 100;

/// Alerts for the subscriber's municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertTopic {
    /// A [`Severity::name`]; kept as text so that a wrong one is answered with a field error
    /// (`invalid_topics`) rather than as unreadable JSON.
    #[serde(default = "default_severity")]
    pub min_severity: String,
    /// 警戒レベル 1–5 that alerts carrying a level must reach.
    #[serde(default)]
    pub min_level: Option<u8>,
}

impl AlertTopic {
    /// Alerts from `min_severity` on, whatever their level.
    pub fn from(min_severity: Severity) -> AlertTopic {
        AlertTopic {
            min_severity: min_severity.name().to_owned(),
            min_level: None,
        }
    }

    /// The minimum severity, when `min_severity` names one.
    pub fn severity(&self) -> Option<Severity> {
        Severity::from_name(&self.min_severity)
    }
}

fn default_severity() -> String {
    Severity::Warning.name().to_owned()
}

/// Garbage reminders for the subscriber's area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GarbageTopic {
    /// The hour (0–23, city time) of the reminder the evening before.
    #[serde(default)]
    pub evening_hour: Option<u8>,
    /// A reminder on the morning of the collection day.
    #[serde(default)]
    pub morning: bool,
}

/// `POST /api/push/subscriptions`: who the notifications are for (the hub localises and chooses
/// by city, area and language) and about what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub subscription: BrowserSubscription,
    pub city: String,
    pub area: String,
    /// A catalogue language code (`ja`, `en`, `ja-x-easy` …).
    pub language: String,
    pub topics: Topics,
}

/// `PUT`/`PATCH /api/push/subscriptions/{id}`: what changes; the rest stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<BrowserSubscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Topics>,
}

/// A subscription as the API shows it (never its keys or its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub id: String,
    pub endpoint: String,
    pub city: String,
    pub area: String,
    pub language: String,
    pub topics: Topics,
}

/// 201 to a `POST`: the new subscription's credentials (the only time the secret is sent) and
/// how the hub stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub subscription: View,
}

/// What a client keeps of [`Created`] to change or delete the subscription later: `id` and
/// `secret` at the top of the body. (The app reads only this, which keeps the reader of the
/// whole [`View`] out of its wasm.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub id: String,
    pub secret: String,
}

/// Every error: a message for people, a code for programs, and the request field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_as_the_hub_has_always_read_them() {
        let json = r#"{"subscription":{"endpoint":"https://push.example/1","expirationTime":null,
            "keys":{"p256dh":"k","auth":"a"}},"city":"demo","area":"kita","language":"ja",
            "topics":{"alerts":{},"garbage":{"evening_hour":19}}}"#;
        let r: CreateRequest = serde_json::from_str(json).unwrap();
        assert_eq!(r.topics.alerts.unwrap().severity(), Some(Severity::Warning));
        assert_eq!(
            r.topics.garbage,
            Some(GarbageTopic {
                evening_hour: Some(19),
                morning: false
            })
        );
        assert!(serde_json::from_str::<CreateRequest>(
            &json.replace("\"area\"", "\"email\":1,\"area\"")
        )
        .is_err());
        assert!(serde_json::from_str::<Topics>(r#"{"alerts":{"loud":1}}"#).is_err());
    }

    #[test]
    fn an_update_sends_only_what_changes() {
        let u = UpdateRequest {
            language: Some("en".into()),
            ..UpdateRequest::default()
        };
        assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"language":"en"}"#);
    }

    #[test]
    fn a_view_and_an_error_are_written_as_before() {
        let v = View {
            id: "i".into(),
            endpoint: "e".into(),
            city: "c".into(),
            area: "a".into(),
            language: "ja".into(),
            topics: Topics {
                alerts: Some(AlertTopic::from(Severity::Advisory)),
                garbage: None,
                nursery: None,
                meetings: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"id":"i","endpoint":"e","city":"c","area":"a","language":"ja","topics":{"alerts":{"min_severity":"advisory","min_level":null},"garbage":null}}"#
        );
        let e = ErrorBody {
            error: "m".into(),
            code: "not_found".into(),
            field: None,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"error":"m","code":"not_found"}"#
        );
    }

    #[test]
    fn the_credentials_are_read_from_the_top_of_created() {
        let created = Created {
            credentials: Credentials {
                id: "i".into(),
                secret: "s".into(),
            },
            subscription: View {
                id: "i".into(),
                endpoint: "e".into(),
                city: "c".into(),
                area: "a".into(),
                language: "ja".into(),
                topics: Topics::default(),
            },
        };
        let json = serde_json::to_string(&created).unwrap();
        assert!(
            json.starts_with(r#"{"id":"i","secret":"s","subscription":{"#),
            "{json}"
        );
        let read: Credentials = serde_json::from_str(&json).unwrap();
        assert_eq!(read, created.credentials);
    }

    #[test]
    fn a_subscription_path_is_one_segment() {
        assert_eq!(subscription_path("ab-_9"), "/api/push/subscriptions/ab-_9");
        assert_eq!(
            subscription_path("a/b c"),
            "/api/push/subscriptions/a%2Fb%20c"
        );
    }
}
