-- Foyer schema, version 25 (PostgreSQL): accounts carry a version for
-- optimistic concurrency of the admin console's and API's attribute edits
-- (the ETag): every write of the row but the last sign-in time increments
-- it. Keep in step with the other dialect's 0025_account_version.sql.

ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
