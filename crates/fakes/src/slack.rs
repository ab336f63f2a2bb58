//! The Slack fake under `/slack`: the OAuth v2 consent page (`/slack/oauth/v2/authorize`, as on
//! slack.com) and the Web API methods under `/slack/api/` (`https://slack.com/api`): `oauth.v2.access`
//! with token rotation, `auth.test`, `auth.revoke`, `conversations.list`, `conversations.history`,
//! `conversations.replies`, `users.info`, `chat.postMessage`. Like Slack, every method answers HTTP 200
//! with `{"ok": false, "error": ..}` on failure; only rate limits are HTTP 429. Seeding lives under
//! `/_fake/slack/`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::oauth::{self, GrantError, Issued, TokenError};
use crate::server::{bearer, decode_cursor, encode_cursor, params, slice_page, upsert, Data, Provider, ProviderFakes};

const P: Provider = Provider::Slack;
const TEAM_ID: &str = "T0FAKE0001";
const TEAM_NAME: &str = "Agency Workspace";
const BOT_USER: &str = "U0FAKEBOT1";
const BOT_ID: &str = "B0FAKEBOT1";
const INSTALLER: &str = "U0FAKEOWN1";
/// The Web API methods the fake implements, one route each (so calls are counted per method).
const METHODS: [&str; 8] = [
    "oauth.v2.access",
    "auth.test",
    "auth.revoke",
    "conversations.list",
    "conversations.history",
    "conversations.replies",
    "users.info",
    "chat.postMessage",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackChannel {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_private: bool,
    /// Whether the app's bot is in the channel (history and posting need it).
    #[serde(default = "yes")]
    pub is_member: bool,
    #[serde(default)]
    pub is_archived: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackUser {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub real_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub is_bot: bool,
}

/// A channel message; `ts` is assigned when empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackMessage {
    pub channel: String,
    #[serde(default)]
    pub user: String,
    pub text: String,
    #[serde(default)]
    pub ts: String,
    #[serde(default)]
    pub thread_ts: Option<String>,
}

/// A `chat.postMessage` call the fake accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackPost {
    pub channel: String,
    pub text: String,
    pub thread_ts: Option<String>,
    pub ts: String,
}

/// One Slack workspace: the default one every account sees, or the demo's ([`crate::demo`]).
#[derive(Debug)]
pub(crate) struct SlackData {
    /// (team id, team name).
    team: (String, String),
    next: u64,
    channels: Vec<SlackChannel>,
    users: Vec<SlackUser>,
    messages: Vec<SlackMessage>,
    posts: Vec<SlackPost>,
}

impl SlackData {
    /// A workspace with nothing in it yet.
    pub fn empty(team: (&str, &str)) -> SlackData {
        SlackData {
            team: (team.0.to_owned(), team.1.to_owned()),
            next: 0,
            channels: Vec::new(),
            users: Vec::new(),
            messages: Vec::new(),
            posts: Vec::new(),
        }
    }

    /// The app's bot user, which `chat.postMessage` posts as.
    pub fn add_bot(&mut self) {
        self.add_user(SlackUser {
            id: BOT_USER.into(),
            name: "audienceos".into(),
            real_name: "AudienceOS".into(),
            email: None,
            is_bot: true,
        });
    }

    pub fn seeded() -> SlackData {
        let mut data = SlackData::empty((TEAM_ID, TEAM_NAME));
        for (name, is_private, is_member) in [
            ("acme-dental", false, true),
            ("brightpath", false, true),
            ("general", false, true),
            ("random", false, false),
            ("leadership", true, true),
        ] {
            data.add_channel(SlackChannel {
                id: String::new(),
                name: name.into(),
                is_private,
                is_member,
                is_archived: false,
            });
        }
        for (id, name, real, email) in [
            ("U0DANA0001", "dana", "Dana Reed", "dana@acme-dental.test"),
            ("U0SAM00001", "sam", "Sam Ortiz", "sam@brightpath.test"),
            ("U0ALEX0001", "alex", "Alex Kim", "alex@agency.test"),
        ] {
            data.add_user(SlackUser {
                id: id.into(),
                name: name.into(),
                real_name: real.into(),
                email: Some(email.into()),
                is_bot: false,
            });
        }
        data.add_bot();
        let now = Utc::now().timestamp();
        let seed = [
            (
                "C0FAKE0001",
                "U0DANA0001",
                "Can we move the review call to Thursday?",
                3 * 86_400,
            ),
            (
                "C0FAKE0001",
                "U0ALEX0001",
                "Sure, Thursday 2pm works.",
                3 * 86_400 - 600,
            ),
            (
                "C0FAKE0001",
                "U0DANA0001",
                "The new ads look great. Any early numbers?",
                5 * 3600,
            ),
            ("C0FAKE0002", "U0SAM00001", "We approved the landing page copy.", 86_400),
            (
                "C0FAKE0003",
                "U0ALEX0001",
                "Reminder: monthly reports go out Friday.",
                2 * 86_400,
            ),
        ];
        for (channel, user, text, age) in seed {
            data.add_message(
                SlackMessage {
                    channel: channel.into(),
                    user: user.into(),
                    text: text.into(),
                    ts: String::new(),
                    thread_ts: None,
                },
                now - age,
            );
        }
        data
    }

