//! The built SPA: static files from `AOS_WEB_DIST`, and for any other GET (so deep links work) one of
//! its pages, with its Content-Security-Policy (`crate::security::spa_policy`): `auth.html` for the auth
//! pages, `intake.html` for a client's intake form (each a small module of its own, see [`page_of`]),
//! `index.html`, the agency app, for everything else. An asset with a precompressed sibling (`.br`, `.gz`, written by
//! `scripts/build-web`) is served from it when `Accept-Encoding` allows.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
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
        let page = dist.join(page_of(req.path()));
        // A build from before the split has only index.html, which has every route.
        if page.is_file() {
            page
        } else {
            dist.join(INDEX)
        }
    };
    let is_index = [INDEX, AUTH, INTAKE].iter().any(|page| path.ends_with(page));
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let precompressed = if is_index { None } else { precompressed(&path, accept) };
    let opened = match &precompressed {
        Some((file, encoding)) => NamedFile::open_async(file).await.map(|f| {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
            f.set_content_type(actix_files::file_extension_to_mime(ext))
                .set_content_encoding(*encoding)
                .disable_content_disposition()
        }),
        None => NamedFile::open_async(&path).await,
    };
    match opened {
        Ok(file) => {
            let mut res = file.use_etag(true).respond_to(&req).map_into_boxed_body();
            let cache = if is_index { "no-cache" } else { "public, max-age=31536000, immutable" };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            if !is_index {
                res.headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            }
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

/// The agency app's page.
const INDEX: &str = "index.html";
/// The auth pages' page (sign-in, sign-up, forgot and reset password).
const AUTH: &str = "auth.html";
/// The client's intake form's page.
const INTAKE: &str = "intake.html";

/// The page that answers `path`. The SPA's `routes::entry_of` is the same rule (the auth module sends a
/// path it does not own back here with a page load, so the two must agree).
fn page_of(path: &str) -> &'static str {
    let intake_token = path.strip_prefix("/intake/");
    match path {
        "/sign-in" | "/sign-up" | "/forgot-password" | "/reset-password" => AUTH,
        _ if intake_token.is_some_and(|token| !token.is_empty() && !token.contains('/')) => INTAKE,
        _ => INDEX,
    }
}

/// The precompressed sibling of `path` the client accepts (brotli before gzip), if the build made one.
fn precompressed(path: &Path, accept_encoding: &str) -> Option<(PathBuf, ContentEncoding)> {
    [("br", ContentEncoding::Brotli), ("gzip", ContentEncoding::Gzip)]
        .into_iter()
        .filter(|(name, _)| accepts(accept_encoding, name))
        .map(|(name, encoding)| {
            let ext = if name == "br" { "br" } else { "gz" };
            let mut file = path.as_os_str().to_owned();
            file.push(format!(".{ext}"));
            (PathBuf::from(file), encoding)
        })
        .find(|(file, _)| file.is_file())
}

/// Whether an `Accept-Encoding` value accepts `coding` (named, or `*`, with a non-zero weight).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::{accepts, page_of};

    #[test]
    fn each_path_gets_its_page() {
        for path in ["/sign-in", "/sign-up", "/forgot-password", "/reset-password"] {
            assert_eq!(page_of(path), "auth.html", "{path}");
        }
        assert_eq!(page_of("/intake/abc_D-9"), "intake.html");
        for path in [
            "/",
            "/clients",
            "/intake/",
            "/intake/a/b",
            "/intake",
            "/sign-in/x",
            "/settings/account",
        ] {
            assert_eq!(page_of(path), "index.html", "{path}");
        }
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
    }
}
