//! Client files beyond one request: the objects of a deleted client.

use uuid::Uuid;

use crate::files::client_prefix;
use crate::state::AppState;

/// Delete every stored object of a client. Call it after the client's row is deleted (its file rows go
/// with it by cascade). Failures are logged, never returned: the client is already gone. Returns how
/// many objects were deleted.
pub async fn delete_client_objects(state: &AppState, agency_id: Uuid, client_id: Uuid) -> usize {
    match state.files.delete_prefix(&client_prefix(agency_id, client_id)).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, %agency_id, %client_id, "could not delete a deleted client's files");
            0
        }
    }
}
