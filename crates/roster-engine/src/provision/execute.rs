//! Carrying out a plan: actions grouped into monday.com's batch calls (up to 200 ids each),
//! each action's outcome read back from the call's answer.

use std::collections::HashMap;

use monday_api::{BatchOutcome, Client, UserKind};
use roster_core::{Action, PrincipalType, ResourceType, Role};

/// `(succeeded, note or reason)` per action, in plan order.
pub(super) type Outcome = (bool, Option<String>);

/// The batch call an action belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Call {
    Invite(Role),
    SetRole(Role),
    SetCustomRole(u64),
    Deactivate,
    Activate,
    BoardUsers {
        board: u64,
        owner: bool,
        add: bool,
    },
    BoardTeams {
        board: u64,
        owner: bool,
        add: bool,
    },
    WorkspaceUsers {
        workspace: u64,
        owner: bool,
        add: bool,
    },
    WorkspaceTeams {
        workspace: u64,
        owner: bool,
        add: bool,
    },
    TeamMembers {
        team: u64,
        add: bool,
    },
    TeamOwners {
        team: u64,
        add: bool,
    },
    /// Not batched: one call per action.
    Single(usize),
}

fn kind(role: Role) -> UserKind {
    match role {
        Role::Admin => UserKind::Admin,
        Role::Member => UserKind::Member,
        Role::Viewer => UserKind::Viewer,
        Role::Guest => UserKind::Guest,
    }
}

fn num(s: &str) -> u64 {
    // Checked by `check` before anything runs: ids are numbers.
    s.parse().unwrap_or_default()
}

/// The call and the key (user id, team id or e-mail) of an action.
fn call_of(i: usize, a: &Action) -> (Call, String) {
    match a {
        Action::Invite { email, role } => (Call::Invite(*role), email.clone()),
        Action::SetRole { user, role } => (Call::SetRole(*role), user.clone()),
        Action::SetCustomRole { user, role_id, .. } => (Call::SetCustomRole(num(role_id)), user.clone()),
        Action::Deactivate { user } => (Call::Deactivate, user.clone()),
        Action::Activate { user } => (Call::Activate, user.clone()),
        Action::Grant { entitlement: e, principal: p } | Action::Revoke { entitlement: e, principal: p } => {
            let add = matches!(a, Action::Grant { .. });
            let owner = e.slug == "owner";
            let id = num(&e.rid);
            let user = p.ptype == PrincipalType::User;
            let call = match e.rtype {
                ResourceType::Role => Call::SetRole(roster_core::Role::parse(&e.rid).unwrap_or(Role::Member)),
                ResourceType::Board if user => Call::BoardUsers { board: id, owner, add },
                ResourceType::Board => Call::BoardTeams { board: id, owner, add },
                ResourceType::Workspace if user => Call::WorkspaceUsers { workspace: id, owner, add },
                ResourceType::Workspace => Call::WorkspaceTeams { workspace: id, owner, add },
                ResourceType::Team if owner => Call::TeamOwners { team: id, add },
                ResourceType::Team => Call::TeamMembers { team: id, add },
                ResourceType::Account | ResourceType::User => Call::Single(i),
            };
            (call, p.id.clone())
        }
        Action::CreateTeam { .. } | Action::DeleteTeam { .. } => (Call::Single(i), String::new()),
    }
}

fn from_batch(keys: &[String], r: &BatchOutcome) -> Vec<Outcome> {
    keys.iter()
        .map(|k| {
            if let Some(f) = r.failed.iter().find(|f| &f.key == k) {
                (false, Some(format!("monday.com refused ({}): {}", f.code, f.message)))
            } else if r.done.iter().any(|d| &d.to_string() == k) {
                (true, None)
            } else {
                (false, Some("monday.com did not report this user as changed".into()))
            }
        })
        .collect()
}

fn from_list<T: ToString>(keys: &[String], changed: &[T]) -> Vec<Outcome> {
    let changed: Vec<String> = changed.iter().map(ToString::to_string).collect();
    keys.iter()
        .map(|k| {
            if changed.contains(k) {
                (true, None)
            } else {
                (false, Some("monday.com did not report this change".into()))
            }
        })
        .collect()
}

