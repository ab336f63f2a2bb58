//! The one HTTP server of the provider fakes (Google, Slack, Meta, and DataForSEO beside them) and what
//! every provider shares: the state, call recording, fault injection and delays (one middleware in front
//! of every provider scope), the `/_fake/` control endpoints, and the library handle [`ProviderFakes`].
//! Provider behaviour lives in [`crate::google`], [`crate::slack`] and [`crate::meta`]; OAuth grants and
//! tokens in [`crate::oauth`].

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::Context as _;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::demo::Demo;
use crate::oauth::{OAuthClient, OAuthState};
use crate::{dataforseo, google, meta, slack};

/// The providers served under their own path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Google,
    Slack,
    Meta,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Google, Provider::Slack, Provider::Meta];

    /// The path prefix every route of the provider hangs off.
    pub fn prefix(self) -> &'static str {
        match self {
            Provider::Google => "/google",
            Provider::Slack => "/slack",
            Provider::Meta => "/meta",
        }
    }

    fn of_path(path: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| path == p.prefix() || path.starts_with(&format!("{}/", p.prefix())))
    }

    /// The body of an injected fault, in the provider's own error shape.
    fn fault_body(self, status: StatusCode) -> Value {
        match self {
            Provider::Google => google::fault_body(status),
            Provider::Slack => slack::fault_body(status),
            Provider::Meta => meta::fault_body(status),
        }
    }
}

/// One request a provider received (control endpoints are not recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub provider: Provider,
    pub method: String,
    /// The matched route, e.g. `/google/gmail/v1/users/{user}/messages/{id}`, or the raw path when none matched.
    pub endpoint: String,
    pub path: String,
    pub status: u16,
}

/// A fault for the next `count` calls of a provider (whose path starts with `path_prefix`, when given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub provider: Provider,
    /// Matched against the path after the provider prefix, e.g. `/gmail/v1/users/me/messages` or `/api/auth.test`.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// `429`, `500`, `503`, ...
    pub status: u16,
    pub count: usize,
    /// Seconds, sent as `Retry-After` with 429 and 503.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

/// Everything that changes while the fakes run; [`ProviderFakes::reset`] puts it back to the seed.
#[derive(Debug)]
pub(crate) struct Inner {
    pub calls: Vec<Call>,
    pub faults: Vec<Fault>,
    pub delays: HashMap<Provider, u64>,
    /// Access-token lifetimes set through `/_fake/token-lifetime`, over the configured ones.
    pub lifetimes: HashMap<Provider, u64>,
    pub oauth: OAuthState,
    pub google: google::GoogleData,
    pub slack: slack::SlackData,
    pub meta: meta::MetaData,
    /// The demo data set, served to the demo account only.
    pub demo: Option<Demo>,
}

impl Inner {
    fn seeded(config: &Config) -> Inner {
        let mut google = google::GoogleData::seeded(config);
        let epoch = config.demo_epoch.unwrap_or_else(|| chrono::Utc::now().timestamp());
        let every = config.demo_live_every.map(|d| d.as_secs() as i64);
        let demo = config
            .demo_account
            .as_deref()
            .map(|account| Demo::seeded(account, &mut google, epoch, every));
        Inner {
            calls: Vec::new(),
            faults: Vec::new(),
            delays: HashMap::new(),
            lifetimes: HashMap::new(),
            oauth: OAuthState::default(),
            google,
            slack: slack::SlackData::seeded(),
            meta: meta::MetaData::seeded(),
            demo,
        }
    }

    /// The demo data when `account` (a token's account) is the demo account.
    fn demo_of(&self, account: &str) -> Option<&Demo> {
        self.demo
            .as_ref()
            .filter(|d| d.account.eq_ignore_ascii_case(account.trim()))
    }

    /// The Slack workspace `account` sees.
    pub fn slack_of(&self, account: &str) -> &slack::SlackData {
        self.demo_of(account).map_or(&self.slack, |d| &d.slack)
    }

    pub fn slack_of_mut(&mut self, account: &str) -> &mut slack::SlackData {
        let is_demo = self.demo_of(account).is_some();
        match &mut self.demo {
            Some(d) if is_demo => &mut d.slack,
            _ => &mut self.slack,
        }
    }

