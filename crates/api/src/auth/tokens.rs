//! Random tokens and their keyed digests. Tokens are stored only as HMAC-SHA256 digests keyed by the
//! session secret, so a database leak alone yields no usable session, key or reset link.

use base64::Engine as _;
use ring::hmac;

pub use crate::random::random_bytes;

/// Prefix of every API key, so leaked keys are recognisable by secret scanners.
pub const API_KEY_PREFIX: &str = "aos_";

/// 32 random bytes, base64url without padding (43 characters).
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A new API key secret: `aos_` + 43 random characters.
pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_token())
}

/// The displayable start of an API key.
pub fn api_key_prefix(key: &str) -> String {
    key.chars().take(API_KEY_PREFIX.len() + 8).collect()
}

/// Hex HMAC-SHA256 of `token` under `key`, with a purpose label so digests of different kinds never collide.
pub fn digest(key: &[u8], purpose: &str, token: &str) -> String {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&k);
    ctx.update(purpose.as_bytes());
    ctx.update(b"\0");
    ctx.update(token.as_bytes());
    hex::encode(ctx.sign().as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_keyed_by_purpose() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
        let key = [9u8; 32];
        assert_eq!(digest(&key, "session", "t"), digest(&key, "session", "t"));
        assert_ne!(digest(&key, "session", "t"), digest(&key, "api_key", "t"));
        assert_ne!(digest(&key, "session", "t"), digest(&[8u8; 32], "session", "t"));
        let k = new_api_key();
        assert!(k.starts_with("aos_"));
        assert_eq!(api_key_prefix(&k).len(), 12);
    }
}
