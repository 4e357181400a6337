-- Foyer schema, version 3 (PostgreSQL): what accounts allowed third-party
-- clients. Keep in step with sqlite/0003_oauth_grants.sql.
-- scopes is a sorted JSON array of strings.

CREATE TABLE oauth_grants (
    account_id TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id  TEXT      NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes     TEXT      NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
CREATE INDEX oauth_grants_client_idx ON oauth_grants (client_id);

-- Revoking a grant deletes the client's tokens for one account.
CREATE INDEX oauth2_tokens_subject_client_idx ON oauth2_tokens (subject, client_id);
