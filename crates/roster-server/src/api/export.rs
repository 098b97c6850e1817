//! Exports: a snapshot as a baton c1z file, for admins and readers.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use roster_interop::c1z::C1zError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Reader;
use crate::error::ApiError;
use crate::extract::{Params, Path};
use crate::state::AppState;
use crate::views::C1zParams;

type S = State<Arc<AppState>>;

/// Export's routes.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(c1z))
}

impl From<C1zError> for ApiError {
    fn from(e: C1zError) -> Self {
        match e {
            C1zError::NoSnapshot(_) | C1zError::NothingYet(_) => ApiError::NotFound(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The account's newest completed snapshot (or `sync`), with `with_previous` the one before it
/// too, as a baton c1z file (`baton resources -f acme.c1z`, `baton diff -f acme.c1z`).
#[utoipa::path(get, path = "/api/v1/accounts/{account}/export/c1z", tag = "inventory", params(("account" = String, Path), C1zParams), security(("bearer" = [])), responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404)))]
pub async fn c1z(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(p): Params<C1zParams>,
) -> Result<Response, ApiError> {
    s.served(&account)?;
    let sync = p.sync.map(|v| crate::bounds::ID.check("sync", v)).transpose()?;
    // Built in a private temporary file (the writer renames into place), read, then removed.
    let dir = std::env::temp_dir().join(format!("roster-c1z-{}-{}", std::process::id(), rand_suffix()));
    tokio::fs::create_dir_all(&dir).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let path = dir.join(format!("{account}.c1z"));
    let written =
        roster_interop::c1z::export(s.store.as_ref(), &account, sync, p.with_previous.unwrap_or(false), &path).await;
    let bytes = match written {
        Ok(_) => tokio::fs::read(&path).await.map_err(|e| ApiError::Internal(e.to_string())),
        Err(e) => Err(e.into()),
    };
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let disposition = format!("attachment; filename=\"{account}.c1z\"");
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes?,
    )
        .into_response())
}

fn rand_suffix() -> u64 {
    use rand::Rng;
    rand::rng().random()
}
