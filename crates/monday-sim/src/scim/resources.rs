//! monday.com users and teams as SCIM resources, and back. The SCIM document an IdP sent is
//! kept whole; the attributes monday.com itself owns (e-mail, name, title, role, status, time
//! zone) are taken from, and written to, the user, so GraphQL and SCIM see one truth.

use chrono::SecondsFormat;
use serde_json::{json, Map, Value};

use super::discovery::{GROUP, USER};
use super::json_path::key_of;
use super::ScimError;
use crate::model::{InvitationMethod, Team, User, UserKind, UserStatus, World};

const SERVER_OWNED: &[&str] = &["id", "schemas", "meta", "groups", "internalId"];

fn stored(doc: &Map<String, Value>, key: &str) -> bool {
    key_of(doc, key).is_some()
}

fn set(doc: &mut Map<String, Value>, key: &str, v: Value) {
    let k = key_of(doc, key).unwrap_or_else(|| key.to_string());
    doc.insert(k, v);
}

fn unset(doc: &mut Map<String, Value>, key: &str) {
    if let Some(k) = key_of(doc, key) {
        doc.remove(&k);
    }
}

/// The user as a SCIM resource.
pub fn user_doc(world: &World, u: &User, base: &str) -> Value {
    let mut d = u.scim_attributes.clone();
    let own = d.is_empty();
    set(&mut d, "userName", json!(u.email));
    if own || stored(&d, "displayName") {
        set(&mut d, "displayName", json!(u.name));
    }
    if u.title.is_empty() {
        unset(&mut d, "title");
    } else {
        set(&mut d, "title", json!(u.title));
    }
    set(&mut d, "userType", json!(u.kind.as_str()));
    set(&mut d, "active", json!(u.status != UserStatus::Inactive));
    match &u.time_zone_identifier {
        Some(tz) if own || stored(&d, "timezone") => set(&mut d, "timezone", json!(tz)),
        None => unset(&mut d, "timezone"),
        _ => {}
    }
    match &u.external_id {
        Some(x) => set(&mut d, "externalId", json!(x)),
        None => unset(&mut d, "externalId"),
    }
    if own {
        d.insert("name".into(), json!({ "formatted": u.name }));
        d.insert("emails".into(), json!([{ "value": u.email, "type": "work", "primary": true }]));
    }
    let groups: Vec<Value> = world
        .teams_of(u.id)
        .iter()
        .filter_map(|t| world.team_pos(*t))
        .map(|p| &world.teams()[p])
        .map(|t| json!({ "value": t.id.to_string(), "display": t.name }))
        .collect();
    if !groups.is_empty() {
        d.insert("groups".into(), Value::Array(groups));
    }
    d.insert("id".into(), json!(u.id.to_string()));
    d.insert("schemas".into(), json!([USER]));
    let created = u.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    d.insert("meta".into(), json!({ "resourceType": "User", "created": created, "lastModified": created, "location": format!("{base}/Users/{}", u.id) }));
    Value::Object(d)
}

/// Whether `e` looks like an e-mail address.
pub fn valid_email(e: &str) -> bool {
    matches!(e.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !e.contains(char::is_whitespace) && !d.contains('@'))
}

fn string(doc: &Map<String, Value>, key: &str) -> Result<Option<String>, ScimError> {
    match key_of(doc, key).and_then(|k| doc.get(&k)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ScimError::bad("invalidValue", format!("{key} must be a string, got {other}"))),
    }
}

