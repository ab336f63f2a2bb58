//! Provider integrations: list with health, OAuth connect and its callback, test, "Sync now", disconnect,
//! and the agency's own OAuth apps. Tokens and client secrets never appear in any answer; the callback is
//! limited to 5 per hour per user and per IP, "Sync now" to 5 per hour per agency.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::integrations::{
    ConnectRequest, ConnectResponse, Integration, OAuthApp, OAuthAppProvider, SetOAuthAppRequest, SyncQueued,
    TestConnectionResult,
};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{client_ip, IntegrationsManage, IntegrationsRead, IntegrationsWrite};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::integrations::CallbackParams;
use crate::rate_limit::apply_headers;
use crate::services::integrations;
use crate::state::AppState;

/// List integrations
///
/// One entry per provider (Gmail, Slack, Google Ads, Meta Ads), connected or not, with its health: state,
/// why it is degraded or needs a reconnect, the connected account, the last sync and its counts.
#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations",
    responses((status = 200, body = Vec<Integration>), (status = 403, body = Problem)))]
pub async fn list_integrations(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsRead>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(integrations::list(&state, &me).await?))
}

/// Start connecting a provider
///
/// Returns the provider's consent page URL (OAuth 2.0 authorization code with PKCE S256; the `state` is
/// signed, bound to this session, single use, and valid for 10 minutes). Send the browser there; the
/// provider sends it back to `/api/v1/oauth/callback`. Needs a browser session (not an API key).
#[utoipa::path(post, path = "/api/v1/integrations/connect", tag = "integrations", request_body = ConnectRequest,
    responses((status = 200, body = ConnectResponse),
        (status = 400, body = Problem, description = "`session_required`: connect from the app, not with an API key"),
        (status = 403, body = Problem),
        (status = 503, body = Problem, description = "`provider_not_configured`")))]
pub async fn connect(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsManage>,
    body: Json<ConnectRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(integrations::connect(&state, &me, body.provider).await?))
}

/// OAuth callback
///
/// Where the provider sends the browser back. Checks the state (signature, this session, unused, not
/// expired) before anything is written, exchanges the code, and stores the tokens encrypted. A browser
/// (`Accept: text/html`) is redirected to `/integrations?connected={provider}` or
/// `/integrations?oauth_error={code}&provider={provider}`; other callers get the integration or a problem.
#[utoipa::path(get, path = "/api/v1/oauth/callback", tag = "integrations",
    params(("state" = String, Query), ("code" = Option<String>, Query), ("error" = Option<String>, Query)),
    responses((status = 200, body = Integration),
        (status = 302, description = "Browser: back to the Integrations page"),
        (status = 400, body = Problem, description = "`oauth_state_invalid`, `oauth_state_foreign`, `oauth_state_expired`, `oauth_state_used`, `oauth_denied`"),
        (status = 429, body = Problem, description = "`rate_limited`: 5 callbacks per hour per user and per IP"),
        (status = 502, body = Problem, description = "`oauth_exchange_failed`")))]
pub async fn oauth_callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<IntegrationsManage>,
    query: Query<CallbackParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    let outcome = integrations::complete_callback(&state, &me, &ip, &params).await;
    if !wants_html(&req) {
        let (view, decision) = outcome?;
        let mut res = HttpResponse::Ok().json(view);
        apply_headers(res.headers_mut(), &decision);
        return Ok(res);
    }
    // A browser goes back to the integrations page, which says what happened.
    let query = match outcome {
        Ok((view, _)) => format!("connected={}", view.provider.as_str()),
        Err(e) => match crate::integrations::callback_provider(&state, &params).await {
            Some(p) => format!("oauth_error={}&provider={p}", e.code().as_str()),
            None => format!("oauth_error={}", e.code().as_str()),
        },
    };
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, format!("/integrations?{query}")))
        .finish())
}

