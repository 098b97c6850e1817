//! Workspaces with user and team members and owners. Member lists are paged inside each
//! workspace: the workspaces with a list that fills its page are read to the end together.

use std::collections::HashMap;

use futures::{Stream, StreamExt, TryStreamExt};

use crate::client::{parse_id, Client};
use crate::error::Error;
use crate::ids;
use crate::models::{sorted, time, Workspace};
use crate::nested::{completed_in_windows, ListLengths, NestedPlan};
use crate::pager::pages_ahead;
use crate::queries::{workspace_ids, workspace_members, workspaces, WorkspaceIds, WorkspaceMembers, Workspaces};

/// Member-list page inside the workspaces query (monday.com's default is 25).
const NESTED: u32 = 25;
/// Member-list page when reading one workspace's long lists.
const NESTED_FULL: u32 = 500;
/// A workspace not seen before whose member list filled the inline limit is re-read at 100
/// first, then doubling (see [`NestedPlan::next_page`]): most such lists hold under 100, and
/// 500 from the start charged each for 2,000 member slots.
const NESTED_UNKNOWN: u32 = 100;
/// Pages of workspaces whose long member lists are re-read together.
const COMPLETION_WINDOW: usize = 8;
/// Pages of one nested list at most: a server that never ends a list is refused, not followed.
const MAX_LIST_PAGES: u32 = 10_000;
/// Which workspaces to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Only active ones (monday.com's default).
    #[default]
    Active,
    /// Archived only.
    Archived,
    /// Deleted only.
    Deleted,
    /// Every state.
    All,
}

impl StateFilter {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StateFilter::Active => "active",
            StateFilter::Archived => "archived",
            StateFilter::Deleted => "deleted",
            StateFilter::All => "all",
        }
    }
}

fn ids_of<I: IntoIterator<Item = Option<String>>>(list: Option<I>, what: &str) -> Result<Vec<u64>, Error> {
    list.into_iter().flatten().flatten().map(|id| parse_id(&id, what)).collect()
}

