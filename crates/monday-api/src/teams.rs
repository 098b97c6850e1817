//! Teams with owners and members. monday.com does not page teams: one query answers all.

use crate::client::{parse_id, Client};
use crate::error::Error;
use crate::models::{sorted, Team};
use crate::queries::{teams, Teams};

impl Client {
    /// Every team (or the ones in `ids`), with members of every status.
    pub async fn teams(&self, ids: Option<Vec<u64>>) -> Result<Vec<Team>, Error> {
        let vars = teams::Variables { ids: ids.map(|ids| ids.iter().map(u64::to_string).collect()) };
        let d = self.query::<Teams>("Teams", vars).await?;
        d.teams
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
            .collect()
    }
}
