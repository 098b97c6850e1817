//! The API contract: the OpenAPI document, the permission table (`policy::ROUTES`) and the
//! router name the same routes; and every answer the server gives — to a valid request, a
//! malformed one, no key, a key of the wrong role, an unknown id, and each parameter at and past
//! its documented bounds — has a status the document lists for that route and a body that
//! validates against the schema it gives (the one `ErrorBody` for every error).

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use roster_server::policy::{self, ROUTES};
use roster_server::Role;
use serde_json::{json, Value};

/// The server's answer: status, content type and body.
struct Answer {
    status: u16,
    json: Option<Value>,
}

async fn send(e: &Env, method: &str, path: &str, key: Option<&str>, body: Option<&Value>) -> Answer {
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{}{path}", e.base));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap_or_else(|err| panic!("{method} {path}: the connection failed: {err}"));
    let status = r.status().as_u16();
    let json = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"))
        .then_some(());
    let bytes = r.bytes().await.unwrap();
    let json = json.map(|_| serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("{method} {path}: not JSON")));
    Answer { status, json }
}

/// The document and what the test reads of it.
struct Contract {
    doc: Value,
}

impl Contract {
    fn op(&self, method: &str, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the document");
        op
    }

    /// Checks an answer against the document; returns a description of any breach.
    fn check(&self, method: &str, template: &str, what: &str, a: &Answer) -> Result<(), String> {
        let op = self.op(method, template);
        let response = &op["responses"][a.status.to_string()];
        if !response.is_object() {
            let listed: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            return Err(format!("{method} {template} ({what}): answered {}, the document lists {listed:?}", a.status));
        }
        let Some(schema) = response.pointer("/content/application~1json/schema") else {
            return Ok(());
        };
        let Some(body) = &a.json else {
            return Err(format!("{method} {template} ({what}): {} without a JSON body", a.status));
        };
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.doc["components"],
            "allOf": [schema],
        });
        let v =
            jsonschema::validator_for(&root).map_err(|e| format!("{template}: the schema does not compile: {e}"))?;
        let errors: Vec<String> =
            v.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).take(3).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{method} {template} ({what}): {} body does not match the document: {errors:?}", a.status))
        }
    }

    /// The parameters of an operation.
    fn params(&self, method: &str, template: &str) -> Vec<Value> {
        self.op(method, template)["parameters"].as_array().cloned().unwrap_or_default()
    }
}

/// A valid request for each route, in an order that makes the next one valid.
struct Call {
    method: &'static str,
    template: &'static str,
    path: String,
    key: &'static str,
    body: Option<Value>,
}

fn call_of(method: &'static str, template: &'static str, fill: &[(&str, &str)], key: &'static str) -> Call {
    let mut path = template.to_string();
    for (k, v) in fill {
        path = path.replace(&format!("{{{k}}}"), v);
    }
    Call { method, template, path, key, body: None }
}

fn with(mut c: Call, body: Value) -> Call {
    c.body = Some(body);
    c
}

/// Sends valid requests in order: each must succeed, and its answer match the document.
async fn valid_calls(
    e: &Env,
    contract: &Contract,
    calls: impl Iterator<Item = Call>,
    breaches: &mut Vec<String>,
    covered: &mut BTreeSet<(String, String)>,
) {
    for c in calls {
        let ans = send(e, c.method, &c.path, Some(c.key), c.body.as_ref()).await;
        assert!(
            (200..300).contains(&ans.status),
            "{} {}: a valid request answered {}: {:?}",
            c.method,
            c.path,
            ans.status,
            ans.json
        );
        if let Err(b) = contract.check(c.method, c.template, "valid", &ans) {
            breaches.push(b);
        }
        covered.insert((c.method.into(), c.template.into()));
    }
}

