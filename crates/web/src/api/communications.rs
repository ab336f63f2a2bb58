//! Messages synced from Gmail and Slack, per client.

use audienceos_shared::integrations::Communication;
use audienceos_shared::Page;
use uuid::Uuid;

use super::{get, page_query, ApiResult};

/// `GET /clients/{id}/communications?limit=&cursor=`: one page, newest first.
pub async fn client_communications(client: Uuid, limit: u32, cursor: Option<&str>) -> ApiResult<Page<Communication>> {
    get(&format!(
        "/clients/{client}/communications{}",
        page_query(limit, cursor)
    ))
    .await
}
