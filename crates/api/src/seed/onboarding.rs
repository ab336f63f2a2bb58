//! The demo agency's onboardings, made through the same services a person's clicks go through (start,
//! the client's intake submission, stage moves, platform checks), with the seed's own clock set back so
//! each step happened on its own day: one just started with its welcome email sent, one waiting on
//! access after the client submitted the intake form, one blocked at the pixel install, one at the audit.

use anyhow::Context as _;
use audienceos_shared::onboarding::{
    IntakeValue, IntakeValuesRequest, NewOnboardingClient, OnboardingInstance, PlatformState,
    PlatformVerificationRequest, StageAction, StageTransitionRequest, StartOnboardingRequest,
};
use audienceos_shared::permissions::SystemRole;
use chrono::Duration;
use uuid::Uuid;

use crate::auth::identity::{Identity, Via};
use crate::services::onboarding::{instances, public_intake};
use crate::state::AppState;
use crate::store::bulk::ClientSeed;

/// The seed acting as the agency's owner (as if signed in), for the services' permission checks and audit.
pub async fn owner_identity(state: &AppState, agency_id: Uuid, owner_id: Uuid) -> anyhow::Result<Identity> {
    let role = state.store.get_system_role(agency_id, SystemRole::Owner).await?;
    let permissions = state.store.role_permissions(agency_id, role.id).await?;
    Ok(Identity {
        user_id: owner_id,
        agency_id,
        role_id: role.id,
        system_role: role.system(),
        role_name: role.name,
        permissions,
        via: Via::Session {
            session_id: Uuid::nil(),
            csrf_token: String::new(),
        },
        csrf_ok: true,
        data_version: 0,
        ip: "127.0.0.1".into(),
    })
}

/// One step of an onboarding's story, `days_ago` before now.
enum Step {
    /// The client submits the intake form (which completes the first stage).
    Submit,
    /// A platform of the current stage is checked.
    Verify(&'static str, PlatformState),
    /// The current stage is completed (the next one becomes current).
    Complete,
    /// The current stage is blocked, with the reason.
    Block(&'static str),
}

/// Start the demo onboardings: `candidates` are clients in the pipeline's first stage (three are used),
/// plus one new client created by starting its onboarding.
pub async fn seed(state: &AppState, me: &Identity, candidates: &[&ClientSeed]) -> anyhow::Result<usize> {
    let stories: [(u32, &[(i64, Step)]); 3] = [
        // Submitted a week ago; Meta access checked, Google Analytics still pending.
        (
            9,
            &[
                (7, Step::Submit),
                (5, Step::Verify("FB", PlatformState::Verified)),
                (2, Step::Verify("SH", PlatformState::Verified)),
            ],
        ),
        // Through access, stuck at the pixel install.
        (
            18,
            &[
                (16, Step::Submit),
                (13, Step::Verify("FB", PlatformState::Verified)),
                (12, Step::Verify("GA", PlatformState::Verified)),
                (12, Step::Verify("SH", PlatformState::Verified)),
                (11, Step::Complete),
                (
                    3,
                    Step::Block("Waiting on the client's Shopify developer for checkout access"),
                ),
            ],
        ),
        // Nearly there: the audit is being written.
        (
            26,
            &[
                (24, Step::Submit),
                (21, Step::Verify("FB", PlatformState::Verified)),
                (21, Step::Verify("GA", PlatformState::Verified)),
                (20, Step::Verify("SH", PlatformState::Verified)),
                (20, Step::Complete),
                (8, Step::Complete),
            ],
        ),
    ];
    let mut started = 0;
    for (client, (age, steps)) in candidates.iter().zip(stories) {
        state.clock.set_offset(-i64::from(age) * 86_400);
        let req = StartOnboardingRequest {
            client_id: Some(client.id),
            client: None,
            journey_id: None,
            send_email: false,
        };
        let out = instances::start(state, me, req).await.map_err(api_error)?;
        let token = token_of(&out.link.intake_url)?;
        let mut instance = out.instance;
        for (days_ago, step) in steps {
            state.clock.set_offset(-days_ago * 86_400 + 3600 * 10);
            instance = match step {
                Step::Submit => {
                    let values = intake_values(state, me.agency_id, &instance, client).await?;
                    public_intake::submit(state, &token, values, "127.0.0.1".into())
                        .await
                        .map_err(api_error)?;
                    instances::detail(state, me, instance.id)
                        .await
                        .map_err(api_error)?
                        .instance
                }
                Step::Verify(platform, verified) => {
                    let req = PlatformVerificationRequest {
                        stage_id: instance.current_stage_id,
                        platform: (*platform).into(),
                        state: *verified,
                    };
                    instances::verify_platform(state, me, instance.id, req)
                        .await
                        .map_err(api_error)?
                }
                Step::Complete | Step::Block(_) => {
                    let (action, reason) = match step {
                        Step::Block(r) => (StageAction::Block, Some((*r).to_owned())),
                        _ => (StageAction::Complete, None),
                    };
                    let req = StageTransitionRequest {
                        from_stage_id: instance.current_stage_id,
                        action,
                        stage_id: None,
                        reason,
                    };
                    instances::transition_stage(state, me, instance.id, req)
                        .await
                        .map_err(api_error)?
                }
            };
        }
        started += 1;
    }
    // A new client, onboarded from scratch yesterday: the welcome email with the intake link went out.
    state.clock.set_offset(-20 * 3600);
    let req = StartOnboardingRequest {
        client_id: None,
        client: Some(NewOnboardingClient {
            name: "Pinecrest Pilates".into(),
            contact_name: Some("Grace Holloway".into()),
            contact_email: "grace@pinecrestpilates.example".into(),
            website: Some("https://pinecrestpilates.example".into()),
        }),
        journey_id: None,
        send_email: true,
    };
    instances::start(state, me, req).await.map_err(api_error)?;
    state.clock.set_offset(0);
    Ok(started + 1)
}

/// The token at the end of `{public_url}/intake/{token}`.
fn token_of(url: &str) -> anyhow::Result<String> {
    url.rsplit_once("/intake/")
        .map(|(_, t)| t.to_owned())
        .filter(|t| !t.is_empty())
        .context("the intake link has no token")
}

/// What the client typed into the default intake form (fields the seed does not know stay empty).
async fn intake_values(
    state: &AppState,
    agency_id: Uuid,
    instance: &OnboardingInstance,
    client: &ClientSeed,
) -> anyhow::Result<IntakeValuesRequest> {
    let fields = state.store.form_fields(agency_id, instance.journey_id).await?;
    let launch = (state.now() + Duration::days(21)).date_naive().to_string();
    let values = fields
        .into_iter()
        .filter_map(|f| {
            let value = match f.label.as_str() {
                "Business name" => client.name.clone(),
                "Contact email" => client.contact_email.clone()?,
                "Website" => client.website.clone()?,
                "Store platform" => "Shopify".into(),
                "Monthly ad budget (USD)" => "8000".into(),
                "Meta Pixel ID" => "482915736104825".into(),
                "Google Tag Manager ID" => "GTM-5K7QZ2M".into(),
                "Preferred launch date" => launch.clone(),
                "Goals for the first 90 days" => {
                    "Grow online sales 25% at a blended ROAS above 3, and build a retargeting audience before the next sale.".into()
                }
                _ => return None,
            };
            Some(IntakeValue {
                field_id: f.id,
                value,
            })
        })
        .collect();
    Ok(IntakeValuesRequest { values })
}

fn api_error(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}
