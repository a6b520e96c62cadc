//! Decoding a garbage source file: the crate's sniffing ([`crate::encoding`]), with undecodable
//! bytes reported as a garbage [`Warning`] naming the file.

use super::error::{GarbageError, Warning};
pub use crate::encoding::SourceEncoding;

/// A decoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: SourceEncoding,
    /// Set when some bytes could not be decoded and were replaced.
    pub warning: Option<Warning>,
}

/// Decodes `bytes` of the file `source_file` (named in the warning).
pub fn decode(bytes: &[u8], source_file: &str) -> Decoded {
    let d = crate::encoding::decode(bytes);
    Decoded {
        warning: d.had_errors.then(|| replaced(source_file, d.encoding_name)),
        text: d.text,
        encoding: d.encoding,
    }
}

fn replaced(source_file: &str, encoding: &str) -> Warning {
    Warning(GarbageError::new(
        source_file,
        format!("some bytes are not valid {encoding} text and were replaced by \u{FFFD}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_bom_utf8_and_shift_jis() {
        let bom = decode("\u{FEFF}燃やすごみ".as_bytes(), "a.csv");
        assert_eq!(
            (bom.text.as_str(), bom.encoding),
            ("燃やすごみ", SourceEncoding::Utf8WithBom)
        );
        let plain = decode("燃やすごみ".as_bytes(), "a.csv");
        assert_eq!(plain.encoding, SourceEncoding::Utf8);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("燃やすごみ,①");
        let d = decode(&sjis, "a.csv");
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("燃やすごみ,①", SourceEncoding::ShiftJis)
        );
        assert!(d.warning.is_none());
    }

    #[test]
    fn undecodable_bytes_are_a_warning_not_a_failure() {
        let d = decode(b"\x82\xa0\xff\xfe\x82", "target.csv");
        assert_eq!(d.encoding, SourceEncoding::ShiftJis);
        assert!(d.text.starts_with('あ'));
        let w = d.warning.expect("a warning");
        assert!(
            w.to_string()
                .starts_with("target.csv: some bytes are not valid Shift_JIS"),
            "{w}"
        );
    }
}
