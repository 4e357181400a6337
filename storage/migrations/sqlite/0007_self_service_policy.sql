-- Foyer schema, version 7 (sqlite): each application's self-service policy, as
-- JSON (lifetimes in seconds). Keep in step with the other dialect's
-- 0007_self_service_policy.sql. Existing rows get '{}', which reads as the
-- defaults (storage.DefaultSelfServicePolicy), as does any absent key.

ALTER TABLE applications ADD COLUMN self_service_policy TEXT NOT NULL DEFAULT '{}';
