-- dialect-specific: SQLite keeps the counts with row triggers, PostgreSQL with statement triggers.
-- A campaign's progress (per reviewer, decision, remediation status, reassignment and
-- self-review) kept as counts beside its items, so a reviewer's inbox and the campaign page
-- read a handful of rows instead of counting a million items on every view. Triggers keep the
-- counts in the same transaction as every insert, update and delete of an item: no code path
-- can forget them. '' stands for "none" (undecided, no remediation) so the key has no NULLs.
CREATE TABLE review_counts (
    campaign_id BIGINT NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    remediation_status TEXT NOT NULL,
    reassigned BIGINT NOT NULL,
    self_review BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, reviewer, decision, remediation_status, reassigned, self_review)
);
INSERT INTO review_counts (campaign_id, reviewer, decision, remediation_status, reassigned, self_review, n)
SELECT campaign_id, reviewer, COALESCE(decision, ''), COALESCE(remediation_status, ''),
       CASE WHEN reviewer <> original_reviewer THEN 1 ELSE 0 END, self_review, COUNT(*)
FROM review_items
GROUP BY campaign_id, reviewer, COALESCE(decision, ''), COALESCE(remediation_status, ''),
         CASE WHEN reviewer <> original_reviewer THEN 1 ELSE 0 END, self_review;

CREATE TRIGGER review_counts_insert AFTER INSERT ON review_items BEGIN
    INSERT INTO review_counts (campaign_id, reviewer, decision, remediation_status, reassigned, self_review, n)
    VALUES (new.campaign_id, new.reviewer, COALESCE(new.decision, ''), COALESCE(new.remediation_status, ''),
            CASE WHEN new.reviewer <> new.original_reviewer THEN 1 ELSE 0 END, new.self_review, 1)
    ON CONFLICT (campaign_id, reviewer, decision, remediation_status, reassigned, self_review) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER review_counts_delete AFTER DELETE ON review_items BEGIN
    UPDATE review_counts SET n = n - 1
    WHERE campaign_id = old.campaign_id AND reviewer = old.reviewer AND decision = COALESCE(old.decision, '')
      AND remediation_status = COALESCE(old.remediation_status, '')
      AND reassigned = CASE WHEN old.reviewer <> old.original_reviewer THEN 1 ELSE 0 END AND self_review = old.self_review;
END;

CREATE TRIGGER review_counts_update
AFTER UPDATE OF campaign_id, reviewer, original_reviewer, decision, remediation_status, self_review ON review_items BEGIN
    UPDATE review_counts SET n = n - 1
    WHERE campaign_id = old.campaign_id AND reviewer = old.reviewer AND decision = COALESCE(old.decision, '')
      AND remediation_status = COALESCE(old.remediation_status, '')
      AND reassigned = CASE WHEN old.reviewer <> old.original_reviewer THEN 1 ELSE 0 END AND self_review = old.self_review;
    INSERT INTO review_counts (campaign_id, reviewer, decision, remediation_status, reassigned, self_review, n)
    VALUES (new.campaign_id, new.reviewer, COALESCE(new.decision, ''), COALESCE(new.remediation_status, ''),
            CASE WHEN new.reviewer <> new.original_reviewer THEN 1 ELSE 0 END, new.self_review, 1)
    ON CONFLICT (campaign_id, reviewer, decision, remediation_status, reassigned, self_review) DO UPDATE SET n = n + 1;
END;

-- A reviewer's undecided items in order, for the inbox's "undecided only" pages.
CREATE INDEX items_open ON review_items (campaign_id, reviewer, seq) WHERE decision IS NULL;
