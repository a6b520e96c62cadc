//! `machi-hub`: reads the city files, runs every source through one pipeline, publishes Machi's
//! normalised feeds, serves the built app and sends Web Push.
//!
//! - [`config`] parses and validates `cities/*.toml`;
//! - [`address`] says which addresses the hub may connect to on anyone's behalf (public only);
//! - [`client`] tells who a request is from (behind a trusted proxy, on a dual-stack listener)
//!   and whether another site made it;
//! - [`sources`] is the source pipeline: fetch ([`fetch`], conditional, path or URL) → store
//!   ([`store`], content-addressed, durable) → parse (machi-data) → publish (value + status);
//! - [`meetings`] expands the meeting sources into dated meetings and takes them into the change
//!   ledger, between the pipeline and the feeds;
//! - [`feeds`] assembles the published values into the feeds of [`machi_data::feed`];
//! - [`export`] writes the feeds (content-hashed names and a manifest) and the app as a static
//!   site;
//! - [`files`] writes the state directory's files atomically (and the VAPID key privately);
//! - [`document`] is a served body with its ETag and its brotli/gzip encodings, made once;
//! - [`dist`] loads Trunk's `dist/` with content types, cache policy and CSP hashes;
//! - [`push`] is Web Push: the subscription API, SQLite store, RFC 8291/8292 sending, alert
//!   fan-out and garbage reminders;
//! - [`serve`] is the axum router and the shared state, refreshed at every tick;
//! - [`listen`] accepts connections within limits (how many at once, how slow).
//!
//! The binary (`src/main.rs`) wires these into the `serve`, `check` and `export` commands.

pub mod address;
pub mod client;
pub mod config;
pub mod dist;
pub mod document;
pub mod export;
pub mod feeds;
pub mod fetch;
pub mod files;
pub mod listen;
pub mod meetings;
pub mod push;
pub mod serve;
pub mod sources;
pub mod store;
#[doc(hidden)]
pub mod testing;
