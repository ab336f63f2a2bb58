//! Rate limits: a quota per route class (`AOS_RATE_LIMIT_<CLASS>`), and the Redis that shares their
//! counters between instances.

use std::collections::BTreeMap;

use super::database::DatabaseUrl;
use super::env::Env;
use crate::quota::{Quota, RouteClass};

/// `AOS_REDIS_URL` (a redis:// URL, or unset for in-process counters) and the prefix of every key.
pub(super) fn redis(env: &mut Env) -> (Option<DatabaseUrl>, String) {
    let url = env.get("AOS_REDIS_URL").map(DatabaseUrl::new);
    if let Some(r) = &url {
        if !(r.expose().starts_with("redis://") || r.expose().starts_with("rediss://")) {
            env.bad(
                "AOS_REDIS_URL",
                "is not a redis:// URL".into(),
                "use redis://host:6379 or rediss://host:6380",
            );
        }
    }
    let prefix = env.get("AOS_REDIS_KEY_PREFIX").unwrap_or_else(|| "aos".into());
    (url, prefix)
}

/// The default quotas with each `AOS_RATE_LIMIT_<CLASS>` applied; a variable naming no class is a problem.
pub(super) fn read(env: &mut Env) -> BTreeMap<RouteClass, Quota> {
    let mut rate_limits = RouteClass::defaults();
    for class in RouteClass::ALL {
        let var = format!("AOS_RATE_LIMIT_{}", class.as_str().to_uppercase());
        if let Some(v) = env.get(&var) {
            match Quota::parse(&v) {
                Some(q) => {
                    rate_limits.insert(class, q);
                }
                None => env.bad(
                    &var,
                    format!("`{v}` is not a quota"),
                    "use N/second, N/minute or N/hour with N > 0, e.g. 10/minute",
                ),
            }
        }
    }
    for key in env.names_with_prefix("AOS_RATE_LIMIT_") {
        let class = key.trim_start_matches("AOS_RATE_LIMIT_").to_lowercase();
        if RouteClass::parse(&class).is_none() {
            let known: Vec<_> = RouteClass::ALL.iter().map(|c| c.as_str().to_uppercase()).collect();
            env.bad(
                key,
                "names no route class".into(),
                &format!("use one of AOS_RATE_LIMIT_{{{}}}", known.join(",")),
            );
        }
    }
    rate_limits
}
