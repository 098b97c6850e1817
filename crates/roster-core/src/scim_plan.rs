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
    /// Whether the user should be active.
    pub active: bool,
    /// Group references: `Name`, `Name [id:TEAM_ID]` or `Name [external_id:ID]` (see [`GroupRef`]).
    pub groups: Vec<String>,
    /// Where it came from (`people.csv:12`), for messages.
    pub origin: String,
}

/// A group the source wants, with the stable id a rename is recognised by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredGroup {
    /// The group's (team's) name.
    pub name: String,
    /// The source's stable id for it, which survives a rename.
    pub external_id: Option<String>,
    /// monday.com's team id, when the source names the team it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A user as monday.com's SCIM API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// monday.com's SCIM id of the user.
    pub id: String,
    /// The e-mail, SCIM's `userName`.
    pub user_name: String,
    /// The attributes monday.com holds, by the source's names.
    pub attributes: BTreeMap<String, String>,
    /// Whether the user is active.
    pub active: bool,
    /// Provisioned through SCIM (only those are deactivated for missing from the source).
    pub scim_provisioned: bool,
}

/// A group (team) as monday.com's SCIM API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentGroup {
    /// monday.com's SCIM id of the group (the team id).
    pub id: String,
    /// The group's name.
    pub name: String,
    /// The external id it was provisioned with, if any.
    pub external_id: Option<String>,
    /// Member user ids.
    pub members: BTreeSet<String>,
    /// Provisioned through SCIM (only those are deleted for missing from the source).
    pub scim_provisioned: bool,
}

/// A member reference: an existing user id, or the userName of a user the plan creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRef {
    /// A user who exists, by SCIM id.
    Id(String),
    /// A user this plan creates, by `userName`.
    New(String),
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ScimStep {
    /// Create a user the source has and monday.com does not.
    CreateUser {
        /// The user to create.
        user: DesiredUser,
    },
    /// (attribute, current, desired) per changed attribute.
    UpdateUser {
        /// The user's SCIM id.
        id: String,
        /// The user's e-mail.
        user_name: String,
        /// (attribute, current value, desired value) per changed attribute.
        changes: Vec<(String, Option<String>, String)>,
    },
    /// Deactivate a user the source no longer has (or marks inactive).
    Deactivate {
        /// The user's SCIM id.
        id: String,
        /// The user's e-mail.
        user_name: String,
        /// Why, in words.
        reason: String,
    },
    /// Reactivate a user the source marks active again.
    Reactivate {
        /// The user's SCIM id.
        id: String,
        /// The user's e-mail.
        user_name: String,
    },
    /// Delete a user (only with `--delete`).
    DeleteUser {
        /// The user's SCIM id.
        id: String,
        /// The user's e-mail.
        user_name: String,
    },
    /// Create a group the source has and monday.com does not.
    CreateGroup {
        /// The group's name.
        name: String,
        /// The source's stable id for it.
        external_id: Option<String>,
        /// Its first members.
        members: Vec<MemberRef>,
    },
    /// Rename a group recognised by its stable id.
    RenameGroup {
        /// The group's SCIM id.
        id: String,
        /// Its current name.
        from: String,
        /// Its name in the source.
        to: String,
    },
    /// Add members to a group.
    AddMembers {
        /// The group's SCIM id.
        id: String,
        /// The group's name.
        group: String,
        /// The users to add.
        members: Vec<MemberRef>,
    },
    /// Remove members from a group.
    RemoveMembers {
        /// The group's SCIM id.
        id: String,
        /// The group's name.
        group: String,
        /// The SCIM ids of the users to remove.
        members: Vec<String>,
    },
    /// Delete a group (only with `--delete-groups`).
    DeleteGroup {
        /// The group's SCIM id.
        id: String,
        /// The group's name.
        name: String,
    },
}

impl ScimStep {
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
    /// Delete SCIM-provisioned groups the source does not name (never teams made by hand).
    pub delete_groups: bool,
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

/// How a source names a group: by monday.com team id, by the source's external id, or by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    /// `[id:9000012]`: monday.com's team id.
    Id(String),
    /// `[external_id:hr-7]`: the source's stable id.
    External(String),
    /// A bare name (lower-cased): only usable while exactly one group has it.
    Name(String),
}

