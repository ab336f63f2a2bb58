//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations and the shared DTOs.
//! `audienceos openapi` prints it; `openapi/openapi.json` is that output, committed, and a test fails on drift.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AudienceOS API",
        description = "The command center API of a marketing agency. JSON over HTTPS; errors are RFC 9457 \
                       `application/problem+json` with a stable `code`. Authenticate with the session cookie \
                       (plus `X-CSRF-Token` on unsafe methods) or an API key as `Authorization: Bearer aos_...`.",
        license(name = "Apache-2.0")
    ),
    paths(
        routes::health::health,
        routes::health::live,
        routes::auth::signup,
        routes::auth::login,
        routes::auth::logout,
        routes::auth::me,
        routes::auth::forgot_password,
        routes::auth::reset_password,
        routes::auth::change_password,
        routes::api_keys::list_api_keys,
        routes::api_keys::create_api_key,
        routes::api_keys::revoke_api_key,
        routes::audit::list_audit_log,
        routes::team::list_team_members,
        routes::pipeline::list_stages,
        routes::pipeline::create_stage,
        routes::pipeline::update_stage,
        routes::pipeline::delete_stage,
        routes::pipeline::get_thresholds,
        routes::pipeline::set_thresholds,
        routes::labels::list_labels,
        routes::labels::create_label,
        routes::labels::update_label,
        routes::labels::delete_label,
        routes::clients::list_clients,
        routes::clients::create_client,
        routes::client_csv::export_clients,
        routes::client_csv::import_clients,
        routes::clients::get_client,
        routes::notes::list_notes,
        routes::notes::create_note,
        routes::notes::update_note,
        routes::notes::delete_note,
        routes::tasks::list_tasks,
        routes::tasks::create_task,
        routes::tasks::update_task,
        routes::tasks::delete_task,
        routes::tasks::complete_task,
        routes::tasks::reopen_task,
        routes::files::list_files,
        routes::files::upload_file,
        routes::files::download_file,
        routes::files::delete_file,
        routes::clients::update_client,
        routes::clients::delete_client,
        routes::clients::archive_client,
        routes::clients::restore_client,
        routes::clients::move_stage,
        routes::clients::list_stage_events,
        routes::clients::set_owner,
        routes::clients::set_collaborators,
        routes::clients::attach_label,
        routes::clients::detach_label,
        routes::alerts::list_alerts,
        routes::alerts::get_alert,
        routes::alerts::snooze_alert,
        routes::alerts::escalate_alert,
        routes::alerts::dismiss_alert,
        routes::alerts::resolve_alert,
        routes::dashboard::kpis,
        routes::dashboard::trends,
        routes::dashboard::firehose,
        routes::onboarding_journeys::list_journeys,
        routes::onboarding_journeys::create_journey,
        routes::onboarding_journeys::get_journey,
        routes::onboarding_journeys::update_journey,
        routes::onboarding_journeys::set_journey_stages,
        routes::onboarding_journeys::archive_journey,
        routes::intake_fields::list_fields,
        routes::intake_fields::create_field,
        routes::intake_fields::reorder_fields,
        routes::intake_fields::update_field,
        routes::intake_fields::archive_field,
        routes::onboarding_settings::get_onboarding_settings,
        routes::onboarding_settings::set_onboarding_settings,
        routes::onboarding_instances::list_instances,
        routes::onboarding_instances::start_onboarding,
        routes::onboarding_instances::get_instance,
        routes::onboarding_instances::transition_stage,
        routes::onboarding_instances::verify_platform,
        routes::onboarding_instances::revoke_link,
        routes::onboarding_instances::regenerate_link,
        routes::onboarding_instances::resend_email,
        routes::public_intake::get_intake,
        routes::public_intake::save_draft,
        routes::public_intake::submit_intake,
        routes::seo::enrich_seo,
        routes::seo::get_client_seo,
        routes::seo::seo_usage,
        routes::ad_performance::client_ad_performance,
        routes::ad_performance::agency_ad_performance,
        routes::communications::list_client_communications,
        routes::threads::list_threads,
        routes::threads::thread_counts,
        routes::threads::get_thread,
        routes::threads::update_thread,
        routes::threads::add_thread_note,
        routes::replies::reply,
        routes::replies::retry_reply,
        routes::replies::get_reply,
        routes::events::stream_events,
        routes::integration_resources::list_resources,
        routes::integration_resources::set_link,
        routes::integrations::list_integrations,
        routes::integrations::connect,
        routes::integrations::oauth_callback,
        routes::integrations::test_integration,
        routes::integrations::sync_integration,
        routes::integrations::disconnect,
    ),
    components(schemas(audienceos_shared::Problem, audienceos_shared::FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Liveness and deep health"),
        (name = "auth", description = "Sign-up, sign-in, sessions and passwords"),
        (name = "api_keys", description = "API keys for third-party callers"),
        (name = "audit", description = "The audit log of security events"),
        (name = "clients", description = "Clients, their pipeline stage, owner, labels and health"),
        (name = "notes", description = "Notes on a client"),
        (name = "tasks", description = "Tasks on a client, ordered, with due dates and completion"),
        (name = "files", description = "Files attached to a client, stored in the configured object store"),
        (name = "pipeline", description = "The agency's pipeline stages and health thresholds"),
        (name = "labels", description = "The agency's client labels"),
        (name = "team", description = "The agency's team members, for pickers"),
        (name = "alerts", description = "Alerts raised by rules: snooze, escalate, dismiss, resolve"),
        (name = "dashboard", description = "KPIs with trends, daily series and the firehose of events"),
        (name = "onboarding", description = "Journeys, the intake form builder, onboardings and their stage transitions"),
        (name = "public", description = "The public intake form behind an emailed link (no login)"),
        (name = "seo", description = "SEO enrichment of a domain or client (DataForSEO) and the provider usage report"),
        (name = "ad_performance", description = "Daily ad performance synced from Google Ads and Meta Ads, per client and agency-wide"),
        (name = "communications", description = "Messages synced from Gmail and Slack: per client, and as threads of the inbox"),
        (name = "events", description = "Live updates as Server-Sent Events: new messages, thread and reply changes, resumable with Last-Event-ID"),
        (name = "integrations", description = "Gmail, Slack, Google Ads and Meta Ads: OAuth connect, health, test, sync and disconnect"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "aos_session",
                "Session cookie set by sign-in and sign-up (HttpOnly).",
            ))),
        );
        components.add_security_scheme(
            "csrf_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "Required with the session cookie on POST/PUT/PATCH/DELETE: the value of the aos_csrf cookie.",
            ))),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("aos_...")
                    .description(Some("An API key created in Settings > API keys. No CSRF token needed."))
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
