//! `service_users` (2026): the account's service users, the identities API tokens act as with no
//! person behind them, with when their token was last used. Admins only [INF].

use async_graphql::dynamic::{Field, Object, TypeRef};
use async_graphql::Value;

use super::mutations::require_admin;
use super::resolve::*;
use crate::model::{UserKind, UserStatus};

/// One service user, by position in `users()`.
pub struct ServiceUserRef(usize);

fn stamp(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}

/// The root `service_users` field.
pub fn service_users_field() -> Field {
    root("service_users", TypeRef::named_nn_list("ServiceUser"), |c, _| {
        require_admin(c)?;
        let found = c.world.users().iter().enumerate().filter(|(_, u)| u.kind == UserKind::ServiceUser);
        Ok(objects(found.map(|(i, _)| ServiceUserRef(i)).collect::<Vec<_>>()))
    })
}

/// The `ServiceUser` type. A service user is created by an admin (the account's first) and
/// holds one token [INF].
pub fn service_user_type() -> Object {
    let u = |c: &super::RequestCtx, r: &ServiceUserRef| c.world.users()[r.0].clone();
    Object::new("ServiceUser")
        .field(scalar::<ServiceUserRef, _>("id", TypeRef::named(TypeRef::ID), move |c, r| {
            Value::from(u(c, r).id.to_string())
        }))
        .field(scalar::<ServiceUserRef, _>("name", TypeRef::named(TypeRef::STRING), move |c, r| {
            Value::from(u(c, r).name)
        }))
        .field(scalar::<ServiceUserRef, _>("title", TypeRef::named(TypeRef::STRING), move |c, r| {
            Value::from(u(c, r).title)
        }))
        .field(scalar::<ServiceUserRef, _>("enabled", TypeRef::named(TypeRef::BOOLEAN), move |c, r| {
            Value::from(u(c, r).status != UserStatus::Inactive)
        }))
        .field(scalar::<ServiceUserRef, _>("invited_by_id", TypeRef::named(TypeRef::ID), |c, _| {
            c.world
                .users()
                .iter()
                .find(|x| x.kind == UserKind::Admin)
                .map_or(Value::Null, |a| Value::from(a.id.to_string()))
        }))
        .field(scalar::<ServiceUserRef, _>("created_at", TypeRef::named(TypeRef::STRING), move |c, r| {
            stamp(Some(u(c, r).created_at))
        }))
        .field(scalar::<ServiceUserRef, _>("last_token_activity", TypeRef::named(TypeRef::STRING), move |c, r| {
            stamp(u(c, r).last_activity)
        }))
        .field(scalar::<ServiceUserRef, _>("has_token", TypeRef::named(TypeRef::BOOLEAN), |_, _| Value::from(true)))
}
