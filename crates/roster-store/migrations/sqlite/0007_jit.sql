-- Just-in-time access: a request, its decision, the grant and its expiry. Status moves only
-- forward, by conditional updates, so two workers never act on one grant twice.
CREATE TABLE jit_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    requester TEXT NOT NULL,
    user_id TEXT NOT NULL,
    entitlement TEXT NOT NULL,
    justification TEXT NOT NULL,
    duration_s BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'denied', 'active', 'expiring', 'expired', 'failed')),
    preexisting BIGINT NOT NULL DEFAULT 0,
    decided_by TEXT,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT,
    warned BIGINT NOT NULL DEFAULT 0,
    ended_ms BIGINT,
    note TEXT
);
CREATE INDEX jit_by_status ON jit_grants (account, status, expires_ms);
