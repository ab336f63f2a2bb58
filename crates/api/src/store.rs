//! The store: all SQL lives under `store/`, written once in SQL both SQLite and Postgres accept, and run on
//! the active pool through `on_db!`. Rows are `FromRow` structs whose field types decode on both backends.
//! Timestamps are always bound from Rust (never `now()` in SQL) so SQLite's text timestamps compare correctly.

use std::str::FromStr as _;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::config::{DatabaseUrl, DEFAULT_POSTGRES_POOL};

pub mod ad_performance;
pub mod agencies;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod bulk;
pub mod client_imports;
pub mod clients;
pub mod communications;
pub mod constraints;
pub mod dashboard;
pub mod events;
pub mod files;
pub mod intake_fields;
pub mod integration_credentials;
pub mod integration_resources;
pub mod integrations;
pub mod jobs;
pub mod labels;
pub mod notes;
pub mod oauth_states;
pub mod onboarding_instances;
pub mod onboarding_journeys;
pub mod outbox;
pub mod password_resets;
pub mod pipeline;
pub mod replies;
pub mod seo;
pub mod sessions;
pub mod sql;
pub mod tasks;
pub mod team;
pub mod threads;
pub mod users;

/// The active database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that reads
/// first and writes later fails at once with `SQLITE_BUSY` (no busy timeout applies) when another
/// connection committed in between, which under concurrent writers turned ordinary requests into 500s.
/// Taking the write lock up front makes such transactions wait (busy timeout) instead. Postgres keeps
/// its default `BEGIN`.
pub trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for sqlx::PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

/// Run `$body` with `$pool` bound to the active backend's pool (the same code, compiled once per backend).
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub use on_db;

/// What can go wrong in the store, in terms the API maps to problems.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// The database cannot be reached or has no connection to give within the pool's wait.
    #[error("database unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Whether an error means the database is unreachable or overloaded rather than that the query is wrong:
/// no pooled connection in time, a broken or refused connection, a server shutting down, or SQLite's
/// writer lock held past the busy timeout. Callers answer `503` and a retry hint.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // Postgres: class 08 (connection exception), 57P01-57P03 (shutting down, cannot connect
            // now); SQLite: 5 and 6 (SQLITE_BUSY, SQLITE_LOCKED).
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "5" | "6")
        }),
        _ => false,
    }
}

/// `is_unavailable` for an error somewhere in an `anyhow` chain.
pub fn chain_is_unavailable(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|cause| cause.downcast_ref::<sqlx::Error>().is_some_and(is_unavailable))
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| constraints::name_from_sqlite_message(db.message())),
            },
            _ if is_unavailable(&e) => StoreError::Unavailable(anyhow::Error::new(e)),
            _ => StoreError::Other(anyhow::Error::new(e).context("database query failed")),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: Db,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connections of the Postgres pool held for good by the live-event listener, on top of the pool size.
pub const LISTENER_CONNECTIONS: u32 = 1;

/// The connection options of a Postgres URL, with the session settings the store relies on.
pub fn postgres_options(url: &str) -> anyhow::Result<PgConnectOptions> {
    let mut opts = PgConnectOptions::from_str(url)
        .context("parsing the Postgres URL")?
        // No JIT: every query here is short, and compiling one the planner overestimates costs tens of
        // milliseconds (90 ms measured on the inbox's search) for nothing.
        .options([("jit", "off")]);
    // A server on this machine is reached without TLS unless the URL asks for it: encrypting loopback
    // traffic protects nothing and cost 8 % of the cold list's CPU (issue 19). sqlx's default, `prefer`,
    // would otherwise negotiate TLS with any server that offers it. Other hosts keep the URL's mode.
    if !url.contains("sslmode=") && is_loopback_host(opts.get_host()) {
        opts = opts.ssl_mode(sqlx::postgres::PgSslMode::Disable);
    }
    Ok(opts)
}

