//! Settings from `AOS_*` environment variables, validated once before anything binds.
//! Every problem is collected and reported together, each with how to fix it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::quota::{Quota, RouteClass};

/// Length in bytes of every generated secret.
pub const SECRET_LEN: usize = 32;

/// Connections in an API process's Postgres pool unless `AOS_DATABASE_POOL_SIZE` says otherwise. Requests
/// beyond it wait for a connection in the process rather than run at once inside Postgres: on a 2-core
/// database, 32 concurrent inbox lists over 8 connections had a lower p99 (every case at most 23 ms) and a
/// higher throughput than over 16, which contend for the same cores.
pub const DEFAULT_POSTGRES_POOL: u32 = 8;

/// Where the process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    pub fn is_production(self) -> bool {
        self == Environment::Production
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// A secret key of raw bytes; `Debug` prints nothing of it.
pub struct SecretKey(SecretBox<[u8]>);

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretBox::new(bytes.into_boxed_slice()))
    }
    pub fn expose(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl Clone for SecretKey {
    fn clone(&self) -> Self {
        Self::new(self.expose().to_vec())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

/// The process's secrets.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Keys session, CSRF, API key and reset token digests (HMAC-SHA256).
    pub session_key: SecretKey,
    /// Signs OAuth `state` values.
    pub oauth_state_key: SecretKey,
    /// AES-256-GCM key for provider tokens at rest; exactly 32 bytes. Every new write uses it.
    pub token_encryption_key: SecretKey,
    /// Id of `token_encryption_key`, recorded in each stored token (`AOS_TOKEN_ENCRYPTION_KEY_ID`).
    pub token_key_id: String,
    /// Earlier token keys `(id, key)` that still decrypt what they sealed (`AOS_TOKEN_ENCRYPTION_OLD_KEYS`).
    pub old_token_keys: Vec<(String, SecretKey)>,
}

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

/// One external provider's credentials and API base URL.
#[derive(Clone)]
pub struct ProviderSettings {
    pub name: &'static str,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    /// Base URL of the provider's API (overridable so tests and the demo point at `audienceos-fakes`).
    pub api_base: Url,
    /// Whether `api_base` was overridden (`AOS_<PROVIDER>_API_BASE`): then every endpoint of the provider,
    /// its OAuth consent page included, is served under it (as `audienceos-fakes` does) instead of on the
    /// provider's own hosts.
    pub overridden: bool,
}

impl ProviderSettings {
    pub fn is_configured(&self) -> bool {
        self.client_id.is_some() && self.client_secret.is_some()
    }
}

impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[REDACTED]"))
            .field("api_base", &self.api_base.as_str())
            .field("overridden", &self.overridden)
            .finish()
    }
}

/// Where client files are stored.
#[derive(Clone)]
pub enum FileStorage {
    /// A local directory (default `<AOS_DATA_DIR>/files`).
    Local(PathBuf),
    /// An S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, ...).
    S3(S3Settings),
}

/// An S3-compatible bucket; `Debug` never prints the secret key.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// `None`: AWS S3 of `region`. Set for any other S3-compatible service (path-style requests).
    pub endpoint: Option<Url>,
    pub region: String,
    /// Both set, or both unset to use the instance's credentials (instance metadata / ECS task role).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

impl fmt::Debug for FileStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileStorage::Local(dir) => write!(f, "Local({})", dir.display()),
            FileStorage::S3(s) => f
                .debug_struct("S3")
                .field("bucket", &s.bucket)
                .field("endpoint", &s.endpoint.as_ref().map(Url::as_str))
                .field("region", &s.region)
                .field("access_key_id", &s.access_key_id)
                .field("secret_access_key", &s.secret_access_key.as_ref().map(|_| "[REDACTED]"))
                .finish(),
        }
    }
}

/// A database URL whose password never prints.
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
    pub fn is_postgres(&self) -> bool {
        let u = self.expose();
        u.starts_with("postgres://") || u.starts_with("postgresql://")
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.expose()))
    }
}

/// Everything the process is configured with. `Debug` is safe to log.
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Environment,
    pub bind: String,
    pub database_url: DatabaseUrl,
    /// Connections in the Postgres pool of this process (`AOS_DATABASE_POOL_SIZE`).
    pub database_pool_size: u32,
    pub data_dir: PathBuf,
    pub public_url: Url,
    /// Directory of the built SPA (`index.html` and assets).
    pub web_dist: PathBuf,
    pub secrets: Secrets,
    pub mail: MailSettings,
    pub redis_url: Option<DatabaseUrl>,
    /// Prefix of every Redis key, so deployments can share a Redis.
    pub redis_key_prefix: String,
    pub log_format: LogFormat,
    pub log_filter: String,
    /// Proxies whose `X-Forwarded-For` is trusted to name the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub json_limit_bytes: usize,
    pub upload_limit_bytes: usize,
    /// Where client files go.
    pub files: FileStorage,
    pub rate_limits: BTreeMap<RouteClass, Quota>,
    pub providers: Vec<ProviderSettings>,
    /// Seconds between job queue polls.
    pub job_poll_ms: u64,
    /// Seconds between runs of the alert rules job (0: never scheduled; tests run it by hand).
    pub alert_rules_interval_secs: u64,
    /// Days without activity after which a client raises an `inactivity` alert.
    pub alert_inactivity_days: i64,
    /// Seconds a cached read (client list, dashboard) may live; writes outdate it at once (0: no caching).
    pub read_cache_secs: u64,
    /// Live-update streams (`GET /api/v1/events`) one process holds open at most; more are `503`.
    pub event_streams_max: usize,
    /// Seconds between `: keep-alive` comments on an idle live-update stream.
    pub event_keepalive_secs: u64,
    /// Test-only routes under `/api/test` (an injectable clock, running the alert rules now). Never in production.
    pub test_hooks: bool,
    /// Seconds between scheduled syncs of each connected integration (0: only "Sync now").
    pub integration_sync_interval_secs: u64,
    /// An access token expiring within this many seconds is refreshed before use.
    pub token_refresh_margin_secs: i64,
    /// The Google Ads API developer token (`developer-token` header of every Google Ads call).
    pub google_ads_developer_token: Option<SecretString>,
}

