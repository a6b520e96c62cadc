//! Disaster alerts: JMA 防災情報XML, OASIS CAP and JMA Atom feeds in; [`Alert`]s, the state of a
//! place ([`AlertState`]) and the nearest [`Shelter`]s out.
//!
//! - [`model`]: the alert model the hub publishes and the app reads (always compiled).
//! - [`codes`]: what JMA's codes mean (severity, 警戒レベル); [`names`]: what an alert and its codes
//!   are called in a resident's language, from the catalogue (both always compiled).
//! - [`state`]: what is in force for a place, as a pure function; area hierarchy and indexes.
//! - [`shelter`]: shelters and `nearest` (always compiled); their CSV reader (`sources`).
//! - `jma`, `cap`, `atom`: the source parsers, behind the `sources` feature, over one hardened XML
//!   reader (`xml`: size, depth and element caps, no DOCTYPE/entities, local names only).

pub mod codes;
pub mod error;
pub mod model;
pub mod names;
pub mod shelter;
pub mod state;

#[cfg(feature = "sources")]
pub mod atom;
#[cfg(feature = "sources")]
pub mod cap;
#[cfg(feature = "sources")]
pub mod jma;
#[cfg(feature = "sources")]
pub(crate) mod xml;

pub use error::AlertError;
pub use model::{
    Alert, AlertSourceKind, AlertStatus, AreaCode, AreaIntensity, EarthquakeDetails, Hypocentre,
    Intensity, Severity, TsunamiAreaForecast,
};
pub use names::{intensity_name, kind_name, tsunami_category_name};
pub use shelter::{haversine_km, nearest, HazardType, Shelter};
pub use state::{
    confirmation_bound, is_ahead, is_unconfirmed, AlertState, AreaIndex, AreaScope, AreaTree,
    CurrentState, SubscriptionIndex, AHEAD_TOLERANCE_MINUTES,
};

#[cfg(feature = "sources")]
pub use atom::{parse_atom_feed, parse_atom_feed_with, FeedEntry};
#[cfg(feature = "sources")]
pub use cap::{parse_cap, parse_cap_with};
#[cfg(feature = "sources")]
pub use jma::{parse_jma, parse_jma_with};
#[cfg(feature = "sources")]
pub use shelter::{parse_shelters_csv, ShelterList};
#[cfg(feature = "sources")]
pub use xml::XmlLimits;
