//! `machi-hub`: reads the city files, publishes Machi's normalised feeds and serves the built app.
//!
//! - [`config`] parses and validates `cities/*.toml`;
//! - [`feeds`] turns configs into the feeds of [`machi_data::feed`], serialised once per refresh;
//! - [`garbage`] reads a city's garbage source (5374 CSV, iCalendar) and resolves its areas;
//! - [`dist`] loads Trunk's `dist/` with content types, cache policy and CSP hashes;
//! - [`serve`] is the axum router and the shared, periodically refreshed state.
//!
//! The binary (`src/main.rs`) wires these into the `serve`, `check` and `export` commands.

pub mod config;
pub mod dist;
pub mod feeds;
pub mod garbage;
pub mod serve;
