-- Foyer schema, version 5 (postgres): the rest of the client metadata (RFC 7591,
-- OpenID Connect Dynamic Client Registration, RFC 9068, RFC 9126) and the
-- initial access tokens of dynamic registration. Keep in step with the
-- other dialect's 0005_client_metadata.sql. Lifetimes are seconds; 0 means
-- the server's default. jwks and contacts are JSON.

ALTER TABLE clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN jwks_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN token_endpoint_auth_signing_alg TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN access_token_format TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN access_token_lifetime BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN refresh_token_lifetime BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN id_token_lifetime BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN require_pushed_authorization_requests BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN client_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN logo_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN policy_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN tos_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN registration_token_hash BYTEA NULL;

CREATE TABLE initial_access_tokens (
    id             TEXT      NOT NULL PRIMARY KEY,
    token_hash     BYTEA    NOT NULL UNIQUE,
    description    TEXT      NOT NULL DEFAULT '',
    remaining_uses INTEGER   NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX initial_access_tokens_expires_idx ON initial_access_tokens (expires_at);
