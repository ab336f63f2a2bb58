//! `/api/v1/api-keys`: list, create (secret shown once) and revoke API keys.

use audienceos_shared::api_keys::{ApiKey, CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::pagination::MAX_LIMIT;
use audienceos_shared::Page;
use uuid::Uuid;

use super::{delete, get, page_query, post, ApiResult};

/// `GET /api-keys`: the largest page; an agency has few keys.
pub async fn list_api_keys(cursor: Option<String>) -> ApiResult<Page<ApiKey>> {
    get(&format!("/api-keys{}", page_query(MAX_LIMIT, cursor.as_deref()))).await
}

/// `POST /api-keys`.
pub async fn create_api_key(body: &CreateApiKeyRequest) -> ApiResult<CreatedApiKey> {
    post("/api-keys", body).await
}

/// `DELETE /api-keys/{id}`.
pub async fn revoke_api_key(id: Uuid) -> ApiResult<()> {
    delete(&format!("/api-keys/{id}")).await
}
