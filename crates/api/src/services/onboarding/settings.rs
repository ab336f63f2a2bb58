//! The agency's onboarding settings: how long a public intake link stays valid.

use audienceos_shared::onboarding::OnboardingSettings;

use crate::auth::Identity;
use crate::error::{validate, ApiError};
use crate::services::audit::Audit;
use crate::state::AppState;

/// The agency's settings.
pub async fn get(state: &AppState, me: &Identity) -> Result<OnboardingSettings, ApiError> {
    let link_expiry_days = state.store.onboarding_link_days(me.agency_id).await?;
    Ok(OnboardingSettings { link_expiry_days })
}

/// Set them (links made from now on use the new expiry); audited.
pub async fn set(state: &AppState, me: &Identity, b: OnboardingSettings) -> Result<OnboardingSettings, ApiError> {
    validate(&b)?;
    state
        .store
        .set_onboarding_link_days(me.agency_id, b.link_expiry_days)
        .await?;
    Audit::by(me, "onboarding.settings_updated")
        .with("id", me.agency_id)
        .record(state)
        .await;
    Ok(b)
}
