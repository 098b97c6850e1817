//! `audit_logs` and `audit_event_catalogue` (Enterprise, account admins): the account's
//! security log, newest first, paged by `page` and `limit`, filtered by user, events, IP and
//! time.

use async_graphql::dynamic::{Field, InputValue, Object, TypeRef};
use async_graphql::Value;

use super::mutations::unauthorized;
use super::resolve::*;
use super::users::UserRef;
use crate::audit::{select, AuditEvent, AuditKind, Filter};

/// The default page (monday.com: 25).
pub const DEFAULT_LIMIT: usize = 25;
/// The largest page [INF: unpublished; the REST audit API served 1,000].
pub const MAX_LIMIT: usize = 1000;

/// One page of the log: the positions of its events in `audit_log()`, and its place.
pub struct PageRef {
    events: Vec<usize>,
    page: i64,
    limit: usize,
    more: bool,
}

/// One event, by position in `audit_log()`.
pub struct EntryRef(usize);

/// One catalogue entry.
pub struct CatalogueRef(AuditKind);

/// The audit log is served to admins of Enterprise accounts only.
fn require_access(c: &super::RequestCtx) -> Res<()> {
    if !c.world.is_enterprise() {
        // [INF] monday.com's exact answer on other plans is unpublished.
        return Err(app_error("USER_UNAUTHORIZED", 403, "The audit log is available on the Enterprise plan only"));
    }
    if c.viewer().kind != crate::model::UserKind::Admin {
        return Err(unauthorized());
    }
    Ok(())
}

/// The root `audit_logs` field.
pub fn audit_logs_field() -> Field {
    root("audit_logs", TypeRef::named("AuditLogPage"), |c, a| {
        require_access(c)?;
        let w = window(a, Some(DEFAULT_LIMIT), MAX_LIMIT)?;
        let filter = Filter {
            user_id: id_list(a, "user_id")?.and_then(|ids| ids.first().copied()),
            events: match a.get("events") {
                Some(v) if !v.is_null() => {
                    Some(v.list()?.iter().map(|x| x.string().map(str::to_string)).collect::<Res<Vec<_>>>()?)
                }
                _ => None,
            },
            ip: opt_string(a, "ip_address")?,
            start: opt_time(a, "start_time")?,
            end: opt_time(a, "end_time")?,
        };
        let all = select(c.world.audit_log(), &filter);
        let more = all.len() > w.start.saturating_add(w.limit);
        let page = (w.start / w.limit.max(1)) as i64 + 1;
        Ok(object(PageRef { events: w.apply(all), page, limit: w.limit, more }))
    })
    .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(DEFAULT_LIMIT as i32))
    .argument(InputValue::new("page", TypeRef::named(TypeRef::INT)).default_value(1))
    .argument(InputValue::new("user_id", TypeRef::named(TypeRef::ID)))
    .argument(InputValue::new("events", TypeRef::named_nn_list(TypeRef::STRING)))
    .argument(InputValue::new("ip_address", TypeRef::named(TypeRef::STRING)))
    .argument(InputValue::new("start_time", TypeRef::named("ISO8601DateTime")))
    .argument(InputValue::new("end_time", TypeRef::named("ISO8601DateTime")))
}

/// The root `audit_event_catalogue` field.
pub fn audit_event_catalogue_field() -> Field {
    root("audit_event_catalogue", TypeRef::named_nn_list("AuditEventCatalogueEntry"), |c, _| {
        require_access(c)?;
        Ok(objects(AuditKind::ALL.map(CatalogueRef)))
    })
}

fn event<'a>(c: &'a super::RequestCtx, r: &EntryRef) -> &'a AuditEvent {
    &c.world.audit_log()[r.0]
}

fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::from(s)
    }
}

/// The types `audit_logs` and `audit_event_catalogue` answer with.
pub fn types() -> Vec<Object> {
    let s = || TypeRef::named(TypeRef::STRING);
    let int = || TypeRef::named(TypeRef::INT);
    let page = Object::new("AuditLogPage")
        .field(child::<PageRef, _>("logs", TypeRef::named_nn_list("AuditLogEntry"), |_, p, _| {
            Ok(objects(p.events.iter().map(|i| EntryRef(*i)).collect::<Vec<_>>()))
        }))
        .field(child::<PageRef, _>("pagination", TypeRef::named("Pagination"), |_, p, _| {
            Ok(object(PaginationRef { page: p.page, size: p.limit as i64, more: p.more }))
        }));
    let pagination = Object::new("Pagination")
        .field(scalar::<PaginationRef, _>("page", int(), |_, p| Value::from(p.page)))
        .field(scalar::<PaginationRef, _>("page_size", int(), |_, p| Value::from(p.size)))
        .field(scalar::<PaginationRef, _>("has_more_pages", TypeRef::named(TypeRef::BOOLEAN), |_, p| {
            Value::from(p.more)
        }))
        .field(scalar::<PaginationRef, _>("next_page_number", int(), |_, p| {
            if p.more {
                Value::from(p.page + 1)
            } else {
                Value::Null
            }
        }));
    let device = |name: &'static str, f: fn(&crate::audit::Device) -> &'static str| {
        scalar::<EntryRef, _>(name, s(), move |c, r| text(f(event(c, r).device())))
    };
    let entry = Object::new("AuditLogEntry")
        .field(scalar::<EntryRef, _>("timestamp", s(), |c, r| {
            Value::from(event(c, r).at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        }))
        .field(scalar::<EntryRef, _>("account_id", s(), |c, _| Value::from(c.world.account().id.to_string())))
        .field(child::<EntryRef, _>("user", TypeRef::named("User"), |c, r, _| {
            Ok(c.world.user_pos(event(c, r).user_id).and_then(|p| object(UserRef(p))))
        }))
        .field(scalar::<EntryRef, _>("event", s(), |c, r| Value::from(event(c, r).event.as_str())))
        .field(scalar::<EntryRef, _>("slug", s(), |c, _| Value::from(c.world.account().slug.clone())))
        .field(scalar::<EntryRef, _>("ip_address", s(), |c, r| Value::from(event(c, r).ip.to_string())))
        .field(device("user_agent", |d| d.user_agent))
        .field(device("client_name", |d| d.client_name))
        .field(device("client_version", |d| d.client_version))
        .field(device("os_name", |d| d.os_name))
        .field(device("os_version", |d| d.os_version))
        .field(device("device_name", |d| d.device_name))
        .field(device("device_type", |d| d.device_type))
        .field(scalar::<EntryRef, _>("activity_metadata", TypeRef::named("JSON"), |c, r| {
            Value::from_json(event(c, r).metadata.clone()).unwrap_or(Value::Null)
        }));
    let catalogue = Object::new("AuditEventCatalogueEntry")
        .field(scalar::<CatalogueRef, _>("name", s(), |_, r| Value::from(r.0.as_str())))
        .field(scalar::<CatalogueRef, _>("description", s(), |_, r| Value::from(r.0.description())))
        .field(scalar::<CatalogueRef, _>("metadata_details", TypeRef::named("JSON"), |_, r| {
            Value::List(r.0.metadata_keys().iter().map(|k| Value::from(*k)).collect())
        }));
    vec![page, pagination, entry, catalogue]
}

/// `Pagination`'s facts.
pub struct PaginationRef {
    page: i64,
    size: i64,
    more: bool,
}
