-- Foyer schema, version 17 (postgres): the operator side's roles (admin_grants)
-- and its append-only, hash-chained audit log (audit_entries). Keep in step
-- with the other dialect's 0017_admin_grants_audit.sql.

-- One role of an administrator (an account of the administrators store) or
-- of a client, optionally limited to some identity stores (store_ids: a
-- JSON array; '' or '[]' means every store).
CREATE TABLE admin_grants (
    id             TEXT      NOT NULL PRIMARY KEY,
    principal_kind TEXT      NOT NULL,
    principal_id   TEXT      NOT NULL,
    role           TEXT      NOT NULL,
    store_ids      TEXT      NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX admin_grants_principal_role_idx ON admin_grants (principal_kind, principal_id, role);

-- One administrative change. seq is the entry's position in the chain
-- (1, 2, ...; assigned under a lock, never reused); hash is SHA-256 over
-- prev_hash and the entry's fields (storage.AuditEntry.ComputeHash).
CREATE TABLE audit_entries (
    seq         BIGINT    NOT NULL PRIMARY KEY,
    id          TEXT      NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    actor_kind  TEXT      NOT NULL,
    actor_id    TEXT      NOT NULL DEFAULT '',
    actor_name  TEXT      NOT NULL DEFAULT '',
    role        TEXT      NOT NULL DEFAULT '',
    ip          TEXT      NOT NULL DEFAULT '',
    user_agent  TEXT      NOT NULL DEFAULT '',
    action      TEXT      NOT NULL,
    target_type TEXT      NOT NULL DEFAULT '',
    target_id   TEXT      NOT NULL DEFAULT '',
    store_id    TEXT      NOT NULL DEFAULT '',
    before_json TEXT      NOT NULL DEFAULT '',
    after_json  TEXT      NOT NULL DEFAULT '',
    prev_hash   TEXT      NOT NULL DEFAULT '',
    hash        TEXT      NOT NULL
);
CREATE INDEX audit_entries_created_idx ON audit_entries (created_at);
CREATE INDEX audit_entries_actor_idx ON audit_entries (actor_id, seq);
CREATE INDEX audit_entries_action_idx ON audit_entries (action, seq);
CREATE INDEX audit_entries_target_idx ON audit_entries (target_type, target_id, seq);
CREATE INDEX audit_entries_store_idx ON audit_entries (store_id, seq);
