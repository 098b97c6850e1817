//! A store written before delta storage (one copy of every row per snapshot) reads the same
//! after migration 0017, and syncs on from there.

use std::borrow::Cow;

use chrono::Utc;
use sqlx::any::AnyPoolOptions;
use sqlx::Executor;

use super::{SqlStore, SQLITE};
use crate::prelude::*;
use crate::{Page, SyncStats, UserQuery};

/// The old schema's rows: two snapshots of "acme" (3 differs from 1), one of "beta" between
/// them, and an interrupted acme sync with rows and a checkpoint.
const OLD_ROWS: &str = "
INSERT INTO accounts VALUES ('acme', '2026-01-01T00:00:00.000Z'), ('beta', '2026-01-01T00:00:00.000Z');
INSERT INTO syncs (id, account, status, started_at, api_version) VALUES
  (1, 'acme', 'completed', '2026-01-01T00:00:00.000Z', '2026-10'),
  (2, 'beta', 'completed', '2026-01-01T00:00:00.000Z', '2026-10'),
  (3, 'acme', 'completed', '2026-01-02T00:00:00.000Z', '2026-10'),
  (4, 'acme', 'interrupted', '2026-01-03T00:00:00.000Z', '2026-10');
INSERT INTO users (sync_id, id, name, email, email_lower, title, role, status, is_email_confirmed) VALUES
  (1, '1', 'Ana', 'ana@x.com', 'ana@x.com', '', 'admin', 'active', 1),
  (1, '2', 'Bo', 'bo@x.com', 'bo@x.com', '', 'member', 'active', 1),
  (2, '9', 'Bea', 'bea@y.com', 'bea@y.com', '', 'admin', 'active', 1),
  (3, '1', 'Ana Silva', 'ana@x.com', 'ana@x.com', '', 'admin', 'active', 1),
  (3, '3', 'Cy', 'cy@x.com', 'cy@x.com', '', 'viewer', 'active', 1),
  (4, '4', 'Di', 'di@x.com', 'di@x.com', '', 'member', 'active', 1);
INSERT INTO resources (sync_id, rtype, id, name) VALUES (1, 'board', '10', 'Payroll'), (3, 'board', '10', 'Payroll');
INSERT INTO grants (sync_id, rtype, rid, slug, ptype, pid, source) VALUES
  (1, 'board', '10', 'subscriber', 'user', '1', 'direct'),
  (1, 'board', '10', 'subscriber', 'user', '2', 'direct'),
  (3, 'board', '10', 'subscriber', 'user', '1', 'direct'),
  (3, 'board', '10', 'owner', 'user', '3', 'direct'),
  (4, 'board', '10', 'owner', 'user', '4', 'direct');
INSERT INTO sync_progress (sync_id, part, next_offset, pages, done) VALUES (4, 'users', 1, 1, 0);
";

/// The SQLite migrations before `version`.
fn migrated_before(version: i64) -> sqlx::migrate::Migrator {
    sqlx::migrate::Migrator {
        migrations: Cow::Owned(SQLITE.migrations.iter().filter(|m| m.version < version).cloned().collect()),
        ignore_missing: SQLITE.ignore_missing,
        locking: SQLITE.locking,
        no_tx: SQLITE.no_tx,
        table_name: SQLITE.table_name.clone(),
        create_schemas: SQLITE.create_schemas.clone(),
    }
}

async fn names(store: &SqlStore, sync: i64) -> Vec<String> {
    store.users(sync, &UserQuery::default()).await.unwrap().into_iter().map(|u| u.name).collect()
}

