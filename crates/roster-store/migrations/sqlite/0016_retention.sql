-- Retention: a pruned sync keeps its run and its events, and loses its snapshot rows (users,
-- resources, grants). pruned_at says when, so no read mistakes an empty snapshot for an empty
-- account.
ALTER TABLE syncs ADD COLUMN pruned_at TEXT;