/// A group reference in a user's `groups` cell: `Name`, `Name [id:9000012]` or
/// `Name [external_id:hr-7]` (the name is then a label; the bracket says which group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The name as written (a label when a key follows it).
    pub name: String,
    /// How the group is recognised.
    pub key: GroupKey,
}

impl GroupRef {
    /// Reads one reference; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<GroupRef, String> {
        let t = text.trim();
        if let Some(open) = t.rfind('[').filter(|_| t.ends_with(']')) {
            let inner = &t[open + 1..t.len() - 1];
            let name = t[..open].trim().to_string();
            let key = match inner.split_once(':') {
                Some(("id", v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && v.len() <= 20 => {
                    GroupKey::Id(v.to_string())
                }
                Some(("id", v)) => return Err(format!("group {t:?}: team id {v:?} is not a number")),
                Some(("external_id", v)) if !v.trim().is_empty() => GroupKey::External(v.trim().to_string()),
                _ => {
                    return Err(format!(
                        "group {t:?}: write a reference as \"Name [id:TEAM_ID]\" or \"Name [external_id:ID]\""
                    ))
                }
            };
            return Ok(GroupRef { name, key });
        }
        if t.is_empty() {
            return Err("an empty group name".into());
        }
        Ok(GroupRef { name: t.to_string(), key: GroupKey::Name(lower(t)) })
    }

    /// The reference written back: the bare name while it is unambiguous, else with the id.
    pub fn write(name: &str, id: &str, name_is_unique: bool) -> String {
        let plain = name_is_unique && !name.contains(';') && !name.trim().ends_with(']') && name.trim() == name;
        if plain && !name.is_empty() {
            name.to_string()
        } else if name.contains(';') || name.trim().is_empty() {
            format!("[id:{id}]")
        } else {
            format!("{} [id:{id}]", name.trim())
        }
    }
}

/// Why a source cannot be planned: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the source cannot be planned:\n  - {}", .0.join("\n  - "))]
pub struct PlanProblems(pub Vec<String>);

/// One group the source manages, and where it stands in monday.com.
struct Slot {
    key: GroupKey,
    /// The name the source gives ("" when a reference by id gave none).
    name: String,
    external_id: Option<String>,
    members: BTreeSet<MemberRef>,
}

fn key_of(g: &DesiredGroup) -> GroupKey {
    match (&g.id, &g.external_id) {
        (Some(id), _) => GroupKey::Id(id.clone()),
        (None, Some(x)) => GroupKey::External(x.clone()),
        (None, None) => GroupKey::Name(lower(&g.name)),
    }
}

fn candidates(groups: &[&CurrentGroup]) -> String {
    groups.iter().map(|c| format!("{:?}", GroupRef::write(&c.name, &c.id, false))).collect::<Vec<_>>().join(", ")
}

/// The current group a slot stands for (`None`: to be created), or why that is unclear.
fn find<'a>(slot: &Slot, current: &'a [CurrentGroup]) -> Result<Option<&'a CurrentGroup>, String> {
    let named =
        |name: &str| -> Vec<&CurrentGroup> { current.iter().filter(|c| lower(&c.name) == lower(name)).collect() };
    match &slot.key {
        GroupKey::Id(id) => current
            .iter()
            .find(|c| &c.id == id)
            .map(Some)
            .ok_or_else(|| format!("group {:?}: there is no team with id {id} in monday.com", slot.name)),
        GroupKey::External(x) => {
            let by_x: Vec<&CurrentGroup> =
                current.iter().filter(|c| c.external_id.as_deref() == Some(x.as_str())).collect();
            match by_x.as_slice() {
                [one] => Ok(Some(one)),
                [] => {
                    // A team made by hand with that name and no external id is adopted.
                    let loose: Vec<&CurrentGroup> =
                        named(&slot.name).into_iter().filter(|c| c.external_id.is_none()).collect();
                    match loose.as_slice() {
                        [] => Ok(None),
                        [one] => Ok(Some(one)),
                        many => Err(format!(
                            "group {:?} (external id {x}) is new, and {} teams already have that name: name the one to adopt as {}",
                            slot.name,
                            many.len(),
                            candidates(many)
                        )),
                    }
                }
                many => Err(format!("{} teams have the external id {x:?}: {}", many.len(), candidates(many))),
            }
        }
        GroupKey::Name(_) => match named(&slot.name).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(format!(
                "group {:?} is ambiguous: {} teams have that name; name one as {} (or give the group an external_id)",
                slot.name,
                many.len(),
                candidates(many)
            )),
        },
    }
}