/// One configuration problem: which variable, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub var: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}\n    fix: {}", self.var, self.problem, self.fix)
    }
}

/// All problems found, reported together.
#[derive(Debug, Clone)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "configuration is invalid ({} problem(s)):", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Documentation of every variable: name, default, description. Drives `config --example` and the README table.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("AOS_ENV", "development", "`development` or `production`. Production refuses missing or weak secrets and never reads data/dev-secrets.toml."),
    ("AOS_BIND", "127.0.0.1:8080", "Address and port to listen on."),
    ("AOS_DATABASE_URL", "sqlite://<AOS_DATA_DIR>/audienceos.db", "`sqlite://path` (embedded) or `postgres://user:pass@host/db`."),
    ("AOS_DATABASE_POOL_SIZE", "8", "Connections each API process keeps to Postgres. About twice the database host's cores: more only queue inside Postgres (on 2 cores, 8 served the inbox benchmark's 32 concurrent requests with a lower p99 than 16). Mind Postgres's max_connections across instances."),
    ("AOS_DATA_DIR", "./data", "Local state: SQLite file, dev secrets, development outbox."),
    ("AOS_PUBLIC_URL", "http://<AOS_BIND>", "The URL users reach the app at; used in emailed links. Must be https in production."),
    ("AOS_WEB_DIST", "crates/web/dist", "Directory of the built SPA served for every non-API GET."),
    ("AOS_SESSION_SECRET", "(generated in development)", "Base64 of at least 32 random bytes; keys session, CSRF, API key and reset token digests."),
    ("AOS_OAUTH_STATE_SECRET", "(generated in development)", "Base64 of at least 32 random bytes; signs OAuth state."),
    ("AOS_TOKEN_ENCRYPTION_KEY", "(generated in development)", "Base64 of exactly 32 random bytes; encrypts provider tokens at rest (every new write)."),
    ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k1", "Id of AOS_TOKEN_ENCRYPTION_KEY, stored with each token (1-32 of A-Z a-z 0-9 _ -). To rotate: move the current key to AOS_TOKEN_ENCRYPTION_OLD_KEYS, set a new key and id, run `audienceos rotate-token-key`, then drop the old key."),
    ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", "(none)", "Comma-separated `id:base64` earlier token keys that still decrypt what they sealed, e.g. `k1:<base64 of 32 bytes>`."),
    ("AOS_SMTP_URL", "(unset: .eml files in <AOS_DATA_DIR>/outbox)", "SMTP server, e.g. `smtps://user:pass@smtp.example.com` or `smtp://host:587?tls=required`. Required in production."),
    ("AOS_MAIL_FROM", "AudienceOS <no-reply@audienceos.local>", "The From: address of emails."),
    ("AOS_REDIS_URL", "(unset)", "Redis for rate-limit counters shared by several API instances."),
    ("AOS_REDIS_KEY_PREFIX", "aos", "Prefix of every Redis key, so several deployments can share one Redis."),
    ("AOS_LOG", "info,sqlx=warn", "Log filter (tracing EnvFilter syntax); RUST_LOG is used when this is unset."),
    ("AOS_LOG_FORMAT", "pretty (json in production)", "`json` or `pretty`."),
    ("AOS_TRUSTED_PROXIES", "(none)", "Comma-separated proxy IPs whose X-Forwarded-For names the client IP."),
    ("AOS_SESSION_IDLE_MINUTES", "720", "A session unused this long expires."),
    ("AOS_SESSION_ABSOLUTE_HOURS", "336", "A session expires this long after sign-in, used or not."),
    ("AOS_JSON_LIMIT_BYTES", "1048576", "Largest JSON request body."),
    ("AOS_UPLOAD_LIMIT_BYTES", "26214400", "Largest client file upload (larger gets 413 payload_too_large and nothing is stored)."),
    ("AOS_FILES_S3_BUCKET", "(unset: files in <AOS_DATA_DIR>/files)", "Store client files in this S3-compatible bucket instead of the local directory."),
    ("AOS_FILES_S3_ENDPOINT", "(unset: AWS S3)", "Endpoint of a non-AWS S3-compatible store (MinIO, R2, ...), e.g. https://minio.internal:9000; path-style requests."),
    ("AOS_FILES_S3_REGION", "us-east-1", "Region of the bucket."),
    ("AOS_FILES_S3_ACCESS_KEY_ID", "(unset: instance credentials)", "Access key id for the bucket; set together with AOS_FILES_S3_SECRET_ACCESS_KEY."),
    ("AOS_FILES_S3_SECRET_ACCESS_KEY", "(unset: instance credentials)", "Secret access key for the bucket; set together with AOS_FILES_S3_ACCESS_KEY_ID."),
    ("AOS_RATE_LIMIT_<CLASS>", "see rate limits", "Quota of a route class as `N/second|minute|hour`, e.g. AOS_RATE_LIMIT_AUTH_IP=10/minute."),
    ("AOS_<PROVIDER>_CLIENT_ID", "(unset)", "OAuth client id of GOOGLE, SLACK or META; the API login of SEO (DataForSEO). GEMINI takes an API key in CLIENT_SECRET only."),
    ("AOS_<PROVIDER>_CLIENT_SECRET", "(unset)", "OAuth client secret of the provider; the API password of SEO (DataForSEO); the API key of GEMINI."),
    ("AOS_<PROVIDER>_API_BASE", "the provider's real URL", "Override the provider's base URL (tests and the demo use audienceos-fakes)."),
    ("AOS_GOOGLE_ADS_DEVELOPER_TOKEN", "(unset)", "Google Ads API developer token, sent with every Google Ads call; without it Google Ads can be connected but not synced."),
    ("AOS_INTEGRATION_SYNC_INTERVAL_SECS", "3600", "Seconds between scheduled syncs of each connected integration (Gmail, Slack, Google Ads, Meta Ads); 0 syncs only on \"Sync now\"."),
    ("AOS_TOKEN_REFRESH_MARGIN_SECS", "300", "A provider access token expiring within this many seconds is refreshed before it is used."),
    ("AOS_JOB_POLL_MS", "1000", "How often the job worker polls for due jobs."),
    ("AOS_ALERT_RULES_INTERVAL_SECS", "900", "Seconds between runs of the alert rules job (health refresh, rule alerts, daily KPI snapshot); 0 never schedules it."),
    ("AOS_ALERT_INACTIVITY_DAYS", "14", "Days without activity on a client before an `inactivity` alert is raised."),
    ("AOS_READ_CACHE_SECS", "5", "Seconds the client list, dashboard KPIs and firehose may be served from the per-process cache. Any write to the agency outdates its entries at once on every instance (they are keyed by the agency's data version); the TTL only bounds clock-derived staleness (days in stage, snoozes ending). 0 turns caching off."),
    ("AOS_TEST_HOOKS", "false", "`true` adds test-only routes: POST /api/test/clock {\"offset_seconds\": N} shifts the app clock, POST /api/test/run-alert-rules runs the rules now. Refused in production."),
];

