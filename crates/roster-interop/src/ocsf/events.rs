//! Roster's identity-change events as OCSF events. The detail of each event is Roster's own
//! (`roster_core::events`): user events name the user and what changed, resource events the
//! resource, grant events the entitlement (subject) and the principal and source (detail).

use roster_core::EventKind;
use roster_store::EventRow;
use serde_json::{json, Value};

use super::{event, user};

/// The kinds of Roster event that are identity changes (the ones a SIEM gets as OCSF).
pub const IDENTITY_CHANGES: [EventKind; 11] = [
    EventKind::UserAdded,
    EventKind::UserRemoved,
    EventKind::UserStatusChanged,
    EventKind::UserRoleChanged,
    EventKind::UserEmailChanged,
    EventKind::UserNameChanged,
    EventKind::GrantAdded,
    EventKind::GrantRemoved,
    EventKind::ResourceAdded,
    EventKind::ResourceRemoved,
    EventKind::ResourceRenamed,
];

/// Whether events of `kind` are identity changes.
pub fn is_identity_change(kind: EventKind) -> bool {
    IDENTITY_CHANGES.contains(&kind)
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// The OCSF event for Roster event `e`, or `None` when it is not an identity change (syncs,
/// plans, reviews, ... stay in Roster's own event stream).
pub fn from_event(e: &EventRow) -> Option<Value> {
    let kind = IDENTITY_CHANGES.into_iter().find(|k| k.as_str() == e.kind)?;
    let d = &e.detail;
    let (time, uid) = (e.at.timestamp_millis(), e.id.to_string());
    let unmapped =
        json!({ "account": e.account, "roster_kind": e.kind, "subject": e.subject, "detail": d, "sync_id": e.sync_id });
    let id = e.subject.split_once(':').map(|(_, id)| id).unwrap_or(&e.subject);
    use EventKind::*;
    let out = match kind {
        UserAdded | UserRemoved | UserStatusChanged | UserRoleChanged | UserEmailChanged | UserNameChanged => {
            let (activity, what) = match kind {
                UserAdded => (1, "created".to_string()),
                UserRemoved => (6, "deleted".to_string()),
                UserStatusChanged if s(d, "to") == Some("deactivated") => (5, "disabled".to_string()),
                UserStatusChanged if s(d, "to") == Some("active") => (2, "enabled".to_string()),
                UserStatusChanged => (99, format!("status changed to {}", s(d, "to").unwrap_or("?"))),
                UserRoleChanged => {
                    (99, format!("role changed from {} to {}", s(d, "from").unwrap_or("?"), s(d, "to").unwrap_or("?")))
                }
                UserEmailChanged => (99, "e-mail changed".to_string()),
                _ => (99, "name changed".to_string()),
            };
            let email = s(d, "email").or(if kind == UserEmailChanged { s(d, "to") } else { None });
            let name = s(d, "name").or(if kind == UserNameChanged { s(d, "to") } else { None });
            let activity_name = if activity == 99 { Some(what.clone()) } else { None };
            let mut extra = json!({ "user": user(id, name, email), "unmapped": unmapped });
            if let Some(n) = activity_name {
                extra["activity_name"] = Value::from(n);
            }
            event(3001, activity, time, uid, format!("monday.com user {} {what}", email.unwrap_or(id)), extra)
        }
        ResourceAdded | ResourceRemoved | ResourceRenamed => {
            let activity = match kind {
                ResourceAdded => 1,
                ResourceRemoved => 4,
                _ => 3,
            };
            let rtype = e.subject.split(':').next().unwrap_or("resource");
            let name = s(d, "name").or(s(d, "to")).unwrap_or(id);
            let entity = json!({ "uid": id, "name": name, "type": rtype });
            let verb = ["", "created", "", "renamed", "removed"][activity as usize];
            event(
                3004,
                activity,
                time,
                uid,
                format!("{rtype} {name} {verb}"),
                json!({ "entity": entity, "unmapped": unmapped }),
            )
        }
        GrantAdded | GrantRemoved => {
            let added = kind == GrantAdded;
            let principal = s(d, "principal").unwrap_or_default();
            let (ptype, pid) = principal.split_once(':').unwrap_or(("user", principal));
            let entitlement = e.subject.as_str();
            let team_member = entitlement.strip_suffix(":member").and_then(|t| t.strip_prefix("team:"));
            match (ptype, team_member) {
                ("user", Some(team)) => {
                    let activity = if added { 3 } else { 4 };
                    let verb = if added { "added to" } else { "removed from" };
                    let extra = json!({ "group": { "uid": team, "type": "team" }, "user": user(pid, None, None), "unmapped": unmapped });
                    event(3006, activity, time, uid, format!("user {pid} {verb} team {team}"), extra)
                }
                ("team", _) => {
                    let activity = if added { 1 } else { 2 };
                    let verb = if added { "given" } else { "lost" };
                    let extra = json!({ "group": { "uid": pid, "type": "team" }, "privileges": [entitlement], "unmapped": unmapped });
                    event(3006, activity, time, uid, format!("team {pid} {verb} {entitlement}"), extra)
                }
                _ => {
                    let activity = if added { 1 } else { 2 };
                    let verb = if added { "gained" } else { "lost" };
                    let via = match s(d, "source") {
                        Some(src) if src != "direct" => format!(" (via {src})"),
                        _ => String::new(),
                    };
                    let extra =
                        json!({ "privileges": [entitlement], "user": user(pid, None, None), "unmapped": unmapped });
                    event(3005, activity, time, uid, format!("user {pid} {verb} {entitlement}{via}"), extra)
                }
            }
        }
        _ => return None,
    };
    Some(out)
}
