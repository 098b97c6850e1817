-- A user's (or any subject's) recent events, for the web UI's user page.
CREATE INDEX events_by_subject ON events (subject, id);
