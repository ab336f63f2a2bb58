//! Test-only routes, registered only when `AOS_TEST_HOOKS=true` (refused in production): shift the app
//! clock, and run the alert rules job now. Without the setting these paths are a plain 404.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ClockRequest {
    /// Seconds added to system time (absolute: each call replaces the previous offset).
    pub offset_seconds: i64,
}

/// `POST /api/test/clock {"offset_seconds": N}`
pub async fn set_clock(state: web::Data<AppState>, body: Json<ClockRequest>) -> Result<HttpResponse, ApiError> {
    if body.offset_seconds.unsigned_abs() > 10 * 365 * 24 * 3600 {
        return Err(ApiError::field("offset_seconds", "range", "must be within ten years"));
    }
    state.clock.set_offset(body.offset_seconds);
    // Reads derived from the clock (days in stage, snoozes, overdue) were cached at the old time.
    state.store.bump_all_data_versions().await?;
    Ok(HttpResponse::Ok().json(json!({ "offset_seconds": state.clock.offset(), "now": state.clock.now() })))
}

/// `POST /api/test/run-alert-rules`: the rules job for every agency, now (on the app clock).
pub async fn run_alert_rules(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let outcome = crate::alert_rules::run_all(&state, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(outcome))
}
