//! add_users_to_team, remove_users_from_team, assign_team_owners, remove_team_owners,
//! create_team, delete_team.

use async_graphql::dynamic::{FieldValue, InputValue, Object, ObjectAccessor, TypeRef};

use super::results::{ItemError, MembershipResult, OwnersResult};
use super::{apply, check_batch, find_user, log, require_admin, unauthorized, user_positions};
use crate::audit::AuditKind;
use crate::model::{Org, Team, UserKind, UserStatus};
use crate::schema::resolve::root_mut;
use crate::schema::resolve::{app_error, id_list, opt_bool, Res};
use crate::schema::teams::TeamRef;
use crate::schema::RequestCtx;

fn team_id(args: &ObjectAccessor) -> Res<u64> {
    id_list(args, "team_id")?
        .and_then(|v| v.first().copied())
        .ok_or_else(|| app_error("InvalidArgumentException", 400, "team_id is required"))
}

fn ids(args: &ObjectAccessor) -> Res<Vec<u64>> {
    let ids = id_list(args, "user_ids")?.unwrap_or_default();
    check_batch(ids.len())?;
    Ok(ids)
}

fn not_found(team: u64) -> async_graphql::Error {
    app_error("ResourceNotFoundException", 404, format!("Team {team} not found"))
}

/// Admins manage every team; a team's owners manage theirs [INF].
fn may_manage(c: &RequestCtx, team: u64) -> Res<()> {
    let v = c.viewer();
    let owner = c.world.team_pos(team).is_some_and(|p| c.world.teams()[p].owners.contains(&v.id));
    if v.kind == UserKind::Admin || owner {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

fn team_mut(org: &mut Org, id: u64) -> Res<&mut Team> {
    org.teams.iter_mut().find(|t| t.id == id).ok_or_else(|| not_found(id))
}

fn members_change(
    cell: &crate::schema::CtxCell,
    c: &RequestCtx,
    args: &ObjectAccessor,
    add: bool,
) -> Res<Option<FieldValue<'static>>> {
    let team = team_id(args)?;
    let ids = ids(args)?;
    may_manage(c, team)?;
    let (ok, failed) = apply(cell, c, |org| {
        let users: Vec<(u64, Option<(UserKind, UserStatus)>)> =
            ids.iter().map(|id| (*id, find_user(org, *id).map(|u| (u.kind, u.status)))).collect();
        let t = team_mut(org, team)?;
        let (mut ok, mut failed) = (vec![], vec![]);
        for (id, user) in users {
            match user {
                // Unknown users cannot be listed as failed users (the list holds users).
                None => {}
                Some((kind, status))
                    if add && (status == UserStatus::Inactive || (kind == UserKind::Guest) != t.is_guest) =>
                {
                    failed.push(id)
                }
                Some(_) if add => {
                    if !t.members.contains(&id) {
                        t.members.push(id);
                    }
                    ok.push(id);
                }
                Some(_) => {
                    t.members.retain(|m| *m != id);
                    t.owners.retain(|m| *m != id);
                    ok.push(id);
                }
            }
        }
        let event = if add { AuditKind::AddUserToTeam } else { AuditKind::RemoveUserFromTeam };
        for id in &ok {
            log(org, c, event, serde_json::json!({ "team_id": team.to_string(), "user_id": id.to_string() }));
        }
        Ok((ok, failed))
    })?;
    Ok(Some(FieldValue::owned_any(MembershipResult {
        successful: user_positions(cell, &ok),
        failed: user_positions(cell, &failed),
    })))
}

fn owners_change(
    cell: &crate::schema::CtxCell,
    c: &RequestCtx,
    args: &ObjectAccessor,
    assign: bool,
) -> Res<Option<FieldValue<'static>>> {
    let team = team_id(args)?;
    let ids = ids(args)?;
    may_manage(c, team)?;
    let errors = apply(cell, c, |org| {
        let users: Vec<(u64, Option<UserKind>)> =
            ids.iter().map(|id| (*id, find_user(org, *id).map(|u| u.kind))).collect();
        let t = team_mut(org, team)?;
        let mut errors = vec![];
        for (id, kind) in users {
            let e = |code, m: String| ItemError { message: m, code, key: id.to_string() };
            match kind {
                None => errors.push(e("USER_NOT_FOUND", format!("User {id} not found"))),
                Some(UserKind::Viewer | UserKind::Guest) if assign => {
                    errors.push(e("VIEWERS_OR_GUESTS", format!("User {id} is a viewer or guest and cannot own a team")))
                }
                Some(_) if !t.members.contains(&id) => {
                    errors.push(e("USER_NOT_MEMBER_OF_TEAM", format!("User {id} is not a member of team {team}")))
                }
                Some(_) if assign => {
                    if !t.owners.contains(&id) {
                        t.owners.push(id);
                    }
                }
                Some(_) => t.owners.retain(|o| *o != id),
            }
        }
        Ok(errors)
    })?;
    let pos = cell.current().world.team_pos(team);
    Ok(Some(FieldValue::owned_any(OwnersResult { team: pos, errors })))
}

