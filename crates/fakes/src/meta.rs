//! The Meta fake under `/meta/{version}`: the Facebook Login dialog (www.facebook.com/v*/dialog/oauth)
//! and the Graph API (graph.facebook.com/v*): `oauth/access_token` (code exchange and `fb_exchange_token`
//! for a long-lived token), `me`, `me/adaccounts`, and `{act_id}/insights` by day with cursor paging.
//! Errors are Graph's `{"error": {message, type, code, error_subcode, fbtrace_id}}`. Seeding lives under
//! `/_fake/meta/`.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration as Days, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::oauth::{self, GrantError, Issued, TokenError};
use crate::server::{
    bearer, decode_cursor, encode_cursor, hash, origin, params, slice_page, sum_by, today, upsert, Data, Provider,
    ProviderFakes, Summable, SEED_DAYS,
};

const P: Provider = Provider::Meta;
/// What `fb_exchange_token` hands out: about 60 days.
const LONG_LIVED_SECS: u64 = 5_183_944;
const USER_ID: &str = "10000000000000001";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaAdAccount {
    /// Digits only; the Graph id is `act_<account_id>`.
    pub account_id: String,
    pub name: String,
    #[serde(default = "usd")]
    pub currency: String,
}

fn usd() -> String {
    "USD".into()
}

/// One day of one campaign in an ad account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaInsightRow {
    pub account_id: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub date: NaiveDate,
    pub spend: f64,
    pub impressions: u64,
    pub clicks: u64,
    pub purchases: u64,
    pub purchase_value: f64,
}

impl Summable for MetaInsightRow {
    fn add(&mut self, r: &MetaInsightRow) {
        self.spend += r.spend;
        self.impressions += r.impressions;
        self.clicks += r.clicks;
        self.purchases += r.purchases;
        self.purchase_value += r.purchase_value;
    }
}

/// The ad accounts one Meta user sees (the default set, or the demo's: [`crate::demo`]).
#[derive(Debug)]
pub(crate) struct MetaData {
    accounts: Vec<MetaAdAccount>,
    insights: Vec<MetaInsightRow>,
}

impl MetaData {
    pub fn new(accounts: Vec<MetaAdAccount>, insights: Vec<MetaInsightRow>) -> MetaData {
        MetaData { accounts, insights }
    }

    pub fn seeded() -> MetaData {
        let accounts = vec![
            MetaAdAccount {
                account_id: "1111111111".into(),
                name: "Acme Dental Ads".into(),
                currency: usd(),
            },
            MetaAdAccount {
                account_id: "2222222222".into(),
                name: "BrightPath Ads".into(),
                currency: usd(),
            },
        ];
        let campaigns = [
            ("1111111111", "120200000000000001", "Acme - Lead gen"),
            ("1111111111", "120200000000000002", "Acme - Retargeting"),
            ("2222222222", "120200000000000003", "BrightPath - Awareness"),
        ];
        let mut insights = Vec::new();
        for day in 1..=SEED_DAYS {
            let date = today() - Days::days(day);
            for (account, id, name) in campaigns {
                let h = hash(&format!("{id}{date}"));
                let clicks = 10 + h % 60;
                let purchases = (h >> 20) % 4;
                insights.push(MetaInsightRow {
                    account_id: account.into(),
                    campaign_id: id.into(),
                    campaign_name: name.into(),
                    date,
                    spend: (clicks * (50 + (h >> 8) % 150)) as f64 / 100.0,
                    impressions: clicks * (20 + (h >> 14) % 40),
                    clicks,
                    purchases,
                    purchase_value: purchases as f64 * 64.0,
                });
            }
        }
        MetaData { accounts, insights }
    }
}

pub(crate) fn scope() -> actix_web::Scope {
    web::scope("/meta/{version}")
        .route("/dialog/oauth", web::get().to(dialog))
        .route("/dialog/oauth", web::post().to(dialog_decision))
        .route("/oauth/access_token", web::route().to(access_token))
        .route("/me", web::get().to(me))
        .route("/me/adaccounts", web::get().to(ad_accounts))
        .route("/{act_id}/insights", web::get().to(insights))
        .default_service(web::to(|| async {
            graph_error("Unknown path components", "OAuthException", 2500, None)
        }))
}

