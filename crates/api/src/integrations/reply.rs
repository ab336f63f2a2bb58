//! Sending a reply from the communications hub through the thread's provider: Gmail `users.messages.send`
//! (an RFC 5322 message from the connected mailbox, in the thread, with `In-Reply-To` and `References`) or
//! Slack `chat.postMessage` (in the channel, with `thread_ts`). Every call goes through
//! [`with_token`](super::provider::with_token): a token about to expire is refreshed first, a 401 refreshes
//! once and retries once.
//!
//! [`deliver`] runs a queued reply to its end: it counts the attempt, sends, stores the sent message as an
//! outbound message of the thread (so it shows before the next sync, which then finds it by the provider's
//! id and adds nothing), marks the reply sent (clearing needs-reply) or failed with a reason fit for the UI,
//! and announces the outcome on the live-update stream. No body, address or token is logged.

use audienceos_shared::communications::ReplyStatus;
use audienceos_shared::events::LiveEventBody;
use audienceos_shared::integrations::IntegrationProvider;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::calls::api_root;
use super::provider::{send_json, slack_call, with_token, ProviderError};
use crate::domain::stored::Stored as _;
use crate::state::AppState;
use crate::store::communications::NewCommunication;
use crate::store::integrations::IntegrationRow;
use crate::store::replies::{ReplyRow, ReplyTargetRow};
use crate::store::StoreError;

const SNIPPET_CHARS: usize = 200;

/// What the provider made of a sent reply.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Gmail message id, or Slack `channel:ts` (as the syncs key messages).
    pub provider_message_id: String,
    pub sender_email: Option<String>,
    pub subject: Option<String>,
}

/// A header value on one line: no CR or LF can smuggle in another header.
fn one_line(v: &str) -> String {
    v.chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// An RFC 2047 encoded word for a header value that is not plain ASCII.
fn encode_header(v: &str) -> String {
    let v = one_line(v);
    if v.is_ascii() {
        v
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
        )
    }
}

/// `Re: <subject>` unless the subject already is a reply.
pub fn reply_subject(subject: Option<&str>) -> String {
    let s = subject.map(str::trim).unwrap_or_default();
    if s.is_empty() {
        "Re:".to_owned()
    } else if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("re:")) {
        s.to_owned()
    } else {
        format!("Re: {s}")
    }
}

/// The headers of the message replied to that threading needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parent {
    pub message_id: Option<String>,
    pub references: Option<String>,
    pub subject: Option<String>,
}

/// The RFC 5322 text of a plain-text reply from `from` to `to` in the thread of `parent`.
pub fn rfc5322_reply(from: &str, to: &str, parent: &Parent, body: &str, date: DateTime<Utc>) -> String {
    let mut head = vec![
        format!("From: {}", one_line(from)),
        format!("To: {}", one_line(to)),
        format!("Subject: {}", encode_header(&reply_subject(parent.subject.as_deref()))),
        format!("Date: {}", date.to_rfc2822()),
    ];
    if let Some(id) = parent.message_id.as_deref().map(one_line).filter(|s| !s.is_empty()) {
        let refs = match parent.references.as_deref().map(one_line).filter(|s| !s.is_empty()) {
            Some(r) if !r.contains(&id) => format!("{r} {id}"),
            Some(r) => r,
            None => id.clone(),
        };
        head.push(format!("In-Reply-To: {id}"));
        head.push(format!("References: {refs}"));
    }
    head.push("MIME-Version: 1.0".into());
    head.push("Content-Type: text/plain; charset=\"UTF-8\"".into());
    head.push("Content-Transfer-Encoding: 8bit".into());
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!("{}\r\n\r\n{body}", head.join("\r\n"))
}

#[derive(Debug, Deserialize)]
struct MetaHeader {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize, Default)]
struct MetaPayload {
    #[serde(default)]
    headers: Vec<MetaHeader>,
}

#[derive(Debug, Deserialize)]
struct MetaMessage {
    #[serde(default)]
    payload: MetaPayload,
}

#[derive(Debug, Deserialize)]
struct SentMessage {
    id: String,
}

