//! The provider resources of an integration (Slack channels, Google Ads customer accounts, Meta ad
//! accounts) and which client each feeds: the live list from the provider merged with the stored links,
//! and linking one to a client (audited).

use audienceos_shared::integrations::{LinkResourceRequest, ProviderResource};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
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

/// What the provider lists now, each with its client, then linked resources it no longer lists.
pub async fn list(state: &AppState, me: &Identity, id: Uuid) -> Result<Vec<ProviderResource>, ApiError> {
    let integration = state.store.get_integration(me.agency_id, id).await?;
    let links = state.store.list_integration_links(me.agency_id, integration.id).await?;
    let live = resources::resources(state, &integration)
        .await
        .map_err(provider_problem)?;
    Ok(merge(live, links))
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

/// Link `external_id` to a client (or unlink it with `client_id: null`).
pub async fn set_link(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    external_id: String,
    body: LinkResourceRequest,
) -> Result<ProviderResource, ApiError> {
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
    // The id goes into the provider's URLs on every sync: only the provider's own id shape is accepted.
    if !integration.provider().is_some_and(|p| p.is_resource_id(&external_id)) {
        return Err(ApiError::field(
            "external_id",
            "invalid",
            "is not an id of this provider's resources",
        ));
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
    Audit::by(me, action)
        .meta(json!({
            "integration_id": integration.id,
            "provider": integration.provider,
            "external_id": external_id,
            "client_id": resource.client_id,
        }))
        .record(state)
        .await;
    Ok(resource)
}
