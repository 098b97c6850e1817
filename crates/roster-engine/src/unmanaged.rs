//! The `unmanaged` report: who is in monday.com that the source of truth does not know
//! ("shadow access"). Compared by e-mail, without case: monday.com users who are active or
//! pending but not in the source, or inactive there, with what they can reach; and the source's
//! active people missing from monday.com.

use std::collections::{BTreeSet, HashMap};

use roster_core::{ResourceType, UserStatus};
use roster_store::{SnapshotStore, UserQuery};

use crate::reports::{Report, ReportError, ReportOptions};

/// What one user can reach: distinct boards, workspaces and teams, and the boards they own,
/// each directly or through a team.
#[derive(Debug, Default, Clone, Copy)]
struct Reach {
    boards: usize,
    workspaces: usize,
    teams: usize,
    boards_owned: usize,
}

/// Makes the report from snapshot `sync` and `o.source`.
pub(crate) async fn report(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    let Some(source) = &o.source else {
        return Err(ReportError::Options {
            report: "unmanaged",
            problem: "it needs the source of truth: `roster report unmanaged --source people.csv` (CSV, JSON or YAML as `roster scim plan` reads it; an e-mail column is enough)".into(),
        });
    };
    // The source's people by e-mail: active there or not.
    let known: HashMap<String, bool> = source.iter().map(|p| (p.user_name.trim().to_lowercase(), p.active)).collect();
    let reach = reach(store, sync).await?;
    let mut r = Report::new(
        "unmanaged",
        "Accounts the source of truth does not know, and people it has that monday.com does not".into(),
        &["finding", "id", "email", "role", "status", "last_activity", "boards", "workspaces", "teams", "boards_owned"],
    );
    let users = store.users(sync, &UserQuery::default()).await?;
    let mut in_monday = BTreeSet::new();
    for u in &users {
        let email = u.email.trim().to_lowercase();
        in_monday.insert(email.clone());
        if u.status == UserStatus::Deactivated {
            continue;
        }
        let finding = match known.get(&email) {
            None => "not in the source",
            Some(false) => "inactive in the source",
            Some(true) => continue,
        };
        let x = reach.get(&u.id).copied().unwrap_or_default();
        r.rows.push(vec![
            finding.into(),
            u.id.clone(),
            u.email.clone(),
            u.role.as_str().into(),
            u.status.as_str().into(),
            super::reports::day(u.last_activity),
            x.boards.to_string(),
            x.workspaces.to_string(),
            x.teams.to_string(),
            x.boards_owned.to_string(),
        ]);
    }
    let mut missing: Vec<&roster_core::scim_plan::DesiredUser> =
        source.iter().filter(|p| p.active && !in_monday.contains(&p.user_name.trim().to_lowercase())).collect();
    missing.sort_by_key(|p| p.user_name.to_lowercase());
    for p in missing {
        let mut row = vec!["not in monday.com".to_string(), String::new(), p.user_name.clone()];
        row.extend(std::iter::repeat_n(String::new(), 7));
        r.rows.push(row);
    }
    Ok(r)
}

/// Every user's reach in the snapshot.
async fn reach(store: &dyn SnapshotStore, sync: i64) -> Result<HashMap<String, Reach>, ReportError> {
    let mut seen: HashMap<String, BTreeSet<(ResourceType, String)>> = HashMap::new();
    let mut owned: HashMap<String, BTreeSet<String>> = HashMap::new();
    for g in store.all_grants(sync).await? {
        if g.principal.ptype != roster_core::PrincipalType::User {
            continue;
        }
        let rtype = g.entitlement.rtype;
        if !matches!(rtype, ResourceType::Board | ResourceType::Workspace | ResourceType::Team) {
            continue;
        }
        seen.entry(g.principal.id.clone()).or_default().insert((rtype, g.entitlement.rid.clone()));
        if rtype == ResourceType::Board && g.entitlement.slug == "owner" {
            owned.entry(g.principal.id.clone()).or_default().insert(g.entitlement.rid.clone());
        }
    }
    Ok(seen
        .into_iter()
        .map(|(user, set)| {
            let count = |t: ResourceType| set.iter().filter(|(r, _)| *r == t).count();
            let x = Reach {
                boards: count(ResourceType::Board),
                workspaces: count(ResourceType::Workspace),
                teams: count(ResourceType::Team),
                boards_owned: owned.get(&user).map_or(0, BTreeSet::len),
            };
            (user, x)
        })
        .collect())
}
