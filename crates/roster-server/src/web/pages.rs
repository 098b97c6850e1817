//! Sign-in, the dashboard and the inventory pages: users (searched, filtered, paged in SQL),
//! a user's access and recent events, resources and who reaches them, events, reports.

use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::context;
use roster_core::{Principal, ResourceType, Role, UserStatus};
use roster_store::{EventQuery, UserQuery};
use serde::Deserialize;

use super::session::{self, Session, Web};
use super::{check_csrf, render, Pager, WebError};
use crate::auth::find_key;
use crate::reads::{snapshot, user_page, user_total};
use crate::state::AppState;

type S = State<Arc<AppState>>;
const PAGE: u64 = 50;
const LOGIN_COOKIE: &str = "roster_login_csrf";

pub(super) fn reader(s: &Session) -> Result<(), WebError> {
    if s.reads() {
        Ok(())
    } else {
        Err(WebError::forbidden(format!(
            "your key is a {} key: it opens the reviews and just-in-time pages only",
            s.role.as_str()
        )))
    }
}

/// The sign-in form; it carries a token also set as a cookie, so a form posted from another
/// site (which cannot read the cookie) is refused.
pub async fn login_form() -> Result<Response, WebError> {
    let t = crate::keys::random_hex();
    let mut r = render("login.html", None, context! { csrf => t.clone(), error => None::<String> })?;
    let c = format!("{LOGIN_COOKIE}={t}; Path=/ui/login; HttpOnly; SameSite=Strict; Max-Age=600");
    r.headers_mut().append(header::SET_COOKIE, c.parse().map_err(|_| WebError::internal("cookie"))?);
    Ok(r)
}

#[derive(Deserialize)]
pub struct LoginForm {
    key: String,
    csrf: String,
}

/// The address a request comes from: the peer, or, when the peer is a proxy on this machine
/// or a private network, the last address it put in `X-Forwarded-For`. Unknown (no connection
/// information, as in tests that serve without it): the unspecified address, one bucket.
pub struct ClientAddr(pub std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        use std::net::{IpAddr, Ipv4Addr};
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let behind_proxy = match peer {
            IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_unspecified(),
            IpAddr::V6(v6) => v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00,
        };
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|a| a.trim().parse::<IpAddr>().ok());
        Ok(ClientAddr(match (behind_proxy, forwarded) {
            (true, Some(f)) => f,
            _ => peer,
        }))
    }
}

/// Signs in with an API key: the key is checked and forgotten; the browser gets a session.
pub async fn login(
    State(s): S,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = session::cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != f.csrf {
        return Err(WebError::forbidden("the sign-in form is out of date: open it again"));
    }
    if s.login_limiter.check_key(&from).is_err() {
        return Err(WebError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too many sign-in attempts from this address: wait a few seconds and try again",
        ));
    }
    let Some(k) = find_key(&s, f.key.trim()) else {
        let t = f.csrf;
        let mut r = render("login.html", None, context! { csrf => t, error => "That key is not valid." })?;
        *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return Ok(r);
    };
    let token = super::Sessions.start(s.store.as_ref(), &k.name, k.role).await?;
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let mut r = Redirect::to("/ui/").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::cookie(&token, https).parse().map_err(|_| WebError::internal("cookie"))?);
    Ok(r)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(s): S,
    Web(me): Web,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    check_csrf(&me, &f.csrf)?;
    if let Some(t) = session::cookie_value(&headers, session::COOKIE) {
        super::Sessions.end(s.store.as_ref(), &t).await?;
    }
    let mut r = Redirect::to("/ui/login").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::expired_cookie().parse().map_err(|_| WebError::internal("cookie"))?);
    Ok(r)
}

/// One line of the chart (users, or seats) as SVG polyline points, on a scale from 0 to `max`
/// (drawn on the server: no script).
fn line(values: &[i64], max: i64) -> Option<String> {
    if values.len() < 2 {
        return None;
    }
    let (w, h) = (600.0, 120.0);
    let step = w / (values.len() - 1) as f64;
    let max = max.max(1) as f64;
    let coords: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, h - (*v as f64 / max) * (h - 10.0)))
        .collect();
    Some(coords.join(" "))
}

