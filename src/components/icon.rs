//! Inline SVG icons. Always decorative: the text beside an icon carries the meaning.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IconName {
    Today,
    Garbage,
    Alerts,
    Nursery,
    Meetings,
    Settings,
    Speaker,
    Microphone,
    Language,
    More,
}

impl IconName {
    /// 24×24 path data (simple shapes so they stay legible at 200% and in high contrast).
    fn path(self) -> &'static str {
        match self {
            IconName::Today => "M5 4h14a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm0 5v10h14V9zm2-7h2v4H7zm8 0h2v4h-2zM7 11h4v4H7z",
            IconName::Garbage => "M9 2h6l1 2h4v2H4V4h4zm-3 6h12l-1 13a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1zm3 2v9h2v-9zm4 0v9h2v-9z",
            IconName::Alerts => "M12 2 1 21h22zm-1 7h2v6h-2zm0 8h2v2h-2z",
            IconName::Nursery => "M12 3 2 11h3v9h5v-5h4v5h5v-9h3zm0 5a2 2 0 1 1 0 4 2 2 0 0 1 0-4z",
            IconName::Meetings => "M3 4h18v12H13l-5 4v-4H3zm3 3v2h12V7zm0 4v2h8v-2z",
            IconName::Settings => "M10 2h4l.6 2.6 2.3 1 2.3-1.4 2.8 2.8-1.4 2.3 1 2.3L22 10v4l-2.6.6-1 2.3 1.4 2.3-2.8 2.8-2.3-1.4-2.3 1L14 22h-4l-.6-2.6-2.3-1-2.3 1.4-2.8-2.8 1.4-2.3-1-2.3L2 14v-4l2.6-.6 1-2.3-1.4-2.3 2.8-2.8 2.3 1.4 2.3-1zm2 6.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z",
            IconName::Microphone => "M12 2a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V5a3 3 0 0 1 3-3zM5 10h2a5 5 0 0 0 10 0h2a7 7 0 0 1-6 6.9V20h3v2H8v-2h3v-3.1A7 7 0 0 1 5 10z",
            IconName::Language => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.9 6h-2.9a15 15 0 0 0-1.4-3.9A8 8 0 0 1 18.9 8zM12 4c.8 1.2 1.5 2.5 1.9 4h-3.8c.4-1.5 1.1-2.8 1.9-4zM4.3 14a8 8 0 0 1 0-4h3.4a16 16 0 0 0 0 4zm.8 2h2.9a15 15 0 0 0 1.4 3.9A8 8 0 0 1 5.1 16zM8 8H5.1a8 8 0 0 1 4.3-3.9A15 15 0 0 0 8 8zm4 12c-.8-1.2-1.5-2.5-1.9-4h3.8c-.4 1.5-1.1 2.8-1.9 4zm2.3-6H9.7a14 14 0 0 1 0-4h4.6a14 14 0 0 1 0 4zm.3 5.9a15 15 0 0 0 1.4-3.9h2.9a8 8 0 0 1-4.3 3.9zm1.7-5.9a16 16 0 0 0 0-4h3.4a8 8 0 0 1 0 4z",
            IconName::More => "M4 6h16v2H4zm0 5h16v2H4zm0 5h16v2H4z",
            IconName::Speaker => "M3 9h4l5-4v14l-5-4H3zm12.5-2.5a7 7 0 0 1 0 11l-1.4-1.4a5 5 0 0 0 0-8.2zM14 9a3 3 0 0 1 0 6z",
        }
    }
}

#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=name.path() fill="currentColor" />
        </svg>
    }
}
