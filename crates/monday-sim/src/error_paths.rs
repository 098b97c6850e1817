//! The `path` of a validation error, as graphql-ruby (monday.com's server) gives it: the
//! operation (`query`, `query Name`, `mutation`), then each field (by alias when aliased) and
//! inline fragment (`... on Type`) down to the node the error is about [INF: the alias rule].

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::Pos;

fn before(a: Pos, b: Pos) -> bool {
    (a.line, a.column) <= (b.line, b.column)
}

/// The path to the node at `at`: the field or fragment starting there, else the last one that
/// starts before it (an argument's error points inside its field).
pub fn path_at(doc: &ExecutableDocument, at: Pos) -> Option<Vec<String>> {
    let mut best: Option<(Pos, Vec<String>)> = None;
    let ops: Vec<(Option<String>, &async_graphql::Positioned<async_graphql::parser::types::OperationDefinition>)> =
        match &doc.operations {
            DocumentOperations::Single(op) => vec![(None, op)],
            DocumentOperations::Multiple(map) => map.iter().map(|(n, op)| (Some(n.to_string()), op)).collect(),
        };
    for (name, op) in ops {
        let kind = match op.node.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        let label = name.map_or(kind.to_string(), |n| format!("{kind} {n}"));
        // An error in the operation's own header (a variable's type) is about the operation.
        if before(op.pos, at) && best.as_ref().is_none_or(|(p, _)| before(*p, op.pos)) {
            best = Some((op.pos, vec![label.clone()]));
        }
        walk(&op.node.selection_set.node, &[label], at, &mut best);
    }
    for (name, frag) in &doc.fragments {
        walk(&frag.node.selection_set.node, &[format!("fragment {name}")], at, &mut best);
    }
    best.map(|(_, p)| p)
}

fn walk(set: &SelectionSet, prefix: &[String], at: Pos, best: &mut Option<(Pos, Vec<String>)>) {
    for item in &set.items {
        let (pos, step, inner) = match &item.node {
            Selection::Field(f) => {
                let shown = f.node.alias.as_ref().unwrap_or(&f.node.name);
                (f.pos, shown.node.to_string(), Some(&f.node.selection_set.node))
            }
            Selection::InlineFragment(i) => {
                let on = i.node.type_condition.as_ref().map(|t| format!("... on {}", t.node.on.node));
                (i.pos, on.unwrap_or_else(|| "...".into()), Some(&i.node.selection_set.node))
            }
            Selection::FragmentSpread(s) => (s.pos, format!("... {}", s.node.fragment_name.node), None),
        };
        if !before(pos, at) {
            continue;
        }
        let mut path = prefix.to_vec();
        path.push(step);
        if best.as_ref().is_none_or(|(p, _)| before(*p, pos)) {
            *best = Some((pos, path.clone()));
        }
        if let Some(inner) = inner {
            walk(inner, &path, at, best);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(q: &str, line: usize, column: usize) -> Option<Vec<String>> {
        let doc = async_graphql::parser::parse_query(q).ok()?;
        path_at(&doc, Pos { line, column })
    }

    #[test]
    fn paths_name_the_operation_fields_and_fragments() {
        assert_eq!(
            path("{ users(limit: 1) { id nmae } }", 1, 24),
            Some(vec!["query".into(), "users".into(), "nmae".into()])
        );
        assert_eq!(
            path("query Q { me { ... on User { x: nope } } }", 1, 30),
            Some(vec!["query Q".into(), "me".into(), "... on User".into(), "x".into()])
        );
        assert_eq!(
            path("mutation { a: deactivate_users(user_ids: [1]) { id } }", 1, 12),
            Some(vec!["mutation".into(), "a".into()])
        );
    }
}
