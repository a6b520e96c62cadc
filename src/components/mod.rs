//! Pieces used by several pages.

mod alerts;
mod area_picker;
mod garbage;
mod icon;
mod meetings;
mod notifications;
pub mod nursery;
mod problem;
mod read_aloud;
mod source_note;
mod status;

pub use alerts::{
    alert_time, decimals, is_stale, severity_class, severity_word, status_word, use_alerts,
    use_last_success, AlertCard, TopAlert,
};
pub use area_picker::AreaPicker;
pub use garbage::{
    category_text, use_my_garbage, CategoryIcon, CategoryList, CategoryMark, CategoryName,
    CollectionCard, GarbageUnavailable, Mine, MyGarbage, NextCollections, NextDay,
};
pub use icon::{Icon, IconName};
pub use meetings::{
    attend_view, body_line, body_name, body_of, calendar_path, card_view, deadline_text,
    meeting_lang, place_view, said, status_badge, when_view, FollowButton, Subscribe,
};
pub use notifications::Notifications;
pub use nursery::{FollowedNurseries, NurseryToday};
pub use problem::ProblemView;
pub use read_aloud::ReadAloud;
pub use source_note::SourceNote;
pub use status::StatusBar;