    pub(crate) fn add_channel(&mut self, mut c: SlackChannel) -> SlackChannel {
        if c.id.is_empty() {
            c.id = format!("C0FAKE{:04}", self.channels.len() + 1);
        }
        upsert(&mut self.channels, c.clone(), |x, y| x.id == y.id);
        c
    }

    pub(crate) fn add_user(&mut self, mut u: SlackUser) -> SlackUser {
        if u.id.is_empty() {
            u.id = format!("U0FAKE{:04}", self.users.len() + 1);
        }
        upsert(&mut self.users, u.clone(), |x, y| x.id == y.id);
        u
    }

    /// Stores a message, giving it a unique `ts` at `secs` when it has none.
    pub(crate) fn add_message(&mut self, mut m: SlackMessage, secs: i64) -> SlackMessage {
        if m.ts.is_empty() {
            self.next += 1;
            m.ts = format!("{secs}.{:06}", self.next);
        }
        self.messages.push(m.clone());
        m
    }

    pub(crate) fn posts(&self) -> &[SlackPost] {
        &self.posts
    }

    fn channel(&self, id_or_name: &str) -> Option<&SlackChannel> {
        let name = id_or_name.trim_start_matches('#');
        self.channels.iter().find(|c| c.id == id_or_name || c.name == name)
    }
}

pub(crate) fn scope() -> actix_web::Scope {
    web::scope("/slack")
        .route("/oauth/v2/authorize", web::get().to(authorize))
        .route("/oauth/v2/authorize", web::post().to(authorize_decision))
        .configure(|cfg| {
            for name in METHODS {
                cfg.route(&format!("/api/{name}"), web::route().to(method));
            }
        })
        .route(
            "/api/{method}",
            web::route().to(|req: HttpRequest| async move {
                unknown_method(req.match_info().get("method").unwrap_or_default())
            }),
        )
}

pub(crate) fn fault_body(status: StatusCode) -> Value {
    json!({ "ok": false, "error": if status.as_u16() == 429 { "ratelimited" } else { "internal_error" } })
}

fn unknown_method(name: &str) -> HttpResponse {
    HttpResponse::NotFound().json(json!({ "ok": false, "error": "unknown_method", "req_method": name }))
}

fn fail(error: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "ok": false, "error": error }))
}

fn ok(mut body: Value) -> HttpResponse {
    body["ok"] = json!(true);
    HttpResponse::Ok().json(body)
}

async fn authorize(shared: Data, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let params = query.into_inner();
    if let Err(e) = oauth::AuthRequest::parse(shared.client(P), &params, "scope") {
        return oauth::error_page(&e);
    }
    oauth::consent_page(
        "Slack",
        &shared.config.default_account,
        &params,
        "scope",
        "/slack/oauth/v2/authorize",
    )
}

async fn authorize_decision(shared: Data, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    oauth::decide(&shared, P, &form, "scope", &[("error", "access_denied")])
}

