-- Foyer schema, version 16 (sqlite): an e-mail address confirmed at
-- registration without activation (the seeds' "verified status") that
-- nobody has proved yet. The first proof of the mailbox (a password reset
-- through it) takes the account over from whoever registered it. Keep in
-- step with the other dialect's 0016_email_unproven.sql.

ALTER TABLE accounts ADD COLUMN email_unproven BOOLEAN NOT NULL DEFAULT FALSE;