async fn run_batch(
    client: &Client,
    call: &Call,
    keys: &[String],
    actions: &[Action],
) -> Result<Vec<Outcome>, monday_api::Error> {
    let ids: Vec<u64> = keys.iter().map(|k| num(k)).collect();
    Ok(match call {
        Call::Invite(role) => {
            let r = client.invite_users(keys, &kind(*role)).await?;
            keys.iter()
                .map(|k| {
                    if r.invited.iter().any(|(_, e)| e.eq_ignore_ascii_case(k)) {
                        (true, None)
                    } else {
                        match r.failed.iter().find(|f| f.key.eq_ignore_ascii_case(k)) {
                            // Inviting someone who is already a user is success with a note.
                            Some(f) if f.message.contains("already") => (true, Some(f.message.clone())),
                            Some(f) => (false, Some(format!("monday.com refused: {}", f.message))),
                            None => (false, Some("monday.com did not report this invitation".into())),
                        }
                    }
                })
                .collect()
        }
        Call::SetRole(role) => from_batch(keys, &client.update_users_role(&ids, &kind(*role)).await?),
        Call::SetCustomRole(role_id) => from_batch(keys, &client.update_users_custom_role(&ids, *role_id).await?),
        Call::Deactivate => from_batch(keys, &client.deactivate_users(&ids).await?),
        Call::Activate => from_batch(keys, &client.activate_users(&ids).await?),
        Call::TeamMembers { team, add } => from_batch(keys, &client.change_team_members(*team, &ids, *add).await?),
        Call::TeamOwners { team, add } => from_batch(keys, &client.change_team_owners(*team, &ids, *add).await?),
        Call::BoardUsers { board, owner, add } => {
            from_list(keys, &client.change_board_users(*board, &ids, *owner, *add).await?)
        }
        Call::BoardTeams { board, owner, add } => {
            let teams: Vec<i128> = keys.iter().map(|k| k.parse().unwrap_or_default()).collect();
            from_list(keys, &client.change_board_teams(*board, &teams, *owner, *add).await?)
        }
        Call::WorkspaceUsers { workspace, owner, add } => {
            from_list(keys, &client.change_workspace_users(*workspace, &ids, *owner, *add).await?)
        }
        Call::WorkspaceTeams { workspace, owner, add } => {
            from_list(keys, &client.change_workspace_teams(*workspace, &ids, *owner, *add).await?)
        }
        Call::Single(i) => match &actions[*i] {
            Action::CreateTeam { name, members } => {
                let members: Vec<u64> = members.iter().map(|m| num(m)).collect();
                let id = client.create_team(name, &members, false).await?;
                vec![(true, Some(format!("created team {id}")))]
            }
            Action::DeleteTeam { team } => match client.delete_team(num(team)).await {
                Ok(()) => vec![(true, None)],
                // A retried delete finds the team gone: it is deleted.
                Err(monday_api::Error::InvalidArgument { code, .. }) if code == "ResourceNotFoundException" => {
                    vec![(true, Some("already deleted".into()))]
                }
                Err(e) => return Err(e),
            },
            other => vec![(false, Some(format!("{other}: not something monday.com's API can do")))],
        },
    })
}

/// Runs every action; never fails as a whole: a failed call fails its actions.
pub(super) async fn execute(client: &Client, actions: &[Action]) -> Vec<Outcome> {
    // Group by call, keeping the order in which calls first appear.
    let mut order: Vec<Call> = Vec::new();
    let mut groups: HashMap<Call, Vec<(usize, String)>> = HashMap::new();
    for (i, a) in actions.iter().enumerate() {
        let (call, key) = call_of(i, a);
        if !groups.contains_key(&call) {
            order.push(call.clone());
        }
        groups.entry(call).or_default().push((i, key));
    }
    let mut out: Vec<Outcome> = vec![(false, Some("not run".into())); actions.len()];
    for call in order {
        let items = groups.remove(&call).unwrap_or_default();
        for chunk in items.chunks(monday_api::changes::BATCH_LIMIT) {
            let keys: Vec<String> = chunk.iter().map(|(_, k)| k.clone()).collect();
            let results = match run_batch(client, &call, &keys, actions).await {
                Ok(r) => r,
                Err(e) => vec![(false, Some(e.to_string())); chunk.len()],
            };
            for ((i, _), r) in chunk.iter().zip(results) {
                out[*i] = r;
            }
        }
    }
    out
}
