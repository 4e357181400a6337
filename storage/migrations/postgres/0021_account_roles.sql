-- Foyer schema, version 21 (postgres): what an account is in the
-- organizations of its identity store. Keep in step with the other
-- dialect's 0021_account_roles.sql.
--
-- Membership and roles are apart: an account may hold roles in an
-- organization it is no member of (seed 002, "Cross-organizational
-- permissions"). store_id repeats the account's store so that the lists
-- of a store (search by organization or role) need no join; the rows go
-- with the account, the organization or the role (foreign keys cascade).

CREATE TABLE organization_members (
    organization_id TEXT        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id      TEXT        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    store_id        TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, account_id)
);
CREATE INDEX organization_members_account_idx ON organization_members (account_id);

CREATE TABLE account_roles (
    account_id      TEXT        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    store_id        TEXT        NOT NULL,
    organization_id TEXT        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id         TEXT        NOT NULL REFERENCES store_roles (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, organization_id, role_id)
);
CREATE INDEX account_roles_organization_role_idx ON account_roles (organization_id, role_id);
CREATE INDEX account_roles_role_idx ON account_roles (role_id);
