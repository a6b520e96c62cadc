//! The app's pages as values: every in-app link and redirect names a [`Page`], so a path is
//! written once here (and once in the routing table of `app.rs`, which a test keeps in step).
//! Routing itself is leptos_router's.

use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// A page of the app with a fixed path (the routes with a parameter, `/c/{city}`,
/// `/nursery/{id}` and `/meetings/{id}`, are written in `app.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Today,
    Welcome,
    Garbage,
    Alerts,
    Nursery,
    Meetings,
    /// The meetings held, with their minutes.
    MeetingsPast,
    Settings,
    About,
}

impl Page {
    #[cfg(test)]
    pub const ALL: [Page; 9] = [
        Page::Today,
        Page::Welcome,
        Page::Garbage,
        Page::Alerts,
        Page::Nursery,
        Page::Meetings,
        Page::MeetingsPast,
        Page::Settings,
        Page::About,
    ];

    pub const fn path(self) -> &'static str {
        match self {
            Page::Today => "/",
            Page::Welcome => "/welcome",
            Page::Garbage => "/garbage",
            Page::Alerts => "/alerts",
            Page::Nursery => "/nursery",
            Page::Meetings => "/meetings",
            Page::MeetingsPast => "/meetings/past",
            Page::Settings => "/settings",
            Page::About => "/about",
        }
    }
}

/// A function that goes to a page, adding a history entry (call `use_go` in a component, the
/// function later, e.g. in an event handler).
pub fn use_go() -> impl Fn(Page) + Clone + 'static {
    let navigate = use_navigate();
    move |page: Page| navigate(page.path(), NavigateOptions::default())
}

/// A function that replaces the current page with another (a redirect: Back does not return to
/// the page that redirected).
pub fn use_redirect() -> impl Fn(Page) + Clone + 'static {
    let navigate = use_navigate();
    move |page: Page| {
        navigate(
            page.path(),
            NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            },
        )
    }
}