async fn send_gmail(
    state: &AppState,
    integration: &IntegrationRow,
    target: &ReplyTargetRow,
    body: &str,
) -> Result<Sent, ProviderError> {
    let api = api_root(state, integration).await?;
    let mailbox = integration.account_id.clone().unwrap_or_default();
    let Some(to) = target.recipient.clone() else {
        return Err(ProviderError::Rejected {
            status: 400,
            message: "the thread has no inbound message to reply to".into(),
        });
    };
    let url = super::endpoints::gmail_message_url(&api, &target.provider_message_id);
    let meta = with_token(state, integration, |token| {
        let req = state.http.get(&url).bearer_auth(token.expose()).query(&[
            ("format", "metadata"),
            ("metadataHeaders", "Message-ID"),
            ("metadataHeaders", "References"),
            ("metadataHeaders", "Subject"),
        ]);
        async move { send_json::<MetaMessage>(req).await }
    })
    .await?;
    let header = |name: &str| {
        meta.payload
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone())
    };
    let parent = Parent {
        message_id: header("Message-ID"),
        references: header("References"),
        subject: header("Subject").or_else(|| target.subject.clone()),
    };
    let raw = rfc5322_reply(&mailbox, &to, &parent, body, crate::clock::system_now());
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_bytes());
    let send_url = format!("{api}/users/me/messages/send");
    let payload = json!({ "raw": encoded, "threadId": target.thread });
    let sent = with_token(state, integration, |token| {
        let req = state.http.post(&send_url).bearer_auth(token.expose()).json(&payload);
        async move { send_json::<SentMessage>(req).await }
    })
    .await?;
    Ok(Sent {
        provider_message_id: sent.id,
        sender_email: (!mailbox.is_empty()).then(|| mailbox.to_lowercase()),
        subject: Some(reply_subject(parent.subject.as_deref())),
    })
}

async fn send_slack(
    state: &AppState,
    integration: &IntegrationRow,
    target: &ReplyTargetRow,
    body: &str,
) -> Result<Sent, ProviderError> {
    let api = api_root(state, integration).await?;
    let Some(channel) = target.channel_id.clone() else {
        return Err(ProviderError::Rejected {
            status: 400,
            message: "the message has no Slack channel".into(),
        });
    };
    let url = format!("{api}/chat.postMessage");
    let payload = json!({ "channel": channel, "text": body, "thread_ts": target.thread });
    let answer: Value = with_token(state, integration, |token| {
        let req = state.http.post(&url).bearer_auth(token.expose()).json(&payload);
        async move { slack_call(req).await }
    })
    .await?;
    let ts = answer["ts"].as_str().unwrap_or_default();
    if ts.is_empty() {
        return Err(ProviderError::Rejected {
            status: 200,
            message: "Slack did not return the message's ts".into(),
        });
    }
    let channel = answer["channel"].as_str().unwrap_or(&channel).to_owned();
    Ok(Sent {
        provider_message_id: format!("{channel}:{ts}"),
        sender_email: None,
        subject: None,
    })
}

/// Send `body` as a reply to `target` through `integration` (its provider is the thread's platform).
pub async fn send(
    state: &AppState,
    integration: &IntegrationRow,
    target: &ReplyTargetRow,
    body: &str,
) -> Result<Sent, ProviderError> {
    match target.platform.as_str() {
        "gmail" => send_gmail(state, integration, target, body).await,
        "slack" => send_slack(state, integration, target, body).await,
        other => Err(ProviderError::Internal(anyhow::anyhow!("no reply path for {other}"))),
    }
}

/// Why a reply failed, in words for the person who wrote it (never a token or a provider body).
pub fn failure_reason(provider: IntegrationProvider, e: &ProviderError) -> String {
    let p = provider.label();
    match e {
        ProviderError::Unavailable(why) => format!("{p} is unavailable ({why}). Try again."),
        ProviderError::RateLimited { retry_after } => {
            format!("{p} is rate limiting; try again in {} s.", retry_after.as_secs().max(1))
        }
        ProviderError::InvalidGrant(_) | ProviderError::Unauthorized(_) => {
            format!("{p} refused the stored authorization. Reconnect {p} on the Integrations page, then retry.")
        }
        ProviderError::Rejected { message, .. } => format!("{p} refused the reply: {message}."),
        ProviderError::NotConfigured => format!("{p} is not configured on this server."),
        ProviderError::NotConnected => format!("{p} is not connected. Connect it on the Integrations page."),
        ProviderError::Internal(_) => "The reply could not be sent because of an internal error. Try again.".into(),
    }
}

