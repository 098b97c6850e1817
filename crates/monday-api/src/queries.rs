//! The query documents the client sends, compiled against the crate's schema subsets
//! (`src/schema/*.graphql`) by graphql_client: a misspelled field does not build.

#![allow(clippy::upper_case_acronyms, missing_docs)]

use graphql_client::GraphQLQuery;

use crate::config::ApiVersion;

type Date = String;
type ISO8601DateTime = String;
type JSON = serde_json::Value;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/account.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Account;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/account_roles.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct AccountRoles;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/departments.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Departments;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/audit_logs.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct AuditLogs;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/service_users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ServiceUsers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Users;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-07.graphql",
    query_path = "src/queries/users_legacy.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UsersLegacy;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/teams.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Teams;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/team_ids.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct TeamIds;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/workspaces.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Workspaces;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/workspace_ids.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct WorkspaceIds;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/workspace_members.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct WorkspaceMembers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/boards.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Boards;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/board_ids.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct BoardIds;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/board_teams.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct BoardTeams;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/invite_users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct InviteUsers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/update_users_role.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UpdateUsersRole;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/update_users_custom_role.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UpdateUsersCustomRole;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/deactivate_users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct DeactivateUsers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/activate_users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ActivateUsers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/team_members.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct TeamMembers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/team_owners.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct TeamOwners;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/create_team.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct CreateTeam;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/delete_team.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct DeleteTeam;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/workspace_users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct WorkspaceUsers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/workspace_teams.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct WorkspaceTeams;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/board_users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct BoardUsers;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "src/schema/2026-10.graphql",
    query_path = "src/queries/mutations/board_teams.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct BoardTeamsChange;

/// Every document the client can send with `version`, by operation name.
pub fn documents(version: ApiVersion) -> Vec<(&'static str, &'static str)> {
    let users = match version {
        ApiVersion::V2026_07 => ("UsersLegacy", users_legacy::QUERY),
        ApiVersion::V2026_10 => ("Users", users::QUERY),
    };
    vec![
        ("Account", account::QUERY),
        ("AccountRoles", account_roles::QUERY),
        ("Departments", departments::QUERY),
        ("AuditLogs", audit_logs::QUERY),
        ("ServiceUsers", service_users::QUERY),
        users,
        ("Teams", teams::QUERY),
        ("TeamIds", team_ids::QUERY),
        ("Workspaces", workspaces::QUERY),
        ("WorkspaceIds", workspace_ids::QUERY),
        ("WorkspaceMembers", workspace_members::QUERY),
        ("Boards", boards::QUERY),
        ("BoardIds", board_ids::QUERY),
        ("BoardTeams", board_teams::QUERY),
        ("InviteUsers", invite_users::QUERY),
        ("UpdateUsersRole", update_users_role::QUERY),
        ("UpdateUsersCustomRole", update_users_custom_role::QUERY),
        ("DeactivateUsers", deactivate_users::QUERY),
        ("ActivateUsers", activate_users::QUERY),
        ("TeamMembers", team_members::QUERY),
        ("TeamOwners", team_owners::QUERY),
        ("CreateTeam", create_team::QUERY),
        ("DeleteTeam", delete_team::QUERY),
        ("WorkspaceUsers", workspace_users::QUERY),
        ("WorkspaceTeams", workspace_teams::QUERY),
        ("BoardUsers", board_users::QUERY),
        ("BoardTeamsChange", board_teams_change::QUERY),
    ]
}
