-- Foyer schema, version 20 (postgres): named policies. Keep in step with the
-- other dialect's 0020_policies.sql.
--
-- A policy of one kind (self_service, mfa, consent, portal) has a name unique
-- per kind (name_key is its lower-case form) and a body (JSON, the kind's
-- storage type). Applications are assigned one policy per kind; their
-- self_service_policy, mfa_policy and consent_policy columns and the
-- launcher_enabled and allowed_groups of application_portals stay, as copies
-- of the assigned bodies that every policy change rewrites in the same
-- transaction (sign-in reads an application with its policies in one query).
CREATE TABLE policies (
    id         TEXT        NOT NULL PRIMARY KEY,
    kind       TEXT        NOT NULL,
    name       TEXT        NOT NULL,
    name_key   TEXT        NOT NULL,
    is_default BOOLEAN     NOT NULL DEFAULT FALSE,
    body       TEXT        NOT NULL,
    version    BIGINT      NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX policies_kind_name_idx ON policies (kind, name_key);
CREATE UNIQUE INDEX policies_default_idx ON policies (kind) WHERE is_default;

ALTER TABLE applications ADD COLUMN self_service_policy_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN mfa_policy_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN consent_policy_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN portal_policy_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE applications ADD COLUMN updated_at TIMESTAMPTZ NULL;
UPDATE applications SET updated_at = created_at;
CREATE INDEX applications_self_service_policy_idx ON applications (self_service_policy_id);
CREATE INDEX applications_mfa_policy_idx ON applications (mfa_policy_id);
CREATE INDEX applications_consent_policy_idx ON applications (consent_policy_id);
CREATE INDEX applications_portal_policy_idx ON applications (portal_policy_id);

-- One Default per kind, following the built-in defaults ('{}' reads as them
-- for self-service and MFA, '' as DefaultConsentPolicy) until it is edited.
INSERT INTO policies (id, kind, name, name_key, is_default, body, version, created_at, updated_at) VALUES
    ('default-self_service', 'self_service', 'Default', 'default', TRUE, '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('default-mfa', 'mfa', 'Default', 'default', TRUE, '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('default-consent', 'consent', 'Default', 'default', TRUE, '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('default-portal', 'portal', 'Default', 'default', TRUE, '{"launcher_enabled":false,"groups":[]}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- Each application whose setting differs from the default keeps it, as a
-- policy of its own named "<application name> (<application id>)".
INSERT INTO policies (id, kind, name, name_key, is_default, body, version, created_at, updated_at)
    SELECT 'self_service-' || id, 'self_service', name || ' (' || id || ')', lower(name || ' (' || id || ')'),
           FALSE, self_service_policy, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM applications WHERE self_service_policy NOT IN ('', '{}');
INSERT INTO policies (id, kind, name, name_key, is_default, body, version, created_at, updated_at)
    SELECT 'mfa-' || id, 'mfa', name || ' (' || id || ')', lower(name || ' (' || id || ')'),
           FALSE, mfa_policy, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM applications WHERE mfa_policy NOT IN ('', '{}');
INSERT INTO policies (id, kind, name, name_key, is_default, body, version, created_at, updated_at)
    SELECT 'consent-' || id, 'consent', name || ' (' || id || ')', lower(name || ' (' || id || ')'),
           FALSE, consent_policy, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM applications WHERE consent_policy <> '';
INSERT INTO policies (id, kind, name, name_key, is_default, body, version, created_at, updated_at)
    SELECT 'portal-' || a.id, 'portal', a.name || ' (' || a.id || ')', lower(a.name || ' (' || a.id || ')'),
           FALSE, '{"launcher_enabled":' || CASE WHEN p.launcher_enabled THEN 'true' ELSE 'false' END
                  || ',"groups":' || p.allowed_groups || '}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM applications a JOIN application_portals p ON p.application_id = a.id
    WHERE p.launcher_enabled OR p.allowed_groups NOT IN ('', '[]', 'null');

UPDATE applications SET self_service_policy_id = CASE WHEN self_service_policy NOT IN ('', '{}')
    THEN 'self_service-' || id ELSE 'default-self_service' END;
UPDATE applications SET mfa_policy_id = CASE WHEN mfa_policy NOT IN ('', '{}')
    THEN 'mfa-' || id ELSE 'default-mfa' END;
UPDATE applications SET consent_policy_id = CASE WHEN consent_policy <> ''
    THEN 'consent-' || id ELSE 'default-consent' END;
UPDATE applications SET portal_policy_id = COALESCE(
    (SELECT id FROM policies WHERE policies.id = 'portal-' || applications.id), 'default-portal');
