//! `/scim/v2`: monday.com's SCIM 2.0 API (RFC 7643/7644) over the same state as GraphQL — a
//! SCIM group is a team, a user created here shows up in `users`. monday.com's quirks:
//! `startIndex` is 1-based, lists show only SCIM-provisioned users and teams unless
//! `scim_provisioned_only=false`, PUT cannot change `active` or `userType` (PATCH can), only
//! SCIM-provisioned users can be deactivated here, and DELETE deactivates a user (monday.com
//! never deletes users) [3P seeds 001, 004; INF where noted].

mod discovery;
mod json_path;
mod resources;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::model::{InvitationMethod, Org, Team, UserStatus, World};
use crate::sim::Sim;
use discovery::{ERROR, LIST, MAX_COUNT, PATCH_OP};

/// A SCIM error (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq)]
pub struct ScimError {
    /// The HTTP status.
    pub status: StatusCode,
    /// RFC 7644's `scimType`.
    pub scim_type: Option<&'static str>,
    /// What went wrong.
    pub detail: String,
}

impl ScimError {
    pub(crate) fn bad(scim_type: &'static str, detail: impl Into<String>) -> ScimError {
        ScimError { status: StatusCode::BAD_REQUEST, scim_type: Some(scim_type), detail: detail.into() }
    }
    fn new(status: StatusCode, detail: impl Into<String>) -> ScimError {
        ScimError { status, scim_type: None, detail: detail.into() }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({ "schemas": [ERROR], "status": self.status.as_u16().to_string(), "detail": self.detail });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        scim(self.status, body)
    }
}

fn scim(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/scim+json")], body.to_string()).into_response()
}

type Res = Result<Response, ScimError>;

/// Every SCIM route.
pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/ServiceProviderConfig", get(spc))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/.search", post(search_all))
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", post(search_users))
        .route("/Users/{id}", get(get_user).put(put_user).patch(patch_user).delete(delete_user))
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/.search", post(search_groups))
        .route("/Groups/{id}", get(get_group).put(put_group).patch(patch_group).delete(delete_group))
        .fallback(|| async {
            ScimError::new(StatusCode::NOT_FOUND, "No such SCIM endpoint: see /scim/v2/ResourceTypes").into_response()
        })
}

fn base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/scim/v2")
}

fn auth(sim: &Sim, headers: &HeaderMap) -> Result<Arc<World>, ScimError> {
    let world = sim.world();
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    match (sent, world.org().scim_token.as_deref()) {
        (Some(s), Some(t)) if s == t => Ok(world),
        (None, _) => Err(ScimError::new(
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer <SCIM token> is required (Admin > Security > SCIM)",
        )),
        _ => Err(ScimError::new(StatusCode::UNAUTHORIZED, "The SCIM token is not valid")),
    }
}

fn body_json(body: &Bytes) -> Result<Map<String, Value>, ScimError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(ScimError::bad("invalidSyntax", "the body must be a JSON object")),
        Err(e) => Err(ScimError::bad("invalidSyntax", format!("the body is not valid JSON: {e}"))),
    }
}

/// Applies `change` to the newest state and installs it, all or nothing.
fn mutate<T>(
    sim: &Sim,
    change: impl FnOnce(&mut Org, &World) -> Result<T, ScimError>,
) -> Result<(T, Arc<World>), ScimError> {
    let shared = sim.shared();
    let mut guard = shared.write();
    let current = Arc::clone(&guard);
    let mut org = current.org().clone();
    let out = change(&mut org, &current)?;
    let world = Arc::new(World::new(org).map_err(|e| ScimError::bad("invalidValue", e.to_string()))?);
    *guard = Arc::clone(&world);
    Ok((out, world))
}

fn discovery_list(items: Vec<Value>) -> Response {
    scim(
        StatusCode::OK,
        json!({ "schemas": [LIST], "totalResults": items.len(), "itemsPerPage": items.len(), "startIndex": 1, "Resources": items }),
    )
}