    /// The Meta ad accounts `account` sees.
    pub fn meta_of(&self, account: &str) -> &meta::MetaData {
        self.demo_of(account).map_or(&self.meta, |d| &d.meta)
    }

    /// The Google Ads campaign days of the customers `account` can access.
    pub fn ads_of(&self, account: &str) -> &[google::AdsRow] {
        self.demo_of(account).map_or(self.google.ads(), |d| &d.ads)
    }

    /// Every Slack post accepted, the default workspace's then the demo's.
    pub fn slack_posts(&self) -> Vec<slack::SlackPost> {
        let mut posts = self.slack.posts().to_vec();
        if let Some(d) = &self.demo {
            posts.extend_from_slice(d.slack.posts());
        }
        posts
    }

    /// The next live message of the demo arrives at `at` (Unix seconds, now when `None`); false when there
    /// is no demo or nothing left to send.
    fn demo_live(&mut self, at: Option<i64>) -> bool {
        let Inner { demo, google, .. } = self;
        let at = at.unwrap_or_else(|| chrono::Utc::now().timestamp());
        demo.as_mut().is_some_and(|d| d.next_live(google, at))
    }
}

/// What the fakes were started with.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub clients: HashMap<Provider, OAuthClient>,
    /// Lifetime of issued access tokens, per provider.
    pub expires_in: HashMap<Provider, u64>,
    /// The Google mailbox (and Slack/Meta user) a consent page signs in as unless the form names another.
    pub default_account: String,
    pub developer_token: Option<String>,
    /// The account the demo data set is served to ([`crate::demo`]); none: no demo data.
    pub demo_account: Option<String>,
    /// How often a live demo message arrives (none: never).
    pub demo_live_every: Option<Duration>,
    /// When the demo started (Unix seconds; default: when the fakes start): its data's ages count back
    /// from it and its live messages are due after it.
    pub demo_epoch: Option<i64>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    inner: Mutex<Inner>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn client(&self, provider: Provider) -> &OAuthClient {
        &self.config.clients[&provider]
    }

    pub fn expires_in(&self, provider: Provider) -> u64 {
        let set = self.lock().lifetimes.get(&provider).copied();
        set.unwrap_or(self.config.expires_in[&provider])
    }

    fn take_fault(&self, provider: Provider, rest: &str) -> Option<Fault> {
        let mut inner = self.lock();
        let fault = inner.faults.iter_mut().find(|f| {
            f.count > 0 && f.provider == provider && f.path_prefix.as_deref().is_none_or(|p| rest.starts_with(p))
        })?;
        fault.count -= 1;
        let taken = fault.clone();
        inner.faults.retain(|f| f.count > 0);
        Some(taken)
    }
}

pub(crate) type Data = web::Data<Shared>;

/// Options for [`ProviderFakes`].
#[derive(Debug, Clone)]
pub struct ProviderFakesBuilder {
    config: Config,
    seo: dataforseo::SeoFakeBuilder,
}

impl Default for ProviderFakesBuilder {
    fn default() -> Self {
        let clients = Provider::ALL
            .into_iter()
            .map(|p| {
                let name = format!("{p:?}").to_lowercase();
                (
                    p,
                    OAuthClient::new(format!("{name}-client-id"), format!("{name}-client-secret")),
                )
            })
            .collect();
        let expires_in = [
            (Provider::Google, 3599),
            (Provider::Slack, 43_200),
            (Provider::Meta, 7200),
        ]
        .into();
        Self {
            config: Config {
                clients,
                expires_in,
                default_account: "owner@agency.test".into(),
                developer_token: None,
                demo_account: None,
                demo_live_every: None,
                demo_epoch: None,
            },
            seo: dataforseo::SeoFakeBuilder::default(),
        }
    }
}

impl ProviderFakesBuilder {
    /// The OAuth client (id and secret) the provider accepts; defaults `google-client-id`/`google-client-secret`, ...
    pub fn client(mut self, provider: Provider, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.config
            .clients
            .insert(provider, OAuthClient::new(id.into(), secret.into()));
        self
    }

