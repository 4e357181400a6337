-- Foyer schema, version 29 (sqlite): organizations that customers register
-- themselves, partner codes and customer invitations (seeds 003 and 004).
-- Keep in step with the other dialect's 0029_organizations_b2b.sql.

-- A role can make its holders administrators of their organization (the
-- seed's "Customer account administrator"), and can be assignable: only
-- assignable roles may be granted by organization administrators.
ALTER TABLE store_roles ADD COLUMN organization_admin BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE store_roles ADD COLUMN assignable BOOLEAN NOT NULL DEFAULT FALSE;

-- Company information: values of the identity store's organization schema.
ALTER TABLE organizations ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE identity_stores ADD COLUMN organization_attributes TEXT NOT NULL DEFAULT '[]';

-- One partner code per partner organization, stored as its SHA-256 digest.
-- Rotation replaces the row; uses counts registrations (max_uses 0: no
-- limit).
CREATE TABLE partner_codes (
    organization_id TEXT      NOT NULL PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    store_id        TEXT      NOT NULL,
    code_hash       BLOB     NOT NULL,
    expires_at      TIMESTAMP NULL,
    max_uses        INTEGER   NOT NULL DEFAULT 0,
    uses            INTEGER   NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX partner_codes_hash_idx ON partner_codes (store_id, code_hash);

-- The webhook an application asks for partners it does not know yet;
-- the HMAC secret is sealed with the system secret.
CREATE TABLE partner_lookups (
    application_id TEXT      NOT NULL PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    url            TEXT      NOT NULL,
    secret_sealed  BLOB     NOT NULL,
    timeout_ms     INTEGER   NOT NULL DEFAULT 5000,
    updated_at     TIMESTAMP NOT NULL
);

-- Customer invitations. token_hash is the SHA-256 of the secret the
-- invitation link carries (replaced at each resend); a revoked invitation
-- is deleted (the audit log keeps it).
CREATE TABLE invitations (
    id               TEXT      NOT NULL PRIMARY KEY,
    store_id         TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    organization_id  TEXT      NOT NULL DEFAULT '',
    client_id        TEXT      NOT NULL,
    email            TEXT      NOT NULL,
    email_normalized TEXT      NOT NULL,
    language         TEXT      NOT NULL DEFAULT '',
    role_ids         TEXT      NOT NULL DEFAULT '[]',
    group_ids        TEXT      NOT NULL DEFAULT '[]',
    attributes       TEXT      NOT NULL DEFAULT '{}',
    status           TEXT      NOT NULL DEFAULT 'pending',
    token_hash       BLOB     NOT NULL,
    created_by_kind  TEXT      NOT NULL DEFAULT '',
    created_by_id    TEXT      NOT NULL DEFAULT '',
    created_by_name  TEXT      NOT NULL DEFAULT '',
    send_count       INTEGER   NOT NULL DEFAULT 1,
    account_id       TEXT      NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    accepted_at      TIMESTAMP NULL,
    version          BIGINT    NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX invitations_token_idx ON invitations (token_hash);
CREATE INDEX invitations_store_created_idx ON invitations (store_id, created_at, id);
CREATE INDEX invitations_org_created_idx ON invitations (store_id, organization_id, created_at, id);
