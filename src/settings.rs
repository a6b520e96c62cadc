//! The resident's settings: language, text size, contrast, motion, home municipality and area.
//!
//! One context struct of signals that every page reads. Settings persist in `localStorage` under a
//! versioned key; every field has a default, so a setting added by an update never discards the
//! ones already saved, and an unreadable entry is kept aside rather than overwritten.

use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "machi.settings.v1";

/// Text scale, applied to the root font size so every `rem` grows with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TextSize {
    #[default]
    #[serde(rename = "100")]
    Standard,
    #[serde(rename = "150")]
    Large,
    #[serde(rename = "200")]
    ExtraLarge,
}

impl TextSize {
    pub const ALL: [TextSize; 3] = [TextSize::Standard, TextSize::Large, TextSize::ExtraLarge];

    pub fn percent(self) -> u16 {
        match self {
            TextSize::Standard => 100,
            TextSize::Large => 150,
            TextSize::ExtraLarge => 200,
        }
    }
}

/// What is saved. Kept apart from [`Settings`] so the storage format is explicit and testable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    pub lang: Option<String>,
    pub text_size: TextSize,
    pub high_contrast: bool,
    /// `None` follows the system's `prefers-reduced-motion`.
    pub reduced_motion: Option<bool>,
    pub city: Option<String>,
    pub area: Option<String>,
    /// The Web Push subscription, when the resident turned a notification topic on.
    pub push: Option<crate::push::Subscription>,
    /// The bodies whose meetings the resident follows (body ids of the meetings feed); kept
    /// here too so Today shows their next meeting where notifications are not possible.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follows: Vec<String>,
    /// The nursery page's choices and follows.
    pub nursery: NurseryChoices,
}

/// What a parent chose on the nursery pages: kept on the device only (the birth date never
/// leaves it; a follow goes to the hub only as facility and class, with notifications on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NurseryChoices {
    /// The child's date of birth, `YYYY-MM-DD`.
    pub birth: Option<String>,
    /// The age class to show places for, when chosen (else the class from the birth date).
    pub class: Option<u8>,
    pub follows: Vec<Follow>,
}

/// A followed nursery, for one age class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Follow {
    pub city: String,
    pub facility: String,
    /// Its name as published, for lists shown without the feed.
    pub name: String,
    pub class: u8,
}

impl Saved {
    /// Reads saved settings; `None` when there is nothing saved or it cannot be read.
    pub fn parse(json: &str) -> Option<Saved> {
        crate::json::read(json)
    }
}

/// The settings every page reads, as signals.
#[derive(Clone, Copy)]
pub struct Settings {
    pub lang: RwSignal<Lang>,
    pub text_size: RwSignal<TextSize>,
    pub high_contrast: RwSignal<bool>,
    pub reduced_motion: RwSignal<Option<bool>>,
    pub city: RwSignal<Option<String>>,
    pub area: RwSignal<Option<String>>,
    pub push: RwSignal<Option<crate::push::Subscription>>,
    pub follows: RwSignal<Vec<String>>,
    pub nursery: RwSignal<NurseryChoices>,
}

/// The language saved, else the best for the browser's languages.
fn chosen_lang(saved: &Saved) -> Lang {
    saved
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_else(|| {
            let prefs: Vec<String> = window()
                .navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .collect();
            Lang::negotiate(prefs.iter().map(String::as_str))
        })
}

/// The language the app will start in (read before it mounts, to load that language first).
pub fn starting_lang() -> Lang {
    let saved = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|raw| Saved::parse(&raw))
        .unwrap_or_default();
    chosen_lang(&saved)
}