async fn spc(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Res {
    auth(&sim, &headers)?;
    Ok(scim(StatusCode::OK, discovery::service_provider_config(&base(&headers))))
}

async fn schemas(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Res {
    auth(&sim, &headers)?;
    let b = base(&headers);
    Ok(discovery_list(vec![discovery::user_schema(&b), discovery::group_schema(&b)]))
}

async fn schema(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Res {
    auth(&sim, &headers)?;
    let b = base(&headers);
    [discovery::user_schema(&b), discovery::group_schema(&b)]
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .map(|s| scim(StatusCode::OK, s))
        .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("No schema {id}")))
}

async fn resource_types(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Res {
    auth(&sim, &headers)?;
    Ok(discovery_list(discovery::resource_types(&base(&headers))))
}

async fn resource_type(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Res {
    auth(&sim, &headers)?;
    discovery::resource_types(&base(&headers))
        .into_iter()
        .find(|r| r["id"] == id.as_str())
        .map(|r| scim(StatusCode::OK, r))
        .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("No resource type {id}")))
}

/// Parameters of a list or search.
#[derive(Debug, Default)]
struct ListParams {
    filter: Option<String>,
    start: usize,
    count: usize,
    attributes: Vec<String>,
    excluded: Vec<String>,
    scim_only: bool,
}

fn split_attrs(s: Option<&str>) -> Vec<String> {
    s.map(|s| s.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect()).unwrap_or_default()
}

fn list_params(q: &HashMap<String, String>) -> Result<ListParams, ScimError> {
    let num = |k: &str, d: usize| -> Result<usize, ScimError> {
        match q.get(k) {
            None => Ok(d),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(|n| n.max(0) as usize)
                .map_err(|_| ScimError::bad("invalidValue", format!("{k} must be a number, got {v:?}"))),
        }
    };
    Ok(ListParams {
        filter: q.get("filter").cloned(),
        // 1-based; anything below 1 counts as 1 (RFC 7644 §3.4.2.4).
        start: num("startIndex", 1)?.max(1),
        count: num("count", 100)?.min(MAX_COUNT),
        attributes: split_attrs(q.get("attributes").map(String::as_str)),
        excluded: split_attrs(q.get("excludedAttributes").map(String::as_str)),
        scim_only: q.get("scim_provisioned_only").is_none_or(|v| v != "false"),
    })
}

fn search_params(body: &Bytes) -> Result<ListParams, ScimError> {
    let b = body_json(body)?;
    let mut q = HashMap::new();
    for (k, v) in &b {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        q.insert(k.clone(), text);
    }
    list_params(&q)
}

/// The value at `path` (`userName`, `emails.value`, `name.givenName`) of a resource, as text.
fn values_at(doc: &Value, path: &str) -> Vec<String> {
    let mut parts = path.split('.');
    let Some(head) = parts.next() else { return vec![] };
    let Some(o) = doc.as_object() else { return vec![] };
    let Some(v) = json_path::key_of(o, head).and_then(|k| o.get(&k)) else { return vec![] };
    let sub = parts.next();
    let leaf = |v: &Value| -> Option<String> {
        let v = match sub {
            Some(s) => v.as_object().and_then(|o| json_path::key_of(o, s).and_then(|k| o.get(&k))),
            None => Some(v),
        }?;
        Some(match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    match v {
        // emails eq "x" means any email's value.
        Value::Array(items) => items
            .iter()
            .filter_map(|i| {
                if sub.is_none() {
                    i.get("value").and_then(Value::as_str).map(str::to_string)
                } else {
                    leaf(i)
                }
            })
            .collect(),
        other => leaf(other).into_iter().collect(),
    }
}

const USER_FILTERS: &[&str] = &["userName", "emails", "emails.value", "externalId", "id", "active", "displayName"];
const GROUP_FILTERS: &[&str] = &["displayName", "externalId", "id", "members.value"];

/// monday.com answers `attribute eq "value"` on a few attributes; anything else is 400.
fn filter_fn(filter: Option<&str>, allowed: &[&str]) -> Result<Option<(String, String)>, ScimError> {
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else { return Ok(None) };
    let (attr, value) = json_path::parse_eq(f).ok_or_else(|| {
        ScimError::bad(
            "invalidFilter",
            format!("unsupported filter {f:?}: monday.com supports `attribute eq \"value\"` only"),
        )
    })?;
    let attr = attr.strip_prefix(discovery::USER).map(|a| a.trim_start_matches(':').to_string()).unwrap_or(attr);
    let attr = if attr.eq_ignore_ascii_case("email") { "emails".to_string() } else { attr };
    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&attr)) {
        return Err(ScimError::bad(
            "invalidFilter",
            format!("filtering on {attr:?} is not supported: use {}", allowed.join(", ")),
        ));
    }
    Ok(Some((attr, value)))
}

/// Keeps only the asked attributes (and `id`, `schemas`, always returned), or drops excluded ones.
fn project(mut doc: Value, p: &ListParams) -> Value {
    let Some(o) = doc.as_object_mut() else { return doc };
    let strip = |a: &str| {
        a.strip_prefix(discovery::USER)
            .or_else(|| a.strip_prefix(discovery::GROUP))
            .map(|x| x.trim_start_matches(':').to_string())
            .unwrap_or(a.to_string())
    };
    if !p.attributes.is_empty() {
        let keep: Vec<String> =
            p.attributes.iter().map(|a| strip(a).split('.').next().unwrap_or_default().to_ascii_lowercase()).collect();
        o.retain(|k, _| k == "id" || k == "schemas" || keep.contains(&k.to_ascii_lowercase()));
        for a in &p.attributes {
            let a = strip(a);
            if let Some((head, sub)) = a.split_once('.') {
                if let Some(Value::Object(inner)) = json_path::key_of(o, head).and_then(|k| o.get_mut(&k)) {
                    inner.retain(|k, _| k.eq_ignore_ascii_case(sub));
                }
            }
        }
    }
    for a in &p.excluded {
        let a = strip(a);
        if a != "id" && a != "schemas" {
            if let Some(k) = json_path::key_of(o, &a) {
                o.remove(&k);
            }
        }
    }
    doc
}

fn list_response(all: Vec<Value>, p: &ListParams) -> Response {
    let total = all.len();
    let page: Vec<Value> = all.into_iter().skip(p.start - 1).take(p.count).map(|d| project(d, p)).collect();
    scim(
        StatusCode::OK,
        json!({ "schemas": [LIST], "totalResults": total, "itemsPerPage": page.len(), "startIndex": p.start, "Resources": page }),
    )
}

fn users_list(sim: &Sim, headers: &HeaderMap, p: ListParams) -> Res {
    let world = auth(sim, headers)?;
    let filter = filter_fn(p.filter.as_deref(), USER_FILTERS)?;
    let b = base(headers);
    let all: Vec<Value> = world
        .users()
        .iter()
        .filter(|u| u.kind.is_person() && (!p.scim_only || u.invitation_method == InvitationMethod::Scim))
        .map(|u| resources::user_doc(&world, u, &b))
        .filter(|d| filter.as_ref().is_none_or(|(a, v)| values_at(d, a).iter().any(|x| x.eq_ignore_ascii_case(v))))
        .collect();
    Ok(list_response(all, &p))
}

/// `POST /.search` across users and groups (RFC 7644 §3.4.3).
async fn search_all(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Res {
    let world = auth(&sim, &headers)?;
    let p = search_params(&body)?;
    let filter = match p.filter.as_deref() {
        Some(f) if !f.trim().is_empty() => Some(
            json_path::parse_eq(f)
                .ok_or_else(|| ScimError::bad("invalidFilter", format!("unsupported filter {f:?}")))?,
        ),
        _ => None,
    };
    let b = base(&headers);
    let users = world
        .users()
        .iter()
        .filter(|u| u.kind.is_person() && (!p.scim_only || u.invitation_method == InvitationMethod::Scim))
        .map(|u| resources::user_doc(&world, u, &b));
    let groups = world
        .teams()
        .iter()
        .filter(|t| !p.scim_only || t.scim_provisioned)
        .map(|t| resources::group_doc(&world, t, &b));
    let all: Vec<Value> = users
        .chain(groups)
        .filter(|d| filter.as_ref().is_none_or(|(a, v)| values_at(d, a).iter().any(|x| x.eq_ignore_ascii_case(v))))
        .collect();
    Ok(list_response(all, &p))
}

async fn list_users(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Res {
    users_list(&sim, &headers, list_params(&q)?)
}

async fn search_users(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Res {
    auth(&sim, &headers)?;
    users_list(&sim, &headers, search_params(&body)?)
}

/// A person by id. Service users and AI agents are not SCIM resources: an IdP provisions
/// people, and monday.com creates the others itself [INF].
fn find_user(world: &World, id: &str) -> Result<usize, ScimError> {
    id.parse::<u64>()
        .ok()
        .and_then(|i| world.user_pos(i))
        .filter(|&pos| world.users()[pos].kind.is_person())
        .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("User {id} not found")))
}

fn one(status: StatusCode, doc: Value, q: &HashMap<String, String>) -> Result<Response, ScimError> {
    let p = ListParams {
        attributes: split_attrs(q.get("attributes").map(String::as_str)),
        excluded: split_attrs(q.get("excludedAttributes").map(String::as_str)),
        ..ListParams::default()
    };
    let location = doc["meta"]["location"].as_str().map(str::to_string);
    let mut r = scim(status, project(doc, &p));
    if let Some(l) = location.and_then(|l| l.parse().ok()) {
        r.headers_mut().insert(header::LOCATION, l);
    }
    Ok(r)
}

async fn get_user(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let world = auth(&sim, &headers)?;
    let pos = find_user(&world, &id)?;
    one(StatusCode::OK, resources::user_doc(&world, &world.users()[pos], &base(&headers)), &q)
}

fn unique_email(org: &Org, email: &str, except: u64) -> Result<(), ScimError> {
    if org.users.iter().any(|u| u.id != except && u.email.eq_ignore_ascii_case(email)) {
        return Err(ScimError {
            status: StatusCode::CONFLICT,
            scim_type: Some("uniqueness"),
            detail: format!("userName {email} is already taken"),
        });
    }
    Ok(())
}

async fn create_user(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Res {
    auth(&sim, &headers)?;
    let doc = body_json(&body)?;
    let (id, world) = mutate(&sim, |org, _| {
        let id = org.users.iter().map(|u| u.id).max().unwrap_or(40_000_000) + 7;
        let mut u = resources::new_user(id);
        resources::apply_user_doc(&mut u, doc, true, sim.scim_any_user_name)?;
        unique_email(org, &u.email, id)?;
        org.users.push(u);
        Ok(id)
    })?;
    let pos = find_user(&world, &id.to_string())?;
    one(StatusCode::CREATED, resources::user_doc(&world, &world.users()[pos], &base(&headers)), &HashMap::new())
}

/// Replaces (PUT) or patches (PATCH) a user.
fn change_user(sim: &Sim, headers: &HeaderMap, id: &str, body: &Bytes, patch: bool) -> Res {
    let world = auth(sim, headers)?;
    let pos = find_user(&world, id)?;
    let b = base(headers);
    let req = body_json(body)?;
    let current = resources::user_doc(&world, &world.users()[pos], &b);
    let new_doc = if patch { patched(current.as_object().cloned().unwrap_or_default(), &req)? } else { req };
    let uid = world.users()[pos].id;
    let (_, world) = mutate(sim, |org, _| {
        let u = org
            .users
            .iter_mut()
            .find(|u| u.id == uid)
            .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("User {id} not found")))?;
        let was_active = u.status != UserStatus::Inactive;
        let scim_user = u.invitation_method == InvitationMethod::Scim;
        resources::apply_user_doc(u, new_doc, patch, sim.scim_any_user_name)?;
        if was_active && u.status == UserStatus::Inactive && !scim_user {
            return Err(ScimError::new(
                StatusCode::FORBIDDEN,
                format!("User {id} was not provisioned through SCIM and cannot be deactivated here"),
            ));
        }
        let email = u.email.clone();
        unique_email(org, &email, uid)
    })?;
    let pos = find_user(&world, id)?;
    one(StatusCode::OK, resources::user_doc(&world, &world.users()[pos], &b), &HashMap::new())
}

/// Applies a PatchOp request to a resource document.
fn patched(mut doc: Map<String, Value>, req: &Map<String, Value>) -> Result<Map<String, Value>, ScimError> {
    let schemas_ok = req.get("schemas").and_then(Value::as_array).is_some_and(|s| s.iter().any(|x| x == PATCH_OP));
    if !schemas_ok {
        return Err(ScimError::bad("invalidSyntax", format!("a PATCH body must list the schema {PATCH_OP}")));
    }
    let ops = req
        .get("Operations")
        .or_else(|| req.get("operations"))
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::bad("invalidSyntax", "a PATCH body needs Operations"))?;
    for op in ops {
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| ScimError::bad("invalidSyntax", format!("operation {op} has no op")))?;
        json_path::apply(&mut doc, name, op.get("path").and_then(Value::as_str), op.get("value"))
            .map_err(|e| ScimError::bad(e.scim_type, e.detail))?;
    }
    Ok(doc)
}

