//! SCIM reconcile, the pure part: desired users and groups (from a source of truth) against
//! monday.com's current SCIM state, giving the steps that make one the other.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A user as the source of truth describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredUser {
    /// The e-mail, monday.com's SCIM `userName`.
    pub user_name: String,
    /// Attributes to keep equal (`title`, `name.givenName`, `locale`, `userType`, ...).
    pub attributes: BTreeMap<String, String>,
    pub active: bool,
    /// Group names.
    pub groups: Vec<String>,
    /// Where it came from (`people.csv:12`), for messages.
    pub origin: String,
}

/// A group the source wants, with the stable id a rename is recognised by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredGroup {
    pub name: String,
    pub external_id: Option<String>,
}

/// A user as monday.com's SCIM API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub user_name: String,
    pub attributes: BTreeMap<String, String>,
    pub active: bool,
    /// Provisioned through SCIM (only those are deactivated for missing from the source).
    pub scim_provisioned: bool,
}

/// A group (team) as monday.com's SCIM API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentGroup {
    pub id: String,
    pub name: String,
    pub external_id: Option<String>,
    /// Member user ids.
    pub members: BTreeSet<String>,
    pub scim_provisioned: bool,
}

/// A member reference: an existing user id, or the userName of a user the plan creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRef {
    Id(String),
    New(String),
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ScimStep {
    CreateUser {
        user: DesiredUser,
    },
    /// (attribute, current, desired) per changed attribute.
    UpdateUser {
        id: String,
        user_name: String,
        changes: Vec<(String, Option<String>, String)>,
    },
    Deactivate {
        id: String,
        user_name: String,
        reason: String,
    },
    Reactivate {
        id: String,
        user_name: String,
    },
    DeleteUser {
        id: String,
        user_name: String,
    },
    CreateGroup {
        name: String,
        external_id: Option<String>,
        members: Vec<MemberRef>,
    },
    RenameGroup {
        id: String,
        from: String,
        to: String,
    },
    AddMembers {
        id: String,
        group: String,
        members: Vec<MemberRef>,
    },
    RemoveMembers {
        id: String,
        group: String,
        members: Vec<String>,
    },
    DeleteGroup {
        id: String,
        name: String,
    },
}

impl ScimStep {
    /// Whether it takes access away (for the mass-change guard).
    pub fn users_losing_access(&self) -> usize {
        match self {
            ScimStep::Deactivate { .. } | ScimStep::DeleteUser { .. } => 1,
            _ => 0,
        }
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        match self {
            ScimStep::CreateUser { user } => format!("create user {} ({})", user.user_name, user.origin),
            ScimStep::UpdateUser { user_name, changes, .. } => {
                let c: Vec<String> = changes
                    .iter()
                    .map(|(a, from, to)| format!("{a}: {} → {to}", from.as_deref().unwrap_or("(none)")))
                    .collect();
                format!("update user {user_name}: {}", c.join(", "))
            }
            ScimStep::Deactivate { user_name, reason, .. } => format!("deactivate user {user_name} ({reason})"),
            ScimStep::Reactivate { user_name, .. } => format!("reactivate user {user_name}"),
            ScimStep::DeleteUser { user_name, .. } => format!("delete user {user_name}"),
            ScimStep::CreateGroup { name, members, .. } => {
                format!("create group {name:?} with {} member(s)", members.len())
            }
            ScimStep::RenameGroup { from, to, .. } => format!("rename group {from:?} to {to:?}"),
            ScimStep::AddMembers { group, members, .. } => {
                format!("add {} member(s) to group {group:?}", members.len())
            }
            ScimStep::RemoveMembers { group, members, .. } => {
                format!("remove {} member(s) from group {group:?}", members.len())
            }
            ScimStep::DeleteGroup { name, .. } => format!("delete group {name:?}"),
        }
    }
}

