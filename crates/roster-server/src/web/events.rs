//! The events page: an account's events as sentences, filtered by category, person, time and
//! sync, paged back from the newest, and downloadable as CSV with the same filters.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::context;
use roster_store::EventQuery;
use serde::Deserialize;

use super::pages::blank;
use super::session::Web;
use super::{render, WebError};
use crate::state::AppState;

type S = State<Arc<AppState>>;
/// Events a page shows.
const PAGE: u32 = 200;
/// Events one CSV download holds at most (the API pages through more).
const CSV_ROWS: u32 = 10_000;

/// The categories a person filters by: a kind prefix and what it is called.
const CATEGORIES: [(&str, &str); 13] = [
    ("user_", "people (added, removed, role, status, e-mail, name)"),
    ("grant_", "access gained or lost"),
    ("resource_", "teams, boards and workspaces"),
    ("seats_", "seats"),
    ("action_", "changes made through Roster"),
    ("plan_", "plans and approvals"),
    ("scim.", "SCIM provisioning"),
    ("review_", "access reviews"),
    ("jit_", "just-in-time access"),
    ("sod_", "separation of duties"),
    ("unmanaged_", "accounts outside the source of truth"),
    ("sync_", "syncs"),
    ("snapshots_", "snapshot retention"),
];

#[derive(Deserialize, Default)]
pub struct EventFilter {
    kind: Option<String>,
    person: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sync: Option<String>,
    before: Option<String>,
    format: Option<String>,
}

/// A filter field a person typed that cannot be used, and why.
struct Refusal {
    field: &'static str,
    message: String,
}

fn day(field: &'static str, v: Option<&str>) -> Result<Option<NaiveDate>, Refusal> {
    v.map(|v| {
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| Refusal { field, message: format!("{v:?} is not a date: write it as YYYY-MM-DD") })
    })
    .transpose()
}

fn number(field: &'static str, v: Option<&str>, what: &str) -> Result<Option<i64>, Refusal> {
    v.map(|v| {
        v.parse::<i64>()
            .ok()
            .filter(|n| crate::bounds::ID.check(field, *n).is_ok())
            .ok_or_else(|| Refusal { field, message: format!("{v:?} is not {what}") })
    })
    .transpose()
}

fn midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

/// The store's query for the filters, and the person's name when one was asked for.
async fn query(
    s: &AppState,
    account: &str,
    sync: i64,
    f: &EventFilter,
) -> Result<(EventQuery, Option<String>), Refusal> {
    let kind = blank(&f.kind).map(String::from);
    if kind.as_deref().is_some_and(|k| k.len() > 64) {
        return Err(Refusal { field: "kind", message: "a category is at most 64 characters".into() });
    }
    let from = day("from", blank(&f.from))?;
    let to = day("to", blank(&f.to))?;
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            return Err(Refusal { field: "to", message: format!("{b} is before {a}: the end comes after the start") });
        }
    }
    let (subject, person) = match blank(&f.person) {
        None => (None, None),
        Some(p) if p.len() > 320 => {
            return Err(Refusal { field: "person", message: "an e-mail is at most 320 characters".into() })
        }
        Some(p) => match s.store.find_user(sync, p).await {
            Ok(Some(u)) => (Some(format!("user:{}", u.id)), Some(format!("{} <{}>", u.name, u.email))),
            // Someone gone from the newest snapshot is still found by id.
            Ok(None) if roster_core::entitlement::is_monday_id(p) => (Some(format!("user:{p}")), None),
            Ok(None) => {
                return Err(Refusal {
                    field: "person",
                    message: format!(
                        "no one with the e-mail or id {p:?} in the newest snapshot: a removed user is found by id"
                    ),
                })
            }
            Err(e) => return Err(Refusal { field: "person", message: e.to_string() }),
        },
    };
    let q = EventQuery {
        account: Some(account.to_string()),
        kind_prefix: kind,
        person: subject,
        sync_id: number("sync", blank(&f.sync), "a sync number")?,
        before_id: number("before", blank(&f.before), "an event number")?,
        from: from.and_then(midnight),
        // The whole of the last day.
        until: to.and_then(|d| d.succ_opt()).and_then(midnight),
        newest_first: true,
        limit: Some(PAGE),
        ..EventQuery::default()
    };
    Ok((q, person))
}

