-- Foyer schema, version 32 (postgres): named leases, so that one node at a
-- time runs installation-wide maintenance (the expired-row cleanup).
-- Keep in step with the other dialect's 0032_leases.sql.
CREATE TABLE leases (
    name   TEXT      NOT NULL PRIMARY KEY,
    holder TEXT      NOT NULL,
    until  TIMESTAMPTZ NOT NULL
);
