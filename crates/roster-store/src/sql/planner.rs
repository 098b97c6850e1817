//! SQLite's query planner, told the shape of the snapshot tables.
//!
//! Without statistics SQLite guesses how selective each index is, and with delta storage
//! (several row versions and more indexes) it guessed wrong: a covering index on the account
//! alone beat the index that finds a resource's grants, and expanding team access scanned every
//! user grant per team member (27 s instead of 0.2 s at 10,000 users). `ANALYZE` on an empty
//! or small store teaches it nothing useful, and the plans would change as the data grows. So
//! the store writes fixed statistics for a large account (100,000 users, a million grants,
//! ten snapshots of history) when it opens: the plans are the ones chosen for that shape, the
//! same on every machine and at every size (SQLite's planner is stable for given statistics).

use sqlx::{AnyPool, Executor};

use crate::{Result, StoreError};

/// `sqlite_stat1` rows: table, index (None for the table) and the statistic ("rows, then rows
/// per distinct prefix of the index's columns").
const STATS: &[(&str, Option<&str>, &str)] = &[
    ("users", None, "100000"),
    ("users", Some("sqlite_autoindex_users_1"), "100000 100000 2 1"),
    ("users", Some("users_open"), "100000 100000 1"),
    ("users", Some("users_in_order"), "100000 100000 2 2"),
    ("users", Some("users_by_email"), "100000 100000 2"),
    ("users", Some("users_added"), "100000 100000 10000"),
    ("users", Some("users_removed"), "10000 10000 1000"),
    ("resources", None, "30000"),
    ("resources", Some("sqlite_autoindex_resources_1"), "30000 30000 5000 2 1"),
    ("resources", Some("resources_open"), "30000 30000 5000 1"),
    ("resources", Some("resources_added"), "30000 30000 3000"),
    ("resources", Some("resources_removed"), "3000 3000 300"),
    ("grants", None, "1000000"),
    ("grants", Some("sqlite_autoindex_grants_1"), "1000000 1000000 200000 20 10 10 2 2 1"),
    ("grants", Some("grants_open"), "1000000 1000000 200000 20 10 10 1 1"),
    ("grants", Some("grants_by_principal"), "1000000 1000000 500000 20 10 2 2 2 1 1"),
    ("grants", Some("grants_added"), "1000000 1000000 100000"),
    ("grants", Some("grants_removed"), "100000 100000 10000"),
    ("grants", Some("grants_derived_open"), "200000 200000 1000"),
];

/// Writes [`STATS`] (replacing what an `ANALYZE` left for these tables) and has the planner
/// read them.
pub(super) async fn pin_sqlite_stats(pool: &AnyPool) -> Result<()> {
    let mut conn = pool.acquire().await.map_err(StoreError::query("open the store"))?;
    // ANALYZE of the schema table creates sqlite_stat1 when it is missing, and is cheap.
    conn.execute("ANALYZE sqlite_schema").await.map_err(StoreError::query("prepare planner statistics"))?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(StoreError::query("begin"))?;
    sqlx::query("DELETE FROM sqlite_stat1 WHERE tbl IN ('users', 'resources', 'grants')")
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("write planner statistics"))?;
    for (tbl, idx, stat) in STATS {
        sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ($1, $2, $3)")
            .bind(*tbl)
            .bind(*idx)
            .bind(*stat)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("write planner statistics"))?;
    }
    tx.commit().await.map_err(StoreError::query("write planner statistics"))?;
    // Read again by this connection; connections opened later read them when they open.
    conn.execute("ANALYZE sqlite_schema").await.map_err(StoreError::query("load planner statistics"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::super::visible::visible;
    use super::super::SqlStore;

    /// The plan SQLite picks for `sql`, one step a line.
    async fn plan(store: &SqlStore, sql: &str) -> Vec<String> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"))).fetch_all(&store.pool).await.unwrap();
        rows.iter().map(|r| r.try_get::<String, _>("detail").unwrap()).collect()
    }

    /// The hot reads and the steps of a sync find their rows through an index on more than
    /// the account (a step that reads a whole account's grants per row is what made a 10,000
    /// user sync take 27 s).
    #[tokio::test]
    async fn snapshot_statements_use_their_indexes() {
        let store = SqlStore::in_memory().await.unwrap();
        let (g, u, r) = (visible("g", "?1"), visible("u", "?1"), visible("r", "?1"));
        let cases = [
            (format!("SELECT rtype FROM grants g WHERE {g} AND rtype = ?2 AND rid = ?3"), "sqlite_autoindex_grants_1 (account=? AND rtype=? AND rid=?)"),
            (format!("SELECT rtype FROM grants g WHERE {g} AND ptype = ?2 AND pid = ?3"), "grants_by_principal (account=? AND ptype=? AND pid=?)"),
            (format!("SELECT id FROM users u WHERE {u} AND u.email_lower = ?2"), "users_by_email (account=? AND email_lower=?)"),
            (format!("SELECT id FROM users u WHERE {u} AND u.id = ?2"), "sqlite_autoindex_users_1 (account=? AND id=?"),
            (format!("SELECT id FROM resources r WHERE {r} AND rtype = ?2 AND id = ?3"), "sqlite_autoindex_resources_1 (account=? AND rtype=? AND id=?"),
            (
                "SELECT m.pid FROM grants g JOIN grants m ON m.account = g.account AND m.to_sync IS NULL AND m.rtype = 'team'
                   AND m.rid = g.pid AND m.slug = 'member' AND m.ptype = 'user'
                 WHERE g.account = ?1 AND g.to_sync IS NULL AND g.ptype = 'team' AND g.pid IN (?2, ?3)".to_string(),
                "grants_open (account=? AND rtype=? AND rid=? AND slug=? AND ptype=?)",
            ),
            ("SELECT id FROM users WHERE account = ?1 AND to_sync IS NULL AND id IN (?2, ?3)".to_string(), "users_open (account=? AND id=?)"),
            ("SELECT pid FROM grants WHERE account = ?1 AND to_sync = ?2 AND ptype = 'team'".to_string(), "grants_removed (account=? AND to_sync=?)"),
        ];
        for (sql, index) in cases {
            let steps = plan(&store, &sql).await;
            assert!(steps.iter().any(|s| s.contains(index)), "{sql}\nuses {steps:?}, not {index}");
            assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{sql}\nscans: {steps:?}");
        }
    }
}
