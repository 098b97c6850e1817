//! Writing a page as a change. Each user and resource of the page is compared with the row
//! that holds now (found by its key, compared by a digest of its values), and each grant is
//! inserted only where none holds: an unchanged page writes no rows. The keys the page saw are
//! fingerprinted and kept with the page, so the rows no page saw can be closed when the sync
//! finishes, also after a restart.

use std::collections::HashMap;

use roster_core::{Grant, ResourceRecord, UserRecord};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::rows::ts;
use super::writes::{multi_insert, reused, ROWS_PER_STATEMENT};
use crate::{Result, StoreError};

/// 16 bytes of SHA-256 over `fields`, each prefixed by its length (NULL by a length no field
/// has), so no two different lists of fields share an encoding.
pub(super) fn fingerprint(fields: &[Option<&str>]) -> [u8; 16] {
    let mut h = Sha256::new();
    for f in fields {
        match f {
            Some(s) => {
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        }
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize()[..16]);
    out
}

fn hex(bytes: [u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key a sync marks seen for a user.
pub(super) fn user_key(id: &str) -> [u8; 16] {
    fingerprint(&[Some("user"), Some(id)])
}

/// The key a sync marks seen for a resource.
pub(super) fn resource_key(rtype: &str, id: &str) -> [u8; 16] {
    fingerprint(&[Some("resource"), Some(rtype), Some(id)])
}

/// Between a grant's columns in its key: no column holds it (types, slugs and `direct` /
/// `team:<id>` are Roster's own words, ids are monday.com's numbers).
pub(super) const GRANT_KEY_SEPARATOR: &str = "\u{1f}";

/// The key a sync marks seen for a grant: its columns joined by [`GRANT_KEY_SEPARATOR`] (so
/// finishing a snapshot reads each grant as one column, joined the same way in SQL).
pub(super) fn grant_key(joined: &str) -> [u8; 16] {
    fingerprint(&[Some("grant"), Some(joined)])
}

fn user_digest(u: &UserRecord) -> String {
    let flag = if u.is_email_confirmed { "1" } else { "0" };
    let times = [ts(u.created_at), ts(u.became_active_at), ts(u.last_activity)];
    let mut parts: Vec<Option<&str>> = vec![
        Some(u.name.as_str()),
        Some(&u.email),
        Some(&u.title),
        Some(u.role.as_str()),
        Some(u.status.as_str()),
        Some(flag),
        times[0].as_deref(),
        times[1].as_deref(),
        times[2].as_deref(),
        u.time_zone.as_deref(),
        u.invitation_method.as_deref(),
    ];
    // Only when set: a person's digest stays what it was before kinds were kept, so an upgrade
    // does not rewrite every user.
    if let Some(kind) = u.kind.as_deref() {
        parts.push(Some(kind));
    }
    if let Some(department) = u.department.as_deref() {
        // Tagged: a department id must not read as a kind.
        parts.extend([Some("department"), Some(department)]);
    }
    hex(fingerprint(&parts))
}

/// A user's id, digest and seen key.
fn user_keyed(u: &UserRecord) -> (&str, String, [u8; 16]) {
    (u.id.as_str(), user_digest(u), user_key(&u.id))
}

/// A resource's id, digest and seen key.
fn resource_keyed(r: &ResourceRecord) -> (&str, String, [u8; 16]) {
    (r.id.as_str(), resource_digest(r), resource_key(r.rtype.as_str(), &r.id))
}

fn resource_digest(r: &ResourceRecord) -> String {
    hex(fingerprint(&[Some(&r.name), r.parent.as_deref(), r.kind.as_deref(), r.state.as_deref()]))
}

/// A statement's text with its placeholders numbered as they are added (`$n` on PostgreSQL,
/// anonymous `?` on SQLite; see `writes::multi_insert` for why).
struct Statement {
    postgres: bool,
    n: usize,
    text: String,
}

impl Statement {
    fn new(postgres: bool) -> Statement {
        Statement { postgres, n: 0, text: String::new() }
    }

    /// The next placeholder.
    fn p(&mut self) -> String {
        self.n += 1;
        if self.postgres {
            format!("${}", self.n)
        } else {
            "?".to_string()
        }
    }

    /// `count` placeholders, comma-separated.
    fn list(&mut self, count: usize) -> String {
        (0..count).map(|_| self.p()).collect::<Vec<_>>().join(", ")
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
}

/// One table's rows a page may replace: `users` by id, `resources` by type and id.
#[derive(Clone, Copy)]
pub(super) struct Table {
    name: &'static str,
    rtype: Option<&'static str>,
}

impl Table {
    /// Users, by id.
    pub(super) const USERS: Table = Table { name: "users", rtype: None };

    /// Resources of one type, by id.
    pub(super) fn resources(rtype: roster_core::ResourceType) -> Table {
        Table { name: "resources", rtype: Some(rtype.as_str()) }
    }

    /// `account = .. [AND rtype = ..]` with its values bound after.
    fn scope(&self, st: &mut Statement) {
        let a = st.p();
        st.push(&format!("account = {a}"));
        if self.rtype.is_some() {
            let r = st.p();
            st.push(&format!(" AND rtype = {r}"));
        }
    }

    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
        account: &'q str,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
        match self.rtype {
            Some(r) => q.bind(account).bind(r),
            None => q.bind(account),
        }
    }
}

/// Whether a statement that finds rows by id is kept prepared: on SQLite when it recurs
/// ([`reused`]); on PostgreSQL never. A prepared statement's plan is cached after five runs,
/// planned for the table as it was then: on a first sync, with the users table nearly empty,
/// finding a page's 200 users by id became a scan, 210 ms a page once the table had grown
/// (30 s of a 100,000-user sync). Unprepared, each is planned for the table as it is.
fn kept(postgres: bool, ids: usize) -> bool {
    !postgres && reused(ids)
}

/// The digest of the row that holds now, for each of `ids` that has one.
async fn open_digests(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    table: Table,
    account: &str,
    ids: &[&str],
) -> Result<HashMap<String, Option<String>>> {
    let mut st = Statement::new(postgres);
    st.push(&format!("SELECT id, digest FROM {} WHERE ", table.name));
    table.scope(&mut st);
    let list = st.list(ids.len());
    st.push(&format!(" AND to_sync IS NULL AND id IN ({list})"));
    let mut q = table.bind(sqlx::query(sqlx::AssertSqlSafe(st.text)).persistent(kept(postgres, ids.len())), account);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(&mut **tx).await.map_err(StoreError::query("read the rows a page replaces"))?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id").map_err(StoreError::query("read the rows a page replaces"))?;
            let digest: Option<String> =
                r.try_get("digest").map_err(StoreError::query("read the rows a page replaces"))?;
            Ok((id, digest))
        })
        .collect()
}

/// Ends the rows that hold for `ids`: a row this sync added is deleted (it was never part of a
/// completed snapshot), an older one is closed at this sync.
pub(super) async fn retire(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    table: Table,
    account: &str,
    sync_id: i64,
    ids: &[&str],
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let name = table.name;
    for delete in [true, false] {
        let mut st = Statement::new(postgres);
        let head = if delete { format!("DELETE FROM {name} WHERE ") } else { format!("UPDATE {name} SET to_sync = ") };
        st.push(&head);
        if !delete {
            let s = st.p();
            st.push(&format!("{s} WHERE "));
        }
        table.scope(&mut st);
        let m = st.p();
        let list = st.list(ids.len());
        let op = if delete { "=" } else { "<" };
        st.push(&format!(" AND to_sync IS NULL AND from_sync {op} {m} AND id IN ({list})"));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(st.text)).persistent(kept(postgres, ids.len()));
        if !delete {
            q = q.bind(sync_id);
        }
        let mut q = table.bind(q, account).bind(sync_id);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await.map_err(StoreError::query("end the rows a page replaces"))?;
    }
    Ok(())
}

