//! Code → meaning tables the app's phrase templates need: JMA warning kinds, tsunami categories,
//! seismic intensity tokens, 警戒レベル, earthquake report kinds. Japanese names are JMA's; English
//! names are plain data for templates, not user-facing strings of this crate.
//!
//! The H27 warning codes are JMA's 気象警報・注意報 種別コード (codes/jma/WeatherWarning.json); the R06
//! level-named codes are those seen in JMA's R06 sample messages (VPWW55/56/61).

use super::model::{Intensity, Severity};

/// One code with its Japanese and English names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeName {
    pub code: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
}

const fn c(code: &'static str, ja: &'static str, en: &'static str) -> CodeName {
    CodeName { code, ja, en }
}

/// JMA 気象警報・注意報 種別コード (H27 formats).
pub const WEATHER_WARNING_KINDS: &[CodeName] = &[
    c("00", "解除", "Lifted"),
    c("02", "暴風雪警報", "Snowstorm warning"),
    c("03", "大雨警報", "Heavy rain warning"),
    c("04", "洪水警報", "Flood warning"),
    c("05", "暴風警報", "Storm warning"),
    c("06", "大雪警報", "Heavy snow warning"),
    c("07", "波浪警報", "High wave warning"),
    c("08", "高潮警報", "Storm surge warning"),
    c("10", "大雨注意報", "Heavy rain advisory"),
    c("12", "大雪注意報", "Heavy snow advisory"),
    c("13", "風雪注意報", "Wind and snow advisory"),
    c("14", "雷注意報", "Thunderstorm advisory"),
    c("15", "強風注意報", "Strong wind advisory"),
    c("16", "波浪注意報", "High wave advisory"),
    c("17", "融雪注意報", "Snowmelt advisory"),
    c("18", "洪水注意報", "Flood advisory"),
    c("19", "高潮注意報", "Storm surge advisory"),
    c("20", "濃霧注意報", "Dense fog advisory"),
    c("21", "乾燥注意報", "Dry air advisory"),
    c("22", "なだれ注意報", "Avalanche advisory"),
    c("23", "低温注意報", "Low temperature advisory"),
    c("24", "霜注意報", "Frost advisory"),
    c("25", "着氷注意報", "Icing advisory"),
    c("26", "着雪注意報", "Snow accretion advisory"),
    c("27", "その他の注意報", "Other advisory"),
    c("32", "暴風雪特別警報", "Snowstorm emergency warning"),
    c("33", "大雨特別警報", "Heavy rain emergency warning"),
    c("35", "暴風特別警報", "Storm emergency warning"),
    c("36", "大雪特別警報", "Heavy snow emergency warning"),
    c("37", "波浪特別警報", "High wave emergency warning"),
    c("38", "高潮特別警報", "Storm surge emergency warning"),
];

/// R06 level-named kinds whose code or name differs from H27 (as seen in JMA's R06 samples).
/// Other R06 codes share the H27 table.
pub const WEATHER_WARNING_KINDS_R06: &[CodeName] = &[
    c("03", "レベル３大雨警報", "Level 3 heavy rain warning"),
    c("10", "レベル２大雨注意報", "Level 2 heavy rain advisory"),
    c("29", "レベル２土砂災害注意報", "Level 2 landslide advisory"),
    c(
        "49",
        "レベル４土砂災害危険警報",
        "Level 4 landslide danger warning",
    ),
];

/// JMA 津波警報等 category codes.
pub const TSUNAMI_CATEGORIES: &[CodeName] = &[
    c("00", "津波なし", "No tsunami"),
    c("50", "警報解除", "Tsunami warning lifted"),
    c("51", "津波警報", "Tsunami warning"),
    c("52", "大津波警報", "Major tsunami warning"),
    c("53", "大津波警報：発表", "Major tsunami warning (new)"),
    c("60", "津波注意報解除", "Tsunami advisory lifted"),
    c("62", "津波注意報", "Tsunami advisory"),
    c(
        "71",
        "津波予報（若干の海面変動）",
        "Tsunami forecast (slight sea-level change)",
    ),
    c(
        "72",
        "津波予報（若干の海面変動）",
        "Tsunami forecast (slight sea-level change)",
    ),
    c(
        "73",
        "津波予報（若干の海面変動）",
        "Tsunami forecast (slight sea-level change)",
    ),
];

/// 震度 tokens as JMA XML writes them.
pub const INTENSITIES: &[CodeName] = &[
    c("0", "震度0", "Seismic intensity 0"),
    c("1", "震度1", "Seismic intensity 1"),
    c("2", "震度2", "Seismic intensity 2"),
    c("3", "震度3", "Seismic intensity 3"),
    c("4", "震度4", "Seismic intensity 4"),
    c("5-", "震度5弱", "Seismic intensity 5 lower"),
    c("5+", "震度5強", "Seismic intensity 5 upper"),
    c("6-", "震度6弱", "Seismic intensity 6 lower"),
    c("6+", "震度6強", "Seismic intensity 6 upper"),
    c("7", "震度7", "Seismic intensity 7"),
];

