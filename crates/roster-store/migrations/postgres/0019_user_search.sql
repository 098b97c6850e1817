-- dialect-specific: SQLite searches through an FTS5 trigram index, PostgreSQL through pg_trgm.
-- E-mail and name search through an index instead of a scan with a leading-wildcard LIKE:
-- trigram GIN indexes (the pg_trgm extension, shipped with PostgreSQL and trusted since
-- version 13, so a database owner may create it) serve `LIKE '%text%'` on the e-mail and the
-- lower-cased name. Where the extension cannot be created, search still works, by a scan; the
-- store's statistics say which (`roster store stats`).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm could not be created (%): user search will scan instead of using an index', SQLERRM;
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX users_search_email ON users USING gin (email_lower gin_trgm_ops)';
        EXECUTE 'CREATE INDEX users_search_name ON users USING gin ((LOWER(name)) gin_trgm_ops)';
    END IF;
END
$$;
