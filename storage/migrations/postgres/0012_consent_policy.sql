-- Foyer schema, version 12 (postgres): each application's consent policy (the
-- versioned documents customers accept), as JSON. Keep in step with the other
-- dialect's 0012_consent_policy.sql. '' reads as the default policy
-- (storage.DefaultConsentPolicy).

ALTER TABLE applications ADD COLUMN consent_policy TEXT NOT NULL DEFAULT '';
