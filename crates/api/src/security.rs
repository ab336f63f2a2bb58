//! Security headers on every answer, and the SPA's Content-Security-Policy.
//!
//! - API answers (`/api/...`): `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (JSON
//!   is never a document to render) and `Cache-Control: no-store` unless the route set its own (what an
//!   authenticated answer holds must not stay in a shared or browser cache).
//! - The docs UI (`/api/docs/...`): its own scripts, styles and images only.
//! - The SPA's `index.html`: `spa_policy`, which allows the app's own scripts, the WebAssembly module,
//!   and trunk's one inline bootstrap script by its hash (computed from the built file, so a rebuild that
//!   changes it changes the policy with it).
//! - While the process drains for shutdown, `Connection: close` (`crate::shutdown`).
//! - Everywhere: `nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, COOP, and HSTS in
//!   production.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use base64::Engine as _;

const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Middleware body: the headers above, never replacing one a route set.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path().to_string();
    let state = req.app_data::<actix_web::web::Data<crate::state::AppState>>().cloned();
    let production = state.as_ref().is_some_and(|s| s.settings.env.is_production());
    let mut res = next.call(req).await?;
    if state.is_some_and(|s| s.shutdown.is_draining()) {
        // Kept-alive clients reconnect, through the load balancer, to an instance that stays.
        res.response_mut().head_mut().set_connection_type(ConnectionType::Close);
    }
    let headers = res.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if production {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    if path.starts_with("/api/docs") {
        set(header::CONTENT_SECURITY_POLICY, DOCS_POLICY);
    } else if path.starts_with("/api/") {
        set(header::CONTENT_SECURITY_POLICY, API_POLICY);
        set(header::CACHE_CONTROL, "no-store");
    }
    Ok(res)
}

/// The policy of the SPA's `index.html`: `'self'` for everything, `'wasm-unsafe-eval'` to instantiate
/// the module, each inline script of `html` allowed by its SHA-256, images also from `data:` and `blob:`
/// (the favicon, previews), inline styles (the view sets a few `style` attributes), no plugins, no
/// framing, no other origins.
pub fn spa_policy(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = ring::digest::digest(&ring::digest::SHA256, script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; connect-src 'self'; \
         img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of each `<script>` without a `src`, exactly as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let after = &rest[start..];
        let open_end = after.find('>')?;
        let open = &after[..open_end];
        let body = &after[open_end + 1..];
        let close = body.find("</script>")?;
        rest = &body[close + "</script>".len()..];
        if !open.contains(" src=") {
            return Some(&body[..close]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_nothing_else() {
        let html = r#"<html><head><script type="module" src="/a.js"></script>
<script type="module">import init from '/app.js';await init();</script></head></html>"#;
        let policy = spa_policy(html);
        // echo -n "import init from '/app.js';await init();" | openssl dgst -sha256 -binary | base64
        let expected = base64::engine::general_purpose::STANDARD
            .encode(ring::digest::digest(&ring::digest::SHA256, b"import init from '/app.js';await init();").as_ref());
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';")));
        assert_eq!(policy.matches("'sha256-").count(), 1);
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"));
        assert!(!policy.contains("unsafe-eval'") || policy.contains("wasm-unsafe-eval"));
    }
}
