-- Foyer schema, version 30 (sqlite): an organization's own branding (issue 15).
-- Empty values mean "none": e-mails and pages about the organization fall
-- back to the application's branding for each empty field.
-- Keep in step with the other dialect's 0030_organization_branding.sql.
ALTER TABLE organizations ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN primary_color TEXT NOT NULL DEFAULT '';