/// Every Web API method: parameters from the query, a form or a JSON body; the token from the
/// `Authorization: Bearer` header or the `token` parameter.
async fn method(shared: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let params = params(&req, &body);
    let name = req.path().rsplit('/').next().unwrap_or_default().to_owned();
    if name == "oauth.v2.access" {
        return access(&shared, &params);
    }
    let token = bearer(&req).or_else(|| params.get("token").cloned());
    let principal = shared.lock().oauth.principal(P, token.as_deref());
    let account = match principal {
        Ok(p) => p.account,
        Err(e) => {
            return fail(match e {
                TokenError::Missing => "not_authed",
                TokenError::Invalid => "invalid_auth",
                TokenError::Expired => "token_expired",
                TokenError::Revoked => "token_revoked",
            })
        }
    };
    let args = Args(&params);
    let get = |k: &str| args.get(k);
    let ws = Workspace {
        shared: &shared,
        account: &account,
    };
    match name.as_str() {
        "auth.test" => {
            let (team_id, team) = ws.team();
            let url = format!("https://{}.slack.com/", team.to_lowercase().replace(' ', "-"));
            ok(json!({
                "url": url, "team": team, "user": "audienceos",
                "team_id": team_id, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": false,
            }))
        }
        "auth.revoke" => {
            let revoked = get("test").is_none_or(|t| t == "false" || t == "0")
                && shared.lock().oauth.revoke(P, token.as_deref().unwrap_or_default());
            ok(json!({ "revoked": revoked }))
        }
        "conversations.list" => conversations_list(&ws, &args),
        "conversations.history" => conversations_history(&ws, &args),
        "conversations.replies" => conversations_replies(&ws, &args),
        "users.info" => {
            let inner = shared.lock();
            let slack = inner.slack_of(&account);
            match slack.users.iter().find(|u| Some(u.id.as_str()) == get("user")) {
                Some(u) => ok(json!({ "user": {
                    "id": u.id, "team_id": slack.team.0, "name": u.name, "deleted": false, "real_name": u.real_name,
                    "is_bot": u.is_bot, "profile": { "real_name": u.real_name, "display_name": u.name, "email": u.email },
                }})),
                None => fail("user_not_found"),
            }
        }
        "chat.postMessage" => post_message(&ws, &args),
        _ => unknown_method(&name),
    }
}

/// `oauth.v2.access`: the code exchange, and with `grant_type=refresh_token` a rotation (new refresh
/// token, the old one spent).
fn access(shared: &Data, params: &HashMap<String, String>) -> HttpResponse {
    let client = shared.client(P).clone();
    let expires_in = shared.expires_in(P);
    let refreshing = params.get("grant_type").map(String::as_str) == Some("refresh_token");
    let result = {
        let mut inner = shared.lock();
        if refreshing {
            inner.oauth.refresh(P, &client, params, expires_in, true)
        } else {
            inner.oauth.exchange_code(P, &client, params, expires_in, true)
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
            let (team_id, team) = {
                let inner = shared.lock();
                let account = inner.oauth.principal(P, Some(&access_token)).map(|p| p.account);
                let slack = inner.slack_of(account.as_deref().unwrap_or_default());
                slack.team.clone()
            };
            ok(json!({
                "app_id": "A0FAKEAPP1", "authed_user": { "id": INSTALLER }, "scope": scope, "token_type": "bot",
                "access_token": access_token, "bot_user_id": BOT_USER, "refresh_token": refresh_token,
                "expires_in": expires_in, "team": { "id": team_id, "name": team }, "enterprise": null,
                "is_enterprise_install": false,
            }))
        }
        Err(e) => fail(match e {
            GrantError::InvalidClient => "invalid_client_id",
            GrantError::InvalidGrant(_) | GrantError::InvalidRequest(_) if refreshing => "invalid_refresh_token",
            GrantError::InvalidGrant(_) | GrantError::InvalidRequest(_) => "invalid_code",
            GrantError::RedirectMismatch => "bad_redirect_uri",
            GrantError::UnsupportedGrantType => "invalid_grant_type",
        }),
    }
}

/// A method's non-empty parameters.
struct Args<'a>(&'a HashMap<String, String>);

impl Args<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// A page size from `limit` (default and maximum as Slack documents them) and the offset in `cursor`.
fn paging(args: &Args, default: usize, max: usize) -> Result<(usize, usize), Box<HttpResponse>> {
    let get = |k: &str| args.get(k);
    let size = get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(default)
        .clamp(1, max);
    match get("cursor") {
        None => Ok((0, size)),
        Some(c) => decode_cursor(c)
            .map(|o| (o, size))
            .ok_or_else(|| Box::new(fail("invalid_cursor"))),
    }
}

/// The workspace a token's account sees (the demo's for the demo account, else the default one).
struct Workspace<'a> {
    shared: &'a Data,
    account: &'a str,
}

impl Workspace<'_> {
    fn team(&self) -> (String, String) {
        self.shared.lock().slack_of(self.account).team.clone()
    }
}