impl Settings {
    /// Loads the saved settings (or defaults from the browser) and keeps them saved and applied.
    pub fn provide() -> Settings {
        let storage = window().local_storage().ok().flatten();
        let raw = storage
            .as_ref()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        let saved = match raw.as_deref().map(Saved::parse) {
            Some(Some(saved)) => saved,
            Some(None) => {
                // Never lose what a resident saved: keep the unreadable copy for recovery.
                if let (Some(s), Some(r)) = (&storage, &raw) {
                    let _ = s.set_item(&format!("{STORAGE_KEY}.unreadable"), r);
                }
                Saved::default()
            }
            None => Saved::default(),
        };
        let lang = chosen_lang(&saved);
        let settings = Settings {
            lang: RwSignal::new(lang),
            text_size: RwSignal::new(saved.text_size),
            high_contrast: RwSignal::new(saved.high_contrast),
            reduced_motion: RwSignal::new(saved.reduced_motion),
            city: RwSignal::new(saved.city),
            area: RwSignal::new(saved.area),
            push: RwSignal::new(saved.push),
            nursery: RwSignal::new(saved.nursery),
            follows: RwSignal::new(saved.follows),
        };
        provide_context(settings);
        let languages = crate::i18n::provide_lang(settings.lang);

        // Save on every change.
        Effect::new(move |_| {
            let saved = settings.to_saved();
            if let (Some(s), Some(json)) = (&storage, crate::json::write(&saved)) {
                let _ = s.set_item(STORAGE_KEY, &json);
            }
        });
        // Apply to <html>: language for screen readers and speech, and the display themes.
        Effect::new(move |_| {
            let Some(root) = document().document_element() else {
                return;
            };
            // The language on screen (the chosen one once its texts are there).
            let cat = languages.shown.get().catalogue();
            let _ = root.set_attribute("lang", cat.html_lang);
            let _ = root.set_attribute("data-lang", cat.code);
            let _ =
                root.set_attribute("data-text", &settings.text_size.get().percent().to_string());
            let _ = root.set_attribute(
                "data-contrast",
                if settings.high_contrast.get() {
                    "high"
                } else {
                    "normal"
                },
            );
            let motion = match settings.reduced_motion.get() {
                Some(true) => "reduce",
                Some(false) => "full",
                None => "system",
            };
            let _ = root.set_attribute("data-motion", motion);
        });
        settings
    }

    pub fn to_saved(self) -> Saved {
        Saved {
            lang: Some(self.lang.get().code().to_owned()),
            text_size: self.text_size.get(),
            high_contrast: self.high_contrast.get(),
            reduced_motion: self.reduced_motion.get(),
            city: self.city.get(),
            area: self.area.get(),
            push: self.push.get(),
            nursery: self.nursery.get(),
            follows: self.follows.get(),
        }
    }

    /// True once the resident has chosen a municipality and an area.
    pub fn has_place(&self) -> bool {
        self.city.with(Option::is_some) && self.area.with(Option::is_some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_saved_by_an_older_version_still_load() {
        let saved = Saved::parse(r#"{"lang":"en","city":"demo"}"#).unwrap();
        assert_eq!(saved.lang.as_deref(), Some("en"));
        assert_eq!(saved.text_size, TextSize::Standard);
        assert_eq!(saved.city.as_deref(), Some("demo"));
    }

    #[test]
    fn settings_from_a_newer_version_keep_what_this_one_knows() {
        let saved = Saved::parse(r#"{"text_size":"200","future_field":[1,2]}"#).unwrap();
        assert_eq!(saved.text_size, TextSize::ExtraLarge);
    }

    #[test]
    fn nursery_choices_default_and_round_trip() {
        let saved = Saved::parse(r#"{"lang":"ja"}"#).unwrap();
        assert_eq!(saved.nursery, NurseryChoices::default());
        let saved = Saved::parse(
            r#"{"nursery":{"birth":"2025-05-10","follows":[{"city":"demo","facility":"D0003","name":"え","class":1}]}}"#,
        )
        .unwrap();
        assert_eq!(saved.nursery.birth.as_deref(), Some("2025-05-10"));
        assert_eq!(saved.nursery.follows[0].class, 1);
    }

    #[test]
    fn text_size_round_trips_as_a_percentage() {
        let json = crate::json::write(&Saved {
            text_size: TextSize::Large,
            ..Default::default()
        })
        .unwrap();
        assert!(json.contains(r#""text_size":"150""#), "{json}");
    }
}
