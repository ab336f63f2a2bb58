//! Intake form rules without I/O: how builder input is normalised, which patterns are usable, and the
//! server-side check of intake values against their fields (type, required, pattern, options, ownership).

use std::collections::HashMap;

use audienceos_shared::onboarding::{check_value, CreateFieldRequest, FieldType, IntakeValue, UpdateFieldRequest};
use audienceos_shared::FieldError;
use regex::Regex;
use uuid::Uuid;

use crate::domain::text::clean;

/// A field of the form as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub id: Uuid,
    pub label: String,
    pub field_type: FieldType,
    pub required: bool,
    pub pattern: Option<String>,
    pub options: Vec<String>,
}

/// Trimmed label and options; blank placeholder and pattern absent.
pub fn normalise_create_field(b: &mut CreateFieldRequest) {
    b.label = b.label.trim().to_string();
    b.placeholder = clean(b.placeholder.take());
    b.pattern = clean(b.pattern.take());
    b.options = b.options.iter().map(|o| o.trim().to_string()).collect();
}

/// Trimmed label and options; a blank placeholder or pattern clears it.
pub fn normalise_update_field(b: &mut UpdateFieldRequest) {
    b.label = b.label.take().map(|l| l.trim().to_string());
    b.placeholder = b.placeholder.take().map(clean);
    b.pattern = b.pattern.take().map(clean);
    b.options = b
        .options
        .take()
        .map(|o| o.iter().map(|o| o.trim().to_string()).collect());
}

/// The options a field of `kind` keeps: a `select` field's choices, none for any other type.
pub fn options_for(kind: FieldType, options: Vec<String>) -> Vec<String> {
    if kind == FieldType::Select {
        options
    } else {
        Vec::new()
    }
}

/// A `select` field with no option to choose from.
pub fn select_without_options(kind: FieldType, options: &[String]) -> bool {
    kind == FieldType::Select && options.is_empty()
}

/// A field pattern compiled to match whole values; `None` when it is not a usable expression.
pub fn compile_pattern(pattern: &str) -> Option<Regex> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// The values sent, trimmed; the last of duplicates wins (in its place).
pub fn sent_values(values: Vec<IntakeValue>) -> Vec<(Uuid, String)> {
    let mut out: Vec<(Uuid, String)> = Vec::new();
    for v in values {
        out.retain(|(id, _)| *id != v.field_id);
        out.push((v.field_id, v.value.trim().to_string()));
    }
    out
}

fn field_error(field: impl Into<String>, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// Values as the form keeps them: a web address typed without a scheme (`example.com`) gets `https://`,
/// as the New-client form does; everything else is unchanged.
pub fn normalise_values(fields: &[FormField], values: Vec<(Uuid, String)>) -> Vec<(Uuid, String)> {
    values
        .into_iter()
        .map(|(id, v)| {
            let is_url = fields.iter().any(|f| f.id == id && f.field_type == FieldType::Url);
            let bare = !v.is_empty() && !v.contains("://") && !v.chars().any(char::is_whitespace);
            if is_url && bare {
                (id, crate::domain::text::normalise_website(&v))
            } else {
                (id, v)
            }
        })
        .collect()
}

/// Check intake values against the form. Every value must name a field of `fields` (else `unknown_field`)
/// and, when not blank, fit its type, options and pattern. With `submit`, every required field of the
/// form must have a non-blank value in `merged` (the saved answers overlaid with these). Errors name
/// the field by its id.
pub fn check_values(
    fields: &[FormField],
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

fn check_one(field: &FormField, value: &str) -> Option<FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Err((code, message)) = check_value(field.field_type, &field.options, value) {
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
    use super::*;

    #[test]
    fn bare_web_addresses_get_a_scheme_and_other_values_are_kept() {
        let url = field(FieldType::Url, false, None);
        let text = field(FieldType::Text, false, None);
        let fields = [url.clone(), text.clone()];
        let out = normalise_values(
            &fields,
            vec![
                (url.id, "sunrisepilates.example".into()),
                (text.id, "sunrisepilates.example".into()),
            ],
        );
        assert_eq!(out[0].1, "https://sunrisepilates.example");
        assert_eq!(out[1].1, "sunrisepilates.example");
        let kept = normalise_values(
            &fields,
            vec![(url.id, "http://a.example".into()), (url.id, "not a url".into())],
        );
        assert_eq!(kept[0].1, "http://a.example");
        assert_eq!(kept[1].1, "not a url", "left for the check to refuse");
        assert!(check_values(&fields, &out[..1], &HashMap::new(), false).is_empty());
    }

    fn field(kind: FieldType, required: bool, pattern: Option<&str>) -> FormField {
        FormField {
            id: Uuid::now_v7(),
            label: "F".into(),
            field_type: kind,
            required,
            pattern: pattern.map(str::to_string),
            options: vec![],
        }
    }

    #[test]
    fn submit_checks_required_type_pattern_and_ownership() {
        let email = field(FieldType::Email, true, None);
        let gtm = field(FieldType::Text, false, Some("GTM-[A-Z0-9]{4,10}"));
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
    fn submit_rechecks_a_saved_draft_value_against_todays_field() {
        let email = field(FieldType::Email, false, None);
        let merged: HashMap<Uuid, String> = [(email.id, "not an email".to_string())].into();
        let errs = check_values(std::slice::from_ref(&email), &[], &merged, true);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, email.id.to_string());
        assert!(
            check_values(&[email], &[], &merged, false).is_empty(),
            "drafts are not rechecked"
        );
    }

    #[test]
    fn patterns_match_whole_values() {
        let re = compile_pattern("[0-9]{3}").unwrap();
        assert!(re.is_match("123"));
        assert!(!re.is_match("1234"));
        assert!(compile_pattern("(").is_none());
    }

    #[test]
    fn sent_values_are_trimmed_and_the_last_duplicate_wins() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let v = |id, value: &str| IntakeValue {
            field_id: id,
            value: value.into(),
        };
        let out = sent_values(vec![v(a, " 1 "), v(b, "2"), v(a, "3")]);
        assert_eq!(out, [(b, "2".to_string()), (a, "3".to_string())]);
    }

    #[test]
    fn only_select_fields_keep_options() {
        let opts = vec!["A".to_string()];
        assert_eq!(options_for(FieldType::Select, opts.clone()), opts);
        assert!(options_for(FieldType::Text, opts).is_empty());
        assert!(select_without_options(FieldType::Select, &[]));
        assert!(!select_without_options(FieldType::Text, &[]));
    }
}
