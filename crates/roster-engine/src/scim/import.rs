//! `roster scim import`: monday.com's users and groups written out in the source format, so a
//! company can start from what it has.

use std::collections::BTreeMap;
use std::path::Path;

use roster_core::scim_plan::GroupRef;
use scim_client::ScimConfig;
use serde_json::{json, Value};

use super::ReconcileError;

/// Writes every user (with its groups) to `path` (.csv, .json, .yaml).
pub async fn import(cfg: &ScimConfig, path: &Path) -> Result<usize, ReconcileError> {
    let (users, groups) = super::state::read(cfg).await?;
    // Two teams may share a name in monday.com: such a name is written with the team's id, so
    // the file names the same teams when it is read back.
    let mut same_name: BTreeMap<String, usize> = BTreeMap::new();
    for g in &groups {
        *same_name.entry(g.name.trim().to_lowercase()).or_default() += 1;
    }
    let reference = |name: &str, id: &str| GroupRef::write(name, id, same_name[&name.trim().to_lowercase()] == 1);
    let mut names: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for g in &groups {
        for m in &g.members {
            names.entry(m.as_str()).or_default().push(reference(&g.name, &g.id));
        }
    }
    let columns = [
        "email",
        "first_name",
        "last_name",
        "display_name",
        "title",
        "user_type",
        "active",
        "locale",
        "timezone",
        "phone",
        "external_id",
        "groups",
    ];
    let attrs = [
        "userName",
        "name.givenName",
        "name.familyName",
        "displayName",
        "title",
        "userType",
        "active",
        "locale",
        "timezone",
        "phoneNumbers.work",
        "externalId",
        "groups",
    ];
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            attrs
                .iter()
                .map(|a| match *a {
                    "userName" => u.user_name.clone(),
                    "active" => u.active.to_string(),
                    "groups" => names.get(u.id.as_str()).map(|g| g.join(";")).unwrap_or_default(),
                    other => u.attributes.get(other).cloned().unwrap_or_default(),
                })
                .collect()
        })
        .collect();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let io = |e: std::io::Error| {
        ReconcileError::Scim(scim_client::ScimError::Invalid {
            status: 0,
            scim_type: None,
            detail: format!("cannot write {}: {e}", path.display()),
        })
    };
    match ext.as_str() {
        "csv" => {
            let mut w = csv::Writer::from_path(path).map_err(|e| io(std::io::Error::other(e)))?;
            w.write_record(columns).map_err(|e| io(std::io::Error::other(e)))?;
            // Cells a spreadsheet would run as formulas are defused (the reader restores them).
            for r in &rows {
                w.write_record(r.iter().map(|c| roster_core::csv_safe::cell(c)))
                    .map_err(|e| io(std::io::Error::other(e)))?;
            }
            w.flush().map_err(io)?;
        }
        "json" | "yaml" | "yml" => {
            let list: Vec<Value> = rows
                .iter()
                .map(|r| {
                    Value::Object(
                        columns
                            .iter()
                            .zip(r)
                            .filter(|(_, v)| !v.is_empty())
                            .map(|(k, v)| (k.to_string(), json!(v)))
                            .collect(),
                    )
                })
                .collect();
            let listed: Vec<Value> =
                groups.iter().map(|g| json!({"name": g.name, "external_id": g.external_id, "id": g.id})).collect();
            let doc = json!({ "users": list, "groups": listed });
            let text = if ext == "json" {
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            } else {
                serde_norway::to_string(&doc).map_err(|e| io(std::io::Error::other(e)))?
            };
            std::fs::write(path, text).map_err(io)?;
        }
        other => {
            return Err(ReconcileError::Scim(scim_client::ScimError::Invalid {
                status: 0,
                scim_type: None,
                detail: format!("unknown format {other:?}: use .csv, .json or .yaml"),
            }))
        }
    }
    Ok(rows.len())
}
