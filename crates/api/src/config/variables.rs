//! The documentation of every variable, and the commented example configuration built from it.

use super::Settings;

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
    ("AOS_SMTP_URL", "(unset: .eml files in <AOS_DATA_DIR>/outbox)", "SMTP server, e.g. `smtps://user:pass@smtp.example.com` or `smtp://host:587?tls=required`. Required in production, and there it must use TLS (`smtps://` or `tls=required`)."),
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
    ("AOS_CSV_IMPORT_MAX_ROWS", "10000", "Most rows one client CSV import may have (more gets 422 `too_many_rows` and nothing is imported)."),
    ("AOS_SHUTDOWN_DRAIN_SECS", "0", "On SIGTERM or Ctrl-C, seconds the server keeps answering with `/api/health` failing, so a load balancer stops sending it traffic, before it stops accepting connections."),
    ("AOS_SHUTDOWN_GRACE_SECS", "30", "Then, seconds requests in flight (and live-update streams, closed with a retry hint) get to finish before the process exits."),
    ("AOS_FILES_S3_BUCKET", "(unset: files in <AOS_DATA_DIR>/files)", "Store client files in this S3-compatible bucket instead of the local directory."),
    ("AOS_FILES_S3_ENDPOINT", "(unset: AWS S3)", "Endpoint of a non-AWS S3-compatible store (MinIO, R2, ...), e.g. https://minio.internal:9000; path-style requests."),
    ("AOS_FILES_S3_REGION", "us-east-1", "Region of the bucket."),
    ("AOS_FILES_S3_ACCESS_KEY_ID", "(unset: instance credentials)", "Access key id for the bucket; set together with AOS_FILES_S3_SECRET_ACCESS_KEY."),
    ("AOS_FILES_S3_SECRET_ACCESS_KEY", "(unset: instance credentials)", "Secret access key for the bucket; set together with AOS_FILES_S3_ACCESS_KEY_ID."),
    ("AOS_RATE_LIMIT_<CLASS>", "see rate limits", "Quota of a route class as `N/second|minute|hour`, e.g. AOS_RATE_LIMIT_AUTH_IP=10/minute."),
    ("AOS_<PROVIDER>_CLIENT_ID", "(unset)", "OAuth client id of GOOGLE, SLACK or META; the API login of SEO (DataForSEO). GEMINI takes an API key in CLIENT_SECRET only."),
    ("AOS_<PROVIDER>_CLIENT_SECRET", "(unset)", "OAuth client secret of the provider; the API password of SEO (DataForSEO); the API key of GEMINI."),
    ("AOS_<PROVIDER>_API_BASE", "the provider's real URL", "Override the provider's base URL (tests and the demo use audienceos-fakes)."),
    ("AOS_DEMO_PROVIDERS", "(none)", "Comma-separated providers (google, slack, meta, seo) whose API base points at audienceos-fakes serving the demo; the Integrations page labels them demo providers. Set by scripts/run; refused in production."),
    ("AOS_GOOGLE_ADS_DEVELOPER_TOKEN", "(unset)", "Google Ads API developer token, sent with every Google Ads call; without it Google Ads can be connected but not synced."),
    ("AOS_INTEGRATION_SYNC_INTERVAL_SECS", "3600", "Seconds between scheduled syncs of each connected integration (Gmail, Slack, Google Ads, Meta Ads); 0 syncs only on \"Sync now\"."),
    ("AOS_TOKEN_REFRESH_MARGIN_SECS", "300", "A provider access token expiring within this many seconds is refreshed before it is used."),
    ("AOS_JOB_POLL_MS", "1000", "How often the job worker polls for due jobs."),
    ("AOS_ALERT_RULES_INTERVAL_SECS", "900", "Seconds between runs of the alert rules job (health refresh, rule alerts, daily KPI snapshot); 0 never schedules it."),
    ("AOS_ALERT_INACTIVITY_DAYS", "14", "Days without activity on a client before an `inactivity` alert is raised."),
    ("AOS_READ_CACHE_SECS", "5", "Seconds the client list, dashboard KPIs and firehose may be served from the per-process cache. Any write to the agency outdates its entries at once on every instance (they are keyed by the agency's data version); the TTL only bounds clock-derived staleness (days in stage, snoozes ending). 0 turns caching off."),
    ("AOS_TEST_HOOKS", "false", "`true` adds test-only routes: POST /api/test/clock {\"offset_seconds\": N} shifts the app clock, POST /api/test/run-alert-rules runs the rules now. Refused in production."),
];

impl Settings {
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
