//! Google Ads sync: daily campaign metrics of the customer accounts linked to clients.
//!
//! Every call carries the server's `developer-token` (without one configured the provider counts as not
//! configured). Linkable customers are the ones `listAccessibleCustomers` returns, i.e. directly
//! accessible to the connected login, so `login-customer-id` is the customer itself; reaching client
//! accounts through a manager account (login-customer-id = the manager) is not supported yet. Per linked customer, one `googleAds:searchStream` GAQL query for campaign × day over the
//! window of [`super::calls::account_window`] (30 days first, then from three days before the last synced day,
//! because conversions are attributed late and Google restates recent days). searchStream answers an
//! array of batches, each with `results`. Spend is `cost_micros` in cents (`round(micros / 10_000)`),
//! revenue is `conversions_value` in cents. Rows are upserted per (client, customer, campaign, day); the
//! cursor `{"customers": {id: last_day}}` moves per customer after its rows are written.

use audienceos_shared::integrations::SyncStats;
use chrono::NaiveDate;
use secrecy::ExposeSecret as _;
use serde_json::{json, Map, Value};

use super::calls::{account_window, api_root, call, int, num};
use super::provider::{send_json, ProviderError};
use super::sync::SyncCtx;
use crate::state::AppState;
use crate::store::ad_performance::NewAdDay;
use crate::store::integrations::IntegrationRow;

/// The GAQL of a sync, for `from..=to`.
pub fn query(from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "SELECT campaign.id, campaign.name, segments.date, metrics.cost_micros, metrics.impressions, \
         metrics.clicks, metrics.conversions, metrics.conversions_value FROM campaign \
         WHERE segments.date BETWEEN '{from}' AND '{to}'"
    )
}

/// A customer id as the API wants it in paths: digits only.
pub fn customer_digits(id: &str) -> String {
    id.trim_start_matches("customers/")
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

fn developer_token(state: &AppState) -> Result<String, ProviderError> {
    state
        .settings
        .google_ads_developer_token
        .as_ref()
        .map(|t| t.expose_secret().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or(ProviderError::NotConfigured)
}

/// The customer accounts the connected login can reach, as (id, name).
pub async fn list_customers(
    state: &AppState,
    integration: &IntegrationRow,
) -> Result<Vec<(String, String)>, ProviderError> {
    let api = api_root(state, integration).await?;
    let dev = developer_token(state)?;
    let url = format!("{api}/customers:listAccessibleCustomers");
    let body: Value = call(state, integration, |token| {
        let req = state
            .http
            .get(&url)
            .bearer_auth(token.expose())
            .header("developer-token", &dev);
        async move { send_json::<Value>(req).await }
    })
    .await?;
    Ok(body["resourceNames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(customer_digits)
        .filter(|id| !id.is_empty())
        .map(|id| {
            let name = format!("Google Ads {}", dashed(&id));
            (id, name)
        })
        .collect())
}

/// `1234567890` → `123-456-7890`, as Google shows customer ids.
fn dashed(id: &str) -> String {
    if id.len() == 10 {
        format!("{}-{}-{}", &id[..3], &id[3..6], &id[6..])
    } else {
        id.to_owned()
    }
}

/// The campaign days of a searchStream answer.
pub fn parse_rows(batches: &Value, client_id: uuid::Uuid, customer: &str) -> Vec<NewAdDay> {
    let mut out = Vec::new();
    for batch in batches.as_array().into_iter().flatten() {
        for r in batch["results"].as_array().into_iter().flatten() {
            let Some(date) = r["segments"]["date"]
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            else {
                continue;
            };
            let campaign_id = match &r["campaign"]["id"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let m = &r["metrics"];
            let value = &m["conversionsValue"];
            out.push(NewAdDay {
                client_id,
                platform: "google_ads",
                account_id: customer.to_owned(),
                campaign_id,
                campaign_name: r["campaign"]["name"].as_str().unwrap_or_default().to_owned(),
                date,
                spend_cents: (int(&m["costMicros"]) as f64 / 10_000.0).round() as i64,
                impressions: int(&m["impressions"]),
                clicks: int(&m["clicks"]),
                conversions: num(&m["conversions"]),
                revenue_cents: (!value.is_null()).then(|| (num(value) * 100.0).round() as i64),
                currency: None,
            });
        }
    }
    out
}

/// Sync every linked customer (see the module docs).
pub async fn sync(ctx: &SyncCtx<'_>) -> Result<SyncStats, ProviderError> {
    let api = api_root(ctx.state, ctx.integration).await?;
    let dev = developer_token(ctx.state)?;
    let links = ctx.links().await?;
    let mut customers: Map<String, Value> = ctx.cursor()["customers"].as_object().cloned().unwrap_or_default();
    let mut stats = SyncStats::default();
    for (n, link) in links.iter().enumerate() {
        ctx.progress(&format!("Reading account {} of {}", n + 1, links.len()))
            .await;
        let customer = customer_digits(&link.external_id);
        let (from, to) = account_window(&customers, &customer, ctx.now);
        let url = super::endpoints::google_ads_search_url(&api, &customer);
        let body = json!({ "query": query(from, to) });
        let batches: Value = call(ctx.state, ctx.integration, |token| {
            let req = ctx
                .state
                .http
                .post(&url)
                .bearer_auth(token.expose())
                .header("developer-token", &dev)
                .header("login-customer-id", &customer)
                .json(&body);
            async move { send_json::<Value>(req).await }
        })
        .await?;
        let rows = parse_rows(&batches, link.client_id, &customer);
        stats.fetched += rows.len() as i64;
        ctx.store_ad_days(&rows, &mut stats).await?;
        customers.insert(customer, json!(to.to_string()));
        ctx.save_cursor(&json!({ "customers": customers })).await?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_stream_batches_become_campaign_days_in_cents() {
        let batches = json!([
            { "results": [{
                "campaign": { "id": "111", "name": "Brand" },
                "segments": { "date": "2026-11-20" },
                "metrics": { "costMicros": "12345678", "impressions": "900", "clicks": "30", "conversions": 2.0, "conversionsValue": 85.0 }
            }] },
            { "fieldMask": "campaign.id" }
        ]);
        let rows = parse_rows(&batches, uuid::Uuid::nil(), "1234567890");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].spend_cents, 1235);
        assert_eq!(rows[0].impressions, 900);
        assert_eq!(rows[0].revenue_cents, Some(8500));
        assert_eq!(customer_digits("customers/123-456-7890"), "1234567890");
    }
}
