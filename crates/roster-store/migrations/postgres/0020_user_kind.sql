-- monday.com's User.kind when it is not one of the four basic ones (service_user,
-- agent_member, ...), kept as it came; NULL for a person of the kind the role column says.
ALTER TABLE users ADD COLUMN kind TEXT;
