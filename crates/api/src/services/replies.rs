//! Replies: sending one (idempotent by key; the provider call itself is `integrations::reply`), retrying a
//! failed one, reading one, and the reply as the API shows it.

use actix_web::web;
use audienceos_shared::communications::{NewReply, Reply, ReplyStatus};
use audienceos_shared::integrations::IntegrationProvider;
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::stored::Stored as _;
use crate::error::{validate, ApiError, Code};
use crate::state::AppState;
use crate::store::integrations::IntegrationRow;
use crate::store::replies::{NewReplyRow, ReplyRow, ReplyTargetRow, Saved};

/// What a send request came to.
pub enum Sent {
    /// Saved and sent (or saved and failed: see its status).
    New(Reply),
    /// A repeated request: the reply its key made the first time; nothing was sent.
    Replayed(Reply),
}

/// Reply to `message_id` in its thread, once per idempotency `key`: save it (queued), then send it through
/// the thread's provider in a task of its own.
pub async fn send(
    state: &web::Data<AppState>,
    me: &Identity,
    message_id: Uuid,
    key: String,
    mut body: NewReply,
) -> Result<Sent, ApiError> {
    body.body = body.body.trim_end().to_owned();
    validate(&body)?;
    let target = state.store.get_reply_target(me.tenant(), message_id).await?;
    let hash = request_hash(message_id, &body.body);
    let new = NewReplyRow {
        client_id: target.client_id,
        key: target.key(),
        in_reply_to: target.id,
        author_id: me.user_id,
        idempotency_key: key,
        request_hash: hash.clone(),
        body: body.body,
    };
    // A replay answers before the integration is checked: its first result stands.
    let integration = match state
        .store
        .find_reply_by_key(me.agency_id, &new.idempotency_key)
        .await?
    {
        Some(existing) => return replay(existing, &hash),
        None => sending_integration(state, me.agency_id, &target.platform).await?,
    };
    let row = match state.store.save_reply(me.agency_id, &new, state.now()).await? {
        Saved::Existing(existing) => return replay(existing, &hash),
        Saved::New(row) => row,
    };
    let name = author_name(state, me.agency_id, me.user_id).await;
    let done = deliver(state, me.agency_id, row, target, integration, name).await?;
    Ok(Sent::New(to_reply(done)))
}

/// Send a `failed` (or abandoned `queued`) reply again; a sent one is returned as it is.
pub async fn retry(state: &web::Data<AppState>, me: &Identity, id: Uuid) -> Result<Reply, ApiError> {
    let current = state.store.get_reply(me.agency_id, id).await?;
    let target = visible_target(state, me, &current).await?;
    match ReplyStatus::parse(&current.status) {
        Some(ReplyStatus::Sent) => return Ok(to_reply(current)),
        Some(ReplyStatus::Queued) | Some(ReplyStatus::Failed) | None => {}
    }
    let Some(target) = target else {
        return Err(ApiError::new(
            Code::ReplyTargetGone,
            "The message this reply answers no longer exists; write a new reply in the thread.",
        ));
    };
    let integration = sending_integration(state, me.agency_id, &target.platform).await?;
    let Some(row) = state.store.claim_reply_retry(me.agency_id, id, state.now()).await? else {
        let now = state.store.get_reply(me.agency_id, id).await?;
        if now.status == ReplyStatus::Sent.as_str() {
            return Ok(to_reply(now));
        }
        return Err(ApiError::new(
            Code::ReplyInProgress,
            "This reply is being sent right now.",
        ));
    };
    let name = author_name(state, me.agency_id, me.user_id).await;
    let done = deliver(state, me.agency_id, row, target, integration, name).await?;
    Ok(to_reply(done))
}

/// One reply, if the caller may see its client.
pub async fn get(state: &AppState, me: &Identity, id: Uuid) -> Result<Reply, ApiError> {
    let row = state.store.get_reply(me.agency_id, id).await?;
    state.store.check_client_visible(me.tenant(), row.client_id).await?;
    Ok(to_reply(row))
}

