//! JSON text to and from the app's types, for what is not a feed: the saved settings in
//! localStorage and the hub's push API. Read and written by serde-json-core, a JSON reader and
//! writer for serde made for small targets: it reads only what a type asks for (no
//! `deserialize_any`, which these plain structs never need) and formats no error text. It took
//! 4 KB brotli off the main wasm against the browser's `JSON.parse`/`JSON.stringify` with
//! serde-wasm-bindgen (its value conversion, and the float formatting its errors reach). The
//! same code runs in the unit tests, which check it against serde_json's text both ways. One
//! thing it refuses that `JSON.parse` read: a character outside the BMP written as a surrogate
//! pair (`\uD83C\uDF31`), which neither `JSON.stringify` nor serde_json writes (they write the
//! character itself), so no settings an earlier app saved are affected.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads `text` as a `T`; `None` when it is not JSON or not a `T`.
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    // A string with escapes is unescaped into this buffer; it is never longer than the text.
    let mut unescaped = vec![0; text.len()];
    serde_json_core::from_str_escaped(text, &mut unescaped)
        .ok()
        .map(|(value, _)| value)
}

/// `value` as JSON text (`None` as `null`, as serde_json writes it).
pub fn write<T: Serialize>(value: &T) -> Option<String> {
    let mut buf = vec![0; 512];
    loop {
        match serde_json_core::to_slice(value, &mut buf) {
            Ok(len) => {
                buf.truncate(len);
                return String::from_utf8(buf).ok();
            }
            Err(serde_json_core::ser::Error::BufferFull) => buf.resize(buf.len() * 2, 0),
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::{Subscription, Topics};
    use crate::settings::{Follow, NurseryChoices, Saved, TextSize};

    /// Every kind of field the settings have, with strings that must be escaped and some that
    /// must not (Japanese), long enough to outgrow the first buffer.
    fn saved() -> Saved {
        Saved {
            lang: Some("zh-Hant".into()),
            text_size: TextSize::ExtraLarge,
            high_contrast: true,
            reduced_motion: Some(false),
            city: Some("demo".into()),
            area: Some("東町\"一丁目\"\\\n\t\u{1}".into()),
            push: Some(Subscription {
                id: "x".repeat(300),
                secret: "s3cr3t/+=".into(),
                topics: Topics {
                    evening_hour: Some(19),
                    bodies: vec!["council".into(), "委員会".into()],
                    ..Default::default()
                },
            }),
            follows: vec!["council".into()],
            nursery: NurseryChoices {
                birth: Some("2025-05-10".into()),
                class: Some(1),
                follows: vec![Follow {
                    city: "demo".into(),
                    facility: "D0003".into(),
                    name: "えがお保育園 🌱".into(),
                    class: 1,
                }],
            },
        }
    }

    #[test]
    fn writes_the_text_serde_json_writes() {
        let value = saved();
        assert_eq!(
            write(&value).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(
            write(&Saved::default()).unwrap(),
            serde_json::to_string(&Saved::default()).unwrap()
        );
    }

    #[test]
    fn reads_what_serde_json_and_older_apps_wrote() {
        let value = saved();
        assert_eq!(read::<Saved>(&write(&value).unwrap()), Some(value.clone()));
        // Pretty-printed, with escapes a browser's `JSON.stringify` or serde_json may choose.
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(read::<Saved>(&pretty), Some(value.clone()));
        let escaped =
            r#"{"area":"\u6771\/x\u0001","lang":null,"unknown":{"a":[1.5,-2e3,true,null,"}"]}}"#;
        let read_back = read::<Saved>(escaped).unwrap();
        assert_eq!(read_back.area.as_deref(), Some("東/x\u{1}"));
        assert_eq!(read_back.lang, None);
    }

    #[test]
    fn refuses_what_is_not_json_or_not_the_type() {
        assert_eq!(read::<Saved>(""), None);
        assert_eq!(read::<Saved>("{"), None);
        assert_eq!(read::<Saved>(r#"{"text_size":"300"}"#), None);
        assert_eq!(read::<Saved>(r#"{"high_contrast":1}"#), None);
        assert_eq!(read::<Saved>("{} {}"), None);
        // Never written by `JSON.stringify` or serde_json (see the module's documentation).
        assert_eq!(read::<Saved>(r#"{"area":"\ud83c\udf31"}"#), None);
    }
}
