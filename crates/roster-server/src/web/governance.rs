//! Reviews and just-in-time access in the browser: a reviewer's inbox (items grouped by
//! resource, bulk certify, revoke with a justification, reassign, sign-off), campaign progress
//! and the evidence download for admins; the JIT request form, the approvals queue and the
//! active grants with their time left.

use crate::policy::Act as May;
use roster_core::JitStatus;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::context;
use roster_engine::jit;
use roster_engine::review::{self, recommend, Act, Counts};
use roster_store::ItemsFrom;

use super::session::{Session, Web};
use super::{render, Fields, WebError};
use crate::keys::Role;
use crate::reads::evidence_download;
use crate::state::AppState;

type S = State<Arc<AppState>>;

fn reviewer_name(me: &Session) -> String {
    me.name.trim().to_ascii_lowercase()
}

fn no_requesters(me: &Session) -> Result<(), WebError> {
    me.require(May::ReviewSee)
}

/// Campaigns: all with progress (admins, readers), or those with the reviewer's items.
pub async fn reviews(State(s): S, Web(me): Web, Path(account): Path<String>) -> Result<Response, WebError> {
    no_requesters(&me)?;
    let only = (me.role == Role::Reviewer).then(|| reviewer_name(&me));
    let mut rows = Vec::new();
    for c in s.store.campaigns(&account).await? {
        let n = match &only {
            Some(me) => Counts::from_tally(&s.store.review_tally(c.id, Some(me)).await?, None),
            None => Counts::from_tally(&s.store.review_tally(c.id, None).await?, None),
        };
        if only.is_some() && n.items == 0 {
            continue;
        }
        let done = n.items - n.undecided;
        let pct = (done * 100).checked_div(n.items).unwrap_or(100);
        rows.push(context! { id => c.id, name => c.name, status => c.status.as_str(), items => n.items, done, pct, revoked => n.revoked,
            due => chrono::DateTime::from_timestamp_millis(c.due_ms).map(|t| t.format("%Y-%m-%d").to_string()) });
    }
    render("reviews.html", Some(&me), context! { account, rows })
}

/// Items on one page of a reviewer's inbox: enough to decide in bulk, few enough to render
/// fast (the page's cost follows its items).
pub const ITEMS_PAGE: i64 = 100;
/// The inbox's filters by recommendation: the signal and how a reviewer reads it.
const SIGNALS: [(&str, &str); 9] = [
    ("revoke", "recommended for revoking (any reason)"),
    ("deactivated", "deactivated in monday.com"),
    ("never_joined", "invited, never joined"),
    ("idle", "inactive 90 days or more, or never seen"),
    ("sod_conflict", "separation-of-duties conflicts"),
    ("left_team", "access left behind by a team they left"),
    ("guest_on_board", "guests on private or shareable boards"),
    ("owner_active", "owners active recently (certify)"),
    ("judgement", "no recommendation: your judgement"),
];

#[derive(serde::Deserialize)]
pub struct InboxQuery {
    /// The position of the page's first item (shown; the page itself is found by `after` or
    /// `before` when the link carries one).
    offset: Option<i64>,
    /// The page after the item with this `seq` (the pager's "next": a seek at any depth).
    after: Option<i64>,
    /// The page before the item with this `seq` (the pager's "previous").
    before: Option<i64>,
    /// Only undecided items.
    open: Option<String>,
    /// A signal (`revoke`, `idle`, `owner_active`, ...): only the items it advises.
    advice: Option<String>,
}

/// One campaign: a page of the caller's items grouped by resource, and (admins, readers) the
/// progress per reviewer and the evidence download. Counted and paged in SQL: a campaign can
/// hold millions of items.
pub async fn review(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, i64)>,
    axum::extract::Query(q): axum::extract::Query<InboxQuery>,
) -> Result<Response, WebError> {
    inbox(&s, &me, &account, id, q, None).await
}

/// A decision the store refused, shown on the page it came from: the message beside the
/// buttons, the ticks and the typed text kept, so the reviewer corrects one thing and sends
/// again instead of starting over from an error page.
#[derive(Default)]
struct Refused {
    message: String,
    checked: Vec<i64>,
    justification: String,
    reassign_to: String,
}

