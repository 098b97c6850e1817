//! monday.com's current SCIM state, read through scim-client into the planner's terms.

use std::collections::{BTreeMap, BTreeSet};

use roster_core::scim_plan::{CurrentGroup, CurrentUser};
use scim_client::{ScimClient, ScimConfig, ScimError};
use serde_json::Value;

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The mapped attributes of a SCIM user document.
pub fn attributes(v: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, x: Option<String>| {
        if let Some(x) = x.filter(|x| !x.is_empty()) {
            out.insert(k.to_string(), x);
        }
    };
    put("name.givenName", s(&v["name"]["givenName"]));
    put("name.familyName", s(&v["name"]["familyName"]));
    put("displayName", s(&v["displayName"]));
    put("title", s(&v["title"]));
    put("userType", s(&v["userType"]));
    put("locale", s(&v["locale"]));
    put("timezone", s(&v["timezone"]));
    put("externalId", s(&v["externalId"]));
    let work = |list: &Value, field: &str| -> Option<String> {
        let items = list.as_array()?;
        let item = items.iter().find(|i| i["type"] == "work").or_else(|| items.first())?;
        s(&item[field])
    };
    put("phoneNumbers.work", work(&v["phoneNumbers"], "value"));
    put("addresses.work", work(&v["addresses"], "formatted"));
    out
}

/// Every user and group, with which ones SCIM provisioned.
pub async fn read(cfg: &ScimConfig) -> Result<(Vec<CurrentUser>, Vec<CurrentGroup>), ScimError> {
    let mut all = cfg.clone();
    all.provisioned_only = Some(false);
    let mut own = cfg.clone();
    own.provisioned_only = Some(true);
    let (all, own) = (ScimClient::new(all)?, ScimClient::new(own)?);
    let provisioned: BTreeSet<String> = own.list_users(None).await?.into_iter().filter_map(|u| u.id).collect();
    let mut users = Vec::new();
    for u in all.list_users(None).await? {
        let v = serde_json::to_value(&u).unwrap_or(Value::Null);
        let id = u.id.clone().unwrap_or_default();
        users.push(CurrentUser {
            scim_provisioned: provisioned.contains(&id),
            id,
            user_name: u.user_name.clone(),
            attributes: attributes(&v),
            active: v["active"].as_bool().unwrap_or(true),
        });
    }
    let own_groups: BTreeSet<String> = own.list_groups(None).await?.into_iter().filter_map(|g| g.id).collect();
    let mut groups = Vec::new();
    for g in all.list_groups(None).await? {
        let id = g.id.clone().unwrap_or_default();
        groups.push(CurrentGroup {
            scim_provisioned: own_groups.contains(&id),
            name: g.display_name.clone(),
            external_id: g.external_id.as_deref().map(str::to_string),
            members: g.members.as_slice().iter().filter_map(|m| m.value.clone()).collect(),
            id,
        });
    }
    users.sort_by(|a, b| a.id.cmp(&b.id));
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((users, groups))
}
