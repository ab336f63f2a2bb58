//! Rate-limit counters in Redis, shared by every API instance: the same GCRA as the in-process backend,
//! run atomically in a Lua script on Redis's own clock (instances' clocks may differ). When Redis is
//! unreachable the instance falls back to its in-process limiter and retries Redis after a pause, so an
//! outage degrades limits to per-instance instead of opening or closing the API.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use tokio::sync::Mutex;

use super::{Decision, InMemoryBackend, Quota, RateLimitBackend, RouteClass};

/// GCRA on Redis's clock, in whole milliseconds (Lua numbers are doubles; `%d` keeps them exact).
/// KEYS[1] = counter key; ARGV[1] = emission interval (ms); ARGV[2] = burst.
/// Returns {allowed, remaining, retry_after_ms, reset_ms}.
const GCRA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if allow_at > now then
  return {0, 0, allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', new_tat - now + 1000)
return {1, math.floor((now - allow_at) / interval), 0, new_tat - now}
"#;

/// After a Redis failure, use the in-process limiter this long before trying Redis again.
const RETRY_PAUSE: Duration = Duration::from_secs(5);

pub struct RedisBackend {
    client: redis::Client,
    prefix: String,
    quotas: BTreeMap<RouteClass, Quota>,
    script: redis::Script,
    conn: Mutex<Option<MultiplexedConnection>>,
    down_since: std::sync::Mutex<Option<Instant>>,
    fallback: InMemoryBackend,
}

impl RedisBackend {
    /// Does not connect yet; the first check does.
    pub fn new(url: &str, prefix: &str, quotas: &BTreeMap<RouteClass, Quota>) -> anyhow::Result<Self> {
        Ok(Self {
            client: redis::Client::open(url)?,
            prefix: prefix.to_string(),
            quotas: quotas.clone(),
            script: redis::Script::new(GCRA),
            conn: Mutex::new(None),
            down_since: std::sync::Mutex::new(None),
            fallback: InMemoryBackend::new(quotas),
        })
    }

    async fn connection(&self) -> anyhow::Result<MultiplexedConnection> {
        let mut guard = self.conn.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let c = tokio::time::timeout(Duration::from_secs(2), self.client.get_multiplexed_async_connection()).await??;
        *guard = Some(c.clone());
        Ok(c)
    }

    async fn check_redis(&self, class: RouteClass, quota: Quota, key: &str) -> anyhow::Result<Decision> {
        let mut conn = self.connection().await?;
        let interval_ms = (quota.period().as_millis() as u64)
            .div_ceil(u64::from(quota.count))
            .max(1);
        let counter = format!("{}:rl:{}:{}", self.prefix, class.as_str(), key);
        let (allowed, remaining, retry_ms, reset_ms): (i64, i64, i64, i64) = tokio::time::timeout(
            Duration::from_secs(2),
            self.script
                .key(counter)
                .arg(interval_ms)
                .arg(quota.count)
                .invoke_async(&mut conn),
        )
        .await??;
        Ok(Decision {
            allowed: allowed == 1,
            limit: quota.count,
            remaining: remaining.clamp(0, i64::from(quota.count)) as u32,
            reset_secs: (reset_ms.max(0) as u64).div_ceil(1000),
            retry_after_secs: if allowed == 1 {
                0
            } else {
                (retry_ms.max(1) as u64).div_ceil(1000)
            },
        })
    }
}

#[async_trait::async_trait]
impl RateLimitBackend for RedisBackend {
    async fn check(&self, class: RouteClass, key: &str) -> Decision {
        let Some(quota) = self.quotas.get(&class).copied() else {
            return self.fallback.check(class, key).await;
        };
        let paused = self
            .down_since
            .lock()
            .ok()
            .and_then(|d| *d)
            .is_some_and(|at| at.elapsed() < RETRY_PAUSE);
        if !paused {
            match self.check_redis(class, quota, key).await {
                Ok(d) => {
                    if let Ok(mut d) = self.down_since.lock() {
                        *d = None;
                    }
                    return d;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Redis rate limiter unavailable; limiting in process for now");
                    *self.conn.lock().await = None;
                    if let Ok(mut d) = self.down_since.lock() {
                        *d = Some(Instant::now());
                    }
                }
            }
        }
        self.fallback.check(class, key).await
    }

    fn housekeeping(&self) {
        self.fallback.housekeeping();
    }
}
