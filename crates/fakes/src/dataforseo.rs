//! A loopback fake of the DataForSEO v3 API, the two DataForSEO Labs endpoints AudienceOS calls:
//! `POST /v3/dataforseo_labs/google/domain_rank_overview/live` and
//! `POST /v3/dataforseo_labs/google/competitors_domain/live`, under the path prefix [`PREFIX`].
//!
//! Like the real API it takes a JSON array of tasks, requires HTTP Basic auth (login and password), and
//! answers `{version, status_code, status_message, time, cost, tasks_count, tasks_error, tasks: [..]}` with
//! one task per request task. The data is deterministic: a function of the seed and the target domain.
//! Every call is recorded; faults (429 with `Retry-After`, 5xx, slow answers) are injected from tests
//! through [`SeoFake`] or over HTTP under `{PREFIX}/_fake/` (no auth there).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::server::{serve_http, HttpHandle};

/// Where the fake's routes live, so several HTTP fakes can share one port.
pub const PREFIX: &str = "/dataforseo";
const VERSION: &str = "0.1.20240801";
/// What each task costs, plus [`COST_PER_ITEM`] per returned item (the Labs live pricing shape).
const COST_PER_TASK: f64 = 0.01;
const COST_PER_ITEM: f64 = 0.0001;
const COMPETITOR_WORDS: [&str; 10] = [
    "summit", "harbor", "maple", "copper", "north", "lumen", "cedar", "atlas", "ember", "orbit",
];

/// The two endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    DomainRankOverview,
    CompetitorsDomain,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::DomainRankOverview => "/v3/dataforseo_labs/google/domain_rank_overview/live",
            Endpoint::CompetitorsDomain => "/v3/dataforseo_labs/google/competitors_domain/live",
        }
    }
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoCall {
    pub endpoint: Endpoint,
    /// The `target` of the first task (empty when the body was not a task array).
    pub target: String,
    /// Whether the Basic credentials were right.
    pub authorized: bool,
    /// The HTTP status the fake answered with.
    pub status: u16,
}

/// A fault to inject into the next `count` calls (of one endpoint, or of either).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// `429` answers with `Retry-After: retry_after`; any other status is answered as a server error.
    pub status: u16,
    pub count: usize,
    /// Seconds, sent with `429` and `503`.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Only calls of this endpoint; both when absent.
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
}

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<SeoCall>,
    faults: Vec<Fault>,
    delay_ms: u64,
}

#[derive(Debug)]
struct Shared {
    login: String,
    password: String,
    seed: u64,
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes one use of the first fault that applies to `endpoint`.
    fn take_fault(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut inner = self.lock();
        let fault = inner
            .faults
            .iter_mut()
            .find(|f| f.count > 0 && f.endpoint.is_none_or(|e| e == endpoint))?;
        fault.count -= 1;
        let taken = fault.clone();
        inner.faults.retain(|f| f.count > 0);
        Some(taken)
    }
}

/// Options for a [`SeoFake`].
#[derive(Debug, Clone)]
pub struct SeoFakeBuilder {
    login: String,
    password: String,
    seed: u64,
}

impl Default for SeoFakeBuilder {
    fn default() -> Self {
        Self {
            login: "seo-login@example.test".into(),
            password: "seo-password".into(),
            seed: 0,
        }
    }
}

impl SeoFakeBuilder {
    /// The Basic credentials the fake accepts (the DataForSEO API login and password).
    pub fn credentials(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.login = login.into();
        self.password = password.into();
        self
    }

    /// Changes every generated number (the same seed and target always give the same data).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn shared(self) -> Arc<Shared> {
        Arc::new(Shared {
            login: self.login,
            password: self.password,
            seed: self.seed,
            inner: Mutex::new(Inner::default()),
        })
    }

    /// The fake's routes with their own state, for a server that hosts several fakes on one port.
    pub(crate) fn into_scope(self) -> impl Fn() -> actix_web::Scope + Clone + Send + 'static {
        let data = web::Data::from(self.shared());
        move || scope().app_data(data.clone())
    }

    /// Binds `addr` (port 0 picks a free port) and serves until the fake is dropped.
    ///
    /// Must be called inside a Tokio runtime.
    pub fn start(self, addr: &str) -> anyhow::Result<SeoFake> {
        let shared = self.shared();
        let data = web::Data::from(Arc::clone(&shared));
        let server = serve_http("DataForSEO", addr, move |cfg| {
            cfg.app_data(data.clone()).service(scope());
        })?;
        Ok(SeoFake { shared, server })
    }
}

