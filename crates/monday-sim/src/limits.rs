//! monday.com's rate limits, per API token: the complexity budget per minute, the per-query
//! complexity cap, requests per minute, concurrent requests and calls per UTC day.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// Limits in force; `None` switches one off. Defaults are an Enterprise account's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitsConfig {
    /// Complexity points per minute per token (10,000,000 for personal tokens).
    pub complexity_per_minute: Option<u64>,
    /// Complexity points one query may cost (5,000,000).
    pub max_query_complexity: Option<u64>,
    /// Requests per minute (Enterprise 5,000).
    pub requests_per_minute: Option<u32>,
    /// Requests in flight at once (Enterprise 250).
    pub max_concurrency: Option<u32>,
    /// Calls per UTC day (Enterprise 25,000).
    pub daily_calls: Option<u32>,
    /// Length of the budget and request-rate window in seconds (monday.com: 60). Tests shorten
    /// it so that a client's wait for a refill takes seconds, not a minute.
    #[serde(default = "default_window")]
    pub window_secs: u64,
}

fn default_window() -> u64 {
    60
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            complexity_per_minute: Some(10_000_000),
            max_query_complexity: Some(5_000_000),
            requests_per_minute: Some(5_000),
            max_concurrency: Some(250),
            daily_calls: Some(25_000),
            window_secs: 60,
        }
    }
}

impl LimitsConfig {
    /// Every limit switched off.
    pub fn unlimited() -> LimitsConfig {
        LimitsConfig {
            complexity_per_minute: None,
            max_query_complexity: None,
            requests_per_minute: None,
            max_concurrency: None,
            daily_calls: None,
            window_secs: 60,
        }
    }
}

/// A request refused by a limit: HTTP 429 with `Retry-After`, or 200 for the per-query cap.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitError {
    /// monday's `extensions.code`.
    pub code: &'static str,
    /// monday's message.
    pub message: String,
    /// Seconds until a retry can succeed; `None` when retrying cannot help.
    pub retry_in_seconds: Option<u64>,
    /// Extra `extensions` fields.
    pub details: Vec<(&'static str, u64)>,
}

/// What one query was charged (served by the `complexity` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Charge {
    /// Budget left before the query.
    pub before: u64,
    /// What the query cost.
    pub query: u64,
    /// Budget left after it.
    pub after: u64,
    /// Seconds until the budget refills.
    pub reset_in_x_seconds: u64,
}

const DAY_SECS: u64 = 86_400;

#[derive(Debug, Default)]
struct TokenState {
    budget_start: Option<Duration>,
    budget_used: u64,
    rate_start: Option<Duration>,
    rate_count: u32,
    day: u64,
    day_count: u32,
    in_flight: u32,
}

/// A live snapshot for the `RateLimit` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remaining {
    /// Requests left in the minute, and seconds until it resets.
    pub requests: Option<(u32, u64)>,
    /// Requests that may still run at once.
    pub concurrency: Option<u32>,
    /// Complexity budget left, and seconds until it refills.
    pub complexity: Option<(u64, u64)>,
}

/// The limiter shared by all requests.
#[derive(Debug)]
pub struct Limiter {
    config: Mutex<LimitsConfig>,
    tokens: Mutex<HashMap<String, TokenState>>,
    /// Seconds between the clock's zero and the start of a UTC day.
    day_offset_secs: u64,
}

/// Holds one concurrency slot until dropped.
#[derive(Debug)]
pub struct Slot {
    limiter: Arc<Limiter>,
    token: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(s) = self.limiter.tokens.lock().get_mut(&self.token) {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
    }
}

fn secs_until(start: Duration, window: Duration, now: Duration) -> u64 {
    let end = start + window;
    end.saturating_sub(now).as_secs_f64().ceil() as u64
}

fn window_expired(start: Option<Duration>, window: Duration, now: Duration) -> bool {
    start.is_none_or(|s| now >= s + window)
}

impl Limiter {
    /// A limiter with `config`; `day_offset_secs` places the clock's zero within a UTC day.
    pub fn new(config: LimitsConfig, day_offset_secs: u64) -> Limiter {
        Limiter { config: Mutex::new(config), tokens: Mutex::new(HashMap::new()), day_offset_secs }
    }

