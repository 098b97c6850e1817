//! Boards with owners, subscribers and team subscribers. Owners and subscribers come whole
//! (monday.com does not page them); team lists are paged inside each board, and the boards
//! whose list fills its page are read to the end together, a window of pages at a time.

use std::collections::HashMap;

use futures::Stream;

use crate::client::{parse_id, parse_team_id, Client};
use crate::error::Error;
use crate::ids;
use crate::models::{sorted, time, Board};
use crate::nested::{completed_in_windows, BoardList, ListLengths, Nested, NestedPlan};
use crate::pager::pages_ahead;
use crate::queries::{board_ids, board_teams, boards, BoardIds, BoardTeams, Boards};
use crate::workspaces::StateFilter;

/// The team lists' inline limits when nothing is known of the boards (a first sync), team
/// owners then team subscribers: monday.com boards hold few teams (a board allows 100 [C]; 99 %
/// of a generated org's, like the accounts the issue measured, have fewer than 5), and fewer
/// own one (the owning teams are among the subscribed ones; a generated board has one at
/// most) [INF]. The few lists that fill their limit are read again together, alone. 25 charged
/// 2,000 boards for 42,000 team slots a page of 100 they did not have.
const NESTED: [u32; 2] = [2, 5];
/// Pages of boards whose long team lists are re-read together.
const COMPLETION_WINDOW: usize = 32;

/// A generated GraphQL enum from its name; an unknown name is refused before anything is sent.
pub(crate) fn gql_enum<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, Error> {
    serde_json::from_value(serde_json::json!(name))
        .map_err(|e| crate::client::malformed("filter", format!("{name:?}: {e}")))
}
const NESTED_FULL: u32 = 100;
/// A board not seen before whose team list filled the inline limit is re-read at the full
/// 100 at once: one request, where doubling from 20 took three for a list of 60.
const NESTED_UNKNOWN: u32 = NESTED_FULL;
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

