-- Foyer schema, version 11 (postgres): the account portal. Keep in step with
-- sqlite/0011_portal.sql.

-- How an application appears in the portal: launcher tile, friendly URL
-- (/a/{slug}) and group restriction (allowed_groups, a JSON array of group
-- names; empty means everyone).
CREATE TABLE application_portals (
    application_id   TEXT      NOT NULL PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    launcher_enabled BOOLEAN   NOT NULL DEFAULT FALSE,
    slug             TEXT      NOT NULL DEFAULT '',
    allowed_groups   TEXT      NOT NULL DEFAULT '[]',
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX application_portals_slug_idx ON application_portals (slug) WHERE slug <> '';

-- Named sets of accounts per identity store ("groups" is an SQL keyword).
CREATE TABLE account_groups (
    id         TEXT      NOT NULL PRIMARY KEY,
    store_id   TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    name       TEXT      NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX account_groups_store_name_idx ON account_groups (store_id, name);

CREATE TABLE group_members (
    group_id   TEXT      NOT NULL REFERENCES account_groups (id) ON DELETE CASCADE,
    account_id TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_account_idx ON group_members (account_id);

-- Consent history: consent_records keep the current state of each version,
-- this keeps every opt-in and opt-out.
CREATE TABLE consent_events (
    id         TEXT      NOT NULL PRIMARY KEY,
    account_id TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    consent    TEXT      NOT NULL,
    version    TEXT      NOT NULL,
    action     TEXT      NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX consent_events_account_idx ON consent_events (account_id, created_at);

-- Social and enterprise logins linked to an account.
CREATE TABLE external_identities (
    provider   TEXT      NOT NULL,
    subject    TEXT      NOT NULL,
    account_id TEXT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email      TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX external_identities_account_idx ON external_identities (account_id);
