-- Foyer schema, version 8 (sqlite): one-time secrets and consent records. Keep
-- in step with the other dialect's 0008_one_time_secrets.sql.

-- Only the SHA-256 of a secret is stored; used_at makes it single-use.
CREATE TABLE one_time_secrets (
    id          TEXT      NOT NULL PRIMARY KEY,
    purpose     TEXT      NOT NULL,
    secret_hash BLOB     NOT NULL UNIQUE,
    account_id  TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    data        TEXT      NOT NULL DEFAULT '',
    attempts    INTEGER   NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP NULL
);
-- The re-request throttle looks up an account's newest secret per purpose.
CREATE INDEX one_time_secrets_account_idx ON one_time_secrets (account_id, purpose, created_at);
CREATE INDEX one_time_secrets_expires_idx ON one_time_secrets (expires_at);

-- One row per accepted version of a consent document.
CREATE TABLE consent_records (
    account_id TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    consent    TEXT      NOT NULL,
    version    TEXT      NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP NULL,
    PRIMARY KEY (account_id, consent, version)
);