/// Adds the team mutations to the root.
pub fn fields(root: Object) -> Object {
    let team_args = |f: async_graphql::dynamic::Field| {
        f.argument(InputValue::new("team_id", TypeRef::named_nn(TypeRef::ID)))
            .argument(InputValue::new("user_ids", TypeRef::named_nn_list_nn(TypeRef::ID)))
    };
    root.field(team_args(root_mut("add_users_to_team", TypeRef::named("ChangeTeamMembershipsResult"), |cell, c, a| {
        members_change(cell, c, a, true)
    })))
    .field(team_args(root_mut(
        "remove_users_from_team",
        TypeRef::named("ChangeTeamMembershipsResult"),
        |cell, c, a| members_change(cell, c, a, false),
    )))
    .field(team_args(root_mut("assign_team_owners", TypeRef::named("AssignTeamOwnersResult"), |cell, c, a| {
        owners_change(cell, c, a, true)
    })))
    .field(team_args(root_mut("remove_team_owners", TypeRef::named("RemoveTeamOwnersResult"), |cell, c, a| {
        owners_change(cell, c, a, false)
    })))
    .field(
        root_mut("create_team", TypeRef::named("Team"), |cell, c, args| {
            require_admin(c)?;
            let input = args.try_get("input")?.object()?;
            let name = input.try_get("name")?.string()?.trim().to_string();
            if name.is_empty() {
                return Err(app_error("InvalidArgumentException", 400, "A team needs a name"));
            }
            let is_guest = opt_bool(&input, "is_guest_team")?.unwrap_or(false);
            let members = id_list(&input, "subscriber_ids")?.unwrap_or_default();
            let allow_empty = match args.get("options").filter(|v| !v.is_null()) {
                Some(o) => opt_bool(&o.object()?, "allow_empty_team")?.unwrap_or(false),
                None => false,
            };
            if members.is_empty() && !allow_empty {
                return Err(app_error(
                    "InvalidArgumentException",
                    400,
                    "A team needs at least one member unless options.allow_empty_team is true",
                ));
            }
            let id = apply(cell, c, |org| {
                // Team names are unique in an account, compared without case [INF].
                if org.teams.iter().any(|t| t.name.eq_ignore_ascii_case(&name)) {
                    return Err(app_error(
                        "InvalidArgumentException",
                        400,
                        format!("A team named {name:?} already exists"),
                    ));
                }
                if let Some(missing) = members.iter().find(|m| find_user(org, **m).is_none()) {
                    return Err(app_error("InvalidUserIdException", 400, format!("User {missing} not found")));
                }
                let id = org.teams.iter().map(|t| t.id).max().unwrap_or(9_000_000) + 1;
                org.teams.push(Team {
                    id,
                    name: name.clone(),
                    is_guest,
                    created_at: chrono::Utc::now(),
                    members: members.clone(),
                    owners: vec![],
                    scim_provisioned: false,
                    external_id: None,
                });
                log(org, c, AuditKind::CreateTeam, serde_json::json!({ "team_id": id.to_string(), "team_name": name }));
                Ok(id)
            })?;
            Ok(cell.current().world.team_pos(id).map(|p| FieldValue::owned_any(TeamRef::Team(p))))
        })
        .argument(InputValue::new("input", TypeRef::named_nn("CreateTeamAttributesInput")))
        .argument(InputValue::new("options", TypeRef::named("CreateTeamOptionsInput"))),
    )
    .field(
        root_mut("delete_team", TypeRef::named("Team"), |cell, c, args| {
            require_admin(c)?;
            let team = team_id(args)?;
            let removed = apply(cell, c, |org| {
                let pos = org.teams.iter().position(|t| t.id == team).ok_or_else(|| not_found(team))?;
                let removed = org.teams.remove(pos);
                for w in &mut org.workspaces {
                    w.team_members.retain(|t| *t != team);
                    w.team_owners.retain(|t| *t != team);
                }
                for b in &mut org.boards {
                    b.team_subscribers.retain(|t| *t != team);
                    b.team_owners.retain(|t| *t != team);
                }
                log(
                    org,
                    c,
                    AuditKind::DeleteTeam,
                    serde_json::json!({ "team_id": team.to_string(), "team_name": removed.name }),
                );
                Ok(removed)
            })?;
            Ok(Some(FieldValue::owned_any(TeamRef::Deleted(Box::new(removed)))))
        })
        .argument(InputValue::new("team_id", TypeRef::named_nn(TypeRef::ID))),
    )
}