async fn inbox(
    s: &AppState,
    me: &Session,
    account: &str,
    id: i64,
    q: InboxQuery,
    refused: Option<Refused>,
) -> Result<Response, WebError> {
    no_requesters(me)?;
    let c = review::load(s.store.as_ref(), account, id).await?;
    let mine_name = reviewer_name(me);
    // The reviewer's own counts touch their items only; the whole campaign's progress is
    // counted for admins and readers.
    let mine_counts = Counts::from_tally(&s.store.review_tally(id, Some(&mine_name)).await?, None);
    // Exact on every view: the store keeps the counts beside the items.
    let tally = if me.reads() { s.store.review_tally(id, None).await? } else { vec![] };
    let only_open = q.open.as_deref() == Some("1");
    let advised = match q.advice.as_deref() {
        None | Some("") => None,
        Some(name) => match roster_store::Signal::parse(name) {
            Some(signal) => Some(recommend::advised(Utc::now().timestamp_millis(), signal)),
            None => {
                let names: Vec<&str> = roster_store::Signal::ALL.iter().map(|s| s.as_str()).collect();
                return Err(WebError::bad(format!("advice {name:?} is not a filter: use one of {}", names.join(", "))));
            }
        },
    };
    let total = match advised {
        Some(rule) => s.store.review_items_advised_count(id, &mine_name, rule, only_open).await?.max(0) as u64,
        None => (if only_open { mine_counts.undecided } else { mine_counts.items }) as u64,
    };
    let mut offset = q.offset.unwrap_or(0).clamp(0, total as i64);
    let from = match (q.after, q.before) {
        (Some(seq), _) => ItemsFrom::After(seq),
        (None, Some(seq)) => ItemsFrom::Before(seq),
        (None, None) if advised.is_none() && !only_open => {
            crate::item_pages::from_offset(s, &c, Some(&mine_name), offset).await?
        }
        (None, None) => ItemsFrom::Offset(offset),
    };
    let page = match advised {
        Some(rule) => s.store.review_items_advised(id, &mine_name, rule, only_open, from, ITEMS_PAGE).await?,
        None => s.store.review_items_page(id, Some(&mine_name), only_open, from, ITEMS_PAGE).await?,
    };
    if matches!(from, ItemsFrom::Before(_)) && (page.len() as i64) < ITEMS_PAGE {
        // Fewer than a page before it: this is the first page, whatever the link said.
        offset = 0;
    }
    let cursors = context! { first => page.first().map(|i| i.seq), last => page.last().map(|i| i.seq) };
    // By resource (its kind frozen with each of its items, so the same for all of them).
    let mut groups: BTreeMap<(String, String, Option<String>), Vec<minijinja::Value>> = BTreeMap::new();
    // Access through a team names the team (from the campaign's frozen snapshot).
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), c.sync_id.unwrap_or(0));
    let teams: Vec<String> = page.iter().filter_map(|i| i.source.strip_prefix("team:").map(String::from)).collect();
    names.prefetch(roster_core::ResourceType::Team, &teams).await?;
    let now_ms = Utc::now().timestamp_millis();
    // The last login of each person on the page, when monday.com's audit log is read
    // (Enterprise); one indexed lookup for the page.
    let audit_read = s.store.audit_cursor(account).await?.is_some();
    let logins: std::collections::HashMap<String, i64> = if audit_read {
        let mut ids: Vec<String> = page.iter().map(|i| i.user_id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        s.store.last_logins_of(account, &ids).await?.into_iter().collect()
    } else {
        Default::default()
    };
    let ago = |t: i64| match (now_ms - t).max(0) / 86_400_000 {
        0 => "today".to_string(),
        1 => "yesterday".to_string(),
        d => format!("{d} days ago"),
    };
    for i in &page {
        let resource = i.entitlement.rsplit_once(':').map(|(r, _)| r.to_string()).unwrap_or_default();
        let via = match i.source.strip_prefix("team:") {
            Some(t) => Some(names.resource(roster_core::ResourceType::Team, t).await?),
            None => None,
        };
        // The signal and the advice a decision needs, beside the item.
        let rec =
            recommend::recommend(i, now_ms).map(|r| context! { decision => r.decision.as_str(), reason => r.reason });
        let seen = i.user_last_activity_ms.map(ago);
        let login = match (audit_read, logins.get(&i.user_id)) {
            (false, _) => None,
            (true, Some(&t)) => Some(format!("last login {}", ago(t))),
            (true, None) => Some("no login in the audit log read".to_string()),
        };
        groups.entry((resource, i.resource_name.clone(), i.resource_kind.clone())).or_default().push(context! {
            slug => i.entitlement.rsplit(':').next(), via, rec, seen, login, ..super::ser(i)
        });
    }
    let groups: Vec<_> = groups
        .into_iter()
        .map(|((resource, name, access), items)| {
            let kind = resource.split(':').next().unwrap_or_default().to_string();
            // Who may see the resource: the kind the snapshot gave ("share" reads as shareable).
            let access = access.map(|k| if k == "share" { "shareable".to_string() } else { k });
            context! { resource, kind, name, access, items }
        })
        .collect();
    let signed = s.store.signoffs(id).await?.iter().any(|(r, _)| *r == mine_name);
    let launched = c.status == roster_core::review::CampaignStatus::Launched;
    let progress: Vec<_> = if me.reads() {
        let reviewers: std::collections::BTreeSet<&str> = tally.iter().map(|t| t.reviewer.as_str()).collect();
        reviewers
            .into_iter()
            .map(|r| {
                let n = Counts::from_tally(&tally, Some(r));
                let remind = (n.undecided > 0 && launched).then(|| reminder(r, &c, n.undecided));
                context! { reviewer => r, certified => n.certified, revoked => n.revoked, undecided => n.undecided, remind }
            })
            .collect()
    } else {
        vec![]
    };
    let counts = if me.reads() { Counts::from_tally(&tally, None) } else { mine_counts.clone() };
    let pager = super::Pager::new(offset as u64, ITEMS_PAGE as u64, total);
    // Where this page is, sent back with a decision so a refusal shows the same page.
    let view = context! { offset => q.offset, after => q.after, before => q.before };
    let status = if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let refused = refused.map(|r| {
        context! { message => r.message, checked => r.checked, justification => r.justification, reassign_to => r.reassign_to }
    });
    let mut page = render(
        "review.html",
        Some(me),
        context! {
            account, c => context! { id => c.id, name => c.name, status => c.status.as_str() }, groups, open => mine_counts.undecided,
            mine => mine_counts.items, signed, progress, counts => super::ser(&counts), launched,
            pager => super::ser(&pager), only_open, cursors, view, refused, advised => advised.is_some(), advice => advised.map(|a| a.signal.as_str()), signals => SIGNALS,
        },
    )?;
    *page.status_mut() = status;
    Ok(page)
}

