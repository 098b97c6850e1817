//! Four-eyes approval: which plans wait for a second admin, who may approve them, and the
//! states a plan moves through. Pure rules; the engine stores plans and runs approved ones.

use serde::{Deserialize, Serialize};

/// Which plans need a second admin's approval before they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Require {
    /// No plan waits (the default: one admin, as before).
    #[default]
    Never,
    /// A plan that takes any access from at least `min_users` users.
    Removals,
    /// Every plan that changes anything.
    All,
}

impl Require {
    /// The one string form (configuration, answers).
    pub fn as_str(self) -> &'static str {
        match self {
            Require::Never => "never",
            Require::Removals => "removals",
            Require::All => "all",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<Require> {
        [Require::Never, Require::Removals, Require::All].into_iter().find(|r| r.as_str() == s)
    }
}

/// The approval policy of a deployment (`[approval]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalPolicy {
    /// Which plans wait for a second admin.
    pub require: Require,
    /// With `Removals`: how many users must lose access before a plan waits (at least 1).
    pub min_users: usize,
    /// Who may approve (CLI user names, API key names); empty: any admin but the planner.
    pub approvers: Vec<String>,
}

impl ApprovalPolicy {
    /// Whether a plan of `steps` changes that takes access from `users_losing_access` users
    /// must wait for approval.
    pub fn needs(&self, users_losing_access: usize, steps: usize) -> bool {
        match self.require {
            Require::Never => false,
            Require::All => steps > 0,
            Require::Removals => users_losing_access >= self.min_users.max(1),
        }
    }

    /// Whether `approver` may approve (or reject) a plan `planner` made: never their own, and
    /// only a listed approver when the policy lists them. Names compare without regard to case
    /// (the same person is one name on the CLI and on a key).
    pub fn may_decide(&self, planner: &str, approver: &str) -> Result<(), Refusal> {
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        if same(planner, approver) {
            return Err(Refusal::OwnPlan { who: approver.to_string() });
        }
        if !self.approvers.is_empty() && !self.approvers.iter().any(|a| same(a, approver)) {
            return Err(Refusal::NotAnApprover { who: approver.to_string(), approvers: self.approvers.join(", ") });
        }
        Ok(())
    }
}

/// Why a decision on a plan is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{who:?} made this plan and may not approve or reject it: a second admin must")]
    /// The planner tried to decide their own plan.
    OwnPlan {
        /// Who tried.
        who: String,
    },
    #[error("{who:?} is not an approver (the configuration's [approval] approvers: {approvers})")]
    /// The decider is not a configured approver.
    NotAnApprover {
        /// Who tried.
        who: String,
        /// The configured approvers.
        approvers: String,
    },
    #[error("the plan is {status}, not pending approval: nothing to decide")]
    /// The plan is not waiting for a decision.
    NotPending {
        /// Its status.
        status: PlanStatus,
    },
    #[error("the plan was computed on sync {planned}, and sync {latest} has completed since: monday.com may have changed, so make the plan again")]
    /// A newer snapshot completed since the plan was made.
    Stale {
        /// The sync the plan was computed on.
        planned: i64,
        /// The latest completed sync.
        latest: i64,
    },
}

/// What a stored plan carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// GraphQL actions (`roster invite|role|grant|…`, the API's plans).
    Actions,
    /// A SCIM plan (`roster scim apply`).
    Scim,
    /// An access review's remediation (`roster review close`).
    ReviewClose,
}

impl PlanKind {
    /// The one string form.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Actions => "actions",
            PlanKind::Scim => "scim",
            PlanKind::ReviewClose => "review_close",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<PlanKind> {
        [PlanKind::Actions, PlanKind::Scim, PlanKind::ReviewClose].into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a plan that waited for approval stands. It moves only forward:
/// `pending_approval` → `rejected`, or → `approved` → `applied` | `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Waiting for a second admin.
    PendingApproval,
    /// Approved and being carried out.
    Approved,
    /// Carried out (each action's own outcome is in its events).
    Applied,
    /// Approved, but could not be carried out (the reason is its note).
    Failed,
    /// Rejected by a second admin; it never runs.
    Rejected,
}

impl PlanStatus {
    /// Every status.
    pub const ALL: [PlanStatus; 5] = [
        PlanStatus::PendingApproval,
        PlanStatus::Approved,
        PlanStatus::Applied,
        PlanStatus::Failed,
        PlanStatus::Rejected,
    ];

    /// The one string form (store, events, answers).
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::PendingApproval => "pending_approval",
            PlanStatus::Approved => "approved",
            PlanStatus::Applied => "applied",
            PlanStatus::Failed => "failed",
            PlanStatus::Rejected => "rejected",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(require: Require, min_users: usize, approvers: &[&str]) -> ApprovalPolicy {
        ApprovalPolicy { require, min_users, approvers: approvers.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn which_plans_wait() {
        assert!(!policy(Require::Never, 0, &[]).needs(500, 500));
        assert!(policy(Require::All, 0, &[]).needs(0, 1));
        assert!(!policy(Require::All, 0, &[]).needs(0, 0));
        // min_users 0 means 1: a plan that takes nothing never waits under `removals`.
        assert!(!policy(Require::Removals, 0, &[]).needs(0, 9));
        assert!(policy(Require::Removals, 0, &[]).needs(1, 1));
        assert!(!policy(Require::Removals, 5, &[]).needs(4, 9));
        assert!(policy(Require::Removals, 5, &[]).needs(5, 1));
    }

    #[test]
    fn nobody_approves_their_own_plan_and_only_listed_approvers_decide() {
        let open = policy(Require::All, 0, &[]);
        assert!(matches!(open.may_decide("alice", " Alice "), Err(Refusal::OwnPlan { .. })));
        assert_eq!(open.may_decide("alice", "bob"), Ok(()));
        let listed = policy(Require::All, 0, &["Carol"]);
        assert!(matches!(listed.may_decide("alice", "bob"), Err(Refusal::NotAnApprover { .. })));
        assert_eq!(listed.may_decide("alice", "carol"), Ok(()));
        assert!(matches!(listed.may_decide("carol", "carol"), Err(Refusal::OwnPlan { .. })));
    }

    #[test]
    fn string_forms_round_trip() {
        for s in PlanStatus::ALL {
            assert_eq!(PlanStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.as_str())));
        }
        for k in [PlanKind::Actions, PlanKind::Scim, PlanKind::ReviewClose] {
            assert_eq!(PlanKind::parse(k.as_str()), Some(k));
        }
        for r in [Require::Never, Require::Removals, Require::All] {
            assert_eq!(Require::parse(r.as_str()), Some(r));
        }
    }
}