/// Test an integration
///
/// Calls the provider's cheapest authenticated endpoint (Gmail profile, Slack `auth.test`, Meta `me`,
/// Google Ads accessible customers) through the token path (refreshing if due) and updates the health.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/test", tag = "integrations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = TestConnectionResult), (status = 404, body = Problem)))]
pub async fn test_integration(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(integrations::test(&state, &me, id.into_inner()).await?))
}

/// Sync now
///
/// Queues a sync of the integration (at most 5 per hour per agency). Watch its progress and outcome on
/// `GET /api/v1/integrations`.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/sync", tag = "integrations",
    params(("id" = Uuid, Path)),
    responses((status = 202, body = SyncQueued),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`not_connected`"),
        (status = 429, body = Problem, description = "`rate_limited`, with `Retry-After`")))]
pub async fn sync_integration(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (job_id, decision) = integrations::sync_now(&state, &me, id.into_inner()).await?;
    let mut res = HttpResponse::Accepted().json(SyncQueued { job_id });
    apply_headers(res.headers_mut(), &decision);
    Ok(res)
}

/// Disconnect an integration
///
/// Revokes the grant at the provider and deletes the stored tokens. Linked channels and ad accounts and
/// the data already synced stay; connecting again resumes from them.
#[utoipa::path(delete, path = "/api/v1/integrations/{id}", tag = "integrations",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn disconnect(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    integrations::disconnect(&state, &me, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set the agency's own OAuth app
///
/// For a provider this server has no OAuth app for (the integrations list says `oauth_app.source: none`),
/// the agency's Owner registers an app at the provider (`google` serves Gmail and Google Ads, `slack`,
/// `meta`) with the `redirect_uri` the list shows, and sets its client id and secret here; then the
/// provider's integrations can connect. Spaces and line breaks around each value are dropped. The secret
/// is stored encrypted and never returned. A new secret for the same client id (rotated at the provider)
/// applies at once; another client id is refused while a connection made with the current app is live.
#[utoipa::path(put, path = "/api/v1/integrations/credentials/{provider}", tag = "integrations",
    params(("provider" = OAuthAppProvider, Path, description = "The provider the app is registered at")),
    request_body = SetOAuthAppRequest,
    responses((status = 200, body = OAuthApp),
        (status = 403, body = Problem, description = "`forbidden`: only the agency's Owner"),
        (status = 404, body = Problem, description = "`not_found`: no such provider"),
        (status = 409, body = Problem, description = "`oauth_app_server_managed`: the server's settings configure this provider for every agency; `oauth_app_in_use`: a new client id while a connection made with the current app is live"),
        (status = 422, body = Problem)))]
pub async fn set_oauth_app(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsManage>,
    provider: web::Path<String>,
    body: Json<SetOAuthAppRequest>,
) -> Result<HttpResponse, ApiError> {
    let app = oauth_app_provider(&provider)?;
    Ok(HttpResponse::Ok().json(integrations::set_oauth_app(&state, &me, app, body.into_inner()).await?))
}

/// Remove the agency's own OAuth app
///
/// Forgets the client id and the encrypted secret. Refused while an integration connected through the app
/// is live: disconnect it first (its grant was issued to this app, so it would stop working).
#[utoipa::path(delete, path = "/api/v1/integrations/credentials/{provider}", tag = "integrations",
    params(("provider" = OAuthAppProvider, Path, description = "The provider the app is registered at")),
    responses((status = 204, description = "Removed"),
        (status = 403, body = Problem, description = "`forbidden`: only the agency's Owner"),
        (status = 404, body = Problem, description = "`not_found`: no such provider, or the agency has no app there"),
        (status = 409, body = Problem, description = "`oauth_app_in_use`: disconnect the integrations connected through it first")))]
pub async fn remove_oauth_app(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsManage>,
    provider: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = oauth_app_provider(&provider)?;
    integrations::remove_oauth_app(&state, &me, app).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A provider name of the path; another word is a resource that does not exist.
fn oauth_app_provider(name: &str) -> Result<OAuthAppProvider, ApiError> {
    OAuthAppProvider::parse(name).ok_or(ApiError::NotFound)
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
