//! In-process caches of hot reads, keyed by the agency's `data_version`.
//!
//! Every write to an agency's data bumps `agency.data_version` after it commits (the identity middleware
//! for API writes, the jobs and the CLI for theirs), and every authenticated request reads the version in
//! the same query that checks its credential. An entry cached under an older version is therefore never
//! served again, on any API instance, once the write that outdated it has answered. The time-to-live only
//! bounds how stale values derived from the clock may get (days in stage, overdue tasks, snoozes that end),
//! and how long memory is held; it is `AOS_READ_CACHE_SECS` (0 turns the caches off).
//!
//! Two caches: the role grant of a request (role and permissions, two queries saved per request), and whole
//! JSON bodies of the read endpoints that dashboards and lists poll (the client list, the KPIs, the
//! firehose). Concurrent misses of one key run the load once and share it (moka's `try_get_with`).

use std::sync::Arc;
use std::time::Duration;

use audienceos_shared::permissions::{Permission, SystemRole};
use bytes::Bytes;
use uuid::Uuid;

use crate::error::ApiError;

/// A role and its permissions, as a request's identity carries them.
#[derive(Debug, Clone)]
pub struct RoleGrant {
    pub role_id: Uuid,
    pub role_name: String,
    pub system_role: Option<SystemRole>,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct RoleKey {
    agency_id: Uuid,
    role_id: Uuid,
    version: i64,
}

/// What a cached body depends on: the endpoint and its query, the agency at a data version, and the
/// caller's client scope (a Member sees only their clients; `None` for everyone else).
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct BodyKey {
    pub endpoint: &'static str,
    pub query: String,
    pub agency_id: Uuid,
    pub version: i64,
    pub scope: Option<Uuid>,
}

impl BodyKey {
    /// The key of `endpoint` as `req` asks for it (its raw query string) by the caller `me`.
    pub fn of(endpoint: &'static str, req: &actix_web::HttpRequest, me: &crate::auth::identity::Identity) -> Self {
        Self {
            endpoint,
            query: req.query_string().to_string(),
            agency_id: me.agency_id,
            version: me.data_version,
            scope: me.client_scope(),
        }
    }
}

/// The read caches of one API process.
#[derive(Clone)]
pub struct ReadCache {
    roles: Option<moka::future::Cache<RoleKey, Arc<RoleGrant>>>,
    bodies: Option<moka::future::Cache<BodyKey, Bytes>>,
}

/// At most this many bytes of cached bodies per process.
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

impl ReadCache {
    /// Caches whose entries live at most `ttl_secs` (0: no caching at all).
    pub fn new(ttl_secs: u64) -> Self {
        if ttl_secs == 0 {
            return Self {
                roles: None,
                bodies: None,
            };
        }
        let ttl = Duration::from_secs(ttl_secs);
        Self {
            roles: Some(
                moka::future::Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(ttl)
                    .build(),
            ),
            bodies: Some(
                moka::future::Cache::builder()
                    .max_capacity(MAX_BODY_BYTES)
                    .weigher(|k: &BodyKey, v: &Bytes| u32::try_from(k.query.len() + v.len() + 64).unwrap_or(u32::MAX))
                    .time_to_live(ttl)
                    .build(),
            ),
        }
    }

    /// The role grant of `role_id` at the agency's `version`, loaded by `load` on a miss.
    pub async fn role<F>(
        &self,
        agency_id: Uuid,
        role_id: Uuid,
        version: i64,
        load: F,
    ) -> Result<Arc<RoleGrant>, ApiError>
    where
        F: std::future::Future<Output = Result<RoleGrant, ApiError>>,
    {
        let Some(cache) = &self.roles else {
            return load.await.map(Arc::new);
        };
        let key = RoleKey {
            agency_id,
            role_id,
            version,
        };
        cache
            .try_get_with(key, async move { load.await.map(Arc::new) })
            .await
            .map_err(unshare)
    }

