//! Provider integrations: list with health, OAuth connect and its callback, test, "Sync now", disconnect.
//! Tokens never appear in any answer; the callback is limited to 5 per hour per user and per IP, "Sync now"
//! to 5 per hour per agency.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::integrations::{
    ConnectRequest, ConnectResponse, Integration, IntegrationProvider, SyncQueued, TestConnectionResult,
};
use audienceos_shared::Problem;
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{client_ip, Identity, IntegrationsManage, IntegrationsRead, IntegrationsWrite};
use crate::auth::Authorized;
use crate::error::{ApiError, Code};
use crate::integrations::provider::ProviderError;
use crate::integrations::{self, CallbackParams, Connector};
use crate::rate_limit::{apply_headers, RouteClass};
use crate::services::audit::Audit;
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
    let rows = state.store.list_integrations(me.agency_id).await?;
    let list: Vec<Integration> = IntegrationProvider::ALL
        .into_iter()
        .map(|p| integrations::view(&state, p, rows.iter().find(|(r, _)| r.provider == p.as_str())))
        .collect();
    Ok(HttpResponse::Ok().json(list))
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
    body: web::Json<ConnectRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = connector(&me)?;
    let provider = body.provider;
    let res = integrations::start_connect(&state, who, provider)
        .await
        .map_err(|e| provider_error(provider, e))?;
    Audit::by(&me, "integration.connect_started")
        .meta(json!({ "provider": provider }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(res))
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
    query: web::Query<CallbackParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.into_inner();
    let browser = wants_html(&req);
    let provider = integrations::callback_provider(&state, &params).await;
    let redirect = |q: String| {
        HttpResponse::Found()
            .insert_header((header::LOCATION, format!("/integrations?{q}")))
            .finish()
    };
    let provider_q = provider.map(|p| format!("&provider={p}")).unwrap_or_default();
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    let limited = match state
        .limiter
        .enforce(RouteClass::OauthCallback, &format!("oauth:{}", me.rate_limit_key()))
        .await
    {
        Ok(_) => {
            state
                .limiter
                .enforce(RouteClass::OauthCallback, &format!("oauth:ip:{ip}"))
                .await
        }
        Err(e) => Err(e),
    };
    let decision = match limited {
        Ok(d) => d,
        Err(e) if browser => {
            let _ = e;
            return Ok(redirect(format!("oauth_error=rate_limited{provider_q}")));
        }
        Err(e) => return Err(e),
    };
    let who = connector(&me)?;
    match integrations::complete_connect(&state, who, &params).await {
        Ok(row) => {
            Audit::by(&me, "integration.connected")
                .meta(json!({ "provider": row.provider, "integration_id": row.id }))
                .record(&state)
                .await;
            if browser {
                first_sync(&state, &row).await;
                return Ok(redirect(format!("connected={}", row.provider)));
            }
            let view = state
                .store
                .list_integrations(me.agency_id)
                .await?
                .into_iter()
                .find(|(r, _)| r.id == row.id);
            let provider = row.provider().unwrap_or(IntegrationProvider::Gmail);
            let mut res = HttpResponse::Ok().json(integrations::view(&state, provider, view.as_ref()));
            apply_headers(res.headers_mut(), &decision);
            first_sync(&state, &row).await;
            Ok(res)
        }
        Err(e) => {
            let code = e.code().as_str();
            Audit::by(&me, "integration.connect_refused")
                .outcome("failure")
                .meta(json!({ "reason": code }))
                .record(&state)
                .await;
            tracing::info!(reason = code, "OAuth callback refused");
            if browser {
                return Ok(redirect(format!("oauth_error={code}{provider_q}")));
            }
            Err(ApiError::new(e.code(), e.to_string()))
        }
    }
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
    let row = state.store.get_integration(me.agency_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(integrations::test_connection(&state, &row).await))
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
    let row = state.store.get_integration(me.agency_id, id.into_inner()).await?;
    if !matches!(row.status.as_str(), "connected" | "degraded" | "syncing") {
        return Err(ApiError::new(
            Code::NotConnected,
            "The integration is not connected; connect it first.",
        ));
    }
    let decision = state
        .limiter
        .enforce(RouteClass::IntegrationSync, &format!("agency:{}", me.agency_id))
        .await?;
    let job_id = integrations::enqueue_sync(&state, &row, "manual")
        .await
        .map_err(ApiError::Internal)?;
    Audit::by(&me, "integration.sync_requested")
        .meta(json!({ "integration_id": row.id }))
        .record(&state)
        .await;
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
    let row = state.store.get_integration(me.agency_id, id.into_inner()).await?;
    let revoked = integrations::disconnect(&state, &row)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Audit::by(&me, "integration.disconnected")
        .meta(json!({ "integration_id": row.id, "provider": row.provider, "revoked": revoked }))
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// A new connection syncs at once.
async fn first_sync(state: &AppState, row: &crate::store::integrations::IntegrationRow) {
    if let Err(e) = integrations::enqueue_sync(state, row, "connect").await {
        tracing::warn!(error.cause_chain = ?e, "could not queue the first sync");
    }
}

fn connector(me: &Identity) -> Result<Connector, ApiError> {
    let session_id = me.session_id().ok_or_else(|| {
        ApiError::new(
            Code::SessionRequired,
            "Connecting a provider needs a signed-in browser session, not an API key.",
        )
    })?;
    Ok(Connector {
        agency_id: me.agency_id,
        user_id: me.user_id,
        session_id,
    })
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn provider_error(provider: IntegrationProvider, e: ProviderError) -> ApiError {
    match e {
        ProviderError::NotConfigured => ApiError::ProviderNotConfigured {
            provider: integrations::endpoints::settings_name(provider),
        },
        other => ApiError::Internal(other.into()),
    }
}
