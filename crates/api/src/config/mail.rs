//! Outgoing mail: the transport (SMTP, or `.eml` files in development) and the sender.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use super::env::Env;
use super::urls::redact_url;

/// How mail leaves the process.
#[derive(Clone)]
pub enum MailTransport {
    /// An SMTP server, from `AOS_SMTP_URL` (`smtp://`, `smtps://`, `?tls=required`).
    Smtp(SecretString),
    /// `.eml` files in a directory (development).
    File(PathBuf),
}

impl fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailTransport::Smtp(url) => write!(f, "Smtp({})", redact_url(url.expose_secret())),
            MailTransport::File(dir) => write!(f, "File({})", dir.display()),
        }
    }
}

/// Mail settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// The `From:` of every email.
    pub from: String,
}

/// Whether the SMTP URL can only be used over TLS: `smtps://` (TLS from the start) or `smtp://` with
/// `tls=required` (STARTTLS, refusing a server that does not offer it). `tls=opportunistic` falls back
/// to plain text and does not count.
fn requires_tls(smtp_url: &str) -> bool {
    match url::Url::parse(smtp_url) {
        Ok(u) if u.scheme() == "smtps" => true,
        Ok(u) => u.query_pairs().any(|(k, v)| k == "tls" && v == "required"),
        Err(_) => false,
    }
}

/// SMTP is required in production (password reset emails must go out); development writes to the outbox.
pub(super) fn read(env: &mut Env, prod: bool, data_dir: &Path) -> MailSettings {
    let transport = match env.get("AOS_SMTP_URL") {
        Some(u) => {
            if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                env.bad(
                    "AOS_SMTP_URL",
                    format!("`{}` is not an smtp:// or smtps:// URL", redact_url(&u)),
                    "use smtps://user:password@host or smtp://host:587?tls=required",
                );
            }
            if prod && !requires_tls(&u) {
                env.bad(
                    "AOS_SMTP_URL",
                    format!(
                        "`{}` would send mail in plain text (production requires TLS)",
                        redact_url(&u)
                    ),
                    "use smtps://user:password@host, or smtp://host:587?tls=required for STARTTLS",
                );
            }
            MailTransport::Smtp(SecretString::from(u))
        }
        None if prod => {
            env.bad(
                "AOS_SMTP_URL",
                "is not set (required in production: password reset emails must go out)".into(),
                "set smtps://user:password@smtp.example.com",
            );
            MailTransport::File(data_dir.join("outbox"))
        }
        None => MailTransport::File(data_dir.join("outbox")),
    };
    let from = env
        .get("AOS_MAIL_FROM")
        .unwrap_or_else(|| "AudienceOS <no-reply@audienceos.local>".into());
    if from.parse::<lettre::message::Mailbox>().is_err() {
        env.bad(
            "AOS_MAIL_FROM",
            format!("`{from}` is not a mailbox"),
            "use a form like `AudienceOS <no-reply@example.com>`",
        );
    }
    MailSettings { transport, from }
}

#[cfg(test)]
mod tests {
    use super::requires_tls;

    #[test]
    fn production_mail_needs_tls() {
        assert!(requires_tls("smtps://u:p@smtp.example.com"));
        assert!(requires_tls("smtp://smtp.example.com:587?tls=required"));
        assert!(!requires_tls("smtp://smtp.example.com:587"));
        assert!(!requires_tls("smtp://smtp.example.com:587?tls=opportunistic"));
        assert!(!requires_tls("not a url"));
    }
}
