//! The feeds' second encoding, for the app: [postcard], published beside each JSON feed under the
//! same name with `.bin` ([`FeedFormat::Postcard`]).
//!
//! Why: reading JSON in the wasm means field names matched per feed type (serde's map visitors,
//! instantiated for every type): 5.4 KB brotli of the app's main wasm and 6.3 KB of its page
//! modules. Postcard writes the fields in order without their names, so only the sequence
//! visitors are compiled in. JSON stays the public feed (readable, tolerant of added fields, what
//! other clients and the tests read).
//!
//! Two things JSON gives for free are made explicit here:
//! - **Every field is written.** The feed types leave empty fields out of the JSON
//!   (`skip_serializing_if`), which a reader without field names cannot follow. Their predicates
//!   are this module's ([`none`], [`empty`], [`no`], [`zero`], [`omit`]), which say "skip" only
//!   while JSON is written: [`to_bytes`] marks the thread as writing postcard while it runs.
//! - **The layout is checked, not assumed.** A postcard reader must know the exact field order of
//!   the writer. The file starts with [`FEED_VERSION`] and [`LAYOUT`], a hash of the code (not
//!   the comments) of the files that define the feed types, taken at compile time: any change to
//!   that code gives another number, so an app and a hub built from different code never misread
//!   each other; the app says the feed was "written by another version of Machi" instead (and
//!   the service worker offers the update). The cost: between a hub's update that changes this
//!   code and the resident's tap on "reload to update", a feed the old app fetches afresh is shown
//!   as that error, not read.
//!
//! [postcard]: https://docs.rs/postcard

use crate::feed::{check_version, FeedError, FEED_VERSION};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::Cell;

/// How a feed is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedFormat {
    /// `….json`: the public feed.
    Json,
    /// `….bin`: the same value in postcard, for the app.
    Postcard,
}

impl FeedFormat {
    pub const BOTH: [FeedFormat; 2] = [FeedFormat::Json, FeedFormat::Postcard];

    /// The file extension, with its dot.
    pub const fn extension(self) -> &'static str {
        match self {
            FeedFormat::Json => ".json",
            FeedFormat::Postcard => ".bin",
        }
    }

    /// The `Content-Type` it is served with.
    pub const fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Json => "application/json",
            FeedFormat::Postcard => "application/octet-stream",
        }
    }
}

/// FNV-1a over a source file's code, at compile time: comments (from `//` to the end of the
/// line) and whitespace left out, so documentation and formatting do not change [`LAYOUT`].
const fn fnv1a(mut hash: u32, bytes: &[u8]) -> u32 {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && i + 1 < bytes.len() && bytes[i + 1] == b'/' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if !bytes[i].is_ascii_whitespace() {
            hash ^= bytes[i] as u32;
            hash = hash.wrapping_mul(0x0100_0193);
        }
        i += 1;
    }
    hash
}

/// The layout of the postcard feeds: a hash of the code of the source files of every type a feed
/// holds (and of this one). Over-sensitive on purpose (any code change in them changes it, not
/// only a field's): a false "other layout" costs an update the service worker offers anyway, a
/// misread feed would show wrong days.
pub const LAYOUT: u32 = {
    let mut h = 0x811c_9dc5;
    h = fnv1a(h, include_bytes!("feed.rs"));
    h = fnv1a(h, include_bytes!("text.rs"));
    h = fnv1a(h, include_bytes!("time.rs"));
    h = fnv1a(h, include_bytes!("alerts/model.rs"));
    h = fnv1a(h, include_bytes!("alerts/shelter.rs"));
    h = fnv1a(h, include_bytes!("garbage/model.rs"));
    h = fnv1a(h, include_bytes!("nursery/mod.rs"));
    h = fnv1a(h, include_bytes!("meetings/model.rs"));
    h = fnv1a(h, include_bytes!("wire.rs"));
    h
};

thread_local! {
    /// True while [`to_bytes`] runs on this thread: no field is skipped.
    static WRITING_POSTCARD: Cell<bool> = const { Cell::new(false) };
}

fn writing_json() -> bool {
    !WRITING_POSTCARD.with(Cell::get)
}

/// `skip_serializing_if` of an optional field: `None` is left out of JSON.
pub fn none<T>(value: &Option<T>) -> bool {
    value.is_none() && writing_json()
}

/// `skip_serializing_if` of a list: an empty one is left out of JSON.
pub fn empty<T>(value: &[T]) -> bool {
    value.is_empty() && writing_json()
}

/// `skip_serializing_if` of a flag: `false` is left out of JSON.
pub fn no(value: &bool) -> bool {
    !*value && writing_json()
}

/// `skip_serializing_if` of a count: zero is left out of JSON.
pub fn zero(value: &u32) -> bool {
    *value == 0 && writing_json()
}

/// `skip_serializing_if` for any other "nothing to say" test: `omit(is_default(x))` in the
/// type's own predicate.
pub fn omit(nothing: bool) -> bool {
    nothing && writing_json()
}

/// `value` in postcard, after the version and layout header; every field written.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    struct Writing;
    impl Drop for Writing {
        fn drop(&mut self) {
            WRITING_POSTCARD.with(|w| w.set(false));
        }
    }
    WRITING_POSTCARD.with(|w| w.set(true));
    let _writing = Writing;
    let header = postcard::to_allocvec(&(FEED_VERSION, LAYOUT)).expect("two integers serialise");
    // The feed types hold only strings, numbers, lists and string-keyed maps of known length.
    postcard::to_extend(value, header).expect("feed types always serialise to postcard")
}

