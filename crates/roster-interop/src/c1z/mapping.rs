//! One Roster snapshot as baton's objects: resource types, resources (with the user, group and
//! role traits), entitlements and grants, under baton's conventions: resource ids
//! `type:id`, entitlement ids `type:id:slug` (the ids Roster uses already), grant ids
//! `entitlement:principal_type:principal_id`. A grant to a team carries baton's
//! `GrantExpandable` annotation (its members get it); the access each member has through the
//! team is there as well, with the team membership as its source, so direct and inherited
//! access both read back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use prost::Message;
use prost_types::{value::Kind, Any, Struct, Timestamp, Value};
use roster_core::{Grant, GrantSource, PrincipalType, ResourceRecord, ResourceType, Role, UserRecord, UserStatus};

use crate::pb;

/// A grant's identity: entitlement id, principal type, principal id.
type GrantKey = (String, &'static str, String);

/// Everything one snapshot holds, as baton objects.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Objects {
    /// Resource types, by id.
    pub resource_types: Vec<pb::ResourceType>,
    /// Resources.
    pub resources: Vec<pb::Resource>,
    /// Entitlements, in id order.
    pub entitlements: Vec<pb::Entitlement>,
    /// Grants as the ways each (entitlement, principal) is held (source entitlement, direct or
    /// not), in order: [`Objects::grants`] makes baton's grants of them.
    held: Vec<(GrantKey, Vec<(String, bool)>)>,
}

/// What a snapshot holds, read from the store.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// The account's monday.com id and name.
    pub account: (String, String),
    /// Every user.
    pub users: Vec<UserRecord>,
    /// Teams, workspaces, boards and custom roles.
    pub resources: Vec<ResourceRecord>,
    /// Every grant, direct and through teams.
    pub grants: Vec<Grant>,
    /// Each user's last login (ms), when the audit log was read.
    pub last_logins: HashMap<String, i64>,
}

fn any<M: Message>(name: &str, m: &M) -> Any {
    Any { type_url: format!("type.googleapis.com/c1.connector.v2.{name}"), value: m.encode_to_vec() }
}

fn text(s: impl Into<String>) -> Value {
    Value { kind: Some(Kind::StringValue(s.into())) }
}

fn profile(fields: impl IntoIterator<Item = (&'static str, Option<String>)>) -> Struct {
    Struct { fields: fields.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), text(v)))).collect() }
}

fn stamp(ms: i64) -> Timestamp {
    Timestamp { seconds: ms.div_euclid(1000), nanos: (ms.rem_euclid(1000) * 1_000_000) as i32 }
}

