//! The account: plan, tier, seats, products, who the token acts as, and (in the same request
//! when the plan and the token allow) its roles, departments and service users.

use crate::boards::{gql_enum, BoardFilter};
use crate::client::{malformed, parse_id, Client};
use crate::error::Error;
use crate::ids;
use crate::models::{Account, AccountOverview, AccountRole, Department, Plan, Product, ServiceUser, UserKind};
use crate::queries::{
    account, account_roles, departments, service_users, Account as AccountQuery, AccountRoles, Departments,
    ServiceUsers,
};
use crate::workspaces::StateFilter;

/// Seat counts are bounded like every number from outside.
const MAX_SEATS: i64 = 10_000_000;

fn role(id: Option<&str>, name: Option<String>, role_type: Option<&str>) -> Result<AccountRole, Error> {
    let id = id.ok_or_else(|| malformed("account role", "a role has no id"))?;
    Ok(AccountRole {
        id: parse_id(id, "account role")?,
        name: name.unwrap_or_default(),
        custom: role_type != Some("basic_role"),
    })
}

fn department(id: &str, name: String, reserved: i64, assigned: i64) -> Result<Department, Error> {
    let id = parse_id(id, "department")?;
    let seats = |n: i64, what: &str| {
        if (0..=MAX_SEATS).contains(&n) {
            Ok(n)
        } else {
            Err(malformed(&format!("department {id}"), format!("{what} {n} is out of range")))
        }
    };
    Ok(Department {
        id,
        name,
        reserved_seats: seats(reserved, "reserved_seats")?,
        assigned_seats: seats(assigned, "assigned_seats")?,
    })
}

fn time(raw: Option<String>, what: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
    match raw.filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|_| malformed("service user", format!("{what} {s:?} is not ISO 8601"))),
    }
}

/// The fields of one service user, as both documents that ask for them answer.
struct ServiceUserFields {
    id: Option<String>,
    name: Option<String>,
    enabled: Option<bool>,
    has_token: Option<bool>,
    created_at: Option<String>,
    last_token_activity: Option<String>,
}

fn service_user(u: ServiceUserFields) -> Result<ServiceUser, Error> {
    let id = u.id.as_deref().ok_or_else(|| malformed("service user", "a service user has no id"))?;
    Ok(ServiceUser {
        id: parse_id(id, "service user")?,
        name: u.name.unwrap_or_default(),
        enabled: u.enabled.unwrap_or(true),
        has_token: u.has_token.unwrap_or(false),
        created_at: time(u.created_at, "created_at")?,
        last_token_activity: time(u.last_token_activity, "last_token_activity")?,
    })
}

// The two documents that read roles, departments and service users (alone, and with the
// account) answer in types graphql_client generates apart but shaped alike: one conversion
// each, applied to both.
macro_rules! roles_of {
    ($list:expr) => {
        $list
            .unwrap_or_default()
            .into_iter()
            .map(|r| role(r.id.as_deref(), r.name, r.role_type.as_deref()))
            .collect::<Result<Vec<_>, Error>>()
    };
}
macro_rules! departments_of {
    ($list:expr) => {
        $list
            .unwrap_or_default()
            .into_iter()
            .map(|x| department(&x.id, x.name, x.reserved_seats, x.assigned_seats))
            .collect::<Result<Vec<_>, Error>>()
    };
}
macro_rules! service_users_of {
    ($list:expr) => {
        $list
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                service_user(ServiceUserFields {
                    id: u.id,
                    name: u.name,
                    enabled: u.enabled,
                    has_token: u.has_token,
                    created_at: u.created_at,
                    last_token_activity: u.last_token_activity,
                })
            })
            .collect::<Result<Vec<_>, Error>>()
    };
}

