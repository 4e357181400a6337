-- Deferred self-service requests (postgres). Keep in step with the other
-- dialect's 0010_deferred_requests.sql.

-- A reset, username-reminder or registration request queues one row for a
-- known and an unknown identifier alike; a worker on any node does the
-- per-account work (lookup, throttle, secret, message) and deletes the row
-- in the transaction that did it. Leased like the notification outbox.
CREATE TABLE deferred_requests (
    id              TEXT      NOT NULL PRIMARY KEY,
    kind            TEXT      NOT NULL,
    payload         TEXT      NOT NULL DEFAULT '',
    attempts        INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ NULL,
    last_error      TEXT      NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX deferred_requests_due_idx ON deferred_requests (next_attempt_at);
