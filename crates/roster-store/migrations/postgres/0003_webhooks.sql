-- How far each webhook has delivered the event stream.
CREATE TABLE webhook_cursors (
    name TEXT PRIMARY KEY,
    last_event_id BIGINT NOT NULL
);
