//! Events: what changed between two snapshots, and (later) what Roster did.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::entitlement::Grant;
use crate::records::{AccountRecord, ResourceRecord, UserField, UserRecord};

/// The kinds of change a diff reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A user appeared.
    UserAdded,
    /// A user is gone.
    UserRemoved,
    /// A user's status changed (active, deactivated, pending).
    UserStatusChanged,
    /// A user's role changed.
    UserRoleChanged,
    /// A user's e-mail changed.
    UserEmailChanged,
    /// A user's name changed.
    UserNameChanged,
    /// Someone gained access (a membership or ownership).
    GrantAdded,
    /// Someone lost access.
    GrantRemoved,
    /// A team, workspace or board appeared.
    ResourceAdded,
    /// A team, workspace or board is gone.
    ResourceRemoved,
    /// A team, workspace or board was renamed.
    ResourceRenamed,
    /// The account's seat count or plan changed.
    SeatsChanged,
    /// A sync finished; its detail holds the counts.
    SyncCompleted,
    /// An action of a plan was asked for (by whom, why).
    ActionRequested,
    /// monday.com carried it out (or it was already so).
    ActionSucceeded,
    /// monday.com refused it, with the reason.
    ActionFailed,
    /// A later sync saw the change.
    ActionConfirmed,
    /// A later sync did not see the change.
    ActionNotConfirmed,
    /// A change asked for whose answer was never recorded (the apply died) or was a failure:
    /// a later sync shows it did not happen.
    ActionNotApplied,
    /// A SCIM step about to be sent (recorded before the call, with its plan and index).
    ScimRequested,
    /// SCIM provisioning calls (JumpCloud Directory Insights' vocabulary).
    ScimUserCreate,
    /// A user's attributes were updated through SCIM.
    ScimUserUpdate,
    /// A user was deactivated through SCIM.
    ScimUserDeprovision,
    /// A user was reactivated through SCIM.
    ScimUserReactivate,
    /// A user was deleted through SCIM.
    ScimUserDelete,
    /// A group was created through SCIM.
    ScimGroupCreate,
    /// A group was renamed through SCIM.
    ScimGroupUpdate,
    /// Members were added to a group through SCIM.
    ScimGroupMemberAdd,
    /// Members were removed from a group through SCIM.
    ScimGroupMemberRemove,
    /// A group was deleted through SCIM.
    ScimGroupDelete,
    /// A user holds entitlements a separation-of-duties rule keeps apart.
    SodViolation,
    /// A violation seen before is gone.
    SodCleared,
    /// Just-in-time access: asked for, approved (granted), denied, about to expire, expired
    /// (revoked, or kept when held before), failed.
    JitRequested,
    /// A just-in-time grant was approved and granted.
    JitApproved,
    /// A just-in-time request was denied.
    JitDenied,
    /// A just-in-time grant is about to expire.
    JitExpiring,
    /// A just-in-time grant expired (revoked, or kept when held before).
    JitExpired,
    /// Granting or revoking just-in-time access failed.
    JitFailed,
    /// Access reviews: a campaign created, launched (items frozen), an item decided, a
    /// reviewer's sign-off, the campaign closed (remediation applied), a revoked access seen
    /// gone by a later sync, or still there.
    ReviewCreated,
    /// A campaign was launched (its items frozen).
    ReviewLaunched,
    /// An item was decided.
    ReviewDecided,
    /// A reviewer signed off.
    ReviewSignedOff,
    /// A campaign was closed (remediation applied).
    ReviewClosed,
    /// A later sync saw a revoked access gone.
    ReviewRemediationVerified,
    /// A revoked access is still there, or its removal failed.
    ReviewRemediationFailed,
    /// Evidence exported: the manifest's SHA-256 in the audit log, so an export can be matched
    /// against what Roster recorded, not only against itself.
    ReviewExported,
    /// Four-eyes approval: a plan stored to wait for a second admin, approved (it then runs),
    /// rejected, or a decision refused (own plan, not an approver, stale snapshot).
    PlanPendingApproval,
    /// A plan was approved (it then runs).
    PlanApproved,
    /// A plan was rejected.
    PlanRejected,
    /// A decision on a plan was refused (own plan, not an approver, stale snapshot).
    PlanApprovalRefused,
    /// Retention pruned old snapshots: their rows are gone, their runs and events stay.
    SnapshotsPruned,
    /// A monday.com user the source of truth does not know (or marks inactive) appeared.
    UnmanagedAccount,
    /// An account seen as unmanaged is managed again (in the source, or deactivated).
    UnmanagedResolved,
}

