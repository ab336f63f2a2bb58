//! Response compression: `actix_web::middleware::Compress` negotiates brotli, zstd or gzip from
//! `Accept-Encoding` for JSON, HTML and problems; answers too small to gain (under `MIN_BYTES`) and live
//! event streams (each event must reach the browser when sent) are left alone. Built assets are not
//! compressed per request: `routes::spa` serves the brotli and gzip files `scripts/build-web` made.
//!
//! Compress skips a response that already names a `Content-Encoding`, so `mark_uncompressed` (inside it)
//! marks the ones to skip with `identity`, and `drop_identity_marker` (outside it) removes the marker.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// Answers smaller than this are sent as they are: compressing them saves less than it costs.
pub const MIN_BYTES: u64 = 1024;

/// Whether a response of `size` and `content_type` is worth compressing.
pub fn worth_compressing(size: BodySize, content_type: Option<&str>) -> bool {
    if content_type.is_some_and(|ct| ct.starts_with("text/event-stream")) {
        return false;
    }
    match size {
        BodySize::Sized(n) => n >= MIN_BYTES,
        BodySize::Stream => true,
        BodySize::None => false,
    }
}

/// Inside `Compress`: mark what it must leave alone.
pub async fn mark_uncompressed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let worth = worth_compressing(res.response().body().size(), content_type);
    if !worth && !res.headers().contains_key(header::CONTENT_ENCODING) {
        res.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("identity"));
    }
    Ok(res)
}

/// Outside `Compress`: an `identity` encoding is the marker, not something to send.
pub async fn drop_identity_marker(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if res
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        res.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_answers_and_event_streams_are_left_alone() {
        assert!(!worth_compressing(BodySize::Sized(200), Some("application/json")));
        assert!(worth_compressing(BodySize::Sized(4096), Some("application/json")));
        assert!(worth_compressing(BodySize::Stream, Some("text/csv")));
        assert!(!worth_compressing(BodySize::Stream, Some("text/event-stream")));
        assert!(!worth_compressing(BodySize::None, None));
    }
}
