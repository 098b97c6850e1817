//! `/v2`: monday.com's GraphQL endpoint, with its transport rules, limits and error shapes.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::errors;
use crate::faults::Outcome;
use crate::limits::{Charge, LimitError};
use crate::schema::{CtxCell, RequestCtx};
use crate::sim::Sim;
use crate::version::{self, ApiVersion};

/// Largest request body accepted [INF: monday.com's limit is unpublished].
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A GraphQL request as it arrived.
struct GqlRequest {
    query: String,
    variables: async_graphql::Variables,
    operation_name: Option<String>,
}

/// A finished answer before faults touch it.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: StatusCode, body: &Value) -> Answer {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        Answer { status, headers, body: serde_json::to_vec(body).unwrap_or_default() }
    }

    fn error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Answer {
        Answer::json(status, &errors::transport(message, code, status.as_u16(), request_id, Map::new()))
    }

    fn into_response(self) -> Response {
        let mut r = Response::new(Body::from(self.body));
        *r.status_mut() = self.status;
        *r.headers_mut() = self.headers;
        r
    }
}

/// `POST /v2`.
pub async fn post(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Body) -> Response {
    with_faults(&sim, async {
        let id = sim.request_id();
        let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            let msg = format!("Unsupported Content-Type {ct:?}: send the GraphQL request as application/json");
            return Answer::error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &msg, &id);
        }
        let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                let msg = format!("Request body is larger than {MAX_BODY_BYTES} bytes");
                return Answer::error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &msg, &id);
            }
        };
        let request =
            parse_post_body(&bytes).map_err(|(code, msg)| Answer::error(StatusCode::BAD_REQUEST, code, &msg, &id));
        answer(&sim, &headers, request, id).await
    })
    .await
}

/// `GET /v2?query=...&variables=...&operationName=...`.
pub async fn get(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    with_faults(&sim, async {
        let id = sim.request_id();
        let request = parse_get_query(raw.as_deref().unwrap_or(""))
            .map_err(|(code, msg)| Answer::error(StatusCode::BAD_REQUEST, code, &msg, &id));
        answer(&sim, &headers, request, id).await
    })
    .await
}

fn variables_from(v: Option<Value>) -> Result<async_graphql::Variables, (&'static str, String)> {
    match v {
        None | Some(Value::Null) => Ok(async_graphql::Variables::default()),
        Some(Value::Object(o)) => Ok(async_graphql::Variables::from_json(Value::Object(o))),
        Some(Value::String(_)) => Err((
            "BAD_REQUEST",
            "'variables' must be a JSON object; a JSON-encoded string is rejected since API version 2025-04"
                .to_string(),
        )),
        Some(other) => Err(("BAD_REQUEST", format!("'variables' must be a JSON object, got {}", kind_of(&other)))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_post_body(bytes: &Bytes) -> Result<GqlRequest, (&'static str, String)> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| ("JsonParseException", format!("Syntax error in JSON input: {e}")))?;
    let Value::Object(mut o) = v else {
        return Err((
            "BAD_REQUEST",
            format!("The request body must be a JSON object with a 'query', got {}", kind_of(&v)),
        ));
    };
    let query = match o.remove("query") {
        Some(Value::String(q)) if !q.trim().is_empty() => q,
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(("BAD_REQUEST", "No query string was present: send {\"query\": \"...\"}".to_string()))
        }
        Some(other) => return Err(("BAD_REQUEST", format!("'query' must be a string, got {}", kind_of(&other)))),
    };
    let variables = variables_from(o.remove("variables"))?;
    let operation_name = match o.remove("operationName") {
        Some(Value::String(s)) => Some(s),
        None | Some(Value::Null) => None,
        Some(other) => {
            return Err(("BAD_REQUEST", format!("'operationName' must be a string, got {}", kind_of(&other))))
        }
    };
    Ok(GqlRequest { query, variables, operation_name })
}

fn parse_get_query(raw: &str) -> Result<GqlRequest, (&'static str, String)> {
    let mut query = None;
    let mut variables = None;
    let mut operation_name = None;
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        match k.as_ref() {
            "query" => query = Some(v.into_owned()),
            "variables" => {
                let parsed: Value = serde_json::from_str(&v)
                    .map_err(|e| ("JsonParseException", format!("Syntax error in 'variables' JSON: {e}")))?;
                variables = Some(parsed);
            }
            "operationName" => operation_name = Some(v.into_owned()),
            _ => {}
        }
    }
    let query = query
        .filter(|q| !q.trim().is_empty())
        .ok_or(("BAD_REQUEST", "No query string was present: pass ?query=...".to_string()))?;
    Ok(GqlRequest { query, variables: variables_from(variables)?, operation_name })
}

fn limit_answer(e: &LimitError, request_id: &str) -> Answer {
    let mut ext = Map::new();
    if let Some(s) = e.retry_in_seconds {
        ext.insert("retry_in_seconds".into(), json!(s));
    }
    for (k, v) in &e.details {
        ext.insert(k.to_string(), json!(v));
    }
    match e.retry_in_seconds {
        Some(retry) => {
            ext.insert("status_code".into(), json!(429));
            let body = json!({ "errors": [errors::entry(&e.message, Some(e.code), &[], ext)], "extensions": { "request_id": request_id } });
            let mut a = Answer::json(StatusCode::TOO_MANY_REQUESTS, &body);
            a.headers.insert(header::RETRY_AFTER, HeaderValue::from(retry));
            a
        }
        // The per-query cap: retrying the same query can never succeed; an application error.
        None => {
            ext.insert("status_code".into(), json!(200));
            let body = json!({ "errors": [errors::entry(&e.message, Some(e.code), &[], ext)], "extensions": { "request_id": request_id } });
            Answer::json(StatusCode::OK, &body)
        }
    }
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    // monday.com takes the raw token; "Bearer <token>" is accepted too [INF].
    let token = raw.strip_prefix("Bearer ").unwrap_or(raw).trim();
    (!token.is_empty()).then(|| token.to_string())
}

async fn answer(sim: &Sim, headers: &HeaderMap, request: Result<GqlRequest, Answer>, id: String) -> Answer {
    let version_header = headers.get("api-version").map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let version = match version::resolve(version_header) {
        Ok(v) => v,
        Err(e) => return Answer::error(StatusCode::BAD_REQUEST, "InvalidVersionException", &e.to_string(), &id),
    };
    let mut a = answer_version(sim, headers, request, &id, version).await;
    a.headers.insert("api-version", HeaderValue::from_static(version.as_str()));
    a
}

async fn answer_version(
    sim: &Sim,
    headers: &HeaderMap,
    request: Result<GqlRequest, Answer>,
    id: &str,
    version: ApiVersion,
) -> Answer {
    let world = sim.world();
    let Some(token) = token_of(headers) else {
        return Answer::error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Not Authenticated: send your API token in the Authorization header",
            id,
        );
    };
    let viewer = match world.token_user(&token) {
        Some(u) if u.status != crate::model::UserStatus::Inactive => u.id,
        _ => {
            return Answer::error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "Not Authenticated: the API token is invalid or its user is deactivated",
                id,
            )
        }
    };
    let now = sim.clock.now();
    let slot = match sim.limiter.admit(&token, now) {
        Ok(s) => s,
        Err(e) => return with_rate_headers(sim, &token, limit_answer(&e, id)),
    };
    let request = match request {
        Ok(r) => r,
        Err(a) => return a,
    };
    let answer = run_query(sim, world, version, viewer, &token, request, id).await;
    drop(slot);
    with_rate_headers(sim, &token, answer)
}

