//! Access review campaigns, the pure part: what a campaign covers (its scope), who reviews each
//! item (the resource's owners or named reviewers, with a fallback), which items a snapshot
//! yields, and what revoking an item means as an action. The engine freezes, stores, decides,
//! remediates and exports; this module decides nothing about time or I/O.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::entitlement::{Entitlement, Grant, GrantSource, Principal, PrincipalType, ResourceType};
use crate::records::{ResourceRecord, Role, UserRecord, UserStatus};

/// Which access a campaign reviews.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Resource types reviewed (`board`, `workspace`, `team`, `role`); empty: all four.
    #[serde(default)]
    pub types: Vec<ResourceType>,
    /// Only boards in this workspace (and the workspace itself).
    #[serde(default)]
    pub workspace: Option<String>,
    /// Only users with these roles (e.g. `admin`, `guest`); empty: every role.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Only access held through this team.
    #[serde(default)]
    pub via_team: Option<String>,
}

/// Who reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewers {
    /// `owners`: each resource's active owners (the first by id) review its items; `named`: the
    /// named reviewers share the resources, one resource to one reviewer.
    pub mode: ReviewerMode,
    #[serde(default)]
    /// The reviewers in `named` mode.
    pub named: Vec<String>,
    /// Reviews what has no active owner (and role items, which have no owner).
    pub fallback: String,
}

/// How reviewers are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewerMode {
    /// Each resource's owners review its items.
    Owners,
    /// Named reviewers share the resources.
    Named,
}

/// What happens to an item nobody decided by the close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unanswered {
    /// Undecided access stays.
    Keep,
    /// Undecided access is revoked.
    Revoke,
}

/// A campaign as created: everything launch needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    /// What is reviewed.
    pub scope: Scope,
    /// Who reviews it.
    pub reviewers: Reviewers,
    /// What happens to undecided items.
    pub unanswered: Unanswered,
    /// Launch refuses a snapshot older than this (seconds) unless forced.
    pub max_snapshot_age_s: i64,
}

/// Where a campaign stands. It moves only forward: `draft` → `launched` (items frozen) →
/// `closing` (remediation under way) → `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Created, not yet launched.
    Draft,
    /// Launched: reviewers decide.
    Launched,
    /// Being closed: remediation in progress.
    Closing,
    /// Closed: remediation applied, evidence final.
    Closed,
}

impl CampaignStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CampaignStatus; 4] =
        [CampaignStatus::Draft, CampaignStatus::Launched, CampaignStatus::Closing, CampaignStatus::Closed];

    /// The one string form (store, events, answers).
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Launched => "launched",
            CampaignStatus::Closing => "closing",
            CampaignStatus::Closed => "closed",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<CampaignStatus> {
        CampaignStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reviewer's decision on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The access stays.
    Certify,
    /// The access goes.
    Revoke,
}

impl Decision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Certify => "certify",
            Decision::Revoke => "revoke",
        }
    }
    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Certify, Decision::Revoke].into_iter().find(|d| d.as_str() == s)
    }
}

/// What became of a revoked item's access: sent and answered (`applied`, `failed`), left for
/// a person because monday.com would take certified access with it (`manual`), then, after a
/// later sync, seen gone (`verified`) or still there (`not_removed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationStatus {
    /// The revocation was applied.
    Applied,
    /// The revocation failed.
    Failed,
    /// Left to a person (removing it would take certified access too).
    Manual,
    /// A later sync saw the access gone.
    Verified,
    /// A later sync found the access still there.
    NotRemoved,
}

impl RemediationStatus {
    /// Every status.
    pub const ALL: [RemediationStatus; 5] = [
        RemediationStatus::Applied,
        RemediationStatus::Failed,
        RemediationStatus::Manual,
        RemediationStatus::Verified,
        RemediationStatus::NotRemoved,
    ];