/// The steps that make `current` match the source (`users`, `groups`).
///
/// Identity, never names: users are matched by userName (case-insensitive, so users invited by
/// hand are adopted, not duplicated); groups by monday.com team id or the source's external id,
/// and by name only while exactly one team has that name (two teams of one name are legal in
/// monday.com and are never merged: the source must say which). The source manages only the
/// groups it names and the memberships of the people it lists: a member the source does not
/// know is left where they are, a group it does not name is left alone (deleted only with
/// `delete_groups`, and only if SCIM made it). Empty groups are not created. Users missing from
/// the source that SCIM provisioned are deactivated (deleted with `delete`).
pub fn plan(
    users: &[DesiredUser],
    groups: &[DesiredGroup],
    current_users: &[CurrentUser],
    current_groups: &[CurrentGroup],
    opts: ReconcileOptions,
) -> Result<Vec<ScimStep>, PlanProblems> {
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    let by_name: BTreeMap<String, &CurrentUser> = current_users.iter().map(|u| (lower(&u.user_name), u)).collect();
    // Current users the source speaks for: only their memberships are the source's to change.
    let mut known: BTreeSet<String> = BTreeSet::new();
    let mut refs: Vec<(MemberRef, GroupRef)> = Vec::new();
    for d in users {
        let member = match by_name.get(&lower(&d.user_name)) {
            None => {
                steps.push(ScimStep::CreateUser { user: d.clone() });
                MemberRef::New(d.user_name.clone())
            }
            Some(c) => {
                known.insert(c.id.clone());
                steps.extend(user_changes(d, c));
                MemberRef::Id(c.id.clone())
            }
        };
        // Memberships are the source's to say for active and inactive people alike, so a
        // deactivated user's teams stay as they are unless the source lists them otherwise.
        for g in &d.groups {
            match GroupRef::parse(g) {
                Ok(r) => refs.push((member.clone(), r)),
                Err(e) => problems.push(format!("{}: {e}", d.origin)),
            }
        }
    }
    steps.extend(users_gone(users, current_users, opts));
    let mut slots = source_groups(groups, &mut problems);
    place_members(&mut slots, refs, current_groups, &mut problems);
    let matched = group_steps(&slots, current_groups, &known, &mut steps, &mut problems);
    if opts.delete_groups {
        for c in current_groups {
            if c.scim_provisioned && !matched.contains_key(&c.id) {
                steps.push(ScimStep::DeleteGroup { id: c.id.clone(), name: c.name.clone() });
            }
        }
    }
    if problems.is_empty() {
        Ok(steps)
    } else {
        Err(PlanProblems(problems))
    }
}

/// What brings a user monday.com has to what the source says: changed attributes, then a
/// reactivation or deactivation.
fn user_changes(d: &DesiredUser, c: &CurrentUser) -> Vec<ScimStep> {
    let mut steps = Vec::new();
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
        (false, true) => steps.push(ScimStep::Reactivate { id: c.id.clone(), user_name: d.user_name.clone() }),
        (true, false) => steps.push(ScimStep::Deactivate {
            id: c.id.clone(),
            user_name: d.user_name.clone(),
            reason: "inactive in the source".into(),
        }),
        _ => {}
    }
    steps
}

/// Active users SCIM provisioned whom the source no longer has: deactivated, or deleted
/// with `delete`. Users SCIM never provisioned are not the source's to remove.
fn users_gone(users: &[DesiredUser], current_users: &[CurrentUser], opts: ReconcileOptions) -> Vec<ScimStep> {
    let wanted: BTreeSet<String> = users.iter().map(|u| lower(&u.user_name)).collect();
    current_users
        .iter()
        .filter(|c| c.active && c.scim_provisioned && !wanted.contains(&lower(&c.user_name)))
        .map(|c| {
            if opts.delete {
                ScimStep::DeleteUser { id: c.id.clone(), user_name: c.user_name.clone() }
            } else {
                ScimStep::Deactivate {
                    id: c.id.clone(),
                    user_name: c.user_name.clone(),
                    reason: "not in the source".into(),
                }
            }
        })
        .collect()
}

