//! Reading a snapshot: users with filters, resources, grants, counts, events.

use roster_core::{AccountRecord, Grant, Principal, ResourceRecord, ResourceType, UserRecord};
use sqlx::Row;

use super::rows::{self, ts};
use super::visible::visible;
use super::SqlStore;
use crate::types::*;
use crate::{Result, StoreError};

/// A user's columns (roster-core's one list) as `u.<column>`.
fn user_columns() -> String {
    roster_core::USER_COLUMNS.map(|c| format!("u.{c}")).join(", ")
}
pub(super) const GRANT_COLUMNS: &str = "rtype, rid, slug, ptype, pid, source";

/// The WHERE clause for `q` with only the filters it sets (so the planner sees plain index
/// ranges), and their values in placeholder order after `$1` (the sync id). The SQL comes
/// from constants here; every value is bound.
fn user_filter(postgres: bool, q: &UserQuery) -> (String, Vec<String>) {
    let mut sql = visible("u", "$1");
    let mut values = Vec::new();
    let mut add = |clause: &str, value: String| {
        values.push(value);
        sql.push_str(" AND ");
        sql.push_str(&clause.replace("$n", &format!("${}", values.len() + 1)));
    };
    if let Some(s) = q.status {
        add("u.status = $n", s.as_str().to_string());
    }
    if let Some(r) = q.role {
        add("u.role = $n", r.as_str().to_string());
    }
    if let Some(t) = &q.team {
        add("EXISTS (SELECT 1 FROM grants g WHERE g.account = u.account AND g.from_sync <= $1 AND (g.to_sync IS NULL OR g.to_sync > $1) AND g.ptype = 'user' AND g.pid = u.id AND g.rtype = 'team' AND g.rid = $n AND g.slug = 'member')", t.clone());
    }
    if let Some(cutoff) = q.inactive_days.and_then(|(days, now)| ts(Some(roster_core::when::days_before(now, days)))) {
        // Idle since the last sign of life: activity, else becoming active, else creation (a
        // user created minutes ago is not "never active for 90 days").
        add("(COALESCE(u.last_activity, u.became_active_at, u.created_at) IS NULL OR COALESCE(u.last_activity, u.became_active_at, u.created_at) <= $n)", cutoff);
    }
    for (text, fields) in [(&q.email_contains, Fields::Email), (&q.search, Fields::EmailOrName)] {
        if let Some(text) = text {
            for (clause, value) in text_match(postgres, text, fields) {
                add(&clause, value);
            }
        }
    }
    if let Some(after) = &q.after {
        // Spelled as a range on the order index's first column, then the tie on the id: a row
        // value `(a, b) > (x, y)` is not seen as a range by SQLite's planner.
        let (a, b, c) = (values.len() + 2, values.len() + 3, values.len() + 4);
        sql.push_str(&format!(
            " AND CAST(u.id AS BIGINT) >= CAST(${a} AS BIGINT) AND (CAST(u.id AS BIGINT) > CAST(${b} AS BIGINT) OR u.id > ${c})"
        ));
        values.extend([after.clone(), after.clone(), after.clone()]);
    }
    (sql, values)
}

/// Users' listing order: by number, then by text for ids whose numbers tie ("7", "007").
const ORDER: &str = "CAST(u.id AS BIGINT), u.id";
/// The same order, spelled so no index provides it: the rows are found first, then sorted.
const SORTED_AFTER: &str = "CAST(u.id AS BIGINT) + 0, u.id";

/// Which columns a text search looks in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fields {
    Email,
    EmailOrName,
    Name,
}

