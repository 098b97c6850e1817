//! OCSF 1.1 events for a SIEM (AWS Security Lake validates 1.1; Splunk and Datadog read it):
//! Roster's identity-change events and the monday.com audit log entries it reads, each as one
//! event of the Identity & Access Management category (3):
//!
//! | class | from |
//! |---|---|
//! | 3001 Account Change | users added, removed, enabled, disabled, role, e-mail or name changed; audit log `user-invite`, `user-deactivated`, `user-reactivated`, `user-role-change` |
//! | 3002 Authentication | audit log `login`, `logout`, `failed-login` |
//! | 3004 Entity Management | teams, workspaces and boards added, removed, renamed |
//! | 3005 User Access Management | board, workspace, role and team-ownership access of a user assigned or revoked |
//! | 3006 Group Management | team members added or removed; access given to or taken from a team; audit log team events |
//!
//! Every event has the fields 1.1 requires (`activity_id`, `category_uid`, `class_uid`,
//! `type_uid` = class × 100 + activity, `severity_id`, `time`, `metadata.product`,
//! `metadata.version`, `cloud.provider` for the cloud profile Security Lake applies), its Roster
//! id as `metadata.uid`, and what has no OCSF place under `unmapped`.

mod audit;
mod events;
#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(not(feature = "parquet"))]
#[path = "parquet_off.rs"]
pub mod parquet;

use serde_json::{json, Map, Value};

pub use audit::from_audit_entry;
pub use events::{from_event, is_identity_change, IDENTITY_CHANGES};

/// The OCSF version the events follow.
pub const OCSF_VERSION: &str = "1.1.0";

/// The classes Roster emits.
pub const CLASSES: [u32; 5] = [3001, 3002, 3004, 3005, 3006];

#[cfg(test)]
mod tests {
    #[test]
    fn ocsf_emails() {
        assert!(super::is_ocsf_email("ana.silva+x@acme-example.com"));
        for bad in ["d'arcy@acme.com", "no-at.example.com", "a@nodot", "@acme.com", "a@.com"] {
            assert!(!super::is_ocsf_email(bad), "{bad}");
        }
    }
}

/// The parts every event shares, `extra` merged in.
pub(crate) fn event(
    class_uid: u32,
    activity_id: u32,
    time_ms: i64,
    uid: String,
    message: String,
    extra: Value,
) -> Value {
    let mut e = json!({
        "category_uid": 3,
        "category_name": "Identity & Access Management",
        "class_uid": class_uid,
        "class_name": class_name(class_uid),
        "activity_id": activity_id,
        "type_uid": u64::from(class_uid) * 100 + u64::from(activity_id),
        "severity_id": 1,
        "severity": "Informational",
        "time": time_ms,
        "message": message,
        "cloud": { "provider": "monday.com" },
        "metadata": {
            "version": OCSF_VERSION,
            "uid": uid,
            "product": { "name": "Roster", "vendor_name": "Roster", "version": env!("CARGO_PKG_VERSION") },
        },
    });
    if let (Some(base), Value::Object(more)) = (e.as_object_mut(), extra) {
        for (k, v) in more {
            base.insert(k, v);
        }
    }
    e
}

fn class_name(class_uid: u32) -> &'static str {
    match class_uid {
        3001 => "Account Change",
        3002 => "Authentication",
        3004 => "Entity Management",
        3005 => "User Access Management",
        _ => "Group Management",
    }
}

/// An OCSF `user` object: a monday.com user by id, with what is known of them.
pub(crate) fn user(id: &str, name: Option<&str>, email: Option<&str>) -> Value {
    let mut u = Map::new();
    u.insert("uid".into(), Value::from(id));
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        u.insert("name".into(), Value::from(n));
    }
    if let Some(e) = email.filter(|e| !e.is_empty()) {
        // OCSF's `email_t` is narrower than what e-mail allows (no apostrophe, for one): an
        // address it would refuse goes to the user's `account` name instead, so the event
        // stays valid and the address is still there.
        if is_ocsf_email(e) {
            u.insert("email_addr".into(), Value::from(e));
        } else {
            u.insert("account".into(), json!({ "name": e, "type": "Other" }));
        }
    }
    Value::Object(u)
}

/// Whether `e` matches OCSF's `email_t` (`^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$`).
pub(crate) fn is_ocsf_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    let Some((first, rest)) = domain.split_once('.') else { return false };
    let ok = |s: &str, extra: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    ok(local, "_.+-") && ok(first, "-") && ok(rest, "-.")
}

/// A run of OCSF events read from the store, with the cursors after it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The events, Roster's first (in id order), then the audit log's (in id order).
    pub events: Vec<Value>,
    /// The last Roster event id read (identity change or not).
    pub last_event: i64,
    /// The last audit log entry id read.
    pub last_audit: i64,
}

/// Up to `limit` Roster events of `account` after id `after_event` and up to `limit` audit log
/// entries after id `after_audit`, as OCSF events. Events that are not identity changes are
/// passed over (the cursor still moves past them).
pub async fn batch(
    store: &dyn roster_store::Store,
    account: &str,
    after_event: i64,
    after_audit: i64,
    limit: u32,
) -> Result<Batch, roster_store::StoreError> {
    batch_before(store, account, after_event, after_audit, limit, None).await
}

/// The same, each of the two lists stopping before its first entry at or after `before_ms`
/// (when given): what a file of days that are over may hold.
pub async fn batch_before(
    store: &dyn roster_store::Store,
    account: &str,
    after_event: i64,
    after_audit: i64,
    limit: u32,
    before_ms: Option<i64>,
) -> Result<Batch, roster_store::StoreError> {
    let q = roster_store::EventQuery {
        account: Some(account.to_string()),
        after_id: Some(after_event),
        limit: Some(limit),
        ..roster_store::EventQuery::default()
    };
    let mut rows = store.events(&q).await?;
    let mut audit = store.audit_entries_after(account, after_audit, limit).await?;
    if let Some(before) = before_ms {
        if let Some(cut) = rows.iter().position(|r| r.at.timestamp_millis() >= before) {
            rows.truncate(cut);
        }
        if let Some(cut) = audit.iter().position(|r| r.at_ms >= before) {
            audit.truncate(cut);
        }
    }
    let last_event = rows.last().map_or(after_event, |r| r.id);
    let mut events: Vec<Value> = rows.iter().filter_map(from_event).collect();
    let last_audit = audit.last().map_or(after_audit, |r| r.id);
    events.extend(audit.iter().map(from_audit_entry));
    Ok(Batch { events, last_event, last_audit })
}
