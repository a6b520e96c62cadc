//! Web Push crypto: payload encryption (RFC 8291, `aes128gcm` of RFC 8188) and VAPID (RFC 8292,
//! an ES256 JWT per push-service origin, cached).
//!
//! Written on `ring` (already in the hub through rustls; no OpenSSL) rather than with
//! `web-push-native`: that crate's P-256 is RustCrypto's portable field arithmetic, and one
//! message costs two scalar multiplications (ephemeral key, ECDH), which dominated sending
//! (`benches/push.rs` prints both figures). ring's P-256 is the assembly `nistz256` code. The
//! tests decrypt with `web-push-native` and verify the JWT with its `jwt-simple`, so the two
//! independent implementations check each other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use ring::hkdf::{self, KeyType, Salt, HKDF_SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The record size written in the header: one record always holds a push payload (≤ 4 KiB).
const RECORD_SIZE: u32 = 4096;
/// Header: salt (16) + record size (4) + key id length (1) + key id (65-byte public key).
const HEADER_LEN: usize = 16 + 4 + 1 + 65;
/// How long a VAPID JWT is valid (RFC 8292 allows up to 24 hours).
pub const JWT_VALIDITY_SECS: i64 = 12 * 3600;
/// A cached JWT is replaced when less than this is left.
const JWT_REFRESH_MARGIN_SECS: i64 = 3600;

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(prk: &hkdf::Prk, info: &[&[u8]], out: &mut [u8]) {
    // The lengths asked for (16, 12, 32) are far below HKDF-SHA-256's limit of 255 × 32.
    prk.expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .expect("HKDF output length is small");
}

/// Decodes base64url with or without padding (browsers give it unpadded).
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim_end_matches('=')).ok()
}

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// A subscriber's keys, decoded and checked for shape.
#[derive(Clone)]
pub struct UaKeys {
    /// The uncompressed P-256 public key (65 bytes, `0x04 …`).
    pub p256dh: [u8; 65],
    pub auth: [u8; 16],
}

/// A subscriber's key of the wrong shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("keys.p256dh must be a base64url uncompressed P-256 public key (65 bytes)")]
    P256dh,
    #[error("keys.auth must be a base64url 16-byte secret")]
    Auth,
}

/// Why the VAPID key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum VapidError {
    #[error("cannot generate the VAPID key")]
    Generate,
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    #[error("{}: not a P-256 PKCS#8 key: {reason}", path.display())]
    NotAKey { path: PathBuf, reason: String },
}

impl UaKeys {
    pub fn decode(p256dh: &str, auth: &str) -> Result<UaKeys, KeyError> {
        let key = b64_decode(p256dh)
            .filter(|k| k.len() == 65 && k[0] == 4)
            .ok_or(KeyError::P256dh)?;
        let auth = b64_decode(auth)
            .filter(|a| a.len() == 16)
            .ok_or(KeyError::Auth)?;
        Ok(UaKeys {
            p256dh: key.try_into().expect("checked length"),
            auth: auth.try_into().expect("checked length"),
        })
    }
}

/// Encrypts `plaintext` for one subscriber (one record, `aes128gcm`), with a fresh ephemeral key
/// and salt. Fails only when the subscriber's key is not a point on the curve.
pub fn encrypt(
    rng: &SystemRandom,
    keys: &UaKeys,
    plaintext: &[u8],
) -> Result<Vec<u8>, &'static str> {
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| "no randomness")?;
    let ephemeral =
        EphemeralPrivateKey::generate(&agreement::ECDH_P256, rng).map_err(|_| "no randomness")?;
    let as_public = ephemeral
        .compute_public_key()
        .map_err(|_| "no public key")?;
    let peer = UnparsedPublicKey::new(&agreement::ECDH_P256, &keys.p256dh[..]);
    let ikm = agreement::agree_ephemeral(ephemeral, &peer, |shared| {
        // RFC 8291 §3.3: PRK_key = HKDF-Extract(auth_secret, ecdh_secret);
        // IKM = HKDF-Expand(PRK_key, "WebPush: info" 0x00 ua_public as_public, 32).
        let prk_key = Salt::new(HKDF_SHA256, &keys.auth).extract(shared);
        let mut ikm = [0u8; 32];
        expand(
            &prk_key,
            &[b"WebPush: info\0", &keys.p256dh[..], as_public.as_ref()],
            &mut ikm,
        );
        ikm
    })
    .map_err(|_| "keys.p256dh is not a valid P-256 point")?;
    // RFC 8188 §2.2–2.3: PRK = HKDF-Extract(salt, IKM); CEK and NONCE from it.
    let prk = Salt::new(HKDF_SHA256, &salt).extract(&ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    expand(&prk, &[b"Content-Encoding: aes128gcm\0"], &mut cek);
    expand(&prk, &[b"Content-Encoding: nonce\0"], &mut nonce);

    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + 1 + 16);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    out.push(65);
    out.extend_from_slice(as_public.as_ref());
    out.extend_from_slice(plaintext);
    out.push(2); // the padding delimiter of the last (only) record
    let key = LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &cek).expect("16-byte key"));
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::empty(),
            &mut out[HEADER_LEN..],
        )
        .map_err(|_| "payload too large")?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// The hub's VAPID key pair and the JWTs it signed, per push-service origin.
