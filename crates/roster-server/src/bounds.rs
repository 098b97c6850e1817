//! The bounds of every number and the values of every closed set the API takes, in one table:
//! the handlers enforce them (a 400 that names the parameter) and the OpenAPI document states
//! them (`openapi.rs` reads this table), so a generated client, a validator and the server
//! agree on what is valid.

use crate::error::ApiError;

/// The allowed range of a numeric parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The smallest allowed.
    pub min: i64,
    /// The largest allowed.
    pub max: i64,
}

/// Items to skip in a list.
pub const OFFSET: Bound = Bound { min: 0, max: 10_000_000 };
/// Items per page.
pub const LIMIT: Bound = Bound { min: 1, max: 1000 };
/// A number of days (inactivity, reports).
pub const DAYS: Bound = Bound { min: 1, max: roster_core::when::MAX_DAYS };
/// An event id cursor.
pub const SINCE: Bound = Bound { min: 0, max: i64::MAX };
/// A numeric id in a path (syncs, campaigns, requests).
pub const ID: Bound = Bound { min: 1, max: i64::MAX };

/// The longest search text taken (an e-mail address is at most 254 characters).
pub const TEXT_MAX: usize = 254;

/// A search text within [`TEXT_MAX`] characters and without control characters (no e-mail
/// or name holds one), or the 400 that names the parameter.
pub fn text<'a>(name: &str, v: &'a str) -> Result<&'a str, ApiError> {
    match v.chars().count() {
        n if n > TEXT_MAX => Err(ApiError::BadRequest(format!(
            "{name}: {n} characters is too long to search for; give at most {TEXT_MAX}"
        ))),
        _ if v.chars().any(char::is_control) => {
            Err(ApiError::BadRequest(format!("{name}: remove the control characters from the search text")))
        }
        _ => Ok(v),
    }
}

/// The largest length of a text parameter, by its name.
pub fn text_len(name: &str) -> Option<usize> {
    matches!(name, "email" | "q" | "user_id" | "event").then_some(TEXT_MAX)
}

/// The bound of a numeric parameter, by its name (one name, one meaning, on every route).
pub fn numeric(name: &str) -> Option<Bound> {
    Some(match name {
        "offset" => OFFSET,
        "limit" => LIMIT,
        "days" | "inactive_days" => DAYS,
        "since" | "after" | "before" => SINCE,
        "id" | "sync" => ID,
        _ => return None,
    })
}

const USER_STATUS: &[&str] = &["active", "pending", "deactivated"];
const ROLES: &[&str] = &["admin", "member", "viewer", "guest"];
// The states' sets come from their enums (one string form each), so a new state is valid here
// and in the document without a second list.
static JIT_STATUS: std::sync::LazyLock<Vec<&str>> =
    std::sync::LazyLock::new(|| roster_core::JitStatus::ALL.map(roster_core::JitStatus::as_str).to_vec());
static PLAN_STATUS: std::sync::LazyLock<Vec<&str>> =
    std::sync::LazyLock::new(|| roster_core::PlanStatus::ALL.map(roster_core::PlanStatus::as_str).to_vec());
const WHO_TYPES: &[&str] = &["board", "workspace", "team"];

/// The values a string parameter takes on a route (by its template), when the set is closed.
pub fn values(route: &str, name: &str) -> Option<&'static [&'static str]> {
    Some(match (route.rsplit('/').next().unwrap_or_default(), name) {
        ("users", "status") => USER_STATUS,
        ("users", "role") => ROLES,
        ("jit", "status") => JIT_STATUS.as_slice(),
        ("plans", "status") => PLAN_STATUS.as_slice(),
        (_, "resource_type") => WHO_TYPES,
        (_, "name") if route.ends_with("/reports/{name}") => &roster_engine::reports::NAMES,
        _ => return None,
    })
}

impl Bound {
    /// `v` when it is in range; a 400 naming `name` and the range when not.
    pub fn check<T: Copy + TryInto<i64>>(&self, name: &str, v: T) -> Result<T, ApiError> {
        match v.try_into() {
            Ok(x) if (self.min..=self.max).contains(&x) => Ok(v),
            _ => Err(ApiError::BadRequest(format!("{name} is out of range: use {} to {}", self.min, self.max))),
        }
    }
}

/// A value of a closed set, or a 400 naming the values.
pub fn one_of<'a>(route: &str, name: &str, v: &'a str) -> Result<&'a str, ApiError> {
    match values(route, name) {
        Some(set) if !set.contains(&v) => {
            Err(ApiError::BadRequest(format!("{name} {v:?}: use one of {}", set.join(", "))))
        }
        _ => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_sets_refuse_what_they_do_not_hold() {
        assert!(LIMIT.check("limit", 0usize).is_err() && LIMIT.check("limit", 1001usize).is_err());
        assert_eq!(LIMIT.check("limit", 1000usize).ok(), Some(1000));
        assert!(OFFSET.check("offset", usize::MAX).is_err(), "a usize beyond i64 is out of range, not a panic");
        assert!(DAYS.check("days", i64::MIN).is_err());
        assert!(one_of("/api/v1/accounts/{account}/jit", "status", "sleeping").is_err());
        assert!(one_of("/api/v1/accounts/{account}/jit", "status", "active").is_ok());
        assert!(one_of("/api/v1/accounts/{account}/users", "email", "anything").is_ok(), "open sets pass");
        assert_eq!(values("/api/v1/accounts/{account}/reports/{name}", "name").map(|v| v.len()), Some(13));
    }
}
