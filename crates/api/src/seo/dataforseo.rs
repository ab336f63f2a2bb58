//! The DataForSEO v3 client: DataForSEO Labs domain rank overview and competitors (Google, United States,
//! English), HTTP Basic auth with the API login and password, a timeout per try, and a few tries with
//! exponential backoff that honours `Retry-After`. Every try is reported as an [`Attempt`] for the cost log.

use std::time::Duration;

use audienceos_shared::seo::{SeoCompetitor, SeoSummary};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::ProviderSettings;

/// Google's location code of the United States, and English.
const LOCATION_CODE: u32 = 2840;
const LANGUAGE_CODE: &str = "en";
const COMPETITORS_SHOWN: usize = 5;
/// DataForSEO's code of a successful request or task.
const OK: u32 = 20000;

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Of each try, connect to last byte.
    pub timeout: Duration,
    pub tries: u32,
    /// Waited after the first failed try; doubled after each further one.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured (longer ones are cut to this).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            tries: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    fn backoff_after(&self, try_no: u32) -> Duration {
        self.backoff
            .saturating_mul(2_u32.saturating_pow(try_no.saturating_sub(1)))
            .min(self.max_backoff)
    }
}

/// The endpoints called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    DomainRankOverview,
    CompetitorsDomain,
}

impl Endpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::DomainRankOverview => "domain_rank_overview",
            Endpoint::CompetitorsDomain => "competitors_domain",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Endpoint::DomainRankOverview => "/v3/dataforseo_labs/google/domain_rank_overview/live",
            Endpoint::CompetitorsDomain => "/v3/dataforseo_labs/google/competitors_domain/live",
        }
    }
}

/// How one try ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    RateLimited,
    ServerError,
    Timeout,
    NetworkError,
    /// A 4xx other than 429, a task error or an answer we cannot read: trying again would not help.
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::RateLimited => "rate_limited",
            Outcome::ServerError => "server_error",
            Outcome::Timeout => "timeout",
            Outcome::NetworkError => "network_error",
            Outcome::Rejected => "rejected",
        }
    }

    fn retryable(self) -> bool {
        !matches!(self, Outcome::Ok | Outcome::Rejected)
    }
}

/// One try of one endpoint.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub endpoint: Endpoint,
    pub outcome: Outcome,
    /// What the provider reported charging for it, in USD.
    pub cost_usd: f64,
}

