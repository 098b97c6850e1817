//! Fault injection: latency, 5xx answers, dropped connections and slow bodies, drawn from a
//! seeded generator so the same seed and the same request order give the same faults.

use std::time::Duration;

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What to inject. Rates are fractions of requests in `0.0..=1.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Added to every request.
    pub latency_ms: u64,
    /// Up to this much more, uniformly drawn.
    pub jitter_ms: u64,
    /// Fraction answered 500, 502 or 503 without being processed.
    pub error_rate: f64,
    /// Fraction whose connection is dropped: half before processing, half after (the change
    /// happened, the answer is lost).
    pub drop_rate: f64,
    /// Fraction whose body trickles out slowly.
    pub slow_body_rate: f64,
    /// How long a slow body takes in all.
    pub slow_body_ms: u64,
    /// Seed of the fault sequence.
    pub seed: u64,
    /// An outage at a chosen point: every request after this many (counted from when the
    /// configuration was set) answers 503. Tests cut a run at an exact request this way, where
    /// a watcher turning on `error_rate` would race the requests in flight.
    pub fail_after: Option<u64>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            drop_rate: 0.0,
            slow_body_rate: 0.0,
            slow_body_ms: 2_000,
            seed: 0,
            fail_after: None,
        }
    }
}

/// Why a fault configuration was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("fault setting {field} must be between 0 and 1, got {value}")]
pub struct FaultConfigError {
    /// The setting.
    pub field: &'static str,
    /// Its value.
    pub value: f64,
}

impl FaultConfig {
    /// Checks the rates.
    pub fn validate(&self) -> Result<(), FaultConfigError> {
        for (field, value) in
            [("error_rate", self.error_rate), ("drop_rate", self.drop_rate), ("slow_body_rate", self.slow_body_rate)]
        {
            if !(0.0..=1.0).contains(&value) || value.is_nan() {
                return Err(FaultConfigError { field, value });
            }
        }
        Ok(())
    }
}

/// The fate of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answer normally.
    Normal,
    /// Answer this 5xx status without processing.
    Status(u16),
    /// Close the connection without processing.
    DropBefore,
    /// Process, then close the connection without the answer.
    DropAfter,
    /// Answer normally, spreading the body over this long.
    SlowBody(Duration),
}

/// The decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// How long to wait before answering.
    pub delay: Duration,
    /// What to answer.
    pub outcome: Outcome,
}

/// The injector shared by all requests.
#[derive(Debug)]
pub struct Faults {
    state: Mutex<(FaultConfig, ChaCha8Rng, u64)>,
}

impl Faults {
    /// An injector with `config` (validated by the caller).
    pub fn new(config: FaultConfig) -> Faults {
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Faults { state: Mutex::new((config, rng, 0)) }
    }

    /// Replaces the configuration and restarts the sequence from its seed.
    pub fn set(&self, config: FaultConfig) {
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        *self.state.lock() = (config, rng, 0);
    }

    /// The configuration in force.
    pub fn config(&self) -> FaultConfig {
        self.state.lock().0.clone()
    }

    /// Draws the next request's fate. Always draws the same number of values, so a
    /// configuration change of one rate does not shift the others' sequence.
    pub fn decide(&self) -> Decision {
        let mut guard = self.state.lock();
        let (cfg, rng, seen) = &mut *guard;
        *seen += 1;
        let jitter: u64 = rng.random_range(0..=cfg.jitter_ms);
        let roll: f64 = rng.random();
        let which: u32 = rng.random_range(0..6);
        let delay = Duration::from_millis(cfg.latency_ms + jitter);
        let outcome = if cfg.fail_after.is_some_and(|n| *seen > n) {
            Outcome::Status(503)
        } else if roll < cfg.error_rate {
            Outcome::Status([500, 502, 503][(which % 3) as usize])
        } else if roll < cfg.error_rate + cfg.drop_rate {
            if which % 2 == 0 {
                Outcome::DropBefore
            } else {
                Outcome::DropAfter
            }
        } else if roll < cfg.error_rate + cfg.drop_rate + cfg.slow_body_rate {
            Outcome::SlowBody(Duration::from_millis(cfg.slow_body_ms))
        } else {
            Outcome::Normal
        };
        Decision { delay, outcome }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_starts_after_the_chosen_request_and_restarts_on_set() {
        let f = Faults::new(FaultConfig { fail_after: Some(3), ..FaultConfig::default() });
        let fates: Vec<Outcome> = (0..5).map(|_| f.decide().outcome).collect();
        let n = Outcome::Normal;
        assert_eq!(fates, [n, n, n, Outcome::Status(503), Outcome::Status(503)]);
        f.set(FaultConfig { fail_after: Some(1), ..FaultConfig::default() });
        assert_eq!(f.decide().outcome, Outcome::Normal, "the count restarts when the configuration is set");
        assert_eq!(f.decide().outcome, Outcome::Status(503));
    }

    #[test]
    fn same_seed_same_sequence() {
        let cfg = FaultConfig { error_rate: 0.2, drop_rate: 0.1, jitter_ms: 5, seed: 7, ..FaultConfig::default() };
        let a = Faults::new(cfg.clone());
        let b = Faults::new(cfg);
        let sa: Vec<Decision> = (0..200).map(|_| a.decide()).collect();
        let sb: Vec<Decision> = (0..200).map(|_| b.decide()).collect();
        assert_eq!(sa, sb);
        let errors = sa.iter().filter(|d| matches!(d.outcome, Outcome::Status(_))).count();
        assert!((20..=60).contains(&errors), "{errors} errors of 200 at 20%");
        assert!(sa.iter().any(|d| d.outcome == Outcome::DropBefore));
        assert!(sa.iter().any(|d| d.outcome == Outcome::DropAfter));
    }

    #[test]
    fn no_faults_by_default() {
        let f = Faults::new(FaultConfig::default());
        assert!((0..100).all(|_| f.decide() == Decision { delay: Duration::ZERO, outcome: Outcome::Normal }));
    }

    #[test]
    fn rates_are_checked() {
        assert!(FaultConfig { error_rate: 1.5, ..FaultConfig::default() }.validate().is_err());
        assert!(FaultConfig { drop_rate: f64::NAN, ..FaultConfig::default() }.validate().is_err());
    }
}
