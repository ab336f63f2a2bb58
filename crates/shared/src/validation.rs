//! Validation rules of our own, shared by the API and the SPA. The email rule replaces `validator`'s,
//! whose IDNA and regex tables doubled the size of the wasm bundle.

use std::borrow::Cow;

use chrono::format::{Item, Numeric, Pad, Parsed};
use chrono::NaiveDate;
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

/// A `YYYY-MM-DD` date, exactly as `NaiveDate::parse_from_str(value, "%Y-%m-%d")` reads it, without the
/// format-string parser, which the intake form's small wasm module would otherwise carry.
pub fn iso_date(value: &str) -> Option<NaiveDate> {
    const ITEMS: [Item<'static>; 5] = [
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
    ];
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, value, ITEMS.iter()).ok()?;
    parsed.to_naive_date().ok()
}

/// Some text other than whitespace.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new("blank").with_message(Cow::Borrowed("must not be blank")))
    } else {
        Ok(())
    }
}

/// Characters no text the product accepts may hold: NUL (which Postgres cannot store) and the other C0
/// control characters except tab, line feed and carriage return, and DEL. They have no place in a name,
/// a note or an email, and can hide or cut content. The API refuses them at the edge, in every JSON body
/// and query string, with `422` naming the field.
pub fn is_forbidden_char(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// What a refused field is told.
pub const FORBIDDEN_CHAR_MESSAGE: &str = "must not contain control characters (such as NUL)";

/// The path of the first string (or object key) in `value` that holds a forbidden character:
/// `name`, `contacts[1].email`, `[0]` for a top-level array; `body` for a top-level string. A key that
/// holds one is named with U+FFFD in its place.
pub fn find_forbidden_text(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &mut String) -> bool {
        match value {
            serde_json::Value::String(s) => s.chars().any(is_forbidden_char),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(map) => map.iter().any(|(key, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key.replace(is_forbidden_char, "\u{FFFD}"));
                let found = key.chars().any(is_forbidden_char) || walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(value, &mut path).then(|| if path.is_empty() { "body".to_string() } else { path })
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
    use chrono::NaiveDate;

    use super::{find_forbidden_text, is_email, is_forbidden_char, iso_date};

    #[test]
    fn iso_dates_read_as_the_format_string_reads_them() {
        for value in [
            "2026-03-04",
            "2026-3-4",
            " 2026-03-04",
            "2026-03-04 ",
            "2026-02-30",
            "2026/03/04",
            "04-03-2026",
            "",
            "20260304",
            "+2026-03-04",
            "2026-03-04x",
            "12026-03-04",
            "0999-12-31",
        ] {
            assert_eq!(
                iso_date(value),
                NaiveDate::parse_from_str(value, "%Y-%m-%d").ok(),
                "{value:?}"
            );
        }
        assert_eq!(iso_date("2026-03-04"), NaiveDate::from_ymd_opt(2026, 3, 4));
    }

    #[test]
    fn control_characters_are_found_with_their_path() {
        assert!(is_forbidden_char('\0') && is_forbidden_char('\u{1b}') && is_forbidden_char('\u{7f}'));
        assert!(!is_forbidden_char('\n') && !is_forbidden_char('\t') && !is_forbidden_char('\r'));
        assert!(!is_forbidden_char('é') && !is_forbidden_char(' '));
        let v =
            serde_json::json!({ "name": "fine\nlines", "contacts": [{ "email": "a@b.co" }, { "email": "x\u{0}y" }] });
        assert_eq!(find_forbidden_text(&v).as_deref(), Some("contacts[1].email"));
        assert_eq!(
            find_forbidden_text(&serde_json::json!({ "a\u{0}": 1 })).as_deref(),
            Some("a\u{FFFD}")
        );
        assert_eq!(
            find_forbidden_text(&serde_json::json!(["ok", "b\u{8}"])).as_deref(),
            Some("[1]")
        );
        assert_eq!(
            find_forbidden_text(&serde_json::json!("\u{0}")).as_deref(),
            Some("body")
        );
        assert_eq!(
            find_forbidden_text(&serde_json::json!({ "n": 1, "s": "ok", "l": [null, true] })),
            None
        );
    }

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
