-- Foyer schema, version 14 (sqlite): the browser that started an interaction
-- (the SHA-256 of its foyer_browser cookie), so a sign-in finishes only in
-- that browser. Keep in step with the other dialect's
-- 0014_interaction_browser.sql. Interactions from before have none and
-- finish nowhere (they last 30 minutes).

ALTER TABLE interactions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