/// Why an enrichment failed.
#[derive(Debug, thiserror::Error)]
pub enum SeoError {
    #[error("DataForSEO {endpoint} failed {tries} times; last: {last}")]
    GaveUp {
        endpoint: &'static str,
        tries: u32,
        last: String,
    },
    #[error("DataForSEO {endpoint} refused the request: {reason}")]
    Rejected { endpoint: &'static str, reason: String },
}

/// The result of an enrichment and every try made for it.
#[derive(Debug)]
pub struct Enrichment {
    /// `fetched_at` is the time the last answer arrived.
    pub result: Result<SeoSummary, SeoError>,
    pub attempts: Vec<Attempt>,
}

/// A DataForSEO client for one account.
#[derive(Clone)]
pub struct DataForSeo {
    http: reqwest::Client,
    base: String,
    login: String,
    password: SecretString,
    policy: RetryPolicy,
}

impl DataForSeo {
    /// A client for the configured account; `None` when the login or password is missing.
    pub fn from_settings(http: reqwest::Client, provider: &ProviderSettings) -> Option<Self> {
        Some(Self {
            http,
            base: provider.api_base.as_str().trim_end_matches('/').to_string(),
            login: provider.client_id.clone()?,
            password: provider.client_secret.clone()?,
            policy: RetryPolicy::default(),
        })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Fetch the overview and the competitors of `domain` (a normalised host name) concurrently.
    #[tracing::instrument(skip_all, fields(domain = %domain))]
    pub async fn enrich(&self, domain: &str) -> Enrichment {
        let mut overview_tries = Vec::new();
        let mut competitor_tries = Vec::new();
        let overview_task =
            json!([{ "target": domain, "location_code": LOCATION_CODE, "language_code": LANGUAGE_CODE }]);
        let competitors_task = json!([{
            "target": domain, "location_code": LOCATION_CODE, "language_code": LANGUAGE_CODE,
            "limit": COMPETITORS_SHOWN + 1, "exclude_top_domains": true,
        }]);
        let (overview, competitors) = tokio::join!(
            self.call(Endpoint::DomainRankOverview, &overview_task, &mut overview_tries),
            self.call(Endpoint::CompetitorsDomain, &competitors_task, &mut competitor_tries),
        );
        let mut attempts = overview_tries;
        attempts.append(&mut competitor_tries);
        let cost_usd = attempts.iter().map(|a| a.cost_usd).sum();
        let fetched_at = attempts
            .iter()
            .map(|a| a.at)
            .max()
            .unwrap_or_else(crate::clock::system_now);
        let result = overview.and_then(|o| {
            let c = competitors?;
            summarise(domain, o, c, cost_usd, fetched_at)
        });
        Enrichment { result, attempts }
    }

    /// Call one endpoint until it answers, refuses, or the tries run out.
    async fn call(&self, endpoint: Endpoint, tasks: &Value, attempts: &mut Vec<Attempt>) -> Result<Task, SeoError> {
        let url = format!("{}{}", self.base, endpoint.path());
        let mut try_no = 0;
        loop {
            try_no += 1;
            let (outcome, retry_after, answer) = self.try_once(&url, tasks).await;
            let cost_usd = match &answer {
                Ok(task) => task.cost.unwrap_or_default(),
                Err(_) => 0.0,
            };
            attempts.push(Attempt {
                at: crate::clock::system_now(),
                endpoint,
                outcome,
                cost_usd,
            });
            let last = match answer {
                Ok(task) => return Ok(task),
                Err(reason) if !outcome.retryable() => {
                    return Err(SeoError::Rejected {
                        endpoint: endpoint.as_str(),
                        reason,
                    })
                }
                Err(reason) => reason,
            };
            tracing::info!(
                endpoint = endpoint.as_str(),
                try_no,
                outcome = outcome.as_str(),
                "SEO provider call failed"
            );
            if try_no >= self.policy.tries {
                return Err(SeoError::GaveUp {
                    endpoint: endpoint.as_str(),
                    tries: try_no,
                    last,
                });
            }
            let wait = match retry_after {
                Some(secs) => Duration::from_secs(secs).min(self.policy.max_retry_after),
                None => self.policy.backoff_after(try_no),
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP request: its outcome, the `Retry-After` seconds if any, and the task or why not.
    async fn try_once(&self, url: &str, tasks: &Value) -> (Outcome, Option<u64>, Result<Task, String>) {
        let sent = self
            .http
            .post(url)
            .basic_auth(&self.login, Some(self.password.expose_secret()))
            .timeout(self.policy.timeout)
            .json(tasks)
            .send()
            .await;
        let res = match sent {
            Ok(res) => res,
            Err(e) => return (transport_outcome(&e), None, Err(e.without_url().to_string())),
        };
        let status = res.status();
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = match res.bytes().await {
            Ok(b) => b,
            Err(e) => return (transport_outcome(&e), None, Err(e.without_url().to_string())),
        };
        let envelope: Option<Envelope> = serde_json::from_slice(&body).ok();
        let message = envelope
            .as_ref()
            .map(|e| format!("{} {}", e.status_code, e.status_message))
            .unwrap_or_default();
        if status.as_u16() == 429 {
            return (Outcome::RateLimited, retry_after, Err(format!("HTTP 429 {message}")));
        }
        if status.is_server_error() {
            return (
                Outcome::ServerError,
                retry_after,
                Err(format!("HTTP {status} {message}")),
            );
        }
        let Some(envelope) = envelope.filter(|_| status.is_success()) else {
            return (Outcome::Rejected, None, Err(format!("HTTP {status} {message}")));
        };
        match envelope.status_code {
            OK => {}
            40202 => return (Outcome::RateLimited, retry_after, Err(message)),
            c if c >= 50000 => return (Outcome::ServerError, retry_after, Err(message)),
            _ => return (Outcome::Rejected, None, Err(message)),
        }
        match envelope.tasks.and_then(|t| t.into_iter().next()) {
            Some(task) if task.status_code == OK => (Outcome::Ok, None, Ok(task)),
            Some(task) => (
                Outcome::Rejected,
                None,
                Err(format!("task {} {}", task.status_code, task.status_message)),
            ),
            None => (Outcome::Rejected, None, Err("the answer has no task".into())),
        }
    }
}

fn transport_outcome(e: &reqwest::Error) -> Outcome {
    if e.is_timeout() {
        Outcome::Timeout
    } else {
        Outcome::NetworkError
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    status_code: u32,
    #[serde(default)]
    status_message: String,
    #[serde(default)]
    tasks: Option<Vec<Task>>,
}

#[derive(Debug, Deserialize)]
struct Task {
    status_code: u32,
    #[serde(default)]
    status_message: String,
    #[serde(default)]
    cost: Option<f64>,
    #[serde(default)]
    result: Option<Vec<Value>>,
}

impl Task {
    /// The items of the first result (none when the provider has no data for the domain).
    fn items<T: serde::de::DeserializeOwned>(&self) -> Result<Vec<T>, String> {
        let Some(items) = self
            .result
            .as_ref()
            .and_then(|r| r.first())
            .and_then(|r| r.get("items"))
            .filter(|i| !i.is_null())
        else {
            return Ok(Vec::new());
        };
        serde_json::from_value(items.clone()).map_err(|e| format!("unexpected result shape: {e}"))
    }
}

#[derive(Debug, Default, Deserialize)]
struct Metrics {
    #[serde(default)]
    organic: Option<Positions>,
    #[serde(default)]
    paid: Option<Positions>,
}

/// `metrics.organic` / `metrics.paid`; any field may be missing or null.
#[derive(Debug, Default, Deserialize)]
struct Positions {
    pos_1: Option<f64>,
    pos_2_3: Option<f64>,
    pos_4_10: Option<f64>,
    etv: Option<f64>,
    count: Option<f64>,
    estimated_paid_traffic_cost: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct OverviewItem {
    #[serde(default)]
    metrics: Option<Metrics>,
}

#[derive(Debug, Deserialize)]
struct CompetitorItem {
    domain: String,
    avg_position: Option<f64>,
    intersections: Option<f64>,
    #[serde(default)]
    full_domain_metrics: Option<Metrics>,
}

fn whole(x: Option<f64>) -> i64 {
    x.unwrap_or_default().round() as i64
}

fn summarise(
    domain: &str,
    overview: Task,
    competitors: Task,
    cost_usd: f64,
    fetched_at: DateTime<Utc>,
) -> Result<SeoSummary, SeoError> {
    let rejected = |endpoint: Endpoint| {
        move |reason| SeoError::Rejected {
            endpoint: endpoint.as_str(),
            reason,
        }
    };
    let metrics = overview
        .items::<OverviewItem>()
        .map_err(rejected(Endpoint::DomainRankOverview))?
        .into_iter()
        .find_map(|i| i.metrics)
        .unwrap_or_default();
    let organic = metrics.organic.unwrap_or_default();
    let paid = metrics.paid.unwrap_or_default();
    let mut rivals = competitors
        .items::<CompetitorItem>()
        .map_err(rejected(Endpoint::CompetitorsDomain))?;
    rivals.retain(|c| !c.domain.eq_ignore_ascii_case(domain));
    rivals.sort_by(|a, b| {
        b.intersections
            .unwrap_or_default()
            .total_cmp(&a.intersections.unwrap_or_default())
    });
    let top_1 = whole(organic.pos_1);
    let top_3 = top_1 + whole(organic.pos_2_3);
    Ok(SeoSummary {
        domain: domain.to_string(),
        organic_keywords: whole(organic.count),
        organic_traffic: organic.etv.unwrap_or_default(),
        organic_traffic_value_usd: organic.estimated_paid_traffic_cost.unwrap_or_default(),
        top_1_keywords: top_1,
        top_3_keywords: top_3,
        top_10_keywords: top_3 + whole(organic.pos_4_10),
        paid_keywords: whole(paid.count),
        competitors: rivals
            .into_iter()
            .take(COMPETITORS_SHOWN)
            .map(|c| {
                let theirs = c.full_domain_metrics.and_then(|m| m.organic).unwrap_or_default();
                SeoCompetitor {
                    domain: c.domain,
                    intersecting_keywords: whole(c.intersections),
                    avg_position: c.avg_position.unwrap_or_default(),
                    organic_keywords: whole(theirs.count),
                    organic_traffic: theirs.etv.unwrap_or_default(),
                }
            })
            .collect(),
        cost_usd: (cost_usd * 10_000.0).round() / 10_000.0,
        fetched_at,
    })
}
