//! The alert model: what the hub publishes in the alerts feed and the app reads.
//!
//! Text stays in the original language (Japanese for JMA); the app and the hub's notifications
//! localise from the codes (`kind_code`, `severity`, `level`, intensity tokens, tsunami
//! categories) through the catalogue: [`super::names`] and its messages.

use crate::text::LocalizedText;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An area code, namespaced where code systems would collide.
///
/// - JMA 市町村等 (7 digits, `1720200`) and JMA forecast regions (6 digits, `170022`) are written
///   bare: they come from one hierarchy and never collide.
/// - Other JMA systems carry a prefix: `tsunami:360` (津波予報区), `seismic:390` (地震情報／細分区域),
///   `seismic-pref:17` (地震情報／都道府県等), `eew:9170` (緊急地震速報／府県予報区), `volcano:306`.
/// - CAP geocodes are `valueName:value` (`SAME:006037`, `UGC:AKZ101`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaCode(pub String);

impl AreaCode {
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }
    /// A code in another system than JMA's forecast areas, as `scheme:code`.
    pub fn scoped(scheme: &str, code: &str) -> Self {
        Self(format!("{scheme}:{code}"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for AreaCode {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Where an alert came from, which decides how later messages supersede it (see
/// [`super::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSourceKind {
    /// 気象警報・注意報 in the H27 formats (VPWW53, VPWW54).
    JmaWeatherWarningH27,
    /// 気象警報・注意報 in the R06 level-named formats (VPWW55 大雨, VPWW56 土砂, VPWW61 その他 …).
    JmaWeatherWarningR06,
    /// 震度速報 / 震源に関する情報 / 震源・震度に関する情報 (VXSE51/52/53) and similar reports.
    JmaEarthquake,
    /// 緊急地震速報 (VXSE43 …).
    JmaEew,
    /// 津波警報・注意報・予報 (VTSE41).
    JmaTsunami,
    /// 津波情報 (VTSE51): observations and estimates, reported but never "in force".
    JmaTsunamiInfo,
    /// Other JMA products read from their headline summary: 土砂災害警戒情報, 指定河川洪水予報,
    /// 竜巻注意情報, 記録的短時間大雨情報, 噴火警報・予報 …
    JmaInformation,
    /// An OASIS CAP 1.2 (or 1.1) alert.
    Cap,
}

impl AlertSourceKind {
    /// Whether alerts of this kind stay in force until lifted or expired (warnings), as opposed to
    /// reports of an event that happened (earthquake reports, tsunami observations), which the
    /// state shows in its history only.
    pub fn is_lasting(self) -> bool {
        !matches!(
            self,
            Self::JmaEarthquake | Self::JmaEew | Self::JmaTsunamiInfo
        )
    }

    /// Whether each message of a series restates everything in force for that series, so the latest
    /// message replaces all earlier ones (JMA warnings, tsunami warnings, 土砂災害警戒情報 …).
    pub fn is_full_state(self) -> bool {
        !matches!(self, Self::Cap)
    }
}

/// How serious an alert is, ordered: `Information < Advisory < Warning < Special`.
///
/// Written by its [`Severity::name`] everywhere: in feeds (serde), in the push API's topics and
/// in the hub's push store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// 情報, 予報, CAP Minor/Unknown.
    Information,
    /// 注意報, CAP Moderate.
    Advisory,
    /// 警報 (incl. R06 危険警報), 土砂災害警戒情報, CAP Severe.
    Warning,
    /// 特別警報, 大津波警報, 緊急地震速報（警報）, CAP Extreme.
    Special,
}

impl Severity {
    /// Every severity, least serious first.
    pub const ALL: [Severity; 4] = [
        Severity::Information,
        Severity::Advisory,
        Severity::Warning,
        Severity::Special,
    ];

    /// The one written form of a severity (the only place the names are spelled).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Information => "information",
            Severity::Advisory => "advisory",
            Severity::Warning => "warning",
            Severity::Special => "special",
        }
    }

    /// The severity [`Severity::name`] gives this name to.
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Severity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("information, advisory, warning or special")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Severity, E> {
                Severity::from_name(v)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// The message's lifecycle state for this alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// 発表 / CAP Alert.
    Issued,
    /// 継続.
    Continued,
    /// CAP Update: replaces the referenced messages.
    Updated,
    /// 訂正: replaces the earlier message of the same series and event.
    Corrected,
    /// 解除: no longer in force.
    Lifted,
    /// 取消 / CAP Cancel: the referenced (or earlier same-series) messages never should have been.
    Cancelled,
}

impl AlertStatus {
    /// Whether an alert with this status is in force (if not superseded or expired).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Self::Issued | Self::Continued | Self::Updated | Self::Corrected
        )
    }
}

