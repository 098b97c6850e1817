//! Reading a snapshot: users with filters, resources, grants, counts, events.

use roster_core::{AccountRecord, Grant, Principal, ResourceRecord, ResourceType, UserRecord};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::rows::{self, ts};
use super::SqliteStore;
use crate::types::*;
use crate::{Result, StoreError};

const USER_COLUMNS: &str = "u.id, u.name, u.email, u.title, u.role, u.status, u.is_email_confirmed, u.created_at, u.became_active_at, u.last_activity, u.time_zone, u.invitation_method";
pub(super) const GRANT_COLUMNS: &str = "rtype, rid, slug, ptype, pid, source";

impl SqliteStore {
    pub(super) async fn users_impl(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>> {
        let mut b: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.sync_id = "));
        b.push_bind(sync_id);
        if let Some(s) = q.status {
            b.push(" AND u.status = ").push_bind(s.as_str());
        }
        if let Some(r) = q.role {
            b.push(" AND u.role = ").push_bind(r.as_str());
        }
        if let Some(team) = &q.team {
            b.push(" AND EXISTS (SELECT 1 FROM grants g WHERE g.sync_id = u.sync_id AND g.rtype = 'team' AND g.slug = 'member' AND g.ptype = 'user' AND g.pid = u.id AND g.rid = ")
                .push_bind(team.clone())
                .push(")");
        }
        if let Some((days, now)) = q.inactive_days {
            let cutoff = now - chrono::Duration::days(days);
            b.push(" AND (u.last_activity IS NULL OR u.last_activity <= ").push_bind(ts(Some(cutoff))).push(")");
        }
        if let Some(s) = &q.email_contains {
            b.push(" AND instr(u.email_lower, ").push_bind(s.trim().to_lowercase()).push(") > 0");
        }
        b.push(" ORDER BY CAST(u.id AS INTEGER), u.id");
        let rows = b.build().fetch_all(&self.pool).await.map_err(StoreError::query("list users"))?;
        rows.iter().map(rows::user).collect()
    }

    pub(super) async fn find_user_impl(&self, sync_id: i64, key: &str) -> Result<Option<UserRecord>> {
        let key = key.trim();
        let row = sqlx::query(sql!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sync_id = ? AND (u.id = ? OR u.email_lower = ?) LIMIT 1"
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
        let rows = sqlx::query("SELECT rtype, id, name, parent, kind, state FROM resources WHERE sync_id = ? AND rtype = ? ORDER BY CAST(id AS INTEGER), id")
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
            "SELECT rtype, id, name, parent, kind, state FROM resources WHERE sync_id = ? AND rtype = ? AND id = ?",
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
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = ? AND ptype = ? AND pid = ? ORDER BY rtype, CAST(rid AS INTEGER), slug, source"))
            .bind(sync_id)
            .bind(p.ptype.as_str())
            .bind(&p.id)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("grants of principal"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn grants_on_impl(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = ? AND rtype = ? AND rid = ? ORDER BY slug, ptype DESC, CAST(pid AS INTEGER), source"))
            .bind(sync_id)
            .bind(rtype.as_str())
            .bind(rid)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("grants on resource"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn all_grants_impl(&self, sync_id: i64) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = ?"))
            .bind(sync_id)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("all grants"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn counts_impl(&self, sync_id: i64) -> Result<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM users WHERE sync_id = ?1) AS users,
                    (SELECT COUNT(*) FROM resources WHERE sync_id = ?1 AND rtype = 'team') AS teams,
                    (SELECT COUNT(*) FROM resources WHERE sync_id = ?1 AND rtype = 'workspace') AS workspaces,
                    (SELECT COUNT(*) FROM resources WHERE sync_id = ?1 AND rtype = 'board') AS boards,
                    (SELECT COUNT(*) FROM grants WHERE sync_id = ?1) AS grants",
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
             FROM grants WHERE sync_id = ? AND rtype = ? GROUP BY rid",
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
        let row = sqlx::query("SELECT monday_id, name, slug, tier, plan_tier, max_users, active_members_count FROM account_snapshots WHERE sync_id = ?")
            .bind(sync_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read account"))?;
        row.as_ref().map(rows::account).transpose()
    }

    pub(super) async fn events_impl(&self, q: &EventQuery) -> Result<Vec<EventRow>> {
        let mut b: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT id, account, sync_id, at, kind, subject, detail FROM events WHERE 1 = 1");
        if let Some(a) = &q.account {
            b.push(" AND account = ").push_bind(a.clone());
        }
        if let Some(k) = &q.kind_prefix {
            b.push(" AND substr(kind, 1, length(").push_bind(k.clone()).push(")) = ").push_bind(k.clone());
        }
        if let Some(s) = q.sync_id {
            b.push(" AND sync_id = ").push_bind(s);
        }
        if let Some(after) = q.after_id {
            b.push(" AND id > ").push_bind(after);
        }
        b.push(" ORDER BY id LIMIT ").push_bind(q.limit.unwrap_or(1000) as i64);
        let rows = b.build().fetch_all(&self.pool).await.map_err(StoreError::query("list events"))?;
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
