//! Items: `Board.items_page`, `next_items_page`, `Item`, `Board.columns` and the
//! `ColumnValue` interface, over the items `crate::items` makes from each board.
//!
//! Cursors are opaque to clients and name the board, the next position and when they were
//! issued; monday.com keeps a cursor valid for 60 minutes, and so does monday-sim (by its clock).

use async_graphql::dynamic::{
    Field, FieldValue, InputValue, Interface, InterfaceField, Object, ObjectAccessor, TypeRef,
};
use async_graphql::Value;

use super::boards::BoardRef;
use super::resolve::*;
use super::users::UserRef;
use crate::items::{self, ColumnDef, Item, COLUMNS, STATUS_LABELS};

/// The largest page of items (monday.com: 500).
pub const MAX_ITEMS_PAGE: usize = 500;
/// How long a cursor stays valid, in minutes (monday.com: 60).
pub const CURSOR_MINUTES: i64 = 60;

/// One item: its board's position and its rank on the board.
#[derive(Debug, Clone, Copy)]
pub struct ItemRef {
    board: usize,
    k: usize,
}

/// One page of items.
pub struct ItemsPage {
    items: Vec<ItemRef>,
    cursor: Option<String>,
}

/// One column of a board.
pub struct ColumnRef(usize);

/// One value of an item, by column.
pub struct ValueRef {
    item: ItemRef,
    column: usize,
}

fn the_item(c: &super::RequestCtx, r: &ItemRef) -> Item {
    items::item(&c.world.boards()[r.board], r.k)
}

fn limit_of(a: &ObjectAccessor) -> Res<usize> {
    let n = match a.get("limit") {
        Some(v) if !v.is_null() => v.i64()?,
        _ => 25,
    };
    if !(1..=MAX_ITEMS_PAGE as i64).contains(&n) {
        return Err(app_error(
            "InvalidArgumentException",
            400,
            format!("limit must be between 1 and {MAX_ITEMS_PAGE}, got {n}"),
        ));
    }
    Ok(n as usize)
}

fn encode(board: u64, next: usize, issued_ms: i64) -> String {
    format!("{board}:{next}:{issued_ms}").bytes().map(|b| format!("{b:02x}")).collect()
}

fn bad_cursor() -> async_graphql::Error {
    // [INF] monday.com's code for a cursor it cannot read is unpublished.
    app_error("InvalidCursorException", 400, "The cursor is not valid: pass the cursor of the previous page")
}

fn decode(cursor: &str) -> Res<(u64, usize, i64)> {
    if cursor.len() > 200 || cursor.len() % 2 != 0 {
        return Err(bad_cursor());
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    let text = bytes.and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad_cursor)?;
    let mut parts = text.split(':');
    let mut next = || parts.next().ok_or_else(bad_cursor);
    let board = next()?.parse().map_err(|_| bad_cursor())?;
    let pos = next()?.parse().map_err(|_| bad_cursor())?;
    let issued = next()?.parse().map_err(|_| bad_cursor())?;
    Ok((board, pos, issued))
}

/// A page of the items of the board at `pos`, from item `start`.
fn page(c: &super::RequestCtx, pos: usize, start: usize, limit: usize) -> ItemsPage {
    let b = &c.world.boards()[pos];
    let n = items::count(b);
    let end = (start + limit).min(n);
    let cursor = (end < n).then(|| encode(b.id, end, c.now.timestamp_millis()));
    ItemsPage { items: (start.min(end)..end).map(|k| ItemRef { board: pos, k }).collect(), cursor }
}

/// `Board.items_page(limit, cursor)`.
pub fn board_items_page_field() -> Field {
    child::<BoardRef, _>("items_page", TypeRef::named_nn("ItemsResponse"), |c, r, a| {
        let limit = limit_of(a)?;
        let start = match opt_string(a, "cursor")? {
            None => 0,
            Some(cur) => resumed(c, &cur, c.world.boards()[r.0].id)?,
        };
        Ok(object(page(c, r.0, start, limit)))
    })
    .argument(InputValue::new("cursor", TypeRef::named(TypeRef::STRING)))
    .argument(InputValue::new("hierarchy_scope_config", TypeRef::named(TypeRef::STRING)))
    .argument(InputValue::new("limit", TypeRef::named_nn(TypeRef::INT)).default_value(25))
}

