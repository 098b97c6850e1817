//! Reading a snapshot: users with filters, resources, grants, counts, events.

use roster_core::{AccountRecord, Grant, Principal, ResourceRecord, ResourceType, UserRecord};
use sqlx::Row;

use super::rows::{self, ts};
use super::SqlStore;
use crate::types::*;
use crate::{Result, StoreError};

const USER_COLUMNS: &str = "u.id, u.name, u.email, u.title, u.role, u.status, u.is_email_confirmed, u.created_at, u.became_active_at, u.last_activity, u.time_zone, u.invitation_method";
pub(super) const GRANT_COLUMNS: &str = "rtype, rid, slug, ptype, pid, source";

/// The user filters; each is `($n IS NULL OR ...)`, so one statement serves every combination.
const USER_FILTER: &str = "u.sync_id = $1
    AND ($2 IS NULL OR u.status = $2)
    AND ($3 IS NULL OR u.role = $3)
    AND ($4 IS NULL OR EXISTS (SELECT 1 FROM grants g WHERE g.sync_id = u.sync_id AND g.rtype = 'team' AND g.slug = 'member' AND g.ptype = 'user' AND g.pid = u.id AND g.rid = $4))
    AND ($5 IS NULL OR u.last_activity IS NULL OR u.last_activity <= $5)
    AND ($6 IS NULL OR u.email_lower LIKE $6 ESCAPE '!')";

/// Binds `USER_FILTER`'s parameters $1..$6.
fn bind_filter<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    sync_id: i64,
    q: &UserQuery,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let cutoff = q.inactive_days.and_then(|(days, now)| ts(Some(now - chrono::Duration::days(days))));
    // A substring of the e-mail, as a LIKE pattern with its wildcards escaped.
    let pattern = q.email_contains.as_ref().map(|s| {
        let escaped: String = s
            .trim()
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '!' | '%' | '_' => vec!['!', c],
                c => vec![c],
            })
            .collect();
        format!("%{escaped}%")
    });
    query
        .bind(sync_id)
        .bind(q.status.map(|s| s.as_str().to_string()))
        .bind(q.role.map(|r| r.as_str().to_string()))
        .bind(q.team.clone())
        .bind(cutoff)
        .bind(pattern)
}