pub struct Vapid {
    key: EcdsaKeyPair,
    /// `k=` of the Authorization header, and what `GET /api/push/key` returns.
    public_b64: String,
    subject: String,
    rng: SystemRandom,
    /// origin → (header value, expiry as Unix seconds).
    cache: Mutex<HashMap<String, (String, i64)>>,
}

impl Vapid {
    /// Loads the key from `path` (PKCS#8 DER), or generates one and writes it there with mode
    /// 0600 (via a temp file and rename, so a crash never leaves half a key).
    pub fn load_or_create(path: &Path, subject: String) -> Result<Vapid, VapidError> {
        let rng = SystemRandom::new();
        let pkcs8 = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(|_| VapidError::Generate)?;
                crate::files::write_private(path, doc.as_ref())?;
                tracing::info!("push: generated a VAPID key pair in {}", path.display());
                doc.as_ref().to_vec()
            }
            Err(e) => return Err(crate::files::FileError::new("read", path, e).into()),
        };
        Self::from_pkcs8(&pkcs8, subject).map_err(|e| match e {
            VapidError::NotAKey { reason, .. } => VapidError::NotAKey {
                path: path.to_owned(),
                reason,
            },
            other => other,
        })
    }

    pub fn from_pkcs8(pkcs8: &[u8], subject: String) -> Result<Vapid, VapidError> {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng).map_err(
            |e| VapidError::NotAKey {
                path: PathBuf::from("(key)"),
                reason: e.to_string(),
            },
        )?;
        let public_b64 = b64(key.public_key().as_ref());
        Ok(Vapid {
            key,
            public_b64,
            subject,
            rng,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The public key, base64url (the app's `applicationServerKey`).
    pub fn public_key(&self) -> &str {
        &self.public_b64
    }

    /// The `Authorization` header for a push service `origin` (`https://host[:port]`), signed
    /// at most once per [`JWT_VALIDITY_SECS`] - [`JWT_REFRESH_MARGIN_SECS`] per origin.
    pub fn authorization(&self, origin: &str, now: i64) -> String {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((header, exp)) = cache.get(origin) {
            if exp - now > JWT_REFRESH_MARGIN_SECS {
                return header.clone();
            }
        }
        let exp = now + JWT_VALIDITY_SECS;
        let header = format!("vapid t={}, k={}", self.jwt(origin, exp), self.public_b64);
        cache.insert(origin.to_owned(), (header.clone(), exp));
        header
    }

    fn jwt(&self, audience: &str, exp: i64) -> String {
        let head = b64(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": exp, "sub": self.subject });
        let claims = b64(claims.to_string().as_bytes());
        let signing_input = format!("{head}.{claims}");
        let signature = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .expect("ECDSA signing with the system RNG does not fail");
        format!("{signing_input}.{}", b64(signature.as_ref()))
    }

    pub fn rng(&self) -> &SystemRandom {
        &self.rng
    }
}

/// A random token of `n` bytes, base64url (subscription ids and secrets).
pub fn random_token(rng: &SystemRandom, n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rng.fill(&mut bytes).expect("the system RNG works");
    b64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jwt_is_signed_once_per_origin_until_it_nears_expiry() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let vapid = Vapid::from_pkcs8(pkcs8.as_ref(), "mailto:a@example.com".into()).unwrap();
        let a = vapid.authorization("https://push.example", 1000);
        assert_eq!(a, vapid.authorization("https://push.example", 1000 + 3600));
        assert_ne!(a, vapid.authorization("https://other.example", 1000));
        let later = 1000 + JWT_VALIDITY_SECS - JWT_REFRESH_MARGIN_SECS + 1;
        assert_ne!(a, vapid.authorization("https://push.example", later));
    }

    #[test]
    fn keys_are_checked_for_shape() {
        assert!(UaKeys::decode("AAAA", "AAAAAAAAAAAAAAAAAAAAAA").is_err());
        let mut key = vec![4u8];
        key.extend([1u8; 64]);
        let ok = UaKeys::decode(&b64(&key), &b64(&[0u8; 16])).unwrap();
        // Right shape, but not on the curve: refused when encrypting.
        assert!(encrypt(&SystemRandom::new(), &ok, b"x").is_err());
    }
}
