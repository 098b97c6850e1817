-- Departments (Enterprise): the department each user is a member of, and each snapshot's
-- departments with their reserved and assigned seats (JSON, read by the departments report).
ALTER TABLE users ADD COLUMN department TEXT;
ALTER TABLE account_snapshots ADD COLUMN departments TEXT;
