//! Every stable error code of the API, declared once with its HTTP status and title (the Meilisearch
//! `error codes` pattern). Clients branch on the code; adding one means adding a line here, and the
//! OpenAPI document lists them all. A leaf: no actix, no store.

macro_rules! error_codes {
    ($($variant:ident = $status:literal, $code:literal, $title:literal;)*) => {
        /// A stable, snake_case error code with its status and title.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as sent in `Problem.code`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The HTTP status every problem with this code has.
            pub fn status(self) -> u16 {
                match self { $(Code::$variant => $status,)* }
            }

            /// The problem's `title`: the same for every occurrence of the code.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

error_codes! {
    // 400: the request itself is malformed.
    MalformedJson = 400, "malformed_json", "Bad request";
    MalformedBody = 400, "malformed_body", "Bad request";
    InvalidBody = 400, "invalid_body", "Bad request";
    InvalidQuery = 400, "invalid_query", "Bad request";
    InvalidId = 400, "invalid_id", "Bad request";
    InvalidMultipart = 400, "invalid_multipart", "Bad request";
    InvalidToken = 400, "invalid_token", "Bad request";
    SessionRequired = 400, "session_required", "Bad request";
    IdempotencyKeyRequired = 400, "idempotency_key_required", "Bad request";
    IdempotencyKeyInvalid = 400, "idempotency_key_invalid", "Bad request";
    OauthStateInvalid = 400, "oauth_state_invalid", "Bad request";
    OauthStateForeign = 400, "oauth_state_foreign", "Bad request";
    OauthStateExpired = 400, "oauth_state_expired", "Bad request";
    OauthStateUsed = 400, "oauth_state_used", "Bad request";
    OauthDenied = 400, "oauth_denied", "Bad request";
    // 401, 403: who is asking, and may they.
    Unauthorized = 401, "unauthorized", "Authentication required";
    InvalidCredentials = 401, "invalid_credentials", "Invalid credentials";
    CsrfFailed = 403, "csrf_failed", "CSRF check failed";
    Forbidden = 403, "forbidden", "Forbidden";
    RoleTooHigh = 403, "role_too_high", "Forbidden";
    // 404, 405.
    NotFound = 404, "not_found", "Not found";
    MethodNotAllowed = 405, "method_not_allowed", "Method not allowed";
    // 409: the request conflicts with the data as it is now.
    Conflict = 409, "conflict", "Conflict";
    EmailTaken = 409, "email_taken", "Conflict";
    SlugTaken = 409, "slug_taken", "Conflict";
    RoleNameTaken = 409, "role_name_taken", "Conflict";
    ContactEmailTaken = 409, "contact_email_taken", "Conflict";
    LabelNameTaken = 409, "label_name_taken", "Conflict";
    StageNameTaken = 409, "stage_name_taken", "Conflict";
    StageConflict = 409, "stage_conflict", "Conflict";
    StageNotEmpty = 409, "stage_not_empty", "Conflict";
    LastStage = 409, "last_stage", "Conflict";
    StageInUse = 409, "stage_in_use", "Conflict";
    OnboardingInProgress = 409, "onboarding_in_progress", "Conflict";
    DefaultJourneyChanged = 409, "default_journey_changed", "Conflict";
    JourneyArchived = 409, "journey_archived", "Conflict";
    JourneyIsDefault = 409, "journey_is_default", "Conflict";
    NoDefaultJourney = 409, "no_default_journey", "Conflict";
    AlertClosed = 409, "alert_closed", "Conflict";
    NotConnected = 409, "not_connected", "Conflict";
    IntegrationNotConnected = 409, "integration_not_connected", "Conflict";
    IntegrationNeedsReconnect = 409, "integration_needs_reconnect", "Conflict";
    ReplyTargetGone = 409, "reply_target_gone", "Conflict";
    ReplyInProgress = 409, "reply_in_progress", "Conflict";
    LinkUnavailable = 409, "link_unavailable", "Conflict";
    OauthAppServerManaged = 409, "oauth_app_server_managed", "Conflict";
    OauthAppInUse = 409, "oauth_app_in_use", "Conflict";
    // 413, 415, 422.
    PayloadTooLarge = 413, "payload_too_large", "Payload too large";
    UnsupportedMediaType = 415, "unsupported_media_type", "Unsupported media type";
    UnsupportedFileType = 415, "unsupported_file_type", "Unsupported file type";
    ValidationFailed = 422, "validation_failed", "Request is invalid";
    IdempotencyKeyReused = 422, "idempotency_key_reused", "Unprocessable request";
    // 429, 5xx.
    RateLimited = 429, "rate_limited", "Too many requests";
    Internal = 500, "internal", "Internal server error";
    UpstreamFailed = 502, "upstream_failed", "A provider failed";
    InsufficientStorage = 507, "insufficient_storage", "Insufficient storage";
    OauthExchangeFailed = 502, "oauth_exchange_failed", "A provider failed";
    ProviderNotConfigured = 503, "provider_not_configured", "Provider not configured";
    TooManyStreams = 503, "too_many_streams", "Service unavailable";
    DatabaseUnavailable = 503, "database_unavailable", "Database unavailable";
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::Code;

    #[test]
    fn codes_are_unique_snake_case_with_an_error_status() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} is declared twice");
            assert!(
                s.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !s.starts_with('_'),
                "{s} is not snake_case"
            );
            assert!((400..600).contains(&code.status()), "{s} has status {}", code.status());
            assert!(!code.title().is_empty(), "{s} has no title");
        }
    }
}
