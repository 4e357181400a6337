-- Foyer schema, version 9 (postgres): multi-factor authenticators and each
-- application's MFA policy. Keep in step with the other dialect's 0009_mfa.sql.

-- One row per enrolled factor: a TOTP secret, an e-mail address or phone
-- number codes go to, or a passkey. Secrets are sealed (AES-GCM, bound to
-- the account and purpose) before they reach this table.
CREATE TABLE mfa_authenticators (
    id            TEXT      NOT NULL PRIMARY KEY,
    account_id    TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind          TEXT      NOT NULL,
    name          TEXT      NOT NULL DEFAULT '',
    address       TEXT      NOT NULL DEFAULT '',
    secret        BYTEA     NULL,
    credential_id BYTEA     NULL,
    counter       BIGINT    NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ NULL
);
CREATE INDEX mfa_authenticators_account_idx ON mfa_authenticators (account_id, created_at);
-- A passkey is found by its credential id at a username-less sign-in.
CREATE UNIQUE INDEX mfa_authenticators_credential_idx ON mfa_authenticators (credential_id) WHERE credential_id IS NOT NULL;

-- The MFA policy as JSON; '{}' reads as the defaults (storage.DefaultMFAPolicy).
ALTER TABLE applications ADD COLUMN mfa_policy TEXT NOT NULL DEFAULT '{}';
