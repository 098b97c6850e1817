-- Delta storage: a snapshot stores what changed since the previous one. Each row of users,
-- resources and grants carries the account, the sync that added it (from_sync) and the sync
-- that removed it (to_sync, NULL while it holds): it belongs to snapshot N of its account
-- when from_sync <= N < to_sync. An unchanged re-sync writes no rows.
-- `digest` fingerprints a user's or resource's stored values, so a sync compares a page with
-- what holds without reading every column back; rows moved here have none and are rewritten
-- once by the next sync that sees them.
-- Every stored snapshot S becomes rows [S, S + 1), exactly what it held; the newest completed
-- snapshot of each account stays open. The rows of unfinished syncs are dropped with their
-- checkpoints: a resumed sync reads every part again.

CREATE TABLE users_delta (
    account TEXT NOT NULL,
    from_sync BIGINT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    to_sync BIGINT,
    digest TEXT,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    title TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    is_email_confirmed BIGINT NOT NULL,
    created_at TEXT,
    became_active_at TEXT,
    last_activity TEXT,
    time_zone TEXT,
    invitation_method TEXT,
    PRIMARY KEY (account, id, from_sync)
);
INSERT INTO users_delta (account, from_sync, to_sync, digest, id, name, email, email_lower, title, role, status,
    is_email_confirmed, created_at, became_active_at, last_activity, time_zone, invitation_method)
SELECT s.account, u.sync_id,
       CASE WHEN u.sync_id = (SELECT MAX(c.id) FROM syncs c WHERE c.account = s.account AND c.status = 'completed')
            THEN NULL ELSE u.sync_id + 1 END,
       NULL, u.id, u.name, u.email, u.email_lower, u.title, u.role, u.status,
       u.is_email_confirmed, u.created_at, u.became_active_at, u.last_activity, u.time_zone, u.invitation_method
FROM users u JOIN syncs s ON s.id = u.sync_id WHERE s.status = 'completed';
DROP TABLE users;
ALTER TABLE users_delta RENAME TO users;
CREATE UNIQUE INDEX users_open ON users (account, id) WHERE to_sync IS NULL;
CREATE INDEX users_in_order ON users (account, (CAST(id AS BIGINT)), id);
CREATE INDEX users_by_email ON users (account, email_lower);
CREATE INDEX users_added ON users (account, from_sync);
CREATE INDEX users_removed ON users (account, to_sync) WHERE to_sync IS NOT NULL;

CREATE TABLE resources_delta (
    account TEXT NOT NULL,
    from_sync BIGINT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    to_sync BIGINT,
    digest TEXT,
    rtype TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT,
    kind TEXT,
    state TEXT,
    PRIMARY KEY (account, rtype, id, from_sync)
);
INSERT INTO resources_delta (account, from_sync, to_sync, digest, rtype, id, name, parent, kind, state)
SELECT s.account, r.sync_id,
       CASE WHEN r.sync_id = (SELECT MAX(c.id) FROM syncs c WHERE c.account = s.account AND c.status = 'completed')
            THEN NULL ELSE r.sync_id + 1 END,
       NULL, r.rtype, r.id, r.name, r.parent, r.kind, r.state
FROM resources r JOIN syncs s ON s.id = r.sync_id WHERE s.status = 'completed';
DROP TABLE resources;
ALTER TABLE resources_delta RENAME TO resources;
CREATE UNIQUE INDEX resources_open ON resources (account, rtype, id) WHERE to_sync IS NULL;
CREATE INDEX resources_added ON resources (account, from_sync);
CREATE INDEX resources_removed ON resources (account, to_sync) WHERE to_sync IS NOT NULL;

CREATE TABLE grants_delta (
    account TEXT NOT NULL,
    from_sync BIGINT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    to_sync BIGINT,
    rtype TEXT NOT NULL,
    rid TEXT NOT NULL,
    slug TEXT NOT NULL,
    ptype TEXT NOT NULL,
    pid TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (account, rtype, rid, slug, ptype, pid, source, from_sync)
);
INSERT INTO grants_delta (account, from_sync, to_sync, rtype, rid, slug, ptype, pid, source)
SELECT s.account, g.sync_id,
       CASE WHEN g.sync_id = (SELECT MAX(c.id) FROM syncs c WHERE c.account = s.account AND c.status = 'completed')
            THEN NULL ELSE g.sync_id + 1 END,
       g.rtype, g.rid, g.slug, g.ptype, g.pid, g.source
FROM grants g JOIN syncs s ON s.id = g.sync_id WHERE s.status = 'completed';
DROP TABLE grants;
ALTER TABLE grants_delta RENAME TO grants;
CREATE UNIQUE INDEX grants_open ON grants (account, rtype, rid, slug, ptype, pid, source) WHERE to_sync IS NULL;
-- "What can this user reach" reads only this index.
CREATE INDEX grants_by_principal ON grants (account, ptype, pid, rtype, rid, slug, source, from_sync, to_sync);
CREATE INDEX grants_added ON grants (account, from_sync);
CREATE INDEX grants_removed ON grants (account, to_sync) WHERE to_sync IS NOT NULL;
-- Access through a team, found by its team when the team's members or grants change.
CREATE INDEX grants_derived_open ON grants (account, source) WHERE to_sync IS NULL AND source <> 'direct';

DELETE FROM sync_progress WHERE sync_id IN (SELECT id FROM syncs WHERE status <> 'completed');

-- What each page of a running sync saw (16-byte fingerprints of row keys), so the rows no
-- page saw are closed when it finishes, also after a restart; deleted when it completes.
CREATE TABLE sync_seen (
    sync_id BIGINT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    keys BYTEA NOT NULL
);
CREATE INDEX sync_seen_by_sync ON sync_seen (sync_id);