/// Accounts with their last sync, counts, changes, open work; a small chart of users.
pub async fn dashboard(State(s): S, Web(me): Web) -> Result<Response, WebError> {
    let mut accounts = Vec::new();
    for a in &s.accounts {
        let name = a.name.as_str();
        let last = s.store.syncs(Some(name), 1).await?.into_iter().next();
        let done = s.store.last_completed(name).await?;
        let mut by = Vec::new();
        let mut counts = None;
        let mut changes = 0usize;
        let mut history = Vec::new();
        if let (Some(d), true) = (&done, me.reads()) {
            counts = Some(s.counts(d.id).await?);
            for st in [UserStatus::Active, UserStatus::Pending, UserStatus::Deactivated] {
                let q = UserQuery { status: Some(st), ..UserQuery::default() };
                by.push((st.as_str(), user_total(&s, d.id, &q).await?));
            }
            for r in Role::ALL {
                let q = UserQuery { role: Some(r), status: Some(UserStatus::Active), ..UserQuery::default() };
                by.push((r.as_str(), user_total(&s, d.id, &q).await?));
            }
            let q = EventQuery {
                account: Some(name.into()),
                sync_id: Some(d.id),
                limit: Some(10_001),
                ..EventQuery::default()
            };
            changes = s.store.events(&q).await?.len().saturating_sub(1);
            let q = EventQuery {
                account: Some(name.into()),
                kind_prefix: Some("sync_completed".into()),
                newest_first: true,
                limit: Some(30),
                ..EventQuery::default()
            };
            let mut rows = s.store.events(&q).await?;
            rows.reverse();
            for e in rows {
                // Seats: the account's billable members as that sync saw them.
                let seats = match e.sync_id {
                    Some(id) => s.store.account_snapshot(id).await?.and_then(|a| a.active_members_count),
                    None => None,
                };
                history.push((
                    e.at.format("%m-%d %H:%M").to_string(),
                    e.detail["users"].as_i64().unwrap_or(0),
                    seats.unwrap_or(0),
                ));
            }
        }
        let chart_max = history.iter().map(|p| p.1.max(p.2)).max().unwrap_or(0);
        let campaigns = s
            .store
            .campaigns(name)
            .await?
            .into_iter()
            .filter(|c| c.status == roster_core::review::CampaignStatus::Launched)
            .count();
        let pending = s.store.jits(name, Some(roster_core::JitStatus::Requested)).await?.len();
        let rules = s.sod();
        let sod = match (&done, rules.is_empty() || !me.reads()) {
            (Some(d), false) => Some((rules.len(), s.violations(d.id).await?)),
            _ => None,
        };
        accounts.push(context! {
            name, last => last.map(|l| context! {
                id => l.id, status => format!("{:?}", l.status).to_lowercase(),
                started => l.started_at.format("%Y-%m-%d %H:%M").to_string(), error => l.error,
            }),
            counts => counts.map(|c| context! { users => c.users, teams => c.teams, workspaces => c.workspaces, boards => c.boards, grants => c.grants }),
            by, changes, campaigns, pending, sod,
            chart => line(&history.iter().map(|p| p.1).collect::<Vec<_>>(), chart_max),
            seats => line(&history.iter().map(|p| p.2).collect::<Vec<_>>(), chart_max),
            chart_max,
            chart_from => history.first().map(|p| p.0.clone()), chart_to => history.last().map(|p| p.0.clone()),
        });
    }
    // The navigation links to the first account's pages; each account's section links to its own.
    let account = s.accounts.first().map(|a| a.name.clone());
    render("dashboard.html", Some(&me), context! { accounts, account })
}