    /// The one string form (store, evidence, answers).
    pub fn as_str(self) -> &'static str {
        match self {
            RemediationStatus::Applied => "applied",
            RemediationStatus::Failed => "failed",
            RemediationStatus::Manual => "manual",
            RemediationStatus::Verified => "verified",
            RemediationStatus::NotRemoved => "not_removed",
        }
    }

    /// Reads the string form.
    pub fn parse(s: &str) -> Option<RemediationStatus> {
        RemediationStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Waiting for a later sync to say whether the access is gone.
    pub fn awaits_verification(self) -> bool {
        matches!(self, RemediationStatus::Applied | RemediationStatus::Failed | RemediationStatus::Manual)
    }
}

impl std::fmt::Display for RemediationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a campaign's definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("review campaign: {0}")]
pub struct SpecError(pub String);

fn is_email_like(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && !s.chars().any(char::is_whitespace) && s.len() <= 254
}

impl CampaignSpec {
    /// Checks the definition can be launched: reviewable types, numeric ids, reviewers named.
    pub fn check(&self) -> Result<(), SpecError> {
        let bad = |m: String| Err(SpecError(m));
        for t in &self.scope.types {
            if !matches!(t, ResourceType::Board | ResourceType::Workspace | ResourceType::Team | ResourceType::Role) {
                return bad(format!("{} access is not reviewed: use board, workspace, team or role", t.as_str()));
            }
        }
        for (what, id) in [("workspace", &self.scope.workspace), ("team", &self.scope.via_team)] {
            if let Some(id) = id {
                if id.is_empty() || !id.trim_start_matches('-').chars().all(|c| c.is_ascii_digit()) {
                    return bad(format!("{what} {id:?} is not an id (ids are numbers)"));
                }
            }
        }
        if !is_email_like(&self.reviewers.fallback) {
            return bad("name a fallback reviewer (an e-mail) for items without an active owner".into());
        }
        if self.reviewers.mode == ReviewerMode::Named && self.reviewers.named.is_empty() {
            return bad("named reviewers: name at least one".into());
        }
        if let Some(r) = self.reviewers.named.iter().find(|r| !is_email_like(r)) {
            return bad(format!("reviewer {r:?} is not a name or e-mail"));
        }
        if self.max_snapshot_age_s <= 0 {
            return bad("the largest snapshot age must be positive".into());
        }
        Ok(())
    }

