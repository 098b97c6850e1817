//! monday-sim's GraphQL schema, one per API version, built with async-graphql's dynamic
//! schema so that the differences between versions are a few `if`s, not two copies.
//!
//! Only the subset Roster uses is declared, with monday.com's names, argument types, defaults
//! and nullability; a test checks it against monday.com's published schemas.

mod account;
mod activity;
mod audit;
mod boards;
mod departments;
mod items;
mod members;
mod mutations;
pub mod resolve;
mod roles;
mod service_users;
mod teams;
mod types;
mod users;
mod workspaces;

use std::sync::Arc;

use async_graphql::dynamic::{Object, Schema, SchemaError, TypeRef};

pub use users::UsersQuery;

use crate::limits::Charge;
use crate::model::{User, World};
use crate::version::ApiVersion;

/// Deepest selection nesting accepted [INF: monday.com's limit is unpublished].
pub const MAX_DEPTH: usize = 12;

/// What every resolver of one request sees.
pub struct RequestCtx {
    /// The state as of the start of the request.
    pub world: Arc<World>,
    /// The version answering.
    pub version: ApiVersion,
    /// The token's user, by position in `world.users()`.
    pub viewer_pos: usize,
    /// What this request was charged.
    pub charge: Charge,
    /// The emulator's shared state, which mutations change.
    pub state: crate::sim::SharedWorld,
    /// The emulator's time at the start of the request (what mutations log).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The context of one request, replaced when a mutation changes the world, so that every
/// field resolved afterwards (GraphQL runs mutations one after the other) sees the change.
pub struct CtxCell(parking_lot::RwLock<Arc<RequestCtx>>);

impl CtxCell {
    /// A cell holding `ctx`.
    pub fn new(ctx: RequestCtx) -> CtxCell {
        CtxCell(parking_lot::RwLock::new(Arc::new(ctx)))
    }

    /// The context now.
    pub fn current(&self) -> Arc<RequestCtx> {
        Arc::clone(&self.0.read())
    }

    /// Installs a new world (the viewer is found again by id).
    pub fn set_world(&self, world: Arc<World>) {
        let mut guard = self.0.write();
        let viewer_id = guard.viewer().id;
        let viewer_pos = world.user_pos(viewer_id).unwrap_or(guard.viewer_pos);
        *guard = Arc::new(RequestCtx {
            world,
            version: guard.version,
            viewer_pos,
            charge: guard.charge,
            state: guard.state.clone(),
            now: guard.now,
        });
    }
}

impl RequestCtx {
    /// The token's user.
    pub fn viewer(&self) -> &User {
        &self.world.users()[self.viewer_pos]
    }
}

/// Builds the schema of `version`.
pub fn build(version: ApiVersion) -> Result<Schema, SchemaError> {
    let query = Object::new("Query")
        .field(users::me_field())
        .field(account::account_field())
        .field(roles::account_roles_field())
        .field(departments::departments_field())
        .field(audit::audit_logs_field())
        .field(audit::audit_event_catalogue_field())
        .field(items::next_items_page_field())
        .field(service_users::service_users_field())
        .field(users::users_field())
        .field(teams::teams_field())
        .field(workspaces::workspaces_field())
        .field(boards::boards_field())
        .field(resolve::root("complexity", TypeRef::named("Complexity"), |_, _| {
            Ok(resolve::object(types::ComplexityRef))
        }))
        .field(resolve::root("version", TypeRef::named_nn("Version"), |_, _| Ok(resolve::object(types::VersionRef))));
    let mut b = Schema::build("Query", Some("Mutation"), None)
        .register(query)
        .register(users::user_type(version))
        .register(users::photo_type())
        .register(teams::team_type(version))
        .register(account::account_type())
        .register(account::plan_type())
        .register(account::product_type())
        .register(roles::account_role_type())
        .register(departments::department_type())
        .register(service_users::service_user_type())
        .register(activity::activity_log_type())
        .register(roles::user_config_type())
        .register(workspaces::workspace_type())
        .register(boards::board_type());
    for t in audit::types() {
        b = b.register(t);
    }
    for t in workspaces::settings_types() {
        b = b.register(t);
    }
    b = types::register(b, version);
    b = types::register_meta(b);
    b = types::register_unmodelled(b, version);
    b = items::register(b);
    b = mutations::register(b);
    b.limit_depth(MAX_DEPTH).limit_directives(20).finish()
}
