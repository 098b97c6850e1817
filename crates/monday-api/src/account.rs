//! The account: plan, tier, seats, products, who the token acts as, and (in the same request
//! when the plan and the token allow) its roles, departments and service users.

use crate::client::{malformed, parse_id, Client};
use crate::error::Error;
use crate::models::{Account, AccountOverview, AccountRole, Department, Plan, Product, ServiceUser, UserKind};
use crate::queries::{
    account, account_roles, departments, service_users, Account as AccountQuery, AccountRoles, Departments,
    ServiceUsers,
};

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

impl Client {
    /// The account the token belongs to.
    pub async fn account(&self) -> Result<Account, Error> {
        let vars = account::Variables { roles: false, departments: false, service_users: false };
        account_of(&self.query::<AccountQuery>("Account", vars).await?)
    }

    /// The account with its roles, departments and service users, in one request. A plan
    /// without departments or a token that may not read service users refuses the whole
    /// request: the caller then reads each alone ([`Client::account`],
    /// [`Client::account_roles`], [`Client::departments`], [`Client::service_users`]).
    pub async fn account_overview(&self) -> Result<AccountOverview, Error> {
        let vars = account::Variables { roles: true, departments: true, service_users: true };
        let d = self.query::<AccountQuery>("Account/overview", vars).await?;
        let account = account_of(&d)?;
        Ok(AccountOverview {
            account,
            roles: roles_of!(d.account_roles)?,
            departments: departments_of!(d.departments)?,
            service_users: service_users_of!(d.service_users)?,
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