impl SqlStore {
    pub(super) async fn users_impl(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE {USER_FILTER}
             ORDER BY CAST(u.id AS BIGINT), u.id LIMIT $7 OFFSET $8"
        );
        // SQLite reads LIMIT -1 as "no limit"; PostgreSQL reads LIMIT NULL so.
        let limit = q.limit.map(|l| l.min(i64::MAX as u64) as i64);
        let limit = if self.postgres { limit } else { Some(limit.unwrap_or(-1)) };
        let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), sync_id, q)
            .bind(limit)
            .bind(q.offset.min(i64::MAX as u64) as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("list users"))?;
        rows.iter().map(rows::user).collect()
    }

    pub(super) async fn count_users_impl(&self, sync_id: i64, q: &UserQuery) -> Result<i64> {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM users u WHERE {USER_FILTER}");
        let row = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), sync_id, q)
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::query("count users"))?;
        row.try_get::<i64, _>(0).map_err(StoreError::query("count users"))
    }

    pub(super) async fn find_user_impl(&self, sync_id: i64, key: &str) -> Result<Option<UserRecord>> {
        let key = key.trim();
        let row = sqlx::query(sql!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sync_id = $1 AND (u.id = $2 OR u.email_lower = $3) LIMIT 1"
        ))
        .bind(sync_id)
        .bind(key)
        .bind(key.to_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("find user"))?;
        row.as_ref().map(rows::user).transpose()
    }

    pub(super) async fn resources_impl(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ResourceRecord>> {
        let rows = sqlx::query("SELECT rtype, id, name, parent, kind, state FROM resources WHERE sync_id = $1 AND rtype = $2 ORDER BY CAST(id AS BIGINT), id")
            .bind(sync_id)
            .bind(rtype.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("list resources"))?;
        rows.iter().map(rows::resource).collect()
    }

    pub(super) async fn resource_impl(
        &self,
        sync_id: i64,
        rtype: ResourceType,
        id: &str,
    ) -> Result<Option<ResourceRecord>> {
        let row = sqlx::query(
            "SELECT rtype, id, name, parent, kind, state FROM resources WHERE sync_id = $1 AND rtype = $2 AND id = $3",
        )
        .bind(sync_id)
        .bind(rtype.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("read resource"))?;
        row.as_ref().map(rows::resource).transpose()
    }

    pub(super) async fn grants_of_impl(&self, sync_id: i64, p: &Principal) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = $1 AND ptype = $2 AND pid = $3 ORDER BY rtype, CAST(rid AS BIGINT), slug, source"))
            .bind(sync_id)
            .bind(p.ptype.as_str())
            .bind(&p.id)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("grants of principal"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn grants_on_impl(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = $1 AND rtype = $2 AND rid = $3 ORDER BY slug, ptype DESC, CAST(pid AS BIGINT), source"))
            .bind(sync_id)
            .bind(rtype.as_str())
            .bind(rid)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("grants on resource"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn all_grants_impl(&self, sync_id: i64) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = $1"))
            .bind(sync_id)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("all grants"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn counts_impl(&self, sync_id: i64) -> Result<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM users WHERE sync_id = $1) AS users,
                    (SELECT COUNT(*) FROM resources WHERE sync_id = $1 AND rtype = 'team') AS teams,
                    (SELECT COUNT(*) FROM resources WHERE sync_id = $1 AND rtype = 'workspace') AS workspaces,
                    (SELECT COUNT(*) FROM resources WHERE sync_id = $1 AND rtype = 'board') AS boards,
                    (SELECT COUNT(*) FROM grants WHERE sync_id = $1) AS grants",
        )
        .bind(sync_id)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::query("count"))?;
        let n = |k: &str| row.try_get::<i64, _>(k).map_err(StoreError::query("count"));
        Ok(Counts {
            users: n("users")?,
            teams: n("teams")?,
            workspaces: n("workspaces")?,
            boards: n("boards")?,
            grants: n("grants")?,
        })
    }

    pub(super) async fn member_counts_impl(
        &self,
        sync_id: i64,
        rtype: ResourceType,
    ) -> Result<std::collections::HashMap<String, MemberCounts>> {
        let rows = sqlx::query(
            "SELECT rid,
                    SUM(CASE WHEN ptype = 'user' AND source = 'direct' AND slug <> 'owner' THEN 1 ELSE 0 END) AS members,
                    SUM(CASE WHEN ptype = 'user' AND source = 'direct' AND slug = 'owner' THEN 1 ELSE 0 END) AS owners,
                    COUNT(DISTINCT CASE WHEN ptype = 'team' THEN pid END) AS teams,
                    COUNT(DISTINCT CASE WHEN ptype = 'user' AND source <> 'direct' THEN pid END) AS via_teams
             FROM grants WHERE sync_id = $1 AND rtype = $2 GROUP BY rid",
        )
        .bind(sync_id)
        .bind(rtype.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("member counts"))?;
        rows.iter()
            .map(|r| {
                let n = |k: &str| r.try_get::<i64, _>(k).map_err(StoreError::query("member counts"));
                Ok((
                    r.try_get("rid").map_err(StoreError::query("member counts"))?,
                    MemberCounts {
                        members: n("members")?,
                        owners: n("owners")?,
                        teams: n("teams")?,
                        via_teams: n("via_teams")?,
                    },
                ))
            })
            .collect()
    }

    pub(super) async fn account_snapshot_impl(&self, sync_id: i64) -> Result<Option<AccountRecord>> {
        let row = sqlx::query("SELECT monday_id, name, slug, tier, plan_tier, max_users, active_members_count FROM account_snapshots WHERE sync_id = $1")
            .bind(sync_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read account"))?;
        row.as_ref().map(rows::account).transpose()
    }

    pub(super) async fn events_impl(&self, q: &EventQuery) -> Result<Vec<EventRow>> {
        let rows = sqlx::query(
            "SELECT id, account, sync_id, at, kind, subject, detail FROM events
             WHERE ($1 IS NULL OR account = $1)
               AND ($2 IS NULL OR substr(kind, 1, length($2)) = $2)
               AND ($3 IS NULL OR sync_id = $3)
               AND ($4 IS NULL OR id > $4)
             ORDER BY id LIMIT $5",
        )
        .bind(q.account.clone())
        .bind(q.kind_prefix.clone())
        .bind(q.sync_id)
        .bind(q.after_id)
        .bind(q.limit.unwrap_or(1000) as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list events"))?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail").map_err(StoreError::query("event"))?;
                Ok(EventRow {
                    id: r.try_get("id").map_err(StoreError::query("event"))?,
                    account: r.try_get("account").map_err(StoreError::query("event"))?,
                    sync_id: r.try_get("sync_id").map_err(StoreError::query("event"))?,
                    at: rows::time(Some(r.try_get("at").map_err(StoreError::query("event"))?))?
                        .ok_or_else(|| StoreError::Corrupt("event time".into()))?,
                    kind: r.try_get("kind").map_err(StoreError::query("event"))?,
                    subject: r.try_get("subject").map_err(StoreError::query("event"))?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::Corrupt(format!("event detail: {e}")))?,
                })
            })
            .collect()
    }
}