fn conversations_list(ws: &Workspace, args: &Args) -> HttpResponse {
    let get = |k: &str| args.get(k);
    let (start, size) = match paging(args, 100, 1000) {
        Ok(p) => p,
        Err(res) => return *res,
    };
    let types = get("types").unwrap_or("public_channel");
    let exclude_archived = get("exclude_archived").is_some_and(|v| v == "true" || v == "1");
    let inner = ws.shared.lock();
    let slack = inner.slack_of(ws.account);
    let channels: Vec<&SlackChannel> = slack
        .channels
        .iter()
        .filter(|c| {
            types.contains(if c.is_private {
                "private_channel"
            } else {
                "public_channel"
            })
        })
        .filter(|c| !c.is_private || c.is_member)
        .filter(|c| !(exclude_archived && c.is_archived))
        .collect();
    let (items, next) = slice_page(&channels, start, size);
    let channels: Vec<Value> = items
        .iter()
        .map(|c| {
            let members = slack.users.len();
            json!({
                "id": c.id, "name": c.name, "is_channel": !c.is_private, "is_group": false, "is_im": false,
                "is_private": c.is_private, "is_member": c.is_member, "is_archived": c.is_archived,
                "created": 1_700_000_000, "creator": INSTALLER, "num_members": members,
                "topic": { "value": "", "creator": "", "last_set": 0 }, "purpose": { "value": "", "creator": "", "last_set": 0 },
            })
        })
        .collect();
    ok(
        json!({ "channels": channels, "response_metadata": { "next_cursor": next.map(encode_cursor).unwrap_or_default() } }),
    )
}

fn ts(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// The channel a history or replies call names, if the bot may read it.
fn readable_channel<'a>(data: &'a SlackData, args: &Args) -> Result<&'a SlackChannel, &'static str> {
    let channel = args
        .get("channel")
        .and_then(|c| data.channel(c))
        .ok_or("channel_not_found")?;
    if channel.is_member {
        Ok(channel)
    } else {
        Err("not_in_channel")
    }
}

/// A page of messages as Slack lists them: `messages`, `has_more`, `response_metadata.next_cursor`.
fn message_page(data: &SlackData, messages: &[&SlackMessage], args: &Args) -> HttpResponse {
    let (start, size) = match paging(args, 100, 999) {
        Ok(p) => p,
        Err(res) => return *res,
    };
    let (items, next) = slice_page(messages, start, size);
    let out: Vec<Value> = items.iter().map(|m| message_json(data, m)).collect();
    ok(json!({
        "messages": out, "has_more": next.is_some(), "pin_count": 0,
        "response_metadata": { "next_cursor": next.map(encode_cursor).unwrap_or_default() },
    }))
}

fn message_json(data: &SlackData, m: &SlackMessage) -> Value {
    let mut v = json!({ "type": "message", "user": m.user, "text": m.text, "ts": m.ts });
    if m.user == BOT_USER {
        v["bot_id"] = json!(BOT_ID);
    }
    if let Some(t) = &m.thread_ts {
        v["thread_ts"] = json!(t);
    }
    let replies = data
        .messages
        .iter()
        .filter(|r| r.thread_ts.as_deref() == Some(m.ts.as_str()) && r.ts != m.ts)
        .count();
    if replies > 0 {
        v["thread_ts"] = json!(m.ts);
        v["reply_count"] = json!(replies);
    }
    v
}

/// Top-level messages of a channel, newest first, between `oldest` and `latest`.
fn conversations_history(ws: &Workspace, args: &Args) -> HttpResponse {
    let inner = ws.shared.lock();
    let slack = inner.slack_of(ws.account);
    let channel = match readable_channel(slack, args) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let inclusive = args.get("inclusive").is_some_and(|v| v == "true" || v == "1");
    let oldest = args.get("oldest").map(ts);
    let latest = args.get("latest").map(ts);
    let mut messages: Vec<&SlackMessage> = slack
        .messages
        .iter()
        .filter(|m| m.channel == channel.id)
        // Thread replies are not in the channel's history (conversations.replies has them), as on Slack.
        .filter(|m| m.thread_ts.as_deref().is_none_or(|t| t == m.ts))
        .filter(|m| oldest.is_none_or(|o| if inclusive { ts(&m.ts) >= o } else { ts(&m.ts) > o }))
        .filter(|m| latest.is_none_or(|l| if inclusive { ts(&m.ts) <= l } else { ts(&m.ts) < l }))
        .collect();
    messages.sort_by(|a, b| ts(&b.ts).total_cmp(&ts(&a.ts)));
    message_page(slack, &messages, args)
}

