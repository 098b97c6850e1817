//! Separation of duties: sets of entitlements nobody may hold together (for example the admin
//! role and ownership of the finance board), with exemptions that carry a reason and expire.
//! Pure: evaluated on a snapshot's users and grants; the engine turns the result into events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entitlement::{Grant, PrincipalType, ResourceType};
use crate::events::{Event, EventKind};
use crate::records::{UserRecord, UserStatus};

/// One rule, as written in the configuration (`[[sod]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SodRule {
    /// The rule's name.
    pub name: String,
    /// Entitlements that must not be held together: `role:admin:assigned`, `board:123:owner`,
    /// or `board:*:owner` (any board).
    pub entitlements: Vec<String>,
    #[serde(default)]
    /// Users allowed to hold them together, each with a reason.
    pub exemptions: Vec<SodExemption>,
}

/// A user allowed to break a rule, for a reason, until a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SodExemption {
    /// User id or e-mail.
    pub user: String,
    /// Why the exemption is allowed.
    pub reason: String,
    /// Last day the exemption holds (`2027-03-31`), or an RFC 3339 time.
    pub expires: String,
}

/// A rule broken by a user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Violation {
    /// The rule.
    pub rule: String,
    /// The user's id.
    pub user: String,
    /// The user's e-mail.
    pub email: String,
    /// The entitlements held that the rule names.
    pub held: Vec<String>,
}

/// What is wrong with a rule.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("separation-of-duties rule {rule:?}: {problem}")]
pub struct SodError {
    /// The rule.
    pub rule: String,
    /// What is wrong with it.
    pub problem: String,
}

use crate::when::end_of_day_or_time as expiry;

impl SodRule {
    /// Checks the rule is usable: a name, two or more well-formed entitlements, exemptions with
    /// a reason and a readable expiry.
    pub fn check(&self) -> Result<(), SodError> {
        let err = |problem: String| SodError { rule: self.name.clone(), problem };
        if self.name.trim().is_empty() {
            return Err(err("give the rule a name".into()));
        }
        if self.entitlements.len() < 2 {
            return Err(err("name at least two entitlements that must not be held together".into()));
        }
        for e in &self.entitlements {
            let parts: Vec<&str> = e.split(':').collect();
            let [rtype, rid, slug] = parts.as_slice() else {
                return Err(err(format!("{e:?} is not type:id:slug (e.g. board:123:owner, role:admin:assigned)")));
            };
            let t: ResourceType = rtype.parse().map_err(|_| err(format!("{e:?}: unknown type {rtype:?}")))?;
            if rid.is_empty() || !t.slugs().contains(slug) {
                return Err(err(format!("{e:?}: {} entitlements are {}", t.as_str(), t.slugs().join(", "))));
            }
        }
        for x in &self.exemptions {
            if x.reason.trim().is_empty() {
                return Err(err(format!("the exemption of {:?} needs a reason", x.user)));
            }
            if expiry(&x.expires).is_none() {
                return Err(err(format!(
                    "the exemption of {:?}: expires {:?} is not a date (2027-03-31)",
                    x.user, x.expires
                )));
            }
        }
        Ok(())
    }

    fn exempt(&self, u: &UserRecord, now: DateTime<Utc>) -> bool {
        self.exemptions
            .iter()
            .any(|x| (x.user == u.id || u.has_email(&x.user)) && expiry(&x.expires).is_some_and(|until| now < until))
    }
}

/// Whether `entitlement` is what the rule's `pattern` names (`board:*:owner` names every board's owner).
pub fn matches(pattern: &str, entitlement: &str) -> bool {
    let (p, e): (Vec<&str>, Vec<&str>) = (pattern.split(':').collect(), entitlement.split(':').collect());
    p.len() == 3 && e.len() == 3 && p[0] == e[0] && (p[1] == "*" || p[1] == e[1]) && p[2] == e[2]
}

/// The violations in a snapshot: users (not deactivated, not exempt at `now`) holding, directly
/// or through a team, something matching every entitlement of a rule.
pub fn evaluate(rules: &[SodRule], users: &[UserRecord], grants: &[Grant], now: DateTime<Utc>) -> Vec<Violation> {
    let mut held: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for g in grants.iter().filter(|g| g.principal.ptype == PrincipalType::User) {
        held.entry(g.principal.id.as_str()).or_default().insert(g.entitlement.to_string());
    }
    let mut out = Vec::new();
    for u in users.iter().filter(|u| u.status != UserStatus::Deactivated) {
        let Some(mine) = held.get(u.id.as_str()) else { continue };
        for rule in rules {
            let hits: Option<Vec<String>> =
                rule.entitlements.iter().map(|p| mine.iter().find(|e| matches(p, e)).cloned()).collect();
            if let Some(hits) = hits {
                if !rule.exempt(u, now) {
                    out.push(Violation {
                        rule: rule.name.clone(),
                        user: u.id.clone(),
                        email: u.email.clone(),
                        held: hits,
                    });
                }
            }
        }
    }
    out.sort();
    out
}

