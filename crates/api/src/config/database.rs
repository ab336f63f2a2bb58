//! The database: its URL (whose password never prints) and the Postgres pool size.

use std::fmt;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::env::Env;
use super::urls::redact_url;

/// Connections in an API process's Postgres pool unless `AOS_DATABASE_POOL_SIZE` says otherwise. Requests
/// beyond it wait for a connection in the process rather than run at once inside Postgres: on a 2-core
/// database, 32 concurrent inbox lists over 8 connections had a lower p99 (every case at most 23 ms) and a
/// higher throughput than over 16, which contend for the same cores.
pub const DEFAULT_POSTGRES_POOL: u32 = 8;

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

/// `AOS_DATABASE_URL` (SQLite in the data directory by default); a remote Postgres needs TLS in production.
pub(super) fn url(env: &mut Env, prod: bool, data_dir: &Path) -> DatabaseUrl {
    let url = match env.get("AOS_DATABASE_URL") {
        Some(u) => u,
        None => format!("sqlite://{}/audienceos.db", data_dir.display()),
    };
    if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        env.bad(
            "AOS_DATABASE_URL",
            format!("unsupported scheme in `{}`", redact_url(&url)),
            "use sqlite://path/to/file.db or postgres://user:password@host:5432/db",
        );
    }
    if prod && url.starts_with("postgres") && !url.contains("sslmode=") {
        let host = Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_string));
        if !matches!(
            host.as_deref(),
            Some("localhost") | Some("127.0.0.1") | Some("::1") | None
        ) {
            env.bad(
                "AOS_DATABASE_URL",
                "a remote Postgres without TLS in production".into(),
                "append ?sslmode=require (or verify-full)",
            );
        }
    }
    DatabaseUrl::new(url)
}

pub(super) fn pool_size(env: &mut Env) -> u32 {
    env.number("AOS_DATABASE_POOL_SIZE", i64::from(DEFAULT_POSTGRES_POOL), 1, 1000) as u32
}
