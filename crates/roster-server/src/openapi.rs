//! The OpenAPI document: generated from the routes themselves (utoipa-axum: a route is in the
//! router and the document, or in neither), then completed once, here, with what every route
//! shares: the errors each can answer, all with one error body (`ErrorBody`), and the bounds
//! and value sets of every parameter, read from `bounds` (the table the handlers enforce).

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Roster API", description = "Who has access to what in monday.com, and the changes to it."),
    modifiers(&BearerAuth),
    tags((name = "inventory", description = "Snapshots: users, teams, workspaces, boards, access"), (name = "history", description = "Syncs and events"), (name = "operations", description = "Syncs, plans and their approval, just-in-time access"), (name = "reviews", description = "Access review campaigns: reviewer keys see and decide their own items"))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// What each error status means, for the document.
fn meaning(status: &str) -> &'static str {
    match status {
        "400" => "a parameter or the request is invalid (the message names it)",
        "401" => "no key, or a key the server does not know",
        "403" => "the key's role may not do this (or, for a decision, this key may not make it)",
        "404" => "no such account, resource or id (or no completed sync yet)",
        "409" => "the request conflicts with the current state (the message says which)",
        "413" => "the request body is too large",
        "415" => "the body is not JSON (Content-Type: application/json)",
        "422" => "the JSON body does not have the documented shape",
        "429" => "above the per-key request rate: retry after Retry-After seconds",
        _ => "the server failed (the store or monday.com); the message says what",
    }
}

/// The one error body every error answer carries.
fn error_body() -> Value {
    json!({
        "type": "object",
        "description": "Every error answer: a stable code and a message that says what happened and what to do.",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "enum": crate::error::CODES },
                "message": { "type": "string" }
            }
        }}
    })
}

/// The statuses an operation can answer besides its own: every API route authenticates (401),
/// checks the permission matrix (403), limits the rate (429) and reads the store (500); a
/// path parameter can name nothing (404), a query or numeric path value can be invalid (400), a body can
/// be too large, not JSON, or of the wrong shape (413, 415, 422).
fn shared_statuses(op: &Value) -> Vec<&'static str> {
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let has = |place: &str| params.iter().any(|p| p["in"] == place);
    let mut out = vec!["401", "403", "429", "500"];
    if has("path") {
        out.push("404");
    }
    // A query value, or a numeric path value, that does not parse or is out of bounds.
    let numeric_path = params.iter().any(|p| p["in"] == "path" && p["schema"]["type"] == "integer");
    if has("query") || numeric_path {
        out.push("400");
    }
    if op.get("requestBody").is_some() {
        out.extend(["413", "415", "422"]);
    }
    out
}

fn bound_parameters(route: &str, op: &mut Value) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    for p in params {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let schema = p.get_mut("schema").and_then(Value::as_object_mut);
        let Some(schema) = schema else { continue };
        let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
        if let (true, Some(b)) = (integer, crate::bounds::numeric(&name)) {
            schema.insert("minimum".into(), json!(b.min));
            // i64's own maximum is what int64 says already.
            if b.max != i64::MAX {
                schema.insert("maximum".into(), json!(b.max));
            } else {
                schema.remove("maximum");
            }
        }
        if let Some(set) = crate::bounds::values(route, &name) {
            schema.insert("enum".into(), json!(set));
        }
        if let (false, Some(n)) = (integer, crate::bounds::text_len(&name)) {
            schema.insert("maxLength".into(), json!(n));
        }
    }
}

/// Completes `doc` (generated from the routes) with the shared error answers and the bounds.
pub(crate) fn complete(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut v) = serde_json::to_value(&doc) else { return doc };
    let schemas = v.pointer_mut("/components/schemas").and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        schemas.insert("ErrorBody".into(), error_body());
    }
    let reference = json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } });
    if let Some(paths) = v.get_mut("paths").and_then(Value::as_object_mut) {
        for (route, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (_, op) in item.iter_mut() {
                bound_parameters(route, op);
                let extra = shared_statuses(op);
                let responses = op
                    .as_object_mut()
                    .and_then(|o| o.entry("responses").or_insert_with(|| Value::Object(Map::new())).as_object_mut());
                let Some(responses) = responses else { continue };
                for status in extra {
                    responses.entry(status).or_insert_with(|| json!({ "description": meaning(status) }));
                }
                for (status, r) in responses.iter_mut() {
                    if status.as_str() >= "400" {
                        if r["description"].as_str().is_none_or(str::is_empty) {
                            r["description"] = json!(meaning(status));
                        }
                        r["content"] = reference.clone();
                    }
                }
            }
        }
    }
    match serde_json::from_value(v) {
        Ok(done) => done,
        Err(e) => {
            tracing::error!("the OpenAPI document could not be completed: {e}");
            doc
        }
    }
}