/// Options of a reconcile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Delete users missing from the source instead of deactivating them.
    pub delete: bool,
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The steps that make `current` match the source (`users`, `groups`). Groups are matched by
/// external id, then by name (case-insensitive; an existing team of that name is adopted);
/// empty groups are not created; users are matched by userName (case-insensitive), so users
/// invited by hand are adopted, not duplicated; users missing from the source that SCIM
/// provisioned are deactivated (deleted with `delete`).
pub fn plan(
    users: &[DesiredUser],
    groups: &[DesiredGroup],
    current_users: &[CurrentUser],
    current_groups: &[CurrentGroup],
    opts: ReconcileOptions,
) -> Vec<ScimStep> {
    let mut steps = Vec::new();
    let by_name: BTreeMap<String, &CurrentUser> = current_users.iter().map(|u| (lower(&u.user_name), u)).collect();
    let wanted: BTreeSet<String> = users.iter().map(|u| lower(&u.user_name)).collect();
    let mut member_of: BTreeMap<String, Vec<MemberRef>> = BTreeMap::new();
    for d in users {
        let member = match by_name.get(&lower(&d.user_name)) {
            None => {
                steps.push(ScimStep::CreateUser { user: d.clone() });
                MemberRef::New(d.user_name.clone())
            }
            Some(c) => {
                let mut changes = Vec::new();
                if c.user_name != d.user_name {
                    changes.push(("userName".to_string(), Some(c.user_name.clone()), d.user_name.clone()));
                }
                for (attr, value) in &d.attributes {
                    let now = c.attributes.get(attr);
                    let same = match now {
                        // E-mail addresses compare without case; everything else exactly.
                        Some(v) if attr.to_ascii_lowercase().contains("email") => v.eq_ignore_ascii_case(value),
                        Some(v) => v == value,
                        None => value.is_empty(),
                    };
                    if !same {
                        changes.push((attr.clone(), now.cloned(), value.clone()));
                    }
                }
                if !changes.is_empty() {
                    steps.push(ScimStep::UpdateUser { id: c.id.clone(), user_name: d.user_name.clone(), changes });
                }
                match (c.active, d.active) {
                    (false, true) => {
                        steps.push(ScimStep::Reactivate { id: c.id.clone(), user_name: d.user_name.clone() })
                    }
                    (true, false) => steps.push(ScimStep::Deactivate {
                        id: c.id.clone(),
                        user_name: d.user_name.clone(),
                        reason: "inactive in the source".into(),
                    }),
                    _ => {}
                }
                MemberRef::Id(c.id.clone())
            }
        };
        if d.active {
            for g in &d.groups {
                member_of.entry(lower(g)).or_default().push(member.clone());
            }
        }
    }
    for c in current_users {
        if c.active && c.scim_provisioned && !wanted.contains(&lower(&c.user_name)) {
            steps.push(if opts.delete {
                ScimStep::DeleteUser { id: c.id.clone(), user_name: c.user_name.clone() }
            } else {
                ScimStep::Deactivate {
                    id: c.id.clone(),
                    user_name: c.user_name.clone(),
                    reason: "not in the source".into(),
                }
            });
        }
    }
    // Groups: every group a user names, with its external id if the source gives one.
    let mut desired: BTreeMap<String, DesiredGroup> = BTreeMap::new();
    for g in groups {
        desired.insert(lower(&g.name), g.clone());
    }
    for name in member_of.keys() {
        desired.entry(name.clone()).or_insert_with(|| DesiredGroup {
            name: users.iter().flat_map(|u| &u.groups).find(|g| lower(g) == *name).cloned().unwrap_or_default(),
            external_id: None,
        });
    }
    let mut matched: BTreeSet<String> = BTreeSet::new();
    for (key, g) in &desired {
        let members = member_of.get(key).cloned().unwrap_or_default();
        let found = g
            .external_id
            .as_ref()
            .and_then(|x| current_groups.iter().find(|c| c.external_id.as_deref() == Some(x.as_str())))
            .or_else(|| current_groups.iter().find(|c| lower(&c.name) == *key));
        match found {
            None if members.is_empty() => {} // empty groups are not created
            None => steps.push(ScimStep::CreateGroup {
                name: g.name.clone(),
                external_id: g.external_id.clone(),
                members: members.clone(),
            }),
            Some(c) => {
                matched.insert(c.id.clone());
                if c.name != g.name {
                    steps.push(ScimStep::RenameGroup { id: c.id.clone(), from: c.name.clone(), to: g.name.clone() });
                }
                let want: BTreeSet<MemberRef> = members.into_iter().collect();
                let add: Vec<MemberRef> = want
                    .iter()
                    .filter(|m| !matches!(m, MemberRef::Id(id) if c.members.contains(id)))
                    .cloned()
                    .collect();
                let keep: BTreeSet<&String> =
                    want.iter().filter_map(|m| if let MemberRef::Id(id) = m { Some(id) } else { None }).collect();
                let remove: Vec<String> = c.members.iter().filter(|m| !keep.contains(m)).cloned().collect();
                if !add.is_empty() {
                    steps.push(ScimStep::AddMembers { id: c.id.clone(), group: g.name.clone(), members: add });
                }
                if !remove.is_empty() {
                    steps.push(ScimStep::RemoveMembers { id: c.id.clone(), group: g.name.clone(), members: remove });
                }
            }
        }
    }
    for c in current_groups {
        if c.scim_provisioned && !matched.contains(&c.id) {
            steps.push(ScimStep::DeleteGroup { id: c.id.clone(), name: c.name.clone() });
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(email: &str, title: &str, groups: &[&str]) -> DesiredUser {
        DesiredUser {
            user_name: email.into(),
            attributes: [("title".to_string(), title.to_string())].into_iter().collect(),
            active: true,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            origin: "test".into(),
        }
    }

    fn c(id: &str, email: &str, title: &str, scim: bool) -> CurrentUser {
        CurrentUser {
            id: id.into(),
            user_name: email.into(),
            attributes: [("title".to_string(), title.to_string())].into_iter().collect(),
            active: true,
            scim_provisioned: scim,
        }
    }

    #[test]
    fn from_empty_everything_is_created_but_empty_groups() {
        let steps = plan(
            &[d("a@x.io", "CTO", &["Eng"]), d("b@x.io", "", &[])],
            &[DesiredGroup { name: "Empty".into(), external_id: Some("g0".into()) }],
            &[],
            &[],
            ReconcileOptions::default(),
        );
        let kinds: Vec<String> = steps.iter().map(ScimStep::describe).collect();
        assert_eq!(
            kinds,
            vec!["create user a@x.io (test)", "create user b@x.io (test)", "create group \"Eng\" with 1 member(s)"]
        );
    }

    #[test]
    fn drift_adoption_renames_and_leavers() {
        let users = [d("A@x.io", "CTO", &["Engineering"]), d("b@x.io", "Dev", &["Engineering"])];
        let groups = [DesiredGroup { name: "Engineering".into(), external_id: Some("g1".into()) }];
        let current_users = [
            c("1", "a@x.io", "Dev", true),
            c("2", "B@X.IO", "Dev", false),
            c("3", "gone@x.io", "", true),
            c("4", "manual@x.io", "", false),
        ];
        let current_groups = [CurrentGroup {
            id: "10".into(),
            name: "Eng".into(),
            external_id: Some("g1".into()),
            members: ["1".to_string(), "3".to_string()].into_iter().collect(),
            scim_provisioned: true,
        }];
        let steps = plan(&users, &groups, &current_users, &current_groups, ReconcileOptions::default());
        let shown: Vec<String> = steps.iter().map(ScimStep::describe).collect();
        assert_eq!(
            shown,
            vec![
                "update user A@x.io: userName: a@x.io → A@x.io, title: Dev → CTO",
                "update user b@x.io: userName: B@X.IO → b@x.io",
                "deactivate user gone@x.io (not in the source)",
                "rename group \"Eng\" to \"Engineering\"",
                "add 1 member(s) to group \"Engineering\"",
                "remove 1 member(s) from group \"Engineering\"",
            ]
        );
        // The hand-invited user (manual@, not SCIM) is left alone; b@ was adopted, not created.
        // Converged state: no steps.
        let done_users = [c("1", "A@x.io", "CTO", true), c("2", "b@x.io", "Dev", false)];
        let done_groups = [CurrentGroup {
            id: "10".into(),
            name: "Engineering".into(),
            external_id: Some("g1".into()),
            members: ["1".to_string(), "2".to_string()].into_iter().collect(),
            scim_provisioned: true,
        }];
        assert_eq!(plan(&users, &groups, &done_users, &done_groups, ReconcileOptions::default()), vec![]);
        let with_delete = plan(&users, &groups, &current_users, &current_groups, ReconcileOptions { delete: true });
        assert!(with_delete.iter().any(|s| matches!(s, ScimStep::DeleteUser { .. })));
    }
}
