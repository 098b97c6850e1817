//! Writing pages (rows and checkpoint together), team expansion and events.

use chrono::{DateTime, Utc};
use roster_core::Event;
use sqlx::{Any, Transaction};

use super::rows::ts;
use super::{delta, team_access, SqlStore};
use crate::types::Page;
use crate::{Result, StoreError};

/// Rows per INSERT statement: one statement per row made a sync's writes a round trip per
/// row; a few hundred per statement stays far below SQLite's (32,766) and PostgreSQL's (65,535)
/// bound-parameter limits at 14 columns.
pub(super) const ROWS_PER_STATEMENT: usize = 200;

/// Whether a statement written for `rows` values is kept prepared for the next one: only a
/// full statement's worth recurs. Each connection keeps up to 100 prepared statements, and a
/// sync's remainders (any length from 1 to 199, per table and per page) filled every cache with
/// large ones used once: 15 MB of SQLite's memory at a 100k sync's peak.
pub(super) fn reused(rows: usize) -> bool {
    rows == ROWS_PER_STATEMENT
}

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
        let account = self.account_of(sync_id).await?;
        let mut tx = self.begin_write().await?;
        if let Some(a) = &page.account {
            sqlx::query(
                "INSERT INTO account_snapshots (sync_id, monday_id, name, slug, tier, plan_tier, max_users, active_members_count, departments, service_users)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (sync_id) DO UPDATE SET monday_id = excluded.monday_id, name = excluded.name, slug = excluded.slug,
                   tier = excluded.tier, plan_tier = excluded.plan_tier, max_users = excluded.max_users,
                   active_members_count = excluded.active_members_count, departments = excluded.departments,
                   service_users = excluded.service_users",
            )
            .bind(sync_id)
            .bind(&a.monday_id)
            .bind(&a.name)
            .bind(&a.slug)
            .bind(&a.tier)
            .bind(&a.plan_tier)
            .bind(a.max_users)
            .bind(a.active_members_count)
            .bind((!a.departments.is_empty()).then(|| serde_json::to_string(&a.departments).unwrap_or_default()))
            .bind(a.service_users.as_ref().map(|s| serde_json::to_string(s).unwrap_or_default()))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("write account"))?;
        }
        // Only what changed is written: a row equal to the one that holds is left as it is,
        // and a resumed page that repeats rows the interrupted run wrote finds them holding.
        let mut seen = Vec::new();
        let users = last_of_each(&page.users, |u| u.id.clone());
        delta::write_users(&mut tx, self.postgres, &account, sync_id, &users, &mut seen).await?;
        let resources = last_of_each(&page.resources, |r| (r.rtype, r.id.clone()));
        delta::write_resources(&mut tx, self.postgres, &account, sync_id, &resources, &mut seen).await?;
        let new = delta::write_grants(&mut tx, self.postgres, &account, sync_id, &page.grants, &mut seen).await?;
        if new > 0 {
            // PostgreSQL writes each page's rows through teams as it comes: at 100,000 users one
            // statement for all of them at the finish took 68 s, and the sync 125 s against
            // 110 s (SQLite's single writer is the sync's bottleneck: there the finish wins).
            let defer = page.defer_team_access && !self.postgres;
            team_access::add_for_page(&mut tx, self.postgres, &account, sync_id, &page.grants, defer).await?;
        }
        if !seen.is_empty() {
            sqlx::query("INSERT INTO sync_seen (sync_id, keys) VALUES ($1, $2)")
                .bind(sync_id)
                .bind(seen)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("record what a page saw"))?;
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
}
