//! `/api/v1/integrations`: each provider's connection, OAuth connect, test, sync, disconnect, the agency's
//! own OAuth apps, and the provider resources (Slack channels, ad accounts) linked to clients.

use audienceos_shared::integrations::{
    ConnectRequest, ConnectResponse, Integration, IntegrationProvider, LinkResourceRequest, OAuthApp, OAuthAppProvider,
    ProviderResource, SetOAuthAppRequest, SyncQueued, TestConnectionResult,
};
use uuid::Uuid;

use super::{delete, get, post, post_empty, post_empty_with_retry_after, put, routes_segment, ApiResult};

/// `GET /integrations`: one entry per provider, connected or not.
pub async fn list_integrations() -> ApiResult<Vec<Integration>> {
    get("/integrations").await
}

/// `POST /integrations/connect`: the provider's consent page to send the browser to.
pub async fn connect(provider: IntegrationProvider) -> ApiResult<ConnectResponse> {
    post("/integrations/connect", &ConnectRequest { provider }).await
}

/// `POST /integrations/{id}/test`: the provider's cheapest authenticated call.
pub async fn test_connection(id: Uuid) -> ApiResult<TestConnectionResult> {
    post_empty(&format!("/integrations/{id}/test")).await
}

/// `POST /integrations/{id}/sync` (202): queue a sync; on `429 rate_limited` also the `Retry-After` seconds.
pub async fn sync_now(id: Uuid) -> (ApiResult<SyncQueued>, Option<u64>) {
    post_empty_with_retry_after(&format!("/integrations/{id}/sync")).await
}

/// `DELETE /integrations/{id}` (204): revoke at the provider and forget the tokens.
pub async fn disconnect(id: Uuid) -> ApiResult<()> {
    delete(&format!("/integrations/{id}")).await
}

/// `GET /integrations/{id}/resources`: what the provider shows (502 when it cannot be reached).
pub async fn list_resources(id: Uuid) -> ApiResult<Vec<ProviderResource>> {
    get(&format!("/integrations/{id}/resources")).await
}

/// `PUT /integrations/{id}/links/{external_id}`: link the resource to a client, or unlink it (`None`).
pub async fn link_resource(
    id: Uuid,
    external_id: &str,
    client_id: Option<Uuid>,
    name: String,
) -> ApiResult<ProviderResource> {
    put(
        &format!("/integrations/{id}/links/{}", routes_segment(external_id)),
        &LinkResourceRequest { client_id, name },
    )
    .await
}

/// `PUT /integrations/credentials/{provider}`: the agency's own OAuth app at the provider (Owner only).
pub async fn set_oauth_app(app: OAuthAppProvider, req: &SetOAuthAppRequest) -> ApiResult<OAuthApp> {
    put(&format!("/integrations/credentials/{}", app.as_str()), req).await
}

/// `DELETE /integrations/credentials/{provider}` (204): forget the agency's own OAuth app (Owner only).
pub async fn remove_oauth_app(app: OAuthAppProvider) -> ApiResult<()> {
    delete(&format!("/integrations/credentials/{}", app.as_str())).await
}
