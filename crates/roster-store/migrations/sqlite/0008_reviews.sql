-- Access review campaigns: the definition, the items frozen from one snapshot at launch, each
-- reviewer's decisions and sign-off, and each revocation's remediation and verification.
CREATE TABLE review_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'launched', 'closing', 'closed')),
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    due_ms BIGINT NOT NULL,
    launched_ms BIGINT,
    sync_id BIGINT,
    snapshot_ms BIGINT,
    closed_ms BIGINT,
    plan_id TEXT
);
CREATE INDEX campaigns_by_account ON review_campaigns (account, id);

CREATE TABLE review_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES review_campaigns (id),
    seq BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    user_email TEXT NOT NULL,
    user_name TEXT NOT NULL,
    user_status TEXT NOT NULL,
    user_role TEXT NOT NULL,
    user_last_activity_ms BIGINT,
    entitlement TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    source TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    original_reviewer TEXT NOT NULL,
    self_review BIGINT NOT NULL DEFAULT 0,
    decision TEXT CHECK (decision IS NULL OR decision IN ('certify', 'revoke')),
    decided_by TEXT,
    decided_ms BIGINT,
    justification TEXT,
    remediation_action TEXT,
    remediation_status TEXT,
    remediation_note TEXT,
    applied_ms BIGINT,
    verified_absent_ms BIGINT,
    UNIQUE (campaign_id, seq)
);
CREATE INDEX items_by_reviewer ON review_items (campaign_id, reviewer, seq);
CREATE INDEX items_to_verify ON review_items (remediation_status, verified_absent_ms);

CREATE TABLE review_signoffs (
    campaign_id BIGINT NOT NULL REFERENCES review_campaigns (id),
    reviewer TEXT NOT NULL,
    signed_ms BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, reviewer)
);
