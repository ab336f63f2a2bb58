//! OAuth 2.0 with the `oauth2` crate: the authorization URL (PKCE S256 and a signed, session-bound,
//! single-use state that expires in 10 minutes), the code exchange, refresh, and revocation, per provider.
//!
//! The `state` sent to the provider is `{id}.{mac}`: `id` names the `oauth_state` row (who started it, the
//! PKCE verifier), `mac` is HMAC-SHA256 (ring) under `AOS_OAUTH_STATE_SECRET` of the id, the session and
//! the provider. A state that was altered, belongs to another session, was used, or expired is refused
//! before anything is written.

use std::time::Duration;

use audienceos_shared::integrations::IntegrationProvider;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicRequestTokenError};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, TokenResponse as _, TokenUrl,
};
use ring::hmac;
use secrecy::ExposeSecret as _;
use uuid::Uuid;

use super::crypto::SecretToken;
use super::endpoints::{self, Endpoints};
use super::provider::{send_json, ProviderError};
use crate::config::{ProviderSettings, Settings};

// Every function here takes the provider settings `super::credentials::resolve` chose for the agency: the
// server's OAuth app, or the agency's own.

/// How long a started authorization may be completed.
pub const STATE_TTL: chrono::Duration = chrono::Duration::minutes(10);

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Tokens a provider handed out.
pub struct Grant {
    pub access_token: SecretToken,
    pub refresh_token: Option<SecretToken>,
    pub expires_at: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The redirect URI registered with every provider.
pub fn redirect_uri(settings: &Settings) -> String {
    format!(
        "{}/api/v1/oauth/callback",
        settings.public_url.as_str().trim_end_matches('/')
    )
}

fn client(provider: IntegrationProvider, p: &ProviderSettings, redirect: &str) -> Result<Client, ProviderError> {
    let (Some(id), Some(secret)) = (&p.client_id, &p.client_secret) else {
        return Err(ProviderError::NotConfigured);
    };
    let ep = Endpoints::of(provider, p);
    let url_err = |e: url::ParseError| ProviderError::Internal(anyhow::anyhow!("bad provider URL: {e}"));
    Ok(BasicClient::new(ClientId::new(id.clone()))
        .set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()))
        .set_auth_uri(AuthUrl::new(ep.authorize).map_err(url_err)?)
        .set_token_uri(TokenUrl::new(ep.token).map_err(url_err)?)
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(url_err)?)
        // Every provider here accepts the client credentials in the form body; Slack and Meta want them there.
        .set_auth_type(AuthType::RequestBody))
}

/// The signed `state` parameter for the authorization `id` started in `session` for `provider`.
pub fn sign_state(key: &[u8], id: Uuid, session: Uuid, provider: IntegrationProvider) -> String {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&k, state_message(id, session, provider).as_bytes());
    format!(
        "{id}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
    )
}

/// The id of a well-formed state (not yet verified).
pub fn state_id(state: &str) -> Option<Uuid> {
    let (id, mac) = state.split_once('.')?;
    (!mac.is_empty()).then_some(())?;
    id.parse().ok()
}

/// Whether `state` is exactly what [`sign_state`] gives for these values (constant-time).
pub fn verify_state(key: &[u8], state: &str, session: Uuid, provider: IntegrationProvider) -> bool {
    let Some((id, mac)) = state.split_once('.') else {
        return false;
    };
    let (Ok(id), Ok(tag)) = (
        id.parse::<Uuid>(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(mac),
    ) else {
        return false;
    };
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, state_message(id, session, provider).as_bytes(), &tag).is_ok()
}

fn state_message(id: Uuid, session: Uuid, provider: IntegrationProvider) -> String {
    format!("oauth_state\0{id}\0{session}\0{}", provider.as_str())
}

/// An authorization URL and the PKCE verifier to keep server-side.
pub struct Authorization {
    pub url: String,
    pub pkce_verifier: String,
}