/// `localhost`, a loopback address, or a Unix socket directory.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with('/')
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Store {
    /// Connect to the database the URL names (`sqlite:` or `postgres://`), with the default Postgres pool
    /// size; an unknown scheme is an error.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Self> {
        Self::connect_with_pool(url, DEFAULT_POSTGRES_POOL).await
    }

    /// Connect to the database the settings name, with their Postgres pool size: what the server and
    /// every command use.
    pub async fn for_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        Self::connect_with_pool(&settings.database_url, settings.database_pool_size).await
    }

    /// [`Store::connect`] with `postgres_pool` connections to Postgres (`AOS_DATABASE_POOL_SIZE`).
    async fn connect_with_pool(url: &DatabaseUrl, postgres_pool: u32) -> anyhow::Result<Self> {
        let raw = url.expose();
        let db = if url.is_postgres() {
            let opts = postgres_options(raw)?;
            let pool = PgPoolOptions::new()
                // The live-event listener (`events::run_listener`) keeps one connection for as long as it
                // runs: it comes on top of the pool size requests share, so a size of 1 still serves them.
                .max_connections(postgres_pool.max(1) + LISTENER_CONNECTIONS)
                // No ping before every acquire (a whole extra round trip per query); a connection that
                // died fails its query once and is dropped by the pool, and connections are recycled
                // after sqlx's idle timeout and max lifetime anyway.
                .test_before_acquire(false)
                // As on SQLite below: a connection that comes back still inside a transaction was abandoned
                // by a cancelled task (a sync killed midway) and may hold row locks every writer of that
                // agency then waits on; closing it makes Postgres roll back and release them at once.
                .after_release(|conn, _| {
                    let keep = !sqlx::Connection::is_in_transaction(conn);
                    Box::pin(async move { Ok(keep) })
                })
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await
                .context("connecting to Postgres")?;
            Db::Postgres(pool)
        } else if raw.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(raw)
                .context("parsing the SQLite URL")?
                .create_if_missing(true)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                // Read pages straight from the OS page cache instead of copying them into each connection's
                // own cache: the pool's connections share one warm copy of the hot indexes. (Without the map,
                // each connection's 2 MB cache thrashed: a cold search cost 31 ms of CPU instead of 3.5, and
                // the resident memory still grew to 130 MB.) Mapped pages count in the process's RSS as
                // file pages (`RssFile`), shared with the OS page cache; `scripts/bench-clients` reports both.
                .pragma("mmap_size", "268435456");
            if let Some(path) = raw
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
            {
                if let Some(parent) = std::path::Path::new(path)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // A local file cannot drop a connection; no ping (a hop to the connection's thread) per acquire.
                .test_before_acquire(false)
                // A connection that comes back still inside a transaction was abandoned mid-write (its task
                // was cancelled): SQLite's write lock would stay with it until it is used again, and every
                // other writer would wait for it. Closing it rolls back and frees the lock at once. The check
                // reads a counter on our side; no round trip.
                .after_release(|conn, _| {
                    let keep = !sqlx::Connection::is_in_transaction(conn);
                    Box::pin(async move { Ok(keep) })
                })
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .context("opening the SQLite database")?;
            Db::Sqlite(pool)
        } else {
            anyhow::bail!("unsupported database URL scheme");
        };
        Ok(Self { db })
    }

    /// Apply pending migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.db {
            Db::Sqlite(p) => SQLITE_MIGRATOR.run(p).await.context("running SQLite migrations"),
            Db::Postgres(p) => POSTGRES_MIGRATOR.run(p).await.context("running Postgres migrations"),
        }
    }

    /// `(applied, known)` migration counts, for the health check.
    pub async fn migration_status(&self) -> anyhow::Result<(usize, usize)> {
        let known = match &self.db {
            Db::Sqlite(_) => SQLITE_MIGRATOR.iter().count(),
            Db::Postgres(_) => POSTGRES_MIGRATOR.iter().count(),
        };
        let applied: i64 = on_db!(&self.db, |pool| {
            sqlx::query_scalar("select count(*) from _sqlx_migrations where success = true")
                .fetch_one(pool)
                .await
                .context("reading migration state")?
        });
        Ok((applied as usize, known))
    }

    /// Refresh the planner's statistics. SQLite has none until asked (and then picks poor plans for the
    /// client list, about 4x slower on 10,000 clients); `PRAGMA optimize` analyzes only what needs it, so
    /// it is cheap to run at start-up and after bulk loads. Postgres's autovacuum does this by itself;
    /// an explicit `analyze` helps right after a bulk load.
    pub async fn analyze(&self) -> anyhow::Result<()> {
        match &self.db {
            Db::Sqlite(p) => {
                sqlx::query("pragma optimize=0x10002")
                    .execute(p)
                    .await
                    .context("pragma optimize")?;
                // Keep the per-index row counts (`sqlite_stat1`) but drop the value samples the bundled
                // SQLite's STAT4 also writes: with samples, any statement whose plan could depend on a
                // bound value is recompiled on every execution (19 % of the cold list's CPU, issue 19),
                // and our statements' plans do not need them. `analyze sqlite_schema` reloads the stats.
                let stat4: i64 = sqlx::query_scalar("select count(*) from sqlite_schema where name = 'sqlite_stat4'")
                    .fetch_one(p)
                    .await
                    .context("looking for sqlite_stat4")?;
                if stat4 > 0 {
                    sqlx::query("delete from sqlite_stat4")
                        .execute(p)
                        .await
                        .context("dropping STAT4 samples")?;
                    sqlx::query("analyze sqlite_schema")
                        .execute(p)
                        .await
                        .context("reloading statistics")?;
                }
            }
            Db::Postgres(p) => {
                sqlx::query("analyze").execute(p).await.context("analyze")?;
            }
        }
        Ok(())
    }

    /// One round trip.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let _: i32 = on_db!(&self.db, |pool| sqlx::query_scalar("select 1").fetch_one(pool).await?);
        Ok(())
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(&self.db, |pool| pool.close().await)
    }
}

