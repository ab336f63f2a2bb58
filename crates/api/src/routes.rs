//! The route table: `/api/health*`, the OpenAPI document and docs UI, `/api/v1/*`, and the SPA for every
//! other GET. Each path is one resource, so a wrong method is `405 method_not_allowed` and an unknown
//! `/api` path is `404 not_found`, both problem+json.

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use utoipa::OpenApi as _;

use crate::auth::identity::resolve_identity;
use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::rate_limit::{RateLimit, RouteClass};

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

/// A resource answering 405 to any method it does not route.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

pub fn configure(cfg: &mut web::ServiceConfig, test_hooks: bool) {
    let mut api = web::scope("/api");
    if test_hooks {
        api = api
            .service(resource("/test/clock").route(web::post().to(test_hooks::set_clock)))
            .service(resource("/test/run-alert-rules").route(web::post().to(test_hooks::run_alert_rules)));
    }
    cfg.service(utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()))
        .service(
            api.service(resource("/health").route(web::get().to(health::health)))
                .service(resource("/health/live").route(web::get().to(health::live)))
                .service(
                    web::scope("/v1")
                        .wrap(RateLimit::per_caller(RouteClass::Api))
                        .wrap(from_fn(resolve_identity))
                        .service(
                            resource("/auth/signup")
                                .wrap(RateLimit::per_ip(RouteClass::AuthIp))
                                .route(web::post().to(auth::signup)),
                        )
                        .service(
                            resource("/auth/login")
                                .wrap(RateLimit::per_ip(RouteClass::AuthIp))
                                .route(web::post().to(auth::login)),
                        )
                        .service(resource("/auth/logout").route(web::post().to(auth::logout)))
                        .service(resource("/auth/me").route(web::get().to(auth::me)))
                        .service(
                            resource("/auth/password/forgot")
                                .wrap(RateLimit::per_ip(RouteClass::AuthIp))
                                .route(web::post().to(auth::forgot_password)),
                        )
                        .service(
                            resource("/auth/password/reset")
                                .wrap(RateLimit::per_ip(RouteClass::AuthIp))
                                .route(web::post().to(auth::reset_password)),
                        )
                        .service(resource("/auth/password/change").route(web::post().to(auth::change_password)))
                        .service(
                            resource("/api-keys")
                                .route(web::get().to(api_keys::list_api_keys))
                                .route(web::post().to(api_keys::create_api_key)),
                        )
                        .service(resource("/api-keys/{id}").route(web::delete().to(api_keys::revoke_api_key)))
                        .service(resource("/alerts").route(web::get().to(alerts::list_alerts)))
                        .service(resource("/alerts/{id}").route(web::get().to(alerts::get_alert)))
                        .service(resource("/alerts/{id}/snooze").route(web::post().to(alerts::snooze_alert)))
                        .service(resource("/alerts/{id}/escalate").route(web::post().to(alerts::escalate_alert)))
                        .service(resource("/alerts/{id}/dismiss").route(web::post().to(alerts::dismiss_alert)))
                        .service(resource("/alerts/{id}/resolve").route(web::post().to(alerts::resolve_alert)))
                        .service(resource("/dashboard/kpis").route(web::get().to(dashboard::kpis)))
                        .service(resource("/dashboard/trends").route(web::get().to(dashboard::trends)))
                        .service(resource("/dashboard/firehose").route(web::get().to(dashboard::firehose)))
                        .service(resource("/team/members").route(web::get().to(team::list_team_members)))
                        .service(
                            resource("/pipeline/stages")
                                .route(web::get().to(pipeline::list_stages))
                                .route(web::post().to(pipeline::create_stage)),
                        )
                        .service(
                            resource("/pipeline/stages/{id}")
                                .route(web::patch().to(pipeline::update_stage))
                                .route(web::delete().to(pipeline::delete_stage)),
                        )
                        .service(
                            resource("/pipeline/thresholds")
                                .route(web::get().to(pipeline::get_thresholds))
                                .route(web::put().to(pipeline::set_thresholds)),
                        )
                        .service(
                            resource("/labels")
                                .route(web::get().to(labels::list_labels))
                                .route(web::post().to(labels::create_label)),
                        )
                        .service(
                            resource("/labels/{id}")
                                .route(web::patch().to(labels::update_label))
                                .route(web::delete().to(labels::delete_label)),
                        )
                        .service(
                            resource("/clients")
                                .route(web::get().to(clients::list_clients))
                                .route(web::post().to(clients::create_client)),
                        )
                        // before /clients/{id}
                        .service(resource("/clients/export.csv").route(web::get().to(client_csv::export_clients)))
                        .service(resource("/clients/import").route(web::post().to(client_csv::import_clients)))
                        .service(
                            resource("/clients/{id}")
                                .route(web::get().to(clients::get_client))
                                .route(web::patch().to(clients::update_client))
                                .route(web::delete().to(clients::delete_client)),
                        )
                        .service(resource("/clients/{id}/archive").route(web::post().to(clients::archive_client)))
                        .service(resource("/clients/{id}/restore").route(web::post().to(clients::restore_client)))
                        .service(resource("/clients/{id}/stage").route(web::post().to(clients::move_stage)))
                        .service(
                            resource("/clients/{id}/stage-events").route(web::get().to(clients::list_stage_events)),
                        )
                        .service(resource("/clients/{id}/owner").route(web::put().to(clients::set_owner)))
                        .service(
                            resource("/clients/{id}/collaborators").route(web::put().to(clients::set_collaborators)),
                        )
                        .service(
                            resource("/clients/{id}/labels/{label_id}")
                                .route(web::put().to(clients::attach_label))
                                .route(web::delete().to(clients::detach_label)),
                        )
                        .service(
                            resource("/clients/{id}/notes")
                                .route(web::get().to(notes::list_notes))
                                .route(web::post().to(notes::create_note)),
                        )
                        .service(
                            resource("/clients/{id}/notes/{note_id}")
                                .route(web::patch().to(notes::update_note))
                                .route(web::delete().to(notes::delete_note)),
                        )
                        .service(
                            resource("/clients/{id}/tasks")
                                .route(web::get().to(tasks::list_tasks))
                                .route(web::post().to(tasks::create_task)),
                        )
                        .service(
                            resource("/clients/{id}/tasks/{task_id}")
                                .route(web::patch().to(tasks::update_task))
                                .route(web::delete().to(tasks::delete_task)),
                        )
                        .service(
                            resource("/clients/{id}/tasks/{task_id}/complete")
                                .route(web::post().to(tasks::complete_task)),
                        )
                        .service(
                            resource("/clients/{id}/tasks/{task_id}/reopen").route(web::post().to(tasks::reopen_task)),
                        )
                        .service(
                            resource("/clients/{id}/files")
                                .route(web::get().to(files::list_files))
                                .route(web::post().to(files::upload_file)),
                        )
                        .service(
                            resource("/clients/{id}/files/{file_id}")
                                .route(web::get().to(files::download_file))
                                .route(web::delete().to(files::delete_file)),
                        )
                        .service(resource("/clients/{id}/seo").route(web::get().to(seo::get_client_seo)))
                        .service(resource("/seo/enrich").route(web::post().to(seo::enrich_seo)))
                        .service(resource("/seo/usage").route(web::get().to(seo::seo_usage)))
                        .service(
                            resource("/clients/{id}/ad-performance")
                                .route(web::get().to(ad_performance::client_ad_performance)),
                        )
                        .service(
                            resource("/ad-performance").route(web::get().to(ad_performance::agency_ad_performance)),
                        )
                        .service(resource("/communications/threads").route(web::get().to(threads::list_threads)))
                        .service(resource("/communications/counts").route(web::get().to(threads::thread_counts)))
                        .service(
                            resource("/communications/threads/{key}")
                                .route(web::get().to(threads::get_thread))
                                .route(web::patch().to(threads::update_thread)),
                        )
                        .service(
                            resource("/communications/threads/{key}/notes")
                                .route(web::post().to(threads::add_thread_note)),
                        )
                        .service(resource("/communications/{id}/reply").route(web::post().to(replies::reply)))
                        .service(
                            resource("/communications/replies/{id}/retry").route(web::post().to(replies::retry_reply)),
                        )
                        .service(resource("/communications/replies/{id}").route(web::get().to(replies::get_reply)))
                        .service(
                            resource("/clients/{id}/communications")
                                .route(web::get().to(communications::list_client_communications)),
                        )
                        .service(
                            resource("/integrations/{id}/resources")
                                .route(web::get().to(integration_resources::list_resources)),
                        )
                        .service(
                            resource("/integrations/{id}/links/{external_id}")
                                .route(web::put().to(integration_resources::set_link)),
                        )
                        .service(resource("/events").route(web::get().to(events::stream_events)))
                        .service(resource("/audit-log").route(web::get().to(audit::list_audit_log)))
                        .configure(onboarding_routes)
                        .configure(integration_routes)
                        .default_service(web::to(not_found)),
                )
                .service(
                    web::scope("/public")
                        .wrap(RateLimit::per_ip(RouteClass::Public))
                        .service(resource("/onboarding/{token}").route(web::get().to(public_intake::get_intake)))
                        .service(resource("/onboarding/{token}/draft").route(web::post().to(public_intake::save_draft)))
                        .service(
                            resource("/onboarding/{token}/submit").route(web::post().to(public_intake::submit_intake)),
                        )
                        .default_service(web::to(not_found)),
                )
                .default_service(web::to(not_found)),
        )
        .default_service(web::to(spa::serve));
}

