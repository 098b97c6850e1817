//! monday.com's error bodies, and the translation of async-graphql's validation messages into
//! the wording and `extensions.code` monday.com's (graphql-ruby) server uses.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Pos, ServerError};
use serde_json::{json, Map, Value};

/// One entry of `errors[]`.
pub fn entry(message: &str, code: Option<&str>, locations: &[Pos], extra: Map<String, Value>) -> Value {
    let mut e = Map::new();
    e.insert("message".into(), json!(message));
    if !locations.is_empty() {
        e.insert(
            "locations".into(),
            locations.iter().map(|p| json!({"line": p.line, "column": p.column})).collect::<Value>(),
        );
    }
    let mut ext = extra;
    if let Some(code) = code {
        ext.insert("code".into(), json!(code));
    }
    if !ext.is_empty() {
        e.insert("extensions".into(), Value::Object(ext));
    }
    Value::Object(e)
}

/// A transport-level error body (4xx/5xx): `{"errors":[...], "extensions":{"request_id"}}`.
pub fn transport(message: &str, code: &str, status: u16, request_id: &str, mut extra: Map<String, Value>) -> Value {
    extra.insert("status_code".into(), json!(status));
    json!({ "errors": [entry(message, Some(code), &[], extra)], "extensions": { "request_id": request_id } })
}

/// Text between the first pair of double quotes after `from`.
fn quoted(s: &str, nth: usize) -> Option<&str> {
    s.split('"').nth(nth * 2 + 1)
}

/// Rewrites one validation error as monday.com words it, with the `path` to the node it is
/// about when the query `doc` shows one.
pub fn translate_validation(err: &ServerError, doc: Option<&ExecutableDocument>) -> Value {
    let path = doc.zip(err.locations.first()).and_then(|(d, at)| crate::error_paths::path_at(d, *at));
    let mut v =
        translate_message(err, path.as_ref().is_some_and(|p| p.last().is_some_and(|s| s.starts_with("... on "))));
    if let (Some(path), Value::Object(o)) = (path, &mut v) {
        o.insert("path".into(), json!(path));
    }
    v
}

fn translate_message(err: &ServerError, in_fragment: bool) -> Value {
    let m = err.message.as_str();
    let ext = |pairs: &[(&str, &str)]| -> Map<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect()
    };
    let (message, code, extra) = if m.starts_with("Unknown field ") {
        let (field, ty) = (quoted(m, 0).unwrap_or(""), quoted(m, 1).unwrap_or(""));
        (
            format!("Field '{field}' doesn't exist on type '{ty}'"),
            "undefinedField",
            ext(&[("typeName", ty), ("fieldName", field)]),
        )
    } else if m.starts_with("Unknown argument ") && m.contains(" on field ") {
        let (arg, field) = (quoted(m, 0).unwrap_or(""), quoted(m, 1).unwrap_or(""));
        (
            format!("Field '{field}' doesn't accept argument '{arg}'"),
            "argumentNotAccepted",
            ext(&[("name", field), ("typeName", "Field"), ("argumentName", arg)]),
        )
    } else if let Some(rest) = m.strip_prefix("Invalid value for argument ") {
        let arg = quoted(rest, 0).unwrap_or("");
        (
            format!(
                "Argument '{arg}' has an invalid value: {}",
                rest.trim_start_matches(|c| c != ',').trim_start_matches(", ")
            ),
            "argumentLiteralsIncompatible",
            ext(&[("typeName", "Field"), ("argumentName", arg)]),
        )
    } else if m.contains("is required but not provided") && m.starts_with("Field ") {
        let (field, arg) = (quoted(m, 0).unwrap_or(""), quoted(m, 1).unwrap_or(""));
        (
            format!("Field '{field}' is missing required arguments: {arg}"),
            "missingRequiredArguments",
            ext(&[("className", "Field"), ("name", field), ("arguments", arg)]),
        )
    } else if m.contains("must have a selection of subfields") {
        let (field, ty) = (quoted(m, 0).unwrap_or(""), quoted(m, 1).unwrap_or(""));
        (format!("Field must have selections (field '{field}' returns {ty} but has no selections. Did you mean '{field} {{ ... }}'?)"), "selectionMismatch", ext(&[("nodeName", field), ("typeName", ty)]))
    } else if m.contains("must not have a selection since type") {
        let (field, ty) = (quoted(m, 0).unwrap_or(""), quoted(m, 1).unwrap_or(""));
        (
            format!("Selections can't be made on scalars (field '{field}' returns {ty} but has selections)"),
            "selectionMismatch",
            ext(&[("nodeName", field), ("typeName", ty)]),
        )
    } else if m.starts_with("Unknown type ") && in_fragment {
        // An inline fragment's type condition, not a variable's type.
        let ty = quoted(m, 0).unwrap_or("");
        (format!("No such type {ty}, so it can't be a fragment condition"), "undefinedType", ext(&[("typeName", ty)]))
    } else if m.starts_with("Unknown type ") {
        let ty = quoted(m, 0).unwrap_or("");
        (format!("{ty} isn't a defined input type"), "variableRequiresValidType", ext(&[("typeName", ty)]))
    } else if m.starts_with("Variable ") && m.contains("is not defined") {
        let var = m.split_whitespace().nth(1).unwrap_or("").trim_matches('"');
        (
            format!("Variable {var} is used but not declared"),
            "variableNotDefined",
            ext(&[("variableName", var.trim_start_matches('$'))]),
        )
    } else if m.contains("is never used") && m.starts_with("Fragment ") {
        let frag = quoted(m, 0).unwrap_or("");
        (format!("Fragment {frag} was defined, but not used"), "useAndDefineFragment", ext(&[("fragmentName", frag)]))
    } else if m == "Query is nested too deep." {
        (format!("Query has depth exceeding max depth {}", crate::schema::MAX_DEPTH), "maxDepthExceeded", Map::new())
    } else {
        (m.to_string(), "validationError", Map::new())
    };
    entry(&message, Some(code), &err.locations, extra)
}

/// A syntax error, as graphql-ruby words it (no `extensions.code`).
pub fn parse_error(err: &async_graphql::parser::Error) -> Value {
    let positions: Vec<Pos> = err.positions().collect();
    let detail = err.to_string();
    let first = detail
        .lines()
        .find(|l| l.trim_start().starts_with('='))
        .map(|l| l.trim_start().trim_start_matches('=').trim())
        .unwrap_or(detail.lines().next().unwrap_or("syntax error"));
    let message = match positions.first() {
        Some(p) => format!("Parse error at [{}, {}]: {first}", p.line, p.column),
        None => format!("Parse error: {first}"),
    };
    entry(&message, None, &positions, Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_reads_like_monday() {
        let e = ServerError::new(
            "Unknown field \"nmae\" on type \"User\". Did you mean \"name\"?",
            Some(Pos { line: 1, column: 9 }),
        );
        let v = translate_validation(&e, None);
        assert_eq!(v["message"], "Field 'nmae' doesn't exist on type 'User'");
        assert_eq!(v["extensions"]["code"], "undefinedField");
        assert_eq!(v["extensions"]["typeName"], "User");
        assert_eq!(v["extensions"]["fieldName"], "nmae");
        assert_eq!(v["locations"][0]["column"], 9);
    }

    #[test]
    fn unknown_argument_reads_like_monday() {
        let e = ServerError::new("Unknown argument \"lmit\" on field \"users\" of type \"Query\".", None);
        let v = translate_validation(&e, None);
        assert_eq!(v["message"], "Field 'users' doesn't accept argument 'lmit'");
        assert_eq!(v["extensions"]["code"], "argumentNotAccepted");
    }
}