/// Where a cursor continues, checked: readable, of this board, not expired.
fn resumed(c: &super::RequestCtx, cursor: &str, board: u64) -> Res<usize> {
    let (b, pos, issued) = decode(cursor)?;
    if b != board {
        return Err(bad_cursor());
    }
    if c.now.timestamp_millis() - issued > CURSOR_MINUTES * 60_000 {
        return Err(app_error(
            "CursorExpiredError",
            400,
            format!("The cursor expired: cursors are valid for {CURSOR_MINUTES} minutes; start again from items_page"),
        ));
    }
    Ok(pos)
}

/// The root `next_items_page(cursor, limit)`.
pub fn next_items_page_field() -> Field {
    root("next_items_page", TypeRef::named_nn("ItemsResponse"), |c, a| {
        let limit = limit_of(a)?;
        let cursor = opt_string(a, "cursor")?.ok_or_else(bad_cursor)?;
        let (board, _, _) = decode(&cursor)?;
        let pos = c
            .world
            .board_pos(board)
            .filter(|p| c.world.can_see_board(c.viewer(), &c.world.boards()[*p]))
            .ok_or_else(bad_cursor)?;
        let start = resumed(c, &cursor, board)?;
        Ok(object(page(c, pos, start, limit)))
    })
    .argument(InputValue::new("cursor", TypeRef::named_nn(TypeRef::STRING)))
    .argument(InputValue::new("limit", TypeRef::named_nn(TypeRef::INT)).default_value(25))
}

/// `Board.columns(ids)`.
pub fn board_columns_field() -> Field {
    child::<BoardRef, _>("columns", TypeRef::named_list("Column"), |_, _, a| {
        let ids = a
            .get("ids")
            .and_then(|v| v.list().ok())
            .map(|l| l.iter().filter_map(|v| v.string().ok().map(str::to_string)).collect::<Vec<_>>());
        let picked =
            (0..COLUMNS.len()).filter(|i| ids.as_ref().is_none_or(|ids| ids.iter().any(|x| x == COLUMNS[*i].id)));
        Ok(objects(picked.map(ColumnRef).collect::<Vec<_>>()))
    })
    .argument(InputValue::new("ids", TypeRef::named_list(TypeRef::STRING)))
}

fn status_settings() -> String {
    let labels: serde_json::Map<String, serde_json::Value> =
        STATUS_LABELS.iter().enumerate().map(|(i, l)| (i.to_string(), serde_json::Value::from(*l))).collect();
    serde_json::json!({ "labels": labels }).to_string()
}

fn column_type() -> Object {
    let col = |r: &ColumnRef| -> &'static ColumnDef { &COLUMNS[r.0] };
    Object::new("Column")
        .field(scalar::<ColumnRef, _>("id", TypeRef::named_nn(TypeRef::ID), move |_, r| Value::from(col(r).id)))
        .field(scalar::<ColumnRef, _>("title", TypeRef::named_nn(TypeRef::STRING), move |_, r| {
            Value::from(col(r).title)
        }))
        .field(null_field("description", TypeRef::named(TypeRef::STRING)))
        .field(scalar::<ColumnRef, _>("type", TypeRef::named_nn("ColumnType"), move |_, r| enum_value(col(r).kind)))
        .field(null_field("width", TypeRef::named(TypeRef::INT)))
        .field(scalar::<ColumnRef, _>("archived", TypeRef::named_nn(TypeRef::BOOLEAN), |_, _| Value::from(false)))
        .field(scalar::<ColumnRef, _>("settings_str", TypeRef::named_nn(TypeRef::STRING), move |_, r| {
            Value::from(if col(r).kind == "status" { status_settings() } else { "{}".to_string() })
        }))
}