/// The groups the source lists, each once (a group listed twice under one key is a problem).
fn source_groups(groups: &[DesiredGroup], problems: &mut Vec<String>) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::new();
    for g in groups {
        let key = key_of(g);
        if slots.iter().any(|s| s.key == key) {
            problems.push(match &key {
                GroupKey::Name(_) => format!(
                    "the source lists group {:?} twice without ids: give each an external_id (or an id) to keep them apart",
                    g.name
                ),
                _ => format!("the source lists group {:?} twice with the same id", g.name),
            });
            continue;
        }
        slots.push(Slot { key, name: g.name.clone(), external_id: g.external_id.clone(), members: BTreeSet::new() });
    }
    slots
}

/// Puts each membership a user's row names into its group, adding the groups the source
/// names only in users' rows. A name that fits several listed groups is a problem.
fn place_members(
    slots: &mut Vec<Slot>,
    refs: Vec<(MemberRef, GroupRef)>,
    current_groups: &[CurrentGroup],
    problems: &mut Vec<String>,
) {
    for (member, r) in refs {
        let at = match &r.key {
            GroupKey::Name(n) => {
                let same: Vec<usize> = (0..slots.len()).filter(|i| lower(&slots[*i].name) == *n).collect();
                match same.as_slice() {
                    [one] => Some(*one),
                    [] => None,
                    _ => {
                        problems.push(format!(
                            "group {:?} is ambiguous: the source lists several groups of that name; name one as \"{} [external_id:ID]\"",
                            r.name, r.name
                        ));
                        continue;
                    }
                }
            }
            key => slots.iter().position(|s| &s.key == key).or_else(|| {
                // `[id:N]` may name a group the source lists by its external id.
                let GroupKey::Id(id) = key else { return None };
                let x = current_groups.iter().find(|c| &c.id == id)?.external_id.clone()?;
                slots.iter().position(|s| s.key == GroupKey::External(x.clone()))
            }),
        };
        let at = at.unwrap_or_else(|| {
            let external_id = match &r.key {
                GroupKey::External(x) => Some(x.clone()),
                _ => None,
            };
            slots.push(Slot { key: r.key.clone(), name: r.name.clone(), external_id, members: BTreeSet::new() });
            slots.len() - 1
        });
        slots[at].members.insert(member);
    }
}

