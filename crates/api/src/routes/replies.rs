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
use audienceos_shared::communications::{NewReply, Reply};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{CommunicationsRead, CommunicationsWrite};
use crate::auth::Authorized;
use crate::error::{ApiError, Code};
use crate::extract::Json;
use crate::services::replies::{self, Sent};
use crate::state::AppState;

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
        ("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,200}$", description = "A new UUID per reply; a repeat returns the first result (1 to 200 visible ASCII characters)"),
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
    body: Json<NewReply>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let outcome = replies::send(&state, &me, path.into_inner(), key, body.into_inner()).await?;
    Ok(match outcome {
        Sent::New(reply) => HttpResponse::Created().json(reply),
        Sent::Replayed(reply) => HttpResponse::Ok().insert_header((REPLAYED, "true")).json(reply),
    })
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
    Ok(HttpResponse::Ok().json(replies::retry(&state, &me, path.into_inner()).await?))
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
    Ok(HttpResponse::Ok().json(replies::get(&state, &me, path.into_inner()).await?))
}
