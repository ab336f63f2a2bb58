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
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{IntegrationsManage, IntegrationsRead};
use crate::auth::Authorized;
use crate::error::{ApiError, Code};
use crate::integrations::provider::ProviderError;
use crate::integrations::resources;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::integration_resources::LinkRow;
use crate::store::StoreError;

/// A provider failure as the API answers it.
pub fn provider_problem(e: ProviderError) -> ApiError {
    match e {
        ProviderError::NotConfigured => ApiError::ProviderNotConfigured {
            provider: "integration",
        },
        ProviderError::NotConnected | ProviderError::InvalidGrant(_) => ApiError::new(
            Code::IntegrationNotConnected,
            "The integration is not connected (or its access was revoked); connect it again.",
        ),
        ProviderError::Internal(e) => ApiError::Internal(e),
        other => ApiError::Upstream(anyhow::Error::new(other)),
    }
}

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
    let integration = state.store.get_integration(me.agency_id, id.into_inner()).await?;
    let links = state.store.list_integration_links(me.agency_id, integration.id).await?;
    let live = resources::resources(&state, &integration)
        .await
        .map_err(provider_problem)?;
    Ok(HttpResponse::Ok().json(merge(live, links)))
}

/// The live list with each resource's link, then the links of resources no longer listed.
pub fn merge(live: Vec<(String, String)>, links: Vec<LinkRow>) -> Vec<ProviderResource> {
    let mut out: Vec<ProviderResource> = live
        .into_iter()
        .map(|(external_id, name)| {
            let link = links.iter().find(|l| l.external_id == external_id);
            ProviderResource {
                client_id: link.map(|l| l.client_id),
                client_name: link.map(|l| l.client_name.clone()),
                external_id,
                name,
            }
        })
        .collect();
    for l in links {
        if !out.iter().any(|r| r.external_id == l.external_id) {
            out.push(to_resource(l));
        }
    }
    out
}

fn to_resource(l: LinkRow) -> ProviderResource {
    ProviderResource {
        external_id: l.external_id,
        name: l.external_name,
        client_id: Some(l.client_id),
        client_name: Some(l.client_name),
    }
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
    body: web::Json<LinkResourceRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, external_id) = path.into_inner();
    let body = body.into_inner();
    let integration = state.store.get_integration(me.agency_id, id).await?;
    if !integration.provider().is_some_and(|p| p.links_resources()) {
        return Err(ApiError::field(
            "external_id",
            "not_linkable",
            "this provider matches clients by address; it has no resources to link",
        ));
    }
    let external_id = external_id.trim().to_owned();
    if external_id.is_empty() || external_id.len() > 200 {
        return Err(ApiError::field("external_id", "invalid", "must be 1 to 200 characters"));
    }
    let name = body.name.trim();
    if name.chars().count() > 200 {
        return Err(ApiError::field("name", "too_long", "must be at most 200 characters"));
    }
    let (resource, action) = match body.client_id {
        Some(client_id) => {
            let name = if name.is_empty() { external_id.as_str() } else { name };
            let link = state
                .store
                .set_integration_link(me.agency_id, integration.id, &external_id, name, client_id, state.now())
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => ApiError::field("client_id", "not_found", "is not a client of this agency"),
                    other => other.into(),
                })?;
            (to_resource(link), "integration.resource_linked")
        }
        None => {
            state
                .store
                .remove_integration_link(me.agency_id, integration.id, &external_id)
                .await?;
            (
                ProviderResource {
                    name: if name.is_empty() {
                        external_id.clone()
                    } else {
                        name.to_owned()
                    },
                    external_id: external_id.clone(),
                    client_id: None,
                    client_name: None,
                },
                "integration.resource_unlinked",
            )
        }
    };
    Audit::by(&me, action)
        .meta(json!({
            "integration_id": integration.id,
            "provider": integration.provider,
            "external_id": external_id,
            "client_id": resource.client_id,
        }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(resource))
}
