//! Names for what people read (web pages, CLI lists): a user by name and e-mail, a team, workspace or board by its
//! name, an entitlement as "board Payroll: subscriber", from the snapshot. Looked up as asked
//! and remembered for the page (a page names a few hundred things at most; loading every user
//! of a 100,000-user account to name 20 would be the slow path); a page that knows what it will
//! name reads those resources first, one read per type ([`Names::prefetch_grants`]).

use std::collections::HashMap;

use roster_core::{Entitlement, Grant, GrantSource, ResourceType};
use roster_store::{Store, StoreError};

/// One page's names.
pub struct Names<'a> {
    store: &'a dyn Store,
    sync: i64,
    users: HashMap<String, Option<(String, String)>>,
    resources: HashMap<(ResourceType, String), Option<String>>,
    reads: usize,
}

impl<'a> Names<'a> {
    /// Names from snapshot `sync`.
    pub fn new(store: &'a dyn Store, sync: i64) -> Names<'a> {
        Names { store, sync, users: HashMap::new(), resources: HashMap::new(), reads: 0 }
    }

    /// How many reads of the store these names have taken so far.
    pub fn reads(&self) -> usize {
        self.reads
    }

    /// A user as "Name <e-mail>"; "user <id> (not in the last sync)" when unknown.
    pub async fn user(&mut self, id: &str) -> Result<String, StoreError> {
        if !self.users.contains_key(id) {
            self.reads += 1;
            let u = self.store.find_user(self.sync, id).await?.filter(|u| u.id == id).map(|u| (u.name, u.email));
            self.users.insert(id.to_string(), u);
        }
        Ok(match self.users.get(id).cloned().flatten() {
            Some((name, email)) if name.is_empty() => email,
            Some((name, email)) => format!("{name} <{email}>"),
            None => format!("a user no longer in the last sync (id {id})"),
        })
    }

    /// Reads the names of the resources of type `t` among `ids` not read yet, in one read: a
    /// page that names many calls [`Names::resource`] after it without a read each.
    /// Built-in roles are skipped: [`Names::resource`] names them without a read.
    pub async fn prefetch(&mut self, t: ResourceType, ids: &[String]) -> Result<(), StoreError> {
        let built_in = |id: &str| t == ResourceType::Role && roster_core::Role::parse(id).is_some();
        let missing = unread(ids, |id| built_in(id) || self.resources.contains_key(&(t, id.to_string())));
        if missing.is_empty() {
            return Ok(());
        }
        self.reads += 1;
        let found = self.store.resources_among(self.sync, t, &missing).await?;
        self.resources.extend(missing.into_iter().map(|id| ((t, id), None)));
        self.resources.extend(found.into_iter().map(|r| ((t, r.id), Some(r.name))));
        Ok(())
    }

    /// Reads the users among `ids` not read yet, in one read.
    pub async fn prefetch_users(&mut self, ids: &[String]) -> Result<(), StoreError> {
        let missing = unread(ids, |id| self.users.contains_key(id));
        if missing.is_empty() {
            return Ok(());
        }
        self.reads += 1;
        let found = self.store.users_among(self.sync, &missing).await?;
        self.users.extend(missing.into_iter().map(|id| (id, None)));
        self.users.extend(found.into_iter().map(|u| (u.id, Some((u.name, u.email)))));
        Ok(())
    }

    /// Reads, one read per type, the names of everything `grants` name: the resources they
    /// are on, the teams they come through, and the users and teams they are held by.
    pub async fn prefetch_grants(&mut self, grants: &[Grant]) -> Result<(), StoreError> {
        let mut wanted: HashMap<ResourceType, Vec<String>> = HashMap::new();
        let mut users = Vec::new();
        for g in grants {
            match g.principal.ptype {
                roster_core::PrincipalType::User => users.push(g.principal.id.clone()),
                roster_core::PrincipalType::Team => {
                    wanted.entry(ResourceType::Team).or_default().push(g.principal.id.clone())
                }
            }
            wanted.entry(g.entitlement.rtype).or_default().push(g.entitlement.rid.clone());
            if let GrantSource::Team(t) = &g.source {
                wanted.entry(ResourceType::Team).or_default().push(t.clone());
            }
        }
        self.prefetch_each(wanted, &users).await
    }

    /// Reads `wanted` (ids by type) and `users`, one read per type.
    async fn prefetch_each(
        &mut self,
        wanted: HashMap<ResourceType, Vec<String>>,
        users: &[String],
    ) -> Result<(), StoreError> {
        for (t, ids) in wanted {
            self.prefetch(t, &ids).await?;
        }
        self.prefetch_users(users).await
    }

    /// A team, workspace, board or role by name ("team Finance").
    pub async fn resource(&mut self, t: ResourceType, id: &str) -> Result<String, StoreError> {
        if t == ResourceType::Role && roster_core::Role::parse(id).is_some() {
            return Ok(format!("role {id}"));
        }
        if t == ResourceType::Team && id == "-1" {
            return Ok("everyone in the account".into());
        }
        let key = (t, id.to_string());
        if !self.resources.contains_key(&key) {
            self.reads += 1;
            let r = self.store.resource(self.sync, t, id).await?.map(|r| r.name);
            self.resources.insert(key.clone(), r);
        }
        let what = if t == ResourceType::Role { "custom role" } else { t.as_str() };
        Ok(match self.resources.get(&key).cloned().flatten() {
            Some(name) => format!("{what} {name}"),
            None => format!("a {what} no longer in the last sync (id {id})"),
        })
    }

    /// An entitlement as "board Payroll: subscriber".
    pub async fn entitlement(&mut self, e: &Entitlement) -> Result<String, StoreError> {
        let r = self.resource(e.rtype, &e.rid).await?;
        Ok(if e.rtype == ResourceType::Role { r } else { format!("{r}: {}", e.slug) })
    }

    /// What an event or a grant names: `user:7`, `team:9`, `board:7`, `board:7:subscriber`,
    /// or anything else as it is.
    pub async fn subject(&mut self, s: &str) -> Result<String, StoreError> {
        match Subject::of(s) {
            Subject::Entitlement(e) => self.entitlement(&e).await,
            Subject::User(id) => self.user(id).await,
            Subject::Resource(rt, id) => self.resource(rt, id).await,
            Subject::Text => Ok(s.to_string()),
        }
    }

    /// Reads what `subjects` name (as [`Names::subject`] reads them), one read per type: a
    /// page of events names its people and access without a read each.
    pub async fn prefetch_subjects<'s>(
        &mut self,
        subjects: impl IntoIterator<Item = &'s str>,
    ) -> Result<(), StoreError> {
        let mut wanted: HashMap<ResourceType, Vec<String>> = HashMap::new();
        let mut users = Vec::new();
        for s in subjects {
            match Subject::of(s) {
                Subject::Entitlement(e) => wanted.entry(e.rtype).or_default().push(e.rid),
                Subject::User(id) => users.push(id.to_string()),
                Subject::Resource(rt, id) => wanted.entry(rt).or_default().push(id.to_string()),
                Subject::Text => {}
            }
        }
        self.prefetch_each(wanted, &users).await
    }
}