/// The consent page URL for `provider` with `state`, PKCE S256 and the provider's scope conventions.
pub fn authorize_url(
    settings: &Settings,
    p: &ProviderSettings,
    provider: IntegrationProvider,
    state: String,
) -> Result<Authorization, ProviderError> {
    let client = client(provider, p, &redirect_uri(settings))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let scopes = endpoints::scopes(provider);
    let mut req = client
        .authorize_url(|| CsrfToken::new(state))
        .set_pkce_challenge(challenge);
    req = match provider {
        IntegrationProvider::Gmail | IntegrationProvider::GoogleAds => req
            .add_scopes(scopes.iter().map(|s| oauth2::Scope::new((*s).to_owned())))
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent")
            .add_extra_param("include_granted_scopes", "true"),
        // Slack and Meta take a comma-separated `scope`.
        IntegrationProvider::Slack | IntegrationProvider::MetaAds => req.add_extra_param("scope", scopes.join(",")),
    };
    let (url, _) = req.url();
    Ok(Authorization {
        url: url.to_string(),
        pkce_verifier: verifier.secret().to_owned(),
    })
}

/// Exchange an authorization code (with its PKCE verifier) for tokens.
pub async fn exchange_code(
    http: &reqwest::Client,
    p: &ProviderSettings,
    provider: IntegrationProvider,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> Result<Grant, ProviderError> {
    let client = client(provider, p, redirect)?;
    let res = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(http)
        .await;
    let grant = grant(res)?;
    match provider {
        // Meta's code gives a short-lived token; trade it for the long-lived one (about 60 days).
        IntegrationProvider::MetaAds => meta_exchange(http, p, &grant.access_token).await,
        _ => Ok(grant),
    }
}

/// Refresh: the refresh token (Google, Slack with rotation), or Meta's `fb_exchange_token` with the
/// current long-lived token.
pub async fn refresh(
    http: &reqwest::Client,
    settings: &Settings,
    p: &ProviderSettings,
    provider: IntegrationProvider,
    access: &SecretToken,
    refresh: Option<&SecretToken>,
) -> Result<Grant, ProviderError> {
    if provider == IntegrationProvider::MetaAds {
        return meta_exchange(http, p, access).await;
    }
    let Some(refresh) = refresh else {
        return Err(ProviderError::InvalidGrant("no refresh token was granted".into()));
    };
    let client = client(provider, p, &redirect_uri(settings))?;
    let res = client
        .exchange_refresh_token(&RefreshToken::new(refresh.expose().to_owned()))
        .request_async(http)
        .await;
    grant(res)
}

async fn meta_exchange(
    http: &reqwest::Client,
    p: &ProviderSettings,
    token: &SecretToken,
) -> Result<Grant, ProviderError> {
    #[derive(serde::Deserialize)]
    struct Long {
        access_token: String,
        expires_in: Option<i64>,
    }
    let ep = Endpoints::of(IntegrationProvider::MetaAds, p);
    let (Some(id), Some(secret)) = (&p.client_id, &p.client_secret) else {
        return Err(ProviderError::NotConfigured);
    };
    let res: Result<Long, ProviderError> = send_json(http.get(&ep.token).query(&[
        ("grant_type", "fb_exchange_token"),
        ("client_id", id.as_str()),
        ("client_secret", secret.expose_secret()),
        ("fb_exchange_token", token.expose()),
    ]))
    .await;
    let long = match res {
        Ok(l) => l,
        // Graph answers 400 OAuthException (code 190) for an expired or revoked token: reconnect.
        Err(ProviderError::Rejected { status: 400, message }) => return Err(ProviderError::InvalidGrant(message)),
        Err(e) => return Err(e),
    };
    Ok(Grant {
        access_token: SecretToken::new(long.access_token),
        refresh_token: None,
        expires_at: long
            .expires_in
            .map(|s| crate::clock::system_now() + chrono::Duration::seconds(s)),
        scopes: Vec::new(),
    })
}

fn grant(
    res: Result<oauth2::basic::BasicTokenResponse, BasicRequestTokenError<oauth2::HttpClientError<reqwest::Error>>>,
) -> Result<Grant, ProviderError> {
    match res {
        Ok(t) => Ok(Grant {
            access_token: SecretToken::new(t.access_token().secret().to_owned()),
            refresh_token: t.refresh_token().map(|r| SecretToken::new(r.secret().to_owned())),
            expires_at: t
                .expires_in()
                .map(|d| crate::clock::system_now() + chrono::Duration::from_std(d).unwrap_or_default()),
            scopes: t
                .scopes()
                .map(|s| {
                    s.iter()
                        .flat_map(|s| s.split([',', ' ']).map(str::to_owned).collect::<Vec<_>>())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }),
        Err(oauth2::RequestTokenError::ServerResponse(e)) => {
            let name = match e.error() {
                BasicErrorResponseType::Extension(s) => s.clone(),
                other => other.as_ref().to_owned(),
            };
            let detail = e.error_description().map(|d| format!("{name}: {d}")).unwrap_or(name);
            Err(match e.error() {
                BasicErrorResponseType::InvalidGrant => ProviderError::InvalidGrant(detail),
                _ => ProviderError::Rejected {
                    status: 400,
                    message: detail,
                },
            })
        }
        // Slack answers errors with 200 `{"ok": false, "error": "..."}`, which is no token response.
        Err(oauth2::RequestTokenError::Parse(_, body)) => {
            let name = super::provider::error_name(&String::from_utf8_lossy(&body));
            Err(if is_grant_error(&name) {
                ProviderError::InvalidGrant(name)
            } else if name.contains("ratelimited") {
                ProviderError::RateLimited {
                    retry_after: Duration::from_secs(30),
                }
            } else {
                ProviderError::Rejected {
                    status: 200,
                    message: name,
                }
            })
        }
        Err(oauth2::RequestTokenError::Request(e)) => Err(match e {
            oauth2::HttpClientError::Reqwest(e) => ProviderError::from_transport(&e),
            other => ProviderError::Unavailable(other.to_string()),
        }),
        Err(oauth2::RequestTokenError::Other(s)) => {
            // A 5xx or an unexpected status from the token endpoint.
            Err(ProviderError::Unavailable(s.chars().take(200).collect()))
        }
    }
}

fn is_grant_error(name: &str) -> bool {
    [
        "invalid_grant",
        "invalid_refresh_token",
        "token_revoked",
        "invalid_code",
        "code_already_used",
        "token_expired",
    ]
    .iter()
    .any(|e| name.starts_with(e))
}

/// Revoke a token at the provider. Meta has no revocation of a user token short of removing the app
/// permission, so it is a no-op there (the token is deleted on our side either way).
pub async fn revoke(
    http: &reqwest::Client,
    p: &ProviderSettings,
    provider: IntegrationProvider,
    token: &SecretToken,
) -> Result<(), ProviderError> {
    let ep = Endpoints::of(provider, p);
    let Some(url) = ep.revoke else { return Ok(()) };
    let req = match provider {
        IntegrationProvider::Slack => http.post(&url).bearer_auth(token.expose()),
        _ => http.post(&url).form(&[("token", token.expose())]),
    };
    let res = req
        .timeout(super::provider::CALL_TIMEOUT)
        .send()
        .await
        .map_err(|e| ProviderError::from_transport(&e))?;
    let status = res.status();
    // Google answers 400 invalid_token for a token that is already revoked or expired: gone is what we want.
    if status.is_success() || status.as_u16() == 400 {
        return Ok(());
    }
    let after = super::provider::retry_after(res.headers());
    let body = res.text().await.unwrap_or_default();
    Err(ProviderError::from_status(status, after, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_verifies_only_for_its_session_and_provider_and_unaltered() {
        let key = [7u8; 32];
        let (id, session) = (Uuid::now_v7(), Uuid::now_v7());
        let s = sign_state(&key, id, session, IntegrationProvider::Gmail);
        assert_eq!(state_id(&s), Some(id));
        assert!(verify_state(&key, &s, session, IntegrationProvider::Gmail));
        assert!(!verify_state(&key, &s, Uuid::now_v7(), IntegrationProvider::Gmail));
        assert!(!verify_state(&key, &s, session, IntegrationProvider::Slack));
        assert!(!verify_state(&[8u8; 32], &s, session, IntegrationProvider::Gmail));
        let mut tampered = s.clone();
        tampered.pop();
        tampered.push(if s.ends_with('A') { 'B' } else { 'A' });
        assert!(!verify_state(&key, &tampered, session, IntegrationProvider::Gmail));
        assert_eq!(state_id("nonsense"), None);
    }
}
