//! Deterministic generator of realistic monday.com accounts.
//!
//! The same `GenConfig` always yields the same `Org`, byte for byte, so tests can compare a
//! client's view with `monday-sim dump` of the same flags.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::*;

/// Default API token of the generated admin (the account's first user).
pub const DEFAULT_ADMIN_TOKEN: &str = "sim-admin-token";
/// Default API token of a generated regular member.
pub const DEFAULT_MEMBER_TOKEN: &str = "sim-member-token";
/// Default SCIM bearer token of a generated account.
pub const DEFAULT_SCIM_TOKEN: &str = "sim-scim-token";
/// Default API token of a generated guest.
pub const DEFAULT_GUEST_TOKEN: &str = "sim-guest-token";

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// Users to generate (at least 3).
    pub users: usize,
    /// Teams to generate.
    pub teams: usize,
    /// Workspaces to generate.
    pub workspaces: usize,
    /// Boards to generate.
    pub boards: usize,
    /// The random seed: the same seed gives the same org.
    pub seed: u64,
    /// Token of the admin user; the member and guest get the default tokens.
    pub admin_token: String,
    /// The generator's "now": activity and creation dates lie before it.
    pub now: DateTime<Utc>,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            users: 200,
            teams: 12,
            workspaces: 8,
            boards: 40,
            seed: 1,
            admin_token: DEFAULT_ADMIN_TOKEN.to_string(),
            now: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).single().unwrap_or_default(),
        }
    }
}

/// Why a configuration cannot be generated.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GenError {
    #[error("an org needs at least 3 users (an admin, a member and a guest with tokens); got {0}")]
    /// Fewer than three users.
    TooFewUsers(usize),
    #[error("the admin token must not be empty")]
    /// An empty admin token.
    EmptyToken,
}

const USER_ID_BASE: u64 = 40_000_000;
const TEAM_ID_BASE: u64 = 9_000_000;
const WORKSPACE_ID_BASE: u64 = 5_000_000;
const BOARD_ID_BASE: u64 = 1_800_000_000;

// Names chosen to exercise Unicode, apostrophes, accents and right-to-left text.
const FIRST: &[&str] = &[
    "Ana",
    "José",
    "Zoë",
    "François",
    "Siobhán",
    "Søren",
    "Łukasz",
    "Ünal",
    "Chloé",
    "Mateo",
    "Aiko",
    "Priya",
    "Olúwádámilọ́lá",
    "Noa",
    "Björn",
    "Mariá",
    "Kwame",
    "Ines",
    "Yusuf",
    "Lena",
    "Dmitri",
    "Hana",
    "Renée",
    "Tomás",
    "محمد",
    "יעל",
    "伟",
    "Jürgen",
    "Camille",
    "D'Arcy",
];
const LAST: &[&str] = &[
    "O'Brien",
    "Álvarez",
    "Müller",
    "Kierkegaard",
    "Ní Bhriain",
    "Wiśniewski",
    "Şahin",
    "Dubois",
    "García-López",
    "Tanaka",
    "Sharma",
    "Adébáyọ̀",
    "Levi",
    "Lindqvist",
    "Nguyễn",
    "Mensah",
    "Costa",
    "Yıldız",
    "Schmidt",
    "Ivanova",
    "Kowalczyk",
    "de la Cruz",
    "Fernández",
    "الأحمد",
    "כהן",
    "李",
    "Smith",
    "Jones",
    "D'Angelo",
    "van der Berg",
];
const TITLES: &[&str] = &[
    "",
    "Engineer",
    "Product Manager",
    "Designer",
    "Head of Sales",
    "Account Executive",
    "Finance Analyst",
    "Recruiter",
    "Support Lead",
    "Marketing Manager",
    "CFO",
    "Contractor",
    "Data Scientist",
    "Office Manager",
];
const TEAM_WORDS: &[&str] = &[
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "People & Culture",
    "Support",
    "Design",
    "Legal",
    "R&D — Paris",
    "Équipe Montréal",
    "Ops/Infra",
    "Partners (external)",
    "Growth",
    "Security",
    "Data",
];
const BOARD_WORDS: &[&str] = &[
    "Roadmap",
    "Sprint backlog",
    "Hiring pipeline",
    "Budget 2027",
    "Content calendar",
    "Vendor list",
    "Bug triage",
    "Onboarding",
    "Client projects",
    "Payroll — confidential",
    "OKRs",
    "Event plan",
    "Q4 «launch»",
    "Invoices",
    "Customer feedback",
];
const ZONES: &[(&str, f64, &str)] = &[
    ("Europe/Paris", 1.0, "FR"),
    ("America/New_York", -5.0, "US"),
    ("Asia/Tokyo", 9.0, "JP"),
    ("Europe/London", 0.0, "GB"),
    ("Asia/Jerusalem", 2.0, "IL"),
    ("Asia/Kolkata", 5.5, "IN"),
    ("America/Sao_Paulo", -3.0, "BR"),
];
const COMPANY_DOMAIN: &str = "acme-example.com";
const GUEST_DOMAINS: &[&str] = &["partner-example.org", "freelance-example.net", "client-example.io"];

