//! Writing pages (rows and checkpoint together), team expansion and events.

use chrono::{DateTime, Utc};
use roster_core::Event;
use sqlx::{Any, Transaction};

use super::rows::ts;
use super::SqlStore;
use crate::types::Page;
use crate::{Result, StoreError};

/// Rows per INSERT statement: one statement per row made a sync's writes a round trip per
/// row; a few hundred per statement stays far below SQLite's (32,766) and PostgreSQL's (65,535)
/// bound-parameter limits at 14 columns.
const ROWS_PER_STATEMENT: usize = 200;

/// `INSERT INTO table (cols) VALUES ($1, ..), ($n, ..) tail` for `rows` rows of `cols`.
/// On SQLite the places are anonymous `?`: for a named or numbered one (`$N`, `?N`), sqlx asks
/// SQLite each parameter's name, and SQLite finds it by walking the statement's list of names,
/// which is quadratic in a statement of thousands (half the write time was spent there).
pub(super) fn multi_insert(postgres: bool, table: &str, cols: &[&str], rows: usize, tail: &str) -> String {
    let width = cols.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let places: Vec<String> =
                (1..=width).map(|c| if postgres { format!("${}", r * width + c) } else { "?".to_string() }).collect();
            format!("({})", places.join(", "))
        })
        .collect();
    format!("INSERT INTO {table} ({}) VALUES {} {tail}", cols.join(", "), values.join(", "))
}

/// The users table's columns, from roster-core's one list (`USER_COLUMNS`, plus the sync and
/// the case-free e-mail). The values are bound below in the same order.
fn user_columns() -> Vec<&'static str> {
    ["sync_id", "id", "name", "email", "email_lower"]
        .into_iter()
        .chain(roster_core::USER_COLUMNS.into_iter().skip(3))
        .collect()
}