/// The steps that bring monday.com's groups to the source's: create, rename, add and remove
/// members (only of users the source speaks for, `known`). Returns the groups matched (team
/// id → the source's name); two source groups on one team is a problem.
fn group_steps(
    slots: &[Slot],
    current_groups: &[CurrentGroup],
    known: &BTreeSet<String>,
    steps: &mut Vec<ScimStep>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut matched: BTreeMap<String, String> = BTreeMap::new();
    for slot in slots {
        let found = match find(slot, current_groups) {
            Ok(f) => f,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let members: Vec<MemberRef> = slot.members.iter().cloned().collect();
        let Some(c) = found else {
            if !members.is_empty() {
                steps.push(ScimStep::CreateGroup {
                    name: slot.name.clone(),
                    external_id: slot.external_id.clone(),
                    members,
                });
            }
            continue;
        };
        if let Some(other) = matched.insert(c.id.clone(), slot.name.clone()) {
            problems.push(format!(
                "groups {other:?} and {:?} of the source both stand for team {} ({:?}): give them distinct ids",
                slot.name, c.id, c.name
            ));
            continue;
        }
        let name = if slot.name.is_empty() { c.name.clone() } else { slot.name.clone() };
        if c.name != name {
            steps.push(ScimStep::RenameGroup { id: c.id.clone(), from: c.name.clone(), to: name.clone() });
        }
        let add: Vec<MemberRef> =
            members.iter().filter(|m| !matches!(m, MemberRef::Id(id) if c.members.contains(id))).cloned().collect();
        let keep: BTreeSet<&String> =
            members.iter().filter_map(|m| if let MemberRef::Id(id) = m { Some(id) } else { None }).collect();
        let remove: Vec<String> =
            c.members.iter().filter(|m| known.contains(*m) && !keep.contains(m)).cloned().collect();
        if !add.is_empty() {
            steps.push(ScimStep::AddMembers { id: c.id.clone(), group: name.clone(), members: add });
        }
        if !remove.is_empty() {
            steps.push(ScimStep::RemoveMembers { id: c.id.clone(), group: name, members: remove });
        }
    }
    matched
}

/// The users a plan takes any access away from (ids): active users deactivated or deleted,
/// members removed from a team, and every member of a team deleted. A team's members lose what
/// the team grants them, so each counts whatever the step is called; the mass-change guard
/// counts these.
pub fn users_losing_access(
    steps: &[ScimStep],
    current_users: &[CurrentUser],
    current_groups: &[CurrentGroup],
) -> BTreeSet<String> {
    let active: BTreeSet<&str> = current_users.iter().filter(|u| u.active).map(|u| u.id.as_str()).collect();
    let mut out = BTreeSet::new();
    for s in steps {
        match s {
            ScimStep::Deactivate { id, .. } | ScimStep::DeleteUser { id, .. } => {
                out.insert(id.clone());
            }
            ScimStep::RemoveMembers { members, .. } => out.extend(members.iter().cloned()),
            ScimStep::DeleteGroup { id, .. } => {
                if let Some(g) = current_groups.iter().find(|g| &g.id == id) {
                    out.extend(g.members.iter().cloned());
                }
            }
            _ => {}
        }
    }
    out.retain(|id| active.contains(id.as_str()));
    out
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
            &[DesiredGroup { name: "Empty".into(), external_id: Some("g0".into()), id: None }],
            &[],
            &[],
            ReconcileOptions::default(),
        )
        .unwrap();
        let kinds: Vec<String> = steps.iter().map(ScimStep::describe).collect();
        assert_eq!(
            kinds,
            vec!["create user a@x.io (test)", "create user b@x.io (test)", "create group \"Eng\" with 1 member(s)"]
        );
    }

    #[test]
    fn drift_adoption_renames_and_leavers() {
        let users = [d("A@x.io", "CTO", &["Engineering"]), d("b@x.io", "Dev", &["Engineering"])];
        let groups = [DesiredGroup { name: "Engineering".into(), external_id: Some("g1".into()), id: None }];
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
        let steps = plan(&users, &groups, &current_users, &current_groups, ReconcileOptions::default()).unwrap();
        let shown: Vec<String> = steps.iter().map(ScimStep::describe).collect();
        assert_eq!(
            shown,
            vec![
                "update user A@x.io: userName: a@x.io → A@x.io, title: Dev → CTO",
                "update user b@x.io: userName: B@X.IO → b@x.io",
                "deactivate user gone@x.io (not in the source)",
                "rename group \"Eng\" to \"Engineering\"",
                "add 1 member(s) to group \"Engineering\"",
            ]
        );
        // The hand-invited user (manual@, not SCIM) is left alone; b@ was adopted, not created;
        // gone@ is deactivated but keeps its team: the source no longer speaks for it.
        // Converged state: no steps.
        let done_users = [c("1", "A@x.io", "CTO", true), c("2", "b@x.io", "Dev", false)];
        let done_groups = [CurrentGroup {
            id: "10".into(),
            name: "Engineering".into(),
            external_id: Some("g1".into()),
            members: ["1".to_string(), "2".to_string(), "3".to_string()].into_iter().collect(),
            scim_provisioned: true,
        }];
        assert_eq!(plan(&users, &groups, &done_users, &done_groups, ReconcileOptions::default()), Ok(vec![]));
        let with_delete = plan(
            &users,
            &groups,
            &current_users,
            &current_groups,
            ReconcileOptions { delete: true, ..Default::default() },
        )
        .unwrap();
        assert!(with_delete.iter().any(|s| matches!(s, ScimStep::DeleteUser { .. })));
    }
}

#[cfg(test)]
mod identity {
    use super::*;

    fn group(id: &str, name: &str, members: &[&str], scim: bool) -> CurrentGroup {
        CurrentGroup {
            id: id.into(),
            name: name.into(),
            external_id: None,
            members: members.iter().map(|m| m.to_string()).collect(),
            scim_provisioned: scim,
        }
    }

