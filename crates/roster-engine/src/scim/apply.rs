//! Carrying out a SCIM plan, one call per step, each recorded as an event.

use std::collections::HashMap;

use chrono::Utc;
use roster_core::scim_plan::{DesiredUser, MemberRef, ScimStep};
use roster_core::{Change, Event, EventKind, Outcome};
use roster_store::{Store, StoreError};
use scim_client::{ops, ScimClient, ScimError, User};
use serde_json::{json, Map, Value};

/// The SCIM document for a new user.
fn user_doc(d: &DesiredUser) -> Value {
    let a = &d.attributes;
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!(["urn:ietf:params:scim:schemas:core:2.0:User"]));
    doc.insert("userName".into(), json!(d.user_name));
    doc.insert("emails".into(), json!([{ "value": d.user_name, "type": "work", "primary": true }]));
    doc.insert("active".into(), json!(d.active));
    let mut name = Map::new();
    for (attr, key) in [("name.givenName", "givenName"), ("name.familyName", "familyName")] {
        if let Some(v) = a.get(attr) {
            name.insert(key.into(), json!(v));
        }
    }
    if !name.is_empty() {
        doc.insert("name".into(), Value::Object(name));
    }
    for key in ["displayName", "title", "userType", "locale", "timezone", "externalId"] {
        if let Some(v) = a.get(key) {
            doc.insert(key.into(), json!(v));
        }
    }
    if let Some(p) = a.get("phoneNumbers.work") {
        doc.insert("phoneNumbers".into(), json!([{ "value": p, "type": "work" }]));
    }
    if let Some(p) = a.get("addresses.work") {
        doc.insert("addresses".into(), json!([{ "formatted": p, "type": "work" }]));
    }
    Value::Object(doc)
}

/// PATCH operations for attribute changes (userType and active only change by PATCH on monday.com).
fn change_ops(changes: &[(String, Option<String>, String)]) -> Result<Vec<scim_client::PatchOperation>, ScimError> {
    changes
        .iter()
        .map(|(attr, _, to)| match attr.as_str() {
            "phoneNumbers.work" => ops::replace("phoneNumbers", json!([{ "value": to, "type": "work" }])),
            "addresses.work" => ops::replace("addresses", json!([{ "formatted": to, "type": "work" }])),
            "userName" => ops::replace("userName", json!(to)),
            other => ops::replace(other, json!(to)),
        })
        .collect()
}

fn kind(step: &ScimStep) -> EventKind {
    match step {
        ScimStep::CreateUser { .. } => EventKind::ScimUserCreate,
        ScimStep::UpdateUser { .. } => EventKind::ScimUserUpdate,
        ScimStep::Deactivate { .. } => EventKind::ScimUserDeprovision,
        ScimStep::Reactivate { .. } => EventKind::ScimUserReactivate,
        ScimStep::DeleteUser { .. } => EventKind::ScimUserDelete,
        ScimStep::CreateGroup { .. } => EventKind::ScimGroupCreate,
        ScimStep::RenameGroup { .. } => EventKind::ScimGroupUpdate,
        ScimStep::AddMembers { .. } => EventKind::ScimGroupMemberAdd,
        ScimStep::RemoveMembers { .. } => EventKind::ScimGroupMemberRemove,
        ScimStep::DeleteGroup { .. } => EventKind::ScimGroupDelete,
    }
}

fn resolve(members: &[MemberRef], created: &HashMap<String, String>) -> Result<Vec<String>, ScimError> {
    members
        .iter()
        .map(|m| match m {
            MemberRef::Id(id) => Ok(id.clone()),
            MemberRef::New(name) => created.get(&name.to_lowercase()).cloned().ok_or_else(|| ScimError::Invalid {
                status: 0,
                scim_type: None,
                detail: format!("{name} was not created, so it cannot join the group"),
            }),
        })
        .collect()
}

