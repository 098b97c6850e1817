-- dialect-specific: SQLite keeps the counts with row triggers, PostgreSQL with statement triggers.
-- A campaign's progress (per reviewer, decision, remediation status, reassignment and
-- self-review) kept as counts beside its items, so a reviewer's inbox and the campaign page
-- read a handful of rows instead of counting a million items on every view. Triggers keep the
-- counts in the same transaction as every insert, update and delete of an item: no code path
-- can forget them. '' stands for "none" (undecided, no remediation) so the key has no NULLs.
-- Statement triggers with transition tables count a launch's million inserts in one pass, and
-- each statement's changes are applied in key order, so two transactions never lock the same
-- count rows in opposite orders.
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

CREATE FUNCTION review_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO review_counts AS c (campaign_id, reviewer, decision, remediation_status, reassigned, self_review, n)
        SELECT campaign_id, reviewer, COALESCE(decision, ''), COALESCE(remediation_status, ''),
               CASE WHEN reviewer <> original_reviewer THEN 1 ELSE 0 END, self_review, COUNT(*)
        FROM new_items GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (campaign_id, reviewer, decision, remediation_status, reassigned, self_review)
        DO UPDATE SET n = c.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO review_counts AS c (campaign_id, reviewer, decision, remediation_status, reassigned, self_review, n)
        SELECT campaign_id, reviewer, COALESCE(decision, ''), COALESCE(remediation_status, ''),
               CASE WHEN reviewer <> original_reviewer THEN 1 ELSE 0 END, self_review, -COUNT(*)
        FROM old_items GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (campaign_id, reviewer, decision, remediation_status, reassigned, self_review)
        DO UPDATE SET n = c.n + excluded.n;
    ELSE
        INSERT INTO review_counts AS c (campaign_id, reviewer, decision, remediation_status, reassigned, self_review, n)
        SELECT campaign_id, reviewer, decision, remediation_status, reassigned, self_review, SUM(d)
        FROM (
            SELECT campaign_id, reviewer, COALESCE(decision, '') AS decision,
                   COALESCE(remediation_status, '') AS remediation_status,
                   CASE WHEN reviewer <> original_reviewer THEN 1 ELSE 0 END AS reassigned, self_review, 1 AS d
            FROM new_items
            UNION ALL
            SELECT campaign_id, reviewer, COALESCE(decision, ''), COALESCE(remediation_status, ''),
                   CASE WHEN reviewer <> original_reviewer THEN 1 ELSE 0 END, self_review, -1
            FROM old_items
        ) AS changes
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (campaign_id, reviewer, decision, remediation_status, reassigned, self_review)
        DO UPDATE SET n = c.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER review_counts_insert AFTER INSERT ON review_items
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION review_counts_apply();
CREATE TRIGGER review_counts_delete AFTER DELETE ON review_items
    REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION review_counts_apply();
CREATE TRIGGER review_counts_update AFTER UPDATE ON review_items
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION review_counts_apply();

-- A reviewer's undecided items in order, for the inbox's "undecided only" pages.
CREATE INDEX items_open ON review_items (campaign_id, reviewer, seq) WHERE decision IS NULL;
