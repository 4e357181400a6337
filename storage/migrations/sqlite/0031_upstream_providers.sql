-- Foyer schema, version 31 (sqlite): external identity providers (issue 16).
-- Keep in step with the other dialect's 0031_upstream_providers.sql.

-- Social and enterprise identity providers of an identity store. Secrets
-- are sealed with the system secret; scopes and claim_mapping are JSON.
CREATE TABLE upstream_providers (
    id                   TEXT      NOT NULL PRIMARY KEY,
    store_id             TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    name                 TEXT      NOT NULL,
    kind                 TEXT      NOT NULL,
    preset               TEXT      NOT NULL DEFAULT '',
    issuer               TEXT      NOT NULL DEFAULT '',
    auth_url             TEXT      NOT NULL DEFAULT '',
    token_url            TEXT      NOT NULL DEFAULT '',
    userinfo_url         TEXT      NOT NULL DEFAULT '',
    client_id            TEXT      NOT NULL,
    client_secret_sealed BLOB,
    team_id              TEXT      NOT NULL DEFAULT '',
    key_id               TEXT      NOT NULL DEFAULT '',
    private_key_sealed   BLOB,
    scopes               TEXT      NOT NULL DEFAULT '[]',
    claim_mapping        TEXT      NOT NULL DEFAULT '{}',
    enabled              BOOLEAN   NOT NULL DEFAULT TRUE,
    version              BIGINT    NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX upstream_providers_name_idx ON upstream_providers (store_id, lower(name));

-- One round trip to a provider, used once: the state's digest, the nonce
-- and PKCE verifier the callback checks. At most one per interaction or
-- session (the store replaces it), purged when expired.
CREATE TABLE upstream_attempts (
    state_hash     BLOB     NOT NULL PRIMARY KEY,
    provider_id    TEXT      NOT NULL REFERENCES upstream_providers (id) ON DELETE CASCADE,
    purpose        TEXT      NOT NULL,
    interaction_id TEXT      NOT NULL DEFAULT '',
    account_id     TEXT      NOT NULL DEFAULT '',
    session_id     TEXT      NOT NULL DEFAULT '',
    nonce          TEXT      NOT NULL,
    code_verifier  TEXT      NOT NULL,
    return_to      TEXT      NOT NULL DEFAULT '',
    expires_at     TIMESTAMP NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX upstream_attempts_interaction_idx ON upstream_attempts (interaction_id);
CREATE INDEX upstream_attempts_session_idx ON upstream_attempts (session_id);
CREATE INDEX upstream_attempts_expires_idx ON upstream_attempts (expires_at);

-- What the upstream said of the last sign-in with an identity.
ALTER TABLE external_identities ADD COLUMN amr TEXT NOT NULL DEFAULT '[]';
ALTER TABLE external_identities ADD COLUMN acr TEXT NOT NULL DEFAULT '';
ALTER TABLE external_identities ADD COLUMN last_used_at TIMESTAMP;
