//! The route table. Every `/api` operation is declared once, in `operations()`: its path and method come
//! from the handler's `#[utoipa::path]`, and that one entry both mounts the handler and documents it (with
//! the security requirement of its access class, see `crate::route_table`). Each path is one resource, so a
//! wrong method is `405 method_not_allowed` and an unknown `/api` path is `404 not_found`, both problem+json.
//! The docs UI, the test hooks (undocumented on purpose) and the SPA fallback are mounted in `configure`.

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};

use crate::auth::identity::resolve_identity;
use crate::error::ApiError;
use crate::rate_limit::{RateLimit, RouteClass};
use crate::route_table::{mount, op, Operation};

pub mod ad_performance;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod client_csv;
pub mod clients;
pub mod communications;
pub mod dashboard;
pub mod events;
pub mod files;
pub mod health;
pub mod intake_fields;
pub mod integration_resources;
pub mod integrations;
pub mod labels;
pub mod notes;
pub mod onboarding_instances;
pub mod onboarding_journeys;
pub mod onboarding_settings;
pub mod pipeline;
pub mod public_intake;
pub mod replies;
pub mod seo;
pub mod spa;
pub mod tasks;
pub mod team;
pub mod test_hooks;
pub mod threads;

pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

pub async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}

/// Every documented operation, in matching order: a specific path comes before a templated one that
/// would also match it (`/clients/export.csv` before `/clients/{id}`).
pub fn operations() -> Vec<Operation> {
    use onboarding_instances as inst;
    use onboarding_journeys as journeys;
    vec![
        op!(Public, health::health),
        op!(Public, health::live),
        op!(Public, auth::signup).limited(RouteClass::AuthIp),
        op!(Public, auth::login).limited(RouteClass::AuthIp),
        op!(Session, auth::logout),
        op!(Caller, auth::me),
        op!(Public, auth::forgot_password).limited(RouteClass::AuthIp),
        op!(Public, auth::reset_password).limited(RouteClass::AuthIp),
        op!(Session, auth::change_password),
        op!(Caller, api_keys::list_api_keys),
        op!(Session, api_keys::create_api_key),
        op!(Caller, api_keys::revoke_api_key),
        op!(Caller, alerts::list_alerts),
        op!(Caller, alerts::get_alert),
        op!(Caller, alerts::snooze_alert),
        op!(Caller, alerts::escalate_alert),
        op!(Caller, alerts::dismiss_alert),
        op!(Caller, alerts::resolve_alert),
        op!(Caller, dashboard::kpis),
        op!(Caller, dashboard::trends),
        op!(Caller, dashboard::firehose),
        op!(Caller, team::list_team_members),
        op!(Caller, pipeline::list_stages),
        op!(Caller, pipeline::create_stage),
        op!(Caller, pipeline::update_stage),
        op!(Caller, pipeline::delete_stage),
        op!(Caller, pipeline::get_thresholds),
        op!(Caller, pipeline::set_thresholds),
        op!(Caller, labels::list_labels),
        op!(Caller, labels::create_label),
        op!(Caller, labels::update_label),
        op!(Caller, labels::delete_label),
        op!(Caller, clients::list_clients),
        op!(Caller, clients::create_client),
        op!(Caller, client_csv::export_clients),
        op!(Caller, client_csv::import_clients),
        op!(Caller, client_csv::start_import),
        op!(Caller, client_csv::get_import),
        op!(Caller, clients::get_client),
        op!(Caller, clients::update_client),
        op!(Caller, clients::delete_client),
        op!(Caller, clients::archive_client),
        op!(Caller, clients::restore_client),
        op!(Caller, clients::move_stage),
        op!(Caller, clients::list_stage_events),
        op!(Caller, clients::set_owner),
        op!(Caller, clients::set_collaborators),
        op!(Caller, clients::attach_label),
        op!(Caller, clients::detach_label),
        op!(Caller, notes::list_notes),
        op!(Caller, notes::create_note),
        op!(Caller, notes::update_note),
        op!(Caller, notes::delete_note),
        op!(Caller, tasks::list_agency_tasks),
        op!(Caller, tasks::list_tasks),
        op!(Caller, tasks::create_task),
        op!(Caller, tasks::update_task),
        op!(Caller, tasks::delete_task),
        op!(Caller, tasks::complete_task),
        op!(Caller, tasks::reopen_task),
        op!(Caller, files::list_files),
        op!(Caller, files::upload_file),
        op!(Caller, files::download_file),
        op!(Caller, files::delete_file),
        op!(Caller, seo::get_client_seo),
        op!(Caller, seo::enrich_seo),
        op!(Caller, seo::seo_usage),
        op!(Caller, ad_performance::client_ad_performance),
        op!(Caller, ad_performance::agency_ad_performance),
        op!(Caller, threads::list_threads),
        op!(Caller, threads::thread_counts),
        op!(Caller, threads::get_thread),
        op!(Caller, threads::update_thread),
        op!(Caller, threads::add_thread_note),
        op!(Caller, replies::reply),
        op!(Caller, replies::retry_reply),
        op!(Caller, replies::get_reply),
        op!(Caller, communications::list_client_communications),
        op!(Caller, integration_resources::list_resources),
        op!(Caller, integration_resources::set_link),
        op!(Caller, events::stream_events),
        op!(Caller, audit::list_audit_log),
        op!(Caller, journeys::list_journeys),
        op!(Caller, journeys::create_journey),
        op!(Caller, journeys::get_journey),
        op!(Caller, journeys::update_journey),
        op!(Caller, journeys::set_journey_stages),
        op!(Caller, journeys::archive_journey),
        op!(Caller, intake_fields::list_fields),
        op!(Caller, intake_fields::create_field),
        op!(Caller, intake_fields::reorder_fields),
        op!(Caller, intake_fields::update_field),
        op!(Caller, intake_fields::archive_field),
        op!(Caller, onboarding_settings::get_onboarding_settings),
        op!(Caller, onboarding_settings::set_onboarding_settings),
        op!(Caller, inst::list_instances),
        op!(Caller, inst::start_onboarding),
        op!(Caller, inst::get_instance),
        op!(Caller, inst::transition_stage),
        op!(Caller, inst::verify_platform),
        op!(Caller, inst::get_link),
        op!(Caller, inst::revoke_link),
        op!(Caller, inst::regenerate_link),
        op!(Caller, inst::resend_email),
        op!(Caller, integrations::list_integrations),
        op!(Session, integrations::connect),
        op!(Session, integrations::oauth_callback),
        op!(Caller, integrations::set_oauth_app),
        op!(Caller, integrations::remove_oauth_app),
        op!(Caller, integrations::disconnect),
        op!(Caller, integrations::test_integration),
        op!(Caller, integrations::sync_integration),
        op!(Public, public_intake::get_intake),
        op!(Public, public_intake::save_draft),
        op!(Public, public_intake::submit_intake),
    ]
}

