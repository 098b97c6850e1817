//! Enums, scalars, input objects and the small leaf types (`Version`, `Complexity`, `PhotoUrl`,
//! workspace settings) plus the types of data monday-sim does not model (tags, groups, views,
//! updates), which are always served as empty lists.

use async_graphql::dynamic::{Enum, InputObject, InputValue, Object, Scalar, SchemaBuilder, TypeRef};
use async_graphql::Value;

use super::resolve::{enum_value, scalar};
use crate::version::ApiVersion;

/// The `version` query's answer.
pub struct VersionRef;
/// The `complexity` query's answer.
pub struct ComplexityRef;

fn enumeration(name: &str, items: &[&str]) -> Enum {
    Enum::new(name).items(items.iter().copied())
}

/// Registers every enum, scalar and input object the subset uses.
/// Every `UserKindFilter` value of the published schema of `version` (the sim's users hold
/// five of them; the rest select no one here).
fn user_kind_filters(version: ApiVersion) -> Vec<&'static str> {
    let mut v =
        vec!["ADMIN", "MEMBER", "GUEST", "VIEW_ONLY", "AGENT_MEMBER", "PERSONAL_AGENT_MEMBER", "AGENT_SIGNUP_USER"];
    if version == ApiVersion::V2026_10 {
        v.extend(["EXTERNAL_AGENT_MEMBER", "EXTERNAL_AGENT_DETACHED_MEMBER"]);
    }
    v.push("SERVICE_USER");
    if version == ApiVersion::V2026_10 {
        v.push("VIBE_USER");
    }
    v.extend([
        "PORTAL",
        "PORTFOLIO_API_USER",
        "NEXUS_API_USER",
        "RESOURCE_DIRECTORY_API_USER",
        "OMNICHANNEL_API_USER",
        "GOALS_API_USER",
        "PROJECTS_API_USER",
        "SPRINT_MANAGEMENT_API_USER",
        "CRM_COMMERCE_API_USER",
        "CAMPAIGNS_API_USER",
        "DATA_RETENTION_API_USER",
        "MONDAY_SERVICE_API_USER",
        "AI_PLATFORM_AGENT_API_USER",
        "DEPENDENCIES_API_USER",
        "HISTORICAL_TRACKING_BACKFILL_API_USER",
        "BASIC",
    ]);
    v
}

pub fn register(b: SchemaBuilder, version: ApiVersion) -> SchemaBuilder {
    b.register(Scalar::new("Date"))
        .register(Scalar::new("ISO8601DateTime"))
        .register(Scalar::new("JSON"))
        .register(enumeration("UserStatus", &["ACTIVE", "INACTIVE", "PENDING"]))
        .register(enumeration("UserKind", &["all", "guests", "non_guests", "non_pending"]))
        .register(enumeration("UserKindFilter", &user_kind_filters(version)))
        .register(enumeration("UsersSortField", &["CREATED_AT"]))
        .register(enumeration("UsersSortDirection", &["ASC", "DESC"]))
        .register(enumeration(
            "InvitationMethod",
            &[
                "USER",
                "SCIM",
                "SSO",
                "AUTH_DOMAIN",
                "FIRST_USER",
                "CONSOLIDATION",
                "INTERNAL_CREATION",
                "UNKNOWN",
                "SERVICE_PORTAL_AUTH_DOMAIN",
                "SERVICE_PORTAL_USER_INVITATION",
                "API_USER_CREATION",
                "AGENT_USER_CREATION",
                "SYSTEM_CREATION",
            ],
        ))
        .register(enumeration("State", &["active", "all", "archived", "deleted"]))
        .register(enumeration("BoardKind", &["private", "public", "share"]))
        .register(enumeration("BoardAccessLevel", &["edit", "view"]))
        .register(enumeration("BoardObjectType", &["board", "custom_object", "document", "sub_items_board"]))
        .register(enumeration("BoardHierarchy", &["classic", "multi_level"]))
        .register(enumeration("BoardsOrderBy", &["created_at", "used_at"]))
        .register(enumeration("WorkspaceKind", &["closed", "open", "template"]))
        .register(enumeration("WorkspaceMembershipKind", &["all", "member"]))
        .register(enumeration("WorkspacesOrderBy", &["created_at"]))
        .register(enumeration(
            "WorkspacesQueryAccountProductKind",
            &["core", "crm", "forms", "marketing", "project_management", "service", "software", "whiteboard"],
        ))
        .register(enumeration(
            "VersionKind",
            &[
                "current",
                "deprecated",
                "dev",
                "maintenance",
                "old__maintenance",
                "old_previous_maintenance",
                "previous_maintenance",
                "release_candidate",
            ],
        ))
        .register(enumeration("FirstDayOfTheWeek", &["monday", "sunday"]))
        .register(
            InputObject::new("UserKindFilterInput")
                .field(InputValue::new("in", TypeRef::named_nn_list("UserKindFilter")))
                .field(InputValue::new("not_in", TypeRef::named_nn_list("UserKindFilter"))),
        )
        .register(
            InputObject::new("UsersSortInput")
                .field(InputValue::new("field", TypeRef::named_nn("UsersSortField")))
                .field(InputValue::new("direction", TypeRef::named_nn("UsersSortDirection"))),
        )
        .register(
            InputObject::new("WorkspacesQueryInput")
                .field(InputValue::new("account_product_kind", TypeRef::named("WorkspacesQueryAccountProductKind"))),
        )
}

