//! One file per page.

mod about;
mod alerts;
mod city_link;
mod garbage;
mod meetings;
mod not_found;
mod nursery;
mod settings;
mod today;
mod welcome;

pub use about::About;
pub use alerts::Alerts;
pub use city_link::CityLink;
pub use garbage::Garbage;
pub use meetings::{MeetingPage, Meetings};
pub use not_found::NotFound;
pub use nursery::{Nursery, NurseryFacility};
pub use settings::SettingsPage;
pub use today::Today;
pub use welcome::Welcome;

use crate::i18n::{plain, raw, use_lang, Msg};
use leptos::prelude::*;

/// Keeps `document.title` on the page's name in the current language, for tabs and screen readers.
pub fn use_page_title(msg: Msg) {
    let lang = use_lang();
    Effect::new(move |_| {
        let l = lang.get();
        document().set_title(&format!(
            "{} — {}",
            plain(raw(l, msg)),
            plain(raw(l, Msg::AppName))
        ));
    });
}
