//! monday.com's complexity model, as monday-sim charges it [INF: the formula is unpublished].
//!
//! A query is charged on the *potential* size of its answer: every object costs 10 points,
//! multiplied by how many of it the list could hold (its `limit` argument, or its default, or
//! the number of `ids` asked for, or [`UNBOUNDED_LIST`] for lists without either); scalars are
//! free. This reproduces monday's published data point: `{ complexity { query } users(limit:
//! 1000) { id } }` costs 10 (complexity) + 1000 × 10 (users) = 10,010.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{Name, Value, Variables};

/// Points per object.
pub const OBJECT_COST: u64 = 10;
/// Assumed size of a list that has neither a limit nor ids (e.g. `Board.subscribers`).
pub const UNBOUNDED_LIST: u64 = 100;
/// Flat charge of a mutation field (monday.com: 30,000) [C, historical].
pub const MUTATION_COST: u64 = 30_000;

#[derive(Debug, Clone)]
struct FieldShape {
    /// The object type the field returns, if it returns objects.
    target: Option<String>,
    list: bool,
    has_limit: bool,
    limit_default: Option<u64>,
}

/// Field shapes of one schema, read from its registry.
#[derive(Debug, Clone, Default)]
pub struct CostModel {
    fields: HashMap<(String, String), FieldShape>,
    query_root: String,
    mutation_root: Option<String>,
}

fn base_name(ty: &str) -> &str {
    ty.trim_matches(|c| c == '[' || c == ']' || c == '!')
}

impl CostModel {
    /// Reads every object field's type and `limit` default from `registry`.
    pub fn from_registry(registry: &Registry) -> CostModel {
        let mut fields = HashMap::new();
        for (type_name, ty) in &registry.types {
            let MetaType::Object { fields: meta_fields, .. } = ty else { continue };
            for (field_name, f) in meta_fields {
                let base = base_name(&f.ty);
                let target =
                    matches!(registry.types.get(base), Some(MetaType::Object { .. })).then(|| base.to_string());
                let limit = f.args.get("limit");
                fields.insert(
                    (type_name.clone(), field_name.clone()),
                    FieldShape {
                        target,
                        list: f.ty.starts_with('['),
                        has_limit: limit.is_some(),
                        limit_default: limit.and_then(|l| l.default_value.as_ref()).and_then(|d| d.parse().ok()),
                    },
                );
            }
        }
        CostModel { fields, query_root: registry.query_type.clone(), mutation_root: registry.mutation_type.clone() }
    }

    /// The cost of the operation `operation_name` picks from `doc` (0 if there is none: the
    /// executor reports that error).
    pub fn cost(&self, doc: &ExecutableDocument, operation_name: Option<&str>, variables: &Variables) -> u64 {
        let op: Option<&OperationDefinition> = match (&doc.operations, operation_name) {
            (DocumentOperations::Single(op), _) => Some(&op.node),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(&Name::new(name)).map(|o| &o.node),
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next().map(|o| &o.node),
            _ => None,
        };
        let Some(op) = op else { return 0 };
        let mutation = matches!(op.ty, async_graphql::parser::types::OperationType::Mutation);
        let root = if mutation { self.mutation_root.clone().unwrap_or_default() } else { self.query_root.clone() };
        let mut walker = Walker { model: self, doc, variables, visiting: HashSet::new() };
        let mut total = walker.selection(&op.selection_set.node, &root);
        if mutation {
            let roots = op
                .selection_set
                .node
                .items
                .iter()
                .filter(|s| matches!(&s.node, Selection::Field(f) if f.node.name.node != "complexity"))
                .count();
            total = total.saturating_add(MUTATION_COST * roots as u64);
        }
        total
    }
}

struct Walker<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    visiting: HashSet<Name>,
}