impl Client {
    /// Streams every workspace in `state`, with complete member lists.
    pub fn workspaces(&self, state: StateFilter) -> impl Stream<Item = Result<Vec<Workspace>, Error>> + '_ {
        self.workspaces_from(state, 0, None, ListLengths::default())
    }

    /// The same, skipping the first `offset` workspaces (to resume an interrupted read), with
    /// the list's `expected` length if known (as [`Client::users_from`]) and each workspace's
    /// longest member list at the previous read (the nested limits are chosen from it). With
    /// `expected` the pages stop at that length: workspaces past it (the list grew) are for the
    /// caller's id sweep ([`Client::workspace_ids`], then [`Client::workspaces_by_ids`]).
    pub fn workspaces_from(
        &self,
        state: StateFilter,
        offset: u64,
        expected: Option<u64>,
        members: ListLengths,
    ) -> impl Stream<Item = Result<Vec<Workspace>, Error>> + '_ {
        let plan = NestedPlan::new(members, 4, self.config().workspaces_page, (NESTED, NESTED_UNKNOWN, NESTED_FULL));
        let inline = plan.inline;
        let page_size = self.config().workspaces_page;
        let read =
            pages_ahead(page_size, offset, self.ahead(expected), expected, true, move |limit, page| async move {
                self.workspace_page(state, None, limit, page, inline).await
            });
        completed_in_windows(read, COMPLETION_WINDOW, move |list| {
            let plan = plan.clone();
            async move { self.complete_workspaces(list, &plan).await }
        })
    }

    /// The ids of every workspace in `state` (500 a page, up to eight pages a request; see
    /// `ids.rs`), with the list's `expected` length if known: what a sync compares with what its
    /// pages brought, since a list that changes while it is paged can shift a workspace past a
    /// page boundary.
    pub async fn workspace_ids(&self, state: StateFilter, expected: Option<u64>) -> Result<Vec<u64>, Error> {
        ids::listed(ids::PAGE, expected, |first, count| self.workspace_id_pages(state, first, count)).await
    }

    /// `count` pages of workspace ids from page `first` on, in one request.
    pub(crate) async fn workspace_id_pages(
        &self,
        state: StateFilter,
        first: u32,
        count: u32,
    ) -> Result<Vec<Vec<u64>>, Error> {
        let vars = ids::with_pages!(
            workspace_ids::Variables { limit: ids::PAGE.into(), state: Some(crate::boards::gql_enum(state.as_str())?) },
            first,
            count
        );
        let d = self.query::<WorkspaceIds>(&format!("WorkspaceIds/{count}"), vars).await?;
        let pages = [d.p1, d.p2, d.p3, d.p4, d.p5, d.p6, d.p7, d.p8];
        pages
            .into_iter()
            .take(count as usize)
            .map(|page| ids::parsed(page, |w| w.id.unwrap_or_default(), "workspace"))
            .collect()
    }

    /// The workspaces in `state` with these ids, complete, read by id.
    pub async fn workspaces_by_ids(&self, state: StateFilter, ids: &[u64]) -> Result<Vec<Workspace>, Error> {
        let plan = NestedPlan::new(
            ListLengths::default(),
            4,
            self.config().workspaces_page,
            (NESTED, NESTED_UNKNOWN, NESTED_FULL),
        );
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.config().workspaces_page.max(1) as usize) {
            let limit = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            out.extend(self.workspace_page(state, Some(chunk), limit, 1, plan.inline).await?);
        }
        self.complete_workspaces(out, &plan).await
    }

    async fn workspace_page(
        &self,
        state: StateFilter,
        only: Option<&[u64]>,
        limit: u32,
        page: u32,
        inline: u32,
    ) -> Result<Vec<Workspace>, Error> {
        {
            let vars = workspaces::Variables {
                limit: limit.into(),
                page: page.into(),
                state: Some(crate::boards::gql_enum(state.as_str())?),
                ids: only.map(|ids| ids.iter().map(u64::to_string).collect()),
                nested: inline.into(),
            };
            let d = self.query::<Workspaces>(&format!("Workspaces/{limit}"), vars).await?;
            let list = d.workspaces.unwrap_or_default().into_iter().flatten().map(|w| {
                let id = parse_id(w.id.as_deref().unwrap_or(""), "workspace")?;
                let what = format!("workspace {id} member");
                let ws = Workspace {
                    id,
                    name: w.name,
                    kind: w.kind.map(|k| crate::gql_name(&k)),
                    state: w.state.map(|s| crate::gql_name(&s)),
                    description: w.description,
                    created_at: time(w.created_at.as_deref(), &format!("workspace {id} created_at"))?,
                    owners: ids_of(w.owners_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    members: ids_of(w.users_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    team_owners: ids_of(w.team_owners_subscribers.map(|l| l.into_iter().map(|t| Some(t.id))), &what)?,
                    team_members: ids_of(w.teams_subscribers.map(|l| l.into_iter().map(|t| t.map(|t| t.id))), &what)?,
                };
                Ok::<_, Error>(ws)
            });
            list.collect::<Result<_, _>>()
        }
    }

    /// `list` (read with member lists cut at the plan's inline limit) with every list whole:
    /// the workspaces whose lists filled the limit are read again together, one request per
    /// limit group and batch ([`NestedPlan::reread_groups`]). Same order.
    async fn complete_workspaces(&self, mut list: Vec<Workspace>, plan: &NestedPlan) -> Result<Vec<Workspace>, Error> {
        let inline = plan.inline as usize;
        let long = list
            .iter()
            .filter(|w| [&w.owners, &w.members, &w.team_owners, &w.team_members].iter().any(|l| l.len() >= inline))
            .map(|w| w.id);
        let reads = plan.reread_groups(long, 4, self.config().workspaces_page);
        let read: Vec<HashMap<u64, [Vec<u64>; 4]>> = futures::stream::iter(reads)
            .map(|(limit, ids)| self.workspace_members(ids, limit, plan))
            .buffered(self.config().max_concurrency)
            .try_collect()
            .await?;
        let mut read: HashMap<u64, [Vec<u64>; 4]> = read.into_iter().flatten().collect();
        for w in &mut list {
            // A workspace gone since its page keeps what its page said.
            if let Some([o, m, to, tm]) = read.remove(&w.id) {
                (w.owners, w.members, w.team_owners, w.team_members) = (sorted(o), sorted(m), sorted(to), sorted(tm));
            }
        }
        Ok(list)
    }

    /// The whole member lists (owners, members, team owners, teams) of workspaces `ids`,
    /// `limit` a page: the workspaces with a list that fills a page are asked the next.
    async fn workspace_members(
        &self,
        mut ids: Vec<u64>,
        mut limit: u32,
        plan: &NestedPlan,
    ) -> Result<HashMap<u64, [Vec<u64>; 4]>, Error> {
        let mut out: HashMap<u64, [Vec<u64>; 4]> = HashMap::new();
        let mut page = 1;
        for round in 1.. {
            if ids.is_empty() {
                break;
            }
            if round > MAX_LIST_PAGES {
                let detail = format!("a member list longer than {MAX_LIST_PAGES} pages of {limit}");
                return Err(crate::client::malformed("workspace members", detail));
            }
            let vars = workspace_members::Variables {
                ids: ids.iter().map(u64::to_string).collect(),
                count: i64::try_from(ids.len()).unwrap_or(i64::MAX),
                limit: limit.into(),
                page: page.into(),
            };
            let d = self.query::<WorkspaceMembers>(&format!("WorkspaceMembers/{}", ids.len()), vars).await?;
            let mut more = Vec::new();
            for ws in d.workspaces.unwrap_or_default().into_iter().flatten() {
                let id = parse_id(ws.id.as_deref().unwrap_or(""), "workspace")?;
                let what = format!("workspace {id} member");
                let lists = [
                    ids_of(ws.owners_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    ids_of(ws.users_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    ids_of(ws.team_owners_subscribers.map(|l| l.into_iter().map(|t| Some(t.id))), &what)?,
                    ids_of(ws.teams_subscribers.map(|l| l.into_iter().map(|t| t.map(|t| t.id))), &what)?,
                ];
                if lists.iter().any(|l| l.len() >= limit as usize) && ids.contains(&id) {
                    more.push(id);
                }
                let entry = out.entry(id).or_default();
                for (all, l) in entry.iter_mut().zip(lists) {
                    all.extend(l);
                }
            }
            ids = more;
            (limit, page) = plan.next_page(limit, page);
        }
        Ok(out)
    }
}
