//! Input normalisation shared by every feature: trimmed optional text, lenient website input.

/// `Some(trimmed)` unless blank.
pub fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `acme.com` → `https://acme.com`; URLs with a scheme are kept.
pub fn normalise_website(w: &str) -> String {
    if w.starts_with("http://") || w.starts_with("https://") {
        w.to_string()
    } else {
        format!("https://{w}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_absent_and_websites_get_a_scheme() {
        assert_eq!(clean(Some("  a b ".into())), Some("a b".into()));
        assert_eq!(clean(Some("   ".into())), None);
        assert_eq!(normalise_website("acme.com"), "https://acme.com");
        assert_eq!(normalise_website("http://acme.com"), "http://acme.com");
    }
}
