//! argon2id password hashing with the crate's default parameters, off the async runtime, behind a small
//! semaphore so a burst of sign-ins cannot exhaust memory. Unknown users are verified against a dummy hash
//! so that a login takes the same time whether or not the email exists.

use std::sync::Arc;

use anyhow::Context as _;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::{OnceCell, Semaphore};

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    /// At most `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy: Arc::new(OnceCell::new()),
        }
    }

    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        spawn_blocking_in_span(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.expose_secret().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await
    }

    /// True when `password` matches `hash`; with no hash (unknown user) spends the same time and says no.
    pub async fn verify(&self, password: SecretString, hash: Option<String>) -> anyhow::Result<bool> {
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (self.dummy_hash().await?, false),
        };
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let ok = spawn_blocking_in_span(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash is malformed: {e}"))?;
            Ok(Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok())
        })
        .await?;
        Ok(ok && real)
    }

    async fn dummy_hash(&self) -> anyhow::Result<String> {
        let this = self.clone();
        self.dummy
            .get_or_try_init(|| async move { this.hash(SecretString::from(super::tokens::random_token())).await })
            .await
            .cloned()
    }
}

/// `spawn_blocking` that keeps the caller's tracing span.
pub async fn spawn_blocking_in_span<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .context("blocking task panicked")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let h = PasswordHasher::new(2);
        let hash = h.hash(SecretString::from("correct horse")).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h
            .verify(SecretString::from("correct horse"), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!h.verify(SecretString::from("wrong"), Some(hash)).await.unwrap());
        assert!(!h.verify(SecretString::from("correct horse"), None).await.unwrap());
    }
}
