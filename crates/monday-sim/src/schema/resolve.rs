//! Helpers every resolver uses: the request context, typed parents, arguments, paging and
//! monday-style application errors.

use std::any::Any;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, ObjectAccessor, ResolverContext, TypeRef, ValueAccessor};
use async_graphql::{ErrorExtensions, Name, Value};

use super::{CtxCell, RequestCtx};

/// Resolver result.
pub type Res<T> = async_graphql::Result<T>;

/// An application error as monday.com sends them: HTTP 200, `extensions.code`, `status_code`.
pub fn app_error(code: &'static str, status_code: u16, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        e.set("status_code", status_code as i32);
        e.set("error_data", Value::Object(Default::default()));
    })
}

fn finish<'a>(r: Res<Option<FieldValue<'static>>>) -> FieldFuture<'a> {
    match r {
        Ok(v) => FieldFuture::Value(v),
        Err(e) => FieldFuture::new(async move { Err::<Option<FieldValue>, _>(e) }),
    }
}

/// A root field: resolved from the request context and the arguments.
pub fn root<F>(name: &str, ty: TypeRef, f: F) -> Field
where
    F: Fn(&RequestCtx, &ObjectAccessor) -> Res<Option<FieldValue<'static>>> + Send + Sync + 'static,
{
    Field::new(name, ty, move |rc: ResolverContext| {
        let r = rc.ctx.data::<CtxCell>().and_then(|cell| f(&cell.current(), &rc.args));
        finish(r)
    })
}

/// A mutation root field: it gets the request's cell, to install the world it changes.
pub fn root_mut<F>(name: &str, ty: TypeRef, f: F) -> Field
where
    F: Fn(&CtxCell, &RequestCtx, &ObjectAccessor) -> Res<Option<FieldValue<'static>>> + Send + Sync + 'static,
{
    Field::new(name, ty, move |rc: ResolverContext| {
        let r = rc.ctx.data::<CtxCell>().and_then(|cell| f(cell, &cell.current(), &rc.args));
        finish(r)
    })
}

/// A field of an object whose parent value is a `P`.
pub fn child<P, F>(name: &str, ty: TypeRef, f: F) -> Field
where
    P: Any + Send + Sync,
    F: Fn(&RequestCtx, &P, &ObjectAccessor) -> Res<Option<FieldValue<'static>>> + Send + Sync + 'static,
{
    Field::new(name, ty, move |rc: ResolverContext| {
        let r = rc
            .ctx
            .data::<CtxCell>()
            .and_then(|cell| rc.parent_value.try_downcast_ref::<P>().and_then(|p| f(&cell.current(), p, &rc.args)));
        finish(r)
    })
}

/// A scalar or enum field of an object whose parent value is a `P`.
pub fn scalar<P, F>(name: &str, ty: TypeRef, f: F) -> Field
where
    P: Any + Send + Sync,
    F: Fn(&RequestCtx, &P) -> Value + Send + Sync + 'static,
{
    child::<P, _>(name, ty, move |c, p, _| Ok(Some(FieldValue::value(f(c, p)))))
}

/// A nullable field the emulator does not model: always null.
pub fn null_field(name: &str, ty: TypeRef) -> Field {
    Field::new(name, ty, |_| FieldFuture::Value(None))
}

/// A list field the emulator does not model: always empty.
pub fn empty_list(name: &str, ty: TypeRef) -> Field {
    Field::new(name, ty, |_| FieldFuture::Value(Some(FieldValue::list(Vec::<FieldValue>::new()))))
}

/// Wraps objects as a list value.
pub fn objects<T: Any + Send + Sync>(items: impl IntoIterator<Item = T>) -> Option<FieldValue<'static>> {
    Some(FieldValue::list(items.into_iter().map(FieldValue::owned_any)))
}

/// Wraps one object.
pub fn object<T: Any + Send + Sync>(item: T) -> Option<FieldValue<'static>> {
    Some(FieldValue::owned_any(item))
}