/// Graph's error object.
pub(crate) fn error_body(message: &str, kind: &str, code: u32, subcode: Option<u32>) -> Value {
    let mut error = json!({ "message": message, "type": kind, "code": code, "fbtrace_id": format!("A{:015x}", hash(message) >> 4) });
    if let Some(s) = subcode {
        error["error_subcode"] = json!(s);
    }
    json!({ "error": error })
}

pub(crate) fn fault_body(status: StatusCode) -> Value {
    if status.as_u16() == 429 {
        error_body("Application request limit reached", "OAuthException", 4, None)
    } else {
        error_body(
            "An unexpected error has occurred. Please retry your request later.",
            "OAuthException",
            2,
            None,
        )
    }
}

fn graph_error(message: &str, kind: &str, code: u32, subcode: Option<u32>) -> HttpResponse {
    let mut res = HttpResponse::BadRequest();
    if code == 190 {
        res.insert_header((
            "WWW-Authenticate",
            format!("OAuth \"Facebook Platform\" \"invalid_token\" \"{message}\""),
        ));
    }
    res.json(error_body(message, kind, code, subcode))
}

/// The account of the request's access token (`access_token` parameter or bearer header), or Graph's error.
fn authorized(shared: &Data, req: &HttpRequest, params: &HashMap<String, String>) -> Result<String, Box<HttpResponse>> {
    let token = params.get("access_token").cloned().or_else(|| bearer(req));
    shared
        .lock()
        .oauth
        .principal(P, token.as_deref())
        .map(|p| p.account)
        .map_err(|e| Box::new(token_error(e)))
}

fn token_error(e: TokenError) -> HttpResponse {
    match e {
        TokenError::Missing => graph_error(
            "An active access token must be used to query information about the current user.",
            "OAuthException",
            2500,
            None,
        ),
        TokenError::Invalid => graph_error(
            "Invalid OAuth access token - Cannot parse access token",
            "OAuthException",
            190,
            None,
        ),
        TokenError::Expired => graph_error(
            "Error validating access token: Session has expired.",
            "OAuthException",
            190,
            Some(463),
        ),
        TokenError::Revoked => graph_error(
            "Error validating access token: The user has not authorized application.",
            "OAuthException",
            190,
            Some(458),
        ),
    }
}

async fn dialog(shared: Data, req: HttpRequest, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let params = query.into_inner();
    if let Err(e) = oauth::AuthRequest::parse(shared.client(P), &params, "scope") {
        return oauth::error_page(&e);
    }
    oauth::consent_page("Facebook", &shared.config.default_account, &params, "scope", req.path())
}

async fn dialog_decision(shared: Data, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    oauth::decide(
        &shared,
        P,
        &form,
        "scope",
        &[
            ("error", "access_denied"),
            ("error_code", "200"),
            ("error_description", "Permissions error"),
            ("error_reason", "user_denied"),
        ],
    )
}

/// `GET /oauth/access_token`: `code` exchange, or `grant_type=fb_exchange_token` for a long-lived token.
async fn access_token(shared: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let params = params(&req, &body);
    let client = shared.client(P).clone();
    if params.get("client_id") != Some(&client.id) || params.get("client_secret") != Some(&client.secret) {
        return graph_error("Error validating client secret.", "OAuthException", 1, None);
    }
    let issued: Result<Issued, HttpResponse> = if params.get("grant_type").map(String::as_str)
        == Some("fb_exchange_token")
    {
        let token = params.get("fb_exchange_token").map(String::as_str).unwrap_or_default();
        shared
            .lock()
            .oauth
            .exchange_token(P, token, LONG_LIVED_SECS)
            .map_err(token_error)
    } else {
        let expires_in = shared.expires_in(P);
        shared
            .lock()
            .oauth
            .exchange_code(P, &client, &params, expires_in, false)
            .map_err(|e| match e {
                GrantError::RedirectMismatch => graph_error("Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request", "OAuthException", 100, Some(36008)),
                GrantError::InvalidGrant("Bad Request") => graph_error("This authorization code has been used.", "OAuthException", 100, Some(36009)),
                GrantError::InvalidClient => graph_error("Error validating client secret.", "OAuthException", 1, None),
                _ => graph_error("Invalid verification code format.", "OAuthException", 100, None),
            })
    };
    match issued {
        Ok(i) => HttpResponse::Ok()
            .json(json!({ "access_token": i.access_token, "token_type": "bearer", "expires_in": i.expires_in })),
        Err(res) => res,
    }
}