    /// Only these redirect URIs are accepted (by default any http(s) URI is).
    pub fn redirect_uris(mut self, provider: Provider, uris: &[&str]) -> Self {
        if let Some(c) = self.config.clients.get_mut(&provider) {
            c.redirect_uris = uris.iter().map(|u| (*u).to_owned()).collect();
        }
        self
    }

    /// Seconds an access token of `provider` lives.
    pub fn expires_in(mut self, provider: Provider, secs: u64) -> Self {
        self.config.expires_in.insert(provider, secs);
        self
    }

    /// The account the consent pages sign in as (the Gmail mailbox), default `owner@agency.test`.
    pub fn account(mut self, email: impl Into<String>) -> Self {
        self.config.default_account = email.into();
        self
    }

    /// Require exactly this Google Ads `developer-token` (by default any non-empty one passes).
    pub fn developer_token(mut self, token: impl Into<String>) -> Self {
        self.config.developer_token = Some(token.into());
        self
    }

    /// Load the demo data set ([`crate::demo`]) for `account`: its Gmail mailbox, and the demo Slack
    /// workspace, Google Ads customers and Meta ad accounts for tokens granted to it.
    pub fn demo(mut self, account: impl Into<String>) -> Self {
        self.config.demo_account = Some(account.into());
        self
    }

    /// With [`ProviderFakesBuilder::demo`]: one more client message arrives in the demo every `every`
    /// (a mail or a Slack message, ten in all), so a running demo has news for its syncs.
    pub fn demo_live_every(mut self, every: Duration) -> Self {
        self.config.demo_live_every = Some(every);
        self
    }

    /// With [`ProviderFakesBuilder::demo`]: the demo's data is as it stood at `secs` (Unix seconds) and its
    /// live messages fall due after it, so fakes restarted with the same epoch serve the same messages with
    /// the same ids and times (and the ones due meanwhile). Default: when the fakes start.
    pub fn demo_epoch(mut self, secs: i64) -> Self {
        self.config.demo_epoch = Some(secs);
        self
    }

    /// The DataForSEO fake served beside the providers under `/dataforseo`.
    pub fn dataforseo(mut self, seo: dataforseo::SeoFakeBuilder) -> Self {
        self.seo = seo;
        self
    }

    /// Binds `addr` (port 0 picks a free port) and serves until the handle is dropped; inside a Tokio runtime.
    pub fn start(self, addr: &str) -> anyhow::Result<ProviderFakes> {
        let live_every = self
            .config
            .demo_live_every
            .filter(|_| self.config.demo_account.is_some());
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::seeded(&self.config)),
            config: self.config,
        });
        let data = web::Data::from(Arc::clone(&shared));
        let seo = self.seo.into_scope();
        let server = serve_http("provider", addr, move |cfg| {
            cfg.app_data(data.clone())
                .service(seo())
                .service(control_scope())
                .service(google::scope().wrap(from_fn(gate)))
                .service(slack::scope().wrap(from_fn(gate)))
                .service(meta::scope().wrap(from_fn(gate)));
        })?;
        // `serve_http` checked that there is a runtime.
        let ticker = live_every.and_then(|_| {
            let shared = Arc::clone(&shared);
            let runtime = tokio::runtime::Handle::try_current().ok()?;
            Some(runtime.spawn(async move {
                // Each live message at its time on the demo's schedule (those due before the start are in).
                loop {
                    let due = shared.lock().demo.as_ref().and_then(Demo::next_due);
                    let Some(due) = due else { break };
                    let wait = due - chrono::Utc::now().timestamp();
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_secs(wait as u64)).await;
                    }
                    if !shared.lock().demo_live(Some(due)) {
                        break;
                    }
                    tracing::info!("a live demo message arrived");
                }
            }))
        });
        Ok(ProviderFakes { shared, server, ticker })
    }
}

/// A running HTTP fake server; it stops when dropped.
#[derive(Debug)]
pub(crate) struct HttpHandle {
    addr: SocketAddr,
    handle: ServerHandle,
}

impl HttpHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for HttpHandle {
    fn drop(&mut self) {
        let stop = self.handle.stop(false);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(stop);
        }
    }
}

