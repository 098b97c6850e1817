//! Board subscription of users and teams (team `-1`: everyone in the account).

use super::check_batch;
use crate::boards::gql_enum;
use crate::client::{parse_team_id, Client, Idempotency};
use crate::error::Error;
use crate::queries::{board_teams_change, board_users, BoardTeamsChange, BoardUsers};

impl Client {
    /// Subscribes users (as owners if `owner`), or unsubscribes them.
    pub async fn change_board_users(&self, board: u64, ids: &[u64], owner: bool, add: bool) -> Result<Vec<u64>, Error> {
        check_batch(ids.len())?;
        let kind = gql_enum(if owner { "owner" } else { "subscriber" })?;
        let vars = board_users::Variables { board: board.to_string(), ids: super::strings(ids), kind: Some(kind), add };
        let d = self.mutate::<BoardUsers>("BoardUsers", vars, Idempotency::Safe).await?;
        let added = d.add_users_to_board.map(|l| l.into_iter().flatten().map(|u| u.id).collect::<Vec<_>>());
        let removed =
            d.delete_subscribers_from_board.map(|l| l.into_iter().flatten().map(|u| u.id).collect::<Vec<_>>());
        super::ids_of(added.or(removed).unwrap_or_default(), "board subscriber")
    }

    /// Subscribes teams, or unsubscribes them.
    pub async fn change_board_teams(
        &self,
        board: u64,
        ids: &[i128],
        owner: bool,
        add: bool,
    ) -> Result<Vec<i128>, Error> {
        check_batch(ids.len())?;
        let kind = gql_enum(if owner { "owner" } else { "subscriber" })?;
        let vars = board_teams_change::Variables {
            board: board.to_string(),
            ids: ids.iter().map(i128::to_string).collect(),
            kind: Some(kind),
            add,
        };
        let d = self.mutate::<BoardTeamsChange>("BoardTeamsChange", vars, Idempotency::Safe).await?;
        let added = d.add_teams_to_board.map(|l| l.into_iter().flatten().map(|t| t.id).collect::<Vec<_>>());
        let removed = d.delete_teams_from_board.map(|l| l.into_iter().flatten().map(|t| t.id).collect::<Vec<_>>());
        added.or(removed).unwrap_or_default().iter().map(|t| parse_team_id(t, "board team")).collect()
    }
}