impl EventKind {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::UserAdded => "user_added",
            EventKind::UserRemoved => "user_removed",
            EventKind::UserStatusChanged => "user_status_changed",
            EventKind::UserRoleChanged => "user_role_changed",
            EventKind::UserEmailChanged => "user_email_changed",
            EventKind::UserNameChanged => "user_name_changed",
            EventKind::GrantAdded => "grant_added",
            EventKind::GrantRemoved => "grant_removed",
            EventKind::ResourceAdded => "resource_added",
            EventKind::ResourceRemoved => "resource_removed",
            EventKind::ResourceRenamed => "resource_renamed",
            EventKind::SeatsChanged => "seats_changed",
            EventKind::SyncCompleted => "sync_completed",
            EventKind::ActionRequested => "action_requested",
            EventKind::ActionSucceeded => "action_succeeded",
            EventKind::ActionFailed => "action_failed",
            EventKind::ActionConfirmed => "action_confirmed",
            EventKind::ActionNotConfirmed => "action_not_confirmed",
            EventKind::ActionNotApplied => "action_not_applied",
            EventKind::ScimRequested => "scim.requested",
            EventKind::ScimUserCreate => "scim.user_create_provision",
            EventKind::ScimUserUpdate => "scim.user_update_provision",
            EventKind::ScimUserDeprovision => "scim.user_deprovision",
            EventKind::ScimUserReactivate => "scim.user_reactivate_provision",
            EventKind::ScimUserDelete => "scim.user_delete_provision",
            EventKind::ScimGroupCreate => "scim.group_create_provision",
            EventKind::ScimGroupUpdate => "scim.group_update_provision",
            EventKind::ScimGroupMemberAdd => "scim.group_membership_add",
            EventKind::ScimGroupMemberRemove => "scim.group_membership_remove",
            EventKind::ScimGroupDelete => "scim.group_delete_provision",
            EventKind::SodViolation => "sod_violation",
            EventKind::SodCleared => "sod_cleared",
            EventKind::JitRequested => "jit_requested",
            EventKind::JitApproved => "jit_approved",
            EventKind::JitDenied => "jit_denied",
            EventKind::JitExpiring => "jit_expiring",
            EventKind::JitExpired => "jit_expired",
            EventKind::JitFailed => "jit_failed",
            EventKind::ReviewCreated => "review_created",
            EventKind::ReviewLaunched => "review_launched",
            EventKind::ReviewDecided => "review_decided",
            EventKind::ReviewSignedOff => "review_signed_off",
            EventKind::ReviewClosed => "review_closed",
            EventKind::ReviewRemediationVerified => "review_remediation_verified",
            EventKind::ReviewRemediationFailed => "review_remediation_failed",
            EventKind::ReviewExported => "review_exported",
            EventKind::PlanPendingApproval => "plan_pending_approval",
            EventKind::PlanApproved => "plan_approved",
            EventKind::PlanRejected => "plan_rejected",
            EventKind::PlanApprovalRefused => "plan_approval_refused",
            EventKind::SnapshotsPruned => "snapshots_pruned",
            EventKind::UnmanagedAccount => "unmanaged_account",
            EventKind::UnmanagedResolved => "unmanaged_account_resolved",
        }
    }
}

/// One change, about one subject (`user:1`, `board:7`, `board:7:owner`, `account`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Whom or what it is about (`user:12`, `board:7`).
    pub subject: String,
    /// The details, as JSON.
    pub detail: Value,
}

fn ev(kind: EventKind, subject: String, detail: Value) -> Event {
    Event { kind, subject, detail }
}

