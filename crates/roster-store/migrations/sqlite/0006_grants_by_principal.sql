-- "What can this user reach" reads only this index: with every grant column in it, the
-- planner no longer prefers scanning the whole snapshot through the primary key.
DROP INDEX grants_by_principal;
CREATE INDEX grants_by_principal ON grants (sync_id, ptype, pid, rtype, rid, slug, source);