/// A new UUIDv7.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Cursor of keyset pagination: the `(created_at, id)` of the last row, opaque to clients.
/// The one cursor codec: every list's `next_cursor` is its position, as JSON, in URL-safe base64. Opaque
/// to callers; a cursor that does not decode is a `400 invalid_query` where it is read.
pub mod cursor {
    use base64::Engine as _;
    use chrono::{DateTime, Utc};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use uuid::Uuid;

    /// Later than any row (and still ordered correctly as SQLite text).
    pub fn far_future() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    /// A position as a cursor.
    pub fn pack<T: Serialize>(position: &T) -> String {
        let json = serde_json::to_vec(position).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// The position a cursor holds, if it is one of this shape.
    pub fn unpack<T: DeserializeOwned>(cursor: &str) -> Option<T> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
        serde_json::from_slice(&raw).ok()
    }

    /// The cursor of a list ordered by time then id.
    pub fn encode(at: DateTime<Utc>, id: Uuid) -> String {
        pack(&(at, id))
    }

    pub fn decode(s: &str) -> Option<(DateTime<Utc>, Uuid)> {
        unpack(s)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn positions_round_trip_and_garbage_does_not_decode() {
            let at = crate::clock::system_now();
            let id = uuid::Uuid::now_v7();
            assert_eq!(super::decode(&super::encode(at, id)), Some((at, id)));
            assert_eq!(super::decode("not a cursor"), None);
            assert_eq!(super::decode(&super::pack(&"other shape")), None);
        }
    }
}

/// Split a `limit + 1` fetch into the page and the next cursor.
pub fn paginate<T>(
    mut rows: Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> (chrono::DateTime<chrono::Utc>, uuid::Uuid),
) -> (Vec<T>, Option<String>) {
    let limit = limit as usize;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let (at, id) = key(r);
            cursor::encode(at, id)
        })
    } else {
        None
    };
    (rows, next)
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_postgres_is_reached_without_tls_unless_the_url_asks() {
        use sqlx::postgres::PgSslMode;
        let mode = |url: &str| {
            let opts = super::postgres_options(url).unwrap();
            format!("{:?}", opts.get_ssl_mode())
        };
        let disabled = format!("{:?}", PgSslMode::Disable);
        assert_eq!(mode("postgres://u@127.0.0.1:5432/db"), disabled);
        assert_eq!(mode("postgres://u@localhost/db"), disabled);
        assert_eq!(mode("postgres://u@[::1]:5432/db"), disabled);
        assert_ne!(
            mode("postgres://u@db.internal:5432/db"),
            disabled,
            "other hosts keep sqlx's default"
        );
        assert_eq!(
            mode("postgres://u@127.0.0.1/db?sslmode=require"),
            format!("{:?}", PgSslMode::Require),
            "an explicit mode wins"
        );
        assert!(super::is_loopback_host("/var/run/postgresql"));
        assert!(!super::is_loopback_host("10.0.0.5"));
    }
}
