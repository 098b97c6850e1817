-- Work that one worker at a time may do (an account's sync, webhook delivery): the holder keeps
-- its lease by renewing it; a lease past its expiry (a dead worker) can be taken over.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
