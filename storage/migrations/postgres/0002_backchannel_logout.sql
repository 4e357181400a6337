-- OpenID Connect Back-Channel Logout (postgres). Keep in step with the other
-- dialect's 0002_backchannel_logout.sql.

ALTER TABLE clients ADD COLUMN backchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN backchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE;

-- Which clients took part in an SSO session, recorded when a code is issued
-- under it. Tokens alone would not do: without offline_access a client holds
-- only short-lived tokens that the cleanup drops while the session lives on.
-- The rows go with their session.
CREATE TABLE session_clients (
    session_id TEXT      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    client_id  TEXT      NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, client_id)
);

-- Tokens issued under a session also count as taking part in it.
CREATE INDEX oauth2_tokens_session_idx ON oauth2_tokens (session_id);

-- The outbox of logout tokens still to deliver, one row per (ended
-- session, client). A node claims a row by setting locked_until.
CREATE TABLE logout_notices (
    id              TEXT      NOT NULL PRIMARY KEY,
    session_id      TEXT      NOT NULL,
    account_id      TEXT      NOT NULL DEFAULT '',
    client_id       TEXT      NOT NULL,
    attempts        INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ NULL,
    last_error      TEXT      NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX logout_notices_due_idx ON logout_notices (next_attempt_at);
