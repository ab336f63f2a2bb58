//! Gmail sync: messages of the connected mailbox, filed on the client they are with.
//!
//! The first sync (and any sync whose history point Gmail no longer keeps: `history.list` answers 404
//! after about a week) lists `newer_than:30d`; later syncs ask `history.list` for the messages added
//! since the saved `historyId`, which costs one call when nothing happened. Messages are fetched
//! (`format=full`, for the plain-text body) [`CONCURRENCY`] at a time and written in batches, each batch
//! one transaction; the cursor `{"history_id"}` is saved only after every message is written, so a sync
//! killed midway reruns from the old point and its upserts (keyed by Gmail's message id) add nothing twice.
//!
//! A message belongs to a client by its sender (inbound) or, when the mailbox sent it, by its first
//! recipient that is a client (outbound): exact contact email first, then the company's domain
//! ([`crate::store::communications::ClientMatcher`]). Messages with no client are skipped, not stored.
//! Nothing here logs addresses, subjects or bodies.

use std::collections::BTreeSet;

use audienceos_shared::integrations::SyncStats;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::{json, Value};

use super::calls::{api_root, call};
use super::provider::{send_json, ProviderError};
use super::sync::SyncCtx;
use crate::store::communications::{ClientMatcher, NewCommunication};

/// Messages fetched at once.
pub const CONCURRENCY: usize = 8;
/// Messages written per transaction (and between progress reports).
pub const BATCH: usize = 100;
/// What the first sync reads.
pub const WINDOW_QUERY: &str = "newer_than:30d";

const SNIPPET_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
struct Profile {
    #[serde(rename = "emailAddress")]
    email_address: Option<String>,
    #[serde(rename = "historyId")]
    history_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IdRef {
    id: String,
}

#[derive(Debug, Deserialize)]
struct ListPage {
    #[serde(default)]
    messages: Vec<IdRef>,
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HistoryPage {
    #[serde(default)]
    history: Vec<HistoryRecord>,
    #[serde(rename = "historyId")]
    history_id: Option<String>,
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HistoryRecord {
    #[serde(rename = "messagesAdded", default)]
    messages_added: Vec<MessageAdded>,
}

#[derive(Debug, Deserialize)]
struct MessageAdded {
    message: AddedRef,
}

#[derive(Debug, Deserialize)]
struct AddedRef {
    id: String,
    #[serde(rename = "labelIds", default)]
    label_ids: Vec<String>,
}

/// A message as `messages.get` returns it (the parts we read).
#[derive(Debug, Deserialize)]
pub struct GmailMessage {
    pub id: String,
    #[serde(rename = "threadId")]
    pub thread_id: Option<String>,
    #[serde(rename = "labelIds", default)]
    pub label_ids: Vec<String>,
    #[serde(default)]
    pub snippet: String,
    #[serde(rename = "historyId")]
    pub history_id: Option<String>,
    #[serde(rename = "internalDate")]
    pub internal_date: Option<String>,
    #[serde(default)]
    pub payload: Option<Part>,
}

#[derive(Debug, Deserialize)]
pub struct Part {
    #[serde(rename = "mimeType", default)]
    pub mime_type: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub body: Option<PartBody>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
pub struct PartBody {
    pub data: Option<String>,
}

impl GmailMessage {
    fn header(&self, name: &str) -> Option<&str> {
        self.payload
            .as_ref()?
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The first `text/plain` part, decoded.
    fn text_body(&self) -> Option<String> {
        fn find(p: &Part) -> Option<String> {
            if p.mime_type.starts_with("text/plain") {
                let data = p.body.as_ref()?.data.as_deref()?;
                let bytes = base64::engine::general_purpose::URL_SAFE
                    .decode(data.trim_end_matches('='))
                    .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(data.trim_end_matches('=')))
                    .ok()?;
                return String::from_utf8(bytes).ok();
            }
            p.parts.iter().find_map(find)
        }
        find(self.payload.as_ref()?)
    }
}

/// `Name <addr@x>` → (Some(Name), addr@x); a bare address → (None, addr).
pub fn parse_address(value: &str) -> (Option<String>, String) {
    let value = value.trim();
    match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let name = value[..open].trim().trim_matches('"').trim();
            (
                (!name.is_empty()).then(|| name.to_owned()),
                value[open + 1..close].trim().to_lowercase(),
            )
        }
        _ => (None, value.trim_matches(['<', '>']).to_lowercase()),
    }
}

/// The addresses of a `To`/`Cc` header (commas inside quoted names are respected).
pub fn parse_address_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => {
                out.push(std::mem::take(&mut current));
            }
            _ => current.push(c),
        }
    }
    out.push(current);
    out.iter()
        .map(|a| parse_address(a).1)
        .filter(|a| a.contains('@'))
        .collect()
}

