-- Foyer schema, version 18 (SQLite): clients carry a version for optimistic
-- concurrency (the admin API's ETag; every update increments it), and
-- secret rotation with an overlap keeps the previous secret's digest and
-- when it stops working. Keep in step with the other dialect's file.

ALTER TABLE clients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN previous_secret_hash BLOB NULL;
ALTER TABLE clients ADD COLUMN previous_secret_expires_at TIMESTAMP NULL;
