//! Health for load balancers and monitoring: `/healthz` (the process and each account's last
//! sync), `/readyz` (the store answers) and `/metrics` (Prometheus). Outside `/api/v1`: no key.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use crate::state::AppState;

type S = State<Arc<AppState>>;

/// The process is up.
pub async fn healthz(State(s): S) -> impl IntoResponse {
    // Liveness: the process answers. The details say how each account and background task is
    // doing; an account whose monday.com is unreachable is reported here, not by failing
    // the probe (restarting Roster would not fix it).
    let mut accounts = Vec::new();
    for a in &s.accounts {
        let last = s.store.syncs(Some(&a.name), 1).await.ok().and_then(|r| r.into_iter().next());
        accounts.push(serde_json::json!({
            "account": a.name,
            "last_sync": last.as_ref().map(|r| r.status.as_str()),
            "last_sync_id": last.as_ref().map(|r| r.id),
            "error": last.as_ref().and_then(|r| r.error.clone()),
        }));
    }
    let restarts = s.task_restarts.lock().map(|m| m.clone()).unwrap_or_default();
    Json(serde_json::json!({ "status": "ok", "accounts": accounts, "task_restarts": restarts }))
}

/// Readiness: this process can serve requests (its store answers). One account's failing
/// sync does not take the replica out of a load balancer: see `/healthz` for that.
pub async fn readyz(State(s): S) -> impl IntoResponse {
    match s.store.accounts().await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "status": "ready" }))),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "not ready", "problems": [format!("store: {e}")] })),
        ),
    }
}

/// Prometheus metrics.
pub async fn metrics(State(s): S) -> impl IntoResponse {
    let body = s.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
