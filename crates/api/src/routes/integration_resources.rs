//! The provider resources of an integration (Slack channels, Google Ads customer accounts, Meta ad
//! accounts) and which client each feeds.
//!
//! The list is read live from the provider, so a new channel or ad account shows up without a sync, and
//! merged with the stored links; a link whose resource the provider no longer lists is still shown, so it
//! can be removed. When the provider fails the answer is `502 upstream_failed` rather than a partial list
//! that would look like everything was unlinked. Linking needs integrations manage (Owner, Admin) and is
//! audited.

use actix_web::{web, HttpResponse};
use audienceos_shared::integrations::{LinkResourceRequest, ProviderResource};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{IntegrationsManage, IntegrationsRead};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Json;
use crate::services::integration_resources;
use crate::state::AppState;

/// List an integration's provider resources
///
/// What the provider lists now (Slack channels the app is in, Google Ads customer accounts, Meta ad
/// accounts), each with the client it is linked to, plus linked resources the provider no longer lists.
/// Gmail links nothing (messages are matched to clients by address): an empty list.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/resources", tag = "integrations",
    params(("id" = Uuid, Path, description = "Integration id")),
    responses((status = 200, body = Vec<ProviderResource>), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`integration_not_connected`"),
        (status = 502, body = Problem, description = "`upstream_failed`: the provider did not answer"),
        (status = 503, body = Problem, description = "`provider_not_configured`")))]
pub async fn list_resources(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(integration_resources::list(&state, &me, id.into_inner()).await?))
}

/// Link a provider resource to a client
///
/// The resource's data flows to the client on the next sync (replacing an earlier link of the same
/// resource). `client_id: null` unlinks it; rows already synced stay on the client.
#[utoipa::path(put, path = "/api/v1/integrations/{id}/links/{external_id}", tag = "integrations",
    params(("id" = Uuid, Path, description = "Integration id"),
        ("external_id" = String, Path, description = "The provider's id of the resource")),
    request_body = LinkResourceRequest,
    responses((status = 200, body = ProviderResource), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "`client_id` is not a client of the agency, or the provider links nothing")))]
pub async fn set_link(
    state: web::Data<AppState>,
    me: Authorized<IntegrationsManage>,
    path: web::Path<(Uuid, String)>,
    body: Json<LinkResourceRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, external_id) = path.into_inner();
    let resource = integration_resources::set_link(&state, &me, id, external_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(resource))
}