/// A running DataForSEO fake; it stops when dropped.
#[derive(Debug)]
pub struct SeoFake {
    shared: Arc<Shared>,
    server: HttpHandle,
}

impl SeoFake {
    /// Starts a fake with the default credentials ([`SeoFake::login`], [`SeoFake::password`]) on `addr`.
    pub fn start(addr: &str) -> anyhow::Result<SeoFake> {
        SeoFakeBuilder::default().start(addr)
    }

    pub fn builder() -> SeoFakeBuilder {
        SeoFakeBuilder::default()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The API base URL to configure (`AOS_SEO_API_BASE`): `http://<addr>/dataforseo`.
    pub fn base_url(&self) -> String {
        format!("http://{}{PREFIX}", self.addr())
    }

    pub fn login(&self) -> &str {
        &self.shared.login
    }

    pub fn password(&self) -> &str {
        &self.shared.password
    }

    /// Every call received so far, oldest first.
    pub fn calls(&self) -> Vec<SeoCall> {
        self.shared.lock().calls.clone()
    }

    /// How many calls of `endpoint` arrived (authorized or not, faulted or not).
    pub fn call_count(&self, endpoint: Endpoint) -> usize {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| c.endpoint == endpoint)
            .count()
    }

    /// Queue a fault; faults apply in the order they were added.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push(fault);
    }

    /// The next `count` calls (of either endpoint) answer `429` with `Retry-After: retry_after`.
    pub fn rate_limit_next(&self, count: usize, retry_after: u64) {
        self.inject(Fault {
            status: 429,
            count,
            retry_after: Some(retry_after),
            endpoint: None,
        });
    }

    /// The next `count` calls (of either endpoint) answer `status` (500, 502, 503, ...).
    pub fn fail_next(&self, count: usize, status: u16) {
        self.inject(Fault {
            status,
            count,
            retry_after: None,
            endpoint: None,
        });
    }

    /// Every answer waits this long first (0: none).
    pub fn set_delay(&self, delay: Duration) {
        self.shared.lock().delay_ms = delay.as_millis() as u64;
    }

    /// Forget the recorded calls, pending faults and the delay.
    pub fn reset(&self) {
        *self.shared.lock() = Inner::default();
    }
}

fn scope() -> actix_web::Scope {
    web::scope(PREFIX)
        .route(
            Endpoint::DomainRankOverview.path(),
            web::post()
                .to(|s: web::Data<Shared>, r: HttpRequest, b: web::Bytes| serve(s, r, b, Endpoint::DomainRankOverview)),
        )
        .route(
            Endpoint::CompetitorsDomain.path(),
            web::post()
                .to(|s: web::Data<Shared>, r: HttpRequest, b: web::Bytes| serve(s, r, b, Endpoint::CompetitorsDomain)),
        )
        .route("/_fake/calls", web::get().to(control_calls))
        .route("/_fake/faults", web::post().to(control_fault))
        .route("/_fake/delay", web::post().to(control_delay))
        .route("/_fake/reset", web::post().to(control_reset))
        .default_service(web::to(|| async {
            error_body(StatusCode::NOT_FOUND, 40400, "Not Found.")
        }))
}

async fn serve(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes, endpoint: Endpoint) -> HttpResponse {
    let delay = shared.lock().delay_ms;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let tasks: Option<Vec<Value>> = serde_json::from_slice(&body).ok();
    let target = tasks
        .as_ref()
        .and_then(|t| t.first())
        .and_then(|t| t.get("target"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let authorized = is_authorized(&shared, &req);
    let res = if !authorized {
        error_body(
            StatusCode::UNAUTHORIZED,
            40100,
            "You are not authorized to access this resource.",
        )
    } else if let Some(fault) = shared.take_fault(endpoint) {
        fault_response(&fault)
    } else {
        match tasks {
            Some(tasks) if !tasks.is_empty() => answer(shared.seed, endpoint, &tasks),
            _ => error_body(
                StatusCode::BAD_REQUEST,
                40003,
                "Invalid POST data: expected an array of tasks.",
            ),
        }
    };
    shared.lock().calls.push(SeoCall {
        endpoint,
        target,
        authorized,
        status: res.status().as_u16(),
    });
    res
}

fn is_authorized(shared: &Shared, req: &HttpRequest) -> bool {
    let Some(encoded) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    String::from_utf8(decoded).is_ok_and(|pair| pair.split_once(':') == Some((&shared.login, &shared.password)))
}

fn fault_response(fault: &Fault) -> HttpResponse {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (code, message) = match status.as_u16() {
        429 => (40202, "Rate limit exceeded. Please try again later."),
        503 => (50301, "Service temporarily unavailable."),
        _ => (50000, "Internal Error."),
    };
    let mut res = error_body(status, code, message);
    if let Some(secs) = fault.retry_after.filter(|_| matches!(status.as_u16(), 429 | 503)) {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
        }
    }
    res
}

/// The envelope of a failed request: no tasks, no cost.
fn error_body(status: StatusCode, code: u32, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "version": VERSION,
        "status_code": code,
        "status_message": message,
        "time": "0.0010 sec.",
        "cost": 0,
        "tasks_count": 0,
        "tasks_error": 0,
        "tasks": null,
    }))
}