/// Of one table's `rows` (at most a statement's worth), the new and changed ones with their
/// digests: a row equal to the one that holds is left as it is, and the holding row of a
/// changed one is ended first. Every row's key is marked seen.
#[allow(clippy::too_many_arguments)] // one page's context: the table, its rows, and how to key them
async fn changed_rows<'r, T>(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    table: Table,
    account: &str,
    sync_id: i64,
    rows: &[&'r T],
    id_digest_key: impl Fn(&T) -> (&str, String, [u8; 16]),
    seen: &mut Vec<u8>,
) -> Result<Vec<(&'r T, String)>> {
    let keyed: Vec<_> = rows.iter().map(|r| (*r, id_digest_key(r))).collect();
    let ids: Vec<&str> = keyed.iter().map(|(_, (id, _, _))| *id).collect();
    let open = open_digests(tx, postgres, table, account, &ids).await?;
    let mut changed = Vec::new();
    let mut replaced = Vec::new();
    for (r, (id, digest, key)) in keyed {
        seen.extend(key);
        match open.get(id) {
            Some(Some(d)) if *d == digest => continue,
            Some(_) => replaced.push(id),
            None => {}
        }
        changed.push((r, digest));
    }
    retire(tx, postgres, table, account, sync_id, &replaced).await?;
    Ok(changed)
}

/// The users table's columns after account, sync and digest, from roster-core's one list
/// (plus the case-free e-mail). The values are bound below in the same order.
fn user_columns() -> Vec<&'static str> {
    ["account", "from_sync", "digest", "id", "name", "email", "email_lower"]
        .into_iter()
        .chain(roster_core::USER_COLUMNS.into_iter().skip(3))
        .collect()
}

