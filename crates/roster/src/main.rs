//! `roster`: see who has access to what in monday.com, and keep it fresh.

mod commands;
mod config;
mod context;
mod memory;
mod output;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Format;

#[derive(Parser)]
#[command(name = "roster", version, about = "Self-hosted identity governance and lifecycle for monday.com")]
pub(crate) struct Cli {
    /// Configuration file.
    #[arg(long, global = true, env = "ROSTER_CONFIG", default_value = "roster.toml")]
    pub config: PathBuf,
    /// Store file (overrides [store] path).
    #[arg(long, global = true, env = "ROSTER_STORE")]
    pub store: Option<PathBuf>,
    /// Account to work on (needed when several are configured).
    #[arg(long, global = true, env = "ROSTER_ACCOUNT")]
    pub account: Option<String>,
    /// Output format of lists.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Write a commented example roster.toml.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Start monday-sim with a generated org, sync it into a fresh store, print a summary.
    Demo(commands::demo::DemoArgs),
    /// Sync every configured account (or --account) into a new snapshot.
    Sync,
    /// List users.
    Users(commands::inventory::UsersArgs),
    /// List teams with their member and owner counts.
    Teams,
    /// List workspaces with their member and owner counts.
    Workspaces,
    /// List boards with their subscriber and owner counts.
    Boards,
    /// Every entitlement of one user (id or e-mail), with its source.
    Access {
        /// User id or e-mail.
        user: String,
    },
    /// Who has access to a board, workspace or team, and why (e.g. board:123, team:5).
    Who {
        /// type:id, for example board:123.
        resource: String,
    },
    /// Changes between two syncs (default: the last two completed).
    Diff {
        /// Older sync id.
        from: Option<i64>,
        /// Newer sync id.
        to: Option<i64>,
    },
    /// Stored events (changes and syncs), oldest first.
    Events(commands::history::EventsArgs),
    /// monday.com's audit log as `roster sync` read it (Enterprise): logins, failed logins, admin changes, newest first.
    Logins(commands::logins::LoginsArgs),
    /// Sync runs, newest first.
    Syncs {
        /// How many (1 to 100,000).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        limit: u32,
    },
    /// Invite people (they stay pending until they accept).
    Invite {
        /// E-mails of the people to invite.
        #[arg(required = true)]
        emails: Vec<String>,
        /// admin, member, viewer or guest.
        #[arg(long, default_value = "member")]
        role: String,
        #[command(flatten)]
        opts: commands::change::ChangeOpts,
    },
    /// Change a user's role.
    Role {
        /// User id or e-mail.
        user: String,
        /// admin, member, viewer or guest (or --role-id for a custom role).
        #[arg(required_unless_present = "role_id", conflicts_with = "role_id")]
        role: Option<String>,
        /// A custom role's id (Enterprise; the role entitlements in `roster access` name them).
        #[arg(long, value_name = "ID")]
        role_id: Option<String>,
        #[command(flatten)]
        opts: commands::change::ChangeOpts,
    },
    /// Deactivate users (id or e-mail).
    Deactivate {
        /// Users, by id or e-mail.
        #[arg(required = true)]
        users: Vec<String>,
        #[command(flatten)]
        opts: commands::change::ChangeOpts,
    },
    /// Activate deactivated users (id or e-mail).
    Activate {
        /// Users, by id or e-mail.
        #[arg(required = true)]
        users: Vec<String>,
        #[command(flatten)]
        opts: commands::change::ChangeOpts,
    },
    /// Grant an entitlement (board:123:subscriber, workspace:9:owner, team:5:member) to a user (id or e-mail) or a team (team:5).
    Grant {
        /// A user (id or e-mail) or a team (team:5).
        principal: String,
        /// The entitlement (board:123:subscriber, workspace:9:owner, team:5:member).
        entitlement: String,
        #[command(flatten)]
        opts: commands::change::ChangeOpts,
    },
    /// Revoke an entitlement from a user or a team.
    Revoke {
        /// A user (id or e-mail) or a team (team:5).
        principal: String,
        /// The entitlement (board:123:subscriber, workspace:9:owner, team:5:member).
        entitlement: String,
        #[command(flatten)]
        opts: commands::change::ChangeOpts,
    },
    /// Create or delete teams.
    #[command(subcommand)]
    Team(commands::change::TeamCommand),
    /// Provision users and groups from a source of truth through SCIM (plan, apply, import).
    #[command(subcommand)]
    Scim(commands::scim::ScimCommand),
    /// Run the HTTP API and sync every account on its schedule.
    Serve,
    /// API keys for `roster serve`.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Measure syncs of generated orgs against monday-sim with monday's default budget.
    Bench(commands::bench::BenchArgs),
    /// Governance reports: inactive, seats, service-users, departments, admins, external, everyone-boards, ownerless, offboarding, sod, unmanaged, logins, login-signals.
    Report(commands::report::ReportArgs),
    /// Just-in-time access: request, approve, deny, list, expire.
    #[command(subcommand)]
    Jit(commands::jit::JitCommand),
    /// Retention of old snapshots (prune), and what the store holds (stats).
    #[command(subcommand)]
    Store(commands::store::StoreCommand),
    /// Snapshots for other tools: a baton c1z file (`roster export c1z --out acme.c1z`).
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Separation-of-duties rules ([[sod]] in the configuration).
    #[command(subcommand)]
    Sod(SodCommand),
    /// Access review campaigns: create, launch, list, show, decide, signoff, close, export, verify.
    #[command(subcommand)]
    Review(commands::review::ReviewCommand),
    /// Plans waiting for a second admin ([approval] in the configuration): list, show, approve, reject.
    #[command(subcommand)]
    Plan(commands::plan::PlanCommand),
}