/// Decides the checked items: certify, revoke (with the justification), or reassign.
pub async fn decide(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let f = Fields::parse(&body);
    f.csrf(&me)?;
    me.require(May::ReviewDecide)?;
    match decide_form(&s, &me, &account, id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/ui/a/{account}/reviews/{id}")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let number = |name: &str| f.one(name).and_then(|v| v.parse::<i64>().ok());
            let q = InboxQuery {
                offset: number("view_offset"),
                after: number("view_after"),
                before: number("view_before"),
                open: f.one("view_open").map(String::from),
                advice: f.one("view_advice").map(String::from),
            };
            let refused = Refused {
                message: e.message,
                checked: f.all("item").iter().filter_map(|v| v.parse().ok()).collect(),
                justification: f.one("justification").unwrap_or_default().to_string(),
                reassign_to: f.one("reassign_to").unwrap_or_default().to_string(),
            };
            inbox(&s, &me, &account, id, q, Some(refused)).await
        }
        Err(e) => Err(e),
    }
}

/// What a decision form asks, done; a refusal says why.
async fn decide_form(s: &AppState, me: &Session, account: &str, id: i64, f: &Fields) -> Result<(), WebError> {
    if let Some(all_of) = f.one("all_of") {
        return decide_resource(s, me, account, id, all_of, f).await;
    }
    let items = numbers(&f.all("item"))?;
    if f.one("decision") == Some("accept") {
        // The ticked items, or with none ticked every item the page showed.
        let items = if items.is_empty() { numbers(&f.all("shown"))? } else { items };
        let who = reviewer_name(me);
        recommend::accept(s.store.as_ref(), account, id, &items, &who, f.one("justification"), Utc::now()).await?;
        return Ok(());
    }
    if items.is_empty() {
        return Err(WebError::bad("tick at least one item"));
    }
    let act = Act::parse(f.one("decision").unwrap_or_default(), f.one("reassign_to"))?;
    review::decide_many(
        s.store.as_ref(),
        account,
        id,
        &items,
        &reviewer_name(me),
        &act,
        f.one("justification"),
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// "Certify (or revoke) every undecided item of this resource": `all_of` is the decision, the
/// `resource` field names it (`board:7`); the reviewer's items on it across every page, at most
/// [`review::MAX_ITEMS_A_DECISION`] (more are refused, not cut). The buttons come after the
/// others, so Enter in a field still means "certify the ticked items".
async fn decide_resource(
    s: &AppState,
    me: &Session,
    account: &str,
    id: i64,
    decision: &str,
    f: &Fields,
) -> Result<(), WebError> {
    let resource = f.one("resource").unwrap_or_default();
    let well_formed = resource.split_once(':').is_some_and(|(kind, rid)| {
        kind.parse::<roster_core::ResourceType>().is_ok() && roster_core::entitlement::is_monday_id(rid)
    });
    if !well_formed {
        return Err(WebError::bad(format!("{resource:?} is not a resource: choose one from the list")));
    }
    if !matches!(decision, "certify" | "revoke") {
        return Err(WebError::bad(format!("{decision:?} is not a decision for a whole resource: certify or revoke")));
    }
    let act = Act::parse(decision, None)?;
    let who = reviewer_name(me);
    let max = review::MAX_ITEMS_A_DECISION;
    let items = s.store.review_undecided_on(id, &who, resource, max as i64 + 1).await?;
    if items.is_empty() {
        return Err(WebError::bad(format!("none of your items on {resource} is undecided")));
    }
    if items.len() > max {
        return Err(WebError::bad(format!(
            "more than {max} undecided items on {resource}: decide them a page at a time, or filter by recommendation"
        )));
    }
    review::decide_many(s.store.as_ref(), account, id, &items, &who, &act, f.one("justification"), Utc::now()).await?;
    Ok(())
}

/// A reminder for `reviewer` ready to send: a `mailto:` link with the subject and the text
/// (how many items wait, the campaign, when it is due), percent-encoded as RFC 6068 asks.
fn reminder(reviewer: &str, c: &roster_store::ReviewCampaign, undecided: usize) -> String {
    let enc = |t: &str| url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>().replace('+', "%20");
    let due = chrono::DateTime::from_timestamp_millis(c.due_ms).map(|d| d.format("%Y-%m-%d").to_string());
    let subject = format!("Access review \"{}\": {undecided} items wait for you", c.name);
    let body = format!(
        "Hello,\n\n{undecided} access items in the review \"{}\" wait for your decision{}. Open Roster, Reviews, \"{}\": each item shows who has the access, how it comes and what is recommended; certify or revoke, then sign off.\n\nThank you.",
        c.name,
        due.map(|d| format!(" (due {d})")).unwrap_or_default(),
        c.name,
    );
    format!("mailto:{}?subject={}&body={}", enc(reviewer).replace("%40", "@"), enc(&subject), enc(&body))
}

/// Item numbers from a form, each checked.
fn numbers(values: &[&str]) -> Result<Vec<i64>, WebError> {
    values
        .iter()
        .map(|v| v.parse::<i64>().map_err(|_| WebError::bad(format!("item {v:?} is not an item number"))))
        .collect()
}

pub async fn signoff(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    Fields::parse(&body).csrf(&me)?;
    no_requesters(&me)?;
    review::sign_off(s.store.as_ref(), &account, id, &reviewer_name(&me), Utc::now()).await?;
    Ok(Redirect::to(&format!("/ui/a/{account}/reviews/{id}")).into_response())
}

/// The evidence archive (admin and reader keys).
pub async fn evidence(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    if !me.reads() {
        return Err(WebError::forbidden("the evidence needs an admin or reader key"));
    }
    Ok(evidence_download(&s, &account, id).await?)
}

fn left(expires_ms: Option<i64>) -> Option<String> {
    let ms = expires_ms? - Utc::now().timestamp_millis();
    Some(if ms <= 0 { "due now".into() } else { format!("{} h {:02} min", ms / 3_600_000, (ms / 60_000) % 60) })
}

/// The request form, the approvals queue (admins) and the active grants with their time left.
pub async fn jit(State(s): S, Web(me): Web, Path(account): Path<String>) -> Result<Response, WebError> {
    me.require(May::JitSee)?;
    let all = s.store.jits(&account, None).await?;
    let mine = |g: &&roster_store::JitGrant| me.role != Role::Requester || g.requester == me.name;
    // Users and access by name (ids on hover), from the newest snapshot.
    let sync = s.store.last_completed(&account).await?.map_or(0, |r| r.id);
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), sync);
    let named: Vec<String> =
        all.iter().filter(mine).flat_map(|g| [format!("user:{}", g.user_id), g.entitlement.clone()]).collect();
    names.prefetch_subjects(named.iter().map(String::as_str)).await?;
    let mut labels = std::collections::HashMap::new();
    for g in all.iter().filter(mine) {
        let who = names.user(&g.user_id).await?;
        let access = names.subject(&g.entitlement).await?;
        labels.insert(g.id, (who, access));
    }
    let view = |g: &roster_store::JitGrant| {
        let (who, access) = labels.get(&g.id).cloned().unwrap_or_default();
        context! { minutes => g.duration_s / 60, left => left(g.expires_ms), who, access, ..super::ser(g) }
    };
    let pending: Vec<_> = all.iter().filter(mine).filter(|g| g.status == JitStatus::Requested).map(view).collect();
    let active: Vec<_> = all.iter().filter(mine).filter(|g| g.status == JitStatus::Active).map(view).collect();
    let recent: Vec<_> = all
        .iter()
        .rev()
        .filter(mine)
        .filter(|g| !matches!(g.status, JitStatus::Requested | JitStatus::Active))
        .take(20)
        .map(view)
        .collect();
    let p = s.jit_policy.get();
    let caps = context! { board => p.max_board.as_secs() / 60, workspace => p.max_workspace.as_secs() / 60, team => p.max_team.as_secs() / 60, role => p.max_role.as_secs() / 60 };
    render("jit.html", Some(&me), context! { account, pending, active, recent, caps })
}