async fn run_query(
    sim: &Sim,
    world: Arc<crate::model::World>,
    version: ApiVersion,
    viewer: u64,
    token: &str,
    req: GqlRequest,
    id: &str,
) -> Answer {
    let account_id = world.account().id;
    let doc = match async_graphql::parser::parse_query(&req.query) {
        Ok(d) => d,
        Err(e) => {
            return Answer::json(
                StatusCode::OK,
                &json!({ "errors": [errors::parse_error(&e)], "extensions": { "request_id": id }, "account_id": account_id }),
            )
        }
    };
    let vs = sim.schema(version);
    let cost = vs.cost.cost(&doc, req.operation_name.as_deref(), &req.variables);
    let charge = match sim.limiter.charge(token, cost, sim.clock.now()) {
        Ok(c) => c,
        Err(e) => return limit_answer(&e, id),
    };
    let Some(viewer_pos) = world.user_pos(viewer) else {
        return Answer::error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Not Authenticated", id);
    };
    let roots = root_fields(&doc);
    let ctx = RequestCtx { world, version, viewer_pos, charge, state: sim.shared(), now: sim.clock.wall_now() };
    let mut gql = async_graphql::Request::new(req.query).variables(req.variables).data(CtxCell::new(ctx));
    if let Some(op) = req.operation_name {
        gql = gql.operation_name(op);
    }
    let resp = vs.schema.execute(gql).await;
    // Resolver errors always carry our extensions (code, status_code); validation errors never do.
    let validation_failed = resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.extensions.is_none());
    let mut body = Map::new();
    if validation_failed {
        sim.limiter.refund(token, cost);
        body.insert("errors".into(), resp.errors.iter().map(|e| errors::translate_validation(e, Some(&doc))).collect());
    } else {
        record_charge(sim, charge, &roots);
        let mut data = match serde_json::to_value(&resp.data) {
            Ok(Value::Object(o)) => o,
            _ => Map::new(),
        };
        let mut errs = Vec::with_capacity(resp.errors.len());
        for e in &resp.errors {
            let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
            // The dynamic executor leaves a failed root field out, without a path; monday.com
            // answers it as null with its path.
            if e.path.is_empty() {
                if let Some(root) = roots.iter().find(|r| e.locations.first() == Some(&r.pos)) {
                    data.entry(root.key.clone()).or_insert(Value::Null);
                    v["path"] = json!([root.key]);
                }
            }
            errs.push(v);
        }
        body.insert("data".into(), Value::Object(data));
        if !errs.is_empty() {
            body.insert("errors".into(), Value::Array(errs));
        }
    }
    body.insert("extensions".into(), json!({ "request_id": id }));
    body.insert("account_id".into(), json!(account_id));
    Answer::json(StatusCode::OK, &Value::Object(body))
}

