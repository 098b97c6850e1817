//! `roster access USER` and `roster who RESOURCE`: access with its source.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{bail, Context, Result};
use roster_core::{GrantSource, Principal, PrincipalType, ResourceType};

use crate::context::{snapshot, Snapshot};
use crate::output::Listing;
use crate::Cli;

/// Names of resources of one type, by id.
async fn names(s: &Snapshot, rtype: ResourceType) -> Result<HashMap<String, String>> {
    Ok(s.store.resources(s.sync.id, rtype).await?.into_iter().map(|r| (r.id, r.name)).collect())
}

fn source_text(source: &GrantSource, teams: &HashMap<String, String>) -> String {
    match source {
        GrantSource::Direct => "direct".into(),
        GrantSource::Team(t) => format!("via team {} ({t})", teams.get(t).map(String::as_str).unwrap_or("?")),
    }
}

pub async fn access(cli: &Cli, key: &str, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let user =
        s.store.find_user(s.sync.id, key).await?.with_context(|| {
            format!("no user {key:?} in the last sync of {} (ids and e-mails are accepted)", s.account)
        })?;
    let teams = names(&s, ResourceType::Team).await?;
    let mut all_names: HashMap<ResourceType, HashMap<String, String>> = HashMap::new();
    for t in [ResourceType::Team, ResourceType::Workspace, ResourceType::Board, ResourceType::Role] {
        all_names.insert(t, names(&s, t).await?);
    }
    let mut l = Listing::new(&["entitlement", "resource", "source"]);
    for g in s.store.grants_of(s.sync.id, &Principal::user(&user.id)).await? {
        let name = match g.entitlement.rtype {
            // A custom role by its name (its id is in the entitlement); a basic role by its own.
            ResourceType::Role => match all_names.get(&ResourceType::Role).and_then(|m| m.get(&g.entitlement.rid)) {
                Some(custom) => format!("custom role {custom}"),
                None => format!("role {}", g.entitlement.rid),
            },
            t => all_names.get(&t).and_then(|m| m.get(&g.entitlement.rid)).cloned().unwrap_or_default(),
        };
        l.row(vec![g.entitlement.to_string(), name, source_text(&g.source, &teams)]);
    }
    if cli.output == crate::output::Format::Table {
        writeln!(
            out,
            "{} <{}>: {} {}, {} entitlement(s)",
            user.name,
            user.email,
            user.status.as_str(),
            user.role.as_str(),
            l.rows.len()
        )?;
    }
    l.print(cli.output, out)
}

pub async fn who(cli: &Cli, resource: &str, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let Some((t, id)) = resource.split_once(':') else {
        bail!("{resource:?}: write the resource as type:id, for example board:123, workspace:9 or team:5")
    };
    let rtype: ResourceType = t.parse()?;
    if !matches!(rtype, ResourceType::Board | ResourceType::Workspace | ResourceType::Team) {
        bail!("{resource:?}: `who` answers for boards, workspaces and teams");
    }
    let r = s
        .store
        .resource(s.sync.id, rtype, id)
        .await?
        .with_context(|| format!("no {rtype} {id} in the last sync of {} (see `roster {rtype}s`)", s.account))?;
    let teams = names(&s, ResourceType::Team).await?;
    let mut l = Listing::new(&["principal", "name", "email", "entitlement", "source"]);
    for g in s.store.grants_on(s.sync.id, rtype, id).await? {
        let (name, email) = match g.principal.ptype {
            PrincipalType::User => match s.store.find_user(s.sync.id, &g.principal.id).await? {
                Some(u) => (u.name, u.email),
                None => (String::new(), String::new()),
            },
            PrincipalType::Team if g.principal.id == "-1" => ("everyone in the account".into(), String::new()),
            PrincipalType::Team => (teams.get(&g.principal.id).cloned().unwrap_or_default(), String::new()),
        };
        l.row(vec![g.principal.to_string(), name, email, g.entitlement.slug.clone(), source_text(&g.source, &teams)]);
    }
    if cli.output == crate::output::Format::Table {
        writeln!(out, "{rtype} {} \"{}\": {} grant(s)", r.id, r.name, l.rows.len())?;
    }
    l.print(cli.output, out)
}
