//! Counters of the client's work, for `/metrics` in later layers.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters (cheap to update from many tasks).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: AtomicU64,
    succeeded: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    failed: AtomicU64,
    complexity: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MetricsSnapshot {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Requests answered with data.
    pub succeeded: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Answers that were rate limits (complexity, minute, concurrency, daily).
    pub rate_limited: u64,
    /// Calls that failed for good.
    pub failed: u64,
    /// Complexity points monday.com charged.
    pub complexity: u64,
}

impl Metrics {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn success(&self, complexity: u64) {
        self.succeeded.fetch_add(1, Ordering::Relaxed);
        self.complexity.fetch_add(complexity, Ordering::Relaxed);
    }
    pub(crate) fn retry(&self, rate_limited: bool) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        if rate_limited {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
    }
    pub(crate) fn failure(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            succeeded: self.succeeded.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            complexity: self.complexity.load(Ordering::Relaxed),
        }
    }
}
