//! Team membership and ownership; creating and deleting teams.

use super::{check_batch, failure, ids_of, refused, strings, BatchOutcome};
use crate::client::{parse_id, Client, Idempotency};
use crate::error::Error;
use crate::queries::{
    create_team, delete_team, team_members, team_owners, CreateTeam, DeleteTeam, TeamMembers, TeamOwners,
};

impl Client {
    /// Adds (or removes) users to (from) a team. Users monday.com refused are failed items.
    pub async fn change_team_members(&self, team: u64, ids: &[u64], add: bool) -> Result<BatchOutcome, Error> {
        check_batch(ids.len())?;
        let vars = team_members::Variables { team: team.to_string(), ids: strings(ids), add };
        let d = self.mutate::<TeamMembers>("TeamMembers", vars, Idempotency::Safe).await?;
        let ids_in = |l: Option<Vec<String>>| l.unwrap_or_default();
        let (ok, failed) = match (d.add_users_to_team, d.remove_users_from_team) {
            (Some(r), _) => (
                ids_in(r.successful_users.map(|l| l.into_iter().map(|u| u.id).collect())),
                ids_in(r.failed_users.map(|l| l.into_iter().map(|u| u.id).collect())),
            ),
            (_, Some(r)) => (
                ids_in(r.successful_users.map(|l| l.into_iter().map(|u| u.id).collect())),
                ids_in(r.failed_users.map(|l| l.into_iter().map(|u| u.id).collect())),
            ),
            _ => return Err(crate::client::malformed("team membership change", "no result")),
        };
        let done = ids_of(ok, "team member")?;
        let failed = failed
            .into_iter()
            .map(|u| {
                failure(
                    Some(u),
                    "FAILED".into(),
                    Some("monday.com refused this user (deactivated, or a guest on a regular team)".into()),
                )
            })
            .collect();
        Ok(BatchOutcome { done, failed })
    }

    /// Makes (or stops making) team members owners of the team.
    pub async fn change_team_owners(&self, team: u64, ids: &[u64], add: bool) -> Result<BatchOutcome, Error> {
        check_batch(ids.len())?;
        let vars = team_owners::Variables { team: team.to_string(), ids: strings(ids), add };
        let d = self.mutate::<TeamOwners>("TeamOwners", vars, Idempotency::Safe).await?;
        let errors = match (d.assign_team_owners, d.remove_team_owners) {
            (Some(r), _) => r
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(|e| refused(e.user_id, e.code, e.message))
                .collect::<Vec<_>>(),
            (_, Some(r)) => {
                r.errors.unwrap_or_default().into_iter().map(|e| refused(e.user_id, e.code, e.message)).collect()
            }
            _ => return Err(crate::client::malformed("team owner change", "no result")),
        };
        let done = ids.iter().copied().filter(|id| !errors.iter().any(|e| e.key == id.to_string())).collect();
        Ok(BatchOutcome { done, failed: errors })
    }

    /// Creates a team; returns its id. Never repeated blindly: a retry could create a twin.
    pub async fn create_team(&self, name: &str, members: &[u64], guest: bool) -> Result<u64, Error> {
        let vars = create_team::Variables {
            name: name.to_string(),
            members: Some(strings(members)),
            guest: Some(guest),
            allow_empty: Some(members.is_empty()),
        };
        let d = self.mutate::<CreateTeam>("CreateTeam", vars, Idempotency::Unsafe).await?;
        let t = d.create_team.ok_or_else(|| crate::client::malformed("create_team", "no team returned"))?;
        parse_id(&t.id, "created team")
    }

    /// Deletes a team.
    pub async fn delete_team(&self, team: u64) -> Result<(), Error> {
        self.mutate::<DeleteTeam>("DeleteTeam", delete_team::Variables { team: team.to_string() }, Idempotency::Safe)
            .await?;
        Ok(())
    }
}
