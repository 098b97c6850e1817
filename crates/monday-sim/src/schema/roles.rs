//! `account_roles` and `User.user_config`: the four basic roles and an Enterprise account's
//! custom roles, and which one each user holds.

use async_graphql::dynamic::{Field, Object, TypeRef};
use async_graphql::Value;

use super::resolve::*;
use super::users::UserRef;
use crate::model::UserKind;

/// One role: a basic role by kind, or a custom role by position in `custom_roles()`.
pub enum RoleRef {
    /// A basic role.
    Basic(UserKind),
    /// A custom role.
    Custom(usize),
}

impl RoleRef {
    fn facts(&self, c: &super::RequestCtx) -> (u64, String, &'static str) {
        match self {
            RoleRef::Basic(k) => {
                let (id, name) = k.basic_role();
                (id, name.to_string(), "basic_role")
            }
            // monday.com documents only `basic_role`; a custom role's type is inferred [INF].
            RoleRef::Custom(i) => {
                let r = &c.world.custom_roles()[*i];
                (r.id, r.name.clone(), "custom_role")
            }
        }
    }
}

/// The root `account_roles` field: the basic roles, then the custom ones.
pub fn account_roles_field() -> Field {
    root("account_roles", TypeRef::named_nn_list("AccountRole"), |c, _| {
        let basic = [UserKind::Admin, UserKind::Member, UserKind::Viewer, UserKind::Guest].map(RoleRef::Basic);
        Ok(objects(basic.into_iter().chain((0..c.world.custom_roles().len()).map(RoleRef::Custom))))
    })
}

/// The `AccountRole` type.
pub fn account_role_type() -> Object {
    let s = TypeRef::named(TypeRef::STRING);
    Object::new("AccountRole")
        .field(scalar::<RoleRef, _>("id", TypeRef::named(TypeRef::ID), |c, r| Value::from(r.facts(c).0.to_string())))
        .field(scalar::<RoleRef, _>("name", s.clone(), |c, r| Value::from(r.facts(c).1)))
        .field(scalar::<RoleRef, _>("roleType", s, |c, r| Value::from(r.facts(c).2)))
}

/// `User.user_config`.
pub fn user_config_field() -> Field {
    child::<UserRef, _>("user_config", TypeRef::named_nn("UserConfig"), |_, r, _| Ok(object(ConfigRef(r.0))))
}

/// A user's config, by the user's position.
pub struct ConfigRef(usize);

fn user<'a>(c: &'a super::RequestCtx, r: &ConfigRef) -> &'a crate::model::User {
    &c.world.users()[r.0]
}

/// The `UserConfig` type. `kind` is the user's kind and `role_id` the role they hold; the
/// visibility and behaviours of a kind are not modelled (empty) [INF].
pub fn user_config_type() -> Object {
    let list = || TypeRef::named_nn_list_nn(TypeRef::STRING);
    Object::new("UserConfig")
        .field(scalar::<ConfigRef, _>("kind", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(user(c, r).kind.as_str())
        }))
        .field(scalar::<ConfigRef, _>("role_id", TypeRef::named_nn(TypeRef::ID), |c, r| {
            let u = user(c, r);
            Value::from(u.role_id.unwrap_or(u.kind.basic_role().0).to_string())
        }))
        .field(empty_list("visibility", list()))
        .field(empty_list("behaviors", list()))
        .field(scalar::<ConfigRef, _>("group", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(if user(c, r).role_id.is_some() { "custom" } else { "basic" })
        }))
}
