//! Access review campaigns over HTTP. Admin keys create, launch, close and export; reviewer keys
//! see and decide only their own items (the key's name is the reviewer's e-mail); everyone
//! decides and signs off as themselves, so each decision names the person who took it.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use roster_core::review::CampaignSpec;
use roster_engine::review::{self, Act, CloseOptions, Counts};
use roster_store::{ItemsFrom, ReviewCampaign};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Body, Params, Path};
use crate::keys::Role;
use crate::state::AppState;
use crate::views::reviews_at as at;
use crate::views::*;

type S = State<Arc<AppState>>;

/// Access reviews' routes.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(launch))
        .routes(routes!(items))
        .routes(routes!(decide))
        .routes(routes!(signoff))
        .routes(routes!(close))
        .routes(routes!(export))
}

/// Callers who may use the review routes at all: admin, reader (read only) and reviewer keys.
fn allowed(c: &Caller) -> Result<(), ApiError> {
    match c.role {
        Role::Requester => Err(ApiError::Forbidden(format!(
            "key {:?} is a requester key: it asks for just-in-time access (/jit) only",
            c.name
        ))),
        _ => Ok(()),
    }
}

/// The reviewer a caller acts as: the key's name.
fn me(c: &Caller) -> String {
    c.name.trim().to_ascii_lowercase()
}

async fn view(s: &AppState, c: &ReviewCampaign, only: Option<&str>) -> Result<CampaignView, ApiError> {
    // Exact counts: the API answers right after a change (the web UI's admin view may show
    // progress a few seconds old).
    let tally = s.store.review_tally(c.id, only).await?;
    let signoffs = s.store.signoffs(c.id).await?;
    Ok(CampaignView {
        id: c.id,
        name: c.name.clone(),
        status: c.status.as_str().into(),
        created_by: c.created_by.clone(),
        due: at(Some(c.due_ms)),
        launched_at: at(c.launched_ms),
        closed_at: at(c.closed_ms),
        snapshot_sync_id: c.sync_id,
        definition: serde_json::from_str(&c.spec).unwrap_or(serde_json::Value::Null),
        counts: Counts::from_tally(&tally, None),
        signoffs: signoffs.into_iter().map(|(r, t)| (r, at(Some(t)).unwrap_or_default())).collect(),
    })
}

fn due(s: &str) -> Result<DateTime<Utc>, ApiError> {
    roster_core::when::end_of_day_or_time(s)
        .ok_or_else(|| ApiError::BadRequest(format!("due {s:?}: give a date (2026-12-31) or an RFC 3339 time")))
}

/// Create a campaign (admin keys).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/reviews", tag = "reviews", params(("account" = String, Path)), request_body = CampaignCreate, security(("bearer" = [])), responses((status = 200, body = CampaignView), (status = 400), (status = 403)))]
pub async fn create(
    State(s): S,
    c: Caller,
    Path(account): Path<String>,
    Body(r): Body<CampaignCreate>,
) -> Result<Json<CampaignView>, ApiError> {
    c.require_admin()?;
    s.served(&account)?;
    let spec = CampaignSpec::from_words(
        &r.types,
        r.workspace,
        &r.roles,
        r.via_team,
        &r.reviewers,
        r.named,
        r.fallback,
        &r.unanswered,
        r.max_snapshot_age_hours,
    )
    .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let now = Utc::now();
    let id = review::create(s.store.as_ref(), &account, &r.name, &spec, due(&r.due)?, &c.name, now).await?;
    let campaign = review::load(s.store.as_ref(), &account, id).await?;
    Ok(Json(view(&s, &campaign, None).await?))
}

/// Campaigns with their progress (a reviewer key: those with its items, counted for it).
#[utoipa::path(get, path = "/api/v1/accounts/{account}/reviews", tag = "reviews", params(("account" = String, Path)), security(("bearer" = [])), responses((status = 200, body = [CampaignView])))]
pub async fn list(State(s): S, c: Caller, Path(account): Path<String>) -> Result<Json<Vec<CampaignView>>, ApiError> {
    allowed(&c)?;
    let only = (c.role == Role::Reviewer).then(|| me(&c));
    let mut out = Vec::new();
    for campaign in s.store.campaigns(&account).await? {
        let v = view(&s, &campaign, only.as_deref()).await?;
        if only.is_none() || v.counts.items > 0 {
            out.push(v);
        }
    }
    Ok(Json(out))
}

