//! The account's audit log (Enterprise): logins, logouts, failed logins and the admin changes
//! made through the emulator's own mutations, each with the IP and the device it came from.
//!
//! Event names are monday.com's (`login`, `failed-login`, `user-deactivated`, ...: the names
//! its audit log filter takes). The generated history is deterministic: a few logins per active
//! person over the month before the generator's "now", the last one at their last activity;
//! some people also log in from a second network or device, and some fail to log in several
//! times in a row first.

use std::net::Ipv4Addr;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::model::{User, UserStatus};

/// What happened (`AuditLogEntry.event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditKind {
    /// A user logged in.
    Login,
    /// A user logged out.
    Logout,
    /// A login attempt failed.
    FailedLogin,
    /// An admin invited a user.
    UserInvite,
    /// An admin deactivated a user.
    UserDeactivated,
    /// An admin reactivated a user.
    UserReactivated,
    /// An admin changed a user's type or role.
    UserRoleChange,
    /// A user was added to a team.
    AddUserToTeam,
    /// A user was removed from a team.
    RemoveUserFromTeam,
    /// A team was created.
    CreateTeam,
    /// A team was deleted.
    DeleteTeam,
}

impl AuditKind {
    /// Every kind, in the catalogue's order.
    pub const ALL: [AuditKind; 11] = [
        AuditKind::Login,
        AuditKind::Logout,
        AuditKind::FailedLogin,
        AuditKind::UserInvite,
        AuditKind::UserDeactivated,
        AuditKind::UserReactivated,
        AuditKind::UserRoleChange,
        AuditKind::AddUserToTeam,
        AuditKind::RemoveUserFromTeam,
        AuditKind::CreateTeam,
        AuditKind::DeleteTeam,
    ];

    /// The event name monday.com uses.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Login => "login",
            AuditKind::Logout => "logout",
            AuditKind::FailedLogin => "failed-login",
            AuditKind::UserInvite => "user-invite",
            AuditKind::UserDeactivated => "user-deactivated",
            AuditKind::UserReactivated => "user-reactivated",
            AuditKind::UserRoleChange => "user-role-change",
            AuditKind::AddUserToTeam => "add-user-to-team",
            AuditKind::RemoveUserFromTeam => "remove-user-from-team",
            AuditKind::CreateTeam => "create-team",
            AuditKind::DeleteTeam => "delete-team",
        }
    }

    /// The catalogue's description.
    pub fn description(self) -> &'static str {
        match self {
            AuditKind::Login => "Logs users' logins to the system",
            AuditKind::Logout => "Logs users' logouts from the system",
            AuditKind::FailedLogin => "Logs users' failed login attempts",
            AuditKind::UserInvite => "Logs users' invite from within the system",
            AuditKind::UserDeactivated => "Logs users' deactivation by admins",
            AuditKind::UserReactivated => "Logs users' reactivation by admins",
            AuditKind::UserRoleChange => "Logs users' type change by admins",
            AuditKind::AddUserToTeam => "Logs users' addition to teams by users",
            AuditKind::RemoveUserFromTeam => "Logs users' removal from teams by users",
            AuditKind::CreateTeam => "Logs team creation by users",
            AuditKind::DeleteTeam => "Logs team deletion by users",
        }
    }

    /// The keys its `activity_metadata` holds [INF].
    pub fn metadata_keys(self) -> &'static [&'static str] {
        match self {
            AuditKind::Login | AuditKind::Logout => &[],
            AuditKind::FailedLogin => &["reason"],
            AuditKind::UserInvite => &["email", "user_kind"],
            AuditKind::UserDeactivated | AuditKind::UserReactivated => &["user_id"],
            AuditKind::UserRoleChange => &["user_id", "new_role"],
            AuditKind::AddUserToTeam | AuditKind::RemoveUserFromTeam => &["team_id", "user_id"],
            AuditKind::CreateTeam | AuditKind::DeleteTeam => &["team_id", "team_name"],
        }
    }
}

