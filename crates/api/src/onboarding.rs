//! Onboarding services shared by the agency routes and the public intake routes: public link tokens
//! (32 random bytes, stored only as a keyed digest), the welcome email, and the server-side check of
//! intake values against their fields (type, required, pattern, options, ownership).

use std::collections::HashMap;

use audienceos_shared::onboarding::{check_value, FieldType};
use audienceos_shared::FieldError;
use chrono::{DateTime, Utc};
use regex::Regex;
use uuid::Uuid;

use crate::auth::tokens::{digest, random_token};
use crate::config::Settings;
use crate::store::intake_fields::FieldRow;
use crate::store::outbox::NewEmail;

/// The digest purpose of onboarding link tokens (distinct from sessions, API keys and resets).
pub const LINK_PURPOSE: &str = "onboarding_link";

/// A fresh link token and its digest.
pub fn new_link(settings: &Settings) -> (String, String) {
    let token = random_token();
    let hash = link_digest(settings, &token);
    (token, hash)
}

/// The stored form of a link token.
pub fn link_digest(settings: &Settings, token: &str) -> String {
    digest(settings.secrets.session_key.expose(), LINK_PURPOSE, token)
}

/// `{public_url}/intake/{token}`.
pub fn intake_url(settings: &Settings, token: &str) -> String {
    format!("{}/intake/{token}", settings.public_url.as_str().trim_end_matches('/'))
}

/// The welcome email with the public link.
pub fn welcome_email(
    agency_id: Uuid,
    agency_name: &str,
    to: &str,
    client_name: &str,
    url: &str,
    expires_at: DateTime<Utc>,
) -> NewEmail {
    let expires = expires_at.format("%B %-d, %Y");
    let text = format!(
        "Hi {client_name},\n\nWelcome to {agency_name}! To get started, tell us about your business and the \
         accounts we will work on:\n\n{url}\n\nYou can save your answers and come back later. The link is \
         personal and works until {expires}.\n\nWhat to expect:\n1. You fill in the intake form.\n2. We verify \
         access to your ad and analytics accounts.\n3. We install tracking and audit your setup.\n4. We go \
         live and support you from there.\n\n-- {agency_name}\n"
    );
    let html = format!(
        "<p>Hi {name},</p><p>Welcome to {agency}! To get started, tell us about your business and the accounts \
         we will work on:</p><p><a href=\"{link}\">Open your intake form</a></p><p>You can save your answers \
         and come back later. The link is personal and works until {expires}.</p>",
        name = html_escape(client_name),
        agency = html_escape(agency_name),
        link = html_escape(url),
    );
    NewEmail {
        agency_id: Some(agency_id),
        to: to.to_string(),
        subject: format!("Welcome to {agency_name} - let's get started"),
        body_text: text,
        body_html: Some(html),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A field pattern compiled to match whole values; `None` when it is not a usable expression.
pub fn compile_pattern(pattern: &str) -> Option<Regex> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 20)
        .build()
        .ok()
}

fn field_error(field: impl Into<String>, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// Check intake values against the form. Every value must name a field of `fields` (else `unknown_field`)
/// and, when not blank, fit its type, options and pattern. With `submit`, every required field of the
/// form must have a non-blank value in `merged` (the saved answers overlaid with these). Errors name
/// the field by its id.
pub fn check_values(
    fields: &[FieldRow],
    values: &[(Uuid, String)],
    merged: &HashMap<Uuid, String>,
    submit: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (id, value) in values {
        let Some(field) = fields.iter().find(|f| f.id == *id) else {
            errors.push(field_error(
                id.to_string(),
                "unknown_field",
                "is not a field of this form",
            ));
            continue;
        };
        if let Some(e) = check_one(field, value) {
            errors.push(e);
        }
    }
    if submit {
        for field in fields {
            let blank = merged.get(&field.id).is_none_or(|v| v.trim().is_empty());
            let reported = errors.iter().any(|e| e.field == field.id.to_string());
            if blank && field.required && !reported {
                errors.push(field_error(
                    field.id.to_string(),
                    "required",
                    format!("{} is required", field.label),
                ));
            } else if !blank && !reported && !values.iter().any(|(id, _)| *id == field.id) {
                // a saved draft value that was never checked against today's field
                if let Some(e) = merged.get(&field.id).and_then(|v| check_one(field, v)) {
                    errors.push(e);
                }
            }
        }
    }
    errors
}

fn check_one(field: &FieldRow, value: &str) -> Option<FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let kind = FieldType::parse(&field.field_type).unwrap_or(FieldType::Text);
    if let Err((code, message)) = check_value(kind, &field.options.0, value) {
        return Some(field_error(field.id.to_string(), code, message));
    }
    let pattern = field.pattern.as_deref().filter(|p| !p.is_empty())?;
    match compile_pattern(pattern) {
        Some(re) if re.is_match(value) => None,
        _ => Some(field_error(
            field.id.to_string(),
            "pattern",
            format!("{} is not in the expected format", field.label),
        )),
    }
}

#[cfg(test)]
mod tests {
    use sqlx::types::Json;

    use super::*;

    fn field(kind: &str, required: bool, pattern: Option<&str>) -> FieldRow {
        FieldRow {
            id: Uuid::now_v7(),
            agency_id: Uuid::nil(),
            journey_id: None,
            label: "F".into(),
            field_type: kind.into(),
            placeholder: None,
            required,
            pattern: pattern.map(str::to_string),
            options: Json(vec![]),
            position: 0,
            archived_at: None,
        }
    }

    #[test]
    fn submit_checks_required_type_pattern_and_ownership() {
        let email = field("email", true, None);
        let gtm = field("text", false, Some("GTM-[A-Z0-9]{4,10}"));
        let fields = vec![email.clone(), gtm.clone()];
        let values = vec![(gtm.id, "GTM-12".to_string()), (Uuid::nil(), "x".to_string())];
        let merged: HashMap<Uuid, String> = values.iter().cloned().collect();
        let errs = check_values(&fields, &values, &merged, true);
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["pattern", "unknown_field", "required"]);
        assert!(check_values(&fields, &values[..1], &merged, false)
            .iter()
            .all(|e| e.code == "pattern"));
        let ok = vec![(email.id, "a@b.co".to_string()), (gtm.id, "GTM-ABCD12".to_string())];
        let merged: HashMap<Uuid, String> = ok.iter().cloned().collect();
        assert!(check_values(&fields, &ok, &merged, true).is_empty());
    }

    #[test]
    fn patterns_match_whole_values() {
        let re = compile_pattern("[0-9]{3}").unwrap();
        assert!(re.is_match("123"));
        assert!(!re.is_match("1234"));
        assert!(compile_pattern("(").is_none());
    }
}
