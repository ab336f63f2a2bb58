//! The one HTTP client of the SPA. Pages call the typed functions in the submodules; only [`send`]
//! talks to `fetch`. It adds same-origin credentials, JSON headers and the CSRF header, decodes 2xx
//! bodies into `T` and everything else into a [`Problem`], and expires the session on a 401.

pub mod ad_performance;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod clients;
pub mod communications;
pub mod dashboard;
pub mod files;
pub mod integrations;
pub mod labels;
pub mod notes;
pub mod onboarding;
pub mod pipeline;
pub mod seo;
pub mod tasks;
pub mod team;

use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::time::Duration;

use audienceos_shared::Problem;
use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::Owner;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCredentials};

use crate::state::session::{Session, SignedOutReason};

/// Prefix of every versioned API path.
const API: &str = "/api/v1";
/// Prefix of the public (no sign-in) API the intake page calls.
const PUBLIC_API: &str = "/api/public";
/// Name of the double-submit CSRF cookie.
const CSRF_COOKIE: &str = "aos_csrf";
/// Problem code of a wrong password; a 401 with it never ends the session.
const INVALID_CREDENTIALS: &str = "invalid_credentials";
/// Header carrying the CSRF token on every unsafe request.
const CSRF_HEADER: &str = "X-CSRF-Token";

thread_local! {
    static SESSION: Cell<Option<Session>> = const { Cell::new(None) };
}

/// Give the client the session it reads the CSRF token from and expires on a 401.
pub fn install_session(session: Session) {
    SESSION.with(|s| s.set(Some(session)));
}

/// An API failure: the server's problem document, or one made here for network and decoding failures.
/// A `std::error::Error`, so views can throw it into an `ErrorBoundary`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(pub Problem);

impl ApiError {
    /// The problem for a request that never got an answer.
    fn network(detail: impl Into<String>) -> Self {
        Self(Problem::client(
            "network_error",
            "Can't reach AudienceOS",
            format!("Check your connection and try again. ({})", detail.into()),
        ))
    }

    /// The problem for an answer that is not what the API sends.
    fn bad_response(status: u16, request_id: Option<String>, what: &str) -> Self {
        let mut p = Problem::client(
            "bad_response",
            "Unexpected response from the server",
            format!("The server answered {status} with {what}."),
        );
        p.status = status;
        p.request_id = request_id;
        Self(p)
    }

    /// The sentence to show a user: the detail if there is one, else the title.
    pub fn message(&self) -> String {
        self.0.detail.clone().unwrap_or_else(|| self.0.title.clone())
    }

    /// True when the problem has this code.
    pub fn is(&self, code: &str) -> bool {
        self.0.code == code
    }

    /// The same problem, told to the user as `message` instead, with no field errors.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.0.detail = Some(message.into());
        self.0.errors.clear();
        self
    }

    /// The same problem, with `message` under `field` as its only field error.
    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.0.errors = vec![audienceos_shared::FieldError {
            field: field.into(),
            code: "invalid".into(),
            message: message.into(),
        }];
        self
    }
}

impl Deref for ApiError {
    type Target = Problem;

    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message())
    }
}

impl std::error::Error for ApiError {}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        Self(p)
    }
}

/// Result of every API call.
pub type ApiResult<T> = Result<T, ApiError>;

/// `GET /api/v1{path}`.
pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    send(Method::GET, path, None).await
}

/// `POST /api/v1{path}` with a JSON body.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send_json(Method::POST, path, body).await
}

/// `PATCH /api/v1{path}` with a JSON body.
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send_json(Method::PATCH, path, body).await
}

/// `PUT /api/v1{path}` with a JSON body.
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send_json(Method::PUT, path, body).await
}

/// `PUT /api/v1{path}` without a body.
pub async fn put_empty<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    send(Method::PUT, path, None).await
}

/// `POST /api/v1{path}` without a body.
pub async fn post_empty<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    send(Method::POST, path, None).await
}

/// `POST /api/v1{path}` with a raw body of `content_type` (CSV import).
pub async fn post_raw<T: DeserializeOwned>(path: &str, content_type: &str, body: String) -> ApiResult<T> {
    send_with(Method::POST, path, Some((body, content_type))).await
}

