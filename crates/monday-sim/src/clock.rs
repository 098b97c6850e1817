//! The emulator's clock: real time plus an offset tests can advance, or frozen.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A monotonic clock that tests can move forward (`/_sim/clock`) or freeze.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    started_at: chrono::DateTime<chrono::Utc>,
    offset_ms: AtomicU64,
    frozen: AtomicBool,
    frozen_at_ms: AtomicU64,
}

impl Clock {
    /// A clock that follows real time.
    pub fn new() -> Clock {
        Clock {
            start: Instant::now(),
            started_at: chrono::Utc::now(),
            offset_ms: AtomicU64::new(0),
            frozen: AtomicBool::new(false),
            frozen_at_ms: AtomicU64::new(0),
        }
    }

    /// Time since the emulator started, as the emulator sees it.
    pub fn now(&self) -> Duration {
        let offset = self.offset_ms.load(Ordering::SeqCst);
        if self.frozen.load(Ordering::SeqCst) {
            Duration::from_millis(self.frozen_at_ms.load(Ordering::SeqCst) + offset)
        } else {
            self.start.elapsed() + Duration::from_millis(offset)
        }
    }

    /// The emulator's wall-clock time: when it started plus [`Clock::now`], so that what it
    /// logs (the audit log) moves with the clock tests move.
    pub fn wall_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.started_at + chrono::Duration::milliseconds(self.now().as_millis().min(i64::MAX as u128) as i64)
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Stops (or restarts) the flow of real time, so only `advance` moves the clock.
    pub fn set_frozen(&self, frozen: bool) {
        let real_ms = self.start.elapsed().as_millis() as u64;
        if frozen && !self.frozen.load(Ordering::SeqCst) {
            self.frozen_at_ms.store(real_ms, Ordering::SeqCst);
        } else if !frozen && self.frozen.load(Ordering::SeqCst) {
            // Keep `now` continuous: the time spent frozen is taken out of the offset's base.
            let frozen_at = self.frozen_at_ms.load(Ordering::SeqCst);
            let lost = real_ms.saturating_sub(frozen_at);
            let offset = self.offset_ms.load(Ordering::SeqCst);
            self.offset_ms.store(offset.saturating_sub(lost), Ordering::SeqCst);
        }
        self.frozen.store(frozen, Ordering::SeqCst);
    }

    /// Whether real time is ignored.
    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let c = Clock::new();
        c.set_frozen(true);
        let t0 = c.now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(c.now(), t0);
        c.advance(Duration::from_secs(30));
        assert_eq!(c.now(), t0 + Duration::from_secs(30));
    }
}