async fn run(
    c: &ScimClient,
    step: &ScimStep,
    created: &mut HashMap<String, String>,
) -> Result<Option<String>, ScimError> {
    match step {
        ScimStep::CreateUser { user } => {
            let doc: User = serde_json::from_value(user_doc(user))
                .map_err(|e| ScimError::Malformed { status: 0, detail: e.to_string() })?;
            match c.create_user(&doc).await {
                Ok(u) => {
                    created.insert(user.user_name.to_lowercase(), u.id.unwrap_or_default());
                    Ok(None)
                }
                // Someone created it meanwhile (by hand, or SSO just in time): adopt it.
                Err(ScimError::Conflict { .. }) => {
                    let found = c.list_users(Some(&format!("userName eq \"{}\"", user.user_name))).await?;
                    let id = found.first().and_then(|u| u.id.clone()).ok_or_else(|| ScimError::Invalid {
                        status: 409,
                        scim_type: None,
                        detail: format!("{} exists but cannot be found", user.user_name),
                    })?;
                    created.insert(user.user_name.to_lowercase(), id);
                    Ok(Some("already existed: adopted".into()))
                }
                Err(e) => Err(e),
            }
        }
        ScimStep::UpdateUser { id, changes, .. } => c.patch_user(id, &change_ops(changes)?).await.map(|_| None),
        ScimStep::Deactivate { id, .. } => {
            c.patch_user(id, &[ops::replace("active", json!(false))?]).await.map(|_| None)
        }
        ScimStep::Reactivate { id, .. } => {
            c.patch_user(id, &[ops::replace("active", json!(true))?]).await.map(|_| None)
        }
        ScimStep::DeleteUser { id, .. } => c.delete_user(id).await.map(|_| None),
        ScimStep::CreateGroup { name, external_id, members } => {
            let ids = resolve(members, created)?;
            let mut doc = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": ids.iter().map(|i| json!({"value": i})).collect::<Vec<_>>() });
            if let Some(x) = external_id {
                doc["externalId"] = json!(x);
            }
            let g =
                serde_json::from_value(doc).map_err(|e| ScimError::Malformed { status: 0, detail: e.to_string() })?;
            c.create_group(&g).await.map(|_| None)
        }
        ScimStep::RenameGroup { id, to, .. } => {
            c.patch_group(id, &[ops::replace("displayName", json!(to))?]).await.map(|_| None)
        }
        ScimStep::AddMembers { id, members, .. } => {
            let ids = resolve(members, created)?;
            c.patch_group(
                id,
                &[ops::add("members", json!(ids.iter().map(|i| json!({"value": i})).collect::<Vec<_>>()))?],
            )
            .await
            .map(|_| None)
        }
        ScimStep::RemoveMembers { id, members, .. } => {
            let removals = members
                .iter()
                .map(|m| ops::remove(&format!("members[value eq \"{m}\"]")))
                .collect::<Result<Vec<_>, _>>()?;
            c.patch_group(id, &removals).await.map(|_| None)
        }
        ScimStep::DeleteGroup { id, .. } => c.delete_group(id).await.map(|_| None),
    }
}

/// Runs every step in order; a failed step is recorded and the rest go on. Write-ahead: every
/// step is recorded as requested (`scim.requested`, with the plan and its place) before the
/// first call, and each answer right after its call, together with its event; a process that
/// dies part-way leaves requested steps that the next sync resolves. Returns the outcome events.
pub async fn apply(
    store: &dyn Store,
    account: &str,
    plan_id: &str,
    c: &ScimClient,
    steps: &[ScimStep],
) -> Result<Vec<Event>, StoreError> {
    let requested: Vec<Event> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| Event {
            kind: EventKind::ScimRequested,
            subject: s.describe(),
            detail: json!({ "plan": plan_id, "index": i, "description": s.describe() }),
        })
        .collect();
    let changes: Vec<Change> = steps.iter().cloned().map(Change::Scim).collect();
    let ids = store.add_pending(account, plan_id, &changes, &requested, Utc::now()).await?;
    let mut created = HashMap::new();
    let mut events = Vec::with_capacity(steps.len());
    for ((i, step), id) in steps.iter().enumerate().zip(ids) {
        let outcome = run(c, step, &mut created).await;
        let (answer, detail) = match outcome {
            Ok(note) => (
                Outcome::Succeeded,
                json!({ "status": "succeeded", "plan": plan_id, "index": i, "description": step.describe(), "note": note }),
            ),
            Err(e) => (
                Outcome::Failed,
                json!({ "status": "failed", "plan": plan_id, "index": i, "description": step.describe(), "error": e.to_string() }),
            ),
        };
        let event = Event { kind: kind(step), subject: step.describe(), detail };
        store.set_pending_outcomes(account, &[(id, answer)], std::slice::from_ref(&event), Utc::now()).await?;
        events.push(event);
    }
    Ok(events)
}
