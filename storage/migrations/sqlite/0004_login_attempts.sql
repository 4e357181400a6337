-- Foyer schema, version 4 (SQLite): sign-in attempts per identifier, for
-- the lockout. Keep in step with postgres/0004_login_attempts.sql.
-- attempt_key is a hash of the identity store and the typed identifier, so
-- unknown identifiers are counted exactly like existing accounts.

CREATE TABLE login_attempts (
    id          INTEGER   NOT NULL PRIMARY KEY AUTOINCREMENT,
    attempt_key TEXT      NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key_at_idx ON login_attempts (attempt_key, at);
CREATE INDEX login_attempts_at_idx ON login_attempts (at);
