//! URL helpers of every section: redaction for anything printed, and the placeholder after a bad value.

use url::Url;

/// Replace the password of a URL with `***`.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparseable url>".into(),
    }
}

/// Stands in for a URL that was invalid; a problem is reported, so it is never used.
pub(super) fn fallback_url() -> Url {
    Url::parse("http://127.0.0.1:8080").expect("static URL parses")
}
