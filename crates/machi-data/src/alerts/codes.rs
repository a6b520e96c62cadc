//! What JMA's codes mean: the severity and 警戒レベル of a warning kind, of a tsunami category.
//!
//! What the codes are *called* is in the catalogue (`[names.*]` of `crates/machi-i18n/i18n/`:
//! JMA's Japanese in `ja.toml`, translations in the other files) and read through
//! [`super::names`].

use super::model::Severity;

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
}
