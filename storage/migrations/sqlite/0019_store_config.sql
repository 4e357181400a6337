-- Foyer schema, version 19 (sqlite): what the operator side manages per
-- identity store. Stores and groups get a version (optimistic concurrency:
-- an update names the version it read) and an update time; stores define
-- roles and organizations (with their e-mail domains, each owned by one
-- organization of the store). Names are unique per store case-insensitively
-- (name_normalized is the lower-cased name). Keep in step with the other
-- dialect's 0019_store_config.sql.

ALTER TABLE identity_stores ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE identity_stores ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE identity_stores SET updated_at = created_at;

ALTER TABLE account_groups ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE account_groups ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE account_groups SET updated_at = created_at;

CREATE TABLE store_roles (
    id              TEXT      NOT NULL PRIMARY KEY,
    store_id        TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    name            TEXT      NOT NULL,
    name_normalized TEXT      NOT NULL,
    description     TEXT      NOT NULL DEFAULT '',
    version         BIGINT    NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX store_roles_store_name_idx ON store_roles (store_id, name_normalized);

CREATE TABLE organizations (
    id              TEXT      NOT NULL PRIMARY KEY,
    store_id        TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    name            TEXT      NOT NULL,
    name_normalized TEXT      NOT NULL,
    partner         BOOLEAN   NOT NULL DEFAULT FALSE,
    domains         TEXT      NOT NULL DEFAULT '[]',
    version         BIGINT    NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organizations_store_name_idx ON organizations (store_id, name_normalized);

-- One row per domain of an organization (organizations.domains repeats
-- them for reading): the primary key keeps a domain to one organization
-- of the store.
CREATE TABLE organization_domains (
    store_id        TEXT      NOT NULL,
    domain          TEXT      NOT NULL,
    organization_id TEXT      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (store_id, domain)
);
CREATE INDEX organization_domains_org_idx ON organization_domains (organization_id);
