//! SCIM attribute paths (`title`, `name.givenName`, `emails[type eq "work"].value`, with or
//! without the schema URN) and PATCH operations applied to a resource's JSON.

use serde_json::{Map, Value};

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub attr: String,
    pub filter: Option<(String, String)>,
    pub sub: Option<String>,
}

/// Why a path or operation was refused (`invalidPath`, `invalidValue`, `noTarget`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchError {
    pub scim_type: &'static str,
    pub detail: String,
}

fn bad(scim_type: &'static str, detail: impl Into<String>) -> PatchError {
    PatchError { scim_type, detail: detail.into() }
}

/// Removes a `urn:...:User:` or `urn:...:Group:` prefix.
fn strip_urn(p: &str) -> &str {
    for urn in [super::discovery::USER, super::discovery::GROUP] {
        if let Some(rest) = p.strip_prefix(urn) {
            return rest.trim_start_matches(':');
        }
    }
    p
}

/// Parses `attr`, `attr.sub`, `attr[sub eq "v"]`, `attr[sub eq "v"].sub`.
pub fn parse(raw: &str) -> Result<Path, PatchError> {
    let p = strip_urn(raw.trim());
    if p.is_empty() {
        return Err(bad("invalidPath", format!("empty path {raw:?}")));
    }
    let (head, filter, tail) = match p.find('[') {
        Some(open) => {
            let close = p[open..]
                .find(']')
                .map(|c| open + c)
                .ok_or_else(|| bad("invalidPath", format!("unclosed '[' in path {raw:?}")))?;
            let inner = &p[open + 1..close];
            let (fa, fv) = parse_eq(inner).ok_or_else(|| {
                bad(
                    "invalidFilter",
                    format!("only 'attribute eq \"value\"' filters are supported in paths, got {inner:?}"),
                )
            })?;
            (&p[..open], Some((fa, fv)), p[close + 1..].trim_start_matches('.'))
        }
        None => match p.split_once('.') {
            Some((a, s)) => (a, None, s),
            None => (p, None, ""),
        },
    };
    if head.is_empty() || !head.chars().all(|c| c.is_ascii_alphanumeric() || c == '$' || c == '_') {
        return Err(bad("invalidPath", format!("bad attribute name in path {raw:?}")));
    }
    Ok(Path { attr: head.to_string(), filter, sub: (!tail.is_empty()).then(|| tail.to_string()) })
}

/// `attr eq "value"` (or an unquoted value).
pub fn parse_eq(f: &str) -> Option<(String, String)> {
    let mut parts = f.trim().splitn(3, ' ');
    let (a, op, v) = (parts.next()?, parts.next()?, parts.next()?);
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    let v = v.trim();
    let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v);
    Some((a.to_string(), v.to_string()))
}

