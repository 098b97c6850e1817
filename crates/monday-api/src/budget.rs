//! The complexity budget as the client sees it: learnt from `complexity { after
//! reset_in_x_seconds }` in every answer, used to pause *before* a query would hit the wall.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::time::Instant;

/// How often a request waiting for the window's first answer looks again.
const PROBE_WAIT: Duration = Duration::from_millis(10);

/// Extra wait after the announced reset, so the first query of the new window is not early.
const RESET_MARGIN: Duration = Duration::from_millis(300);

#[derive(Debug, Default)]
struct State {
    /// Points left in the current window, if known.
    remaining: Option<u64>,
    /// When the window refills, if known.
    reset_at: Option<Instant>,
    /// Points promised to requests in flight.
    reserved: u64,
    /// Requests in flight.
    inflight: u32,
    /// Last cost seen per operation key, as the estimate of the next one.
    estimates: HashMap<String, u64>,
    /// Until when a request is paused for the budget or a rate limit, if one is.
    paused_until: Option<Instant>,
    /// Pauses so far.
    pauses: u64,
}

/// Shared budget tracker of one client (one token).
#[derive(Debug, Default, Clone)]
pub struct Budget {
    state: Arc<Mutex<State>>,
}

/// Points held for one request in flight; given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    state: Arc<Mutex<State>>,
    amount: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut s = self.state.lock();
        s.reserved = s.reserved.saturating_sub(self.amount);
        s.inflight = s.inflight.saturating_sub(1);
    }
}

impl Budget {
    /// The expected cost of the operation `key` (0 until it has run once).
    pub fn estimate(&self, key: &str) -> u64 {
        self.state.lock().estimates.get(key).copied().unwrap_or(0)
    }

    /// How long to wait before `estimate` points fit, or `None` when they fit now (and are
    /// then reserved).
    fn try_reserve(&self, estimate: u64, now: Instant) -> Result<Reservation, Duration> {
        let mut s = self.state.lock();
        if s.reset_at.is_some_and(|r| now >= r) {
            s.remaining = None;
            s.reset_at = None;
        }
        let fits = match s.remaining {
            // Nothing known of this window yet: one request at a time until an answer says
            // what is left (several at once could overrun a window none of them knew).
            None => s.inflight == 0,
            Some(left) => left.saturating_sub(s.reserved) >= estimate,
        };
        if fits {
            s.reserved += estimate;
            s.inflight += 1;
            return Ok(Reservation { state: Arc::clone(&self.state), amount: estimate });
        }
        if s.remaining.is_none() {
            // The first answer of the window is on its way.
            return Err(PROBE_WAIT);
        }
        // Not enough left: wait for the refill (or a second, if the refill time is unknown
        // and requests in flight may give points back).
        Err(s.reset_at.map_or(Duration::from_secs(1), |r| r.saturating_duration_since(now) + RESET_MARGIN))
    }

    /// Waits until the expected cost of operation `key` is (probably) available and reserves
    /// it. The estimate is read again at each try: a request that waited for the window's first
    /// answer must reserve what that answer taught, not the nothing known when it began.
    pub async fn acquire_for(&self, key: &str) -> Reservation {
        self.acquire_with(|| self.estimate(key)).await
    }

    /// Waits until `estimate` points are (probably) available and reserves them.
    #[cfg(test)]
    pub async fn acquire(&self, estimate: u64) -> Reservation {
        self.acquire_with(|| estimate).await
    }