/// Binds `addr` and serves what `configure` mounts until the handle is dropped; needs a Tokio runtime.
pub(crate) fn serve_http(
    name: &str,
    addr: &str,
    configure: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
) -> anyhow::Result<HttpHandle> {
    let runtime = tokio::runtime::Handle::try_current()
        .with_context(|| format!("the {name} fake must be started inside a Tokio runtime"))?;
    let listener = std::net::TcpListener::bind(addr).with_context(|| format!("binding the {name} fake to {addr}"))?;
    let local_addr = listener.local_addr()?;
    let server = {
        let _guard = runtime.enter();
        HttpServer::new(move || App::new().configure(&configure))
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(listener)?
            .run()
    };
    let handle = server.handle();
    runtime.spawn(server);
    tracing::debug!(addr = %local_addr, "{name} fake listening");
    Ok(HttpHandle {
        addr: local_addr,
        handle,
    })
}

/// The running provider fakes; they stop when dropped.
#[derive(Debug)]
pub struct ProviderFakes {
    shared: Arc<Shared>,
    server: HttpHandle,
    /// Adds the demo's live messages ([`ProviderFakesBuilder::demo_live_every`]).
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for ProviderFakes {
    fn drop(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
    }
}

impl ProviderFakes {
    pub fn builder() -> ProviderFakesBuilder {
        ProviderFakesBuilder::default()
    }

