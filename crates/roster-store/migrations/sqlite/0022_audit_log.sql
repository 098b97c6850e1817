-- monday.com's audit log (Enterprise): logins, logouts, failed logins and admin changes, read
-- incrementally. `entry_key` is the entry's content digest and its rank among identical
-- entries of one read (monday.com gives entries no id), so a window read twice stores each
-- entry once. `audit_log_cursors` says up to when each account's log has been read.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL REFERENCES accounts(name),
    entry_key TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    event TEXT NOT NULL,
    user_id TEXT,
    ip TEXT,
    user_agent TEXT,
    client_name TEXT,
    os_name TEXT,
    device_type TEXT,
    metadata TEXT,
    UNIQUE (account, entry_key)
);
CREATE INDEX audit_log_by_time ON audit_log (account, at_ms);
CREATE INDEX audit_log_by_user ON audit_log (account, user_id, event, at_ms);
CREATE TABLE audit_log_cursors (
    account TEXT PRIMARY KEY REFERENCES accounts(name),
    read_until_ms INTEGER NOT NULL
);
