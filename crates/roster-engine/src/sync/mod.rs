//! A full sync of one account: the account, users, teams, workspaces and boards, fetched
//! concurrently, written page by page with their checkpoints (only what changed), then the snapshot
//! finished (rows no page saw closed, team access brought up to date) and diffed against the previous completed one.

mod account;
mod boards;
mod lease;
mod teams;
mod users;
mod workspaces;

use chrono::Utc;
use monday_api::{BoardFilter, Client, StateFilter};
use roster_core::ResourceType;
use roster_store::{Page, PartProgress, Store, SyncStats};

use crate::error::SyncError;

/// What to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncOptions {
    /// Boards in which states (monday.com's default: active).
    pub board_state: StateFilter,
    /// Workspaces in which states.
    pub workspace_state: StateFilter,
}

/// Told about each page as it is stored (progress bars, logs).
pub trait SyncProgress: Send + Sync {
    /// `items` more of `part` were stored; `total` so far.
    fn page(&self, part: &str, items: usize, total: u64);
    /// `part` is complete.
    fn done(&self, part: &str, total: u64);
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl SyncProgress for NoProgress {
    fn page(&self, _: &str, _: usize, _: u64) {}
    fn done(&self, _: &str, _: u64) {}
}

/// What a finished sync did.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncReport {
    /// The sync.
    pub sync_id: i64,
    /// The account.
    pub account: String,
    /// Whether it continued an interrupted sync.
    pub resumed: bool,
    /// What the snapshot holds.
    pub counts: roster_store::Counts,
    /// Changes since the previous completed sync (none for the first).
    pub events: usize,
    /// The sync it was compared with.
    pub previous: Option<i64>,
    /// Requests sent.
    pub requests: u64,
    /// Complexity points charged.
    pub complexity: u64,
}

/// Where a part stands at the start of this run.
pub(crate) fn start_of(progress: &[PartProgress], part: &str) -> (u64, bool) {
    progress.iter().find(|p| p.part == part).map_or((0, false), |p| (p.next_offset, p.done))
}

/// Writes a page, telling `progress`.
pub(crate) async fn store_page(
    store: &dyn Store,
    sync_id: i64,
    page: Page,
    items: usize,
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    let (part, total, done) = (page.part.clone(), page.next_offset, page.done);
    store.write_page(sync_id, &page).await?;
    if done {
        progress.done(&part, total);
    } else {
        progress.page(&part, items, total);
    }
    Ok(())
}

/// Rows one page of a part becomes.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub users: Vec<roster_core::UserRecord>,
    pub resources: Vec<roster_core::ResourceRecord>,
    pub grants: Vec<roster_core::Grant>,
}

/// Offset paging over a list that changes while it is read can skip an object: one archived or
/// deleted before the current page shifts the rest back by one. `listed` is the listing taken
/// before the pages (`None` when the pages were done by an earlier attempt): when the pages
/// brought exactly the objects it names, nothing moved and no other query is sent. Otherwise
/// (and without it) `list` gives the ids of every object the filter selects and `read` reads
/// the ones the pages missed by id; repeated (at most three rounds) until a fresh listing finds
/// none missing, so an object that existed throughout the sync is in its snapshot. Returns how
/// many were found this way.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn sweep_part<L, LF, R, RF>(
    store: &dyn Store,
    sync_id: i64,
    (rtype, part): (roster_core::ResourceType, &'static str),
    listed: Option<Vec<u64>>,
    list: L,
    read: R,
    progress: &dyn SyncProgress,
) -> Result<usize, SyncError>
where
    L: Fn() -> LF,
    LF: std::future::Future<Output = Result<Vec<u64>, monday_api::Error>>,
    R: Fn(Vec<u64>) -> RF,
    RF: std::future::Future<Output = Result<(Rows, usize), monday_api::Error>>,
{
    use std::collections::HashSet;
    let api = |source| SyncError::Api { part, source };
    let mut found = 0;
    let mut before = listed;
    for _round in 0..3 {
        let (listed, fresh) = match before.take() {
            Some(l) => (l, false),
            None => (list().await.map_err(api)?, true),
        };
        let stored: HashSet<String> = store.resource_ids(sync_id, rtype).await?.into_iter().collect();
        let listed: HashSet<u64> = listed.into_iter().collect();
        let mut missing: Vec<u64> = listed.iter().copied().filter(|id| !stored.contains(&id.to_string())).collect();
        // A listing from before the pages that names exactly what they brought: the list did
        // not move. One that differs (an object it lacks was stored) is listed again.
        if missing.is_empty() && (fresh || stored.len() == listed.len()) {
            break;
        }
        if missing.is_empty() {
            continue;
        }
        missing.sort_unstable();
        tracing::info!(
            sync_id,
            part,
            missing = missing.len(),
            "objects shifted past a page boundary; reading them by id"
        );
        let (Rows { users, resources, grants }, n) = read(missing).await.map_err(api)?;
        found += n;
        let page = Page { part: format!("{part}:sweep"), users, resources, grants, done: true, ..Page::default() };
        store_page(store, sync_id, page, n, progress).await?;
    }
    Ok(found)
}