/// Run a queued reply to its end (see the module docs) and return it as it ends: sent or failed.
pub async fn deliver(
    state: &AppState,
    agency_id: Uuid,
    reply: ReplyRow,
    target: ReplyTargetRow,
    integration: IntegrationRow,
    author_name: Option<String>,
) -> Result<ReplyRow, StoreError> {
    let provider = integration.provider().unwrap_or(IntegrationProvider::Gmail);
    state
        .store
        .count_reply_attempt(agency_id, reply.id, state.clock.now())
        .await?;
    match send(state, &integration, &target, &reply.body).await {
        Ok(sent) => {
            let now = state.clock.now();
            let outbound = NewCommunication {
                client_id: target.client_id,
                integration_id: Some(integration.id),
                platform: if target.platform == "slack" { "slack" } else { "gmail" },
                provider_message_id: sent.provider_message_id.clone(),
                thread_id: Some(target.thread.clone()),
                channel_id: target.channel_id.clone(),
                sender_email: sent.sender_email,
                sender_name: author_name,
                subject: sent.subject,
                snippet: reply.body.chars().take(SNIPPET_CHARS).collect(),
                body: reply.body.clone(),
                is_inbound: false,
                received_at: now,
            };
            // The reply went out: from here on, failing to record it must not make it look unsent.
            if let Err(e) = state.store.upsert_communications(agency_id, &[outbound], now).await {
                tracing::error!(error.cause_chain = ?e, "could not store a sent reply as a message; the next sync will");
            }
            state
                .store
                .mark_reply_sent(agency_id, &reply, &sent.provider_message_id, now)
                .await?;
            tracing::info!(reply_id = %reply.id, provider = provider.as_str(), "reply sent");
        }
        Err(e) => {
            if let ProviderError::InvalidGrant(reason) = &e {
                super::tokens::mark_needs_reconnect(state, &integration, provider, reason).await;
            }
            tracing::warn!(reply_id = %reply.id, provider = provider.as_str(), error = %e, "reply failed");
            let reason = failure_reason(provider, &e);
            state
                .store
                .mark_reply_failed(agency_id, reply.id, &reason, state.clock.now())
                .await?;
        }
    }
    let done = state.store.get_reply(agency_id, reply.id).await?;
    crate::events::publish(
        state,
        agency_id,
        Some(done.client_id),
        LiveEventBody::ReplyUpdated {
            thread_key: format!("{}:{}", done.platform, done.thread_key),
            reply_id: done.id,
            status: ReplyStatus::from_stored(&done.status),
        },
    )
    .await;
    state.data_changed(agency_id).await;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_thread_with_in_reply_to_and_references() {
        let parent = Parent {
            message_id: Some("<b@x>".into()),
            references: Some("<a@x>".into()),
            subject: Some("October numbers".into()),
        };
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let raw = rfc5322_reply("me@agency.test", "dana@acme.test", &parent, "Hi\nthere", at);
        assert!(raw.contains("\r\nSubject: Re: October numbers\r\n"), "{raw}");
        assert!(raw.contains("\r\nIn-Reply-To: <b@x>\r\n"));
        assert!(raw.contains("\r\nReferences: <a@x> <b@x>\r\n"));
        assert!(raw.starts_with("From: me@agency.test\r\nTo: dana@acme.test\r\n"));
        assert!(raw.ends_with("\r\n\r\nHi\r\nthere"));
    }

    #[test]
    fn headers_cannot_be_injected_and_non_ascii_subjects_are_encoded() {
        let parent = Parent {
            message_id: None,
            references: None,
            subject: Some("Ça va?\r\nBcc: evil@x".into()),
        };
        let raw = rfc5322_reply(
            "me@a.test",
            "x@b.test\r\nBcc: evil@x",
            &parent,
            "b",
            crate::clock::system_now(),
        );
        let head = raw.split("\r\n\r\n").next().unwrap();
        assert!(!head.lines().any(|l| l.starts_with("Bcc:")), "{head}");
        assert!(head.contains("Subject: =?UTF-8?B?"));
        assert!(!head.contains("In-Reply-To"));
        assert_eq!(reply_subject(Some("RE: x")), "RE: x");
        assert_eq!(reply_subject(None), "Re:");
    }
}
