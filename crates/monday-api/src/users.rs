//! Users, every status, paged 1000 at a time; on API 2026-07 the legacy booleans fill in
//! where the new fields are missing.

use futures::Stream;

use crate::client::{parse_id, Client};
use crate::config::ApiVersion;
use crate::error::Error;
use crate::models::{time, User, UserKind, UserStatus};
use crate::pager::{pages_ahead_of, Length};
use crate::queries::{users, users_legacy, Users, UsersLegacy};

/// Which users to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    /// Statuses wanted; all three by default (monday.com's own default leaves deactivated
    /// users out).
    pub statuses: Vec<UserStatus>,
}

impl Default for UserFilter {
    fn default() -> Self {
        UserFilter { statuses: vec![UserStatus::Active, UserStatus::Deactivated, UserStatus::Pending] }
    }
}

fn status_name(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Active => "ACTIVE",
        UserStatus::Deactivated => "INACTIVE",
        UserStatus::Pending => "PENDING",
    }
}

fn parse_status(s: &str, who: u64) -> Result<UserStatus, Error> {
    match s {
        "ACTIVE" => Ok(UserStatus::Active),
        "INACTIVE" => Ok(UserStatus::Deactivated),
        "PENDING" => Ok(UserStatus::Pending),
        other => Err(crate::client::malformed(&format!("user {who}"), format!("unknown status {other:?}"))),
    }
}

/// The legacy booleans of API 2026-07 and earlier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LegacyFlags {
    /// `is_admin`, when asked.
    pub is_admin: Option<bool>,
    /// `is_guest`, when asked.
    pub is_guest: Option<bool>,
    /// `is_view_only`, when asked.
    pub is_view_only: Option<bool>,
    /// `is_pending`, when asked.
    pub is_pending: Option<bool>,
    /// `enabled`, when asked.
    pub enabled: Option<bool>,
}

/// The role from `kind`, or from the legacy booleans where `kind` is missing. A kind that is
/// there but not one of the four basic ones (`service_user`, `agent_member`, ...) is kept as it
/// came: the booleans would call a service user a member.
pub fn kind_with_fallback(kind: &str, legacy: LegacyFlags) -> UserKind {
    match UserKind::parse(kind) {
        UserKind::Other(k) if k.is_empty() && legacy != LegacyFlags::default() => {
            if legacy.is_admin == Some(true) {
                UserKind::Admin
            } else if legacy.is_guest == Some(true) {
                UserKind::Guest
            } else if legacy.is_view_only == Some(true) {
                UserKind::Viewer
            } else {
                UserKind::Member
            }
        }
        k => k,
    }
}

/// The status from `status`, or from the legacy booleans where it is missing or unknown.
pub fn status_with_fallback(status: Option<&str>, legacy: LegacyFlags, who: u64) -> Result<UserStatus, Error> {
    match status {
        Some(s @ ("ACTIVE" | "INACTIVE" | "PENDING")) => parse_status(s, who),
        _ if legacy.enabled == Some(false) => Ok(UserStatus::Deactivated),
        _ if legacy.is_pending == Some(true) => Ok(UserStatus::Pending),
        _ if legacy.enabled == Some(true) => Ok(UserStatus::Active),
        other => parse_status(other.unwrap_or("(missing)"), who),
    }
}

impl Client {
    /// Streams every user the filter selects, a page at a time.
    pub fn users(&self, filter: UserFilter) -> impl Stream<Item = Result<Vec<User>, Error>> + '_ {
        self.users_from(filter, 0, None)
    }

    /// The same, skipping the first `offset` users (to resume an interrupted read); `expected`
    /// is how many the list held when it was last read, if known (pages are then asked ahead,
    /// never past its end).
    pub fn users_from(
        &self,
        filter: UserFilter,
        offset: u64,
        expected: Option<u64>,
    ) -> impl Stream<Item = Result<Vec<User>, Error>> + '_ {
        self.users_of_length(filter, offset, expected.map(Length::Exactly))
    }

    /// The same with what is known of the list's length: exact (as last read) or a lower bound
    /// (a first sync knows the account's active members, and every one of them is listed).
    pub fn users_of_length(
        &self,
        filter: UserFilter,
        offset: u64,
        length: Option<Length>,
    ) -> impl Stream<Item = Result<Vec<User>, Error>> + '_ {
        let statuses: Vec<&'static str> = filter.statuses.iter().copied().map(status_name).collect();
        let (page, ahead) = (self.config().users_page, self.ahead(length.map(|_| 0)));
        pages_ahead_of(page, offset, ahead, length, false, move |limit, page| {
            let statuses = statuses.clone();
            async move {
                match self.config().api_version {
                    ApiVersion::V2026_10 => self.users_page_current(limit, page, &statuses).await,
                    ApiVersion::V2026_07 => self.users_page_legacy(limit, page, &statuses).await,
                }
            }
        })
    }

    async fn users_page_current(&self, limit: u32, page: u32, statuses: &[&str]) -> Result<Vec<User>, Error> {
        let vars = users::Variables {
            limit: limit.into(),
            page: page.into(),
            status: Some(statuses.iter().map(|s| crate::boards::gql_enum(s)).collect::<Result<_, _>>()?),
        };
        let d = self.query::<Users>(&format!("Users/{limit}"), vars).await?;
        d.users
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let raw = RawUser {
                    id: u.id,
                    name: u.name,
                    email: u.email,
                    title: u.title,
                    kind: u.kind,
                    role_id: u.user_config.role_id,
                    department: u.department.map(|d| d.id),
                    status: crate::gql_name(&u.status),
                    is_email_confirmed: u.is_email_confirmed,
                    created_at: u.created_at,
                    became_active_at: u.became_active_at,
                    last_activity: u.last_activity,
                    time_zone: u.time_zone_identifier,
                    invitation_method: crate::gql_name(&u.invitation_method),
                };
                raw.into_user(LegacyFlags::default(), None)
            })
            .collect()
    }

    async fn users_page_legacy(&self, limit: u32, page: u32, statuses: &[&str]) -> Result<Vec<User>, Error> {
        let vars = users_legacy::Variables {
            limit: limit.into(),
            page: page.into(),
            status: Some(statuses.iter().map(|s| crate::boards::gql_enum(s)).collect::<Result<_, _>>()?),
        };
        let d = self.query::<UsersLegacy>(&format!("UsersLegacy/{limit}"), vars).await?;
        d.users
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let legacy = LegacyFlags {
                    is_admin: u.is_admin,
                    is_guest: u.is_guest,
                    is_view_only: u.is_view_only,
                    is_pending: u.is_pending,
                    enabled: Some(u.enabled),
                };
                let raw = RawUser {
                    id: u.id,
                    name: u.name,
                    email: u.email,
                    title: u.title,
                    kind: u.kind,
                    role_id: u.user_config.role_id,
                    department: u.department.map(|d| d.id),
                    status: crate::gql_name(&u.status),
                    is_email_confirmed: u.is_email_confirmed || u.is_verified == Some(true),
                    created_at: u.created_at,
                    became_active_at: u.became_active_at,
                    last_activity: u.last_activity,
                    time_zone: u.time_zone_identifier,
                    invitation_method: crate::gql_name(&u.invitation_method),
                };
                raw.into_user(legacy, u.join_date)
            })
            .collect()
    }
}

