-- The notification outbox (sqlite). Keep in step with the other dialect's
-- 0006_notifications.sql.

-- One row per e-mail, SMS or voice message, rendered before it is queued.
-- A node claims a row by setting locked_until; sent_at is set when a
-- provider accepted it (rows are kept then only where they stay visible,
-- as in the dev outbox).
CREATE TABLE notifications (
    id              TEXT      NOT NULL PRIMARY KEY,
    channel         TEXT      NOT NULL,
    recipient       TEXT      NOT NULL,
    subject         TEXT      NOT NULL DEFAULT '',
    body_text       TEXT      NOT NULL DEFAULT '',
    body_html       TEXT      NOT NULL DEFAULT '',
    account_id      TEXT      NOT NULL DEFAULT '',
    kind            TEXT      NOT NULL DEFAULT '',
    attempts        INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP NULL,
    last_error      TEXT      NOT NULL DEFAULT '',
    sent_at         TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at);
CREATE INDEX notifications_created_idx ON notifications (created_at);
