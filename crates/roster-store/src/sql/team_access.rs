//! Access through teams: a team's direct grant on a board or workspace reaches each member of
//! the team, stored as a row of its own for the member whose source is the team (team -1,
//! "everyone", has no member rows and stays a team grant).
//!
//! Kept up to date in two places. A page adds the rows its new grants bring, in the page's own
//! transaction: a team grant this sync added reaches the team's members as they stand, and a
//! membership this sync added reaches the team's grants as they stand. Whichever of the two
//! sides is written second meets the first, so every pair both of whose rows are open gets its
//! row, in whatever order the parts arrive. Only the finish takes rows away (it alone closes
//! grants and memberships no page saw), so it brings up to date only the teams it closed
//! something of: on a first sync, nothing is left for it (at 100,000 users the finish used to
//! write every row through a team after the last page: 14 s).
//!
//! A sync begun before pages added these rows (resumed after an upgrade) is finished the old
//! way: every team whose grants or members the sync touched is brought up to date.

use roster_core::{Grant, PrincipalType, ResourceType};
use sqlx::{Any, Transaction};

use super::writes::{multi_insert, reused};
use super::SqlStore;
use crate::{Result, StoreError};

/// Teams brought up to date per statement.
const TEAMS_PER_STATEMENT: usize = 200;
/// Boards or workspaces whose new team grants one statement expands.
const RESOURCES_PER_STATEMENT: usize = 200;

/// What a row through a team is made of, as selected from a team grant `g` and a membership `m`.
const DERIVED: &str = "INSERT INTO grants (account, from_sync, rtype, rid, slug, ptype, pid, source)
     SELECT g.account, {s}, g.rtype, g.rid, g.slug, 'user', m.pid, 'team:' || g.pid";

/// A team grant `g` and a membership `m` that are both open and of one team.
const PAIRED: &str = "m.account = g.account AND m.to_sync IS NULL AND m.rtype = 'team' AND m.rid = g.pid
       AND m.slug = 'member' AND m.ptype = 'user'
       AND g.to_sync IS NULL AND g.ptype = 'team' AND g.rtype IN ('board', 'workspace') AND g.source = 'direct'";

/// `$i` on PostgreSQL, `?i` on SQLite.
fn place(postgres: bool, i: usize) -> String {
    if postgres {
        format!("${i}")
    } else {
        format!("?{i}")
    }
}

/// PostgreSQL's statement adding the rows through teams for `n` ids (`$first` on, each `t.id`):
/// for each id the open direct team grants `g` that `grants_where` picks, then for each of
/// those the open members `m` of its team (`members_and` narrowing them), each step an
/// index lookup by what the step before found (`LATERAL ... OFFSET 0` keeps that order).
fn paired_from_values(first: usize, n: usize, grants_where: &str, members_and: &str) -> String {
    let rows = (first..first + n).map(|i| format!("(${i})")).collect::<Vec<_>>().join(", ");
    format!(
        "{} FROM (VALUES {rows}) AS t(id)
         CROSS JOIN LATERAL (SELECT g.account, g.rtype, g.rid, g.slug, g.pid FROM grants g
           WHERE g.account = $1 AND {grants_where} AND g.source = 'direct' AND g.to_sync IS NULL OFFSET 0) g
         CROSS JOIN LATERAL (SELECT m.pid FROM grants m
           WHERE m.account = $1 AND m.rtype = 'team' AND m.rid = g.pid AND m.slug = 'member'
             AND m.ptype = 'user' AND m.to_sync IS NULL {members_and} OFFSET 0) m
         ON CONFLICT DO NOTHING",
        DERIVED.replace("{s}", "$2")
    )
}

