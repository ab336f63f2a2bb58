//! OAuth 2.0 as every provider fake does it: clients, the consent page (Allow/Deny), authorization codes
//! with PKCE, grants, access tokens that expire, refresh tokens (rotating or not), revocation, and the
//! counters tests read. Each provider turns a `GrantError` or `TokenError` into its own error body.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::http::header::LOCATION;
use actix_web::HttpResponse;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::server::{hash, Provider, Shared};

/// An OAuth client registered with a provider.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub id: String,
    pub secret: String,
    /// Empty: any http(s) URI.
    pub redirect_uris: Vec<String>,
}

impl OAuthClient {
    pub(crate) fn new(id: String, secret: String) -> OAuthClient {
        OAuthClient {
            id,
            secret,
            redirect_uris: Vec::new(),
        }
    }

    fn redirect_ok(&self, uri: &str) -> bool {
        if self.redirect_uris.is_empty() {
            url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        } else {
            self.redirect_uris.iter().any(|u| u == uri)
        }
    }
}

/// Why a token endpoint call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantError {
    InvalidClient,
    /// Bad, used, expired or revoked code or refresh token; the text is Google's `error_description`.
    InvalidGrant(&'static str),
    RedirectMismatch,
    InvalidRequest(&'static str),
    UnsupportedGrantType,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    Missing,
    Invalid,
    Expired,
    Revoked,
}

/// What a successful token call hands out.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub scope: String,
}

/// Whom an access token belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub account: String,
}

#[derive(Debug, Clone)]
struct Code {
    provider: Provider,
    client_id: String,
    redirect_uri: String,
    scope: String,
    account: String,
    challenge: Option<(String, String)>,
    /// `access_type=offline` (Google): the exchange also hands out a refresh token.
    offline: bool,
    issued: Instant,
    /// The grant made from it; a second use revokes that grant (RFC 6749 section 4.1.2).
    grant: Option<u64>,
}

#[derive(Debug, Clone)]
struct Grant {
    provider: Provider,
    account: String,
    scope: String,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct Token {
    grant: u64,
    refresh: bool,
    expires_at: Option<Instant>,
    /// A rotated-out refresh token, or a revoked one.
    spent: bool,
}

#[derive(Debug)]
pub(crate) struct OAuthState {
    /// Random per state, so codes and tokens differ between runs and after a reset.
    salt: u64,
    next: u64,
    codes: HashMap<String, Code>,
    grants: HashMap<u64, Grant>,
    tokens: HashMap<String, Token>,
    refresh_calls: HashMap<Provider, usize>,
    revocations: Vec<(Provider, String)>,
}

const CODE_LIFETIME: Duration = Duration::from_secs(600);

impl Default for OAuthState {
    fn default() -> OAuthState {
        use std::hash::{BuildHasher as _, Hasher as _};
        OAuthState {
            salt: std::collections::hash_map::RandomState::new().build_hasher().finish(),
            next: 0,
            codes: HashMap::new(),
            grants: HashMap::new(),
            tokens: HashMap::new(),
            refresh_calls: HashMap::new(),
            revocations: Vec::new(),
        }
    }
}

impl OAuthState {
    fn fresh(&mut self, what: &str) -> String {
        self.next += 1;
        format!(
            "{:016x}{:04}",
            hash(&format!("{what}#{}#{}", self.salt, self.next)),
            self.next
        )
    }

    fn new_token(&mut self, provider: Provider, grant: u64, refresh: bool, expires_in: Option<u64>) -> String {
        let prefix = match (provider, refresh) {
            (Provider::Google, false) => "ya29.",
            (Provider::Google, true) => "1//",
            (Provider::Slack, false) => "xoxe.xoxb-1-",
            (Provider::Slack, true) => "xoxe-1-",
            (Provider::Meta, _) => "EAAG",
        };
        let token = format!("{prefix}{}", self.fresh("token"));
        let expires_at = expires_in.map(|s| Instant::now() + Duration::from_secs(s));
        self.tokens.insert(
            token.clone(),
            Token {
                grant,
                refresh,
                expires_at,
                spent: false,
            },
        );
        token
    }