/// Wait `d` (between polls of a job's progress).
pub async fn pause(d: Duration) {
    let ms = i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `DELETE /api/v1{path}`.
pub async fn delete<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    send(Method::DELETE, path, None).await
}

async fn send_json<B: Serialize, T: DeserializeOwned>(method: Method, path: &str, body: &B) -> ApiResult<T> {
    let body = encode(body)?;
    send(method, path, Some(body)).await
}

fn encode<B: Serialize>(body: &B) -> ApiResult<String> {
    serde_json::to_string(body).map_err(|e| {
        ApiError(Problem::client(
            "bad_request_body",
            "Could not encode the request",
            e.to_string(),
        ))
    })
}

/// `?a=1&b=2` for a query DTO (fields that are `None` are left out); empty when nothing is set.
pub fn query_string<Q: Serialize>(query: &Q) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(s) if !s.is_empty() => format!("?{s}"),
        _ => String::new(),
    }
}

/// The absolute URL of an API path, for links the browser follows itself (downloads, CSV export).
pub fn url(path: &str) -> String {
    format!("{API}{path}")
}

/// The one request function. `path` is relative to `/api/v1`; a body is JSON.
pub async fn send<T: DeserializeOwned>(method: Method, path: &str, body: Option<String>) -> ApiResult<T> {
    send_with(method, path, body.map(|b| (b, "application/json"))).await
}

/// [`send`] with a body of any content type.
async fn send_with<T: DeserializeOwned>(method: Method, path: &str, body: Option<(String, &str)>) -> ApiResult<T> {
    send_to(url(path), method, body).await
}

/// `GET /api/public{path}`: the public routes (no session; a 401 there never signs anyone out).
pub async fn public_get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    send_to(format!("{PUBLIC_API}{path}"), Method::GET, None).await
}

/// `POST /api/public{path}` with a JSON body.
pub async fn public_post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let body = encode(body)?;
    send_to(
        format!("{PUBLIC_API}{path}"),
        Method::POST,
        Some((body, "application/json")),
    )
    .await
}

/// Sends one request to an absolute path of this origin.
async fn send_to<T: DeserializeOwned>(url: String, method: Method, body: Option<(String, &str)>) -> ApiResult<T> {
    let answer = exchange(url, method, body, &[]).await?;
    decode_response(answer.status, answer.request_id, &answer.text)
}

/// `POST /api/v1{path}` with a JSON body and extra request headers (`Idempotency-Key`).
pub async fn post_with_headers<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    headers: &[(&str, &str)],
) -> ApiResult<T> {
    let body = encode(body)?;
    let answer = exchange(url(path), Method::POST, Some((body, "application/json")), headers).await?;
    decode_response(answer.status, answer.request_id, &answer.text)
}

/// `POST /api/v1{path}` without a body, for rate-limited actions: the result and, when the server sent
/// one (on a 429), the `Retry-After` in seconds.
pub async fn post_empty_with_retry_after<T: DeserializeOwned>(path: &str) -> (ApiResult<T>, Option<u64>) {
    match exchange(url(path), Method::POST, None, &[]).await {
        Ok(answer) => (
            decode_response(answer.status, answer.request_id, &answer.text),
            answer.retry_after,
        ),
        Err(e) => (Err(e), None),
    }
}

/// What the server answered, before decoding.
struct Answer {
    status: u16,
    request_id: Option<String>,
    retry_after: Option<u64>,
    text: String,
}