/// JMA seismic intensity (震度), as the XML writes it: `1` … `4`, `5-`, `5+`, `6-`, `6+`, `7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Intensity {
    #[serde(rename = "0")]
    I0,
    #[serde(rename = "1")]
    I1,
    #[serde(rename = "2")]
    I2,
    #[serde(rename = "3")]
    I3,
    #[serde(rename = "4")]
    I4,
    #[serde(rename = "5-")]
    I5Lower,
    #[serde(rename = "5+")]
    I5Upper,
    #[serde(rename = "6-")]
    I6Lower,
    #[serde(rename = "6+")]
    I6Upper,
    #[serde(rename = "7")]
    I7,
}

impl Intensity {
    /// All tokens, weakest first.
    pub const ALL: [Intensity; 10] = [
        Self::I0,
        Self::I1,
        Self::I2,
        Self::I3,
        Self::I4,
        Self::I5Lower,
        Self::I5Upper,
        Self::I6Lower,
        Self::I6Upper,
        Self::I7,
    ];

    /// Parses the token as written in `<MaxInt>` / `<Int>` / `<ForecastInt><From>`.
    pub fn from_token(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "0" => Self::I0,
            "1" => Self::I1,
            "2" => Self::I2,
            "3" => Self::I3,
            "4" => Self::I4,
            "5-" => Self::I5Lower,
            "5+" => Self::I5Upper,
            "6-" => Self::I6Lower,
            "6+" => Self::I6Upper,
            "7" => Self::I7,
            _ => return None,
        })
    }

    pub fn token(self) -> &'static str {
        match self {
            Self::I0 => "0",
            Self::I1 => "1",
            Self::I2 => "2",
            Self::I3 => "3",
            Self::I4 => "4",
            Self::I5Lower => "5-",
            Self::I5Upper => "5+",
            Self::I6Lower => "6-",
            Self::I6Upper => "6+",
            Self::I7 => "7",
        }
    }
}

/// The hypocentre as JMA gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypocentre {
    /// 震央地名, e.g. `石川県能登地方`.
    pub name: String,
    /// 震央地名コード, e.g. `390`.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub lon: Option<f64>,
    /// Depth in km; `Some(0.0)` for ごく浅い.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub depth_km: Option<f64>,
    /// JMA's own wording of the position (`北緯３７．５度　東経１３７．２度　ごく浅い`).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub description: Option<String>,
}

/// Earthquake details (JMA VXSE5x, EEW).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EarthquakeDetails {
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::fixed_opt"
    )]
    pub origin_time: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub hypocentre: Option<Hypocentre>,
    /// `None` when JMA gives `NaN` (M不明, or Ｍ８を超える巨大地震); see `magnitude_text`.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub magnitude: Option<f64>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub magnitude_text: Option<String>,
    /// Highest observed (or, for EEW, forecast) intensity.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub max_intensity: Option<Intensity>,
    /// Intensity per municipality (7-digit) and per seismic area (`seismic:NNN`).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub intensities: Vec<AreaIntensity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaIntensity {
    pub area: AreaCode,
    pub name: String,
    pub max_intensity: Intensity,
}