/// The conditions (each with one `$n` placeholder, and its value) for "`text` is a
/// case-insensitive substring of the e-mail (or the name)", served by the search indexes:
/// pg_trgm's GIN indexes take the LIKE itself on PostgreSQL; on SQLite the FTS5 trigram table
/// finds the candidate rows. Text shorter than a trigram is found by a scan.
fn text_match(postgres: bool, text: &str, fields: Fields) -> Vec<(String, String)> {
    let text = text.trim().to_lowercase();
    // No e-mail holds whitespace (monday.com takes none): a full name ("ana silva") is looked
    // for in names alone, which spares the e-mail index a lookup of every trigram it holds.
    let fields =
        if fields == Fields::EmailOrName && text.contains(char::is_whitespace) { Fields::Name } else { fields };
    let contains = like_contains;
    let like = match fields {
        Fields::Email => "u.email_lower LIKE $n ESCAPE '!'",
        Fields::EmailOrName => "(u.email_lower LIKE $n ESCAPE '!' OR LOWER(u.name) LIKE $n ESCAPE '!')",
        Fields::Name => "LOWER(u.name) LIKE $n ESCAPE '!'",
    };
    let verify = (like.to_string(), contains(&text));
    let needle = search_needle(&text);
    if postgres {
        if needle == text {
            return vec![verify];
        }
        // The index is asked for the needle; the whole text is checked on what it finds with
        // `strpos`, which the planner does not take to the index (a LIKE would bring the
        // domain's trigrams back into the lookup).
        let whole = match fields {
            Fields::Email => "strpos(u.email_lower, $n) > 0",
            Fields::EmailOrName => "(strpos(u.email_lower, $n) > 0 OR strpos(LOWER(u.name), $n) > 0)",
            Fields::Name => "strpos(LOWER(u.name), $n) > 0",
        };
        return vec![(like.to_string(), contains(needle)), (whole.to_string(), text.clone())];
    }
    if !indexed(needle) {
        return vec![verify];
    }
    // An FTS5 string: double quotes doubled; a column filter for the e-mail alone.
    let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
    let expr = match fields {
        Fields::Email => format!("email_lower : {phrase}"),
        Fields::EmailOrName => phrase,
        Fields::Name => format!("name : {phrase}"),
    };
    let mut out = vec![("u.rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH $n)".to_string(), expr)];
    if needle != text {
        out.push(verify);
    }
    out
}

/// Whether the search index is asked for `needle`: a trigram index holds nothing shorter
/// than three characters (on PostgreSQL too, such a LIKE is a scan), and FTS5 reads its query
/// as text that ends at a NUL, so such a needle is found by the scan.
fn indexed(needle: &str) -> bool {
    needle.chars().count() >= 3 && !needle.contains('\0')
}

/// Whether the users `q` finds are found through the search index (a text it is asked for).
fn searched_by_index(q: &UserQuery) -> bool {
    [&q.email_contains, &q.search].into_iter().flatten().any(|t| indexed(search_needle(&t.trim().to_lowercase())))
}

/// The part of `text` the trigram index is asked for. An e-mail's domain is shared by most of
/// an account, so its trigrams match nearly every row and make the lookup slow: the part up to
/// and including the `@` finds the few candidates, and a LIKE on those checks the whole text.
fn search_needle(text: &str) -> &str {
    match text.find('@') {
        Some(at) if text[..=at].chars().count() >= 3 => &text[..=at],
        _ => text,
    }
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    sync_id: i64,
    values: Vec<String>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query = query.bind(sync_id);
    for v in values {
        query = query.bind(v);
    }
    query
}

