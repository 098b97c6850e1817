//! What changed between two syncs, computed in SQL from the rows either snapshot holds and the
//! other does not (found through `from_sync` and `to_sync`), so time and memory follow the size
//! of the change, not of the account.

use roster_core::{Grant, ResourceRecord, UserRecord};

use super::reads::GRANT_COLUMNS;
use super::rows;
use super::visible::{only_in, visible};
use super::SqlStore;
use crate::{Result, StoreError};

/// The compared columns, from roster-core's one list (`UserField::COMPARED`).
fn compared() -> String {
    let mut cols = vec!["id"];
    cols.extend(roster_core::UserField::COMPARED.iter().map(|f| f.column()));
    cols.join(", ")
}

impl SqlStore {
    /// Diffs compare two snapshots of one account.
    async fn same_account(&self, a: i64, b: i64) -> Result<()> {
        let (of_a, of_b) = (self.account_of(a).await?, self.account_of(b).await?);
        if of_a != of_b {
            return Err(StoreError::Query {
                context: "diff",
                detail: format!(
                    "sync {a} is of account {of_a:?} and sync {b} of {of_b:?}: compare two syncs of one account"
                ),
            });
        }
        Ok(())
    }

    pub(super) async fn changed_users_impl(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<UserRecord>, Option<UserRecord>)>> {
        // Users whose compared fields differ, or who exist on one side only.
        // A row both hold is the same row on both sides; so a user's compared fields differ
        // exactly when a row held by one side only has no equal among the other side's own.
        self.same_account(old, new).await?;
        let cols = compared();
        let (gone, came) = (only_in("u", old, "$1", new, "$2"), only_in("u", new, "$2", old, "$1"));
        let ids: Vec<String> = sqlx::query_scalar(sql!(
            "SELECT id FROM (
                SELECT {cols} FROM users u WHERE {gone}
                EXCEPT SELECT {cols} FROM users u WHERE {came}
             ) AS gone
             UNION
             SELECT id FROM (
                SELECT {cols} FROM users u WHERE {came}
                EXCEPT SELECT {cols} FROM users u WHERE {gone}
             ) AS came"
        ))
        .bind(old)
        .bind(new)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("diff users"))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let get = |sync: i64| {
                let id = id.clone();
                async move {
                    let row = sqlx::query(sql!(
                        "SELECT {} FROM users u WHERE {} AND id = $2",
                        roster_core::USER_COLUMNS.join(", "),
                        visible("u", "$1")
                    ))
                    .bind(sync)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(StoreError::query("diff user"))?;
                    row.as_ref().map(rows::user).transpose()
                }
            };
            out.push((get(old).await?, get(new).await?));
        }
        out.sort_by_key(|(a, b)| a.as_ref().or(b.as_ref()).map(|u| u.id.parse::<u64>().unwrap_or(u64::MAX)));
        Ok(out)
    }

    pub(super) async fn changed_resources_impl(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<ResourceRecord>, Option<ResourceRecord>)>> {
        self.same_account(old, new).await?;
        let (gone, came) = (only_in("r", old, "$1", new, "$2"), only_in("r", new, "$2", old, "$1"));
        let keys: Vec<(String, String)> = sqlx::query_as(sql!(
            "SELECT rtype, id FROM (
                SELECT rtype, id, name FROM resources r WHERE {gone} EXCEPT SELECT rtype, id, name FROM resources r WHERE {came}
             ) AS gone
             UNION
             SELECT rtype, id FROM (
                SELECT rtype, id, name FROM resources r WHERE {came} EXCEPT SELECT rtype, id, name FROM resources r WHERE {gone}
             ) AS came"
        ))
        .bind(old)
        .bind(new)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("diff resources"))?;
        let mut out = Vec::with_capacity(keys.len());
        for (rtype, id) in keys {
            let get = |sync: i64| {
                let (rtype, id) = (rtype.clone(), id.clone());
                async move {
                    let row = sqlx::query(sql!("SELECT rtype, id, name, parent, kind, state FROM resources r WHERE {} AND rtype = $2 AND id = $3", visible("r", "$1")))
                        .bind(sync)
                        .bind(rtype)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(StoreError::query("diff resource"))?;
                    row.as_ref().map(rows::resource).transpose()
                }
            };
            out.push((get(old).await?, get(new).await?));
        }
        Ok(out)
    }

    pub(super) async fn grants_missing_from_impl(&self, a: i64, b: i64) -> Result<Vec<Grant>> {
        self.same_account(a, b).await?;
        let (gone, came) = (only_in("g", a, "$1", b, "$2"), only_in("g", b, "$2", a, "$1"));
        let rows = sqlx::query(sql!(
            "SELECT {GRANT_COLUMNS} FROM grants g WHERE {gone} EXCEPT SELECT {GRANT_COLUMNS} FROM grants g WHERE {came} ORDER BY 1, 2, 3, 4, 5, 6"
        ))
        .bind(a)
        .bind(b)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("diff grants"))?;
        rows.iter().map(rows::grant).collect()
    }
}

#[async_trait::async_trait]
impl crate::DiffStore for SqlStore {
    async fn changed_users(&self, old: i64, new: i64) -> Result<Vec<(Option<UserRecord>, Option<UserRecord>)>> {
        self.changed_users_impl(old, new).await
    }

    async fn changed_resources(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<ResourceRecord>, Option<ResourceRecord>)>> {
        self.changed_resources_impl(old, new).await
    }

    async fn grants_missing_from(&self, a: i64, b: i64) -> Result<Vec<Grant>> {
        self.grants_missing_from_impl(a, b).await
    }
}
