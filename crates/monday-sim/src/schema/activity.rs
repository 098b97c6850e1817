//! `Board.activity_logs(from, to, user_ids, limit, page)` and `ActivityLogType`: the board's
//! membership changes made through the API, newest first.

use async_graphql::dynamic::{Field, InputValue, Object, TypeRef};
use async_graphql::Value;

use super::boards::BoardRef;
use super::members::{nested_window, paged};
use super::resolve::*;
use crate::activity::ActivityEntry;

/// One entry, by position in `activity_log()`.
pub struct EntryRef(usize);

/// `Board.activity_logs`.
pub fn board_activity_logs_field() -> Field {
    paged(
        child::<BoardRef, _>("activity_logs", TypeRef::named_list("ActivityLogType"), |c, r, a| {
            let board = c.world.boards()[r.0].id;
            let (from, to) = (opt_time(a, "from")?, opt_time(a, "to")?);
            let users = id_list(a, "user_ids")?;
            let w = nested_window(a)?;
            let log = c.world.activity_log();
            let picked: Vec<usize> = (0..log.len())
                .rev()
                .filter(|&i| {
                    let e = &log[i];
                    e.board_id == board
                        && from.is_none_or(|f| e.at >= f)
                        && to.is_none_or(|t| e.at <= t)
                        && users.as_ref().is_none_or(|u| u.contains(&e.user_id))
                })
                .collect();
            Ok(objects(w.apply(picked).into_iter().map(EntryRef)))
        })
        .argument(InputValue::new("from", TypeRef::named("ISO8601DateTime")))
        .argument(InputValue::new("to", TypeRef::named("ISO8601DateTime")))
        .argument(InputValue::new("user_ids", TypeRef::named_nn_list(TypeRef::ID))),
    )
}

fn entry<'a>(c: &'a super::RequestCtx, r: &EntryRef) -> &'a ActivityEntry {
    &c.world.activity_log()[r.0]
}

/// The `ActivityLogType` type.
pub fn activity_log_type() -> Object {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    Object::new("ActivityLogType")
        .field(scalar::<EntryRef, _>("id", s(), |c, r| Value::from(entry(c, r).id.to_string())))
        .field(scalar::<EntryRef, _>("account_id", s(), |c, _| Value::from(c.world.account().id.to_string())))
        .field(scalar::<EntryRef, _>("created_at", s(), |c, r| Value::from(entry(c, r).created_at())))
        .field(scalar::<EntryRef, _>("data", s(), |c, r| Value::from(entry(c, r).data.to_string())))
        .field(scalar::<EntryRef, _>("entity", s(), |_, _| Value::from("board")))
        .field(scalar::<EntryRef, _>("event", s(), |c, r| Value::from(entry(c, r).event.clone())))
        .field(scalar::<EntryRef, _>("user_id", s(), |c, r| Value::from(entry(c, r).user_id.to_string())))
}
