-- Foyer schema, version 15 (postgres): clients marked as resource servers may
-- introspect tokens issued to other clients; every other client only its
-- own. Set by an administrator (CLI or admin API), never by dynamic
-- registration. Keep in step with the other dialect's file.

ALTER TABLE clients ADD COLUMN resource_server BOOLEAN NOT NULL DEFAULT FALSE;
