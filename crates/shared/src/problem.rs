//! RFC 9457 problem details: the body of every non-2xx response, decoded as-is by the SPA.

use serde::{Deserialize, Serialize};

/// Media type of every error response.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An error response (RFC 9457). Clients branch on `code`, never on `title` or `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI identifying the problem type.
    #[serde(rename = "type")]
    pub type_url: String,
    /// Short human-readable summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this problem occurred on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable snake_case code, for example `validation_failed` or `invalid_credentials`.
    #[cfg_attr(feature = "openapi", schema(example = "validation_failed"))]
    pub code: String,
    /// The request id, also sent as the `X-Request-Id` header; quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Per-field errors (for `422 validation_failed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field name as it appears in the request JSON.
    pub field: String,
    /// Stable code of the rule that failed, for example `length` or `email`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

impl Problem {
    /// The message for `field`, if the problem names it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// A problem made on the client side (network failure, undecodable body).
    pub fn client(code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            type_url: "about:blank".into(),
            title: title.into(),
            status: 0,
            detail: Some(detail.into()),
            instance: None,
            code: code.into(),
            request_id: None,
            errors: Vec::new(),
        }
    }
}

/// Turn `validator` errors into field errors with readable messages. Errors of nested structs and
/// lists are named by their path: `client.name`, `stages[0].name`.
pub fn field_errors(errors: &validator::ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

/// A length rule with a minimum, broken by an empty (or all-space) text: the field was left out.
fn is_missing(e: &validator::ValidationError) -> bool {
    e.code == "length"
        && e.params.get("min").and_then(|m| m.as_u64()).is_some_and(|m| m >= 1)
        && e.params
            .get("value")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.trim().is_empty())
}

fn collect(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as Kind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            Kind::Field(errs) => out.extend(errs.iter().map(|e| {
                if is_missing(e) {
                    // "must be 1 to 100 characters" reads oddly for a field left empty; the code stays.
                    return FieldError {
                        field: path.clone(),
                        code: e.code.to_string(),
                        message: "is required".into(),
                    };
                }
                FieldError {
                    field: path.clone(),
                    code: e.code.to_string(),
                    message: e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("{field} is invalid")),
                }
            })),
            Kind::Struct(inner) => collect(inner, &path, out),
            Kind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_required_text_is_required_not_too_short() {
        use validator::Validate;
        #[derive(Validate)]
        struct Form {
            #[validate(length(min = 1, max = 5, message = "must be 1 to 5 characters"))]
            name: String,
        }
        let errs = Form { name: String::new() }.validate().unwrap_err();
        let e = &field_errors(&errs)[0];
        assert_eq!((e.code.as_str(), e.message.as_str()), ("length", "is required"));
        let errs = Form { name: "toolong".into() }.validate().unwrap_err();
        assert_eq!(field_errors(&errs)[0].message, "must be 1 to 5 characters");
    }

    #[test]
    fn nested_and_listed_errors_are_named_by_their_path() {
        use validator::Validate;
        #[derive(Validate)]
        struct Stage {
            #[validate(length(min = 1, message = "must not be empty"))]
            name: String,
        }
        #[derive(Validate)]
        struct Journey {
            #[validate(length(min = 1))]
            name: String,
            #[validate(nested)]
            stages: Vec<Stage>,
        }
        let j = Journey {
            name: "J".into(),
            stages: vec![Stage { name: "ok".into() }, Stage { name: String::new() }],
        };
        let errs = field_errors(&j.validate().unwrap_err());
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "stages[1].name");
        assert_eq!(errs[0].message, "is required");
    }

    #[test]
    fn problem_round_trips_with_the_rfc_field_names() {
        let p = Problem {
            type_url: "https://audienceos.dev/problems/validation_failed".into(),
            title: "Request is invalid".into(),
            status: 422,
            detail: Some("1 field is invalid".into()),
            instance: Some("/api/v1/auth/signup".into()),
            code: "validation_failed".into(),
            request_id: Some("abc".into()),
            errors: vec![FieldError {
                field: "email".into(),
                code: "email".into(),
                message: "must be an email address".into(),
            }],
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "https://audienceos.dev/problems/validation_failed");
        assert_eq!(json["errors"][0]["field"], "email");
        let back: Problem = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.field_message("email"), Some("must be an email address"));
    }

    #[test]
    fn problem_without_optional_fields_decodes() {
        let p: Problem =
            serde_json::from_str(r#"{"type":"about:blank","title":"Not found","status":404,"code":"not_found"}"#)
                .unwrap();
        assert!(p.errors.is_empty());
        assert_eq!(p.detail, None);
    }
}