/// One campaign.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/reviews/{id}", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path)), security(("bearer" = [])), responses((status = 200, body = CampaignView), (status = 404)))]
pub async fn show(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<CampaignView>, ApiError> {
    allowed(&c)?;
    let campaign = review::load(s.store.as_ref(), &account, id).await?;
    let only = (c.role == Role::Reviewer).then(|| me(&c));
    let v = view(&s, &campaign, only.as_deref()).await?;
    if only.is_some() && v.counts.items == 0 {
        return Err(ApiError::NotFound(format!("campaign {id} has no items for {}", me(&c))));
    }
    Ok(Json(v))
}

/// Freeze the last sync's items and open the campaign (admin keys).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/reviews/{id}/launch", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path)), request_body = LaunchOptions, security(("bearer" = [])), responses((status = 200, body = CampaignView), (status = 409)))]
pub async fn launch(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
    Body(o): Body<LaunchOptions>,
) -> Result<Json<CampaignView>, ApiError> {
    c.require_admin()?;
    review::launch(s.store.as_ref(), &account, id, o.force, &s.sod(), Utc::now()).await?;
    let campaign = review::load(s.store.as_ref(), &account, id).await?;
    Ok(Json(view(&s, &campaign, None).await?))
}

/// Items (a reviewer key: its own only).
#[utoipa::path(get, path = "/api/v1/accounts/{account}/reviews/{id}/items", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path), ItemFilter), security(("bearer" = [])), responses((status = 200, body = [ItemView])))]
pub async fn items(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
    Params(f): Params<ItemFilter>,
) -> Result<Json<Vec<ItemView>>, ApiError> {
    allowed(&c)?;
    let campaign = review::load(s.store.as_ref(), &account, id).await?;
    let who = match c.role {
        Role::Reviewer => Some(me(&c)),
        _ => f.reviewer.map(|r| r.trim().to_ascii_lowercase()),
    };
    let undecided = f.undecided.unwrap_or(false);
    let from = match f.after {
        Some(seq) => ItemsFrom::After(crate::bounds::SINCE.check("after", seq)?),
        None => {
            let offset = crate::bounds::OFFSET.check("offset", f.offset.unwrap_or(0))?;
            match undecided {
                false => crate::item_pages::from_offset(&s, &campaign, who.as_deref(), offset).await?,
                true => ItemsFrom::Offset(offset),
            }
        }
    };
    let limit = crate::bounds::LIMIT.check("limit", f.limit.unwrap_or(1000))?;
    let items = s.store.review_items_page(id, who.as_deref(), undecided, from, limit).await?;
    Ok(Json(items.into_iter().map(ItemView::from).collect()))
}

/// Decide or reassign items, as the key's own reviewer name (the items' reviewer only); every
/// item is checked before any is decided.
#[utoipa::path(post, path = "/api/v1/accounts/{account}/reviews/{id}/decisions", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path)), request_body = DecisionRequest, security(("bearer" = [])), responses((status = 200, body = [ItemView]), (status = 400), (status = 403), (status = 409)))]
pub async fn decide(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
    Body(d): Body<DecisionRequest>,
) -> Result<Json<Vec<ItemView>>, ApiError> {
    if c.role == Role::Reader {
        return Err(ApiError::Forbidden(format!("key {:?} is a reader key: it cannot decide", c.name)));
    }
    allowed(&c)?;
    let max = roster_engine::review::MAX_ITEMS_A_DECISION;
    if d.items.len() > max {
        return Err(ApiError::BadRequest(format!("{} items in one request: send at most {max}", d.items.len())));
    }
    if d.reassign_to.is_some() && d.decision != "reassign" {
        return Err(ApiError::BadRequest("reassign_to goes with decision \"reassign\" only".into()));
    }
    let act = Act::parse(&d.decision, d.reassign_to.as_deref())?;
    let done = review::decide_many(
        s.store.as_ref(),
        &account,
        id,
        &d.items,
        &me(&c),
        &act,
        d.justification.as_deref(),
        Utc::now(),
    )
    .await?;
    Ok(Json(done.into_iter().map(ItemView::from).collect()))
}

/// Sign off: locks the caller's decisions in the campaign.
#[utoipa::path(post, path = "/api/v1/accounts/{account}/reviews/{id}/signoff", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path)), security(("bearer" = [])), responses((status = 200, body = CampaignView), (status = 400), (status = 409)))]
pub async fn signoff(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<CampaignView>, ApiError> {
    if c.role == Role::Reader {
        return Err(ApiError::Forbidden(format!("key {:?} is a reader key: it cannot sign off", c.name)));
    }
    allowed(&c)?;
    review::sign_off(s.store.as_ref(), &account, id, &me(&c), Utc::now()).await?;
    let campaign = review::load(s.store.as_ref(), &account, id).await?;
    Ok(Json(view(&s, &campaign, Some(&me(&c))).await?))
}

/// Close: revocations go out through the provisioner (admin keys).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/reviews/{id}/close", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path)), request_body = CloseRequest, security(("bearer" = [])), responses((status = 200, body = Object), (status = 202, body = Object, description = "the remediation waits for a second admin's approval (`pending_approval` names the plan)"), (status = 409), (status = 422)))]
pub async fn close(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
    Body(r): Body<CloseRequest>,
) -> Result<Response, ApiError> {
    c.require_admin()?;
    let a = s.served(&account)?;
    let opts = CloseOptions {
        by: c.name.clone(),
        allow_mass_change: r.allow_mass_change,
        guard: roster_core::Guard::default(),
        force: r.force,
        dry_run: r.dry_run,
        approval: (*s.approval.get()).clone(),
        ..CloseOptions::default()
    };
    let rep = review::close(s.store.as_ref(), &a.client, &account, id, &opts, Utc::now()).await?;
    let status = if rep.pending_approval.is_some() { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(rep)).into_response())
}

/// The evidence as one tar archive (items.csv, items.jsonl, summary.pdf, manifest.json), made
/// at the request (admin and reader keys). `roster review verify` checks the unpacked files.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/reviews/{id}/evidence", tag = "reviews", params(("account" = String, Path), ("id" = i64, Path)), security(("bearer" = [])), responses((status = 200, content_type = "application/x-tar", body = Vec<u8>), (status = 409)))]
pub async fn export(State(s): S, c: Caller, Path((account, id)): Path<(String, i64)>) -> Result<Response, ApiError> {
    if !matches!(c.role, Role::Admin | Role::Reader) {
        return Err(ApiError::Forbidden(format!("key {:?}: the evidence needs an admin or reader key", c.name)));
    }
    crate::reads::evidence_download(&s, &account, id).await
}
