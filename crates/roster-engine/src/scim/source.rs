//! The source of truth: people (and optionally groups) from a CSV, JSON or YAML file, mapped to
//! SCIM attributes by configuration, checked line by line before anything is planned.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use roster_core::scim_plan::{DesiredGroup, DesiredUser, GroupRef};
use serde_json::Value;

/// The attributes reconcile keeps equal, by SCIM name.
pub const ATTRIBUTES: &[&str] = &[
    "userName",
    "name.givenName",
    "name.familyName",
    "displayName",
    "title",
    "userType",
    "locale",
    "timezone",
    "phoneNumbers.work",
    "addresses.work",
    "externalId",
    "active",
    "groups",
];

/// The default mapping (source field → SCIM attribute), after JumpCloud's table.
pub fn default_mapping() -> BTreeMap<String, String> {
    [
        ("email", "userName"),
        ("first_name", "name.givenName"),
        ("last_name", "name.familyName"),
        ("display_name", "displayName"),
        ("title", "title"),
        ("user_type", "userType"),
        ("locale", "locale"),
        ("timezone", "timezone"),
        ("phone", "phoneNumbers.work"),
        ("address", "addresses.work"),
        ("external_id", "externalId"),
        ("active", "active"),
        ("groups", "groups"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

/// Why a source file cannot be used; every problem found is listed.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {}", .problems.join("; "))]
pub struct SourceError {
    /// The file.
    pub file: String,
    /// Each problem, naming its line or entry.
    pub problems: Vec<String>,
}

/// One person in the file: its line (or entry) number and fields.
type Record = (usize, BTreeMap<String, String>);

/// A source read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The people.
    pub users: Vec<DesiredUser>,
    /// The groups.
    pub groups: Vec<DesiredGroup>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Null => String::new(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn valid_email(e: &str) -> bool {
    matches!(e.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !e.contains(char::is_whitespace) && !d.contains('@'))
}

/// Reads `path` (by extension) with `mapping` (source field → SCIM attribute; fields already
/// named as SCIM attributes need no entry).
pub fn read(path: &Path, mapping: &BTreeMap<String, String>) -> Result<Source, SourceError> {
    let file = path.display().to_string();
    let fail = |p: String| SourceError { file: file.clone(), problems: vec![p] };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let (records, groups) = match ext.as_str() {
        "csv" => (read_csv(&bytes, mapping).map_err(fail)?, vec![]),
        "json" | "yaml" | "yml" => read_document(&bytes, ext == "json").map_err(fail)?,
        other => return Err(fail(format!("unknown format {other:?}: use .csv, .json, .yaml or .yml"))),
    };
    let what = if ext == "csv" { "line" } else { "entry" };
    let mut problems = Vec::new();
    let mut users = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, rec) in records {
        match desired_user(rec, mapping, &mut seen, (what, n)) {
            Ok(mut u) => {
                u.origin = format!("{file} {what} {n}");
                users.push(u);
            }
            Err(p) => problems.push(format!("{what} {n}: {p}")),
        }
    }
    let desired_groups = desired_groups(&groups, &mut problems);
    if problems.is_empty() {
        Ok(Source { users, groups: desired_groups })
    } else {
        Err(SourceError { file, problems })
    }
}

/// A CSV file's rows by line number; the file must have a column for `userName`.
fn read_csv(bytes: &[u8], mapping: &BTreeMap<String, String>) -> Result<Vec<Record>, String> {
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers = r.headers().map_err(|e| format!("bad CSV header: {e}"))?.clone();
    let mut out = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = row.map_err(|e| format!("line {}: {e}", i + 2))?;
        // A cell defused for spreadsheets (`'=...`, as `roster scim import` writes them) is
        // read back as it was.
        out.push((
            i + 2,
            headers.iter().zip(row.iter()).map(|(h, v)| (h.to_string(), roster_core::csv_safe::value(v))).collect(),
        ));
    }
    if !headers.iter().any(|h| mapping.get(h).map(String::as_str) == Some("userName") || h == "userName") {
        let col = mapping
            .iter()
            .find(|(_, v)| v.as_str() == "userName")
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| "email".into());
        return Err(format!(
            "no column for userName: expected a column {col:?} (or map another in the account's scim_mapping)"
        ));
    }
    Ok(out)
}

/// A JSON or YAML document: a list of people, or an object with `users` (and `groups`).
fn read_document(bytes: &[u8], json: bool) -> Result<(Vec<Record>, Vec<Value>), String> {
    let doc: Value = if json {
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?
    } else {
        serde_norway::from_slice(bytes).map_err(|e| format!("not valid YAML: {e}"))?
    };
    let shape = || "expected a list of people, or an object with a \"users\" list".to_string();
    let (users, groups) = match doc {
        Value::Array(users) => (users, vec![]),
        Value::Object(mut o) => (
            o.remove("users").and_then(|u| u.as_array().cloned()).ok_or_else(shape)?,
            o.remove("groups").and_then(|g| g.as_array().cloned()).unwrap_or_default(),
        ),
        _ => return Err(shape()),
    };
    let mut out = Vec::new();
    for (i, u) in users.iter().enumerate() {
        let o = u.as_object().ok_or_else(|| format!("entry {} is not an object", i + 1))?;
        out.push((i + 1, o.iter().map(|(k, v)| (k.clone(), text(v))).collect()));
    }
    Ok((out, groups))
}

/// One person as the source wants them, or what is wrong with the record (its origin is set
/// by the caller). `seen` holds the e-mails of earlier records, by record number.
fn desired_user(
    rec: BTreeMap<String, String>,
    mapping: &BTreeMap<String, String>,
    seen: &mut HashMap<String, usize>,
    (what, n): (&str, usize),
) -> Result<DesiredUser, String> {
    let mut attrs: BTreeMap<String, String> = BTreeMap::new();
    for (field, value) in rec {
        let attr = mapping.get(&field).cloned().unwrap_or(field.clone());
        if ATTRIBUTES.contains(&attr.as_str()) {
            attrs.insert(attr, value); // columns the mapping does not use are left out
        }
    }
    let field_of = |attr: &str| {
        mapping.iter().find(|(_, v)| v.as_str() == attr).map(|(k, _)| k.clone()).unwrap_or(attr.to_string())
    };
    let email = attrs.remove("userName").unwrap_or_default();
    if email.is_empty() {
        return Err(format!("field {:?} (userName) is empty", field_of("userName")));
    }
    if !valid_email(&email) {
        return Err(format!("field {:?} has {email:?}, which is not an e-mail address", field_of("userName")));
    }
    if let Some(first) = seen.insert(email.to_lowercase(), n) {
        return Err(format!("{email} is already on {what} {first} (e-mails compare without case)"));
    }
    if let Some(t) = attrs.get("userType").filter(|t| !t.is_empty()) {
        let lower = t.to_ascii_lowercase();
        if !["admin", "member", "viewer", "guest"].contains(&lower.as_str()) {
            return Err(format!(
                "field {:?} has userType {t:?}; use admin, member, viewer or guest",
                field_of("userType")
            ));
        }
        attrs.insert("userType".into(), lower);
    }
    let active = match attrs.remove("active").unwrap_or_default().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" | "active" => true,
        "false" | "no" | "0" | "inactive" | "deactivated" => false,
        other => return Err(format!("field {:?} has {other:?}; use true or false", field_of("active"))),
    };
    let groups: Vec<String> = attrs
        .remove("groups")
        .unwrap_or_default()
        .split(';')
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    let bad: Vec<String> = groups.iter().filter_map(|g| GroupRef::parse(g).err()).collect();
    if !bad.is_empty() {
        return Err(format!("field {:?}: {}", field_of("groups"), bad.join("; ")));
    }
    if !attrs.contains_key("displayName") {
        let full = [attrs.get("name.givenName"), attrs.get("name.familyName")]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        if !full.is_empty() {
            attrs.insert("displayName".into(), full);
        }
    }
    attrs.retain(|_, v| !v.is_empty());
    Ok(DesiredUser { user_name: email, attributes: attrs, active, groups, origin: String::new() })
}