/// Mount everything: `/api` (health, `/v1` behind identity and the per-caller limit, `/public` behind the
/// per-IP limit), the docs UI, and the SPA for every other GET.
pub fn configure(cfg: &mut web::ServiceConfig, test_hooks: bool) {
    let ops = operations();
    let mut api = web::scope("/api");
    if test_hooks {
        api = api
            .service(
                web::resource("/test/clock")
                    .route(web::post().to(test_hooks::set_clock))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/test/run-alert-rules")
                    .route(web::post().to(test_hooks::run_alert_rules))
                    .default_service(web::to(method_not_allowed)),
            );
    }
    cfg.service(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
            .external_url_unchecked("/api/openapi.json", crate::openapi::document_value()),
    )
    .service(
        api.configure(|cfg| mount(cfg, "/api", &ops))
            .service(
                web::scope("/v1")
                    .wrap(RateLimit::per_caller(RouteClass::Api))
                    .wrap(from_fn(resolve_identity))
                    .configure(|cfg| mount(cfg, "/api/v1", &ops))
                    .default_service(web::to(not_found)),
            )
            .service(
                web::scope("/public")
                    .wrap(RateLimit::per_ip(RouteClass::Public))
                    .configure(|cfg| mount(cfg, "/api/public", &ops))
                    .default_service(web::to(not_found)),
            )
            .default_service(web::to(not_found)),
    )
    .default_service(web::to(spa::serve));
}