/// The tsunami forecast for one 津波予報区.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TsunamiAreaForecast {
    pub area: AreaCode,
    pub name: String,
    /// 津波警報等 code (`52` 大津波警報, `51` 津波警報, `62` 津波注意報, `71` 若干の海面変動 …).
    pub category_code: String,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub last_category_code: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::fixed_opt"
    )]
    pub first_arrival: Option<DateTime<FixedOffset>>,
    /// `津波到達中と推測`, `第１波の到達を確認` …
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub first_arrival_condition: Option<String>,
    /// Expected maximum height in metres, when given as a number.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub max_height_m: Option<f64>,
    /// JMA's wording of the height (`５ｍ`, `巨大`, `高い`).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub max_height_text: Option<String>,
}

/// One alert: one kind, one status, for a set of areas, from one message.
///
/// A JMA warning message yields one `Alert` per (kind, status) found at its finest area level; a
/// CAP message yields one `Alert` whose texts carry every `<info>` language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Unique: `{message_id}#{n}`.
    pub id: String,
    /// The message this alert came from (JMA: the caller's id, usually the Atom entry id;
    /// CAP: `sender,identifier`).
    pub message_id: String,
    /// The series this message belongs to; a later message of a full-state series replaces
    /// earlier ones (JMA: `Control/Title|Head/Title[|EventID]`; CAP: the sender).
    pub series: String,
    /// JMA EventID (earthquake, volcano, river …), CAP incidents.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub event_id: Option<String>,
    /// 編集官署 / CAP sender name.
    pub issuer: String,
    pub source_kind: AlertSourceKind,
    /// The source's code for the kind: JMA 種別コード (`03`, `33`, `49` …), tsunami category (`51`),
    /// earthquake report kind (`intensity_report` …), CAP eventCode or event.
    pub kind_code: String,
    /// The source's own name for the kind, untranslated (`レベル３大雨警報`).
    pub kind_name: String,
    pub severity: Severity,
    /// 警戒レベル 1–5 when the source carries or implies one.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub level: Option<u8>,
    pub status: AlertStatus,
    /// Training or test message (JMA Control/Status 訓練・試験, CAP Exercise/Test/Draft): never
    /// shown as a real alert.
    #[serde(default, skip_serializing_if = "crate::wire::no")]
    pub test: bool,
    #[serde(deserialize_with = "crate::time::fixed")]
    pub issued_at: DateTime<FixedOffset>,
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::fixed_opt"
    )]
    pub valid_until: Option<DateTime<FixedOffset>>,
    pub areas: Vec<AreaCode>,
    /// Areas given as polygons (CAP `<polygon>`), each a closed ring of (lat, lon).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub polygons: Vec<Vec<(f64, f64)>>,
    /// The headline as published, by language (JMA: `ja` only).
    pub headline: LocalizedText,
    /// The full text as published (JMA Body/Text or comments; CAP description + instruction).
    pub original_text: LocalizedText,
    /// Messages this one replaces or cancels (CAP references as `sender,identifier`).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub replaces: Vec<String>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub earthquake: Option<EarthquakeDetails>,
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub tsunami: Vec<TsunamiAreaForecast>,
}

impl Alert {
    /// Whether this alert names `area` directly.
    pub fn concerns(&self, area: &AreaCode) -> bool {
        self.areas.iter().any(|a| a == area)
    }

    /// Whether a point lies inside one of the alert's polygons (even-odd rule).
    pub fn covers_point(&self, lat: f64, lon: f64) -> bool {
        self.polygons
            .iter()
            .any(|ring| point_in_ring(ring, lat, lon))
    }
}

fn point_in_ring(ring: &[(f64, f64)], lat: f64, lon: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (yi, xi) = ring[i];
        let (yj, xj) = ring[j];
        if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_severity_is_written_by_its_name_in_json_too() {
        for s in Severity::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.name()));
            assert_eq!(serde_json::from_str::<Severity>(&json).unwrap(), s);
            assert_eq!(Severity::from_name(s.name()), Some(s));
        }
        assert_eq!(Severity::from_name("loud"), None);
        assert!(serde_json::from_str::<Severity>("\"loud\"").is_err());
        assert!(Severity::ALL.windows(2).all(|w| w[0] < w[1]));
    }
}
