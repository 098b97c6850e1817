-- Whether a sync's pages add the rows through teams their new grants and memberships bring
-- (sql/team_access.rs): its finish then brings up to date only the teams it closed something
-- of. A sync begun before (resumed after the upgrade) has 0 and is finished the old way.
ALTER TABLE syncs ADD COLUMN pages_add_team_access BIGINT NOT NULL DEFAULT 0;

-- The boards and workspaces a page left its rows through teams to the finish for (see
-- `Page::defer_team_access`); the finish writes them and deletes these.
CREATE TABLE sync_deferred_team_access (
    sync_id BIGINT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    rtype TEXT NOT NULL,
    rid TEXT NOT NULL,
    PRIMARY KEY (sync_id, rtype, rid)
);