fn key_of(role: Role) -> &'static str {
    match role {
        Role::Admin => ADMIN,
        Role::Reader => READER,
        Role::Requester => REQUESTER,
        Role::Reviewer => REVIEWER,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_one_the_document_gives() {
    let e = env(0, Duration::from_secs(3600)).await;
    synced(&e).await;
    let (_, doc) = call(&e, "GET", "/api/v1/openapi.json", None).await;
    let contract = Contract { doc };
    let mut breaches: Vec<String> = Vec::new();

    // The document, the permission table and the router name the same routes.
    let documented: BTreeSet<(String, String)> = contract.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, item)| item.as_object().unwrap().keys().map(move |m| (m.to_ascii_uppercase(), p.clone())))
        .collect();
    let permitted: BTreeSet<(String, String)> = ROUTES.iter().map(|(m, r, _)| (m.to_string(), r.to_string())).collect();
    assert_eq!(documented, permitted, "the document and policy::ROUTES differ");

    // What the valid calls need: ids from the synced snapshot.
    let (_, users) =
        call(&e, "GET", "/api/v1/accounts/acme/users?status=active&role=member&limit=5", Some(READER)).await;
    let user = users["items"][0]["id"].as_str().unwrap().to_string();
    let (target, other) =
        (users["items"][1]["id"].as_str().unwrap().to_string(), users["items"][2]["id"].as_str().unwrap().to_string());
    let (_, boards) = call(&e, "GET", "/api/v1/accounts/acme/boards?limit=1", Some(READER)).await;
    let board = boards["items"][0]["id"].as_str().unwrap().to_string();
    let (_, syncs) = call(&e, "GET", "/api/v1/accounts/acme/syncs", Some(READER)).await;
    let sync = syncs[0]["id"].as_i64().unwrap().to_string();
    let a = [("account", "acme")];
    // The audit log, read as `roster serve` reads it after a sync.
    common::read_audit_log(&e).await;

    let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
    let mut valid: Vec<Call> = vec![
        call_of("GET", "/api/v1/accounts", &[], READER),
        call_of("GET", "/api/v1/accounts/{account}/users", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/teams", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/workspaces", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/boards", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/access/{user}", &[("account", "acme"), ("user", &user)], READER),
        call_of(
            "GET",
            "/api/v1/accounts/{account}/reports/{name}",
            &[("account", "acme"), ("name", "inactive")],
            READER,
        ),
        call_of(
            "GET",
            "/api/v1/accounts/{account}/who/{resource_type}/{id}",
            &[("account", "acme"), ("resource_type", "board"), ("id", &board)],
            READER,
        ),
        call_of("GET", "/api/v1/accounts/{account}/syncs", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/syncs/{id}", &[("account", "acme"), ("id", &sync)], READER),
        call_of("GET", "/api/v1/accounts/{account}/events", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/audit-log", &a, READER),
        call_of("GET", "/api/v1/accounts/{account}/export/c1z", &a, READER),
        with(
            call_of("POST", "/api/v1/accounts/{account}/plans", &a, ADMIN),
            json!({ "actions": [{ "action": "deactivate", "user": target }], "dry_run": true }),
        ),
        with(
            call_of("POST", "/api/v1/accounts/{account}/jit", &a, REQUESTER),
            json!({ "user": user, "entitlement": format!("board:{board}:subscriber"), "minutes": 30, "justification": "contract" }),
        ),
        with(
            call_of("POST", "/api/v1/accounts/{account}/jit", &a, REQUESTER),
            json!({ "user": other, "entitlement": format!("board:{board}:subscriber"), "minutes": 30, "justification": "contract" }),
        ),
        call_of("GET", "/api/v1/accounts/{account}/jit", &a, READER),
        with(
            call_of("POST", "/api/v1/accounts/{account}/reviews", &a, ADMIN),
            json!({ "name": "contract", "due": "2099-01-01", "types": ["board"], "reviewers": "named", "named": ["rita@acme.test"], "fallback": "rita@acme.test" }),
        ),
        call_of("GET", "/api/v1/accounts/{account}/reviews", &a, READER),
    ];
    valid_calls(&e, &contract, valid.drain(..), &mut breaches, &mut covered).await;
    // Ids made by the calls above, for the calls that decide on them.
    let (_, jits) = call(&e, "GET", "/api/v1/accounts/acme/jit?status=requested", Some(READER)).await;
    let (jit1, jit2) = (jits[0]["id"].as_i64().unwrap().to_string(), jits[1]["id"].as_i64().unwrap().to_string());
    let (_, reviews) = call(&e, "GET", "/api/v1/accounts/acme/reviews", Some(READER)).await;
    let review = reviews[0]["id"].as_i64().unwrap().to_string();
    e.state.approval.set(roster_core::ApprovalPolicy {
        require: roster_core::Require::Removals,
        min_users: 1,
        approvers: vec![],
    });
    let mut held = Vec::new();
    for u in [&target, &other] {
        let body = json!({ "actions": [{ "action": "deactivate", "user": u }] });
        let ans = send(&e, "POST", "/api/v1/accounts/acme/plans", Some(ADMIN), Some(&body)).await;
        assert_eq!(ans.status, 202, "held for approval: {:?}", ans.json);
        if let Err(b) = contract.check("POST", "/api/v1/accounts/{account}/plans", "held", &ans) {
            breaches.push(b);
        }
        held.push(ans.json.unwrap()["plan_id"].as_str().unwrap().to_string());
    }
    let r = [("account", "acme"), ("id", review.as_str())];
    let mut valid: Vec<Call> = vec![
        call_of("GET", "/api/v1/accounts/{account}/plans", &a, READER),
        call_of(
            "GET",
            "/api/v1/accounts/{account}/plans/{plan_id}",
            &[("account", "acme"), ("plan_id", &held[0])],
            READER,
        ),
        call_of(
            "POST",
            "/api/v1/accounts/{account}/plans/{plan_id}/approve",
            &[("account", "acme"), ("plan_id", &held[0])],
            ADMIN2,
        ),
        with(
            call_of(
                "POST",
                "/api/v1/accounts/{account}/plans/{plan_id}/reject",
                &[("account", "acme"), ("plan_id", &held[1])],
                ADMIN2,
            ),
            json!({ "reason": "contract" }),
        ),
        call_of("POST", "/api/v1/accounts/{account}/jit/{id}/approve", &[("account", "acme"), ("id", &jit1)], ADMIN),
        with(
            call_of("POST", "/api/v1/accounts/{account}/jit/{id}/deny", &[("account", "acme"), ("id", &jit2)], ADMIN),
            json!({ "reason": "contract" }),
        ),
        with(call_of("POST", "/api/v1/accounts/{account}/reviews/{id}/launch", &r, ADMIN), json!({ "force": true })),
        call_of("GET", "/api/v1/accounts/{account}/reviews/{id}", &r, READER),
        call_of("GET", "/api/v1/accounts/{account}/reviews/{id}/items", &r, REVIEWER),
    ];
    valid_calls(&e, &contract, valid.drain(..), &mut breaches, &mut covered).await;
    // Every item certified, a page at a time (a decision takes at most 1000 items).
    let mut valid: Vec<Call> = Vec::new();
    let undecided = format!("/api/v1/accounts/acme/reviews/{review}/items?undecided=true&limit=1000");
    loop {
        let (_, items) = call(&e, "GET", &undecided, Some(REVIEWER)).await;
        let ids: Vec<i64> = items.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        if ids.is_empty() {
            break;
        }
        let c = with(
            call_of("POST", "/api/v1/accounts/{account}/reviews/{id}/decisions", &r, REVIEWER),
            json!({ "items": ids, "decision": "certify", "justification": "contract" }),
        );
        let ans = send(&e, c.method, &c.path, Some(c.key), c.body.as_ref()).await;
        assert_eq!(ans.status, 200, "{:?}", ans.json);
        if let Err(b) = contract.check(c.method, c.template, "valid", &ans) {
            breaches.push(b);
        }
        covered.insert((c.method.into(), c.template.into()));
    }
    valid.extend([
        call_of("POST", "/api/v1/accounts/{account}/reviews/{id}/signoff", &r, REVIEWER),
        with(call_of("POST", "/api/v1/accounts/{account}/reviews/{id}/close", &r, ADMIN), json!({ "dry_run": true })),
        with(call_of("POST", "/api/v1/accounts/{account}/reviews/{id}/close", &r, ADMIN), json!({})),
        call_of("GET", "/api/v1/accounts/{account}/reviews/{id}/evidence", &r, READER),
        call_of("POST", "/api/v1/accounts/{account}/sync", &a, ADMIN),
    ]);
    valid_calls(&e, &contract, valid.drain(..), &mut breaches, &mut covered).await;
    assert_eq!(covered, permitted, "every route has a valid request above");

    // Every route: no key, the wrong role, unknown ids, malformed values and bodies, bounds.
    let fill = |template: &str, values: &[(&str, String)]| -> String {
        let mut p = template.to_string();
        for (k, v) in values {
            p = p.replace(&format!("{{{k}}}"), v);
        }
        p
    };
    let good = [
        ("account", "acme".to_string()),
        ("user", user.clone()),
        ("name", "inactive".to_string()),
        ("resource_type", "board".to_string()),
        ("plan_id", held[0].clone()),
        ("id", review.clone()),
    ];
    for (method, template, act) in ROUTES {
        let good_path = {
            let mut g = good.to_vec();
            if template.contains("/syncs/") {
                g.retain(|(k, _)| *k != "id");
                g.push(("id", sync.clone()));
            } else if template.contains("/who/") {
                g.retain(|(k, _)| *k != "id");
                g.push(("id", board.clone()));
            } else if template.contains("/jit/") {
                g.retain(|(k, _)| *k != "id");
                g.push(("id", jit1.clone()));
            }
            fill(template, &g)
        };
        let admin_body = || Some(json!({}));
        let body = if *method == "POST" { admin_body() } else { None };
        let mut probes: Vec<(String, String, Option<&str>, Option<Value>)> = vec![
            ("no key".into(), good_path.clone(), None, body.clone()),
            ("a key nobody has".into(), good_path.clone(), Some("not-a-key"), body.clone()),
        ];
        for role in [Role::Admin, Role::Reader, Role::Requester, Role::Reviewer] {
            if !policy::may(role, *act) {
                probes.push((format!("a {} key", role.as_str()), good_path.clone(), Some(key_of(role)), body.clone()));
            }
        }
        if template.contains('{') {
            let unknown = [
                ("account", "nope".to_string()),
                ("user", "nobody@nowhere.test".to_string()),
                ("name", "inactive".to_string()),
                ("resource_type", "board".to_string()),
                ("plan_id", "plan-nope".to_string()),
                ("id", "999999".to_string()),
            ];
            probes.push(("an unknown account".into(), fill(template, &unknown), Some(ADMIN), body.clone()));
            let mut known_account = unknown.to_vec();
            known_account[0].1 = "acme".into();
            probes.push(("unknown ids".into(), fill(template, &known_account), Some(ADMIN), body.clone()));
            let mut bad = known_account.clone();
            bad.iter_mut().filter(|(k, _)| *k == "id").for_each(|(_, v)| *v = "not-a-number".into());
            bad.iter_mut().filter(|(k, _)| *k == "resource_type").for_each(|(_, v)| *v = "galaxy".into());
            probes.push(("malformed path values".into(), fill(template, &bad), Some(ADMIN), body.clone()));
        }
        // Malformed and out-of-bounds query values, and the values at the bounds.
        for p in contract.params(method, template).iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            let s = &p["schema"];
            let mut values: Vec<(String, bool)> = vec![];
            match s["type"].as_str() {
                Some("integer") => {
                    values.push(("x".into(), false));
                    values.push((
                        "-9223372036854775808".into(),
                        s.get("minimum").is_none_or(|m| m.as_i64() == Some(i64::MIN)),
                    ));
                    values.push(("99999999999999999999".into(), false));
                    if let Some(min) = s["minimum"].as_i64() {
                        values.push((min.to_string(), true));
                        if min > i64::MIN {
                            values.push(((min - 1).to_string(), false));
                        }
                    }
                    if let Some(max) = s["maximum"].as_i64() {
                        values.push((max.to_string(), true));
                        values.push(((max + 1).to_string(), false));
                    }
                }
                Some("boolean") => values.push(("maybe".into(), false)),
                _ => {}
            }
            if let Some(set) = s["enum"].as_array() {
                values.extend(set.iter().map(|v| (v.as_str().unwrap().to_string(), true)));
                values.push(("not-one-of-them".into(), false));
            }
            for (v, ok) in values {
                let path = format!("{good_path}?{name}={v}");
                let key = if *act == policy::Act::ReviewSee { REVIEWER } else { ADMIN };
                let ans = send(&e, method, &path, Some(key), None).await;
                if ok && ans.status == 400 {
                    breaches.push(format!("{method} {path}: a documented value was refused: {:?}", ans.json));
                }
                if !ok && ans.status != 400 {
                    breaches.push(format!("{method} {path}: a value outside the document answered {}", ans.status));
                }
                if let Err(b) = contract.check(method, template, &format!("{name}={v}"), &ans) {
                    breaches.push(b);
                }
            }
        }
        if contract.op(method, template).get("requestBody").is_some() {
            let raw = reqwest::Client::new()
                .post(format!("{}{good_path}", e.base))
                .bearer_auth(ADMIN)
                .header("content-type", "application/json")
                .body("{\"actions\": [")
                .send()
                .await
                .unwrap();
            let status = raw.status().as_u16();
            let json = raw.json().await.ok();
            if let Err(b) = contract.check(method, template, "a broken JSON body", &Answer { status, json }) {
                breaches.push(b);
            }
            let raw = reqwest::Client::new()
                .post(format!("{}{good_path}", e.base))
                .bearer_auth(ADMIN)
                .header("content-type", "text/plain")
                .body("hello")
                .send()
                .await
                .unwrap();
            let status = raw.status().as_u16();
            let json = raw.json().await.ok();
            if let Err(b) = contract.check(method, template, "a body that is not JSON", &Answer { status, json }) {
                breaches.push(b);
            }
            probes.push((
                "a body of the wrong shape".into(),
                good_path.clone(),
                Some(ADMIN),
                Some(json!({ "nonsense": [1, 2] })),
            ));
        }
        for (what, path, key, body) in probes {
            let ans = send(&e, method, &path, key, body.as_ref()).await;
            if what.contains("key") && !(400..500).contains(&ans.status) {
                breaches.push(format!("{method} {path} ({what}): answered {}", ans.status));
            }
            if let Err(b) = contract.check(method, template, &what, &ans) {
                breaches.push(b);
            }
        }
    }
    assert!(breaches.is_empty(), "{} breach(es) of the contract:\n{}", breaches.len(), breaches.join("\n"));
}
