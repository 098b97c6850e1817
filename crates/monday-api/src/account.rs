//! The account: plan, tier, seats, products, and who the token acts as.

use crate::client::{malformed, parse_id, Client};
use crate::error::Error;
use crate::models::{Account, AccountRole, Department, Plan, Product, ServiceUser, UserKind};
use crate::queries::{
    account, account_roles, departments, service_users, Account as AccountQuery, AccountRoles, Departments,
    ServiceUsers,
};

impl Client {
    /// The account the token belongs to.
    pub async fn account(&self) -> Result<Account, Error> {
        let d = self.query::<AccountQuery>("Account", account::Variables {}).await?;
        let a = d.account.ok_or_else(|| malformed("account", "monday.com returned no account"))?;
        let me = d.me.ok_or_else(|| malformed("me", "monday.com returned no user for the token"))?;
        let products = a
            .products
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .map(|p| {
                Ok(Product {
                    id: p.id.as_deref().map(|i| parse_id(i, "account product")).transpose()?,
                    kind: p.kind,
                    tier: p.tier,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Account {
            id: parse_id(&a.id, "account")?,
            name: a.name,
            slug: a.slug,
            tier: a.tier,
            active_members_count: a.active_members_count,
            plan: a.plan.map(|p| Plan { max_users: p.max_users, period: p.period, tier: p.tier }),
            products,
            me_id: parse_id(&me.id, "me")?,
            me_kind: UserKind::parse(&me.kind),
            api_version: d.version.value,
        })
    }

    /// The account's roles (`account_roles`): the four basic ones and, on Enterprise plans,
    /// custom ones.
    pub async fn account_roles(&self) -> Result<Vec<AccountRole>, Error> {
        let d = self.query::<AccountRoles>("AccountRoles", account_roles::Variables {}).await?;
        d.account_roles
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let id = r.id.as_deref().ok_or_else(|| malformed("account role", "a role has no id"))?;
                Ok(AccountRole {
                    id: parse_id(id, "account role")?,
                    name: r.name.unwrap_or_default(),
                    custom: r.role_type.as_deref() != Some("basic_role"),
                })
            })
            .collect()
    }

    /// The account's departments with their seats (Enterprise; none elsewhere). Members are read
    /// on each user (`User.department`): one list of every member is too large an answer.
    pub async fn departments(&self) -> Result<Vec<Department>, Error> {
        let d = self.query::<Departments>("Departments", departments::Variables {}).await?;
        d.departments
            .unwrap_or_default()
            .into_iter()
            .map(|x| {
                let id = parse_id(&x.id, "department")?;
                // Seat counts are bounded like every number from outside.
                let seats = |n: i64, what: &str| {
                    if (0..=10_000_000).contains(&n) {
                        Ok(n)
                    } else {
                        Err(malformed(&format!("department {id}"), format!("{what} {n} is out of range")))
                    }
                };
                Ok(Department {
                    id,
                    name: x.name,
                    reserved_seats: seats(x.reserved_seats, "reserved_seats")?,
                    assigned_seats: seats(x.assigned_seats, "assigned_seats")?,
                })
            })
            .collect()
    }

    /// The account's service users and when each one's token was last used (admins read them).
    pub async fn service_users(&self) -> Result<Vec<ServiceUser>, Error> {
        let d = self.query::<ServiceUsers>("ServiceUsers", service_users::Variables {}).await?;
        let time = |raw: Option<String>, what: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
            match raw.filter(|s| !s.trim().is_empty()) {
                None => Ok(None),
                Some(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
                    .map(|t| Some(t.with_timezone(&chrono::Utc)))
                    .map_err(|_| malformed("service user", format!("{what} {s:?} is not ISO 8601"))),
            }
        };
        d.service_users
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let id = u.id.as_deref().ok_or_else(|| malformed("service user", "a service user has no id"))?;
                Ok(ServiceUser {
                    id: parse_id(id, "service user")?,
                    name: u.name.unwrap_or_default(),
                    enabled: u.enabled.unwrap_or(true),
                    has_token: u.has_token.unwrap_or(false),
                    created_at: time(u.created_at, "created_at")?,
                    last_token_activity: time(u.last_token_activity, "last_token_activity")?,
                })
            })
            .collect()
    }
}