#[derive(Subcommand)]
pub(crate) enum SodCommand {
    /// List the violations in the last snapshot (exit status 1 when there are any).
    Check,
}

#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Read a key on standard input and print the hash to put in [[server.api_keys]].
    Hash,
}

fn main() -> ExitCode {
    // Parsing starts no thread, so the allocator is still set before any other thread exists.
    let cli = Cli::parse();
    let serves = matches!(&cli.command, Command::Serve) || matches!(&cli.command, Command::Bench(b) if b.api);
    memory::cap_malloc_arenas(serves);
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROSTER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal: logs collected by a service manager or a
        // file must not carry escape codes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // `roster users | head` closes the pipe early: that is not a failure, in any format.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether an error is a write to a pipe the reader closed, however it was wrapped (tables
/// write through io, JSON through serde_json, CSV through the csv crate).
fn closed_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind) == Some(BrokenPipe)
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|x| matches!(x.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe))
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::Cli;

    /// Numbers from the command line are bounded where they are read: `--minutes` so no
    /// duration overflows (u64::MAX minutes wrapped to a few minutes in a release build), the
    /// demo's and the bench's sizes so no org is generated past memory, limits so no list is
    /// unbounded.
    #[test]
    fn numbers_are_bounded_where_they_are_read() {
        let ask = |m: &str| {
            Cli::try_parse_from([
                "roster",
                "jit",
                "request",
                "--user",
                "a@b.c",
                "--entitlement",
                "board:1:subscriber",
                "--justification",
                "x",
                "--minutes",
                m,
            ])
        };
        for bad in ["0", "43201", "18446744073709551615"] {
            let e = ask(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("--minutes"), "{bad}: {e}");
        }
        assert!(ask("30").is_ok());
        assert!(ask("43200").is_ok());
        for (args, flag) in [
            (&["demo", "--users", "99999999999"][..], "--users"),
            (&["demo", "--users", "2"][..], "--users"),
            (&["demo", "--boards", "18446744073709551615"][..], "--boards"),
            (&["bench", "--sizes", "1000,99999999999"][..], "--sizes"),
            (&["bench", "--concurrency", "0"][..], "--concurrency"),
            (&["bench", "--latency-ms", "99999999"][..], "--latency-ms"),
            (&["syncs", "--limit", "0"][..], "--limit"),
            (&["events", "--limit", "4294967295"][..], "--limit"),
        ] {
            let argv = std::iter::once("roster").chain(args.iter().copied());
            let e = Cli::try_parse_from(argv).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
        assert!(Cli::try_parse_from(["roster", "demo", "--users", "3", "--teams", "0"]).is_ok());
    }
}
