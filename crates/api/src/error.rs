//! `ApiError`: every failure of a request becomes an RFC 9457 `application/problem+json` response built
//! from `audienceos_shared::Problem`. Codes are listed once, in `ApiError::parts`. 5xx bodies carry no
//! internals; their cause chain is logged once, at the boundary, inside the request span (with its id).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, ResponseError};
use audienceos_shared::problem::{field_errors, FieldError, PROBLEM_CONTENT_TYPE};
use audienceos_shared::Problem;

use crate::rate_limit::{apply_headers, Decision};
use crate::store::StoreError;

/// Base of the `type` URIs of problems.
pub const PROBLEM_BASE: &str = "https://docs.audienceos.dev/problems/";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request is invalid")]
    Validation(Vec<FieldError>),
    #[error("bad request: {detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("authentication required")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("wrong current password")]
    WrongCurrentPassword,
    #[error("CSRF check failed")]
    CsrfFailed,
    #[error("forbidden: {detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// An upload whose sniffed content is a type we refuse to store (executables, scripts, ...).
    #[error("unsupported file type: {detail}")]
    UnsupportedFileType { detail: String },
    #[error("rate limited")]
    RateLimited { retry_after: u64, decision: Decision },
    #[error("upstream provider failed")]
    Upstream(#[source] anyhow::Error),
    /// The provider a route needs has no credentials on this server.
    #[error("provider {provider} is not configured")]
    ProviderNotConfigured { provider: &'static str },
    /// Any other status with its own stable code and a detail for people (OAuth callback refusals,
    /// provider refusals that carry a useful reason).
    #[error("{code}: {detail}")]
    Coded {
        status: u16,
        code: &'static str,
        detail: String,
    },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden {
            code: "forbidden",
            detail: detail.into(),
        }
    }

    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }

    /// (status, code, title, detail): the one table of codes.
    fn parts(&self) -> (StatusCode, &'static str, &'static str, Option<String>) {
        use ApiError::*;
        match self {
            Validation(errs) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Request is invalid",
                Some(match errs.len() {
                    1 => format!("{}: {}", errs[0].field, errs[0].message),
                    n => format!("{n} fields are invalid"),
                }),
            ),
            BadRequest { code, detail } => (StatusCode::BAD_REQUEST, code, "Bad request", Some(detail.clone())),
            Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
                Some("Sign in, or send a valid API key.".into()),
            ),
            InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
                Some("Email or password is incorrect.".into()),
            ),
            WrongCurrentPassword => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
                Some("The current password is incorrect.".into()),
            ),
            CsrfFailed => (
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "CSRF check failed",
                Some("Send the X-CSRF-Token header with the value of the aos_csrf cookie.".into()),
            ),
            Forbidden { code, detail } => (StatusCode::FORBIDDEN, code, "Forbidden", Some(detail.clone())),
            NotFound => (StatusCode::NOT_FOUND, "not_found", "Not found", None),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                None,
            ),
            Conflict { code, detail } => (StatusCode::CONFLICT, code, "Conflict", Some(detail.clone())),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
                Some("The request body is larger than this endpoint accepts.".into()),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                Some("Send the body as application/json.".into()),
            ),
            UnsupportedFileType { detail } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_file_type",
                "Unsupported file type",
                Some(detail.clone()),
            ),
            RateLimited { retry_after, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests",
                Some(format!("Try again in {retry_after} s.")),
            ),
            Upstream(_) => (
                StatusCode::BAD_GATEWAY,
                "upstream_failed",
                "A provider failed",
                Some("An external service did not answer as expected; try again later.".into()),
            ),
            ProviderNotConfigured { provider } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "provider_not_configured",
                "Provider not configured",
                Some(format!(
                    "The {provider} provider is not configured on this server; an administrator sets its credentials."
                )),
            ),
            Coded { status, code, detail } => {
                let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST);
                (
                    status,
                    code,
                    status.canonical_reason().unwrap_or("Error"),
                    Some(detail.clone()),
                )
            }
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
                Some("Something went wrong on our side; quote the request id when reporting it.".into()),
            ),
        }
    }

    /// The problem body (without request id and instance, which the finaliser adds).
    pub fn problem(&self) -> Problem {
        let (status, code, title, detail) = self.parts();
        Problem {
            type_url: format!("{PROBLEM_BASE}{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            instance: None,
            code: code.into(),
            request_id: None,
            errors: match self {
                ApiError::Validation(errs) => errs.clone(),
                ApiError::WrongCurrentPassword => vec![FieldError {
                    field: "current_password".into(),
                    code: "invalid_credentials".into(),
                    message: "is incorrect".into(),
                }],
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(e) | ApiError::Upstream(e) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "request failed")
            }
            other => tracing::debug!(code = other.parts().1, "request refused"),
        }
        let problem = self.problem();
        let mut res = problem_response(&problem);
        match self {
            ApiError::Unauthorized | ApiError::InvalidCredentials => {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"audienceos\""),
                );
            }
            ApiError::RateLimited { retry_after, decision } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                apply_headers(res.headers_mut(), decision);
            }
            _ => {}
        }
        res
    }
}