/// The events page, or its CSV with `format=csv`.
pub async fn events(
    State(s): S,
    Web(me): Web,
    Path(account): Path<String>,
    Query(f): Query<EventFilter>,
) -> Result<Response, WebError> {
    super::pages::reader(&me)?;
    s.served(&account)?;
    // Subjects by name, from the newest snapshot (events of things since gone say so).
    let sync = s.store.last_completed(&account).await?.map(|r| r.id).unwrap_or(0);
    let csv = f.format.as_deref() == Some("csv");
    let (mut q, person) = match query(&s, &account, sync, &f).await {
        Ok(q) => q,
        Err(r) if csv => return Err(WebError::bad(r.message)),
        Err(r) => {
            let mut page = render(
                "events.html",
                Some(&me),
                context! { account, rows => Vec::<()>::new(), f => filled(&f), categories => CATEGORIES, error_field => r.field, error => r.message },
            )?;
            *page.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(page);
        }
    };
    if csv {
        q.limit = Some(CSV_ROWS);
    }
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), sync);
    let events = s.store.events(&q).await?;
    // Everything the sentences name, read one read per type before they are written.
    let detail = |e: &'_ roster_store::EventRow, k: &str| e.detail.get(k).and_then(|v| v.as_str()).map(String::from);
    let named: Vec<String> = events
        .iter()
        .flat_map(|e| [Some(e.subject.clone()), detail(e, "principal"), detail(e, "source")])
        .flatten()
        .collect();
    names.prefetch_subjects(named.iter().map(String::as_str)).await?;
    let mut rows = Vec::with_capacity(events.len());
    for e in &events {
        let about = names.subject(&e.subject).await?;
        let sentence = names.sentence(&e.kind, &e.subject, &e.detail).await?;
        rows.push((e, about, sentence));
    }
    if csv {
        return csv_of(&account, &rows);
    }
    let older = (events.len() == PAGE as usize).then(|| events.last().map(|e| e.id)).flatten();
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(e, about, sentence)| {
            context! { id => e.id, sync => e.sync_id, at => e.at.format("%Y-%m-%d %H:%M:%S").to_string(), kind => &e.kind, subject => &e.subject, about, sentence, detail => e.detail.to_string() }
        })
        .collect();
    render(
        "events.html",
        Some(&me),
        context! { account, rows, f => filled(&f), person, categories => CATEGORIES, older, csv_query => link(&f, None, true), older_query => older.map(|id| link(&f, Some(id), false)) },
    )
}

/// The filters as the form shows them again.
fn filled(f: &EventFilter) -> minijinja::Value {
    let known = CATEGORIES.iter().any(|c| Some(c.0) == blank(&f.kind));
    context! { kind => blank(&f.kind), kind_known => known, person => blank(&f.person), from => blank(&f.from), to => blank(&f.to), sync => blank(&f.sync), before => blank(&f.before) }
}

/// The query string of the same filters, for the CSV link or the next (older) page.
fn link(f: &EventFilter, before: Option<i64>, csv: bool) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("kind", &f.kind), ("person", &f.person), ("from", &f.from), ("to", &f.to), ("sync", &f.sync)] {
        if let Some(v) = blank(v) {
            q.append_pair(k, v);
        }
    }
    match (before, csv) {
        (Some(id), _) => {
            q.append_pair("before", &id.to_string());
        }
        (None, true) => {
            if let Some(b) = blank(&f.before) {
                q.append_pair("before", b);
            }
            q.append_pair("format", "csv");
        }
        (None, false) => {}
    }
    q.finish()
}

type Row<'a> = (&'a roster_store::EventRow, String, Option<String>);

fn csv_of(account: &str, rows: &[Row<'_>]) -> Result<Response, WebError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| WebError::internal(format!("events CSV: {e}"));
    w.write_record(["id", "at", "sync", "kind", "subject", "about", "what happened", "detail"]).map_err(bad)?;
    for (e, about, sentence) in rows {
        let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let sync = e.sync_id.map(|s| s.to_string()).unwrap_or_default();
        let detail = e.detail.to_string();
        let cells = [
            e.id.to_string(),
            at,
            sync,
            e.kind.clone(),
            e.subject.clone(),
            about.clone(),
            sentence.clone().unwrap_or_default(),
            detail,
        ];
        w.write_record(cells.iter().map(|c| roster_core::csv_safe::cell(c))).map_err(bad)?;
    }
    let body = w.into_inner().map_err(|e| WebError::internal(format!("events CSV: {e}")))?;
    let disposition = format!("attachment; filename=\"{account}-events.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}
