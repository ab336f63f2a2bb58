//! The job worker: claims due jobs from the durable `job` table with a lease, runs them, and retries
//! failures with exponential backoff. Every process runs one worker; the lease makes them share safely.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use tokio::sync::Notify;

use crate::alert_rules::ALERT_RULES_JOB;
use crate::mailer::Email;
use crate::state::AppState;
use crate::store::client_imports::CLIENT_IMPORT_JOB;
use crate::store::jobs::{JobRow, NewJob};
use crate::store::outbox::SEND_EMAIL_JOB;

/// Seconds a claimed job is leased for.
const LEASE_SECS: i64 = 120;

/// Wakes the worker when a job is enqueued in this process.
#[derive(Clone, Default)]
pub struct JobSignal(Arc<Notify>);

impl JobSignal {
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Run until shutdown: claim, run, repeat; sleep until notified or the poll interval passes.
pub async fn run_worker(state: actix_web::web::Data<AppState>) {
    let worker = format!("worker-{}", uuid::Uuid::now_v7());
    let poll = Duration::from_millis(state.settings.job_poll_ms);
    // A shutting-down process claims nothing new; the job it is running finishes (`crate::shutdown`).
    while !state.shutdown.is_draining() {
        match run_next(&state, &worker).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error.cause_chain = ?e, "job worker failed to claim"),
        }
        tokio::select! {
            _ = state.jobs.0.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = state.shutdown.closed() => {}
        }
    }
}

/// Enqueue the periodic jobs of the current period. The idempotency key names the period, so however
/// many API processes call this, each period's job exists once.
pub async fn schedule_periodic(state: &AppState) -> anyhow::Result<()> {
    let now = crate::clock::system_now();
    if crate::integrations::sync::schedule_all(state, now).await? > 0 {
        state.jobs.notify();
    }
    let interval = state.settings.alert_rules_interval_secs;
    if interval == 0 {
        return Ok(());
    }
    let period = now.timestamp().div_euclid(interval as i64);
    state
        .store
        .enqueue_job(
            &NewJob {
                kind: ALERT_RULES_JOB,
                payload: serde_json::json!({ "period": period }),
                run_at: now,
                max_attempts: 3,
                idempotency_key: Some(format!("{ALERT_RULES_JOB}:{interval}:{period}")),
            },
            now,
        )
        .await?;
    state.jobs.notify();
    Ok(())
}

/// Run forever: schedule the periodic jobs at least once a minute (and at start).
pub async fn run_scheduler(state: actix_web::web::Data<AppState>) {
    let intervals = [
        state.settings.alert_rules_interval_secs,
        state.settings.integration_sync_interval_secs,
    ];
    let Some(shortest) = intervals.into_iter().filter(|i| *i > 0).min() else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(shortest.clamp(1, 60)));
    loop {
        tick.tick().await;
        if let Err(e) = schedule_periodic(&state).await {
            tracing::error!(error.cause_chain = ?e, "could not schedule periodic jobs");
        }
    }
}

/// Claim and run one due job. `Ok(false)` when none was due.
pub async fn run_next(state: &AppState, worker: &str) -> anyhow::Result<bool> {
    let Some(job) = state
        .store
        .claim_job(worker, crate::clock::system_now(), LEASE_SECS)
        .await?
    else {
        return Ok(false);
    };
    let span = tracing::info_span!("job", job_id = %job.id, kind = %job.kind, attempt = job.attempts);
    let _guard = span.enter();
    let result = run(state, &job).await;
    let now = crate::clock::system_now();
    match result {
        Ok(()) => {
            state.store.complete_job(job.id, now).await?;
            tracing::info!("job done");
        }
        Err(e) if e.downcast_ref::<crate::integrations::sync::RetryLater>().is_some() => {
            // The provider said when to come back: not a failed attempt.
            let at = e
                .downcast_ref::<crate::integrations::sync::RetryLater>()
                .map_or(now, |r| r.at);
            tracing::info!(retry_at = %at, "job deferred");
            state.store.defer_job(job.id, &format!("{e:#}"), at, now).await?;
        }
        Err(e) => {
            let give_up = job.attempts >= job.max_attempts;
            let retry_at = (!give_up).then(|| now + backoff(job.attempts));
            tracing::warn!(error.cause_chain = ?e, give_up, "job failed");
            state.store.fail_job(job.id, &format!("{e:#}"), retry_at, now).await?;
            if give_up && job.kind == CLIENT_IMPORT_JOB {
                crate::services::client_csv::import_job_gave_up(state, &job.payload.0, &format!("{e:#}")).await?;
            }
            if job.kind == SEND_EMAIL_JOB {
                if let Some(id) = email_id(&job) {
                    state
                        .store
                        .mark_email_attempt_failed(id, &format!("{e:#}"), give_up, now)
                        .await?;
                }
            }
        }
    }
    Ok(true)
}

/// 2^attempt seconds, capped at 10 minutes.
fn backoff(attempt: i32) -> chrono::Duration {
    chrono::Duration::seconds(2_i64.saturating_pow(attempt.clamp(0, 10) as u32).min(600))
}

fn email_id(job: &JobRow) -> Option<uuid::Uuid> {
    job.payload
        .0
        .get("email_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

async fn run(state: &AppState, job: &JobRow) -> anyhow::Result<()> {
    match job.kind.as_str() {
        SEND_EMAIL_JOB => {
            let id = email_id(job).context("email job without email_id")?;
            let email = state.store.get_email(id).await?;
            if email.status == "sent" {
                return Ok(()); // already sent by an earlier attempt whose completion was lost
            }
            state
                .mailer
                .send(&Email {
                    to: &email.to_address,
                    subject: &email.subject,
                    text: &email.body_text,
                    html: email.body_html.as_deref(),
                })
                .await?;
            state.store.mark_email_sent(id, crate::clock::system_now()).await?;
            Ok(())
        }
        ALERT_RULES_JOB => {
            crate::alert_rules::run_all(state, state.clock.now()).await?;
            Ok(())
        }
        CLIENT_IMPORT_JOB => crate::services::client_csv::run_import_job(state, &job.payload.0).await,
        crate::seo::SEO_ENRICH_JOB => crate::seo::run_job(state, &job.payload.0).await,
        crate::integrations::sync::SYNC_JOB => crate::integrations::sync::run_job(state, &job.payload.0).await,
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

/// Run every job that is due now (tests and `audienceos` one-shot commands).
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let mut n = 0;
    while run_next(state, "drain").await? {
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff(1).num_seconds(), 2);
        assert_eq!(super::backoff(3).num_seconds(), 8);
        assert_eq!(super::backoff(30).num_seconds(), 600);
    }
}
