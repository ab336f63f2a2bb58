//! The one clock. `AppState::now()` (this `Clock`) is the time of the product's data: timestamps it
//! writes, days in stage, due and overdue dates, alerts, snoozes, the rules job, the dashboard and intake
//! link expiry. It is system time shifted by an offset that only the test hooks (`AOS_TEST_HOOKS=true`,
//! never in production) can set, so tests and the e2e suite can make time pass. `system_now()` is the
//! unshifted reading, for deadlines of security and infrastructure that must not follow the test clock
//! (sessions, API keys, reset tokens, provider tokens, job leases, rate limits, health); it is the only
//! place the system clock is read (`clippy.toml` bans the other ways).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// System time at the precision both backends store (microseconds).
#[allow(clippy::disallowed_methods)] // the one reader of the system clock
pub fn system_now() -> DateTime<Utc> {
    use chrono::SubsecRound as _;
    Utc::now().trunc_subsecs(6)
}

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    /// Now, at the precision both backends store, plus the test offset.
    pub fn now(&self) -> DateTime<Utc> {
        system_now() + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Set the offset from system time (absolute, not cumulative).
    pub fn set_offset(&self, seconds: i64) {
        self.offset_secs.store(seconds, Ordering::Relaxed);
    }

    pub fn offset(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_offset_is_absolute() {
        let c = super::Clock::default();
        c.set_offset(3600);
        c.set_offset(7200);
        let d = c.now() - super::system_now();
        assert!((d.num_seconds() - 7200).abs() <= 1);
    }
}
