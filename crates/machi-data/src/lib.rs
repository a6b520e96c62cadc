//! `machi-data`: the model Machi's app and hub share.
//!
//! Source formats go in, one normalised model comes out. This crate does no I/O: it takes bytes or
//! strings and returns values or errors that name the source and the place. It builds for
//! `wasm32-unknown-unknown` (the app) and natively (the hub, the tests).
//!
//! The most important module is [`feed`]: the schema of the feeds the hub publishes and the app
//! reads, the one contract between them (as JSON, and as postcard for the app: [`wire`]); [`push`]
//! is the other one, the Web Push API's bodies.

pub mod alerts;
#[cfg(feature = "sources")]
pub mod encoding;
pub mod feed;
pub mod garbage;
pub mod meetings;
pub mod nursery;
pub mod push;
pub mod text;
pub mod time;
pub mod wire;

pub use feed::{
    AlertsFeed, Area, CityFeed, CityFeedKind, CityIndex, CitySummary, FeedPath, GarbageFeed,
    MeetingsFeed, NurseryFeed, SourceInfo, SourceKind, FEED_VERSION,
};
pub use text::LocalizedText;