    /// The limits in force.
    pub fn config(&self) -> LimitsConfig {
        self.config.lock().clone()
    }

    /// Replaces the limits (counters are kept).
    pub fn set_config(&self, config: LimitsConfig) {
        *self.config.lock() = config;
    }

    /// Forgets every counter: full budgets for everyone.
    pub fn reset(&self) {
        self.tokens.lock().retain(|_, s| s.in_flight > 0);
        for s in self.tokens.lock().values_mut() {
            *s = TokenState { in_flight: s.in_flight, ..TokenState::default() };
        }
    }

    /// Counts a request against the daily, per-minute and concurrency limits.
    pub fn admit(self: &Arc<Self>, token: &str, now: Duration) -> Result<Slot, LimitError> {
        let cfg = self.config();
        let window = Duration::from_secs(cfg.window_secs.max(1));
        let mut tokens = self.tokens.lock();
        let s = tokens.entry(token.to_string()).or_default();
        let day = (now.as_secs() + self.day_offset_secs) / DAY_SECS;
        if s.day != day {
            s.day = day;
            s.day_count = 0;
        }
        if let Some(max) = cfg.daily_calls {
            if s.day_count >= max {
                let retry = DAY_SECS - (now.as_secs() + self.day_offset_secs) % DAY_SECS;
                return Err(LimitError {
                    code: "DAILY_LIMIT_EXCEEDED",
                    message: format!("Daily limit of {max} calls exceeded"),
                    retry_in_seconds: Some(retry),
                    details: vec![],
                });
            }
        }
        if window_expired(s.rate_start, window, now) {
            s.rate_start = Some(now);
            s.rate_count = 0;
        }
        if let (Some(max), Some(start)) = (cfg.requests_per_minute, s.rate_start) {
            if s.rate_count >= max {
                return Err(LimitError {
                    code: "MINUTE_RATE_LIMIT_EXCEEDED",
                    message: "Rate Limit Exceeded".to_string(),
                    retry_in_seconds: Some(secs_until(start, window, now).max(1)),
                    details: vec![],
                });
            }
        }
        if let Some(max) = cfg.max_concurrency {
            if s.in_flight >= max {
                return Err(LimitError {
                    code: "MAX_CONCURRENCY_EXCEEDED",
                    message: format!("Max concurrency of {max} exceeded"),
                    retry_in_seconds: Some(1),
                    details: vec![],
                });
            }
        }
        s.day_count += 1;
        s.rate_count += 1;
        s.in_flight += 1;
        Ok(Slot { limiter: Arc::clone(self), token: token.to_string() })
    }

    /// Charges `cost` complexity points to the token's budget, or refuses the query.
    pub fn charge(&self, token: &str, cost: u64, now: Duration) -> Result<Charge, LimitError> {
        let cfg = self.config();
        let window = Duration::from_secs(cfg.window_secs.max(1));
        let mut tokens = self.tokens.lock();
        let s = tokens.entry(token.to_string()).or_default();
        // monday's window starts with the first call and the whole budget returns 60 s later.
        if window_expired(s.budget_start, window, now) {
            s.budget_start = Some(now);
            s.budget_used = 0;
        }
        let start = s.budget_start.unwrap_or(now);
        let reset_in = secs_until(start, window, now);
        let budget = cfg.complexity_per_minute.unwrap_or(u64::MAX);
        let left = budget.saturating_sub(s.budget_used);
        if let Some(cap) = cfg.max_query_complexity {
            if cost > cap {
                return Err(LimitError {
                    code: "COMPLEXITY_BUDGET_EXHAUSTED",
                    message: format!(
                        "Query has complexity of {cost}, which exceeds max complexity of {cap} for a single query"
                    ),
                    retry_in_seconds: None,
                    details: vec![
                        ("complexity", cost),
                        ("complexity_budget_left", left),
                        ("complexity_budget_limit", budget.min(i64::MAX as u64)),
                    ],
                });
            }
        }
        if cost > left {
            return Err(LimitError {
                code: "COMPLEXITY_BUDGET_EXHAUSTED",
                message: format!("Complexity budget exhausted, query cost {cost} budget remaining {left} out of {budget} reset in {reset_in} seconds"),
                retry_in_seconds: Some(reset_in.max(1)),
                details: vec![("complexity", cost), ("complexity_budget_left", left), ("complexity_budget_limit", budget)],
            });
        }
        s.budget_used += cost;
        Ok(Charge { before: left, query: cost, after: left - cost, reset_in_x_seconds: reset_in })
    }

