//! The user-management mutations of monday.com: invitations, roles, (de)activation, user
//! attributes, team membership and ownership, teams, and workspace and board membership.
//! Each applies its change to the shared state atomically (all of it, or nothing on a
//! whole-call error), answers with monday.com's result types, and lists per-item failures the
//! way monday.com does (the call succeeds and names what failed).

mod memberships;
mod results;
mod teams;
mod users;

use std::sync::Arc;

use async_graphql::dynamic::{Object, SchemaBuilder};

use super::resolve::{app_error, Res};
use super::{CtxCell, RequestCtx};
use crate::audit::{AuditEvent, AuditKind, API_IP};
use crate::model::{Org, User, UserKind, World};

/// Most ids one call may carry (monday.com: 200).
pub const BATCH_LIMIT: usize = 200;

/// The Mutation root and every type it needs.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let root = Object::new("Mutation").field(super::resolve::root(
        "complexity",
        async_graphql::dynamic::TypeRef::named("Complexity"),
        |_, _| Ok(super::resolve::object(super::types::ComplexityRef)),
    ));
    let root = users::fields(root);
    let root = teams::fields(root);
    let root = memberships::fields(root);
    results::register(b.register(root))
}

/// The answer to callers who may not manage users.
pub(crate) fn unauthorized() -> async_graphql::Error {
    app_error("USER_UNAUTHORIZED", 403, "User unauthorized to perform action")
}

/// Only admins manage users and teams.
pub(crate) fn require_admin(c: &RequestCtx) -> Res<()> {
    if c.viewer().kind == UserKind::Admin {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

/// Applies `change` to the newest state, checks the result, installs it for everyone and for
/// the rest of this request. A change that leaves the account invalid is refused whole.
pub(crate) fn apply<T>(cell: &CtxCell, c: &RequestCtx, change: impl FnOnce(&mut Org) -> Res<T>) -> Res<T> {
    let mut guard = c.state.write();
    let mut org = guard.org().clone();
    let out = change(&mut org)?;
    let world = Arc::new(World::new(org).map_err(|e| app_error("RecordInvalidException", 422, e.to_string()))?);
    *guard = Arc::clone(&world);
    drop(guard);
    cell.set_world(world);
    Ok(out)
}

/// Logs `event` by the caller, made through the API, in the audit log of `org`.
pub(crate) fn log(org: &mut Org, c: &RequestCtx, event: AuditKind, metadata: serde_json::Value) {
    org.audit_log.push(AuditEvent { at: c.now, event, user_id: c.viewer().id, ip: API_IP, device: 0, metadata });
}

/// Records `event` on board `board`'s activity log, by the caller.
pub(crate) fn board_activity(org: &mut Org, c: &RequestCtx, board: u64, event: &str, data: serde_json::Value) {
    let id = org.activity_log.len() as u64 + 1;
    org.activity_log.push(crate::activity::ActivityEntry {
        id,
        board_id: board,
        at: c.now,
        event: event.into(),
        user_id: c.viewer().id,
        data,
    });
}

/// Positions in the request's current world of these user ids.
pub(crate) fn user_positions(cell: &CtxCell, ids: &[u64]) -> Vec<usize> {
    let c = cell.current();
    ids.iter().filter_map(|id| c.world.user_pos(*id)).collect()
}

/// A user of `org` by id.
pub(crate) fn find_user(org: &Org, id: u64) -> Option<&User> {
    org.users.iter().find(|u| u.id == id)
}

/// Checks the size of a batch of ids.
pub(crate) fn check_batch(n: usize) -> Res<()> {
    if n > BATCH_LIMIT {
        return Err(app_error(
            "EXCEEDS_BATCH_LIMIT",
            400,
            format!("A call may carry at most {BATCH_LIMIT} ids; got {n}"),
        ));
    }
    Ok(())
}
