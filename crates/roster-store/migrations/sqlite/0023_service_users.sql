-- Each snapshot's service users with when their token was last used (JSON; NULL when the sync's
-- token could not read them), read by the service-users report.
ALTER TABLE account_snapshots ADD COLUMN service_users TEXT;
