//! Display helpers: instants in the agency's time zone (through the browser's `Intl`), names of roles,
//! resources and audit outcomes. Pure formatting; no state, no requests.

use audienceos_shared::permissions::Resource;
use chrono::{DateTime, Utc};
use wasm_bindgen::{JsCast, JsValue};

/// "Mar 4, 2026, 14:05" in `time_zone` (an IANA name); UTC when the browser does not know the zone.
pub fn date_time(at: &DateTime<Utc>, time_zone: &str) -> String {
    intl_format(at, time_zone, true).unwrap_or_else(|| at.format("%b %-d, %Y, %H:%M UTC").to_string())
}

/// "Mar 4, 2026" in `time_zone`.
pub fn date(at: &DateTime<Utc>, time_zone: &str) -> String {
    intl_format(at, time_zone, false).unwrap_or_else(|| at.format("%b %-d, %Y").to_string())
}

/// `new Intl.DateTimeFormat(undefined, {..., timeZone}).format(at)`; `None` if anything throws
/// (an unknown time zone throws a RangeError).
fn intl_format(at: &DateTime<Utc>, time_zone: &str, with_time: bool) -> Option<String> {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).ok();
    set("timeZone", time_zone)?;
    set("year", "numeric")?;
    set("month", "short")?;
    set("day", "numeric")?;
    if with_time {
        set("hour", "2-digit")?;
        set("minute", "2-digit")?;
        set("hourCycle", "h23")?;
    }
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let formatter = js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&JsValue::UNDEFINED, &options)).ok()?;
    let format = js_sys::Reflect::get(&formatter, &"format".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format.call1(&formatter, &date).ok()?.as_string()
}

/// Readable name of a resource of the permission matrix.
pub fn resource_name(resource: Resource) -> &'static str {
    match resource {
        Resource::Clients => "Clients",
        Resource::Communications => "Communications",
        Resource::Tickets => "Tickets",
        Resource::KnowledgeBase => "Knowledge base",
        Resource::Automations => "Automations",
        Resource::Settings => "Settings",
        Resource::Users => "Users",
        Resource::Billing => "Billing",
        Resource::Roles => "Roles",
        Resource::Integrations => "Integrations",
        Resource::Analytics => "Analytics",
        Resource::AiFeatures => "AI features",
    }
}

/// "Success", "Failure", "Denied" for the audit log's `outcome`; other values are capitalised.
pub fn outcome_label(outcome: &str) -> String {
    match outcome {
        "success" => "Success".into(),
        "failure" => "Failure".into(),
        "denied" => "Denied".into(),
        other => capitalise(&other.replace('_', " ")),
    }
}

/// "auth.login" -> "Auth · login", "api_key.created" -> "API key · created": readable, while the
/// stable name is shown next to it.
pub fn action_label(action: &str) -> String {
    let words = |s: &str| {
        let s = s.replace('_', " ");
        match s.strip_prefix("api ") {
            Some(rest) => format!("API {rest}"),
            None => capitalise(&s),
        }
    };
    match action.split_once('.') {
        Some((scope, verb)) => format!("{} · {}", words(scope), verb.replace(['_', '.'], " ")),
        None => words(action),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_words() {
        assert_eq!(outcome_label("denied"), "Denied");
        assert_eq!(outcome_label("rate_limited"), "Rate limited");
        assert_eq!(action_label("api_key.created"), "API key · created");
        assert_eq!(action_label("auth.login"), "Auth · login");
    }
}