fn answer(seed: u64, endpoint: Endpoint, tasks: &[Value]) -> HttpResponse {
    let mut cost = 0.0;
    let mut errors = 0;
    let tasks: Vec<Value> = tasks
        .iter()
        .enumerate()
        .map(|(i, task)| {
            let t = one_task(seed, endpoint, task, i);
            cost += t["cost"].as_f64().unwrap_or_default();
            if t["status_code"] != 20000 {
                errors += 1;
            }
            t
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "version": VERSION,
        "status_code": 20000,
        "status_message": "Ok.",
        "time": "0.1200 sec.",
        "cost": round(cost),
        "tasks_count": tasks.len(),
        "tasks_error": errors,
        "tasks": tasks,
    }))
}

fn one_task(seed: u64, endpoint: Endpoint, task: &Value, index: usize) -> Value {
    let id = format!(
        "{:08x}-0000-0000-0000-{:012x}",
        hash(seed, &index.to_string()) & 0xffff_ffff,
        hash(seed, "task") & 0xffff_ffff_ffff
    );
    let target = task.get("target").and_then(Value::as_str).unwrap_or_default();
    let location_code = task.get("location_code").and_then(Value::as_u64).unwrap_or(2840);
    let language_code = task.get("language_code").and_then(Value::as_str).unwrap_or("en");
    let path: Vec<&str> = endpoint.path().trim_start_matches('/').split('/').collect();
    let mut out = json!({
        "id": id,
        "time": "0.1100 sec.",
        "path": path,
        "data": task,
    });
    if target.is_empty() || target.contains('/') || !target.contains('.') {
        out["status_code"] = json!(40501);
        out["status_message"] = json!("Invalid Field: 'target'.");
        out["cost"] = json!(0);
        out["result_count"] = json!(0);
        out["result"] = Value::Null;
        return out;
    }
    let limit = task.get("limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let items = match endpoint {
        Endpoint::DomainRankOverview => vec![overview_item(seed, target, location_code, language_code)],
        Endpoint::CompetitorsDomain => competitor_items(seed, target, limit),
    };
    out["status_code"] = json!(20000);
    out["status_message"] = json!("Ok.");
    out["cost"] = json!(round(COST_PER_TASK + COST_PER_ITEM * items.len() as f64));
    out["result_count"] = json!(1);
    out["result"] = json!([{
        "se_type": "google",
        "target": target,
        "location_code": location_code,
        "language_code": language_code,
        "total_count": items.len(),
        "items_count": items.len(),
        "items": items,
    }]);
    out
}

fn overview_item(seed: u64, target: &str, location_code: u64, language_code: &str) -> Value {
    json!({
        "se_type": "google",
        "location_code": location_code,
        "language_code": language_code,
        "metrics": {
            "organic": organic_metrics(seed, target),
            "paid": {
                "pos_1": hash(seed, &format!("{target}#paid1")) % 20,
                "pos_2_3": hash(seed, &format!("{target}#paid23")) % 30,
                "pos_4_10": hash(seed, &format!("{target}#paid410")) % 40,
                "etv": round((hash(seed, &format!("{target}#paidetv")) % 5_000) as f64 / 3.0),
                "count": hash(seed, &format!("{target}#paidcount")) % 90,
                "estimated_paid_traffic_cost": round((hash(seed, &format!("{target}#paidcost")) % 20_000) as f64 / 7.0),
            }
        }
    })
}

