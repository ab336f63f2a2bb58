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

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod clients;
pub mod files;
pub mod health;
pub mod notes;
pub mod spa;
pub mod tasks;

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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()))
        .service(
            web::scope("/api")
                .service(resource("/health").route(web::get().to(health::health)))
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
                        .service(resource("/clients").route(web::post().to(clients::create_client)))
                        .service(resource("/clients/{id}").route(web::get().to(clients::get_client)))
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
                        .service(resource("/audit-log").route(web::get().to(audit::list_audit_log)))
                        .default_service(web::to(not_found)),
                )
                .default_service(web::to(not_found)),
        )
        .default_service(web::to(spa::serve));
}