/// The devices and clients events come from: a browser on a laptop, a phone app, the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    /// `client_name`.
    pub client_name: &'static str,
    /// `client_version`.
    pub client_version: &'static str,
    /// `os_name`.
    pub os_name: &'static str,
    /// `os_version`.
    pub os_version: &'static str,
    /// `device_name`.
    pub device_name: &'static str,
    /// `device_type`.
    pub device_type: &'static str,
    /// `user_agent`.
    pub user_agent: &'static str,
}

/// Every device an event can name, by index (`AuditEvent.device`). Index 0 is the API.
pub const DEVICES: [Device; 5] = [
    Device {
        client_name: "API",
        client_version: "",
        os_name: "",
        os_version: "",
        device_name: "",
        device_type: "server",
        user_agent: "monday-api-client",
    },
    Device {
        client_name: "Chrome",
        client_version: "131.0",
        os_name: "Mac OS X",
        os_version: "15.1",
        device_name: "Mac",
        device_type: "desktop",
        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    },
    Device {
        client_name: "Edge",
        client_version: "131.0",
        os_name: "Windows",
        os_version: "11",
        device_name: "PC",
        device_type: "desktop",
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
    },
    Device {
        client_name: "monday.com app",
        client_version: "5.42",
        os_name: "iOS",
        os_version: "18.1",
        device_name: "iPhone",
        device_type: "mobile",
        user_agent: "monday/5.42 (iPhone; iOS 18.1)",
    },
    Device {
        client_name: "Firefox",
        client_version: "133.0",
        os_name: "Linux",
        os_version: "",
        device_name: "",
        device_type: "desktop",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    },
];

/// One audit log event. Compact (an IPv4 address, a device index), since a large account has
/// hundreds of thousands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: AuditKind,
    /// Who did it (the user who logged in, or the admin who made the change).
    pub user_id: u64,
    /// Where from.
    pub ip: Ipv4Addr,
    /// Which device ([`DEVICES`] index).
    pub device: u8,
    /// What it was about (the user changed, the team...).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub metadata: serde_json::Value,
}

impl AuditEvent {
    /// The device it came from (an unknown index reads as the API).
    pub fn device(&self) -> &'static Device {
        DEVICES.get(self.device as usize).unwrap_or(&DEVICES[0])
    }
}

/// The address the emulator logs API calls from [INF: monday.com logs the caller's address].
pub const API_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);

/// A person's usual network: an office or home address derived from their id.
fn home_ip(id: u64) -> Ipv4Addr {
    let n = id.wrapping_mul(2_654_435_761);
    Ipv4Addr::new(81, 64 + (n % 8) as u8, ((n >> 8) % 256) as u8, ((n >> 16) % 250 + 2) as u8)
}