/// `metrics.organic` of a domain: position buckets whose sum is `count`, an ETV and its ad value.
fn organic_metrics(seed: u64, domain: &str) -> Value {
    let h = |salt: &str| hash(seed, &format!("{domain}#{salt}"));
    let pos_1 = h("pos1") % 150;
    let pos_2_3 = h("pos23") % 300;
    let pos_4_10 = h("pos410") % 900;
    let pos_11_20 = h("pos1120") % 1_500;
    let pos_21_100 = h("pos21100") % 6_000;
    let count = pos_1 + pos_2_3 + pos_4_10 + pos_11_20 + pos_21_100;
    let etv = round((pos_1 * 120 + pos_2_3 * 40 + pos_4_10 * 9 + pos_11_20) as f64 * 1.25);
    json!({
        "pos_1": pos_1,
        "pos_2_3": pos_2_3,
        "pos_4_10": pos_4_10,
        "pos_11_20": pos_11_20,
        "pos_21_30": pos_21_100 / 4,
        "pos_31_40": pos_21_100 / 4,
        "pos_41_50": pos_21_100 / 4,
        "pos_51_60": pos_21_100 - 3 * (pos_21_100 / 4),
        "pos_61_70": 0, "pos_71_80": 0, "pos_81_90": 0, "pos_91_100": 0,
        "etv": etv,
        "impressions_etv": round(etv * 6.5),
        "count": count,
        "estimated_paid_traffic_cost": round(etv * 1.8),
        "is_new": h("new") % 40,
        "is_up": h("up") % 60,
        "is_down": h("down") % 60,
        "is_lost": h("lost") % 30,
    })
}

/// Eight competitors (the target itself first, as the real API lists it), most intersections first.
fn competitor_items(seed: u64, target: &str, limit: usize) -> Vec<Value> {
    let tld = target.rsplit('.').next().unwrap_or("com");
    let mut items: Vec<(u64, Value)> = (0..8u64)
        .map(|i| {
            let word =
                COMPETITOR_WORDS[(hash(seed, &format!("{target}#w{i}")) % COMPETITOR_WORDS.len() as u64) as usize];
            let domain = format!("{word}-{}.{tld}", hash(seed, &format!("{target}#n{i}")) % 1000);
            let intersections = 20 + hash(seed, &format!("{target}#i{i}")) % 2_000;
            let sum_position = intersections * (3 + hash(seed, &format!("{target}#p{i}")) % 30);
            (intersections, competitor(seed, &domain, intersections, sum_position))
        })
        .collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    let own_count = organic_metrics(seed, target)["count"]
        .as_u64()
        .unwrap_or_default()
        .max(1);
    let own = competitor(seed, target, own_count, own_count * 12);
    std::iter::once(own)
        .chain(items.into_iter().map(|(_, v)| v))
        .take(limit.max(1))
        .collect()
}

fn competitor(seed: u64, domain: &str, intersections: u64, sum_position: u64) -> Value {
    json!({
        "se_type": "google",
        "domain": domain,
        "avg_position": round(sum_position as f64 / intersections as f64),
        "sum_position": sum_position,
        "intersections": intersections,
        "full_domain_metrics": { "organic": organic_metrics(seed, domain) },
        "metrics": { "organic": { "count": intersections } },
    })
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// FNV-1a of the seed and a string: stable across runs, platforms and Rust versions.
fn hash(seed: u64, s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[derive(Serialize)]
struct CallsReport {
    domain_rank_overview: usize,
    competitors_domain: usize,
    calls: Vec<SeoCall>,
}

async fn control_calls(shared: web::Data<Shared>) -> HttpResponse {
    let calls = shared.lock().calls.clone();
    let count = |e| calls.iter().filter(|c| c.endpoint == e).count();
    HttpResponse::Ok().json(CallsReport {
        domain_rank_overview: count(Endpoint::DomainRankOverview),
        competitors_domain: count(Endpoint::CompetitorsDomain),
        calls,
    })
}

async fn control_fault(shared: web::Data<Shared>, fault: web::Json<Fault>) -> HttpResponse {
    shared.lock().faults.push(fault.into_inner());
    HttpResponse::NoContent().finish()
}

#[derive(Deserialize)]
struct Delay {
    ms: u64,
}

async fn control_delay(shared: web::Data<Shared>, delay: web::Json<Delay>) -> HttpResponse {
    shared.lock().delay_ms = delay.ms;
    HttpResponse::NoContent().finish()
}

async fn control_reset(shared: web::Data<Shared>) -> HttpResponse {
    *shared.lock() = Inner::default();
    HttpResponse::NoContent().finish()
}
