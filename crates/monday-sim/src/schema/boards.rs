//! `Board` and the `boards` query: who subscribes to and owns each board.

use async_graphql::dynamic::{Field, InputValue, Object, TypeRef};
use async_graphql::{Name, Value};

use super::members::*;
use super::resolve::*;
use super::users::UserRef;
use super::workspaces::{state_matches, WorkspaceRef};
use crate::model::{Board, UserKind};

/// A board, by position in `World::boards()`.
#[derive(Debug, Clone, Copy)]
pub struct BoardRef(pub usize);

fn board<'a>(c: &'a super::RequestCtx, r: &BoardRef) -> &'a Board {
    &c.world.boards()[r.0]
}

fn ts(t: chrono::DateTime<chrono::Utc>) -> Value {
    Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The `Board` type.
pub fn board_type() -> Object {
    let creator = |c: &super::RequestCtx, r: &BoardRef, _: &async_graphql::dynamic::ObjectAccessor| {
        Ok(c.world.user_pos(board(c, r).creator_id).map(|p| async_graphql::dynamic::FieldValue::owned_any(UserRef(p))))
    };
    Object::new("Board")
        .field(scalar::<BoardRef, _>("id", TypeRef::named_nn(TypeRef::ID), |c, r| {
            Value::from(board(c, r).id.to_string())
        }))
        .field(scalar::<BoardRef, _>("name", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(board(c, r).name.clone())
        }))
        .field(scalar::<BoardRef, _>("description", TypeRef::named(TypeRef::STRING), |c, r| {
            opt_str(&board(c, r).description)
        }))
        .field(scalar::<BoardRef, _>("board_kind", TypeRef::named_nn("BoardKind"), |c, r| {
            enum_value(board(c, r).kind.as_str())
        }))
        .field(scalar::<BoardRef, _>("state", TypeRef::named_nn("State"), |c, r| {
            enum_value(board(c, r).state.as_str())
        }))
        .field(scalar::<BoardRef, _>("permissions", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(board(c, r).permissions.clone())
        }))
        .field(scalar::<BoardRef, _>("access_level", TypeRef::named_nn("BoardAccessLevel"), |c, _| {
            // Viewers and guests read; the rest edit [INF].
            enum_value(if matches!(c.viewer().kind, UserKind::Viewer | UserKind::Guest) { "view" } else { "edit" })
        }))
        .field(null_field("board_folder_id", TypeRef::named(TypeRef::ID)))
        .field(scalar::<BoardRef, _>(
            "created_at",
            TypeRef::named("ISO8601DateTime"),
            |c, r| ts(board(c, r).created_at),
        ))
        .field(scalar::<BoardRef, _>(
            "updated_at",
            TypeRef::named("ISO8601DateTime"),
            |c, r| ts(board(c, r).updated_at),
        ))
        .field(null_field("created_from_board_id", TypeRef::named(TypeRef::ID)))
        .field(child::<BoardRef, _>("creator", TypeRef::named_nn("User"), creator))
        .field(child::<BoardRef, _>("owner", TypeRef::named_nn("User"), creator).deprecation(Some(
            "This field returned creator of the board. Please use 'creator' or 'owners' fields instead.",
        )))
        .field(scalar::<BoardRef, _>("hierarchy_type", TypeRef::named("BoardHierarchy"), |_, _| enum_value("classic")))
        .field(scalar::<BoardRef, _>("type", TypeRef::named("BoardObjectType"), |_, _| enum_value("board")))
        .field(scalar::<BoardRef, _>("items_count", TypeRef::named(TypeRef::INT), |_, _| Value::from(0)))
        .field(scalar::<BoardRef, _>("items_limit", TypeRef::named(TypeRef::INT), |_, _| Value::from(10_000)))
        .field(scalar::<BoardRef, _>("item_terminology", TypeRef::named(TypeRef::STRING), |_, _| Value::from("item")))
        .field(null_field("columns_namespace", TypeRef::named(TypeRef::STRING)))
        .field(null_field("communication", TypeRef::named("JSON")))
        .field(null_field("object_type_unique_key", TypeRef::named(TypeRef::STRING)))
        .field(scalar::<BoardRef, _>("url", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(format!("https://{}.monday.com/boards/{}", c.world.account().slug, board(c, r).id))
        }))
        .field(scalar::<BoardRef, _>("workspace_id", TypeRef::named(TypeRef::ID), |c, r| {
            board(c, r).workspace_id.map_or(Value::Null, |id| Value::from(id.to_string()))
        }))
        .field(child::<BoardRef, _>("workspace", TypeRef::named("Workspace"), |c, r, _| {
            Ok(board(c, r)
                .workspace_id
                .and_then(|id| c.world.workspace_pos(id))
                .map(|p| async_graphql::dynamic::FieldValue::owned_any(WorkspaceRef(p))))
        }))
        // Not paginated on monday.com: every owner and subscriber in one list.
        .field(child::<BoardRef, _>("owners", TypeRef::named_list_nn("User"), |c, r, _| {
            Ok(user_page(c, &board(c, r).owners, Window { start: 0, limit: usize::MAX }))
        }))
        .field(child::<BoardRef, _>("subscribers", TypeRef::named_list_nn("User"), |c, r, _| {
            Ok(user_page(c, &board(c, r).subscribers, Window { start: 0, limit: usize::MAX }))
        }))
        .field(paged(child::<BoardRef, _>("team_owners", TypeRef::named_nn_list("Team"), |c, r, a| {
            Ok(team_page(c, &board(c, r).team_owners, false, nested_window(a)?))
        })))
        .field(paged(child::<BoardRef, _>("team_subscribers", TypeRef::named_nn_list("Team"), |c, r, a| {
            let b = board(c, r);
            Ok(team_page(c, &b.team_subscribers, b.everyone, nested_window(a)?))
        })))
        .field(empty_list("tags", TypeRef::named_list("Tag")))
        .field(
            child::<BoardRef, _>("groups", TypeRef::named_list("Group"), |_, _, a| {
                // The top group, unless other ids are asked for.
                let ids = a
                    .get("ids")
                    .and_then(|v| v.list().ok())
                    .map(|l| l.iter().filter_map(|v| v.string().ok().map(str::to_string)).collect::<Vec<_>>());
                let top = ids.is_none_or(|ids| ids.iter().any(|i| i == "topics"));
                Ok(objects(top.then_some(super::types::GroupRef)))
            })
            .argument(InputValue::new("ids", TypeRef::named_list(TypeRef::STRING))),
        )
        .field(child::<BoardRef, _>("top_group", TypeRef::named_nn("Group"), |_, _, _| {
            Ok(object(super::types::GroupRef))
        }))
        .field(
            empty_list("views", TypeRef::named_list("BoardView"))
                .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
                .argument(InputValue::new("type", TypeRef::named(TypeRef::STRING))),
        )
        .field(paged(
            empty_list("updates", TypeRef::named_nn_list("Update"))
                .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID))),
        ))
        .field(super::items::board_columns_field())
        .field(super::items::board_items_page_field())
        .field(super::activity::board_activity_logs_field())
}

