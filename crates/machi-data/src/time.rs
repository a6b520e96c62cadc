//! Reading the feeds' dates and times without chrono's general-purpose parser.
//!
//! chrono deserialises `NaiveDate` and `DateTime` through its format-string parser, which costs
//! about 14 KB of the app's wasm before optimisation; the feeds only ever hold the two forms
//! chrono's serde writes, so these small readers take exactly those:
//!
//! - a date: `2026-12-02`;
//! - an RFC 3339 date-time: `2026-12-02T11:17:00+09:00`, `2026-12-02T02:17:02.123456789Z`.
//!
//! Writing stays chrono's. Fields opt in with `#[serde(deserialize_with = "…")]`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::{de::Error, Deserialize, Deserializer};

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    // `get`, not indexing: the checks above are on bytes, and a slice inside a character
    // (`2026-0é-01`) would panic.
    NaiveDate::from_ymd_opt(
        digits(s.get(0..4)?)? as i32,
        digits(s.get(5..7)?)?,
        digits(s.get(8..10)?)?,
    )
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t`, `z` and a space for `T` accepted).
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let date = parse_date(s.get(0..10)?)?;
    if !matches!(s.as_bytes().get(10)?, b'T' | b't' | b' ') {
        return None;
    }
    let rest = s.get(11..)?;
    let b = rest.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, sec) = (
        digits(rest.get(0..2)?)?,
        digits(rest.get(3..5)?)?,
        digits(rest.get(6..8)?)?,
    );
    let mut rest = rest.get(8..)?;
    let mut nanos = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        // Nanoseconds: the first nine digits, padded on the right.
        let kept = &frac[..n.min(9)];
        nanos = digits(kept)? * 10u32.pow(9 - kept.len() as u32);
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (digits(rest.get(1..3)?)? * 3600 + digits(rest.get(4..6)?)? * 60) as i32
        }
    };
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?;
    date.and_time(time)
        .and_local_timezone(FixedOffset::east_opt(offset)?)
        .single()
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d)
}

pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = text(d)?;
    parse_date(&s).ok_or_else(|| D::Error::custom(format!("not a date (YYYY-MM-DD): {s}")))
}

pub fn date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_date(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("not a date (YYYY-MM-DD): {s}"))),
    }
}

pub fn fixed<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let s = text(d)?;
    parse_datetime(&s).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 date-time: {s}")))
}

pub fn utc<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    fixed(d).map(|t| t.with_timezone(&Utc))
}

pub fn fixed_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 date-time: {s}"))),
    }
}

pub fn utc_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    fixed_opt(d).map(|t| t.map(|t| t.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_chrono_writes() {
        let utc: DateTime<Utc> = "2026-12-02T02:17:02.123456789Z".parse().unwrap();
        let written = serde_json::to_string(&utc).unwrap();
        assert_eq!(
            parse_datetime(written.trim_matches('"')).unwrap(),
            utc.fixed_offset()
        );
        let jst: DateTime<FixedOffset> = "2024-01-01T16:10:00+09:00".parse().unwrap();
        let written = serde_json::to_string(&jst).unwrap();
        assert_eq!(parse_datetime(written.trim_matches('"')).unwrap(), jst);
        assert_eq!(
            parse_datetime("2026-12-02T02:17:02.5Z")
                .unwrap()
                .timestamp_subsec_millis(),
            500
        );
        let d = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(
            parse_date(serde_json::to_string(&d).unwrap().trim_matches('"')),
            Some(d)
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "2026-1-01",
            "20261201",
            "",
            "2026-12-0x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in [
            "2026-12-02",
            "2026-12-02T25:00:00Z",
            "2026-12-02T10:00:00",
            "2026-12-02T10:00:00+0900",
            "2026-12-02T10:00:00.Z",
            "2026-12-02X10:00:00Z",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    /// Byte positions checked, then text sliced: a multi-byte character where a digit belongs
    /// must be refused, not panic (found by the issue's review; the fuzzers look for more).
    #[test]
    fn a_character_where_a_digit_belongs_is_refused_not_a_panic() {
        for bad in [
            "2026-01-01T00:00:0é+09:00",
            "2026-01-01T0é:00:00Z",
            "2026-01-01T00:00:00+0é:00",
            "2026-01-01T00:00:00+09:0é",
            "2026-0é-01T00:00:00Z",
            "202é-01-01",
            "2026-01-01T00:00:00.5é",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        for bad in ["202é-01-01", "2026-é1-01", "2026-01-é1"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_feed_with_a_bad_time_names_it() {
        #[derive(Deserialize, Debug)]
        struct T {
            #[serde(deserialize_with = "utc")]
            #[allow(dead_code)]
            at: DateTime<Utc>,
        }
        let err = serde_json::from_str::<T>(r#"{"at":"yesterday"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("not an RFC 3339 date-time: yesterday"),
            "{err}"
        );
    }
}