/// Registers `Version` and `Complexity`.
pub fn register_meta(b: SchemaBuilder) -> SchemaBuilder {
    let version = Object::new("Version")
        .field(scalar::<VersionRef, _>("display_name", TypeRef::named_nn(TypeRef::STRING), |c, _| {
            Value::from(c.version.kind().1)
        }))
        .field(scalar::<VersionRef, _>("kind", TypeRef::named_nn("VersionKind"), |c, _| enum_value(c.version.kind().0)))
        .field(scalar::<VersionRef, _>("value", TypeRef::named_nn(TypeRef::STRING), |c, _| {
            Value::from(c.version.as_str())
        }));
    let int = |v: u64| Value::from(v.min(i32::MAX as u64) as i32);
    let complexity = Object::new("Complexity")
        .field(scalar::<ComplexityRef, _>("after", TypeRef::named_nn(TypeRef::INT), move |c, _| int(c.charge.after)))
        .field(scalar::<ComplexityRef, _>("before", TypeRef::named_nn(TypeRef::INT), move |c, _| int(c.charge.before)))
        .field(scalar::<ComplexityRef, _>("query", TypeRef::named_nn(TypeRef::INT), move |c, _| int(c.charge.query)))
        .field(scalar::<ComplexityRef, _>("reset_in_x_seconds", TypeRef::named_nn(TypeRef::INT), move |c, _| {
            int(c.charge.reset_in_x_seconds)
        }));
    b.register(version).register(complexity)
}

fn leaf(name: &str, fields: &[(&str, TypeRef)]) -> Object {
    // Types never instantiated: their fields are only declared so that lists of them can be
    // served empty. The resolver is never reached.
    fields.iter().fold(Object::new(name), |o, (f, ty)| o.field(super::resolve::null_field(f, ty.clone())))
}

/// A board's top group, by the board's position: every board has one (`Board.top_group` is
/// non-null), and it is the only group served. Items are not modelled, so its fields are
/// monday.com's defaults for a new board's first group [INF].
pub struct GroupRef;

fn group_type() -> Object {
    let s = |name: &str, v: &'static str| {
        super::resolve::scalar::<GroupRef, _>(name, TypeRef::named_nn(TypeRef::STRING), move |_, _| Value::from(v))
    };
    let b = |name: &str| {
        super::resolve::scalar::<GroupRef, _>(name, TypeRef::named(TypeRef::BOOLEAN), |_, _| Value::from(false))
    };
    Object::new("Group")
        .field(b("archived"))
        .field(s("color", "#579bfc"))
        .field(b("deleted"))
        .field(super::resolve::scalar::<GroupRef, _>("id", TypeRef::named_nn(TypeRef::ID), |_, _| {
            Value::from("topics")
        }))
        .field(s("position", "65536"))
        .field(s("title", "Group Title"))
}

/// Registers the types of data monday-sim does not model.
pub fn register_unmodelled(b: SchemaBuilder, _version: ApiVersion) -> SchemaBuilder {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let id = || TypeRef::named_nn(TypeRef::ID);
    b.register(leaf("Tag", &[("color", s()), ("id", id()), ("name", s())]))
        .register(group_type())
        .register(leaf(
            "BoardView",
            &[
                ("id", id()),
                ("name", s()),
                ("type", TypeRef::named(TypeRef::STRING)),
                ("settings_str", s()),
                ("view_specific_data_str", s()),
            ],
        ))
        .register(leaf(
            "Update",
            &[
                ("id", id()),
                ("body", s()),
                ("text_body", TypeRef::named(TypeRef::STRING)),
                ("created_at", TypeRef::named("Date")),
            ],
        ))
        .register(enumeration("ColumnType", &["name", "text", "status", "people", "date", "numbers", "long_text"]))
        .register(leaf(
            "OutOfOffice",
            &[("active", TypeRef::named(TypeRef::BOOLEAN)), ("type", TypeRef::named(TypeRef::STRING))],
        ))
}