/// Events for the change from `before` to `after`: new violations and cleared ones.
pub fn violation_events(before: &[Violation], after: &[Violation]) -> Vec<Event> {
    let key = |v: &Violation| (v.rule.clone(), v.user.clone());
    let old: BTreeSet<_> = before.iter().map(key).collect();
    let new: BTreeSet<_> = after.iter().map(key).collect();
    let mut out = Vec::new();
    for v in after.iter().filter(|v| !old.contains(&key(v))) {
        out.push(Event {
            kind: EventKind::SodViolation,
            subject: format!("user:{}", v.user),
            detail: json!({ "rule": v.rule, "email": v.email, "held": v.held }),
        });
    }
    for v in before.iter().filter(|v| !new.contains(&key(v))) {
        out.push(Event {
            kind: EventKind::SodCleared,
            subject: format!("user:{}", v.user),
            detail: json!({ "rule": v.rule, "email": v.email }),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entitlement::Principal;

    fn user(id: &str, status: UserStatus) -> UserRecord {
        UserRecord { status, ..UserRecord::new(id, id, format!("{id}@x.io")) }
    }

    fn rule(exemptions: Vec<SodExemption>) -> SodRule {
        SodRule {
            name: "admin-vs-finance".into(),
            entitlements: vec!["role:admin:assigned".into(), "board:*:owner".into()],
            exemptions,
        }
    }

    fn grant(e: &str, user: &str) -> Grant {
        Grant::direct(e.parse().unwrap(), Principal::user(user))
    }

    #[test]
    fn holders_of_every_entitlement_violate_unless_exempt() {
        let users =
            vec![user("1", UserStatus::Active), user("2", UserStatus::Active), user("3", UserStatus::Deactivated)];
        let grants = vec![
            grant("role:admin:assigned", "1"),
            grant("board:7:owner", "1"),
            grant("role:admin:assigned", "2"),
            grant("board:7:subscriber", "2"),
            grant("role:admin:assigned", "3"),
            grant("board:9:owner", "3"),
        ];
        let now = Utc::now();
        let v = evaluate(&[rule(vec![])], &users, &grants, now);
        assert_eq!(v.len(), 1, "only user 1 holds both; user 3 is deactivated: {v:?}");
        assert_eq!(v[0].held, vec!["role:admin:assigned".to_string(), "board:7:owner".to_string()]);
        let exempt = SodExemption { user: "1@X.IO".into(), reason: "CFO".into(), expires: "2999-01-01".into() };
        assert!(evaluate(&[rule(vec![exempt.clone()])], &users, &grants, now).is_empty(), "exempt (e-mail, any case)");
        let lapsed = SodExemption { expires: "2020-01-01".into(), ..exempt };
        assert_eq!(
            evaluate(&[rule(vec![lapsed])], &users, &grants, now).len(),
            1,
            "an expired exemption does not count"
        );
        let events = violation_events(&[], &v);
        assert_eq!(events[0].kind, EventKind::SodViolation);
        let cleared = violation_events(&v, &[]);
        assert_eq!((cleared.len(), cleared[0].kind), (1, EventKind::SodCleared));
        assert!(violation_events(&v, &v).is_empty(), "nothing new, nothing cleared");
    }

    #[test]
    fn bad_rules_are_named() {
        let mut r = rule(vec![]);
        assert!(r.check().is_ok());
        r.entitlements = vec!["role:admin:assigned".into()];
        assert!(r.check().unwrap_err().problem.contains("at least two"));
        r.entitlements = vec!["role:admin:assigned".into(), "board:7:boss".into()];
        assert!(r.check().unwrap_err().problem.contains("owner"));
        r.entitlements = vec!["role:admin:assigned".into(), "board7owner".into()];
        assert!(r.check().unwrap_err().problem.contains("type:id:slug"));
        let r = rule(vec![SodExemption { user: "1".into(), reason: " ".into(), expires: "2027-01-01".into() }]);
        assert!(r.check().unwrap_err().problem.contains("reason"));
        let r = rule(vec![SodExemption { user: "1".into(), reason: "x".into(), expires: "soon".into() }]);
        assert!(r.check().unwrap_err().problem.contains("not a date"));
    }
}
