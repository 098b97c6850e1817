//! Workspaces with user and team members and owners. Member lists are paged inside each
//! workspace: the workspaces with a list that fills its page are read to the end together.

use std::collections::HashMap;

use futures::Stream;

use crate::client::{parse_id, Client};
use crate::error::Error;
use crate::ids;
use crate::models::{sorted, time, Workspace};
use crate::nested::{completed_in_windows, ListLengths, Nested, NestedPlan, WorkspaceList};
use crate::pager::pages_ahead;
use crate::queries::{workspace_ids, workspace_members, workspaces, WorkspaceIds, WorkspaceMembers, Workspaces};

/// The lists' inline limits when nothing is known (a first sync), in [`WorkspaceList`]'s
/// order: owners, members (monday.com's default page, 25), owning teams, member teams. Owners
/// and teams are a few a workspace [INF]; one limit for all four charged every workspace for
/// four member lists.
const NESTED: [u32; 4] = [5, 25, 5, 5];
/// Member-list page when reading one workspace's long lists.
const NESTED_FULL: u32 = 500;
/// A workspace not seen before whose member list filled the inline limit is re-read at 100
/// first, then doubling (see [`NestedPlan::next_page`]): most such lists hold under 100, and
/// 500 from the start charged each for 2,000 member slots.
const NESTED_UNKNOWN: u32 = 100;
/// Pages of workspaces whose long member lists are re-read together.
const COMPLETION_WINDOW: usize = 8;
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
        let plan = NestedPlan::new(members, &NESTED, self.config().workspaces_page, (NESTED_UNKNOWN, NESTED_FULL));
        let inline: [u32; 4] = std::array::from_fn(|k| plan.inline(k));
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
        ids::listed(ids::PAGE, expected, ids::WORKSPACES_UNKNOWN, |first, count| {
            self.workspace_id_pages(state, first, count)
        })
        .await
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
        let page = self.config().workspaces_page;
        let plan = NestedPlan::new(ListLengths::default(), &NESTED, page, (NESTED_UNKNOWN, NESTED_FULL));
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(page.max(1) as usize) {
            let limit = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            out.extend(self.workspace_page(state, Some(chunk), limit, 1, NESTED).await?);
        }
        self.complete_workspaces(out, &plan).await
    }

    async fn workspace_page(
        &self,
        state: StateFilter,
        only: Option<&[u64]>,
        limit: u32,
        page: u32,
        [owners, members, team_owners, teams]: [u32; 4],
    ) -> Result<Vec<Workspace>, Error> {
        {
            let vars = workspaces::Variables {
                limit: limit.into(),
                page: page.into(),
                state: Some(crate::boards::gql_enum(state.as_str())?),
                ids: only.map(|ids| ids.iter().map(u64::to_string).collect()),
                owners: owners.into(),
                members: members.into(),
                team_owners: team_owners.into(),
                teams: teams.into(),
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

    /// `list` (read with member lists cut at the plan's inline limits) with every list whole:
    /// the lists that filled their limit are read again together, each list alone, one
    /// request per limit group and batch ([`NestedPlan::reread_groups`]). Same order.
    async fn complete_workspaces(&self, mut list: Vec<Workspace>, plan: &NestedPlan) -> Result<Vec<Workspace>, Error> {
        let (page, concurrency) = (self.config().workspaces_page, self.config().max_concurrency);
        plan.complete(&mut list, page, concurrency, |k, limit, ids| self.workspace_members(k, ids, limit, plan))
            .await?;
        for w in &mut list {
            for l in w.lists() {
                *l = sorted(std::mem::take(l));
            }
        }
        Ok(list)
    }

    /// List `list` ([`WorkspaceList`]) of workspaces `ids`, whole, from `limit` a page.
    async fn workspace_members(
        &self,
        list: usize,
        ids: Vec<u64>,
        limit: u32,
        plan: &NestedPlan,
    ) -> Result<HashMap<u64, Vec<u64>>, Error> {
        let asked = |l: WorkspaceList| list == l as usize;
        plan.read_whole(ids, limit, "workspace members", |ids, limit, page| async move {
            let vars = workspace_members::Variables {
                count: i64::try_from(ids.len()).unwrap_or(i64::MAX),
                ids: ids.iter().map(u64::to_string).collect(),
                limit: limit.into(),
                page: page.into(),
                owners: asked(WorkspaceList::Owners),
                members: asked(WorkspaceList::Members),
                team_owners: asked(WorkspaceList::TeamOwners),
                teams: asked(WorkspaceList::TeamMembers),
            };
            let d = self.query::<WorkspaceMembers>(&format!("WorkspaceMembers/{}", ids.len()), vars).await?;
            let mut out = Vec::new();
            for ws in d.workspaces.unwrap_or_default().into_iter().flatten() {
                let id = parse_id(ws.id.as_deref().unwrap_or(""), "workspace")?;
                let what = format!("workspace {id} member");
                let items = match list {
                    0 => ids_of(ws.owners_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    1 => ids_of(ws.users_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    2 => ids_of(ws.team_owners_subscribers.map(|l| l.into_iter().map(|t| Some(t.id))), &what)?,
                    _ => ids_of(ws.teams_subscribers.map(|l| l.into_iter().map(|t| t.map(|t| t.id))), &what)?,
                };
                out.push((id, items));
            }
            Ok(out)
        })
        .await
    }
}

impl Nested<4> for Workspace {
    type Item = u64;
    fn id(&self) -> u64 {
        self.id
    }
    /// In [`WorkspaceList`]'s order.
    fn lists(&mut self) -> [&mut Vec<u64>; 4] {
        [&mut self.owners, &mut self.members, &mut self.team_owners, &mut self.team_members]
    }
}