impl BoardFilter {
    /// The workspace ids as the documents take them.
    pub(crate) fn workspaces(&self) -> Option<Vec<Option<String>>> {
        self.workspace_ids.as_ref().map(|ids| ids.iter().map(|i| Some(i.to_string())).collect())
    }
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
        let plan = NestedPlan::new(teams, &NESTED, self.config().boards_page, (NESTED_UNKNOWN, NESTED_FULL));
        let inline = [plan.inline(BoardList::TeamOwners as usize), plan.inline(BoardList::TeamSubscribers as usize)];
        let read =
            pages_ahead(self.config().boards_page, offset, self.ahead(expected), expected, true, move |limit, page| {
                let filter = filter.clone();
                async move { self.board_page(&filter, None, limit, page, inline).await }
            });
        completed_in_windows(read, COMPLETION_WINDOW, move |boards| {
            let plan = plan.clone();
            async move { self.complete_boards(boards, &plan).await }
        })
    }

    /// The ids of every board the filter selects (500 a page, up to eight pages a request; see
    /// `ids.rs`), with the list's `expected` length if known: what a sync compares with what its
    /// pages brought, since a list that changes while it is paged can shift a board past a page
    /// boundary.
    pub async fn board_ids(&self, filter: &BoardFilter, expected: Option<u64>) -> Result<Vec<u64>, Error> {
        ids::listed(ids::PAGE, expected, ids::BOARDS_UNKNOWN, |first, count| self.board_id_pages(filter, first, count))
            .await
    }

    /// `count` pages of board ids from page `first` on, in one request.
    pub(crate) async fn board_id_pages(
        &self,
        filter: &BoardFilter,
        first: u32,
        count: u32,
    ) -> Result<Vec<Vec<u64>>, Error> {
        let vars = ids::with_pages!(
            board_ids::Variables {
                limit: ids::PAGE.into(),
                state: Some(gql_enum(filter.state.as_str())?),
                kind: filter.kind.as_deref().map(gql_enum).transpose()?,
                workspaces: filter.workspaces(),
            },
            first,
            count
        );
        let d = self.query::<BoardIds>(&format!("BoardIds/{count}"), vars).await?;
        let pages = [d.p1, d.p2, d.p3, d.p4, d.p5, d.p6, d.p7, d.p8];
        pages.into_iter().take(count as usize).map(|page| ids::parsed(page, |b| b.id, "board")).collect()
    }

    /// The boards with these ids that the filter selects, complete, read by id.
    pub async fn boards_by_ids(&self, filter: &BoardFilter, ids: &[u64]) -> Result<Vec<Board>, Error> {
        let plan =
            NestedPlan::new(ListLengths::default(), &NESTED, self.config().boards_page, (NESTED_UNKNOWN, NESTED_FULL));
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.config().boards_page.max(1) as usize) {
            let limit = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            out.extend(self.board_page(filter, Some(chunk), limit, 1, NESTED).await?);
        }
        self.complete_boards(out, &plan).await
    }

    async fn board_page(
        &self,
        filter: &BoardFilter,
        ids: Option<&[u64]>,
        limit: u32,
        page: u32,
        [team_owners, team_subscribers]: [u32; 2],
    ) -> Result<Vec<Board>, Error> {
        let vars = boards::Variables {
            limit: limit.into(),
            page: page.into(),
            state: Some(gql_enum(filter.state.as_str())?),
            kind: filter.kind.as_deref().map(gql_enum).transpose()?,
            workspaces: filter.workspaces(),
            ids: ids.map(|ids| ids.iter().map(u64::to_string).collect()),
            team_owners: team_owners.into(),
            team_subscribers: team_subscribers.into(),
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
        list.collect::<Result<_, _>>()
    }

    /// `boards` (read with team lists cut at the plan's inline limits) with every list whole:
    /// the lists that filled their limit are read again together, each list alone, one
    /// request per limit group and page of 100 boards ([`NestedPlan::reread_groups`]). Same
    /// order.
    async fn complete_boards(&self, mut boards: Vec<Board>, plan: &NestedPlan) -> Result<Vec<Board>, Error> {
        let (page, concurrency) = (self.config().boards_page, self.config().max_concurrency);
        plan.complete(&mut boards, page, concurrency, |list, limit, ids| self.board_teams(list, ids, limit, plan))
            .await?;
        for b in &mut boards {
            b.team_owners = sorted(std::mem::take(&mut b.team_owners));
            b.team_subscribers = sorted(std::mem::take(&mut b.team_subscribers));
        }
        Ok(boards)
    }

    /// List `list` ([`BoardList`]) of boards `ids`, whole, from `limit` teams a page.
    async fn board_teams(
        &self,
        list: usize,
        ids: Vec<u64>,
        limit: u32,
        plan: &NestedPlan,
    ) -> Result<HashMap<u64, Vec<i128>>, Error> {
        let owners = list == BoardList::TeamOwners as usize;
        plan.read_whole(ids, limit, "board teams", |ids, limit, page| async move {
            let vars = board_teams::Variables {
                count: i64::try_from(ids.len()).unwrap_or(i64::MAX),
                ids: ids.iter().map(u64::to_string).collect(),
                limit: limit.into(),
                page: page.into(),
                owners,
                subscribers: !owners,
            };
            let d = self.query::<BoardTeams>(&format!("BoardTeams/{}", ids.len()), vars).await?;
            let mut out = Vec::new();
            for board in d.boards.unwrap_or_default().into_iter().flatten() {
                let id = parse_id(&board.id, "board")?;
                let what = format!("board {id} team");
                let teams: Vec<String> = if owners {
                    board.team_owners.unwrap_or_default().into_iter().map(|t| t.id).collect()
                } else {
                    board.team_subscribers.unwrap_or_default().into_iter().map(|t| t.id).collect()
                };
                let teams = teams.iter().map(|t| parse_team_id(t, &what)).collect::<Result<Vec<_>, _>>()?;
                out.push((id, teams));
            }
            Ok(out)
        })
        .await
    }
}

impl Nested<2> for Board {
    type Item = i128;
    fn id(&self) -> u64 {
        self.id
    }
    fn lists(&mut self) -> [&mut Vec<i128>; 2] {
        [&mut self.team_owners, &mut self.team_subscribers]
    }
}
