//! Provider tokens at rest: AES-256-GCM (`ring`) under a key id, with associated data that binds each
//! ciphertext to its agency, integration and field, so a value copied to another row does not decrypt.
//!
//! Stored form (one text column per token): `v1:{key_id}:{base64url_nopad(nonce || ciphertext || tag)}`,
//! with a fresh random 96-bit nonce per encryption. The key id names the key of [`TokenKeyring`] that
//! sealed it: new writes use the current key, older keys still open what they sealed, and
//! [`TokenKeyring::reencrypt`] (driven by `audienceos rotate-token-key`) moves a value to the current key.
//!
//! The associated data is `b"aos-token-v1\0" || agency_id (16 bytes) || integration_id (16 bytes) || field`,
//! where field is `access` or `refresh` (also `intake_link` for an onboarding's link and
//! `oauth_client_secret` for an agency's OAuth app, whose row id takes the integration's place): fixed-width
//! ids and a last variable part, so no two contexts encode alike.
//!
//! Nothing here prints a token or a key: [`SecretToken`] and the keys are redacted in `Debug`/`Display`,
//! and [`TokenCryptoError`] carries at most a key id.

use std::fmt;

use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom as _, SystemRandom};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret as _, SecretString};
use uuid::Uuid;

use crate::config::{valid_key_id, SecretKey, Secrets};

/// Version prefix of the stored form.
const VERSION: &str = "v1";
/// Domain separation of the associated data.
const AAD_DOMAIN: &[u8] = b"aos-token-v1\0";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A provider token in clear. It never prints, never serializes; `expose` is the one way to read it.
#[derive(Clone)]
pub struct SecretToken(SecretString);

impl SecretToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }
    /// The token itself, for the one request header or form field that needs it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Which token of an integration a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenField {
    Access,
    Refresh,
    /// An onboarding's public intake link token (the context's `integration_id` is the onboarding's id).
    IntakeLink,
    /// The client secret of an agency's own OAuth app (the context's `integration_id` is the credential
    /// row's id), so a sealed secret and a sealed token can never stand in for each other.
    OAuthClientSecret,
}

impl TokenField {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenField::Access => "access",
            TokenField::Refresh => "refresh",
            TokenField::IntakeLink => "intake_link",
            TokenField::OAuthClientSecret => "oauth_client_secret",
        }
    }
}

/// What a ciphertext is bound to (its associated data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenContext {
    pub agency_id: Uuid,
    pub integration_id: Uuid,
    pub field: TokenField,
}

impl TokenContext {
    /// The canonical associated data.
    fn aad(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(AAD_DOMAIN.len() + 32 + 7);
        out.extend_from_slice(AAD_DOMAIN);
        out.extend_from_slice(self.agency_id.as_bytes());
        out.extend_from_slice(self.integration_id.as_bytes());
        out.extend_from_slice(self.field.as_str().as_bytes());
        out
    }
}

/// A sealed token, parsed from or rendered to its stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedToken {
    pub key_id: String,
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext with the 16-byte GCM tag appended.
    pub ciphertext: Vec<u8>,
}

impl EncryptedToken {
    /// The stored form, `v1:{key_id}:{base64url(nonce || ciphertext)}`.
    pub fn to_stored(&self) -> String {
        let mut raw = Vec::with_capacity(NONCE_LEN + self.ciphertext.len());
        raw.extend_from_slice(&self.nonce);
        raw.extend_from_slice(&self.ciphertext);
        format!("{VERSION}:{}:{}", self.key_id, B64.encode(raw))
    }

    /// Parse a stored value.
    pub fn parse(stored: &str) -> Result<Self, TokenCryptoError> {
        let mut parts = stored.splitn(3, ':');
        let (Some(VERSION), Some(key_id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(TokenCryptoError::Malformed);
        };
        if !valid_key_id(key_id) {
            return Err(TokenCryptoError::Malformed);
        }
        let raw = B64.decode(data).map_err(|_| TokenCryptoError::Malformed)?;
        if raw.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(TokenCryptoError::Malformed);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        Ok(Self {
            key_id: key_id.to_string(),
            nonce: nonce.try_into().map_err(|_| TokenCryptoError::Malformed)?,
            ciphertext: ciphertext.to_vec(),
        })
    }
}

/// Why a token could not be sealed or opened. Never carries token or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenCryptoError {
    #[error("the stored token is not in the v1:key_id:data form")]
    Malformed,
    #[error("the stored token was sealed with key `{key_id}`, which is not configured")]
    UnknownKey { key_id: String },
    /// Tampered data, or data bound to another agency, integration or field.
    #[error("the stored token does not open with its key and context")]
    Decrypt,
    #[error("encryption failed")]
    Encrypt,
}