/// A thread: its parent, then the replies, oldest first.
fn conversations_replies(ws: &Workspace, args: &Args) -> HttpResponse {
    let inner = ws.shared.lock();
    let slack = inner.slack_of(ws.account);
    let channel = match readable_channel(slack, args) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let Some(parent) = args.get("ts") else {
        return fail("thread_not_found");
    };
    let mut messages: Vec<&SlackMessage> = slack
        .messages
        .iter()
        .filter(|m| m.channel == channel.id && (m.ts == parent || m.thread_ts.as_deref() == Some(parent)))
        .collect();
    if messages.is_empty() {
        return fail("thread_not_found");
    }
    messages.sort_by(|a, b| ts(&a.ts).total_cmp(&ts(&b.ts)));
    message_page(slack, &messages, args)
}

fn post_message(ws: &Workspace, args: &Args) -> HttpResponse {
    let get = |k: &str| args.get(k);
    let Some(text) = get("text") else {
        return fail("no_text");
    };
    let mut inner = ws.shared.lock();
    let slack = inner.slack_of_mut(ws.account);
    let Some(channel) = get("channel").and_then(|c| slack.channel(c)).cloned() else {
        return fail("channel_not_found");
    };
    if !channel.is_member {
        return fail("not_in_channel");
    }
    let thread_ts = get("thread_ts").map(str::to_owned);
    let m = slack.add_message(
        SlackMessage {
            channel: channel.id.clone(),
            user: BOT_USER.into(),
            text: text.into(),
            ts: String::new(),
            thread_ts: thread_ts.clone(),
        },
        Utc::now().timestamp(),
    );
    slack.posts.push(SlackPost {
        channel: channel.id.clone(),
        text: text.into(),
        thread_ts: thread_ts.clone(),
        ts: m.ts.clone(),
    });
    let mut message = json!({ "type": "message", "subtype": "bot_message", "text": text, "user": BOT_USER, "bot_id": BOT_ID, "ts": m.ts });
    if let Some(t) = thread_ts {
        message["thread_ts"] = json!(t);
    }
    ok(json!({ "channel": channel.id, "ts": m.ts, "message": message }))
}

pub(crate) fn control(cfg: &mut web::ServiceConfig) {
    cfg.route("/slack/channels", web::post().to(control_channel))
        .route("/slack/users", web::post().to(control_user))
        .route("/slack/messages", web::post().to(control_message))
        .route("/slack/posts", web::get().to(control_posts));
}

async fn control_channel(shared: Data, c: web::Json<SlackChannel>) -> HttpResponse {
    HttpResponse::Ok().json(shared.lock().slack.add_channel(c.into_inner()))
}

async fn control_user(shared: Data, u: web::Json<SlackUser>) -> HttpResponse {
    HttpResponse::Ok().json(shared.lock().slack.add_user(u.into_inner()))
}

async fn control_message(shared: Data, m: web::Json<SlackMessage>) -> HttpResponse {
    HttpResponse::Ok().json(shared.lock().slack.add_message(m.into_inner(), Utc::now().timestamp()))
}

/// Every post the fake accepted, in the default workspace and the demo's.
async fn control_posts(shared: Data) -> HttpResponse {
    HttpResponse::Ok().json(shared.lock().slack_posts())
}

/// The Slack side of the library API.
impl ProviderFakes {
    /// Adds (or replaces, by id) a channel; an empty id gets one.
    pub fn seed_slack_channel(&self, channel: SlackChannel) -> SlackChannel {
        self.with(|i| i.slack.add_channel(channel))
    }

    pub fn seed_slack_user(&self, user: SlackUser) -> SlackUser {
        self.with(|i| i.slack.add_user(user))
    }

    /// Adds a message (an empty `ts` becomes now).
    pub fn seed_slack_message(&self, message: SlackMessage) -> SlackMessage {
        self.with(|i| i.slack.add_message(message, Utc::now().timestamp()))
    }

    /// Every `chat.postMessage` the fake accepted, oldest first per workspace (the default one, then the demo's).
    pub fn slack_posts(&self) -> Vec<SlackPost> {
        self.with(|i| i.slack_posts())
    }
}
