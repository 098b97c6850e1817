//! Users of every status, and their role grants (`role:<role>:assigned`).

use monday_api::{Client, UserFilter, UserKind};
use roster_core::{Entitlement, Grant, Principal, ResourceType, Role, UserRecord, UserStatus};
use roster_store::{PartProgress, Store};

use super::{paged_part, start_of, Rows, SyncProgress};
use crate::error::SyncError;

/// `User.kind` values beyond the four basic ones that monday.com documents (its
/// `UserKindFilter` values, lower-cased).
const KNOWN_OTHER_KINDS: [&str; 4] = ["service_user", "agent_member", "personal_agent_member", "external_agent_member"];

fn role(kind: &UserKind, id: u64) -> Role {
    match kind {
        UserKind::Admin => Role::Admin,
        UserKind::Member => Role::Member,
        UserKind::Viewer => Role::Viewer,
        UserKind::Guest => Role::Guest,
        UserKind::Other(k) => {
            // monday.com's other kinds (service users, AI agents, API users) hold member-level
            // access [INF]; the kind itself is kept on the record. One Roster has not met before
            // is said once per page, not failed on.
            if !KNOWN_OTHER_KINDS.contains(&k.as_str()) {
                tracing::warn!(user = id, kind = %k, "a user kind Roster does not know; kept as it came, treated as member");
            }
            Role::Member
        }
    }
}

/// A user as Roster records them.
pub(crate) fn record(u: &monday_api::User) -> UserRecord {
    UserRecord {
        id: u.id.to_string(),
        name: u.name.clone(),
        email: u.email.clone(),
        title: u.title.clone(),
        role: role(&u.kind, u.id),
        status: match u.status {
            monday_api::UserStatus::Active => UserStatus::Active,
            monday_api::UserStatus::Pending => UserStatus::Pending,
            monday_api::UserStatus::Deactivated => UserStatus::Deactivated,
        },
        is_email_confirmed: u.is_email_confirmed,
        created_at: u.created_at,
        became_active_at: u.became_active_at,
        last_activity: u.last_activity,
        time_zone: u.time_zone.clone(),
        invitation_method: u.invitation_method.clone(),
        kind: match &u.kind {
            UserKind::Other(k) => Some(k.clone()),
            _ => None,
        },
        // Asked on each user: one answer listing every department's members parsed into
        // 48 MiB of JSON at 100,000 users.
        department: u.department.map(|d| d.to_string()),
    }
}

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    length: Option<monday_api::Length>,
    // Which role ids are custom roles: only the account's roles tell (`account_roles`).
    custom_roles: &std::collections::HashSet<u64>,
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    let (offset, done) = start_of(parts, "users");
    if done {
        return Ok(());
    }
    let to_rows = |page: &[monday_api::User]| {
        let users: Vec<UserRecord> = page.iter().map(record).collect();
        // Each user's basic role, and the custom role they hold, if any.
        let role = |rid: String, user: &str| {
            Grant::direct(
                Entitlement { rtype: ResourceType::Role, rid, slug: "assigned".into() },
                Principal::user(user),
            )
        };
        let grants = users
            .iter()
            .zip(page)
            .flat_map(|(u, api)| {
                let custom = api.role_id.filter(|id| custom_roles.contains(id));
                std::iter::once(role(u.role.as_str().to_string(), &u.id))
                    .chain(custom.map(|id| role(id.to_string(), &u.id)))
            })
            .collect();
        Rows { users, grants, ..Rows::default() }
    };
    paged_part(
        store,
        sync_id,
        "users",
        offset,
        client.users_of_length(UserFilter::default(), offset, length),
        to_rows,
        &|| false,
        progress,
    )
    .await
}
