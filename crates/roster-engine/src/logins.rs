//! The reports over monday.com's audit log: each user's last login, and the login signals a
//! security team acts on (failed-login bursts, logins from a network or a device the user never
//! used before, logins of people the source of truth has let go).
//!
//! A "network" is an IPv4 /16 or an IPv6 /48: close enough to a place to notice a new one,
//! loose enough that a home router's new address is not news. Countries would need a GeoIP
//! database Roster does not ship.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration};
use roster_core::UserStatus;
use roster_store::{AuditLogQuery, AuditLogRow, Store, UserQuery};

use crate::reports::{day, Report, ReportError, ReportOptions};

/// Failed logins of one user within [`BURST_WINDOW_MIN`] minutes that make a burst.
pub const BURST_FAILURES: usize = 5;
/// The burst window, in minutes.
pub const BURST_WINDOW_MIN: i64 = 10;
/// The most entries a report reads.
const MAX_ENTRIES: u32 = 2_000_000;

fn time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// The network an address belongs to (IPv4 /16, IPv6 /48); the text itself when unparsable.
pub fn network(ip: &str) -> String {
    match ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v)) => {
            let o = v.octets();
            format!("{}.{}.0.0/16", o[0], o[1])
        }
        Ok(std::net::IpAddr::V6(v)) => {
            let s = v.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        Err(_) => ip.trim().to_string(),
    }
}

fn device(e: &AuditLogRow) -> String {
    let part = |s: &Option<String>| s.clone().unwrap_or_else(|| "?".into());
    format!("{} on {}", part(&e.client_name), part(&e.os_name))
}

async fn account_of(store: &dyn Store, sync: i64) -> Result<String, ReportError> {
    Ok(store.sync_run(sync).await?.map(|r| r.account).unwrap_or_default())
}

/// Whether anything of the account's audit log has been read.
async fn read_yet(store: &dyn Store, account: &str) -> Result<bool, ReportError> {
    Ok(store.audit_cursor(account).await?.is_some())
}

const NOT_READ: &str = "no audit log has been read for this account: `roster sync` reads it on Enterprise plans (audit_log_days in [[accounts]])";

/// `logins`: every user of the snapshot with their last login and logins stored, the longest
/// without one first.
pub(crate) async fn last_logins(store: &dyn Store, sync: i64, _o: &ReportOptions) -> Result<Report, ReportError> {
    let account = account_of(store, sync).await?;
    if !read_yet(store, &account).await? {
        return Err(ReportError::Options { report: "logins", problem: NOT_READ.into() });
    }
    let logins: HashMap<String, (i64, i64)> =
        store.last_logins(&account).await?.into_iter().map(|(u, last, n)| (u, (last, n))).collect();
    let mut users = store.users(sync, &UserQuery::default()).await?;
    users.sort_by_key(|u| (logins.get(&u.id).map(|l| l.0), u.id.clone()));
    let mut r = Report::new(
        "logins",
        "Last login of every user (from monday.com's audit log), the longest without one first".into(),
        &["id", "email", "status", "role", "last_login", "logins", "last_activity"],
    );
    for u in users {
        let (last, n) = logins.get(&u.id).map_or(("none read".to_string(), 0), |(l, n)| (time(*l), *n));
        r.rows.push(vec![
            u.id.clone(),
            u.email.clone(),
            u.status.as_str().into(),
            u.role.as_str().into(),
            last,
            n.to_string(),
            day(u.last_activity),
        ]);
    }
    Ok(r)
}