    /// Builds a definition from the words the CLI and the HTTP API take (`board`, `admin`,
    /// `owners`, `keep`...), naming the first that is not understood; then checks it.
    #[allow(clippy::too_many_arguments)]
    pub fn from_words(
        types: &[String],
        workspace: Option<String>,
        roles: &[String],
        via_team: Option<String>,
        mode: &str,
        named: Vec<String>,
        fallback: String,
        unanswered: &str,
        max_snapshot_age_hours: i64,
    ) -> Result<CampaignSpec, SpecError> {
        let types = types
            .iter()
            .map(|t| t.trim().parse::<ResourceType>().map_err(|e| SpecError(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let roles = roles
            .iter()
            .map(|r| {
                Role::parse(r)
                    .ok_or_else(|| SpecError(format!("{r:?} is not a role: use admin, member, viewer or guest")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mode = match mode.trim() {
            "owners" => ReviewerMode::Owners,
            "named" => ReviewerMode::Named,
            m => return Err(SpecError(format!("reviewers {m:?}: use owners or named"))),
        };
        let unanswered = match unanswered.trim() {
            "keep" => Unanswered::Keep,
            "revoke" => Unanswered::Revoke,
            u => return Err(SpecError(format!("unanswered {u:?}: use keep or revoke"))),
        };
        let spec = CampaignSpec {
            scope: Scope { types, workspace, roles, via_team },
            reviewers: Reviewers { mode, named, fallback },
            unanswered,
            max_snapshot_age_s: max_snapshot_age_hours.saturating_mul(3600),
        };
        spec.check()?;
        Ok(spec)
    }

    fn covers_type(&self, t: ResourceType) -> bool {
        if self.scope.types.is_empty() {
            matches!(t, ResourceType::Board | ResourceType::Workspace | ResourceType::Team | ResourceType::Role)
        } else {
            self.scope.types.contains(&t)
        }
    }
}

/// One item to review: a user holding an entitlement through a source, and who reviews it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDraft {
    /// The user, as the snapshot saw them.
    pub user: UserRecord,
    /// The access under review.
    pub entitlement: Entitlement,
    /// The resource's name.
    pub resource_name: String,
    /// The resource's kind (public/private/share, open/closed), when monday.com gave one.
    pub resource_kind: Option<String>,
    /// The name of the user's custom role, if they hold one.
    pub custom_role: Option<String>,
    /// Directly, or through a team.
    pub source: GrantSource,
    /// Who reviews it.
    pub reviewer: String,
    /// The reviewer is the user.
    pub self_review: bool,
}

/// The items a snapshot yields for `spec`, in a stable order (resource, user, entitlement):
/// users' grants (direct and through teams) of active and pending users, inside the scope.
pub fn select_items(
    spec: &CampaignSpec,
    users: &[UserRecord],
    resources: &[ResourceRecord],
    grants: &[Grant],
) -> Vec<ItemDraft> {
    let users: HashMap<&str, &UserRecord> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let res: HashMap<(ResourceType, &str), &ResourceRecord> =
        resources.iter().map(|r| ((r.rtype, r.id.as_str()), r)).collect();
    let owners = active_owners(grants, &users);
    let custom_roles: HashMap<&str, &str> = grants
        .iter()
        .filter(|g| g.principal.ptype == PrincipalType::User)
        .filter_map(|g| {
            let role = res.get(&(ResourceType::Role, g.entitlement.custom_role()?))?;
            Some((g.principal.id.as_str(), role.name.as_str()))
        })
        .collect();
    let in_workspace = |e: &Entitlement| match (&spec.scope.workspace, e.rtype) {
        (None, _) => true,
        (Some(w), ResourceType::Workspace) => &e.rid == w,
        (Some(w), ResourceType::Board) => res
            .get(&(ResourceType::Board, e.rid.as_str()))
            .and_then(|r| r.parent.as_deref())
            .is_some_and(|p| p == format!("workspace:{w}")),
        (Some(_), _) => false,
    };
    let mut named_turn: BTreeMap<(ResourceType, String), String> = BTreeMap::new();
    let mut items: Vec<ItemDraft> = grants
        .iter()
        .filter(|g| g.principal.ptype == PrincipalType::User)
        .filter(|g| spec.covers_type(g.entitlement.rtype) && in_workspace(&g.entitlement))
        .filter(|g| match &spec.scope.via_team {
            Some(t) => g.source == GrantSource::Team(t.clone()),
            None => true,
        })
        .filter_map(|g| {
            let u = *users.get(g.principal.id.as_str())?;
            let live = matches!(u.status, UserStatus::Active | UserStatus::Pending);
            let role_ok = spec.scope.roles.is_empty() || spec.scope.roles.contains(&u.role);
            (live && role_ok).then_some((g, u))
        })
        .map(|(g, u)| {
            let e = &g.entitlement;
            let resource = res.get(&(e.rtype, e.rid.as_str()));
            let resource_name = match e.rtype {
                ResourceType::Role if e.custom_role().is_none() => e.rid.clone(),
                _ => resource.map(|r| r.name.clone()).unwrap_or_default(),
            };
            ItemDraft {
                user: u.clone(),
                entitlement: e.clone(),
                resource_name,
                resource_kind: resource.and_then(|r| r.kind.clone()),
                custom_role: custom_roles.get(u.id.as_str()).map(|r| r.to_string()),
                source: g.source.clone(),
                reviewer: String::new(),
                self_review: false,
            }
        })
        .collect();
    items.sort_by(|a, b| order(a).cmp(&order(b)));
    let r = &spec.reviewers;
    for it in &mut items {
        let key = (it.entitlement.rtype, it.entitlement.rid.clone());
        it.reviewer = match r.mode {
            ReviewerMode::Owners => owners.get(&key).cloned().unwrap_or_else(|| r.fallback.clone()),
            ReviewerMode::Named => {
                let next = r.named[named_turn.len() % r.named.len()].clone();
                named_turn.entry(key).or_insert(next).clone()
            }
        };
        it.reviewer = it.reviewer.trim().to_ascii_lowercase();
        it.self_review = it.user.has_email(&it.reviewer);
    }
    items
}

/// Items by resource, then user, then entitlement and source (ids compared as numbers).
fn order(i: &ItemDraft) -> (ResourceType, i128, &str, i128, &str, &GrantSource) {
    let e = &i.entitlement;
    (e.rtype, num(&e.rid), e.rid.as_str(), num(&i.user.id), e.slug.as_str(), &i.source)
}

fn num(id: &str) -> i128 {
    id.parse().unwrap_or(i128::MAX)
}

/// Per resource, the e-mail of its first active owner by user id (direct owners only: an owner
/// team has no one person to answer).
fn active_owners(grants: &[Grant], users: &HashMap<&str, &UserRecord>) -> HashMap<(ResourceType, String), String> {
    let mut best: HashMap<(ResourceType, String), (i128, String)> = HashMap::new();
    for g in grants {
        if g.entitlement.slug != "owner" || g.principal.ptype != PrincipalType::User || g.source != GrantSource::Direct
        {
            continue;
        }
        let Some(u) = users.get(g.principal.id.as_str()).filter(|u| u.status == UserStatus::Active) else { continue };
        let key = (g.entitlement.rtype, g.entitlement.rid.clone());
        let n = num(&u.id);
        let e = best.entry(key).or_insert((n, u.email.clone()));
        if n < e.0 {
            *e = (n, u.email.clone());
        }
    }
    best.into_iter().map(|(k, (_, email))| (k, email.to_ascii_lowercase())).collect()
}

/// What taking an item's access away means: a direct grant is revoked; access through a team
/// is taken by removing the user from that team (the only path monday.com offers that does not
/// take the access from the team's other members); the admin role falls back to member, and
/// any other basic role is the user's access to the account itself, so revoking it
/// deactivates; a custom role revoked leaves the user the basic role it was built on (`base`,
/// the basic role they hold), which setting ends the custom one.
pub fn remediation(user_id: &str, entitlement: &Entitlement, source: &GrantSource, base: Role) -> Action {
    let principal = Principal::user(user_id);
    if entitlement.custom_role().is_some() {
        return Action::SetRole { user: user_id.to_string(), role: base };
    }
    match (entitlement.rtype, source) {
        (ResourceType::Role, _) if entitlement.rid == Role::Admin.as_str() => {
            Action::SetRole { user: user_id.to_string(), role: Role::Member }
        }
        (ResourceType::Role, _) => Action::Deactivate { user: user_id.to_string() },
        (_, GrantSource::Team(t)) => Action::Revoke {
            entitlement: Entitlement { rtype: ResourceType::Team, rid: t.clone(), slug: "member".into() },
            principal,
        },
        // monday.com cannot end a board or workspace ownership alone: removing the user from
        // the resource ends both.
        (ResourceType::Board | ResourceType::Workspace, GrantSource::Direct) if entitlement.slug == "owner" => {
            let slug = if entitlement.rtype == ResourceType::Board { "subscriber" } else { "member" };
            Action::Revoke { entitlement: Entitlement { slug: slug.into(), ..entitlement.clone() }, principal }
        }
        (_, GrantSource::Direct) => Action::Revoke { entitlement: entitlement.clone(), principal },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, role: Role, status: UserStatus) -> UserRecord {
        UserRecord { role, status, ..UserRecord::new(id, format!("U{id}"), format!("u{id}@acme.test")) }
    }

    fn board(id: &str, ws: &str) -> ResourceRecord {
        ResourceRecord {
            rtype: ResourceType::Board,
            id: id.into(),
            name: format!("Board {id}"),
            parent: Some(format!("workspace:{ws}")),
            kind: None,
            state: None,
        }
    }

    fn g(e: &str, user: &str, source: GrantSource) -> Grant {
        Grant { entitlement: e.parse().unwrap(), principal: Principal::user(user), source }
    }

    fn spec(mode: ReviewerMode) -> CampaignSpec {
        CampaignSpec {
            scope: Scope { types: vec![ResourceType::Board], ..Scope::default() },
            reviewers: Reviewers {
                mode,
                named: vec!["a@x.test".into(), "b@x.test".into()],
                fallback: "sec@x.test".into(),
            },
            unanswered: Unanswered::Keep,
            max_snapshot_age_s: 86400,
        }
    }

    #[test]
    fn items_go_to_the_first_active_owner_or_the_fallback() {
        let users = vec![
            user("1", Role::Admin, UserStatus::Active),
            user("2", Role::Member, UserStatus::Active),
            user("3", Role::Member, UserStatus::Deactivated),
        ];
        let grants = vec![
            g("board:10:owner", "1", GrantSource::Direct),
            g("board:10:subscriber", "2", GrantSource::Team("5".into())),
            g("board:11:owner", "3", GrantSource::Direct),
            g("board:11:subscriber", "2", GrantSource::Direct),
            g("role:admin:assigned", "1", GrantSource::Direct),
        ];
        let items = select_items(&spec(ReviewerMode::Owners), &users, &[board("10", "7"), board("11", "8")], &grants);
        let got: Vec<(String, &str, bool)> =
            items.iter().map(|i| (i.entitlement.to_string(), i.reviewer.as_str(), i.self_review)).collect();
        assert_eq!(
            got,
            vec![
                ("board:10:owner".into(), "u1@acme.test", true),
                ("board:10:subscriber".into(), "u1@acme.test", false),
                ("board:11:subscriber".into(), "sec@x.test", false),
            ],
            "the deactivated owner's grant is not reviewed and does not review; role items are out of scope"
        );
    }

    #[test]
    fn scope_filters_by_workspace_role_and_team() {
        let users = vec![user("1", Role::Guest, UserStatus::Active), user("2", Role::Member, UserStatus::Pending)];
        let grants = vec![
            g("board:10:subscriber", "1", GrantSource::Direct),
            g("board:11:subscriber", "1", GrantSource::Direct),
            g("board:10:subscriber", "2", GrantSource::Team("5".into())),
        ];
        let boards = [board("10", "7"), board("11", "8")];
        let mut s = spec(ReviewerMode::Named);
        s.scope.workspace = Some("7".into());
        assert_eq!(select_items(&s, &users, &boards, &grants).len(), 2);
        s.scope.roles = vec![Role::Guest];
        assert_eq!(select_items(&s, &users, &boards, &grants).len(), 1);
        s.scope = Scope { via_team: Some("5".into()), ..Scope::default() };
        let only = select_items(&s, &users, &boards, &grants);
        assert_eq!((only.len(), only[0].user.id.as_str()), (1, "2"));
    }

    #[test]
    fn named_reviewers_take_whole_resources_in_turn() {
        let users = vec![user("1", Role::Member, UserStatus::Active), user("2", Role::Member, UserStatus::Active)];
        let grants: Vec<Grant> = ["10", "11", "12"]
            .iter()
            .flat_map(|b| ["1", "2"].map(|u| g(&format!("board:{b}:subscriber"), u, GrantSource::Direct)))
            .collect();
        let items = select_items(&spec(ReviewerMode::Named), &users, &[], &grants);
        let per_board: Vec<(String, String)> =
            items.iter().map(|i| (i.entitlement.rid.clone(), i.reviewer.clone())).collect();
        assert_eq!(per_board[0], ("10".into(), "a@x.test".into()));
        assert_eq!(per_board[1], ("10".into(), "a@x.test".into()));
        assert_eq!(per_board[2], ("11".into(), "b@x.test".into()));
        assert_eq!(per_board[4], ("12".into(), "a@x.test".into()));
    }

    #[test]
    fn remediation_takes_the_path_the_access_comes_by() {
        let e: Entitlement = "board:10:subscriber".parse().unwrap();
        assert_eq!(
            remediation("2", &e, &GrantSource::Direct, Role::Member).to_string(),
            Action::Revoke { entitlement: e.clone(), principal: Principal::user("2") }.to_string()
        );
        let via = remediation("2", &e, &GrantSource::Team("5".into()), Role::Member);
        assert!(matches!(via, Action::Revoke { ref entitlement, .. } if entitlement.to_string() == "team:5:member"));
        let role = remediation("2", &"role:admin:assigned".parse().unwrap(), &GrantSource::Direct, Role::Admin);
        assert!(matches!(role, Action::SetRole { role: Role::Member, .. }));
        let owner = remediation("2", &"board:10:owner".parse().unwrap(), &GrantSource::Direct, Role::Member);
        assert!(owner.validate().is_ok() && owner.to_string().contains("board:10:subscriber"), "{owner}");
        let guest = remediation("2", &"role:guest:assigned".parse().unwrap(), &GrantSource::Direct, Role::Guest);
        assert!(matches!(guest, Action::Deactivate { .. }), "never a promotion from guest to member");
        // A custom role revoked: the user keeps the basic role it was built on, never deactivated.
        let custom = remediation("2", &"role:5:assigned".parse().unwrap(), &GrantSource::Direct, Role::Viewer);
        assert!(matches!(custom, Action::SetRole { role: Role::Viewer, .. }), "{custom}");
    }

    #[test]
    fn specs_are_built_from_words_naming_the_bad_one() {
        let w = |types: &[&str], roles: &[&str], mode: &str, unanswered: &str| {
            let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
            CampaignSpec::from_words(
                &s(types),
                None,
                &s(roles),
                None,
                mode,
                vec![],
                "sec@x.test".into(),
                unanswered,
                24,
            )
        };
        let ok = w(&["board", "role"], &["admin"], "owners", "revoke").unwrap();
        assert_eq!(
            (ok.scope.roles, ok.unanswered, ok.max_snapshot_age_s),
            (vec![Role::Admin], Unanswered::Revoke, 86400)
        );
        assert!(w(&["boards"], &[], "owners", "keep").unwrap_err().0.contains("boards"));
        assert!(w(&[], &["root"], "owners", "keep").unwrap_err().0.contains("root"));
        assert!(w(&[], &[], "managers", "keep").unwrap_err().0.contains("managers"));
        assert!(w(&[], &[], "owners", "drop").unwrap_err().0.contains("drop"));
        assert!(w(&[], &[], "named", "keep").unwrap_err().0.contains("at least one"), "checked too");
    }

    #[test]
    fn specs_are_checked() {
        let mut s = spec(ReviewerMode::Named);
        assert!(s.check().is_ok());
        s.reviewers.named.clear();
        assert!(s.check().unwrap_err().0.contains("at least one"));
        let mut s = spec(ReviewerMode::Owners);
        s.reviewers.fallback = " ".into();
        assert!(s.check().unwrap_err().0.contains("fallback"));
        let mut s = spec(ReviewerMode::Owners);
        s.scope.types = vec![ResourceType::Account];
        assert!(s.check().is_err());
        s.scope.types = vec![];
        s.scope.workspace = Some("x1".into());
        assert!(s.check().unwrap_err().0.contains("not an id"));
    }
}
