-- Foyer schema, version 1 (PostgreSQL).
-- Keep this file and sqlite/0001_init.sql in step: the package test checks
-- both dialects end with the same tables, columns and named indexes.
-- Times are TIMESTAMPTZ (microsecond precision); the store reads them back
-- in UTC.
-- Slices and maps are JSON text; byte slices are BYTEA.

CREATE TABLE identity_stores (
    id               TEXT      NOT NULL PRIMARY KEY,
    name             TEXT      NOT NULL,
    identifier_types TEXT      NOT NULL DEFAULT '[]',
    attributes       TEXT      NOT NULL DEFAULT '[]',
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE accounts (
    id                  TEXT      NOT NULL PRIMARY KEY,
    store_id            TEXT      NOT NULL REFERENCES identity_stores (id),
    status              TEXT      NOT NULL,
    username            TEXT      NOT NULL DEFAULT '',
    username_normalized TEXT      NOT NULL DEFAULT '',
    email               TEXT      NOT NULL DEFAULT '',
    email_normalized    TEXT      NOT NULL DEFAULT '',
    email_confirmed     BOOLEAN   NOT NULL DEFAULT FALSE,
    phone               TEXT      NOT NULL DEFAULT '',
    phone_confirmed     BOOLEAN   NOT NULL DEFAULT FALSE,
    attributes          TEXT      NOT NULL DEFAULT '{}',
    language            TEXT      NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    last_login_at       TIMESTAMPTZ NULL
);
-- Partial unique indexes: an unset identifier is '' and must not collide.
CREATE UNIQUE INDEX accounts_store_email_idx ON accounts (store_id, email_normalized) WHERE email_normalized <> '';
CREATE UNIQUE INDEX accounts_store_username_idx ON accounts (store_id, username_normalized) WHERE username_normalized <> '';
CREATE UNIQUE INDEX accounts_store_phone_idx ON accounts (store_id, phone) WHERE phone <> '';
CREATE INDEX accounts_store_created_idx ON accounts (store_id, created_at);

CREATE TABLE password_credentials (
    account_id TEXT      NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    hash       TEXT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE applications (
    id             TEXT      NOT NULL PRIMARY KEY,
    store_id       TEXT      NOT NULL DEFAULT '',
    name           TEXT      NOT NULL,
    logo_url       TEXT      NOT NULL DEFAULT '',
    primary_color  TEXT      NOT NULL DEFAULT '',
    organizational BOOLEAN   NOT NULL DEFAULT FALSE,
    login_steps    TEXT      NOT NULL DEFAULT '[]',
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE clients (
    id                         TEXT      NOT NULL PRIMARY KEY,
    application_id             TEXT      NOT NULL DEFAULT '',
    name                       TEXT      NOT NULL DEFAULT '',
    secret_hash                BYTEA     NULL,
    public                     BOOLEAN   NOT NULL DEFAULT FALSE,
    first_party                BOOLEAN   NOT NULL DEFAULT FALSE,
    redirect_uris              TEXT      NOT NULL DEFAULT '[]',
    post_logout_redirect_uris  TEXT      NOT NULL DEFAULT '[]',
    initiate_login_uri         TEXT      NOT NULL DEFAULT '',
    grant_types                TEXT      NOT NULL DEFAULT '[]',
    response_types             TEXT      NOT NULL DEFAULT '[]',
    scopes                     TEXT      NOT NULL DEFAULT '[]',
    audience                   TEXT      NOT NULL DEFAULT '[]',
    token_endpoint_auth_method TEXT      NOT NULL DEFAULT '',
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL
);
CREATE INDEX clients_application_idx ON clients (application_id);

CREATE TABLE client_assertion_jtis (
    jti        TEXT      NOT NULL PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX client_assertion_jtis_expires_idx ON client_assertion_jtis (expires_at);

CREATE TABLE sessions (
    id           TEXT      NOT NULL PRIMARY KEY,
    account_id   TEXT      NOT NULL,
    auth_time    TIMESTAMPTZ NOT NULL,
    amr          TEXT      NOT NULL DEFAULT '[]',
    acr          TEXT      NOT NULL DEFAULT '',
    ip           TEXT      NOT NULL DEFAULT '',
    user_agent   TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account_idx ON sessions (account_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE interactions (
    id         TEXT      NOT NULL PRIMARY KEY,
    client_id  TEXT      NOT NULL DEFAULT '',
    request    TEXT      NOT NULL DEFAULT '',
    state      BYTEA     NULL,
    session_id TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX interactions_expires_idx ON interactions (expires_at);

-- One table for every fosite record; expires_at is NULL for records that
-- never expire so the garbage collector leaves them alone.
CREATE TABLE oauth2_tokens (
    kind       TEXT      NOT NULL,
    signature  TEXT      NOT NULL,
    request_id TEXT      NOT NULL DEFAULT '',
    client_id  TEXT      NOT NULL DEFAULT '',
    subject    TEXT      NOT NULL DEFAULT '',
    session_id TEXT      NOT NULL DEFAULT '',
    active     BOOLEAN   NOT NULL DEFAULT TRUE,
    data       BYTEA     NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NULL,
    PRIMARY KEY (kind, signature)
);
CREATE INDEX oauth2_tokens_request_idx ON oauth2_tokens (kind, request_id);
CREATE INDEX oauth2_tokens_expires_idx ON oauth2_tokens (expires_at);
CREATE INDEX oauth2_tokens_client_idx ON oauth2_tokens (client_id);

CREATE TABLE signing_keys (
    id                    TEXT      NOT NULL PRIMARY KEY,
    algorithm             TEXT      NOT NULL,
    status                TEXT      NOT NULL,
    private_key_encrypted BYTEA     NULL,
    public_jwk            BYTEA     NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    retired_at            TIMESTAMPTZ NULL
);
CREATE INDEX signing_keys_created_idx ON signing_keys (created_at);

-- seq orders events appended within the same microsecond.
CREATE TABLE events (
    seq        BIGINT    GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id         TEXT      NOT NULL UNIQUE,
    account_id TEXT      NOT NULL DEFAULT '',
    kind       TEXT      NOT NULL,
    actor      TEXT      NOT NULL DEFAULT '',
    ip         TEXT      NOT NULL DEFAULT '',
    data       TEXT      NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_account_created_idx ON events (account_id, created_at);
CREATE INDEX events_created_idx ON events (created_at);

CREATE TABLE settings (
    name       TEXT      NOT NULL PRIMARY KEY,
    value      TEXT      NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