/// Why a postcard feed was not read.
#[derive(Debug, Clone, PartialEq)]
pub enum WireError {
    /// Its schema version is newer than this build's.
    Version(FeedError),
    /// Written by a build with other feed types: the app must be updated (or the hub).
    OtherLayout { found: u32 },
    /// The bytes do not decode as the feed type.
    Malformed(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Version(e) => e.fmt(f),
            WireError::OtherLayout { found } => write!(
                f,
                "written by another version of Machi (layout {found:08x}, this app reads {LAYOUT:08x})"
            ),
            WireError::Malformed(e) => write!(f, "malformed feed: {e}"),
        }
    }
}

impl std::error::Error for WireError {}

/// Whether `bytes` start with this build's header (version and [`LAYOUT`]).
pub fn is_current(bytes: &[u8]) -> bool {
    postcard::take_from_bytes::<(u32, u32)>(bytes)
        .is_ok_and(|(header, _)| header == (FEED_VERSION, LAYOUT))
}

/// Reads a postcard feed written by [`to_bytes`]: the header first, so another version or layout
/// is said as such and never misread.
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    let malformed = |e: postcard::Error| WireError::Malformed(e.to_string());
    let ((version, layout), rest) =
        postcard::take_from_bytes::<(u32, u32)>(bytes).map_err(malformed)?;
    check_version(version).map_err(WireError::Version)?;
    if layout != LAYOUT {
        return Err(WireError::OtherLayout { found: layout });
    }
    let (value, rest) = postcard::take_from_bytes(rest).map_err(malformed)?;
    if !rest.is_empty() {
        return Err(WireError::Malformed(format!(
            "{} bytes after the end of the feed",
            rest.len()
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::CityIndex;
    use chrono::{TimeZone, Utc};

    fn index() -> CityIndex {
        CityIndex {
            version: FEED_VERSION,
            generated_at: Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap(),
            cities: Vec::new(),
        }
    }

    #[test]
    fn a_feed_reads_back_as_written() {
        let bytes = to_bytes(&index());
        assert!(is_current(&bytes));
        assert_eq!(from_bytes::<CityIndex>(&bytes).unwrap(), index());
    }

    #[test]
    fn places_read_back_in_postcard() {
        use crate::nursery::Places;
        let all = vec![
            Places::Count(0),
            Places::Count(7),
            Places::Some,
            Places::Undisclosed,
            Places::NoClass,
        ];
        let bytes = postcard::to_allocvec(&all).unwrap();
        assert_eq!(postcard::from_bytes::<Vec<Places>>(&bytes).unwrap(), all);
    }

    #[test]
    fn another_layout_is_refused_not_misread() {
        let mut bytes = to_bytes(&index());
        let other = postcard::to_allocvec(&(FEED_VERSION, LAYOUT ^ 1)).unwrap();
        bytes.splice(..other.len(), other);
        assert!(!is_current(&bytes));
        assert_eq!(
            from_bytes::<CityIndex>(&bytes).unwrap_err(),
            WireError::OtherLayout { found: LAYOUT ^ 1 }
        );
    }

    #[test]
    fn the_layout_hash_skips_comments_and_whitespace() {
        let h = |s: &str| fnv1a(0x811c_9dc5, s.as_bytes());
        assert_eq!(
            h("pub a: u32, // one\n/// doc\n  pub b: String,"),
            h("pub a:u32,\npub b:String,")
        );
        assert_ne!(
            h("pub a: u32, pub b: String,"),
            h("pub b: String, pub a: u32,")
        );
    }

    /// The head script of index.html (machi-i18n's first_view.rs) reads a single city's id out of
    /// `/feeds/index.bin` without the app: it skips the header's two numbers, the index's
    /// version and `generated_at`, reads the number of cities and then the first one's id. This
    /// walks the bytes as it does, so a change of `CityIndex` or `CitySummary` that moves the id
    /// fails here (and the script is changed with it).
    #[test]
    fn the_head_script_finds_a_single_city_in_the_index() {
        use crate::feed::CitySummary;
        let mut index = index();
        index.cities.push(CitySummary {
            id: "kanazawa-shi".into(),
            lg_code: Some("172014".into()),
            name: crate::LocalizedText::default(),
            prefecture: crate::LocalizedText::default(),
        });
        let bytes = to_bytes(&index);
        // The script's `v()`: a varint at `i`, `i` moved past it.
        let v = |i: &mut usize| {
            let (mut x, mut s) = (0usize, 1usize);
            loop {
                let y = bytes[*i];
                *i += 1;
                x += usize::from(y & 127) * s;
                if y <= 127 {
                    return x;
                }
                s *= 128;
            }
        };
        // `v();v();v();b=v();i+=b;if(v()==1){b=v();` and the id's `b` bytes.
        let mut i = 0;
        v(&mut i);
        v(&mut i);
        v(&mut i);
        let b = v(&mut i);
        i += b;
        assert_eq!(v(&mut i), 1);
        let len = v(&mut i);
        assert_eq!(&bytes[i..i + len], b"kanazawa-shi");
    }

    #[test]
    fn a_newer_version_is_refused() {
        let mut bytes = postcard::to_allocvec(&(FEED_VERSION + 1, LAYOUT)).unwrap();
        bytes.extend_from_slice(&[0; 8]);
        assert!(matches!(
            from_bytes::<CityIndex>(&bytes),
            Err(WireError::Version(FeedError::UnsupportedVersion { .. }))
        ));
    }

    #[test]
    fn truncated_and_trailing_bytes_are_malformed() {
        let bytes = to_bytes(&index());
        assert!(matches!(
            from_bytes::<CityIndex>(&bytes[..bytes.len() - 3]),
            Err(WireError::Malformed(_))
        ));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            from_bytes::<CityIndex>(&longer),
            Err(WireError::Malformed(_))
        ));
    }
}
