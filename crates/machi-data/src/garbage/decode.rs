//! Bytes to text for city files, which come in UTF-8 (with or without BOM) or Shift_JIS.
//!
//! Cities rarely say which: a BOM decides when there is one; otherwise text that is valid UTF-8
//! is UTF-8 (a Shift_JIS file of Japanese text is almost never valid UTF-8), and anything else is
//! read as Shift_JIS in its Windows-31J form (`encoding_rs::SHIFT_JIS`, the WHATWG encoding,
//! which includes the NEC and IBM extensions Windows Excel writes). Bytes that are not text in
//! that encoding become U+FFFD and a warning, never a failure: one bad byte should not lose a
//! city's calendar.

use super::error::{GarbageError, Warning};

/// Which encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Utf8WithBom,
    Utf16,
    ShiftJis,
}

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
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let encoding = if enc == encoding_rs::UTF_8 {
            SourceEncoding::Utf8WithBom
        } else {
            SourceEncoding::Utf16
        };
        return Decoded {
            text: text.into_owned(),
            encoding,
            warning: had_errors.then(|| replaced(source_file, enc.name())),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: SourceEncoding::Utf8,
            warning: None,
        };
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: SourceEncoding::ShiftJis,
        warning: had_errors.then(|| replaced(source_file, "Shift_JIS")),
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
