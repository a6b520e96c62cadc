//! What the hub's integration tests share (each test file is its own crate: `mod common;`).
//! Not every file uses every item.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use machi_hub::push::Payload;
use ring::rand::SecureRandom as _;
use web_push_native::p256;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint as _;

/// A browser's push subscription keys, and the decryption it does when a push arrives: an
/// independent RFC 8291 implementation (RustCrypto's, through `web-push-native`), not the hub's.
pub struct Browser {
    pub secret: p256::SecretKey,
    pub auth: [u8; 16],
}

impl Browser {
    pub fn new() -> Browser {
        let rng = ring::rand::SystemRandom::new();
        let mut bytes = [0u8; 32];
        let secret = loop {
            rng.fill(&mut bytes).unwrap();
            if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
                break k;
            }
        };
        let mut auth = [0u8; 16];
        rng.fill(&mut auth).unwrap();
        Browser { secret, auth }
    }

    pub fn p256dh(&self) -> String {
        B64.encode(self.secret.public_key().to_encoded_point(false).as_bytes())
    }

    /// The subscription as `PushSubscription.toJSON()` gives it.
    pub fn subscription(&self, endpoint: &str) -> serde_json::Value {
        serde_json::json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.p256dh(), "auth": B64.encode(self.auth) }
        })
    }

    /// The notification a push carries, if it was encrypted for this browser.
    pub fn decrypt_or(&self, body: &[u8]) -> Option<Payload> {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth).ok()?;
        serde_json::from_slice(&plain).ok()
    }

    pub fn decrypt(&self, body: &[u8]) -> Payload {
        self.decrypt_or(body)
            .expect("the payload decrypts with the subscriber's key")
    }
}