fn fields<'a>(params: &'a HashMap<String, String>, default: &'a str) -> Vec<&'a str> {
    params
        .get("fields")
        .map_or(default, String::as_str)
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect()
}

async fn me(shared: Data, req: HttpRequest, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let account = match authorized(&shared, &req, &query) {
        Ok(a) => a,
        Err(res) => return *res,
    };
    let mut body = json!({ "id": USER_ID });
    for f in fields(&query, "id,name") {
        match f {
            "name" => body["name"] = json!("Agency Owner"),
            "email" => body["email"] = json!(account),
            _ => {}
        }
    }
    HttpResponse::Ok().json(body)
}

/// `{data, paging: {cursors: {before, after}, next?}}` for one page of `items`.
fn paged(req: &HttpRequest, params: &HashMap<String, String>, items: Vec<Value>, default: usize) -> HttpResponse {
    let start = params.get("after").and_then(|c| decode_cursor(c)).map_or(0, |i| i + 1);
    let size = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(default)
        .clamp(1, 5000);
    let (data, next) = slice_page(&items, start, size);
    let mut body = json!({ "data": data });
    if !data.is_empty() {
        let last = start + data.len() - 1;
        body["paging"] = json!({ "cursors": { "before": encode_cursor(start), "after": encode_cursor(last) } });
        if next.is_some() {
            let mut query: BTreeMap<&str, &str> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let after = encode_cursor(last);
            query.insert("after", &after);
            let qs = serde_urlencoded::to_string(&query).unwrap_or_default();
            body["paging"]["next"] = json!(format!("{}{}?{qs}", origin(req), req.path()));
        }
    }
    HttpResponse::Ok().json(body)
}

async fn ad_accounts(shared: Data, req: HttpRequest, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let user = match authorized(&shared, &req, &query) {
        Ok(a) => a,
        Err(res) => return *res,
    };
    let inner = shared.lock();
    let meta = inner.meta_of(&user);
    let items: Vec<Value> = meta
        .accounts
        .iter()
        .map(|a| {
            let spent: f64 = meta
                .insights
                .iter()
                .filter(|r| r.account_id == a.account_id)
                .map(|r| r.spend)
                .sum();
            json!({
                "id": format!("act_{}", a.account_id), "account_id": a.account_id, "name": a.name,
                "account_status": 1, "currency": a.currency, "amount_spent": format!("{:.0}", spent * 100.0), "balance": "0",
            })
        })
        .collect();
    drop(inner);
    paged(&req, &query, items, 25)
}