const PROVIDERS: &[(&str, &str)] = &[
    ("google", "https://www.googleapis.com"),
    ("slack", "https://slack.com/api"),
    ("meta", "https://graph.facebook.com"),
    ("gemini", "https://generativelanguage.googleapis.com"),
    ("seo", "https://api.dataforseo.com"),
];

/// Contents of `data/dev-secrets.toml`.
#[derive(Serialize, Deserialize)]
struct DevSecrets {
    session_secret: String,
    oauth_state_secret: String,
    token_encryption_key: String,
}

impl Settings {
    /// Load from the process environment.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Load from a map of variables (tests pass their own).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigErrors> {
        let mut problems = Vec::new();
        let get = |k: &str| vars.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let mut bad = |var: &str, problem: String, fix: &str| {
            problems.push(ConfigProblem {
                var: var.into(),
                problem,
                fix: fix.into(),
            })
        };

        let env = match get("AOS_ENV").as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                bad(
                    "AOS_ENV",
                    format!("unknown environment `{other}`"),
                    "set it to `development` or `production`",
                );
                Environment::Development
            }
        };
        let prod = env.is_production();

        let bind = get("AOS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        if bind.parse::<std::net::SocketAddr>().is_err() {
            bad(
                "AOS_BIND",
                format!("`{bind}` is not an address:port"),
                "use a form like 127.0.0.1:8080 or 0.0.0.0:8080",
            );
        }

        let data_dir = PathBuf::from(get("AOS_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("AOS_DATABASE_URL") {
            Some(u) => u,
            None => format!("sqlite://{}/audienceos.db", data_dir.display()),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            bad(
                "AOS_DATABASE_URL",
                format!("unsupported scheme in `{}`", redact_url(&database_url)),
                "use sqlite://path/to/file.db or postgres://user:password@host:5432/db",
            );
        }
        if prod && database_url.starts_with("postgres") && !database_url.contains("sslmode=") {
            let host = Url::parse(&database_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string));
            if !matches!(
                host.as_deref(),
                Some("localhost") | Some("127.0.0.1") | Some("::1") | None
            ) {
                bad(
                    "AOS_DATABASE_URL",
                    "a remote Postgres without TLS in production".into(),
                    "append ?sslmode=require (or verify-full)",
                );
            }
        }

        let public_url = match get("AOS_PUBLIC_URL") {
            Some(u) => match Url::parse(&u) {
                Ok(url) if prod && url.scheme() != "https" => {
                    bad(
                        "AOS_PUBLIC_URL",
                        format!("`{u}` is not https"),
                        "serve the app over https and set its https URL",
                    );
                    url
                }
                Ok(url) => url,
                Err(e) => {
                    bad(
                        "AOS_PUBLIC_URL",
                        format!("`{u}` is not a URL ({e})"),
                        "set the URL users open, e.g. https://app.example.com",
                    );
                    fallback_url()
                }
            },
            None if prod => {
                bad(
                    "AOS_PUBLIC_URL",
                    "is not set".into(),
                    "set the https URL users open, e.g. https://app.example.com",
                );
                fallback_url()
            }
            None => Url::parse(&format!("http://{bind}")).unwrap_or_else(|_| fallback_url()),
        };

        let web_dist = PathBuf::from(get("AOS_WEB_DIST").unwrap_or_else(|| "crates/web/dist".into()));

        // Secrets: from env; in development missing ones come from (or are generated into) data/dev-secrets.toml.
        let mut dev = None;
        let mut secret = |var: &str,
                          exact: bool,
                          pick: fn(&DevSecrets) -> &String,
                          bad: &mut dyn FnMut(&str, String, &str)|
         -> SecretKey {
            let fix = if exact {
                "generate one with `openssl rand -base64 32` (exactly 32 bytes)"
            } else {
                "generate one with `openssl rand -base64 32` (at least 32 bytes)"
            };
            let value = match get(var) {
                Some(v) => v,
                None if prod => {
                    bad(var, "is not set (required in production)".into(), fix);
                    return SecretKey::new(vec![0; SECRET_LEN]);
                }
                None => {
                    if dev.is_none() {
                        dev = Some(load_or_create_dev_secrets(&data_dir));
                    }
                    match dev.as_ref().and_then(|d| d.as_ref().ok()) {
                        Some(d) => pick(d).clone(),
                        None => {
                            let e = dev.as_ref().and_then(|d| d.as_ref().err()).cloned().unwrap_or_default();
                            bad(
                                var,
                                format!("could not generate a development secret: {e}"),
                                "make AOS_DATA_DIR writable or set the variable",
                            );
                            return SecretKey::new(vec![0; SECRET_LEN]);
                        }
                    }
                }
            };
            match check_secret(&value, exact) {
                Ok(bytes) => SecretKey::new(bytes),
                Err(problem) => {
                    bad(var, problem, fix);
                    SecretKey::new(vec![0; SECRET_LEN])
                }
            }
        };
        let session_key = secret("AOS_SESSION_SECRET", false, |d| &d.session_secret, &mut bad);
        let oauth_state_key = secret("AOS_OAUTH_STATE_SECRET", false, |d| &d.oauth_state_secret, &mut bad);
        let token_encryption_key = secret("AOS_TOKEN_ENCRYPTION_KEY", true, |d| &d.token_encryption_key, &mut bad);
        let (token_key_id, old_token_keys) = token_key_ring(
            get("AOS_TOKEN_ENCRYPTION_KEY_ID"),
            get("AOS_TOKEN_ENCRYPTION_OLD_KEYS"),
            &token_encryption_key,
            &mut bad,
        );
        if session_key.expose() == oauth_state_key.expose() && get("AOS_SESSION_SECRET").is_some() {
            bad(
                "AOS_OAUTH_STATE_SECRET",
                "is the same as AOS_SESSION_SECRET".into(),
                "use a different random value for each secret",
            );
        }

        let transport = match get("AOS_SMTP_URL") {
            Some(u) => {
                if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                    bad(
                        "AOS_SMTP_URL",
                        format!("`{}` is not an smtp:// or smtps:// URL", redact_url(&u)),
                        "use smtps://user:password@host or smtp://host:587?tls=required",
                    );
                }
                MailTransport::Smtp(SecretString::from(u))
            }
            None if prod => {
                bad(
                    "AOS_SMTP_URL",
                    "is not set (required in production: password reset emails must go out)".into(),
                    "set smtps://user:password@smtp.example.com",
                );
                MailTransport::File(data_dir.join("outbox"))
            }
            None => MailTransport::File(data_dir.join("outbox")),
        };
        let from = get("AOS_MAIL_FROM").unwrap_or_else(|| "AudienceOS <no-reply@audienceos.local>".into());
        if from.parse::<lettre::message::Mailbox>().is_err() {
            bad(
                "AOS_MAIL_FROM",
                format!("`{from}` is not a mailbox"),
                "use a form like `AudienceOS <no-reply@example.com>`",
            );
        }

        let redis_url = get("AOS_REDIS_URL").map(DatabaseUrl::new);
        if let Some(r) = &redis_url {
            if !(r.expose().starts_with("redis://") || r.expose().starts_with("rediss://")) {
                bad(
                    "AOS_REDIS_URL",
                    "is not a redis:// URL".into(),
                    "use redis://host:6379 or rediss://host:6380",
                );
            }
        }

        let redis_key_prefix = get("AOS_REDIS_KEY_PREFIX").unwrap_or_else(|| "aos".into());
        let log_format = match get("AOS_LOG_FORMAT").as_deref() {
            None => {
                if prod {
                    LogFormat::Json
                } else {
                    LogFormat::Pretty
                }
            }
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => {
                bad(
                    "AOS_LOG_FORMAT",
                    format!("unknown format `{other}`"),
                    "use `json` or `pretty`",
                );
                LogFormat::Json
            }
        };
        let log_filter = get("AOS_LOG")
            .or_else(|| get("RUST_LOG"))
            .unwrap_or_else(|| "info,sqlx=warn,actix_server=warn".into());

        let mut trusted_proxies = Vec::new();
        for p in get("AOS_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match p.parse() {
                Ok(ip) => trusted_proxies.push(ip),
                Err(_) => bad(
                    "AOS_TRUSTED_PROXIES",
                    format!("`{p}` is not an IP address"),
                    "list proxy IPs separated by commas",
                ),
            }
        }

        let mut number = |var: &str, default: i64, min: i64, max: i64| -> i64 {
            match get(var) {
                None => default,
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if (min..=max).contains(&n) => n,
                    _ => {
                        bad(
                            var,
                            format!("`{v}` is not a number between {min} and {max}"),
                            "set a whole number in range or unset it",
                        );
                        default
                    }
                },
            }
        };
        let session_idle_minutes = number("AOS_SESSION_IDLE_MINUTES", 720, 5, 60 * 24 * 30);
        let session_absolute_hours = number("AOS_SESSION_ABSOLUTE_HOURS", 336, 1, 24 * 90);
        let json_limit_bytes = number("AOS_JSON_LIMIT_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024) as usize;
        let upload_limit_bytes = number("AOS_UPLOAD_LIMIT_BYTES", 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024) as usize;
        let job_poll_ms = number("AOS_JOB_POLL_MS", 1000, 10, 60_000) as u64;
        let database_pool_size = number("AOS_DATABASE_POOL_SIZE", i64::from(DEFAULT_POSTGRES_POOL), 1, 1000) as u32;
        let alert_rules_interval_secs = number("AOS_ALERT_RULES_INTERVAL_SECS", 900, 0, 7 * 24 * 3600) as u64;
        let alert_inactivity_days = number("AOS_ALERT_INACTIVITY_DAYS", 14, 1, 365);
        let read_cache_secs = number("AOS_READ_CACHE_SECS", 5, 0, 3600) as u64;
        let event_streams_max = number("AOS_EVENT_STREAMS_MAX", 1000, 1, 100_000) as usize;
        let event_keepalive_secs = number("AOS_EVENT_KEEPALIVE_SECS", 15, 1, 300) as u64;
        let integration_sync_interval_secs =
            number("AOS_INTEGRATION_SYNC_INTERVAL_SECS", 3600, 0, 7 * 24 * 3600) as u64;
        let token_refresh_margin_secs = number("AOS_TOKEN_REFRESH_MARGIN_SECS", 300, 0, 3600);
        let google_ads_developer_token = get("AOS_GOOGLE_ADS_DEVELOPER_TOKEN").map(SecretString::from);
        let test_hooks = match get("AOS_TEST_HOOKS").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") if prod => {
                bad(
                    "AOS_TEST_HOOKS",
                    "test hooks (an injectable clock) are on in production".into(),
                    "unset AOS_TEST_HOOKS; it is for automated tests only",
                );
                false
            }
            Some("true") | Some("1") => true,
            Some(other) => {
                bad(
                    "AOS_TEST_HOOKS",
                    format!("`{other}` is not true or false"),
                    "set true or false, or unset it",
                );
                false
            }
        };

        let s3_vars = [
            "AOS_FILES_S3_ENDPOINT",
            "AOS_FILES_S3_REGION",
            "AOS_FILES_S3_ACCESS_KEY_ID",
            "AOS_FILES_S3_SECRET_ACCESS_KEY",
        ];
        let files = match get("AOS_FILES_S3_BUCKET") {
            None => {
                if let Some(var) = s3_vars.iter().find(|v| get(v).is_some()) {
                    bad(
                        var,
                        "is set but AOS_FILES_S3_BUCKET is not".into(),
                        "set AOS_FILES_S3_BUCKET to store files in S3, or unset the AOS_FILES_S3_* variables",
                    );
                }
                FileStorage::Local(data_dir.join("files"))
            }
            Some(bucket) => {
                let valid_bucket = (3..=63).contains(&bucket.len())
                    && bucket
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
                if !valid_bucket {
                    bad(
                        "AOS_FILES_S3_BUCKET",
                        format!("`{bucket}` is not a bucket name"),
                        "use the bucket's name (3 to 63 lower-case letters, digits, dots or hyphens), not a URL",
                    );
                }
                let endpoint = match get("AOS_FILES_S3_ENDPOINT") {
                    None => None,
                    Some(e) => match Url::parse(&e) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                            if prod && u.scheme() == "http" {
                                bad(
                                    "AOS_FILES_S3_ENDPOINT",
                                    format!("`{e}` is not https"),
                                    "use the store's https endpoint in production",
                                );
                            }
                            Some(u)
                        }
                        _ => {
                            bad(
                                "AOS_FILES_S3_ENDPOINT",
                                format!("`{}` is not an http(s) URL", redact_url(&e)),
                                "set the store's base URL, e.g. https://minio.internal:9000",
                            );
                            None
                        }
                    },
                };
                let access_key_id = get("AOS_FILES_S3_ACCESS_KEY_ID");
                let secret_access_key = get("AOS_FILES_S3_SECRET_ACCESS_KEY").map(SecretString::from);
                if access_key_id.is_some() != secret_access_key.is_some() {
                    bad(
                        "AOS_FILES_S3_ACCESS_KEY_ID",
                        "only one of the access key id and secret access key is set".into(),
                        "set both AOS_FILES_S3_ACCESS_KEY_ID and AOS_FILES_S3_SECRET_ACCESS_KEY, or neither to use instance credentials",
                    );
                }
                FileStorage::S3(S3Settings {
                    bucket,
                    endpoint,
                    region: get("AOS_FILES_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    access_key_id,
                    secret_access_key,
                })
            }
        };

        let mut rate_limits = RouteClass::defaults();
        for class in RouteClass::ALL {
            let var = format!("AOS_RATE_LIMIT_{}", class.as_str().to_uppercase());
            if let Some(v) = get(&var) {
                match Quota::parse(&v) {
                    Some(q) => {
                        rate_limits.insert(class, q);
                    }
                    None => bad(
                        &var,
                        format!("`{v}` is not a quota"),
                        "use N/second, N/minute or N/hour with N > 0, e.g. 10/minute",
                    ),
                }
            }
        }
        for key in vars.keys().filter(|k| k.starts_with("AOS_RATE_LIMIT_")) {
            let class = key.trim_start_matches("AOS_RATE_LIMIT_").to_lowercase();
            if RouteClass::parse(&class).is_none() {
                let known: Vec<_> = RouteClass::ALL.iter().map(|c| c.as_str().to_uppercase()).collect();
                bad(
                    key,
                    "names no route class".into(),
                    &format!("use one of AOS_RATE_LIMIT_{{{}}}", known.join(",")),
                );
            }
        }

        let mut providers = Vec::new();
        for (name, default_base) in PROVIDERS {
            let upper = name.to_uppercase();
            let base_var = format!("AOS_{upper}_API_BASE");
            let overridden = get(&base_var).is_some();
            let api_base = match get(&base_var) {
                Some(b) => match Url::parse(&b) {
                    Ok(u) => u,
                    Err(_) => {
                        bad(
                            &base_var,
                            format!("`{b}` is not a URL"),
                            "set an absolute http(s) URL or unset it",
                        );
                        fallback_url()
                    }
                },
                None => Url::parse(default_base).unwrap_or_else(|_| fallback_url()),
            };
            let client_id = get(&format!("AOS_{upper}_CLIENT_ID"));
            let client_secret = get(&format!("AOS_{upper}_CLIENT_SECRET")).map(SecretString::from);
            if client_id.is_some() != client_secret.is_some() && *name != "gemini" {
                bad(
                    &format!("AOS_{upper}_CLIENT_ID"),
                    "only one of the client id and secret is set".into(),
                    &format!("set both AOS_{upper}_CLIENT_ID and AOS_{upper}_CLIENT_SECRET, or neither"),
                );
            }
            providers.push(ProviderSettings {
                name,
                client_id,
                client_secret,
                api_base,
                overridden,
            });
        }

        if !problems.is_empty() {
            return Err(ConfigErrors(problems));
        }
        Ok(Settings {
            env,
            bind,
            database_url: DatabaseUrl::new(database_url),
            database_pool_size,
            data_dir,
            public_url,
            web_dist,
            secrets: Secrets {
                session_key,
                oauth_state_key,
                token_encryption_key,
                token_key_id,
                old_token_keys,
            },
            mail: MailSettings { transport, from },
            redis_url,
            redis_key_prefix,
            log_format,
            log_filter,
            trusted_proxies,
            session_idle_minutes,
            session_absolute_hours,
            json_limit_bytes,
            upload_limit_bytes,
            files,
            rate_limits,
            providers,
            job_poll_ms,
            alert_rules_interval_secs,
            alert_inactivity_days,
            read_cache_secs,
            event_streams_max,
            event_keepalive_secs,
            test_hooks,
            integration_sync_interval_secs,
            token_refresh_margin_secs,
            google_ads_developer_token,
        })
    }

    /// The provider named `name`.
    pub fn provider(&self, name: &str) -> Option<&ProviderSettings> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// A commented example configuration, printed by `audienceos config --example`.
    pub fn example() -> String {
        let mut out = String::from("# AudienceOS configuration (environment variables).\n# Secrets: generate each with `openssl rand -base64 32`.\n\n");
        for (name, default, doc) in VARIABLES {
            out.push_str(&format!("# {doc}\n# default: {default}\n"));
            let value = match *name {
                "AOS_ENV" => "production",
                "AOS_BIND" => "0.0.0.0:8080",
                "AOS_DATABASE_URL" => "postgres://audienceos:change-me@db.internal:5432/audienceos?sslmode=require",
                "AOS_PUBLIC_URL" => "https://app.example.com",
                "AOS_SESSION_SECRET" | "AOS_OAUTH_STATE_SECRET" | "AOS_TOKEN_ENCRYPTION_KEY" => {
                    "<openssl rand -base64 32>"
                }
                "AOS_SMTP_URL" => "smtps://apikey:change-me@smtp.example.com",
                "AOS_REDIS_URL" => "redis://redis.internal:6379",
                "AOS_FILES_S3_BUCKET" => "audienceos-files",
                "AOS_FILES_S3_REGION" => "eu-west-1",
                "AOS_FILES_S3_ACCESS_KEY_ID" => "AKIA...",
                "AOS_FILES_S3_SECRET_ACCESS_KEY" => "<the bucket's secret access key>",
                _ => "",
            };
            if value.is_empty() || name.contains('<') {
                out.push_str(&format!("# {name}=\n\n"));
            } else {
                out.push_str(&format!("{name}={value}\n\n"));
            }
        }
        out
    }
}

