//! Just-in-time access: the states a grant moves through, with one string form each.

use serde::{Deserialize, Serialize};

/// Where a just-in-time grant stands. It moves only forward: `requested` → `denied`, or
/// `requested` → `active` → `expiring` → `expired` | `failed` (or `active` → `failed` when the
/// grant itself could not be made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JitStatus {
    #[default]
    /// Waiting for an approver.
    Requested,
    /// Granted; expires at its time.
    Active,
    /// Being revoked (claimed by one worker).
    Expiring,
    /// Ended (revoked, or kept when held before).
    Expired,
    /// Refused by an approver.
    Denied,
    /// Granting or revoking failed.
    Failed,
}

impl JitStatus {
    /// Every status.
    pub const ALL: [JitStatus; 6] = [
        JitStatus::Requested,
        JitStatus::Active,
        JitStatus::Expiring,
        JitStatus::Expired,
        JitStatus::Denied,
        JitStatus::Failed,
    ];

    /// The one string form (store, events, answers).
    pub fn as_str(self) -> &'static str {
        match self {
            JitStatus::Requested => "requested",
            JitStatus::Active => "active",
            JitStatus::Expiring => "expiring",
            JitStatus::Expired => "expired",
            JitStatus::Denied => "denied",
            JitStatus::Failed => "failed",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<JitStatus> {
        JitStatus::ALL.into_iter().find(|j| j.as_str() == s)
    }
}

impl std::fmt::Display for JitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_string_form_each() {
        for s in JitStatus::ALL {
            assert_eq!(JitStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.as_str())));
        }
        assert_eq!(JitStatus::parse("sleeping"), None);
    }
}
