//! Boards with owners, subscribers and team subscribers. Owners and subscribers come whole
//! (monday.com does not page them); team lists are paged inside each board, and a list that
//! fills its page is read to the end with one board per query.

use futures::{Stream, StreamExt, TryStreamExt};

use crate::client::{parse_id, parse_team_id, Client};
use crate::error::Error;
use crate::models::{sorted, time, Board};
use crate::nested::{ListLengths, NestedPlan};
use crate::pager::{pages, pages_ahead};
use crate::queries::{board_ids, board_teams, boards, BoardIds, BoardTeams, Boards};
use crate::workspaces::StateFilter;

const NESTED: u32 = 25;

/// A generated GraphQL enum from its name; an unknown name is refused before anything is sent.
pub(crate) fn gql_enum<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, Error> {
    serde_json::from_value(serde_json::json!(name))
        .map_err(|e| crate::client::malformed("filter", format!("{name:?}: {e}")))
}
const NESTED_FULL: u32 = 100;
/// Ids per page of the id sweep ([INF] monday.com's largest page for boards).
const IDS_PAGE: u32 = 500;

/// Which boards to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BoardFilter {
    /// Active, archived, deleted or all.
    pub state: StateFilter,
    /// `public`, `private` or `share`; all when `None`.
    pub kind: Option<String>,
    /// Only boards in these workspaces.
    pub workspace_ids: Option<Vec<u64>>,
}