/// Generates the audit history of `users` in the 30 days before `now`, oldest first. From a
/// generator of its own, so every other fact of an org stays as it was.
pub fn generate(seed: u64, users: &[User], now: DateTime<Utc>) -> Vec<AuditEvent> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x00A0_D170_0001);
    let month = now - Duration::days(30);
    let mut out = Vec::new();
    for u in users.iter().filter(|u| u.kind.is_person() && u.status == UserStatus::Active) {
        let Some(last) = u.last_activity.filter(|t| *t > month) else { continue };
        let home = home_ip(u.id);
        let device = 1 + (u.id % 3) as u8;
        let logins = rng.random_range(1..=4);
        let span = (last - month).num_seconds().max(1);
        let mut times: Vec<DateTime<Utc>> =
            (1..logins).map(|_| month + Duration::seconds(rng.random_range(0..span))).collect();
        times.sort();
        // The last login is shortly before the last activity.
        times.push(last - Duration::seconds(rng.random_range(60..3600)).min(last - month));
        // One person in twenty fails to log in several times before one of their logins.
        if rng.random_range(0..20) == 0 {
            let at = times[0];
            for k in 0..rng.random_range(3..=7) {
                out.push(AuditEvent {
                    at: at - Duration::seconds(60 - k * 5),
                    event: AuditKind::FailedLogin,
                    user_id: u.id,
                    ip: Ipv4Addr::new(185, 220, 101, (u.id % 200) as u8 + 1),
                    device: 4,
                    metadata: serde_json::json!({ "reason": "wrong_password" }),
                });
            }
        }
        // One in twenty-five logs in once from a network and a phone never seen before.
        let odd = (rng.random_range(0..25) == 0).then(|| rng.random_range(0..times.len()));
        for (i, at) in times.iter().enumerate() {
            let (ip, dev) =
                if odd == Some(i) { (Ipv4Addr::new(203, 0, 113, (u.id % 250) as u8 + 1), 3) } else { (home, device) };
            out.push(AuditEvent {
                at: *at,
                event: AuditKind::Login,
                user_id: u.id,
                ip,
                device: dev,
                metadata: serde_json::Value::Null,
            });
            if rng.random_range(0..3) == 0 && i + 1 < times.len() {
                let out_at = *at + Duration::seconds(rng.random_range(600..28_800));
                if out_at < times[i + 1] {
                    out.push(AuditEvent {
                        at: out_at,
                        event: AuditKind::Logout,
                        user_id: u.id,
                        ip,
                        device: dev,
                        metadata: serde_json::Value::Null,
                    });
                }
            }
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

/// The events of `log` (oldest first) that match, newest first: what `audit_logs` pages over.
pub fn select(log: &[AuditEvent], f: &Filter) -> Vec<usize> {
    let from = f.start.map_or(0, |s| log.partition_point(|e| e.at < s));
    let to = f.end.map_or(log.len(), |e| log.partition_point(|x| x.at <= e));
    (from..to.max(from))
        .rev()
        .filter(|&i| {
            let e = &log[i];
            f.user_id.is_none_or(|u| e.user_id == u)
                && f.events.as_ref().is_none_or(|es| es.iter().any(|n| n == e.event.as_str()))
                && f.ip.as_ref().is_none_or(|ip| *ip == e.ip.to_string())
        })
        .collect()
}

/// The filters `audit_logs` takes.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `user_id`.
    pub user_id: Option<u64>,
    /// `events`.
    pub events: Option<Vec<String>>,
    /// `ip_address`.
    pub ip: Option<String>,
    /// `start_time`, inclusive.
    pub start: Option<DateTime<Utc>>,
    /// `end_time`, inclusive.
    pub end: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{generate as gen_org, GenConfig};

    #[test]
    fn history_is_ordered_and_ends_at_last_activity() {
        let org = gen_org(&GenConfig { users: 400, ..GenConfig::default() }).unwrap_or_else(|e| panic!("{e}"));
        let log = &org.audit_log;
        assert!(log.windows(2).all(|w| w[0].at <= w[1].at), "oldest first");
        assert!(log.iter().any(|e| e.event == AuditKind::FailedLogin));
        assert!(log.iter().any(|e| e.event == AuditKind::Logout));
        for u in org.users.iter().filter(|u| u.status == UserStatus::Active && u.kind.is_person()) {
            let last_login =
                log.iter().filter(|e| e.user_id == u.id && e.event == AuditKind::Login).map(|e| e.at).max();
            if let (Some(l), Some(a)) = (last_login, u.last_activity) {
                assert!(l <= a, "user {} logged in after their last activity", u.id);
            }
        }
    }

    #[test]
    fn select_filters_and_orders_newest_first() {
        let org = gen_org(&GenConfig { users: 200, ..GenConfig::default() }).unwrap_or_else(|e| panic!("{e}"));
        let log = &org.audit_log;
        let all = select(log, &Filter::default());
        assert_eq!(all.len(), log.len());
        assert!(all.windows(2).all(|w| log[w[0]].at >= log[w[1]].at), "newest first");
        let mid = log[log.len() / 2].at;
        let later = select(log, &Filter { start: Some(mid), ..Filter::default() });
        assert!(later.iter().all(|&i| log[i].at >= mid));
        assert_eq!(later.len(), log.iter().filter(|e| e.at >= mid).count());
        let fails = select(log, &Filter { events: Some(vec!["failed-login".into()]), ..Filter::default() });
        assert!(fails.iter().all(|&i| log[i].event == AuditKind::FailedLogin));
    }
}
