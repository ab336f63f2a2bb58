//! What every provider API client shares: how a provider's answer is classified ([`ProviderError`]), how a
//! call gets a valid token and is retried once after a 401 ([`with_token`]), and `Retry-After`.
//!
//! Provider clients (`gmail`, `slack`, `google_ads`, `meta`) take the token as an argument and return
//! `ProviderError`; they never log or return a token, a code or a message body.

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;

use super::crypto::SecretToken;
use crate::state::AppState;
use crate::store::integrations::IntegrationRow;

/// Timeout of one provider HTTP call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest `Retry-After` a sync waits for in-process; longer ones re-queue the job.
pub const MAX_INLINE_WAIT: Duration = Duration::from_secs(5);

/// Why a provider call failed. The `String`s are short, token-free explanations fit for the UI.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused the access token (HTTP 401, Slack `invalid_auth`/`token_expired`).
    #[error("the provider refused the access token: {0}")]
    Unauthorized(String),
    /// The provider refused the refresh token or the grant is gone (`invalid_grant`, `token_revoked`):
    /// only a new connect helps.
    #[error("the provider revoked access: {0}")]
    InvalidGrant(String),
    /// 429 (or Slack `ratelimited`): try again after this long.
    #[error("the provider is rate limiting us (retry after {}s)", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// 5xx, timeout, connection failure: worth retrying later.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// Any other refusal (403 missing scope, 400 bad request): retrying will not help.
    #[error("the provider refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// The server has no OAuth credentials for the provider.
    #[error("the provider is not configured on this server")]
    NotConfigured,
    /// The integration holds no tokens.
    #[error("the integration is not connected")]
    NotConnected,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ProviderError {
    /// Transient failures: a later retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, ProviderError::RateLimited { .. } | ProviderError::Unavailable(_))
    }

    /// Classify a non-success HTTP status (`body` is used only for the error's name, never logged whole).
    pub fn from_status(status: StatusCode, retry_after: Option<Duration>, body: &str) -> ProviderError {
        let message = error_name(body);
        match status.as_u16() {
            401 => ProviderError::Unauthorized(message),
            429 => ProviderError::RateLimited {
                retry_after: retry_after.unwrap_or(Duration::from_secs(30)),
            },
            400 if message.contains("invalid_grant") => ProviderError::InvalidGrant(message),
            500..=599 => match (status.as_u16(), retry_after) {
                (503, Some(after)) => ProviderError::RateLimited { retry_after: after },
                _ => ProviderError::Unavailable(format!("HTTP {}", status.as_u16())),
            },
            s => ProviderError::Rejected { status: s, message },
        }
    }

    /// Classify a transport error.
    pub fn from_transport(e: &reqwest::Error) -> ProviderError {
        if e.is_timeout() {
            ProviderError::Unavailable("timed out".into())
        } else if e.is_connect() {
            ProviderError::Unavailable("could not connect".into())
        } else if e.is_decode() {
            ProviderError::Rejected {
                status: 200,
                message: "unexpected response body".into(),
            }
        } else {
            ProviderError::Unavailable("request failed".into())
        }
    }
}

/// The `Retry-After` header in seconds (the HTTP-date form is treated as 30 s).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    Some(Duration::from_secs(v.trim().parse().unwrap_or(30)))
}

/// A short, safe name for an error body: the provider's `error` / `error.status` / `error.message` field,
/// cut to 200 characters. Never the whole body (it may echo what we sent).
pub fn error_name(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let pick = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let name = pick(&v["error"])
        .map(|e| match pick(&v["error_description"]) {
            Some(d) => format!("{e}: {d}"),
            None => e,
        })
        .or_else(|| {
            pick(&v["error"]["status"]).map(|s| match pick(&v["error"]["message"]) {
                Some(m) => format!("{s}: {m}"),
                None => s,
            })
        })
        .or_else(|| {
            // Graph: {"error": {"message", "type": "OAuthException", "code": 190}}
            pick(&v["error"]["type"]).map(|t| {
                let code = v["error"]["code"].as_i64().unwrap_or(0);
                format!("{t} ({code}): {}", pick(&v["error"]["message"]).unwrap_or_default())
            })
        })
        .or_else(|| pick(&v["error"]["message"]))
        .unwrap_or_else(|| "no error detail".into());
    name.chars().take(200).collect()
}

