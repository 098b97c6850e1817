//! `Account`, `Plan` and `AccountProduct`: the account's plan, tier and seats.

use async_graphql::dynamic::{Field, Object, TypeRef};
use async_graphql::Value;

use super::resolve::*;
use crate::model::{Product, UserKind, UserStatus};

/// The account (there is one).
pub struct AccountRef;
/// The account's plan.
pub struct PlanRef;
/// One product, by position in `Account::products`.
pub struct ProductRef(pub usize);

/// The `Account` type.
pub fn account_type() -> Object {
    let s = TypeRef::named_nn(TypeRef::STRING);
    Object::new("Account")
        .field(scalar::<AccountRef, _>("active_members_count", TypeRef::named(TypeRef::INT), |c, _| {
            // Billable members: enabled, not guests, people [INF: monday counts pending invitees as
            // seats, and not service or agent users].
            let n = c
                .world
                .users()
                .iter()
                .filter(|u| u.status != UserStatus::Inactive && u.kind != UserKind::Guest && u.kind.is_person())
                .count();
            Value::from(n as i32)
        }))
        .field(scalar::<AccountRef, _>("country_code", TypeRef::named(TypeRef::STRING), |c, _| {
            Value::from(c.world.account().country_code.clone())
        }))
        .field(scalar::<AccountRef, _>("created_at", TypeRef::named("Date"), |c, _| {
            Value::from(c.world.account().created_at.format("%Y-%m-%d").to_string())
        }))
        .field(scalar::<AccountRef, _>("first_day_of_the_week", TypeRef::named_nn("FirstDayOfTheWeek"), |_, _| {
            enum_value("monday")
        }))
        .field(scalar::<AccountRef, _>("id", TypeRef::named_nn(TypeRef::ID), |c, _| {
            Value::from(c.world.account().id.to_string())
        }))
        .field(scalar::<AccountRef, _>("is_during_trial", TypeRef::named(TypeRef::BOOLEAN), |_, _| Value::from(false)))
        .field(scalar::<AccountRef, _>("is_trial_expired", TypeRef::named(TypeRef::BOOLEAN), |_, _| Value::from(false)))
        .field(null_field("logo", TypeRef::named(TypeRef::STRING)))
        .field(scalar::<AccountRef, _>("name", s.clone(), |c, _| Value::from(c.world.account().name.clone())))
        .field(child::<AccountRef, _>("plan", TypeRef::named("Plan"), |_, _, _| Ok(object(PlanRef))))
        .field(child::<AccountRef, _>("products", TypeRef::named_list("AccountProduct"), |c, _, _| {
            Ok(objects((0..c.world.account().products.len()).map(ProductRef)))
        }))
        .field(scalar::<AccountRef, _>("show_timeline_weekends", TypeRef::named_nn(TypeRef::BOOLEAN), |_, _| {
            Value::from(true)
        }))
        .field(scalar::<AccountRef, _>("sign_up_product_kind", TypeRef::named(TypeRef::STRING), |_, _| {
            Value::from("core")
        }))
        .field(scalar::<AccountRef, _>("slug", s, |c, _| Value::from(c.world.account().slug.clone())))
        .field(scalar::<AccountRef, _>("tier", TypeRef::named(TypeRef::STRING), |c, _| {
            Value::from(c.world.account().tier.clone())
        }))
}

/// The `Plan` type.
pub fn plan_type() -> Object {
    Object::new("Plan")
        .field(scalar::<PlanRef, _>("max_users", TypeRef::named_nn(TypeRef::INT), |c, _| {
            Value::from(c.world.account().plan.max_users)
        }))
        .field(scalar::<PlanRef, _>("period", TypeRef::named(TypeRef::STRING), |c, _| {
            Value::from(c.world.account().plan.period.clone())
        }))
        .field(scalar::<PlanRef, _>("tier", TypeRef::named(TypeRef::STRING), |c, _| {
            Value::from(c.world.account().plan.tier.clone())
        }))
        .field(scalar::<PlanRef, _>("version", TypeRef::named_nn(TypeRef::INT), |c, _| {
            Value::from(c.world.account().plan.version)
        }))
}

fn product<'a>(c: &'a super::RequestCtx, r: &ProductRef) -> &'a Product {
    &c.world.account().products[r.0]
}

/// The `AccountProduct` type.
pub fn product_type() -> Object {
    Object::new("AccountProduct")
        .field(scalar::<ProductRef, _>("default_workspace_id", TypeRef::named(TypeRef::ID), |c, r| {
            product(c, r).default_workspace_id.map_or(Value::Null, |id| Value::from(id.to_string()))
        }))
        .field(scalar::<ProductRef, _>("id", TypeRef::named(TypeRef::ID), |c, r| {
            Value::from(product(c, r).id.to_string())
        }))
        .field(scalar::<ProductRef, _>("kind", TypeRef::named(TypeRef::STRING), |c, r| {
            Value::from(product(c, r).kind.clone())
        }))
        .field(scalar::<ProductRef, _>("tier", TypeRef::named(TypeRef::STRING), |c, r| {
            Value::from(product(c, r).tier.clone())
        }))
}

/// The root `account` field.
pub fn account_field() -> Field {
    root("account", TypeRef::named("Account"), |_, _| Ok(object(AccountRef)))
}