/// What a subject string names.
enum Subject<'s> {
    Entitlement(Entitlement),
    User(&'s str),
    Resource(ResourceType, &'s str),
    /// Anything else, shown as it is.
    Text,
}

impl<'s> Subject<'s> {
    fn of(s: &'s str) -> Subject<'s> {
        if let Ok(e) = s.parse::<Entitlement>() {
            return Subject::Entitlement(e);
        }
        let Some((t, id)) = s.split_once(':') else { return Subject::Text };
        if t == "user" {
            return Subject::User(id);
        }
        match t.parse::<ResourceType>() {
            Ok(rt)
                if matches!(
                    rt,
                    ResourceType::Team | ResourceType::Workspace | ResourceType::Board | ResourceType::Role
                ) =>
            {
                Subject::Resource(rt, id)
            }
            _ => Subject::Text,
        }
    }
}

impl Names<'_> {
    /// An event as a sentence a person reads, for the identity changes; `None` for the rest
    /// (shown as their recorded detail).
    pub async fn sentence(
        &mut self,
        kind: &str,
        subject: &str,
        d: &serde_json::Value,
    ) -> Result<Option<String>, StoreError> {
        let s = |k: &str| d.get(k).and_then(serde_json::Value::as_str).unwrap_or("?").to_string();
        let about = self.subject(subject).await?;
        Ok(Some(match kind {
            "grant_added" | "grant_removed" => {
                let who = self.subject(&s("principal")).await?;
                let verb = if kind == "grant_added" { "gained" } else { "lost" };
                let via = match d.get("source").and_then(serde_json::Value::as_str) {
                    Some(src) if src != "direct" => format!(" (via {})", self.subject(src).await?),
                    _ => String::new(),
                };
                format!("{who} {verb} {about}{via}")
            }
            "user_added" => format!("{about} appeared ({}, {})", s("role"), s("status")),
            "user_removed" => format!("{about} is gone"),
            "user_status_changed" => format!("{about}: status {} → {}", s("from"), s("to")),
            "user_role_changed" => format!("{about}: role {} → {}", s("from"), s("to")),
            "user_email_changed" => format!("{about}: e-mail {} → {}", s("from"), s("to")),
            "user_name_changed" => format!("{about}: name {} → {}", s("from"), s("to")),
            "resource_added" => format!("{about} appeared"),
            "resource_removed" => format!("{about} is gone"),
            "resource_renamed" => format!("{about} renamed from {} to {}", s("from"), s("to")),
            "unmanaged_account" => format!("{about} is not known to the source of truth ({})", s("finding")),
            "unmanaged_account_resolved" => format!("{about} is managed again"),
            k if k.starts_with("action_") => {
                // The action by name where the event keeps it (older events: as described).
                let what = match d.get("action").map(|a| serde_json::from_value::<roster_core::Action>(a.clone())) {
                    Some(Ok(a)) => self.action(&a).await?,
                    _ => s("description"),
                };
                let by =
                    d.get("by").and_then(serde_json::Value::as_str).map(|b| format!(" by {b}")).unwrap_or_default();
                let why = |k: &str| {
                    d.get(k).and_then(serde_json::Value::as_str).map(|n| format!(": {n}")).unwrap_or_default()
                };
                match k {
                    "action_requested" => format!("asked{by} to {what}{}", why("reason")),
                    "action_succeeded" => format!("done{by}: {what}{}", why("note")),
                    "action_failed" => format!("failed{by}: {what}{}", why("note")),
                    "action_confirmed" => format!("the sync confirmed: {what}"),
                    "action_not_confirmed" => format!("monday.com said done, the sync does not see it: {what}"),
                    "action_not_applied" => format!("not applied (the sync does not see it): {what}"),
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        }))
    }
}

impl Names<'_> {
    /// An action as a person reads it: "revoke board Payroll: subscriber from Ana Silva <ana@…>".
    pub async fn action(&mut self, a: &roster_core::Action) -> Result<String, StoreError> {
        use roster_core::Action;
        Ok(match a {
            Action::Invite { email, role } => format!("invite {email} as {}", role.as_str()),
            Action::SetRole { user, role } => format!("make {} {}", self.user(user).await?, role.as_str()),
            Action::SetCustomRole { user, role_id, .. } => {
                let role = self.resource(ResourceType::Role, role_id).await?;
                format!("give {} {role}", self.user(user).await?)
            }
            Action::Deactivate { user } => format!("deactivate {}", self.user(user).await?),
            Action::Activate { user } => format!("activate {}", self.user(user).await?),
            Action::Grant { entitlement, principal } => {
                format!(
                    "grant {} to {}",
                    self.entitlement(entitlement).await?,
                    self.subject(&principal.to_string()).await?
                )
            }
            Action::Revoke { entitlement, principal } => {
                format!(
                    "revoke {} from {}",
                    self.entitlement(entitlement).await?,
                    self.subject(&principal.to_string()).await?
                )
            }
            Action::CreateTeam { name, members } => format!("create team {name:?} with {} member(s)", members.len()),
            Action::DeleteTeam { team } => format!("delete {}", self.resource(ResourceType::Team, team).await?),
        })
    }
}

/// `ids` not yet `known`, each once.
fn unread(ids: &[String], known: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = ids.iter().filter(|id| !known(id)).cloned().collect();
    out.sort_unstable();
    out.dedup();
    out
}
