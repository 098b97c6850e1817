//! `Team` and the `teams` query. Teams are not paginated on monday.com.

use async_graphql::dynamic::{Field, InputValue, Object, TypeRef};
use async_graphql::Value;

use super::resolve::*;
use super::users::{UserRef, UsersQuery};
use crate::model::{Team, UserKind, UserStatus};
use crate::version::ApiVersion;

/// A team by position in `World::teams()`, or the pseudo-team `-1`, "everyone in the account",
/// which appears only among a board's team subscribers.
#[derive(Debug, Clone)]
pub enum TeamRef {
    Team(usize),
    Everyone,
    /// A team `delete_team` just removed, as it was.
    Deleted(Box<Team>),
}

fn team<'a>(c: &'a super::RequestCtx, r: &'a TeamRef) -> Option<&'a Team> {
    match r {
        TeamRef::Team(i) => Some(&c.world.teams()[*i]),
        TeamRef::Everyone => None,
        TeamRef::Deleted(t) => Some(t),
    }
}

/// The `Team` type for `version`.
pub fn team_type(version: ApiVersion) -> Object {
    let mut o = Object::new("Team")
        .field(scalar::<TeamRef, _>("id", TypeRef::named_nn(TypeRef::ID), |c, r| {
            Value::from(team(c, r).map_or("-1".to_string(), |t| t.id.to_string()))
        }))
        .field(scalar::<TeamRef, _>("name", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(
                team(c, r).map_or_else(|| format!("Everyone at {}", c.world.account().name), |t| t.name.clone()),
            )
        }))
        .field(scalar::<TeamRef, _>("is_guest", TypeRef::named(TypeRef::BOOLEAN), |c, r| {
            Value::from(team(c, r).is_some_and(|t| t.is_guest))
        }))
        .field(scalar::<TeamRef, _>("picture_url", TypeRef::named(TypeRef::STRING), |c, r| {
            team(c, r)
                .map_or(Value::Null, |t| Value::from(format!("https://cdn.monday.com/teams/{}/picture.png", t.id)))
        }))
        .field(
            child::<TeamRef, _>("owners", TypeRef::named_nn_list_nn("User"), |c, r, args| {
                let only = id_list(args, "ids")?;
                let owners = team(c, r).map_or(&[][..], |t| t.owners.as_slice());
                Ok(objects(
                    owners
                        .iter()
                        .filter(|id| only.as_ref().is_none_or(|o| o.contains(id)))
                        .filter_map(|id| c.world.user_pos(*id))
                        .map(UserRef),
                ))
            })
            .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID))),
        )
        .field(
            child::<TeamRef, _>("users", TypeRef::named_list("User"), |c, r, args| {
                let q = UsersQuery::from_args(args)?;
                let w = window(args, None, MAX_USERS_PAGE)?;
                let members: Vec<usize> = match team(c, r) {
                    Some(t) => t.members.iter().filter_map(|id| c.world.user_pos(*id)).collect(),
                    // Everyone: every enabled member of the account, guests excluded [INF].
                    None => (0..c.world.users().len())
                        .filter(|&i| {
                            let u = &c.world.users()[i];
                            u.kind != UserKind::Guest && u.status == UserStatus::Active
                        })
                        .collect(),
                };
                Ok(objects(q.run(&c.world, members.into_iter(), w)))
            })
            .argument(InputValue::new("emails", TypeRef::named_list(TypeRef::STRING)))
            .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
            .argument(InputValue::new("kind", TypeRef::named("UserKind")))
            .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)))
            .argument(InputValue::new("name", TypeRef::named(TypeRef::STRING)))
            .argument(InputValue::new("newest_first", TypeRef::named(TypeRef::BOOLEAN)))
            .argument(InputValue::new("non_active", TypeRef::named(TypeRef::BOOLEAN)))
            .argument(InputValue::new("page", TypeRef::named(TypeRef::INT))),
        );
    if version >= ApiVersion::V2026_10 {
        o = o.field(scalar::<TeamRef, _>("created_at", TypeRef::named(TypeRef::STRING), |c, r| {
            team(c, r)
                .map_or(Value::Null, |t| Value::from(t.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
        }));
    }
    o
}

/// The root `teams` field: all teams, or those in `ids`; guests see only their own teams [INF].
pub fn teams_field() -> Field {
    root("teams", TypeRef::named_list("Team"), |c, args| {
        let ids = id_list(args, "ids")?;
        let viewer = c.viewer();
        let mine = c.world.teams_of(viewer.id);
        let found = c
            .world
            .teams()
            .iter()
            .enumerate()
            .filter(|(_, t)| ids.as_ref().is_none_or(|ids| ids.contains(&t.id)))
            .filter(|(_, t)| viewer.kind != UserKind::Guest || mine.binary_search(&t.id).is_ok())
            .map(|(i, _)| TeamRef::Team(i));
        Ok(objects(found))
    })
    .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
}
