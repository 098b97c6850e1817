//! A change Roster makes, recorded before it is sent (write-ahead) and resolved by a later
//! sync: a GraphQL action or a SCIM step, and where its outcome stands.

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::scim_plan::ScimStep;

/// One change sent to monday.com, through the GraphQL API or SCIM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Change {
    /// Stored as the bare action (`{"action": ...}`), as before SCIM steps were recorded.
    Action(Action),
    /// Stored as the bare step (`{"step": ...}`).
    Scim(ScimStep),
}

impl Change {
    /// What it is about, for events.
    pub fn subject(&self) -> String {
        match self {
            Change::Action(a) => a.subject(),
            Change::Scim(s) => s.describe(),
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Change::Action(a) => a.to_string(),
            Change::Scim(s) => s.describe(),
        }
    }
}

/// Where a change's outcome stands: recorded as requested before the call, then as what
/// monday.com answered. A change left `Requested` was cut off (the apply died): a later sync
/// decides from what monday.com shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Asked for; no answer recorded yet.
    Requested,
    /// monday.com carried it out.
    Succeeded,
    /// monday.com refused it.
    Failed,
}

impl Outcome {
    /// The one string form (in the store and events).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Requested => "requested",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Requested, Outcome::Succeeded, Outcome::Failed].into_iter().find(|o| o.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entitlement::Principal;

    #[test]
    fn both_kinds_read_back_and_old_rows_still_read() {
        let a = Change::Action(Action::Deactivate { user: "7".into() });
        let s = Change::Scim(ScimStep::DeleteGroup { id: "9".into(), name: "Ops".into() });
        for c in [&a, &s] {
            let text = serde_json::to_string(c).unwrap();
            assert_eq!(&serde_json::from_str::<Change>(&text).unwrap(), c);
        }
        // A row written before this type existed: a bare action.
        let old = serde_json::to_string(&Action::Revoke {
            entitlement: "board:1:subscriber".parse().unwrap(),
            principal: Principal::user(2),
        })
        .unwrap();
        assert!(matches!(serde_json::from_str::<Change>(&old).unwrap(), Change::Action(Action::Revoke { .. })));
        for o in [Outcome::Requested, Outcome::Succeeded, Outcome::Failed] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
