//! monday.com's audit log entries as OCSF events: logins, logouts and failed logins as
//! Authentication (3002) with where they came from; the admin changes monday.com logs as
//! Account Change (3001) or Group Management (3006), with the admin as `actor`. An event name
//! Roster does not know is kept as Account Change "Other" (99), its name in `activity_name`.

use roster_store::AuditLogRow;
use serde_json::{json, Value};

use super::{event, user};

/// The OCSF event for audit log entry `r`.
pub fn from_audit_entry(r: &AuditLogRow) -> Value {
    let meta: Value = r.metadata.as_deref().and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Value::Null);
    let uid = format!("monday-audit:{}", r.id);
    let who = r.user_id.clone().unwrap_or_else(|| "unknown".into());
    let unmapped = json!({
        "account": r.account,
        "monday_event": r.event,
        "activity_metadata": meta,
        "client_name": r.client_name,
        "os_name": r.os_name,
        "device_type": r.device_type,
    });
    let src = r.ip.as_ref().map(|ip| json!({ "ip": ip }));
    let http = r.user_agent.as_ref().map(|ua| json!({ "user_agent": ua }));
    let target = |k: &str| meta.get(k).and_then(Value::as_str).map(str::to_string);
    let actor = json!({ "user": user(&who, None, None) });
    // Where it came from: `src_endpoint` and `http_request` where the class has them
    // (Authentication, Account Change); under `unmapped` in Group Management, which has not.
    let origin_unmapped = |mut extra: Value| {
        extra["unmapped"]["ip"] = json!(r.ip);
        extra["unmapped"]["user_agent"] = json!(r.user_agent);
        extra["unmapped"]["actor_user_id"] = json!(who);
        extra
    };
    let with_origin = |mut extra: Value| {
        if let Some(s) = &src {
            extra["src_endpoint"] = s.clone();
        }
        if let Some(h) = &http {
            extra["http_request"] = h.clone();
        }
        extra
    };
    match r.event.as_str() {
        "login" | "logout" | "failed-login" => {
            let (activity, ok) = match r.event.as_str() {
                "logout" => (2, true),
                "failed-login" => (1, false),
                _ => (1, true),
            };
            // Authentication names the service logged into.
            let service = json!({ "name": "monday.com", "uid": r.account });
            let mut extra =
                with_origin(json!({ "user": user(&who, None, None), "service": service, "unmapped": unmapped }));
            extra["status_id"] = Value::from(if ok { 1 } else { 2 });
            extra["status"] = Value::from(if ok { "Success" } else { "Failure" });
            if let Some(reason) = target("reason") {
                extra["status_detail"] = Value::from(reason);
            }
            let what = match r.event.as_str() {
                "logout" => "logged out",
                "failed-login" => "failed to log in",
                _ => "logged in",
            };
            event(3002, activity, r.at_ms, uid, format!("user {who} {what} (monday.com)"), extra)
        }
        "add-user-to-team" | "remove-user-from-team" | "create-team" | "delete-team" => {
            let activity = match r.event.as_str() {
                "add-user-to-team" => 3,
                "remove-user-from-team" => 4,
                "create-team" => 6,
                _ => 5,
            };
            let team = target("team_id").unwrap_or_else(|| "unknown".into());
            let mut group = json!({ "uid": team, "type": "team" });
            if let Some(n) = target("team_name") {
                group["name"] = Value::from(n);
            }
            let mut extra = origin_unmapped(json!({ "group": group, "unmapped": unmapped }));
            match target("user_id") {
                Some(u) => extra["user"] = user(&u, None, None),
                // A team created or deleted: no user, and no privilege moves (Group Management
                // wants one of the two named).
                None => extra["privileges"] = json!([]),
            }
            event(3006, activity, r.at_ms, uid, format!("monday.com {} by user {who}", r.event), extra)
        }
        other => {
            let activity = match other {
                "user-invite" => 1,
                "user-deactivated" => 5,
                "user-reactivated" => 2,
                _ => 99,
            };
            let subject = target("user_id");
            let email = target("email");
            let target_user =
                user(subject.as_deref().unwrap_or(email.as_deref().unwrap_or("unknown")), None, email.as_deref());
            let mut extra = with_origin(json!({ "user": target_user, "actor": actor, "unmapped": unmapped }));
            if activity == 99 {
                extra["activity_name"] = Value::from(other);
            }
            event(3001, activity, r.at_ms, uid, format!("monday.com {other} by user {who}"), extra)
        }
    }
}
