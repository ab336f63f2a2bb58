//! Meta Ads sync: daily campaign insights of the ad accounts linked to clients.
//!
//! Per linked account, `act_X/insights` at campaign level with `time_increment=1` over the window of
//! [`super::calls::account_window`], paged by following `paging.next` (a full URL Meta builds). Spend comes as
//! a decimal string of account currency units; conversions are the account's purchases plus leads from
//! `actions` (the plain `purchase`/`lead` action types, else their pixel equivalents, never both: Meta
//! reports the same conversion under several types), revenue the purchase value from `action_values`.
//!
//! Graph reports errors as HTTP 400 with `error.code`; an invalid or expired token is code 190, which is
//! mapped to `Unauthorized` so `with_token` refreshes and retries once, and the throttling codes to
//! `RateLimited`.

use std::time::Duration;

use audienceos_shared::integrations::{IntegrationProvider, SyncStats};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::calls::{account_window, api_root, call, cents, int, num};
use super::provider::{retry_after, ProviderError, CALL_TIMEOUT};
use super::sync::SyncCtx;
use crate::state::AppState;
use crate::store::ad_performance::NewAdDay;
use crate::store::integrations::IntegrationRow;

/// Rows per insights page.
pub const PAGE: usize = 100;
const FIELDS: &str = "campaign_id,campaign_name,spend,impressions,clicks,actions,action_values";
/// Conversion action types, in order of preference within each group (one counted per group).
const PURCHASE_TYPES: &[&str] = &["purchase", "omni_purchase", "offsite_conversion.fb_pixel_purchase"];
const LEAD_TYPES: &[&str] = &[
    "lead",
    "onsite_conversion.lead_grouped",
    "offsite_conversion.fb_pixel_lead",
];

/// A Graph error body as a [`ProviderError`].
pub fn graph_error(status: reqwest::StatusCode, after: Option<Duration>, body: &str) -> ProviderError {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let code = v["error"]["code"].as_i64();
    let message: String = v["error"]["message"]
        .as_str()
        .unwrap_or("no error detail")
        .chars()
        .take(200)
        .collect();
    match code {
        Some(190) | Some(102) => ProviderError::Unauthorized(message),
        Some(4 | 17 | 32 | 613 | 80000..=80014) => ProviderError::RateLimited {
            retry_after: after.unwrap_or(Duration::from_secs(60)),
        },
        _ => ProviderError::from_status(status, after, body),
    }
}

/// GET a Graph URL (the token in the `Authorization` header, never in the URL).
async fn get(
    state: &AppState,
    integration: &IntegrationRow,
    url: &str,
    query: &[(&str, String)],
) -> Result<Value, ProviderError> {
    call(state, integration, |token| {
        let req = state
            .http
            .get(url)
            .bearer_auth(token.expose())
            .query(query)
            .timeout(CALL_TIMEOUT);
        async move {
            let res = req.send().await.map_err(|e| ProviderError::from_transport(&e))?;
            let status = res.status();
            if !status.is_success() {
                let after = retry_after(res.headers());
                let body = res.text().await.unwrap_or_default();
                return Err(graph_error(status, after, &body));
            }
            res.json::<Value>().await.map_err(|e| ProviderError::from_transport(&e))
        }
    })
    .await
}

/// Every item of a paged Graph edge, following `paging.next`.
async fn all_pages(
    state: &AppState,
    integration: &IntegrationRow,
    url: &str,
    query: &[(&str, String)],
) -> Result<Vec<Value>, ProviderError> {
    let mut items = Vec::new();
    let mut page = get(state, integration, url, query).await?;
    loop {
        items.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["paging"]["next"].as_str() {
            Some(next) if !next.is_empty() => {
                // The token goes only where the first page went: a `next` on another origin is refused.
                if !same_origin(url, next) {
                    return Err(ProviderError::Rejected {
                        status: 200,
                        message: "paging.next points to another host".into(),
                    });
                }
                let next = next.to_owned();
                page = get(state, integration, &next, &[]).await?;
            }
            _ => break,
        }
    }
    Ok(items)
}

/// Whether two URLs share scheme, host and port.
fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// The ad accounts of the connected user, as (`act_<id>`, name).
pub async fn list_ad_accounts(
    state: &AppState,
    integration: &IntegrationRow,
) -> Result<Vec<(String, String)>, ProviderError> {
    let api = api_root(state, integration).await?;
    let query = [
        ("fields", "id,name,account_status,currency".to_owned()),
        ("limit", "100".to_owned()),
    ];
    let items = all_pages(state, integration, &format!("{api}/me/adaccounts"), &query).await?;
    Ok(items
        .iter()
        .filter_map(|a| {
            let id = a["id"].as_str()?.to_owned();
            let name = a["name"].as_str().unwrap_or(&id).to_owned();
            Some((id, name))
        })
        .collect())
}