    /// Gives back a charge (for a query that validation then refused).
    pub fn refund(&self, token: &str, cost: u64) {
        if let Some(s) = self.tokens.lock().get_mut(token) {
            s.budget_used = s.budget_used.saturating_sub(cost);
        }
    }

    /// What is left of each limit, for the `RateLimit` header.
    pub fn remaining(&self, token: &str, now: Duration) -> Remaining {
        let cfg = self.config();
        let window = Duration::from_secs(cfg.window_secs.max(1));
        let tokens = self.tokens.lock();
        let s = tokens.get(token);
        let requests = cfg.requests_per_minute.map(|max| match s {
            Some(s) if !window_expired(s.rate_start, window, now) => {
                (max.saturating_sub(s.rate_count), secs_until(s.rate_start.unwrap_or(now), window, now))
            }
            _ => (max, window.as_secs()),
        });
        let concurrency = cfg.max_concurrency.map(|max| max.saturating_sub(s.map_or(0, |s| s.in_flight)));
        let complexity = cfg.complexity_per_minute.map(|max| match s {
            Some(s) if !window_expired(s.budget_start, window, now) => {
                (max.saturating_sub(s.budget_used), secs_until(s.budget_start.unwrap_or(now), window, now))
            }
            _ => (max, window.as_secs()),
        });
        Remaining { requests, concurrency, complexity }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(cfg: LimitsConfig) -> Arc<Limiter> {
        Arc::new(Limiter::new(cfg, 0))
    }

    #[test]
    fn budget_refills_sixty_seconds_after_the_first_call() {
        let l = limiter(LimitsConfig { complexity_per_minute: Some(100), ..LimitsConfig::unlimited() });
        let t0 = Duration::from_secs(1000);
        assert_eq!(
            l.charge("t", 60, t0).unwrap(),
            Charge { before: 100, query: 60, after: 40, reset_in_x_seconds: 60 }
        );
        let e = l.charge("t", 60, t0 + Duration::from_secs(15)).unwrap_err();
        assert_eq!(e.code, "COMPLEXITY_BUDGET_EXHAUSTED");
        assert_eq!(e.retry_in_seconds, Some(45));
        assert!(l.charge("t", 60, t0 + Duration::from_secs(59)).is_err());
        assert_eq!(l.charge("t", 60, t0 + Duration::from_secs(60)).unwrap().before, 100);
        // Another token has its own budget.
        assert!(l.charge("u", 100, t0).is_ok());
    }

    #[test]
    fn single_query_cap_is_not_retryable() {
        let l = limiter(LimitsConfig { max_query_complexity: Some(10), ..LimitsConfig::unlimited() });
        let e = l.charge("t", 11, Duration::ZERO).unwrap_err();
        assert_eq!(e.retry_in_seconds, None);
        assert!(e.message.contains("exceeds max complexity of 10"));
    }

    #[test]
    fn minute_rate_daily_and_concurrency() {
        let l = limiter(LimitsConfig {
            requests_per_minute: Some(2),
            max_concurrency: Some(1),
            daily_calls: Some(3),
            ..LimitsConfig::unlimited()
        });
        let t = Duration::from_secs(10);
        let slot = l.admit("t", t).unwrap();
        assert_eq!(l.admit("t", t).unwrap_err().code, "MAX_CONCURRENCY_EXCEEDED");
        drop(slot);
        // The refused request was not counted: one more fits in this minute.
        drop(l.admit("t", t + Duration::from_secs(1)).unwrap());
        let e = l.admit("t", t + Duration::from_secs(2)).unwrap_err();
        assert_eq!(e.code, "MINUTE_RATE_LIMIT_EXCEEDED");
        assert_eq!(e.retry_in_seconds, Some(58));
        drop(l.admit("t", t + Duration::from_secs(70)).unwrap());
        assert_eq!(l.admit("t", t + Duration::from_secs(71)).unwrap_err().code, "DAILY_LIMIT_EXCEEDED");
    }
}
