//! The built SPA: static files from `AOS_WEB_DIST`, and `index.html` (with its Content-Security-Policy,
//! `crate::security::spa_policy`) for any other GET so deep links work.

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse, Responder as _};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::MethodNotAllowed);
    }
    let dist = &state.settings.web_dist;
    let rel = req.path().trim_start_matches('/');
    let safe = !rel.split('/').any(|seg| seg == ".." || seg.starts_with('.'));
    let candidate = dist.join(rel);
    let path = if safe && !rel.is_empty() && candidate.is_file() {
        candidate
    } else {
        dist.join("index.html")
    };
    let is_index = path.ends_with("index.html");
    match NamedFile::open_async(&path).await {
        Ok(file) => {
            let mut res = file.use_etag(true).respond_to(&req).map_into_boxed_body();
            let cache = if is_index { "no-cache" } else { "public, max-age=31536000, immutable" };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            if is_index {
                // The policy allows trunk's inline bootstrap by its hash, read from the file served.
                let html = tokio::fs::read_to_string(&path).await.unwrap_or_default();
                if let Ok(policy) = HeaderValue::from_str(&crate::security::spa_policy(&html)) {
                    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
                }
            }
            Ok(res)
        }
        Err(_) => Ok(HttpResponse::ServiceUnavailable()
            .content_type("text/html; charset=utf-8")
            .body("<!doctype html><title>AudienceOS</title><p>The web app is not built. Run <code>scripts/run</code>, which builds it.</p>")),
    }
}