    pub fn issue_code(&mut self, provider: Provider, req: &AuthRequest, account: &str) -> String {
        let code = format!("4/{}", self.fresh("code"));
        self.codes.insert(
            code.clone(),
            Code {
                provider,
                client_id: req.client_id.clone(),
                redirect_uri: req.redirect_uri.clone(),
                scope: req.scope.clone(),
                account: account.to_owned(),
                challenge: req.challenge.clone(),
                offline: req.offline,
                issued: Instant::now(),
                grant: None,
            },
        );
        code
    }

    fn grant_tokens(&mut self, provider: Provider, grant_id: u64, expires_in: u64, with_refresh: bool) -> Issued {
        let grant = self.grants[&grant_id].clone();
        let access_token = self.new_token(provider, grant_id, false, Some(expires_in));
        let refresh_token = with_refresh.then(|| self.new_token(provider, grant_id, true, None));
        Issued {
            access_token,
            refresh_token,
            expires_in,
            scope: grant.scope,
        }
    }

    /// The authorization-code grant: client, single-use code, same redirect URI, PKCE verifier. A refresh
    /// token comes with `with_refresh` (Slack) or when the authorization asked for `access_type=offline`.
    pub fn exchange_code(
        &mut self,
        provider: Provider,
        client: &OAuthClient,
        params: &HashMap<String, String>,
        expires_in: u64,
        with_refresh: bool,
    ) -> Result<Issued, GrantError> {
        check_client(client, params)?;
        let code_value = params
            .get("code")
            .ok_or(GrantError::InvalidRequest("Missing required parameter: code"))?;
        let Some(code) = self.codes.get_mut(code_value) else {
            return Err(GrantError::InvalidGrant("Malformed auth code."));
        };
        if code.provider != provider || code.client_id != client.id {
            return Err(GrantError::InvalidGrant("Malformed auth code."));
        }
        if let Some(grant) = code.grant {
            if let Some(g) = self.grants.get_mut(&grant) {
                g.revoked = true;
            }
            return Err(GrantError::InvalidGrant("Bad Request"));
        }
        if code.issued.elapsed() > CODE_LIFETIME {
            return Err(GrantError::InvalidGrant("Bad Request"));
        }
        // Slack only checks the redirect URI when the exchange sends one; Google and Meta require it.
        let lenient = provider == Provider::Slack && !params.contains_key("redirect_uri");
        if !lenient && params.get("redirect_uri") != Some(&code.redirect_uri) {
            return Err(GrantError::RedirectMismatch);
        }
        if let Some((challenge, method)) = &code.challenge {
            let verifier = params
                .get("code_verifier")
                .ok_or(GrantError::InvalidGrant("Missing code verifier."))?;
            if !pkce_matches(verifier, challenge, method) {
                return Err(GrantError::InvalidGrant("Invalid code verifier."));
            }
        }
        let grant = Grant {
            provider,
            account: code.account.clone(),
            scope: code.scope.clone(),
            revoked: false,
        };
        self.next += 1;
        let id = self.next;
        code.grant = Some(id);
        self.grants.insert(id, grant);
        let with_refresh = with_refresh || code.offline;
        Ok(self.grant_tokens(provider, id, expires_in, with_refresh))
    }

    /// The refresh-token grant; with `rotate` the old refresh token is spent and a new one handed out.
    pub fn refresh(
        &mut self,
        provider: Provider,
        client: &OAuthClient,
        params: &HashMap<String, String>,
        expires_in: u64,
        rotate: bool,
    ) -> Result<Issued, GrantError> {
        *self.refresh_calls.entry(provider).or_default() += 1;
        check_client(client, params)?;
        let value = params
            .get("refresh_token")
            .ok_or(GrantError::InvalidRequest("Missing required parameter: refresh_token"))?;
        let grant_id = match self.tokens.get(value) {
            Some(t) if t.refresh && !t.spent => t.grant,
            _ => return Err(GrantError::InvalidGrant("Token has been expired or revoked.")),
        };
        match self.grants.get(&grant_id) {
            Some(g) if g.provider == provider && !g.revoked => {}
            _ => return Err(GrantError::InvalidGrant("Token has been expired or revoked.")),
        }
        if rotate {
            if let Some(t) = self.tokens.get_mut(value) {
                t.spent = true;
            }
        }
        let mut issued = self.grant_tokens(provider, grant_id, expires_in, rotate);
        if !rotate {
            issued.refresh_token = None;
        }
        Ok(issued)
    }