fn date(t: chrono::DateTime<chrono::Utc>) -> Value {
    Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn item_type() -> Object {
    let int = |c: &super::RequestCtx, r: &ItemRef| the_item(c, r);
    Object::new("Item")
        .field(scalar::<ItemRef, _>("id", TypeRef::named_nn(TypeRef::ID), move |c, r| {
            Value::from(int(c, r).id.to_string())
        }))
        .field(scalar::<ItemRef, _>("name", TypeRef::named_nn(TypeRef::STRING), move |c, r| {
            Value::from(int(c, r).name)
        }))
        .field(child::<ItemRef, _>("board", TypeRef::named("Board"), |_, r, _| Ok(object(BoardRef(r.board)))))
        .field(child::<ItemRef, _>("group", TypeRef::named("Group"), |_, _, _| Ok(object(super::types::GroupRef))))
        .field(scalar::<ItemRef, _>("state", TypeRef::named("State"), |c, r| {
            enum_value(c.world.boards()[r.board].state.as_str())
        }))
        .field(scalar::<ItemRef, _>("created_at", TypeRef::named("Date"), move |c, r| date(int(c, r).created_at)))
        .field(scalar::<ItemRef, _>("updated_at", TypeRef::named("Date"), |c, r| {
            date(c.world.boards()[r.board].updated_at)
        }))
        .field(scalar::<ItemRef, _>("creator_id", TypeRef::named_nn(TypeRef::STRING), move |c, r| {
            Value::from(int(c, r).creator_id.to_string())
        }))
        .field(child::<ItemRef, _>("creator", TypeRef::named("User"), move |c, r, _| {
            Ok(c.world.user_pos(int(c, r).creator_id).and_then(|p| object(UserRef(p))))
        }))
        .field(child::<ItemRef, _>("subscribers", TypeRef::named_list_nn("User"), move |c, r, _| {
            Ok(objects(int(c, r).owner.and_then(|o| c.world.user_pos(o)).map(UserRef)))
        }))
        .field(null_field("parent_item", TypeRef::named("Item")))
        .field(
            empty_list("assets", TypeRef::named_list("Asset"))
                .argument(InputValue::new("column_ids", TypeRef::named_list(TypeRef::STRING))),
        )
        .field(
            empty_list("updates", TypeRef::named_nn_list("Update"))
                .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(25))
                .argument(InputValue::new("page", TypeRef::named(TypeRef::INT)).default_value(1))
                .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID))),
        )
        .field(scalar::<ItemRef, _>("email", TypeRef::named_nn(TypeRef::STRING), move |c, r| {
            Value::from(format!("pulse-{}@{}.monday.com", int(c, r).id, c.world.account().slug))
        }))
        .field(scalar::<ItemRef, _>("url", TypeRef::named_nn(TypeRef::STRING), move |c, r| {
            let i = int(c, r);
            Value::from(format!("https://{}.monday.com/boards/{}/pulses/{}", c.world.account().slug, i.board_id, i.id))
        }))
        .field(scalar::<ItemRef, _>("relative_link", TypeRef::named(TypeRef::STRING), move |c, r| {
            let i = int(c, r);
            Value::from(format!("/boards/{}/pulses/{}", i.board_id, i.id))
        }))
        .field(
            child::<ItemRef, _>("column_values", TypeRef::named_nn_list_nn("ColumnValue"), |_, r, a| {
                let ids = string_list(a, "ids")?;
                let types = enum_list(a, "types")?;
                // The name is the item's name, not a column value (as on monday.com).
                let picked = (1..COLUMNS.len())
                    .filter(|i| ids.as_ref().is_none_or(|ids| ids.iter().any(|x| x == COLUMNS[*i].id)))
                    .filter(|i| types.as_ref().is_none_or(|t| t.iter().any(|x| x == COLUMNS[*i].kind)))
                    .map(|i| {
                        let ty = match COLUMNS[i].kind {
                            "status" => "StatusValue",
                            "people" => "PeopleValue",
                            _ => "DateValue",
                        };
                        FieldValue::owned_any(ValueRef { item: *r, column: i }).with_type(ty)
                    });
                Ok(Some(FieldValue::list(picked.collect::<Vec<_>>())))
            })
            .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::STRING)))
            .argument(InputValue::new("types", TypeRef::named_nn_list("ColumnType"))),
        )
}

fn string_list(a: &ObjectAccessor, name: &str) -> Res<Option<Vec<String>>> {
    match a.get(name) {
        Some(v) if !v.is_null() => {
            Ok(Some(v.list()?.iter().map(|x| x.string().map(str::to_string)).collect::<Res<_>>()?))
        }
        _ => Ok(None),
    }
}

/// A value's text and JSON value.
fn facts(c: &super::RequestCtx, r: &ValueRef) -> (Option<String>, serde_json::Value) {
    let i = the_item(c, &r.item);
    match COLUMNS[r.column].kind {
        "status" => (Some(STATUS_LABELS[i.status].to_string()), serde_json::json!({ "index": i.status })),
        "people" => match i.owner {
            Some(o) => (
                c.world.user_pos(o).map(|p| c.world.users()[p].name.clone()),
                serde_json::json!({ "personsAndTeams": [{ "id": o, "kind": "person" }] }),
            ),
            None => (None, serde_json::Value::Null),
        },
        _ => (Some(i.due.clone()), serde_json::json!({ "date": i.due })),
    }
}

