-- Plans that wait for a second admin's approval (four eyes): what they carry out, the
-- snapshot they were computed on, who made them and who decided. Status moves only forward,
-- by conditional updates, so two approvers never run one plan twice.
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('actions', 'scim', 'review_close')),
    sync_id BIGINT,
    body TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending_approval', 'approved', 'applied', 'failed', 'rejected')),
    requested_by TEXT NOT NULL,
    reason TEXT,
    created_ms BIGINT NOT NULL,
    decided_by TEXT,
    decided_ms BIGINT,
    note TEXT
);
CREATE INDEX plans_by_status ON plans (account, status, created_ms);