    async fn acquire_with(&self, estimate: impl Fn() -> u64) -> Reservation {
        loop {
            let estimate = estimate();
            match self.try_reserve(estimate, Instant::now()) {
                Ok(r) => return r,
                Err(wait) => {
                    if wait > PROBE_WAIT {
                        self.pausing(wait);
                        tracing::info!(
                            wait_ms = wait.as_millis() as u64,
                            estimate,
                            "pausing until monday.com's complexity budget refills"
                        );
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Records what an answer said: the query cost `query`, `after` points left, refill in
    /// `reset_in` seconds.
    pub fn observe(&self, key: &str, query: u64, after: u64, reset_in: u64) {
        let now = Instant::now();
        // A window is a minute on monday.com; a figure beyond a day is not believed (and would
        // overflow the clock).
        let reset_at = now + Duration::from_secs(reset_in.min(crate::error::MAX_WAIT_SECS));
        let mut s = self.state.lock();
        s.estimates.insert(key.to_string(), query);
        // Answers can arrive out of order: within one window the lowest figure is the truth;
        // a later reset time means a new window.
        let new_window = s.reset_at.is_none_or(|old| reset_at > old + Duration::from_secs(1));
        s.remaining = Some(if new_window { after } else { s.remaining.map_or(after, |r| r.min(after)) });
        if new_window {
            s.reset_at = Some(reset_at);
        }
    }

    /// Records that a request waits `wait` from now (for the budget or a rate limit), so that
    /// [`Budget::paused_for`] can say so.
    pub fn pausing(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.state.lock();
        s.paused_until = Some(s.paused_until.map_or(until, |old| old.max(until)));
        s.pauses += 1;
    }

    /// How many times requests paused for the budget or a rate limit so far.
    pub fn pauses(&self) -> u64 {
        self.state.lock().pauses
    }

    /// How much longer requests are paused for the budget or a rate limit (`None`: not paused).
    /// A sync that seems to stand still says this instead of nothing.
    pub fn paused_for(&self) -> Option<Duration> {
        let until = self.state.lock().paused_until?;
        until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
    }

    /// Records that monday.com said the budget is spent until `retry_after` from now.
    pub fn exhausted(&self, retry_after: Duration) {
        let mut s = self.state.lock();
        s.remaining = Some(0);
        s.reset_at = Some(Instant::now() + retry_after);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request that has to wait for the window counts as a pause; one that fits does not
    /// (a sync that never paused defers its access through teams to its finish).
    #[tokio::test(start_paused = true)]
    async fn waiting_for_the_window_counts_as_a_pause() {
        let b = Budget::default();
        b.observe("users", 100, 1_000, 60);
        drop(b.acquire(100).await);
        assert_eq!(b.pauses(), 0, "a request that fits does not pause");
        b.observe("users", 100, 0, 60);
        drop(b.acquire(100).await);
        assert_eq!(b.pauses(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_reset_time_is_bounded_not_a_panic() {
        let b = Budget::default();
        b.observe("users", 100, 0, u64::MAX);
        let start = Instant::now();
        let waiting = tokio::time::timeout(Duration::from_secs(90_000), b.acquire(100)).await;
        assert!(waiting.is_ok(), "the wait is bounded by a day");
        assert!(start.elapsed() <= Duration::from_secs(86_401));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_refill_only_when_needed() {
        let b = Budget::default();
        drop(b.acquire(100).await); // nothing known yet: go
        b.observe("users", 100, 150, 30);
        assert_eq!(b.estimate("users"), 100);
        let start = Instant::now();
        drop(b.acquire(100).await);
        assert_eq!(start.elapsed(), Duration::ZERO, "150 left, 100 needed");
        b.observe("users", 100, 50, 29);
        drop(b.acquire(100).await);
        let waited = start.elapsed();
        // The window opened 30 s before its first refill; a later answer does not move it.
        assert_eq!(waited, Duration::from_secs(30) + RESET_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn reservations_count_requests_in_flight() {
        let b = Budget::default();
        b.observe("q", 60, 100, 10);
        let first = b.acquire(60).await;
        assert!(b.try_reserve(60, Instant::now()).is_err(), "the first reservation holds 60 of 100");
        drop(first);
        assert!(b.try_reserve(60, Instant::now()).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_is_told_while_it_lasts() {
        let b = Budget::default();
        assert_eq!(b.paused_for(), None);
        b.observe("q", 100, 50, 30);
        let waiter = {
            let b = b.clone();
            tokio::spawn(async move { drop(b.acquire(100).await) })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let left = b.paused_for().unwrap_or_default();
        assert!(left > Duration::from_secs(28) && left <= Duration::from_secs(30) + RESET_MARGIN, "{left:?}");
        tokio::time::sleep(Duration::from_secs(31)).await;
        assert_eq!(b.paused_for(), None, "over once the window refilled");
        waiter.await.unwrap_or_default();
    }

    #[tokio::test(start_paused = true)]
    async fn exhausted_waits_exactly_as_told() {
        let b = Budget::default();
        b.exhausted(Duration::from_secs(22));
        let start = Instant::now();
        drop(b.acquire(1).await);
        assert_eq!(start.elapsed(), Duration::from_secs(22) + RESET_MARGIN);
    }

    /// Requests that start together in a window nobody has an answer for go one at a time,
    /// and the ones that waited reserve what the first answer taught (a stale estimate of 0
    /// let them all through and overrun the window).
    #[tokio::test(start_paused = true)]
    async fn a_new_window_is_probed_by_one_request() {
        let b = Budget::default();
        let first = b.acquire_for("Users/200").await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), b.acquire_for("Users/200")).await;
        assert!(waiting.is_err(), "a second request waits for the first answer");
        b.observe("Users/200", 2010, 2990, 60);
        drop(first);
        let second = b.acquire_for("Users/200").await;
        let third = tokio::time::timeout(Duration::from_secs(5), b.acquire_for("Users/200")).await;
        assert!(third.is_err(), "2,990 left holds one more 2,010-point page, not two");
        drop(second);
    }
}