/// The value of the first action type of `types` present in `actions`.
fn action_value(actions: &Value, types: &[&str]) -> Option<f64> {
    let list = actions.as_array()?;
    types.iter().find_map(|t| {
        list.iter()
            .find(|a| a["action_type"].as_str() == Some(t))
            .map(|a| num(&a["value"]))
    })
}

/// The campaign days of insights rows.
pub fn parse_rows(items: &[Value], client_id: uuid::Uuid, account: &str) -> Vec<NewAdDay> {
    items
        .iter()
        .filter_map(|r| {
            let date = NaiveDate::parse_from_str(r["date_start"].as_str()?, "%Y-%m-%d").ok()?;
            let conversions = action_value(&r["actions"], PURCHASE_TYPES).unwrap_or(0.0)
                + action_value(&r["actions"], LEAD_TYPES).unwrap_or(0.0);
            let revenue = action_value(&r["action_values"], PURCHASE_TYPES);
            Some(NewAdDay {
                client_id,
                platform: "meta_ads",
                account_id: account.to_owned(),
                campaign_id: r["campaign_id"].as_str()?.to_owned(),
                campaign_name: r["campaign_name"].as_str().unwrap_or_default().to_owned(),
                date,
                spend_cents: cents(&r["spend"]),
                impressions: int(&r["impressions"]),
                clicks: int(&r["clicks"]),
                conversions,
                revenue_cents: revenue.map(|v| (v * 100.0).round() as i64),
                currency: None,
            })
        })
        .collect()
}

/// `act_<digits>` for an ad account id given with or without the prefix.
pub fn act_id(id: &str) -> String {
    if id.starts_with("act_") {
        id.to_owned()
    } else {
        format!("act_{id}")
    }
}

/// Sync every linked ad account (see the module docs).
pub async fn sync(ctx: &SyncCtx<'_>) -> Result<SyncStats, ProviderError> {
    let api = api_root(ctx.state, ctx.integration).await?;
    let links = ctx.links().await?;
    let mut accounts: Map<String, Value> = ctx.cursor()["accounts"].as_object().cloned().unwrap_or_default();
    let mut stats = SyncStats::default();
    for (n, link) in links.iter().enumerate() {
        ctx.progress(&format!("Reading ad account {} of {}", n + 1, links.len()))
            .await;
        // Links stored before ids were checked may hold anything; only an ad account id reaches the URL.
        if !IntegrationProvider::MetaAds.is_resource_id(&link.external_id) {
            tracing::warn!(integration_id = %ctx.integration.id, "skipping a Meta link whose id is not an ad account id");
            continue;
        }
        let act = act_id(&link.external_id);
        let (from, to) = account_window(&accounts, &act, ctx.now);
        let query = [
            ("level", "campaign".to_owned()),
            ("time_increment", "1".to_owned()),
            (
                "time_range",
                json!({ "since": from.to_string(), "until": to.to_string() }).to_string(),
            ),
            ("fields", FIELDS.to_owned()),
            ("limit", PAGE.to_string()),
        ];
        let items = all_pages(
            ctx.state,
            ctx.integration,
            &super::endpoints::meta_insights_url(&api, &act),
            &query,
        )
        .await?;
        let rows = parse_rows(&items, link.client_id, &act);
        stats.fetched += items.len() as i64;
        stats.skipped += (items.len() - rows.len()) as i64;
        ctx.store_ad_days(&rows, &mut stats).await?;
        accounts.insert(act, json!(to.to_string()));
        ctx.save_cursor(&json!({ "accounts": accounts })).await?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchases_are_counted_once_and_revenue_comes_from_action_values() {
        let rows = [json!({
            "date_start": "2026-11-20", "date_stop": "2026-11-20", "campaign_id": "1", "campaign_name": "C",
            "spend": "12.34", "impressions": "100", "clicks": "10",
            "actions": [{ "action_type": "link_click", "value": "10" }, { "action_type": "purchase", "value": "2" },
                        { "action_type": "offsite_conversion.fb_pixel_purchase", "value": "2" }],
            "action_values": [{ "action_type": "purchase", "value": "128.00" }],
        })];
        let out = parse_rows(&rows, uuid::Uuid::nil(), "act_1");
        assert_eq!(out[0].spend_cents, 1234);
        assert_eq!(out[0].conversions, 2.0);
        assert_eq!(out[0].revenue_cents, Some(12800));
        assert!(same_origin(
            "http://127.0.0.1:9/meta/v18.0/act_1/insights",
            "http://127.0.0.1:9/meta/v18.0/x?after=1"
        ));
        assert!(!same_origin(
            "https://graph.facebook.com/v18.0/a",
            "https://evil.test/v18.0/a"
        ));
        assert!(matches!(
            graph_error(
                reqwest::StatusCode::BAD_REQUEST,
                None,
                r#"{"error":{"code":190,"message":"expired"}}"#
            ),
            ProviderError::Unauthorized(_)
        ));
    }
}