impl SqlStore {
    pub(super) async fn users_impl(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>> {
        let rows = self.user_rows(sync_id, q, "", ORDER).await?;
        rows.iter().map(rows::user).collect()
    }

    pub(super) async fn users_counted_impl(&self, sync_id: i64, q: &UserQuery) -> Result<(Vec<UserRecord>, i64)> {
        if searched_by_index(q) {
            // The matches are few and found by the index: counted in the same statement
            // (`COUNT(*) OVER ()` counts them before LIMIT) rather than found twice. Elsewhere
            // the window would read every row of the snapshot for a page of 50.
            // Ordered by an expression no index holds: every match is read for the count anyway,
            // and PostgreSQL, offered the listing order's index, walked all 100,000 users in
            // that order to find the 118 a full name matched (60 ms) instead of asking the
            // trigram index and sorting them (4 ms).
            let rows =
                self.user_rows(sync_id, q, ", CAST(COUNT(*) OVER () AS BIGINT) AS matched", SORTED_AFTER).await?;
            if let Some(first) = rows.first() {
                let total = first.try_get::<i64, _>("matched").map_err(StoreError::query("count users"))?;
                return Ok((rows.iter().map(rows::user).collect::<Result<_>>()?, total));
            }
            if q.offset == 0 && q.limit != Some(0) {
                return Ok((Vec::new(), 0));
            }
            // No row at this offset: the count alone says how many there are.
            return Ok((Vec::new(), self.count_users_impl(sync_id, q).await?));
        }
        let users = self.users_impl(sync_id, q).await?;
        let total = if q.offset == 0 && q.limit.is_none_or(|l| (users.len() as u64) < l) {
            users.len() as i64
        } else {
            self.count_users_impl(sync_id, q).await?
        };
        Ok((users, total))
    }

    /// The rows of `q`'s page, with `extra` (", <expression> AS <name>") after the columns,
    /// in `order` ([`ORDER`] or [`SORTED_AFTER`]).
    async fn user_rows(&self, sync_id: i64, q: &UserQuery, extra: &str, order: &str) -> Result<Vec<sqlx::any::AnyRow>> {
        let (filter, values) = user_filter(self.postgres, q);
        let n = values.len();
        let sql = format!(
            "SELECT {}{extra} FROM users u WHERE {filter}
             ORDER BY {order} LIMIT ${} OFFSET ${}",
            user_columns(),
            n + 2,
            n + 3
        );
        // SQLite reads LIMIT -1 as "no limit"; PostgreSQL reads LIMIT NULL so.
        let limit = q.limit.map(|l| l.min(i64::MAX as u64) as i64);
        let limit = if self.postgres { limit } else { Some(limit.unwrap_or(-1)) };
        bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), sync_id, values)
            .bind(limit)
            .bind(q.offset.min(i64::MAX as u64) as i64)
            .fetch_all(self.pages())
            .await
            .map_err(StoreError::query("list users"))
    }

    pub(super) async fn user_anchors_impl(&self, sync_id: i64, q: &UserQuery, stride: u64) -> Result<Vec<String>> {
        let (filter, values) = user_filter(self.postgres, q);
        let n = values.len();
        let sql = format!(
            "SELECT id FROM (SELECT u.id, ROW_NUMBER() OVER (ORDER BY CAST(u.id AS BIGINT), u.id) AS n
                             FROM users u WHERE {filter}) numbered
             WHERE n % ${} = 0 ORDER BY n",
            n + 2
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), sync_id, values)
            .bind(stride.clamp(1, i64::MAX as u64) as i64)
            .fetch_all(self.pages())
            .await
            .map_err(StoreError::query("find user seek points"))?;
        rows.iter().map(|r| r.try_get::<String, _>(0).map_err(StoreError::query("read user seek points"))).collect()
    }

    pub(super) async fn count_users_impl(&self, sync_id: i64, q: &UserQuery) -> Result<i64> {
        let (filter, values) = user_filter(self.postgres, q);
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM users u WHERE {filter}");
        let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), sync_id, values)
            .fetch_one(self.pages())
            .await
            .map_err(StoreError::query("count users"))?;
        row.try_get::<i64, _>(0).map_err(StoreError::query("count users"))
    }

    pub(super) async fn find_user_impl(&self, sync_id: i64, key: &str) -> Result<Option<UserRecord>> {
        let key = key.trim();
        // By id, then by e-mail: two index lookups (one `id = .. OR email = ..` scans the snapshot).
        for (column, value) in [("u.id", key.to_string()), ("u.email_lower", key.to_lowercase())] {
            let row = sqlx::query(sql!(
                "SELECT {} FROM users u WHERE {} AND {column} = $2 LIMIT 1",
                user_columns(),
                visible("u", "$1")
            ))
            .bind(sync_id)
            .bind(value)
            .fetch_optional(self.pages())
            .await
            .map_err(StoreError::query("find user"))?;
            if let Some(row) = row {
                return rows::user(&row).map(Some);
            }
        }
        Ok(None)
    }

    pub(super) async fn resources_impl(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ResourceRecord>> {
        let rows = sqlx::query(sql!("SELECT rtype, id, name, parent, kind, state FROM resources r WHERE {} AND rtype = $2 ORDER BY CAST(id AS BIGINT), id", visible("r", "$1")))
            .bind(sync_id)
            .bind(rtype.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("list resources"))?;
        rows.iter().map(rows::resource).collect()
    }

    pub(super) async fn resource_ids_impl(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<String>> {
        sqlx::query_scalar(sql!(
            "SELECT id FROM resources r WHERE {} AND rtype = $2 ORDER BY CAST(id AS BIGINT), id",
            visible("r", "$1")
        ))
        .bind(sync_id)
        .bind(rtype.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list resource ids"))
    }

    pub(super) async fn resource_impl(
        &self,
        sync_id: i64,
        rtype: ResourceType,
        id: &str,
    ) -> Result<Option<ResourceRecord>> {
        let row = sqlx::query(sql!(
            "SELECT rtype, id, name, parent, kind, state FROM resources r WHERE {} AND rtype = $2 AND id = $3",
            visible("r", "$1")
        ))
        .bind(sync_id)
        .bind(rtype.as_str())
        .bind(id)
        .fetch_optional(self.pages())
        .await
        .map_err(StoreError::query("read resource"))?;
        row.as_ref().map(rows::resource).transpose()
    }

    pub(super) async fn users_among_impl(&self, sync_id: i64, ids: &[String]) -> Result<Vec<UserRecord>> {
        let select = |marks: &str| {
            let text =
                format!("SELECT {} FROM users u WHERE {} AND u.id IN ({marks})", user_columns(), visible("u", "$1"));
            sqlx::query(sqlx::AssertSqlSafe(text)).bind(sync_id)
        };
        self.rows_among(ids, 2, select, rows::user, "read users").await
    }

    pub(super) async fn resources_among_impl(
        &self,
        sync_id: i64,
        rtype: ResourceType,
        ids: &[String],
    ) -> Result<Vec<ResourceRecord>> {
        let select = |marks: &str| {
            let text = format!(
                "SELECT rtype, id, name, parent, kind, state FROM resources r WHERE {} AND rtype = $2 AND id IN ({marks})",
                visible("r", "$1")
            );
            sqlx::query(sqlx::AssertSqlSafe(text)).bind(sync_id).bind(rtype.as_str())
        };
        self.rows_among(ids, 3, select, rows::resource, "read resources").await
    }

    /// The rows `select` finds for `ids`, 500 a statement: `select` gets the placeholders
    /// (`$first`, ...) to put in its `IN (..)` and binds what comes before them; the ids are
    /// bound after. The text varies with the count, so it is not kept prepared.
    async fn rows_among<'a, T>(
        &self,
        ids: &'a [String],
        first: usize,
        select: impl Fn(&str) -> sqlx::query::Query<'a, sqlx::Any, sqlx::any::AnyArguments>,
        row: fn(&sqlx::any::AnyRow) -> Result<T>,
        what: &'static str,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + first)).collect();
            let rows = chunk
                .iter()
                .fold(select(&marks.join(", ")), |q, id| q.bind(id.as_str()))
                .persistent(false)
                .fetch_all(self.pages())
                .await
                .map_err(StoreError::query(what))?;
            for r in &rows {
                out.push(row(r)?);
            }
        }
        Ok(out)
    }

    /// Ids in numeric order without a cast: a role's id is a word (`role:admin:assigned`),
    /// which PostgreSQL refuses to cast to a number (SQLite read it as 0).
    pub(super) async fn grants_of_impl(&self, sync_id: i64, p: &Principal) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants g WHERE {} AND ptype = $2 AND pid = $3 ORDER BY rtype, LENGTH(rid), rid, slug, source", visible("g", "$1")))
            .bind(sync_id)
            .bind(p.ptype.as_str())
            .bind(&p.id)
            .fetch_all(self.pages())
            .await
            .map_err(StoreError::query("grants of principal"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn grants_on_impl(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants g WHERE {} AND rtype = $2 AND rid = $3 ORDER BY slug, ptype DESC, CAST(pid AS BIGINT), source", visible("g", "$1")))
            .bind(sync_id)
            .bind(rtype.as_str())
            .bind(rid)
            .fetch_all(self.pages())
            .await
            .map_err(StoreError::query("grants on resource"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn all_grants_impl(&self, sync_id: i64) -> Result<Vec<Grant>> {
        let rows = sqlx::query(sql!("SELECT {GRANT_COLUMNS} FROM grants g WHERE {}", visible("g", "$1")))
            .bind(sync_id)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("all grants"))?;
        rows.iter().map(rows::grant).collect()
    }

    pub(super) async fn left_teams_impl(&self, sync_id: i64) -> Result<Vec<(String, String)>> {
        // Ended rows are found through the index on to_sync; the current membership check is
        // one indexed probe per ended row.
        let held = visible("h", "$1");
        let rows = sqlx::query(sql!(
            "SELECT DISTINCT g.pid, g.rid FROM grants g
             WHERE g.account = (SELECT account FROM syncs WHERE id = $1)
               AND g.to_sync IS NOT NULL AND g.to_sync <= $1
               AND g.rtype = 'team' AND g.slug = 'member' AND g.ptype = 'user' AND g.source = 'direct'
               AND NOT EXISTS (SELECT 1 FROM grants h WHERE {held} AND h.ptype = 'user' AND h.pid = g.pid
                               AND h.rtype = 'team' AND h.rid = g.rid AND h.slug = 'member' AND h.source = 'direct')
             ORDER BY g.pid, g.rid"
        ))
        .bind(sync_id)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("teams left"))?;
        let q = StoreError::query("read a team left");
        rows.iter().map(|r| Ok((r.try_get("pid").map_err(&q)?, r.try_get("rid").map_err(&q)?))).collect()
    }

    pub(super) async fn counts_impl(&self, sync_id: i64) -> Result<Counts> {
        let (u, r, g) = (visible("u", "$1"), visible("r", "$1"), visible("g", "$1"));
        let row = sqlx::query(sql!(
            "SELECT (SELECT COUNT(*) FROM users u WHERE {u}) AS users,
                    (SELECT COUNT(*) FROM resources r WHERE {r} AND rtype = 'team') AS teams,
                    (SELECT COUNT(*) FROM resources r WHERE {r} AND rtype = 'workspace') AS workspaces,
                    (SELECT COUNT(*) FROM resources r WHERE {r} AND rtype = 'board') AS boards,
                    (SELECT COUNT(*) FROM grants g WHERE {g}) AS grants"
        ))
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

    pub(super) async fn list_lengths_impl(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ListLength>> {
        let rows = sqlx::query(sql!(
            "SELECT g.rid, g.ptype, g.slug, COUNT(*) AS n FROM grants g
             WHERE {} AND g.rtype = $2 AND g.source = 'direct'
             GROUP BY g.rid, g.ptype, g.slug",
            visible("g", "$1")
        ))
        .bind(sync_id)
        .bind(rtype.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list lengths"))?;
        let q = StoreError::query("read list lengths");
        rows.iter()
            .map(|r| {
                Ok(ListLength {
                    rid: r.try_get("rid").map_err(&q)?,
                    team: r.try_get::<String, _>("ptype").map_err(&q)? == "team",
                    slug: r.try_get("slug").map_err(&q)?,
                    n: r.try_get("n").map_err(&q)?,
                })
            })
            .collect()
    }

    pub(super) async fn member_counts_impl(
        &self,
        sync_id: i64,
        rtype: ResourceType,
    ) -> Result<std::collections::HashMap<String, MemberCounts>> {
        let rows = sqlx::query(sql!(
            "SELECT rid,
                    SUM(CASE WHEN ptype = 'user' AND source = 'direct' AND slug <> 'owner' THEN 1 ELSE 0 END) AS members,
                    SUM(CASE WHEN ptype = 'user' AND source = 'direct' AND slug = 'owner' THEN 1 ELSE 0 END) AS owners,
                    COUNT(DISTINCT CASE WHEN ptype = 'team' THEN pid END) AS teams,
                    COUNT(DISTINCT CASE WHEN ptype = 'user' AND source <> 'direct' THEN pid END) AS via_teams
             FROM grants g WHERE {} AND rtype = $2 GROUP BY rid",
            visible("g", "$1")
        ))
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
        let row = sqlx::query("SELECT monday_id, name, slug, tier, plan_tier, max_users, active_members_count, departments, service_users FROM account_snapshots WHERE sync_id = $1")
            .bind(sync_id)
            .fetch_optional(self.pages())
            .await
            .map_err(StoreError::query("read account"))?;
        row.as_ref().map(rows::account).transpose()
    }

    pub(super) async fn events_impl(&self, q: &EventQuery) -> Result<Vec<EventRow>> {
        let order = if q.newest_first { "DESC" } else { "" };
        let rows = sqlx::query(sql!(
            "SELECT id, account, sync_id, at, kind, subject, detail FROM events
             WHERE ($1 IS NULL OR account = $1)
               AND ($2 IS NULL OR substr(kind, 1, length($2)) = $2)
               AND ($3 IS NULL OR sync_id = $3)
               AND ($4 IS NULL OR id > $4)
               AND ($6 IS NULL OR subject = $6)
               AND ($7 IS NULL OR id < $7)
               AND ($8 IS NULL OR at >= $8)
               AND ($9 IS NULL OR at < $9)
               AND ($10 IS NULL OR subject = $10 OR detail LIKE $11 ESCAPE '!')
             ORDER BY id {order} LIMIT $5"
        ))
        .bind(q.account.clone())
        .bind(q.kind_prefix.clone())
        .bind(q.sync_id)
        .bind(q.after_id)
        .bind(q.limit.unwrap_or(1000) as i64)
        .bind(q.subject.clone())
        .bind(q.before_id)
        .bind(rows::ts(q.from))
        .bind(rows::ts(q.until))
        .bind(q.person.clone())
        // A grant's detail is compact JSON: `{"principal":"user:7",...}`.
        .bind(
            q.person.as_ref().map(|p| like_contains(&format!("\"principal\":{}", serde_json::Value::from(p.as_str())))),
        )
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

#[async_trait::async_trait]
impl crate::SnapshotStore for SqlStore {
    async fn account_snapshot(&self, sync_id: i64) -> Result<Option<AccountRecord>> {
        self.account_snapshot_impl(sync_id).await
    }

    async fn users(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>> {
        self.users_impl(sync_id, q).await
    }

    async fn count_users(&self, sync_id: i64, q: &UserQuery) -> Result<i64> {
        self.count_users_impl(sync_id, q).await
    }

    async fn users_counted(&self, sync_id: i64, q: &UserQuery) -> Result<(Vec<UserRecord>, i64)> {
        self.users_counted_impl(sync_id, q).await
    }

    async fn user_anchors(&self, sync_id: i64, q: &UserQuery, stride: u64) -> Result<Vec<String>> {
        self.user_anchors_impl(sync_id, q, stride).await
    }

    async fn list_lengths(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ListLength>> {
        self.list_lengths_impl(sync_id, rtype).await
    }

    async fn find_user(&self, sync_id: i64, id_or_email: &str) -> Result<Option<UserRecord>> {
        self.find_user_impl(sync_id, id_or_email).await
    }

    async fn resources(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ResourceRecord>> {
        self.resources_impl(sync_id, rtype).await
    }

    async fn resource_ids(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<String>> {
        self.resource_ids_impl(sync_id, rtype).await
    }

    async fn resource(&self, sync_id: i64, rtype: ResourceType, id: &str) -> Result<Option<ResourceRecord>> {
        self.resource_impl(sync_id, rtype, id).await
    }

    async fn users_among(&self, sync_id: i64, ids: &[String]) -> Result<Vec<UserRecord>> {
        self.users_among_impl(sync_id, ids).await
    }

    async fn resources_among(&self, sync_id: i64, rtype: ResourceType, ids: &[String]) -> Result<Vec<ResourceRecord>> {
        self.resources_among_impl(sync_id, rtype, ids).await
    }

    async fn grants_of(&self, sync_id: i64, principal: &Principal) -> Result<Vec<Grant>> {
        self.grants_of_impl(sync_id, principal).await
    }

    async fn grants_on(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>> {
        self.grants_on_impl(sync_id, rtype, rid).await
    }

    async fn all_grants(&self, sync_id: i64) -> Result<Vec<Grant>> {
        self.all_grants_impl(sync_id).await
    }

    async fn left_teams(&self, sync_id: i64) -> Result<Vec<(String, String)>> {
        self.left_teams_impl(sync_id).await
    }

    async fn counts(&self, sync_id: i64) -> Result<Counts> {
        self.counts_impl(sync_id).await
    }

    async fn member_counts(
        &self,
        sync_id: i64,
        rtype: ResourceType,
    ) -> Result<std::collections::HashMap<String, MemberCounts>> {
        self.member_counts_impl(sync_id, rtype).await
    }

    async fn sod_result(&self, sync_id: i64, rules: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT violations FROM sod_results WHERE sync_id = $1 AND rules = $2")
            .bind(sync_id)
            .bind(rules)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read sod result"))
    }

    async fn put_sod_result(&self, sync_id: i64, rules: &str, violations: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO sod_results (sync_id, rules, violations) VALUES ($1, $2, $3)
             ON CONFLICT (sync_id, rules) DO UPDATE SET violations = excluded.violations",
        )
        .bind(sync_id)
        .bind(rules)
        .bind(violations)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("record sod result"))?;
        Ok(())
    }
}

/// "Contains `text`", as a LIKE pattern (with `ESCAPE '!'`) with its wildcards escaped.
fn like_contains(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '!' | '%' | '_' => vec!['!', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full name is looked for in names alone on both stores; text without whitespace in
    /// e-mails and names; an e-mail search in e-mails alone.
    #[test]
    fn whitespace_keeps_a_search_to_names() {
        for postgres in [true, false] {
            let clauses = |text: &str, f: Fields| {
                // Each clause with its value: SQLite's FTS5 expression names its column.
                text_match(postgres, text, f)
                    .into_iter()
                    .map(|(c, v)| format!("{c} [{v}]"))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            };
            let full = clauses("Ana Silva", Fields::EmailOrName);
            assert!(!full.contains("email_lower"), "{postgres}: {full}");
            assert!(full.contains("name"), "{postgres}: {full}");
            let one = clauses("silva", Fields::EmailOrName);
            assert!(one.contains("email_lower") || one.contains("[\"silva\"]"), "{postgres}: {one}");
            assert!(!clauses("ana silva", Fields::Email).contains("name"), "{postgres}");
        }
        // SQLite's FTS5 expression names the column.
        assert_eq!(text_match(false, "Ana Silva", Fields::EmailOrName)[0].1, "name : \"ana silva\"");
    }
}
