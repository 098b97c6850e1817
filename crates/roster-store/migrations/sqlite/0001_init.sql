-- Roster's store. Every row knows its account (directly, or through its sync).
-- Times are RFC 3339 text; ids are monday.com's, as text.

CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE syncs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL REFERENCES accounts(name),
    status TEXT NOT NULL CHECK (status IN ('running', 'interrupted', 'completed')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    api_version TEXT NOT NULL,
    resumed INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    complexity INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX syncs_by_account ON syncs (account, status, id);

-- Checkpoints: how far each part of a sync got; written in the same transaction as its rows.
CREATE TABLE sync_progress (
    sync_id INTEGER NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    part TEXT NOT NULL,
    next_offset INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sync_id, part)
);

CREATE TABLE account_snapshots (
    sync_id INTEGER PRIMARY KEY REFERENCES syncs(id) ON DELETE CASCADE,
    monday_id TEXT NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    tier TEXT,
    plan_tier TEXT,
    max_users INTEGER,
    active_members_count INTEGER
);

CREATE TABLE users (
    sync_id INTEGER NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    title TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    is_email_confirmed INTEGER NOT NULL,
    created_at TEXT,
    became_active_at TEXT,
    last_activity TEXT,
    time_zone TEXT,
    invitation_method TEXT,
    PRIMARY KEY (sync_id, id)
);
CREATE INDEX users_by_email ON users (sync_id, email_lower);

CREATE TABLE resources (
    sync_id INTEGER NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    rtype TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT,
    kind TEXT,
    state TEXT,
    PRIMARY KEY (sync_id, rtype, id)
);

CREATE TABLE grants (
    sync_id INTEGER NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    rtype TEXT NOT NULL,
    rid TEXT NOT NULL,
    slug TEXT NOT NULL,
    ptype TEXT NOT NULL,
    pid TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (sync_id, rtype, rid, slug, ptype, pid, source)
);
CREATE INDEX grants_by_principal ON grants (sync_id, ptype, pid);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL REFERENCES accounts(name),
    sync_id INTEGER REFERENCES syncs(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX events_by_account ON events (account, id);