/// Writes a SCIM document onto `u`. `status_and_type`: whether `active` and `userType` may
/// change (PATCH and create yes; PUT no: monday.com ignores them there [3P, seed 001; INF: ignored, not refused]).
pub fn apply_user_doc(
    u: &mut User,
    mut doc: Map<String, Value>,
    status_and_type: bool,
    any_user_name: bool,
) -> Result<(), ScimError> {
    for k in SERVER_OWNED {
        unset(&mut doc, k);
    }
    let user_name = string(&doc, "userName")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ScimError::bad("invalidValue", "userName is required"))?;
    if !any_user_name && !valid_email(user_name.trim()) {
        return Err(ScimError::bad("invalidValue", format!("userName {user_name:?} must be an e-mail address")));
    }
    // monday.com keeps e-mails in lower case on both APIs (IdP guides: "monday wants emails in
    // lowercase"), so a mixed-case userName is the same person as its GraphQL e-mail. The
    // referee's random userNames are no e-mails and are kept as sent.
    u.email = if any_user_name { user_name.trim().to_string() } else { user_name.trim().to_lowercase() };
    let name_obj =
        key_of(&doc, "name").and_then(|k| doc.get(&k)).and_then(Value::as_object).cloned().unwrap_or_default();
    let part =
        |k: &str| key_of(&name_obj, k).and_then(|k| name_obj.get(&k)).and_then(Value::as_str).map(str::to_string);
    let joined = [part("givenName"), part("familyName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    u.name = string(&doc, "displayName")?
        .or(part("formatted"))
        .or((!joined.is_empty()).then_some(joined))
        .unwrap_or_else(|| u.email.split('@').next().unwrap_or_default().to_string());
    u.title = string(&doc, "title")?.unwrap_or_default();
    u.time_zone_identifier = string(&doc, "timezone")?;
    u.external_id = string(&doc, "externalId")?;
    if status_and_type {
        if let Some(t) = string(&doc, "userType")? {
            let before = u.kind;
            u.kind = match t.to_ascii_lowercase().as_str() {
                "admin" => UserKind::Admin,
                "member" => UserKind::Member,
                "viewer" => UserKind::Viewer,
                "guest" => UserKind::Guest,
                other => {
                    return Err(ScimError::bad(
                        "invalidValue",
                        format!("userType {other:?} is not one of admin, member, viewer, guest"),
                    ))
                }
            };
            // A new type drops a custom role built on the old one [INF: what monday.com does
            // is unpublished; a custom role always matches its holder's type].
            if u.kind != before {
                u.role_id = None;
            }
        }
        match key_of(&doc, "active").and_then(|k| doc.get(&k)) {
            Some(Value::Bool(false)) => u.status = UserStatus::Inactive,
            Some(Value::Bool(true)) if u.status == UserStatus::Inactive => u.status = UserStatus::Active,
            Some(Value::Bool(_)) | None | Some(Value::Null) => {}
            Some(other) => {
                return Err(ScimError::bad("invalidValue", format!("active must be true or false, got {other}")))
            }
        }
    }
    // Kept as sent, for read-back; the owned attributes above are re-derived on the way out.
    for k in ["active", "userType"] {
        unset(&mut doc, k);
    }
    u.scim_attributes = doc;
    Ok(())
}

/// A new SCIM-provisioned user.
pub fn new_user(id: u64) -> User {
    let now = chrono::Utc::now();
    User {
        id,
        name: String::new(),
        email: String::new(),
        title: String::new(),
        // monday.com's default when the IdP sends no userType [3P; INF: member].
        kind: UserKind::Member,
        status: UserStatus::Active,
        is_email_confirmed: true,
        created_at: now,
        became_active_at: Some(now),
        last_activity: None,
        time_zone_identifier: None,
        utc_hours_diff: None,
        invitation_method: InvitationMethod::Scim,
        birthday: None,
        country_code: None,
        location: None,
        phone: None,
        mobile_phone: None,
        current_language: None,
        has_photo: false,
        external_id: None,
        role_id: None,
        scim_attributes: Map::new(),
    }
}

/// The team as a SCIM group.
pub fn group_doc(world: &World, t: &Team, base: &str) -> Value {
    let members: Vec<Value> = t
        .members
        .iter()
        .filter_map(|m| world.user_pos(*m))
        .map(|p| &world.users()[p])
        .map(|u| json!({ "value": u.id.to_string(), "$ref": format!("{base}/Users/{}", u.id) }))
        .collect();
    let mut d = json!({
        "schemas": [GROUP],
        "id": t.id.to_string(),
        "displayName": t.name,
        "internalId": t.id.to_string(),
        "meta": { "resourceType": "Group", "created": t.created_at.to_rfc3339_opts(SecondsFormat::Secs, true), "location": format!("{base}/Groups/{}", t.id) },
    });
    if !members.is_empty() {
        d["members"] = Value::Array(members);
    }
    if let Some(x) = &t.external_id {
        d["externalId"] = json!(x);
    }
    d
}

/// Writes a SCIM group document onto `t`; member ids must be users of `world`.
pub fn apply_group_doc(t: &mut Team, doc: &Map<String, Value>, world: &World) -> Result<(), ScimError> {
    let name = string(doc, "displayName")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ScimError::bad("invalidValue", "displayName is required"))?;
    t.name = name.trim().to_string();
    t.external_id = string(doc, "externalId")?;
    let mut members = Vec::new();
    if let Some(list) = key_of(doc, "members").and_then(|k| doc.get(&k)) {
        let list = list.as_array().ok_or_else(|| ScimError::bad("invalidValue", "members must be a list"))?;
        for m in list {
            // The id is `value`, or the last segment of `$ref`.
            let from_ref = m.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next());
            let raw = m
                .get("value")
                .and_then(Value::as_str)
                .or(from_ref)
                .ok_or_else(|| ScimError::bad("invalidValue", format!("member {m} has no value")))?;
            let id: u64 =
                raw.parse().map_err(|_| ScimError::bad("invalidValue", format!("member {raw:?} is not a user id")))?;
            if world.user_pos(id).is_none() {
                return Err(ScimError::bad("invalidValue", format!("member {id} is not a user of this account")));
            }
            members.push(id);
        }
    }
    members.sort_unstable();
    members.dedup();
    t.owners.retain(|o| members.contains(o));
    t.members = members;
    Ok(())
}
