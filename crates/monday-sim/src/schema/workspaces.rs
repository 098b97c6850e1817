//! `Workspace` and the `workspaces` query.

use async_graphql::dynamic::{Field, InputValue, Object, TypeRef};
use async_graphql::Value;

use super::account::ProductRef;
use super::members::*;
use super::resolve::*;
use crate::model::{State, Workspace};

/// A workspace, by position in `World::workspaces()`.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceRef(pub usize);
/// A workspace's settings.
pub struct SettingsRef(usize);
/// A workspace's icon.
pub struct IconRef(usize);

fn ws<'a>(c: &'a super::RequestCtx, r: &WorkspaceRef) -> &'a Workspace {
    &c.world.workspaces()[r.0]
}

/// The `Workspace` type.
pub fn workspace_type() -> Object {
    Object::new("Workspace")
        .field(child::<WorkspaceRef, _>("account_product", TypeRef::named("AccountProduct"), |c, _, _| {
            Ok((!c.world.account().products.is_empty())
                .then(|| async_graphql::dynamic::FieldValue::owned_any(ProductRef(0))))
        }))
        .field(scalar::<WorkspaceRef, _>("created_at", TypeRef::named("Date"), |c, r| {
            Value::from(ws(c, r).created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        }))
        .field(scalar::<WorkspaceRef, _>("description", TypeRef::named(TypeRef::STRING), |c, r| {
            opt_str(&ws(c, r).description)
        }))
        .field(scalar::<WorkspaceRef, _>("id", TypeRef::named(TypeRef::ID), |c, r| {
            Value::from(ws(c, r).id.to_string())
        }))
        .field(scalar::<WorkspaceRef, _>("is_default_workspace", TypeRef::named(TypeRef::BOOLEAN), |_, _| {
            Value::from(false)
        }))
        .field(scalar::<WorkspaceRef, _>("kind", TypeRef::named("WorkspaceKind"), |c, r| {
            enum_value(ws(c, r).kind.as_str())
        }))
        .field(scalar::<WorkspaceRef, _>("name", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(ws(c, r).name.clone())
        }))
        .field(scalar::<WorkspaceRef, _>("state", TypeRef::named("State"), |c, r| enum_value(ws(c, r).state.as_str())))
        .field(child::<WorkspaceRef, _>("settings", TypeRef::named("WorkspaceSettings"), |_, r, _| {
            Ok(object(SettingsRef(r.0)))
        }))
        .field(paged(child::<WorkspaceRef, _>("owners_subscribers", TypeRef::named_list("User"), |c, r, a| {
            Ok(user_page(c, &ws(c, r).owners, nested_window(a)?))
        })))
        .field(paged(child::<WorkspaceRef, _>("users_subscribers", TypeRef::named_list("User"), |c, r, a| {
            Ok(user_page(c, &ws(c, r).members, nested_window(a)?))
        })))
        .field(paged(child::<WorkspaceRef, _>("team_owners_subscribers", TypeRef::named_nn_list("Team"), |c, r, a| {
            Ok(team_page(c, &ws(c, r).team_owners, false, nested_window(a)?))
        })))
        .field(paged(child::<WorkspaceRef, _>("teams_subscribers", TypeRef::named_list("Team"), |c, r, a| {
            Ok(team_page(c, &ws(c, r).team_members, false, nested_window(a)?))
        })))
}

const ICON_COLORS: &[&str] = &["#579bfc", "#00c875", "#fdab3d", "#e2445c", "#a25ddc"];

/// `WorkspaceSettings` and `WorkspaceIcon`.
pub fn settings_types() -> [Object; 2] {
    [
        Object::new("WorkspaceSettings").field(child::<SettingsRef, _>(
            "icon",
            TypeRef::named("WorkspaceIcon"),
            |_, s, _| Ok(object(IconRef(s.0))),
        )),
        Object::new("WorkspaceIcon")
            .field(scalar::<IconRef, _>("color", TypeRef::named(TypeRef::STRING), |_, i| {
                Value::from(ICON_COLORS[i.0 % ICON_COLORS.len()])
            }))
            .field(null_field("image", TypeRef::named(TypeRef::STRING))),
    ]
}

/// Whether a `State` argument value admits `state`.
pub fn state_matches(arg: &str, state: State) -> bool {
    arg == "all" || arg == state.as_str()
}

/// The root `workspaces` field.
pub fn workspaces_field() -> Field {
    root("workspaces", TypeRef::named_list("Workspace"), |c, args| {
        let ids = id_list(args, "ids")?;
        let kind = opt_enum(args, "kind")?;
        let state = opt_enum(args, "state")?.unwrap_or_else(|| "active".to_string());
        let members_only = opt_enum(args, "membership_kind")?.as_deref() == Some("member");
        let newest_first = opt_enum(args, "order_by")?.is_some();
        let product_kind = match args.get("query_params").filter(|v| !v.is_null()) {
            Some(v) => opt_enum(&v.object()?, "account_product_kind")?,
            None => None,
        };
        // Every generated workspace belongs to the account's first product.
        let first_product = c.world.account().products.first().map(|p| p.kind.clone());
        let w = window(args, Some(25), MAX_PAGE)?;
        let viewer = c.viewer();
        let teams = c.world.teams_of(viewer.id);
        let mut found: Vec<usize> = c
            .world
            .workspaces()
            .iter()
            .enumerate()
            .filter(|(_, ws)| ids.as_ref().is_none_or(|ids| ids.contains(&ws.id)))
            .filter(|(_, ws)| kind.as_deref().is_none_or(|k| k == ws.kind.as_str()))
            .filter(|(_, ws)| state_matches(&state, ws.state))
            .filter(|_| product_kind.is_none() || product_kind == first_product)
            .filter(|(_, ws)| c.world.can_see_workspace(viewer, ws))
            .filter(|(_, ws)| {
                !members_only
                    || ws.members.binary_search(&viewer.id).is_ok()
                    || ws.team_members.iter().any(|t| teams.binary_search(t).is_ok())
            })
            .map(|(i, _)| i)
            .collect();
        if newest_first {
            let all = c.world.workspaces();
            found.sort_by(|&a, &b| all[b].created_at.cmp(&all[a].created_at));
        }
        Ok(objects(w.apply(found).into_iter().map(WorkspaceRef)))
    })
    .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
    .argument(InputValue::new("kind", TypeRef::named("WorkspaceKind")))
    .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(25))
    .argument(
        InputValue::new("membership_kind", TypeRef::named("WorkspaceMembershipKind"))
            .default_value(Value::Enum(async_graphql::Name::new("all"))),
    )
    .argument(InputValue::new("order_by", TypeRef::named("WorkspacesOrderBy")))
    .argument(InputValue::new("page", TypeRef::named(TypeRef::INT)).default_value(1))
    .argument(InputValue::new("query_params", TypeRef::named("WorkspacesQueryInput")))
    .argument(
        InputValue::new("state", TypeRef::named("State"))
            .default_value(Value::Enum(async_graphql::Name::new("active"))),
    )
}