fn rid(rtype: &str, id: &str) -> pb::ResourceId {
    pb::ResourceId { resource_type: rtype.into(), resource: id.into() }
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The resource types a Roster snapshot has.
fn resource_types() -> Vec<pb::ResourceType> {
    use pb::resource_type::Trait;
    let t = |id: &str, name: &str, traits: Vec<Trait>, description: &str| pb::ResourceType {
        id: id.into(),
        display_name: name.into(),
        traits: traits.into_iter().map(|t| t as i32).collect(),
        annotations: vec![],
        description: description.into(),
    };
    vec![
        t("account", "Account", vec![Trait::App], "The monday.com account"),
        t("user", "User", vec![Trait::User], "A monday.com user: a person, a service user or an AI agent"),
        t("role", "Role", vec![Trait::Role], "An account role: admin, member, viewer, guest, or a custom role"),
        t("team", "Team", vec![Trait::Group], "A monday.com team"),
        t("workspace", "Workspace", vec![], "A monday.com workspace"),
        t("board", "Board", vec![], "A monday.com board"),
    ]
}

fn user_resource(account: &pb::ResourceId, u: &UserRecord, last_login: Option<i64>) -> pb::Resource {
    use pb::user_trait::{status::Status as S, AccountType, Email, Status};
    let status = match u.status {
        UserStatus::Active | UserStatus::Pending => S::Enabled,
        UserStatus::Deactivated => S::Disabled,
    };
    let account_type = match u.kind.as_deref() {
        None => AccountType::Human,
        Some("service_user") => AccountType::Service,
        Some(_) => AccountType::System,
    };
    let trait_ = pb::UserTrait {
        emails: vec![Email { address: u.email.clone(), is_primary: true }],
        status: Some(Status { status: status as i32, details: u.status.as_str().into() }),
        profile: Some(profile([
            ("role", Some(u.role.as_str().to_string())),
            ("kind", Some(u.kind.clone().unwrap_or_else(|| "person".into()))),
            ("status", Some(u.status.as_str().to_string())),
            ("title", Some(u.title.clone()).filter(|t| !t.is_empty())),
            ("department", u.department.clone()),
            ("last_activity", u.last_activity.map(|t| t.to_rfc3339())),
        ])),
        account_type: account_type as i32,
        login: u.email.clone(),
        created_at: u.created_at.map(|t| stamp(t.timestamp_millis())),
        last_login: last_login.map(stamp),
    };
    pb::Resource {
        id: Some(rid("user", &u.id)),
        parent_resource_id: Some(account.clone()),
        display_name: u.name.clone(),
        annotations: vec![any("UserTrait", &trait_)],
        description: String::new(),
    }
}

fn other_resource(account: &pb::ResourceId, r: &ResourceRecord) -> pb::Resource {
    let parent = r
        .parent
        .as_deref()
        .and_then(|p| p.split_once(':'))
        .map(|(t, id)| rid(t, id))
        .unwrap_or_else(|| account.clone());
    let details = profile([("kind", r.kind.clone()), ("state", r.state.clone())]);
    let annotations = match r.rtype {
        ResourceType::Team => vec![any("GroupTrait", &pb::GroupTrait { profile: Some(details) })],
        ResourceType::Role => vec![any("RoleTrait", &pb::RoleTrait { profile: Some(details) })],
        _ => vec![],
    };
    pb::Resource {
        id: Some(rid(r.rtype.as_str(), &r.id)),
        parent_resource_id: Some(parent),
        display_name: r.name.clone(),
        annotations,
        description: String::new(),
    }
}

/// Maps snapshot `s` to baton objects. Deterministic: the same snapshot gives the same objects
/// in the same order.
pub fn objects(s: &Snapshot) -> Objects {
    let account = rid("account", &s.account.0);
    let mut resources: BTreeMap<(String, String), pb::Resource> = BTreeMap::new();
    fn put(resources: &mut BTreeMap<(String, String), pb::Resource>, r: pb::Resource) {
        let id = r.id.clone().unwrap_or_default();
        resources.insert((id.resource_type, id.resource), r);
    }
    put(
        &mut resources,
        pb::Resource {
            id: Some(account.clone()),
            parent_resource_id: None,
            display_name: s.account.1.clone(),
            annotations: vec![],
            description: "monday.com account".into(),
        },
    );
    for u in &s.users {
        put(&mut resources, user_resource(&account, u, s.last_logins.get(&u.id).copied()));
    }
    for r in &s.resources {
        put(&mut resources, other_resource(&account, r));
    }
    // The basic roles are resources too; a custom role is one of `s.resources`.
    for role in Role::ALL {
        let r = ResourceRecord {
            rtype: ResourceType::Role,
            id: role.as_str().into(),
            name: title(role.as_str()),
            parent: None,
            kind: Some("basic".into()),
            state: None,
        };
        put(&mut resources, other_resource(&account, &r));
    }
    // Grants name resources the snapshot may not list (team -1, "everyone in the account").
    for g in &s.grants {
        if g.principal.ptype == PrincipalType::Team && !resources.contains_key(&("team".into(), g.principal.id.clone()))
        {
            let name = if g.principal.id == "-1" {
                "Everyone in the account".into()
            } else {
                format!("Team {}", g.principal.id)
            };
            let r = ResourceRecord {
                rtype: ResourceType::Team,
                id: g.principal.id.clone(),
                name,
                parent: None,
                kind: None,
                state: None,
            };
            put(&mut resources, other_resource(&account, &r));
        }
    }
    // Every entitlement of every resource that has some, by id.
    let mut entitlements: BTreeMap<String, pb::Entitlement> = BTreeMap::new();
    for ((rtype, id), r) in &resources {
        let Ok(t) = rtype.parse::<ResourceType>() else { continue };
        for slug in t.slugs() {
            let eid = format!("{rtype}:{id}:{slug}");
            entitlements.insert(
                eid.clone(),
                pb::Entitlement {
                    resource: Some(r.clone()),
                    id: eid,
                    display_name: format!("{} {}", r.display_name, title(slug)),
                    description: format!("{} of {} {}", title(slug), rtype, r.display_name),
                    grantable_to: vec![],
                    annotations: vec![],
                    purpose: pb::entitlement::PurposeValue::Assignment as i32,
                    slug: (*slug).into(),
                },
            );
        }
    }
    // Grants: one per (entitlement, principal), its sources the ways it is held.
    let mut held: BTreeMap<GrantKey, BTreeSet<(String, bool)>> = BTreeMap::new();
    for g in &s.grants {
        let eid = g.entitlement.to_string();
        let source = match &g.source {
            GrantSource::Direct => (eid.clone(), true),
            GrantSource::Team(t) => (format!("team:{t}:member"), false),
        };
        held.entry((eid, g.principal.ptype.as_str(), g.principal.id.clone())).or_default().insert(source);
    }
    Objects {
        resource_types: resource_types(),
        resources: resources.into_values().collect(),
        entitlements: entitlements.into_values().collect(),
        held: held.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect(),
    }
}

impl Objects {
    /// How many grants there are.
    pub fn grant_count(&self) -> usize {
        self.held.iter().filter(|((eid, _, _), _)| self.entitlement(eid).is_some()).count()
    }

    fn entitlement(&self, id: &str) -> Option<&pb::Entitlement> {
        self.entitlements.binary_search_by(|e| e.id.as_str().cmp(id)).ok().and_then(|i| self.entitlements.get(i))
    }

    /// The grants, in id order, each with its `GrantExpandable` when it has one: made one at a
    /// time as they are read, since each carries a copy of its entitlement and resource (all
    /// of them at once took a 10,000-user export to hundreds of megabytes).
    pub fn grants(&self) -> impl Iterator<Item = (pb::Grant, Option<pb::GrantExpandable>)> + '_ {
        self.held.iter().filter_map(|((eid, ptype, pid), sources)| {
            let entitlement = self.entitlement(eid)?.clone();
            // The principal by id only, as baton's own grant builder makes it: the principal's
            // traits are in its resource row.
            let principal = pb::Resource { id: Some(rid(ptype, pid)), ..pb::Resource::default() };
            let expandable = (*ptype == "team").then(|| pb::GrantExpandable {
                entitlement_ids: vec![format!("team:{pid}:member")],
                ..Default::default()
            });
            let sources = pb::GrantSources {
                sources: sources
                    .iter()
                    .map(|(k, direct)| (k.clone(), pb::grant_sources::GrantSource { is_direct: *direct }))
                    .collect(),
            };
            let grant = pb::Grant {
                id: format!("{eid}:{ptype}:{pid}"),
                entitlement: Some(entitlement),
                principal: Some(principal),
                annotations: vec![],
                sources: Some(sources),
            };
            Some((grant, expandable))
        })
    }
}
