-- dialect-specific: SQLite searches through an FTS5 trigram index, PostgreSQL through pg_trgm.
-- E-mail and name search through an index instead of a scan with a leading-wildcard LIKE: an
-- FTS5 table with the trigram tokenizer (case-insensitive substrings of three characters or
-- more) over every stored user row, kept by triggers in the same transaction as the rows.
-- It holds no copy of the text (content='users'): it indexes the users table's own columns.
CREATE VIRTUAL TABLE users_search USING fts5(
    email_lower, name, content = 'users', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, email_lower, name) VALUES (new.rowid, new.email_lower, new.name);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email_lower, name) VALUES ('delete', old.rowid, old.email_lower, old.name);
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF email_lower, name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email_lower, name) VALUES ('delete', old.rowid, old.email_lower, old.name);
    INSERT INTO users_search (rowid, email_lower, name) VALUES (new.rowid, new.email_lower, new.name);
END;