    /// Starts the fakes with the defaults on `addr`.
    pub fn start(addr: &str) -> anyhow::Result<ProviderFakes> {
        ProviderFakesBuilder::default().start(addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://<addr>`; control endpoints are under `{base_url}/_fake/`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The provider's base (`AOS_GOOGLE_API_BASE`, ...): Google `{base}/google` (the googleapis hosts and
    /// accounts.google.com), Slack `{base}/slack/api` (`https://slack.com/api`), Meta `{base}/meta`
    /// (`https://graph.facebook.com` and `www.facebook.com`).
    pub fn api_base(&self, provider: Provider) -> String {
        match provider {
            Provider::Slack => format!("{}/slack/api", self.base_url()),
            p => format!("{}{}", self.base_url(), p.prefix()),
        }
    }

    /// The DataForSEO base (`AOS_SEO_API_BASE`).
    pub fn dataforseo_base(&self) -> String {
        format!("{}{}", self.base_url(), dataforseo::PREFIX)
    }

    pub fn client(&self, provider: Provider) -> (String, String) {
        let c = self.shared.client(provider);
        (c.id.clone(), c.secret.clone())
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.shared.lock())
    }

    /// Calls of `provider` so far (all providers when `None`), oldest first.
    pub fn calls(&self, provider: Option<Provider>) -> Vec<Call> {
        self.with(|i| {
            i.calls
                .iter()
                .filter(|c| provider.is_none_or(|p| c.provider == p))
                .cloned()
                .collect()
        })
    }

    /// How many calls hit the matched route `endpoint` (e.g. `/slack/api/{method}` is per method: see [`Call::path`]).
    pub fn call_count(&self, provider: Provider, path: &str) -> usize {
        self.calls(Some(provider)).iter().filter(|c| c.path == path).count()
    }

    /// Refresh-token grants (successful or not) the provider's token endpoint received.
    pub fn refresh_calls(&self, provider: Provider) -> usize {
        self.with(|i| i.oauth.refresh_calls(provider))
    }

    /// Tokens revoked through the provider's revoke endpoint.
    pub fn revocations(&self, provider: Provider) -> Vec<String> {
        self.with(|i| i.oauth.revocations(provider))
    }

    /// Queue a fault; faults apply in the order they were added.
    pub fn inject(&self, fault: Fault) {
        self.with(|i| i.faults.push(fault));
    }

    /// Every answer of `provider` waits this long first.
    pub fn set_delay(&self, provider: Provider, delay: Duration) {
        self.with(|i| i.delays.insert(provider, delay.as_millis() as u64));
    }

    /// Every access token issued so far by `provider` is expired from now on.
    pub fn expire_tokens(&self, provider: Provider) {
        self.with(|i| i.oauth.expire(provider, None));
    }

    /// Expires one access token now.
    pub fn expire_token(&self, provider: Provider, token: &str) {
        self.with(|i| i.oauth.expire(provider, Some(token)));
    }

    /// Access tokens issued from now on live `secs` seconds (until [`ProviderFakes::reset`]).
    pub fn set_token_lifetime(&self, provider: Provider, secs: u64) {
        self.with(|i| i.lifetimes.insert(provider, secs));
    }

    /// The user withdrew consent: every grant of `provider` is revoked (refresh answers `invalid_grant`).
    pub fn revoke_consent(&self, provider: Provider) {
        self.with(|i| i.oauth.revoke_all(provider));
    }

    /// The next live message of the demo arrives now (as [`ProviderFakesBuilder::demo_live_every`] does
    /// on its own); false without a demo or when all have arrived.
    pub fn demo_live_now(&self) -> bool {
        self.with(|i| i.demo_live(None))
    }

    /// Back to the seed: no calls, faults, delays, tokens; the default mailboxes, channels and campaigns.
    pub fn reset(&self) {
        *self.shared.lock() = Inner::seeded(&self.shared.config);
    }
}

/// In front of every provider scope: the delay, then an injected fault or the handler, then the record.
async fn gate(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(provider) = Provider::of_path(req.path()) else {
        return next.call(req).await;
    };
    let shared = req
        .app_data::<Data>()
        .cloned()
        .ok_or_else(|| actix_web::error::ErrorInternalServerError("provider state missing"))?;
    let path = req.path().to_owned();
    let method = req.method().to_string();
    let delay = shared.lock().delays.get(&provider).copied().unwrap_or(0);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let res = match shared.take_fault(provider, &path[provider.prefix().len()..]) {
        Some(fault) => req.into_response(fault_response(provider, &fault)),
        None => next.call(req).await?.map_into_boxed_body(),
    };
    let endpoint = res.request().match_pattern().unwrap_or_else(|| path.clone());
    shared.lock().calls.push(Call {
        provider,
        method,
        endpoint,
        path,
        status: res.status().as_u16(),
    });
    Ok(res)
}

fn fault_response(provider: Provider, fault: &Fault) -> HttpResponse {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = HttpResponse::build(status).json(provider.fault_body(status));
    if let Some(secs) = fault.retry_after.filter(|_| matches!(status.as_u16(), 429 | 503)) {
        res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

fn control_scope() -> actix_web::Scope {
    web::scope("/_fake")
        .route("/faults", web::post().to(control_fault))
        .route("/delay", web::post().to(control_delay))
        .route("/expire-tokens", web::post().to(control_expire_tokens))
        .route("/revoke-consent", web::post().to(control_revoke_consent))
        .route("/token-lifetime", web::post().to(control_token_lifetime))
        .route("/calls", web::get().to(control_calls))
        .route("/reset", web::post().to(control_reset))
        .route("/demo/live", web::post().to(control_demo_live))
        .configure(google::control)
        .configure(slack::control)
        .configure(meta::control)
}

#[derive(Deserialize)]
struct ProviderQuery {
    provider: Option<Provider>,
}

#[derive(Deserialize)]
struct ProviderBody {
    provider: Provider,
}

#[derive(Deserialize)]
struct ExpireBody {
    provider: Provider,
    /// Only this access token; all of the provider's when absent.
    token: Option<String>,
}

#[derive(Deserialize)]
struct LifetimeBody {
    provider: Provider,
    secs: u64,
}

#[derive(Deserialize)]
struct DelayBody {
    provider: Provider,
    ms: u64,
}

async fn control_fault(shared: Data, fault: web::Json<Fault>) -> HttpResponse {
    shared.lock().faults.push(fault.into_inner());
    HttpResponse::NoContent().finish()
}

async fn control_delay(shared: Data, body: web::Json<DelayBody>) -> HttpResponse {
    shared.lock().delays.insert(body.provider, body.ms);
    HttpResponse::NoContent().finish()
}

async fn control_expire_tokens(shared: Data, body: web::Json<ExpireBody>) -> HttpResponse {
    shared.lock().oauth.expire(body.provider, body.token.as_deref());
    HttpResponse::NoContent().finish()
}

async fn control_token_lifetime(shared: Data, body: web::Json<LifetimeBody>) -> HttpResponse {
    shared.lock().lifetimes.insert(body.provider, body.secs);
    HttpResponse::NoContent().finish()
}

async fn control_revoke_consent(shared: Data, body: web::Json<ProviderBody>) -> HttpResponse {
    shared.lock().oauth.revoke_all(body.provider);
    HttpResponse::NoContent().finish()
}

/// `{counts: {"GET /google/gmail/v1/users/{user}/profile": 2, ..}, refresh_calls: {google: 1, ..}, revocations, calls: [..]}`.
async fn control_calls(shared: Data, query: web::Query<ProviderQuery>) -> HttpResponse {
    let inner = shared.lock();
    let calls: Vec<&Call> = inner
        .calls
        .iter()
        .filter(|c| query.provider.is_none_or(|p| c.provider == p))
        .collect();
    let mut counts = BTreeMap::<String, usize>::new();
    for c in &calls {
        *counts.entry(format!("{} {}", c.method, c.endpoint)).or_default() += 1;
    }
    let providers: Vec<Provider> = Provider::ALL
        .into_iter()
        .filter(|p| query.provider.is_none_or(|q| q == *p))
        .collect();
    let refresh: BTreeMap<Provider, usize> = providers.iter().map(|p| (*p, inner.oauth.refresh_calls(*p))).collect();
    let revocations: BTreeMap<Provider, Vec<String>> =
        providers.iter().map(|p| (*p, inner.oauth.revocations(*p))).collect();
    HttpResponse::Ok().json(json!({
        "counts": counts,
        "refresh_calls": refresh,
        "revocations": revocations,
        "calls": calls,
    }))
}

/// `{"arrived": true}` when a live demo message arrived, false when there is no demo or none is left.
async fn control_demo_live(shared: Data) -> HttpResponse {
    let arrived = shared.lock().demo_live(None);
    HttpResponse::Ok().json(json!({ "arrived": arrived }))
}

async fn control_reset(shared: Data) -> HttpResponse {
    *shared.lock() = Inner::seeded(&shared.config);
    HttpResponse::NoContent().finish()
}

/// The parameters of a request from its query string and its form or JSON body (Slack and Meta take either).
pub(crate) fn params(req: &HttpRequest, body: &[u8]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    // client_secret_basic: the client id and secret in an HTTP Basic header.
    if let Some((id, secret)) = basic_auth(req) {
        out.entry("client_id".into()).or_insert(id);
        out.entry("client_secret".into()).or_insert(secret);
    }
    let is_json = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            for (k, v) in map {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(k, v);
            }
        }
    } else if let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
        out.extend(form);
    }
    out
}

fn basic_auth(req: &HttpRequest) -> Option<(String, String)> {
    let encoded = req
        .headers()
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    let (id, secret) = pair.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned())
}

