-- Foyer schema, version 4 (PostgreSQL): sign-in attempts per identifier, for
-- the lockout. Keep in step with sqlite/0004_login_attempts.sql.
-- attempt_key is a hash of the identity store and the typed identifier, so
-- unknown identifiers are counted exactly like existing accounts.

CREATE TABLE login_attempts (
    id          BIGSERIAL   NOT NULL PRIMARY KEY,
    attempt_key TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_key_at_idx ON login_attempts (attempt_key, at);
CREATE INDEX login_attempts_at_idx ON login_attempts (at);
