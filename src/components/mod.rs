//! Pieces used by several pages.

mod icon;
mod problem;
mod read_aloud;
mod status;

pub use icon::{Icon, IconName};
pub use problem::ProblemView;
pub use read_aloud::ReadAloud;
pub use status::StatusBar;
