//! Workspaces with user and team members and owners. Member lists are paged inside each
//! workspace: a list that fills its page is read to the end with one workspace per query.

use futures::{Stream, StreamExt, TryStreamExt};

use crate::client::{parse_id, Client};
use crate::error::Error;
use crate::models::{sorted, time, Workspace};
use crate::nested::{ListLengths, NestedPlan};
use crate::pager::{pages, pages_ahead};
use crate::queries::{workspace_ids, workspace_members, workspaces, WorkspaceIds, WorkspaceMembers, Workspaces};

/// Member-list page inside the workspaces query (monday.com's default is 25).
const NESTED: u32 = 25;
/// Member-list page when reading one workspace's long lists.
const NESTED_FULL: u32 = 500;
/// Ids per page of the id sweep ([INF] monday.com's largest page for workspaces).
const IDS_PAGE: u32 = 500;

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

fn ids<I: IntoIterator<Item = Option<String>>>(list: Option<I>, what: &str) -> Result<Vec<u64>, Error> {
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
        let plan = NestedPlan::new(members, 4, self.config().workspaces_page, NESTED, NESTED_FULL);
        pages_ahead(self.config().workspaces_page, offset, self.ahead(expected), expected, true, move |limit, page| {
            let plan = plan.clone();
            async move { self.workspace_page(state, None, limit, page, &plan).await }
        })
    }

    /// The ids of every workspace in `state` (one small query per 500): what a sync compares
    /// with what its pages brought, since a list that changes while it is paged can shift a
    /// workspace past a page boundary.
    pub async fn workspace_ids(&self, state: StateFilter) -> Result<Vec<u64>, Error> {
        let pages = pages(IDS_PAGE, 0, move |limit, page| async move {
            let vars = workspace_ids::Variables {
                limit: limit.into(),
                page: page.into(),
                state: Some(crate::boards::gql_enum(state.as_str())?),
            };
            let d = self.query::<WorkspaceIds>(&format!("WorkspaceIds/{limit}"), vars).await?;
            d.workspaces
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|w| parse_id(w.id.as_deref().unwrap_or(""), "workspace"))
                .collect::<Result<Vec<u64>, Error>>()
        });
        let ids: Vec<Vec<u64>> = pages.try_collect().await?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// The workspaces in `state` with these ids, complete, read by id.
    pub async fn workspaces_by_ids(&self, state: StateFilter, ids: &[u64]) -> Result<Vec<Workspace>, Error> {
        let plan = NestedPlan::new(ListLengths::default(), 4, self.config().workspaces_page, NESTED, NESTED_FULL);
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.config().workspaces_page.max(1) as usize) {
            let limit = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            out.extend(self.workspace_page(state, Some(chunk), limit, 1, &plan).await?);
        }
        Ok(out)
    }

    async fn workspace_page(
        &self,
        state: StateFilter,
        only: Option<&[u64]>,
        limit: u32,
        page: u32,
        plan: &NestedPlan,
    ) -> Result<Vec<Workspace>, Error> {
        {
            let vars = workspaces::Variables {
                limit: limit.into(),
                page: page.into(),
                state: Some(crate::boards::gql_enum(state.as_str())?),
                ids: only.map(|ids| ids.iter().map(u64::to_string).collect()),
                nested: plan.inline.into(),
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
                    owners: ids(w.owners_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    members: ids(w.users_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?,
                    team_owners: ids(w.team_owners_subscribers.map(|l| l.into_iter().map(|t| Some(t.id))), &what)?,
                    team_members: ids(w.teams_subscribers.map(|l| l.into_iter().map(|t| t.map(|t| t.id))), &what)?,
                };
                Ok::<_, Error>(ws)
            });
            let list: Vec<Workspace> = list.collect::<Result<_, _>>()?;
            // Lists that filled their page may go on: read those workspaces' lists to the end.
            futures::stream::iter(list.into_iter().map(|w| self.complete_workspace(w, plan)))
                .buffered(self.config().max_concurrency)
                .try_collect()
                .await
        }
    }

    async fn complete_workspace(&self, mut w: Workspace, plan: &NestedPlan) -> Result<Workspace, Error> {
        let full = |l: &Vec<u64>| l.len() >= plan.inline as usize;
        if !(full(&w.owners) || full(&w.members) || full(&w.team_owners) || full(&w.team_members)) {
            return Ok(w);
        }
        let (mut owners, mut members, mut team_owners, mut team_members) = (vec![], vec![], vec![], vec![]);
        let limit = plan.follow_up(w.id);
        for page in 1.. {
            let vars = workspace_members::Variables { id: w.id.to_string(), limit: limit.into(), page: page.into() };
            let d = self.query::<WorkspaceMembers>("WorkspaceMembers", vars).await?;
            let Some(ws) = d.workspaces.unwrap_or_default().into_iter().flatten().next() else { break };
            let what = format!("workspace {} member", w.id);
            let o = ids(ws.owners_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?;
            let m = ids(ws.users_subscribers.map(|l| l.into_iter().map(|u| u.map(|u| u.id))), &what)?;
            let to = ids(ws.team_owners_subscribers.map(|l| l.into_iter().map(|t| Some(t.id))), &what)?;
            let tm = ids(ws.teams_subscribers.map(|l| l.into_iter().map(|t| t.map(|t| t.id))), &what)?;
            let longest = [o.len(), m.len(), to.len(), tm.len()].into_iter().max().unwrap_or(0);
            owners.extend(o);
            members.extend(m);
            team_owners.extend(to);
            team_members.extend(tm);
            if longest < limit as usize {
                break;
            }
        }
        w.owners = sorted(owners);
        w.members = sorted(members);
        w.team_owners = sorted(team_owners);
        w.team_members = sorted(team_members);
        Ok(w)
    }
}