/// Runs `sql` with `$1` the account, `$2` the sync and `values` after them; kept prepared if
/// `reused`. Returns the rows it changed.
async fn execute(
    tx: &mut Transaction<'_, Any>,
    sql: String,
    reused: bool,
    (account, sync_id): (&str, i64),
    values: &[&str],
    what: &'static str,
) -> Result<u64> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(reused).bind(account).bind(sync_id);
    for v in values {
        q = q.bind(*v);
    }
    Ok(q.execute(&mut **tx).await.map_err(StoreError::query(what))?.rows_affected())
}

/// Adds the rows through teams that `grants` (a page just written by sync `sync_id`) bring:
/// for its team grants on boards and workspaces and its team memberships that this sync added
/// (a grant that was already open had its rows already). With `defer`, the boards and
/// workspaces are recorded for the finish ([`add_deferred`]) instead.
///
/// On PostgreSQL the statements name their plan: each listed id, then its team grants, then
/// the members of each (`LATERAL ... OFFSET 0`), every step an index lookup by the id it is
/// given, and the sync compared as `from_sync + 0` so no index on it is taken. A page is
/// planned from statistics taken while the sync was writing (autovacuum's, or none): told the
/// account had no memberships yet, PostgreSQL read every row this sync had added for each
/// membership of a 100,000-user teams page (173 s for one statement) and, once it knew,
/// every membership of the account for each 200 teams (4 to 8 s a statement).
pub(super) async fn add_for_page(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    account: &str,
    sync_id: i64,
    grants: &[Grant],
    defer: bool,
) -> Result<u64> {
    let mut by_type: [(ResourceType, Vec<&str>); 2] =
        [(ResourceType::Board, vec![]), (ResourceType::Workspace, vec![])];
    let mut teams: Vec<&str> = vec![];
    for g in grants.iter().filter(|g| g.source == roster_core::GrantSource::Direct) {
        let e = &g.entitlement;
        match (e.rtype, g.principal.ptype) {
            (ResourceType::Team, PrincipalType::User) if e.slug == "member" => teams.push(&e.rid),
            (rtype @ (ResourceType::Board | ResourceType::Workspace), PrincipalType::Team) => {
                if let Some((_, rids)) = by_type.iter_mut().find(|(t, _)| *t == rtype) {
                    rids.push(&e.rid);
                }
            }
            _ => {}
        }
    }
    let pairs = !teams.is_empty() || (!defer && by_type.iter().any(|(_, rids)| !rids.is_empty()));
    if postgres && pairs {
        // The two sides of a pair may be written by two pages at once, each on a connection
        // of its own, and a statement sees only what had committed when it began: both
        // would miss the pair. Pages of an account take their turn here, so whichever comes
        // second sees the first (the lock is held until the page commits). SQLite's writer
        // takes its turn for the whole page already.
        sqlx::query("SELECT pg_advisory_xact_lock(7245, hashtext($1))")
            .bind(account)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("wait for the account's access through teams"))?;
    }
    let p = |i| place(postgres, i);
    let (a, s) = (p(1), p(2));
    let mut added = 0;
    for (rtype, mut rids) in by_type {
        rids.sort_unstable();
        rids.dedup();
        for chunk in rids.chunks(RESOURCES_PER_STATEMENT) {
            if defer {
                let cols = ["sync_id", "rtype", "rid"];
                let sql =
                    multi_insert(postgres, "sync_deferred_team_access", &cols, chunk.len(), "ON CONFLICT DO NOTHING");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(reused(chunk.len()));
                for rid in chunk {
                    q = q.bind(sync_id).bind(rtype.as_str()).bind(*rid);
                }
                q.execute(&mut **tx).await.map_err(StoreError::query("record a page's teams for the finish"))?;
                continue;
            }
            // $1 the account, $2 the sync, $3 the resource type, then one per resource.
            let sql = if postgres {
                paired_from_values(
                    4,
                    chunk.len(),
                    "g.rtype = $3 AND g.rid = t.id AND g.from_sync + 0 = $2 AND g.ptype = 'team'",
                    "",
                )
            } else {
                let list = (4..4 + chunk.len()).map(p).collect::<Vec<_>>().join(", ");
                format!(
                    "{} FROM grants g JOIN grants m ON {PAIRED}
                     WHERE g.account = {a} AND g.from_sync = {s} AND g.rtype = {} AND g.rid IN ({list})
                     ON CONFLICT DO NOTHING",
                    DERIVED.replace("{s}", &s),
                    p(3)
                )
            };
            let values: Vec<&str> = std::iter::once(rtype.as_str()).chain(chunk.iter().copied()).collect();
            let reused = !postgres && chunk.len() == RESOURCES_PER_STATEMENT;
            added +=
                execute(tx, sql, reused, (account, sync_id), &values, "add access through the teams of a page").await?;
        }
    }
    teams.sort_unstable();
    teams.dedup();
    for chunk in teams.chunks(TEAMS_PER_STATEMENT) {
        let sql = if postgres {
            paired_from_values(
                3,
                chunk.len(),
                "g.ptype = 'team' AND g.pid = t.id AND g.rtype IN ('board', 'workspace')",
                "AND m.from_sync + 0 = $2",
            )
        } else {
            let list = (3..3 + chunk.len()).map(p).collect::<Vec<_>>().join(", ");
            format!(
                "{} FROM grants m JOIN grants g ON {PAIRED}
                 WHERE m.account = {a} AND m.from_sync = {s} AND m.rid IN ({list})
                 ON CONFLICT DO NOTHING",
                DERIVED.replace("{s}", &s),
            )
        };
        added +=
            execute(tx, sql, false, (account, sync_id), chunk, "add access through the new members of a team").await?;
    }
    Ok(added)
}

