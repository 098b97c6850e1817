//! # roster-server
//!
//! `roster serve`: Roster's HTTP API under `/api/v1` (JSON, bearer API keys with roles,
//! documented by an OpenAPI document generated from the routes themselves), `/healthz`,
//! `/readyz`, `/metrics` (Prometheus), the web UI under `/ui`, and the scheduler that syncs
//! each account on its interval, never two syncs of one account at once.
//!
//! The key design decision: layers, as kanidm's `https/` has them. Leaves first (`error`,
//! `keys`, `bounds`, `extract`, `views`), then `state`, then what reads it (`auth`, `reads`,
//! `scheduler`, `policy`), then the two front ends, `api/*` and `web/*`, each area with its own
//! router, assembled here. No module imports one above it (`tests/layers.rs` checks it).
//! Handlers are thin: typed input, a store or engine call, a view; errors map to statuses
//! once, in `error.rs`.

pub mod api;
pub mod auth;
pub mod bounds;
mod error;
mod extract;
mod item_pages;
pub mod keys;
pub mod lease;
pub mod listen;
pub mod ocsf_sinks;
mod openapi;
pub mod policy;
mod reads;
pub mod scheduler;
mod state;
mod views;
pub mod web;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use utoipa::OpenApi;

use openapi::ApiDoc;
use utoipa_axum::router::OpenApiRouter;

pub use keys::{hash_key, ApiKey, Role};
pub use state::{AppState, ServedAccount};

/// Headers on every API answer, errors included: never sniffed, never cached (answers name
/// people and their access).
async fn api_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The whole HTTP application and its OpenAPI document (every route is in both).
pub fn app(state: Arc<AppState>) -> (Router, utoipa::openapi::OpenApi) {
    let (api, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::inventory::router())
        .merge(api::history::router())
        .merge(api::export::router())
        .merge(api::changes::router())
        .merge(api::jit::router())
        .merge(api::reviews::router())
        .split_for_parts();
    let doc = openapi::complete(doc);
    // Who may do what is decided here, for every API route, before any handler runs.
    let api = api
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), policy::authorize))
        .layer(axum::middleware::from_fn(api_headers));
    let doc_json = doc.clone();
    let router = Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", axum::routing::get(move || async move { axum::Json(doc_json.clone()) }))
        .route("/healthz", axum::routing::get(api::health::healthz))
        .route("/readyz", axum::routing::get(api::health::readyz))
        .route("/metrics", axum::routing::get(api::health::metrics))
        .merge(web::router())
        .with_state(state);
    (router, doc)
}