/// Reads the pages of `part` from `offset`, storing each with the offset it reached, and a last
/// empty page that marks the part done. `defer` says, page by page, whether the page leaves its
/// rows through teams to the finish (`Page::defer_team_access`).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn paged_part<T, S>(
    store: &dyn Store,
    sync_id: i64,
    part: &'static str,
    mut offset: u64,
    pages: S,
    to_rows: impl Fn(&[T]) -> Rows,
    defer: &(dyn Fn() -> bool + Sync),
    progress: &dyn SyncProgress,
) -> Result<(), SyncError>
where
    S: futures::Stream<Item = Result<Vec<T>, monday_api::Error>>,
{
    use futures::StreamExt;
    let mut pages = std::pin::pin!(pages);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|source| SyncError::Api { part, source })?;
        let Rows { users, resources, grants } = to_rows(&page);
        offset += page.len() as u64;
        let rows = Page {
            part: part.into(),
            users,
            resources,
            grants,
            next_offset: offset,
            defer_team_access: defer(),
            ..Page::default()
        };
        store_page(store, sync_id, rows, page.len(), progress).await?;
    }
    store_page(
        store,
        sync_id,
        Page { part: part.into(), next_offset: offset, done: true, ..Page::default() },
        0,
        progress,
    )
    .await
}

pub use lease::{holder_id, SyncLease};

/// Each resource of `rtype`'s nested lists' lengths in snapshot `previous` (none: nothing
/// known), numbered by `list_of(is a team list, entitlement)`.
async fn list_lengths(
    store: &dyn Store,
    previous: Option<i64>,
    rtype: ResourceType,
    list_of: fn(bool, &str) -> Option<usize>,
) -> Result<monday_api::ListLengths, SyncError> {
    let Some(id) = previous else { return Ok(monday_api::ListLengths::default()) };
    let lists = store.list_lengths(id, rtype).await?;
    // A resource id that is not a number, a list monday.com does not page, or a length past
    // u32, is no hint: it is left out.
    Ok(monday_api::ListLengths::new(
        lists
            .into_iter()
            .filter_map(|l| Some((l.rid.parse::<u64>().ok()?, list_of(l.team, &l.slug)?, u32::try_from(l.n).ok()?))),
    ))
}

/// Syncs `account` through `client` into `store`, as the only sync of that account anywhere
/// (this process's lease; see [`sync_account_as`]).
pub async fn sync_account(
    store: &dyn Store,
    client: &Client,
    account: &str,
    opts: &SyncOptions,
    progress: &dyn SyncProgress,
) -> Result<SyncReport, SyncError> {
    sync_account_as(store, client, account, opts, progress, &SyncLease::process()).await
}

/// Syncs `account` holding its lease as `lease.holder`: refused with [`SyncError::Busy`] while
/// another sync of it runs (here or in any process sharing the store).
pub async fn sync_account_as(
    store: &dyn Store,
    client: &Client,
    account: &str,
    opts: &SyncOptions,
    progress: &dyn SyncProgress,
    lease: &SyncLease,
) -> Result<SyncReport, SyncError> {
    // Boxed: a whole sync is a large future, and callers on small stacks (test threads, the
    // scheduler's task) should not carry it inline.
    Box::pin(lease::exclusive(store, account, lease, Box::pin(run(store, client, account, opts, progress)))).await
}

