//! Validation rules of our own, shared by the API and the SPA. The email rule replaces `validator`'s,
//! whose IDNA and regex tables doubled the size of the wasm bundle.

use std::borrow::Cow;

use validator::ValidationError;

/// A practical email check: one `@`, a non-empty local part of at most 64 characters without spaces,
/// and a domain of dot-separated labels (letters, digits, hyphens; no leading or trailing hyphen) with at
/// least one dot. Deliverability is proven by the email itself, not by a pattern.
pub fn email_address(value: &str) -> Result<(), ValidationError> {
    if is_email(value) {
        Ok(())
    } else {
        Err(ValidationError::new("email").with_message(Cow::Borrowed("must be an email address")))
    }
}

/// Some text other than whitespace.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new("blank").with_message(Cow::Borrowed("must not be blank")))
    } else {
        Ok(())
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@()<>[]\\,;:\"".contains(c) || (!c.is_ascii() && !c.is_whitespace()));
    local_ok && is_host_name(domain, false)
}

/// At least two dot-separated labels of 1 to 63 letters, digits and hyphens (no leading or trailing
/// hyphen), 253 characters at most. `ascii_only` refuses non-ASCII letters (hosts a provider looks up).
pub(crate) fn is_host_name(host: &str, ascii_only: bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    host.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| {
                    c == '-'
                        || if ascii_only {
                            c.is_ascii_alphanumeric()
                        } else {
                            c.is_alphanumeric()
                        }
                })
        })
}

#[cfg(test)]
mod tests {
    use super::is_email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "a@b.co",
            "grace+tag@example.test",
            "first.last@sub.domain.io",
            "o'neil@x.ie",
            "josé@exämple.de",
        ] {
            assert!(is_email(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "nope",
            "@x.io",
            "a@",
            "a@b",
            "a b@c.io",
            "a@b..io",
            "a@-b.io",
            "a@b-.io",
            ".a@b.io",
            "a..b@c.io",
            "a@b@c.io",
            "a@b.io ",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }
}
