//! Workspace and board membership: add_users_to_workspace, delete_users_from_workspace,
//! add_teams_to_workspace, delete_teams_from_workspace, add_users_to_board,
//! delete_subscribers_from_board, add_teams_to_board, delete_teams_from_board.

use async_graphql::dynamic::{Field, FieldValue, InputValue, Object, ObjectAccessor, TypeRef};

use super::{apply, check_batch, find_user, unauthorized, user_positions};
use crate::model::{BoardKind, UserKind, MAX_BOARD_TEAM_SUBSCRIBERS, MAX_BOARD_USER_SUBSCRIBERS};
use crate::schema::resolve::{app_error, id_list, objects, opt_enum, root_mut, Res};
use crate::schema::teams::TeamRef;
use crate::schema::users::UserRef;
use crate::schema::{CtxCell, RequestCtx};

fn one_id(args: &ObjectAccessor, name: &str) -> Res<u64> {
    id_list(args, name)?
        .and_then(|v| v.first().copied())
        .ok_or_else(|| app_error("InvalidArgumentException", 400, format!("{name} is required")))
}

fn many(args: &ObjectAccessor, name: &str) -> Res<Vec<i64>> {
    // Team ids may be -1 ("everyone"), so they are read as signed numbers.
    let list = match args.get(name) {
        Some(v) if !v.is_null() => v
            .list()?
            .iter()
            .map(|x| {
                let raw = match x.as_value() {
                    async_graphql::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                raw.trim().parse::<i64>().map_err(|_| {
                    app_error("InvalidArgumentException", 400, format!("Invalid ID {raw:?} in argument '{name}'"))
                })
            })
            .collect::<Res<Vec<_>>>()?,
        _ => vec![],
    };
    check_batch(list.len())?;
    Ok(list)
}

fn owner_kind(args: &ObjectAccessor) -> Res<bool> {
    Ok(opt_enum(args, "kind")?.as_deref() == Some("owner"))
}

#[derive(Clone, Copy, PartialEq)]
enum Container {
    Workspace,
    Board,
}

/// Admins manage every board and workspace; their owners manage theirs [INF].
fn may_manage(c: &RequestCtx, what: Container, id: u64) -> Res<()> {
    let v = c.viewer();
    let owner = match what {
        Container::Workspace => {
            c.world.workspace_pos(id).is_some_and(|p| c.world.workspaces()[p].owners.contains(&v.id))
        }
        Container::Board => c.world.board_pos(id).is_some_and(|p| c.world.boards()[p].owners.contains(&v.id)),
    };
    if v.kind == UserKind::Admin || owner {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

fn missing(what: Container, id: u64) -> async_graphql::Error {
    match what {
        Container::Workspace => app_error("ResourceNotFoundException", 404, format!("Workspace {id} not found")),
        Container::Board => app_error("InvalidBoardIdException", 400, format!("Board {id} not found")),
    }
}

fn users_change(
    cell: &CtxCell,
    c: &RequestCtx,
    args: &ObjectAccessor,
    what: Container,
    add: bool,
) -> Res<Option<FieldValue<'static>>> {
    let key = if what == Container::Board { "board_id" } else { "workspace_id" };
    let id = one_id(args, key)?;
    let users: Vec<u64> = many(args, "user_ids")?.into_iter().filter(|u| *u > 0).map(|u| u as u64).collect();
    let owner = add && owner_kind(args)?;
    may_manage(c, what, id)?;
    let changed = apply(cell, c, |org| {
        let known: Vec<(u64, UserKind)> =
            users.iter().filter_map(|u| find_user(org, *u).map(|x| (x.id, x.kind))).collect();
        let (members, owners, board_kind) = match what {
            Container::Workspace => {
                let w = org.workspaces.iter_mut().find(|w| w.id == id).ok_or_else(|| missing(what, id))?;
                (&mut w.members, &mut w.owners, None)
            }
            Container::Board => {
                let b = org.boards.iter_mut().find(|b| b.id == id).ok_or_else(|| missing(what, id))?;
                (&mut b.subscribers, &mut b.owners, Some(b.kind))
            }
        };
        let mut changed = vec![];
        for (u, kind) in known {
            if add {
                if kind == UserKind::Guest && board_kind.is_some_and(|k| k != BoardKind::Share) {
                    return Err(app_error(
                        "InvalidArgumentException",
                        400,
                        format!("User {u} is a guest: guests can only join shareable boards"),
                    ));
                }
                if !members.contains(&u) {
                    members.push(u);
                }
                if owner && !owners.contains(&u) {
                    owners.push(u);
                }
            } else {
                members.retain(|m| *m != u);
                owners.retain(|m| *m != u);
            }
            changed.push(u);
        }
        let count = members.len();
        let too_many = board_kind.is_some() && count > MAX_BOARD_USER_SUBSCRIBERS;
        if board_kind.is_some() && !too_many {
            let event = match (add, owner) {
                (true, true) => "add_owner",
                (true, false) => "subscribe",
                (false, _) => "unsubscribe",
            };
            for u in &changed {
                let data = serde_json::json!({ "board_id": id, "user_id": u });
                super::board_activity(org, c, id, event, data);
            }
        }
        if too_many {
            return Err(app_error(
                "RecordInvalidException",
                422,
                format!(
                    "Board {id} would have {count} subscribers; monday.com allows at most {MAX_BOARD_USER_SUBSCRIBERS}"
                ),
            ));
        }
        Ok(changed)
    })?;
    Ok(objects(user_positions(cell, &changed).into_iter().map(UserRef)))
}

fn teams_change(
    cell: &CtxCell,
    c: &RequestCtx,
    args: &ObjectAccessor,
    what: Container,
    add: bool,
) -> Res<Option<FieldValue<'static>>> {
    let key = if what == Container::Board { "board_id" } else { "workspace_id" };
    let id = one_id(args, key)?;
    let teams = many(args, "team_ids")?;
    let owner = add && owner_kind(args)?;
    may_manage(c, what, id)?;
    if what == Container::Workspace && teams.contains(&-1) {
        return Err(app_error("InvalidArgumentException", 400, "Team -1 (everyone) can only subscribe to boards"));
    }
    let changed = apply(cell, c, |org| {
        if let Some(t) = teams.iter().find(|t| **t > 0 && !org.teams.iter().any(|x| x.id == **t as u64)) {
            return Err(app_error("InvalidTeamIdException", 400, format!("Team {t} not found")));
        }
        let real: Vec<u64> = teams.iter().filter(|t| **t > 0).map(|t| *t as u64).collect();
        let (members, owners) = match what {
            Container::Workspace => {
                let w = org.workspaces.iter_mut().find(|w| w.id == id).ok_or_else(|| missing(what, id))?;
                (&mut w.team_members, &mut w.team_owners)
            }
            Container::Board => {
                let b = org.boards.iter_mut().find(|b| b.id == id).ok_or_else(|| missing(what, id))?;
                if teams.contains(&-1) {
                    b.everyone = add;
                }
                (&mut b.team_subscribers, &mut b.team_owners)
            }
        };
        for t in &real {
            if add {
                if !members.contains(t) {
                    members.push(*t);
                }
                if owner && !owners.contains(t) {
                    owners.push(*t);
                }
            } else {
                members.retain(|m| m != t);
                owners.retain(|m| m != t);
            }
        }
        let count = members.len();
        if what == Container::Board && count > MAX_BOARD_TEAM_SUBSCRIBERS {
            return Err(app_error(
                "RecordInvalidException",
                422,
                format!(
                    "Board {id} would have {count} team subscribers; monday.com allows at most {MAX_BOARD_TEAM_SUBSCRIBERS}"
                ),
            ));
        }
        if what == Container::Board {
            let event = if add { "subscribe_team" } else { "unsubscribe_team" };
            for t in &teams {
                let data = serde_json::json!({ "board_id": id, "team_id": t, "owner": owner });
                super::board_activity(org, c, id, event, data);
            }
        }
        Ok(teams.clone())
    })?;
    let cur = cell.current();
    let refs: Vec<TeamRef> = changed
        .iter()
        .filter_map(
            |t| if *t == -1 { Some(TeamRef::Everyone) } else { cur.world.team_pos(*t as u64).map(TeamRef::Team) },
        )
        .collect();
    Ok(objects(refs))
}

fn kind_arg(f: Field, kind_enum: &str) -> Field {
    f.argument(
        InputValue::new("kind", TypeRef::named(kind_enum))
            .default_value(async_graphql::Value::Enum(async_graphql::Name::new("subscriber"))),
    )
}

/// Adds the membership mutations to the root.
pub fn fields(root: Object) -> Object {
    let ws = |f: Field, list: &str| {
        f.argument(InputValue::new(list, TypeRef::named_nn_list_nn(TypeRef::ID)))
            .argument(InputValue::new("workspace_id", TypeRef::named_nn(TypeRef::ID)))
    };
    let bd = |f: Field, list: &str| {
        f.argument(InputValue::new("board_id", TypeRef::named_nn(TypeRef::ID)))
            .argument(InputValue::new(list, TypeRef::named_nn_list_nn(TypeRef::ID)))
    };
    use Container::{Board, Workspace};
    root.field(kind_arg(
        ws(
            root_mut("add_users_to_workspace", TypeRef::named_list("User"), |cl, c, a| {
                users_change(cl, c, a, Workspace, true)
            }),
            "user_ids",
        ),
        "WorkspaceSubscriberKind",
    ))
    .field(ws(
        root_mut("delete_users_from_workspace", TypeRef::named_list("User"), |cl, c, a| {
            users_change(cl, c, a, Workspace, false)
        }),
        "user_ids",
    ))
    .field(kind_arg(
        ws(
            root_mut("add_teams_to_workspace", TypeRef::named_list("Team"), |cl, c, a| {
                teams_change(cl, c, a, Workspace, true)
            }),
            "team_ids",
        ),
        "WorkspaceSubscriberKind",
    ))
    .field(ws(
        root_mut("delete_teams_from_workspace", TypeRef::named_list("Team"), |cl, c, a| {
            teams_change(cl, c, a, Workspace, false)
        }),
        "team_ids",
    ))
    .field(kind_arg(
        bd(
            root_mut("add_users_to_board", TypeRef::named_list("User"), |cl, c, a| users_change(cl, c, a, Board, true)),
            "user_ids",
        ),
        "BoardSubscriberKind",
    ))
    .field(bd(
        root_mut("delete_subscribers_from_board", TypeRef::named_list("User"), |cl, c, a| {
            users_change(cl, c, a, Board, false)
        }),
        "user_ids",
    ))
    .field(kind_arg(
        bd(
            root_mut("add_teams_to_board", TypeRef::named_list("Team"), |cl, c, a| teams_change(cl, c, a, Board, true)),
            "team_ids",
        ),
        "BoardSubscriberKind",
    ))
    .field(bd(
        root_mut("delete_teams_from_board", TypeRef::named_list("Team"), |cl, c, a| {
            teams_change(cl, c, a, Board, false)
        }),
        "team_ids",
    ))
}