async fn run(
    store: &dyn Store,
    client: &Client,
    account: &str,
    opts: &SyncOptions,
    progress: &dyn SyncProgress,
) -> Result<SyncReport, SyncError> {
    let before = client.metrics();
    // Until a request of this sync pauses for monday.com's budget, the sync is bound by its
    // own work, the store's writer above all: its pages leave their rows through teams to the
    // finish, which writes them all at once for less. Once it pauses, the writer has time
    // between pages and they write those rows as they go, leaving the finish little after
    // the last page (a 100,000-user sync spends the last of five budget windows there).
    let pauses = client.budget_pauses();
    let defer = || client.budget_pauses() == pauses;
    let started = std::time::Instant::now();
    // Where a sync's time goes, for `ROSTER_LOG=roster_engine=debug`.
    let phase = |what: &str| tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "sync: {what}");
    let run = store.begin_sync(account, client.config().api_version.as_str(), Utc::now()).await?;
    let resumed = run.resumed > 0;
    if resumed {
        tracing::info!(account, sync_id = run.id, "resuming an interrupted sync from its checkpoint");
    }
    let parts = store.progress(run.id).await?;
    // How long each list was at the last sync: pages are then asked ahead, never past the end.
    // And how long each board's and workspace's nested lists were: their limits are sized by it.
    let previous = match store.last_completed(account).await? {
        Some(prev) if prev.pruned_at.is_none() => Some(prev.id),
        _ => None,
    };
    let known = match previous {
        Some(id) => Some(store.counts(id).await?),
        None => None,
    };
    let expect = |n: fn(&roster_store::Counts) -> i64| known.as_ref().map(|c| n(c).max(0) as u64);
    let board_teams = list_lengths(store, previous, ResourceType::Board, boards::list_of).await?;
    let workspace_members = list_lengths(store, previous, ResourceType::Workspace, workspaces::list_of).await?;
    // The account and its roles first: a user's role id is a custom role's only if the account
    // says so (one small request, read on a resumed sync too, which starts the id listings of
    // the boards and workspaces whose parts are not done).
    let result = async {
        let listings = monday_api::Listings {
            boards: (!start_of(&parts, "boards").1)
                .then(|| (BoardFilter { state: opts.board_state, ..BoardFilter::default() }, expect(|c| c.boards))),
            workspaces: (!start_of(&parts, "workspaces").1).then(|| (opts.workspace_state, expect(|c| c.workspaces))),
        };
        let mut overview = account::read(client, &listings).await?;
        let (board_ids, workspace_ids) = (overview.board_ids.take(), overview.workspace_ids.take());
        let custom: std::collections::HashSet<u64> = overview.roles.iter().filter(|r| r.custom).map(|r| r.id).collect();
        // A first sync knows no length, but every active member of the account is listed:
        // the pages within their count are asked ahead (a count past ten million is no hint).
        let active =
            overview.account.active_members_count.and_then(|n| u64::try_from(n).ok()).filter(|&n| n <= 10_000_000);
        let users_length = match expect(|c| c.users) {
            Some(n) => Some(monday_api::Length::Exactly(n)),
            None => active.map(monday_api::Length::AtLeast),
        };
        let workspace_plan = (opts.workspace_state, workspace_members, expect(|c| c.workspaces), workspace_ids);
        let board_plan = (opts.board_state, board_teams, expect(|c| c.boards), board_ids);
        let (_, _, _, workspaces, boards) = tokio::try_join!(
            account::sync(store, run.id, &parts, &overview, progress),
            users::sync(store, client, run.id, &parts, users_length, &custom, progress),
            teams::sync(store, client, run.id, &parts, progress),
            workspaces::sync(store, client, run.id, &parts, workspace_plan, &defer, progress),
            boards::sync(store, client, run.id, &parts, board_plan, &defer, progress),
        )?;
        Ok::<_, SyncError>((workspaces, boards))
    }
    .await;
    phase("every part read and written");
    // Lists that changed while they were paged: what the pages missed is read by id.
    let result = match result {
        Ok((workspaces, boards)) => {
            match boards::sweep(store, client, run.id, opts.board_state, boards, progress).await {
                Ok(_) => workspaces::sweep(store, client, run.id, opts.workspace_state, workspaces, progress)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    let attempt = |client: &Client| {
        let after = client.metrics();
        SyncStats {
            requests: (after.requests - before.requests) as i64,
            complexity: (after.complexity - before.complexity) as i64,
        }
    };
    if let Err(e) = result {
        // The partial snapshot stays, marked interrupted: the next sync resumes it, and the
        // last completed snapshot stays the one every read uses. What this attempt cost is
        // kept, so the run's figures are the whole run's.
        store.add_sync_stats(run.id, attempt(client)).await?;
        store.interrupt_sync(run.id, &e.to_string(), Utc::now()).await?;
        return Err(e);
    }
    phase("swept");
    store.finish_snapshot(run.id).await?;
    phase("snapshot finished");
    let previous = store.last_completed(account).await?.map(|r| r.id);
    let mut events = match previous {
        Some(prev) => crate::diff::events_between(store, prev, run.id).await?,
        None => vec![],
    };
    let counts = store.counts(run.id).await?;
    let stats = attempt(client);
    let (requests, complexity) = (stats.requests as u64, stats.complexity as u64);
    // The whole run: earlier attempts of a resumed run, and this one.
    let earlier = store.sync_run(run.id).await?.map_or((0, 0), |r| (r.requests, r.complexity));
    let total = SyncStats { requests: earlier.0 + stats.requests, complexity: earlier.1 + stats.complexity };
    events.push(crate::diff::sync_completed(&counts, previous, resumed, &total));
    phase("compared with the previous snapshot");
    store.complete_sync(run.id, stats, &events, Utc::now()).await?;
    phase("completed");
    if let Some(done) = store.sync_run(run.id).await? {
        crate::provision::confirm_pending(store, &done).await?;
        crate::review::verify_after_sync(store, &done).await?;
    }
    Ok(SyncReport {
        sync_id: run.id,
        account: account.to_string(),
        resumed,
        counts,
        events: events.len() - 1,
        previous,
        requests,
        complexity,
    })
}