/// What a fetched message becomes: the row to write, or nothing (no client, a draft).
pub fn to_communication(
    m: &GmailMessage,
    mailbox: &str,
    matcher: &ClientMatcher,
    integration_id: uuid::Uuid,
) -> Option<NewCommunication> {
    if m.label_ids.iter().any(|l| l == "DRAFT") {
        return None;
    }
    let (sender_name, sender_email) = parse_address(m.header("From").unwrap_or_default());
    let outbound = (!mailbox.is_empty() && sender_email == mailbox) || m.label_ids.iter().any(|l| l == "SENT");
    let client_id = if outbound {
        let mut recipients = parse_address_list(m.header("To").unwrap_or_default());
        recipients.extend(parse_address_list(m.header("Cc").unwrap_or_default()));
        recipients.iter().find_map(|r| matcher.client_of(r))?
    } else {
        matcher.client_of(&sender_email)?
    };
    let received_at = m
        .internal_date
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok())
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .or_else(|| {
            m.header("Date")
                .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
                .map(|d| d.with_timezone(&Utc))
        })
        .unwrap_or_default();
    let body = m.text_body().unwrap_or_else(|| m.snippet.clone());
    let snippet = if m.snippet.is_empty() {
        body.chars().take(SNIPPET_CHARS).collect()
    } else {
        m.snippet.chars().take(SNIPPET_CHARS).collect()
    };
    Some(NewCommunication {
        client_id,
        integration_id: Some(integration_id),
        platform: "gmail",
        provider_message_id: m.id.clone(),
        thread_id: m.thread_id.clone(),
        channel_id: None,
        sender_email: (!sender_email.is_empty()).then_some(sender_email),
        sender_name,
        subject: m.header("Subject").map(str::to_owned),
        snippet,
        body,
        is_inbound: !outbound,
        received_at,
    })
}

