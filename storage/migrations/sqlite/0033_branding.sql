-- Foyer schema, version 33 (sqlite): branding beyond name, logo URL and colour
-- for applications and organizations (JSON, see storage.Branding), and the
-- uploaded logos, favicons and generated stylesheets, addressed by the
-- SHA-256 of their bytes. Keep in step with the other dialect's 0033_branding.sql.
ALTER TABLE applications ADD COLUMN branding TEXT NOT NULL DEFAULT '{}';
ALTER TABLE organizations ADD COLUMN branding TEXT NOT NULL DEFAULT '{}';
CREATE TABLE brand_assets (
    hash         TEXT      NOT NULL PRIMARY KEY,
    content_type TEXT      NOT NULL,
    data         BLOB      NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
