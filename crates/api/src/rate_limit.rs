//! Rate limiting: named route classes with quotas from config, a backend trait (in-process GCRA over
//! `governor`, or Redis shared by every instance when `AOS_REDIS_URL` is set), and a middleware that keys each
//! request by API key, else user, else client IP, answering `429 rate_limited` with `Retry-After`.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::HttpMessage as _;
use futures_util::future::LocalBoxFuture;
use governor::clock::{Clock as _, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::RateLimiter;

use crate::auth::identity::{client_ip, Identity};
use crate::error::ApiError;
pub use crate::quota::{Per, Quota, RouteClass};

pub mod redis_backend;

/// The answer to one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the quota is whole again.
    pub reset_secs: u64,
    /// When refused: seconds until a request would be allowed.
    pub retry_after_secs: u64,
}

/// Where counters live: in process, or in Redis shared by every API instance.
#[async_trait::async_trait]
pub trait RateLimitBackend: Send + Sync {
    async fn check(&self, class: RouteClass, key: &str) -> Decision;
    /// Drop idle keys to bound memory.
    fn housekeeping(&self) {}
}

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// In-process GCRA limiter, one keyed `governor` limiter per route class.
pub struct InMemoryBackend {
    limiters: BTreeMap<RouteClass, (Quota, Keyed)>,
    clock: DefaultClock,
}

impl InMemoryBackend {
    pub fn new(quotas: &BTreeMap<RouteClass, Quota>) -> Self {
        let limiters = quotas
            .iter()
            .map(|(class, quota)| {
                let burst = NonZeroU32::new(quota.count).unwrap_or(NonZeroU32::MIN);
                let per_cell = quota.period() / quota.count.max(1);
                let q = governor::Quota::with_period(per_cell.max(Duration::from_nanos(1)))
                    .expect("non-zero period")
                    .allow_burst(burst);
                (
                    *class,
                    (
                        *quota,
                        RateLimiter::keyed(q).with_middleware::<StateInformationMiddleware>(),
                    ),
                )
            })
            .collect();
        Self {
            limiters,
            clock: DefaultClock::default(),
        }
    }
}

#[async_trait::async_trait]
impl RateLimitBackend for InMemoryBackend {
    async fn check(&self, class: RouteClass, key: &str) -> Decision {
        let Some((quota, limiter)) = self.limiters.get(&class) else {
            return Decision {
                allowed: true,
                limit: 0,
                remaining: 0,
                reset_secs: 0,
                retry_after_secs: 0,
            };
        };
        let per_cell = quota.period().as_secs_f64() / f64::from(quota.count.max(1));
        match limiter.check_key(&key.to_string()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let used = quota.count.saturating_sub(remaining);
                Decision {
                    allowed: true,
                    limit: quota.count,
                    remaining,
                    reset_secs: (f64::from(used) * per_cell).ceil() as u64,
                    retry_after_secs: 0,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let retry = wait.as_secs_f64().ceil().max(1.0) as u64;
                Decision {
                    allowed: false,
                    limit: quota.count,
                    remaining: 0,
                    reset_secs: (f64::from(quota.count) * per_cell).ceil() as u64,
                    retry_after_secs: retry,
                }
            }
        }
    }

    fn housekeeping(&self) {
        for (_, limiter) in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The limiter the app uses.
#[derive(Clone)]
pub struct Limiter(Arc<dyn RateLimitBackend>);

impl Limiter {
    pub fn new(backend: Arc<dyn RateLimitBackend>) -> Self {
        Self(backend)
    }

    pub fn in_memory(quotas: &BTreeMap<RouteClass, Quota>) -> Self {
        Self(Arc::new(InMemoryBackend::new(quotas)))
    }

    pub async fn check(&self, class: RouteClass, key: &str) -> Decision {
        self.0.check(class, key).await
    }

    /// Check and turn a refusal into the `429` error.
    pub async fn enforce(&self, class: RouteClass, key: &str) -> Result<Decision, ApiError> {
        let d = self.check(class, key).await;
        if d.allowed {
            Ok(d)
        } else {
            Err(ApiError::RateLimited {
                retry_after: d.retry_after_secs,
                decision: d,
            })
        }
    }

    pub fn housekeeping(&self) {
        self.0.housekeeping()
    }
}

/// Add the `RateLimit-*` headers of `d` to a response.
pub fn apply_headers(headers: &mut actix_web::http::header::HeaderMap, d: &Decision) {
    let mut set = |name: &'static str, v: u64| {
        if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    set("ratelimit-limit", u64::from(d.limit));
    set("ratelimit-remaining", u64::from(d.remaining));
    set("ratelimit-reset", d.reset_secs);
}

/// Middleware applying one route class to the routes it wraps.
pub struct RateLimit {
    class: RouteClass,
    /// Key by client IP even when the caller is known (sign-in and sign-up).
    by_ip_only: bool,
}

impl RateLimit {
    /// Key by API key, else user, else client IP.
    pub fn per_caller(class: RouteClass) -> Self {
        Self {
            class,
            by_ip_only: false,
        }
    }

    /// Key by client IP only.
    pub fn per_ip(class: RouteClass) -> Self {
        Self {
            class,
            by_ip_only: true,
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RateLimit
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = RateLimitMiddleware<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(RateLimitMiddleware {
            service: Rc::new(service),
            class: self.class,
            by_ip_only: self.by_ip_only,
        }))
    }
}

pub struct RateLimitMiddleware<S> {
    service: Rc<S>,
    class: RouteClass,
    by_ip_only: bool,
}

impl<S, B> Service<ServiceRequest> for RateLimitMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let class = self.class;
        let by_ip_only = self.by_ip_only;
        Box::pin(async move {
            let Some(state) = req.app_data::<actix_web::web::Data<crate::state::AppState>>().cloned() else {
                return service.call(req).await.map(ServiceResponse::map_into_left_body);
            };
            let identity = req.extensions().get::<Identity>().cloned();
            let key = match (&identity, by_ip_only) {
                (Some(id), false) => id.rate_limit_key(),
                _ => format!("ip:{}", client_ip(req.request(), &state.settings.trusted_proxies)),
            };
            let decision = state.limiter.check(class, &key).await;
            if !decision.allowed {
                tracing::info!(class = class.as_str(), "rate limited");
                let err = ApiError::RateLimited {
                    retry_after: decision.retry_after_secs,
                    decision,
                };
                let res = actix_web::ResponseError::error_response(&err);
                return Ok(req.into_response(res).map_into_right_body());
            }
            let mut res = service.call(req).await?;
            // An inner, more specific class (e.g. auth_ip inside api) has already said its piece.
            if !res.headers().contains_key("ratelimit-limit") {
                apply_headers(res.headers_mut(), &decision);
            }
            Ok(res.map_into_left_body())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_memory_backend_refuses_after_the_burst_and_counts_down() {
        let quotas = BTreeMap::from([(
            RouteClass::Chat,
            Quota {
                count: 3,
                per: Per::Minute,
            },
        )]);
        let backend = InMemoryBackend::new(&quotas);
        let remaining: Vec<u32> = futures_util::future::join_all((0..3).map(|_| backend.check(RouteClass::Chat, "u1")))
            .await
            .into_iter()
            .map(|d| {
                assert!(d.allowed);
                d.remaining
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = backend.check(RouteClass::Chat, "u1").await;
        assert!(!refused.allowed);
        assert!(
            refused.retry_after_secs >= 1 && refused.retry_after_secs <= 20,
            "{refused:?}"
        );
        assert!(
            backend.check(RouteClass::Chat, "u2").await.allowed,
            "keys are independent"
        );
    }
}
