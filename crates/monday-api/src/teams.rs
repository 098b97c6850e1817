//! Teams with owners and members. monday.com does not page teams: one query answers all, and
//! when that query is too complex for one call, the ids are listed first and read in chunks.

use crate::client::{parse_id, Client};
use crate::error::Error;
use crate::models::{sorted, Team};
use crate::queries::{team_ids, teams, TeamIds, Teams};

/// Teams per query when the whole list is too complex for one.
const CHUNK: usize = 50;

impl Client {
    /// Every team (or the ones in `ids`), with members of every status, sorted by id.
    pub async fn teams(&self, ids: Option<Vec<u64>>) -> Result<Vec<Team>, Error> {
        match self.teams_once(ids.as_deref(), "Teams").await {
            Err(Error::QueryTooComplex { .. }) => {
                let ids = match ids {
                    Some(ids) => ids,
                    None => self.team_ids().await?,
                };
                self.teams_chunked(&ids).await
            }
            other => other,
        }
    }

    /// The id of every team.
    pub async fn team_ids(&self) -> Result<Vec<u64>, Error> {
        let d = self.query::<TeamIds>("TeamIds", team_ids::Variables {}).await?;
        d.teams.unwrap_or_default().into_iter().flatten().map(|t| parse_id(&t.id, "team")).collect()
    }

    async fn teams_chunked(&self, ids: &[u64]) -> Result<Vec<Team>, Error> {
        let mut chunk = CHUNK.min(ids.len()).max(1);
        let mut out = Vec::with_capacity(ids.len());
        let mut at = 0;
        while at < ids.len() {
            let part = &ids[at..(at + chunk).min(ids.len())];
            match self.teams_once(Some(part), &format!("Teams/{chunk}")).await {
                Ok(teams) => {
                    out.extend(teams);
                    at += part.len();
                }
                Err(Error::QueryTooComplex { .. }) if chunk > 1 => chunk /= 2,
                Err(e) => return Err(e),
            }
        }
        out.sort_by_key(|t| t.id);
        Ok(out)
    }

    async fn teams_once(&self, ids: Option<&[u64]>, key: &str) -> Result<Vec<Team>, Error> {
        let vars = teams::Variables { ids: ids.map(|ids| ids.iter().map(u64::to_string).collect()) };
        let d = self.query::<Teams>(key, vars).await?;
        let mut list = d
            .teams
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .map(|t| {
                let id = parse_id(&t.id, "team")?;
                let what = format!("team {id} member");
                let owners = t.owners.iter().map(|o| parse_id(&o.id, &what)).collect::<Result<Vec<_>, _>>()?;
                // Enabled and deactivated members come in two lists (monday.com leaves
                // deactivated users out unless asked).
                let members = t
                    .users
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|u| u.id)
                    .chain(t.deactivated.unwrap_or_default().into_iter().flatten().map(|u| u.id))
                    .map(|u| parse_id(&u, &what))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Team {
                    id,
                    name: t.name,
                    is_guest: t.is_guest.unwrap_or(false),
                    owners: sorted(owners),
                    members: sorted(members),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        list.sort_by_key(|t| t.id);
        Ok(list)
    }
}