/// 警戒レベル 1–5 (避難情報に関するガイドライン).
pub const LEVELS: &[CodeName] = &[
    c("1", "警戒レベル1", "Alert level 1: be prepared"),
    c("2", "警戒レベル2", "Alert level 2: check how to evacuate"),
    c(
        "3",
        "警戒レベル3",
        "Alert level 3: elderly and others evacuate",
    ),
    c("4", "警戒レベル4", "Alert level 4: everyone evacuate"),
    c(
        "5",
        "警戒レベル5",
        "Alert level 5: emergency, secure your safety",
    ),
];

/// Earthquake report kinds, the `kind_code` of [`super::AlertSourceKind::JmaEarthquake`] and
/// `JmaEew` alerts.
pub const EARTHQUAKE_REPORTS: &[CodeName] = &[
    c("intensity_report", "震度速報", "Seismic intensity report"),
    c("hypocentre_report", "震源に関する情報", "Hypocentre report"),
    c(
        "hypocentre_intensity_report",
        "震源・震度に関する情報",
        "Hypocentre and intensity report",
    ),
    c(
        "long_period_report",
        "長周期地震動に関する観測情報",
        "Long-period ground motion report",
    ),
    c("earthquake_other", "地震情報", "Earthquake information"),
    c(
        "eew_warning",
        "緊急地震速報（警報）",
        "Earthquake early warning",
    ),
    c(
        "eew_forecast",
        "緊急地震速報（予報）",
        "Earthquake early warning (forecast)",
    ),
];

/// Looks a code up in a table.
pub fn lookup(table: &'static [CodeName], code: &str) -> Option<&'static CodeName> {
    table.iter().find(|c| c.code == code)
}

/// Name of a JMA warning kind: the R06 table first when `r06`, then the H27 table.
pub fn weather_warning_kind(code: &str, r06: bool) -> Option<&'static CodeName> {
    r06.then(|| lookup(WEATHER_WARNING_KINDS_R06, code))
        .flatten()
        .or_else(|| lookup(WEATHER_WARNING_KINDS, code))
}

/// Name of an intensity.
pub fn intensity_name(i: Intensity) -> &'static CodeName {
    lookup(INTENSITIES, i.token()).unwrap_or(&INTENSITIES[0])
}

/// Severity and 警戒レベル of a JMA warning kind, from its name first (R06 names carry the level:
/// `レベル４土砂災害危険警報`) and its code second.
pub fn weather_warning_severity(code: &str, name: &str) -> (Severity, Option<u8>) {
    let severity = if name.contains("特別警報") {
        Severity::Special
    } else if name.contains("警報") {
        Severity::Warning
    } else if name.contains("注意報") {
        Severity::Advisory
    } else {
        match code.parse::<u8>().unwrap_or(0) {
            30..=39 => Severity::Special,
            2..=9 | 40..=49 => Severity::Warning,
            10..=29 => Severity::Advisory,
            _ => Severity::Information,
        }
    };
    let level = level_in(name).or(match code {
        // 警戒レベル相当 of the H27 kinds (気象庁: 防災気象情報と警戒レベルとの対応).
        "33" => Some(5),
        "08" | "38" => Some(4),
        "03" | "04" => Some(3),
        "10" | "18" | "19" => Some(2),
        _ => None,
    });
    (severity, level)
}

/// The 警戒レベル written in a text (`レベル３`, `警戒レベル４相当`), full- or half-width digits.
pub fn level_in(text: &str) -> Option<u8> {
    let i = text.find("レベル")?;
    let c = text[i + "レベル".len()..].chars().next()?;
    let d = match c {
        '1'..='5' => c as u8 - b'0',
        '１'..='５' => (c as u32 - '０' as u32) as u8,
        _ => return None,
    };
    Some(d)
}

/// Severity of a tsunami category code, and whether the code lifts a warning.
pub fn tsunami_severity(code: &str) -> (Severity, bool) {
    match code {
        "52" | "53" => (Severity::Special, false),
        "51" => (Severity::Warning, false),
        "62" => (Severity::Advisory, false),
        "50" | "60" => (Severity::Information, true),
        _ => (Severity::Information, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r06_names_carry_the_level() {
        assert_eq!(
            weather_warning_severity("49", "レベル４土砂災害危険警報"),
            (Severity::Warning, Some(4))
        );
        assert_eq!(
            weather_warning_severity("10", "レベル２大雨注意報"),
            (Severity::Advisory, Some(2))
        );
        assert_eq!(
            weather_warning_severity("33", "大雨特別警報"),
            (Severity::Special, Some(5))
        );
        assert_eq!(
            weather_warning_severity("14", "雷注意報"),
            (Severity::Advisory, None)
        );
    }

    #[test]
    fn every_intensity_token_has_a_name() {
        for i in Intensity::ALL {
            assert_eq!(intensity_name(i).code, i.token());
        }
    }

    #[test]
    fn r06_table_wins_over_h27_for_r06_messages() {
        assert_eq!(
            weather_warning_kind("03", true).unwrap().ja,
            "レベル３大雨警報"
        );
        assert_eq!(weather_warning_kind("03", false).unwrap().ja, "大雨警報");
        assert_eq!(weather_warning_kind("14", true).unwrap().ja, "雷注意報");
    }
}