/// A problem+json response that the finaliser completes with the request id and path.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut res = HttpResponse::build(status)
        .content_type(PROBLEM_CONTENT_TYPE)
        .body(body);
    res.extensions_mut().insert(problem.clone());
    res
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { constraint } => on_constraint(&constraint),
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(e: validator::ValidationErrors) -> Self {
        ApiError::Validation(field_errors(&e))
    }
}

/// Map a named unique constraint to its conflict code.
pub fn on_constraint(constraint: &str) -> ApiError {
    let (code, detail) = match constraint {
        "app_user_email_key" => ("email_taken", "An account with this email already exists."),
        "agency_slug_key" => ("slug_taken", "An agency with this slug already exists."),
        "role_agency_name_key" => ("role_name_taken", "A role with this name already exists."),
        "client_contact_email_key" => (
            "contact_email_taken",
            "Another client of the agency already has this contact email.",
        ),
        "label_agency_name_key" => ("label_name_taken", "A label with this name already exists."),
        "pipeline_stage_agency_name_key" => ("stage_name_taken", "A stage with this name already exists."),
        "onboarding_instance_active_client_key" => (
            "onboarding_in_progress",
            "The client already has an onboarding in progress; finish or reopen that one.",
        ),
        "onboarding_journey_default_key" => (
            "default_journey_changed",
            "Another journey became the default meanwhile; try again.",
        ),
        _ => ("conflict", "The request conflicts with existing data."),
    };
    ApiError::Conflict {
        code,
        detail: detail.into(),
    }
}

/// Validate a request DTO with its shared rules.
pub fn validate<T: validator::Validate>(dto: &T) -> Result<(), ApiError> {
    dto.validate().map_err(ApiError::from)
}

/// Validate a DTO whose struct-level rule is about one field: report that rule's errors (validator's
/// `__all__`) on `field`.
pub fn validate_reporting_on<T: validator::Validate>(dto: &T, field: &str) -> Result<(), ApiError> {
    validate(dto).map_err(|e| match e {
        ApiError::Validation(mut errs) => {
            for f in errs.iter_mut().filter(|f| f.field == "__all__") {
                f.field = field.into();
            }
            errs.sort_by(|a, b| a.field.cmp(&b.field));
            ApiError::Validation(errs)
        }
        other => other,
    })
}

/// `JsonConfig` error handler: every body problem is a problem+json.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::Overflow { .. } | E::OverflowKnownLength { .. } => ApiError::PayloadTooLarge,
        E::ContentType => ApiError::UnsupportedMediaType,
        E::Deserialize(e) if e.is_data() => ApiError::bad_request(
            "invalid_body",
            format!("The JSON body does not match the expected shape: {e}"),
        ),
        E::Deserialize(_) => ApiError::bad_request("malformed_json", "The request body is not valid JSON."),
        E::Payload(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge,
        _ => ApiError::bad_request("malformed_json", "The request body could not be read."),
    };
    api.into()
}

/// `QueryConfig` error handler.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("invalid_query", format!("The query string is invalid: {err}")).into()
}

/// `PathConfig` error handler.
pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("invalid_id", "A path parameter is malformed (ids are UUIDs).").into()
}

/// Middleware body: put the request id on every response, and the request id and path into problems.
pub async fn finalize_response(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let path = req.path().to_string();
    // Middlewares answer errors as responses (never `Err`), so every problem passes through here.
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(id) = &request_id {
        if let Ok(v) = HeaderValue::from_str(id) {
            res.headers_mut()
                .insert(header::HeaderName::from_static("x-request-id"), v);
        }
    }
    let problem = res.response().extensions().get::<Problem>().cloned();
    if let Some(mut problem) = problem {
        problem.request_id = request_id;
        problem.instance = Some(path);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        res = res.map_body(|_, _| BoxBody::new(body));
    }
    Ok(res)
}