/// What tells a replay from another request reusing its key: the message replied to and the text.
fn request_hash(message_id: Uuid, body: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(message_id.as_bytes());
    ctx.update(body.as_bytes());
    hex::encode(ctx.finish())
}

/// The thread's integration, holding a grant; a reply cannot go out otherwise.
async fn sending_integration(state: &AppState, agency_id: Uuid, platform: &str) -> Result<IntegrationRow, ApiError> {
    let provider = if platform == "slack" {
        IntegrationProvider::Slack
    } else {
        IntegrationProvider::Gmail
    };
    match state
        .store
        .get_integration_by_provider(agency_id, provider.as_str())
        .await?
    {
        Some(i) if matches!(i.status.as_str(), "connected" | "degraded" | "syncing") => Ok(i),
        Some(_) => Err(ApiError::new(
            Code::IntegrationNeedsReconnect,
            format!(
                "{} needs to be connected again before replies can be sent. Reconnect it on the Integrations page.",
                provider.label()
            ),
        )),
        None => Err(ApiError::new(
            Code::IntegrationNotConnected,
            format!(
                "{} is not connected. Connect it on the Integrations page to reply from here.",
                provider.label()
            ),
        )),
    }
}

/// Send a queued reply in a task of its own (it finishes even if the caller hangs up) and wait for it.
async fn deliver(
    state: &web::Data<AppState>,
    agency_id: Uuid,
    reply: ReplyRow,
    target: ReplyTargetRow,
    integration: IntegrationRow,
    author_name: Option<String>,
) -> Result<ReplyRow, ApiError> {
    let state = state.clone();
    let task = tokio::spawn(async move {
        crate::integrations::reply::deliver(&state, agency_id, reply, target, integration, author_name).await
    });
    match task.await {
        Ok(done) => Ok(done?),
        Err(e) => Err(ApiError::Internal(anyhow::anyhow!("the reply task failed: {e}"))),
    }
}

async fn author_name(state: &AppState, agency_id: Uuid, user_id: Uuid) -> Option<String> {
    let u = state.store.get_user(agency_id, user_id).await.ok()?;
    let name = format!("{} {}", u.first_name, u.last_name).trim().to_owned();
    (!name.is_empty()).then_some(name)
}

/// The reply's target if the caller may see the reply's client (404 otherwise); `None` when the message it
/// answered was deleted.
async fn visible_target(state: &AppState, me: &Identity, reply: &ReplyRow) -> Result<Option<ReplyTargetRow>, ApiError> {
    if let Some(msg) = reply.in_reply_to {
        match state.store.get_reply_target(me.tenant(), msg).await {
            Ok(t) => return Ok(Some(t)),
            Err(crate::store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    state.store.check_client_visible(me.tenant(), reply.client_id).await?;
    Ok(None)
}

fn replay(existing: ReplyRow, hash: &str) -> Result<Sent, ApiError> {
    if existing.request_hash != hash {
        return Err(ApiError::new(
            Code::IdempotencyKeyReused,
            "This Idempotency-Key was used for a different reply. Send a new key for a new reply.",
        ));
    }
    Ok(Sent::Replayed(to_reply(existing)))
}

pub fn to_reply(r: ReplyRow) -> Reply {
    Reply {
        thread_key: format!("{}:{}", r.platform, r.thread_key),
        id: r.id,
        platform: r.platform,
        client_id: r.client_id,
        in_reply_to: r.in_reply_to,
        author_id: r.author_id,
        body: r.body,
        status: ReplyStatus::from_stored(&r.status),
        error: r.error,
        provider_message_id: r.provider_message_id,
        attempts: r.attempts,
        created_at: r.created_at,
        updated_at: r.updated_at,
        sent_at: r.sent_at,
    }
}
