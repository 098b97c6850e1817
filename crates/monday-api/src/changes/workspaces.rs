//! Workspace membership of users and teams.

use super::{check_batch, ids_of, strings};
use crate::boards::gql_enum;
use crate::client::{Client, Idempotency};
use crate::error::Error;
use crate::queries::{workspace_teams, workspace_users, WorkspaceTeams, WorkspaceUsers};

impl Client {
    /// Adds users as members (or owners), or removes them; returns the ids monday.com changed.
    pub async fn change_workspace_users(
        &self,
        workspace: u64,
        ids: &[u64],
        owner: bool,
        add: bool,
    ) -> Result<Vec<u64>, Error> {
        check_batch(ids.len())?;
        let kind = gql_enum(if owner { "owner" } else { "subscriber" })?;
        let vars =
            workspace_users::Variables { workspace: workspace.to_string(), ids: strings(ids), kind: Some(kind), add };
        let d = self.mutate::<WorkspaceUsers>("WorkspaceUsers", vars, Idempotency::Safe).await?;
        let added = d.add_users_to_workspace.map(|l| l.into_iter().flatten().map(|u| u.id).collect::<Vec<_>>());
        let removed = d.delete_users_from_workspace.map(|l| l.into_iter().flatten().map(|u| u.id).collect::<Vec<_>>());
        ids_of(added.or(removed).unwrap_or_default(), "workspace member")
    }

    /// Adds teams as members (or owners), or removes them.
    pub async fn change_workspace_teams(
        &self,
        workspace: u64,
        ids: &[u64],
        owner: bool,
        add: bool,
    ) -> Result<Vec<u64>, Error> {
        check_batch(ids.len())?;
        let kind = gql_enum(if owner { "owner" } else { "subscriber" })?;
        let vars =
            workspace_teams::Variables { workspace: workspace.to_string(), ids: strings(ids), kind: Some(kind), add };
        let d = self.mutate::<WorkspaceTeams>("WorkspaceTeams", vars, Idempotency::Safe).await?;
        let added = d.add_teams_to_workspace.map(|l| l.into_iter().flatten().map(|t| t.id).collect::<Vec<_>>());
        let removed = d.delete_teams_from_workspace.map(|l| l.into_iter().flatten().map(|t| t.id).collect::<Vec<_>>());
        ids_of(added.or(removed).unwrap_or_default(), "workspace team")
    }
}
