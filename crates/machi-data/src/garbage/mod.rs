//! Garbage collection: which bag goes out on which day, for each area of a city.
//!
//! Cities publish their collection calendars as rules ("every Monday and Thursday", "the 2nd
//! Wednesday", "every other Friday from 2015-01-09", a list of dates) rather than as dates, so the
//! model keeps the rules and computes the days on demand: the feed stays small and the app can
//! answer "what goes out tomorrow?" offline for any date.
//!
//! Always compiled (the app needs them): the model ([`GarbageCalendar`] and friends), the date
//! rules ([`collection_days`], [`on`]), item search with kana folding ([`fold`], [`search_items`]),
//! the label glossary ([`glossary`]), category names in a resident's language ([`category_name`])
//! and the iCalendar export ([`to_ics`]).
//!
//! Behind the `sources` feature (the hub and the tests; kept out of the app's wasm): the readers of
//! the source formats, [`parse_5374`] for the 5374.jp CSV files and [`parse_ics`] for iCalendar
//! files of collection events.

mod days;
mod error;
pub(crate) mod export;
mod fold;
pub mod glossary;
mod model;
mod names;
pub mod reading;

#[cfg(feature = "sources")]
mod decode;
#[cfg(feature = "sources")]
mod ics;
#[cfg(feature = "sources")]
mod source5374;
#[cfg(feature = "sources")]
mod token;

pub use days::{collection_days, on};
pub use error::{GarbageError, Place, Warning};
pub use export::{to_ics, to_ics_with_reminder};
pub use fold::{fold, search_items};
pub use model::{
    area_id, category_id, Category, Centre, CollectionDay, GarbageArea, GarbageCalendar, Item,
    Remark, Rule, Schedule, Suspension, SuspensionPolicy,
};
pub use names::category_name;

#[cfg(feature = "sources")]
pub use decode::{decode, Decoded, SourceEncoding};
#[cfg(feature = "sources")]
pub use ics::parse_ics;
#[cfg(feature = "sources")]
pub use source5374::{parse_5374, parse_5374_with, Files5374, ParseOptions};
