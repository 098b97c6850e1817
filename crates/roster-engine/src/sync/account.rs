//! The account: plan, tier, seats, departments, and its custom roles (stored as role
//! resources, so a custom role's entitlement `role:<id>:assigned` is shown by its name).

use monday_api::{AccountRole, Client, Department};
use roster_core::{AccountRecord, DepartmentSeats, ResourceRecord, ResourceType, ServiceUserToken};
use roster_store::{Page, PartProgress, Store};

use super::{start_of, store_page, SyncProgress};
use crate::error::SyncError;

/// The account's departments. An account whose plan has none, or a token not allowed to read
/// them, is an account without departments, not a failed sync; a network failure still fails it.
async fn departments(client: &Client) -> Result<Vec<Department>, SyncError> {
    use monday_api::Error as E;
    match client.departments().await {
        Ok(d) => Ok(d),
        Err(e @ (E::Forbidden { .. } | E::InvalidQuery { .. } | E::InvalidArgument { .. } | E::Application { .. })) => {
            tracing::info!(error = %e, "no departments read (Enterprise plans and the departments:read scope have them)");
            Ok(vec![])
        }
        Err(source) => Err(SyncError::Api { part: "the account's departments", source }),
    }
}

/// The account's service users with their token activity; `None` when the token may not read
/// them (admins do) or the version lacks them: not a failed sync.
async fn service_users(client: &Client) -> Result<Option<Vec<ServiceUserToken>>, SyncError> {
    use monday_api::Error as E;
    match client.service_users().await {
        Ok(list) => Ok(Some(
            list.into_iter()
                .map(|u| ServiceUserToken {
                    id: u.id.to_string(),
                    name: u.name,
                    enabled: u.enabled,
                    has_token: u.has_token,
                    created_at: u.created_at,
                    last_token_activity: u.last_token_activity,
                })
                .collect(),
        )),
        Err(e @ (E::Forbidden { .. } | E::InvalidQuery { .. } | E::InvalidArgument { .. } | E::Application { .. })) => {
            tracing::info!(error = %e, "no service users read (an admin's token reads them)");
            Ok(None)
        }
        Err(source) => Err(SyncError::Api { part: "the account's service users", source }),
    }
}

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    roles: &[AccountRole],
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    if start_of(parts, "account").1 {
        return Ok(());
    }
    // Read here, not before the parts start: a resumed sync whose account part is done asks
    // for them no more.
    let departments = departments(client).await?;
    let service_users = service_users(client).await?;
    let a = client.account().await.map_err(|source| SyncError::Api { part: "the account", source })?;
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
