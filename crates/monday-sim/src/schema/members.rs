//! Paged member lists shared by workspaces and boards (`users_subscribers(limit, page)`,
//! `team_subscribers(limit, page)`, ...): default 25 a page, pages from 1.

use async_graphql::dynamic::{Field, FieldValue, InputValue, TypeRef};

use super::resolve::*;
use super::teams::TeamRef;
use super::users::UserRef;
use super::RequestCtx;

/// Adds `limit: Int = 25, page: Int = 1` to a field.
pub fn paged(field: Field) -> Field {
    field
        .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(25))
        .argument(InputValue::new("page", TypeRef::named(TypeRef::INT)).default_value(1))
}

/// One page of `ids` (user ids) as `User` objects.
pub fn user_page(c: &RequestCtx, ids: &[u64], w: Window) -> Option<FieldValue<'static>> {
    objects(ids.iter().skip(w.start).take(w.limit).filter_map(|id| c.world.user_pos(*id)).map(UserRef))
}

/// One page of `ids` (team ids) as `Team` objects, with "everyone" (`-1`) first when set.
pub fn team_page(c: &RequestCtx, ids: &[u64], everyone: bool, w: Window) -> Option<FieldValue<'static>> {
    let all = everyone
        .then_some(TeamRef::Everyone)
        .into_iter()
        .chain(ids.iter().filter_map(|id| c.world.team_pos(*id)).map(TeamRef::Team));
    objects(all.skip(w.start).take(w.limit))
}

/// `limit` / `page` of a nested list.
pub fn nested_window(args: &async_graphql::dynamic::ObjectAccessor) -> Res<Window> {
    window(args, Some(25), MAX_PAGE)
}
