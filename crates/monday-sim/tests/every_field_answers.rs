//! A client that asks for every field of users, teams, workspaces and boards (nested objects
//! one level deep) gets an answer without errors, on both API versions. The field list comes
//! from the emulator's own introspection, so a field added later is covered automatically.

use crate::common;

use common::*;
use serde_json::{json, Value};

/// Leaf field names of `ty`, and object fields with their named type (no required arguments).
async fn fields(sim: &monday_sim::RunningSim, version: &str, ty: &str) -> (Vec<String>, Vec<(String, String)>) {
    let q = "query($t: String!) { __type(name: $t) { fields { name args { type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }";
    let a = gql(sim, ADMIN, Some(version), q, json!({"t": ty})).await;
    let mut leaves = Vec::new();
    let mut objects = Vec::new();
    for f in a.body["data"]["__type"]["fields"].as_array().unwrap_or_else(|| panic!("{}", a.body)) {
        if f["args"].as_array().unwrap().iter().any(|a| a["type"]["kind"] == "NON_NULL") {
            continue;
        }
        let mut t = &f["type"];
        while t["name"].is_null() {
            t = &t["ofType"];
        }
        let name = f["name"].as_str().unwrap().to_string();
        match t["kind"].as_str() {
            Some("OBJECT") => objects.push((name, t["name"].as_str().unwrap().to_string())),
            _ => leaves.push(name),
        }
    }
    (leaves, objects)
}

async fn selection(sim: &monday_sim::RunningSim, version: &str, ty: &str) -> String {
    let (leaves, objects) = fields(sim, version, ty).await;
    let mut parts = leaves;
    for (name, inner) in objects {
        let (inner_leaves, _) = fields(sim, version, &inner).await;
        if !inner_leaves.is_empty() {
            parts.push(format!("{name} {{ {} }}", inner_leaves.join(" ")));
        }
    }
    parts.join(" ")
}

#[tokio::test]
async fn every_field_of_every_type_answers_on_both_versions() {
    let sim = start(org(300, 61)).await;
    for version in ["2026-07", "2026-10"] {
        for (root, ty) in [
            ("users(limit: 50)", "User"),
            ("teams", "Team"),
            ("workspaces(state: all)", "Workspace"),
            ("boards(limit: 60, state: all)", "Board"),
            ("account", "Account"),
            ("me", "User"),
        ] {
            let q = format!("{{ {root} {{ {} }} }}", selection(&sim, version, ty).await);
            let a = gql(&sim, ADMIN, Some(version), &q, json!({})).await;
            assert_eq!(a.status, 200, "{version} {root}");
            assert!(a.body.get("errors").is_none(), "{version} {root}: {}", a.body["errors"]);
            let key = root.split('(').next().unwrap();
            let data = &a.body["data"][key];
            let n = match data {
                Value::Array(l) => l.len(),
                Value::Object(_) => 1,
                _ => 0,
            };
            assert!(n > 0, "{version} {root} returned nothing");
        }
    }
}
