//! Tracing: JSON lines in production, pretty in development, `EnvFilter` from config. The request span
//! carries method, the matched route pattern (never the raw path or query, which can hold tokens), the
//! request id, status and latency. Secrets are types that cannot print, and we never put emails, tokens
//! or bodies into fields.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::HttpMessage as _;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Install the global subscriber writing to `writer`. Returns an error if one is already installed.
pub fn init<W>(format: LogFormat, filter: &str, writer: W) -> anyhow::Result<()>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).or_else(|_| EnvFilter::try_new("info"))?;
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(writer),
            )
            .try_init()?,
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().compact().with_writer(writer))
            .try_init()?,
    }
    Ok(())
}

/// When the request started, for the latency field.
#[derive(Clone, Copy)]
struct StartedAt(Instant);

/// Root span of every request.
pub struct AosRootSpan;

impl RootSpanBuilder for AosRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(StartedAt(Instant::now()));
        let route = request.match_pattern().unwrap_or_else(|| "(unmatched)".into());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let method = request.method().to_string();
        if route.starts_with("/api/health") {
            tracing::debug_span!("request", %method, %route, %request_id, status = tracing::field::Empty, latency_ms = tracing::field::Empty)
        } else {
            tracing::info_span!("request", %method, %route, %request_id, status = tracing::field::Empty, latency_ms = tracing::field::Empty)
        }
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, actix_web::Error>) {
        let (status, started, quiet) = match outcome {
            Ok(res) => (
                res.status().as_u16(),
                res.request().extensions().get::<StartedAt>().copied(),
                res.request()
                    .match_pattern()
                    .is_some_and(|p| p.starts_with("/api/health")),
            ),
            Err(e) => (e.as_response_error().status_code().as_u16(), None, false),
        };
        let latency_ms = started
            .map(|s| s.0.elapsed().as_secs_f64() * 1000.0)
            .unwrap_or_default();
        span.record("status", status);
        span.record("latency_ms", latency_ms);
        let _enter = span.enter();
        if status >= 500 {
            tracing::warn!(status, latency_ms, "request finished");
        } else if quiet {
            tracing::debug!(status, latency_ms, "request finished");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    }
}
