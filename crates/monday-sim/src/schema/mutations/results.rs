//! Result, error, input and enum types of the mutations, as monday.com declares them.

use async_graphql::dynamic::{Enum, InputObject, InputValue, Object, SchemaBuilder, TypeRef};
use async_graphql::Value;

use crate::schema::resolve::{child, enum_value, objects, scalar};
use crate::schema::teams::TeamRef;
use crate::schema::users::UserRef;

/// One per-item failure.
#[derive(Debug, Clone)]
pub struct ItemError {
    pub message: String,
    pub code: &'static str,
    /// The user id or e-mail it is about.
    pub key: String,
}

/// What a batch mutation answers: the users it changed and the items it could not.
#[derive(Debug, Clone, Default)]
pub struct BatchResult {
    pub users: Vec<usize>,
    pub errors: Vec<ItemError>,
}

/// `ChangeTeamMembershipsResult`.
#[derive(Debug, Clone, Default)]
pub struct MembershipResult {
    pub successful: Vec<usize>,
    pub failed: Vec<usize>,
}

/// `AssignTeamOwnersResult` / `RemoveTeamOwnersResult`.
#[derive(Debug, Clone)]
pub struct OwnersResult {
    pub team: Option<usize>,
    pub errors: Vec<ItemError>,
}

const USER_CODES: &[&str] = &["EXCEEDS_BATCH_LIMIT", "INVALID_INPUT", "USER_NOT_FOUND", "CANNOT_UPDATE_SELF", "FAILED"];
const OWNER_CODES: &[&str] = &[
    "VIEWERS_OR_GUESTS",
    "USER_NOT_MEMBER_OF_TEAM",
    "EXCEEDS_BATCH_LIMIT",
    "INVALID_INPUT",
    "USER_NOT_FOUND",
    "CANNOT_UPDATE_SELF",
    "FAILED",
];

fn error_type(name: &str, code_enum: &str, key: &str) -> Object {
    Object::new(name)
        .field(scalar::<ItemError, _>("message", TypeRef::named(TypeRef::STRING), |_, e| {
            Value::from(e.message.clone())
        }))
        .field(scalar::<ItemError, _>("code", TypeRef::named(code_enum), |_, e| enum_value(e.code)))
        .field(scalar::<ItemError, _>(key, TypeRef::named(TypeRef::ID), |_, e| Value::from(e.key.clone())))
}

fn batch_type(name: &str, users: &str, error: &str) -> Object {
    Object::new(name)
        .field(child::<BatchResult, _>(users, TypeRef::named_nn_list("User"), |_, r, _| {
            Ok(objects(r.users.iter().copied().map(UserRef)))
        }))
        .field(child::<BatchResult, _>("errors", TypeRef::named_nn_list(error), |_, r, _| {
            Ok(objects(r.errors.clone()))
        }))
}

fn owners_type(name: &str, error: &str) -> Object {
    Object::new(name)
        .field(child::<OwnersResult, _>("team", TypeRef::named("Team"), |_, r, _| {
            Ok(r.team.map(|t| async_graphql::dynamic::FieldValue::owned_any(TeamRef::Team(t))))
        }))
        .field(child::<OwnersResult, _>("errors", TypeRef::named_nn_list(error), |_, r, _| {
            Ok(objects(r.errors.clone()))
        }))
}

fn enumeration(name: &str, items: &[&str]) -> Enum {
    Enum::new(name).items(items.iter().copied())
}

/// Registers them all.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(enumeration("UserRole", &["GUEST", "VIEW_ONLY", "MEMBER", "ADMIN"]))
        .register(enumeration("BaseRoleName", &["GUEST", "VIEW_ONLY", "MEMBER", "ADMIN"]))
        .register(enumeration(
            "Product",
            &["work_management", "crm", "dev", "service", "whiteboard", "knowledge", "forms", "workflows"],
        ))
        .register(enumeration("WorkspaceSubscriberKind", &["owner", "subscriber"]))
        .register(enumeration("BoardSubscriberKind", &["owner", "subscriber"]))
        .register(enumeration("InviteUsersErrorCode", &["ERROR"]))
        .register(enumeration("UpdateUsersRoleErrorCode", USER_CODES))
        .register(enumeration("DeactivateUsersErrorCode", USER_CODES))
        .register(enumeration("ActivateUsersErrorCode", USER_CODES))
        .register(enumeration("UpdateUserAttributesErrorCode", &["INVALID_FIELD"]))
        .register(enumeration("AssignTeamOwnersErrorCode", OWNER_CODES))
        .register(enumeration("RemoveTeamOwnersErrorCode", OWNER_CODES))
        .register(error_type("InviteUsersError", "InviteUsersErrorCode", "email"))
        .register(error_type("UpdateUsersRoleError", "UpdateUsersRoleErrorCode", "user_id"))
        .register(error_type("DeactivateUsersError", "DeactivateUsersErrorCode", "user_id"))
        .register(error_type("ActivateUsersError", "ActivateUsersErrorCode", "user_id"))
        .register(error_type("UpdateUserAttributesError", "UpdateUserAttributesErrorCode", "user_id"))
        .register(error_type("AssignTeamOwnersError", "AssignTeamOwnersErrorCode", "user_id"))
        .register(error_type("RemoveTeamOwnersError", "RemoveTeamOwnersErrorCode", "user_id"))
        .register(batch_type("InviteUsersResult", "invited_users", "InviteUsersError"))
        .register(batch_type("UpdateUsersRoleResult", "updated_users", "UpdateUsersRoleError"))
        .register(batch_type("DeactivateUsersResult", "deactivated_users", "DeactivateUsersError"))
        .register(batch_type("ActivateUsersResult", "activated_users", "ActivateUsersError"))
        .register(batch_type("UpdateUserAttributesResult", "updated_users", "UpdateUserAttributesError"))
        .register(owners_type("AssignTeamOwnersResult", "AssignTeamOwnersError"))
        .register(owners_type("RemoveTeamOwnersResult", "RemoveTeamOwnersError"))
        .register(
            Object::new("ChangeTeamMembershipsResult")
                .field(child::<MembershipResult, _>("failed_users", TypeRef::named_nn_list("User"), |_, r, _| {
                    Ok(objects(r.failed.iter().copied().map(UserRef)))
                }))
                .field(child::<MembershipResult, _>("successful_users", TypeRef::named_nn_list("User"), |_, r, _| {
                    Ok(objects(r.successful.iter().copied().map(UserRef)))
                })),
        )
        .register(
            InputObject::new("UserAttributesInput")
                .field(InputValue::new("birthday", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("email", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("join_date", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("name", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("location", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("mobile_phone", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("phone", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("title", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("department", TypeRef::named(TypeRef::STRING))),
        )
        .register(
            InputObject::new("UserUpdateInput")
                .field(InputValue::new("user_id", TypeRef::named_nn(TypeRef::ID)))
                .field(InputValue::new("user_attribute_updates", TypeRef::named_nn("UserAttributesInput"))),
        )
        .register(
            InputObject::new("CreateTeamAttributesInput")
                .field(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING)))
                .field(InputValue::new("is_guest_team", TypeRef::named(TypeRef::BOOLEAN)))
                .field(InputValue::new("parent_team_id", TypeRef::named(TypeRef::ID)))
                .field(InputValue::new("subscriber_ids", TypeRef::named_nn_list(TypeRef::ID))),
        )
        .register(
            InputObject::new("CreateTeamOptionsInput")
                .field(InputValue::new("allow_empty_team", TypeRef::named(TypeRef::BOOLEAN))),
        )
}