fn value_fields(o: Object) -> Object {
    o.implement("ColumnValue")
        .field(child::<ValueRef, _>("column", TypeRef::named_nn("Column"), |_, r, _| Ok(object(ColumnRef(r.column)))))
        .field(scalar::<ValueRef, _>("id", TypeRef::named_nn(TypeRef::ID), |_, r| Value::from(COLUMNS[r.column].id)))
        .field(scalar::<ValueRef, _>("is_leaf", TypeRef::named_nn(TypeRef::BOOLEAN), |_, _| Value::from(true)))
        .field(scalar::<ValueRef, _>("text", TypeRef::named(TypeRef::STRING), |c, r| {
            facts(c, r).0.map_or(Value::Null, Value::from)
        }))
        .field(scalar::<ValueRef, _>("type", TypeRef::named_nn("ColumnType"), |_, r| {
            enum_value(COLUMNS[r.column].kind)
        }))
        .field(scalar::<ValueRef, _>("value", TypeRef::named("JSON"), |c, r| {
            let v = facts(c, r).1;
            if v.is_null() {
                Value::Null
            } else {
                Value::from(v.to_string())
            }
        }))
}

/// A type of value never served (mirror, relation, dependency), declared so that fragments on
/// it validate as they do on monday.com.
fn unserved_value(name: &str) -> Object {
    value_fields(Object::new(name)).field(null_field("display_value", TypeRef::named_nn(TypeRef::STRING)))
}

/// The interface and every type items need.
pub fn register(mut b: async_graphql::dynamic::SchemaBuilder) -> async_graphql::dynamic::SchemaBuilder {
    let iface = Interface::new("ColumnValue")
        .field(InterfaceField::new("column", TypeRef::named_nn("Column")))
        .field(InterfaceField::new("id", TypeRef::named_nn(TypeRef::ID)))
        .field(InterfaceField::new("is_leaf", TypeRef::named_nn(TypeRef::BOOLEAN)))
        .field(InterfaceField::new("text", TypeRef::named(TypeRef::STRING)))
        .field(InterfaceField::new("type", TypeRef::named_nn("ColumnType")))
        .field(InterfaceField::new("value", TypeRef::named("JSON")));
    let status = value_fields(Object::new("StatusValue"))
        .field(scalar::<ValueRef, _>("index", TypeRef::named(TypeRef::INT), |c, r| {
            Value::from(the_item(c, &r.item).status as i64)
        }))
        .field(scalar::<ValueRef, _>("label", TypeRef::named(TypeRef::STRING), |c, r| {
            Value::from(STATUS_LABELS[the_item(c, &r.item).status])
        }))
        .field(scalar::<ValueRef, _>("is_done", TypeRef::named(TypeRef::BOOLEAN), |c, r| {
            Value::from(STATUS_LABELS[the_item(c, &r.item).status] == "Done")
        }));
    let people = value_fields(Object::new("PeopleValue"));
    let date = value_fields(Object::new("DateValue"))
        .field(scalar::<ValueRef, _>("date", TypeRef::named(TypeRef::STRING), |c, r| {
            Value::from(the_item(c, &r.item).due)
        }))
        .field(null_field("time", TypeRef::named(TypeRef::STRING)));
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let asset = [
        ("id", TypeRef::named_nn(TypeRef::ID)),
        ("name", s()),
        ("url", s()),
        ("public_url", s()),
        ("file_extension", s()),
        ("file_size", TypeRef::named_nn(TypeRef::INT)),
        ("created_at", TypeRef::named("Date")),
        ("original_geometry", TypeRef::named(TypeRef::STRING)),
        ("url_thumbnail", TypeRef::named(TypeRef::STRING)),
        ("uploaded_by", TypeRef::named_nn("User")),
    ]
    .into_iter()
    .fold(Object::new("Asset"), |o, (f, ty)| o.field(null_field(f, ty)));
    let response = Object::new("ItemsResponse")
        .field(scalar::<ItemsPage, _>("cursor", TypeRef::named(TypeRef::STRING), |_, p| {
            p.cursor.clone().map_or(Value::Null, Value::from)
        }))
        .field(child::<ItemsPage, _>("items", TypeRef::named_nn_list_nn("Item"), |_, p, _| {
            Ok(objects(p.items.clone()))
        }));
    b = b.register(iface).register(status).register(people).register(date);
    for t in ["MirrorValue", "BoardRelationValue", "DependencyValue"] {
        b = b.register(unserved_value(t));
    }
    b.register(asset).register(response).register(item_type()).register(column_type())
}