impl Client {
    /// Streams every board the filter selects, with complete member lists.
    pub fn boards(&self, filter: BoardFilter) -> impl Stream<Item = Result<Vec<Board>, Error>> + '_ {
        self.boards_from(filter, 0, None, ListLengths::default())
    }

    /// The same, skipping the first `offset` boards (to resume an interrupted read), with the
    /// list's `expected` length if known (as [`Client::users_from`]) and each board's longest
    /// team list at the previous read (the nested limits are chosen from it). With `expected`
    /// the pages stop at that length: boards past it (the list grew) are for the caller's id
    /// sweep ([`Client::board_ids`], then [`Client::boards_by_ids`]), as the engine does.
    pub fn boards_from(
        &self,
        filter: BoardFilter,
        offset: u64,
        expected: Option<u64>,
        teams: ListLengths,
    ) -> impl Stream<Item = Result<Vec<Board>, Error>> + '_ {
        let plan = NestedPlan::new(teams, 2, self.config().boards_page, NESTED, NESTED_FULL);
        pages_ahead(self.config().boards_page, offset, self.ahead(expected), expected, true, move |limit, page| {
            let (filter, plan) = (filter.clone(), plan.clone());
            async move { self.board_page(&filter, None, limit, page, &plan).await }
        })
    }

    /// The ids of every board the filter selects (one small query per 500): what a sync
    /// compares with what its pages brought, since a list that changes while it is paged can
    /// shift a board past a page boundary.
    pub async fn board_ids(&self, filter: &BoardFilter) -> Result<Vec<u64>, Error> {
        let pages = pages(IDS_PAGE, 0, move |limit, page| {
            let filter = filter.clone();
            async move {
                let vars = board_ids::Variables {
                    limit: limit.into(),
                    page: page.into(),
                    state: Some(gql_enum(filter.state.as_str())?),
                    kind: filter.kind.as_deref().map(gql_enum).transpose()?,
                    workspaces: filter
                        .workspace_ids
                        .as_ref()
                        .map(|ids| ids.iter().map(|i| Some(i.to_string())).collect()),
                };
                let d = self.query::<BoardIds>(&format!("BoardIds/{limit}"), vars).await?;
                d.boards.unwrap_or_default().into_iter().flatten().map(|b| parse_id(&b.id, "board")).collect()
            }
        });
        let ids: Vec<Vec<u64>> = pages.try_collect().await?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// The boards with these ids that the filter selects, complete, read by id.
    pub async fn boards_by_ids(&self, filter: &BoardFilter, ids: &[u64]) -> Result<Vec<Board>, Error> {
        let plan = NestedPlan::new(ListLengths::default(), 2, self.config().boards_page, NESTED, NESTED_FULL);
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.config().boards_page.max(1) as usize) {
            let limit = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            out.extend(self.board_page(filter, Some(chunk), limit, 1, &plan).await?);
        }
        Ok(out)
    }

    async fn board_page(
        &self,
        filter: &BoardFilter,
        ids: Option<&[u64]>,
        limit: u32,
        page: u32,
        plan: &NestedPlan,
    ) -> Result<Vec<Board>, Error> {
        let vars = boards::Variables {
            limit: limit.into(),
            page: page.into(),
            state: Some(gql_enum(filter.state.as_str())?),
            kind: filter.kind.as_deref().map(gql_enum).transpose()?,
            workspaces: filter.workspace_ids.as_ref().map(|ids| ids.iter().map(|i| Some(i.to_string())).collect()),
            ids: ids.map(|ids| ids.iter().map(u64::to_string).collect()),
            nested: plan.inline.into(),
        };
        let d = self.query::<Boards>(&format!("Boards/{limit}"), vars).await?;
        let list = d.boards.unwrap_or_default().into_iter().flatten().map(|b| {
            let id = parse_id(&b.id, "board")?;
            let what = format!("board {id} member");
            let users = |l: Vec<Option<String>>| {
                l.into_iter().flatten().map(|u| parse_id(&u, &what)).collect::<Result<Vec<_>, _>>()
            };
            let teams = |l: Option<Vec<String>>| {
                l.unwrap_or_default().iter().map(|t| parse_team_id(t, &what)).collect::<Result<Vec<_>, _>>()
            };
            Ok::<_, Error>(Board {
                id,
                name: b.name,
                kind: crate::gql_name(&b.board_kind),
                state: crate::gql_name(&b.state),
                workspace_id: b
                    .workspace_id
                    .as_deref()
                    .map(|w| parse_id(w, &format!("board {id} workspace")))
                    .transpose()?,
                permissions: b.permissions,
                creator_id: parse_id(&b.creator.id, &format!("board {id} creator"))?,
                created_at: time(b.created_at.as_deref(), &format!("board {id} created_at"))?,
                updated_at: time(b.updated_at.as_deref(), &format!("board {id} updated_at"))?,
                owners: sorted(users(b.owners.into_iter().map(|u| u.map(|u| u.id)).collect())?),
                subscribers: sorted(users(b.subscribers.into_iter().map(|u| u.map(|u| u.id)).collect())?),
                team_owners: teams(b.team_owners.map(|l| l.into_iter().map(|t| t.id).collect()))?,
                team_subscribers: teams(b.team_subscribers.map(|l| l.into_iter().map(|t| t.id).collect()))?,
            })
        });
        let list: Vec<Board> = list.collect::<Result<_, _>>()?;
        futures::stream::iter(list.into_iter().map(|b| self.complete_board(b, plan)))
            .buffered(self.config().max_concurrency)
            .try_collect()
            .await
    }

    async fn complete_board(&self, mut b: Board, plan: &NestedPlan) -> Result<Board, Error> {
        let inline = plan.inline as usize;
        if b.team_owners.len() < inline && b.team_subscribers.len() < inline {
            b.team_owners = sorted(b.team_owners);
            b.team_subscribers = sorted(b.team_subscribers);
            return Ok(b);
        }
        let (mut owners, mut subscribers) = (vec![], vec![]);
        let limit = plan.follow_up(b.id);
        for page in 1.. {
            let vars = board_teams::Variables { id: b.id.to_string(), limit: limit.into(), page: page.into() };
            let d = self.query::<BoardTeams>("BoardTeams", vars).await?;
            let Some(board) = d.boards.unwrap_or_default().into_iter().flatten().next() else { break };
            let what = format!("board {} team", b.id);
            let o = board
                .team_owners
                .unwrap_or_default()
                .iter()
                .map(|t| parse_team_id(&t.id, &what))
                .collect::<Result<Vec<_>, _>>()?;
            let s = board
                .team_subscribers
                .unwrap_or_default()
                .iter()
                .map(|t| parse_team_id(&t.id, &what))
                .collect::<Result<Vec<_>, _>>()?;
            let longest = o.len().max(s.len());
            owners.extend(o);
            subscribers.extend(s);
            if longest < limit as usize {
                break;
            }
        }
        b.team_owners = sorted(owners);
        b.team_subscribers = sorted(subscribers);
        Ok(b)
    }
}