/// Records a request from the form.
pub async fn jit_request(
    State(s): S,
    Web(me): Web,
    Path(account): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let f = Fields::parse(&body);
    f.csrf(&me)?;
    me.require(May::JitAsk)?;
    let (rtype, rid, slug) =
        (f.one("rtype").unwrap_or_default(), f.one("rid").unwrap_or_default(), f.one("slug").unwrap_or_default());
    let slug = if rtype == "board" && slug == "member" {
        "subscriber"
    } else if rtype == "role" {
        "assigned"
    } else {
        slug
    };
    let entitlement = format!("{rtype}:{rid}:{slug}");
    let minutes: u64 =
        f.one("minutes").and_then(|m| m.parse().ok()).ok_or_else(|| WebError::bad("minutes: a whole number"))?;
    jit::request(
        s.store.as_ref(),
        &account,
        &me.name,
        f.one("user").unwrap_or_default(),
        &entitlement,
        Duration::from_secs(minutes.saturating_mul(60)),
        f.one("justification").unwrap_or_default(),
        &s.jit_policy.get(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/ui/a/{account}/jit")).into_response())
}

/// Approves or denies a request (admin keys: Roster admins count among the approvers).
pub async fn jit_decide(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let f = Fields::parse(&body);
    f.csrf(&me)?;
    if !me.is_admin() {
        return Err(WebError::forbidden("approving and denying need an admin key"));
    }
    let a = s.served(&account)?;
    let policy = s.jit_policy.get();
    let by = jit::Decider::roster_admin(&me.name);
    let now = Utc::now();
    match f.one("decision") {
        Some("approve") => jit::approve(s.store.as_ref(), &a.client, &account, id, &by, &policy, now).await.map(|_| ()),
        Some("deny") => {
            jit::deny(s.store.as_ref(), &account, id, &by, f.one("reason").unwrap_or_default(), &policy, now).await
        }
        other => return Err(WebError::bad(format!("{other:?}: approve or deny"))),
    }?;
    Ok(Redirect::to(&format!("/ui/a/{account}/jit")).into_response())
}
