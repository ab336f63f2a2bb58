//! The application clock: system time, shifted by an offset that only the test hooks
//! (`AOS_TEST_HOOKS=true`, never in production) can set. Alerts, snoozes, the rules job and the dashboard
//! read the time from here so tests (and the e2e suite) can make time pass.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    /// Now, at the precision both backends store, plus the test offset.
    pub fn now(&self) -> DateTime<Utc> {
        crate::store::now() + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
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
        let d = c.now() - crate::store::now();
        assert!((d.num_seconds() - 7200).abs() <= 1);
    }
}
