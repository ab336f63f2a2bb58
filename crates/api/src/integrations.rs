//! Provider integrations. So far: encryption of provider tokens at rest ([`crypto`]) and the re-encryption
//! of every stored token under the current key ([`rotate_token_key`], run by `audienceos rotate-token-key`).

pub mod calls;
pub mod crypto;
pub mod endpoints;
pub mod gmail;
pub mod google_ads;
pub mod meta;
pub mod provider;
pub mod resources;
pub mod slack;
pub mod sync;
pub mod tokens;

use chrono::{DateTime, Utc};

use crate::store::integrations::TokenUpdate;
use crate::store::Store;
use crypto::{TokenContext, TokenField, TokenKeyring};

/// What a rotation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Integrations with at least one stored token.
    pub examined: usize,
    /// Integrations whose tokens were re-sealed with the current key.
    pub rotated: usize,
    /// Integrations changed by someone else (a token refresh) between the read and the write; their new
    /// values were sealed with the current key by that writer, or a rerun picks them up.
    pub skipped: usize,
}

/// Re-seal every stored provider token that is not under the current key. Fails, writing nothing, when a
/// token does not open (unknown key id, tampered value): an old key is still needed, keep it configured.
pub async fn rotate_token_key(
    store: &Store,
    keys: &TokenKeyring,
    now: DateTime<Utc>,
) -> anyhow::Result<RotationReport> {
    let rows = store.integration_token_rows().await?;
    let mut report = RotationReport {
        examined: rows.len(),
        ..RotationReport::default()
    };
    let mut updates = Vec::new();
    for row in rows {
        let reseal = |field: TokenField, value: &Option<String>| -> anyhow::Result<Option<String>> {
            let Some(stored) = value else { return Ok(None) };
            let ctx = TokenContext {
                agency_id: row.agency_id,
                integration_id: row.id,
                field,
            };
            keys.reencrypt(stored, &ctx)
                .map_err(|e| anyhow::anyhow!("integration {} ({} token): {e}", row.id, field.as_str()))
        };
        let access = reseal(TokenField::Access, &row.access_token_enc)?;
        let refresh = reseal(TokenField::Refresh, &row.refresh_token_enc)?;
        if access.is_none() && refresh.is_none() {
            continue;
        }
        updates.push(TokenUpdate {
            new_access: access.or_else(|| row.access_token_enc.clone()),
            new_refresh: refresh.or_else(|| row.refresh_token_enc.clone()),
            row,
        });
    }
    let applied = store.replace_integration_tokens(&updates, now).await?;
    report.rotated = applied;
    report.skipped = updates.len() - applied;
    Ok(report)
}
