//! A response body the hub serves many times (a feed, a file of the app): its bytes, its strong
//! ETag, and its brotli and gzip encodings, compressed once when the document is made rather than
//! at every request. During an earthquake every resident opens the app at once: compressing the
//! 800 KB wasm per response held 2 cores to about 137 responses/s.

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use std::io::Write as _;

/// A serialised response body with its strong ETag and, when worth it, its compressed encodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub bytes: Bytes,
    /// Quoted, e.g. `"0123…"`: the hex of the first 16 bytes of the body's SHA-256.
    pub etag: String,
    /// Brotli (quality 11) and gzip (level 9) of `bytes`, when they are smaller.
    pub br: Option<Bytes>,
    pub gzip: Option<Bytes>,
}

/// How hard to compress (see [`Document::compressed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Once per build of the app: brotli 11.
    Build,
    /// Once per change of a feed: brotli 9.
    Change,
}

/// A content coding of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value (and the suffix of the representation's ETag).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

impl Document {
    /// A document served as it is (images, already compressed).
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let etag = etag_of(&bytes);
        Self {
            bytes,
            etag,
            br: None,
            gzip: None,
        }
    }

    /// A document with its brotli and gzip encodings made now (blocking). `effort` trades time
    /// for bytes: the app's files are compressed as hard as brotli goes, once per build; feeds,
    /// which change while the hub runs, a little less (quality 9: about 10 times faster than 11
    /// for a few percent more bytes; a large city's calendar takes seconds at 11).
    pub fn compressed(bytes: impl Into<Bytes>, effort: Effort) -> Self {
        let mut doc = Self::new(bytes);
        let smaller = |c: Vec<u8>| (c.len() < doc.bytes.len()).then(|| Bytes::from(c));
        let quality = match effort {
            Effort::Build => 11,
            Effort::Change => 9,
        };
        doc.br = smaller(brotli(&doc.bytes, quality));
        doc.gzip = smaller(gzip_9(&doc.bytes));
        doc
    }

    /// The best representation for a request's `Accept-Encoding`.
    pub fn for_request(&self, request: &HeaderMap) -> (Encoding, &Bytes) {
        let accepted = accepted(request);
        match (&self.br, &self.gzip) {
            (Some(br), _) if accepted.contains(&Encoding::Brotli) => (Encoding::Brotli, br),
            (_, Some(gz)) if accepted.contains(&Encoding::Gzip) => (Encoding::Gzip, gz),
            _ => (Encoding::Identity, &self.bytes),
        }
    }
}

/// A strong ETag: the quoted hex of the first 16 bytes of the SHA-256 of `bytes`.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The codings an `Accept-Encoding` header allows (`q=0` refuses one; `*` allows the rest).
fn accepted(request: &HeaderMap) -> Vec<Encoding> {
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    let mut star = false;
    for value in request.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let target = if q > 0.0 { &mut allowed } else { &mut refused };
            match coding.as_str() {
                "br" => target.push(Encoding::Brotli),
                "gzip" | "x-gzip" => target.push(Encoding::Gzip),
                "*" => star = q > 0.0,
                _ => {}
            }
        }
    }
    if star {
        for e in [Encoding::Brotli, Encoding::Gzip] {
            if !allowed.contains(&e) && !refused.contains(&e) {
                allowed.push(e);
            }
        }
    }
    allowed
}

fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        // Writing to a Vec cannot fail.
        writer.write_all(bytes).expect("compressing into memory");
    }
    out
}

fn gzip_9(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(bytes).expect("compressing into memory");
    encoder.finish().expect("compressing into memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accepting(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn etags_are_quoted_hex_of_sha256() {
        assert_eq!(etag_of(b""), "\"e3b0c44298fc1c149afbf4c8996fb924\"");
    }

    #[test]
    fn the_best_accepted_encoding_is_chosen_and_decodes_to_the_bytes() {
        let text = "まち Machi ".repeat(200);
        let doc = Document::compressed(text.clone().into_bytes(), Effort::Build);
        assert_eq!(
            doc.for_request(&accepting("gzip, deflate, br")).0,
            Encoding::Brotli
        );
        assert_eq!(doc.for_request(&accepting("gzip")).0, Encoding::Gzip);
        assert_eq!(
            doc.for_request(&accepting("br;q=0, gzip;q=0.5")).0,
            Encoding::Gzip
        );
        assert_eq!(
            doc.for_request(&accepting("*;q=1, br;q=0")).0,
            Encoding::Gzip
        );
        assert_eq!(
            doc.for_request(&accepting("identity")).0,
            Encoding::Identity
        );
        assert_eq!(doc.for_request(&HeaderMap::new()).0, Encoding::Identity);

        let mut out = Vec::new();
        let br = doc.br.as_ref().unwrap();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, text.as_bytes());
        let mut out = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&doc.gzip.as_ref().unwrap()[..]),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn an_incompressible_document_keeps_only_its_bytes() {
        let doc = Document::compressed(vec![7u8; 1], Effort::Change);
        assert!(doc.br.is_none() && doc.gzip.is_none());
    }
}
