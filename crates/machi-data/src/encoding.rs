//! Bytes to text for city files, which come in UTF-8 (with or without BOM) or Shift_JIS.
//!
//! Cities rarely say which: a BOM decides when there is one; otherwise text that is valid UTF-8
//! is UTF-8 (a Shift_JIS file of Japanese text is almost never valid UTF-8), and anything else is
//! read as Shift_JIS in its Windows-31J form (`encoding_rs::SHIFT_JIS`, the WHATWG encoding,
//! which includes the NEC and IBM extensions Windows Excel writes). Bytes that are not text in
//! that encoding become U+FFFD and are reported through `had_errors`, never a failure: one bad
//! byte should not lose a city's data. Each reader turns that into a warning of its own kind.

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
    /// The encoding's name, for messages ("UTF-8", "UTF-16LE", "Shift_JIS").
    pub encoding_name: &'static str,
    /// Some bytes were not text in that encoding and were replaced by U+FFFD.
    pub had_errors: bool,
}

pub fn decode(bytes: &[u8]) -> Decoded {
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
            encoding_name: enc.name(),
            had_errors,
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: SourceEncoding::Utf8,
            encoding_name: "UTF-8",
            had_errors: false,
        };
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: SourceEncoding::ShiftJis,
        encoding_name: "Shift_JIS",
        had_errors,
    }
}
