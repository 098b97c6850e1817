//! Invitations, roles, deactivation and activation.

use super::{check_batch, ids_of, refused, strings, BatchOutcome};
use crate::boards::gql_enum;
use crate::client::{Client, Idempotency};
use crate::error::Error;
use crate::models::UserKind;
use crate::queries::{
    activate_users, deactivate_users, invite_users, update_users_custom_role, update_users_role, ActivateUsers,
    DeactivateUsers, InviteUsers, UpdateUsersCustomRole, UpdateUsersRole,
};

/// monday.com's role name for a kind.
fn role_name(kind: &UserKind) -> Result<&'static str, Error> {
    Ok(match kind {
        UserKind::Admin => "ADMIN",
        UserKind::Member => "MEMBER",
        UserKind::Viewer => "VIEW_ONLY",
        UserKind::Guest => "GUEST",
        UserKind::Other(k) => {
            return Err(Error::InvalidArgument {
                code: "INVALID_INPUT".into(),
                message: format!("role {k:?} cannot be assigned"),
                request_id: None,
            })
        }
    })
}

/// What `invite_users` did: invited (id, e-mail) pairs and refused e-mails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteOutcome {
    pub invited: Vec<(u64, String)>,
    pub failed: Vec<super::ItemFailure>,
}

impl Client {
    /// Invites people; they stay pending until they accept.
    pub async fn invite_users(&self, emails: &[String], role: &UserKind) -> Result<InviteOutcome, Error> {
        check_batch(emails.len())?;
        let vars = invite_users::Variables { emails: emails.to_vec(), role: Some(gql_enum(role_name(role)?)?) };
        // Repeating an invitation is harmless: the second answers "already a user".
        let d = self.mutate::<InviteUsers>("InviteUsers", vars, Idempotency::Safe).await?;
        let r = d.invite_users.unwrap_or(invite_users::InviteUsersInviteUsers { invited_users: None, errors: None });
        let invited = r
            .invited_users
            .unwrap_or_default()
            .into_iter()
            .map(|u| Ok((crate::client::parse_id(&u.id, "invited user")?, u.email)))
            .collect::<Result<_, Error>>()?;
        let failed = r.errors.unwrap_or_default().into_iter().map(|e| refused(e.email, e.code, e.message)).collect();
        Ok(InviteOutcome { invited, failed })
    }

    /// Gives users a role.
    pub async fn update_users_role(&self, ids: &[u64], role: &UserKind) -> Result<BatchOutcome, Error> {
        check_batch(ids.len())?;
        let vars = update_users_role::Variables { ids: strings(ids), role: gql_enum(role_name(role)?)? };
        let d = self.mutate::<UpdateUsersRole>("UpdateUsersRole", vars, Idempotency::Safe).await?;
        let r = d.update_users_role.ok_or_else(|| crate::client::malformed("update_users_role", "no result"))?;
        Ok(BatchOutcome {
            done: ids_of(r.updated_users.unwrap_or_default().into_iter().map(|u| u.id), "updated user")?,
            failed: r.errors.unwrap_or_default().into_iter().map(|e| refused(e.user_id, e.code, e.message)).collect(),
        })
    }

    /// Gives users a role of `account_roles` by its id (a custom role on Enterprise plans;
    /// monday.com makes the role's base their basic role).
    pub async fn update_users_custom_role(&self, ids: &[u64], role_id: u64) -> Result<BatchOutcome, Error> {
        check_batch(ids.len())?;
        let vars = update_users_custom_role::Variables { ids: strings(ids), role_id: role_id.to_string() };
        let d = self.mutate::<UpdateUsersCustomRole>("UpdateUsersCustomRole", vars, Idempotency::Safe).await?;
        let r = d.update_users_role.ok_or_else(|| crate::client::malformed("update_users_role", "no result"))?;
        Ok(BatchOutcome {
            done: ids_of(r.updated_users.unwrap_or_default().into_iter().map(|u| u.id), "updated user")?,
            failed: r.errors.unwrap_or_default().into_iter().map(|e| refused(e.user_id, e.code, e.message)).collect(),
        })
    }

    /// Deactivates users (repeating it is harmless).
    pub async fn deactivate_users(&self, ids: &[u64]) -> Result<BatchOutcome, Error> {
        check_batch(ids.len())?;
        let d = self
            .mutate::<DeactivateUsers>(
                "DeactivateUsers",
                deactivate_users::Variables { ids: strings(ids) },
                Idempotency::Safe,
            )
            .await?;
        let r = d.deactivate_users.ok_or_else(|| crate::client::malformed("deactivate_users", "no result"))?;
        Ok(BatchOutcome {
            done: ids_of(r.deactivated_users.unwrap_or_default().into_iter().map(|u| u.id), "deactivated user")?,
            failed: r.errors.unwrap_or_default().into_iter().map(|e| refused(e.user_id, e.code, e.message)).collect(),
        })
    }

    /// Activates deactivated users (repeating it is harmless).
    pub async fn activate_users(&self, ids: &[u64]) -> Result<BatchOutcome, Error> {
        check_batch(ids.len())?;
        let d = self
            .mutate::<ActivateUsers>(
                "ActivateUsers",
                activate_users::Variables { ids: strings(ids) },
                Idempotency::Safe,
            )
            .await?;
        let r = d.activate_users.ok_or_else(|| crate::client::malformed("activate_users", "no result"))?;
        Ok(BatchOutcome {
            done: ids_of(r.activated_users.unwrap_or_default().into_iter().map(|u| u.id), "activated user")?,
            failed: r.errors.unwrap_or_default().into_iter().map(|e| refused(e.user_id, e.code, e.message)).collect(),
        })
    }
}
