//! Reading rows back into records.

use chrono::{DateTime, Utc};
use roster_core::{
    AccountRecord, Entitlement, Grant, GrantSource, Principal, PrincipalType, ResourceRecord, Role, UserRecord,
    UserStatus,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::types::{SyncRun, SyncStatus};
use crate::{Result, StoreError};

pub(crate) fn time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| StoreError::Corrupt(format!("time {s:?}")))
    })
    .transpose()
}

/// Times in the snapshot tables (syncs, checkpoints, events, pending changes, users' activity)
/// are RFC 3339 text in UTC with milliseconds and a `Z`, so they sort as text and read in any
/// SQL client; the governance tables added later (jit_grants, review_*, web_sessions, plans)
/// keep epoch milliseconds (`*_ms BIGINT`), which their expiry and due-date queries compare as
/// numbers. Both stay: moving one to the other would rewrite every store already in use, and
/// each column's name says which it is (`*_ms` is milliseconds, `*_at` is text).
pub(crate) fn ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn col<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(row: &'r AnyRow, name: &str) -> Result<T> {
    row.try_get(name).map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
}

pub(crate) fn user(row: &AnyRow) -> Result<UserRecord> {
    let role: String = col(row, "role")?;
    let status: String = col(row, "status")?;
    Ok(UserRecord {
        id: col(row, "id")?,
        name: col(row, "name")?,
        email: col(row, "email")?,
        title: col(row, "title")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        status: UserStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
        is_email_confirmed: col::<i64>(row, "is_email_confirmed")? != 0,
        created_at: time(col(row, "created_at")?)?,
        became_active_at: time(col(row, "became_active_at")?)?,
        last_activity: time(col(row, "last_activity")?)?,
        time_zone: col(row, "time_zone")?,
        invitation_method: col(row, "invitation_method")?,
        kind: col(row, "kind")?,
        department: col(row, "department")?,
    })
}

pub(crate) fn resource(row: &AnyRow) -> Result<ResourceRecord> {
    let rtype: String = col(row, "rtype")?;
    Ok(ResourceRecord {
        rtype: rtype.parse().map_err(|_| StoreError::Corrupt(format!("resource type {rtype:?}")))?,
        id: col(row, "id")?,
        name: col(row, "name")?,
        parent: col(row, "parent")?,
        kind: col(row, "kind")?,
        state: col(row, "state")?,
    })
}

pub(crate) fn grant(row: &AnyRow) -> Result<Grant> {
    let rtype: String = col(row, "rtype")?;
    let ptype: String = col(row, "ptype")?;
    let source: String = col(row, "source")?;
    Ok(Grant {
        entitlement: Entitlement {
            rtype: rtype.parse().map_err(|_| StoreError::Corrupt(format!("resource type {rtype:?}")))?,
            rid: col(row, "rid")?,
            slug: col(row, "slug")?,
        },
        principal: Principal {
            ptype: match ptype.as_str() {
                "user" => PrincipalType::User,
                "team" => PrincipalType::Team,
                other => return Err(StoreError::Corrupt(format!("principal type {other:?}"))),
            },
            id: col(row, "pid")?,
        },
        source: GrantSource::parse(&source).ok_or_else(|| StoreError::Corrupt(format!("grant source {source:?}")))?,
    })
}

pub(crate) fn account(row: &AnyRow) -> Result<AccountRecord> {
    Ok(AccountRecord {
        monday_id: col(row, "monday_id")?,
        name: col(row, "name")?,
        slug: col(row, "slug")?,
        tier: col(row, "tier")?,
        plan_tier: col(row, "plan_tier")?,
        max_users: col(row, "max_users")?,
        active_members_count: col(row, "active_members_count")?,
        // Kept as JSON; a value this version cannot read is no departments, not a failed read.
        departments: col::<Option<String>>(row, "departments")?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        service_users: col::<Option<String>>(row, "service_users")?.and_then(|j| serde_json::from_str(&j).ok()),
    })
}

pub(crate) fn sync_run(row: &AnyRow) -> Result<SyncRun> {
    let status: String = col(row, "status")?;
    Ok(SyncRun {
        id: col(row, "id")?,
        account: col(row, "account")?,
        status: match status.as_str() {
            "running" => SyncStatus::Running,
            "interrupted" => SyncStatus::Interrupted,
            "completed" => SyncStatus::Completed,
            other => return Err(StoreError::Corrupt(format!("sync status {other:?}"))),
        },
        started_at: time(Some(col(row, "started_at")?))?.ok_or_else(|| StoreError::Corrupt("sync start".into()))?,
        finished_at: time(col(row, "finished_at")?)?,
        error: col(row, "error")?,
        api_version: col(row, "api_version")?,
        resumed: col(row, "resumed")?,
        requests: col(row, "requests")?,
        complexity: col(row, "complexity")?,
        pruned_at: time(col(row, "pruned_at")?)?,
    })
}
