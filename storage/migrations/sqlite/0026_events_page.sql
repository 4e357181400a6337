-- Foyer schema, version 26 (sqlite): the account's activity log is read a
-- page at a time, newest first by (created_at, seq), continuing after the
-- last event shown (the admin console's Activity tab). The index carries
-- seq so the order and the keyset condition are one index walk; it
-- replaces the (account_id, created_at) index, which it covers. Keep in
-- step with the other dialect's 0026_events_page.sql.

DROP INDEX events_account_created_idx;
CREATE INDEX events_account_created_seq_idx ON events (account_id, created_at, seq);
