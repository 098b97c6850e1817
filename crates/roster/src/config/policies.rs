//! `[approval]` and `[jit]`: the policies as written, each resolved into the engine's typed form.

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// `[approval]`: which plans wait for a second admin, and who may approve them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApproval {
    /// `never` (default), `removals` (plans that take access from at least `min_users`
    /// users) or `all`.
    pub require: Option<String>,
    pub min_users: Option<u64>,
    /// CLI user names and API key names allowed to approve; empty: any admin but the planner.
    #[serde(default)]
    pub approvers: Vec<String>,
}

impl RawApproval {
    /// The policy, checked: an unknown `require`, a `min_users` out of 1..=1,000,000 or an
    /// empty approver name is an error that names it.
    pub fn resolve(&self) -> Result<roster_core::ApprovalPolicy> {
        let require = match self.require.as_deref() {
            None => roster_core::Require::Never,
            Some(r) => roster_core::Require::parse(r)
                .with_context(|| format!("[approval] require = {r:?}: use \"never\", \"removals\" or \"all\""))?,
        };
        let min_users = match self.min_users {
            None => 1,
            Some(n @ 1..=1_000_000) => n as usize,
            Some(n) => bail!("[approval] min_users = {n}: use a number of users between 1 and 1000000"),
        };
        if self.approvers.iter().any(|n| n.trim().is_empty()) {
            bail!("[approval] approvers: an empty name");
        }
        Ok(roster_core::ApprovalPolicy { require, min_users, approvers: self.approvers.clone() })
    }
}

/// The longest a JIT limit may be: 30 days, in minutes.
const MAX_MINUTES: u64 = 43_200;

/// `[jit]`: the longest grant per resource type, and the notice before expiry, in minutes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJit {
    pub max_board_minutes: Option<u64>,
    pub max_workspace_minutes: Option<u64>,
    pub max_team_minutes: Option<u64>,
    pub max_role_minutes: Option<u64>,
    pub warn_minutes: Option<u64>,
    /// Who may approve: `admins_or_owners` (default: the account's admins and the resource's
    /// owners) or `anyone` (anyone but the requester and the user).
    pub approvers: Option<String>,
    /// Approvers allowed whatever the rule (e-mails); admin API keys always are.
    #[serde(default)]
    pub approver_names: Vec<String>,
}

impl RawJit {
    /// The policy: these values over the defaults (boards 24 h, workspaces and teams 8 h,
    /// notice 15 minutes). A limit outside 1 minute..30 days, an unknown `approvers` or an empty
    /// approver name is an error that names it.
    pub fn resolve(&self) -> Result<roster_engine::jit::JitPolicy> {
        for (name, v) in [
            ("max_board_minutes", self.max_board_minutes),
            ("max_workspace_minutes", self.max_workspace_minutes),
            ("max_team_minutes", self.max_team_minutes),
            ("max_role_minutes", self.max_role_minutes),
            ("warn_minutes", self.warn_minutes),
        ] {
            if matches!(v, Some(m) if !(1..=MAX_MINUTES).contains(&m)) {
                bail!("[jit] {name} must be between 1 and {MAX_MINUTES} (30 days)");
            }
        }
        let approvers = match self.approvers.as_deref() {
            None | Some("admins_or_owners") => roster_engine::jit::Approvers::AdminsOrOwners,
            Some("anyone") => roster_engine::jit::Approvers::Anyone,
            Some(a) => bail!("[jit] approvers = {a:?}: use \"admins_or_owners\" or \"anyone\""),
        };
        if self.approver_names.iter().any(|n| n.trim().is_empty()) {
            bail!("[jit] approver_names: an empty name");
        }
        let d = roster_engine::jit::JitPolicy::default();
        let m = |v: Option<u64>, default: std::time::Duration| {
            v.map_or(default, |x| std::time::Duration::from_secs(x * 60))
        };
        Ok(roster_engine::jit::JitPolicy {
            max_board: m(self.max_board_minutes, d.max_board),
            max_workspace: m(self.max_workspace_minutes, d.max_workspace),
            max_team: m(self.max_team_minutes, d.max_team),
            max_role: m(self.max_role_minutes, d.max_role),
            warn_before: m(self.warn_minutes, d.warn_before),
            approvers,
            named_approvers: self.approver_names.clone(),
        })
    }
}