/// Adds the rows through teams of the boards and workspaces whose pages left them to the
/// finish (`Page::defer_team_access`), in one statement, and forgets those pages. Written team
/// by team: a team's grants reach the same members, whose index pages are then still in the
/// cache (at 10,000 users 0.49 s against 0.62 s in the order of the boards).
pub(super) async fn add_deferred(tx: &mut Transaction<'_, Any>, account: &str, sync_id: i64) -> Result<u64> {
    let sql = format!(
        "{} FROM sync_deferred_team_access d
         JOIN grants g ON g.account = $1 AND g.rtype = d.rtype AND g.rid = d.rid AND g.from_sync = d.sync_id
         JOIN grants m ON {PAIRED}
         WHERE d.sync_id = $2
         ORDER BY g.pid, m.pid
         ON CONFLICT DO NOTHING",
        DERIVED.replace("{s}", "$2")
    );
    let added = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account)
        .bind(sync_id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("add the access through teams the pages left"))?
        .rows_affected();
    sqlx::query("DELETE FROM sync_deferred_team_access WHERE sync_id = $1")
        .bind(sync_id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("forget the pages' deferred access through teams"))?;
    Ok(added)
}

/// The teams whose rows through them the finish of `sync_id` brings up to date: those it
/// closed a board or workspace grant or a membership of, and, for a sync whose pages did not
/// add their rows (`pages_added` false), also those the sync's pages added one to.
pub(super) async fn touched_teams(
    tx: &mut Transaction<'_, Any>,
    account: &str,
    sync_id: i64,
    pages_added: bool,
) -> Result<Vec<String>> {
    let closed = "SELECT pid FROM grants WHERE account = $1 AND to_sync = $2
           AND ptype = 'team' AND rtype IN ('board', 'workspace') AND source = 'direct'
         UNION SELECT rid FROM grants WHERE account = $1 AND to_sync = $2
           AND rtype = 'team' AND slug = 'member' AND ptype = 'user'";
    let added = " UNION SELECT pid FROM grants WHERE account = $1 AND from_sync = $2
           AND ptype = 'team' AND rtype IN ('board', 'workspace') AND source = 'direct'
         UNION SELECT rid FROM grants WHERE account = $1 AND from_sync = $2
           AND rtype = 'team' AND slug = 'member' AND ptype = 'user'";
    let sql = if pages_added { closed.to_string() } else { format!("{closed}{added}") };
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(account)
        .bind(sync_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(StoreError::query("find the teams that changed"))
}

impl SqlStore {
    /// Whether pages of `sync_id` left access through teams to the finish.
    pub(super) async fn any_deferred(&self, sync_id: i64) -> Result<bool> {
        let n: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sync_deferred_team_access WHERE sync_id = $1 LIMIT 1")
            .bind(sync_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("find the pages' deferred access through teams"))?;
        Ok(n.is_some())
    }

    /// Brings the rows through `teams` up to date: rows that no longer apply are ended, the
    /// missing ones added.
    pub(super) async fn expand_teams(
        &self,
        tx: &mut Transaction<'_, Any>,
        account: &str,
        sync_id: i64,
        teams: &[String],
    ) -> Result<u64> {
        let mut changed = 0;
        for teams in teams.chunks(TEAMS_PER_STATEMENT) {
            changed += expand_some(tx, self.postgres, (account, sync_id), teams).await?;
        }
        Ok(changed)
    }
}

/// [`SqlStore::expand_teams`] for up to [`TEAMS_PER_STATEMENT`] teams.
async fn expand_some(
    tx: &mut Transaction<'_, Any>,
    postgres: bool,
    (account, sync_id): (&str, i64),
    teams: &[String],
) -> Result<u64> {
    let sources: Vec<String> = teams.iter().map(|t| format!("team:{t}")).collect();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let p = |i: usize| place(postgres, i);
    // $1 the account, $2 the sync, then one per team.
    let (a, s) = (p(1), p(2));
    let list = (3..3 + teams.len()).map(p).collect::<Vec<_>>().join(", ");
    // A row through team T on (rtype, rid, slug) for user U applies while T holds that
    // grant directly and U is T's member.
    let applies = "EXISTS (SELECT 1 FROM grants g WHERE g.account = grants.account AND g.to_sync IS NULL
             AND g.rtype = grants.rtype AND g.rid = grants.rid AND g.slug = grants.slug
             AND g.ptype = 'team' AND g.pid = substr(grants.source, 6) AND g.source = 'direct')
         AND EXISTS (SELECT 1 FROM grants m WHERE m.account = grants.account AND m.to_sync IS NULL
             AND m.rtype = 'team' AND m.rid = substr(grants.source, 6) AND m.slug = 'member'
             AND m.ptype = 'user' AND m.pid = grants.pid)";
    let mut changed = 0;
    // On PostgreSQL each statement is planned for its own teams (not prepared): a plan
    // cached for the statement found the rows through a team by the account alone and
    // read every such row for each 200 teams (2.1 to 2.8 s a statement at 100,000 users).
    // A row this sync added is deleted, an older one closed (as `delta::retire` does).
    for (head, op) in
        [("DELETE FROM grants WHERE".to_string(), "="), (format!("UPDATE grants SET to_sync = {s} WHERE"), "<")]
    {
        let sql = format!(
            "{head} account = {a} AND to_sync IS NULL AND source <> 'direct' AND from_sync {op} {s}
             AND source IN ({list}) AND NOT ({applies})"
        );
        changed += execute(tx, sql, !postgres, (account, sync_id), &sources, "end access through a team").await?;
    }
    let sql = format!(
        "{} FROM grants g JOIN grants m ON {PAIRED}
         WHERE g.account = {a} AND g.pid IN ({list})
         ON CONFLICT DO NOTHING",
        DERIVED.replace("{s}", &s)
    );
    let teams: Vec<&str> = teams.iter().map(String::as_str).collect();
    changed += execute(tx, sql, !postgres, (account, sync_id), &teams, "add access through a team").await?;
    Ok(changed)
}