/// `GET /{act_id}/insights`: `level` account or campaign, `time_increment=1` for one row per day,
/// `time_range={"since","until"}` or `date_preset`, `fields` among spend, impressions, clicks, actions,
/// action_values (plus campaign_id/campaign_name/account_id).
async fn insights(shared: Data, req: HttpRequest, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let user = match authorized(&shared, &req, &query) {
        Ok(a) => a,
        Err(res) => return *res,
    };
    let act = req.match_info().get("act_id").unwrap_or_default().to_owned();
    let unknown = || {
        graph_error(
            &format!("Unsupported get request. Object with ID '{act}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."),
            "GraphMethodException",
            100,
            Some(33),
        )
    };
    let Some(account) = act.strip_prefix("act_").map(str::to_owned) else {
        return unknown();
    };
    let Some((since, until)) = range(&query) else {
        return graph_error("Invalid parameter", "OAuthException", 100, None);
    };
    let by_campaign = query.get("level").map(String::as_str) == Some("campaign");
    let by_day = query.get("time_increment").map(String::as_str) == Some("1");
    let wanted = fields(&query, "spend,impressions");
    let grouped = {
        let inner = shared.lock();
        let meta = inner.meta_of(&user);
        if !meta.accounts.iter().any(|a| a.account_id == account) {
            return unknown();
        }
        let rows = meta
            .insights
            .iter()
            .filter(|r| r.account_id == account && r.date >= since && r.date <= until)
            .cloned();
        sum_by(rows, |r| {
            let campaign = if by_campaign {
                r.campaign_id.clone()
            } else {
                String::new()
            };
            (if by_day { r.date } else { since }, campaign)
        })
    };
    let items: Vec<Value> = grouped
        .into_iter()
        .map(|((date, _), r)| {
            let (start, stop) = if by_day { (date, date) } else { (since, until) };
            let mut row = json!({ "date_start": start.to_string(), "date_stop": stop.to_string() });
            for f in &wanted {
                let v = match *f {
                    "spend" => json!(format!("{:.2}", r.spend)),
                    "impressions" => json!(r.impressions.to_string()),
                    "clicks" => json!(r.clicks.to_string()),
                    "actions" if r.purchases > 0 => json!([
                        { "action_type": "link_click", "value": r.clicks.to_string() },
                        { "action_type": "purchase", "value": r.purchases.to_string() },
                        { "action_type": "offsite_conversion.fb_pixel_purchase", "value": r.purchases.to_string() },
                    ]),
                    "actions" => json!([{ "action_type": "link_click", "value": r.clicks.to_string() }]),
                    "action_values" if r.purchases > 0 => json!([
                        { "action_type": "purchase", "value": format!("{:.2}", r.purchase_value) },
                        { "action_type": "offsite_conversion.fb_pixel_purchase", "value": format!("{:.2}", r.purchase_value) },
                    ]),
                    "account_id" => json!(r.account_id),
                    "campaign_id" if by_campaign => json!(r.campaign_id),
                    "campaign_name" if by_campaign => json!(r.campaign_name),
                    _ => continue,
                };
                row[*f] = v;
            }
            if by_campaign {
                row["campaign_id"] = json!(r.campaign_id);
            }
            row
        })
        .collect();
    paged(&req, &query, items, 25)
}

/// The report's dates from `time_range` or `date_preset` (default `last_30d`; the `last_*` presets end yesterday).
fn range(params: &HashMap<String, String>) -> Option<(NaiveDate, NaiveDate)> {
    if let Some(tr) = params.get("time_range") {
        let v: Value = serde_json::from_str(tr).ok()?;
        let date = |k: &str| NaiveDate::parse_from_str(v.get(k)?.as_str()?, "%Y-%m-%d").ok();
        return Some((date("since")?, date("until")?));
    }
    let t = today();
    let yesterday = t - Days::days(1);
    let last = |n: i64| Some((t - Days::days(n), yesterday));
    match params.get("date_preset").map_or("last_30d", String::as_str) {
        "today" => Some((t, t)),
        "yesterday" => Some((yesterday, yesterday)),
        "last_7d" => last(7),
        "last_14d" => last(14),
        "last_28d" => last(28),
        "last_30d" => last(30),
        "last_90d" => last(90),
        "maximum" => Some((t - Days::days(37 * 30), t)),
        _ => None,
    }
}

pub(crate) fn control(cfg: &mut web::ServiceConfig) {
    cfg.route("/meta/adaccounts", web::post().to(control_account))
        .route("/meta/insights", web::post().to(control_insights));
}

async fn control_account(shared: Data, a: web::Json<MetaAdAccount>) -> HttpResponse {
    shared.lock().meta.add_account(a.into_inner());
    HttpResponse::NoContent().finish()
}

async fn control_insights(shared: Data, rows: web::Json<Vec<MetaInsightRow>>) -> HttpResponse {
    shared.lock().meta.upsert_insights(rows.into_inner());
    HttpResponse::NoContent().finish()
}

impl MetaData {
    fn add_account(&mut self, a: MetaAdAccount) {
        upsert(&mut self.accounts, a, |x, y| x.account_id == y.account_id);
    }

    fn upsert_insights(&mut self, rows: Vec<MetaInsightRow>) {
        for row in rows {
            upsert(&mut self.insights, row, |a, b| {
                (&a.account_id, &a.campaign_id, a.date) == (&b.account_id, &b.campaign_id, b.date)
            });
        }
    }
}

/// The Meta side of the library API.
impl ProviderFakes {
    pub fn seed_meta_account(&self, account: MetaAdAccount) {
        self.with(|i| i.meta.add_account(account));
    }

    /// Adds or replaces campaign days of an ad account.
    pub fn seed_meta_insights(&self, rows: Vec<MetaInsightRow>) {
        self.with(|i| i.meta.upsert_insights(rows));
    }
}