/// The user upsert for `rows` users.
fn user_upsert(postgres: bool, rows: usize) -> String {
    let cols = user_columns();
    let updates: Vec<String> = cols[2..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
    multi_insert(
        postgres,
        "users",
        &cols,
        rows,
        &format!("ON CONFLICT (sync_id, id) DO UPDATE SET {}", updates.join(", ")),
    )
}

/// The last row of each key, in first-seen order: one statement may not upsert a key twice
/// (PostgreSQL refuses it), and the last row is what one-row-at-a-time upserts kept.
fn last_of_each<T, K: Ord>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<&T> {
    let mut at = std::collections::BTreeMap::new();
    let mut out: Vec<&T> = Vec::with_capacity(rows.len());
    for r in rows {
        match at.get(&key(r)) {
            Some(&i) => out[i] = r,
            None => {
                at.insert(key(r), out.len());
                out.push(r);
            }
        }
    }
    out
}

pub(crate) async fn insert_events(
    tx: &mut Transaction<'_, Any>,
    account: &str,
    sync_id: Option<i64>,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<()> {
    for e in events {
        sqlx::query("INSERT INTO events (account, sync_id, at, kind, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(account)
            .bind(sync_id)
            .bind(ts(Some(now)))
            .bind(e.kind.as_str())
            .bind(&e.subject)
            .bind(e.detail.to_string())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("insert event"))?;
    }
    Ok(())
}

impl SqlStore {
    pub(super) async fn write_page_impl(&self, sync_id: i64, page: &Page) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        if let Some(a) = &page.account {
            sqlx::query(
                "INSERT INTO account_snapshots (sync_id, monday_id, name, slug, tier, plan_tier, max_users, active_members_count)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (sync_id) DO UPDATE SET monday_id = excluded.monday_id, name = excluded.name, slug = excluded.slug,
                   tier = excluded.tier, plan_tier = excluded.plan_tier, max_users = excluded.max_users,
                   active_members_count = excluded.active_members_count",
            )
            .bind(sync_id)
            .bind(&a.monday_id)
            .bind(&a.name)
            .bind(&a.slug)
            .bind(&a.tier)
            .bind(&a.plan_tier)
            .bind(a.max_users)
            .bind(a.active_members_count)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("write account"))?;
        }
        // Upserts: a resumed page may repeat rows the interrupted run had written.
        let users = last_of_each(&page.users, |u| u.id.clone());
        for chunk in users.chunks(ROWS_PER_STATEMENT) {
            let sql = user_upsert(self.postgres, chunk.len());
            let mut q = sqlx::query(sql!("{sql}"));
            for u in chunk {
                q = q
                    .bind(sync_id)
                    .bind(&u.id)
                    .bind(&u.name)
                    .bind(&u.email)
                    .bind(u.email.trim().to_lowercase())
                    .bind(&u.title)
                    .bind(u.role.as_str())
                    .bind(u.status.as_str())
                    .bind(u.is_email_confirmed as i64)
                    .bind(ts(u.created_at))
                    .bind(ts(u.became_active_at))
                    .bind(ts(u.last_activity))
                    .bind(&u.time_zone)
                    .bind(&u.invitation_method);
            }
            q.execute(&mut *tx).await.map_err(StoreError::query("write users"))?;
        }
        let resources = last_of_each(&page.resources, |r| (r.rtype, r.id.clone()));
        for chunk in resources.chunks(ROWS_PER_STATEMENT) {
            let sql = multi_insert(
                self.postgres,
                "resources",
                &["sync_id", "rtype", "id", "name", "parent", "kind", "state"],
                chunk.len(),
                "ON CONFLICT (sync_id, rtype, id) DO UPDATE SET name = excluded.name, parent = excluded.parent, kind = excluded.kind, state = excluded.state",
            );
            let mut q = sqlx::query(sql!("{sql}"));
            for r in chunk {
                q = q
                    .bind(sync_id)
                    .bind(r.rtype.as_str())
                    .bind(&r.id)
                    .bind(&r.name)
                    .bind(&r.parent)
                    .bind(&r.kind)
                    .bind(&r.state);
            }
            q.execute(&mut *tx).await.map_err(StoreError::query("write resources"))?;
        }
        for chunk in page.grants.chunks(ROWS_PER_STATEMENT) {
            let sql = multi_insert(
                self.postgres,
                "grants",
                &["sync_id", "rtype", "rid", "slug", "ptype", "pid", "source"],
                chunk.len(),
                "ON CONFLICT DO NOTHING",
            );
            let mut q = sqlx::query(sql!("{sql}"));
            for g in chunk {
                q = q
                    .bind(sync_id)
                    .bind(g.entitlement.rtype.as_str())
                    .bind(&g.entitlement.rid)
                    .bind(&g.entitlement.slug)
                    .bind(g.principal.ptype.as_str())
                    .bind(&g.principal.id)
                    .bind(g.source.as_string());
            }
            q.execute(&mut *tx).await.map_err(StoreError::query("write grants"))?;
        }
        sqlx::query(
            "INSERT INTO sync_progress (sync_id, part, next_offset, pages, done) VALUES ($1, $2, $3, 1, $4)
             ON CONFLICT (sync_id, part) DO UPDATE SET next_offset = excluded.next_offset, pages = sync_progress.pages + 1, done = excluded.done",
        )
        .bind(sync_id)
        .bind(&page.part)
        .bind(page.next_offset as i64)
        .bind(page.done as i64)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("write checkpoint"))?;
        tx.commit().await.map_err(StoreError::query("commit page"))
    }

    pub(super) async fn expand_team_grants_impl(&self, sync_id: i64) -> Result<u64> {
        // A team's grant on a board or workspace reaches each member of the team; the grant
        // keeps the team as its source. Team -1 ("everyone") has no member rows and stays a
        // team grant.
        let done = sqlx::query(
            "INSERT INTO grants (sync_id, rtype, rid, slug, ptype, pid, source)
             SELECT g.sync_id, g.rtype, g.rid, g.slug, 'user', m.pid, 'team:' || g.pid
             FROM grants g
             JOIN grants m ON m.sync_id = g.sync_id AND m.rtype = 'team' AND m.rid = g.pid AND m.slug = 'member' AND m.ptype = 'user'
             WHERE g.sync_id = $1 AND g.ptype = 'team' AND g.rtype IN ('board', 'workspace') AND g.source = 'direct'
             ON CONFLICT DO NOTHING",
        )
        .bind(sync_id)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("expand team grants"))?;
        Ok(done.rows_affected())
    }
}