    fn user(id: &str, email: &str, active: bool) -> CurrentUser {
        CurrentUser {
            id: id.into(),
            user_name: email.into(),
            attributes: BTreeMap::new(),
            active,
            scim_provisioned: true,
        }
    }

    fn wants(email: &str, active: bool, groups: &[&str]) -> DesiredUser {
        DesiredUser {
            user_name: email.into(),
            attributes: BTreeMap::new(),
            active,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            origin: email.into(),
        }
    }

    #[test]
    fn references_parse_and_write_back() {
        assert_eq!(
            GroupRef::parse("People & Culture [id:9000012]"),
            Ok(GroupRef { name: "People & Culture".into(), key: GroupKey::Id("9000012".into()) })
        );
        assert_eq!(GroupRef::parse(" Eng ").map(|r| r.key), Ok(GroupKey::Name("eng".into())));
        assert_eq!(GroupRef::parse("[external_id:hr-1]").map(|r| r.key), Ok(GroupKey::External("hr-1".into())));
        assert!(GroupRef::parse("X [id:abc]").unwrap_err().contains("not a number"));
        assert!(GroupRef::parse("X [owner:1]").unwrap_err().contains("[id:TEAM_ID]"));
        assert_eq!(GroupRef::write("Eng", "5", true), "Eng");
        assert_eq!(GroupRef::write("Eng", "5", false), "Eng [id:5]");
        assert_eq!(GroupRef::write("A;B", "5", true), "[id:5]");
        for (name, unique) in [("Eng", true), ("Eng", false), ("Ops [x]", true), ("A;B", true)] {
            let r = GroupRef::parse(&GroupRef::write(name, "5", unique)).unwrap();
            assert!(r.key == GroupKey::Id("5".into()) || r.key == GroupKey::Name(lower(name)), "{name}");
        }
    }

    #[test]
    fn deactivated_members_and_people_the_source_does_not_know_keep_their_teams() {
        let current = [user("1", "a@x.io", true), user("2", "b@x.io", false), user("3", "c@x.io", true)];
        let teams = [group("10", "Eng", &["1", "2", "3"], true), group("11", "Ops", &["1"], true)];
        // b@ is deactivated and listed in Eng; c@ is not in the source (deactivated, keeps Eng);
        // Ops is not named: left alone, not deleted.
        let steps = plan(
            &[wants("a@x.io", true, &["Eng"]), wants("b@x.io", false, &["Eng"])],
            &[],
            &current,
            &teams,
            ReconcileOptions::default(),
        )
        .unwrap();
        let shown: Vec<String> = steps.iter().map(ScimStep::describe).collect();
        assert_eq!(shown, vec!["deactivate user c@x.io (not in the source)"]);
        let deleting = plan(
            &[wants("a@x.io", true, &["Eng"]), wants("b@x.io", false, &["Eng"]), wants("c@x.io", true, &[])],
            &[],
            &current,
            &teams,
            ReconcileOptions { delete_groups: true, ..Default::default() },
        )
        .unwrap();
        let shown: Vec<String> = deleting.iter().map(ScimStep::describe).collect();
        assert_eq!(
            shown,
            vec!["remove 1 member(s) from group \"Eng\"", "delete group \"Ops\""],
            "c@ is in the source with no groups: it leaves Eng; Ops goes only because delete_groups is on"
        );
        let losing = users_losing_access(&deleting, &current, &teams);
        assert_eq!(losing.into_iter().collect::<Vec<_>>(), vec!["1".to_string(), "3".to_string()]);
    }

    #[test]
    fn ambiguous_names_are_refused_with_the_candidates() {
        let current = [user("1", "a@x.io", true)];
        let teams = [group("10", "Eng", &[], false), group("11", "eng", &[], false)];
        let e =
            plan(&[wants("a@x.io", true, &["Eng"])], &[], &current, &teams, ReconcileOptions::default()).unwrap_err();
        assert!(e.to_string().contains("\"Eng [id:10]\", \"eng [id:11]\""), "{e}");
        let ok = plan(&[wants("a@x.io", true, &["eng [id:11]"])], &[], &current, &teams, ReconcileOptions::default())
            .unwrap();
        assert_eq!(ok.iter().map(ScimStep::describe).collect::<Vec<_>>(), vec!["add 1 member(s) to group \"eng\""]);
    }
}