fn fallback_url() -> Url {
    Url::parse("http://127.0.0.1:8080").expect("static URL parses")
}

/// Replace the password of a URL with `***`.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparseable url>".into(),
    }
}

/// Decode and judge a base64 secret.
fn check_secret(value: &str, exact: bool) -> Result<Vec<u8>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value))
        .map_err(|_| "is not valid base64".to_string())?;
    if exact && bytes.len() != SECRET_LEN {
        return Err(format!(
            "decodes to {} bytes; exactly {SECRET_LEN} are required",
            bytes.len()
        ));
    }
    if bytes.len() < SECRET_LEN {
        return Err(format!(
            "decodes to {} bytes; at least {SECRET_LEN} are required",
            bytes.len()
        ));
    }
    let distinct: std::collections::HashSet<u8> = bytes.iter().copied().collect();
    if distinct.len() < 8 {
        return Err("is too weak (it repeats a few byte values; it was not randomly generated)".into());
    }
    Ok(bytes)
}

/// The current token key's id and the older token keys, each checked: valid and unique ids, exactly 32
/// strong bytes, none equal to the current key.
fn token_key_ring(
    id: Option<String>,
    old: Option<String>,
    current: &SecretKey,
    bad: &mut dyn FnMut(&str, String, &str),
) -> (String, Vec<(String, SecretKey)>) {
    const ID_FIX: &str = "use 1-32 characters of A-Z a-z 0-9 _ -, e.g. k2";
    let id = id.unwrap_or_else(|| "k1".into());
    if !valid_key_id(&id) {
        bad(
            "AOS_TOKEN_ENCRYPTION_KEY_ID",
            format!("`{id}` is not a valid key id"),
            ID_FIX,
        );
    }
    let var = "AOS_TOKEN_ENCRYPTION_OLD_KEYS";
    let mut keys: Vec<(String, SecretKey)> = Vec::new();
    for entry in old
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((key_id, value)) = entry.split_once(':') else {
            bad(
                var,
                "an entry is not `id:base64`".into(),
                "list earlier keys as id:base64, comma-separated",
            );
            continue;
        };
        let key_id = key_id.trim();
        if !valid_key_id(key_id) {
            bad(var, format!("`{key_id}` is not a valid key id"), ID_FIX);
        } else if key_id == id || keys.iter().any(|(k, _)| k == key_id) {
            bad(
                var,
                format!("key id `{key_id}` is used twice"),
                "give every token key its own id",
            );
        }
        match check_secret(value.trim(), true) {
            Ok(bytes) if bytes == current.expose() => bad(
                var,
                format!("key `{key_id}` is the current AOS_TOKEN_ENCRYPTION_KEY"),
                "list only earlier keys here",
            ),
            Ok(bytes) => keys.push((key_id.to_string(), SecretKey::new(bytes))),
            Err(problem) => bad(
                var,
                format!("key `{key_id}` {problem}"),
                "each key is base64 of exactly 32 random bytes",
            ),
        }
    }
    (id, keys)
}

