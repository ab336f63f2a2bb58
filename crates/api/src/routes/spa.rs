//! The built SPA: static files from `AOS_WEB_DIST`, and for any other GET (so deep links work) one of
//! its two pages, with its Content-Security-Policy (`crate::security::spa_policy`): `public.html`, the
//! small module of the public pages (the intake form and the auth pages, see [`is_public_page`]), or
//! `index.html`, the agency app. An asset with a precompressed sibling (`.br`, `.gz`, written by
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
        page_for(dist, req.path())
    };
    let is_index = path.ends_with(INDEX) || path.ends_with(PUBLIC);
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
/// The public pages' page (built by `scripts/build-web` from `crates/web/public.html`).
const PUBLIC: &str = "public.html";

/// The page that answers `path`: `public.html` for a public page (`index.html` if a build without it is
/// served), else `index.html`.
fn page_for(dist: &Path, path: &str) -> PathBuf {
    let public = dist.join(PUBLIC);
    if is_public_page(path) && public.is_file() {
        public
    } else {
        dist.join(INDEX)
    }
}

/// True for the paths of the public pages: the auth pages and `/intake/<token>`. The SPA's
/// `routes::is_public_app_path` is the same rule (the public module sends any other path back here
/// with a page load, so the two must agree).
fn is_public_page(path: &str) -> bool {
    matches!(path, "/sign-in" | "/sign-up" | "/forgot-password" | "/reset-password")
        || path
            .strip_prefix("/intake/")
            .is_some_and(|token| !token.is_empty() && !token.contains('/'))
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
    use super::{accepts, is_public_page};

    #[test]
    fn the_public_pages_are_the_auth_pages_and_intake_links() {
        for path in [
            "/sign-in",
            "/sign-up",
            "/forgot-password",
            "/reset-password",
            "/intake/abc_D-9",
        ] {
            assert!(is_public_page(path), "{path}");
        }
        for path in [
            "/",
            "/clients",
            "/intake/",
            "/intake/a/b",
            "/intake",
            "/sign-in/x",
            "/settings/account",
        ] {
            assert!(!is_public_page(path), "{path}");
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
