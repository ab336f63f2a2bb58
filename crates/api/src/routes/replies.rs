//! Replies from the communications hub: `POST /communications/{id}/reply` answers a message in its thread
//! through the thread's provider, `POST /communications/replies/{id}/retry` sends a failed reply again, and
//! `GET /communications/replies/{id}` reads one.
//!
//! A reply needs an `Idempotency-Key` header. The first request with a key saves the reply (queued) before
//! calling the provider and answers `201` with the reply as it ends (`sent`, or `failed` with a reason and
//! retryable); a later request with the same key and body answers `200` with that same reply
//! (`Idempotent-Replayed: true`) and sends nothing; the same key with another body is `422
//! idempotency_key_reused`. The send runs in its own task, so a client that hangs up mid-send does not
//! leave the reply half-done.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::communications::{NewReply, Reply, ReplyStatus};
use audienceos_shared::integrations::IntegrationProvider;
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{CommunicationsRead, CommunicationsWrite};
use crate::auth::Authorized;
use crate::error::{validate, ApiError, Code};
use crate::services::replies;
use crate::state::AppState;
use crate::store::integrations::IntegrationRow;
use crate::store::replies::{NewReplyRow, ReplyRow, ReplyTargetRow, Saved};

/// The request header naming a reply attempt.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
const REPLAYED: &str = "Idempotent-Replayed";

/// The header's value: 1 to 200 visible ASCII characters (a UUID is what clients should send).
fn idempotency_key(req: &HttpRequest) -> Result<String, ApiError> {
    let Some(v) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Err(ApiError::new(
            Code::IdempotencyKeyRequired,
            "Send an Idempotency-Key header (a new UUID per reply) so a retried request never sends twice.",
        ));
    };
    match v.to_str().map(str::trim) {
        Ok(k) if !k.is_empty() && k.len() <= 200 && k.chars().all(|c| c.is_ascii_graphic()) => Ok(k.to_owned()),
        _ => Err(ApiError::new(
            Code::IdempotencyKeyInvalid,
            "The Idempotency-Key header must be 1 to 200 visible ASCII characters.",
        )),
    }
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
    state: web::Data<AppState>,
    agency_id: Uuid,
    reply: ReplyRow,
    target: ReplyTargetRow,
    integration: IntegrationRow,
    author_name: Option<String>,
) -> Result<ReplyRow, ApiError> {
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

/// Reply to a message
///
/// Sends the text as a reply in the message's thread: Gmail from the connected mailbox to the thread's
/// latest inbound sender, with `In-Reply-To`, `References` and the thread's subject; Slack in the channel's
/// thread. Requires an `Idempotency-Key` header. `201` with the reply (`sent`, or `failed` with `error`:
/// retry it with `/communications/replies/{id}/retry`); `200` with the first reply for a repeated key.
#[utoipa::path(post, path = "/api/v1/communications/{id}/reply", tag = "communications",
    request_body = NewReply,
    params(
        ("id" = Uuid, Path, description = "The message replied to (any message of the thread)"),
        ("Idempotency-Key" = String, Header, description = "A new UUID per reply; a repeat returns the first result"),
    ),
    responses(
        (status = 201, body = Reply, description = "Saved and sent, or saved and failed (see `status`)"),
        (status = 200, body = Reply, description = "A repeated request: the reply the key made"),
        (status = 400, body = Problem, description = "`idempotency_key_required` or `idempotency_key_invalid`"),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`integration_not_connected` or `integration_needs_reconnect`"),
        (status = 422, body = Problem, description = "Validation, or `idempotency_key_reused` with another body"),
    ))]