#[derive(Deserialize, Default)]
pub struct UserFilter {
    q: Option<String>,
    status: Option<String>,
    role: Option<String>,
    team: Option<String>,
    inactive_days: Option<String>,
    offset: Option<u64>,
}

pub(super) fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Users, searched by e-mail and filtered, 50 a page, counted and paged in SQL.
pub async fn users(
    State(s): S,
    Web(me): Web,
    Path(account): Path<String>,
    Query(f): Query<UserFilter>,
) -> Result<Response, WebError> {
    reader(&me)?;
    s.served(&account)?;
    let sync = snapshot(&s, &account).await?;
    let bad = |what: &str, v: &str| WebError::bad(format!("{what} {v:?} is not one of the choices"));
    let status = blank(&f.status).map(|v| UserStatus::parse(v).ok_or_else(|| bad("status", v))).transpose()?;
    let role = blank(&f.role).map(|v| Role::parse(v).ok_or_else(|| bad("role", v))).transpose()?;
    let inactive = blank(&f.inactive_days)
        .map(|v| {
            v.parse::<i64>().ok().filter(|d| *d >= 0).ok_or_else(|| WebError::bad("inactive days: a whole number"))
        })
        .transpose()?;
    let q = UserQuery {
        status,
        role,
        team: blank(&f.team).map(String::from),
        inactive_days: inactive.map(|d| (d, Utc::now())),
        search: blank(&f.q).map(|v| crate::bounds::text("search", v)).transpose()?.map(String::from),
        ..UserQuery::default()
    };
    // The first page is read before the count: a search that finds fewer than a page (most
    // do) is counted by its page, and never costs a second search.
    let (users, total, offset) = match f.offset.unwrap_or(0) {
        0 => {
            let (users, total) = user_page(&s, sync, &q, 0, PAGE).await?;
            (users, total as u64, 0)
        }
        asked => {
            let total = user_total(&s, sync, &q).await? as u64;
            let offset = asked.min(total);
            (user_page(&s, sync, &q, offset, PAGE).await?.0, total, offset)
        }
    };
    // Departments by id (Enterprise): shown by name, the id when the snapshot lacks it.
    let departments: std::collections::HashMap<String, String> = s
        .store
        .account_snapshot(sync)
        .await?
        .map(|a| a.departments.into_iter().map(|d| (d.id, d.name)).collect())
        .unwrap_or_default();
    let rows: Vec<_> = users
        .into_iter()
        .map(|u| {
            let department = u.department.as_ref().map(|d| departments.get(d).cloned().unwrap_or_else(|| d.clone()));
            context! {
                id => u.id, name => u.name, email => u.email, role => u.role.as_str(), status => u.status.as_str(),
                last => u.last_activity.map(|t| t.format("%Y-%m-%d").to_string()), department,
            }
        })
        .collect();
    let keep = context! {
        q => blank(&f.q), status => blank(&f.status), role => blank(&f.role), team => blank(&f.team),
        inactive_days => blank(&f.inactive_days),
    };
    let pager = Pager::new(offset, PAGE, total);
    render(
        "users.html",
        Some(&me),
        context! { account, rows, pager => super::ser(&pager), f => keep, statuses => ["active", "pending", "deactivated"], roles => ["admin", "member", "viewer", "guest"] },
    )
}