    /// The JSON body of `key`, rendered by `load` on a miss.
    pub async fn body<F>(&self, key: BodyKey, load: F) -> Result<Bytes, ApiError>
    where
        F: std::future::Future<Output = Result<Bytes, ApiError>>,
    {
        let Some(cache) = &self.bodies else {
            return load.await;
        };
        cache.try_get_with(key, load).await.map_err(unshare)
    }
}

/// The error a shared load returned, for each caller that awaited it: the same problem (an internal cause
/// is carried as its message, since causes cannot be cloned).
fn unshare(e: Arc<ApiError>) -> ApiError {
    match Arc::try_unwrap(e) {
        Ok(e) => e,
        Err(shared) => match &*shared {
            ApiError::Validation(v) => ApiError::Validation(v.clone()),
            ApiError::Refused { code, detail } => ApiError::Refused {
                code: *code,
                detail: detail.clone(),
            },
            ApiError::RateLimited { retry_after, decision } => ApiError::RateLimited {
                retry_after: *retry_after,
                decision: *decision,
            },
            ApiError::Unauthorized => ApiError::Unauthorized,
            ApiError::InvalidCredentials => ApiError::InvalidCredentials,
            ApiError::WrongCurrentPassword => ApiError::WrongCurrentPassword,
            ApiError::CsrfFailed => ApiError::CsrfFailed,
            ApiError::NotFound => ApiError::NotFound,
            ApiError::MethodNotAllowed => ApiError::MethodNotAllowed,
            ApiError::PayloadTooLarge => ApiError::PayloadTooLarge,
            ApiError::UnsupportedMediaType => ApiError::UnsupportedMediaType,
            ApiError::ProviderNotConfigured { provider } => ApiError::ProviderNotConfigured { provider },
            ApiError::Upstream(e) => ApiError::Upstream(anyhow::anyhow!("{e:#}")),
            ApiError::Internal(e) if crate::store::chain_is_unavailable(e) => {
                ApiError::DatabaseUnavailable(anyhow::anyhow!("{e:#}"))
            }
            ApiError::Internal(e) => ApiError::Internal(anyhow::anyhow!("{e:#}")),
            ApiError::DatabaseUnavailable(e) => ApiError::DatabaseUnavailable(anyhow::anyhow!("{e:#}")),
        },
    }
}

/// A JSON response of cached bytes.
pub fn json_body(body: Bytes) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

/// Serialize a response value for the cache.
pub fn to_bytes<T: serde::Serialize>(value: &T) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(version: i64) -> BodyKey {
        BodyKey {
            endpoint: "clients",
            query: "sort=name".into(),
            agency_id: Uuid::nil(),
            version,
            scope: None,
        }
    }

    #[tokio::test]
    async fn a_new_data_version_misses_and_concurrent_misses_load_once() {
        let cache = ReadCache::new(60);
        let loads = Arc::new(AtomicUsize::new(0));
        let load = |n: &'static str| {
            let loads = loads.clone();
            async move {
                loads.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(Bytes::from_static(n.as_bytes()))
            }
        };
        let (a, b) = tokio::join!(cache.body(key(1), load("one")), cache.body(key(1), load("one")));
        assert_eq!(a.unwrap(), b.unwrap());
        assert_eq!(loads.load(Ordering::SeqCst), 1, "concurrent misses share one load");
        assert_eq!(cache.body(key(1), load("stale")).await.unwrap(), "one");
        assert_eq!(
            cache.body(key(2), load("two")).await.unwrap(),
            "two",
            "a write bumps the version"
        );
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn off_means_every_read_loads_and_errors_are_not_cached() {
        let cache = ReadCache::new(0);
        for _ in 0..2 {
            cache.body(key(1), async { Ok(Bytes::new()) }).await.unwrap();
        }
        let on = ReadCache::new(60);
        let err = on
            .body(key(1), async {
                Err(ApiError::new(crate::error::Code::InvalidQuery, "failed"))
            })
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ApiError::Refused {
                code: crate::error::Code::InvalidQuery,
                ..
            }
        ));
        assert_eq!(
            on.body(key(1), async { Ok(Bytes::from_static(b"ok")) }).await.unwrap(),
            "ok"
        );
    }
}
