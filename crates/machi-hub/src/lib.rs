//! `machi-hub`: reads the city files, publishes Machi's normalised feeds and serves the built app.
//!
//! - [`config`] parses and validates `cities/*.toml`;
//! - [`feeds`] turns configs into the feeds of [`machi_data::feed`], serialised once per refresh;
//! - [`alerts`] polls JMA Atom feeds and CAP sources (each message fetched once, kept in a
//!   durable store under the state directory) and builds each city's alerts feed;
//! - [`files`] writes the state directory's files atomically (and the VAPID key privately);
//! - [`fetch`] reads a source from a URL (conditional GET, rustls) or a local path;
//! - [`garbage`] reads a city's garbage source (5374 CSV, iCalendar) and resolves its areas;
//! - [`dist`] loads Trunk's `dist/` with content types, cache policy and CSP hashes;
//! - [`push`] is Web Push: the subscription API, SQLite store, RFC 8291/8292 sending, alert
//!   fan-out and garbage reminders;
//! - [`serve`] is the axum router and the shared, periodically refreshed state.
//!
//! The binary (`src/main.rs`) wires these into the `serve`, `check` and `export` commands.

pub mod alerts;
pub mod config;
pub mod dist;
pub mod feeds;
pub mod fetch;
pub mod files;
pub mod garbage;
pub mod push;
pub mod serve;
