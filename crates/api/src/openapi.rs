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
        routes::clients::create_client,
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