fn account_of(d: &account::ResponseData) -> Result<Account, Error> {
    let a = d.account.as_ref().ok_or_else(|| malformed("account", "monday.com returned no account"))?;
    let me = d.me.as_ref().ok_or_else(|| malformed("me", "monday.com returned no user for the token"))?;
    let products = a
        .products
        .iter()
        .flatten()
        .flatten()
        .map(|p| {
            Ok(Product {
                id: p.id.as_deref().map(|i| parse_id(i, "account product")).transpose()?,
                kind: p.kind.clone(),
                tier: p.tier.clone(),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Account {
        id: parse_id(&a.id, "account")?,
        name: a.name.clone(),
        slug: a.slug.clone(),
        tier: a.tier.clone(),
        active_members_count: a.active_members_count,
        plan: a.plan.as_ref().map(|p| Plan { max_users: p.max_users, period: p.period.clone(), tier: p.tier.clone() }),
        products,
        me_id: parse_id(&me.id, "me")?,
        me_kind: UserKind::parse(&me.kind),
        api_version: d.version.value.clone(),
    })
}

/// The id listings the first request of a sync starts: each list's filter and the length it
/// had at the previous sync, if known (see `ids.rs`).
#[derive(Debug, Clone, Default)]
pub struct Listings {
    /// The boards to list.
    pub boards: Option<(BoardFilter, Option<u64>)>,
    /// The workspaces to list.
    pub workspaces: Option<(StateFilter, Option<u64>)>,
}

/// The account document's variables: the extras (roles, departments, service users) or none,
/// and the first `count` pages of each listing.
fn variables(
    extras: bool,
    boards: Option<(&BoardFilter, u32)>,
    workspaces: Option<(StateFilter, u32)>,
) -> Result<account::Variables, Error> {
    let b = ids::aliases(1, boards.map_or(0, |b| b.1));
    let w = ids::aliases(1, workspaces.map_or(0, |w| w.1));
    let filter = boards.map(|b| b.0);
    Ok(account::Variables {
        roles: extras,
        departments: extras,
        service_users: extras,
        ids_limit: ids::PAGE.into(),
        board_state: filter.map(|f| gql_enum(f.state.as_str())).transpose()?,
        board_kind: filter.and_then(|f| f.kind.as_deref()).map(gql_enum).transpose()?,
        board_workspaces: filter.and_then(BoardFilter::workspaces),
        workspace_state: workspaces.map(|w| gql_enum(w.0.as_str())).transpose()?,
        b1: b[0].0,
        on_b1: b[0].1,
        b2: b[1].0,
        on_b2: b[1].1,
        b3: b[2].0,
        on_b3: b[2].1,
        b4: b[3].0,
        on_b4: b[3].1,
        b5: b[4].0,
        on_b5: b[4].1,
        b6: b[5].0,
        on_b6: b[5].1,
        b7: b[6].0,
        on_b7: b[6].1,
        b8: b[7].0,
        on_b8: b[7].1,
        w1: w[0].0,
        on_w1: w[0].1,
        w2: w[1].0,
        on_w2: w[1].1,
        w3: w[2].0,
        on_w3: w[2].1,
        w4: w[3].0,
        on_w4: w[3].1,
        w5: w[4].0,
        on_w5: w[4].1,
        w6: w[5].0,
        on_w6: w[5].1,
        w7: w[6].0,
        on_w7: w[6].1,
        w8: w[7].0,
        on_w8: w[7].1,
    })
}

impl Client {
    /// The account the token belongs to.
    pub async fn account(&self) -> Result<Account, Error> {
        account_of(&self.query::<AccountQuery>("Account", variables(false, None, None)?).await?)
    }

    /// The account with its roles, departments and service users, and every id of the
    /// `listings` asked, starting in one request: a list longer than the first request's pages
    /// is listed on ([`Client::board_ids`]). A plan without departments or a token that may not
    /// read service users refuses the whole request: the caller then reads each alone
    /// ([`Client::account`], [`Client::account_roles`], [`Client::departments`],
    /// [`Client::service_users`], the listings).
    pub async fn account_overview(&self, listings: &Listings) -> Result<AccountOverview, Error> {
        let boards = listings.boards.as_ref().map(|(f, n)| (f, ids::first_count(ids::PAGE, *n, ids::BOARDS_UNKNOWN)));
        let workspaces = listings.workspaces.map(|(s, n)| (s, ids::first_count(ids::PAGE, n, ids::WORKSPACES_UNKNOWN)));
        let d = self.query::<AccountQuery>("Account/overview", variables(true, boards, workspaces)?).await?;
        let account = account_of(&d)?;
        let board_pages = [d.b1, d.b2, d.b3, d.b4, d.b5, d.b6, d.b7, d.b8];
        let workspace_pages = [d.w1, d.w2, d.w3, d.w4, d.w5, d.w6, d.w7, d.w8];
        let board_ids = async {
            let Some((filter, count)) = boards else { return Ok(None) };
            let first: Vec<Vec<u64>> = board_pages
                .into_iter()
                .take(count as usize)
                .map(|p| ids::parsed(p, |b| b.id, "board"))
                .collect::<Result<_, _>>()?;
            ids::rest(ids::PAGE, first, count, |f, c| self.board_id_pages(filter, f, c)).await.map(Some)
        };
        let workspace_ids = async {
            let Some((state, count)) = workspaces else { return Ok(None) };
            let first: Vec<Vec<u64>> = workspace_pages
                .into_iter()
                .take(count as usize)
                .map(|p| ids::parsed(p, |w| w.id.unwrap_or_default(), "workspace"))
                .collect::<Result<_, _>>()?;
            ids::rest(ids::PAGE, first, count, |f, c| self.workspace_id_pages(state, f, c)).await.map(Some)
        };
        let (board_ids, workspace_ids) = futures::try_join!(board_ids, workspace_ids)?;
        Ok(AccountOverview {
            account,
            roles: roles_of!(d.account_roles)?,
            departments: departments_of!(d.departments)?,
            service_users: service_users_of!(d.service_users)?,
            board_ids,
            workspace_ids,
        })
    }

    /// The account's roles (`account_roles`): the four basic ones and, on Enterprise plans,
    /// custom ones.
    pub async fn account_roles(&self) -> Result<Vec<AccountRole>, Error> {
        let d = self.query::<AccountRoles>("AccountRoles", account_roles::Variables {}).await?;
        roles_of!(d.account_roles)
    }

    /// The account's departments with their seats (Enterprise; none elsewhere). Members are read
    /// on each user (`User.department`): one list of every member is too large an answer.
    pub async fn departments(&self) -> Result<Vec<Department>, Error> {
        let d = self.query::<Departments>("Departments", departments::Variables {}).await?;
        departments_of!(d.departments)
    }

    /// The account's service users and when each one's token was last used (admins read them).
    pub async fn service_users(&self) -> Result<Vec<ServiceUser>, Error> {
        let d = self.query::<ServiceUsers>("ServiceUsers", service_users::Variables {}).await?;
        service_users_of!(d.service_users)
    }
}
