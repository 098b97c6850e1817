//! The account: plan, tier, seats, departments, and its custom roles (stored as role
//! resources, so a custom role's entitlement `role:<id>:assigned` is shown by its name).

use monday_api::{Account, AccountOverview, AccountRole, Client, Department, Error as ApiError, Listings, ServiceUser};
use roster_core::{AccountRecord, DepartmentSeats, ResourceRecord, ResourceType, ServiceUserToken};
use roster_store::{Page, PartProgress, Store};

use super::{start_of, store_page, SyncProgress};
use crate::error::SyncError;

/// What the account holds beside itself; `None` where the plan or the token does not show it.
pub(crate) struct Overview {
    pub(crate) account: Account,
    pub(crate) roles: Vec<AccountRole>,
    departments: Vec<Department>,
    service_users: Option<Vec<ServiceUser>>,
    /// The ids of the boards and the workspaces, where the listings were asked and answered.
    pub(crate) board_ids: Option<Vec<u64>>,
    pub(crate) workspace_ids: Option<Vec<u64>>,
}

/// An answer that means "not on this plan" or "not for this token": an account without the
/// thing, not a failed sync (a network failure still fails it).
fn refused(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Forbidden { .. }
            | ApiError::InvalidQuery { .. }
            | ApiError::InvalidArgument { .. }
            | ApiError::Application { .. }
    )
}

/// The account, its roles, departments and service users, and the ids of the `listings`: one
/// request on an Enterprise plan read by an admin (more if a listing is longer than its pages).
/// Where the plan or the token refuses a part, the whole request is refused; each is then read
/// alone, so the account and its roles are read whatever the others answer (and the parts list
/// their ids themselves).
pub(crate) async fn read(client: &Client, listings: &Listings) -> Result<Overview, SyncError> {
    match client.account_overview(listings).await {
        Ok(AccountOverview { account, roles, departments, service_users, board_ids, workspace_ids }) => {
            Ok(Overview { account, roles, departments, service_users: Some(service_users), board_ids, workspace_ids })
        }
        Err(e) if refused(&e) => {
            tracing::info!(error = %e, "the account's overview was refused; reading its parts one by one");
            let account = client.account().await.map_err(|source| SyncError::Api { part: "the account", source })?;
            let roles = client
                .account_roles()
                .await
                .map_err(|source| SyncError::Api { part: "the account's roles", source })?;
            let departments = match client.departments().await {
                Ok(d) => d,
                Err(e) if refused(&e) => {
                    tracing::info!(error = %e, "no departments read (Enterprise plans and the departments:read scope have them)");
                    vec![]
                }
                Err(source) => return Err(SyncError::Api { part: "the account's departments", source }),
            };
            let service_users = match client.service_users().await {
                Ok(list) => Some(list),
                Err(e) if refused(&e) => {
                    tracing::info!(error = %e, "no service users read (an admin's token reads them)");
                    None
                }
                Err(source) => return Err(SyncError::Api { part: "the account's service users", source }),
            };
            Ok(Overview { account, roles, departments, service_users, board_ids: None, workspace_ids: None })
        }
        Err(source) => Err(SyncError::Api { part: "the account", source }),
    }
}

pub(crate) async fn sync(
    store: &dyn Store,
    sync_id: i64,
    parts: &[PartProgress],
    overview: &Overview,
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    if start_of(parts, "account").1 {
        return Ok(());
    }
    let Overview { account: a, roles, departments, service_users, .. } = overview;
    let a = a.clone();
    let service_users = service_users.as_ref().map(|list| {
        list.iter()
            .map(|u| ServiceUserToken {
                id: u.id.to_string(),
                name: u.name.clone(),
                enabled: u.enabled,
                has_token: u.has_token,
                created_at: u.created_at,
                last_token_activity: u.last_token_activity,
            })
            .collect()
    });
    let record = AccountRecord {
        monday_id: a.id.to_string(),
        name: a.name,
        slug: a.slug,
        tier: a.tier,
        plan_tier: a.plan.as_ref().and_then(|p| p.tier.clone()),
        max_users: a.plan.as_ref().map(|p| p.max_users),
        active_members_count: a.active_members_count,
        departments: departments
            .iter()
            .map(|d| DepartmentSeats {
                id: d.id.to_string(),
                name: d.name.clone(),
                reserved_seats: d.reserved_seats,
                assigned_seats: d.assigned_seats,
            })
            .collect(),
        service_users,
    };
    let resources = roles
        .iter()
        .filter(|r| r.custom)
        .map(|r| ResourceRecord {
            rtype: ResourceType::Role,
            id: r.id.to_string(),
            name: r.name.clone(),
            parent: None,
            kind: Some("custom".into()),
            state: None,
        })
        .collect();
    let page = Page {
        part: "account".into(),
        account: Some(record),
        resources,
        next_offset: 1,
        done: true,
        ..Page::default()
    };
    store_page(store, sync_id, page, 1, progress).await
}