/// A user as either version's answer has it, before parsing.
struct RawUser {
    id: String,
    name: String,
    email: String,
    title: String,
    kind: String,
    role_id: String,
    department: Option<String>,
    status: String,
    is_email_confirmed: bool,
    created_at: String,
    became_active_at: Option<String>,
    last_activity: Option<String>,
    time_zone: Option<String>,
    invitation_method: String,
}

impl RawUser {
    /// Parses ids and times; `legacy` and `join_date` fill in where the new fields are missing.
    fn into_user(self, legacy: LegacyFlags, join_date: Option<String>) -> Result<User, Error> {
        let id = parse_id(&self.id, "user")?;
        let what = |f: &str| format!("user {id} {f}");
        let became_active_at = match time(self.became_active_at.as_deref(), &what("became_active_at"))? {
            Some(t) => Some(t),
            None => time(join_date.as_deref(), &what("join_date"))?,
        };
        Ok(User {
            id,
            kind: kind_with_fallback(&self.kind, legacy),
            status: status_with_fallback(Some(&self.status), legacy, id)?,
            name: self.name,
            email: self.email,
            title: self.title,
            is_email_confirmed: self.is_email_confirmed,
            created_at: time(Some(&self.created_at), &what("created_at"))?,
            became_active_at,
            last_activity: time(self.last_activity.as_deref(), &what("last_activity"))?,
            time_zone: self.time_zone,
            invitation_method: Some(self.invitation_method),
            role_id: Some(parse_id(&self.role_id, &what("user_config.role_id"))?),
            department: self.department.as_deref().map(|d| parse_id(d, &what("department"))).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_booleans_fill_in_missing_fields() {
        let admin = LegacyFlags { is_admin: Some(true), enabled: Some(true), ..LegacyFlags::default() };
        assert_eq!(kind_with_fallback("", admin), UserKind::Admin);
        assert_eq!(kind_with_fallback("guest", admin), UserKind::Guest, "kind wins when present");
        let member = LegacyFlags { enabled: Some(true), ..LegacyFlags::default() };
        assert_eq!(
            kind_with_fallback("service_user", member),
            UserKind::Other("service_user".into()),
            "kept as it came"
        );
        let viewer = LegacyFlags { is_view_only: Some(true), enabled: Some(true), ..LegacyFlags::default() };
        assert_eq!(kind_with_fallback("", viewer), UserKind::Viewer);
        assert_eq!(
            kind_with_fallback("", LegacyFlags { enabled: Some(true), ..LegacyFlags::default() }),
            UserKind::Member
        );
        let off = LegacyFlags { enabled: Some(false), ..LegacyFlags::default() };
        assert_eq!(status_with_fallback(None, off, 1).unwrap(), UserStatus::Deactivated);
        let pending = LegacyFlags { is_pending: Some(true), enabled: Some(true), ..LegacyFlags::default() };
        assert_eq!(status_with_fallback(None, pending, 1).unwrap(), UserStatus::Pending);
        assert_eq!(
            status_with_fallback(Some("ACTIVE"), off, 1).unwrap(),
            UserStatus::Active,
            "status wins when present"
        );
        assert!(status_with_fallback(Some("WEIRD"), LegacyFlags::default(), 7)
            .unwrap_err()
            .to_string()
            .contains("user 7"));
    }
}