impl Walker<'_> {
    /// Whether `@skip(if: true)` or `@include(if: false)` leaves a selection out.
    fn skipped(&self, directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>]) -> bool {
        directives.iter().any(|d| {
            let cond = d.node.arguments.iter().find(|(n, _)| n.node == "if").and_then(|(_, v)| {
                v.node.clone().into_const_with(|var| self.variables.get(&var).cloned().ok_or(())).ok()
            });
            matches!(
                (d.node.name.node.as_str(), cond),
                ("skip", Some(Value::Boolean(true))) | ("include", Some(Value::Boolean(false)))
            )
        })
    }

    fn arg(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<Value> {
        let (_, v) = field.arguments.iter().find(|(n, _)| n.node == name)?;
        v.node.clone().into_const_with(|var| self.variables.get(&var).cloned().ok_or(())).ok()
    }

    fn multiplier(&self, field: &async_graphql::parser::types::Field, shape: &FieldShape) -> u64 {
        if !shape.list {
            return 1;
        }
        if shape.has_limit {
            return match self.arg(field, "limit") {
                Some(Value::Number(n)) => n.as_u64().unwrap_or(UNBOUNDED_LIST),
                _ => shape.limit_default.unwrap_or(UNBOUNDED_LIST),
            };
        }
        match self.arg(field, "ids") {
            Some(Value::List(l)) => l.len() as u64,
            Some(Value::Null) | None => UNBOUNDED_LIST,
            Some(_) => 1,
        }
    }

    fn selection(&mut self, set: &SelectionSet, ty: &str) -> u64 {
        let mut total: u64 = 0;
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(f) if self.skipped(&f.node.directives) => 0,
                Selection::Field(f) => {
                    let f = &f.node;
                    match self.model.fields.get(&(ty.to_string(), f.name.node.to_string())) {
                        Some(shape) => match &shape.target {
                            Some(target) => {
                                let n = self.multiplier(f, shape);
                                let inner = self.selection(&f.selection_set.node, target);
                                n.saturating_mul(OBJECT_COST.saturating_add(inner))
                            }
                            None => 0,
                        },
                        // Introspection and unknown fields: validation decides about them.
                        None => 0,
                    }
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.clone();
                    match self.doc.fragments.get(&name) {
                        // A fragment that spreads itself is a validation error; do not loop.
                        Some(frag) if self.visiting.insert(name.clone()) => {
                            let c = self.selection(&frag.node.selection_set.node, ty);
                            self.visiting.remove(&name);
                            c
                        }
                        _ => 0,
                    }
                }
                Selection::InlineFragment(f) => self.selection(&f.node.selection_set.node, ty),
            };
            total = total.saturating_add(cost);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::ApiVersion;

    fn cost(q: &str, vars: serde_json::Value) -> u64 {
        let schema = crate::schema::build(ApiVersion::V2026_10).unwrap();
        let model = CostModel::from_registry(schema.registry());
        let doc = async_graphql::parser::parse_query(q).unwrap();
        model.cost(&doc, None, &Variables::from_json(vars))
    }

    #[test]
    fn matches_mondays_published_data_point() {
        assert_eq!(cost("{ complexity { query } users(limit: 1000) { id } }", serde_json::json!({})), 10_010);
    }

    #[test]
    fn defaults_variables_fragments_and_nesting() {
        // users defaults to 200 a page.
        assert_eq!(cost("{ users { id name } }", serde_json::json!({})), 2_000);
        assert_eq!(cost("query($n: Int) { users(limit: $n) { id } }", serde_json::json!({"n": 50})), 500);
        // boards(25) × (10 + owners 100 × 10 + team_subscribers(limit 5) × 10)
        assert_eq!(
            cost("{ boards { owners { id } team_subscribers(limit: 5) { id } } }", serde_json::json!({})),
            25 * (10 + 1000 + 50)
        );
        assert_eq!(cost("{ ...F } fragment F on Query { me { id } }", serde_json::json!({})), 10);
        assert_eq!(cost("{ teams(ids: [1, 2]) { id } }", serde_json::json!({})), 20);
        assert_eq!(cost("{ me { id name email } }", serde_json::json!({})), 10);
        assert_eq!(cost("query($a: Boolean!) { me @include(if: $a) { id } }", serde_json::json!({"a": false})), 0);
    }
}
