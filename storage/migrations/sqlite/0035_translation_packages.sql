-- Foyer schema, version 35 (sqlite): translation packages (issue 17).
-- Keep in step with the other dialect's 0035_translation_packages.sql.

-- A translated catalog uploaded for an identity store (application_id '')
-- or one of its applications: catalog is a JSON object, message key ->
-- format string, possibly partial (missing keys fall back to the built-in
-- catalogs). application_id is '' rather than NULL so the unique index
-- holds for store-wide packages too.
CREATE TABLE translation_packages (
    id             TEXT      NOT NULL PRIMARY KEY,
    store_id       TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    application_id TEXT      NOT NULL DEFAULT '',
    language       TEXT      NOT NULL,
    catalog        TEXT      NOT NULL DEFAULT '{}',
    updated_at     TIMESTAMP NOT NULL,
    updated_by     TEXT      NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX translation_packages_scope_idx ON translation_packages (store_id, application_id, language);