/// Sync the mailbox (see the module docs).
pub async fn sync(ctx: &SyncCtx<'_>) -> Result<SyncStats, ProviderError> {
    let api = api_root(ctx.state, ctx.integration).await?;
    let saved: Option<u64> = ctx.cursor().get("history_id").and_then(|h| match h {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    });
    let (ids, mut history_id, mailbox) = match saved {
        Some(start) => match history_ids(ctx, &api, start).await {
            Ok((ids, h)) => {
                let mailbox = match ctx.integration.account_id.clone() {
                    Some(m) => m,
                    None => profile(ctx, &api).await?.email_address.unwrap_or_default(),
                };
                (ids, h.max(start), mailbox)
            }
            Err(ProviderError::Rejected { status: 404, .. }) => {
                tracing::info!("gmail history point expired; falling back to a window sync");
                window_ids(ctx, &api).await?
            }
            Err(e) => return Err(e),
        },
        None => window_ids(ctx, &api).await?,
    };
    let mailbox = mailbox.to_lowercase();
    let matcher = ctx
        .state
        .store
        .client_matcher(ctx.integration.agency_id)
        .await
        .map_err(|e| ProviderError::Internal(e.into()))?;
    let total = ids.len();
    let mut stats = SyncStats::default();
    ctx.progress(&format!("Fetched 0 of {total} messages")).await;

    let http = &ctx.state.http;
    let fetches = futures_util::stream::iter(ids)
        .map(|id| {
            let url = super::endpoints::gmail_message_url(&api, &id);
            async move {
                let res = call(ctx.state, ctx.integration, |token| {
                    let req = http.get(&url).bearer_auth(token.expose()).query(&[("format", "full")]);
                    async move { send_json::<GmailMessage>(req).await }
                })
                .await;
                match res {
                    // Deleted between the listing and the fetch: nothing to store.
                    Err(ProviderError::Rejected { status: 404, .. }) => Ok(None),
                    other => other.map(Some),
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .chunks(BATCH);
    // Fetching and writing overlap: the next batch is fetched while this one is written (the channel holds
    // one batch), so the provider's latency and the database's are not paid one after the other.
    let (sender, mut batches) = tokio::sync::mpsc::channel(1);
    let fetch = async move {
        futures_util::pin_mut!(fetches);
        while let Some(chunk) = fetches.next().await {
            if sender.send(chunk).await.is_err() {
                break;
            }
        }
        Ok::<(), ProviderError>(())
    };
    let write = async {
        while let Some(chunk) = batches.recv().await {
            let mut rows = Vec::with_capacity(BATCH);
            for fetched in chunk {
                stats.fetched += 1;
                let Some(m) = fetched? else {
                    stats.skipped += 1;
                    continue;
                };
                if let Some(h) = m.history_id.as_deref().and_then(|h| h.parse::<u64>().ok()) {
                    history_id = history_id.max(h);
                }
                match to_communication(&m, &mailbox, &matcher, ctx.integration.id) {
                    Some(row) => rows.push(row),
                    None => stats.skipped += 1,
                }
            }
            let counts = ctx
                .state
                .store
                .upsert_communications(ctx.integration.agency_id, &rows, ctx.now)
                .await
                .map_err(|e| ProviderError::Internal(e.into()))?;
            stats.created += counts.created;
            stats.updated += counts.existing;
            stats.skipped += rows.len() as i64 - counts.created - counts.existing;
            crate::events::publish_messages_created(ctx.state, ctx.integration.agency_id, &counts.created_by_client)
                .await;
            ctx.progress(&format!("Fetched {} of {total} messages", stats.fetched))
                .await;
        }
        Ok::<(), ProviderError>(())
    };
    futures_util::future::try_join(fetch, write).await?;
    ctx.save_cursor(&json!({ "history_id": history_id.to_string() }))
        .await?;
    Ok(stats)
}

async fn profile(ctx: &SyncCtx<'_>, api: &str) -> Result<Profile, ProviderError> {
    let url = format!("{api}/users/me/profile");
    call(ctx.state, ctx.integration, |token| {
        let req = ctx.state.http.get(&url).bearer_auth(token.expose());
        async move { send_json::<Profile>(req).await }
    })
    .await
}

/// The ids of the window (`newer_than:30d`), the history point to resume from, and the mailbox address.
/// The history point is read before listing, so a message arriving during the listing is seen again
/// by the next sync rather than missed.
async fn window_ids(ctx: &SyncCtx<'_>, api: &str) -> Result<(Vec<String>, u64, String), ProviderError> {
    let profile = profile(ctx, api).await?;
    let history_id = profile.history_id.as_deref().and_then(|h| h.parse().ok()).unwrap_or(0);
    let mailbox = ctx
        .integration
        .account_id
        .clone()
        .or(profile.email_address)
        .unwrap_or_default();
    let url = format!("{api}/users/me/messages");
    let mut ids = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let page = call(ctx.state, ctx.integration, |token| {
            let mut query = vec![("q", WINDOW_QUERY.to_owned()), ("maxResults", BATCH.to_string())];
            if let Some(t) = &page_token {
                query.push(("pageToken", t.clone()));
            }
            let req = ctx.state.http.get(&url).bearer_auth(token.expose()).query(&query);
            async move { send_json::<ListPage>(req).await }
        })
        .await?;
        ids.extend(page.messages.into_iter().map(|m| m.id));
        ctx.progress(&format!("Listed {} messages", ids.len())).await;
        match page.next_page_token {
            Some(t) if !t.is_empty() => page_token = Some(t),
            _ => break,
        }
    }
    Ok((dedupe(ids), history_id, mailbox))
}

/// The messages added since `start`, and the mailbox's current history point.
async fn history_ids(ctx: &SyncCtx<'_>, api: &str, start: u64) -> Result<(Vec<String>, u64), ProviderError> {
    let url = format!("{api}/users/me/history");
    let mut ids = Vec::new();
    let mut current = start;
    let mut page_token: Option<String> = None;
    loop {
        let page = call(ctx.state, ctx.integration, |token| {
            let mut query = vec![
                ("startHistoryId", start.to_string()),
                ("historyTypes", "messageAdded".to_owned()),
                ("maxResults", "500".to_owned()),
            ];
            if let Some(t) = &page_token {
                query.push(("pageToken", t.clone()));
            }
            let req = ctx.state.http.get(&url).bearer_auth(token.expose()).query(&query);
            async move { send_json::<HistoryPage>(req).await }
        })
        .await?;
        if let Some(h) = page.history_id.as_deref().and_then(|h| h.parse::<u64>().ok()) {
            current = current.max(h);
        }
        ids.extend(
            page.history
                .into_iter()
                .flat_map(|r| r.messages_added)
                .filter(|a| !a.message.label_ids.iter().any(|l| l == "DRAFT"))
                .map(|a| a.message.id),
        );
        match page.next_page_token {
            Some(t) if !t.is_empty() => page_token = Some(t),
            _ => break,
        }
    }
    Ok((dedupe(ids), current))
}

/// Ids in first-seen order, each once.
fn dedupe(ids: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    ids.into_iter().filter(|id| seen.insert(id.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_text_part_is_the_body_and_a_message_without_client_is_skipped() {
        use base64::engine::general_purpose::URL_SAFE;
        let m: GmailMessage = serde_json::from_value(json!({
            "id": "m1", "threadId": "t1", "labelIds": ["SENT"], "snippet": "Hi", "historyId": "9",
            "internalDate": "1700000000000",
            "payload": { "mimeType": "multipart/alternative", "headers": [
                { "name": "From", "value": "Me <owner@agency.test>" },
                { "name": "To", "value": "Dana <dana@acme.test>, x@other.test" },
                { "name": "Subject", "value": "Re: numbers" } ],
              "parts": [
                { "mimeType": "text/plain; charset=UTF-8", "body": { "data": URL_SAFE.encode("Hello Dana?") } },
                { "mimeType": "text/html", "body": { "data": URL_SAFE.encode("<p>Hello</p>") } } ] }
        }))
        .unwrap();
        assert_eq!(m.text_body().as_deref(), Some("Hello Dana?"));
        let client = uuid::Uuid::now_v7();
        let matcher = ClientMatcher::default();
        assert!(
            to_communication(&m, "owner@agency.test", &matcher, client).is_none(),
            "no client"
        );
    }

    #[test]
    fn addresses_parse_with_and_without_names() {
        assert_eq!(
            parse_address("Dana Reed <Dana@Acme-Dental.test>"),
            (Some("Dana Reed".into()), "dana@acme-dental.test".into())
        );
        assert_eq!(
            parse_address("sam@brightpath.test"),
            (None, "sam@brightpath.test".into())
        );
        assert_eq!(
            parse_address_list("\"Reed, Dana\" <dana@a.test>, sam@b.test, nobody"),
            vec!["dana@a.test".to_owned(), "sam@b.test".to_owned()]
        );
    }
}
