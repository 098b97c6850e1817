-- Just-in-time roles: the role the user had before, restored at expiry.
ALTER TABLE jit_grants ADD COLUMN previous TEXT;
