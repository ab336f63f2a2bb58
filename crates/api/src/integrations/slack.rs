//! Slack sync: the messages of the channels linked to clients (`integration_link`).
//!
//! Per linked channel, `conversations.history` from the channel's saved `oldest` timestamp (30 days back
//! on the first sync), 200 per page with Slack's cursor paging. Rows are keyed `{channel}:{ts}`, so a
//! rerun updates in place. The cursor `{"channels": {id: latest_ts}}` moves per channel, after that
//! channel's messages are written. Sender names come from `users.info`, asked once per user and kept in
//! `slack_user` (across syncs too).
//!
//! Slack answers HTTP 200 with `{"ok": false, "error": ...}` for failures; `provider::slack_ok` maps those
//! onto [`ProviderError`] (`invalid_auth`/`token_expired` → a refresh and one retry, `token_revoked` →
//! reconnect). Only rate limits come as HTTP 429 with `Retry-After`.
//!
//! A message is inbound unless a bot posted it or its sender's email is known and is not the linked
//! client's (agency staff in a shared channel); `needs_reply` follows the thread rule of the store.

use std::collections::HashMap;

use audienceos_shared::integrations::SyncStats;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::calls::{api_root, call};
use super::provider::{slack_call, ProviderError};
use super::sync::SyncCtx;
use crate::state::AppState;
use crate::store::communications::NewCommunication;
use crate::store::integration_resources::SlackUserRow;
use crate::store::integrations::IntegrationRow;

/// Messages per `conversations.history` page.
pub const PAGE: usize = 200;
/// How far back the first sync of a channel reads.
pub const FIRST_SYNC_DAYS: i64 = 30;
/// Message subtypes that are people talking (others are joins, topic changes...).
const KEPT_SUBTYPES: &[&str] = &["bot_message", "thread_broadcast", "file_share", "me_message"];

/// Call a Web API method (GET with query arguments); the answer when `ok` is true.
async fn method(
    state: &AppState,
    integration: &IntegrationRow,
    api: &str,
    name: &str,
    args: &[(&str, String)],
) -> Result<Value, ProviderError> {
    let url = format!("{api}/{name}");
    call(state, integration, |token| {
        let req = state.http.get(&url).bearer_auth(token.expose()).query(args);
        async move { slack_call(req).await }
    })
    .await
}

fn next_cursor(body: &Value) -> Option<String> {
    body["response_metadata"]["next_cursor"]
        .as_str()
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}

/// The channels the app's bot is in (only those can be read), as (id, `#name`).
pub async fn list_channels(
    state: &AppState,
    integration: &IntegrationRow,
) -> Result<Vec<(String, String)>, ProviderError> {
    let api = api_root(state, integration).await?;
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut args = vec![
            ("types", "public_channel,private_channel".to_owned()),
            ("exclude_archived", "true".to_owned()),
            ("limit", "200".to_owned()),
        ];
        if let Some(c) = &cursor {
            args.push(("cursor", c.clone()));
        }
        let body = method(state, integration, &api, "conversations.list", &args).await?;
        for c in body["channels"].as_array().into_iter().flatten() {
            if c["is_member"].as_bool() == Some(false) {
                continue;
            }
            if let (Some(id), Some(name)) = (c["id"].as_str(), c["name"].as_str()) {
                out.push((id.to_owned(), format!("#{name}")));
            }
        }
        match next_cursor(&body) {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(out)
}

/// `ts` ("1700000000.000100") as an instant.
fn ts_instant(ts: &str) -> Option<DateTime<Utc>> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, "0"));
    let secs: i64 = secs.parse().ok()?;
    let micros: u32 = format!("{frac:0<6}").get(..6)?.parse().ok()?;
    DateTime::from_timestamp(secs, micros * 1000)
}

/// Compare two `ts` values numerically.
fn ts_key(ts: &str) -> (i64, i64) {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, "0"));
    (
        secs.parse().unwrap_or(0),
        format!("{frac:0<6}").get(..6).and_then(|f| f.parse().ok()).unwrap_or(0),
    )
}

/// Users looked up during one sync (in front of the `slack_user` table).
struct Users<'a> {
    ctx: &'a SyncCtx<'a>,
    api: &'a str,
    known: HashMap<String, Option<SlackUserRow>>,
}