/// Writes the page's users that are new or changed; returns how many.
pub(super) async fn write_users(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    account: &str,
    sync_id: i64,
    users: &[&UserRecord],
    seen: &mut Vec<u8>,
) -> Result<u64> {
    let mut written = 0;
    for chunk in users.chunks(ROWS_PER_STATEMENT) {
        let changed = changed_rows(tx, postgres, Table::USERS, account, sync_id, chunk, user_keyed, seen).await?;
        if changed.is_empty() {
            continue;
        }
        let sql = multi_insert(postgres, "users", &user_columns(), changed.len(), "");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(reused(changed.len()));
        for (u, digest) in &changed {
            q = q
                .bind(account)
                .bind(sync_id)
                .bind(digest)
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
                .bind(&u.invitation_method)
                .bind(&u.kind)
                .bind(&u.department);
        }
        q.execute(&mut **tx).await.map_err(StoreError::query("write users"))?;
        written += changed.len() as u64;
    }
    Ok(written)
}

/// Writes the page's resources that are new or changed; returns how many.
pub(super) async fn write_resources(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    account: &str,
    sync_id: i64,
    resources: &[&ResourceRecord],
    seen: &mut Vec<u8>,
) -> Result<u64> {
    let mut written = 0;
    for rtype in roster_core::ResourceType::ALL {
        let of_type: Vec<&ResourceRecord> = resources.iter().copied().filter(|r| r.rtype == rtype).collect();
        let table = Table::resources(rtype);
        for chunk in of_type.chunks(ROWS_PER_STATEMENT) {
            let changed = changed_rows(tx, postgres, table, account, sync_id, chunk, resource_keyed, seen).await?;
            if changed.is_empty() {
                continue;
            }
            let cols = ["account", "from_sync", "digest", "rtype", "id", "name", "parent", "kind", "state"];
            let sql = multi_insert(postgres, "resources", &cols, changed.len(), "");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(reused(changed.len()));
            for (r, digest) in &changed {
                q = q
                    .bind(account)
                    .bind(sync_id)
                    .bind(digest)
                    .bind(r.rtype.as_str())
                    .bind(&r.id)
                    .bind(&r.name)
                    .bind(&r.parent)
                    .bind(&r.kind)
                    .bind(&r.state);
            }
            q.execute(&mut **tx).await.map_err(StoreError::query("write resources"))?;
            written += changed.len() as u64;
        }
    }
    Ok(written)
}

/// Inserts the page's grants that do not hold yet (a grant that holds is left as it is, by the
/// unique index on the rows that hold); returns how many were new.
pub(super) async fn write_grants(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    account: &str,
    sync_id: i64,
    grants: &[Grant],
    seen: &mut Vec<u8>,
) -> Result<u64> {
    let mut written = 0;
    for chunk in grants.chunks(ROWS_PER_STATEMENT) {
        let cols = ["account", "from_sync", "rtype", "rid", "slug", "ptype", "pid", "source"];
        let sql = multi_insert(postgres, "grants", &cols, chunk.len(), "ON CONFLICT DO NOTHING");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(reused(chunk.len()));
        for g in chunk {
            let source = g.source.as_string();
            let key = [
                g.entitlement.rtype.as_str(),
                g.entitlement.rid.as_str(),
                g.entitlement.slug.as_str(),
                g.principal.ptype.as_str(),
                g.principal.id.as_str(),
                source.as_str(),
            ];
            seen.extend(grant_key(&key.join(GRANT_KEY_SEPARATOR)));
            q = q
                .bind(account)
                .bind(sync_id)
                .bind(g.entitlement.rtype.as_str())
                .bind(&g.entitlement.rid)
                .bind(&g.entitlement.slug)
                .bind(g.principal.ptype.as_str())
                .bind(&g.principal.id)
                .bind(source);
        }
        let done = q.execute(&mut **tx).await.map_err(StoreError::query("write grants"))?;
        written += done.rows_affected();
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_keep_fields_apart() {
        assert_ne!(fingerprint(&[Some("ab"), Some("c")]), fingerprint(&[Some("a"), Some("bc")]));
        assert_ne!(fingerprint(&[None, Some("")]), fingerprint(&[Some(""), None]));
        assert_ne!(user_key("1"), resource_key("user", "1"));
        assert_ne!(grant_key("1"), user_key("1"));
    }

    #[test]
    fn statements_number_their_placeholders() {
        let mut st = Statement::new(true);
        assert_eq!((st.p(), st.list(2)), ("$1".to_string(), "$2, $3".to_string()));
        let mut st = Statement::new(false);
        assert_eq!(st.list(2), "?, ?");
    }
}
