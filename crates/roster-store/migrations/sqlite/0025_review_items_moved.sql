-- dialect-specific: SQLite and PostgreSQL write triggers differently.
-- How many times an item of the campaign has changed reviewer. A launched campaign's items
-- never change otherwise (frozen at launch, never deleted), so a reviewer's list of items is
-- the same while this number is: the inbox keeps seek points per (campaign, reviewer, this
-- number), and an offset typed into the address bar starts from the nearest one instead of
-- stepping over every item before it. A trigger keeps it, so no code path can forget.
ALTER TABLE review_campaigns ADD COLUMN items_moved BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER review_items_moved AFTER UPDATE OF reviewer ON review_items
WHEN old.reviewer <> new.reviewer BEGIN
    UPDATE review_campaigns SET items_moved = items_moved + 1 WHERE id = new.campaign_id;
END;
