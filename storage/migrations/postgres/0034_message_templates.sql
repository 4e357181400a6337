-- Foyer schema, version 34 (postgres): e-mail and SMS templates per application
-- and language (issue 17). Keep in step with the other dialect's
-- 0034_message_templates.sql.

-- An administrator's override of one message kind on one channel for one
-- language ('' = any language without one of its own). The text is
-- placeholder text ({{link}}, {{code}}, ...), never a Go template.
CREATE TABLE message_templates (
    id             TEXT      NOT NULL PRIMARY KEY,
    store_id       TEXT      NOT NULL DEFAULT '',
    application_id TEXT      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind           TEXT      NOT NULL,
    channel        TEXT      NOT NULL,
    language       TEXT      NOT NULL DEFAULT '',
    subject        TEXT      NOT NULL DEFAULT '',
    text_body      TEXT      NOT NULL,
    html_body      TEXT      NOT NULL DEFAULT '',
    version        BIGINT    NOT NULL DEFAULT 1,
    updated_at     TIMESTAMPTZ NOT NULL,
    updated_by     TEXT      NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX message_templates_key_idx ON message_templates (application_id, kind, channel, language);