/// `scheme://host` the client used, for absolute URLs in answers (Graph paging `next`).
pub(crate) fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// FNV-1a: stable ids and numbers across runs.
pub(crate) fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Days of seeded history before today, for ads and insights.
pub(crate) const SEED_DAYS: i64 = 60;

/// Today (UTC) as a calendar date.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Metrics that add up (one campaign's day, in Google Ads or Meta insights).
pub(crate) trait Summable: Clone {
    fn add(&mut self, other: &Self);
}

/// Rows grouped by `key`, each group summed into its first row.
pub(crate) fn sum_by<K: Ord, R: Summable>(rows: impl IntoIterator<Item = R>, key: impl Fn(&R) -> K) -> BTreeMap<K, R> {
    let mut grouped = BTreeMap::new();
    for r in rows {
        grouped.entry(key(&r)).and_modify(|g: &mut R| g.add(&r)).or_insert(r);
    }
    grouped
}

/// Replaces the item that is `same` as `item`, or appends it.
pub(crate) fn upsert<T>(items: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) {
    items.retain(|x| !same(x, &item));
    items.push(item);
}

/// `items[start..start + size]` and the offset of the next page, if there is one.
pub(crate) fn slice_page<T: Clone>(items: &[T], start: usize, size: usize) -> (Vec<T>, Option<usize>) {
    let end = start.saturating_add(size).min(items.len());
    let slice = items.get(start..end).unwrap_or_default().to_vec();
    (slice, (end < items.len()).then_some(end))
}

/// An opaque paging cursor (base64 of the offset), as Slack and the Graph API hand out.
pub(crate) fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("offset:{offset}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("offset:")?.parse().ok()
}
