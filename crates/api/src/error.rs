//! `ApiError`: every failure of a request becomes an RFC 9457 `application/problem+json` response built
//! from `audienceos_shared::Problem`. Codes are listed once, with their status and title, in `error/codes.rs`. 5xx bodies carry no
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

pub mod codes;
pub use codes::Code;

/// Base of the `type` URIs of problems.
pub const PROBLEM_BASE: &str = "https://docs.audienceos.dev/problems/";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request is invalid")]
    Validation(Vec<FieldError>),
    /// A refusal with a code of the table (which gives its status and title) and a detail for people.
    #[error("{}: {detail}", code.as_str())]
    Refused { code: Code, detail: String },
    #[error("authentication required")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("wrong current password")]
    WrongCurrentPassword,
    #[error("CSRF check failed")]
    CsrfFailed,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("rate limited")]
    RateLimited { retry_after: u64, decision: Decision },
    #[error("upstream provider failed")]
    Upstream(#[source] anyhow::Error),
    /// The provider a route needs has no credentials on this server.
    #[error("provider {provider} is not configured")]
    ProviderNotConfigured { provider: &'static str },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// The database is unreachable or has no connection to give: `503` with `Retry-After`.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] anyhow::Error),
}

impl ApiError {
    /// A refusal with `code` (status and title from the table) and a detail saying what to do.
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self::Refused {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Code::Forbidden, detail)
    }

    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }

    /// The problem's code; its status and title come from the table.
    pub fn code(&self) -> Code {
        use ApiError::*;
        match self {
            Validation(_) => Code::ValidationFailed,
            Refused { code, .. } => *code,
            Unauthorized => Code::Unauthorized,
            InvalidCredentials | WrongCurrentPassword => Code::InvalidCredentials,
            CsrfFailed => Code::CsrfFailed,
            NotFound => Code::NotFound,
            MethodNotAllowed => Code::MethodNotAllowed,
            PayloadTooLarge => Code::PayloadTooLarge,
            UnsupportedMediaType => Code::UnsupportedMediaType,
            RateLimited { .. } => Code::RateLimited,
            Upstream(_) => Code::UpstreamFailed,
            ProviderNotConfigured { .. } => Code::ProviderNotConfigured,
            // Also an `Internal` built directly from an error whose cause is an unreachable database.
            Internal(e) if crate::store::chain_is_unavailable(e) => Code::DatabaseUnavailable,
            Internal(_) => Code::Internal,
            DatabaseUnavailable(_) => Code::DatabaseUnavailable,
        }
    }

    fn detail(&self) -> Option<String> {
        use ApiError::*;
        Some(match self {
            Validation(errs) => match errs.len() {
                1 => format!("{}: {}", errs[0].field, errs[0].message),
                n => format!("{n} fields are invalid"),
            },
            Refused { detail, .. } => detail.clone(),
            Unauthorized => "Sign in, or send a valid API key.".into(),
            InvalidCredentials => "Email or password is incorrect.".into(),
            WrongCurrentPassword => "The current password is incorrect.".into(),
            CsrfFailed => "Send the X-CSRF-Token header with the value of the aos_csrf cookie.".into(),
            NotFound | MethodNotAllowed => return None,
            PayloadTooLarge => "The request body is larger than this endpoint accepts.".into(),
            UnsupportedMediaType => "Send the body as application/json.".into(),
            RateLimited { retry_after, .. } => format!("Try again in {retry_after} s."),
            Upstream(_) => "An external service did not answer as expected; try again later.".into(),
            ProviderNotConfigured { provider } => format!(
                "The {provider} provider is not configured on this server; an administrator sets its credentials."
            ),
            Internal(e) if crate::store::chain_is_unavailable(e) => {
                format!("The database is not answering; try again in {DB_RETRY_AFTER_SECS} s.")
            }
            Internal(_) => "Something went wrong on our side; quote the request id when reporting it.".into(),
            DatabaseUnavailable(_) => format!("The database is not answering; try again in {DB_RETRY_AFTER_SECS} s."),
        })
    }

    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The problem body (without request id and instance, which the finaliser adds).
    pub fn problem(&self) -> Problem {
        let code = self.code();
        Problem {
            type_url: format!("{PROBLEM_BASE}{}", code.as_str()),
            title: code.title().into(),
            status: code.status(),
            detail: self.detail(),
            instance: None,
            code: code.as_str().into(),
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
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(e) | ApiError::Upstream(e) | ApiError::DatabaseUnavailable(e) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "request failed")
            }
            other => tracing::debug!(code = other.code().as_str(), "request refused"),
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
            other if other.code() == Code::DatabaseUnavailable => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(DB_RETRY_AFTER_SECS));
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

/// What a `503 database_unavailable` asks the client to wait.
const DB_RETRY_AFTER_SECS: u64 = 2;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { constraint } => on_constraint(&constraint),
            StoreError::Unavailable(e) => ApiError::DatabaseUnavailable(e),
            StoreError::Other(e) => ApiError::from(e),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    /// An unreachable database anywhere in the chain is still answered as `503` (see `code`).
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(e: validator::ValidationErrors) -> Self {
        ApiError::Validation(field_errors(&e))
    }
}

/// The conflict a named unique constraint stands for (`store::constraints` maps each name once).
pub fn on_constraint(constraint: &str) -> ApiError {
    let (code, detail) = crate::store::constraints::conflict(constraint);
    ApiError::new(code, detail)
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
        E::Deserialize(e) if e.is_data() => ApiError::new(
            Code::InvalidBody,
            format!("The JSON body does not match the expected shape: {e}"),
        ),
        E::Deserialize(_) => ApiError::new(Code::MalformedJson, "The request body is not valid JSON."),
        E::Payload(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge,
        _ => ApiError::new(Code::MalformedJson, "The request body could not be read."),
    };
    api.into()
}

/// `QueryConfig` error handler.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(Code::InvalidQuery, format!("The query string is invalid: {err}")).into()
}

/// `PathConfig` error handler.
pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(Code::InvalidId, "A path parameter is malformed (ids are UUIDs).").into()
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
