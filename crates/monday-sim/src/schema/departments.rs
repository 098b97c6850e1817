//! `departments` and `User.department`: an Enterprise account's departments with their seats
//! and members.

use async_graphql::dynamic::{Field, InputValue, Object, TypeRef};
use async_graphql::Value;

use super::resolve::*;
use super::users::UserRef;
use crate::model::{Department, World};

/// One department, by position in `departments()`.
pub struct DepartmentRef(usize);

fn department<'a>(c: &'a super::RequestCtx, r: &DepartmentRef) -> &'a Department {
    &c.world.departments()[r.0]
}

/// The root `departments(ids)` field.
pub fn departments_field() -> Field {
    root("departments", TypeRef::named_nn_list("Department"), |c, a| {
        let ids = id_list(a, "ids")?;
        let picked = c
            .world
            .departments()
            .iter()
            .enumerate()
            .filter(|(_, d)| ids.as_ref().is_none_or(|ids| ids.contains(&d.id)));
        Ok(objects(picked.map(|(i, _)| DepartmentRef(i)).collect::<Vec<_>>()))
    })
    .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
}

/// `User.department`: the department the user is a member of, if any.
pub fn user_department_field() -> Field {
    child::<UserRef, _>("department", TypeRef::named("Department"), |c, r, _| {
        let id = c.world.users()[r.0].id;
        let at = c.world.departments().iter().position(|d| d.members.binary_search(&id).is_ok());
        Ok(at.and_then(|i| object(DepartmentRef(i))))
    })
}

fn users(c: &super::RequestCtx, ids: &[u64]) -> Option<async_graphql::dynamic::FieldValue<'static>> {
    objects(ids.iter().filter_map(|id| c.world.user_pos(*id)).map(UserRef).collect::<Vec<_>>())
}

/// The `Department` type. `assigned_seats` counts the members who take a paid seat (enabled
/// people who are not guests) [INF].
pub fn department_type() -> Object {
    Object::new("Department")
        .field(scalar::<DepartmentRef, _>("id", TypeRef::named_nn(TypeRef::ID), |c, r| {
            Value::from(department(c, r).id.to_string())
        }))
        .field(scalar::<DepartmentRef, _>("name", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(department(c, r).name.clone())
        }))
        .field(scalar::<DepartmentRef, _>("reserved_seats", TypeRef::named_nn(TypeRef::INT), |c, r| {
            Value::from(department(c, r).reserved_seats)
        }))
        .field(scalar::<DepartmentRef, _>("assigned_seats", TypeRef::named_nn(TypeRef::INT), |c, r| {
            let d = department(c, r);
            let w = &c.world;
            let n =
                d.members.iter().filter_map(|id| w.user_pos(*id)).filter(|p| World::takes_seat(&w.users()[*p])).count();
            Value::from(n as i64)
        }))
        .field(child::<DepartmentRef, _>("members", TypeRef::named_nn_list("User"), |c, r, _| {
            Ok(users(c, &department(c, r).members))
        }))
        .field(child::<DepartmentRef, _>("owners", TypeRef::named_nn_list("User"), |c, r, _| {
            Ok(users(c, &department(c, r).owners))
        }))
}
