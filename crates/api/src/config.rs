//! Settings from `AOS_*` environment variables, validated once before anything binds.
//! Every problem is collected and reported together, each with how to fix it.
//!
//! One file per concern under `config/`, each reading its variables through the reader in `env.rs`;
//! this module assembles them into [`Settings`]. Config imports no feature: features import config.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use secrecy::SecretString;
use url::Url;

use crate::quota::{Quota, RouteClass};

mod database;
mod env;
mod files;
mod logging;
mod mail;
mod providers;
mod rate_limits;
mod secrets;
mod server;
mod urls;
mod variables;

pub use database::{DatabaseUrl, DEFAULT_POSTGRES_POOL};
pub use env::{ConfigErrors, ConfigProblem};
pub use files::{FileStorage, S3Settings};
pub use logging::LogFormat;
pub use mail::{MailSettings, MailTransport};
pub use providers::ProviderSettings;
pub use secrets::{valid_key_id, SecretKey, Secrets, SECRET_LEN};
pub use server::Environment;
pub use urls::redact_url;
pub use variables::VARIABLES;

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
    /// Most rows one CSV import may have.
    pub csv_import_max_rows: usize,
    /// Seconds a stopping server keeps answering (with health failing) before it stops accepting.
    pub shutdown_drain_secs: u64,
    /// Seconds a stopping server gives requests in flight to finish.
    pub shutdown_grace_secs: u64,
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

impl Settings {
    /// Load from the process environment.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Load from a map of variables (tests pass their own). Sections are read in a fixed order, so problems
    /// are reported in it.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigErrors> {
        let mut env = env::Env::new(vars);
        let environment = server::environment(&mut env);
        let prod = environment.is_production();
        let bind = server::bind(&mut env);
        let data_dir = server::data_dir(&env);
        let database_url = database::url(&mut env, prod, &data_dir);
        let public_url = server::public_url(&mut env, prod, &bind);
        let web_dist = server::web_dist(&env);
        let secrets = secrets::read(&mut env, prod, &data_dir);
        let mail = mail::read(&mut env, prod, &data_dir);
        let (redis_url, redis_key_prefix) = rate_limits::redis(&mut env);
        let (log_format, log_filter) = logging::read(&mut env, prod);
        let trusted_proxies = server::trusted_proxies(&mut env);

        let session_idle_minutes = env.number("AOS_SESSION_IDLE_MINUTES", 720, 5, 60 * 24 * 30);
        let session_absolute_hours = env.number("AOS_SESSION_ABSOLUTE_HOURS", 336, 1, 24 * 90);
        let json_limit_bytes = env.number("AOS_JSON_LIMIT_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024) as usize;
        let upload_limit_bytes =
            env.number("AOS_UPLOAD_LIMIT_BYTES", 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024) as usize;
        let csv_import_max_rows = env.number("AOS_CSV_IMPORT_MAX_ROWS", 10_000, 1, 1_000_000) as usize;
        let shutdown_drain_secs = env.number("AOS_SHUTDOWN_DRAIN_SECS", 0, 0, 300) as u64;
        let shutdown_grace_secs = env.number("AOS_SHUTDOWN_GRACE_SECS", 30, 1, 600) as u64;
        let job_poll_ms = env.number("AOS_JOB_POLL_MS", 1000, 10, 60_000) as u64;
        let database_pool_size = database::pool_size(&mut env);
        let alert_rules_interval_secs = env.number("AOS_ALERT_RULES_INTERVAL_SECS", 900, 0, 7 * 24 * 3600) as u64;
        let alert_inactivity_days = env.number("AOS_ALERT_INACTIVITY_DAYS", 14, 1, 365);
        let read_cache_secs = env.number("AOS_READ_CACHE_SECS", 5, 0, 3600) as u64;
        let event_streams_max = env.number("AOS_EVENT_STREAMS_MAX", 1000, 1, 100_000) as usize;
        let event_keepalive_secs = env.number("AOS_EVENT_KEEPALIVE_SECS", 15, 1, 300) as u64;
        let integration_sync_interval_secs =
            env.number("AOS_INTEGRATION_SYNC_INTERVAL_SECS", 3600, 0, 7 * 24 * 3600) as u64;
        let token_refresh_margin_secs = env.number("AOS_TOKEN_REFRESH_MARGIN_SECS", 300, 0, 3600);
        let google_ads_developer_token = env.get("AOS_GOOGLE_ADS_DEVELOPER_TOKEN").map(SecretString::from);
        let test_hooks = server::test_hooks(&mut env, prod);

        let files = files::read(&mut env, prod, &data_dir);
        let rate_limits = rate_limits::read(&mut env);
        let providers = providers::read(&mut env, prod);

        env.finish(Settings {
            env: environment,
            bind,
            database_url,
            database_pool_size,
            data_dir,
            public_url,
            web_dist,
            secrets,
            mail,
            redis_url,
            redis_key_prefix,
            log_format,
            log_filter,
            trusted_proxies,
            session_idle_minutes,
            session_absolute_hours,
            json_limit_bytes,
            upload_limit_bytes,
            csv_import_max_rows,
            shutdown_drain_secs,
            shutdown_grace_secs,
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
}

#[cfg(test)]
mod tests {
    use super::env::vars;
    use super::*;

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