/// One user: every entitlement with its source, recent events, and (admins) actions.
pub async fn user(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    reader(&me)?;
    s.served(&account)?;
    let sync = snapshot(&s, &account).await?;
    let u =
        s.store.find_user(sync, &id).await?.ok_or_else(|| {
            WebError::new(axum::http::StatusCode::NOT_FOUND, format!("no user {id} in the last sync"))
        })?;
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), sync);
    let held = s.store.grants_of(sync, &Principal::user(&u.id)).await?;
    names.prefetch_grants(&held).await?;
    let mut grants = Vec::new();
    for g in held {
        let e = &g.entitlement;
        let via = match &g.source {
            roster_core::GrantSource::Team(t) => Some(names.resource(ResourceType::Team, t).await?),
            roster_core::GrantSource::Direct => None,
        };
        grants.push(context! {
            entitlement => e.to_string(), label => names.entitlement(e).await?, rtype => e.rtype.as_str(), rid => e.rid.clone(),
            slug => e.slug.clone(), source => g.source.as_string(), via, direct => g.source == roster_core::GrantSource::Direct,
            link => matches!(e.rtype, ResourceType::Board | ResourceType::Workspace | ResourceType::Team),
            revocable => g.source == roster_core::GrantSource::Direct && e.rtype != ResourceType::Role && e.slug != "owner",
        });
    }
    let q = EventQuery {
        account: Some(account.clone()),
        person: Some(format!("user:{}", u.id)),
        newest_first: true,
        limit: Some(20),
        ..EventQuery::default()
    };
    let events: Vec<_> = s
        .store
        .events(&q)
        .await?
        .into_iter()
        .map(|e| context! { at => e.at.format("%Y-%m-%d %H:%M").to_string(), kind => e.kind, detail => e.detail.to_string() })
        .collect();
    let department = match &u.department {
        None => None,
        Some(d) => Some(
            s.store
                .account_snapshot(sync)
                .await?
                .and_then(|a| a.departments.into_iter().find(|x| &x.id == d).map(|x| x.name))
                .unwrap_or_else(|| d.clone()),
        ),
    };
    // The last login, when monday.com's audit log has been read (Enterprise).
    let login_q = roster_store::AuditLogQuery {
        account: account.clone(),
        user_id: Some(u.id.clone()),
        event: Some("login".into()),
        limit: 1,
        ..roster_store::AuditLogQuery::default()
    };
    let audit_read = s.store.audit_cursor(&account).await?.is_some();
    let last_login = s.store.audit_entries(&login_q).await?.into_iter().next().map(|e| {
        let at = chrono::DateTime::from_timestamp_millis(e.at_ms).map(|t| t.format("%Y-%m-%d %H:%M").to_string());
        format!("{} from {}", at.unwrap_or_default(), e.ip.unwrap_or_else(|| "an unknown address".into()))
    });
    let user = context! {
        id => u.id, name => u.name, email => u.email, role => u.role.as_str(), status => u.status.as_str(),
        title => u.title, last => u.last_activity.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
        department, last_login, audit_read,
    };
    render(
        "user.html",
        Some(&me),
        context! { account, user, grants, events, roles => ["admin", "member", "viewer", "guest"] },
    )
}

/// Boards, workspaces or teams with member, owner and team counts.
pub async fn resources(
    State(s): S,
    Web(me): Web,
    Path((account, rtype)): Path<(String, String)>,
    Query(p): Query<UserFilter>,
) -> Result<Response, WebError> {
    reader(&me)?;
    s.served(&account)?;
    let t = match rtype.as_str() {
        "boards" => ResourceType::Board,
        "workspaces" => ResourceType::Workspace,
        "teams" => ResourceType::Team,
        other => return Err(WebError::bad(format!("{other:?}: boards, workspaces or teams"))),
    };
    let sync = snapshot(&s, &account).await?;
    let counts = s.store.member_counts(sync, t).await?;
    let all = s.store.resources(sync, t).await?;
    let needle = blank(&p.q).map(str::to_lowercase);
    let hits: Vec<_> =
        all.into_iter().filter(|r| needle.as_ref().is_none_or(|n| r.name.to_lowercase().contains(n))).collect();
    let total = hits.len() as u64;
    let offset = p.offset.unwrap_or(0).min(total);
    let rows: Vec<_> = hits
        .into_iter()
        .skip(offset as usize)
        .take(PAGE as usize)
        .map(|r| {
            let c = counts.get(&r.id).copied().unwrap_or_default();
            context! { id => r.id, name => r.name, kind => r.kind, state => r.state, members => c.members, owners => c.owners, teams => c.teams, via_teams => c.via_teams }
        })
        .collect();
    let pager = Pager::new(offset, PAGE, total);
    render(
        "resources.html",
        Some(&me),
        context! { account, rtype, kind => t.as_str(), rows, pager => super::ser(&pager), q => blank(&p.q) },
    )
}