struct NamedKey {
    id: String,
    key: LessSafeKey,
}

/// The keys provider tokens are sealed with: the current one (every new write) and older ones that still
/// open what they sealed. `Debug` prints key ids only.
pub struct TokenKeyring {
    current: NamedKey,
    old: Vec<NamedKey>,
    rng: SystemRandom,
}

impl fmt::Debug for TokenKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeyring")
            .field("current", &self.current.id)
            .field("old", &self.old.iter().map(|k| k.id.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

/// Why a keyring could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("key `{0}` is not exactly 32 bytes")]
    KeyLength(String),
    #[error("key id `{0}` is not 1-32 of A-Z a-z 0-9 _ -")]
    BadId(String),
    #[error("key id `{0}` is used twice")]
    DuplicateId(String),
}

impl TokenKeyring {
    /// The current key and the older ones, as `(id, 32 bytes)`.
    pub fn new(current: (&str, &[u8]), old: &[(&str, &[u8])]) -> Result<Self, KeyringError> {
        let named = |id: &str, bytes: &[u8]| -> Result<NamedKey, KeyringError> {
            if !valid_key_id(id) {
                return Err(KeyringError::BadId(id.to_string()));
            }
            let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| KeyringError::KeyLength(id.to_string()))?;
            Ok(NamedKey {
                id: id.to_string(),
                key: LessSafeKey::new(unbound),
            })
        };
        let current = named(current.0, current.1)?;
        let mut ids = vec![current.id.clone()];
        let mut keys = Vec::with_capacity(old.len());
        for (id, bytes) in old {
            if ids.iter().any(|k| k == id) {
                return Err(KeyringError::DuplicateId(id.to_string()));
            }
            ids.push(id.to_string());
            keys.push(named(id, bytes)?);
        }
        Ok(Self {
            current,
            old: keys,
            rng: SystemRandom::new(),
        })
    }

    /// The keyring of the configured secrets (validated by the configuration already).
    pub fn from_secrets(secrets: &Secrets) -> Result<Self, KeyringError> {
        let old: Vec<(&str, &[u8])> = secrets
            .old_token_keys
            .iter()
            .map(|(id, k): &(String, SecretKey)| (id.as_str(), k.expose()))
            .collect();
        Self::new((&secrets.token_key_id, secrets.token_encryption_key.expose()), &old)
    }

    /// Id of the key new writes use.
    pub fn current_key_id(&self) -> &str {
        &self.current.id
    }

    /// Seal `token` for `ctx` with the current key and a fresh random nonce.
    pub fn encrypt(&self, token: &SecretToken, ctx: &TokenContext) -> Result<EncryptedToken, TokenCryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| TokenCryptoError::Encrypt)?;
        let mut buf = token.expose().as_bytes().to_vec();
        self.current
            .key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(ctx.aad()), &mut buf)
            .map_err(|_| TokenCryptoError::Encrypt)?;
        Ok(EncryptedToken {
            key_id: self.current.id.clone(),
            nonce,
            ciphertext: buf,
        })
    }

    /// Seal `token` for `ctx` and render the stored form.
    pub fn encrypt_to_stored(&self, token: &SecretToken, ctx: &TokenContext) -> Result<String, TokenCryptoError> {
        Ok(self.encrypt(token, ctx)?.to_stored())
    }

    /// Open a stored value bound to `ctx`.
    pub fn decrypt(&self, stored: &str, ctx: &TokenContext) -> Result<SecretToken, TokenCryptoError> {
        self.decrypt_token(&EncryptedToken::parse(stored)?, ctx)
    }

    /// Open a parsed value bound to `ctx`.
    pub fn decrypt_token(&self, sealed: &EncryptedToken, ctx: &TokenContext) -> Result<SecretToken, TokenCryptoError> {
        let key = std::iter::once(&self.current)
            .chain(&self.old)
            .find(|k| k.id == sealed.key_id)
            .ok_or_else(|| TokenCryptoError::UnknownKey {
                key_id: sealed.key_id.clone(),
            })?;
        // The buffer holds the token in clear once opened: wiped on drop, like the SecretToken's copy.
        let mut buf = Zeroizing::new(sealed.ciphertext.clone());
        let plain = key
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(sealed.nonce),
                Aad::from(ctx.aad()),
                &mut buf,
            )
            .map_err(|_| TokenCryptoError::Decrypt)?;
        let text = std::str::from_utf8(plain).map_err(|_| TokenCryptoError::Decrypt)?;
        Ok(SecretToken::new(text))
    }

    /// Whether a stored value was sealed with another key than the current one (malformed values too).
    pub fn needs_rotation(&self, stored: &str) -> bool {
        EncryptedToken::parse(stored).map_or(true, |t| t.key_id != self.current.id)
    }

    /// The value re-sealed with the current key, or `None` when it already is.
    pub fn reencrypt(&self, stored: &str, ctx: &TokenContext) -> Result<Option<String>, TokenCryptoError> {
        if !self.needs_rotation(stored) {
            return Ok(None);
        }
        let token = self.decrypt(stored, ctx)?;
        self.encrypt_to_stored(&token, ctx).map(Some)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A base64 32-byte token key that differs by `seed`.
    pub(crate) fn test_key(seed: u8) -> String {
        base64::engine::general_purpose::STANDARD.encode(
            (0..32u8)
                .map(|i| i.wrapping_mul(37).wrapping_add(seed))
                .collect::<Vec<_>>(),
        )
    }

    const K1: [u8; 32] = [1; 32];
    const K2: [u8; 32] = [2; 32];

    fn ctx() -> TokenContext {
        TokenContext {
            agency_id: Uuid::now_v7(),
            integration_id: Uuid::now_v7(),
            field: TokenField::Access,
        }
    }

    #[test]
    fn round_trip_and_fresh_nonces() {
        let ring = TokenKeyring::new(("k1", &K1), &[]).unwrap();
        let c = ctx();
        let token = SecretToken::new("ya29.a0-secret-access-token");
        let a = ring.encrypt_to_stored(&token, &c).unwrap();
        let b = ring.encrypt_to_stored(&token, &c).unwrap();
        assert_ne!(a, b, "every encryption takes a fresh nonce");
        assert_ne!(
            EncryptedToken::parse(&a).unwrap().nonce,
            EncryptedToken::parse(&b).unwrap().nonce
        );
        assert!(a.starts_with("v1:k1:"), "{a}");
        assert!(!a.contains("ya29"));
        assert_eq!(ring.decrypt(&a, &c).unwrap().expose(), token.expose());
        assert_eq!(ring.decrypt(&b, &c).unwrap().expose(), token.expose());
        let empty = ring.encrypt_to_stored(&SecretToken::new(""), &c).unwrap();
        assert_eq!(ring.decrypt(&empty, &c).unwrap().expose(), "");
    }

    #[test]
    fn a_value_moved_to_another_agency_integration_or_field_does_not_open() {
        let ring = TokenKeyring::new(("k1", &K1), &[]).unwrap();
        let c = ctx();
        let stored = ring.encrypt_to_stored(&SecretToken::new("xoxb-secret"), &c).unwrap();
        for other in [
            TokenContext {
                agency_id: Uuid::now_v7(),
                ..c
            },
            TokenContext {
                integration_id: Uuid::now_v7(),
                ..c
            },
            TokenContext {
                field: TokenField::Refresh,
                ..c
            },
            TokenContext {
                field: TokenField::OAuthClientSecret,
                ..c
            },
            TokenContext {
                agency_id: c.integration_id,
                integration_id: c.agency_id,
                ..c
            },
        ] {
            assert_eq!(ring.decrypt(&stored, &other).unwrap_err(), TokenCryptoError::Decrypt);
        }
    }

    #[test]
    fn tampered_or_malformed_values_fail_without_secret_material() {
        let ring = TokenKeyring::new(("k1", &K1), &[]).unwrap();
        let c = ctx();
        let stored = ring
            .encrypt_to_stored(&SecretToken::new("secret-token-value"), &c)
            .unwrap();
        let sealed = EncryptedToken::parse(&stored).unwrap();
        for i in 0..sealed.ciphertext.len() {
            let mut t = sealed.clone();
            t.ciphertext[i] ^= 0x01;
            assert_eq!(ring.decrypt(&t.to_stored(), &c).unwrap_err(), TokenCryptoError::Decrypt);
        }
        let mut t = sealed.clone();
        t.nonce[0] ^= 0x80;
        assert_eq!(ring.decrypt_token(&t, &c).unwrap_err(), TokenCryptoError::Decrypt);
        for bad in [
            "",
            "secret-token-value",
            "v2:k1:AAAA",
            "v1:k1:!!!",
            "v1:k1:AAAA",
            "v1::AAAA",
            "v1:k:1:AAAA",
        ] {
            assert_eq!(ring.decrypt(bad, &c).unwrap_err(), TokenCryptoError::Malformed, "{bad}");
        }
        let unknown = stored.replacen("v1:k1:", "v1:k9:", 1);
        let err = ring.decrypt(&unknown, &c).unwrap_err();
        assert_eq!(err, TokenCryptoError::UnknownKey { key_id: "k9".into() });
        for e in [err, TokenCryptoError::Decrypt, TokenCryptoError::Malformed] {
            let text = format!("{e} {e:?}");
            assert!(
                !text.contains("secret-token-value") && !text.contains(&sealed.key_id.repeat(3)),
                "{text}"
            );
        }
    }

    #[test]
    fn rotation_reseals_with_the_current_key_and_old_keys_still_open() {
        let c = ctx();
        let old = TokenKeyring::new(("k1", &K1), &[]).unwrap();
        let v1 = old.encrypt_to_stored(&SecretToken::new("refresh-me"), &c).unwrap();

        let ring = TokenKeyring::new(("k2", &K2), &[("k1", &K1)]).unwrap();
        assert_eq!(ring.current_key_id(), "k2");
        assert!(ring.needs_rotation(&v1));
        assert_eq!(ring.decrypt(&v1, &c).unwrap().expose(), "refresh-me");
        let v2 = ring.reencrypt(&v1, &c).unwrap().expect("rotated");
        assert!(v2.starts_with("v1:k2:") && !ring.needs_rotation(&v2));
        assert_eq!(ring.reencrypt(&v2, &c).unwrap(), None);

        let only_new = TokenKeyring::new(("k2", &K2), &[]).unwrap();
        assert_eq!(only_new.decrypt(&v2, &c).unwrap().expose(), "refresh-me");
        assert_eq!(
            only_new.decrypt(&v1, &c).unwrap_err(),
            TokenCryptoError::UnknownKey { key_id: "k1".into() }
        );
        // Same id, other bytes: a key swapped under an old id fails closed.
        let swapped = TokenKeyring::new(("k1", &K2), &[]).unwrap();
        assert_eq!(swapped.decrypt(&v1, &c).unwrap_err(), TokenCryptoError::Decrypt);
    }

    #[test]
    fn keyrings_refuse_short_keys_bad_and_duplicate_ids_and_print_no_key() {
        assert_eq!(
            TokenKeyring::new(("k1", &[7u8; 31]), &[]).unwrap_err(),
            KeyringError::KeyLength("k1".into())
        );
        assert_eq!(
            TokenKeyring::new(("k1", &K1), &[("k1", &K2)]).unwrap_err(),
            KeyringError::DuplicateId("k1".into())
        );
        assert_eq!(
            TokenKeyring::new(("k2", &K2), &[("k1", &K1), ("k1", &K1)]).unwrap_err(),
            KeyringError::DuplicateId("k1".into())
        );
        assert_eq!(
            TokenKeyring::new(("a:b", &K1), &[]).unwrap_err(),
            KeyringError::BadId("a:b".into())
        );
        assert_eq!(
            TokenKeyring::new(("", &K1), &[]).unwrap_err(),
            KeyringError::BadId(String::new())
        );
        let ring = TokenKeyring::new(("k2", &K2), &[("k1", &K1)]).unwrap();
        assert_eq!(format!("{ring:?}"), r#"TokenKeyring { current: "k2", old: ["k1"] }"#);
        let token = SecretToken::new("ya29.very-secret");
        assert_eq!(format!("{token:?} {token}"), "[REDACTED] [REDACTED]");
    }

    #[test]
    fn a_keyring_from_configured_token_keys_uses_the_current_id_and_never_prints_keys() {
        let key = test_key;
        let dir = tempfile::tempdir().unwrap();
        let (k1, k2, k3) = (key(1), key(2), key(3));
        let vars = [
            ("AOS_DATA_DIR", dir.path().to_str().unwrap().to_string()),
            ("AOS_TOKEN_ENCRYPTION_KEY", k2.clone()),
            ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k2".into()),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", format!("k1:{k1}, k0:{k3}")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let s = crate::config::Settings::from_vars(&vars).unwrap();
        let ring = TokenKeyring::from_secrets(&s.secrets).unwrap();
        assert_eq!(ring.current_key_id(), "k2");
        let debug = format!("{s:?} {ring:?}");
        for k in [&k1, &k2, &k3] {
            assert!(!debug.contains(k.as_str()) && !debug.contains(&k[..16]), "{debug}");
        }
    }
}