/// Turns a display name into an ASCII e-mail local part ("Zoë O'Brien" → "zoe.o'brien").
fn local_part(first: &str, last: &str) -> String {
    let fold = |s: &str| -> String {
        s.chars()
            .filter_map(|c| {
                let c = match c {
                    'á' | 'à' | 'â' | 'ä' | 'Á' => 'a',
                    'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
                    'í' | 'ï' => 'i',
                    'ó' | 'ò' | 'ö' | 'ọ' => 'o',
                    'ú' | 'ü' | 'Ü' => 'u',
                    'ø' => 'o',
                    'ç' => 'c',
                    'ł' | 'Ł' => 'l',
                    'ś' | 'ş' | 'Ş' => 's',
                    'ı' => 'i',
                    'ễ' => 'e',
                    c => c,
                };
                if c.is_ascii_alphanumeric() || c == '\'' {
                    Some(c.to_ascii_lowercase())
                } else if c == ' ' || c == '-' {
                    Some('-')
                } else {
                    None
                }
            })
            .collect()
    };
    let (f, l) = (fold(first), fold(last));
    match (f.is_empty(), l.is_empty()) {
        (true, true) => "user".to_string(),
        (true, false) => l,
        (false, true) => f,
        (false, false) => format!("{f}.{l}"),
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A size drawn from a skewed distribution: mostly small, sometimes large, at most `max`.
fn skewed(rng: &mut ChaCha8Rng, min: usize, typical: usize, max: usize) -> usize {
    let max = max.max(min);
    let r: f64 = rng.random();
    let n = if r < 0.8 {
        rng.random_range(min..=typical.clamp(min, max))
    } else if r < 0.97 {
        rng.random_range(min..=(typical * 4).clamp(min, max))
    } else {
        max
    };
    n.clamp(min, max)
}

fn sample_from(rng: &mut ChaCha8Rng, pool: &[u64], n: usize) -> Vec<u64> {
    let n = n.min(pool.len());
    let mut v: Vec<u64> = sample(rng, pool.len(), n).into_iter().map(|i| pool[i]).collect();
    v.sort_unstable();
    v
}

/// Builds the account described by `cfg`.
pub fn generate(cfg: &GenConfig) -> Result<Org, GenError> {
    if cfg.users < 3 {
        return Err(GenError::TooFewUsers(cfg.users));
    }
    if cfg.admin_token.is_empty() {
        return Err(GenError::EmptyToken);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let now = cfg.now;
    let account_created = now - Duration::days(6 * 365);
    let mut users = gen_users(&mut rng, cfg, account_created);
    let all_ids: Vec<u64> = users.iter().map(|u| u.id).collect();
    let staff: Vec<u64> = users.iter().filter(|u| u.kind != UserKind::Guest).map(|u| u.id).collect();
    let owners_pool: Vec<u64> = users
        .iter()
        .filter(|u| matches!(u.kind, UserKind::Admin | UserKind::Member) && u.status == UserStatus::Active)
        .map(|u| u.id)
        .collect();
    let guests: Vec<u64> = users.iter().filter(|u| u.kind == UserKind::Guest).map(|u| u.id).collect();

    let teams = gen_teams(&mut rng, cfg, &staff, &guests, &owners_pool, account_created, now);
    let staff_team_ids: Vec<u64> = teams.iter().filter(|t| !t.is_guest).map(|t| t.id).collect();
    let all_team_ids: Vec<u64> = teams.iter().map(|t| t.id).collect();
    let workspaces = gen_workspaces(&mut rng, cfg, &staff, &owners_pool, &staff_team_ids, account_created, now);
    let boards = gen_boards(
        &mut rng,
        cfg,
        &workspaces,
        &staff,
        &guests,
        &owners_pool,
        &staff_team_ids,
        &all_team_ids,
        account_created,
        now,
    );
    let _ = all_ids;

    let admin = users[0].id;
    let member = users[1].id;
    let guest = users[2].id;
    let billable = users.iter().filter(|u| u.status != UserStatus::Inactive && u.kind != UserKind::Guest).count();
    let max_users = [10, 25, 50, 100, 200, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 200000]
        .into_iter()
        .find(|&s| s >= billable)
        .unwrap_or(billable.next_power_of_two()) as i32;
    let account = Account {
        id: 27_000_000 + cfg.seed % 1_000_000,
        name: "Acme Example Corp.".to_string(),
        slug: "acme-example".to_string(),
        tier: "enterprise".to_string(),
        plan: Plan { max_users, period: "yearly".to_string(), tier: "enterprise".to_string(), version: 9 },
        products: vec![
            Product {
                id: 1_100_001,
                kind: "core".to_string(),
                tier: "enterprise".to_string(),
                default_workspace_id: workspaces.first().map(|w| w.id),
            },
            Product { id: 1_100_002, kind: "crm".to_string(), tier: "pro".to_string(), default_workspace_id: None },
        ],
        country_code: "FR".to_string(),
        created_at: account_created,
    };
    add_service_and_agent_users(&mut users);
    let custom_roles = assign_custom_roles(cfg, &mut users);
    let departments = gen_departments(cfg, &users);
    let audit_log = crate::audit::generate(cfg.seed, &users, now);
    Ok(Org {
        audit_log,
        activity_log: vec![],
        account,
        custom_roles,
        departments,
        users,
        teams,
        workspaces,
        boards,
        tokens: vec![
            ApiToken { token: cfg.admin_token.clone(), user_id: admin },
            ApiToken { token: DEFAULT_MEMBER_TOKEN.to_string(), user_id: member },
            ApiToken { token: DEFAULT_GUEST_TOKEN.to_string(), user_id: guest },
        ],
        scim_token: Some(DEFAULT_SCIM_TOKEN.to_string()),
    })
}

const DEPARTMENTS: &[&str] =
    &["Finance", "Engineering", "Sales", "Marketing", "Operations", "People", "Legal", "Support", "Product", "Design"];

/// Departments (Enterprise): one per 100 users, from 2 to 10, each person but a guest in one
/// (about one in eight in none), reserved seats around what the members take, some short of
/// it. From a generator of their own, so every other fact of an org stays as it was.
fn gen_departments(cfg: &GenConfig, users: &[User]) -> Vec<Department> {
    if users.len() < 50 {
        return vec![];
    }
    let n = (users.len() / 100).clamp(2, DEPARTMENTS.len());
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x00DE_9A27_0001);
    let mut deps: Vec<Department> = (0..n)
        .map(|i| Department {
            id: 7_000 + i as u64 * 3,
            name: DEPARTMENTS[i].to_string(),
            reserved_seats: 0,
            members: vec![],
            owners: vec![],
        })
        .collect();
    for u in users.iter().filter(|u| u.kind.is_person() && u.kind != UserKind::Guest) {
        if rng.random_range(0..8) == 0 {
            continue;
        }
        deps[rng.random_range(0..n)].members.push(u.id);
    }
    let by_id: std::collections::HashMap<u64, &User> = users.iter().map(|u| (u.id, u)).collect();
    for d in &mut deps {
        let seats = d.members.iter().filter_map(|id| by_id.get(id)).filter(|u| World::takes_seat(u)).count();
        // Most reserve a little more than they use; every third a little less.
        let slack = rng.random_range(0..=5) as i64;
        d.reserved_seats = (seats as i64 + if d.id % 9 == 0 { -slack } else { slack }).max(0) as u32;
        d.owners = d.members.first().copied().into_iter().collect();
    }
    deps
}

/// About one user in a hundred becomes a service user (created by monday.com, for API tokens)
/// and one in a hundred an AI agent member, always active and confirmed. Chosen by position, not
/// drawn, so every other fact of an org is the same as before these kinds were generated.
fn add_service_and_agent_users(users: &mut [User]) {
    for (i, u) in users.iter_mut().enumerate().skip(3) {
        let (kind, method) = match (i % 97, i % 89) {
            (50, _) => (UserKind::ServiceUser, InvitationMethod::SystemCreation),
            (_, 60) => (UserKind::AgentMember, InvitationMethod::AgentUserCreation),
            _ => continue,
        };
        u.kind = kind;
        u.invitation_method = method;
        u.status = UserStatus::Active;
        u.is_email_confirmed = true;
        u.title = if kind == UserKind::ServiceUser { "Integration".into() } else { "AI agent".into() };
    }
}

/// Three custom roles (an Enterprise account's), one over each kind but admin, each held by
/// about one user in twenty of its kind. Drawn from a generator of their own, so every other
/// fact of an org is the same as before custom roles were generated. The three users with the
/// default tokens keep their basic roles. Ids follow the basic roles' 1-4 [INF].
fn assign_custom_roles(cfg: &GenConfig, users: &mut [User]) -> Vec<CustomRole> {
    let roles = vec![
        CustomRole { id: 5, name: "Finance contributor".into(), base: UserKind::Member },
        CustomRole { id: 6, name: "External auditor".into(), base: UserKind::Viewer },
        CustomRole { id: 7, name: "Agency partner".into(), base: UserKind::Guest },
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x00C0_57E0_0001);
    for u in users.iter_mut().skip(3) {
        if rng.random_range(0..20) == 0 {
            u.role_id = roles.iter().find(|r| r.base == u.kind).map(|r| r.id);
        }
    }
    roles
}

fn gen_users(rng: &mut ChaCha8Rng, cfg: &GenConfig, account_created: DateTime<Utc>) -> Vec<User> {
    let mut used = std::collections::HashSet::with_capacity(cfg.users);
    let span = (cfg.now - account_created).num_seconds().max(1);
    (0..cfg.users)
        .map(|i| {
            let first = *pick(rng, FIRST);
            let last = *pick(rng, LAST);
            // The first three users are the token holders: an admin, a member and a guest.
            let kind = match i {
                0 => UserKind::Admin,
                1 => UserKind::Member,
                2 => UserKind::Guest,
                _ => match rng.random_range(0..100) {
                    0..=2 => UserKind::Admin,
                    3..=12 => UserKind::Guest,
                    13..=20 => UserKind::Viewer,
                    _ => UserKind::Member,
                },
            };
            let status = if i < 3 {
                UserStatus::Active
            } else {
                match rng.random_range(0..100) {
                    0..=4 => UserStatus::Pending,
                    5..=11 => UserStatus::Inactive,
                    _ => UserStatus::Active,
                }
            };
            let domain = if kind == UserKind::Guest { *pick(rng, GUEST_DOMAINS) } else { COMPANY_DOMAIN };
            let mut local = local_part(first, last);
            if rng.random_range(0..25) == 0 {
                local.push_str("+monday");
            }
            let mut email = format!("{local}@{domain}");
            let mut n = 1;
            while !used.insert(email.to_lowercase()) {
                n += 1;
                email = format!("{local}{n}@{domain}");
            }
            // A few addresses keep the capitals people type, to test case-insensitive matching.
            if rng.random_range(0..30) == 0 {
                email = email[..1].to_uppercase() + &email[1..];
            }
            let created_at = account_created + Duration::seconds(rng.random_range(0..span));
            let became_active_at =
                (status != UserStatus::Pending).then(|| created_at + Duration::hours(rng.random_range(0..72)));
            let last_activity = match status {
                UserStatus::Pending => None,
                _ => {
                    let since_created = (cfg.now - created_at).num_seconds().max(1);
                    // Most people were active recently; a tail has been idle for months.
                    let idle = if rng.random_range(0..100) < 80 {
                        rng.random_range(0..(14 * 86_400).min(since_created))
                    } else {
                        rng.random_range(0..since_created)
                    };
                    Some(cfg.now - Duration::seconds(idle))
                }
            };
            let (tz, diff, cc) = *pick(rng, ZONES);
            let has_details = rng.random_range(0..3) > 0;
            User {
                id: USER_ID_BASE + 1 + i as u64 * 7,
                name: format!("{first} {last}"),
                email,
                title: pick(rng, TITLES).to_string(),
                kind,
                status,
                is_email_confirmed: status != UserStatus::Pending && rng.random_range(0..40) != 0,
                created_at,
                became_active_at,
                last_activity,
                time_zone_identifier: Some(tz.to_string()),
                utc_hours_diff: Some(diff),
                invitation_method: if i == 0 {
                    InvitationMethod::FirstUser
                } else {
                    match rng.random_range(0..10) {
                        0..=2 => InvitationMethod::Scim,
                        3..=5 => InvitationMethod::User,
                        6 => InvitationMethod::Sso,
                        7 => InvitationMethod::ApiUserCreation,
                        _ => InvitationMethod::AuthDomain,
                    }
                },
                birthday: has_details.then(|| {
                    format!(
                        "19{}-{:02}-{:02}",
                        rng.random_range(55..99),
                        rng.random_range(1..13),
                        rng.random_range(1..29)
                    )
                }),
                country_code: Some(cc.to_string()),
                location: has_details.then(|| tz.split('/').nth(1).unwrap_or(tz).replace('_', " ")),
                phone: has_details.then(|| format!("+1 555 01{:02}", rng.random_range(0..100))),
                mobile_phone: None,
                current_language: Some(if cc == "FR" { "fr" } else { "en" }.to_string()),
                has_photo: rng.random_range(0..2) == 0,
                external_id: None,
                role_id: None,
                scim_attributes: Default::default(),
            }
        })
        .collect()
}

fn gen_teams(
    rng: &mut ChaCha8Rng,
    cfg: &GenConfig,
    staff: &[u64],
    guests: &[u64],
    owners_pool: &[u64],
    account_created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Team> {
    let span = (now - account_created).num_seconds().max(1);
    (0..cfg.teams)
        .map(|i| {
            // One team in ten is a guest team, if there are guests.
            let is_guest = i % 10 == 9 && !guests.is_empty();
            let pool = if is_guest { guests } else { staff };
            let n = skewed(rng, 1, 12, 250.min(pool.len()));
            let members = sample_from(rng, pool, n);
            let owners = if is_guest {
                Vec::new()
            } else {
                let eligible: Vec<u64> =
                    members.iter().copied().filter(|m| owners_pool.binary_search(m).is_ok()).collect();
                let k = rng.random_range(0..=2usize.min(eligible.len()));
                sample_from(rng, &eligible, k)
            };
            let base = *pick(rng, TEAM_WORDS);
            Team {
                id: TEAM_ID_BASE + 1 + i as u64,
                name: if i < TEAM_WORDS.len() { base.to_string() } else { format!("{base} {}", i + 1) },
                is_guest,
                created_at: account_created + Duration::seconds(rng.random_range(0..span)),
                members,
                owners,
                // A third of the teams came from the IdP through SCIM.
                scim_provisioned: i % 3 == 0,
                external_id: (i % 3 == 0).then(|| format!("idp-group-{}", i + 1)),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn gen_workspaces(
    rng: &mut ChaCha8Rng,
    cfg: &GenConfig,
    staff: &[u64],
    owners_pool: &[u64],
    teams: &[u64],
    account_created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Workspace> {
    let span = (now - account_created).num_seconds().max(1);
    (0..cfg.workspaces)
        .map(|i| {
            let kind = match rng.random_range(0..100) {
                0..=69 => WorkspaceKind::Open,
                70..=94 => WorkspaceKind::Closed,
                _ => WorkspaceKind::Template,
            };
            let state = match rng.random_range(0..100) {
                0..=89 => State::Active,
                90..=96 => State::Archived,
                _ => State::Deleted,
            };
            let owners = {
                let n = rng.random_range(1..=3);
                sample_from(rng, owners_pool, n)
            };
            // The first workspace is the company-wide one: hundreds of members, several pages.
            let mut members = {
                let n = if i == 0 { staff.len().min(600) } else { skewed(rng, 0, 20, 600) };
                sample_from(rng, staff, n)
            };
            members.extend(&owners);
            members.sort_unstable();
            members.dedup();
            let team_members = {
                let n = rng.random_range(0..=4usize);
                sample_from(rng, teams, n)
            };
            let team_owners = {
                let n = rng.random_range(0..=1usize);
                sample_from(rng, &team_members, n)
            };
            Workspace {
                id: WORKSPACE_ID_BASE + 1 + i as u64 * 3,
                name: format!("{} {}", pick(rng, TEAM_WORDS), ["HQ", "Projects", "Space", "Hub"][i % 4]),
                kind,
                state,
                description: (i % 2 == 0).then(|| "Where the team's boards live".to_string()),
                created_at: account_created + Duration::seconds(rng.random_range(0..span)),
                members,
                owners,
                team_members,
                team_owners,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn gen_boards(
    rng: &mut ChaCha8Rng,
    cfg: &GenConfig,
    workspaces: &[Workspace],
    staff: &[u64],
    guests: &[u64],
    owners_pool: &[u64],
    staff_teams: &[u64],
    all_teams: &[u64],
    account_created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Board> {
    let span = (now - account_created).num_seconds().max(1);
    (0..cfg.boards)
        .map(|i| {
            let kind = match rng.random_range(0..100) {
                0..=59 => BoardKind::Public,
                60..=84 => BoardKind::Private,
                _ => BoardKind::Share,
            };
            let state = match rng.random_range(0..100) {
                0..=87 => State::Active,
                88..=95 => State::Archived,
                _ => State::Deleted,
            };
            let workspace_id = if workspaces.is_empty() || rng.random_range(0..100) < 15 {
                None
            } else {
                Some(pick(rng, workspaces).id)
            };
            let owners = {
                let n = rng.random_range(1..=3);
                sample_from(rng, owners_pool, n)
            };
            // A handful of boards sit exactly at monday's subscriber limit, so clients must page.
            let want = if i % 97 == 13 { MAX_BOARD_USER_SUBSCRIBERS } else { skewed(rng, 0, 15, 120) };
            let mut subscribers = sample_from(rng, staff, want.saturating_sub(owners.len()));
            // Guests can only be on shareable boards.
            if kind == BoardKind::Share && !guests.is_empty() {
                let room = MAX_BOARD_USER_SUBSCRIBERS.saturating_sub(subscribers.len() + owners.len());
                subscribers.extend({
                    let n = rng.random_range(1..=4usize).min(room);
                    sample_from(rng, guests, n)
                });
            }
            subscribers.extend(&owners);
            subscribers.sort_unstable();
            subscribers.dedup();
            // Boards meant to sit at the limit are topped up where owners overlapped the sample.
            if want == MAX_BOARD_USER_SUBSCRIBERS {
                for s in staff {
                    if subscribers.len() >= MAX_BOARD_USER_SUBSCRIBERS {
                        break;
                    }
                    if subscribers.binary_search(s).is_err() {
                        let at = subscribers.partition_point(|x| x < s);
                        subscribers.insert(at, *s);
                    }
                }
            }
            while subscribers.len() > MAX_BOARD_USER_SUBSCRIBERS {
                // Drop a non-owner to stay within the limit.
                if let Some(pos) = subscribers.iter().position(|s| owners.binary_search(s).is_err()) {
                    subscribers.remove(pos);
                }
            }
            let team_pool = if kind == BoardKind::Share { all_teams } else { staff_teams };
            let teams_wanted = if i % 89 == 7 { 60 } else { rng.random_range(0..=3usize) };
            let team_subscribers = sample_from(rng, team_pool, teams_wanted);
            let team_owners = {
                let n = rng.random_range(0..=1usize);
                sample_from(rng, &team_subscribers, n)
            };
            let created_at = account_created + Duration::seconds(rng.random_range(0..span));
            Board {
                id: BOARD_ID_BASE + 1 + i as u64 * 11,
                name: format!("{} #{}", pick(rng, BOARD_WORDS), i + 1),
                kind,
                state,
                workspace_id,
                creator_id: owners[0],
                description: (i % 3 == 0).then(|| "Tracked by the team".to_string()),
                created_at,
                updated_at: created_at
                    + Duration::seconds(rng.random_range(0..(now - created_at).num_seconds().max(1))),
                permissions: pick(rng, &["everyone", "everyone", "collaborators", "owners", "assignee"]).to_string(),
                subscribers,
                owners,
                team_subscribers,
                team_owners,
                everyone: kind == BoardKind::Public && rng.random_range(0..20) == 0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_org_and_valid() {
        let cfg = GenConfig { users: 500, teams: 30, workspaces: 10, boards: 120, ..GenConfig::default() };
        let a = generate(&cfg).unwrap();
        let b = generate(&cfg).unwrap();
        assert_eq!(a, b);
        let world = World::new(a).unwrap();
        assert_eq!(world.users().len(), 500);
    }

    #[test]
    fn different_seed_different_org() {
        let a = generate(&GenConfig::default()).unwrap();
        let b = generate(&GenConfig { seed: 2, ..GenConfig::default() }).unwrap();
        assert_ne!(a.users, b.users);
    }

    #[test]
    fn org_has_the_realistic_shape() {
        let org = generate(&GenConfig { users: 2000, teams: 40, workspaces: 20, boards: 400, ..GenConfig::default() })
            .unwrap();
        let count = |f: &dyn Fn(&User) -> bool| org.users.iter().filter(|u| f(u)).count();
        for kind in [UserKind::Admin, UserKind::Member, UserKind::Viewer, UserKind::Guest] {
            assert!(count(&|u| u.kind == kind) > 10, "{kind:?}");
        }
        for status in [UserStatus::Active, UserStatus::Pending, UserStatus::Inactive] {
            assert!(count(&|u| u.status == status) > 10, "{status:?}");
        }
        assert!(count(&|u| !u.is_email_confirmed && u.status == UserStatus::Active) > 0);
        assert!(count(&|u| u.email.contains('+')) > 0);
        assert!(count(&|u| u.email.contains('\'')) > 0);
        assert!(count(&|u| !u.name.is_ascii()) > 100);
        assert!(org.boards.iter().any(|b| b.subscribers.len() == MAX_BOARD_USER_SUBSCRIBERS));
        assert!(org.boards.iter().any(|b| b.team_subscribers.len() > 25));
        assert!(org.boards.iter().any(|b| b.everyone));
        assert!(org.boards.iter().any(|b| b.workspace_id.is_none()));
        for kind in [BoardKind::Public, BoardKind::Private, BoardKind::Share] {
            assert!(org.boards.iter().any(|b| b.kind == kind));
        }
        for state in [State::Active, State::Archived, State::Deleted] {
            assert!(org.boards.iter().any(|b| b.state == state));
        }
        assert!(org.teams.iter().any(|t| t.is_guest));
        assert!(org.workspaces.iter().any(|w| w.kind == WorkspaceKind::Closed));
        // Guests are only ever on shareable boards.
        let guests: std::collections::HashSet<u64> =
            org.users.iter().filter(|u| u.kind == UserKind::Guest).map(|u| u.id).collect();
        for b in &org.boards {
            if b.kind != BoardKind::Share {
                assert!(b.subscribers.iter().all(|s| !guests.contains(s)), "board {}", b.id);
            }
        }
    }

    #[test]
    fn too_few_users_is_an_error() {
        assert_eq!(generate(&GenConfig { users: 2, ..GenConfig::default() }), Err(GenError::TooFewUsers(2)));
    }

    #[test]
    fn local_parts_are_ascii() {
        assert_eq!(local_part("Zoë", "O'Brien"), "zoe.o'brien");
        assert_eq!(local_part("محمد", "الأحمد"), "user");
        assert_eq!(local_part("José", "García-López"), "jose.garcia-lopez");
    }
}
