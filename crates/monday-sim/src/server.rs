//! The emulator's HTTP server: routes and start-up on a (possibly ephemeral) port.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::sim::Sim;
use crate::{control, http};

/// Every route, in one place.
pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/v2", post(http::post).get(http::get))
        .route("/_sim/state", get(control::get_state).put(control::put_state))
        .route("/_sim/faults", get(control::get_faults).put(control::put_faults))
        .route("/_sim/limits", get(control::get_limits).put(control::put_limits))
        .route("/_sim/budget/reset", post(control::reset_budget))
        .route("/_sim/clock", get(control::get_clock).post(control::post_clock))
        .route("/_sim/stats", get(control::get_stats))
        .route("/_sim/stats/reset", post(control::reset_stats))
        .route("/_sim/schema", get(control::get_schema))
        .nest("/scim/v2", crate::scim::router())
        .fallback(|| async { (StatusCode::NOT_FOUND, Json(json!({ "errors": [{ "message": "Not found: monday-sim serves GraphQL at POST /v2 and its controls under /_sim/" }] }))) })
        .with_state(sim)
}

/// A server running in the background of this process.
#[derive(Debug)]
pub struct RunningSim {
    /// The shared state, for tests that inspect or change it directly.
    pub sim: Arc<Sim>,
    /// Where it listens.
    pub addr: SocketAddr,
    handle: JoinHandle<()>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The GraphQL endpoint, `http://127.0.0.1:PORT/v2`.
    pub fn graphql_url(&self) -> String {
        format!("{}/v2", self.url())
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Starts serving `sim` on `addr` (port 0: an ephemeral port) in the background.
pub async fn spawn(sim: Sim, addr: SocketAddr) -> std::io::Result<RunningSim> {
    let sim = Arc::new(sim);
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = router(Arc::clone(&sim));
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "monday-sim server stopped");
        }
    });
    Ok(RunningSim { sim, addr, handle })
}