/// The groups a JSON or YAML source lists; what is wrong with one goes to `problems`.
fn desired_groups(groups: &[Value], problems: &mut Vec<String>) -> Vec<DesiredGroup> {
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let name = g.get("name").or_else(|| g.get("displayName")).map(text).unwrap_or_default();
        if name.is_empty() {
            problems.push(format!("group {}: no name", i + 1));
            continue;
        }
        let id = g.get("id").map(text).filter(|x| !x.is_empty());
        if let Some(bad) = id.as_ref().filter(|x| x.len() > 20 || !x.bytes().all(|b| b.is_ascii_digit())) {
            problems.push(format!("group {}: id {bad:?} is not a monday.com team id (a number)", i + 1));
            continue;
        }
        out.push(DesiredGroup {
            name,
            external_id: g.get("external_id").or_else(|| g.get("externalId")).map(text).filter(|x| !x.is_empty()),
            id,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("roster-src-{}-{name}", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn csv_with_the_default_mapping() {
        let p = write("ok.csv", "email,first_name,last_name,title,user_type,active,groups,unused\nZoe@x.io,Zoë,O'Brien,CTO,Admin,yes,Eng;Leads,z\nbo@x.io,Bo,,,,false,,\n");
        let s = read(&p, &default_mapping()).unwrap();
        assert_eq!(s.users.len(), 2);
        let z = &s.users[0];
        assert_eq!(
            (z.user_name.as_str(), z.active, z.groups.clone()),
            ("Zoe@x.io", true, vec!["Eng".to_string(), "Leads".to_string()])
        );
        assert_eq!(z.attributes.get("displayName").map(String::as_str), Some("Zoë O'Brien"));
        assert_eq!(z.attributes.get("userType").map(String::as_str), Some("admin"));
        assert!(!s.users[1].active);
    }

    #[test]
    fn bad_files_name_the_line_and_field() {
        let p = write("bad.csv", "email,user_type\nnot-an-email,member\na@x.io,owner\nA@X.io,member\n,member\n");
        let e = read(&p, &default_mapping()).unwrap_err().to_string();
        assert!(e.contains("line 2: field \"email\" has \"not-an-email\""), "{e}");
        assert!(e.contains("line 3: field \"user_type\" has userType \"owner\""), "{e}");
        assert!(e.contains("line 4: A@X.io is already on line 3"), "{e}");
        assert!(e.contains("line 5: field \"email\" (userName) is empty"), "{e}");
        let p = write("nocol.csv", "mail,title\na@x.io,CTO\n");
        assert!(read(&p, &default_mapping()).unwrap_err().to_string().contains("no column for userName"));
        let mut m = default_mapping();
        m.insert("mail".into(), "userName".into());
        assert_eq!(read(&p, &m).unwrap().users[0].user_name, "a@x.io", "another column name works through the mapping");
    }

    #[test]
    fn json_and_yaml_with_groups() {
        let p = write(
            "ok.yaml",
            "users:\n  - email: a@x.io\n    groups: [Eng]\ngroups:\n  - name: Eng\n    external_id: g-1\n",
        );
        let s = read(&p, &default_mapping()).unwrap();
        assert_eq!(s.groups, vec![DesiredGroup { name: "Eng".into(), external_id: Some("g-1".into()), id: None }]);
        assert_eq!(s.users[0].groups, vec!["Eng".to_string()]);
        let p = write("ok.json", r#"[{"email": "a@x.io", "active": true}]"#);
        assert_eq!(read(&p, &default_mapping()).unwrap().users.len(), 1);
        let p = write("bad.json", r#"{"people": []}"#);
        assert!(read(&p, &default_mapping()).is_err());
    }
}