/// Who has access to a resource, and why.
pub async fn who(
    State(s): S,
    Web(me): Web,
    Path((account, rtype, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    reader(&me)?;
    s.served(&account)?;
    let t: ResourceType = rtype.parse().map_err(|e: roster_core::EntitlementError| WebError::bad(e.to_string()))?;
    let sync = snapshot(&s, &account).await?;
    let r = s
        .store
        .resource(sync, t, &id)
        .await?
        .ok_or_else(|| WebError::new(axum::http::StatusCode::NOT_FOUND, format!("no {t} {id} in the last sync")))?;
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), sync);
    let held = s.store.grants_on(sync, t, &id).await?;
    names.prefetch_grants(&held).await?;
    let mut grants = Vec::new();
    for g in held {
        let who = names.subject(&g.principal.to_string()).await?;
        let via = match &g.source {
            roster_core::GrantSource::Team(team) => Some(names.resource(ResourceType::Team, team).await?),
            roster_core::GrantSource::Direct => None,
        };
        grants.push(context! { ptype => g.principal.ptype.as_str(), pid => g.principal.id, who, slug => g.entitlement.slug, source => g.source.as_string(), via });
    }
    render("who.html", Some(&me), context! { account, kind => t.as_str(), id, name => r.name, grants })
}

#[derive(Deserialize)]
pub struct ReportParams {
    format: Option<String>,
    days: Option<i64>,
    domain: Option<String>,
    user: Option<String>,
}

/// A governance report as a table, or as CSV to download.
pub async fn report(
    State(s): S,
    Web(me): Web,
    Path((account, name)): Path<(String, String)>,
    Query(p): Query<ReportParams>,
) -> Result<Response, WebError> {
    reader(&me)?;
    let served = s.served(&account)?;
    let configured = served.source.is_some();
    // `unmanaged` (and the source findings of `login-signals`) compare with the account's
    // configured source of truth.
    let source = if matches!(name.as_str(), "unmanaged" | "login-signals") {
        served.source_people().map_err(WebError::internal)?
    } else {
        None
    };
    let sync = snapshot(&s, &account).await?;
    let o = roster_engine::reports::ReportOptions {
        source,
        inactive_days: p.days.unwrap_or(90),
        domains: blank(&p.domain).map(|d| d.split(',').map(|x| x.trim().to_string()).collect()).unwrap_or_default(),
        user: blank(&p.user).map(String::from),
        sod_rules: s.sod().as_ref().clone(),
        ..Default::default()
    };
    let r = match roster_engine::reports::report(s.store.as_ref(), sync, &name, &o).await {
        Ok(r) => r,
        Err(roster_engine::reports::ReportError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(WebError::bad(e.to_string())),
    };
    if p.format.as_deref() == Some("csv") {
        let mut w = csv::Writer::from_writer(Vec::new());
        let bad = |e: csv::Error| WebError::internal(format!("report CSV: {e}"));
        w.write_record(&r.columns).map_err(bad)?;
        for row in &r.rows {
            w.write_record(row.iter().map(|c| roster_core::csv_safe::cell(c))).map_err(bad)?;
        }
        let body = w.into_inner().map_err(|e| WebError::internal(format!("report CSV: {e}")))?;
        let disposition = format!("attachment; filename=\"{}-{}.csv\"", account, r.name);
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
            body,
        )
            .into_response());
    }
    // `unmanaged` needs a source of truth: listed when the account has one ([accounts.source]).
    let names: Vec<&str> =
        roster_engine::reports::NAMES.into_iter().filter(|n| *n != "unmanaged" || configured).collect();
    render(
        "report.html",
        Some(&me),
        context! { account, name, title => r.title, columns => r.columns, rows => r.rows, names, days => p.days, domain => blank(&p.domain), user => blank(&p.user) },
    )
}