    /// A new access token for the same grant (Meta's `fb_exchange_token`).
    pub fn exchange_token(&mut self, provider: Provider, token: &str, expires_in: u64) -> Result<Issued, TokenError> {
        self.principal(provider, Some(token))?;
        let grant = self.tokens[token].grant;
        Ok(self.grant_tokens(provider, grant, expires_in, false))
    }

    /// Whom a bearer token belongs to, or why it is refused.
    pub fn principal(&self, provider: Provider, token: Option<&str>) -> Result<Principal, TokenError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(TokenError::Missing)?;
        let t = self
            .tokens
            .get(token)
            .filter(|t| !t.refresh)
            .ok_or(TokenError::Invalid)?;
        let grant = self
            .grants
            .get(&t.grant)
            .filter(|g| g.provider == provider)
            .ok_or(TokenError::Invalid)?;
        if grant.revoked || t.spent {
            return Err(TokenError::Revoked);
        }
        if t.expires_at.is_some_and(|at| at <= Instant::now()) {
            return Err(TokenError::Expired);
        }
        Ok(Principal {
            account: grant.account.clone(),
        })
    }

    /// Revokes the grant behind `token` (access or refresh); false when the token is unknown.
    pub fn revoke(&mut self, provider: Provider, token: &str) -> bool {
        let Some(grant) = self.tokens.get(token).map(|t| t.grant) else {
            return false;
        };
        match self.grants.get_mut(&grant) {
            Some(g) if g.provider == provider && !g.revoked => {
                g.revoked = true;
                self.revocations.push((provider, token.to_owned()));
                true
            }
            _ => false,
        }
    }

    /// Expires the provider's access tokens now: all of them, or only `token`.
    pub fn expire(&mut self, provider: Provider, token: Option<&str>) {
        let now = Instant::now();
        let grants = &self.grants;
        for (value, t) in self.tokens.iter_mut() {
            let mine = grants.get(&t.grant).is_some_and(|g| g.provider == provider);
            if !t.refresh && mine && token.is_none_or(|x| x == value) {
                t.expires_at = Some(now);
            }
        }
    }

    pub fn revoke_all(&mut self, provider: Provider) {
        for g in self.grants.values_mut().filter(|g| g.provider == provider) {
            g.revoked = true;
        }
    }

    pub fn refresh_calls(&self, provider: Provider) -> usize {
        self.refresh_calls.get(&provider).copied().unwrap_or(0)
    }

    pub fn revocations(&self, provider: Provider) -> Vec<String> {
        self.revocations
            .iter()
            .filter(|(p, _)| *p == provider)
            .map(|(_, t)| t.clone())
            .collect()
    }
}

fn check_client(client: &OAuthClient, params: &HashMap<String, String>) -> Result<(), GrantError> {
    let id_ok = params.get("client_id") == Some(&client.id);
    let secret_ok = params.get("client_secret") == Some(&client.secret);
    if id_ok && secret_ok {
        Ok(())
    } else {
        Err(GrantError::InvalidClient)
    }
}

/// RFC 7636: `S256` is `BASE64URL(SHA256(verifier))` without padding; `plain` is the verifier itself.
pub(crate) fn pkce_matches(verifier: &str, challenge: &str, method: &str) -> bool {
    match method {
        "S256" => {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
        }
        "plain" => verifier == challenge,
        _ => false,
    }
}

/// A validated authorization request, carried through the consent form.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub challenge: Option<(String, String)>,
    pub offline: bool,
}

