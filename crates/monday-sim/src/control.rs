//! `/_sim/`: the emulator's control panel for tests and demos (state, faults, limits, clock,
//! stats). Never part of monday.com's surface.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::faults::FaultConfig;
use crate::limits::LimitsConfig;
use crate::model::Org;
use crate::sim::{Sim, Stats};
use crate::version::ApiVersion;

fn bad(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// `GET /_sim/state`: the ground truth, as `monday-sim dump` writes it.
pub async fn get_state(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.world().org().clone()).into_response()
}

/// `PUT /_sim/state`: replace the whole state (validated first; nothing changes on error).
pub async fn put_state(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let org: Org = match serde_json::from_slice(&body) {
        Ok(o) => o,
        Err(e) => return bad(format!("state is not a valid org: {e}")),
    };
    match sim.replace(org) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => bad(format!("state rejected: {e}")),
    }
}

/// `GET /_sim/faults`.
pub async fn get_faults(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.faults().config()).into_response()
}

/// `PUT /_sim/faults`: replace the fault configuration and restart its sequence.
pub async fn put_faults(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let cfg: FaultConfig = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => return bad(format!("invalid fault configuration: {e}")),
    };
    if let Err(e) = cfg.validate() {
        return bad(e.to_string());
    }
    sim.faults().set(cfg);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_sim/limits`.
pub async fn get_limits(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.limiter().config()).into_response()
}

/// `PUT /_sim/limits`: replace the limits (`null` switches one off).
pub async fn put_limits(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<LimitsConfig>(&body) {
        Ok(cfg) => {
            sim.limiter().set_config(cfg);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad(format!("invalid limits: {e}")),
    }
}

/// `POST /_sim/budget/reset`: every token's budgets and counters start afresh.
pub async fn reset_budget(State(sim): State<Arc<Sim>>) -> Response {
    sim.limiter().reset();
    StatusCode::NO_CONTENT.into_response()
}

/// Body of `POST /_sim/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    /// Move the clock forward by this many seconds.
    #[serde(default)]
    pub advance_seconds: f64,
    /// Freeze (true) or unfreeze (false) real time.
    pub frozen: Option<bool>,
}

/// `GET /_sim/clock`.
pub async fn get_clock(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({ "now_ms": sim.clock().now().as_millis() as u64, "frozen": sim.clock().is_frozen() })).into_response()
}

/// `POST /_sim/clock`.
pub async fn post_clock(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let change: ClockChange = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => return bad(format!("invalid clock change: {e}")),
    };
    if !(0.0..=366.0 * 86_400.0).contains(&change.advance_seconds) {
        return bad(format!("advance_seconds must be between 0 and one year, got {}", change.advance_seconds));
    }
    if let Some(f) = change.frozen {
        sim.clock().set_frozen(f);
    }
    sim.clock().advance(Duration::from_secs_f64(change.advance_seconds));
    get_clock(State(sim)).await
}

/// `GET /_sim/stats`.
pub async fn get_stats(State(sim): State<Arc<Sim>>) -> Json<Stats> {
    Json(sim.stats())
}

/// `POST /_sim/stats/reset`.
pub async fn reset_stats(State(sim): State<Arc<Sim>>) -> Response {
    *sim.stats.lock() = Stats::default();
    StatusCode::NO_CONTENT.into_response()
}

/// Query of `GET /_sim/schema`.
#[derive(Debug, Deserialize)]
pub struct SchemaQuery {
    pub version: Option<String>,
}

/// `GET /_sim/schema?version=2026-10`: the SDL the emulator serves for that version.
pub async fn get_schema(State(sim): State<Arc<Sim>>, Query(q): Query<SchemaQuery>) -> Response {
    let v = match q.version.as_deref() {
        None => ApiVersion::CURRENT,
        Some(s) => match ApiVersion::parse(s) {
            Some(v) => v,
            None => return bad(format!("unknown version {s:?}: served versions are 2026-07 and 2026-10")),
        },
    };
    sim.sdl(v).into_response()
}