async fn grants(store: &SqlStore, sync: i64) -> Vec<String> {
    let mut out: Vec<String> =
        store.all_grants(sync).await.unwrap().iter().map(|g| format!("{}|{}", g.entitlement, g.principal)).collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_store_from_before_delta_storage_reads_the_same_after_it() {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new().max_connections(1).connect("sqlite::memory:").await.unwrap();
    migrated_before(17).run(&pool).await.unwrap();
    pool.execute(OLD_ROWS).await.unwrap();
    SQLITE.run(&pool).await.unwrap();
    let store = SqlStore { page_reads: pool.clone(), pool, postgres: false, _memory_anchor: None };

    assert_eq!(names(&store, 1).await, ["Ana", "Bo"]);
    assert_eq!(names(&store, 2).await, ["Bea"]);
    assert_eq!(names(&store, 3).await, ["Ana Silva", "Cy"]);
    assert_eq!(grants(&store, 1).await, ["board:10:subscriber|user:1", "board:10:subscriber|user:2"]);
    assert_eq!(grants(&store, 3).await, ["board:10:owner|user:3", "board:10:subscriber|user:1"]);
    let changed: Vec<String> =
        store.changed_users(1, 3).await.unwrap().into_iter().map(|(a, b)| a.or(b).unwrap().id).collect();
    assert_eq!(changed, ["1", "2", "3"]);
    assert_eq!(store.counts(3).await.unwrap().boards, 1);

    // The interrupted sync lost its rows and checkpoint: resumed, it reads every part again.
    let run = store.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
    assert_eq!(run.id, 4);
    assert!(store.progress(4).await.unwrap().is_empty());
    let mut now = store.users(3, &UserQuery::default()).await.unwrap();
    let page = |users| Page { part: "users".into(), users, next_offset: 2, done: true, ..Page::default() };
    store.write_page(4, &page(now.clone())).await.unwrap();
    store.finish_snapshot(4).await.unwrap();
    store.complete_sync(4, SyncStats::default(), &[], Utc::now()).await.unwrap();
    assert_eq!(names(&store, 4).await, ["Ana Silva", "Cy"]);
    assert_eq!(names(&store, 3).await, ["Ana Silva", "Cy"]);
    // The board and its grants were not in this sync's pages: gone from 4, kept in 3.
    assert!(grants(&store, 4).await.is_empty());
    assert_eq!(grants(&store, 3).await.len(), 2);

    // Moved rows have no digest and are written once more; after that, nothing.
    now.truncate(2);
    let run = store.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
    store.write_page(run.id, &page(now)).await.unwrap();
    store.finish_snapshot(run.id).await.unwrap();
    store.complete_sync(run.id, SyncStats::default(), &[], Utc::now()).await.unwrap();
    assert_eq!(store.sync_changes(run.id).await.unwrap(), crate::RowChanges { added: 0, removed: 0 });
}

/// A memory store keeps its database when the pool closes its one connection (it does so when
/// a query is cancelled: a failing sync drops the parts still writing).
#[tokio::test]
async fn a_memory_store_outlives_its_connection() {
    let store = SqlStore::in_memory().await.unwrap();
    store.pool.acquire().await.unwrap().close().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leases").fetch_one(&store.pool).await.unwrap();
    assert_eq!(n, 0);
}

/// A sync begun before pages wrote access through teams (migration 0026), its pages written by
/// then, and resumed after the upgrade: its finish writes the access their team grants and
/// memberships bring, as the finish did before.
#[tokio::test]
async fn a_sync_begun_before_pages_wrote_team_access_finishes_with_it() {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new().max_connections(1).connect("sqlite::memory:").await.unwrap();
    migrated_before(26).run(&pool).await.unwrap();
    pool.execute(
        "INSERT INTO accounts VALUES ('acme', '2026-01-01T00:00:00.000Z');
         INSERT INTO syncs (id, account, status, started_at, api_version)
           VALUES (1, 'acme', 'interrupted', '2026-01-01T00:00:00.000Z', '2026-10');
         INSERT INTO grants (account, from_sync, rtype, rid, slug, ptype, pid, source) VALUES
           ('acme', 1, 'team', '5', 'member', 'user', '1', 'direct'),
           ('acme', 1, 'team', '5', 'member', 'user', '2', 'direct'),
           ('acme', 1, 'board', '10', 'subscriber', 'team', '5', 'direct');",
    )
    .await
    .unwrap();
    SQLITE.run(&pool).await.unwrap();
    let store = SqlStore { page_reads: pool.clone(), pool, postgres: false, _memory_anchor: None };
    let run = store.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
    assert_eq!(run.id, 1, "the interrupted sync is resumed");
    store.finish_snapshot(1).await.unwrap();
    store.complete_sync(1, SyncStats::default(), &[], Utc::now()).await.unwrap();
    let through: Vec<String> = store
        .all_grants(1)
        .await
        .unwrap()
        .iter()
        .filter(|g| g.source != roster_core::GrantSource::Direct)
        .map(|g| format!("{}|{}|{}", g.entitlement, g.principal, g.source.as_string()))
        .collect();
    assert_eq!(through, ["board:10:subscriber|user:1|team:5", "board:10:subscriber|user:2|team:5"]);
}