impl AuthRequest {
    /// Checks the client, redirect URI, `response_type=code` and the PKCE parameters.
    pub fn parse(
        client: &OAuthClient,
        params: &HashMap<String, String>,
        scope_key: &str,
    ) -> Result<AuthRequest, String> {
        let client_id = params.get("client_id").cloned().unwrap_or_default();
        if client_id != client.id {
            return Err("invalid_client: The OAuth client was not found.".into());
        }
        let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
        if !client.redirect_ok(&redirect_uri) {
            return Err("redirect_uri_mismatch: The redirect URI in the request does not match the ones authorized for the OAuth client.".into());
        }
        if params.get("response_type").is_some_and(|t| t != "code") {
            return Err("unsupported_response_type: Only response_type=code is supported.".into());
        }
        let challenge = match params.get("code_challenge") {
            Some(c) => {
                let method = params.get("code_challenge_method").map_or("plain", String::as_str);
                if !matches!(method, "S256" | "plain") || c.len() < 43 {
                    return Err("invalid_request: Invalid code_challenge or code_challenge_method.".into());
                }
                Some((c.clone(), method.to_owned()))
            }
            None => None,
        };
        Ok(AuthRequest {
            client_id,
            redirect_uri,
            scope: params.get(scope_key).cloned().unwrap_or_default(),
            state: params.get("state").cloned(),
            challenge,
            offline: params.get("access_type").is_some_and(|t| t == "offline"),
        })
    }
}

/// The consent page: the app, the account, the scopes, and Allow/Deny buttons posting back to `action`.
pub(crate) fn consent_page(
    provider_name: &str,
    account: &str,
    params: &HashMap<String, String>,
    scope_key: &str,
    action: &str,
) -> HttpResponse {
    let scopes: String = params
        .get(scope_key)
        .map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(|s| format!("<li>{}</li>", escape(s)))
                .collect()
        })
        .unwrap_or_default();
    let mut hidden: Vec<(&String, &String)> = params.iter().filter(|(k, _)| *k != "account").collect();
    hidden.sort();
    let hidden: String = hidden
        .into_iter()
        .map(|(k, v)| format!(r#"<input type="hidden" name="{}" value="{}">"#, escape(k), escape(v)))
        .collect();
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in with {provider} (fake)</title></head>
<body>
<main>
<h1>AudienceOS wants to access your {provider} account</h1>
<p>App: <strong>AudienceOS</strong> (client <code>{client}</code>)</p>
<form method="post" action="{action}">
{hidden}
<label>Account <input type="text" name="account" value="{account}"></label>
<p>This will allow AudienceOS to:</p>
<ul>{scopes}</ul>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</main>
</body></html>"#,
        provider = escape(provider_name),
        client = escape(params.get("client_id").map_or("", String::as_str)),
        action = escape(action),
        account = escape(account),
    );
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html)
}

/// The page shown for an authorization request that cannot redirect back (bad client or redirect URI).
pub(crate) fn error_page(message: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><title>Error</title></head><body><h1>Authorization Error</h1><p>Error 400: {}</p></body></html>",
            escape(message)
        ))
}

/// The Allow/Deny form post: issues a code and redirects back with it, or with `error=access_denied`.
pub(crate) fn decide(
    shared: &Shared,
    provider: Provider,
    form: &HashMap<String, String>,
    scope_key: &str,
    denied: &[(&str, &str)],
) -> HttpResponse {
    let req = match AuthRequest::parse(shared.client(provider), form, scope_key) {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    if form.get("decision").map(String::as_str) == Some("allow") {
        let account = form
            .get("account")
            .filter(|a| !a.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| shared.config.default_account.clone());
        let code = shared.lock().oauth.issue_code(provider, &req, account.trim());
        pairs.push(("code".into(), code));
    } else {
        pairs.extend(denied.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    }
    if let Some(state) = &req.state {
        pairs.push(("state".into(), state.clone()));
    }
    redirect_with(&req.redirect_uri, &pairs)
}

pub(crate) fn redirect_with(uri: &str, pairs: &[(String, String)]) -> HttpResponse {
    let Ok(mut url) = url::Url::parse(uri) else {
        return error_page("invalid redirect_uri");
    };
    url.query_pairs_mut().extend_pairs(pairs);
    HttpResponse::Found().insert_header((LOCATION, url.as_str())).finish()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