/// The events between two versions of one user (either may be absent).
pub fn user_events(old: Option<&UserRecord>, new: Option<&UserRecord>) -> Vec<Event> {
    match (old, new) {
        (None, None) => vec![],
        (None, Some(n)) => vec![ev(
            EventKind::UserAdded,
            format!("user:{}", n.id),
            json!({ "email": n.email, "name": n.name, "role": n.role.as_str(), "status": n.status.as_str() }),
        )],
        (Some(o), None) => {
            vec![ev(EventKind::UserRemoved, format!("user:{}", o.id), json!({ "email": o.email, "name": o.name }))]
        }
        (Some(o), Some(n)) => {
            let subject = format!("user:{}", n.id);
            // One event per compared field that differs (the list the store's diff reads too).
            UserField::COMPARED
                .into_iter()
                .filter(|f| f.differs(o, n))
                .map(|f| {
                    let (kind, detail) = match f {
                        UserField::Status => (
                            EventKind::UserStatusChanged,
                            json!({ "from": o.status.as_str(), "to": n.status.as_str(), "email": n.email }),
                        ),
                        UserField::Role => (
                            EventKind::UserRoleChanged,
                            json!({ "from": o.role.as_str(), "to": n.role.as_str(), "email": n.email }),
                        ),
                        // A change of letter case alone is no change (`differs` says so).
                        UserField::Email => (EventKind::UserEmailChanged, json!({ "from": o.email, "to": n.email })),
                        UserField::Name => (EventKind::UserNameChanged, json!({ "from": o.name, "to": n.name })),
                    };
                    ev(kind, subject.clone(), detail)
                })
                .collect()
        }
    }
}

/// The events between two versions of one resource.
pub fn resource_events(old: Option<&ResourceRecord>, new: Option<&ResourceRecord>) -> Vec<Event> {
    match (old, new) {
        (None, None) => vec![],
        (None, Some(n)) => vec![ev(
            EventKind::ResourceAdded,
            format!("{}:{}", n.rtype, n.id),
            json!({ "name": n.name, "kind": n.kind, "state": n.state }),
        )],
        (Some(o), None) => {
            vec![ev(EventKind::ResourceRemoved, format!("{}:{}", o.rtype, o.id), json!({ "name": o.name }))]
        }
        (Some(o), Some(n)) if o.name != n.name => {
            vec![ev(
                EventKind::ResourceRenamed,
                format!("{}:{}", n.rtype, n.id),
                json!({ "from": o.name, "to": n.name }),
            )]
        }
        _ => vec![],
    }
}

/// The event for a grant that appeared (`added`) or disappeared.
pub fn grant_event(grant: &Grant, added: bool) -> Event {
    let kind = if added { EventKind::GrantAdded } else { EventKind::GrantRemoved };
    ev(
        kind,
        grant.entitlement.to_string(),
        json!({ "principal": grant.principal.to_string(), "source": grant.source.as_string() }),
    )
}

/// The event for a change of seats.
pub fn account_events(old: Option<&AccountRecord>, new: &AccountRecord) -> Vec<Event> {
    match old {
        Some(o) if o.max_users != new.max_users => {
            vec![ev(EventKind::SeatsChanged, "account".into(), json!({ "from": o.max_users, "to": new.max_users }))]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Role, UserStatus};
    use crate::{Entitlement, Principal, ResourceType};

    fn user() -> UserRecord {
        UserRecord::new("1", "Zoë O'Brien", "zoe@example.com")
    }

    #[test]
    fn user_changes_name_exactly_what_changed() {
        let a = user();
        assert!(user_events(Some(&a), Some(&a)).is_empty());
        let mut b = a.clone();
        b.email = "ZOE@example.com".into();
        assert!(user_events(Some(&a), Some(&b)).is_empty(), "case is not a change");
        b.email = "zoe.obrien@example.com".into();
        b.role = Role::Admin;
        b.status = UserStatus::Deactivated;
        let kinds: Vec<EventKind> = user_events(Some(&a), Some(&b)).into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, vec![EventKind::UserStatusChanged, EventKind::UserRoleChanged, EventKind::UserEmailChanged]);
        assert_eq!(user_events(None, Some(&a))[0].kind, EventKind::UserAdded);
        assert_eq!(user_events(Some(&a), None)[0].subject, "user:1");
    }

    #[test]
    fn resources_and_grants() {
        let r = ResourceRecord {
            rtype: ResourceType::Board,
            id: "7".into(),
            name: "Roadmap".into(),
            parent: None,
            kind: None,
            state: None,
        };
        let mut s = r.clone();
        s.name = "Roadmap 2027".into();
        let e = resource_events(Some(&r), Some(&s));
        assert_eq!((e[0].kind, e[0].subject.as_str()), (EventKind::ResourceRenamed, "board:7"));
        let g = crate::Grant::direct(Entitlement::new(ResourceType::Board, "7", "owner").unwrap(), Principal::user(3));
        let e = grant_event(&g, false);
        assert_eq!(
            (e.kind, e.subject.as_str(), e.detail["principal"].as_str()),
            (EventKind::GrantRemoved, "board:7:owner", Some("user:3"))
        );
    }
}
