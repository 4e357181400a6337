-- Foyer schema, version 13 (sqlite): when a consent record ended because a newer
-- version of its document was published (the consent log's "time of opt-out
-- for outdated consent versions"), apart from revoked_at (withdrawn by the
-- customer). Keep in step with postgres/0013_consent_outdated.sql.

ALTER TABLE consent_records ADD COLUMN outdated_at TIMESTAMP NULL;
-- Publishing a version marks every account's records of the document in one
-- statement: this index finds them without reading every record.
CREATE INDEX consent_records_consent_idx ON consent_records (consent, version);