/// Sends one request and reads the answer's status, the headers the app uses, and the body.
async fn exchange(
    url: String,
    method: Method,
    body: Option<(String, &str)>,
    headers: &[(&str, &str)],
) -> ApiResult<Answer> {
    let mut builder = RequestBuilder::new(&url)
        .method(method.clone())
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json, application/problem+json");
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    if method != Method::GET && method != Method::HEAD {
        if let Some(token) = csrf_token() {
            builder = builder.header(CSRF_HEADER, &token);
        }
    }
    // Abort the request when the view (reactive owner) that started it is cleaned up.
    let controller = AbortController::new().ok();
    if let Some(c) = &controller {
        builder = builder.abort_signal(Some(&c.signal()));
        if Owner::current().is_some() {
            let c = SendWrapper::new(c.clone());
            Owner::on_cleanup(move || c.abort());
        }
    }
    let request = match body {
        Some((text, content_type)) => builder.header("Content-Type", content_type).body(text),
        None => builder.build(),
    }
    .map_err(|e| ApiError::network(e.to_string()))?;

    let response = request.send().await.map_err(|e| ApiError::network(e.to_string()))?;
    let status = response.status();
    let request_id = response.headers().get("x-request-id");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| parse_retry_after(&v));
    let text = response.text().await.map_err(|e| ApiError::network(e.to_string()))?;
    Ok(Answer {
        status,
        request_id,
        retry_after,
        text,
    })
}

/// `Retry-After` as delta-seconds (the API never sends the HTTP-date form).
fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse().ok()
}

/// A 2xx body as `T`, anything else as a problem (expiring the session on a 401).
fn decode_response<T: DeserializeOwned>(status: u16, request_id: Option<String>, text: &str) -> ApiResult<T> {
    if (200..300).contains(&status) {
        let json = if text.trim().is_empty() { "null" } else { text };
        return serde_json::from_str(json)
            .map_err(|_| ApiError::bad_response(status, request_id, "a body the app cannot read"));
    }

    let problem = decode_problem(status, request_id, text);
    if status == 401 && problem.code != INVALID_CREDENTIALS {
        expire_session();
    }
    Err(problem)
}

/// A non-2xx body as a problem; anything else (HTML from a proxy, broken JSON) is `bad_response`.
fn decode_problem(status: u16, request_id: Option<String>, text: &str) -> ApiError {
    match serde_json::from_str::<Problem>(text) {
        Ok(p) => ApiError(p),
        Err(_) => ApiError::bad_response(status, request_id, "a body that is not a problem document"),
    }
}

/// A signed-in request got 401: the session is gone. The private layout then routes to sign-in
/// with `?next=`. Requests made while signed out (login, the start-up `/auth/me`) are left alone.
fn expire_session() {
    if let Some(session) = SESSION.with(Cell::get) {
        if session.is_signed_in_untracked() {
            session.sign_out(SignedOutReason::Expired);
        }
    }
}

/// The session's CSRF token, else the `aos_csrf` cookie.
fn csrf_token() -> Option<String> {
    SESSION
        .with(Cell::get)
        .and_then(|s| s.csrf_token_untracked())
        .or_else(csrf_cookie)
}

fn csrf_cookie() -> Option<String> {
    let cookies = web_sys::window()?
        .document()?
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookie_value(&cookies, CSRF_COOKIE)
}

/// The value of cookie `name` in a `document.cookie` string.
fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// `s` percent-encoded as one path segment (a token from a URL the user pasted).
pub fn routes_segment(s: &str) -> String {
    crate::routes::encode_component(s).replace('/', "%2F")
}

/// `?limit=..&cursor=..` for list endpoints.
pub fn page_query(limit: u32, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("?limit={limit}&cursor={}", crate::routes::encode_component(c)),
        None => format!("?limit={limit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_value_finds_the_csrf_cookie() {
        assert_eq!(
            cookie_value("a=1; aos_csrf=tok; b=2", "aos_csrf").as_deref(),
            Some("tok")
        );
        assert_eq!(cookie_value("a=1", "aos_csrf"), None);
    }

    #[test]
    fn retry_after_is_read_as_seconds() {
        assert_eq!(parse_retry_after(" 120 "), Some(120));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
    }

    #[test]
    fn a_non_problem_body_becomes_bad_response() {
        let e = decode_problem(502, Some("rid".into()), "<html>Bad gateway</html>");
        assert_eq!(e.code, "bad_response");
        assert_eq!(e.status, 502);
        assert_eq!(e.request_id.as_deref(), Some("rid"));
        let e = decode_problem(
            404,
            None,
            r#"{"type":"about:blank","title":"Not found","status":404,"code":"not_found"}"#,
        );
        assert_eq!(e.code, "not_found");
    }
}