/// Send a request and turn any non-2xx into a [`ProviderError`]; the 2xx body is decoded as `T`.
pub async fn send_json<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> Result<T, ProviderError> {
    let res = req
        .timeout(CALL_TIMEOUT)
        .send()
        .await
        .map_err(|e| ProviderError::from_transport(&e))?;
    let status = res.status();
    if !status.is_success() {
        let after = retry_after(res.headers());
        let body = res.text().await.unwrap_or_default();
        return Err(ProviderError::from_status(status, after, &body));
    }
    res.json::<T>().await.map_err(|e| ProviderError::from_transport(&e))
}

/// Run `call` with a valid access token of `integration`; when the provider answers 401, refresh once
/// and retry once. Every provider call of a sync, a test or a reply goes through here.
pub async fn with_token<T, F, Fut>(state: &AppState, integration: &IntegrationRow, call: F) -> Result<T, ProviderError>
where
    F: Fn(SecretToken) -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let (token, stored) = super::tokens::current(state, integration).await?;
    match call(token).await {
        Err(ProviderError::Unauthorized(_)) => {
            let (token, _) = super::tokens::refresh_after_401(state, integration, &stored).await?;
            call(token).await
        }
        other => other,
    }
}

/// Slack answers most errors with HTTP 200 and `{"ok": false, "error": "..."}`: turn that into a
/// [`ProviderError`] (expired or invalid tokens are `Unauthorized`, so `with_token` refreshes once).
pub fn slack_ok(v: serde_json::Value) -> Result<serde_json::Value, ProviderError> {
    if v["ok"].as_bool() == Some(true) {
        return Ok(v);
    }
    let error = v["error"].as_str().unwrap_or("unknown_error").to_owned();
    Err(match error.as_str() {
        "invalid_auth" | "not_authed" | "token_expired" => ProviderError::Unauthorized(error),
        "token_revoked" | "account_inactive" | "invalid_refresh_token" | "app_uninstalled" => {
            ProviderError::InvalidGrant(error)
        }
        "ratelimited" => ProviderError::RateLimited {
            retry_after: Duration::from_secs(30),
        },
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            ProviderError::Unavailable(error)
        }
        _ => ProviderError::Rejected {
            status: 200,
            message: error,
        },
    })
}

/// Send a Slack Web API request: a non-2xx status is classified like any provider's, a 2xx body goes
/// through [`slack_ok`].
pub async fn slack_call(req: reqwest::RequestBuilder) -> Result<serde_json::Value, ProviderError> {
    slack_ok(send_json(req).await?)
}

/// The Graph API reports an expired, invalid or revoked access token as error code 190 (HTTP 400 or 401):
/// that is `Unauthorized`, whatever the status.
pub fn meta_error(e: ProviderError) -> ProviderError {
    match e {
        ProviderError::Rejected { message, .. } if message.starts_with("OAuthException (190)") => {
            ProviderError::Unauthorized(message)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_and_bodies_reduced_to_their_error_name() {
        let e = ProviderError::from_status(
            StatusCode::BAD_REQUEST,
            None,
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
        );
        assert!(
            matches!(e, ProviderError::InvalidGrant(ref m) if m.contains("expired or revoked")),
            "{e:?}"
        );
        let e = ProviderError::from_status(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(7)), "");
        assert!(matches!(e, ProviderError::RateLimited { retry_after } if retry_after.as_secs() == 7));
        assert!(e.is_transient());
        let e = ProviderError::from_status(
            StatusCode::UNAUTHORIZED,
            None,
            r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#,
        );
        assert!(
            matches!(e, ProviderError::Unauthorized(ref m) if m.starts_with("UNAUTHENTICATED")),
            "{e:?}"
        );
        let e = ProviderError::from_status(StatusCode::BAD_GATEWAY, None, "<html>");
        assert!(matches!(e, ProviderError::Unavailable(_)));
    }
}
