-- Write-ahead: a change is recorded before it is sent, with its outcome still unknown
-- (requested), then with monday.com's answer (succeeded, failed). NULL: a row written before
-- this column, when only succeeded changes were recorded.
ALTER TABLE pending_changes ADD COLUMN outcome TEXT;
-- Its place in the plan.
ALTER TABLE pending_changes ADD COLUMN step BIGINT;
