package migrations

import (
	"context"
	"database/sql"
	"testing"
)

// Migration 20 turns each application's own policy columns into named
// policies: a Default per kind, and a policy of its own for every
// application whose setting was not the default, so nothing changes.
func TestPoliciesMigrationKeepsSettings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dialect string
		open    func(t *testing.T) *sql.DB
	}{
		{SQLite, freshSQLite},
		{Postgres, func(t *testing.T) *sql.DB { return openDB(t, "pgx", freshPostgres(t)) }},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := c.open(t)
			ms, err := load(c.dialect)
			if err != nil {
				t.Fatal(err)
			}
			var before []migration
			for _, m := range ms {
				if m.version < 20 {
					before = append(before, m)
				}
			}
			for {
				v, err := applyNext(ctx, db, c.dialect, before)
				if err != nil {
					t.Fatal(err)
				}
				if v == 0 {
					break
				}
			}
			for _, stmt := range []string{
				`INSERT INTO applications (id, name, created_at) VALUES ('plain', 'Plain', '2026-01-01 00:00:00')`,
				`INSERT INTO applications (id, name, created_at, self_service_policy, mfa_policy, consent_policy)
				 VALUES ('custom', 'Custom', '2026-01-01 00:00:00', '{"registration_enabled":false}', '{"mode":"required"}', '[]')`,
				`INSERT INTO application_portals (application_id, launcher_enabled, slug, allowed_groups, updated_at)
				 VALUES ('custom', TRUE, 'custom', '["staff"]', '2026-01-01 00:00:00')`,
				`INSERT INTO application_portals (application_id, launcher_enabled, slug, allowed_groups, updated_at)
				 VALUES ('plain', FALSE, 'plain', '[]', '2026-01-01 00:00:00')`,
			} {
				if _, err := db.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if _, err := Apply(ctx, db, c.dialect); err != nil {
				t.Fatal(err)
			}
			assigned := queryStrings(t, db, `SELECT id || ':' || self_service_policy_id || ',' || mfa_policy_id || ','
				|| consent_policy_id || ',' || portal_policy_id || ',' || version FROM applications`)
			want := []string{
				"custom:self_service-custom,mfa-custom,consent-custom,portal-custom,1",
				"plain:default-self_service,default-mfa,default-consent,default-portal,1",
			}
			if len(assigned) != 2 || assigned[0] != want[0] || assigned[1] != want[1] {
				t.Errorf("assignments = %v, want %v", assigned, want)
			}
			policies := queryStrings(t, db, `SELECT id || '|' || name || '|' || name_key || '|' || body FROM policies`)
			wantPolicies := []string{
				"consent-custom|Custom (custom)|custom (custom)|[]",
				"default-consent|Default|default|",
				"default-mfa|Default|default|{}",
				"default-portal|Default|default|{\"launcher_enabled\":false,\"groups\":[]}",
				"default-self_service|Default|default|{}",
				"mfa-custom|Custom (custom)|custom (custom)|{\"mode\":\"required\"}",
				"portal-custom|Custom (custom)|custom (custom)|{\"launcher_enabled\":true,\"groups\":[\"staff\"]}",
				"self_service-custom|Custom (custom)|custom (custom)|{\"registration_enabled\":false}",
			}
			if len(policies) != len(wantPolicies) {
				t.Fatalf("policies = %v, want %v", policies, wantPolicies)
			}
			for i := range policies {
				if policies[i] != wantPolicies[i] {
					t.Errorf("policy %d = %s, want %s", i, policies[i], wantPolicies[i])
				}
			}
			defaults := queryStrings(t, db, `SELECT kind FROM policies WHERE is_default = TRUE`)
			if len(defaults) != 4 {
				t.Errorf("defaults = %v, want one per kind", defaults)
			}
		})
	}
}
