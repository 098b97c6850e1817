-- What a reviewer needs beside an item, frozen at launch like the rest of it: the user's custom
-- role (its name), the resource's kind (public/private/share, open/closed), a team the user
-- has left that still reaches the resource while this direct access stayed, and the
-- separation-of-duties rules the user breaks with this access (names, comma-separated).
-- NULL: none (and on items frozen before this migration, not known).
ALTER TABLE review_items ADD COLUMN user_custom_role TEXT;
ALTER TABLE review_items ADD COLUMN resource_kind TEXT;
ALTER TABLE review_items ADD COLUMN left_team TEXT;
ALTER TABLE review_items ADD COLUMN sod_rules TEXT;
