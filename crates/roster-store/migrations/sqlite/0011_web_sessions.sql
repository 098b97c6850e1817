-- Web UI sessions, shared by every worker: the SHA-256 of the cookie's token (never the token),
-- the API key's name and role it was opened with, its CSRF token, and when it started and was
-- last used (it ends after 30 idle minutes or 8 hours).
CREATE TABLE web_sessions (
    digest TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    csrf TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    seen_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_seen ON web_sessions (seen_ms);