async fn put_user(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Res {
    change_user(&sim, &headers, &id, &body, false)
}

async fn patch_user(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Res {
    change_user(&sim, &headers, &id, &body, true)
}

async fn delete_user(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Res {
    let world = auth(&sim, &headers)?;
    let uid = world.users()[find_user(&world, &id)?].id;
    // monday.com never deletes users: DELETE deactivates [INF].
    mutate(&sim, |org, _| {
        let u = org
            .users
            .iter_mut()
            .find(|u| u.id == uid)
            .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("User {id} not found")))?;
        if u.invitation_method != InvitationMethod::Scim && u.status != UserStatus::Inactive {
            return Err(ScimError::new(
                StatusCode::FORBIDDEN,
                format!("User {id} was not provisioned through SCIM and cannot be deactivated here"),
            ));
        }
        u.status = UserStatus::Inactive;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn groups_list(sim: &Sim, headers: &HeaderMap, p: ListParams) -> Res {
    let world = auth(sim, headers)?;
    let filter = filter_fn(p.filter.as_deref(), GROUP_FILTERS)?;
    let b = base(headers);
    let all: Vec<Value> = world
        .teams()
        .iter()
        .filter(|t| !p.scim_only || t.scim_provisioned)
        .map(|t| resources::group_doc(&world, t, &b))
        .filter(|d| filter.as_ref().is_none_or(|(a, v)| values_at(d, a).iter().any(|x| x.eq_ignore_ascii_case(v))))
        .collect();
    Ok(list_response(all, &p))
}

async fn list_groups(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Res {
    groups_list(&sim, &headers, list_params(&q)?)
}

async fn search_groups(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Res {
    auth(&sim, &headers)?;
    groups_list(&sim, &headers, search_params(&body)?)
}

fn find_team(world: &World, id: &str) -> Result<usize, ScimError> {
    id.parse::<u64>()
        .ok()
        .and_then(|i| world.team_pos(i))
        .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("Group {id} not found")))
}

fn unique_name(org: &Org, name: &str, except: u64) -> Result<(), ScimError> {
    if org.teams.iter().any(|t| t.id != except && t.name.eq_ignore_ascii_case(name)) {
        return Err(ScimError {
            status: StatusCode::CONFLICT,
            scim_type: Some("uniqueness"),
            detail: format!("a group named {name:?} already exists"),
        });
    }
    Ok(())
}

async fn get_group(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let world = auth(&sim, &headers)?;
    let pos = find_team(&world, &id)?;
    one(StatusCode::OK, resources::group_doc(&world, &world.teams()[pos], &base(&headers)), &q)
}

async fn create_group(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Res {
    auth(&sim, &headers)?;
    let doc = body_json(&body)?;
    let (id, world) = mutate(&sim, |org, current| {
        let id = org.teams.iter().map(|t| t.id).max().unwrap_or(9_000_000) + 1;
        let mut t = Team {
            id,
            name: String::new(),
            is_guest: false,
            created_at: chrono::Utc::now(),
            members: vec![],
            owners: vec![],
            scim_provisioned: true,
            external_id: None,
        };
        resources::apply_group_doc(&mut t, &doc, current)?;
        unique_name(org, &t.name, id)?;
        org.teams.push(t);
        Ok(id)
    })?;
    let pos = find_team(&world, &id.to_string())?;
    one(StatusCode::CREATED, resources::group_doc(&world, &world.teams()[pos], &base(&headers)), &HashMap::new())
}

fn change_group(sim: &Sim, headers: &HeaderMap, id: &str, body: &Bytes, patch: bool) -> Res {
    let world = auth(sim, headers)?;
    let pos = find_team(&world, id)?;
    let b = base(headers);
    let req = body_json(body)?;
    let current = resources::group_doc(&world, &world.teams()[pos], &b);
    let new_doc = if patch { patched(current.as_object().cloned().unwrap_or_default(), &req)? } else { req };
    let tid = world.teams()[pos].id;
    let (_, world) = mutate(sim, |org, current| {
        let t = org
            .teams
            .iter_mut()
            .find(|t| t.id == tid)
            .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, format!("Group {id} not found")))?;
        resources::apply_group_doc(t, &new_doc, current)?;
        let name = t.name.clone();
        unique_name(org, &name, tid)
    })?;
    let pos = find_team(&world, id)?;
    one(StatusCode::OK, resources::group_doc(&world, &world.teams()[pos], &b), &HashMap::new())
}

async fn put_group(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Res {
    change_group(&sim, &headers, &id, &body, false)
}

async fn patch_group(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Res {
    change_group(&sim, &headers, &id, &body, true)
}

async fn delete_group(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Res {
    let world = auth(&sim, &headers)?;
    let tid = world.teams()[find_team(&world, &id)?].id;
    // Deleting a SCIM group deletes the team [INF].
    mutate(&sim, |org, _| {
        org.teams.retain(|t| t.id != tid);
        for w in &mut org.workspaces {
            w.team_members.retain(|t| *t != tid);
            w.team_owners.retain(|t| *t != tid);
        }
        for b in &mut org.boards {
            b.team_subscribers.retain(|t| *t != tid);
            b.team_owners.retain(|t| *t != tid);
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