/// A root field of the request: its name, response key (alias or name) and position.
struct RootField {
    name: String,
    key: String,
    pos: async_graphql::Pos,
}

fn root_fields(doc: &async_graphql::parser::types::ExecutableDocument) -> Vec<RootField> {
    use async_graphql::parser::types::Selection;
    doc.operations
        .iter()
        .flat_map(|(_, op)| op.node.selection_set.node.items.iter())
        .filter_map(|s| match &s.node {
            Selection::Field(f) => Some(RootField {
                name: f.node.name.node.to_string(),
                key: f.node.response_key().node.to_string(),
                pos: f.pos,
            }),
            _ => None,
        })
        .collect()
}

fn record_charge(sim: &Sim, charge: Charge, roots: &[RootField]) {
    let mut s = sim.stats.lock();
    s.complexity += charge.query;
    // A query's points go to its first root field other than `complexity` (the field that
    // priced it): where a client's budget goes, by what it asked.
    if let Some(main) = roots.iter().find(|r| r.name != "complexity").or(roots.first()) {
        *s.complexity_by_root.entry(main.name.clone()).or_default() += charge.query;
    }
    for r in roots {
        *s.root_fields.entry(r.name.clone()).or_default() += 1;
    }
}

fn with_rate_headers(sim: &Sim, token: &str, mut a: Answer) -> Answer {
    let cfg = sim.limiter.config();
    let rem = sim.limiter.remaining(token, sim.clock.now());
    let mut policy = Vec::new();
    let mut state = Vec::new();
    if let (Some(q), Some((r, t))) = (cfg.requests_per_minute, rem.requests) {
        policy.push(format!("\"minuteRate\";q={q};w={}", cfg.window_secs));
        state.push(format!("\"minuteRate\";r={r};t={t}"));
    }
    if let (Some(q), Some(r)) = (cfg.max_concurrency, rem.concurrency) {
        policy.push(format!("\"concurrency\";q={q}"));
        state.push(format!("\"concurrency\";r={r}"));
    }
    if let (Some(q), Some((r, t))) = (cfg.complexity_per_minute, rem.complexity) {
        policy.push(format!("\"complexityMinute\";q={q};w={}", cfg.window_secs));
        state.push(format!("\"complexityMinute\";r={r};t={t}"));
    }
    if !policy.is_empty() {
        if let (Ok(p), Ok(s)) = (HeaderValue::from_str(&policy.join(", ")), HeaderValue::from_str(&state.join(", "))) {
            a.headers.insert("ratelimit-policy", p);
            a.headers.insert("ratelimit", s);
        }
    }
    a
}

/// Applies the injected fault (if any) around answering.
async fn with_faults<F: std::future::Future<Output = Answer>>(sim: &Sim, work: F) -> Response {
    let d = sim.faults.decide();
    if !d.delay.is_zero() {
        tokio::time::sleep(d.delay).await;
    }
    match d.outcome {
        Outcome::Status(s) => {
            let code = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let a = Answer::error(
                code,
                "INTERNAL_SERVER_ERROR",
                "Internal server error (injected by monday-sim)",
                &sim.request_id(),
            );
            count(sim, s);
            return a.into_response();
        }
        Outcome::DropBefore => {
            count(sim, 0);
            return dropped();
        }
        _ => {}
    }
    let a = work.await;
    match d.outcome {
        Outcome::DropAfter => {
            count(sim, 0);
            dropped()
        }
        Outcome::SlowBody(total) => {
            count(sim, a.status.as_u16());
            slow(a, total)
        }
        _ => {
            count(sim, a.status.as_u16());
            a.into_response()
        }
    }
}

fn count(sim: &Sim, status: u16) {
    let mut s = sim.stats.lock();
    s.requests += 1;
    *s.by_status.entry(status).or_default() += 1;
}

/// A response whose connection breaks before the body is complete.
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "monday-sim: connection dropped",
        ))
    });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from_static("4096"));
    r
}

/// Sends the body in ten pieces spread over `total`.
fn slow(a: Answer, total: Duration) -> Response {
    let pieces: Vec<Bytes> = a.body.chunks(a.body.len().div_ceil(10).max(1)).map(Bytes::copy_from_slice).collect();
    let pause = total / pieces.len().max(1) as u32;
    let stream = futures::stream::unfold(pieces.into_iter(), move |mut it| async move {
        let next = it.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<Bytes, std::io::Error>(next), it))
    });
    let mut r = Response::new(Body::from_stream(stream));
    *r.status_mut() = a.status;
    *r.headers_mut() = a.headers;
    r
}
