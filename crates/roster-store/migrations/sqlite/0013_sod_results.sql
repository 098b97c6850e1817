-- Separation-of-duties violations found in a snapshot, per set of rules (their fingerprint):
-- the next sync compares against them instead of evaluating the previous snapshot again.
CREATE TABLE sod_results (
    sync_id BIGINT NOT NULL,
    rules TEXT NOT NULL,
    violations TEXT NOT NULL,
    PRIMARY KEY (sync_id, rules)
);
