//! What a launch freezes beside each item so the recommendations can say more than "idle":
//! the separation-of-duties rules the user breaks with this access, and a team the user has
//! left that still reaches a resource where their direct access stayed (access left behind
//! when someone moved on). Both are computed once, over the snapshot the items come from.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use roster_core::review::ItemDraft;
use roster_core::sod::{evaluate, SodRule};
use roster_core::{Grant, GrantSource, PrincipalType, ResourceRecord, ResourceType, UserRecord};

/// The frozen context of one snapshot.
pub(super) struct Context {
    /// (user id, entitlement) → the rules broken, by name.
    sod: HashMap<(String, String), BTreeSet<String>>,
    /// user id → the teams they left (ids).
    left: HashMap<String, Vec<String>>,
    /// (resource type, id) → the teams with a grant on it (ids).
    reach: HashMap<(ResourceType, String), BTreeSet<String>>,
    /// team id → name.
    team_names: HashMap<String, String>,
}

impl Context {
    /// The context of a snapshot's `users`, `resources` and `grants`, with `left_teams` from
    /// the store and the `rules` in force `now`.
    pub(super) fn new(
        users: &[UserRecord],
        resources: &[ResourceRecord],
        grants: &[Grant],
        left_teams: Vec<(String, String)>,
        rules: &[SodRule],
        now: DateTime<Utc>,
    ) -> Context {
        let mut sod: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
        let violations = evaluate(rules, users, grants, now);
        if !violations.is_empty() {
            let by_name: HashMap<&str, &SodRule> = rules.iter().map(|r| (r.name.as_str(), r)).collect();
            let broken: HashMap<&str, Vec<&SodRule>> = violations.iter().fold(HashMap::new(), |mut m, v| {
                m.entry(v.user.as_str()).or_default().extend(by_name.get(v.rule.as_str()));
                m
            });
            // Every access of the user that a broken rule names is part of the conflict (a
            // rule on `board:*:owner` names each board they own), not only the first found.
            for g in grants.iter().filter(|g| g.principal.ptype == PrincipalType::User) {
                let Some(rules) = broken.get(g.principal.id.as_str()) else { continue };
                let e = g.entitlement.to_string();
                for r in rules.iter().filter(|r| r.entitlements.iter().any(|p| roster_core::sod::matches(p, &e))) {
                    sod.entry((g.principal.id.clone(), e.clone())).or_default().insert(r.name.clone());
                }
            }
        }
        let mut left: HashMap<String, Vec<String>> = HashMap::new();
        for (user, team) in left_teams {
            left.entry(user).or_default().push(team);
        }
        let reach = grants.iter().filter(|g| g.principal.ptype == PrincipalType::Team).fold(
            HashMap::<(ResourceType, String), BTreeSet<String>>::new(),
            |mut m, g| {
                m.entry((g.entitlement.rtype, g.entitlement.rid.clone())).or_default().insert(g.principal.id.clone());
                m
            },
        );
        let team_names = resources
            .iter()
            .filter(|r| r.rtype == ResourceType::Team)
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect();
        Context { sod, left, reach, team_names }
    }

    /// The rules `d` breaks, comma-separated, if any.
    pub(super) fn sod_rules(&self, d: &ItemDraft) -> Option<String> {
        // Most launches break no rule: no key is built for each of a million items then.
        if self.sod.is_empty() {
            return None;
        }
        let rules = self.sod.get(&(d.user.id.clone(), d.entitlement.to_string()))?;
        Some(rules.iter().cloned().collect::<Vec<_>>().join(", "))
    }

    /// The team(s) the user left that still reach `d`'s resource, by name, when `d` is direct.
    pub(super) fn left_team(&self, d: &ItemDraft) -> Option<String> {
        if d.source != GrantSource::Direct || self.left.is_empty() {
            return None;
        }
        let left = self.left.get(&d.user.id)?;
        let reach = self.reach.get(&(d.entitlement.rtype, d.entitlement.rid.clone()))?;
        let names: Vec<&str> = left
            .iter()
            .filter(|t| reach.contains(*t))
            .map(|t| self.team_names.get(t).map_or(t.as_str(), String::as_str))
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    }
}
