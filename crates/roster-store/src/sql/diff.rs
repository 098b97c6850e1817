//! What changed between two syncs, computed in SQL so memory follows the size of the change,
//! not of the account.

use roster_core::{Grant, ResourceRecord, UserRecord};

use super::reads::GRANT_COLUMNS;
use super::rows;
use super::SqlStore;
use crate::{Result, StoreError};

/// The compared columns, from roster-core's one list (`UserField::COMPARED`).
fn compared() -> String {
    let mut cols = vec!["id"];
    cols.extend(roster_core::UserField::COMPARED.iter().map(|f| f.column()));
    cols.join(", ")
}

impl SqlStore {
    pub(super) async fn changed_users_impl(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<UserRecord>, Option<UserRecord>)>> {
        // Users whose compared fields differ, or who exist on one side only.
        let cols = compared();
        let ids: Vec<String> = sqlx::query_scalar(sql!(
            "SELECT id FROM (
                SELECT {cols} FROM users WHERE sync_id = $1
                EXCEPT SELECT {cols} FROM users WHERE sync_id = $2
             ) AS gone
             UNION
             SELECT id FROM (
                SELECT {cols} FROM users WHERE sync_id = $2
                EXCEPT SELECT {cols} FROM users WHERE sync_id = $1
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
                        "SELECT {} FROM users WHERE sync_id = $1 AND id = $2",
                        roster_core::USER_COLUMNS.join(", ")
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
        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT rtype, id FROM (
                SELECT rtype, id, name FROM resources WHERE sync_id = $1 EXCEPT SELECT rtype, id, name FROM resources WHERE sync_id = $2
             ) AS gone
             UNION
             SELECT rtype, id FROM (
                SELECT rtype, id, name FROM resources WHERE sync_id = $2 EXCEPT SELECT rtype, id, name FROM resources WHERE sync_id = $1
             ) AS came",
        )
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
                    let row = sqlx::query("SELECT rtype, id, name, parent, kind, state FROM resources WHERE sync_id = $1 AND rtype = $2 AND id = $3")
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
        let rows = sqlx::query(sql!(
            "SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = $1 EXCEPT SELECT {GRANT_COLUMNS} FROM grants WHERE sync_id = $2 ORDER BY 1, 2, 3, 4, 5, 6"
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
