//! Checks about the agency's team that need the store.

use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::StoreError;

/// 422 on `field` unless `user_id` is an active member of the agency.
pub async fn check_member(state: &AppState, agency_id: Uuid, user_id: Uuid, field: &str) -> Result<(), ApiError> {
    match state.store.get_user(agency_id, user_id).await {
        Ok(u) if u.is_active => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::field(
            field,
            "unknown",
            "is not an active member of this agency",
        )),
        Err(e) => Err(e.into()),
    }
}
