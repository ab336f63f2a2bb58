//! Outgoing email: SMTP (lettre, rustls) in production, `.eml` files under `data/outbox/` in development.
//! Emails are queued in the outbox table and sent by the job worker (see `jobs`), never inline.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use lettre::message::{header::ContentType, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use secrecy::ExposeSecret as _;

use crate::config::{MailSettings, MailTransport};

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The outbox directory: each message is written whole to a temporary name, then renamed to
    /// `<id>.eml`, so a reader never sees half a message.
    File(PathBuf),
}

/// One email to send.
pub struct Email<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

impl Mailer {
    pub fn from_settings(s: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = s.from.parse().context("AOS_MAIL_FROM is not a mailbox")?;
        let transport = match &s.transport {
            MailTransport::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .context("AOS_SMTP_URL is not a usable SMTP URL")?
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
            ),
            MailTransport::File(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating the outbox {}", dir.display()))?;
                Transport::File(dir.clone())
            }
        };
        Ok(Self { transport, from })
    }

    pub fn kind(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::File(_) => "file",
        }
    }

    pub async fn send(&self, email: &Email<'_>) -> anyhow::Result<()> {
        let to: Mailbox = email.to.parse().context("recipient is not a mailbox")?;
        let builder = Message::builder().from(self.from.clone()).to(to).subject(email.subject);
        let message = match email.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.text.to_string(),
                html.to_string(),
            )),
            None => builder.header(ContentType::TEXT_PLAIN).body(email.text.to_string()),
        }
        .context("building the message")?;
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(message).await.context("SMTP send failed")?;
            }
            Transport::File(dir) => {
                let id = uuid::Uuid::now_v7();
                let partial = dir.join(format!("{id}.eml.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .context("writing the .eml file failed")?;
                tokio::fs::rename(&partial, dir.join(format!("{id}.eml")))
                    .await
                    .context("naming the .eml file failed")?;
            }
        }
        Ok(())
    }

    /// Whether the transport is usable: an SMTP `NOOP` round trip, or a writable outbox directory.
    pub async fn check(&self) -> anyhow::Result<String> {
        match &self.transport {
            Transport::Smtp(t) => {
                let ok = tokio::time::timeout(Duration::from_secs(3), t.test_connection())
                    .await
                    .context("SMTP server did not answer in 3 s")?
                    .context("SMTP connection failed")?;
                anyhow::ensure!(ok, "SMTP server refused the connection test");
                Ok("smtp reachable".into())
            }
            Transport::File(dir) => {
                let probe = dir.join(".health-probe");
                tokio::fs::write(&probe, b"ok")
                    .await
                    .context("outbox directory is not writable")?;
                let _ = tokio::fs::remove_file(&probe).await;
                Ok("writing .eml files to the outbox directory".into())
            }
        }
    }
}
