-- Users are listed in monday.com id order (numeric); this index serves paged listings
-- without sorting the whole snapshot.
CREATE INDEX users_in_order ON users (sync_id, (CAST(id AS BIGINT)), id);