/// The root `boards` field.
pub fn boards_field() -> Field {
    root("boards", TypeRef::named_list("Board"), |c, args| {
        let ids = id_list(args, "ids")?;
        let kind = opt_enum(args, "board_kind")?;
        let state = opt_enum(args, "state")?.unwrap_or_else(|| "active".to_string());
        let hierarchy = enum_list(args, "hierarchy_types")?;
        let order = opt_enum(args, "order_by")?;
        // `workspace_ids: [null]` selects the main workspace [INF].
        let workspaces: Option<Vec<Option<u64>>> = match args.get("workspace_ids").filter(|v| !v.is_null()) {
            Some(v) => Some(match v.list() {
                Ok(l) => l
                    .iter()
                    .map(|v| if v.is_null() { Ok(None) } else { id_list_one(&v).map(Some) })
                    .collect::<Res<Vec<_>>>()?,
                Err(_) => vec![Some(id_list_one(&v)?)],
            }),
            None => None,
        };
        let w = window(args, Some(25), MAX_PAGE)?;
        let viewer = c.viewer();
        let all = c.world.boards();
        let mut found: Vec<usize> = all
            .iter()
            .enumerate()
            .filter(|(_, b)| ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
            .filter(|(_, b)| kind.as_deref().is_none_or(|k| k == b.kind.as_str()))
            .filter(|(_, b)| state_matches(&state, b.state))
            .filter(|_| hierarchy.as_ref().is_none_or(|h| h.iter().any(|h| h == "classic")))
            .filter(|(_, b)| workspaces.as_ref().is_none_or(|ws| ws.contains(&b.workspace_id)))
            .filter(|(_, b)| c.world.can_see_board(viewer, b))
            .map(|(i, _)| i)
            .collect();
        match order.as_deref() {
            Some("created_at") => found.sort_by(|&a, &b| all[b].created_at.cmp(&all[a].created_at)),
            Some("used_at") => found.sort_by(|&a, &b| all[b].updated_at.cmp(&all[a].updated_at)),
            _ => {}
        }
        Ok(objects(w.apply(found).into_iter().map(BoardRef)))
    })
    .argument(InputValue::new("board_kind", TypeRef::named("BoardKind")))
    .argument(InputValue::new("hierarchy_types", TypeRef::named_nn_list("BoardHierarchy")))
    .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
    .argument(InputValue::new("latest", TypeRef::named(TypeRef::BOOLEAN)))
    .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(25))
    .argument(InputValue::new("order_by", TypeRef::named("BoardsOrderBy")))
    .argument(InputValue::new("page", TypeRef::named(TypeRef::INT)).default_value(1))
    .argument(InputValue::new("state", TypeRef::named("State")).default_value(Value::Enum(Name::new("active"))))
    .argument(InputValue::new("workspace_ids", TypeRef::named_list(TypeRef::ID)))
}

fn id_list_one(v: &async_graphql::dynamic::ValueAccessor) -> Res<u64> {
    let raw = match v.as_value() {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    raw.trim().parse().map_err(|_| {
        app_error(
            "InvalidArgumentException",
            400,
            format!("Invalid ID {raw:?} in argument 'workspace_ids': IDs are numbers"),
        )
    })
}
