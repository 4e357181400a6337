-- Foyer schema, version 22 (postgres): identity verification (seed 002). Keep in
-- step with the other dialect's 0022_identity_verification.sql.
--
-- A verification policy is a named set of methods (document check, video
-- call, in person ...) an identity store offers; names are unique per store
-- case-insensitively (name_normalized is the lower-cased name) and methods
-- is a JSON array of method names.
CREATE TABLE verification_policies (
    id              TEXT      NOT NULL PRIMARY KEY,
    store_id        TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    name            TEXT      NOT NULL,
    name_normalized TEXT      NOT NULL,
    methods         TEXT      NOT NULL DEFAULT '[]',
    version         BIGINT    NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX verification_policies_store_name_idx ON verification_policies (store_id, name_normalized);

-- One row per manual verification of an account: the policy (its name kept,
-- so the record outlives the policy), the method, the administrator who
-- verified and a note. Revoking sets revoked_at and revoked_by; the row
-- stays as history. "Identity verified" is a row with revoked_at NULL,
-- which the partial index finds for the account search and the token claim.
CREATE TABLE identity_verifications (
    id          TEXT      NOT NULL PRIMARY KEY,
    account_id  TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    store_id    TEXT      NOT NULL,
    policy_id   TEXT      NOT NULL,
    policy_name TEXT      NOT NULL,
    method      TEXT      NOT NULL,
    admin_id    TEXT      NOT NULL DEFAULT '',
    admin_name  TEXT      NOT NULL DEFAULT '',
    note        TEXT      NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ NULL,
    revoked_by  TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX identity_verifications_account_idx ON identity_verifications (account_id, created_at);
CREATE INDEX identity_verifications_active_idx ON identity_verifications (store_id, account_id) WHERE revoked_at IS NULL;
