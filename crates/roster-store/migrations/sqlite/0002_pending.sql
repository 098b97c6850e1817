-- Changes Roster made that a later sync has yet to confirm.
CREATE TABLE pending_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL REFERENCES accounts(name),
    plan_id TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_sync INTEGER REFERENCES syncs(id),
    confirmed INTEGER
);
CREATE INDEX pending_open ON pending_changes (account, resolved_sync);
