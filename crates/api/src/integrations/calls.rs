//! What the provider clients (`gmail`, `slack`, `google_ads`, `meta`) share on top of
//! [`super::provider`]: every call goes through [`call`], which gets a valid token (one refresh and one
//! retry after a 401, by `with_token`) and waits out a short `Retry-After` in process.
//!
//! A provider that asks us to wait at most [`MAX_INLINE_WAIT`] is waited for, up to [`MAX_INLINE_RETRIES`]
//! times per call, because re-queueing a sync for a two-second pause would throw away the work done so
//! far in this run. A longer wait is returned as `RateLimited` so the job runner re-queues the sync at
//! that time; syncs save their cursors only after writes, so the rerun resumes without duplicates.

use std::future::Future;

use audienceos_shared::integrations::IntegrationProvider;
use chrono::{DateTime, NaiveDate, Utc};

use super::crypto::SecretToken;
use super::endpoints::Endpoints;
use super::provider::{with_token, ProviderError, MAX_INLINE_WAIT};
use crate::state::AppState;
use crate::store::integrations::IntegrationRow;

/// How many short `Retry-After` waits one call sits out before giving the error back.
pub const MAX_INLINE_RETRIES: u32 = 3;

/// Run one provider call with a valid token, waiting out short rate limits (see the module docs).
pub async fn call<T, F, Fut>(state: &AppState, integration: &IntegrationRow, f: F) -> Result<T, ProviderError>
where
    F: Fn(SecretToken) -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut waits = 0;
    loop {
        match with_token(state, integration, &f).await {
            Err(ProviderError::RateLimited { retry_after })
                if retry_after <= MAX_INLINE_WAIT && waits < MAX_INLINE_RETRIES =>
            {
                waits += 1;
                tracing::info!(
                    provider = %integration.provider,
                    wait_ms = retry_after.as_millis() as u64,
                    "provider rate limited the sync; waiting before retrying"
                );
                tokio::time::sleep(retry_after).await;
            }
            other => return other,
        }
    }
}

/// The API root of the integration's provider (`NotConfigured` when neither the server nor the agency has
/// an OAuth app for it: see `super::credentials::resolve`).
pub async fn api_root(state: &AppState, integration: &IntegrationRow) -> Result<String, ProviderError> {
    let provider = provider_of(integration)?;
    let p = super::credentials::resolve(state, integration.agency_id, provider).await?;
    Ok(Endpoints::of(provider, &p).api)
}

/// The integration's provider, which a stored row always names.
pub fn provider_of(integration: &IntegrationRow) -> Result<IntegrationProvider, ProviderError> {
    integration
        .provider()
        .ok_or_else(|| ProviderError::Internal(anyhow::anyhow!("unknown provider {:?}", integration.provider)))
}

/// The report window of an ad sync: the last 30 days on the first sync of an account; afterwards from
/// three days before the last synced day (late conversions restate recent days), never more than 30 days.
pub fn ad_window(last_synced: Option<NaiveDate>, now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let to = now.date_naive();
    let oldest = to - chrono::Duration::days(29);
    let from = match last_synced {
        Some(last) => (last - chrono::Duration::days(2)).max(oldest).min(to),
        None => oldest,
    };
    (from, to)
}

/// [`ad_window`] of the account `key` in an ad sync's cursor (`{key: "YYYY-MM-DD"}`, the last day synced).
pub fn account_window(
    days: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    now: DateTime<Utc>,
) -> (NaiveDate, NaiveDate) {
    let last = days
        .get(key)
        .and_then(serde_json::Value::as_str)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    ad_window(last, now)
}

/// A JSON number or a numeric string (Google sends int64 as strings, Meta sends decimals as strings).
pub fn num(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::Number(n) => n.as_f64().unwrap_or(0.0),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A JSON integer or an integer string.
pub fn int(v: &serde_json::Value) -> i64 {
    match v {
        serde_json::Value::Number(n) => n.as_i64().unwrap_or_else(|| n.as_f64().unwrap_or(0.0).round() as i64),
        serde_json::Value::String(s) => s
            .trim()
            .parse::<i64>()
            .unwrap_or_else(|_| s.trim().parse::<f64>().unwrap_or(0.0).round() as i64),
        _ => 0,
    }
}

/// A decimal amount of currency units (`"12.34"` or `12.34`) in cents, rounded half away from zero.
pub fn cents(v: &serde_json::Value) -> i64 {
    (num(v) * 100.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn windows_cover_30_days_first_then_three_days_before_the_last_synced_day() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(ad_window(None, now), (d("2026-10-29"), d("2026-11-27")));
        assert_eq!(
            ad_window(Some(d("2026-11-27")), now),
            (d("2026-11-25"), d("2026-11-27"))
        );
        assert_eq!(ad_window(Some(d("2026-01-01")), now).0, d("2026-10-29"));
    }

    #[test]
    fn numbers_come_as_numbers_or_strings() {
        assert_eq!(int(&json!("12345")), 12345);
        assert_eq!(int(&json!(7)), 7);
        assert_eq!(cents(&json!("12.345")), 1235);
        assert_eq!(cents(&json!(42.5)), 4250);
        assert_eq!(num(&json!(null)), 0.0);
    }
}