pub async fn reply(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsWrite>,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<NewReply>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let mut body = body.into_inner();
    body.body = body.body.trim_end().to_owned();
    validate(&body)?;
    let message_id = path.into_inner();
    let target = state
        .store
        .get_reply_target(me.agency_id, me.client_scope(), message_id)
        .await?;
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
        None => sending_integration(&state, me.agency_id, &target.platform).await?,
    };
    let row = match state.store.save_reply(me.agency_id, &new, state.clock.now()).await? {
        Saved::Existing(existing) => return replay(existing, &hash),
        Saved::New(row) => row,
    };
    let name = author_name(&state, me.agency_id, me.user_id).await;
    let done = deliver(state.clone(), me.agency_id, row, target, integration, name).await?;
    Ok(HttpResponse::Created().json(replies::to_reply(done)))
}

fn replay(existing: ReplyRow, hash: &str) -> Result<HttpResponse, ApiError> {
    if existing.request_hash != hash {
        return Err(ApiError::new(
            Code::IdempotencyKeyReused,
            "This Idempotency-Key was used for a different reply. Send a new key for a new reply.",
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((REPLAYED, "true"))
        .json(replies::to_reply(existing)))
}

/// Retry a failed reply
///
/// Sends a `failed` reply again (or a `queued` one abandoned for two minutes). A reply already sent is
/// returned as it is; one being sent right now is `409 reply_in_progress`.
#[utoipa::path(post, path = "/api/v1/communications/replies/{id}/retry", tag = "communications",
    params(("id" = Uuid, Path, description = "The reply")),
    responses((status = 200, body = Reply), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`reply_in_progress`, `integration_not_connected`, `integration_needs_reconnect`")))]
pub async fn retry_reply(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsWrite>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let current = state.store.get_reply(me.agency_id, id).await?;
    let target = visible_target(&state, &me, &current).await?;
    match ReplyStatus::parse(&current.status) {
        Some(ReplyStatus::Sent) => return Ok(HttpResponse::Ok().json(replies::to_reply(current))),
        Some(ReplyStatus::Queued) | Some(ReplyStatus::Failed) | None => {}
    }
    let Some(target) = target else {
        return Err(ApiError::new(
            Code::ReplyTargetGone,
            "The message this reply answers no longer exists; write a new reply in the thread.",
        ));
    };
    let integration = sending_integration(&state, me.agency_id, &target.platform).await?;
    let Some(row) = state
        .store
        .claim_reply_retry(me.agency_id, id, state.clock.now())
        .await?
    else {
        let now = state.store.get_reply(me.agency_id, id).await?;
        if now.status == ReplyStatus::Sent.as_str() {
            return Ok(HttpResponse::Ok().json(replies::to_reply(now)));
        }
        return Err(ApiError::new(
            Code::ReplyInProgress,
            "This reply is being sent right now.",
        ));
    };
    let name = author_name(&state, me.agency_id, me.user_id).await;
    let done = deliver(state.clone(), me.agency_id, row, target, integration, name).await?;
    Ok(HttpResponse::Ok().json(replies::to_reply(done)))
}

/// The reply's target if the caller may see the reply's client (404 otherwise); `None` when the message it
/// answered was deleted.
async fn visible_target(
    state: &AppState,
    me: &crate::auth::Identity,
    reply: &ReplyRow,
) -> Result<Option<ReplyTargetRow>, ApiError> {
    if let Some(msg) = reply.in_reply_to {
        match state.store.get_reply_target(me.agency_id, me.client_scope(), msg).await {
            Ok(t) => return Ok(Some(t)),
            Err(crate::store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    state
        .store
        .check_client_visible(me.agency_id, me.client_scope(), reply.client_id)
        .await?;
    Ok(None)
}

/// Get a reply
#[utoipa::path(get, path = "/api/v1/communications/replies/{id}", tag = "communications",
    params(("id" = Uuid, Path, description = "The reply")),
    responses((status = 200, body = Reply), (status = 404, body = Problem)))]
pub async fn get_reply(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsRead>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state.store.get_reply(me.agency_id, path.into_inner()).await?;
    state
        .store
        .check_client_visible(me.agency_id, me.client_scope(), row.client_id)
        .await?;
    Ok(HttpResponse::Ok().json(replies::to_reply(row)))
}