/// The key of `name` in `o`, ignoring case.
pub fn key_of(o: &Map<String, Value>, name: &str) -> Option<String> {
    o.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

fn matches(item: &Value, filter: &(String, String)) -> bool {
    item.as_object().and_then(|o| key_of(o, &filter.0).and_then(|k| o.get(&k).cloned())).is_some_and(|v| match v {
        Value::String(s) => s.eq_ignore_ascii_case(&filter.1),
        other => {
            let text = other.to_string();
            text == filter.1
        }
    })
}

/// Merges `value` into `target` (RFC 7644 §3.5.2.1 add without a path, and for complex values).
fn merge(target: &mut Map<String, Value>, value: &Map<String, Value>, replace: bool) {
    for (k, v) in value {
        let key = key_of(target, k).unwrap_or_else(|| k.clone());
        match (target.get_mut(&key), v) {
            (Some(Value::Array(existing)), Value::Array(new)) if !replace => {
                for n in new {
                    if !existing.contains(n) {
                        existing.push(n.clone());
                    }
                }
            }
            (Some(Value::Object(existing)), Value::Object(new)) => merge(existing, new, replace),
            _ => {
                target.insert(key, v.clone());
            }
        }
    }
}

/// Applies one PATCH operation to `doc`.
pub fn apply(
    doc: &mut Map<String, Value>,
    op: &str,
    path: Option<&str>,
    value: Option<&Value>,
) -> Result<(), PatchError> {
    let op = op.to_ascii_lowercase();
    let Some(path) = path.filter(|p| !p.trim().is_empty()) else {
        return match (op.as_str(), value) {
            ("add" | "replace", Some(Value::Object(v))) => {
                let v: Map<String, Value> = v.iter().map(|(k, x)| (strip_urn(k).to_string(), x.clone())).collect();
                merge(doc, &v, op == "replace");
                Ok(())
            }
            ("remove", _) => Err(bad("noTarget", "remove needs a path")),
            _ => Err(bad("invalidValue", "without a path, the value must be an object of attributes")),
        };
    };
    let p = parse(path)?;
    let key = key_of(doc, &p.attr).unwrap_or_else(|| p.attr.clone());
    match (op.as_str(), &p.filter, &p.sub) {
        ("add" | "replace", None, None) => {
            let v = value.ok_or_else(|| bad("invalidValue", format!("{op} {path} needs a value")))?;
            match (doc.get_mut(&key), v) {
                (Some(Value::Array(existing)), Value::Array(new)) if op == "add" => {
                    for n in new {
                        if !existing.contains(n) {
                            existing.push(n.clone());
                        }
                    }
                }
                (Some(Value::Object(existing)), Value::Object(new)) if op == "add" => merge(existing, new, false),
                _ => {
                    doc.insert(key, v.clone());
                }
            }
            Ok(())
        }
        ("add" | "replace", None, Some(sub)) => {
            let v = value.ok_or_else(|| bad("invalidValue", format!("{op} {path} needs a value")))?;
            let entry = doc.entry(key).or_insert_with(|| Value::Object(Map::new()));
            let o = entry.as_object_mut().ok_or_else(|| bad("invalidPath", format!("{} is not complex", p.attr)))?;
            let sk = key_of(o, sub).unwrap_or_else(|| sub.clone());
            o.insert(sk, v.clone());
            Ok(())
        }
        ("add" | "replace", Some(f), sub) => {
            let v = value.ok_or_else(|| bad("invalidValue", format!("{op} {path} needs a value")))?;
            let list = doc
                .get_mut(&key)
                .and_then(Value::as_array_mut)
                .ok_or_else(|| bad("noTarget", format!("{path} matches nothing")))?;
            let mut hit = false;
            for item in list.iter_mut().filter(|i| matches(i, f)) {
                hit = true;
                match (sub, item.as_object_mut()) {
                    (Some(sub), Some(o)) => {
                        let sk = key_of(o, sub).unwrap_or_else(|| sub.clone());
                        o.insert(sk, v.clone());
                    }
                    (None, Some(o)) => {
                        if let Value::Object(new) = v {
                            merge(o, new, true);
                        }
                    }
                    _ => {}
                }
            }
            if hit {
                Ok(())
            } else {
                Err(bad("noTarget", format!("{path} matches nothing")))
            }
        }
        ("remove", None, None) => {
            match (doc.get_mut(&key), value) {
                // Remove listed members (the way Entra and others remove group members).
                (Some(Value::Array(list)), Some(Value::Array(gone))) => {
                    let ids: Vec<&Value> = gone.iter().filter_map(|g| g.get("value")).collect();
                    list.retain(|i| !ids.contains(&i.get("value").unwrap_or(&Value::Null)));
                }
                _ => {
                    doc.remove(&key);
                }
            }
            Ok(())
        }
        ("remove", None, Some(sub)) => {
            if let Some(Value::Object(o)) = doc.get_mut(&key) {
                if let Some(sk) = key_of(o, sub) {
                    o.remove(&sk);
                }
                if o.is_empty() {
                    doc.remove(&key);
                }
            }
            Ok(())
        }
        ("remove", Some(f), sub) => {
            if let Some(Value::Array(list)) = doc.get_mut(&key) {
                match sub {
                    None => list.retain(|i| !matches(i, f)),
                    Some(sub) => {
                        for item in list.iter_mut().filter(|i| matches(i, f)) {
                            if let Some(o) = item.as_object_mut() {
                                if let Some(sk) = key_of(o, sub) {
                                    o.remove(&sk);
                                }
                            }
                        }
                    }
                }
                if list.is_empty() {
                    doc.remove(&key);
                }
            }
            Ok(())
        }
        (other, _, _) => Err(bad("invalidSyntax", format!("unknown PATCH op {other:?}: use add, replace or remove"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Map<String, Value> {
        json!({"userName": "a@b.c", "name": {"givenName": "A"}, "emails": [{"value": "a@b.c", "type": "work"}], "members": [{"value": "1"}, {"value": "2"}]})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn paths() {
        assert_eq!(
            parse("emails[type eq \"work\"].value").unwrap(),
            Path { attr: "emails".into(), filter: Some(("type".into(), "work".into())), sub: Some("value".into()) }
        );
        assert_eq!(parse("urn:ietf:params:scim:schemas:core:2.0:User:title").unwrap().attr, "title");
        assert!(parse("emails[type co \"w\"]").is_err());
    }

    #[test]
    fn operations() {
        let mut d = doc();
        apply(&mut d, "replace", Some("name.givenName"), Some(&json!("B"))).unwrap();
        apply(&mut d, "add", Some("title"), Some(&json!("CTO"))).unwrap();
        apply(&mut d, "replace", Some("emails[type eq \"work\"].value"), Some(&json!("x@y.z"))).unwrap();
        apply(&mut d, "remove", Some("members[value eq \"1\"]"), None).unwrap();
        apply(&mut d, "add", None, Some(&json!({"active": false}))).unwrap();
        assert_eq!(
            Value::Object(d.clone()),
            json!({"userName": "a@b.c", "name": {"givenName": "B"}, "emails": [{"value": "x@y.z", "type": "work"}], "members": [{"value": "2"}], "title": "CTO", "active": false})
        );
        apply(&mut d, "remove", Some("members"), Some(&json!([{"value": "2"}]))).unwrap();
        assert_eq!(d["members"], json!([]));
        assert!(apply(&mut d, "remove", None, None).is_err());
        assert!(apply(&mut d, "move", Some("title"), None).is_err());
    }
}
