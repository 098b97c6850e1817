//! # roster-server
//!
//! `roster serve`: Roster's HTTP API under `/api/v1` (JSON, bearer API keys with `admin` and
//! `reader` roles, documented by an OpenAPI document generated from the routes themselves),
//! `/healthz`, `/readyz`, `/metrics` (Prometheus), and the scheduler that syncs each account on
//! its interval, never two syncs of one account at once. Handlers are thin: they read the store
//! and call the engine.

pub mod auth;
pub mod bounds;
mod error;
mod extract;
mod jit_routes;
pub mod lease;
pub mod listen;
mod openapi;
pub mod plan_routes;
pub mod policy;
mod review_routes;
mod routes;
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
use utoipa_axum::routes;

pub use auth::{hash_key, ApiKey, Role};
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
        .routes(routes!(routes::accounts))
        .routes(routes!(routes::users))
        .routes(routes!(routes::teams))
        .routes(routes!(routes::workspaces))
        .routes(routes!(routes::boards))
        .routes(routes!(routes::access))
        .routes(routes!(routes::who))
        .routes(routes!(routes::report))
        .routes(routes!(routes::syncs))
        .routes(routes!(routes::sync_run))
        .routes(routes!(routes::events))
        .routes(routes!(routes::trigger_sync))
        .routes(routes!(plan_routes::submit_plan, plan_routes::list_plans))
        .routes(routes!(plan_routes::plan_events))
        .routes(routes!(plan_routes::approve))
        .routes(routes!(plan_routes::reject))
        .routes(routes!(jit_routes::jit_request, jit_routes::jit_list))
        .routes(routes!(jit_routes::jit_approve))
        .routes(routes!(jit_routes::jit_deny))
        .routes(routes!(review_routes::create, review_routes::list))
        .routes(routes!(review_routes::show))
        .routes(routes!(review_routes::launch))
        .routes(routes!(review_routes::items))
        .routes(routes!(review_routes::decide))
        .routes(routes!(review_routes::signoff))
        .routes(routes!(review_routes::close))
        .routes(routes!(review_routes::export))
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
        .route("/healthz", axum::routing::get(routes::healthz))
        .route("/readyz", axum::routing::get(routes::readyz))
        .route("/metrics", axum::routing::get(routes::metrics))
        .merge(web::router())
        .with_state(state);
    (router, doc)
}