/// `/api/v1/integrations/*` and the OAuth callback (specific paths before `{id}`).
fn integration_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/integrations").route(web::get().to(integrations::list_integrations)))
        .service(resource("/integrations/connect").route(web::post().to(integrations::connect)))
        .service(resource("/oauth/callback").route(web::get().to(integrations::oauth_callback)))
        .service(resource("/integrations/{id}").route(web::delete().to(integrations::disconnect)))
        .service(resource("/integrations/{id}/test").route(web::post().to(integrations::test_integration)))
        .service(resource("/integrations/{id}/sync").route(web::post().to(integrations::sync_integration)));
}

/// `/api/v1/onboarding/*`: journeys, the form builder, settings and instances (specific paths before `{id}`).
fn onboarding_routes(cfg: &mut web::ServiceConfig) {
    use onboarding_instances as inst;
    use onboarding_journeys as j;
    cfg.service(
        resource("/onboarding/journeys")
            .route(web::get().to(j::list_journeys))
            .route(web::post().to(j::create_journey)),
    )
    .service(
        resource("/onboarding/journeys/{id}")
            .route(web::get().to(j::get_journey))
            .route(web::patch().to(j::update_journey)),
    )
    .service(resource("/onboarding/journeys/{id}/stages").route(web::put().to(j::set_journey_stages)))
    .service(resource("/onboarding/journeys/{id}/archive").route(web::post().to(j::archive_journey)))
    .service(
        resource("/onboarding/fields")
            .route(web::get().to(intake_fields::list_fields))
            .route(web::post().to(intake_fields::create_field)),
    )
    .service(resource("/onboarding/fields/order").route(web::put().to(intake_fields::reorder_fields)))
    .service(resource("/onboarding/fields/{id}").route(web::patch().to(intake_fields::update_field)))
    .service(resource("/onboarding/fields/{id}/archive").route(web::post().to(intake_fields::archive_field)))
    .service(
        resource("/onboarding/settings")
            .route(web::get().to(onboarding_settings::get_onboarding_settings))
            .route(web::put().to(onboarding_settings::set_onboarding_settings)),
    )
    .service(
        resource("/onboarding/instances")
            .route(web::get().to(inst::list_instances))
            .route(web::post().to(inst::start_onboarding)),
    )
    .service(resource("/onboarding/instances/{id}").route(web::get().to(inst::get_instance)))
    .service(resource("/onboarding/instances/{id}/stage").route(web::patch().to(inst::transition_stage)))
    .service(resource("/onboarding/instances/{id}/platforms").route(web::put().to(inst::verify_platform)))
    .service(resource("/onboarding/instances/{id}/link/revoke").route(web::post().to(inst::revoke_link)))
    .service(resource("/onboarding/instances/{id}/link/regenerate").route(web::post().to(inst::regenerate_link)))
    .service(resource("/onboarding/instances/{id}/resend-email").route(web::post().to(inst::resend_email)));
}