/// Whether `id` may name a key: 1-32 of `[A-Za-z0-9_-]` (so it never contains the `:` of the stored form).
pub fn valid_key_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn random_secret() -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::random::random_bytes::<SECRET_LEN>())
}

/// Read `dev-secrets.toml`, creating it (0600) with fresh secrets when absent.
fn load_or_create_dev_secrets(data_dir: &Path) -> Result<DevSecrets, String> {
    let path = data_dir.join("dev-secrets.toml");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return toml::from_str(&text).map_err(|e| format!("{} is unreadable: {e}", path.display()));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let secrets = DevSecrets {
        session_secret: random_secret(),
        oauth_state_secret: random_secret(),
        token_encryption_key: random_secret(),
    };
    let text = format!(
        "# Development secrets, generated once by AudienceOS. Never used when AOS_ENV=production.\n{}",
        toml::to_string(&secrets).map_err(|e| e.to_string())?
    );
    write_private(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated development secrets");
    Ok(secrets)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn production_without_secrets_names_every_missing_variable() {
        let err = Settings::from_vars(&vars(&[("AOS_ENV", "production")])).unwrap_err();
        let names: Vec<_> = err.0.iter().map(|p| p.var.as_str()).collect();
        for v in [
            "AOS_SESSION_SECRET",
            "AOS_OAUTH_STATE_SECRET",
            "AOS_TOKEN_ENCRYPTION_KEY",
            "AOS_PUBLIC_URL",
            "AOS_SMTP_URL",
        ] {
            assert!(names.contains(&v), "{v} missing from {names:?}");
        }
        assert!(err.0.iter().all(|p| !p.fix.is_empty()));
    }

    #[test]
    fn weak_and_short_secrets_are_rejected() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let weak = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        let err = Settings::from_vars(&vars(&[
            ("AOS_ENV", "production"),
            ("AOS_SESSION_SECRET", &short),
            ("AOS_OAUTH_STATE_SECRET", &weak),
            ("AOS_TOKEN_ENCRYPTION_KEY", "not base64!!"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("AOS_SESSION_SECRET: decodes to 16 bytes"), "{text}");
        assert!(text.contains("AOS_OAUTH_STATE_SECRET: is too weak"), "{text}");
        assert!(text.contains("AOS_TOKEN_ENCRYPTION_KEY: is not valid base64"), "{text}");
    }

    #[test]
    fn the_seo_login_and_password_are_set_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_SEO_CLIENT_ID", "login")])).unwrap_err();
        assert!(err.0.iter().any(|p| p.var == "AOS_SEO_CLIENT_ID"), "{err}");
        let both = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_SEO_CLIENT_ID", "login"),
            ("AOS_SEO_CLIENT_SECRET", "password"),
        ]))
        .unwrap();
        assert!(both.provider("seo").is_some_and(ProviderSettings::is_configured));
        let none = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert!(!none.provider("seo").is_some_and(ProviderSettings::is_configured));
    }

    #[test]
    fn development_generates_secrets_once_and_debug_is_safe() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let a = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_DATABASE_URL", "postgres://u:hunter2@localhost/x"),
        ]))
        .unwrap();
        let b = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert_eq!(a.secrets.session_key.expose(), b.secrets.session_key.expose());
        let debug = format!("{a:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        let encoded = base64::engine::general_purpose::STANDARD.encode(a.secrets.session_key.expose());
        assert!(!debug.contains(&encoded));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("dev-secrets.toml"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn files_default_to_the_data_dir_and_s3_settings_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let local = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert!(matches!(&local.files, FileStorage::Local(p) if *p == dir.path().join("files")));

        let s3 = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_FILES_S3_BUCKET", "agency-files"),
            ("AOS_FILES_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("AOS_FILES_S3_ACCESS_KEY_ID", "minio"),
            ("AOS_FILES_S3_SECRET_ACCESS_KEY", "hunter2-secret"),
        ]))
        .unwrap();
        let FileStorage::S3(s) = &s3.files else {
            panic!("expected S3, got {:?}", s3.files)
        };
        assert_eq!(s.region, "us-east-1");
        assert_eq!(s.endpoint.as_ref().map(|u| u.as_str()), Some("http://127.0.0.1:9000/"));
        assert!(!format!("{s3:?}").contains("hunter2-secret"));

        let err = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_FILES_S3_BUCKET", "https://s3.example.com/Bucket"),
            ("AOS_FILES_S3_ENDPOINT", "not a url"),
            ("AOS_FILES_S3_ACCESS_KEY_ID", "only-the-id"),
        ]))
        .unwrap_err();
        let names: Vec<_> = err.0.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(
            names,
            [
                "AOS_FILES_S3_BUCKET",
                "AOS_FILES_S3_ENDPOINT",
                "AOS_FILES_S3_ACCESS_KEY_ID"
            ]
        );
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_FILES_S3_REGION", "eu-west-1")])).unwrap_err();
        assert_eq!(err.0[0].var, "AOS_FILES_S3_REGION");
    }

    #[test]
    fn test_hooks_are_refused_in_production() {
        let err = Settings::from_vars(&vars(&[("AOS_ENV", "production"), ("AOS_TEST_HOOKS", "true")])).unwrap_err();
        assert!(err.0.iter().any(|p| p.var == "AOS_TEST_HOOKS"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let dev = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", dir.path().to_str().unwrap()),
            ("AOS_TEST_HOOKS", "true"),
        ]))
        .unwrap();
        assert!(dev.test_hooks);
        assert_eq!(dev.alert_rules_interval_secs, 900);
        assert!(Settings::example().contains("AOS_TEST_HOOKS"));
    }

    #[test]
    fn token_keys_rotate_through_configuration_and_never_print() {
        let key = |seed: u8| {
            base64::engine::general_purpose::STANDARD.encode(
                (0..32u8)
                    .map(|i| i.wrapping_mul(37).wrapping_add(seed))
                    .collect::<Vec<_>>(),
            )
        };
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let dev = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert_eq!(dev.secrets.token_key_id, "k1");
        assert!(dev.secrets.old_token_keys.is_empty());

        let (k1, k2, k3) = (key(1), key(2), key(3));
        let old = format!("k1:{k1}, k0:{k3}");
        let s = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_TOKEN_ENCRYPTION_KEY", &k2),
            ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k2"),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", &old),
        ]))
        .unwrap();
        assert_eq!(s.secrets.token_key_id, "k2");
        let ids: Vec<_> = s.secrets.old_token_keys.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["k1", "k0"]);
        let debug = format!("{s:?}");
        for k in [&k1, &k2, &k3] {
            assert!(!debug.contains(k.as_str()) && !debug.contains(&k[..16]), "{debug}");
        }

        let short = base64::engine::general_purpose::STANDARD.encode((0..31u8).collect::<Vec<_>>());
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_TOKEN_ENCRYPTION_KEY", &short)])).unwrap_err();
        assert!(
            err.to_string()
                .contains("AOS_TOKEN_ENCRYPTION_KEY: decodes to 31 bytes"),
            "{err}"
        );

        let bad_old = format!("k1:{short},k2:{k1},k3:{k3},k3:{k1},nocolon,bad id:{k1},k4:{k2}");
        let err = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_TOKEN_ENCRYPTION_KEY", &k2),
            ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k2"),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", &bad_old),
        ]))
        .unwrap_err();
        let text = err.to_string();
        for expected in [
            "key `k1` decodes to 31 bytes",
            "key id `k2` is used twice",
            "key id `k3` is used twice",
            "an entry is not `id:base64`",
            "`bad id` is not a valid key id",
            "key `k4` is the current AOS_TOKEN_ENCRYPTION_KEY",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        assert!(
            !text.contains(&k1) && !text.contains(&k2) && !text.contains(&short),
            "{text}"
        );
        let err =
            Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k:1")])).unwrap_err();
        assert_eq!(err.0[0].var, "AOS_TOKEN_ENCRYPTION_KEY_ID");

        // Production: no generated fallback, even with old keys configured.
        let err = Settings::from_vars(&vars(&[
            ("AOS_ENV", "production"),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", &format!("k0:{k1}")),
        ]))
        .unwrap_err();
        let missing = err
            .0
            .iter()
            .find(|p| p.var == "AOS_TOKEN_ENCRYPTION_KEY")
            .expect("the key is required");
        assert!(missing.problem.contains("required in production"), "{missing:?}");
    }

    #[test]
    fn bad_values_are_all_reported_together() {
        let err = Settings::from_vars(&vars(&[
            ("AOS_BIND", "nope"),
            ("AOS_DATABASE_URL", "mysql://x"),
            ("AOS_RATE_LIMIT_CHAT", "lots"),
            ("AOS_RATE_LIMIT_BOGUS", "1/minute"),
            ("AOS_DATA_DIR", tempfile::tempdir().unwrap().path().to_str().unwrap()),
        ]))
        .unwrap_err();
        let names: Vec<_> = err.0.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(
            names,
            [
                "AOS_BIND",
                "AOS_DATABASE_URL",
                "AOS_RATE_LIMIT_CHAT",
                "AOS_RATE_LIMIT_BOGUS"
            ]
        );
    }
}
