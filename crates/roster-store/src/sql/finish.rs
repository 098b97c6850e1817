//! Finishing a snapshot once every part is read: the rows no page of the sync saw are closed
//! (users, resources and direct grants that are gone), and access through teams is brought up
//! to date for the teams whose members or grants changed. Both in one transaction, and both
//! safe to run again (a sync resumed after finishing finishes again).

use futures_util::TryStreamExt;
use sqlx::{Any, Row, Transaction};

use super::delta::{grant_key, resource_key, retire, user_key, Table, GRANT_KEY_SEPARATOR};
use super::{team_access, SqlStore};
use crate::{Result, StoreError};

/// What the pages of `sync_id` saw: a sorted list of fingerprints (16 bytes each, allocated
/// once at its exact size; a hash set of the same keys took twice the memory at its peak).
struct Seen(Vec<u128>);

impl Seen {
    fn contains(&self, key: &[u8; 16]) -> bool {
        self.0.binary_search(&u128::from_be_bytes(*key)).is_ok()
    }
}

async fn seen_keys(tx: &mut Transaction<'_, Any>, sync_id: i64) -> Result<Seen> {
    let bytes: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(LENGTH(keys)), 0) AS BIGINT) FROM sync_seen WHERE sync_id = $1")
            .bind(sync_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::query("read what the pages saw"))?;
    let mut seen = Vec::with_capacity(usize::try_from(bytes / 16).unwrap_or(0));
    let mut blobs = sqlx::query("SELECT keys FROM sync_seen WHERE sync_id = $1").bind(sync_id).fetch(&mut **tx);
    while let Some(row) = blobs.try_next().await.map_err(StoreError::query("read what the pages saw"))? {
        let keys: Vec<u8> = row.try_get("keys").map_err(StoreError::query("read what the pages saw"))?;
        if keys.len() % 16 != 0 {
            return Err(StoreError::Corrupt(format!("sync {sync_id}: a page's seen keys are {} bytes", keys.len())));
        }
        seen.extend(keys.chunks_exact(16).map(|k| {
            let mut key = [0u8; 16];
            key.copy_from_slice(k);
            u128::from_be_bytes(key)
        }));
    }
    seen.sort_unstable();
    seen.dedup();
    Ok(Seen(seen))
}

/// The rows of `sql` (holding rows of the account from before this sync, as text columns; its
/// placeholders are the account, the sync and, if it joins a grant's columns, the separator)
/// whose key is not in `seen`.
async fn unseen(
    tx: &mut Transaction<'_, Any>,
    sql: &'static str,
    account: &str,
    sync_id: i64,
    seen: &Seen,
    key: impl Fn(&[String]) -> [u8; 16],
) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    let mut q = sqlx::query(sql).bind(account).bind(sync_id);
    if sql.contains("$3") {
        q = q.bind(GRANT_KEY_SEPARATOR);
    }
    let mut rows = q.fetch(&mut **tx);
    while let Some(row) = rows.try_next().await.map_err(StoreError::query("find the rows no page saw"))? {
        let cols: Vec<String> = (0..row.len())
            .map(|i| row.try_get::<String, _>(i).map_err(StoreError::query("find the rows no page saw")))
            .collect::<Result<_>>()?;
        if !seen.contains(&key(&cols)) {
            out.push(cols);
        }
    }
    Ok(out)
}

impl SqlStore {
    pub(super) async fn finish_snapshot_impl(&self, sync_id: i64) -> Result<u64> {
        let account = self.account_of(sync_id).await?;
        let pages_added = self.pages_add_team_access(sync_id).await?;
        if self.postgres && (!pages_added || self.any_deferred(sync_id).await?) {
            // The pages just wrote most of the rows the statements below join: planned from
            // statistics of the store before them (a first sync: an empty one), PostgreSQL took
            // the team-membership side of access through teams as one row and read every
            // membership once per team grant (5.9 s at 10,000 users; 25 such statements at
            // 100,000). SQLite plans from fixed statistics (`planner.rs`). A sync whose pages
            // added that access (none deferred) leaves the finish only the teams it closes
            // something of.
            self.refresh_planner_statistics(&account, sync_id).await;
        }
        let mut tx = self.begin_write().await?;
        let seen = seen_keys(&mut tx, sync_id).await?;
        let mut changed = 0u64;

        let gone = unseen(
            &mut tx,
            "SELECT id FROM users WHERE account = $1 AND to_sync IS NULL AND from_sync < $2",
            &account,
            sync_id,
            &seen,
            |c| user_key(&c[0]),
        )
        .await?;
        let ids: Vec<&str> = gone.iter().map(|c| c[0].as_str()).collect();
        for chunk in ids.chunks(super::writes::ROWS_PER_STATEMENT) {
            retire(&mut tx, self.postgres, Table::USERS, &account, sync_id, chunk).await?;
        }
        changed += ids.len() as u64;

        let gone = unseen(
            &mut tx,
            "SELECT rtype, id FROM resources WHERE account = $1 AND to_sync IS NULL AND from_sync < $2",
            &account,
            sync_id,
            &seen,
            |c| resource_key(&c[0], &c[1]),
        )
        .await?;
        for rtype in roster_core::ResourceType::ALL {
            let ids: Vec<&str> = gone.iter().filter(|c| c[0] == rtype.as_str()).map(|c| c[1].as_str()).collect();
            for chunk in ids.chunks(super::writes::ROWS_PER_STATEMENT) {
                retire(&mut tx, self.postgres, Table::resources(rtype), &account, sync_id, chunk).await?;
            }
        }
        changed += gone.len() as u64;

        // Direct grants only: access through a team is no page's, it follows from the rest.
        // Read as one joined column: decoding six columns of every grant cost seconds at a
        // million grants.
        let gone = unseen(
            &mut tx,
            "SELECT rtype || $3 || rid || $3 || slug || $3 || ptype || $3 || pid || $3 || source FROM grants
             WHERE account = $1 AND to_sync IS NULL AND from_sync < $2 AND source = 'direct'",
            &account,
            sync_id,
            &seen,
            |c| grant_key(&c[0]),
        )
        .await?;
        for g in &gone {
            let cols: Vec<&str> = g[0].split(GRANT_KEY_SEPARATOR).collect();
            let [rtype, rid, slug, ptype, pid, _] = cols[..] else {
                return Err(StoreError::Corrupt(format!("grant key {:?}", g[0])));
            };
            sqlx::query(
                "UPDATE grants SET to_sync = $1 WHERE account = $2 AND to_sync IS NULL AND rtype = $3 AND rid = $4
                 AND slug = $5 AND ptype = $6 AND pid = $7 AND source = 'direct'",
            )
            .bind(sync_id)
            .bind(&account)
            .bind(rtype)
            .bind(rid)
            .bind(slug)
            .bind(ptype)
            .bind(pid)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("close a grant no page saw"))?;
        }
        changed += gone.len() as u64;

        let teams = team_access::touched_teams(&mut tx, &account, sync_id, pages_added).await?;
        changed += self.expand_teams(&mut tx, &account, sync_id, &teams).await?;
        changed += team_access::add_deferred(&mut tx, &account, sync_id).await?;
        tx.commit().await.map_err(StoreError::query("commit the finished snapshot"))?;
        Ok(changed)
    }
}