impl Users<'_> {
    async fn get(&mut self, id: &str) -> Result<Option<SlackUserRow>, ProviderError> {
        if let Some(u) = self.known.get(id) {
            return Ok(u.clone());
        }
        let agency = self.ctx.integration.agency_id;
        let store = &self.ctx.state.store;
        let cached = store
            .get_slack_user(agency, id)
            .await
            .map_err(|e| ProviderError::Internal(e.into()))?;
        let user = match cached {
            Some(u) => Some(u),
            None => {
                let args = [("user", id.to_owned())];
                match method(self.ctx.state, self.ctx.integration, self.api, "users.info", &args).await {
                    Ok(body) => {
                        let u = &body["user"];
                        let name = [&u["real_name"], &u["profile"]["real_name"], &u["name"]]
                            .into_iter()
                            .filter_map(Value::as_str)
                            .find(|s| !s.is_empty())
                            .unwrap_or(id)
                            .to_owned();
                        let row = SlackUserRow {
                            slack_user_id: id.to_owned(),
                            name,
                            email: u["profile"]["email"].as_str().map(str::to_lowercase),
                        };
                        store
                            .put_slack_user(agency, &row, self.ctx.now)
                            .await
                            .map_err(|e| ProviderError::Internal(e.into()))?;
                        Some(row)
                    }
                    Err(ProviderError::Rejected { .. }) => None,
                    Err(e) => return Err(e),
                }
            }
        };
        self.known.insert(id.to_owned(), user.clone());
        Ok(user)
    }
}

/// Sync every linked channel (see the module docs).
pub async fn sync(ctx: &SyncCtx<'_>) -> Result<SyncStats, ProviderError> {
    let api = api_root(ctx.state, ctx.integration).await?;
    let agency = ctx.integration.agency_id;
    let store = &ctx.state.store;
    let links = ctx.links().await?;
    let matcher = store
        .client_matcher(agency)
        .await
        .map_err(|e| ProviderError::Internal(e.into()))?;
    let mut channels: Map<String, Value> = ctx.cursor()["channels"].as_object().cloned().unwrap_or_default();
    let mut users = Users {
        ctx,
        api: &api,
        known: HashMap::new(),
    };
    let mut stats = SyncStats::default();
    let first_oldest = format!(
        "{}.000000",
        (ctx.now - chrono::Duration::days(FIRST_SYNC_DAYS)).timestamp()
    );
    for (n, link) in links.iter().enumerate() {
        ctx.progress(&format!("Reading channel {} of {}", n + 1, links.len()))
            .await;
        let oldest = channels
            .get(&link.external_id)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| first_oldest.clone());
        let mut latest = oldest.clone();
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut args = vec![
                ("channel", link.external_id.clone()),
                ("oldest", oldest.clone()),
                ("limit", PAGE.to_string()),
            ];
            if let Some(c) = &cursor {
                args.push(("cursor", c.clone()));
            }
            let body = method(ctx.state, ctx.integration, &api, "conversations.history", &args).await?;
            for m in body["messages"].as_array().into_iter().flatten() {
                stats.fetched += 1;
                let Some(ts) = m["ts"].as_str() else {
                    stats.skipped += 1;
                    continue;
                };
                if ts_key(ts) > ts_key(&latest) {
                    latest = ts.to_owned();
                }
                if m["subtype"].as_str().is_some_and(|s| !KEPT_SUBTYPES.contains(&s)) {
                    stats.skipped += 1;
                    continue;
                }
                let is_bot = m["bot_id"].is_string() || m["subtype"].as_str() == Some("bot_message");
                let user = match m["user"].as_str().filter(|u| !u.is_empty()) {
                    Some(id) => users.get(id).await?,
                    None => None,
                };
                let email = user.as_ref().and_then(|u| u.email.clone());
                let is_inbound = !is_bot
                    && email
                        .as_deref()
                        .is_none_or(|e| matcher.client_of(e) == Some(link.client_id));
                let text = m["text"].as_str().unwrap_or_default().to_owned();
                rows.push(NewCommunication {
                    client_id: link.client_id,
                    integration_id: Some(ctx.integration.id),
                    platform: "slack",
                    provider_message_id: format!("{}:{ts}", link.external_id),
                    thread_id: Some(m["thread_ts"].as_str().unwrap_or(ts).to_owned()),
                    channel_id: Some(link.external_id.clone()),
                    sender_email: email,
                    sender_name: user
                        .map(|u| u.name)
                        .or_else(|| m["username"].as_str().map(str::to_owned)),
                    subject: Some(link.external_name.clone()),
                    snippet: text.chars().take(200).collect(),
                    body: text,
                    is_inbound,
                    received_at: ts_instant(ts).unwrap_or(ctx.now),
                });
            }
            match next_cursor(&body) {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        for batch in rows.chunks(PAGE) {
            let counts = store
                .upsert_communications(agency, batch, ctx.now)
                .await
                .map_err(|e| ProviderError::Internal(e.into()))?;
            stats.created += counts.created;
            stats.updated += counts.existing;
            stats.skipped += batch.len() as i64 - counts.created - counts.existing;
            crate::events::publish_messages_created(ctx.state, agency, &counts.created_by_client).await;
        }
        channels.insert(link.external_id.clone(), json!(latest));
        ctx.save_cursor(&json!({ "channels": channels })).await?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_compare_numerically_and_become_instants() {
        assert!(ts_key("1700000000.000100") > ts_key("1700000000.00002"));
        assert!(ts_key("1700000001.0") > ts_key("1700000000.999999"));
        let t = ts_instant("1700000000.000100").unwrap();
        assert_eq!(t.timestamp(), 1_700_000_000);
        assert_eq!(t.timestamp_subsec_micros(), 100);
    }
}
