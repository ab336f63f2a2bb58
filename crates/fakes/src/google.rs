//! The Google fake under `/google`: OAuth 2.0 (accounts.google.com consent page, oauth2.googleapis.com
//! token and revoke), Gmail API v1 (profile, messages list/get/send, history) and the Google Ads API
//! `googleAds:searchStream`, with Google's error bodies. Seeding and inspection live under `/_fake/google/`.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use chrono::{DateTime, Datelike as _, Duration as Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::oauth::{self, GrantError, Issued};
use crate::server::{
    bearer, hash, params, slice_page, sum_by, today, upsert, Config, Data, Provider, ProviderFakes, Summable, SEED_DAYS,
};

const P: Provider = Provider::Google;
const AUTHORIZE: &str = "/google/o/oauth2/v2/auth";
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
/// Rows per searchStream batch (the real API sends up to 10 000; small here so paging shows).
const ADS_BATCH: usize = 50;

/// A Gmail message as the fake keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GmailMessage {
    pub id: String,
    pub thread_id: String,
    pub history_id: u64,
    /// Milliseconds since the epoch.
    pub internal_date: i64,
    pub label_ids: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl GmailMessage {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    fn rfc5322(&self) -> String {
        let head: String = self.headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
        format!("{head}Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\n{}", self.body)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A message injected into a mailbox (`POST /_fake/google/messages`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeedMessage {
    /// The mailbox (default: the consent page's default account).
    #[serde(default)]
    pub mailbox: Option<String>,
    pub from: String,
    #[serde(default)]
    pub to: Option<String>,
    pub subject: String,
    pub body: String,
    /// Joins an existing thread; a new one otherwise.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// Unix seconds (default: now).
    #[serde(default)]
    pub date: Option<i64>,
    /// Default `["INBOX", "UNREAD"]`.
    #[serde(default)]
    pub label_ids: Option<Vec<String>>,
}

/// A message sent through `users.messages.send`, decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMail {
    pub mailbox: String,
    pub id: String,
    pub thread_id: String,
    /// The `threadId` the request named, if any.
    pub requested_thread_id: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The decoded RFC 5322 text.
    pub raw: String,
}

impl SentMail {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// One day of one campaign's metrics in a Google Ads customer account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdsRow {
    pub customer_id: String,
    pub campaign_id: u64,
    pub campaign_name: String,
    pub date: NaiveDate,
    pub cost_micros: u64,
    pub impressions: u64,
    pub clicks: u64,
    pub conversions: f64,
    pub conversions_value: f64,
}

impl Summable for AdsRow {
    fn add(&mut self, r: &AdsRow) {
        self.cost_micros += r.cost_micros;
        self.impressions += r.impressions;
        self.clicks += r.clicks;
        self.conversions += r.conversions;
        self.conversions_value += r.conversions_value;
    }
}

#[derive(Debug, Default)]
struct Mailbox {
    messages: Vec<GmailMessage>,
    /// `history.list` answers 404 for a `startHistoryId` below this (history is kept about a week).
    history_floor: u64,
}

#[derive(Debug)]
pub(crate) struct GoogleData {
    next_history: u64,
    next_id: u64,
    default_mailbox: String,
    mailboxes: BTreeMap<String, Mailbox>,
    sent: Vec<SentMail>,
    ads: Vec<AdsRow>,
}

impl GoogleData {
    pub fn seeded(config: &Config) -> GoogleData {
        let mut data = GoogleData {
            next_history: 1000,
            next_id: 0,
            default_mailbox: config.default_account.clone(),
            mailboxes: BTreeMap::new(),
            sent: Vec::new(),
            ads: Vec::new(),
        };
        let now = Utc::now().timestamp();
        let seed = [
            (
                "Dana Reed <dana@acme-dental.test>",
                "Campaign results for October",
                "Hi! Could you send the October numbers before Friday?",
                10 * 86_400,
            ),
            (
                "Sam Ortiz <sam@brightpath.test>",
                "New landing page copy",
                "Attached are our notes on the landing page. Thoughts?",
                3 * 86_400,
            ),
            (
                "Dana Reed <dana@acme-dental.test>",
                "Re: Campaign results for October",
                "Following up on this one.",
                86_400,
            ),
            (
                "Lee Park <lee@northwind.test>",
                "Budget for next month",
                "We'd like to raise the ads budget by 20%.",
                2 * 3600,
            ),
        ];
        let mut first_thread = None;
        for (from, subject, body, age) in seed {
            let thread_id = if subject.starts_with("Re: ") {
                first_thread.clone()
            } else {
                None
            };
            let m = data.insert(SeedMessage {
                from: from.into(),
                subject: subject.into(),
                body: body.into(),
                thread_id,
                date: Some(now - age),
                ..SeedMessage::default()
            });
            first_thread.get_or_insert(m.thread_id);
        }
        let campaigns = [
            (111_000_001u64, "Brand search"),
            (111_000_002, "Display remarketing"),
            (111_000_003, "Spring promo"),
        ];
        for day in 1..=SEED_DAYS {
            let date = today() - Days::days(day);
            for (id, name) in campaigns {
                let h = hash(&format!("{id}{date}"));
                let clicks = 20 + h % 80;
                data.ads.push(AdsRow {
                    customer_id: "1234567890".into(),
                    campaign_id: id,
                    campaign_name: name.into(),
                    date,
                    cost_micros: clicks * (400_000 + (h >> 8) % 900_000),
                    impressions: clicks * (15 + (h >> 16) % 30),
                    clicks,
                    conversions: ((h >> 24) % 6) as f64,
                    conversions_value: ((h >> 24) % 6) as f64 * 42.5,
                });
            }
        }
        data
    }

    fn mailbox(&mut self, name: &str) -> &mut Mailbox {
        self.mailboxes.entry(name.to_lowercase()).or_default()
    }

    fn next_ids(&mut self) -> (String, u64) {
        self.next_id += 1;
        self.next_history += 1 + hash(&self.next_id.to_string()) % 7;
        (
            format!("18c{:013x}", hash(&format!("msg{}", self.next_id)) >> 12),
            self.next_history,
        )
    }

    pub(crate) fn insert(&mut self, seed: SeedMessage) -> GmailMessage {
        self.insert_keyed(seed, None)
    }

    /// [`GoogleData::insert`], with the message id derived from `key` when given (the same key gives the
    /// same id in every run, whatever was inserted before it).
    pub(crate) fn insert_keyed(&mut self, seed: SeedMessage, key: Option<&str>) -> GmailMessage {
        let mailbox = seed.mailbox.clone().unwrap_or_else(|| self.default_mailbox.clone());
        let (mut id, history_id) = self.next_ids();
        if let Some(key) = key {
            id = format!("18d{:013x}", hash(key) >> 12);
        }
        let date = seed.date.unwrap_or_else(|| Utc::now().timestamp());
        let mut headers = vec![
            ("From".to_owned(), seed.from),
            ("To".to_owned(), seed.to.unwrap_or_else(|| mailbox.clone())),
            ("Subject".to_owned(), seed.subject),
            (
                "Date".to_owned(),
                DateTime::from_timestamp(date, 0).unwrap_or_default().to_rfc2822(),
            ),
            ("Message-ID".to_owned(), format!("<{id}@mail.fake.test>")),
        ];
        let thread_id = seed.thread_id.unwrap_or_else(|| id.clone());
        if let Some(parent) = self
            .mailbox(&mailbox)
            .messages
            .iter()
            .rev()
            .find(|m| m.thread_id == thread_id)
        {
            let parent_id = parent.header("Message-ID").unwrap_or_default().to_owned();
            headers.push(("In-Reply-To".to_owned(), parent_id.clone()));
            headers.push(("References".to_owned(), parent_id));
        }
        let message = GmailMessage {
            id,
            thread_id,
            history_id,
            internal_date: date * 1000,
            label_ids: seed.label_ids.unwrap_or_else(|| vec!["INBOX".into(), "UNREAD".into()]),
            headers,
            body: seed.body,
        };
        self.mailbox(&mailbox).messages.push(message.clone());
        message
    }
}

pub(crate) fn scope() -> actix_web::Scope {
    web::scope("/google")
        .route("/o/oauth2/v2/auth", web::get().to(authorize))
        .route("/o/oauth2/v2/auth", web::post().to(authorize_decision))
        .route("/token", web::post().to(token))
        .route("/revoke", web::post().to(revoke))
        .route("/oauth2/v3/userinfo", web::get().to(userinfo))
        .service(
            web::scope("/gmail/v1/users/{user}")
                .route("/profile", web::get().to(profile))
                .route("/messages", web::get().to(list_messages))
                .route("/messages/send", web::post().to(send_message))
                .route("/messages/{id}", web::get().to(get_message))
                .route("/history", web::get().to(list_history)),
        )
        .route(
            "/{version}/customers:listAccessibleCustomers",
            web::get().to(list_accessible_customers),
        )
        .route(
            "/{version}/customers/{customer_id}/googleAds:searchStream",
            web::post().to(search_stream),
        )
        .default_service(web::to(|| async {
            HttpResponse::NotFound().json(error_body(StatusCode::NOT_FOUND, "Not Found"))
        }))
}

/// `{"error": {code, message, errors: [{message, domain, reason}], status}}`, Google's JSON error.
pub(crate) fn error_body(status: StatusCode, message: &str) -> Value {
    let (name, reason) = match status.as_u16() {
        400 => ("INVALID_ARGUMENT", "invalidArgument"),
        401 => ("UNAUTHENTICATED", "authError"),
        403 => ("PERMISSION_DENIED", "forbidden"),
        404 => ("NOT_FOUND", "notFound"),
        429 => ("RESOURCE_EXHAUSTED", "rateLimitExceeded"),
        503 => ("UNAVAILABLE", "backendError"),
        _ => ("INTERNAL", "backendError"),
    };
    json!({ "error": {
        "code": status.as_u16(),
        "message": message,
        "errors": [{ "message": message, "domain": "global", "reason": reason }],
        "status": name,
    }})
}

pub(crate) fn fault_body(status: StatusCode) -> Value {
    let message = match status.as_u16() {
        429 => "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.",
        503 => "The service is currently unavailable.",
        _ => "Internal error encountered.",
    };
    error_body(status, message)
}

fn error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(error_body(status, message))
}

fn unauthenticated() -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header(("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""))
        .json(error_body(
            StatusCode::UNAUTHORIZED,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        ))
}

/// The mailbox a Gmail request may read: the token's account, named as `me` or by address.
fn mailbox_of(shared: &Data, req: &HttpRequest) -> Result<String, Box<HttpResponse>> {
    let principal = shared
        .lock()
        .oauth
        .principal(P, bearer(req).as_deref())
        .map_err(|_| Box::new(unauthenticated()))?;
    let user = req.match_info().get("user").unwrap_or("me");
    if user == "me" || user.eq_ignore_ascii_case(&principal.account) {
        Ok(principal.account.to_lowercase())
    } else {
        Err(Box::new(error(
            StatusCode::FORBIDDEN,
            &format!("Delegation denied for {}", principal.account),
        )))
    }
}

async fn authorize(shared: Data, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let mut params = query.into_inner();
    if !params.contains_key("response_type") {
        return oauth::error_page("invalid_request: Required parameter is missing: response_type");
    }
    if let Err(e) = oauth::AuthRequest::parse(shared.client(P), &params, "scope") {
        return oauth::error_page(&e);
    }
    let account = params
        .remove("login_hint")
        .unwrap_or_else(|| shared.config.default_account.clone());
    oauth::consent_page("Google", &account, &params, "scope", AUTHORIZE)
}

async fn authorize_decision(shared: Data, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    oauth::decide(&shared, P, &form, "scope", &[("error", "access_denied")])
}

/// `POST /token`: `authorization_code` and `refresh_token` grants, form or JSON encoded.
async fn token(shared: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let params = params(&req, &body);
    let client = shared.client(P).clone();
    let expires_in = shared.expires_in(P);
    let result = {
        let mut inner = shared.lock();
        match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => inner.oauth.exchange_code(P, &client, &params, expires_in, false),
            Some("refresh_token") => inner.oauth.refresh(P, &client, &params, expires_in, false),
            _ => Err(GrantError::UnsupportedGrantType),
        }
    };
    match result {
        Ok(Issued {
            access_token,
            refresh_token,
            expires_in,
            scope,
            ..
        }) => {
            let mut body = json!({ "access_token": access_token, "expires_in": expires_in, "scope": scope, "token_type": "Bearer" });
            if let Some(r) = refresh_token {
                body["refresh_token"] = json!(r);
            }
            HttpResponse::Ok().json(body)
        }
        Err(e) => {
            let (status, code, description) = match e {
                GrantError::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized"),
                GrantError::InvalidGrant(d) => (StatusCode::BAD_REQUEST, "invalid_grant", d),
                GrantError::RedirectMismatch => (StatusCode::BAD_REQUEST, "redirect_uri_mismatch", "Bad Request"),
                GrantError::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", d),
                GrantError::UnsupportedGrantType => {
                    (StatusCode::BAD_REQUEST, "unsupported_grant_type", "Invalid grant_type")
                }
            };
            HttpResponse::build(status).json(json!({ "error": code, "error_description": description }))
        }
    }
}

/// `POST /revoke?token=` (or `token` in the form body).
async fn revoke(shared: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let params = params(&req, &body);
    let token = params.get("token").map(String::as_str).unwrap_or_default();
    if shared.lock().oauth.revoke(P, token) {
        HttpResponse::Ok().json(json!({}))
    } else {
        HttpResponse::BadRequest()
            .json(json!({ "error": "invalid_token", "error_description": "Token expired or revoked" }))
    }
}

/// `GET /oauth2/v3/userinfo` (www.googleapis.com; openidconnect.googleapis.com/v1/userinfo in the discovery document).
async fn userinfo(shared: Data, req: HttpRequest) -> HttpResponse {
    let mailbox = match mailbox_of(&shared, &req) {
        Ok(m) => m,
        Err(res) => return *res,
    };
    let local = mailbox.split('@').next().unwrap_or_default().to_owned();
    HttpResponse::Ok().json(json!({
        "sub": (hash(&mailbox) % 1_000_000_000_000_000_000).to_string(),
        "email": mailbox,
        "email_verified": true,
        "name": local,
    }))
}

async fn profile(shared: Data, req: HttpRequest) -> HttpResponse {
    let mailbox = match mailbox_of(&shared, &req) {
        Ok(m) => m,
        Err(res) => return *res,
    };
    let mut inner = shared.lock();
    let history_id = inner.google.next_history;
    let messages = &inner.google.mailbox(&mailbox).messages;
    let threads: std::collections::HashSet<&str> = messages.iter().map(|m| m.thread_id.as_str()).collect();
    HttpResponse::Ok().json(json!({
        "emailAddress": mailbox,
        "messagesTotal": messages.len(),
        "threadsTotal": threads.len(),
        "historyId": history_id.to_string(),
    }))
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A page of `items` from the offset in `pageToken`, and the token of the next page.
fn page<T: Clone>(items: &[T], pairs: &[(String, String)], default: usize) -> (Vec<T>, Option<String>) {
    let start: usize = first(pairs, "pageToken").and_then(|t| t.parse().ok()).unwrap_or(0);
    let size = first(pairs, "maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(default)
        .clamp(1, 500);
    let (slice, next) = slice_page(items, start, size);
    (slice, next.map(|n| n.to_string()))
}

async fn list_messages(shared: Data, req: HttpRequest) -> HttpResponse {
    let mailbox = match mailbox_of(&shared, &req) {
        Ok(m) => m,
        Err(res) => return *res,
    };
    let pairs = query_pairs(&req);
    let q = first(&pairs, "q").unwrap_or_default();
    let labels: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "labelIds")
        .map(|(_, v)| v.as_str())
        .collect();
    let now = Utc::now().timestamp();
    let mut inner = shared.lock();
    let mut matched: Vec<GmailMessage> = inner
        .google
        .mailbox(&mailbox)
        .messages
        .iter()
        .filter(|m| labels.iter().all(|l| m.label_ids.iter().any(|x| x == l)))
        .filter(|m| matches_query(m, q, now))
        .cloned()
        .collect();
    matched.sort_by(|a, b| b.internal_date.cmp(&a.internal_date).then(b.id.cmp(&a.id)));
    let (items, next) = page(&matched, &pairs, 100);
    let mut body = json!({ "resultSizeEstimate": matched.len() });
    if !items.is_empty() {
        body["messages"] = items
            .iter()
            .map(|m| json!({ "id": m.id, "threadId": m.thread_id }))
            .collect();
    }
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    HttpResponse::Ok().json(body)
}

/// Gmail search: alternatives joined by ` OR `, each a list of terms that must all match.
fn matches_query(m: &GmailMessage, q: &str, now: i64) -> bool {
    let q = q.trim();
    q.is_empty()
        || q.split(" OR ")
            .any(|alt| alt.split_whitespace().all(|t| term_matches(m, t, now)))
}

fn term_matches(m: &GmailMessage, term: &str, now: i64) -> bool {
    let secs = m.internal_date / 1000;
    let contains = |hay: Option<&str>, needle: &str| {
        hay.unwrap_or_default()
            .to_lowercase()
            .contains(&needle.trim_matches('"').to_lowercase())
    };
    let has_label = |l: &str| m.label_ids.iter().any(|x| x.eq_ignore_ascii_case(l));
    match term.split_once(':') {
        Some(("after", v)) => instant(v).is_none_or(|t| secs >= t),
        Some(("before", v)) => instant(v).is_none_or(|t| secs < t),
        Some(("newer_than", v)) => relative(v).is_none_or(|d| secs >= now - d),
        Some(("older_than", v)) => relative(v).is_none_or(|d| secs < now - d),
        Some(("from", v)) => contains(m.header("From"), v),
        Some(("to", v)) => contains(m.header("To"), v),
        Some(("subject", v)) => contains(m.header("Subject"), v),
        Some(("is", "unread")) => has_label("UNREAD"),
        Some(("is", "read")) => !has_label("UNREAD"),
        Some(("is", "starred")) => has_label("STARRED"),
        Some(("in" | "label", v)) => has_label(v),
        _ => contains(m.header("Subject"), term) || contains(Some(&m.body), term) || contains(m.header("From"), term),
    }
}

/// `after:`/`before:` values: Unix seconds or `YYYY/MM/DD`.
fn instant(v: &str) -> Option<i64> {
    v.parse().ok().or_else(|| {
        NaiveDate::parse_from_str(v, "%Y/%m/%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
    })
}

/// `newer_than:`/`older_than:` values: `7d`, `2m`, `1y` (and `3h`), in seconds.
fn relative(v: &str) -> Option<i64> {
    let (n, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let unit = match unit {
        "h" => 3600,
        "d" => 86_400,
        "m" => 30 * 86_400,
        "y" => 365 * 86_400,
        _ => return None,
    };
    Some(n * unit)
}

async fn get_message(shared: Data, req: HttpRequest) -> HttpResponse {
    let mailbox = match mailbox_of(&shared, &req) {
        Ok(m) => m,
        Err(res) => return *res,
    };
    let id = req.match_info().get("id").unwrap_or_default().to_owned();
    let pairs = query_pairs(&req);
    let message = shared
        .lock()
        .google
        .mailbox(&mailbox)
        .messages
        .iter()
        .find(|m| m.id == id)
        .cloned();
    let Some(m) = message else {
        return error(StatusCode::NOT_FOUND, "Requested entity was not found.");
    };
    let format = first(&pairs, "format").unwrap_or("full");
    let wanted: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "metadataHeaders")
        .map(|(_, v)| v.as_str())
        .collect();
    let headers = |filter: bool| -> Vec<Value> {
        m.headers
            .iter()
            .filter(|(k, _)| !filter || wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(k)))
            .map(|(k, v)| json!({ "name": k, "value": v }))
            .collect()
    };
    let raw = m.rfc5322();
    let mut body = json!({
        "id": m.id,
        "threadId": m.thread_id,
        "labelIds": m.label_ids,
        "snippet": m.body.chars().take(100).collect::<String>(),
        "sizeEstimate": raw.len(),
        "historyId": m.history_id.to_string(),
        "internalDate": m.internal_date.to_string(),
    });
    match format {
        "minimal" => {}
        "raw" => body["raw"] = json!(general_purpose::URL_SAFE.encode(raw.as_bytes())),
        "metadata" => {
            body["payload"] = json!({ "partId": "", "mimeType": "multipart/alternative", "filename": "", "headers": headers(true), "body": { "size": 0 } })
        }
        _ => {
            let html = format!("<div dir=\"ltr\">{}</div>", m.body.replace('<', "&lt;"));
            let part = |id: &str, mime: &str, text: &str| {
                json!({
                    "partId": id, "mimeType": mime, "filename": "",
                    "headers": [{ "name": "Content-Type", "value": format!("{mime}; charset=\"UTF-8\"") }],
                    "body": { "size": text.len(), "data": general_purpose::URL_SAFE.encode(text.as_bytes()) },
                })
            };
            body["payload"] = json!({
                "partId": "", "mimeType": "multipart/alternative", "filename": "",
                "headers": headers(false), "body": { "size": 0 },
                "parts": [part("0", "text/plain", &m.body), part("1", "text/html", &html)],
            });
        }
    }
    HttpResponse::Ok().json(body)
}

async fn list_history(shared: Data, req: HttpRequest) -> HttpResponse {
    let mailbox = match mailbox_of(&shared, &req) {
        Ok(m) => m,
        Err(res) => return *res,
    };
    let pairs = query_pairs(&req);
    let Some(start) = first(&pairs, "startHistoryId").and_then(|s| s.parse::<u64>().ok()) else {
        return error(StatusCode::BAD_REQUEST, "Invalid startHistoryId");
    };
    let mut inner = shared.lock();
    let current = inner.google.next_history;
    let mb = inner.google.mailbox(&mailbox);
    if start < mb.history_floor {
        return error(StatusCode::NOT_FOUND, "Requested entity was not found.");
    }
    let mut added: Vec<&GmailMessage> = mb.messages.iter().filter(|m| m.history_id > start).collect();
    added.sort_by_key(|m| m.history_id);
    let records: Vec<Value> = added
        .iter()
        .map(|m| {
            json!({
                "id": m.history_id.to_string(),
                "messages": [{ "id": m.id, "threadId": m.thread_id }],
                "messagesAdded": [{ "message": { "id": m.id, "threadId": m.thread_id, "labelIds": m.label_ids } }],
            })
        })
        .collect();
    let (items, next) = page(&records, &pairs, 100);
    let mut body = json!({ "historyId": current.to_string() });
    if !items.is_empty() {
        body["history"] = json!(items);
    }
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    HttpResponse::Ok().json(body)
}

#[derive(Deserialize)]
struct SendBody {
    raw: Option<String>,
    #[serde(rename = "threadId")]
    thread_id: Option<String>,
}

async fn send_message(shared: Data, req: HttpRequest, body: web::Json<SendBody>) -> HttpResponse {
    let mailbox = match mailbox_of(&shared, &req) {
        Ok(m) => m,
        Err(res) => return *res,
    };
    let Some(raw) = body
        .raw
        .as_deref()
        .and_then(|r| B64URL.decode(r.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return error(StatusCode::BAD_REQUEST, "Invalid value for ByteString");
    };
    let (headers, text) = parse_rfc5322(&raw);
    if header(&headers, "To").is_none_or(str::is_empty) {
        return error(StatusCode::BAD_REQUEST, "Invalid To header");
    }
    let mut inner = shared.lock();
    let g = &mut inner.google;
    let known_thread = body
        .thread_id
        .as_ref()
        .filter(|t| g.mailbox(&mailbox).messages.iter().any(|m| &m.thread_id == *t))
        .cloned();
    let (id, history_id) = g.next_ids();
    let thread_id = known_thread.unwrap_or_else(|| id.clone());
    let mut stored = headers.clone();
    if header(&stored, "From").is_none() {
        stored.insert(0, ("From".into(), mailbox.clone()));
    }
    if header(&stored, "Message-ID").is_none() {
        stored.push(("Message-ID".into(), format!("<{id}@mail.fake.test>")));
    }
    g.mailbox(&mailbox).messages.push(GmailMessage {
        id: id.clone(),
        thread_id: thread_id.clone(),
        history_id,
        internal_date: Utc::now().timestamp_millis(),
        label_ids: vec!["SENT".into()],
        headers: stored,
        body: text.clone(),
    });
    g.sent.push(SentMail {
        mailbox,
        id: id.clone(),
        thread_id: thread_id.clone(),
        requested_thread_id: body.thread_id.clone(),
        headers,
        body: text,
        raw,
    });
    HttpResponse::Ok().json(json!({ "id": id, "threadId": thread_id, "labelIds": ["SENT"] }))
}

/// Headers (unfolded) and body of an RFC 5322 message.
fn parse_rfc5322(raw: &str) -> (Vec<(String, String)>, String) {
    let normalized = raw.replace("\r\n", "\n");
    let (head, body) = normalized.split_once("\n\n").unwrap_or((&normalized, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    for (_, v) in &mut headers {
        *v = v.trim().to_owned();
    }
    (headers, body.to_owned())
}

/// `POST /v{N}/customers/{id}/googleAds:searchStream` with a GAQL `query`.
async fn search_stream(shared: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let version = req.match_info().get("version").unwrap_or("v17").to_owned();
    let customer = req.match_info().get("customer_id").unwrap_or_default().replace('-', "");
    let account = match ads_auth(&shared, &req, &version) {
        Ok(a) => a,
        Err(e) => return e.stream(),
    };
    let query = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("query").and_then(Value::as_str).map(str::to_owned));
    let Some(gaql) = query.as_deref().and_then(Gaql::parse) else {
        return AdsError::new(
            StatusCode::BAD_REQUEST,
            &version,
            Some(("queryError", "UNEXPECTED_END_OF_QUERY")),
            "Error in query: the query could not be parsed.",
        )
        .stream();
    };
    let rows: Vec<AdsRow> = {
        let inner = shared.lock();
        let ads = inner.ads_of(&account);
        if !ads.iter().any(|r| r.customer_id == customer) {
            return AdsError::new(StatusCode::FORBIDDEN, &version, Some(("authorizationError", "USER_PERMISSION_DENIED")), "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.").stream();
        }
        ads.iter()
            .filter(|r| {
                r.customer_id == customer
                    && gaql.from.is_none_or(|f| r.date >= f)
                    && gaql.to.is_none_or(|t| r.date <= t)
            })
            .cloned()
            .collect()
    };
    let results = gaql.results(&customer, rows);
    let request_id = format!("{:022x}", hash(&format!("{customer}{}", results.len())));
    let batches: Vec<Value> = if results.is_empty() {
        vec![json!({ "fieldMask": gaql.field_mask, "requestId": request_id })]
    } else {
        results
            .chunks(ADS_BATCH)
            .map(|c| json!({ "results": c, "fieldMask": gaql.field_mask, "requestId": request_id }))
            .collect()
    };
    HttpResponse::Ok().json(batches)
}

/// A Google Ads API error: Google's error JSON with a `GoogleAdsFailure` detail naming the error code.
struct AdsError {
    status: StatusCode,
    body: Value,
}

impl AdsError {
    fn new(status: StatusCode, version: &str, code: Option<(&str, &str)>, message: &str) -> AdsError {
        let summary = match (status, code) {
            (_, None) => message,
            (StatusCode::FORBIDDEN, Some(_)) => "The caller does not have permission",
            (_, Some(_)) => "Request contains an invalid argument.",
        };
        let mut body = error_body(status, summary);
        if let Some((kind, value)) = code {
            body["error"]["details"] = json!([{
                "@type": format!("type.googleapis.com/google.ads.googleads.{version}.errors.GoogleAdsFailure"),
                "errors": [{ "errorCode": { kind: value }, "message": message }],
                "requestId": format!("{:022x}", hash(message)),
            }]);
        }
        AdsError { status, body }
    }

    /// searchStream answers errors as an array holding the one error.
    fn stream(self) -> HttpResponse {
        HttpResponse::build(self.status).json(json!([self.body]))
    }

    fn unary(self) -> HttpResponse {
        HttpResponse::build(self.status).json(self.body)
    }
}

/// The bearer token and the `developer-token` header every Google Ads call needs; the token's account.
fn ads_auth(shared: &Data, req: &HttpRequest, version: &str) -> Result<String, AdsError> {
    let principal = shared.lock().oauth.principal(P, bearer(req).as_deref());
    let Ok(principal) = principal else {
        return Err(AdsError::new(
            StatusCode::UNAUTHORIZED,
            version,
            None,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        ));
    };
    let dev_token = req
        .headers()
        .get("developer-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if dev_token.is_empty() {
        return Err(AdsError::new(
            StatusCode::BAD_REQUEST,
            version,
            Some(("requestError", "DEVELOPER_TOKEN_PARAMETER_MISSING")),
            "developer-token parameter is missing.",
        ));
    }
    if shared.config.developer_token.as_deref().is_some_and(|t| t != dev_token) {
        return Err(AdsError::new(
            StatusCode::FORBIDDEN,
            version,
            Some(("authorizationError", "DEVELOPER_TOKEN_PROHIBITED")),
            "Developer token is not allowed with project.",
        ));
    }
    Ok(principal.account)
}

/// `GET /v{N}/customers:listAccessibleCustomers`: the customers seeded with campaign data.
async fn list_accessible_customers(shared: Data, req: HttpRequest) -> HttpResponse {
    let version = req.match_info().get("version").unwrap_or("v17").to_owned();
    let account = match ads_auth(&shared, &req, &version) {
        Ok(a) => a,
        Err(e) => return e.unary(),
    };
    let mut customers: Vec<String> = shared
        .lock()
        .ads_of(&account)
        .iter()
        .map(|r| format!("customers/{}", r.customer_id))
        .collect();
    customers.sort();
    customers.dedup();
    HttpResponse::Ok().json(json!({ "resourceNames": customers }))
}

/// What the fake understands of GAQL: the selected fields, `FROM campaign`, and a date range from
/// `segments.date BETWEEN 'a' AND 'b'`, `>=`/`<=`/`=` comparisons, or `DURING <preset>`.
#[derive(Debug)]
struct Gaql {
    by_date: bool,
    field_mask: String,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Gaql {
    fn parse(query: &str) -> Option<Gaql> {
        // Queries span lines; one space between words keeps the matching below simple.
        let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let lower = query.to_lowercase();
        let select = lower.trim().strip_prefix("select")?;
        let (fields, rest) = select.split_once(" from ")?;
        let resource = rest.split_whitespace().next()?;
        if resource != "campaign" {
            return None;
        }
        let fields: Vec<&str> = fields.split(',').map(str::trim).filter(|f| !f.is_empty()).collect();
        let mask: Vec<String> = fields.iter().map(|f| camel(f)).collect();
        let mut gaql = Gaql {
            by_date: fields.contains(&"segments.date"),
            field_mask: mask.join(","),
            from: None,
            to: None,
        };
        let original = query.clone();
        let mut rest = lower.as_str();
        while let Some(pos) = rest.find("segments.date") {
            let offset = lower.len() - rest.len() + pos + "segments.date".len();
            let tail = original[offset..].trim_start();
            let tail_lower = tail.to_lowercase();
            let quoted = |s: &str| -> Option<NaiveDate> {
                let s = s.trim_start().strip_prefix(['\'', '"'])?;
                NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
            };
            if let Some(after) = tail_lower.strip_prefix("between") {
                let skip = tail.len() - after.len();
                gaql.from = quoted(&tail[skip..]);
                let and = tail_lower[skip..].find(" and ")? + skip + 5;
                gaql.to = quoted(&tail[and..]);
            } else if let Some(after) = tail_lower.strip_prefix("during") {
                let preset = after.split_whitespace().next()?.to_uppercase();
                (gaql.from, gaql.to) = during(&preset)?;
            } else if let Some(v) = tail.strip_prefix(">=") {
                gaql.from = quoted(v);
            } else if let Some(v) = tail.strip_prefix("<=") {
                gaql.to = quoted(v);
            } else if let Some(v) = tail.strip_prefix(">") {
                gaql.from = quoted(v).map(|d| d + Days::days(1));
            } else if let Some(v) = tail.strip_prefix("<") {
                gaql.to = quoted(v).map(|d| d - Days::days(1));
            } else if let Some(v) = tail.strip_prefix("=") {
                gaql.from = quoted(v);
                gaql.to = gaql.from;
            }
            rest = &lower[offset..];
        }
        Some(gaql)
    }

    /// Rows in the API's JSON: int64 as strings, per day when `segments.date` is selected, else summed.
    fn results(&self, customer: &str, rows: Vec<AdsRow>) -> Vec<Value> {
        let grouped = sum_by(rows, |r| (r.campaign_id, self.by_date.then_some(r.date)));
        let mut out: Vec<(Option<NaiveDate>, String, Value)> = grouped
            .into_iter()
            .map(|((id, date), r)| {
                let mut row = json!({
                    "campaign": { "resourceName": format!("customers/{customer}/campaigns/{id}"), "id": id.to_string(), "name": r.campaign_name, "status": "ENABLED" },
                    "metrics": {
                        "costMicros": r.cost_micros.to_string(), "impressions": r.impressions.to_string(),
                        "clicks": r.clicks.to_string(), "conversions": r.conversions, "conversionsValue": r.conversions_value,
                    },
                });
                if let Some(d) = date {
                    row["segments"] = json!({ "date": d.to_string() });
                }
                (date, r.campaign_name, row)
            })
            .collect();
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        out.into_iter().map(|(_, _, v)| v).collect()
    }
}

fn camel(field: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// GAQL date presets; `LAST_N_DAYS` ends yesterday.
fn during(preset: &str) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let t = today();
    let yesterday = t - Days::days(1);
    let last = |n: i64| Some((Some(t - Days::days(n)), Some(yesterday)));
    match preset {
        "TODAY" => Some((Some(t), Some(t))),
        "YESTERDAY" => Some((Some(yesterday), Some(yesterday))),
        "LAST_7_DAYS" => last(7),
        "LAST_14_DAYS" => last(14),
        "LAST_30_DAYS" => last(30),
        "THIS_MONTH" => Some((t.with_day0(0), Some(t))),
        _ => None,
    }
}

pub(crate) fn control(cfg: &mut web::ServiceConfig) {
    cfg.route("/google/messages", web::post().to(control_seed_message))
        .route("/google/messages", web::get().to(control_messages))
        .route("/google/sent", web::get().to(control_sent))
        .route("/google/expire-history", web::post().to(control_expire_history))
        .route("/google/ads", web::post().to(control_seed_ads));
}

async fn control_seed_message(shared: Data, seed: web::Json<SeedMessage>) -> HttpResponse {
    let m = shared.lock().google.insert(seed.into_inner());
    HttpResponse::Ok().json(json!({ "id": m.id, "threadId": m.thread_id, "historyId": m.history_id.to_string() }))
}

/// `GET /_fake/google/messages?mailbox=`: a mailbox as the fake holds it (default: the default account).
async fn control_messages(shared: Data, query: web::Query<MailboxBody>) -> HttpResponse {
    let mut inner = shared.lock();
    let name = query
        .mailbox
        .clone()
        .unwrap_or_else(|| inner.google.default_mailbox.clone());
    HttpResponse::Ok().json(&inner.google.mailbox(&name).messages)
}

async fn control_sent(shared: Data) -> HttpResponse {
    HttpResponse::Ok().json(&shared.lock().google.sent)
}

#[derive(Deserialize)]
struct MailboxBody {
    mailbox: Option<String>,
}

async fn control_expire_history(shared: Data, body: web::Json<MailboxBody>) -> HttpResponse {
    shared.lock().google.expire_history(body.mailbox.as_deref());
    HttpResponse::NoContent().finish()
}

async fn control_seed_ads(shared: Data, rows: web::Json<Vec<AdsRow>>) -> HttpResponse {
    shared.lock().google.upsert_ads(rows.into_inner());
    HttpResponse::NoContent().finish()
}

impl GoogleData {
    /// The campaign days of the default data set's customers.
    pub(crate) fn ads(&self) -> &[AdsRow] {
        &self.ads
    }

    fn expire_history(&mut self, mailbox: Option<&str>) {
        let floor = self.next_history + 1;
        let name = mailbox.map_or_else(|| self.default_mailbox.clone(), str::to_owned);
        self.mailbox(&name).history_floor = floor;
    }

    fn upsert_ads(&mut self, rows: Vec<AdsRow>) {
        for row in rows {
            upsert(&mut self.ads, row, |a, b| {
                (&a.customer_id, a.campaign_id, a.date) == (&b.customer_id, b.campaign_id, b.date)
            });
        }
    }
}

/// The Google side of the library API.
impl ProviderFakes {
    /// Puts a message into a mailbox (a new history id); returns it as stored.
    pub fn seed_gmail(&self, seed: SeedMessage) -> GmailMessage {
        self.with(|i| i.google.insert(seed))
    }

    /// Messages of a mailbox, oldest first.
    pub fn gmail_messages(&self, mailbox: &str) -> Vec<GmailMessage> {
        self.with(|i| i.google.mailbox(mailbox).messages.clone())
    }

    /// Every message sent through `users.messages.send`, decoded.
    pub fn sent_mail(&self) -> Vec<SentMail> {
        self.with(|i| i.google.sent.clone())
    }

    /// Forget the mailbox's history: any older `startHistoryId` now gets 404 (a full sync is due).
    pub fn expire_gmail_history(&self, mailbox: &str) {
        self.with(|i| i.google.expire_history(Some(mailbox)));
    }

    /// Adds or replaces campaign days of a Google Ads customer.
    pub fn seed_ads(&self, rows: Vec<AdsRow>) {
        self.with(|i| i.google.upsert_ads(rows));
    }
}