/// `login-signals`: what in the last `--days` days a security team should look at.
pub(crate) async fn signals(store: &dyn Store, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    if let Err(problem) = roster_core::when::check_days("--days", o.inactive_days) {
        return Err(ReportError::Options { report: "login-signals", problem });
    }
    let account = account_of(store, sync).await?;
    if !read_yet(store, &account).await? {
        return Err(ReportError::Options { report: "login-signals", problem: NOT_READ.into() });
    }
    let since = (o.now - Duration::days(o.inactive_days)).timestamp_millis();
    let users: HashMap<String, roster_core::UserRecord> =
        store.users(sync, &UserQuery::default()).await?.into_iter().map(|u| (u.id.clone(), u)).collect();
    let email = |id: &str| users.get(id).map_or_else(|| format!("user {id}"), |u| u.email.clone());
    let mut r = Report::new(
        "login-signals",
        format!("Login signals of the last {} days (monday.com's audit log)", o.inactive_days),
        &["signal", "user_id", "email", "at", "detail"],
    );
    let q = |event: &str| AuditLogQuery {
        account: account.clone(),
        event: Some(event.into()),
        limit: MAX_ENTRIES,
        ..AuditLogQuery::default()
    };
    // Oldest first, per user.
    let mut logins: BTreeMap<String, Vec<AuditLogRow>> = BTreeMap::new();
    for e in store.audit_entries(&q("login")).await?.into_iter().rev() {
        if let Some(u) = e.user_id.clone() {
            logins.entry(u).or_default().push(e);
        }
    }
    for (user, list) in &logins {
        let (mut nets, mut devices) = (HashSet::new(), HashSet::new());
        for (i, e) in list.iter().enumerate() {
            let net = e.ip.as_deref().map(network);
            let dev = device(e);
            // The first login is the baseline, never news.
            if i > 0 && e.at_ms >= since {
                if let Some(n) = net.as_ref().filter(|n| !nets.contains(*n)) {
                    let ip = e.ip.clone().unwrap_or_default();
                    r.rows.push(vec![
                        "new network".into(),
                        user.clone(),
                        email(user),
                        time(e.at_ms),
                        format!("{ip} ({n})"),
                    ]);
                }
                if !devices.contains(&dev) {
                    r.rows.push(vec!["new device".into(), user.clone(), email(user), time(e.at_ms), dev.clone()]);
                }
            }
            nets.extend(net);
            devices.insert(dev);
        }
        // A login after the user was deactivated in monday.com is impossible unless someone
        // reactivated them, or the snapshot is stale: either way, worth a look.
        if let (Some(last), Some(u)) = (list.last(), users.get(user)) {
            if u.status == UserStatus::Deactivated && last.at_ms >= since {
                r.rows.push(vec![
                    "login of a deactivated user".into(),
                    user.clone(),
                    u.email.clone(),
                    time(last.at_ms),
                    "deactivated in the last snapshot".into(),
                ]);
            }
        }
    }
    let mut failed: BTreeMap<String, Vec<AuditLogRow>> = BTreeMap::new();
    for e in store.audit_entries(&q("failed-login")).await?.into_iter().rev().filter(|e| e.at_ms >= since) {
        failed.entry(e.user_id.clone().unwrap_or_default()).or_default().push(e);
    }
    for (user, list) in &failed {
        for burst in bursts(list) {
            let ips: BTreeMap<&str, ()> = burst.iter().filter_map(|e| e.ip.as_deref()).map(|i| (i, ())).collect();
            r.rows.push(vec![
                "failed-login burst".into(),
                user.clone(),
                email(user),
                time(burst[0].at_ms),
                format!(
                    "{} failed logins in {} min from {}",
                    burst.len(),
                    (burst[burst.len() - 1].at_ms - burst[0].at_ms) / 60_000 + 1,
                    ips.keys().copied().collect::<Vec<_>>().join(", ")
                ),
            ]);
        }
    }
    if let Some(source) = &o.source {
        let known: HashMap<String, bool> =
            source.iter().map(|p| (p.user_name.trim().to_lowercase(), p.active)).collect();
        for (user, list) in &logins {
            let Some(last) = list.last().filter(|l| l.at_ms >= since) else { continue };
            let mail = email(user).to_lowercase();
            let finding = match known.get(&mail) {
                None => "login of someone not in the source",
                Some(false) => "login of someone inactive in the source",
                Some(true) => continue,
            };
            r.rows.push(vec![
                finding.into(),
                user.clone(),
                email(user),
                time(last.at_ms),
                "last login in the window".into(),
            ]);
        }
    }
    r.rows.sort_by(|a, b| (&a[0], &a[3], &a[1]).cmp(&(&b[0], &b[3], &b[1])));
    Ok(r)
}

/// The bursts in one user's failed logins (oldest first): runs of at least
/// [`BURST_FAILURES`] within [`BURST_WINDOW_MIN`] minutes of the run's first, not overlapping.
fn bursts(list: &[AuditLogRow]) -> Vec<&[AuditLogRow]> {
    let mut out = vec![];
    let mut i = 0;
    while i < list.len() {
        let end = list[i].at_ms + BURST_WINDOW_MIN * 60_000;
        let j = i + list[i..].iter().take_while(|e| e.at_ms <= end).count();
        if j - i >= BURST_FAILURES {
            out.push(&list[i..j]);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(at_min: i64) -> AuditLogRow {
        AuditLogRow { at_ms: at_min * 60_000, event: "failed-login".into(), ..AuditLogRow::default() }
    }

    #[test]
    fn networks_group_nearby_addresses() {
        assert_eq!(network("81.66.10.4"), network("81.66.200.9"));
        assert_ne!(network("81.66.10.4"), network("81.67.10.4"));
        assert_eq!(network("2001:db8:1:2::1"), "2001:db8:1::/48");
        assert_eq!(network(" not-an-ip "), "not-an-ip");
    }

    #[test]
    fn bursts_need_five_failures_within_ten_minutes() {
        let four: Vec<_> = (0..4).map(failed).collect();
        assert!(bursts(&four).is_empty());
        let spread: Vec<_> = (0..6).map(|i| failed(i * 3)).collect();
        assert!(bursts(&spread).is_empty(), "six failures over 15 minutes are no burst");
        let mut two: Vec<_> = (0..5).map(failed).collect();
        two.extend((100..107).map(failed));
        let b = bursts(&two);
        assert_eq!(b.iter().map(|b| b.len()).collect::<Vec<_>>(), vec![5, 7]);
    }
}