/// A string value, or null.
pub fn opt_str(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

/// An enum value.
pub fn enum_value(s: &str) -> Value {
    Value::Enum(Name::new(s))
}

fn parse_id(v: &ValueAccessor, arg: &str) -> Res<u64> {
    // IDs arrive as strings or integers; monday rejects anything that is not a number.
    let raw = match v.as_value() {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    raw.parse::<u64>().map_err(|_| {
        app_error("InvalidArgumentException", 400, format!("Invalid ID {raw:?} in argument '{arg}': IDs are numbers"))
    })
}

/// The `ids` style argument as numbers; `None` when absent or null.
pub fn id_list(args: &ObjectAccessor, name: &str) -> Res<Option<Vec<u64>>> {
    let Some(v) = args.get(name) else { return Ok(None) };
    if v.is_null() {
        return Ok(None);
    }
    match v.list() {
        Ok(list) => list.iter().filter(|v| !v.is_null()).map(|v| parse_id(&v, name)).collect::<Res<Vec<_>>>().map(Some),
        // A single value where a list is expected is accepted as a list of one (GraphQL input coercion).
        Err(_) => Ok(Some(vec![parse_id(&v, name)?])),
    }
}

/// An optional string argument.
pub fn opt_string(args: &ObjectAccessor, name: &str) -> Res<Option<String>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(v.string()?.to_string())),
        _ => Ok(None),
    }
}

/// An optional boolean argument.
pub fn opt_bool(args: &ObjectAccessor, name: &str) -> Res<Option<bool>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(v.boolean()?)),
        _ => Ok(None),
    }
}

/// An optional enum argument.
pub fn opt_enum(args: &ObjectAccessor, name: &str) -> Res<Option<String>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(v.enum_name()?.to_string())),
        _ => Ok(None),
    }
}

/// An optional list-of-enums argument.
pub fn enum_list(args: &ObjectAccessor, name: &str) -> Res<Option<Vec<String>>> {
    match args.get(name) {
        Some(v) if !v.is_null() => match v.list() {
            Ok(l) => l.iter().map(|e| e.enum_name().map(str::to_string)).collect::<Res<Vec<_>>>().map(Some),
            Err(_) => Ok(Some(vec![v.enum_name()?.to_string()])),
        },
        _ => Ok(None),
    }
}

/// An ISO 8601 time argument (`start_time`, `from`, ...); `None` when absent.
pub fn opt_time(args: &ObjectAccessor, name: &str) -> Res<Option<chrono::DateTime<chrono::Utc>>> {
    let Some(s) = opt_string(args, name)? else { return Ok(None) };
    chrono::DateTime::parse_from_rfc3339(s.trim()).map(|t| Some(t.with_timezone(&chrono::Utc))).map_err(|_| {
        app_error(
            "InvalidArgumentException",
            400,
            format!("Invalid {name} {s:?}: timestamps are ISO 8601 in UTC, e.g. 2026-01-01T00:00:00Z"),
        )
    })
}

/// Validated `limit` and `page`: the window `[start, start + limit)` of the full list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first item (0-based).
    pub start: usize,
    /// Items at most.
    pub limit: usize,
}

impl Window {
    /// Slices `items` to this page.
    pub fn apply<T>(self, items: Vec<T>) -> Vec<T> {
        items.into_iter().skip(self.start).take(self.limit).collect()
    }
}

/// Reads `limit` and `page`. `default_limit: None` means "all" (the field has no default).
pub fn window(args: &ObjectAccessor, default_limit: Option<usize>, max_limit: usize) -> Res<Window> {
    let limit = match args.get("limit") {
        Some(v) if !v.is_null() => Some(v.i64()?),
        _ => None,
    };
    let page = match args.get("page") {
        Some(v) if !v.is_null() => v.i64()?,
        _ => 1,
    };
    let limit = match limit {
        Some(l) if l > max_limit as i64 => {
            return Err(app_error(
                "InvalidArgumentException",
                400,
                format!("Limit exceeds the maximum allowed value of {max_limit}."),
            ))
        }
        Some(l) if l < 1 => {
            return Err(app_error(
                "InvalidArgumentException",
                400,
                format!("Limit must be a positive number, got {l}."),
            ))
        }
        Some(l) => l as usize,
        None => default_limit.unwrap_or(usize::MAX),
    };
    if page < 1 {
        return Err(app_error(
            "InvalidArgumentException",
            400,
            format!("Page must be 1 or more (pages start at 1), got {page}."),
        ));
    }
    let start = (page as usize - 1).saturating_mul(limit);
    Ok(Window { start, limit })
}

/// The largest page monday-sim serves for boards, workspaces and their nested lists
/// (undocumented by monday.com; third parties report 100 to 500) [INF].
pub const MAX_PAGE: usize = 500;
/// The largest page of `users` (monday.com: 1000).
pub const MAX_USERS_PAGE: usize = 1000;
